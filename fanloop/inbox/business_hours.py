"""Business-hours arithmetic for reply-time targets. Pure functions, no database.

A workspace's week is a set of opening intervals per weekday in its own time zone
(``{"0": [["09:00", "12:00"], ["13:00", "18:00"]]}``, 0 = Monday; an interval may end at
"24:00"). Holidays have no hours; extra working days (调休, usually a Saturday or Sunday
traded for a holiday) work Monday's hours.

Every interval is turned into an absolute UTC span before any arithmetic: Python adds
and subtracts aware datetimes of one zone in wall-clock time, which would be wrong by an
hour across a daylight-saving change. A business second is therefore a real elapsed
second inside an opening; a 09:00-18:00 day is nine hours even on the day clocks move,
and a 00:00-24:00 day on that date is 23 or 25 hours long.

Walking is day by day (a few intervals a day), so a span of months costs a few hundred
steps, never a step per minute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from fanloop.inbox.models import InboxSettings

# (start, end) in minutes after local midnight; end may be 1440 ("24:00").
Interval = tuple[int, int]
Week = tuple[tuple[Interval, ...], ...]

DAY_MINUTES = 24 * 60
# A week with hours has at least one opening every 7 days unless holidays cover it;
# this bounds a walk through a (mis)configured calendar whose holidays cover years.
_MAX_WALK_DAYS = 366 * 30
_CLOCK = re.compile(r"^(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class BusinessCalendar:
    week: Week  # seven entries, Monday first, each sorted and non-overlapping
    tz: tzinfo
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("A business week needs seven days (Monday first).")
        if not any(self.week):
            raise ValueError(
                "No business hours are configured for any day of the week: "
                "reply-time targets cannot be computed."
            )

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The opening intervals of ``day`` (a local date)."""
        if day in self.holidays:
            return ()
        if day in self.extra_workdays:
            return self.week[0] or next(hours for hours in self.week if hours)
        return self.week[day.weekday()]


def _clock_minutes(text: Any, *, end: bool) -> int:
    match = _CLOCK.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(
            _("“%(value)s” is not a time of day written as HH:MM."), params={"value": text}
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if end and (hours, minutes) == (24, 0):
        return DAY_MINUTES
    if hours > 23 or minutes > 59:
        raise ValidationError(
            _("“%(value)s” is not a time of day (00:00 to 23:59; an end may be 24:00)."),
            params={"value": text},
        )
    return hours * 60 + minutes


def parse_week(value: Any) -> Week:
    """Read a stored ``business_hours`` value; raise ValidationError for any bad part."""
    if not isinstance(value, Mapping):
        raise ValidationError(
            _("Business hours must map weekdays (0 = Monday to 6 = Sunday) to intervals.")
        )
    days: list[list[Interval]] = [[] for _day in range(7)]
    for key, intervals in value.items():
        if str(key) not in {str(day) for day in range(7)}:
            raise ValidationError(
                _("“%(key)s” is not a weekday: use 0 (Monday) to 6 (Sunday)."),
                params={"key": key},
            )
        if not isinstance(intervals, list | tuple):
            raise ValidationError(_("Each weekday needs a list of [start, end] intervals."))
        for interval in intervals:
            if not isinstance(interval, list | tuple) or len(interval) != 2:
                raise ValidationError(
                    _('“%(value)s” is not an interval: write ["09:00", "18:00"].'),
                    params={"value": interval},
                )
            start = _clock_minutes(interval[0], end=False)
            end = _clock_minutes(interval[1], end=True)
            if end <= start:
                raise ValidationError(
                    _(
                        "The interval %(start)s-%(end)s ends before it starts; split an "
                        "overnight opening at 24:00 into two days."
                    ),
                    params={"start": interval[0], "end": interval[1]},
                )
            days[int(key)].append((start, end))
    for intervals_of_day in days:
        intervals_of_day.sort()
        for before, after in pairwise(intervals_of_day):
            if after[0] < before[1]:
                raise ValidationError(_("Business-hour intervals of one day overlap."))
    return tuple(tuple(day) for day in days)


def parse_dates(value: Any) -> frozenset[date]:
    """Read a stored list of ISO dates (holidays, extra working days)."""
    if value in (None, ""):
        return frozenset()
    if not isinstance(value, list | tuple):
        raise ValidationError(_("Dates must be a list of YYYY-MM-DD dates."))
    found = set()
    for item in value:
        try:
            found.add(date.fromisoformat(str(item)))
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a date written as YYYY-MM-DD."), params={"value": item}
            ) from None
    return frozenset(found)


def validate_business_hours(value: Any) -> None:
    """Refuse bad formats, inverted or overlapping intervals, and a week with no hours."""
    week = parse_week(value)
    if not any(week):
        raise ValidationError(
            _("Set business hours on at least one day: reply-time targets count only them.")
        )


def validate_calendar_dates(holidays: Any, extra_workdays: Any) -> None:
    """Refuse malformed date lists and a date that is both a holiday and a working day."""
    both = parse_dates(holidays) & parse_dates(extra_workdays)
    if both:
        raise ValidationError(
            _("%(dates)s cannot be both a holiday and an extra working day."),
            params={"dates": ", ".join(sorted(day.isoformat() for day in both))},
        )


def calendar_for(settings: InboxSettings, tz: tzinfo) -> BusinessCalendar:
    """The calendar of a workspace's inbox settings in its time zone (``workspace.zoneinfo``)."""
    return BusinessCalendar(
        week=parse_week(settings.business_hours),
        tz=tz,
        holidays=parse_dates(settings.holidays),
        extra_workdays=parse_dates(settings.extra_workdays),
    )


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Business-hours arithmetic needs timezone-aware datetimes.")


def _local_moment(cal: BusinessCalendar, day: date, minutes: int) -> datetime:
    """The UTC instant of a local wall-clock time; 24:00 is the next day's midnight.
    A wall time skipped by a DST change maps past the gap (zoneinfo's fold=0 rule)."""
    if minutes >= DAY_MINUTES:
        day, minutes = day + timedelta(days=1), minutes - DAY_MINUTES
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=cal.tz)
    return local.astimezone(UTC)


def _openings(cal: BusinessCalendar, first_day: date) -> Iterator[tuple[datetime, datetime]]:
    """Opening spans in UTC, in order, from local date ``first_day`` on."""
    for offset in range(_MAX_WALK_DAYS):
        day = first_day + timedelta(days=offset)
        for start, end in cal.intervals_on(day):
            opens, closes = _local_moment(cal, day, start), _local_moment(cal, day, end)
            if closes > opens:  # an interval entirely inside a DST gap has no length
                yield opens, closes
    raise ValueError("No business hours in the next thirty years: check the holidays.")


def business_seconds(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Seconds of business time between two aware instants (0 when ``end <= start``)."""
    _require_aware(start, end)
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    if end_utc <= start_utc:
        return 0
    total = 0.0
    for opens, closes in _openings(cal, start_utc.astimezone(cal.tz).date()):
        if opens >= end_utc:
            break
        overlap = (min(closes, end_utc) - max(opens, start_utc)).total_seconds()
        if overlap > 0:
            total += overlap
    return int(total)


def add_business_seconds(cal: BusinessCalendar, start: datetime, seconds: int) -> datetime:
    """The instant ``seconds`` of business time after ``start`` (in the calendar's zone).

    Starting outside hours, the count begins at the next opening; a target that ends
    exactly at closing time is due at closing time, not at the next opening.
    """
    _require_aware(start)
    start_utc = start.astimezone(UTC)
    if seconds <= 0:
        return start_utc.astimezone(cal.tz)
    remaining = timedelta(seconds=seconds)
    for opens, closes in _openings(cal, start_utc.astimezone(cal.tz).date()):
        if closes <= start_utc:
            continue
        begin = max(opens, start_utc)
        available = closes - begin
        if remaining <= available:
            return (begin + remaining).astimezone(cal.tz)
        remaining -= available
    raise AssertionError("unreachable: _openings raises when it runs out")  # pragma: no cover


def is_open(cal: BusinessCalendar, at: datetime) -> bool:
    _require_aware(at)
    at_utc = at.astimezone(UTC)
    day = at_utc.astimezone(cal.tz).date()
    for start, end in cal.intervals_on(day):
        if _local_moment(cal, day, start) <= at_utc < _local_moment(cal, day, end):
            return True
    return False
