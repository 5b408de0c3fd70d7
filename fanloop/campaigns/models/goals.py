from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models.campaign import Campaign
from fanloop.core.metrics import Metric


class GoalType(models.TextChoices):
    BRAND_AWARENESS = "brand_awareness", _("Brand awareness")
    FAN_GROWTH = "fan_growth", _("Fan growth")
    ENGAGEMENT = "engagement", _("Engagement / stickiness")
    SALES = "sales", _("Sales conversion")
    USER_BASE = "user_base", _("User base expansion")
    FEEDBACK = "feedback", _("Feedback collection")


class GoalScope(models.TextChoices):
    CAMPAIGN = "campaign", _("Whole campaign")
    PLATFORM = "platform", _("Platform")
    CHANNEL = "channel", _("Channel")
    KOL = "kol", _("KOL")


class Goal(models.Model):
    """A SMART goal: a catalogued metric, a baseline, a target and a deadline."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="goals")
    goal_type = models.CharField(_("goal type"), max_length=20, choices=GoalType.choices)
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    baseline = models.DecimalField(_("baseline"), max_digits=20, decimal_places=4, default=0)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    scope = models.CharField(
        _("scope"), max_length=10, choices=GoalScope.choices, default=GoalScope.CAMPAIGN
    )
    # platform code, channel name or KOL name; empty for the whole campaign
    scope_value = models.CharField(_("scope value"), max_length=100, blank=True)
    deadline = models.DateField(_("deadline"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} → {self.target}"


class GoalMeasurement(models.Model):
    """An actual value of a goal's metric on a day, entered by hand or imported."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source_note = models.CharField(_("source"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measured_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "measured_on"], name="one_measurement_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.measured_on}: {self.value}"
