"""Serializers of the inbox REST API (``fanloop.inbox.api``): what a conversation, a
message, a note, a ticket and a saved reply look like, and the bodies of the actions."""

from typing import Any

from rest_framework import serializers

from fanloop.core.platforms import Platform
from fanloop.inbox import queries
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.models import Message, Note, SavedReply, Tag, Thread, ThreadStatus, Ticket
from fanloop.inbox.services import actions

MAX_ID = 9_223_372_036_854_775_807


# Output ----------------------------------------------------------------------------


class TagSerializer(serializers.ModelSerializer[Tag]):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class ThreadSerializer(serializers.ModelSerializer[Thread]):
    author = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    tags = TagSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField(help_text="A fan waits past the reply target")

    class Meta:
        model = Thread
        fields = [
            "id",
            "platform",
            "kind",
            "account",
            "author",
            "status",
            "sentiment",
            "intent",
            "priority",
            "is_vip",
            "assignee",
            "team",
            "assignment_reason",
            "tags",
            "preview",
            "post_remote_id",
            "variant",
            "campaign",
            "last_message_at",
            "waiting_since",
            "reply_due_at",
            "overdue",
            "created_at",
        ]
        read_only_fields = fields

    def get_author(self, thread: Thread) -> dict[str, Any]:
        author = thread.author
        return {"id": author.pk, "nickname": author.nickname, "is_vip": author.is_vip}

    def get_account(self, thread: Thread) -> dict[str, Any] | None:
        account = thread.account
        if account is None:
            return None
        return {
            "id": account.pk,
            "display_name": account.display_name,
            "simulated": account.simulated,
        }

    def get_assignee(self, thread: Thread) -> dict[str, Any] | None:
        user = thread.assignee
        return {"id": user.pk, "username": user.get_username()} if user else None

    def get_team(self, thread: Thread) -> dict[str, Any] | None:
        team = thread.team
        return {"id": team.pk, "name": team.name} if team else None

    def get_overdue(self, thread: Thread) -> bool:
        return queries.is_overdue(thread)


class MessageSerializer(serializers.ModelSerializer[Message]):
    author = serializers.CharField(source="author.nickname", read_only=True)
    sent_by = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "kind",
            "source",
            "remote_id",
            "parent_remote_id",
            "author",
            "text",
            "media",
            "sent_at",
            "sentiment",
            "sentiment_score",
            "intent",
            "label_corrected",
            "needs_reply",
            "responded_at",
            "reply_due_at",
            "sla_breached",
            "sent_by",
            "delivery",
            "hidden",
        ]
        read_only_fields = fields

    def get_sent_by(self, message: Message) -> str | None:
        return message.sent_by.get_username() if message.sent_by else None


class NoteSerializer(serializers.ModelSerializer[Note]):
    author = serializers.CharField(source="author.username", read_only=True, default=None)

    class Meta:
        model = Note
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    class Meta:
        model = Ticket
        fields = ["id", "number", "subject", "details", "status", "message", "created_at"]
        read_only_fields = fields


class ThreadDetailSerializer(ThreadSerializer):
    messages = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    tickets = serializers.SerializerMethodField()
    can_reply_through_platform = serializers.SerializerMethodField(
        help_text="false: copy the text, reply on the platform, then POST mark-replied"
    )

    class Meta(ThreadSerializer.Meta):
        fields = [
            *ThreadSerializer.Meta.fields,
            "can_reply_through_platform",
            "messages",
            "notes",
            "tickets",
        ]
        read_only_fields = fields

    def get_messages(self, thread: Thread) -> list[dict[str, Any]]:
        return list(MessageSerializer(queries.messages(thread), many=True).data)

    def get_notes(self, thread: Thread) -> list[dict[str, Any]]:
        return list(NoteSerializer(queries.notes(thread), many=True).data)

    def get_tickets(self, thread: Thread) -> list[dict[str, Any]]:
        return list(TicketSerializer(queries.tickets(thread), many=True).data)

    def get_can_reply_through_platform(self, thread: Thread) -> bool:
        return actions.can_reply_through_platform(thread)


class SavedReplySerializer(serializers.ModelSerializer[SavedReply]):
    rendered = serializers.SerializerMethodField(
        help_text="The text with {昵称}/{商品} filled in for ?thread=<id>; else null"
    )

    class Meta:
        model = SavedReply
        fields = ["id", "title", "body", "platform", "times_used", "rendered"]
        read_only_fields = fields

    def get_rendered(self, saved: SavedReply) -> str | None:
        thread = self.context.get("thread")
        return actions.render_saved_reply(saved, thread) if thread else None


class ThreadFilterSerializer(serializers.Serializer):
    view = serializers.ChoiceField(choices=[n for n, _l in queries.VIEWS], required=False)
    status = serializers.ChoiceField(choices=[n for n, _l in queries.STATUSES], required=False)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    account = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    campaign = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    tag = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    team = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    intent = serializers.ChoiceField(choices=Intent.choices, required=False)
    q = serializers.CharField(required=False, max_length=200, help_text="Every word must match")
    sort = serializers.ChoiceField(choices=[n for n, _l in queries.SORTS], required=False)


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    saved_reply = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class MarkRepliedSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=MAX_ID, allow_null=True, default=None)
    team = serializers.IntegerField(min_value=1, max_value=MAX_ID, allow_null=True, default=None)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ThreadStatus.choices)


class TagActionSerializer(serializers.Serializer):
    tag = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    remove = serializers.BooleanField(default=False)


class NoteCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class EscalateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    details = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    message = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class LabelSerializer(serializers.Serializer):
    sentiment = serializers.ChoiceField(
        choices=Sentiment.choices, required=False, allow_blank=True, default=""
    )
    intent = serializers.ChoiceField(
        choices=Intent.choices, required=False, allow_blank=True, default=""
    )
