"""Analytics at scale: 10M clicks, 1M orders, two years of daily post metrics.

In one run, on SQLite (a fresh database in a temporary FANLOOP_DATA_DIR) or on PostgreSQL
(``--database-url postgres://…/fanloop_bench``: a private database created and dropped by
the run):

1. generate a realistic workspace deterministically (``bench/analytics_data.py``) and
   write it — clicks and orders with executemany on SQLite and COPY on PostgreSQL — printing
   rows/s per table; the generator sets orders' attribution itself (same rules), and the
   real ``attribute_orders`` is timed on a sample and checked against it;
2. roll up two years with ``fanloop.analytics.rollups.rebuild_range`` (raw rows/s);
3. the baseline: pandas reads the raw rows (``read_sql``, same connection) and computes
   the same KPI totals with the rollup's semantics, written independently here: the
   whole workspace over two years, the big campaign over its period (and the period
   before), and its by-day, by-platform, by-post and by-partner breakdowns;
4. the same numbers from ``fanloop.analytics.queries``; every integer and every KPI
   Decimal must be equal (exit 1 and the differing cells otherwise);
5. the campaign dashboard page through Django's test Client, signed in, N requests cold
   (right after a rollup: every sum computed) and N warm (sums from the cache):
   p50 / p95 ms, against pandas computing the same figures from its frames.

Run: ``.venv/bin/python bench/analytics_scale.py`` (full scale) or ``--clicks 100000``
for a quick run; add ``--database-url postgres://postgres@127.0.0.1:5432/fanloop_bench``
for PostgreSQL.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PG_DB = "fanloop_bench"


def _parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--clicks", type=int, default=10_000_000)
    parser.add_argument("--orders", type=int, default=None, help="default: clicks / 10")
    parser.add_argument("--small", action="store_true", help="shorthand for --clicks 100000")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL of a bench database")
    parser.add_argument("--requests", type=int, default=30, help="dashboard requests timed")
    parser.add_argument(
        "--attribution-sample", type=int, default=20_000, help="orders re-attributed for real"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)
    if args.small:
        args.clicks = 100_000
    return args


def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def _pg_db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or DEFAULT_PG_DB


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(sql)


def _setup_environment(args: argparse.Namespace) -> tempfile.TemporaryDirectory[str]:
    tmp = tempfile.TemporaryDirectory(prefix="fanloop-bench-analytics-")
    os.environ["FANLOOP_DATA_DIR"] = tmp.name
    if args.database_url:
        name = _pg_db_name(args.database_url)
        _pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(args.database_url, f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    # DEBUG would log (and format) every query, bulk inserts' parameters included
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")
    import django

    django.setup()
    return tmp


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    ARGS = _parse()
    _TMP = _setup_environment(ARGS)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.db import connection  # noqa: E402

from bench.analytics_data import (  # noqa: E402
    DAYS,
    END,
    START,
    TZ_NAME,
    Scale,
    World,
    generate,
)
from fanloop.analytics import queries  # noqa: E402
from fanloop.analytics.kpis import REPURCHASE_WINDOW_DAYS, Totals  # noqa: E402

MEASURES = Totals.measure_names()
RAW_MEASURES = [name for name in MEASURES if not name.startswith("attributed_")]
MONEY_STATUSES = ("paid", "shipped", "completed", "partly_refunded", "refunded")
COUNTED_STATUSES = ("paid", "shipped", "completed", "partly_refunded")
BREAKDOWNS = ("day", "platform", "post", "partner")


# --- the pandas baseline -----------------------------------------------------------


def _read(sql: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        # pandas prefers SQLAlchemy but reads a plain DBAPI connection all the same
        warnings.simplefilter("ignore", UserWarning)
        return pd.read_sql(sql, connection.connection)


def load_raw(workspace_id: int) -> dict[str, pd.DataFrame]:
    """The raw rows, as stored, via ``pandas.read_sql`` on the Django connection."""
    connection.ensure_connection()
    ws = int(workspace_id)
    return {
        "post": _read(
            "SELECT day, platform, variant_id, post_key, impressions, views, likes, comments,"
            f" shares, favourites FROM channels_postmetricdaily WHERE workspace_id = {ws}"
        ),
        "variant": _read(f"SELECT id, item_id FROM content_variant WHERE workspace_id = {ws}"),
        "item": _read(f"SELECT id, campaign_id FROM content_contentitem WHERE workspace_id = {ws}"),
        "account_metric": _read(
            "SELECT account_id, day, followers_gained, followers_lost"
            f" FROM channels_accountmetricdaily WHERE workspace_id = {ws}"
        ),
        "account": _read(
            f"SELECT id, platform FROM channels_channelaccount WHERE workspace_id = {ws}"
        ),
        "link": _read(
            "SELECT id, campaign_id, platform, variant_id, partner_id"
            f" FROM tracking_trackinglink WHERE workspace_id = {ws}"
        ),
        "promo": _read(
            "SELECT id, platform, cost_per_use_fen FROM tracking_promocode"
            f" WHERE workspace_id = {ws}"
        ),
        "click": _read(
            "SELECT id, link_id, clicked_at, visitor_id, ip_hash, is_bot FROM tracking_click"
            f" WHERE workspace_id = {ws}"
        ),
        "order": _read(
            "SELECT id, status, ordered_at, buyer_hash, paid_fen, refund_fen, net_fen,"
            " campaign_id, link_id, partner_id, promo_id, attribution_rule"
            f" FROM tracking_order WHERE workspace_id = {ws}"
        ),
        "cost": _read(
            "SELECT day, campaign_id, platform, partner_id, variant_id, amount_fen"
            f" FROM tracking_costentry WHERE workspace_id = {ws}"
        ),
    }


def _days(column: pd.Series) -> np.ndarray:
    return pd.to_datetime(column).to_numpy().astype("datetime64[D]")


def _instants(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, utc=True, format="ISO8601")


def _local_days(instants: pd.Series) -> np.ndarray:
    return instants.dt.tz_convert(TZ_NAME).dt.tz_localize(None).to_numpy().astype("datetime64[D]")


def _repeats(click: pd.DataFrame, instants: pd.Series) -> pd.Series:
    """The click log's repeat rule, from the raw columns: an earlier click (by time, then
    id) on the same link within 30 minutes by the same visitor id, or, for a click
    without one, from the same IP hash."""
    frame = pd.DataFrame(
        {
            "id": click["id"].to_numpy(),
            "link": click["link_id"].to_numpy(),
            "at": ((instants - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)),
            "visitor": pd.factorize(click["visitor_id"])[0],
            "ip": pd.factorize(click["ip_hash"])[0],
        }
    )
    has_visitor = (click["visitor_id"] != "").to_numpy()
    window = 30 * 60 * 1_000_000

    def previous_within(frame: pd.DataFrame, who: str) -> pd.Series:
        ordered = frame.sort_values(["link", who, "at", "id"])
        same = (ordered["link"].diff() == 0) & (ordered[who].diff() == 0)
        close = ordered["at"].diff() <= window
        return (same & close).reindex(frame.index, fill_value=False)

    by_ip = previous_within(frame, "ip")
    by_visitor = previous_within(frame[has_visitor], "visitor").reindex(
        frame.index, fill_value=False
    )
    return pd.Series(np.where(has_visitor, by_visitor, by_ip), index=click.index)


def _ids(column: pd.Series) -> np.ndarray:
    """A nullable id column as int64 with -1 for NULL."""
    return column.fillna(-1).astype(np.int64).to_numpy()


DIMS = ["day", "campaign", "platform", "post", "partner", "attributed"]


def _frame(n: int, **columns: Any) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    for name in RAW_MEASURES:
        if name not in frame:
            frame[name] = np.zeros(n, dtype=np.int64)
    frame["attributed"] = columns.get("attributed", np.zeros(n, dtype=bool))
    for name in ("campaign", "partner"):
        if name not in frame:
            frame[name] = np.full(n, -1, dtype=np.int64)
    for name in ("platform", "post"):
        if name not in frame:
            frame[name] = ""
    return frame[DIMS + RAW_MEASURES]


def _post_of(variant: np.ndarray, platform: pd.Series, post_key: pd.Series) -> np.ndarray:
    """The dashboard's post key: v<variant id>, else platform:post_key, else ""."""
    keyed = np.where(post_key.to_numpy() != "", platform.to_numpy() + ":" + post_key.to_numpy(), "")
    return np.where(variant >= 0, "v" + variant.astype(str), keyed).astype(object)


def prepare(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One frame of per-source rows with the rollup's dimensions and measures.

    Written from the rollup's documented semantics, not from its code: post metrics
    belong to their variant's item's campaign; account metrics to no campaign; clicks
    and orders take their link's (orders: their own attribution's) dimensions; orders
    count by the local day of ``ordered_at``; pending/closed orders count nowhere,
    fully refunded ones only with their money; repeat orders look back 90 days at the
    buyer's counted orders; promo-code orders add the code's cost.
    """
    parts: list[pd.DataFrame] = []

    post = raw["post"]
    item_campaign = raw["item"].set_index("id")["campaign_id"]
    variant_item = raw["variant"].set_index("id")["item_id"]
    variant = _ids(post["variant_id"])
    campaign = _ids(
        pd.Series(variant).map(variant_item).map(item_campaign)  # NaN for no variant
    )
    parts.append(
        _frame(
            len(post),
            day=_days(post["day"]),
            campaign=campaign,
            platform=post["platform"].to_numpy(),
            post=_post_of(variant, post["platform"], post["post_key"]),
            **{
                name: post[name].to_numpy(np.int64)
                for name in ("impressions", "views", "likes", "comments", "shares", "favourites")
            },
        )
    )

    metric = raw["account_metric"]
    platform_of = raw["account"].set_index("id")["platform"]
    parts.append(
        _frame(
            len(metric),
            day=_days(metric["day"]),
            platform=metric["account_id"].map(platform_of).to_numpy(),
            followers_gained=metric["followers_gained"].to_numpy(np.int64),
            followers_lost=metric["followers_lost"].to_numpy(np.int64),
        )
    )

    link = raw["link"].set_index("id")
    click = raw["click"]
    human = ~click["is_bot"].astype(bool)
    instants = _instants(click["clicked_at"])
    per_link = (
        pd.DataFrame(
            {
                "day": _local_days(instants),
                "link_id": click["link_id"].to_numpy(),
                "clicks": human.to_numpy(np.int64),
                "unique_clicks": (human & ~_repeats(click, instants)).to_numpy(np.int64),
                "bot_clicks": (~human).to_numpy(np.int64),
            }
        )
        .groupby(["day", "link_id"], sort=False)
        .sum()
        .reset_index()
    )
    link_variant = _ids(per_link["link_id"].map(link["variant_id"]))
    parts.append(
        _frame(
            len(per_link),
            day=per_link["day"].to_numpy().astype("datetime64[D]"),
            campaign=_ids(per_link["link_id"].map(link["campaign_id"])),
            platform=per_link["link_id"].map(link["platform"]).to_numpy(),
            post=np.where(link_variant >= 0, "v" + link_variant.astype(str), "").astype(object),
            partner=_ids(per_link["link_id"].map(link["partner_id"])),
            attributed=np.ones(len(per_link), dtype=bool),  # orders only; harmless here
            clicks=per_link["clicks"].to_numpy(np.int64),
            unique_clicks=per_link["unique_clicks"].to_numpy(np.int64),
            bot_clicks=per_link["bot_clicks"].to_numpy(np.int64),
        )
    )

    order = raw["order"]
    order = order[order["status"].isin(MONEY_STATUSES)].copy()
    order["at"] = _instants(order["ordered_at"])
    counted = order["status"].isin(COUNTED_STATUSES).to_numpy()
    # repeat: a counted order whose buyer's previous counted order (by time, then id)
    # is at most 90 days earlier
    buyers = order.loc[counted & (order["buyer_hash"] != "").to_numpy(), ["id", "buyer_hash", "at"]]
    buyers = buyers.sort_values(["buyer_hash", "at", "id"], kind="stable")
    same_buyer = buyers["buyer_hash"].to_numpy()[1:] == buyers["buyer_hash"].to_numpy()[:-1]
    gap = buyers["at"].to_numpy()[1:] - buyers["at"].to_numpy()[:-1]
    is_repeat = np.zeros(len(buyers), dtype=bool)
    is_repeat[1:] = same_buyer & (gap <= np.timedelta64(REPURCHASE_WINDOW_DAYS, "D"))
    repeat_ids = set(buyers["id"].to_numpy()[is_repeat].tolist())
    link_id = _ids(order["link_id"])
    promo_id = _ids(order["promo_id"])
    promo = raw["promo"].set_index("id")
    link_platform = pd.Series(link_id).map(link["platform"]).fillna("").to_numpy()
    promo_platform = pd.Series(promo_id).map(promo["platform"]).fillna("").to_numpy()
    platform = np.where(link_platform != "", link_platform, promo_platform)
    order_variant = _ids(pd.Series(link_id).map(link["variant_id"]))
    campaign = _ids(order["campaign_id"])
    partner = _ids(order["partner_id"])
    promo_cost = pd.Series(promo_id).map(promo["cost_per_use_fen"]).fillna(0).to_numpy(np.int64)
    parts.append(
        _frame(
            len(order),
            day=_local_days(order["at"]),
            campaign=campaign,
            platform=platform.astype(object),
            post=np.where(order_variant >= 0, "v" + order_variant.astype(str), "").astype(object),
            partner=partner,
            attributed=(campaign >= 0) | (link_id >= 0) | (partner >= 0),
            orders=counted.astype(np.int64),
            gmv_fen=order["paid_fen"].to_numpy(np.int64),
            refund_fen=order["refund_fen"].to_numpy(np.int64),
            net_gmv_fen=order["net_fen"].to_numpy(np.int64),
            repeat_orders=order["id"].isin(repeat_ids).to_numpy(np.int64),
            code_orders=(counted & (order["attribution_rule"] == "code").to_numpy()).astype(
                np.int64
            ),
            cost_fen=np.where(counted & (promo_id >= 0), promo_cost, 0),
        )
    )

    cost = raw["cost"]
    cost_variant = _ids(cost["variant_id"])
    parts.append(
        _frame(
            len(cost),
            day=_days(cost["day"]),
            campaign=_ids(cost["campaign_id"]),
            platform=cost["platform"].to_numpy(),
            post=np.where(cost_variant >= 0, "v" + cost_variant.astype(str), "").astype(object),
            partner=_ids(cost["partner_id"]),
            cost_fen=cost["amount_fen"].to_numpy(np.int64),
        )
    )
    frame = pd.concat(parts, ignore_index=True)
    frame["att_orders"] = np.where(frame["attributed"], frame["orders"], 0)
    frame["att_gmv"] = np.where(frame["attributed"], frame["net_gmv_fen"], 0)
    return frame


def _select(frame: pd.DataFrame, start: date, end: date, campaign: int | None) -> pd.DataFrame:
    days = frame["day"].to_numpy()
    mask = (days >= np.datetime64(start, "D")) & (days <= np.datetime64(end, "D"))
    if campaign is not None:
        mask &= frame["campaign"].to_numpy() == campaign
    return frame[mask]


def _as_totals(sums: pd.Series) -> dict[str, int]:
    values = {name: int(sums[name]) for name in RAW_MEASURES}
    values["attributed_orders"] = int(sums["att_orders"])
    values["attributed_gmv_fen"] = int(sums["att_gmv"])
    return values


SUMMED = [*RAW_MEASURES, "att_orders", "att_gmv"]


def pandas_totals(
    frame: pd.DataFrame, start: date, end: date, campaign: int | None
) -> dict[str, int]:
    return _as_totals(_select(frame, start, end, campaign)[SUMMED].sum())


def pandas_breakdown(
    frame: pd.DataFrame, start: date, end: date, campaign: int | None, by: str
) -> dict[str, dict[str, int]]:
    """Totals per bucket; buckets keyed like queries.breakdown ("" = no such dimension).
    All-zero buckets are left out, as the rollup writes no all-zero fact."""
    rows = _select(frame, start, end, campaign)
    column = {"day": "day", "platform": "platform", "post": "post", "partner": "partner"}[by]
    grouped = rows.groupby(column, sort=False)[SUMMED].sum()
    out: dict[str, dict[str, int]] = {}
    for key, sums in grouped.iterrows():
        if by == "day":
            name = str(np.datetime64(key, "D"))
        elif by == "partner":
            name = "" if int(key) < 0 else str(int(key))
        else:
            name = str(key)
        totals = _as_totals(sums)
        if any(totals.values()):
            out[name] = totals
    return out


# --- the KPIs, written from the contract's formulas --------------------------------


def _rate(numerator: int, denominator: int, scale: int = 1, places: int = 4) -> Decimal | None:
    if denominator == 0:
        return None
    exact = Decimal(numerator) * scale / Decimal(denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def reference_kpis(t: dict[str, int]) -> dict[str, Decimal | None]:
    engagements = t["likes"] + t["comments"] + t["shares"] + t["favourites"]
    clicks = t["unique_clicks"]
    return {
        "impressions": Decimal(t["impressions"]),
        "reads": Decimal(t["views"]),
        "engagements": Decimal(engagements),
        "engagement_rate": _rate(engagements, t["impressions"], 100),
        "clicks": Decimal(clicks),
        "ctr": _rate(clicks, t["impressions"], 100),
        "follower_growth": Decimal(t["followers_gained"] - t["followers_lost"]),
        "orders": Decimal(t["orders"]),
        "conversion_rate": _rate(t["orders"], clicks, 100),
        "gmv": Decimal(t["net_gmv_fen"]),
        "aov": _rate(t["net_gmv_fen"], t["orders"], places=0),
        "cost": Decimal(t["cost_fen"]),
        "roi": _rate(t["attributed_gmv_fen"] - t["cost_fen"], t["cost_fen"]),
        "cpm": _rate(t["cost_fen"], t["impressions"], 1000, places=0),
        "cpc": _rate(t["cost_fen"], clicks, places=0),
        "cpe": _rate(t["cost_fen"], engagements, places=0),
        "cpa": _rate(t["cost_fen"], t["orders"], places=0),
        "repurchase_rate": _rate(t["repeat_orders"], t["orders"], 100),
    }


# --- comparing ---------------------------------------------------------------------


@dataclass
class Check:
    name: str
    cells: int = 0
    differences: list[str] | None = None

    def compare(self, where: str, expected: dict[str, int], got: Totals | None) -> None:
        if self.differences is None:
            self.differences = []
        got_values = asdict(got) if got is not None else dict.fromkeys(expected, 0)
        for name in MEASURES:
            self.cells += 1
            if expected.get(name, 0) != got_values[name]:
                self.differences.append(
                    f"{where} {name}: pandas {expected.get(name, 0)} fanloop {got_values[name]}"
                )
        want = reference_kpis({name: expected.get(name, 0) for name in MEASURES})
        have = (got or Totals()).kpis()
        for code, value in want.items():
            self.cells += 1
            if value != have[code]:
                self.differences.append(f"{where} KPI {code}: pandas {value} fanloop {have[code]}")


@dataclass(frozen=True)
class Question:
    label: str
    start: date
    end: date
    campaign: int | None


def questions(world: World, whole_workspace: bool = True) -> list[Question]:
    start, end = world.big_period
    length = (end - start).days + 1
    return [
        *([Question("workspace, 2 years", START, END, None)] if whole_workspace else []),
        Question("big campaign", start, end, world.big_campaign_id),
        Question(
            "big campaign, previous period",
            start - timedelta(days=length),
            start - timedelta(days=1),
            world.big_campaign_id,
        ),
    ]


def pandas_answers(
    frame: pd.DataFrame, world: World, whole_workspace: bool = True
) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in questions(world, whole_workspace):
        answers[question.label] = pandas_totals(
            frame, question.start, question.end, question.campaign
        )
    start, end = world.big_period
    for by in BREAKDOWNS:
        answers[f"by {by}"] = pandas_breakdown(frame, start, end, world.big_campaign_id, by)
    return answers


def fanloop_answers(world: World, whole_workspace: bool = True) -> dict[str, Any]:
    ws = world.workspace.pk
    answers: dict[str, Any] = {}
    for question in questions(world, whole_workspace):
        scope = queries.Scope(ws, question.start, question.end, campaign_id=question.campaign)
        answers[question.label] = queries.totals(scope)
    start, end = world.big_period
    scope = queries.Scope(ws, start, end, campaign_id=world.big_campaign_id)
    for by in BREAKDOWNS:
        answers[f"by {by}"] = {row.key: row.totals for row in queries.breakdown(scope, by)}
    return answers


def compare(expected: dict[str, Any], got: dict[str, Any]) -> Check:
    check = Check("match", differences=[])
    for label, want in expected.items():
        if label.startswith("by "):
            have: dict[str, Totals] = got[label]
            zero = Totals()
            have = {key: totals for key, totals in have.items() if totals != zero}
            for key in sorted(set(want) | set(have)):
                check.compare(f"{label} [{key or '(none)'}]", want.get(key, {}), have.get(key))
        else:
            check.compare(label, want, got[label])
    return check


# --- running -----------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def build_world(scale: Scale, log: Callable[[str], None] = print) -> World:
    """A user, their workspace and the generated rows in it."""
    from fanloop.core import services as core

    password = "bench-pass-123456-analytics"
    user = core.create_user(actor=None, username="bench-analyst", password=password)
    workspace = core.create_workspace(
        actor=user, name="Bench brand", slug="bench-brand", timezone_name=TZ_NAME
    )
    return generate(scale, user=user, password=password, workspace=workspace, log=log)


def check_attribution_sample(world: World, sample: int) -> tuple[int, float, int]:
    """Run the real attribution over a sample of orders; returns (orders, seconds,
    orders whose decisive fields differ from the generator's)."""
    from fanloop.tracking.models import Order
    from fanloop.tracking.services.attribution import attribute_orders

    fields = ("campaign_id", "link_id", "partner_id", "promo_id", "click_id", "attribution_rule")
    total = Order.objects.filter(workspace=world.workspace).count()
    step = max(total // max(sample, 1), 1)
    ids = list(range(1, total + 1, step))[:sample]
    before = {
        row[0]: row[1:] for row in Order.objects.filter(pk__in=ids).values_list("pk", *fields)
    }
    _, seconds = _timed(lambda: attribute_orders(world.workspace, ids))
    after = {row[0]: row[1:] for row in Order.objects.filter(pk__in=ids).values_list("pk", *fields)}
    differ = sum(1 for pk in ids if before[pk] != after[pk])
    return len(ids), seconds, differ


def dashboard_times(world: World, requests: int) -> tuple[list[float], list[float], str]:
    """Milliseconds per request of the campaign dashboard, signed in: cold (the facts
    version bumped before each, as after a rollup run, so every sum is computed) and
    warm (opened again, sums from the cache); and what was timed."""
    from django.test import Client
    from django.urls import reverse

    from fanloop.analytics.rollups import bump_version

    url = reverse("analytics_campaign", args=[world.workspace.slug, world.big_campaign_id])
    client = Client()
    client.force_login(world.user)
    start, end = world.big_period
    query = {"period": "custom", "start": start.isoformat(), "end": end.isoformat()}
    first = client.get(url, query)
    assert first.status_code == 200, (first.status_code, first.content[:500])
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(requests):
        for times in (cold, warm):
            if times is cold:
                bump_version(world.workspace.pk)
            started = time.perf_counter()
            response = client.get(url, query)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return cold, warm, f"GET {url} (signed in, rendered page)"


def page_parts(world: World, runs: int = 5) -> dict[str, float]:
    """Median milliseconds of each read the campaign page makes, uncached, to show where
    its time goes (the rest is goal pacing, post titles, tables, charts and the
    template)."""
    from fanloop.analytics import dashboard

    start, end = world.big_period
    scope = queries.Scope(world.workspace.pk, start, end, campaign_id=world.big_campaign_id)
    parts: dict[str, Callable[[], Any]] = {
        "breakdown day (+ totals)": lambda: queries.breakdown(scope, "day"),
        "totals previous period": lambda: queries.totals(scope.previous()),
        "breakdowns platform + post + partner + link (one pass)": lambda: queries.breakdowns(
            scope, ["platform", "post", "partner", "link"]
        ),
        "attribution table (rollup, from the page's totals)": lambda: dashboard.attribution_table(
            queries.totals(scope)
        ),
    }
    from fanloop.analytics.rollups import bump_version

    def cold(fn: Callable[[], Any]) -> float:
        bump_version(world.workspace.pk)  # nothing from the cache
        return _timed(fn)[1] * 1000

    out: dict[str, float] = {}
    for name, fn in parts.items():
        fn()
        out[name] = statistics.median(cold(fn) for _ in range(runs))
    return out


def pandas_dashboard_seconds(frame: pd.DataFrame, world: World) -> float:
    start, end = world.big_period
    length = (end - start).days + 1
    campaign = world.big_campaign_id

    def figures() -> None:
        pandas_totals(frame, start, end, campaign)
        pandas_totals(frame, start - timedelta(days=length), start - timedelta(days=1), campaign)
        for by in BREAKDOWNS:
            pandas_breakdown(frame, start, end, campaign, by)

    figures()
    runs = [_timed(figures)[1] for _ in range(3)]
    return statistics.median(runs)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(round(q * (len(ordered) - 1)), len(ordered) - 1)]


def raw_rows(world: World) -> int:
    rows = world.ingest.rows
    return sum(
        rows.get(name, 0)
        for name in ("post metrics", "account metrics", "tracking_click", "tracking_order", "costs")
    )


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from fanloop.analytics.models import DailyFact
    from fanloop.analytics.rollups import rebuild_range

    db = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    scale = Scale.for_clicks(args.clicks, args.orders)
    print(f"Analytics scale benchmark on {db}: {scale}")
    print(f"   load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    call_command("migrate", verbosity=0)

    print("1. generate and ingest")
    world, seconds = _timed(lambda: build_world(scale))
    print(
        f"   generated + written in {seconds:.1f} s"
        f" (numpy generation {world.generate_seconds:.1f} s)"
    )
    for table, rows in world.ingest.rows.items():
        how = (
            ("COPY" if world.is_postgres else "executemany")
            if table.startswith("tracking_")
            else "bulk_create"
        )
        print(
            f"   {table:18} {rows:>11,} rows {world.ingest.seconds[table]:7.1f} s "
            f"{world.ingest.rate(table):>10,.0f} rows/s ({how};"
            f" {world.ingest.cpu_rate(table):,.0f} rows per CPU-second of this process)"
        )
    sampled, attr_seconds, differ = check_attribution_sample(world, args.attribution_sample)
    attr_rate = sampled / max(attr_seconds, 1e-9)
    print(
        f"   attribution: the generator set the attribution of all {scale.orders:,} orders"
        f" itself ({world.attributed_in_generator:,} credited); the real attribute_orders ran"
        f" on a sample of {sampled:,}: {attr_seconds:.1f} s = {attr_rate:,.0f} orders/s"
        f" (all {scale.orders:,} would take ~{scale.orders / attr_rate:,.0f} s);"
        f" {differ} of the sample decided differently"
    )

    print("2. rollup (rebuild_range over two years)")
    span = (START, START + timedelta(days=DAYS - 1))
    cpu_before = time.process_time()
    result, rollup_seconds = _timed(lambda: rebuild_range(world.workspace, *span))
    rollup_cpu = time.process_time() - cpu_before
    facts = DailyFact.objects.filter(workspace=world.workspace).count()
    rollup_rate = raw_rows(world) / rollup_seconds
    print(
        f"   {result['days']} days, {facts:,} fact rows from {raw_rows(world):,} raw rows in"
        f" {rollup_seconds:.1f} s = {rollup_rate:,.0f} raw rows/s"
        f" ({rollup_cpu:.1f} CPU-seconds in this process)"
    )

    print("3. pandas baseline")
    raw, load_seconds = _timed(lambda: load_raw(world.workspace.pk))
    frame, prepare_seconds = _timed(lambda: prepare(raw))
    raw.clear()
    expected, answer_seconds = _timed(lambda: pandas_answers(frame, world))
    compute_seconds = prepare_seconds + answer_seconds
    print(
        f"   load (read_sql) {load_seconds:.1f} s, compute {compute_seconds:.1f} s"
        f" (prepare {prepare_seconds:.1f} s + answers {answer_seconds:.2f} s),"
        f" total {load_seconds + compute_seconds:.1f} s"
    )

    print("4. fanloop queries vs pandas")
    got, fanloop_seconds = _timed(lambda: fanloop_answers(world))
    check = compare(expected, got)
    differences = check.differences or []
    print(f"   fanloop answered in {fanloop_seconds * 1000:.0f} ms; {check.cells:,} cells compared")
    if differences:
        print(f"   MISMATCH in {len(differences)} cells:")
        for line in differences[:50]:
            print(f"     {line}")
    else:
        print("   match")
    headline = expected["big campaign"]
    print(
        f"   big campaign: {headline['unique_clicks']:,} clicks, {headline['orders']:,} orders,"
        f" GMV {headline['net_gmv_fen'] / 100:,.2f} yuan,"
        f" cost {headline['cost_fen'] / 100:,.2f} yuan"
    )

    print("5. campaign dashboard response time")
    cold, warm, what = dashboard_times(world, args.requests)
    p50, p95 = percentile(cold, 0.5), percentile(cold, 0.95)
    warm50, warm95 = percentile(warm, 0.5), percentile(warm, 0.95)
    for name, ms in page_parts(world).items():
        print(f"     {name:32} {ms:7.1f} ms")
    pandas_dash = pandas_dashboard_seconds(frame, world) * 1000
    print(
        f"   {what}, {len(cold)} requests each:\n"
        f"     cold (right after a rollup, every sum computed): p50 {p50:.0f} ms,"
        f" p95 {p95:.0f} ms (target < 300 ms: {'yes' if p95 < 300 else 'NO'})\n"
        f"     warm (opened again before the next rollup, sums cached): p50 {warm50:.0f} ms,"
        f" p95 {warm95:.0f} ms (target < 300 ms: {'yes' if warm95 < 300 else 'NO'})"
    )
    print(
        f"   pandas, same figures from its prepared frame: {pandas_dash:.0f} ms per page;"
        f" from the raw rows (load + compute): {(load_seconds + compute_seconds) * 1000:,.0f} ms"
    )

    print()
    print(f"Summary (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(
        f"  {'DB':10} {'clicks/s':>10} {'orders/s':>10} {'metrics/s':>10} {'rollup rows/s':>14} "
        f"{'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'pandas raw':>11} {'pandas frame':>13}"
        f" {'match':>6}"
    )
    print(
        f"  {db:10} {world.ingest.rate('tracking_click'):>10,.0f}"
        f" {world.ingest.rate('tracking_order'):>10,.0f}"
        f" {world.ingest.rate('post metrics'):>10,.0f} {rollup_rate:>14,.0f}"
        f" {p50:>7.0f}ms {p95:>7.0f}ms {warm50:>7.0f}ms {(load_seconds + compute_seconds):>10.1f}s"
        f" {pandas_dash:>11.0f}ms {'yes' if not differences else 'NO':>6}"
    )
    pandas_raw_ms = (load_seconds + compute_seconds) * 1000
    print(
        f"  cold dashboard p50 vs pandas from raw rows: {pandas_raw_ms / p50:,.0f}x"
        f" faster; vs pandas on a prepared in-memory frame: {pandas_dash / p50:.2f}x"
    )
    return 1 if differences else 0


def main() -> int:
    try:
        return run(ARGS)
    finally:
        connection.close()
        if ARGS.database_url and not ARGS.keep:
            _pg_admin(
                ARGS.database_url, f'DROP DATABASE IF EXISTS "{_pg_db_name(ARGS.database_url)}"'
            )
        _TMP.cleanup()


if __name__ == "__main__":
    sys.exit(main())
