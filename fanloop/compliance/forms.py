"""Forms for the compliance pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanloop.compliance.engine import HARD_AD, ProductKind, Severity
from fanloop.compliance.models import TermKind
from fanloop.core.forms import StyledForm
from fanloop.core.platforms import Platform

PURPOSES = [("", _("Not an ad")), (HARD_AD, _("Hard advertisement"))]


def _any(choices: list[tuple[str, Any]], label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("Any")), *choices]


class DictionaryFilterForm(StyledForm):
    category = forms.ChoiceField(label=_("Category"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=60)

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _any([(c, c) for c in categories])  # type: ignore[attr-defined]


class TermForm(StyledForm):
    term = forms.CharField(label=_("Term"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=TermKind.choices)
    category = forms.CharField(label=_("Category"), max_length=40, required=False, initial="custom")
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CheckForm(StyledForm):
    text = forms.CharField(
        label=_("Text to check"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=_any(Platform.choices, _("No platform"))
    )
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=PURPOSES)
    product_kind = forms.ChoiceField(
        label=_("Product kind"), choices=ProductKind.choices, initial=ProductKind.GENERAL
    )
    sponsored = forms.BooleanField(
        label=_("Sponsored / KOL content"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    special_cosmetic = forms.BooleanField(
        label=_("Registered special cosmetic (特殊化妆品)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
