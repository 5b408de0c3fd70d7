from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.channels.models.accounts import ACCOUNT_PLATFORM_CHOICES, ChannelAccount
from fanloop.content.models import Variant
from fanloop.core.models import Workspace


class MetricSource(models.TextChoices):
    CONNECTOR = "connector", _("Platform API")
    IMPORT = "import", _("Imported file")
    MANUAL = "manual", _("Entered by hand")
    SANDBOX = "sandbox", _("Sandbox (simulated)")


class PostMetricDaily(models.Model):
    """One post's metrics for one day (increments, not running totals).

    ``post_key`` is the platform's post id, or ``title|publish time`` when an export has
    no id; together with platform and day it makes re-imports idempotent.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=20, choices=ACCOUNT_PLATFORM_CHOICES)
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="metrics"
    )
    post_key = models.CharField(max_length=300)
    post_title = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    day = models.DateField()
    impressions = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    favourites = models.BigIntegerField(default=0)
    follows = models.BigIntegerField(default=0)
    profile_visits = models.BigIntegerField(default=0)
    completion_rate = models.FloatField(null=True, blank=True)  # 0..1, as reported
    avg_watch_seconds = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=MetricSource.choices)
    import_batch = models.ForeignKey(
        "channels.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "post_key", "day"], name="one_post_metric_per_day"
            )
        ]
        indexes = [models.Index(fields=["workspace", "day"])]

    def __str__(self) -> str:
        return f"{self.platform} {self.post_key} {self.day}"


class PostMetricSnapshot(models.Model):
    """The last cumulative totals seen for a post (creator-centre exports are cumulative);
    the next snapshot's difference becomes that day's increment."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=20, choices=ACCOUNT_PLATFORM_CHOICES)
    post_key = models.CharField(max_length=300)
    captured_on = models.DateField()
    totals = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "post_key", "captured_on"],
                name="one_snapshot_per_post_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.post_key} @ {self.captured_on}"


class AccountMetricDaily(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="metrics")
    day = models.DateField()
    followers_total = models.BigIntegerField(null=True, blank=True)
    followers_gained = models.BigIntegerField(default=0)
    followers_lost = models.BigIntegerField(default=0)
    source = models.CharField(max_length=20, choices=MetricSource.choices)

    class Meta:
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_account_metric_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}"
