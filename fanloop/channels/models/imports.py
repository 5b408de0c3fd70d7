from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.channels.models.accounts import ACCOUNT_PLATFORM_CHOICES, ChannelAccount
from fanloop.core.models import Workspace


class ImportProfile(models.Model):
    """A user-defined mapping of a file's columns to metric fields, saved for reuse."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    platform = models.CharField(_("platform"), max_length=20, choices=ACCOUNT_PLATFORM_CHOICES)
    # {"field": "列名", ...} plus options such as {"cumulative": true}
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="import_profile_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """One imported file: progress while it runs, the row-error report after."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    profile = models.CharField(max_length=80)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    strict = models.BooleanField(default=False)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.RUNNING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    # [{"row": 7, "reason": "..."}], the first few thousand
    errors = models.JSONField(default=list, blank=True)
    unknown_columns = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.profile}: {self.file_name}"
