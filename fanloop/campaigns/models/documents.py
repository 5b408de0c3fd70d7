from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models.campaign import Campaign
from fanloop.core.models import Workspace


class DocumentType(models.TextChoices):
    RESEARCH_REPORT = "research_report", _("Research report")
    CONTENT_GUIDE = "content_guide", _("Content guide")
    PUBLISHING_PLAN = "publishing_plan", _("Publishing plan")
    ANALYSIS_REPORT = "analysis_report", _("Analysis report")
    OTHER = "other", _("Other")


class Document(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="documents")
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("campaign"),
    )
    title = models.CharField(_("title"), max_length=200)
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> "DocumentVersion | None":
        return self.versions.order_by("-number").first()


def version_path(instance: "DocumentVersion", filename: str) -> str:
    doc = instance.document
    return f"documents/{doc.workspace_id}/{doc.pk}/v{instance.number}/{filename}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_path, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
