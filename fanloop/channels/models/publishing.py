from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fanloop.channels.models.accounts import ChannelAccount
from fanloop.content.models import Variant
from fanloop.core.models import Workspace


class JobState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", pgettext_lazy("job state", "Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", pgettext_lazy("job state", "Failed")
    NEEDS_CHECK = "needs_check", _("Needs check")
    CANCELLED = "cancelled", _("Cancelled")
    # Assisted publishing: an operator posts by hand and pastes the URL.
    AWAITING_OPERATOR = "awaiting_operator", _("Waiting for an operator")


# What a dispatch attempt can end in besides a job state.
ATTEMPT_OUTCOMES = {
    "retry": _("Temporary error: will retry"),
    "pending": _("Accepted, still processing on the platform"),
    "lost_lease": _("Taken over by another worker"),
}


class PublishJob(models.Model):
    """Publishing one variant to one account at its planned time, exactly once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="publish_jobs")
    # None: no account connected for the platform yet; published by hand (assisted).
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    due_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.SCHEDULED)
    # Sent with the connector call; the platform (or our lookup) dedupes on it.
    idempotency_key = models.CharField(max_length=64, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=200, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Assisted jobs: when the owner was told the post is overdue (told once).
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["workspace", "due_at"]),
        ]
        constraints = [
            # One live job per variant: a second schedule replaces, never doubles.
            models.UniqueConstraint(
                fields=["variant"],
                condition=models.Q(
                    state__in=["scheduled", "publishing", "needs_check", "awaiting_operator"]
                ),
                name="one_live_job_per_variant",
            ),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} {self.state}: {self.variant_id} -> {self.account_id}"


class PublishAttempt(models.Model):
    """The publishing log: every dispatch attempt with its outcome."""

    job = models.ForeignKey(PublishJob, on_delete=models.CASCADE, related_name="log")
    worker = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.outcome}"

    @property
    def outcome_label(self) -> str:
        """The outcome as people read it (worker outcomes beyond the job states too)."""
        if not self.outcome:
            return str(_("running"))
        if self.outcome in JobState.values:
            return str(JobState(self.outcome).label)
        return str(ATTEMPT_OUTCOMES.get(self.outcome, self.outcome))
