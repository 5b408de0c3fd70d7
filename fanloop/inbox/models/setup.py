"""How a workspace runs its inbox: business hours and SLAs, teams, tags, saved replies,
assignment rules, webhook endpoints and polling cursors."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.channels.models import ChannelAccount
from fanloop.core.fields import EncryptedTextField
from fanloop.core.models import Workspace
from fanloop.inbox.labels import Sentiment


def default_business_hours() -> dict[str, list[list[str]]]:
    """Monday (0) to Friday 09:00-18:00 in the workspace's time zone."""
    return {str(day): [["09:00", "18:00"]] for day in range(5)}


class InboxSettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="inbox_settings"
    )
    # {"0": [["09:00", "12:00"], ["13:00", "18:00"]], ...}; weekday 0 = Monday.
    business_hours = models.JSONField(_("business hours"), default=default_business_hours)
    # ISO dates with no business hours (public holidays) and extra working days (调休).
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    extra_workdays = models.JSONField(_("extra working days"), default=list, blank=True)
    default_reply_minutes = models.PositiveIntegerField(
        _("reply-time target (business minutes)"), default=120
    )
    # {"weibo": 60, "douyin": 120}: overrides of the default per platform.
    platform_reply_minutes = models.JSONField(default=dict, blank=True)
    reply_rate_target = models.FloatField(_("daily reply-rate target"), default=0.8)
    crisis_z_threshold = models.FloatField(_("crisis z-score threshold"), default=3.0)
    crisis_min_negative = models.PositiveIntegerField(
        _("minimum negative messages in an hour for a crisis"), default=5
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"inbox settings of {self.workspace}"


class Team(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="inbox_team_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    color = models.CharField(_("colour"), max_length=20, default="secondary")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="inbox_tag_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SavedReply(models.Model):
    """A canned answer; ``{昵称}`` and ``{商品}`` are filled in when it is used."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    platform = models.CharField(_("only for platform"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    times_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class AssignmentRule(models.Model):
    """Rules are tried in ``position`` order; the first whose every set condition matches
    assigns the thread. Empty conditions match anything."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    accounts = models.ManyToManyField(
        ChannelAccount, blank=True, related_name="+", verbose_name=_("accounts")
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    intents = models.JSONField(_("intents"), default=list, blank=True)
    vip_only = models.BooleanField(_("VIP fans only"), default=False)
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign to person"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("assign to team")
    )
    # Round robin among the team's (or all operators') members who are online.
    round_robin = models.BooleanField(_("round robin among online operators"), default=False)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    matched_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class OperatorPresence(models.Model):
    """Who is at their desk: seen recently and not marked away. Round robin uses it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    available = models.BooleanField(default=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="inbox_presence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}"


class WebhookEndpoint(models.Model):
    """A signed JSON endpoint messages can be pushed to; the secret is encrypted at rest."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(max_length=40, unique=True)  # public part of the URL
    secret = EncryptedTextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """Delivery ids seen recently: a replayed request is refused, not stored twice."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="+")
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "delivery_id"], name="inbox_webhook_delivery_unique"
            )
        ]

    def __str__(self) -> str:
        return self.delivery_id


class PollCursor(models.Model):
    """Up to when one post's comments were fetched, so polling asks only for new ones."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    post_remote_id = models.CharField(max_length=200)
    fetched_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "post_remote_id"], name="inbox_poll_cursor_unique"
            )
        ]

    def __str__(self) -> str:
        return self.post_remote_id
