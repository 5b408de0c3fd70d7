"""Compliance tables: the originality index and each workspace's own term list."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.compliance.engine import Severity
from fanloop.core.models import Workspace


class OriginalityEntry(models.Model):
    """One indexed text (a variant, a post...): its MinHash signature (see ``originality``)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="originality_entries"
    )
    key = models.CharField(_("key"), max_length=80)
    label = models.CharField(_("label"), max_length=200, blank=True)
    signature = models.BinaryField(_("signature"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="compliance_entry_unique_key")
        ]
        verbose_name = _("originality entry")

    def __str__(self) -> str:
        return self.label or self.key


class OriginalityBand(models.Model):
    """One LSH band bucket of an entry; candidates are entries sharing a (band, bucket)."""

    entry = models.ForeignKey(OriginalityEntry, on_delete=models.CASCADE, related_name="bands")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    band = models.SmallIntegerField()
    bucket = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "band", "bucket"], name="compliance_band_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.band}:{self.bucket}"


class TermKind(models.TextChoices):
    BANNED = "banned", _("Banned")
    ALLOWED = "allowed", _("Allowed")


class WorkspaceTerm(models.Model):
    """A workspace's addition to the shipped dictionary: a banned term or an allowed one."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="compliance_terms"
    )
    term = models.CharField(_("term"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=TermKind.choices)
    category = models.CharField(_("category"), max_length=40, default="custom", blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.BLOCK
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "term", "kind"], name="compliance_term_unique"
            )
        ]
        verbose_name = _("workspace term")

    def __str__(self) -> str:
        return f"{self.term} ({self.kind})"
