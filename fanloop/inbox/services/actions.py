"""What operators do with conversations: reply, assign, tag, change status, hide,
escalate, note, correct labels. Each checks the actor's role, writes in one transaction
and leaves an audit entry; views, API and CLI all come through here."""

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import Capability, ConnectorError, RemoteComment
from fanloop.channels.models import AccountStatus
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action, allowed
from fanloop.core.services import require_action, role_of
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.models import (
    Author,
    DeliveryState,
    Direction,
    LabelCorrection,
    Message,
    MessageSource,
    Note,
    SavedReply,
    Tag,
    Team,
    Thread,
    ThreadStatus,
    Ticket,
)
from fanloop.inbox.services import priority as prio

THREAD_FIELDS = ("status", "assignee_id", "team_id", "priority", "is_vip")


def _require(actor: Any, workspace: Workspace, action: Action = Action.INBOX_REPLY) -> None:
    """Answering fans is what most inbox actions need."""
    require_action(actor, workspace, action)


def _same_workspace(threads: Sequence[Thread]) -> Workspace:
    if not threads:
        raise ValidationError(_("Select at least one conversation."))
    workspace_ids = {thread.workspace_id for thread in threads}
    if len(workspace_ids) != 1:
        raise PermissionDenied(_("Those conversations belong to different workspaces."))
    return threads[0].workspace


# Replies ------------------------------------------------------------------------------


def last_inbound(thread: Thread) -> Message | None:
    return (
        thread.messages.filter(direction=Direction.INBOUND, hidden=False)
        .order_by("-sent_at", "-id")
        .first()
    )


def can_reply_through_platform(thread: Thread) -> bool:
    """Whether the platform's API can post our reply (else: copy, reply by hand, mark)."""
    from fanloop.channels.connectors.base import REGISTRY

    account = thread.account
    if account is None or account.status != AccountStatus.CONNECTED:
        return False
    if thread.kind == "dm":
        return False  # no connector declares direct messages yet
    connector_class = REGISTRY.get(account.connector_platform)
    if connector_class is None or Capability.REPLY not in connector_class.capabilities:
        return False
    return last_inbound(thread) is not None


def settle_waiting(thread: Thread, *, answered_at: datetime) -> int:
    """Mark the fan messages waiting in ``thread`` as answered at ``answered_at``."""
    waiting = list(
        thread.messages.filter(
            direction=Direction.INBOUND,
            needs_reply=True,
            responded_at__isnull=True,
            sent_at__lte=answered_at,
        )
    )
    if waiting:
        from fanloop.inbox.business_hours import business_seconds, calendar_for
        from fanloop.inbox.services.setup import settings_for

        workspace = thread.workspace
        calendar = calendar_for(settings_for(workspace), workspace.zoneinfo)
    for message in waiting:
        message.responded_at = answered_at
        message.response_business_seconds = business_seconds(calendar, message.sent_at, answered_at)
    Message.objects.bulk_update(waiting, ["responded_at", "response_business_seconds"])
    refresh_waiting(thread)
    return len(waiting)


def refresh_waiting(thread: Thread) -> None:
    """Point the thread at its oldest fan message still owed a reply, if any."""
    still_waiting = (
        thread.messages.filter(
            direction=Direction.INBOUND, needs_reply=True, responded_at__isnull=True
        )
        .order_by("sent_at")
        .first()
    )
    thread.waiting_since = still_waiting.sent_at if still_waiting else None
    thread.reply_due_at = still_waiting.reply_due_at if still_waiting else None
    thread.save(update_fields=["waiting_since", "reply_due_at"])


def _store_reply(
    *,
    actor: Any,
    thread: Thread,
    text: str,
    remote_id: str,
    delivery: str,
    saved_reply: SavedReply | None,
) -> Message:
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        before = audit.snapshot(thread, THREAD_FIELDS)
        parent = last_inbound(thread)
        account = thread.account
        author_id = f"account:{account.pk}" if account else "workspace"
        us, _created = Author.objects.get_or_create(
            workspace=thread.workspace,
            platform=thread.platform,
            external_id=author_id,
            defaults={"nickname": account.display_name if account else thread.workspace.name},
        )
        message = Message.objects.create(
            workspace=thread.workspace,
            thread=thread,
            account=account,
            platform=thread.platform,
            kind="reply" if thread.kind != "dm" else "dm",
            direction=Direction.OUTBOUND,
            source=MessageSource.MANUAL,
            remote_id=remote_id,
            parent=parent,
            parent_remote_id=parent.remote_id if parent else "",
            post_remote_id=thread.post_remote_id,
            author=us,
            text=text,
            sent_at=now,
            needs_reply=False,
            sent_by=actor if getattr(actor, "is_authenticated", False) else None,
            delivery=delivery,
        )
        answered = settle_waiting(thread, answered_at=now)
        thread.last_message_at = now
        if thread.status == ThreadStatus.OPEN and thread.waiting_since is None:
            thread.status = ThreadStatus.PENDING  # answered: now it is the fan's turn
        thread.save(update_fields=["last_message_at", "status"])
        if saved_reply is not None:
            SavedReply.objects.filter(pk=saved_reply.pk).update(times_used=F("times_used") + 1)
        audit.record(
            actor=actor,
            workspace=thread.workspace,
            action="inbox.reply" if delivery == DeliveryState.SENT else "inbox.mark_replied",
            obj=thread,
            changes={
                **audit.diff(before, audit.snapshot(thread, THREAD_FIELDS)),
                "reply": (None, text[:500]),
                "answered_messages": (None, answered),
            },
        )
    return message


def reply(
    *, actor: Any, thread: Thread, text: str, saved_reply: SavedReply | None = None
) -> Message:
    """Post ``text`` as our reply through the platform, then record it."""
    _require(actor, thread.workspace)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a reply first.")})
    if saved_reply is not None and saved_reply.workspace_id != thread.workspace_id:
        raise ValidationError({"saved_reply": _("That saved reply is not in this workspace.")})
    if not can_reply_through_platform(thread):
        raise ValidationError(
            _(
                "This platform's API cannot post this reply. Copy the text, reply on the "
                "platform, then mark the conversation replied."
            )
        )
    from fanloop.channels.services.accounts import connector_for

    target = last_inbound(thread)
    assert target is not None
    assert thread.account is not None
    comment = RemoteComment(
        remote_id=target.remote_id,
        post_remote_id=target.post_remote_id,
        author_id=target.author.external_id,
        author_name=target.author.nickname,
        text=target.text,
        created_at=target.sent_at,
        parent_remote_id=target.parent_remote_id,
    )
    try:
        remote_id = connector_for(thread.account).reply(comment, text)
    except ConnectorError as error:
        raise ValidationError(
            _("The platform refused the reply: %(error)s") % {"error": error}
        ) from error
    return _store_reply(
        actor=actor,
        thread=thread,
        text=text,
        remote_id=str(remote_id),
        delivery=DeliveryState.SENT,
        saved_reply=saved_reply,
    )


def mark_replied(*, actor: Any, thread: Thread, text: str = "") -> Message:
    """The operator answered on the platform by hand; count it as our reply."""
    _require(actor, thread.workspace)
    if last_inbound(thread) is None:
        raise ValidationError(_("There is no message from a fan to reply to."))
    return _store_reply(
        actor=actor,
        thread=thread,
        text=text.strip(),
        remote_id=f"manual:{uuid.uuid4().hex}",
        delivery=DeliveryState.MANUAL,
        saved_reply=None,
    )


def render_saved_reply(saved_reply: SavedReply, thread: Thread) -> str:
    """Fill ``{昵称}`` with the fan's nickname and ``{商品}`` with the post's product."""
    product = ""
    if thread.variant_id is not None:
        variant = thread.variant
        assert variant is not None
        product = variant.item.title or variant.title
    values = {"昵称": thread.author.nickname or _("there"), "商品": product}
    return re.sub(r"\{(昵称|商品)\}", lambda match: values[match.group(1)], saved_reply.body)


# Triage --------------------------------------------------------------------------------


def _each_thread(
    actor: Any, threads: Sequence[Thread], action: str, change: Any, extra: dict[str, Any]
) -> int:
    workspace = _same_workspace(threads)
    _require(actor, workspace)
    changed = 0
    with transaction.atomic():
        for thread in Thread.objects.select_for_update().filter(
            pk__in=[t.pk for t in threads], workspace=workspace
        ):
            before = audit.snapshot(thread, THREAD_FIELDS)
            if change(thread) is False:
                continue
            after = audit.snapshot(thread, THREAD_FIELDS)
            audit.record(
                actor=actor,
                workspace=workspace,
                action=action,
                obj=thread,
                changes={**audit.diff(before, after), **extra},
            )
            changed += 1
    return changed


def set_status(*, actor: Any, threads: Sequence[Thread], status: str) -> int:
    if status not in ThreadStatus.values:
        raise ValidationError({"status": _("Unknown status “%(value)s”.") % {"value": status}})

    def change(thread: Thread) -> bool:
        if thread.status == status:
            return False
        thread.status = status
        thread.save(update_fields=["status"])
        return True

    return _each_thread(actor, threads, "inbox.status", change, {})


def assign(
    *, actor: Any, threads: Sequence[Thread], user: User | None = None, team: Team | None = None
) -> int:
    workspace = _same_workspace(threads)
    if user is not None and not allowed(role_of(user, workspace), Action.INBOX_REPLY):
        raise ValidationError(
            {"user": _("%(name)s cannot answer fans in this workspace.") % {"name": user}}
        )
    if team is not None and team.workspace_id != workspace.pk:
        raise ValidationError({"team": _("That team is not in this workspace.")})
    by = getattr(actor, "username", "") or _("the system")
    reason = (
        _("Assigned by %(name)s.") % {"name": by}
        if (user or team)
        else _("Unassigned by %(name)s.") % {"name": by}
    )

    def change(thread: Thread) -> bool:
        if thread.assignee_id == (user.pk if user else None) and thread.team_id == (
            team.pk if team else None
        ):
            return False
        thread.assignee = user
        thread.team = team
        thread.assigned_by_rule = None
        thread.assignment_reason = reason
        thread.save(update_fields=["assignee", "team", "assigned_by_rule", "assignment_reason"])
        return True

    return _each_thread(actor, threads, "inbox.assign", change, {})


def add_tag(*, actor: Any, threads: Sequence[Thread], tag: Tag) -> int:
    workspace = _same_workspace(threads)
    if tag.workspace_id != workspace.pk:
        raise ValidationError({"tag": _("That tag is not in this workspace.")})

    def change(thread: Thread) -> bool:
        if thread.tags.filter(pk=tag.pk).exists():
            return False
        thread.tags.add(tag)
        return True

    return _each_thread(actor, threads, "inbox.tag", change, {"tag": (None, tag.name)})


def remove_tag(*, actor: Any, threads: Sequence[Thread], tag: Tag) -> int:
    def change(thread: Thread) -> bool:
        if not thread.tags.filter(pk=tag.pk).exists():
            return False
        thread.tags.remove(tag)
        return True

    return _each_thread(actor, threads, "inbox.untag", change, {"tag": (tag.name, None)})


def no_reply_needed(*, actor: Any, threads: Sequence[Thread]) -> int:
    """The fan's messages need no answer (thanks, emoji): they leave the reply-rate count."""

    def change(thread: Thread) -> bool:
        updated = thread.messages.filter(
            direction=Direction.INBOUND, needs_reply=True, responded_at__isnull=True
        ).update(needs_reply=False)
        if not updated:
            return False
        thread.waiting_since = None
        thread.reply_due_at = None
        thread.save(update_fields=["waiting_since", "reply_due_at"])
        return True

    return _each_thread(actor, threads, "inbox.no_reply_needed", change, {})


def hide_message(*, actor: Any, message: Message) -> Message:
    """Hide a message inside Fanloop (spam, abuse): it leaves the views and the reply rate.

    No connector declares hiding on the platform itself yet, so this never claims to."""
    _require(actor, message.workspace)
    if message.direction != Direction.INBOUND:
        raise ValidationError(_("Only fans' messages can be hidden."))
    if message.hidden:
        return message
    with transaction.atomic():
        message.hidden = True
        message.needs_reply = False
        message.save(update_fields=["hidden", "needs_reply"])
        thread = message.thread
        refresh_waiting(thread)
        audit.record(
            actor=actor,
            workspace=message.workspace,
            action="inbox.hide",
            obj=message,
            changes={"hidden": (False, True)},
        )
    return message


def add_note(*, actor: Any, thread: Thread, text: str) -> Note:
    _require(actor, thread.workspace)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A note needs some text.")})
    with transaction.atomic():
        note = Note.objects.create(thread=thread, author=actor, text=text[:5000])
        audit.record(
            actor=actor,
            workspace=thread.workspace,
            action="inbox.note",
            obj=thread,
            changes={"note": (None, text[:500])},
        )
    return note


def escalate(
    *,
    actor: Any,
    thread: Thread,
    message: Message | None = None,
    subject: str = "",
    details: str = "",
) -> Ticket:
    """Open an after-sales ticket for the conversation, keeping the link to it."""
    _require(actor, thread.workspace)
    if message is not None and message.thread_id != thread.pk:
        raise ValidationError(_("That message is not part of this conversation."))
    target = message or last_inbound(thread)
    subject = (subject or (target.text[:60] if target else "") or thread.preview[:60]).strip()
    if not subject:
        subject = _("After-sales request from %(name)s") % {"name": thread.author}
    for _attempt in range(3):
        try:
            with transaction.atomic():
                count = Ticket.objects.filter(workspace=thread.workspace).count()
                number = f"AS-{count + 1:05d}"
                ticket = Ticket.objects.create(
                    workspace=thread.workspace,
                    number=number,
                    thread=thread,
                    message=target,
                    subject=subject[:200],
                    details=details,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                audit.record(
                    actor=actor,
                    workspace=thread.workspace,
                    action="inbox.escalate",
                    obj=thread,
                    changes={"ticket": (None, number), "subject": (None, subject[:200])},
                )
                return ticket
        except IntegrityError:
            continue  # another operator took the same number a moment ago
    raise ValidationError(_("Could not open a ticket right now; try again."))


def correct_label(
    *, actor: Any, message: Message, sentiment: str = "", intent: str = ""
) -> LabelCorrection:
    """Store the operator's label; corrections can retrain the workspace's model."""
    _require(actor, message.workspace)
    errors = {}
    if sentiment and sentiment not in Sentiment.values:
        errors["sentiment"] = _("Unknown sentiment “%(value)s”.") % {"value": sentiment}
    if intent and intent not in Intent.values:
        errors["intent"] = _("Unknown intent “%(value)s”.") % {"value": intent}
    if not sentiment and not intent:
        errors["sentiment"] = _("Choose the right sentiment or intent.")
    if message.direction != Direction.INBOUND:
        errors["message"] = _("Only fans' messages carry labels.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        correction = LabelCorrection.objects.create(
            workspace=message.workspace,
            message=message,
            text=message.text,
            sentiment=sentiment,
            intent=intent,
            previous_sentiment=message.sentiment,
            previous_intent=message.intent,
            corrected_by=actor,
        )
        before = audit.snapshot(message, ("sentiment", "intent", "priority"))
        message.sentiment = sentiment or message.sentiment
        message.intent = intent or message.intent
        if sentiment:
            # The operator is sure: the score follows the label so sorting agrees with it.
            message.sentiment_score = {"positive": 1.0, "neutral": 0.5, "negative": 0.0}[sentiment]
        message.label_corrected = True
        message.priority = prio.priority(
            sentiment=message.sentiment,
            score=message.sentiment_score,
            intent=message.intent,
            is_vip=message.author.is_vip,
        )
        message.save(
            update_fields=["sentiment", "intent", "sentiment_score", "label_corrected", "priority"]
        )
        _refresh_thread_labels(message.thread)
        audit.record(
            actor=actor,
            workspace=message.workspace,
            action="inbox.correct_label",
            obj=message,
            changes=audit.diff(
                before, audit.snapshot(message, ("sentiment", "intent", "priority"))
            ),
        )
    return correction


def _refresh_thread_labels(thread: Thread) -> None:
    inbound = list(
        thread.messages.filter(direction=Direction.INBOUND, hidden=False).order_by("sent_at")
    )
    waiting = [m for m in inbound if m.needs_reply and m.responded_at is None] or inbound[-1:]
    sentiment = ""
    for message in waiting:
        sentiment = prio.worse(sentiment, message.sentiment)
    thread.sentiment = sentiment or Sentiment.NEUTRAL
    thread.priority = max((m.priority for m in waiting), default=0)
    thread.intent = inbound[-1].intent if inbound else ""
    thread.save(update_fields=["sentiment", "priority", "intent"])


def set_vip(*, actor: Any, author: Author, is_vip: bool, note: str = "") -> Author:
    _require(actor, author.workspace)
    with transaction.atomic():
        before = audit.snapshot(author, ("is_vip", "vip_note"))
        author.is_vip = is_vip
        author.vip_note = note[:200] if is_vip else ""
        author.save(update_fields=["is_vip", "vip_note"])
        for thread in Thread.objects.filter(author=author).exclude(status=ThreadStatus.CLOSED):
            thread.is_vip = is_vip
            thread.save(update_fields=["is_vip"])
            messages = list(thread.messages.filter(direction=Direction.INBOUND))
            for message in messages:
                message.priority = prio.priority(
                    sentiment=message.sentiment,
                    score=message.sentiment_score,
                    intent=message.intent,
                    is_vip=is_vip,
                )
            Message.objects.bulk_update(messages, ["priority"])
            _refresh_thread_labels(thread)
        audit.record(
            actor=actor,
            workspace=author.workspace,
            action="inbox.vip",
            obj=author,
            changes=audit.diff(before, audit.snapshot(author, ("is_vip", "vip_note"))),
        )
    return author
