"""Crisis early warnings: negative messages rising well above their recent baseline."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from fanloop.campaigns.models import Campaign
from fanloop.channels.models import ChannelAccount
from fanloop.core.models import Workspace
from fanloop.inbox.models.choices import AlertScope, AlertStatus


class CrisisAlert(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=AlertScope.choices)
    # "account:12", "post:<remote id>", "campaign:3": one active alert per scope at a time.
    scope_key = models.CharField(max_length=250)
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post_remote_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=15, choices=AlertStatus.choices, default=AlertStatus.ACTIVE
    )
    hour_start = models.DateTimeField()  # the hour that rose above the baseline
    negative_count = models.PositiveIntegerField()
    total_count = models.PositiveIntegerField()
    baseline_mean = models.FloatField()
    baseline_std = models.FloatField()
    z_score = models.FloatField()
    peak_negative_count = models.PositiveIntegerField(default=0)
    top_message_ids = models.JSONField(default=list)
    keywords = models.JSONField(default=list)  # [[word, count], ...]
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "scope_key"],
                condition=~models.Q(status="resolved"),
                name="inbox_crisis_one_open_per_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} z={self.z_score:.1f}"
