from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.content.models.items import Variant
from fanloop.core.models import Workspace
from fanloop.core.permissions import Role


class ContentSettings(models.Model):
    """A workspace's content policy; created with defaults on first use."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="content_settings"
    )
    hard_ad_cap_percent = models.PositiveSmallIntegerField(
        _("hard-ad share cap per account and week (%)"), default=20
    )
    originality_min_percent = models.PositiveSmallIntegerField(
        _("minimum originality (%)"), default=70
    )
    best_time_min_posts = models.PositiveSmallIntegerField(
        _("posts needed before best times come from history"), default=30
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hard_ad_cap_percent__lte=100)
                & models.Q(originality_min_percent__lte=100),
                name="content_settings_percentages",
            )
        ]

    def __str__(self) -> str:
        return f"content settings of {self.workspace_id}"


class ReviewStep(models.Model):
    """One step of the workspace's review chain, in order; no steps means no review."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="review_steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=80)
    role = models.CharField(_("reviewer role"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "position"], name="review_step_order")
        ]

    def __str__(self) -> str:
        return self.name


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REQUEST_CHANGES = "request_changes", _("Changes requested")


class ReviewDecision(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="decisions")
    version = models.PositiveIntegerField()
    step_position = models.PositiveSmallIntegerField()
    step_name = models.CharField(max_length=80)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} v{self.version} step {self.step_position}"


class VariantComment(models.Model):
    """Threaded discussion on a variant; a reply points at its parent."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class ContentTemplate(models.Model):
    """A reusable structure: new items can start from it."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="content_templates"
    )
    name = models.CharField(_("name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=20, blank=True)
    purpose = models.CharField(_("purpose"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="template_name_per_ws")
        ]

    def __str__(self) -> str:
        return self.name
