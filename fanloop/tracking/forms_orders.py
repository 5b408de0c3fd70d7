"""Forms of the order, order-import, webhook and cost pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models import Campaign
from fanloop.core.forms import StyledForm
from fanloop.core.models import Workspace
from fanloop.core.money import yuan_to_fen
from fanloop.core.platforms import Platform
from fanloop.tracking.models import (
    AttributionRule,
    CostCategory,
    OrderStatus,
    Partner,
    ShopPlatform,
)
from fanloop.tracking.order_profiles import BUILTIN, FIELDS

CUSTOM = "custom"


def _campaigns(workspace: Workspace) -> Any:
    return Campaign.objects.filter(workspace=workspace).order_by("-start_date", "name")


class OrderFilterForm(StyledForm):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    rule = forms.ChoiceField(
        label=_("Attribution"),
        choices=[("", _("Any")), *AttributionRule.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *OrderStatus.choices], required=False
    )
    shop = forms.ChoiceField(
        label=_("Shop"), choices=[("", _("Any")), *ShopPlatform.choices], required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Order number"), required=False, max_length=100)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _campaigns(workspace)


class OrderImportForm(StyledForm):
    file = forms.FileField(label=_("Order export (CSV or Excel)"))
    profile = forms.ChoiceField(label=_("Profile"))
    mapping = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For a custom mapping (or to override a profile): field=列名, one per line or "
            "comma separated. Fields: %(fields)s."
        )
        % {"fields": ", ".join(FIELDS)},
    )
    shop_platform = forms.ChoiceField(
        label=_("Shop platform (custom mapping)"),
        choices=[("", "—"), *ShopPlatform.choices],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["profile"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, str(p.name)) for key, p in BUILTIN.items()] + [
            (CUSTOM, _("Custom mapping"))
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("profile") == CUSTOM:
            if not data.get("mapping"):
                self.add_error("mapping", _("Write the mapping for a custom import."))
            if not data.get("shop_platform"):
                self.add_error("shop_platform", _("Choose the shop platform."))
        return data


class WebhookForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    shop_platform = forms.ChoiceField(label=_("Shop platform"), choices=ShopPlatform.choices)


class CostForm(StyledForm):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", "—"), *Platform.choices], required=False
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign = self.fields["campaign"]
        partner = self.fields["partner"]
        assert isinstance(campaign, forms.ModelChoiceField)
        assert isinstance(partner, forms.ModelChoiceField)
        campaign.queryset = _campaigns(workspace)
        partner.queryset = Partner.objects.filter(workspace=workspace)

    def clean_amount(self) -> int:
        try:
            return yuan_to_fen(self.cleaned_data["amount"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class CostImportForm(StyledForm):
    file = forms.FileField(label=_("Cost file (CSV or Excel)"))


class CostFilterForm(StyledForm):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Any")), *CostCategory.choices], required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _campaigns(workspace)
