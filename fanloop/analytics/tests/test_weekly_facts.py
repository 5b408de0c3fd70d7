"""The weekly rollup: whole built weeks of a period are summed from WeeklyFact, the rest
from DailyFact, and every read equals summing the period's days alone, whether a week is
built, stale, never built or only partly inside the period."""

from datetime import date, timedelta
from importlib import import_module

import pytest
from django.apps import apps

from fanloop.analytics import queries, rollups, tasks
from fanloop.analytics.kpis import Totals
from fanloop.analytics.models import DailyFact, FactsVersion, WeeklyFact, WeekRollup
from fanloop.analytics.tests import rollup_fixtures as f

pytestmark = pytest.mark.django_db

# Monday 1 June 2026 to Sunday 28 June 2026: four whole weeks
FIRST = date(2026, 6, 1)
LAST = date(2026, 6, 28)
MEASURED = ("clicks", "unique_clicks", "orders", "net_gmv_fen", "cost_fen", "impressions")


def _daily_only(scope: queries.Scope) -> Totals:
    return queries.totals_from(queries.facts(scope).aggregate(**queries.aggregates()))


def _daily_only_by(scope: queries.Scope, field: str) -> dict[object, tuple[int, int]]:
    sums: dict[object, tuple[int, int]] = {}
    for value, clicks, gmv in queries.facts(scope).values_list(field, "clicks", "net_gmv_fen"):
        before = sums.get(value, (0, 0))
        sums[value] = (before[0] + clicks, before[1] + gmv)
    return sums


def _by(scope: queries.Scope, by: str) -> dict[object, tuple[int, int]]:
    """A breakdown keyed like _daily_only_by: by the dimension's value."""
    rows = queries.breakdown(scope, by)
    return {
        (row.key if by == "platform" else row.ref): (row.totals.clicks, row.totals.net_gmv_fen)
        for row in rows
    }


@pytest.fixture
def month_of_facts(workspace):
    """Clicks, orders, post metrics and costs on every day of four weeks, on two links,
    a post and a partner, rolled up days and weeks."""
    camp = f.campaign(workspace)
    partner = f.partner(workspace)
    variant = f.variant(workspace, camp)
    links = [
        f.link(workspace, "wk1", campaign=camp, platform="weibo"),
        f.link(workspace, "wk2", campaign=camp, platform="douyin", partner=partner),
    ]
    for offset in range(28):
        day = FIRST + timedelta(days=offset)
        for n, link in enumerate(links):
            for click in range(1 + (offset + n) % 3):
                f.click(link, f.local(day.year, day.month, day.day, 9, click), ip_hash=f"i{click}")
        f.order(
            workspace,
            f.local(day.year, day.month, day.day, 12, 0),
            link=links[offset % 2],
            campaign=camp,
            paid=1000 + offset,
        )
        f.post_metric(workspace, day, "", variant=variant, impressions=100 + offset)
        f.cost(workspace, day, 50 + offset, campaign=camp)
    rollups.rebuild_range(workspace, FIRST, LAST)
    return camp


def test_a_full_rebuild_sums_each_week_of_days(workspace, month_of_facts):
    # given a full rebuild over four weeks
    # then each week's rows hold the sums of its days, per dimension, and each is built
    for week in (FIRST + timedelta(days=7 * n) for n in range(4)):
        days = DailyFact.objects.filter(
            workspace=workspace, day__gte=week, day__lte=week + timedelta(days=6)
        )
        weekly = WeeklyFact.objects.filter(workspace=workspace, week=week)
        for link_id in {None, *days.values_list("link_id", flat=True)}:
            for name in MEASURED:
                expected = sum(days.filter(link_id=link_id).values_list(name, flat=True))
                got = sum(weekly.filter(link_id=link_id).values_list(name, flat=True))
                assert got == expected, (week, link_id, name)
        assert weekly.count() == days.values(*rollups.DIMENSIONS).distinct().count()
    assert set(WeekRollup.objects.values_list("week", "built")) == {
        (FIRST + timedelta(days=7 * n), True) for n in range(4)
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (FIRST, LAST),  # four whole weeks
        (date(2026, 6, 3), date(2026, 6, 25)),  # partial weeks at both ends
        (date(2026, 6, 8), date(2026, 6, 14)),  # exactly one week
        (date(2026, 6, 9), date(2026, 6, 13)),  # inside one week
        (date(2026, 6, 7), date(2026, 6, 15)),  # a Sunday, a whole week, a Monday
        (date(2026, 5, 20), date(2026, 7, 10)),  # beyond the facts on both sides
    ],
)
def test_reads_equal_summing_the_days(workspace, month_of_facts, start, end):
    # given built weeks, when a period is read, totals and breakdowns equal the days' sums
    scope = queries.Scope(workspace.pk, start, end, campaign_id=month_of_facts.pk)
    assert queries.totals(scope) == _daily_only(scope)
    for by, field in (("link", "link_id"), ("partner", "partner_id"), ("platform", "platform")):
        assert _by(scope, by) == _daily_only_by(scope, field), by
    posts = {ref: sums for ref, sums in _by(scope, "post").items() if ref is not None}
    assert posts == {
        ref: sums for ref, sums in _daily_only_by(scope, "variant_id").items() if ref is not None
    }
    previous = scope.previous()
    assert queries.totals(previous) == _daily_only(previous)


def test_whole_weeks_are_read_from_the_weekly_rows(workspace, month_of_facts):
    # given the weekly row of one link in the second week, changed behind the rollup's back
    week = date(2026, 6, 8)
    row = WeeklyFact.objects.filter(workspace=workspace, week=week, link__code="wk1").first()
    row.clicks += 1000
    row.save()
    rollups.bump_version(workspace.pk)

    # when periods covering the whole week, and only part of it, are read
    whole = queries.Scope(workspace.pk, week, week + timedelta(days=6))
    part = queries.Scope(workspace.pk, week, week + timedelta(days=5))

    # then only the whole week sees the weekly row
    assert queries.totals(whole).clicks == _daily_only(whole).clicks + 1000
    assert queries.totals(part) == _daily_only(part)


def test_a_rebuilt_day_makes_its_week_stale_and_reads_use_its_days(
    workspace, month_of_facts, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # given a click added on Wednesday of the second week and the day rebuilt
    link = f.link(workspace, "wk3", campaign=month_of_facts, platform="weibo")
    f.click(link, f.local(2026, 6, 10, 15, 0))
    rollups.rebuild_day(workspace, date(2026, 6, 10))

    # then the week is stale, its weekly rows not yet rebuilt, and reads still add up
    assert list(WeekRollup.objects.filter(built=False).values_list("week", flat=True)) == [
        date(2026, 6, 8)
    ]
    assert not WeeklyFact.objects.filter(link=link).exists()
    scope = queries.Scope(workspace.pk, FIRST, LAST)
    assert queries.totals(scope) == _daily_only(scope)
    assert _by(scope, "link")[link.pk] == (1, 0)

    # when the job runs, the week is rebuilt and no longer stale
    version = FactsVersion.objects.get(workspace=workspace).version
    result = tasks.run_rollups.enqueue().return_value
    assert result["weeks"] >= 1  # and the weeks of days the fixture's rows left dirty
    assert result["weeks_failed"] == 0
    assert not WeekRollup.objects.filter(built=False).exists()
    assert WeeklyFact.objects.get(link=link).clicks == 1
    assert FactsVersion.objects.get(workspace=workspace).version > version
    assert queries.totals(scope) == _daily_only(scope)


def test_a_failed_week_stays_stale_and_others_go_on(workspace, other_workspace, monkeypatch):
    # given a stale week in each of two workspaces, and writing the first one fails
    week = date(2026, 6, 8)
    for ws in (workspace, other_workspace):
        f.click(f.link(ws, f"wf{ws.pk}"), f.local(2026, 6, 9, 10, 0))
        rollups.rebuild_day(ws, date(2026, 6, 9))
    real = rollups._write_week

    def broken(workspace_id: int, monday: date) -> int:
        if workspace_id == workspace.pk:
            raise RuntimeError("disk full")
        return real(workspace_id, monday)

    monkeypatch.setattr(rollups, "_write_week", broken)
    version = FactsVersion.objects.get(workspace=workspace).version

    # when stale weeks are processed
    result = rollups.process_stale_weeks()

    # then the failing week stays stale, keeps its version and has no rows; the other is built
    assert (result["weeks"], result["weeks_failed"]) == (1, 1)
    assert list(WeekRollup.objects.filter(built=False).values_list("workspace_id", "week")) == [
        (workspace.pk, week)
    ]
    assert FactsVersion.objects.get(workspace=workspace).version == version
    assert not WeeklyFact.objects.filter(workspace=workspace).exists()
    assert WeeklyFact.objects.get(workspace=other_workspace).clicks == 1


def test_weeks_of_another_workspace_are_never_read(workspace, other_workspace, month_of_facts):
    # given another workspace with its own built week of clicks
    other_link = f.link(other_workspace, "wo1", platform="weibo")
    for offset in range(7):
        f.click(other_link, f.local(2026, 6, 8 + offset, 10, 0))
    rollups.rebuild_range(other_workspace, date(2026, 6, 8), date(2026, 6, 14))

    # when each workspace reads the week, each sees only its own clicks
    ours = queries.Scope(workspace.pk, date(2026, 6, 8), date(2026, 6, 14))
    theirs = queries.Scope(other_workspace.pk, date(2026, 6, 8), date(2026, 6, 14))
    assert queries.totals(ours) == _daily_only(ours)
    assert queries.totals(theirs).clicks == 7
    assert other_link.pk not in _by(ours, "link")


def test_a_week_must_start_on_a_monday(workspace):
    with pytest.raises(ValueError, match="Monday"):
        rollups.rebuild_week(workspace.pk, date(2026, 6, 9))
    assert not WeeklyFact.objects.exists()


def test_weeks_never_built_are_read_from_their_days(workspace, month_of_facts):
    # given facts whose weeks have no weekly state (written before weekly rows existed)
    WeekRollup.objects.all().delete()
    WeeklyFact.objects.all().delete()
    rollups.bump_version(workspace.pk)

    # then reads sum the days
    scope = queries.Scope(workspace.pk, FIRST, LAST)
    assert queries.totals(scope) == _daily_only(scope)
    assert queries.totals(scope).clicks > 0

    # when the migration's step queues the existing weeks and the job runs
    migration = import_module("fanloop.analytics.migrations.0004_weekly_facts")
    migration.queue_existing_weeks(apps, None)
    assert set(WeekRollup.objects.values_list("week", "built")) == {
        (FIRST + timedelta(days=7 * n), False) for n in range(4)
    }
    assert rollups.process_stale_weeks()["weeks"] == 4

    # then every week is built and reads still equal the days
    assert WeeklyFact.objects.filter(workspace=workspace).exists()
    assert queries.totals(scope) == _daily_only(scope)
