"""Group metrics (members, joins, leaves, DAU/WAU/MAU, active ratio, churn, health) against
hand-computed figures, first on the pure functions, then through the stored rollup."""

from datetime import date, datetime, time, timedelta

import pytest

from fanloop.community import metrics, queries
from fanloop.community.metrics import Activity, DayFigures, PlatformDay, Spell
from fanloop.community.models import GroupDay, JoinSource, MemberActivity
from fanloop.community.services import members as member_service
from fanloop.community.services.common import member_key
from fanloop.community.services.rollup import rollup_group

D0 = date(2025, 6, 2)


def d(n: int) -> date:
    return D0 + timedelta(days=n)


# Five people over a week: m4 joins and leaves the same day, m5 leaves and comes back.
SPELLS = [
    Spell(1, d(0)),
    Spell(2, d(0), d(5)),
    Spell(3, d(2)),
    Spell(4, d(3), d(3)),
    Spell(5, d(0), d(1)),
    Spell(5, d(4)),
]
ACTIVITY = {
    d(0): {1: Activity(2, 1, 10), 2: Activity(0, 0, 30)},  # m2 present but silent
    d(1): {2: Activity(1, 0)},
    d(3): {1: Activity(3, 0), 3: Activity(1, 2, 20)},
    d(5): {3: Activity(0, 1)},
    d(6): {1: Activity(1, 0)},
}


def test_members_joins_and_leaves_per_day():
    rows = metrics.compute_days(d(0), d(6), SPELLS, ACTIVITY)

    assert [r.members for r in rows] == [3, 2, 3, 3, 4, 3, 3]
    assert [r.joined for r in rows] == [3, 0, 1, 1, 1, 0, 0]
    assert [r.left for r in rows] == [0, 1, 0, 1, 0, 1, 0]


def test_daily_weekly_and_monthly_active_members():
    rows = metrics.compute_days(d(0), d(6), SPELLS, ACTIVITY)

    assert [r.dau for r in rows] == [1, 1, 0, 2, 0, 1, 1]
    assert [r.wau for r in rows] == [1, 2, 2, 3, 3, 3, 3]
    assert rows[-1].mau == 3
    assert [r.messages for r in rows] == [2, 1, 0, 4, 0, 0, 1]
    assert [r.interactions for r in rows] == [1, 0, 0, 2, 0, 1, 0]
    # Only active members' online time counts; m2 was online but silent.
    assert rows[0].online_minutes_avg == 10
    assert rows[3].online_minutes_avg == 20
    assert rows[3].active_ratio == pytest.approx(2 / 3)
    assert rows[2].activity_source == ""


def test_wau_forgets_activity_older_than_seven_days():
    rows = metrics.compute_days(d(0), d(8), SPELLS, ACTIVITY)

    # On day 7 the window is days 1..7: m2 (day 1), m1 and m3; on day 8 m2 drops out.
    assert rows[7].wau == 3
    assert rows[8].wau == 2
    assert rows[8].mau == 3


def test_health_of_the_fixture_week():
    rows = metrics.compute_days(d(0), d(6), SPELLS, ACTIVITY)

    health = metrics.health(rows, members_before=0)

    parts = {p.key: p for p in health.parts}
    # No one before the week: rates are measured against today's 3 members.
    assert parts["activity"].measure == 1.0
    assert parts["activity"].points == 40
    assert parts["conversation"].measure == pytest.approx(8 / 3, abs=0.01)
    assert parts["conversation"].points == 17.8
    assert parts["growth"].points == 15  # 6 joins / 3: capped
    assert parts["retention"].measure == 1.0
    assert parts["retention"].points == 0
    assert health.score == 72.8


def test_health_of_an_ordinary_week():
    rows = [DayFigures(day=d(n), members=100 + n) for n in range(6)]
    rows.append(DayFigures(day=d(6), members=104, wau=30))
    for row, (joined, left, messages) in zip(
        rows,
        [(1, 0, 20), (1, 1, 20), (1, 0, 20), (1, 0, 20), (1, 1, 20), (1, 0, 20), (0, 0, 30)],
        strict=True,
    ):
        row.joined, row.left, row.messages = joined, left, messages

    health = metrics.health(rows, members_before=100)

    points = {p.key: p.points for p in health.parts}
    assert points == {"activity": 23.1, "conversation": 9.6, "growth": 15.0, "retention": 15.0}
    assert health.churn_rate == pytest.approx(0.02)
    assert health.growth_rate == pytest.approx(0.06)
    assert health.score == 62.7


def test_heavy_churn_scores_no_retention_points():
    rows = [DayFigures(day=d(n), members=90, left=2 if n < 5 else 0) for n in range(7)]

    health = metrics.health(rows, members_before=100)

    assert {p.key: p.points for p in health.parts}["retention"] == 0
    assert health.churn_rate == pytest.approx(0.10)


def test_an_empty_group_has_no_health_score():
    assert metrics.health([DayFigures(day=d(0))], members_before=0).score is None
    assert metrics.health([], members_before=0).score is None


def test_platform_totals_fill_days_without_member_activity():
    platform = {d(2): PlatformDay(active_members=5, messages=40)}

    rows = metrics.compute_days(d(0), d(3), SPELLS, ACTIVITY, platform)

    assert (rows[2].dau, rows[2].messages, rows[2].activity_source) == (5, 40, "platform")
    # WAU is at least the largest day known only from totals (a lower bound).
    assert rows[2].wau == 5
    # Member-level activity wins where both exist.
    assert rows[3].activity_source == "members"


# Through the database -----------------------------------------------------------------------


def _at(group, day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=group.workspace.zoneinfo)


@pytest.mark.django_db
def test_rollup_stores_the_hand_computed_figures(group):
    members = {}
    for spell in SPELLS:
        member, _new = member_service.get_or_create_member(
            group, member_key(group, f"u{spell.member}"), nickname=f"m{spell.member}"
        )
        members[spell.member] = member
        if spell.left is None:
            member_service.record_join(member, _at(group, spell.joined), source=JoinSource.IMPORT)
        else:
            member_service.record_stay(
                member, _at(group, spell.joined, 9), _at(group, spell.left, 21), source="import"
            )
    for day, people in ACTIVITY.items():
        for person, activity in people.items():
            MemberActivity.objects.create(
                member=members[person],
                group=group,
                day=day,
                messages=activity.messages,
                interactions=activity.interactions,
                online_minutes=activity.online_minutes,
            )

    written = rollup_group(group, d(0), d(6))

    assert written == 7
    stored = list(GroupDay.objects.filter(group=group).order_by("day"))
    assert [r.members for r in stored] == [3, 2, 3, 3, 4, 3, 3]
    assert [r.dau for r in stored] == [1, 1, 0, 2, 0, 1, 1]
    assert [r.wau for r in stored] == [1, 2, 2, 3, 3, 3, 3]
    assert stored[-1].health == 72.8
    health, latest = queries.health_now(group, d(6))
    assert latest == stored[-1]
    assert health.score == 72.8


@pytest.mark.django_db
def test_rollup_again_replaces_rather_than_adds(group):
    member, _new = member_service.get_or_create_member(group, member_key(group, "u1"))
    member_service.record_join(member, _at(group, d(0)), source=JoinSource.IMPORT)
    rollup_group(group, d(0), d(2))

    rollup_group(group, d(0), d(2))

    assert GroupDay.objects.filter(group=group).count() == 3
    assert GroupDay.objects.get(group=group, day=d(2)).members == 1


def test_headcount_agrees_with_counting_each_day_on_random_histories():
    import random

    rng = random.Random(7)
    spells = []
    for member in range(60):
        day = d(rng.randint(-20, 20))
        for _stay in range(rng.randint(1, 3)):
            left = day + timedelta(days=rng.randint(0, 15)) if rng.random() < 0.6 else None
            spells.append(Spell(member, day, left))
            if left is None:
                break
            day = left + timedelta(days=rng.randint(-2, 5))  # sometimes overlapping

    rows = metrics.compute_days(d(-5), d(40), spells, {})

    assert [r.members for r in rows] == [metrics.members_at(spells, r.day) for r in rows]
