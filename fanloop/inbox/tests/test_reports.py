"""Team report figures against a hand-computed fixture.

Workspace A (Asia/Shanghai), report of Mon 2025-09-29 and Tue 2025-09-30, read at
Tue 20:00. Account A is Weibo, account B Douyin; op1 and op2 are operators.

    thread acct assignee  fan messages (local time)                      our replies
    t1     A    op1       m1 09-29 10:00 turn, answered, 1800 s          op1 10:30
    t2     A    op1       m2 09-29 11:00 turn, answered, 7200 s          op2 13:00
                          m3 09-29 11:05 answered, 7000 s (not a turn)
    t3     B    op2       m4 09-29 15:00 turn, unanswered, breached      -
                          m5 hidden; m6 needs no reply
    t4     A    -         m7 09-29 00:30 turn, answered, 1800 s          op1 09:30
    t5     B    op2       m8 09-30 09:00 turn, answered, 600 s           op2 09:10
    t6     A    -         m9 09-30 19:30 turn, waiting                   op1 19:40 FAILED
    t7     B    op1       m10 09-30 15:00 waiting
    t8     A    -         m11 09-30 10:00 waiting, thread closed
    early  A    -         09-28 23:30: the day before the range
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fanloop.core.permissions import Role
from fanloop.inbox import reports
from fanloop.inbox.models import DeliveryState, Direction, InboxSettings
from fanloop.inbox.reports import ReportScope, percentile, team_report
from fanloop.inbox.tests.sla_factories import make_account, make_message, make_thread

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 9, 30, 20, tzinfo=SH)
DAY1, DAY2 = date(2025, 9, 29), date(2025, 9, 30)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 9, day, hour, minute, tzinfo=SH)


@pytest.fixture
def world(workspace, other_workspace, member_with_role):
    op1, op2 = member_with_role(Role.OPERATOR), member_with_role(Role.ANALYST)
    acct_a = make_account(workspace, "A", "weibo")
    acct_b = make_account(workspace, "B", "douyin")

    def thread(acct, assignee=None, **fields):
        return make_thread(
            workspace, at=NOW, account=acct, platform=acct.platform, assignee=assignee, **fields
        )

    def answered(th, at, seconds, replier, reply_at, turn=True):
        message = make_message(
            th, at=at, opens_turn=turn, responded_at=reply_at, response_business_seconds=seconds
        )
        if replier is not None:
            reply(th, reply_at, replier)
        return message

    def reply(th, at, who, **fields):
        return make_message(th, at=at, direction=Direction.OUTBOUND, sent_by=who, **fields)

    t1 = thread(acct_a, op1)
    answered(t1, t(29, 10), 1800, op1, t(29, 10, 30))
    t2 = thread(acct_a, op1)
    answered(t2, t(29, 11), 7200, op2, t(29, 13))
    answered(t2, t(29, 11, 5), 7000, None, t(29, 13), turn=False)
    t3 = thread(acct_b, op2, waiting_since=t(29, 15))
    make_message(t3, at=t(29, 15), opens_turn=True, sla_breached=True)
    make_message(t3, at=t(29, 16), opens_turn=False, hidden=True, sla_breached=True)
    make_message(t3, at=t(29, 16, 30), needs_reply=False)
    t4 = thread(acct_a)
    answered(t4, t(29, 0, 30), 1800, op1, t(29, 9, 30))
    t5 = thread(acct_b, op2)
    answered(t5, t(30, 9), 600, op2, t(30, 9, 10))
    t6 = thread(acct_a, waiting_since=t(30, 19, 30))
    make_message(t6, at=t(30, 19, 30), opens_turn=True)
    reply(t6, t(30, 19, 40), op1, delivery=DeliveryState.FAILED)
    t7 = thread(acct_b, op1, waiting_since=t(30, 15))
    make_message(t7, at=t(30, 15), opens_turn=True)
    t8 = thread(acct_a, waiting_since=t(30, 10), status="closed")
    make_message(t8, at=t(30, 10), opens_turn=True)
    early = thread(acct_a)
    answered(early, t(28, 23, 30), 60, op1, t(28, 23, 31))
    # Workspace B: the same shapes on the same days never count for A.
    other = make_account(other_workspace, "A", "weibo")
    theirs = make_thread(other_workspace, at=NOW, account=other, waiting_since=t(30, 9))
    make_message(theirs, at=t(29, 10), opens_turn=True, sla_breached=True)
    answered(make_thread(other_workspace, at=NOW, account=other), t(29, 12), 99, None, t(29, 13))
    InboxSettings.objects.create(workspace=workspace, reply_rate_target=0.9)
    return {"op1": op1, "op2": op2, "a": acct_a, "b": acct_b}


def report(workspace, **filters):
    return team_report(ReportScope(workspace=workspace, start=DAY1, end=DAY2, **filters), now=NOW)


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([5], 0.9) == 5
    assert percentile([60, 120], 0.5) == 90
    assert percentile(list(range(10, 101, 10)), 0.9) == pytest.approx(91)
    assert percentile([7200, 1800, 600, 1800], 0.5) == 1800


def test_totals(workspace, world):
    totals = report(workspace).totals
    assert (totals.needing_reply, totals.replied, totals.breaches) == (9, 5, 1)
    assert totals.reply_rate == pytest.approx(5 / 9)
    assert sorted(totals.frt_seconds) == [600, 1800, 1800, 7200]
    assert totals.frt_median == 1800
    assert totals.frt_p90 == pytest.approx(1800 + 5400 * 0.7)
    assert totals.replies_sent == 4
    assert totals.backlog == 3


def test_targets_come_from_the_settings(workspace, world):
    result = report(workspace)
    assert result.reply_rate_target == 0.9
    assert result.below_rate_target
    assert result.reply_target_minutes == 120


def test_per_day_in_the_workspaces_time_zone(workspace, world):
    days = {row.day: row.figures for row in report(workspace).days}
    assert list(days) == [DAY1, DAY2]
    first, second = days[DAY1], days[DAY2]
    # 00:30 local on the 29th is still the 28th in UTC: it counts on the 29th.
    assert (first.needing_reply, first.replied, first.breaches) == (5, 4, 1)
    assert first.reply_rate == pytest.approx(0.8)
    assert first.frt_median == 1800
    assert first.frt_p90 == pytest.approx(1800 + 5400 * 0.8)
    assert first.replies_sent == 3
    assert (second.needing_reply, second.replied, second.replies_sent) == (4, 1, 1)
    assert second.frt_median == 600


def test_an_empty_day_has_no_rate_rather_than_zero(workspace, world):
    row = team_report(
        ReportScope(workspace=workspace, start=date(2025, 9, 1), end=date(2025, 9, 1)), now=NOW
    ).days[0]
    assert row.figures.needing_reply == 0
    assert row.figures.reply_rate is None
    assert row.figures.frt_median is None


def test_per_person(workspace, world):
    people = {row.user: row.figures for row in report(workspace).people}
    op1, op2 = people[world["op1"]], people[world["op2"]]
    assert op1.replies_sent == 2
    assert sorted(op1.frt_seconds) == [1800, 1800]
    assert (op1.needing_reply, op1.replied, op1.breaches, op1.backlog) == (4, 3, 0, 1)
    assert op2.replies_sent == 2
    assert op2.frt_median == 3900
    assert (op2.needing_reply, op2.replied, op2.breaches, op2.backlog) == (2, 1, 1, 1)
    unassigned = people[None]
    assert (unassigned.needing_reply, unassigned.replied, unassigned.backlog) == (3, 1, 1)
    assert list(people)[-1] is None  # the unassigned row comes last


def test_per_account(workspace, world):
    accounts = {row.account: row.figures for row in report(workspace).accounts}
    a, b = accounts[world["a"]], accounts[world["b"]]
    assert (a.needing_reply, a.replied, a.breaches, a.backlog, a.replies_sent) == (6, 4, 0, 1, 3)
    assert sorted(a.frt_seconds) == [1800, 1800, 7200]
    assert (b.needing_reply, b.replied, b.breaches, b.backlog, b.replies_sent) == (3, 1, 1, 2, 1)
    assert b.frt_seconds == [600]


def test_backlog_age_buckets_use_wall_clock_time(workspace, world):
    result = report(workspace)
    assert {bucket.key: bucket.count for bucket in result.backlog_buckets} == {
        "lt1h": 1,  # t6, 30 minutes
        "1to4h": 0,
        "4to24h": 1,  # t7, 5 hours
        "gt24h": 1,  # t3, 29 hours (13 of them business hours)
    }
    assert result.oldest_waiting_since == t(29, 15)


def test_filters(workspace, world):
    douyin = report(workspace, platform="douyin").totals
    assert (douyin.needing_reply, douyin.replied, douyin.backlog) == (3, 1, 2)
    only_a = report(workspace, account_id=world["a"].pk).totals
    assert (only_a.needing_reply, only_a.replied, only_a.replies_sent) == (6, 4, 3)
    op1 = report(workspace, person_id=world["op1"].pk).totals
    assert (op1.needing_reply, op1.replied, op1.replies_sent, op1.backlog) == (4, 3, 2, 1)
    assert sorted(op1.frt_seconds) == [1800, 1800]
    second_day = team_report(ReportScope(workspace=workspace, start=DAY2, end=DAY2), now=NOW)
    assert second_day.totals.needing_reply == 4
    assert [row.day for row in second_day.days] == [DAY2]


def test_reply_rate_today(workspace, world):
    assert reports.reply_rate_today(workspace, now=NOW) == (1, 4, 0.25)
    assert reports.reply_rate_today(workspace, now=NOW + timedelta(days=3)) == (0, 0, None)


def test_another_workspaces_report_sees_only_its_rows(other_workspace, world):
    totals = report(other_workspace).totals
    assert (totals.needing_reply, totals.replied, totals.breaches, totals.backlog) == (2, 1, 1, 1)
    assert totals.frt_seconds == [99]
