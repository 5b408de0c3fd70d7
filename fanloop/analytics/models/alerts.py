"""Early warning (预警): alert rules, the alerts they raise and how each was delivered.

An alert stays one row while its condition holds: a partial unique constraint allows one
unresolved alert per (rule, dedup key), re-evaluation refreshes it, and delivery happens
once per alert. After it is resolved (by a person, or automatically when the condition
clears) a new breach opens a new alert.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.fields import EncryptedTextField
from fanloop.core.models import Workspace
from fanloop.core.platforms import Platform


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("KPI crosses a threshold")
    CHANGE = "change", _("KPI changes vs the previous period")
    BASELINE = "baseline", _("KPI deviates from its rolling baseline")
    GOAL_OFF_PACE = "goal_off_pace", _("Campaign goal off pace")
    SLA_BREACH = "sla_breach", _("Inbox reply-time (SLA) breaches")
    NEGATIVE_SPIKE = "negative_spike", _("Negative-sentiment spike in the inbox")


KPI_KINDS = frozenset({RuleKind.THRESHOLD, RuleKind.CHANGE, RuleKind.BASELINE})
INBOX_KINDS = frozenset({RuleKind.SLA_BREACH, RuleKind.NEGATIVE_SPIKE})


class ScopeKind(models.TextChoices):
    WORKSPACE = "workspace", _("Whole workspace")
    CAMPAIGN = "campaign", _("A campaign")
    PLATFORM = "platform", _("A platform")
    PARTNER = "partner", _("A partner / KOL")
    LINK = "link", _("A tracking link")


class Comparator(models.TextChoices):
    LT = "lt", _("is below")
    LTE = "lte", _("is at or below")
    GT = "gt", _("is above")
    GTE = "gte", _("is at or above")


class Direction(models.TextChoices):
    DROP = "drop", _("drops")
    RISE = "rise", _("rises")
    EITHER = "either", _("moves either way")


class BaselineMethod(models.TextChoices):
    ZSCORE = "zscore", _("standard deviations (z-score)")
    PERCENT = "percent", _("percent from the mean")


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class WebhookFormat(models.TextChoices):
    JSON = "json", _("Plain JSON")
    WECOM = "wecom", _("WeCom group robot (markdown)")


class AlertRule(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    # KPI kinds: a code of fanloop.analytics.kpis.KPIS
    kpi = models.CharField(_("KPI"), max_length=30, blank=True)
    scope_kind = models.CharField(
        _("scope"), max_length=10, choices=ScopeKind.choices, default=ScopeKind.WORKSPACE
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, blank=True)
    partner = models.ForeignKey(
        "tracking.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner / KOL"),
    )
    link = models.ForeignKey(
        "tracking.TrackingLink",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tracking link"),
    )
    # goal_off_pace: one goal, or (empty) every goal of ``campaign``
    goal = models.ForeignKey(
        "campaigns.Goal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("goal"),
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=7)
    comparator = models.CharField(
        _("comparator"), max_length=3, choices=Comparator.choices, default=Comparator.LT
    )
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.DROP
    )
    baseline_method = models.CharField(
        _("baseline method"),
        max_length=8,
        choices=BaselineMethod.choices,
        default=BaselineMethod.ZSCORE,
    )
    baseline_periods = models.PositiveSmallIntegerField(_("baseline periods"), default=4)
    # threshold: the KPI value (percent KPIs in 0..100, money in fen); change/baseline
    # percent: a percentage; baseline z-score: standard deviations; sla_breach: a count.
    threshold = models.DecimalField(
        _("threshold"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    min_sample = models.PositiveIntegerField(_("minimum sample"), default=0)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    notify_roles = models.JSONField(_("notify in the app"), default=list, blank=True)
    email_roles = models.JSONField(_("email members with roles"), default=list, blank=True)
    email_addresses = models.TextField(_("other email addresses"), blank=True)
    webhook_url = EncryptedTextField(_("webhook URL"), blank=True, default="")
    webhook_format = models.CharField(
        _("webhook format"), max_length=6, choices=WebhookFormat.choices, default=WebhookFormat.JSON
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # After an alert of this rule resolves, no new alert for the same key for this long:
    # a KPI wobbling around its threshold would otherwise page people every evaluation.
    cooldown_minutes = models.PositiveIntegerField(_("cooldown (minutes)"), default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_evaluation_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "enabled"])]

    def __str__(self) -> str:
        return self.name


class AlertStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Resolution(models.TextChoices):
    MANUAL = "manual", _("Resolved by a person")
    AUTO = "auto", _("Condition cleared")
    RULE_CHANGED = "rule_changed", _("Rule changed or disabled")


class Alert(models.Model):
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # What makes "the same" alert: the rule's scope, a goal, a crisis alert ...
    dedup_key = models.CharField(max_length=200)
    status = models.CharField(
        max_length=15, choices=AlertStatus.choices, default=AlertStatus.ACTIVE
    )
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=300)
    value = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    expected = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    evidence = models.JSONField(default=dict)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    evaluations = models.PositiveIntegerField(default=1)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=15, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "dedup_key"],
                condition=~Q(status="resolved"),
                name="analytics_alert_one_open_per_key",
            )
        ]
        indexes = [models.Index(fields=["workspace", "status", "-last_seen"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != AlertStatus.RESOLVED


class DeliveryChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class AlertDelivery(models.Model):
    """One channel of one alert: delivered once, retried until it succeeds or gives up."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel"], name="analytics_alert_delivery")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.channel} {self.status}"


class AlertDeliveryAttempt(models.Model):
    delivery = models.ForeignKey(AlertDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {'ok' if self.ok else self.error[:40]}"
