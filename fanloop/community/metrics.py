"""Group metrics and the health score: pure functions, no database.

Definitions (day = the workspace's calendar day):

- members(d): people in the group at the end of day d (joined on or before d, not left by
  the end of d). joined(d) / left(d): stays that began / ended on d; someone who joins and
  leaves the same day counts in both and not in members(d).
- DAU(d): distinct members with at least one message or interaction on d. WAU(d) / MAU(d):
  distinct active members over the 7 / 30 days ending on d. When only WeCom's group totals
  are known for a day (no member-level activity), that day's DAU is WeCom's "members who
  spoke", and WAU / MAU are lower bounds (the largest DAU in the window).
- active ratio(d) = DAU(d) / members(d).
- weekly growth = joined over the 7 days ending on d / members at the start of the week;
  weekly churn = left over those 7 days / members at the start of the week (the end of d-7;
  the group's size at d when it had no members then).

Health score (0–100) for day d, the sum of four visible parts:

====================  ======  =================================  ============================
part                  points  measure                            full marks at
====================  ======  =================================  ============================
activity              40      WAU / members                       >= 50 % (linear below)
conversation          20      messages in 7 days / members         >= 3 per member (linear)
growth                15      weekly growth                        >= 5 % (linear)
retention             25      weekly churn                         0 % (0 points at >= 5 %)
====================  ======  =================================  ============================
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

WEEK = 7
MONTH = 30

ACTIVITY_POINTS, ACTIVITY_TARGET = 40.0, 0.5
CONVERSATION_POINTS, CONVERSATION_TARGET = 20.0, 3.0
GROWTH_POINTS, GROWTH_TARGET = 15.0, 0.05
RETENTION_POINTS, CHURN_LIMIT = 25.0, 0.05


@dataclass(frozen=True)
class Spell:
    member: int
    joined: date
    left: date | None = None


@dataclass(frozen=True)
class Activity:
    messages: int = 0
    interactions: int = 0
    online_minutes: int | None = None

    @property
    def active(self) -> bool:
        return self.messages + self.interactions > 0


@dataclass(frozen=True)
class PlatformDay:
    """WeCom's figures for the group on one day (only when they are the group's own)."""

    active_members: int
    messages: int


@dataclass
class DayFigures:
    day: date
    members: int = 0
    joined: int = 0
    left: int = 0
    dau: int = 0
    wau: int = 0
    mau: int = 0
    messages: int = 0
    interactions: int = 0
    online_minutes_avg: float | None = None
    activity_source: str = ""

    @property
    def active_ratio(self) -> float | None:
        return self.dau / self.members if self.members else None


@dataclass(frozen=True)
class HealthPart:
    key: str
    label: str
    measure: float
    target: str
    weight: float
    points: float


@dataclass
class Health:
    score: float | None
    parts: list[HealthPart] = field(default_factory=list)
    growth_rate: float | None = None
    churn_rate: float | None = None


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def members_at(spells: Iterable[Spell], day: date) -> int:
    return len({s.member for s in spells if s.joined <= day and (s.left is None or s.left > day)})


def _presence(spells: Iterable[Spell]) -> list[tuple[date, date | None]]:
    """Each person's days in the group as [first, last) ranges, overlaps merged."""
    by_member: dict[int, list[Spell]] = {}
    for spell in spells:
        if spell.left is None or spell.left > spell.joined:
            by_member.setdefault(spell.member, []).append(spell)
    ranges: list[tuple[date, date | None]] = []
    for stays in by_member.values():
        stays.sort(key=lambda s: s.joined)
        first, last = stays[0].joined, stays[0].left
        for stay in stays[1:]:
            if last is not None and stay.joined > last:
                ranges.append((first, last))
                first, last = stay.joined, stay.left
            elif last is not None and (stay.left is None or stay.left > last):
                last = stay.left
        ranges.append((first, last))
    return ranges


def compute_days(
    start: date,
    end: date,
    spells: Sequence[Spell],
    activity: Mapping[date, Mapping[int, Activity]],
    platform: Mapping[date, PlatformDay] | None = None,
) -> list[DayFigures]:
    """The figures of every day from ``start`` to ``end``. ``activity`` must reach back 29
    days before ``start`` for MAU to be right."""
    platform = platform or {}
    joined = Counter(s.joined for s in spells)
    left = Counter(s.left for s in spells if s.left is not None)
    # Members at the end of each day from the day's change in headcount: one pass over the
    # stays (each person's overlapping stays merged) instead of one per day.
    change: Counter[date] = Counter()
    for first, last in _presence(spells):
        change[first] += 1
        if last is not None:
            change[last] -= 1
    members = sum(n for day, n in change.items() if day < start)
    rows: list[DayFigures] = []
    for day in _days(start, end):
        members += change.get(day, 0)
        row = DayFigures(day=day, members=members, joined=joined[day], left=left[day])
        today = {m: a for m, a in activity.get(day, {}).items() if a.active}
        if today:
            row.activity_source = "members"
            row.dau = len(today)
            row.messages = sum(a.messages for a in today.values())
            row.interactions = sum(a.interactions for a in today.values())
            minutes = [a.online_minutes for a in today.values() if a.online_minutes is not None]
            row.online_minutes_avg = round(sum(minutes) / len(minutes), 1) if minutes else None
        elif day in platform:
            row.activity_source = "platform"
            row.dau = platform[day].active_members
            row.messages = platform[day].messages
        row.wau = _distinct_active(day, WEEK, activity, platform)
        row.mau = _distinct_active(day, MONTH, activity, platform)
        rows.append(row)
    return rows


def _distinct_active(
    day: date,
    span: int,
    activity: Mapping[date, Mapping[int, Activity]],
    platform: Mapping[date, PlatformDay],
) -> int:
    seen: set[int] = set()
    platform_floor = 0
    for offset in range(span):
        current = day - timedelta(days=offset)
        members = activity.get(current, {})
        active = {m for m, a in members.items() if a.active}
        if active:
            seen |= active
        elif current in platform:
            platform_floor = max(platform_floor, platform[current].active_members)
    return max(len(seen), platform_floor)


def _linear(value: float, target: float) -> float:
    return max(0.0, min(1.0, value / target)) if target else 0.0


def health(rows: Sequence[DayFigures], members_before: int) -> Health:
    """The health score of the last day of ``rows`` (the trailing 7 days, oldest first);
    ``members_before`` is the group's size at the end of the day before them."""
    if not rows:
        return Health(score=None)
    window = list(rows)[-WEEK:]
    last = window[-1]
    if last.members == 0 and members_before == 0:
        return Health(score=None)
    base = members_before or last.members
    joined = sum(r.joined for r in window)
    left = sum(r.left for r in window)
    messages = sum(r.messages for r in window)
    activity = last.wau / last.members if last.members else 0.0
    conversation = messages / last.members if last.members else 0.0
    growth = joined / base
    churn = left / base
    parts = [
        HealthPart(
            "activity",
            str(_("Activity: weekly active members / members")),
            round(activity, 4),
            f"≥ {ACTIVITY_TARGET:.0%}",
            ACTIVITY_POINTS,
            round(ACTIVITY_POINTS * _linear(activity, ACTIVITY_TARGET), 1),
        ),
        HealthPart(
            "conversation",
            str(_("Conversation: messages in 7 days per member")),
            round(conversation, 2),
            f"≥ {CONVERSATION_TARGET:g}",
            CONVERSATION_POINTS,
            round(CONVERSATION_POINTS * _linear(conversation, CONVERSATION_TARGET), 1),
        ),
        HealthPart(
            "growth",
            str(_("Growth: joined in 7 days / members a week ago")),
            round(growth, 4),
            f"≥ {GROWTH_TARGET:.0%}",
            GROWTH_POINTS,
            round(GROWTH_POINTS * _linear(growth, GROWTH_TARGET), 1),
        ),
        HealthPart(
            "retention",
            str(_("Retention: left in 7 days / members a week ago")),
            round(churn, 4),
            str(_("0%% (no points at %(limit)s or more)") % {"limit": f"{CHURN_LIMIT:.0%}"}),
            RETENTION_POINTS,
            round(RETENTION_POINTS * (1 - _linear(churn, CHURN_LIMIT)), 1),
        ),
    ]
    score = round(sum(p.points for p in parts), 1)
    return Health(score=score, parts=parts, growth_rate=growth, churn_rate=churn)


def health_series(rows: Sequence[DayFigures]) -> list[float | None]:
    """The health score of each day of ``rows`` after the first seven, each over its own
    trailing week; the first seven rows only give the starting sizes."""
    return [
        health(rows[index - WEEK + 1 : index + 1], rows[index - WEEK].members).score
        for index in range(WEEK, len(rows))
    ]
