"""Business-hours arithmetic against hand-computed cases."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from fanloop.inbox.business_hours import (
    BusinessCalendar,
    add_business_seconds,
    business_seconds,
    calendar_for,
    is_open,
    parse_week,
    validate_business_hours,
    validate_calendar_dates,
)
from fanloop.inbox.models import InboxSettings

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600

NINE_TO_SIX = {str(day): [["09:00", "18:00"]] for day in range(5)}
WITH_LUNCH = {str(day): [["09:00", "12:00"], ["13:00", "18:00"]] for day in range(5)}
ALL_DAY = {str(day): [["00:00", "24:00"]] for day in range(7)}


def make(hours=None, tz=SHANGHAI, holidays=(), extra=()) -> BusinessCalendar:
    settings = InboxSettings(
        business_hours=NINE_TO_SIX if hours is None else hours,
        holidays=list(holidays),
        extra_workdays=list(extra),
    )
    return calendar_for(settings, tz)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz=SHANGHAI) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


# 2025-09-26 is a Friday, 2025-09-29 a Monday.


def test_overnight_friday_evening_to_monday_morning_counts_two_hours():
    # Fri 17:00-18:00 (1h) + Mon 09:00-10:00 (1h); the weekend counts nothing.
    assert business_seconds(make(), at(2025, 9, 26, 17), at(2025, 9, 29, 10)) == 2 * HOUR


def test_same_day_inside_hours_is_plain_difference():
    assert business_seconds(make(), at(2025, 9, 29, 9, 30), at(2025, 9, 29, 11, 15)) == 6300


def test_lunch_break_is_not_business_time():
    cal = make(WITH_LUNCH)
    # 11:00-12:00 and 13:00-14:00.
    assert business_seconds(cal, at(2025, 9, 29, 11), at(2025, 9, 29, 14)) == 2 * HOUR
    # Inside the break only: nothing.
    assert business_seconds(cal, at(2025, 9, 29, 12, 10), at(2025, 9, 29, 12, 50)) == 0


def test_holiday_has_no_hours():
    # Wed 2025-10-01 is a holiday: Tue 17-18 (1h) + Thu 09-10 (1h).
    cal = make(holidays=["2025-10-01"])
    assert business_seconds(cal, at(2025, 9, 30, 17), at(2025, 10, 2, 10)) == 2 * HOUR
    assert not is_open(cal, at(2025, 10, 1, 10))


def test_extra_workday_on_a_weekend_works_mondays_hours():
    # Saturday 2025-09-27 is worked (调休) with Monday's 09:00-12:00, 13:00-18:00:
    # Fri 17-18 (1h) + Sat 8h + Mon 09-10 (1h).
    cal = make(WITH_LUNCH, extra=["2025-09-27"])
    assert business_seconds(cal, at(2025, 9, 26, 17), at(2025, 9, 29, 10)) == 10 * HOUR
    assert is_open(cal, at(2025, 9, 27, 10))
    assert not is_open(cal, at(2025, 9, 27, 12, 30))


def test_end_before_start_is_zero():
    assert business_seconds(make(), at(2025, 9, 29, 12), at(2025, 9, 29, 10)) == 0
    assert business_seconds(make(), at(2025, 9, 29, 12), at(2025, 9, 29, 12)) == 0


def test_message_arriving_at_three_in_the_morning_is_due_from_opening():
    cal = make(WITH_LUNCH)
    # 2h target: 09:00-11:00.
    assert add_business_seconds(cal, at(2025, 9, 30, 3), 2 * HOUR) == at(2025, 9, 30, 11)
    # 4h target: 09:00-12:00 (3h) then 13:00-14:00.
    assert add_business_seconds(cal, at(2025, 9, 30, 3), 4 * HOUR) == at(2025, 9, 30, 14)


def test_due_time_spanning_a_weekend():
    # Friday 17:00 + 2h: one hour on Friday, one on Monday.
    assert add_business_seconds(make(), at(2025, 9, 26, 17), 2 * HOUR) == at(2025, 9, 29, 10)
    # Saturday counts from Monday's opening.
    assert add_business_seconds(make(), at(2025, 9, 27, 10), HOUR) == at(2025, 9, 29, 10)


def test_due_exactly_at_closing_stays_at_closing():
    assert add_business_seconds(make(), at(2025, 9, 29, 17), HOUR) == at(2025, 9, 29, 18)


def test_due_time_skips_a_holiday():
    cal = make(holidays=["2025-10-01"])
    assert add_business_seconds(cal, at(2025, 9, 30, 17), 2 * HOUR) == at(2025, 10, 2, 10)


def test_zero_seconds_is_due_at_once():
    assert add_business_seconds(make(), at(2025, 9, 27, 10), 0) == at(2025, 9, 27, 10)


def test_intervals_ending_at_midnight_continue_into_the_next_day():
    cal = make({"0": [["18:00", "24:00"]], "1": [["00:00", "02:00"]]})
    assert add_business_seconds(cal, at(2025, 9, 29, 23), 2 * HOUR) == at(2025, 9, 30, 1)
    assert business_seconds(cal, at(2025, 9, 29, 20), at(2025, 9, 30, 3)) == 6 * HOUR
    assert not is_open(cal, at(2025, 9, 30, 2))


def test_spring_forward_day_is_an_hour_shorter():
    # New York moved from 02:00 EST to 03:00 EDT on Sunday 2025-03-09.
    cal = make(ALL_DAY, tz=NEW_YORK)
    start, end = at(2025, 3, 8, 12, tz=NEW_YORK), at(2025, 3, 9, 12, tz=NEW_YORK)
    assert business_seconds(cal, start, end) == 23 * HOUR
    # Sat 23:00 + 3 real hours: 00:00, 01:00, (02:00 skipped) -> 03:00 EDT.
    due = add_business_seconds(cal, at(2025, 3, 8, 23, tz=NEW_YORK), 3 * HOUR)
    assert due == datetime(2025, 3, 9, 7, tzinfo=UTC)
    assert due.astimezone(NEW_YORK).hour == 3


def test_office_hours_across_dst_change_keep_their_length():
    cal = make({str(day): [["09:00", "18:00"]] for day in range(7)}, tz=NEW_YORK)
    # Sat 17-18 + Sun 09-10, the clocks moved in between.
    sat, sun = at(2025, 3, 8, 17, tz=NEW_YORK), at(2025, 3, 9, 10, tz=NEW_YORK)
    assert business_seconds(cal, sat, sun) == 2 * HOUR


def test_fall_back_day_is_an_hour_longer():
    # Berlin went from 03:00 CEST back to 02:00 CET on Sunday 2025-10-26.
    cal = make(ALL_DAY, tz=BERLIN)
    start, end = at(2025, 10, 26, tz=BERLIN), at(2025, 10, 27, tz=BERLIN)
    assert business_seconds(cal, start, end) == 25 * HOUR


def test_inputs_in_other_zones_are_read_as_instants():
    # 09:00 UTC is 17:00 in Shanghai on Friday; Monday 02:00 UTC is 10:00 there.
    start = datetime(2025, 9, 26, 9, tzinfo=UTC)
    end = datetime(2025, 9, 29, 2, tzinfo=UTC)
    assert business_seconds(make(), start, end) == 2 * HOUR


def test_a_year_is_counted_exactly():
    # 52 whole weeks from a Monday: 52 x 5 x 9 hours.
    start, end = at(2025, 1, 6), at(2026, 1, 5)
    assert business_seconds(make(), start, end) == 52 * 45 * HOUR
    assert add_business_seconds(make(), start, 52 * 45 * HOUR) == at(2026, 1, 2, 18)


def test_is_open_boundaries():
    cal = make(WITH_LUNCH)
    assert is_open(cal, at(2025, 9, 29, 9))
    assert not is_open(cal, at(2025, 9, 29, 12, 30))
    assert is_open(cal, at(2025, 9, 29, 17, 59))
    assert not is_open(cal, at(2025, 9, 29, 18))
    assert not is_open(cal, at(2025, 9, 27, 10))  # Saturday


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        business_seconds(make(), datetime(2025, 9, 29, 9), at(2025, 9, 29, 10))


def test_a_week_without_hours_raises_instead_of_looping():
    with pytest.raises(ValueError, match="No business hours"):
        make({})
    with pytest.raises(ValueError, match="No business hours"):
        BusinessCalendar(week=((),) * 7, tz=SHANGHAI)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "at least one day"),
        ({"0": []}, "at least one day"),
        ([["09:00", "18:00"]], "map weekdays"),
        ({"7": [["09:00", "18:00"]]}, "not a weekday"),
        ({"0": [["9:00", "18:00"]]}, "HH:MM"),
        ({"0": [["09:00", "25:00"]]}, "not a time of day"),
        ({"0": [["24:00", "24:00"]]}, "not a time of day"),
        ({"0": [["18:00", "09:00"]]}, "ends before it starts"),
        ({"0": [["09:00", "09:00"]]}, "ends before it starts"),
        ({"0": [["09:00", "13:00"], ["12:00", "18:00"]]}, "overlap"),
        ({"0": [["09:00"]]}, "not an interval"),
        ({"0": "09:00-18:00"}, "list of"),
    ],
)
def test_bad_business_hours_are_refused_with_a_clear_message(value, message):
    with pytest.raises(ValidationError) as error:
        validate_business_hours(value)
    assert message in " ".join(error.value.messages)


def test_good_business_hours_pass_and_touching_intervals_are_allowed():
    validate_business_hours(WITH_LUNCH)
    validate_business_hours({"5": [["09:00", "12:00"], ["12:00", "24:00"]]})
    assert parse_week({"0": [["13:00", "18:00"], ["09:00", "12:00"]]})[0] == (
        (540, 720),
        (780, 1080),
    )


def test_calendar_dates_are_checked():
    validate_calendar_dates(["2025-10-01"], ["2025-09-28"])
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        validate_calendar_dates(["10/01/2025"], [])
    with pytest.raises(ValidationError, match="both a holiday"):
        validate_calendar_dates(["2025-10-01"], ["2025-10-01"])
