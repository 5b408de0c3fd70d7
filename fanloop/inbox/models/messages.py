"""Messages from fans and our replies, grouped into threads (a comment and its replies,
or one fan's direct-message conversation with one account)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models import Campaign
from fanloop.channels.models import ChannelAccount
from fanloop.content.models import Variant
from fanloop.core.models import Workspace
from fanloop.core.platforms import Platform
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.models.choices import (
    DeliveryState,
    Direction,
    MessageKind,
    MessageSource,
    ThreadStatus,
)


class Author(models.Model):
    """A fan as one platform knows them. ``external_id`` is the platform's own pseudonymous
    id (openid, uid), kept because replying to a DM needs it; nothing else personal is."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(_("platform user id"), max_length=200)
    nickname = models.CharField(_("nickname"), max_length=200, blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    vip_note = models.CharField(_("VIP note"), max_length=200, blank=True)
    # The customer profile of the CRM issue; a plain reference until that exists.
    customer_ref = models.CharField(_("customer reference"), max_length=100, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "external_id"], name="inbox_author_unique"
            )
        ]

    def __str__(self) -> str:
        return self.nickname or self.external_id


class Thread(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    # comment threads: the top comment's remote id; DMs: "dm:<author external id>".
    key = models.CharField(max_length=250)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(Author, on_delete=models.RESTRICT, related_name="threads")
    post_remote_id = models.CharField(_("post"), max_length=200, blank=True)
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "inbox.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    assigned_by_rule = models.ForeignKey(
        "inbox.AssignmentRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignment_reason = models.CharField(_("why assigned"), max_length=300, blank=True)
    tags = models.ManyToManyField("inbox.Tag", blank=True, related_name="threads")
    # Worst of the fan's messages so far: a thread with one angry message stays negative.
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, default=Sentiment.NEUTRAL
    )
    intent = models.CharField(_("intent"), max_length=20, choices=Intent.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    is_vip = models.BooleanField(_("VIP"), default=False)
    last_message_at = models.DateTimeField(db_index=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # The oldest fan message still waiting for our reply, and when the SLA says it is due.
    waiting_since = models.DateTimeField(null=True, blank=True)
    reply_due_at = models.DateTimeField(null=True, blank=True)
    preview = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "account", "key"], name="inbox_thread_unique"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-last_message_at"]),
            models.Index(fields=["workspace", "assignee", "status"]),
            models.Index(fields=["workspace", "reply_due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.author} · {self.preview[:40]}"


class Message(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    source = models.CharField(_("source"), max_length=10, choices=MessageSource.choices)
    # The platform's id: what makes the same message arriving twice one row.
    remote_id = models.CharField(max_length=200)
    parent_remote_id = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    post_remote_id = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(Author, on_delete=models.RESTRICT, related_name="messages")
    text = models.TextField(_("text"), blank=True)
    media = models.JSONField(_("media"), default=list, blank=True)
    # jieba search-mode words between spaces (" 退货 运费 "), so search finds whole words.
    search_words = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(_("time"), db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    sentiment_score = models.FloatField(null=True, blank=True)
    intent = models.CharField(_("intent"), max_length=20, choices=Intent.choices, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    label_corrected = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(default=0)
    # Inbound: whether a reply is owed, when one came and how long it took in business time.
    needs_reply = models.BooleanField(default=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    opens_turn = models.BooleanField(default=False)  # first fan message after our last reply
    reply_due_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    # Outbound: who replied and how it reached the platform.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivery = models.CharField(max_length=10, choices=DeliveryState.choices, blank=True)
    delivery_error = models.CharField(max_length=500, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "remote_id"], name="inbox_message_unique"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "direction", "sent_at"]),
            models.Index(fields=["workspace", "account", "sent_at"]),
            models.Index(fields=["workspace", "sentiment", "sent_at"]),
        ]

    def __str__(self) -> str:
        return self.text[:60]
