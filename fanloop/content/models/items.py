from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models import Campaign
from fanloop.content.models.choices import (
    TARGET_PLATFORM_CHOICES,
    ContentType,
    ProductKind,
    Purpose,
    VariantState,
)
from fanloop.content.models.media import MediaAsset
from fanloop.core.models import Workspace


class ContentItem(models.Model):
    """One piece of content; its platform variants are what is reviewed and published."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="content_items")
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="content_items",
        verbose_name=_("campaign"),
    )
    title = models.CharField(_("title"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=20, choices=ContentType.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    key_message = models.TextField(_("key message"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_content",
        verbose_name=_("owner"),
    )
    sponsored = models.BooleanField(
        _("sponsored or KOL content"),
        default=False,
        help_text=_("Paid placement or KOL cooperation: it must carry an ad label."),
    )
    product_kind = models.CharField(
        _("product kind"), max_length=20, choices=ProductKind.choices, default=ProductKind.GENERAL
    )
    special_cosmetic = models.BooleanField(
        _("registered special cosmetic"),
        default=False,
        help_text=_("特殊化妆品 registration: may claim whitening or spot removal."),
    )
    media = models.ManyToManyField(MediaAsset, blank=True, related_name="items")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-updated_at"])]

    def __str__(self) -> str:
        return self.title


class Variant(models.Model):
    """The item as written for one platform: reviewed, scheduled and published on its own."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="variants")
    # Denormalised so calendar and compliance queries don't join through items.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=20, choices=TARGET_PLATFORM_CHOICES)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    topics = models.JSONField(_("topics / hashtags"), default=list, blank=True)
    mentions = models.JSONField(_("@mentions"), default=list, blank=True)
    cover = models.ForeignKey(
        MediaAsset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    media = models.ManyToManyField(
        MediaAsset, through="VariantMedia", blank=True, related_name="variants"
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    planned_at = models.DateTimeField(_("planned publish time"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=VariantState.choices, default=VariantState.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    # Index into the workspace's review steps while in review.
    review_step = models.PositiveSmallIntegerField(default=0)
    findings = models.JSONField(default=list, blank=True)
    rule_problems = models.JSONField(default=list, blank=True)
    originality = models.FloatField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    compliance_override = models.TextField(blank=True)
    published_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item_id", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["item", "platform"], name="one_variant_per_platform"),
            models.CheckConstraint(
                condition=models.Q(state__in=VariantState.values), name="variant_state_known"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "planned_at"]),
            models.Index(fields=["workspace", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_platform_display()}"

    @property
    def blocking_findings(self) -> list[dict[str, object]]:
        return [f for f in self.findings if f.get("severity") == "block"]


class VariantMedia(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="media_links")
    # The service refuses to delete media in use; CASCADE lets a workspace be deleted whole.
    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "asset"], name="asset_once_per_variant")
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}#{self.position}: {self.asset_id}"


class VariantVersion(models.Model):
    """A saved state of a variant's copy; the history and its diffs read these."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    topics = models.JSONField(default=list, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    link = models.URLField(max_length=500, blank=True)
    media_ids = models.JSONField(default=list, blank=True)
    cover_id = models.IntegerField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "number"], name="variant_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.variant} v{self.number}"


class VariantStateChange(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=20, choices=VariantState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=VariantState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.from_state} -> {self.to_state}"
