"""Fan groups, their members and membership history, daily activity, events and moderation.

Privacy: members are identified by a salted hash of their platform user id (the salt is
random per group), never by the raw id; only the nickname people see in the group is kept.
Chat messages are kept as fingerprints (for idempotent re-imports and activity counts);
the text of a message is stored only when moderation flags it.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fanloop.campaigns.models import Campaign
from fanloop.channels.models import ChannelAccount
from fanloop.core.models import Workspace


class GroupPlatform(models.TextChoices):
    WECHAT = "wechat_group", _("WeChat group")
    WECOM = "wecom_group", _("WeCom customer group")
    QQ = "qq_group", _("QQ group")
    ZHIHU = "zhihu_circle", _("Zhihu circle")
    DOUYIN = "douyin_fan_group", _("Douyin fan group")
    OTHER = "other", _("Other")


class GroupType(models.TextChoices):
    WELFARE = "welfare", _("Perks group (福利群)")
    VIP = "vip", _("VIP group (VIP群)")
    NEW_PRODUCT = "new_product", _("New-product trial group (新品体验群)")
    AFTER_SALES = "after_sales", _("After-sales group (售后群)")
    FAN_CLUB = "fan_club", _("Fan club (粉丝交流群)")
    OTHER = "other", _("Other")


def _new_salt() -> str:
    return secrets.token_hex(16)


def qr_path(instance: "FanGroup", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"community/{instance.workspace_id}/qr/{secrets.token_hex(12)}.{extension}"


class FanGroup(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="fan_groups")
    platform = models.CharField(_("platform"), max_length=20, choices=GroupPlatform.choices)
    name = models.CharField(_("name"), max_length=100)
    group_type = models.CharField(
        _("type"), max_length=20, choices=GroupType.choices, default=GroupType.FAN_CLUB
    )
    audience = models.CharField(_("target audience"), max_length=300, blank=True)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    rules = models.TextField(_("group rules"), blank=True)
    campaigns = models.ManyToManyField(
        Campaign, blank=True, related_name="fan_groups", verbose_name=_("campaigns")
    )
    # Content plan: what is posted in the group and how often.
    content_topics = models.JSONField(_("content topics"), default=list, blank=True)
    posts_per_week = models.PositiveSmallIntegerField(_("posts per week"), null=True, blank=True)
    content_notes = models.TextField(_("content plan notes"), blank=True)
    invite_url = models.URLField(_("invite link"), max_length=500, blank=True)
    qr_image = models.FileField(_("QR code image"), upload_to=qr_path, max_length=300, blank=True)
    qr_mime = models.CharField(max_length=60, blank=True)
    # A WeCom customer group synced through the account's connector.
    channel_account = models.ForeignKey(
        ChannelAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fan_groups",
        verbose_name=_("WeCom account"),
    )
    remote_chat_id = models.CharField(_("WeCom chat id"), max_length=100, blank=True)
    remote_owner = models.CharField(max_length=100, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    # Random per group: member hashes cannot be joined across groups or brute-forced
    # with one precomputed table.
    member_salt = models.CharField(max_length=32, default=_new_salt, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("fan group")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "name"], name="community_group_name_unique"
            ),
            models.UniqueConstraint(
                fields=["channel_account", "remote_chat_id"],
                condition=~Q(remote_chat_id=""),
                name="community_group_remote_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    OWNER = "owner", pgettext_lazy("group member role", "Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")
    KOC = "koc", _("KOC")


class JoinSource(models.TextChoices):
    IMPORT = "import", _("Import")
    SYNC = "sync", _("WeCom sync")
    MANUAL = "manual", _("Manual")


class GroupMember(models.Model):
    """One person in one group; their joins and leaves are :class:`MemberSpell` rows."""

    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="members")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member_key = models.CharField(max_length=64)  # sha256(salt + platform user id)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    is_staff = models.BooleanField(_("brand staff"), default=False)
    first_joined_at = models.DateTimeField(_("first joined"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    # Seam for the CRM: the customer profile this member is, once CRM exists.
    customer_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["nickname", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "member_key"], name="community_member_once"),
        ]
        indexes = [models.Index(fields=["group", "left_at"])]

    def __str__(self) -> str:
        return self.nickname or self.member_key[:8]

    @property
    def in_group(self) -> bool:
        return self.left_at is None and self.joined_at is not None


class MemberSpell(models.Model):
    """One stay in the group: joined, and (once they leave) left."""

    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="spells")
    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=JoinSource.choices)
    join_scene = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "joined_at"], name="community_spell_once"),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("joined_at")),
                name="community_spell_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.joined_at:%Y-%m-%d} – {self.left_at or ''}"


class MemberActivity(models.Model):
    """One member's activity on one day (from an activity import or a chat log)."""

    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="activity")
    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    messages = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    online_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="community_activity_once"),
        ]
        indexes = [models.Index(fields=["group", "day"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}: {self.messages}/{self.interactions}"


class PlatformDayStat(models.Model):
    """WeCom's own daily figures. WeCom reports them per group owner, summed over the
    owner's groups: ``shared_by`` says over how many; they are this group's own figures
    only when ``shared_by == 1``."""

    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="platform_stats")
    day = models.DateField()
    member_total = models.PositiveIntegerField(default=0)
    new_members = models.PositiveIntegerField(default=0)
    active_members = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    shared_by = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["group", "day"], name="community_platform_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.day}"


class GroupDay(models.Model):
    """The daily rollup of one group (recomputed from members and activity; never typed)."""

    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="days")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    members = models.PositiveIntegerField(default=0)
    joined = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    dau = models.PositiveIntegerField(default=0)
    wau = models.PositiveIntegerField(default=0)
    mau = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    online_minutes_avg = models.FloatField(null=True, blank=True)
    health = models.FloatField(null=True, blank=True)
    # "members": member-level activity; "platform": WeCom's group figures; "": none.
    activity_source = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["group", "day"], name="community_group_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.day}"


class EventKind(models.TextChoices):
    TOPIC = "topic", _("Topic discussion")
    QA = "qa", _("Q&A")
    VOTE = "vote", _("Vote")
    CHECK_IN = "check_in", _("Check-in")
    LIVE = "live", _("Live session")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class GroupEvent(models.Model):
    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="events")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host"),
    )
    materials = models.TextField(_("materials (links, text)"), blank=True)
    outcome_notes = models.TextField(_("outcome notes"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="community_event_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChatMessage(models.Model):
    """A chat message seen in an imported chat log: a fingerprint, not the text."""

    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="messages")
    member = models.ForeignKey(
        GroupMember, on_delete=models.CASCADE, related_name="messages", null=True
    )
    sent_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=64)
    interaction = models.BooleanField(default=False)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "fingerprint"], name="community_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.sent_at:%Y-%m-%d %H:%M}"


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Handled")
    DISMISSED = "dismissed", _("Dismissed")


class ModerationFlag(models.Model):
    """A message the group owner should look at: a banned term or negative sentiment."""

    message = models.OneToOneField(ChatMessage, on_delete=models.CASCADE, related_name="flag")
    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="flags")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    sender = models.CharField(_("sender"), max_length=100, blank=True)
    text = models.TextField(_("text"))
    # [{"kind": "term"|"sentiment", "rule", "matched", "explanation"}]
    reasons = models.JSONField(default=list)
    sentiment = models.CharField(max_length=10, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("Member list")
    ACTIVITY = "activity", _("Daily activity")
    CHAT = "chat", _("Chat log")


class ImportState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CommunityImport(models.Model):
    """One uploaded file for a group: its progress and per-row report."""

    group = models.ForeignKey(FanGroup, on_delete=models.CASCADE, related_name="imports")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.RUNNING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    # [{"row": 7, "reason": "..."}] or [{"file": true, "reason": "..."}]
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"
