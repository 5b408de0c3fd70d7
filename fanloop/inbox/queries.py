"""Read helpers of the unified inbox, shared by the pages, the API and reports. Every one
is scoped to a workspace: a thread of another workspace is simply not found."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.channels.models import ChannelAccount, JobState, PublishJob
from fanloop.core.models import AuditEntry, Membership, User, Workspace
from fanloop.core.permissions import Action, allowed
from fanloop.inbox.labels import Sentiment
from fanloop.inbox.models import (
    AssignmentRule,
    LabelCorrection,
    Message,
    Note,
    OperatorPresence,
    SavedReply,
    Tag,
    Team,
    Thread,
    ThreadStatus,
    Ticket,
    WebhookEndpoint,
)
from fanloop.inbox.services import ingest

# The saved views of the sidebar, in the order an operator works through them.
VIEWS: tuple[tuple[str, Any], ...] = (
    ("all", _("All")),
    ("mine", _("Mine")),
    ("unassigned", _("Unassigned")),
    ("negative", _("Negative")),
    ("vip", _("VIP")),
    ("overdue", _("Overdue")),
)
VIEW_NAMES = frozenset(name for name, _label in VIEWS)
# "active" (the default) is what still needs someone: open or pending.
STATUS_ACTIVE = "active"
STATUS_ANY = "any"
STATUSES: tuple[tuple[str, Any], ...] = (
    (STATUS_ACTIVE, _("Open or pending")),
    (ThreadStatus.OPEN, ThreadStatus.OPEN.label),
    (ThreadStatus.PENDING, ThreadStatus.PENDING.label),
    (ThreadStatus.CLOSED, ThreadStatus.CLOSED.label),
    (STATUS_ANY, _("Any status")),
)
SORTS: tuple[tuple[str, Any], ...] = (
    ("priority", _("Priority, then longest waiting")),
    ("waiting", _("Longest waiting")),
    ("newest", _("Newest activity")),
)
SORT_NAMES = frozenset(name for name, _label in SORTS)
# Nobody searches a paragraph; a long query is cut rather than refused.
MAX_QUERY_CHARS = 100
MAX_SEARCH_WORDS = 12
_PUNCTUATION_ONLY = re.compile(r"^[\W_]+$")


@dataclass(frozen=True)
class ThreadFilters:
    view: str = "all"
    status: str = STATUS_ACTIVE
    platform: str = ""
    account: int | None = None
    campaign: int | None = None
    tag: int | None = None
    team: int | None = None
    intent: str = ""
    q: str = ""
    sort: str = "priority"

    def searched(self) -> tuple[str, ...]:
        return tuple(search_words(self.q))


# Search -------------------------------------------------------------------------------


def search_words(query: str) -> list[str]:
    """The words of a search query cut the way ingest cut the messages (jieba's search
    mode, lower case), without punctuation: every one must be among a message's words."""
    found = [
        word
        for word in ingest.search_words(query[:MAX_QUERY_CHARS]).split()
        if not _PUNCTUATION_ONLY.match(word)
    ]
    return found[:MAX_SEARCH_WORDS]


def _matching(words: tuple[str, ...]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(search_words__contains=f" {word} ")
    return condition


def matching_messages(
    workspace: Workspace, thread_ids: list[int], words: tuple[str, ...]
) -> dict[int, Message]:
    """The newest message of each thread that has every word: what a result shows."""
    if not words or not thread_ids:
        return {}
    found = (
        Message.objects.filter(workspace=workspace, thread_id__in=thread_ids)
        .filter(_matching(words))
        .select_related("author")
        .order_by("thread_id", "-sent_at", "-id")
    )
    best: dict[int, Message] = {}
    for message in found:
        best.setdefault(message.thread_id, message)
    return best


# Threads ------------------------------------------------------------------------------


def _base(workspace: Workspace) -> QuerySet[Thread]:
    return Thread.objects.filter(workspace=workspace).select_related(
        "author", "account", "assignee", "team", "campaign"
    )


def _overdue(now: datetime) -> Q:
    return Q(waiting_since__isnull=False, reply_due_at__lt=now) & ~Q(status=ThreadStatus.CLOSED)


def _view_condition(view: str, user: User | None, now: datetime) -> Q:
    if view == "mine":
        return Q(assignee=user) if user is not None else Q(pk__in=[])
    if view == "unassigned":
        return Q(assignee__isnull=True, team__isnull=True)
    if view == "negative":
        return Q(sentiment=Sentiment.NEGATIVE)
    if view == "vip":
        return Q(is_vip=True)
    if view == "overdue":
        return _overdue(now)
    return Q()


def _status_condition(status: str) -> Q:
    if status == STATUS_ANY:
        return Q()
    if status in ThreadStatus.values:
        return Q(status=status)
    return Q(status__in=[ThreadStatus.OPEN, ThreadStatus.PENDING])


def _filtered(workspace: Workspace, filters: ThreadFilters) -> QuerySet[Thread]:
    """Every filter but the view and the status (those have their own counts)."""
    found = _base(workspace)
    if filters.platform:
        found = found.filter(platform=filters.platform)
    if filters.account is not None:
        found = found.filter(account_id=filters.account)
    if filters.campaign is not None:
        found = found.filter(campaign_id=filters.campaign)
    if filters.tag is not None:
        found = found.filter(tags__id=filters.tag)
    if filters.team is not None:
        found = found.filter(team_id=filters.team)
    if filters.intent:
        found = found.filter(intent=filters.intent)
    words = filters.searched()
    if words:
        hits = Message.objects.filter(workspace=workspace, thread=OuterRef("pk")).filter(
            _matching(words)
        )
        found = found.filter(Exists(hits))
    return found


def _sorted(found: QuerySet[Thread], sort: str) -> QuerySet[Thread]:
    if sort == "newest":
        return found.order_by("-last_message_at", "-id")
    waiting = F("waiting_since").asc(nulls_last=True)
    if sort == "waiting":
        return found.order_by(waiting, "-last_message_at", "-id")
    return found.order_by("-priority", waiting, "-last_message_at", "-id")


def threads(
    workspace: Workspace, filters: ThreadFilters | None = None, user: User | None = None
) -> QuerySet[Thread]:
    filters = filters or ThreadFilters()
    found = _filtered(workspace, filters).filter(
        _view_condition(filters.view, user, timezone.now()), _status_condition(filters.status)
    )
    return _sorted(found.prefetch_related("tags"), filters.sort)


def view_counts(
    workspace: Workspace, filters: ThreadFilters | None = None, user: User | None = None
) -> dict[str, int]:
    """Threads per saved view under every other filter (the sidebar's counts)."""
    filters = filters or ThreadFilters()
    now = timezone.now()
    found = _filtered(workspace, filters).filter(_status_condition(filters.status)).order_by()
    counts = found.aggregate(
        **{
            name: Count("id", filter=_view_condition(name, user, now), distinct=True)
            for name in VIEW_NAMES
        }
    )
    return {name: counts[name] or 0 for name in VIEW_NAMES}


def status_counts(
    workspace: Workspace, filters: ThreadFilters | None = None, user: User | None = None
) -> dict[str, int]:
    filters = filters or ThreadFilters()
    found = (
        _filtered(workspace, filters)
        .filter(_view_condition(filters.view, user, timezone.now()))
        .order_by()
    )
    counts = found.aggregate(
        **{
            status: Count("id", filter=_status_condition(status), distinct=True)
            for status, _label in STATUSES
        }
    )
    return {status: counts[status] or 0 for status, _label in STATUSES}


def platform_counts(workspace: Workspace) -> list[tuple[str, int]]:
    """Platforms with open or pending threads, busiest first."""
    rows = (
        Thread.objects.filter(workspace=workspace)
        .filter(_status_condition(STATUS_ACTIVE))
        .order_by()
        .values_list("platform")
        .annotate(n=Count("id"))
        .values_list("platform", "n")
    )
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def thread(workspace: Workspace, pk: int) -> Thread:
    found = (
        _base(workspace)
        .select_related("variant", "variant__item", "assigned_by_rule")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such conversation")
    return found


def threads_by_ids(workspace: Workspace, ids: list[int]) -> list[Thread]:
    """The workspace's threads among ``ids`` (another workspace's ids are dropped)."""
    return list(Thread.objects.filter(workspace=workspace, pk__in=ids).order_by("id"))


def messages(thread: Thread) -> QuerySet[Message]:
    return (
        Message.objects.filter(workspace_id=thread.workspace_id, thread=thread)
        .select_related("author", "sent_by", "account")
        .order_by("sent_at", "id")
    )


def message(workspace: Workspace, pk: int, thread: Thread | None = None) -> Message:
    found = Message.objects.filter(workspace=workspace, pk=pk)
    if thread is not None:
        found = found.filter(thread=thread)
    hit = found.select_related("thread", "author").first()
    if hit is None:
        raise Http404("No such message")
    return hit


def notes(thread: Thread) -> QuerySet[Note]:
    return Note.objects.filter(thread=thread).select_related("author")


def tickets(thread: Thread) -> QuerySet[Ticket]:
    return Ticket.objects.filter(workspace_id=thread.workspace_id, thread=thread).select_related(
        "created_by"
    )


def thread_history(thread: Thread) -> QuerySet[AuditEntry]:
    """Audit entries of the thread and of its messages, notes and tickets, newest first."""
    message_ids = [
        str(pk) for pk in Message.objects.filter(thread=thread).values_list("pk", flat=True)
    ]
    note_ids = [str(pk) for pk in Note.objects.filter(thread=thread).values_list("pk", flat=True)]
    ticket_ids = [
        str(pk) for pk in Ticket.objects.filter(thread=thread).values_list("pk", flat=True)
    ]
    condition = Q(object_type=Thread._meta.label_lower, object_id=str(thread.pk))
    condition |= Q(object_type=Message._meta.label_lower, object_id__in=message_ids)
    condition |= Q(object_type=Note._meta.label_lower, object_id__in=note_ids)
    condition |= Q(object_type=Ticket._meta.label_lower, object_id__in=ticket_ids)
    condition |= Q(
        object_type=LabelCorrection._meta.label_lower,
        object_id__in=[
            str(pk)
            for pk in LabelCorrection.objects.filter(
                workspace_id=thread.workspace_id, message__thread=thread
            ).values_list("pk", flat=True)
        ],
    )
    return (
        AuditEntry.objects.filter(workspace_id=thread.workspace_id)
        .filter(condition)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class PostInfo:
    """What a thread hangs on: our content variant when known, else the platform's id."""

    title: str
    remote_id: str
    published_url: str
    variant_url: str


def post_of(thread: Thread) -> PostInfo | None:
    if thread.variant_id is None and not thread.post_remote_id:
        return None
    jobs = PublishJob.objects.filter(
        workspace_id=thread.workspace_id, state=JobState.PUBLISHED
    ).exclude(remote_url="")
    title = ""
    variant_url = ""
    published = ""
    variant = thread.variant
    if variant is not None:
        title = variant.title or variant.item.title
        job = jobs.filter(variant=variant).order_by("-published_at", "-id").first()
        published = job.remote_url if job else variant.published_url
        try:
            variant_url = reverse(
                "variant_detail", args=[thread.workspace.slug, variant.item_id, variant.pk]
            )
        except NoReverseMatch:
            variant_url = ""
    elif thread.post_remote_id:
        job = jobs.filter(remote_id=thread.post_remote_id).order_by("-published_at").first()
        published = job.remote_url if job else ""
    if not published.startswith(("https://", "http://")):
        published = ""
    return PostInfo(
        title=title,
        remote_id=thread.post_remote_id,
        published_url=published,
        variant_url=variant_url,
    )


def is_overdue(thread: Thread, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        thread.waiting_since is not None
        and thread.reply_due_at is not None
        and thread.reply_due_at < now
        and thread.status != ThreadStatus.CLOSED
    )


# Set-up -------------------------------------------------------------------------------


def saved_replies(workspace: Workspace, platform: str = "") -> QuerySet[SavedReply]:
    found = SavedReply.objects.filter(workspace=workspace)
    if platform:
        found = found.filter(Q(platform="") | Q(platform=platform))
    return found.order_by("-times_used", "title")


def saved_reply(workspace: Workspace, pk: int) -> SavedReply:
    found = SavedReply.objects.filter(workspace=workspace, pk=pk).first()
    if found is None:
        raise Http404("No such saved reply")
    return found


def tags(workspace: Workspace) -> QuerySet[Tag]:
    return Tag.objects.filter(workspace=workspace).order_by("name")


def tag(workspace: Workspace, pk: int) -> Tag:
    found = tags(workspace).filter(pk=pk).first()
    if found is None:
        raise Http404("No such tag")
    return found


def teams(workspace: Workspace) -> QuerySet[Team]:
    return Team.objects.filter(workspace=workspace).prefetch_related("members").order_by("name")


def team(workspace: Workspace, pk: int) -> Team:
    found = teams(workspace).filter(pk=pk).first()
    if found is None:
        raise Http404("No such team")
    return found


def rules(workspace: Workspace) -> QuerySet[AssignmentRule]:
    return (
        AssignmentRule.objects.filter(workspace=workspace)
        .select_related("assign_to", "team")
        .prefetch_related("accounts")
        .order_by("position", "id")
    )


def rule(workspace: Workspace, pk: int) -> AssignmentRule:
    found = rules(workspace).filter(pk=pk).first()
    if found is None:
        raise Http404("No such rule")
    return found


def webhooks(workspace: Workspace) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(workspace=workspace).order_by("name", "id")


def webhook(workspace: Workspace, pk: int) -> WebhookEndpoint:
    found = webhooks(workspace).filter(pk=pk).first()
    if found is None:
        raise Http404("No such webhook")
    return found


def accounts(workspace: Workspace) -> QuerySet[ChannelAccount]:
    return ChannelAccount.objects.filter(workspace=workspace).order_by("platform", "display_name")


def operators(workspace: Workspace) -> list[User]:
    """Members who may answer fans: the people a thread can be assigned to."""
    return [
        membership.user
        for membership in Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__username")
        if allowed(membership.role, Action.INBOX_REPLY)
    ]


def operator(workspace: Workspace, pk: int) -> User:
    for user in operators(workspace):
        if user.pk == pk:
            return user
    raise Http404("No such operator")


def presence(workspace: Workspace, user: User) -> OperatorPresence | None:
    return OperatorPresence.objects.filter(workspace=workspace, user=user).first()
