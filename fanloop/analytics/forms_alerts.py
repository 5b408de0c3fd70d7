"""Forms of the early-warning pages; the services validate again and own the write."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanloop.analytics.alerts import delivery
from fanloop.analytics.kpis import KPIS
from fanloop.analytics.models.alerts import (
    AlertRule,
    AlertStatus,
    BaselineMethod,
    Comparator,
    Direction,
    RuleKind,
    ScopeKind,
    Severity,
    WebhookFormat,
)
from fanloop.campaigns.models import Campaign, Goal
from fanloop.core.forms import StyledForm
from fanloop.core.models import Workspace
from fanloop.core.permissions import Role
from fanloop.core.platforms import Platform
from fanloop.tracking.models import Partner, TrackingLink

WINDOWS = [(1, _("1 day")), (7, _("7 days")), (14, _("14 days")), (30, _("30 days"))]


class AlertRuleForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Watch"), choices=RuleKind.choices)
    kpi = forms.ChoiceField(label=_("KPI"), required=False)
    scope_kind = forms.ChoiceField(label=_("Scope"), choices=ScopeKind.choices)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", "—"), *Platform.choices], required=False
    )
    partner = forms.ModelChoiceField(
        label=_("Partner / KOL"), queryset=Partner.objects.none(), required=False
    )
    link = forms.ModelChoiceField(
        label=_("Tracking link"), queryset=TrackingLink.objects.none(), required=False
    )
    goal = forms.ModelChoiceField(
        label=_("Goal"),
        queryset=Goal.objects.none(),
        required=False,
        help_text=_("Leave empty to watch every goal of the campaign."),
    )
    window_days = forms.TypedChoiceField(label=_("Window"), choices=WINDOWS, coerce=int, initial=7)
    comparator = forms.ChoiceField(
        label=_("Comparison"), choices=Comparator.choices, initial=Comparator.LT
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    baseline_method = forms.ChoiceField(label=_("Baseline method"), choices=BaselineMethod.choices)
    baseline_periods = forms.IntegerField(
        label=_("Earlier periods in the baseline"), min_value=2, max_value=12, initial=4
    )
    threshold = forms.DecimalField(
        label=_("Threshold"),
        required=False,
        max_digits=20,
        decimal_places=4,
        help_text=_(
            "Threshold: the KPI value (percentages as 2 for 2%, money in fen). Change and "
            "percent baseline: a percentage. z-score: standard deviations. SLA: a count."
        ),
    )
    min_sample = forms.IntegerField(
        label=_("Minimum sample"),
        min_value=0,
        initial=0,
        help_text=_("Do not judge a KPI while its base (e.g. exposure for a rate) is smaller."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial="warning")
    notify_roles = forms.MultipleChoiceField(
        label=_("Notify in the app"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email_roles = forms.MultipleChoiceField(
        label=_("Email members with roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email_addresses = forms.CharField(
        label=_("Other email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    webhook_url = forms.CharField(
        label=_("Webhook URL"),
        required=False,
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    clear_webhook = forms.BooleanField(label=_("Remove the webhook"), required=False)
    webhook_format = forms.ChoiceField(label=_("Webhook format"), choices=WebhookFormat.choices)
    cooldown_minutes = forms.IntegerField(
        label=_("Cooldown (minutes)"),
        min_value=0,
        initial=60,
        help_text=_("After an alert resolves, wait this long before raising it again."),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(
        self, *args: Any, workspace: Workspace, rule: AlertRule | None = None, **kwargs: Any
    ) -> None:
        if rule is not None:
            kwargs.setdefault("initial", initial_for(rule))
        super().__init__(*args, **kwargs)
        self.rule = rule
        kpi_choices = [("", "—")] + [(code, kpi.label) for code, kpi in KPIS.items()]
        self.fields["kpi"].choices = kpi_choices  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["partner"].queryset = Partner.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["link"].queryset = TrackingLink.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["goal"].queryset = Goal.objects.filter(  # type: ignore[attr-defined]
            campaign__workspace=workspace
        ).select_related("campaign")
        if rule is not None and rule.webhook_url:
            self.fields["webhook_url"].help_text = _(
                "Saved: %(masked)s. Leave empty to keep it."
            ) % {"masked": delivery.mask_url(rule.webhook_url)}
        for name in ("notify_roles", "email_roles", "enabled", "clear_webhook"):
            self.fields[name].widget.attrs.pop("class", None)

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        clear = data.pop("clear_webhook", False)
        url = (data.pop("webhook_url", "") or "").strip()
        if clear:
            data["webhook_url"] = ""
        elif url:
            data["webhook_url"] = url
        return data


def initial_for(rule: AlertRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "kind": rule.kind,
        "kpi": rule.kpi,
        "scope_kind": rule.scope_kind,
        "campaign": rule.campaign_id,
        "platform": rule.platform,
        "partner": rule.partner_id,
        "link": rule.link_id,
        "goal": rule.goal_id,
        "window_days": rule.window_days,
        "comparator": rule.comparator,
        "direction": rule.direction,
        "baseline_method": rule.baseline_method,
        "baseline_periods": rule.baseline_periods,
        "threshold": rule.threshold,
        "min_sample": rule.min_sample,
        "severity": rule.severity,
        "notify_roles": rule.notify_roles,
        "email_roles": rule.email_roles,
        "email_addresses": rule.email_addresses,
        "webhook_format": rule.webhook_format,
        "cooldown_minutes": rule.cooldown_minutes,
        "enabled": rule.enabled,
    }


class AlertFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *AlertStatus.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("Any")), *Severity.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *RuleKind.choices]
    )
    rule = forms.ModelChoiceField(
        label=_("Rule"), required=False, queryset=AlertRule.objects.none(), empty_label=_("Any")
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = AlertRule.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
