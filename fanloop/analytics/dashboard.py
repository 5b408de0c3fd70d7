"""Page data for the analytics pages, assembled from a handful of aggregate reads over
the rollup (analytics.queries) so views stay thin and tables never query per row."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from fanloop.analytics import queries
from fanloop.analytics.export import Cell, Table
from fanloop.analytics.kpis import KPIS, KpiUnit, Totals, change
from fanloop.analytics.queries import Row, Scope
from fanloop.analytics.rollups import week_of
from fanloop.campaigns.models import Campaign, Goal
from fanloop.campaigns.pacing import Pacing, goal_pacing
from fanloop.core.money import fen_to_yuan, format_fen
from fanloop.core.platforms import Platform

# Posts seen fewer times than this have rates too noisy to rank.
MIN_EXPOSURE = 100
RANK_SIZE = 10
CARD_KPIS = list(KPIS)
TABLE_KPIS = [
    "impressions",
    "engagements",
    "engagement_rate",
    "clicks",
    "ctr",
    "orders",
    "conversion_rate",
    "gmv",
    "cost",
    "roi",
]
PARTNER_KPIS = ["clicks", "orders", "conversion_rate", "gmv", "cost", "roi", "cpa"]
LINK_KPIS = ["clicks", "orders", "conversion_rate", "gmv"]
# Goal metrics (core.metrics) that are KPIs under the same code.
GOAL_KPIS = {
    "impressions",
    "reads",
    "engagement_rate",
    "ctr",
    "follower_growth",
    "clicks",
    "orders",
    "conversion_rate",
    "gmv",
    "roi",
}


# --- values ----------------------------------------------------------------------------


def display(code: str, value: Decimal | None) -> str:
    """A KPI value as the page shows it."""
    if value is None:
        return "—"
    unit = KPIS[code].unit
    if unit == KpiUnit.COUNT:
        return f"{int(value):,}"
    if unit == KpiUnit.PERCENT:
        return f"{value:.2f}%"
    if unit == KpiUnit.FEN:
        return format_fen(int(value))
    return f"{value * 100:.1f}%"  # ratio: ROI 1.5 reads as 150 %


def file_value(code: str, value: Decimal | None) -> Cell:
    """A KPI value as exported: counts as integers, money in yuan, rates as numbers."""
    if value is None:
        return None
    unit = KPIS[code].unit
    if unit == KpiUnit.COUNT:
        return int(value)
    if unit == KpiUnit.FEN:
        return fen_to_yuan(int(value))
    if unit == KpiUnit.PERCENT:
        return value.quantize(Decimal("0.01"))
    return value


def header(code: str) -> str:
    kpi = KPIS[code]
    if kpi.unit == KpiUnit.FEN:
        return f"{kpi.label} (¥)"
    if kpi.unit == KpiUnit.PERCENT:
        return f"{kpi.label} (%)"
    return str(kpi.label)


def chart_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


# --- KPI cards -------------------------------------------------------------------------


@dataclass
class GoalView:
    goal: Goal
    target: str
    baseline: str
    actual: str
    progress: int | None  # percent of the way from baseline to target
    elapsed: int
    on_pace: bool | None
    deadline: date
    scope: str


@dataclass
class KpiCard:
    code: str
    label: str
    formula: str
    value: Decimal | None
    shown: str
    previous: str
    change: Decimal | None
    higher_is_better: bool
    goals: list[GoalView] = field(default_factory=list)

    @property
    def direction(self) -> str:
        if self.change is None or self.change == 0:
            return ""
        return "up" if self.change > 0 else "down"

    @property
    def good(self) -> bool | None:
        if not self.direction:
            return None
        return (self.direction == "up") == self.higher_is_better


def kpi_cards(current: Totals, previous: Totals, codes: Sequence[str] = CARD_KPIS) -> list[KpiCard]:
    cards = []
    for code in codes:
        kpi = KPIS[code]
        now, before = current.kpi(code), previous.kpi(code)
        cards.append(
            KpiCard(
                code=code,
                label=str(kpi.label),
                formula=str(kpi.formula),
                value=now,
                shown=display(code, now),
                previous=display(code, before),
                change=change(now, before),
                higher_is_better=kpi.higher_is_better,
            )
        )
    return cards


def kpi_summary_table(name: str, cards: list[KpiCard]) -> Table:
    table = Table(
        name=name,
        title=_("KPIs"),
        headers=[_("KPI"), _("Value"), _("Previous period"), _("Change (%)"), _("Formula")],
        numeric=[False, True, True, True, False],
    )
    for card in cards:
        table.add(
            [card.label, card.shown, card.previous, card.change, card.formula],
            [card.label, card.shown, card.previous, _signed(card.change), card.formula],
        )
    return table


def _signed(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:+}%"


# --- time series -----------------------------------------------------------------------


def regroup(day_rows: list[Row], grain: str) -> list[Row]:
    """Day rows summed into weeks (starting Monday) or months."""
    if grain == "day":
        return day_rows
    buckets: dict[date, Row] = {}
    for row in day_rows:
        day: date = row.ref
        start = week_of(day) if grain == "week" else day.replace(day=1)
        if start in buckets:
            buckets[start].totals = buckets[start].totals + row.totals
        else:
            buckets[start] = Row(
                key=start.isoformat(), label=start.isoformat(), totals=row.totals, ref=start
            )
    return [buckets[key] for key in sorted(buckets)]


def sum_rows(rows: list[Row]) -> Totals:
    total = Totals()
    for row in rows:
        total = total + row.totals
    return total


def trend_chart(rows: list[Row]) -> str:
    return chart_json(
        {
            "x": [row.key for row in rows],
            "counts": [
                {
                    "name": str(KPIS[code].label),
                    "data": [int(row.totals.kpi(code) or 0) for row in rows],
                }
                for code in ("impressions", "engagements", "clicks", "orders")
            ],
            "money": {
                "name": f"{KPIS['gmv'].label} (¥)",
                "data": [float(fen_to_yuan(row.totals.net_gmv_fen)) for row in rows],
            },
        }
    )


def kpi_table(
    name: str,
    title: str,
    first: str,
    rows: list[Row],
    codes: Sequence[str] = TABLE_KPIS,
    url: Callable[[Row], str] | None = None,
    empty: str = "",
    extra: Sequence[tuple[str, Callable[[Row], str]]] = (),
) -> Table:
    table = Table(
        name=name,
        title=title,
        headers=[first, *[label for label, _fn in extra], *[header(code) for code in codes]],
        numeric=[False, *[False for _e in extra], *[True for _c in codes]],
        empty=empty or _("No data for this period."),
    )
    for row in rows:
        table.add_lazy(partial(_kpi_cells, row, codes, extra), url=url(row) if url else "")
    return table


def _kpi_cells(
    row: Row, codes: Sequence[str], extra: Sequence[tuple[str, Callable[[Row], str]]]
) -> tuple[list[Cell], list[str]]:
    values = [row.totals.kpi(code) for code in codes]
    extras = [fn(row) for _label, fn in extra]
    return (
        [row.label, *extras, *[file_value(c, v) for c, v in zip(codes, values, strict=True)]],
        [row.label, *extras, *[display(c, v) for c, v in zip(codes, values, strict=True)]],
    )


def trend_table(rows: list[Row], grain: str) -> Table:
    label = {"day": _("Day"), "week": _("Week starting"), "month": _("Month")}[grain]
    codes = ["impressions", "reads", "engagements", "clicks", "orders", "gmv", "cost"]
    table = kpi_table("trend", _("Trend"), label, rows, codes)
    for row, source in zip(table.rows, rows, strict=True):
        row.values[0] = source.ref
    return table


def platform_chart(rows: list[Row]) -> str:
    named = [row for row in rows if row.key]
    return chart_json(
        {
            "categories": [row.label for row in named],
            "bars": [
                {
                    "name": str(KPIS[code].label),
                    "data": [int(row.totals.kpi(code) or 0) for row in named],
                }
                for code in ("impressions", "engagements", "clicks")
            ],
            "rates": [
                {
                    "name": str(KPIS[code].label),
                    "data": [_float(row.totals.kpi(code)) for row in named],
                }
                for code in ("engagement_rate", "ctr")
            ],
        }
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- posts -----------------------------------------------------------------------------


def post_url(workspace_slug: str, row: Row) -> str:
    return reverse("analytics_post", args=[workspace_slug, row.key]) if row.key else ""


def _platform_label(code: str) -> str:
    try:
        return str(Platform(code).label)
    except ValueError:
        return code


def post_platforms(workspace_id: int, rows: list[Row]) -> dict[str, str]:
    """Platform label per post key (one query for the variants)."""
    from fanloop.content.models import Variant

    ids = [row.ref for row in rows if isinstance(row.ref, int)]
    by_variant = dict(
        Variant.objects.filter(workspace_id=workspace_id, pk__in=ids).values_list("pk", "platform")
    )
    found: dict[str, str] = {}
    for row in rows:
        if isinstance(row.ref, int):
            found[row.key] = _platform_label(by_variant.get(row.ref, ""))
        elif isinstance(row.ref, tuple):
            found[row.key] = _platform_label(row.ref[0])
    return found


@dataclass
class Ranking:
    top: list[Row]
    bottom: list[Row]
    too_small: int
    ranked: int


def rank_posts(post_rows: list[Row], size: int = RANK_SIZE) -> Ranking:
    """Best and worst posts by engagement rate; posts under MIN_EXPOSURE left out."""
    posts = [row for row in post_rows if row.key]
    eligible = [row for row in posts if row.totals.impressions >= MIN_EXPOSURE]
    eligible.sort(
        key=lambda row: (
            -(row.totals.kpi("engagement_rate") or 0),
            -row.totals.impressions,
            row.key,
        )
    )
    top = eligible[:size]
    rest = eligible[len(top) :]
    bottom = list(reversed(rest[-size:]))
    return Ranking(
        top=top, bottom=bottom, too_small=len(posts) - len(eligible), ranked=len(eligible)
    )


def posts_table(
    name: str, title: str, slug: str, rows: list[Row], platforms: dict[str, str]
) -> Table:
    return kpi_table(
        name,
        title,
        _("Post"),
        rows,
        ["impressions", "engagements", "engagement_rate", "clicks", "ctr", "orders", "gmv"],
        url=lambda row: post_url(slug, row),
        extra=[(_("Platform"), lambda row: platforms.get(row.key, ""))],
        empty=_("No post reached %(n)d exposures in this period.") % {"n": MIN_EXPOSURE},
    )


# --- goals and attribution -------------------------------------------------------------


def goal_views(campaign: Campaign, today: date) -> list[GoalView]:
    views = []
    for goal in campaign.goals.all():
        if goal.metric not in GOAL_KPIS:
            continue
        pacing: Pacing = goal_pacing(goal, today)
        code = goal.metric
        views.append(
            GoalView(
                goal=goal,
                target=display(code, Decimal(goal.target)),
                baseline=display(code, Decimal(goal.baseline)),
                actual=display(code, pacing.actual),
                progress=None if pacing.progress is None else int(pacing.progress * 100),
                elapsed=int(pacing.elapsed * 100),
                on_pace=pacing.on_pace,
                deadline=goal.deadline,
                scope=(
                    str(goal.get_scope_display())
                    + (f": {goal.scope_value}" if goal.scope_value else "")
                ),
            )
        )
    return views


def goals_table(goals: list[GoalView]) -> Table:
    table = Table(
        name="goals",
        title=_("Goals"),
        headers=[
            _("Metric"),
            _("Scope"),
            _("Baseline"),
            _("Target"),
            _("Actual"),
            _("Progress (%)"),
            _("Time elapsed (%)"),
            _("Deadline"),
            _("On pace"),
        ],
        numeric=[False, False, True, True, True, True, True, False, False],
        empty=_("This campaign has no goals on these metrics."),
    )
    for view in goals:
        pace = {True: _("on pace"), False: _("behind"), None: _("no data yet")}[view.on_pace]
        table.add(
            [
                str(view.goal.get_metric_display()),
                view.scope,
                view.baseline,
                view.target,
                view.actual,
                view.progress,
                view.elapsed,
                view.deadline,
                pace,
            ],
            [
                str(view.goal.get_metric_display()),
                view.scope,
                view.baseline,
                view.target,
                view.actual,
                "—" if view.progress is None else f"{view.progress}%",
                f"{view.elapsed}%",
                view.deadline.isoformat(),
                pace,
            ],
        )
    return table


def attribution_table(current: Totals) -> Table:
    """The campaign's orders of the period by the rule that credited them (from the
    rollup; the attribution page counts the workspace's unattributed orders)."""
    from fanloop.tracking.models import AttributionRule

    by_code = current.code_orders
    counts = {
        AttributionRule.CODE: by_code,
        AttributionRule.CLICK: current.attributed_orders - by_code,
    }
    table = Table(
        name="attribution",
        title=_("How orders were attributed"),
        headers=[_("Rule"), _("Orders")],
        numeric=[False, True],
    )
    for rule, n in counts.items():
        table.add([str(rule.label), n], [str(rule.label), f"{n:,}"])
    return table


def funnel_chart(totals: Totals) -> str:
    steps = [
        (str(KPIS["impressions"].label), totals.impressions),
        (str(KPIS["engagements"].label), totals.engagements),
        (str(KPIS["clicks"].label), totals.unique_clicks),
        (str(KPIS["orders"].label), totals.orders),
    ]
    return chart_json({"steps": [{"name": name, "value": value} for name, value in steps]})


def funnel_steps(totals: Totals) -> list[dict[str, Any]]:
    """Each funnel step with its conversion from the step before."""
    values = [
        (str(KPIS["impressions"].label), totals.impressions),
        (str(KPIS["engagements"].label), totals.engagements),
        (str(KPIS["clicks"].label), totals.unique_clicks),
        (str(KPIS["orders"].label), totals.orders),
    ]
    steps = []
    for index, (name, value) in enumerate(values):
        before = values[index - 1][1] if index else None
        rate = None if not before else Decimal(value * 100) / before
        steps.append(
            {"name": name, "value": f"{value:,}", "rate": "" if rate is None else f"{rate:.2f}%"}
        )
    return steps


# --- pages -----------------------------------------------------------------------------


@dataclass
class Page:
    """What a page shows; ``tables`` by name so ?export=…&table=<name> finds them."""

    cards: list[KpiCard]
    tables: dict[str, Table]
    charts: dict[str, str]
    totals: Totals
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return any(getattr(self.totals, name) for name in Totals.measure_names())


def fill_days(rows: list[Row], start: date, end: date) -> list[Row]:
    """One row per day of the period, days without facts as zeros, so charts keep time."""
    by_day = {row.ref: row for row in rows}
    filled = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        filled.append(by_day.get(day) or Row(day.isoformat(), day.isoformat(), Totals(), day))
    return filled


def _period_rows(scope: Scope, grain: str) -> tuple[list[Row], list[Row], Totals]:
    days = fill_days(queries.breakdown(scope, "day"), scope.start, scope.end)
    return days, regroup(days, grain), sum_rows(days)


def overview_page(scope: Scope, slug: str, grain: str) -> Page:
    _days, trend, current = _period_rows(scope, grain)
    previous = queries.totals(scope.previous())
    cards = kpi_cards(current, previous)
    campaigns = queries.breakdown(scope, "campaign")
    platforms = queries.breakdown(scope, "platform")
    tables = {
        "kpis": kpi_summary_table("kpis", cards),
        "campaigns": kpi_table(
            "campaigns",
            _("Campaigns"),
            _("Campaign"),
            campaigns,
            url=lambda row: (
                reverse("analytics_campaign", args=[slug, row.ref]) if row.ref is not None else ""
            ),
        ),
        "platforms": kpi_table("platforms", _("Platforms"), _("Platform"), platforms),
        "trend": trend_table(trend, grain),
    }
    charts = {"trend": trend_chart(trend), "platforms": platform_chart(platforms)}
    return Page(cards=cards, tables=tables, charts=charts, totals=current)


def campaign_page(scope: Scope, campaign: Campaign, slug: str, grain: str, today: date) -> Page:
    _days, trend, current = _period_rows(scope, grain)
    previous = queries.totals(scope.previous())
    cards = kpi_cards(current, previous)
    goals = goal_views(campaign, today)
    by_code = {card.code: card for card in cards}
    for view in goals:
        by_code[view.goal.metric].goals.append(view)
    split = queries.breakdowns(scope, ["platform", "post", "partner", "link"])
    platforms, posts = split["platform"], split["post"]
    ranking = rank_posts(posts)
    post_platform = post_platforms(scope.workspace_id, ranking.top + ranking.bottom)
    partners = [row for row in split["partner"] if row.key]
    links = [row for row in split["link"] if row.key]
    tables = {
        "kpis": kpi_summary_table("kpis", cards),
        "goals": goals_table(goals),
        "platforms": kpi_table("platforms", _("Platforms"), _("Platform"), platforms),
        "top_posts": posts_table(
            "top_posts", _("Top posts by engagement rate"), slug, ranking.top, post_platform
        ),
        "bottom_posts": posts_table(
            "bottom_posts",
            _("Bottom posts by engagement rate"),
            slug,
            ranking.bottom,
            post_platform,
        ),
        "partners": kpi_table(
            "partners",
            _("KOLs and partners"),
            _("Partner"),
            partners,
            PARTNER_KPIS,
            empty=_("No KOL or partner has clicks, orders or costs in this period."),
        ),
        "links": kpi_table(
            "links",
            _("Tracking links"),
            _("Link"),
            links,
            LINK_KPIS,
            empty=_("No tracking link has clicks or orders in this period."),
        ),
        "attribution": attribution_table(current),
        "trend": trend_table(trend, grain),
    }
    charts = {
        "trend": trend_chart(trend),
        "funnel": funnel_chart(current),
        "platforms": platform_chart(platforms),
    }
    return Page(
        cards=cards,
        tables=tables,
        charts=charts,
        totals=current,
        extra={"ranking": ranking, "funnel": funnel_steps(current), "goals": goals},
    )


def post_page(scope: Scope, grain: str) -> Page:
    _days, trend, current = _period_rows(scope, grain)
    previous = queries.totals(scope.previous())
    cards = kpi_cards(
        current,
        previous,
        [
            "impressions",
            "reads",
            "engagements",
            "engagement_rate",
            "clicks",
            "ctr",
            "orders",
            "conversion_rate",
            "gmv",
            "cost",
            "roi",
        ],
    )
    links = [row for row in queries.breakdown(scope, "link") if row.key]
    tables = {
        "kpis": kpi_summary_table("kpis", cards),
        "links": kpi_table(
            "links",
            _("Tracking links"),
            _("Link"),
            links,
            LINK_KPIS,
            empty=_("No tracking link of this post has clicks or orders in this period."),
        ),
        "trend": trend_table(trend, grain),
    }
    return Page(cards=cards, tables=tables, charts={"trend": trend_chart(trend)}, totals=current)
