"""Property: whatever the raw rows, the rebuilt facts equal a plain recomputation."""

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanloop.analytics import queries, rollups
from fanloop.analytics.kpis import REPURCHASE_WINDOW_DAYS
from fanloop.analytics.models import DailyFact
from fanloop.analytics.tests import rollup_fixtures as f
from fanloop.tracking.models import Click, CostEntry, Order

START = date(2026, 6, 1)
DAYS = 4
STATUSES = ["pending", "paid", "shipped", "completed", "partly_refunded", "refunded", "closed"]

minutes = st.integers(min_value=-6 * 60, max_value=(DAYS + 1) * 24 * 60)
# clicks bunch around the first midnight too, so repeats (30 min) happen, across days
click_minutes = st.one_of(minutes, st.integers(min_value=23 * 60, max_value=25 * 60))
clicks = st.lists(
    st.tuples(
        st.integers(0, 2),  # link index
        click_minutes,
        st.booleans(),  # bot
        st.sampled_from(["", "v1", "v2"]),  # visitor id (consent) or none
        st.sampled_from(["i1", "i2"]),  # IP hash
    ),
    max_size=25,
)
orders = st.lists(
    st.tuples(
        st.integers(-1, 2),  # link index, -1 for none
        minutes,
        st.sampled_from(STATUSES),
        st.integers(0, 50_000),
        st.sampled_from(["", "b1", "b2", "b3"]),
        st.sampled_from(["code", "click", "none"]),
    ),
    max_size=25,
)


def _local_day(at) -> date:
    return at.astimezone(f.SHANGHAI).date()


def _repeats(click: Click, stored: list[Click]) -> bool:
    """An earlier click on the link within 30 minutes by the same visitor id, or, for a
    click without one, from the same IP."""
    return any(
        other.link_id == click.link_id
        and (other.clicked_at, other.pk) < (click.clicked_at, click.pk)
        and click.clicked_at - other.clicked_at <= timedelta(minutes=30)
        and (
            other.visitor_id == click.visitor_id
            if click.visitor_id
            else other.ip_hash == click.ip_hash
        )
        for other in stored
    )


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(click_rows=clicks, order_rows=orders, spends=st.lists(st.integers(0, 9999), max_size=4))
def test_rebuild_equals_recomputation(workspace, click_rows, order_rows, spends):
    DailyFact.objects.all().delete()
    Order.objects.all().delete()
    Click.objects.all().delete()
    CostEntry.objects.all().delete()
    camp = f.campaign(workspace)
    links = [
        f.link(workspace, f"p{camp.pk}x{n}", campaign=camp if n else None, platform="weibo")
        for n in range(3)
    ]
    base = f.local(2026, 6, 1, 0, 0)
    for index, offset, bot, visitor, ip_hash in click_rows:
        f.click(links[index], base + timedelta(minutes=offset), visitor, bot=bot, ip_hash=ip_hash)
    made = []
    for index, offset, status, paid, buyer, rule in order_rows:
        refund = paid // 3 if status == "partly_refunded" else paid if status == "refunded" else 0
        made.append(
            f.order(
                workspace,
                base + timedelta(minutes=offset),
                status=status,
                paid=paid,
                refund=refund,
                buyer=buyer,
                link=links[index] if index >= 0 else None,
                campaign=camp if index > 0 else None,
                attribution_rule=rule,
            )
        )
    for n, amount in enumerate(spends):
        f.cost(workspace, START + timedelta(days=n % DAYS), amount, campaign=camp)

    rollups.rebuild_range(workspace, START, START + timedelta(days=DAYS - 1))

    # the straightforward recomputation, day by day and link by link
    expected: dict[tuple[date, str], Counter[str]] = defaultdict(Counter)
    stored = list(Click.objects.filter(workspace=workspace))
    for click in stored:
        day = _local_day(click.clicked_at)
        key = (day, str(click.link_id))
        expected[key]["clicks"] += not click.is_bot
        expected[key]["unique_clicks"] += not click.is_bot and not _repeats(click, stored)
        expected[key]["bot_clicks"] += click.is_bot
    counted = [o for o in made if o.status in rollups.COUNTED_STATUSES]
    for o in made:
        if o.status in ("pending", "closed"):
            continue
        key = (_local_day(o.ordered_at), str(o.link_id or ""))
        expected[key]["gmv_fen"] += o.paid_fen
        expected[key]["refund_fen"] += o.refund_fen
        expected[key]["net_gmv_fen"] += o.net_fen
        if o in counted:
            expected[key]["orders"] += 1
            expected[key]["code_orders"] += o.attribution_rule == "code"
            expected[key]["repeat_orders"] += bool(o.buyer_hash) and any(
                p.buyer_hash == o.buyer_hash
                and (p.ordered_at, p.pk) < (o.ordered_at, o.pk)
                and p.ordered_at >= o.ordered_at - timedelta(days=REPURCHASE_WINDOW_DAYS)
                for p in counted
            )
    for n, amount in enumerate(spends):
        expected[(START + timedelta(days=n % DAYS), "")]["cost_fen"] += amount

    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        scope = queries.Scope(workspace_id=workspace.pk, start=day, end=day)
        got = {row.key: row.totals for row in queries.breakdown(scope, "link")}
        want = {link: c for (d, link), c in expected.items() if d == day and +c}
        assert set(got) == set(want)
        for key, counts in want.items():
            for name in rollups.MEASURES:
                assert getattr(got[key], name) == counts[name], (day, key, name)
