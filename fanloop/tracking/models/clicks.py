from django.db import models
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace
from fanloop.tracking.models.links import TrackingLink


class UserAgentClass(models.TextChoices):
    WECHAT = "wechat", _("WeChat in-app browser")
    WEIBO = "weibo", _("Weibo")
    DOUYIN = "douyin", _("Douyin")
    MOBILE = "mobile", _("Other mobile")
    DESKTOP = "desktop", _("Desktop")
    BOT = "bot", _("Bot / crawler")


class Click(models.Model):
    """One request to a tracking link. Never the raw IP: ``ip_hash`` is a salted hash."""

    # No single-column indexes on the two keys: the composite indexes below lead with
    # them, and every index is written again for each of the many clicks a second.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    link = models.ForeignKey(
        TrackingLink, on_delete=models.CASCADE, related_name="clicks", db_index=False
    )
    clicked_at = models.DateTimeField()
    referrer_host = models.CharField(max_length=200, blank=True)
    ua_class = models.CharField(max_length=10, choices=UserAgentClass.choices)
    ip_hash = models.CharField(max_length=64)
    # a random first-party id, set only when the visitor agreed to the cookie
    visitor_id = models.CharField(max_length=64, blank=True)
    is_bot = models.BooleanField(default=False)
    # another click on the same link from the same visitor (or IP) within the window
    is_repeat = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["link", "clicked_at"]),
            models.Index(fields=["workspace", "clicked_at"]),
            models.Index(fields=["workspace", "visitor_id", "clicked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.link_id} @ {self.clicked_at}"
