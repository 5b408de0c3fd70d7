from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.content.models.choices import MediaKind
from fanloop.core.models import Workspace


def media_path(instance: "MediaAsset", filename: str) -> str:
    digest = instance.sha256
    return f"media/{instance.workspace_id}/{digest[:2]}/{digest}.{instance.extension}"


def thumbnail_path(instance: "MediaAsset", filename: str) -> str:
    return f"media/{instance.workspace_id}/thumbs/{instance.sha256}.jpg"


class MediaAsset(models.Model):
    """An uploaded image or video, reusable by any item of the workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=10, choices=MediaKind.choices)
    file = models.FileField(upload_to=media_path, max_length=300)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    mime = models.CharField(max_length=60)
    extension = models.CharField(max_length=10)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same bytes uploaded twice are one asset, reused.
            models.UniqueConstraint(fields=["workspace", "sha256"], name="media_unique_per_ws"),
        ]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def aspect_ratio(self) -> str:
        if not self.width or not self.height:
            return ""
        from math import gcd

        divisor = gcd(self.width, self.height)
        wide, high = self.width // divisor, self.height // divisor
        if max(wide, high) <= 32:
            return f"{wide}:{high}"
        # 900x383 reads better as 2.35:1 than as 900:383.
        return f"{self.width / self.height:.2f}:1"
