"""Ingestion: every way a message arrives (connector polling, webhook, file import, demo)
ends here. The same message arriving twice is stored once (unique platform id per
workspace); each new fan message is classified, threaded, given its reply deadline,
reopens its thread and is assigned by the workspace's rules."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jieba
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.models import ChannelAccount, PublishJob
from fanloop.core import audit
from fanloop.core.models import Membership, Workspace
from fanloop.core.platforms import Platform
from fanloop.inbox.models import (
    Author,
    Direction,
    Message,
    MessageKind,
    MessageSource,
    Thread,
    ThreadStatus,
)
from fanloop.inbox.services import priority as prio

MAX_TEXT = 10_000


@dataclass(frozen=True)
class IncomingMessage:
    platform: str
    remote_id: str
    kind: str
    text: str
    author_id: str
    author_name: str
    sent_at: datetime
    account: ChannelAccount | None = None
    parent_remote_id: str = ""
    post_remote_id: str = ""
    media: Sequence[Any] = ()
    direction: str = Direction.INBOUND
    is_vip: bool | None = None  # None: leave the author's VIP flag as it is
    # Outbound only: the workspace member who wrote our reply, when the source knows.
    sent_by: Any = None


@dataclass(frozen=True)
class RowError:
    index: int
    message: str


@dataclass
class IngestResult:
    created: list[Message] = field(default_factory=list)
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)

    def merge(self, other: "IngestResult") -> None:
        self.created.extend(other.created)
        self.duplicates += other.duplicates
        self.errors.extend(other.errors)


def search_words(text: str) -> str:
    """jieba's search-mode words between spaces, so a search matches whole words."""
    words = {word.strip().lower() for word in jieba.cut_for_search(text)}
    words.discard("")
    return f" {' '.join(sorted(words))} " if words else ""


def problems(workspace: Workspace, incoming: IncomingMessage) -> list[str]:
    found = []
    if incoming.platform not in Platform.values:
        found.append(_("unknown platform “%(value)s”") % {"value": incoming.platform})
    if incoming.kind not in MessageKind.values:
        found.append(_("unknown kind “%(value)s”") % {"value": incoming.kind})
    if incoming.direction not in Direction.values:
        found.append(_("unknown direction “%(value)s”") % {"value": incoming.direction})
    if not incoming.remote_id.strip() or len(incoming.remote_id) > 200:
        found.append(_("a message id (up to 200 characters) is required"))
    if not incoming.author_id.strip() or len(incoming.author_id) > 200:
        found.append(_("an author id (up to 200 characters) is required"))
    if len(incoming.text) > MAX_TEXT:
        found.append(_("the text is longer than %(max)s characters") % {"max": MAX_TEXT})
    if timezone.is_naive(incoming.sent_at):
        found.append(_("the time has no time zone"))
    elif incoming.sent_at > timezone.now() + timedelta(minutes=10):
        found.append(_("the time is in the future"))
    account = incoming.account
    if account is not None and (
        account.workspace_id != workspace.pk or account.platform != incoming.platform
    ):
        found.append(
            _("the account is not this workspace's %(platform)s account")
            % {"platform": incoming.platform}
        )
    if incoming.sent_by is not None and (
        incoming.direction != Direction.OUTBOUND
        or not Membership.objects.filter(workspace=workspace, user=incoming.sent_by).exists()
    ):
        found.append(_("only our replies name who wrote them, and only a workspace member"))
    return found


def ingest(
    *,
    workspace: Workspace,
    messages: Sequence[IncomingMessage],
    source: str,
    actor: Any = None,
) -> IngestResult:
    """Store the new messages among ``messages``; bad ones are reported, not stored."""
    result = IngestResult()
    valid: list[IncomingMessage] = []
    seen: set[tuple[str, str]] = set()
    for index, incoming in enumerate(messages):
        found = problems(workspace, incoming)
        if found:
            result.errors.append(RowError(index, "; ".join(found)))
            continue
        key = (incoming.platform, incoming.remote_id)
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        valid.append(incoming)
    existing = _existing_ids(workspace, valid)
    fresh = [m for m in valid if (m.platform, m.remote_id) not in existing]
    result.duplicates += len(valid) - len(fresh)
    if not fresh:
        return result
    fresh.sort(key=lambda m: m.sent_at)
    labels = _classify(workspace, [m.text for m in fresh])
    from fanloop.inbox.services.setup import settings_for

    inbox_settings = settings_for(workspace)
    for incoming, label in zip(fresh, labels, strict=True):
        try:
            with transaction.atomic():
                message = _store(workspace, incoming, label, source, inbox_settings)
        except IntegrityError:
            # Another worker stored the same message a moment ago.
            result.duplicates += 1
            continue
        result.created.append(message)
    if result.created:
        first = result.created[0]
        audit.record(
            actor=actor,
            workspace=workspace,
            action="inbox.ingest",
            obj=first.thread,
            changes={
                "source": (None, source),
                "messages": (None, len(result.created)),
                "duplicates": (None, result.duplicates),
            },
        )
    return result


def _existing_ids(
    workspace: Workspace, messages: Sequence[IncomingMessage]
) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    by_platform: dict[str, list[str]] = {}
    for m in messages:
        by_platform.setdefault(m.platform, []).append(m.remote_id)
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(
                (platform, remote_id)
                for remote_id in Message.objects.filter(
                    workspace=workspace, platform=platform, remote_id__in=chunk
                ).values_list("remote_id", flat=True)
            )
    return found


def _classify(workspace: Workspace, texts: list[str]) -> list[Any]:
    from fanloop.inbox.nlp import classify_many
    from fanloop.inbox.services.training import model_for

    return classify_many(texts, model_for(workspace))


def _author(workspace: Workspace, incoming: IncomingMessage) -> Author:
    author, created = Author.objects.get_or_create(
        workspace=workspace,
        platform=incoming.platform,
        external_id=incoming.author_id,
        defaults={
            "nickname": incoming.author_name[:200],
            "is_vip": bool(incoming.is_vip),
            "first_seen_at": incoming.sent_at,
        },
    )
    changed = []
    if not created and incoming.author_name and author.nickname != incoming.author_name[:200]:
        author.nickname = incoming.author_name[:200]
        changed.append("nickname")
    if not created and incoming.is_vip is not None and author.is_vip != incoming.is_vip:
        author.is_vip = incoming.is_vip
        changed.append("is_vip")
    if changed:
        author.save(update_fields=changed)
    return author


def _thread_key(workspace: Workspace, incoming: IncomingMessage) -> tuple[str, Message | None]:
    if incoming.kind == MessageKind.DM:
        return f"dm:{incoming.author_id}", None
    if incoming.parent_remote_id:
        parent = (
            Message.objects.filter(
                workspace=workspace,
                platform=incoming.platform,
                remote_id=incoming.parent_remote_id,
            )
            .select_related("thread")
            .first()
        )
        if parent is not None:
            return parent.thread.key, parent
        return incoming.parent_remote_id, None
    return incoming.remote_id, None


def _post_link(incoming: IncomingMessage) -> tuple[Any, Any]:
    """The content variant and campaign a post belongs to, when Fanloop published it."""
    if not incoming.post_remote_id or incoming.account is None:
        return None, None
    job = (
        PublishJob.objects.filter(account=incoming.account, remote_id=incoming.post_remote_id)
        .select_related("variant__item")
        .first()
    )
    if job is None:
        return None, None
    return job.variant, job.variant.item.campaign_id


def _store(
    workspace: Workspace, incoming: IncomingMessage, label: Any, source: str, settings: Any
) -> Message:
    from fanloop.inbox.services import assignment
    from fanloop.inbox.sla import due_at

    author = _author(workspace, incoming)
    key, parent = _thread_key(workspace, incoming)
    inbound = incoming.direction == Direction.INBOUND
    thread = (
        Thread.objects.select_for_update()
        .filter(workspace=workspace, platform=incoming.platform, account=incoming.account, key=key)
        .first()
    )
    new_thread = thread is None
    if thread is None:
        variant, campaign_id = _post_link(incoming)
        thread = Thread.objects.create(
            workspace=workspace,
            account=incoming.account,
            platform=incoming.platform,
            key=key,
            kind=incoming.kind if incoming.kind != MessageKind.REPLY else MessageKind.COMMENT,
            author=author,
            post_remote_id=incoming.post_remote_id,
            variant=variant,
            campaign_id=campaign_id,
            last_message_at=incoming.sent_at,
            created_at=incoming.sent_at,
        )
    is_vip = author.is_vip
    score = label.sentiment_score if inbound else None
    message = Message(
        workspace=workspace,
        thread=thread,
        account=incoming.account,
        platform=incoming.platform,
        kind=incoming.kind,
        direction=incoming.direction,
        source=source,
        remote_id=incoming.remote_id,
        parent_remote_id=incoming.parent_remote_id,
        parent=parent,
        post_remote_id=incoming.post_remote_id,
        author=author,
        text=incoming.text,
        media=list(incoming.media),
        search_words=search_words(incoming.text),
        sent_at=incoming.sent_at,
        sentiment=label.sentiment if inbound else "",
        sentiment_score=score,
        intent=label.intent if inbound else "",
        keywords=list(label.keywords) if inbound else [],
        needs_reply=inbound,
    )
    if inbound:
        message.priority = prio.priority(
            sentiment=label.sentiment, score=score, intent=label.intent, is_vip=is_vip
        )
        message.opens_turn = thread.waiting_since is None
        message.reply_due_at = due_at(
            settings, workspace.zoneinfo, incoming.platform, incoming.sent_at
        )
    else:
        message.delivery = "sent"
        message.sent_by = incoming.sent_by
    message.save()
    if inbound:
        _thread_after_inbound(thread, message, is_vip)
        if new_thread or (thread.assignee_id is None and thread.team_id is None):
            assignment.assign_by_rules(thread, message)
    else:
        # Our own reply made on the platform directly (seen by polling) answers the fan too.
        from fanloop.inbox.services.actions import settle_waiting

        settle_waiting(thread, answered_at=incoming.sent_at)
        thread.last_message_at = max(thread.last_message_at, incoming.sent_at)
        if thread.status == ThreadStatus.OPEN and thread.waiting_since is None:
            thread.status = ThreadStatus.PENDING
        thread.save(update_fields=["last_message_at", "status"])
    return message


def _thread_after_inbound(thread: Thread, message: Message, is_vip: bool) -> None:
    thread.last_message_at = max(thread.last_message_at, message.sent_at)
    thread.last_inbound_at = message.sent_at
    thread.preview = message.text[:200]
    thread.intent = message.intent
    thread.is_vip = is_vip
    if thread.waiting_since is None:
        # A new turn: urgency and mood start from this message, not from answered ones.
        thread.waiting_since = message.sent_at
        thread.reply_due_at = message.reply_due_at
        thread.sentiment = message.sentiment
        thread.priority = message.priority
    else:
        thread.sentiment = prio.worse(thread.sentiment, message.sentiment)
        thread.priority = max(thread.priority, message.priority)
    if thread.status != ThreadStatus.OPEN:
        thread.status = ThreadStatus.OPEN  # a new message reopens the conversation
    thread.save()


__all__ = ["IncomingMessage", "IngestResult", "MessageSource", "RowError", "ingest"]
