"""A/B tests: an experiment compares variants (a control "A" and challengers) of a post,
cover, title, posting time or landing link on one primary metric."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace


class ExperimentKind(models.TextChoices):
    CONTENT_VARIANT = "content_variant", _("Content variant")
    COVER = "cover", _("Cover")
    TITLE = "title", _("Title")
    POSTING_TIME = "posting_time", _("Posting time")
    LANDING_LINK = "landing_link", _("Landing link")


class ExperimentMetric(models.TextChoices):
    CTR = "ctr", _("Click-through rate (clicks ÷ exposure)")
    CONVERSION_RATE = "conversion_rate", _("Conversion rate (orders ÷ clicks)")
    ENGAGEMENT_RATE = "engagement_rate", _("Engagement rate (engagements ÷ exposure)")


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    STOPPED = "stopped", _("Stopped")
    DECIDED = "decided", _("Decided")


class MdeKind(models.TextChoices):
    RELATIVE = "relative", _("Relative lift (percent of the baseline)")
    ABSOLUTE = "absolute", _("Absolute (percentage points)")


DECISION_FIELDS = (
    "winner_id",
    "decided_by_id",
    "decided_at",
    "decision_reason",
    "decision_snapshot",
)


class Experiment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    hypothesis = models.TextField(_("hypothesis"), blank=True)
    kind = models.CharField(
        _("what is tested"),
        max_length=20,
        choices=ExperimentKind.choices,
        default=ExperimentKind.CONTENT_VARIANT,
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiments",
        verbose_name=_("campaign"),
    )
    primary_metric = models.CharField(
        _("primary metric"),
        max_length=20,
        choices=ExperimentMetric.choices,
        default=ExperimentMetric.CTR,
    )
    alpha = models.DecimalField(
        _("significance level (α)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.200"))],
    )
    power = models.DecimalField(
        _("power"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.800"),
        validators=[MinValueValidator(Decimal("0.500")), MaxValueValidator(Decimal("0.990"))],
    )
    # Both in percent, like the KPIs: a 2.5 % CTR is 2.5.
    baseline_rate = models.DecimalField(
        _("baseline rate (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("99.9999"))],
    )
    mde = models.DecimalField(
        _("minimum detectable effect"),
        max_digits=8,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    mde_kind = models.CharField(
        _("effect is"), max_length=10, choices=MdeKind.choices, default=MdeKind.RELATIVE
    )
    planned_sample_per_variant = models.PositiveIntegerField(_("planned sample per variant"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExperimentStatus.choices,
        default=ExperimentStatus.DRAFT,
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # The decision: written once by services.declare_winner, never changed after.
    winner = models.ForeignKey(
        "analytics.ExperimentVariant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("winner"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("why"), blank=True)
    decision_snapshot = models.JSONField(_("results at the decision"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A recorded decision is evidence of what the team knew when it chose; keep it
        # immutable even against code that bypasses the services.
        if self.pk is not None:
            stored = (
                Experiment.objects.filter(pk=self.pk, decided_at__isnull=False)
                .values(*DECISION_FIELDS)
                .first()
            )
            if stored is not None and any(
                stored[name] != getattr(self, name) for name in DECISION_FIELDS
            ):
                raise ValidationError(_("A recorded decision cannot be changed."))
        super().save(*args, **kwargs)

    @property
    def mde_is_relative(self) -> bool:
        return self.mde_kind == MdeKind.RELATIVE


class ExperimentVariant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(_("name"), max_length=40)
    is_control = models.BooleanField(_("control"), default=False)
    planned_share = models.PositiveSmallIntegerField(
        _("planned share (%)"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    link = models.ForeignKey(
        "tracking.TrackingLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tracking link"),
    )
    content_variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("content variant"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_control", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "name"], name="analytics_expvariant_name"
            ),
            models.UniqueConstraint(
                fields=["experiment"],
                condition=Q(is_control=True),
                name="analytics_expvariant_one_control",
            ),
        ]

    def __str__(self) -> str:
        return self.name
