"""The rollup against a hand-computed day, and incremental builds against full ones."""

from datetime import date, timedelta

import pytest

from fanloop.analytics import queries, rollups
from fanloop.analytics.kpis import Totals
from fanloop.analytics.models import DailyFact, RollupDirty
from fanloop.analytics.tests import rollup_fixtures as f

pytestmark = pytest.mark.django_db

D = date(2026, 6, 10)


def _scope(workspace, **extra) -> queries.Scope:
    return queries.Scope(workspace_id=workspace.pk, start=D, end=D, **extra)


def _snapshot(workspace) -> list[tuple]:
    names = [*rollups.DIMENSIONS, *rollups.MEASURES]
    return sorted(
        DailyFact.objects.filter(workspace=workspace).values_list("day", *names), key=repr
    )


@pytest.fixture
def day(workspace):
    """One day of every kind of raw row (the numbers are worked out in the test)."""
    camp = f.campaign(workspace)
    amy = f.partner(workspace)
    var = f.variant(workspace, camp)
    acc = f.account(workspace)
    link = f.link(
        workspace, "xhs1", campaign=camp, platform="xiaohongshu", variant=var, partner=amy
    )
    code = f.promo(workspace, "AMY618", camp, partner=amy, platform="douyin", cost_per_use_fen=500)
    f.post_metric(
        workspace, D, "p1", account=acc, variant=var,
        impressions=1000, views=400, likes=30, comments=10, shares=5, favourites=5,
    )  # fmt: skip
    f.account_metric(acc, D, gained=50, lost=8)
    # clicks: local midnight starts the day, one second before it belongs to the day before
    f.click(link, f.local(2026, 6, 10, 0, 0), "v1")
    f.click(link, f.local(2026, 6, 10, 0, 20), "v1")  # the same visitor within 30 min
    f.click(link, f.local(2026, 6, 10, 13, 0), bot=True)
    f.click(link, f.local(2026, 6, 10, 23, 59, 59), "v2")
    f.click(link, f.local(2026, 6, 9, 23, 59, 59), "v3")
    f.click(link, f.local(2026, 6, 11, 0, 0), "v4")
    on_link = {"campaign": camp, "link": link, "partner": amy, "attribution_rule": "click"}
    # earlier orders of returning buyers: b1 within 90 days, b4 beyond
    f.order(workspace, f.local(2026, 5, 1, 12, 0), buyer="b1")
    f.order(workspace, f.local(2026, 3, 1, 12, 0), buyer="b4")
    f.order(workspace, f.local(2026, 6, 10, 0, 30), buyer="b1", paid=10000, **on_link)
    f.order(
        workspace, f.local(2026, 6, 10, 10, 0), buyer="b2", status="partly_refunded",
        paid=20000, refund=5000, **on_link,
    )  # fmt: skip
    f.order(
        workspace, f.local(2026, 6, 10, 11, 0), buyer="b3", status="refunded",
        paid=8000, refund=8000, **on_link,
    )  # fmt: skip
    f.order(
        workspace, f.local(2026, 6, 10, 12, 0), buyer="b5", status="closed", paid=5000, **on_link
    )
    f.order(workspace, f.local(2026, 6, 10, 13, 0), buyer="b6", status="pending", **on_link)
    f.order(workspace, f.local(2026, 6, 10, 14, 0), buyer="b4", paid=3000)
    f.order(
        workspace, f.local(2026, 6, 10, 21, 0), buyer="b2", paid=4000,
        campaign=camp, partner=amy, promo=code, attribution_rule="code",
    )  # fmt: skip
    f.order(workspace, f.local(2026, 6, 11, 0, 10), buyer="b7", paid=99900, **on_link)
    f.cost(workspace, D, 20000, campaign=camp, platform="xiaohongshu", partner=amy)
    f.cost(workspace, D + timedelta(days=1), 70000, campaign=camp)
    return {"camp": camp, "amy": amy, "var": var, "acc": acc, "link": link, "code": code}


def test_a_day_matches_the_hand_computed_totals(workspace, day):
    rollups.rebuild_day(workspace.pk, D)
    assert queries.totals(_scope(workspace)) == Totals(
        impressions=1000, views=400, likes=30, comments=10, shares=5, favourites=5,
        followers_gained=50, followers_lost=8,
        clicks=3, unique_clicks=2, bot_clicks=1,
        # paid, partly refunded, b4's and the code order; the refunded one only in money
        orders=4,
        gmv_fen=10000 + 20000 + 8000 + 3000 + 4000,
        refund_fen=5000 + 8000,
        net_gmv_fen=10000 + 15000 + 0 + 3000 + 4000,
        # b1 (ordered 40 days before) and b2's second order the same day
        repeat_orders=2,
        code_orders=1,  # AMY618's order
        cost_fen=20000 + 500,
        attributed_orders=3,
        attributed_gmv_fen=10000 + 15000 + 4000,
    )  # fmt: skip


def test_a_day_is_split_by_its_dimensions(workspace, day):
    rollups.rebuild_day(workspace.pk, D)
    rows = {
        row[:7]: row[7:]
        for row in DailyFact.objects.filter(workspace=workspace, day=D).values_list(
            *rollups.DIMENSIONS, "impressions", "followers_gained", "unique_clicks",
            "orders", "net_gmv_fen", "repeat_orders", "cost_fen",
        )
    }  # fmt: skip
    camp, amy, var, acc, link = (day[k].pk for k in ("camp", "amy", "var", "acc", "link"))
    assert rows == {
        (camp, "xiaohongshu", acc, var, "p1", None, None): (1000, 0, 0, 0, 0, 0, 0),
        (None, "xiaohongshu", acc, None, "", None, None): (0, 50, 0, 0, 0, 0, 0),
        (camp, "xiaohongshu", None, var, "", link, amy): (0, 0, 2, 2, 25000, 1, 0),
        # the code order takes the code's platform and carries its cost per use
        (camp, "douyin", None, None, "", None, amy): (0, 0, 0, 1, 4000, 1, 500),
        (None, "", None, None, "", None, None): (0, 0, 0, 1, 3000, 0, 0),
        (camp, "xiaohongshu", None, None, "", None, amy): (0, 0, 0, 0, 0, 0, 20000),
    }


def test_rebuilding_replaces_rather_than_adds(workspace, day):
    rollups.rebuild_day(workspace.pk, D)
    first = _snapshot(workspace)
    rollups.rebuild_day(workspace.pk, D)
    assert _snapshot(workspace) == first


def test_local_day_follows_the_workspace_zone_across_dst(workspace):
    workspace.timezone = "America/New_York"
    workspace.save()
    link = f.link(workspace, "ny1")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    ny = ZoneInfo("America/New_York")
    f.click(link, datetime(2026, 3, 8, 0, 30, tzinfo=ny))  # EST, before the switch
    f.click(link, datetime(2026, 3, 8, 23, 30, tzinfo=ny))  # EDT, after it
    f.click(link, datetime(2026, 3, 9, 0, 0, tzinfo=ny))  # the next day
    rollups.rebuild_day(workspace.pk, date(2026, 3, 8))
    assert DailyFact.objects.get(workspace=workspace, day=date(2026, 3, 8)).clicks == 2


def test_incremental_build_equals_a_full_rebuild(workspace, other_workspace, day):
    # given everything marked dirty by the writers, processed by the job
    rollups.mark_dirty((workspace.pk, D + timedelta(days=n)) for n in range(-110, 3))
    rollups.process_dirty(limit=1000)
    assert not RollupDirty.objects.exists()
    incremental = _snapshot(workspace)
    # when a later change arrives and only its day is marked and rebuilt
    f.order(workspace, f.local(2026, 6, 10, 22, 0), buyer="b1", paid=700, link=day["link"])
    rollups.mark_dirty([(workspace.pk, D)])
    rollups.process_dirty()
    incremental = _snapshot(workspace)
    # then it equals rebuilding every day from scratch
    DailyFact.objects.all().delete()
    rollups.rebuild_range(workspace, D - timedelta(days=110), D + timedelta(days=2))
    assert _snapshot(workspace) == incremental
    assert queries.totals(_scope(workspace)).orders == 5
    # and nothing was written for the other workspace
    assert not DailyFact.objects.filter(workspace=other_workspace).exists()


def test_raw_day_span_covers_every_source(workspace, day):
    assert rollups.raw_day_span(workspace) == (date(2026, 3, 1), date(2026, 6, 11))


def test_changed_post_metrics_and_recent_account_days_are_marked(workspace, day):
    from django.utils import timezone

    RollupDirty.objects.all().delete()
    now = timezone.now() + timedelta(hours=1)
    rollups.mark_changed_metrics(now=now)
    marked = set(RollupDirty.objects.values_list("day", flat=True))
    today = timezone.localtime(now, workspace.zoneinfo).date()
    # first look: every day with post metrics, and the last 3 days for account metrics
    assert marked == {D, today, today - timedelta(days=1), today - timedelta(days=2)}
    # a later look without changes marks only the recent account days
    RollupDirty.objects.all().delete()
    rollups.mark_changed_metrics(now=now + timedelta(hours=1))
    assert D not in set(RollupDirty.objects.values_list("day", flat=True))
    # a bulk write stamps updated_at; the next look finds its day
    from fanloop.channels.models import PostMetricDaily

    PostMetricDaily.objects.filter(post_key="p1").update(
        impressions=5, updated_at=now + timedelta(hours=2)
    )
    rollups.mark_changed_metrics(now=now + timedelta(hours=2, minutes=5))
    assert D in set(RollupDirty.objects.values_list("day", flat=True))


def test_repeat_window_edge(workspace):
    at = f.local(2026, 6, 10, 12, 0, 0)
    f.order(workspace, at - timedelta(days=90), buyer="edge")
    f.order(workspace, at - timedelta(days=90, seconds=1), buyer="outside")
    f.order(workspace, at - timedelta(days=1), buyer="closed-before", status="closed")
    for buyer in ("edge", "outside", "closed-before"):
        f.order(workspace, at, buyer=buyer)
    rollups.rebuild_day(workspace.pk, D)
    # only the buyer whose earlier counted order is exactly 90 days back repeats
    assert queries.totals(_scope(workspace)).repeat_orders == 1


def test_a_bulk_rebuild_refreshes_the_planners_statistics(workspace, day, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    # given a rebuild large enough to count as bulk (here: any)
    monkeypatch.setattr(rollups, "ANALYZE_AFTER_ROWS", 1)

    # when the range is rebuilt
    result = rollups.rebuild_range(workspace, D, D)

    # then the planner knows how many fact rows there are
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'analytics_dailyfact'")
        (estimate,) = cursor.fetchone()
    assert result["rows"] > 0
    assert estimate == DailyFact.objects.count()
