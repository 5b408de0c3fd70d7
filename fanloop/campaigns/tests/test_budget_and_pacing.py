"""Budget arithmetic in fen (queries.budget, queries.burn) and pacing math (pacing.compute)
against hand-computed cases."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fanloop.campaigns import pacing, queries, services
from fanloop.campaigns.models import GoalMeasurement

D = Decimal


# Budget -----------------------------------------------------------------------------------


@pytest.fixture
def budgeted(marketer, workspace):
    """Five days in the past: 2026-03-01..05, three lines, spends and a refund."""
    campaign = services.create_campaign(
        actor=marketer,
        workspace=workspace,
        data={"name": "春季", "start_date": date(2026, 3, 1), "end_date": date(2026, 3, 5)},
    )

    def line(category, planned_fen):
        return services.save_item(
            actor=marketer,
            campaign=campaign,
            kind="budget_line",
            data={"category": category, "planned_fen": planned_fen},
        )

    def spend(target, day, amount_fen):
        services.add_spend(
            actor=marketer, line=target, spent_on=date(2026, 3, day), amount_fen=amount_fen
        )

    kol = line("kol", 1_000_001)  # ¥10,000.01
    social_a = line("ads_social", 300_000)
    line("ads_social", 200_000)  # nothing spent yet
    spend(kol, 1, 300_000)
    spend(kol, 3, 250_050)
    spend(kol, 4, -50_000)  # refund
    spend(social_a, 3, 350_000)  # overspent
    return campaign


@pytest.mark.django_db
def test_budget_totals_variance_and_categories_are_exact_in_fen(budgeted):
    summary = queries.budget(budgeted)
    rows = {(row.line.category, row.line.planned_fen): row for row in summary.rows}
    kol = rows[("kol", 1_000_001)]
    assert kol.actual_fen == 500_050  # 300_000 + 250_050 - 50_000
    assert kol.variance_fen == 499_951
    over = rows[("ads_social", 300_000)]
    assert (over.actual_fen, over.variance_fen) == (350_000, -50_000)
    untouched = rows[("ads_social", 200_000)]
    assert (untouched.actual_fen, untouched.variance_fen) == (0, 200_000)
    assert summary.planned_fen == 1_500_001
    assert summary.actual_fen == 850_050
    assert summary.variance_fen == 649_951
    assert summary.by_category == {"ads_social": (500_000, 350_000), "kol": (1_000_001, 500_050)}
    assert summary.used_share == pytest.approx(850_050 / 1_500_001)
    assert all(isinstance(value, int) for value in (summary.planned_fen, summary.actual_fen))


@pytest.mark.django_db
def test_an_empty_budget_has_no_used_share(campaign):
    summary = queries.budget(campaign)
    assert (summary.planned_fen, summary.actual_fen, summary.variance_fen) == (0, 0, 0)
    assert summary.used_share is None
    assert summary.rows == []


@pytest.mark.django_db
def test_burn_is_cumulative_spend_against_a_straight_line_plan(budgeted):
    burn = queries.burn(budgeted)
    assert burn["days"] == [f"2026-03-0{day}" for day in range(1, 6)]
    # 1_500_001 over 5 days, rounded per day
    assert burn["planned_fen"] == [300_000, 600_000, 900_001, 1_200_001, 1_500_001]
    # day 1: 300_000; day 3: +250_050 +350_000; day 4: refund -50_000
    assert burn["actual_fen"] == [300_000, 300_000, 900_050, 850_050, 850_050]


@pytest.mark.django_db
def test_burn_counts_early_spend_on_day_one_and_leaves_the_future_empty(marketer, workspace):
    today = timezone.localdate()
    campaign = services.create_campaign(
        actor=marketer,
        workspace=workspace,
        data={
            "name": "进行中",
            "start_date": today - timedelta(days=1),
            "end_date": today + timedelta(days=1),
        },
    )
    line = services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="budget_line",
        data={"category": "tools", "planned_fen": 300},
    )
    services.add_spend(actor=marketer, line=line, spent_on=today - timedelta(days=5), amount_fen=40)
    services.add_spend(actor=marketer, line=line, spent_on=today, amount_fen=60)
    burn = queries.burn(campaign)
    assert burn["planned_fen"] == [100, 200, 300]
    assert burn["actual_fen"] == [40, 100, None]


# Pacing -----------------------------------------------------------------------------------

START = date(2026, 1, 1)
DEADLINE = date(2026, 1, 11)  # ten days


def compute(series, today, baseline=0, target=1000, higher_is_better=True):
    return pacing.compute(
        baseline=D(baseline),
        target=D(target),
        start=START,
        deadline=DEADLINE,
        series=[(day, D(value)) for day, value in series],
        today=today,
        higher_is_better=higher_is_better,
    )


def test_on_pace():
    # 600 after 5 of 10 days: 120/day -> 1200 at the deadline; 400 left over 5 days = 80/day
    pace = compute([(date(2026, 1, 3), 200), (date(2026, 1, 6), 600)], today=date(2026, 1, 6))
    assert pace.actual == 600
    assert pace.as_of == date(2026, 1, 6)
    assert pace.progress == D("0.6000")
    assert pace.elapsed == D("0.5000")
    assert pace.projected == D("1200.0000")
    assert pace.needed_per_day == D("80.0000")
    assert pace.on_pace is True


def test_off_pace():
    # 300 after 5 days: 60/day -> 600; 700 left over 5 days = 140/day
    pace = compute([(date(2026, 1, 6), 300)], today=date(2026, 1, 7))
    assert pace.progress == D("0.3000")
    assert pace.elapsed == D("0.6000")
    assert pace.projected == D("600.0000")
    assert pace.needed_per_day == D("140.0000")
    assert pace.on_pace is False


def test_lower_is_better_metric():
    # negative-comment share from 10% to 5%: at 8% after 4 days, -0.5/day -> 5% in 6 days
    on = compute(
        [(date(2026, 1, 5), 8)],
        today=date(2026, 1, 5),
        baseline=10,
        target=5,
        higher_is_better=False,
    )
    assert on.progress == D("0.4000")
    assert on.projected == D("5.0000")
    assert on.needed_per_day == D("-0.5000")
    assert on.on_pace is True
    # at 9% after 4 days: -0.25/day -> 7.5%, needs -4/6 a day
    off = compute(
        [(date(2026, 1, 5), 9)],
        today=date(2026, 1, 5),
        baseline=10,
        target=5,
        higher_is_better=False,
    )
    assert off.projected == D("7.5000")
    assert off.needed_per_day == D("-0.6667")
    assert off.on_pace is False


def test_target_already_reached():
    # 1100 after 3 days: reached, so nothing more is needed and it counts as on pace
    pace = compute([(date(2026, 1, 4), 1100)], today=date(2026, 1, 4))
    assert pace.progress == D("1.1000")
    assert pace.needed_per_day is None
    assert pace.on_pace is True
    assert pace.projected == D("3666.6667")  # 1100 + 1100/3 * 7


def test_no_data_yet():
    pace = compute([], today=date(2026, 1, 3))
    assert pace.actual is None
    assert pace.progress is None
    assert pace.projected is None
    assert pace.needed_per_day is None
    assert pace.on_pace is None
    assert pace.elapsed == D("0.2000")


def test_deadline_passed_below_target():
    # final value at the deadline, looked at later: no days left, no pace to ask for
    pace = compute([(DEADLINE, 900)], today=date(2026, 1, 20))
    assert pace.elapsed == D("1.0000")
    assert pace.projected == D("900.0000")
    assert pace.needed_per_day is None
    assert pace.on_pace is False


def test_elapsed_is_clamped_before_the_start():
    assert compute([], today=date(2025, 12, 25)).elapsed == D("0.0000")


@pytest.mark.django_db
def test_goal_pacing_reads_measurements_up_to_the_deadline(marketer, planned_ready):
    # given an orders goal (0 -> 5000 by 11-11 in a campaign starting 10-20)
    goal = planned_ready.goals.get()
    for day, value in ((date(2026, 10, 30), 2000), (date(2026, 11, 11), 4800)):
        # written directly so the test does not depend on today's date
        GoalMeasurement.objects.create(goal=goal, measured_on=day, value=value, source_note="后台")
    goal.deadline = date(2026, 11, 10)
    goal.save()
    # when it is paced after the deadline, the value after the deadline is not used
    pace = pacing.goal_pacing(goal, today=date(2026, 11, 20))
    assert pace.actual == 2000
    assert pace.as_of == date(2026, 10, 30)
    # 2000 in 10 days = 200/day, 11 days to the deadline -> 4200
    assert pace.projected == D("4200.0000")
    assert pace.on_pace is False
