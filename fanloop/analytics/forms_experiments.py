"""Forms of the A/B test pages; the services validate again and own the rules."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanloop.analytics.models import (
    Experiment,
    ExperimentKind,
    ExperimentMetric,
    ExperimentVariant,
    MdeKind,
)
from fanloop.campaigns.models import Campaign
from fanloop.content.models import Variant
from fanloop.core.models import Workspace
from fanloop.tracking.models import TrackingLink


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _links(workspace: Workspace) -> Any:
    return TrackingLink.objects.filter(workspace=workspace, archived=False).order_by("code")


def _posts(workspace: Workspace) -> Any:
    return Variant.objects.filter(workspace=workspace).select_related("item").order_by("-id")


class CalculatorForm(forms.Form):
    """The design numbers the sample-size calculator needs."""

    primary_metric = forms.ChoiceField(
        label=_("Primary metric"), choices=ExperimentMetric.choices, initial="ctr"
    )
    baseline_rate = forms.DecimalField(
        label=_("Baseline rate (%)"),
        min_value=Decimal("0.0001"),
        max_value=Decimal("99.9999"),
        decimal_places=4,
        help_text=_("Today's rate of the primary metric, e.g. 2.5 for a 2.5% CTR."),
    )
    mde = forms.DecimalField(
        label=_("Minimum detectable effect"),
        min_value=Decimal("0.0001"),
        decimal_places=4,
        help_text=_(
            "The smallest change worth detecting, e.g. 10 (a 10 percent lift) or 0.5 (points)."
        ),
    )
    mde_kind = forms.ChoiceField(label=_("Effect is"), choices=MdeKind.choices)
    alpha = forms.DecimalField(
        label=_("Significance level (α)"),
        initial=Decimal("0.05"),
        min_value=Decimal("0.001"),
        max_value=Decimal("0.2"),
        decimal_places=3,
    )
    power = forms.DecimalField(
        label=_("Power"),
        initial=Decimal("0.8"),
        min_value=Decimal("0.5"),
        max_value=Decimal("0.99"),
        decimal_places=3,
    )
    variant_count = forms.IntegerField(
        label=_("Number of variants"), initial=2, min_value=2, max_value=8, required=False
    )
    daily_traffic = forms.IntegerField(
        label=_("Daily exposure (all variants)"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to use the last four weeks' average."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ExperimentForm(CalculatorForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    hypothesis = forms.CharField(
        label=_("Hypothesis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you expect and why, e.g. 'a face on the cover lifts CTR'."),
    )
    kind = forms.ChoiceField(label=_("What is tested"), choices=ExperimentKind.choices)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), required=False, queryset=Campaign.objects.none()
    )
    a_link = forms.ModelChoiceField(
        label=_("A (control): tracking link"), required=False, queryset=TrackingLink.objects.none()
    )
    a_post = forms.ModelChoiceField(
        label=_("A (control): content variant"), required=False, queryset=Variant.objects.none()
    )
    a_share = forms.IntegerField(label=_("A: planned share (%)"), initial=50)
    b_link = forms.ModelChoiceField(
        label=_("B: tracking link"), required=False, queryset=TrackingLink.objects.none()
    )
    b_post = forms.ModelChoiceField(
        label=_("B: content variant"), required=False, queryset=Variant.objects.none()
    )
    b_share = forms.IntegerField(label=_("B: planned share (%)"), initial=50)

    field_order = ["name", "hypothesis", "kind", "campaign", "primary_metric"]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace
        ).order_by("-start_date")
        for prefix in ("a", "b"):
            self.fields[f"{prefix}_link"].queryset = _links(workspace)  # type: ignore[attr-defined]
            self.fields[f"{prefix}_post"].queryset = _posts(workspace)  # type: ignore[attr-defined]
        del self.fields["variant_count"]
        del self.fields["daily_traffic"]

    def design(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("name", "hypothesis", "kind", "campaign", "primary_metric", "mde_kind")
        return {
            **{name: data[name] for name in names},
            **{name: data[name] for name in ("alpha", "power", "baseline_rate", "mde")},
        }

    def variants(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "name": name,
                "is_control": prefix == "a",
                "planned_share": data[f"{prefix}_share"],
                "link": data[f"{prefix}_link"],
                "content_variant": data[f"{prefix}_post"],
            }
            for prefix, name in (("a", "A"), ("b", "B"))
        ]


class VariantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    planned_share = forms.IntegerField(label=_("Planned share (%)"), min_value=1, max_value=99)
    link = forms.ModelChoiceField(
        label=_("Tracking link"), required=False, queryset=TrackingLink.objects.none()
    )
    content_variant = forms.ModelChoiceField(
        label=_("Content variant"), required=False, queryset=Variant.objects.none()
    )
    is_control = forms.BooleanField(label=_("Control"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = _links(workspace)  # type: ignore[attr-defined]
        self.fields["content_variant"].queryset = _posts(workspace)  # type: ignore[attr-defined]
        _style(self)


class DecideForm(forms.Form):
    winner = forms.ModelChoiceField(
        label=_("Winner"), queryset=ExperimentVariant.objects.none(), empty_label=None
    )
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the numbers as they are now; it cannot be changed later."),
    )

    def __init__(self, *args: Any, experiment: Experiment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["winner"].queryset = experiment.variants.all()  # type: ignore[attr-defined]
        _style(self)
