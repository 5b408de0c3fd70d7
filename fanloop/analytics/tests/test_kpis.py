"""Every KPI formula against hand-computed values."""

from decimal import Decimal

from fanloop.analytics.kpis import KPIS, Totals, change

TOTALS = Totals(
    impressions=10_000, views=4_000, likes=300, comments=100, shares=50, favourites=50,
    followers_gained=120, followers_lost=20,
    clicks=260, unique_clicks=200, bot_clicks=40,
    orders=10, gmv_fen=180_000, refund_fen=30_000, net_gmv_fen=150_000, repeat_orders=3,
    cost_fen=50_000, attributed_orders=8, attributed_gmv_fen=120_000,
)  # fmt: skip


def test_every_kpi_matches_its_hand_computed_value():
    assert TOTALS.kpis() == {
        "impressions": Decimal(10_000),
        "reads": Decimal(4_000),
        "engagements": Decimal(500),  # 300 + 100 + 50 + 50
        "engagement_rate": Decimal("5.0000"),  # 500 / 10,000 × 100
        "clicks": Decimal(200),  # unique human clicks, not the 260 incl. repeats
        "ctr": Decimal("2.0000"),  # 200 / 10,000 × 100
        "follower_growth": Decimal(100),  # 120 − 20
        "orders": Decimal(10),
        "conversion_rate": Decimal("5.0000"),  # 10 / 200 × 100
        "gmv": Decimal(150_000),  # net of refunds
        "aov": Decimal(15_000),  # 150,000 / 10
        "cost": Decimal(50_000),
        "roi": Decimal("1.4000"),  # (120,000 − 50,000) / 50,000
        "cpm": Decimal(5_000),  # 50,000 / 10,000 × 1,000
        "cpc": Decimal(250),  # 50,000 / 200
        "cpe": Decimal(100),  # 50,000 / 500
        "cpa": Decimal(5_000),  # 50,000 / 10
        "repurchase_rate": Decimal("30.0000"),  # 3 / 10 × 100
    }
    assert set(TOTALS.kpis()) == set(KPIS)


def test_money_kpis_round_half_up_to_whole_fen():
    assert Totals(orders=2, net_gmv_fen=10_001).kpi("aov") == Decimal(5_001)
    assert Totals(orders=3, net_gmv_fen=10_000).kpi("aov") == Decimal(3_333)
    assert Totals(impressions=3, likes=1).kpi("engagement_rate") == Decimal("33.3333")


def test_rates_over_nothing_are_unknown_not_zero():
    empty = Totals()
    for code in ("engagement_rate", "ctr", "conversion_rate", "aov", "roi", "cpm", "cpc"):
        assert empty.kpi(code) is None, code
    for code in ("cpe", "cpa", "repurchase_rate"):
        assert empty.kpi(code) is None, code
    assert empty.kpi("orders") == 0
    assert empty.kpi("gmv") == 0
    # ROI with costs but no attributed sales is a full loss, not unknown
    assert Totals(cost_fen=100).kpi("roi") == Decimal("-1.0000")


def test_totals_add_up_field_by_field():
    assert (TOTALS + TOTALS).orders == 20
    assert (TOTALS + Totals()) == TOTALS


def test_change_is_relative_to_the_previous_value():
    assert change(Decimal(110), Decimal(100)) == Decimal("10.0")
    assert change(Decimal(50), Decimal(150)) == Decimal("-66.7")
    assert change(Decimal(90), Decimal(-100)) == Decimal("190.0")
    assert change(Decimal(5), Decimal(0)) is None
    assert change(None, Decimal(3)) is None
    assert change(Decimal(3), None) is None
