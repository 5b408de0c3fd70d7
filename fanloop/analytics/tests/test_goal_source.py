"""Campaign goals read their actuals from the rollup; other metrics stay manual."""

from datetime import date
from decimal import Decimal

import pytest

from fanloop.analytics import rollups
from fanloop.analytics.goal_source import FactsMetricSource
from fanloop.analytics.tests import rollup_fixtures as f
from fanloop.campaigns import pacing
from fanloop.campaigns.models import Goal, GoalMeasurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def camp(workspace):
    camp = f.campaign(workspace, start=date(2026, 6, 1))
    weibo = f.link(workspace, "g1", campaign=camp, platform="weibo", channel="Moments")
    amy = f.partner(workspace, "Amy")
    xhs = f.link(workspace, "g2", campaign=camp, platform="xiaohongshu", partner=amy)
    other = f.link(workspace, "g3")  # no campaign: never counts for its goals
    for day, link, n in [(1, weibo, 3), (2, xhs, 1), (3, weibo, 1), (3, other, 9)]:
        for minute in range(n):
            f.click(link, f.local(2026, 6, day, 10, minute), ip_hash=f"ip{day}-{minute}")
    f.order(workspace, f.local(2026, 6, 2, 12, 0), link=xhs, campaign=camp, partner=amy)
    f.order(workspace, f.local(2026, 6, 3, 12, 0), link=weibo, campaign=camp)
    rollups.rebuild_range(workspace, date(2026, 6, 1), date(2026, 6, 3))
    return camp


def _goal(camp, metric: str, scope: str = "campaign", value: str = "") -> Goal:
    return Goal.objects.create(
        campaign=camp,
        goal_type="sales",
        metric=metric,
        target=Decimal(100),
        scope=scope,
        scope_value=value,
        deadline=date(2026, 6, 30),
    )


def _series(goal: Goal) -> list[tuple[date, Decimal]]:
    return pacing.metric_source().series(
        workspace=goal.campaign.workspace,
        metric=goal.metric,
        scope=goal.scope,
        scope_value=goal.scope_value,
        start=date(2026, 6, 1),
        end=date(2026, 6, 30),
        goal=goal,
    )


def test_the_rollup_source_is_registered():
    assert isinstance(pacing.metric_source(), FactsMetricSource)


def test_counts_are_cumulative_from_the_campaign_start(camp):
    assert _series(_goal(camp, "clicks")) == [
        (date(2026, 6, 1), Decimal(3)),
        (date(2026, 6, 2), Decimal(4)),
        (date(2026, 6, 3), Decimal(5)),
    ]
    pace = pacing.goal_pacing(_goal(camp, "orders"), date(2026, 6, 3))
    assert pace.actual == Decimal(2)
    assert pace.as_of == date(2026, 6, 3)


def test_rates_are_the_cumulative_ratio_to_date(camp):
    # orders ÷ clicks: day 1 0/3, day 2 1/4, day 3 2/5
    assert _series(_goal(camp, "conversion_rate")) == [
        (date(2026, 6, 1), Decimal("0.0000")),
        (date(2026, 6, 2), Decimal("25.0000")),
        (date(2026, 6, 3), Decimal("40.0000")),
    ]


def test_platform_and_kol_and_channel_scopes(camp):
    assert _series(_goal(camp, "clicks", "platform", "weibo"))[-1][1] == Decimal(4)
    assert _series(_goal(camp, "orders", "kol", "amy"))[-1][1] == Decimal(1)
    assert _series(_goal(camp, "clicks", "channel", "moments"))[-1][1] == Decimal(4)


def test_unknown_metrics_scopes_and_empty_facts_fall_back_to_measurements(workspace, camp):
    for goal in (
        _goal(camp, "reply_rate"),
        _goal(camp, "orders", "kol", "Nobody"),
        _goal(f.campaign(workspace, "quiet"), "orders"),
    ):
        GoalMeasurement.objects.create(
            goal=goal, measured_on=date(2026, 6, 5), value=Decimal(7), source_note="typed"
        )
        assert _series(goal) == [(date(2026, 6, 5), Decimal(7))], goal.metric


def test_another_workspaces_facts_never_count(workspace, other_workspace, camp):
    theirs = f.link(other_workspace, "zz9", campaign=camp)  # a forged cross-tenant link
    f.click(theirs, f.local(2026, 6, 1, 11, 0))
    rollups.rebuild_range(other_workspace, date(2026, 6, 1), date(2026, 6, 1))
    assert _series(_goal(camp, "clicks"))[-1][1] == Decimal(5)
