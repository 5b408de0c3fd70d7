"""Every KPI Fanloop shows: its formula (shown in tooltips) and how it is computed from
summed facts. Ratios are computed here, never stored."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass
class Totals:
    """Sums of DailyFact measures over some scope; every field an integer."""

    impressions: int = 0
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    favourites: int = 0
    followers_gained: int = 0
    followers_lost: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    orders: int = 0
    gmv_fen: int = 0
    refund_fen: int = 0
    net_gmv_fen: int = 0
    repeat_orders: int = 0
    code_orders: int = 0  # orders credited by a coupon / KOL code (the rest by a click)
    cost_fen: int = 0
    # orders credited to a campaign, link or partner (not "unattributed")
    attributed_orders: int = 0
    attributed_gmv_fen: int = 0

    @classmethod
    def measure_names(cls) -> list[str]:
        return [field.name for field in fields(cls)]

    @property
    def engagements(self) -> int:
        return self.likes + self.comments + self.shares + self.favourites

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(
            **{name: getattr(self, name) + getattr(other, name) for name in self.measure_names()}
        )

    def kpi(self, code: str) -> Decimal | None:
        return KPIS[code].compute(self)

    def kpis(self, codes: list[str] | None = None) -> dict[str, Decimal | None]:
        return {code: KPIS[code].compute(self) for code in (codes or list(KPIS))}


class KpiUnit:
    COUNT = "count"
    PERCENT = "percent"  # 0..100
    FEN = "fen"
    RATIO = "ratio"  # 1.5 means 150 %


@dataclass(frozen=True)
class KpiDef:
    code: str
    label: Promise
    formula: Promise
    unit: str
    compute: Callable[[Totals], Decimal | None]
    higher_is_better: bool = True


def _ratio(numerator: int, denominator: int, scale: int = 1, places: int = 4) -> Decimal | None:
    """numerator / denominator × scale, half-up to ``places`` decimals; None when the
    denominator is 0 (a rate over nothing is unknown, not zero)."""
    if denominator == 0:
        return None
    value = Decimal(numerator) * scale / Decimal(denominator)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _count(value: int) -> Decimal:
    return Decimal(value)


def _roi(t: Totals) -> Decimal | None:
    return _ratio(t.attributed_gmv_fen - t.cost_fen, t.cost_fen)


KPIS: dict[str, KpiDef] = {
    kpi.code: kpi
    for kpi in [
        KpiDef(
            "impressions",
            _("Exposure"),
            _("Impressions reported by the platforms, summed."),
            KpiUnit.COUNT,
            lambda t: _count(t.impressions),
        ),
        KpiDef(
            "reads",
            _("Reads / views"),
            _("Reads or video views reported by the platforms, summed."),
            KpiUnit.COUNT,
            lambda t: _count(t.views),
        ),
        KpiDef(
            "engagements",
            _("Engagements"),
            _("Likes + comments + shares + favourites."),
            KpiUnit.COUNT,
            lambda t: _count(t.engagements),
        ),
        KpiDef(
            "engagement_rate",
            _("Engagement rate"),
            _("(Likes + comments + shares + favourites) ÷ exposure × 100%."),
            KpiUnit.PERCENT,
            lambda t: _ratio(t.engagements, t.impressions, 100),
        ),
        KpiDef(
            "clicks",
            _("Clicks"),
            _(
                "Tracking-link clicks by people: bots and repeat clicks by the same "
                "visitor within 30 minutes are left out."
            ),
            KpiUnit.COUNT,
            lambda t: _count(t.unique_clicks),
        ),
        KpiDef(
            "ctr",
            _("Click-through rate (CTR)"),
            _("Clicks ÷ exposure × 100%."),
            KpiUnit.PERCENT,
            lambda t: _ratio(t.unique_clicks, t.impressions, 100),
        ),
        KpiDef(
            "follower_growth",
            _("Follower growth"),
            _("Followers gained − followers lost."),
            KpiUnit.COUNT,
            lambda t: _count(t.followers_gained - t.followers_lost),
        ),
        KpiDef(
            "orders",
            _("Orders"),
            _("Paid orders by order date; closed, cancelled and fully refunded orders excluded."),
            KpiUnit.COUNT,
            lambda t: _count(t.orders),
        ),
        KpiDef(
            "conversion_rate",
            _("Conversion rate"),
            _("Orders ÷ clicks × 100%."),
            KpiUnit.PERCENT,
            lambda t: _ratio(t.orders, t.unique_clicks, 100),
        ),
        KpiDef(
            "gmv",
            _("GMV"),
            _("Amount buyers paid, minus refunds (net GMV)."),
            KpiUnit.FEN,
            lambda t: _count(t.net_gmv_fen),
        ),
        KpiDef(
            "aov",
            _("Average order value"),
            _("GMV ÷ orders."),
            KpiUnit.FEN,
            lambda t: _ratio(t.net_gmv_fen, t.orders, places=0),
        ),
        KpiDef(
            "cost",
            _("Cost"),
            _("Ad spend, KOL fees, prizes, coupons redeemed and production costs."),
            KpiUnit.FEN,
            lambda t: _count(t.cost_fen),
            higher_is_better=False,
        ),
        KpiDef(
            "roi",
            _("ROI"),
            _(
                "(Attributed GMV − cost) ÷ cost. Only orders credited to a campaign, link or "
                "partner count."
            ),
            KpiUnit.RATIO,
            _roi,
        ),
        KpiDef(
            "cpm",
            _("CPM"),
            _("Cost ÷ exposure × 1,000."),
            KpiUnit.FEN,
            lambda t: _ratio(t.cost_fen, t.impressions, 1000, places=0),
            higher_is_better=False,
        ),
        KpiDef(
            "cpc",
            _("CPC"),
            _("Cost ÷ clicks."),
            KpiUnit.FEN,
            lambda t: _ratio(t.cost_fen, t.unique_clicks, places=0),
            higher_is_better=False,
        ),
        KpiDef(
            "cpe",
            _("CPE"),
            _("Cost ÷ engagements."),
            KpiUnit.FEN,
            lambda t: _ratio(t.cost_fen, t.engagements, places=0),
            higher_is_better=False,
        ),
        KpiDef(
            "cpa",
            _("CPA"),
            _("Cost ÷ orders."),
            KpiUnit.FEN,
            lambda t: _ratio(t.cost_fen, t.orders, places=0),
            higher_is_better=False,
        ),
        KpiDef(
            "repurchase_rate",
            _("Repurchase rate"),
            _("Orders by buyers who had ordered within the previous 90 days ÷ orders × 100%."),
            KpiUnit.PERCENT,
            lambda t: _ratio(t.repeat_orders, t.orders, 100),
        ),
    ]
}

REPURCHASE_WINDOW_DAYS = 90


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Relative change current vs previous, as a percentage; None when not comparable."""
    if current is None or previous is None or previous == 0:
        return None
    return ((current - previous) * 100 / abs(previous)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
