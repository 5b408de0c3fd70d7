"""The inbox team report: read queries for one workspace over a range of local days.

Definitions (the page's help text repeats them):

* **Fan messages** are inbound, not hidden messages whose ``sent_at`` falls on a day of
  the range in the workspace's time zone; a message is counted on the day the fan wrote.
* **Reply rate** = fan messages that still need a reply (``needs_reply``: messages
  marked "no reply needed" leave the denominator) and have one (``responded_at`` set,
  whenever it came, so a day's rate can still rise after the day) / all fan messages
  that need a reply. No such messages: no rate (``None``), not 0 % and not 100 %.
* **First-response time (FRT)** is ``response_business_seconds`` of fan messages that
  opened a turn (``opens_turn``: the first fan message after our last reply) and were
  answered; business time, stored at reply time. Median and p90 are linear
  interpolations between ranks (numpy's default, Excel's PERCENTILE.INC), computed in
  Python over the fetched integers so SQLite and PostgreSQL agree.
* **Breaches** = fan messages of the range that still need a reply and were flagged
  ``sla_breached`` (answered late or not at all).
* **Backlog** is a snapshot at ``now``, not of the range: threads waiting for us
  (``waiting_since`` set) that are not closed. Its age buckets use **wall-clock** time
  since ``waiting_since``: what the fan has lived through, nights and weekends included.
* **Per person**: replies and FRT belong to whoever sent our reply (``sent_by`` of the
  outbound message that answered); reply rate, breaches and backlog belong to the
  thread's current assignee, since an unanswered message has no replier.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.channels.models import ChannelAccount
from fanloop.core.models import User, Workspace
from fanloop.inbox.models import DeliveryState, Direction, Message, Thread, ThreadStatus
from fanloop.inbox.sla import reply_target_minutes, settings_or_default

HOUR = 3600
# (key, label, lower bound in seconds inclusive, upper bound exclusive or None).
AGE_BUCKETS: tuple[tuple[str, Any, int, int | None], ...] = (
    ("lt1h", _("under 1 h"), 0, HOUR),
    ("1to4h", _("1–4 h"), HOUR, 4 * HOUR),
    ("4to24h", _("4–24 h"), 4 * HOUR, 24 * HOUR),
    ("gt24h", _("over 24 h"), 24 * HOUR, None),
)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: local days ``start``..``end`` (inclusive) and filters."""

    workspace: Workspace
    start: date
    end: date
    platform: str = ""
    account_id: int | None = None
    person_id: int | None = None

    @property
    def tz(self) -> tzinfo:
        return self.workspace.zoneinfo

    def bounds(self) -> tuple[datetime, datetime]:
        """[first local midnight, midnight after the last day): aware, in the zone."""
        first = datetime.combine(self.start, time(), tzinfo=self.tz)
        after = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=self.tz)
        return first, after

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass
class Figures:
    """One row of any table: the same measures, whatever the grouping."""

    needing_reply: int = 0
    replied: int = 0
    breaches: int = 0
    replies_sent: int = 0
    backlog: int = 0
    frt_seconds: list[int] = field(default_factory=list)

    @property
    def reply_rate(self) -> float | None:
        return ratio(self.replied, self.needing_reply)

    @property
    def frt_median(self) -> float | None:
        return percentile(self.frt_seconds, 0.5)

    @property
    def frt_p90(self) -> float | None:
        return percentile(self.frt_seconds, 0.9)

    @property
    def frt_count(self) -> int:
        return len(self.frt_seconds)


@dataclass
class DayRow:
    day: date
    figures: Figures


@dataclass
class PersonRow:
    user: User | None  # None: unassigned threads
    figures: Figures


@dataclass
class AccountRow:
    account: ChannelAccount | None  # None: messages with no connected account
    figures: Figures


@dataclass
class BacklogBucket:
    key: str
    label: Any
    count: int


@dataclass
class TeamReport:
    scope: ReportScope
    totals: Figures
    days: list[DayRow]
    people: list[PersonRow]
    accounts: list[AccountRow]
    backlog_buckets: list[BacklogBucket]
    oldest_waiting_since: datetime | None
    reply_rate_target: float
    reply_target_minutes: int

    @property
    def below_rate_target(self) -> bool:
        rate = self.totals.reply_rate
        return rate is not None and rate < self.reply_rate_target

    @property
    def target_seconds(self) -> int:
        return self.reply_target_minutes * 60


# Base querysets -------------------------------------------------------------------------


def fan_messages(scope: ReportScope) -> QuerySet[Message]:
    first, after = scope.bounds()
    rows = Message.objects.filter(
        workspace=scope.workspace,
        direction=Direction.INBOUND,
        hidden=False,
        sent_at__gte=first,
        sent_at__lt=after,
    )
    if scope.platform:
        rows = rows.filter(platform=scope.platform)
    if scope.account_id:
        rows = rows.filter(account_id=scope.account_id)
    return rows


def needing_reply(scope: ReportScope) -> QuerySet[Message]:
    rows = fan_messages(scope).filter(needs_reply=True)
    if scope.person_id:
        rows = rows.filter(thread__assignee_id=scope.person_id)
    return rows


def _replier() -> Subquery:
    """Who sent our reply that answered a fan message: the last non-failed reply in
    the thread between the fan's message and ``responded_at`` (equal to it when the
    reply came through the services)."""
    return Subquery(
        Message.objects.filter(
            thread_id=OuterRef("thread_id"),
            direction=Direction.OUTBOUND,
            sent_at__gte=OuterRef("sent_at"),
            sent_at__lte=OuterRef("responded_at"),
        )
        .exclude(delivery=DeliveryState.FAILED)
        .order_by("-sent_at", "-id")
        .values("sent_by_id")[:1]
    )


def first_responses(scope: ReportScope) -> list[tuple[date, int, int | None, int | None]]:
    """(local day, business seconds, replier id, account id) of each answered fan
    message that opened a turn."""
    rows = (
        fan_messages(scope)
        .filter(opens_turn=True, responded_at__isnull=False)
        .filter(response_business_seconds__isnull=False)
        .annotate(day=TruncDate("sent_at", tzinfo=scope.tz), replier_id=_replier())
    )
    if scope.person_id:
        rows = rows.filter(replier_id=scope.person_id)
    return [
        (day, seconds or 0, replier, account)
        for day, seconds, replier, account in rows.values_list(
            "day", "response_business_seconds", "replier_id", "account_id"
        )
    ]


def replies_sent(scope: ReportScope) -> QuerySet[Message]:
    first, after = scope.bounds()
    rows = Message.objects.filter(
        workspace=scope.workspace,
        direction=Direction.OUTBOUND,
        sent_by__isnull=False,
        sent_at__gte=first,
        sent_at__lt=after,
    ).exclude(delivery=DeliveryState.FAILED)
    if scope.platform:
        rows = rows.filter(platform=scope.platform)
    if scope.account_id:
        rows = rows.filter(account_id=scope.account_id)
    if scope.person_id:
        rows = rows.filter(sent_by_id=scope.person_id)
    return rows


def backlog_threads(scope: ReportScope) -> QuerySet[Thread]:
    rows = Thread.objects.filter(workspace=scope.workspace, waiting_since__isnull=False).exclude(
        status=ThreadStatus.CLOSED
    )
    if scope.platform:
        rows = rows.filter(platform=scope.platform)
    if scope.account_id:
        rows = rows.filter(account_id=scope.account_id)
    if scope.person_id:
        rows = rows.filter(assignee_id=scope.person_id)
    return rows


# The report --------------------------------------------------------------------------


def _counted(rows: QuerySet[Message], key: str) -> Iterable[dict[str, Any]]:
    return (
        rows.order_by()
        .values(key)
        .annotate(
            total=Count("id"),
            replied=Count("id", filter=Q(responded_at__isnull=False)),
            breached=Count("id", filter=Q(sla_breached=True)),
        )
    )


def _add_counts(target: dict[Any, Figures], rows: Iterable[dict[str, Any]], key: str) -> None:
    for row in rows:
        figures = target[row[key]]
        figures.needing_reply += row["total"]
        figures.replied += row["replied"]
        figures.breaches += row["breached"]


def team_report(scope: ReportScope, *, now: datetime | None = None) -> TeamReport:
    now = now or timezone.now()
    settings = settings_or_default(scope.workspace)
    by_day: dict[date, Figures] = defaultdict(Figures)
    by_person: dict[int | None, Figures] = defaultdict(Figures)
    by_account: dict[int | None, Figures] = defaultdict(Figures)
    totals = Figures()

    asked = needing_reply(scope)
    _add_counts(
        by_day, _counted(asked.annotate(day=TruncDate("sent_at", tzinfo=scope.tz)), "day"), "day"
    )
    _add_counts(by_person, _counted(asked, "thread__assignee_id"), "thread__assignee_id")
    _add_counts(by_account, _counted(asked, "account_id"), "account_id")
    overall = asked.aggregate(
        total=Count("id"),
        replied=Count("id", filter=Q(responded_at__isnull=False)),
        breached=Count("id", filter=Q(sla_breached=True)),
    )
    _add_counts({None: totals}, [{**overall, "all": None}], "all")

    for day, seconds, replier, account_id in first_responses(scope):
        for figures in (by_day[day], by_person[replier], by_account[account_id], totals):
            figures.frt_seconds.append(seconds)

    sent = replies_sent(scope)
    for day, n in (
        sent.annotate(day=TruncDate("sent_at", tzinfo=scope.tz))
        .order_by()
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    ):
        by_day[day].replies_sent += n
        totals.replies_sent += n
    for person, account_id, n in (
        sent.order_by()
        .values_list("sent_by_id", "account_id")
        .annotate(n=Count("id"))
        .values_list("sent_by_id", "account_id", "n")
    ):
        by_person[person].replies_sent += n
        by_account[account_id].replies_sent += n

    buckets = {key: 0 for key, *_rest in AGE_BUCKETS}
    oldest: datetime | None = None
    for waiting_since, assignee_id, account_id in backlog_threads(scope).values_list(
        "waiting_since", "assignee_id", "account_id"
    ):
        if waiting_since is None:
            continue  # excluded by the query; keeps the arithmetic below typed
        buckets[age_bucket((now - waiting_since).total_seconds())] += 1
        by_person[assignee_id].backlog += 1
        by_account[account_id].backlog += 1
        totals.backlog += 1
        oldest = waiting_since if oldest is None else min(oldest, waiting_since)

    return TeamReport(
        scope=scope,
        totals=totals,
        days=[DayRow(day, by_day.get(day, Figures())) for day in scope.days()],
        people=_people_rows(by_person),
        accounts=_account_rows(scope.workspace, by_account),
        backlog_buckets=[
            BacklogBucket(key, label, buckets[key]) for key, label, *_rest in AGE_BUCKETS
        ],
        oldest_waiting_since=oldest,
        reply_rate_target=float(settings.reply_rate_target),
        reply_target_minutes=(
            reply_target_minutes(settings, scope.platform)
            if scope.platform
            else int(settings.default_reply_minutes)
        ),
    )


def age_bucket(seconds: float) -> str:
    for key, _label, low, high in AGE_BUCKETS:
        if seconds >= low and (high is None or seconds < high):
            return key
    return AGE_BUCKETS[0][0]  # waiting_since in the future (clock skew): newest bucket


def _people_rows(by_person: dict[int | None, Figures]) -> list[PersonRow]:
    users = User.objects.in_bulk([pk for pk in by_person if pk is not None])
    rows = [
        PersonRow(users.get(pk) if pk is not None else None, figures)
        for pk, figures in by_person.items()
        if pk is None or pk in users
    ]
    # Busiest repliers first; the unassigned row last.
    rows.sort(key=lambda r: (r.user is None, -r.figures.replies_sent, str(r.user or "")))
    return rows


def _account_rows(workspace: Workspace, by_account: dict[int | None, Figures]) -> list[AccountRow]:
    accounts = ChannelAccount.objects.filter(workspace=workspace).in_bulk(
        [pk for pk in by_account if pk is not None]
    )
    rows = [
        AccountRow(accounts.get(pk) if pk is not None else None, figures)
        for pk, figures in by_account.items()
        if pk is None or pk in accounts
    ]
    rows.sort(key=lambda r: (r.account is None, -r.figures.needing_reply, str(r.account or "")))
    return rows


def reply_rate_today(
    workspace: Workspace, *, now: datetime | None = None
) -> tuple[int, int, float | None]:
    """(replied, needing a reply, rate) for fan messages of today in the workspace's
    zone, by the definitions above; the rate is None when nobody wrote today."""
    today = timezone.localtime(now or timezone.now(), workspace.zoneinfo).date()
    counts = needing_reply(ReportScope(workspace=workspace, start=today, end=today)).aggregate(
        total=Count("id"), replied=Count("id", filter=Q(responded_at__isnull=False))
    )
    return counts["replied"], counts["total"], ratio(counts["replied"], counts["total"])
