"""A realistic analytics workspace for the scale benchmark, generated deterministically.

Everything comes from one seeded numpy generator, so two runs at the same scale write
the same rows. Import this only after ``django.setup()``. Used by
``bench/analytics_scale.py`` and by the tiny smoke test that keeps the bench honest.

Shape (at the default scale): one workspace (Asia/Shanghai), 20 campaigns over two years,
8 channel accounts, ~1,000 content items with ~2,000 published variants, one
``PostMetricDaily`` row per post per day it is live (30-90 days, heavy-tailed numbers),
``AccountMetricDaily`` for two years, 200 partners, 3,000 tracking links, 300 promo codes,
10M clicks (5 % bots, repeat clicks, visitor ids for consenting visitors) and 1M orders
(several shops, closed / refunded / partly refunded, repurchasing buyers, promo codes,
visitor ids), plus costs.

Clicks and orders are written with explicit ids (the database is fresh), so the
generator can set orders' attribution itself (see ``attribute_in_generator``).
"""

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Model

from fanloop.campaigns.models import Campaign
from fanloop.channels.models import AccountMetricDaily, ChannelAccount, PostMetricDaily
from fanloop.content.models import ContentItem, Variant
from fanloop.core.models import User, Workspace
from fanloop.tracking.models import (
    CostEntry,
    Partner,
    PromoCode,
    TrackingLink,
)

START = date(2024, 11, 1)
DAYS = 730
END = START + timedelta(days=DAYS - 1)
TZ_NAME = "Asia/Shanghai"
# Asia/Shanghai has had no DST since 1991, so local day = floor((utc + 8 h) / 1 day).
TZ_OFFSET = 8 * 3600
START_TS = int(datetime(START.year, START.month, START.day, tzinfo=UTC).timestamp()) - TZ_OFFSET
ATTRIBUTION_WINDOW_SECONDS = 7 * 86400
REPEAT_WINDOW_SECONDS = 30 * 60

ACCOUNT_PLATFORMS = [
    "weibo",
    "douyin",
    "douyin",
    "xiaohongshu",
    "xiaohongshu",
    "wechat_oa",
    "bilibili",
    "kuaishou",
]
SHOPS = np.array(["taobao", "jd", "pinduoduo", "douyin", "youzan"])
SHOP_P = [0.4, 0.2, 0.15, 0.15, 0.1]
STATUSES = np.array(
    ["completed", "shipped", "paid", "partly_refunded", "refunded", "closed", "pending"]
)
STATUS_P = [0.58, 0.10, 0.05, 0.05, 0.07, 0.12, 0.03]
UA_CLASSES = np.array(["wechat", "douyin", "weibo", "mobile", "desktop"])
UA_P = [0.35, 0.2, 0.12, 0.23, 0.10]
REFERRERS = {
    "wechat": "mp.weixin.qq.com",
    "douyin": "www.douyin.com",
    "weibo": "weibo.com",
    "mobile": "",
    "desktop": "www.baidu.com",
    "bot": "",
}


@dataclass(frozen=True)
class Scale:
    clicks: int = 10_000_000
    orders: int = 1_000_000
    posts: int = 2_000
    links: int = 3_000
    partners: int = 200
    promos: int = 300
    campaigns: int = 20
    seed: int = 20261123

    @classmethod
    def for_clicks(cls, clicks: int, orders: int | None = None) -> "Scale":
        """A scale with ``clicks`` clicks and everything else in proportion, but never
        so small that a campaign has no posts, links or codes."""
        if clicks >= 1_000_000:
            # full-size dimensions, so the rollup and dashboards see as many links,
            # posts and partners as at 10M
            return cls(clicks=clicks, orders=orders if orders is not None else clicks // 10)
        ratio = clicks / 10_000_000
        return cls(
            clicks=clicks,
            orders=orders if orders is not None else max(clicks // 10, 50),
            posts=max(int(2_000 * ratio**0.5), 120),
            links=max(int(3_000 * ratio**0.5), 80),
            partners=max(int(200 * ratio**0.5), 20),
            promos=max(int(300 * ratio**0.5), 30),
        )


@dataclass
class Ingest:
    """Rows written per table and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    # CPU seconds of this process: on a shared, loaded machine wall time says little
    cpu: dict[str, float] = field(default_factory=dict)

    def add(self, table: str, rows: int, started: tuple[float, float]) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started[0]
        self.cpu[table] = self.cpu.get(table, 0.0) + time.process_time() - started[1]

    def cpu_rate(self, table: str) -> float:
        return self.rows[table] / max(self.cpu[table], 1e-9)

    def rate(self, table: str) -> float:
        return self.rows[table] / max(self.seconds[table], 1e-9)


@dataclass
class World:
    workspace: Workspace
    user: User
    password: str
    campaign_ids: list[int]
    campaign_days: list[tuple[date, date]]
    big_campaign_id: int
    big_period: tuple[date, date]
    ingest: Ingest
    generate_seconds: float
    attributed_in_generator: int
    is_postgres: bool


def day_of(index: int) -> date:
    return START + timedelta(days=int(index))


def clock() -> tuple[float, float]:
    """Wall and CPU time now, for ``Ingest.add``."""
    return time.perf_counter(), time.process_time()


def _aware(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _hex(rng: np.random.Generator, count: int, chars: int) -> list[str]:
    """``count`` random lowercase hex strings of ``chars`` characters."""
    raw = rng.integers(0, 256, size=(count, chars // 2), dtype=np.uint8)
    return [bytes(row).hex() for row in raw]


def _heavy_weights(rng: np.random.Generator, count: int, sigma: float = 1.2) -> np.ndarray:
    weights = rng.lognormal(0.0, sigma, size=count)
    return weights / weights.sum()


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, total, size):
        yield lo, min(lo + size, total)


def _bulk(
    ingest: Ingest, table: str, model: type[Model], objects: Sequence[Model], batch: int = 5_000
) -> None:
    started = clock()
    with transaction.atomic():
        model._default_manager.bulk_create(objects, batch_size=batch)
    ingest.add(table, len(objects), started)


def _copy(ingest: Ingest, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """COPY rows into ``table`` (PostgreSQL) in one transaction; returns the count."""
    count = 0
    started = clock()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    ingest.add(table, count, started)
    return count


def _insert_many(
    ingest: Ingest,
    table: str,
    columns: list[str],
    rows: Iterator[tuple[Any, ...]],
    datetime_columns: tuple[str, ...],
) -> int:
    """INSERT rows with one executemany in one transaction (SQLite), returns the count.
    The ORM's bulk_create builds a model instance per row: five times the CPU."""
    adapt = connection.ops.adapt_datetimefield_value
    positions = [columns.index(name) for name in datetime_columns]
    started = clock()
    values: list[list[Any]] = []
    for row in rows:
        value = list(row)
        for position in positions:
            value[position] = adapt(value[position])
        values.append(value)
    marks = ", ".join(["%s"] * len(columns))
    with transaction.atomic(), connection.cursor() as cursor:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        cursor.executemany(sql, values)
    ingest.add(table, len(values), started)
    return len(values)


def _reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def generate(
    scale: Scale,
    *,
    user: User,
    password: str,
    workspace: Workspace,
    log: Callable[[str], None] = print,
) -> World:
    """Write the whole world into ``workspace`` (which must be empty)."""
    is_postgres = connection.vendor == "postgresql"
    rng = np.random.default_rng(scale.seed)
    ingest = Ingest()
    gen_seconds = 0.0
    tick = time.perf_counter()
    ws = workspace.pk

    # --- campaigns: the biggest is "Double 11 2025"; the rest spread over two years
    n_camp = scale.campaigns
    c_start = rng.integers(0, DAYS - 120, size=n_camp)
    c_len = rng.integers(30, 121, size=n_camp)
    c_start[0] = (date(2025, 10, 10) - START).days
    c_len[0] = (date(2025, 11, 30) - date(2025, 10, 10)).days + 1
    c_end = np.minimum(c_start + c_len - 1, DAYS - 1)
    c_weight = rng.uniform(0.5, 1.5, size=n_camp)
    c_weight[0] = 6.0
    c_p = c_weight / c_weight.sum()
    gen_seconds += time.perf_counter() - tick
    campaigns = [
        Campaign(
            workspace_id=ws,
            name="Double 11 2025" if i == 0 else f"Campaign {i:02d}",
            state="closed",
            start_date=day_of(c_start[i]),
            end_date=day_of(c_end[i]),
        )
        for i in range(n_camp)
    ]
    _bulk(ingest, "campaigns", Campaign, campaigns)
    campaign_ids = list(
        Campaign.objects.filter(workspace_id=ws).order_by("id").values_list("id", flat=True)
    )

    # --- channel accounts
    accounts = [
        ChannelAccount(
            workspace_id=ws,
            platform=platform,
            display_name=f"Brand {platform} {i}",
        )
        for i, platform in enumerate(ACCOUNT_PLATFORMS)
    ]
    _bulk(ingest, "accounts", ChannelAccount, accounts)
    account_rows = list(
        ChannelAccount.objects.filter(workspace_id=ws).order_by("id").values_list("id", "platform")
    )
    platforms = sorted({platform for _, platform in account_rows})
    accounts_by_platform: dict[str, list[int]] = {}
    for account_id, platform in account_rows:
        accounts_by_platform.setdefault(platform, []).append(account_id)

    # --- content: items (85 % in a campaign) with a variant on two platforms each
    tick = time.perf_counter()
    n_items = max(scale.posts // 2, 1)
    item_camp = np.where(rng.random(n_items) < 0.85, rng.choice(n_camp, size=n_items, p=c_p), -1)
    item_day = np.where(
        item_camp >= 0,
        c_start[np.maximum(item_camp, 0)]
        + (rng.random(n_items) * c_len[np.maximum(item_camp, 0)] * 0.8).astype(int),
        rng.integers(0, DAYS - 30, size=n_items),
    )
    item_day = np.minimum(item_day, DAYS - 1)
    gen_seconds += time.perf_counter() - tick
    items = [
        ContentItem(
            workspace_id=ws,
            campaign_id=campaign_ids[c] if c >= 0 else None,
            title=f"Post {i:05d} 春季新品开箱",
            content_type="note",
            purpose="product_intro",
        )
        for i, c in enumerate(item_camp.tolist())
    ]
    _bulk(ingest, "content items", ContentItem, items)
    item_ids = list(
        ContentItem.objects.filter(workspace_id=ws).order_by("id").values_list("id", flat=True)
    )
    variants: list[Variant] = []
    v_item: list[int] = []
    v_platform: list[str] = []
    v_day: list[int] = []
    for i, item_id in enumerate(item_ids):
        for platform in rng.choice(platforms, size=2, replace=False).tolist():
            minute = int(rng.integers(8 * 60, 23 * 60))
            published = _aware(START_TS + int(item_day[i]) * 86400 + minute * 60)
            variants.append(
                Variant(
                    item_id=item_id,
                    workspace_id=ws,
                    platform=platform,
                    title=f"Post {i:05d} on {platform}",
                    state="published",
                    published_at=published,
                )
            )
            v_item.append(i)
            v_platform.append(platform)
            v_day.append(int(item_day[i]))
    _bulk(ingest, "variants", Variant, variants)
    variant_ids = list(
        Variant.objects.filter(workspace_id=ws).order_by("id").values_list("id", flat=True)
    )
    n_var = len(variant_ids)
    v_camp = np.array([item_camp[i] for i in v_item], dtype=np.int64)
    v_account = [
        accounts_by_platform[p][int(rng.integers(len(accounts_by_platform[p])))] for p in v_platform
    ]

    # --- post metrics: each post live 30-90 days, decaying, heavy-tailed reach. One in
    # ten posts is an imported post no variant was linked to (post_key only).
    tick = time.perf_counter()
    live = rng.integers(30, 91, size=n_var)
    reach = rng.lognormal(7.5, 1.4, size=n_var)
    half_life = rng.uniform(2.0, 12.0, size=n_var)
    unlinked = rng.random(n_var) < 0.1
    metric_rows: list[PostMetricDaily] = []
    for v in range(n_var):
        days = np.arange(v_day[v], min(v_day[v] + int(live[v]), DAYS))
        k = days - v_day[v]
        impressions = np.round(
            reach[v] * np.exp(-k / half_life[v]) * rng.lognormal(0, 0.3, size=len(k))
        ).astype(np.int64)
        views = (impressions * rng.uniform(0.2, 0.6, size=len(k))).astype(np.int64)
        likes = rng.binomial(views, 0.04)
        comments = rng.binomial(views, 0.004)
        shares = rng.binomial(views, 0.003)
        favourites = rng.binomial(views, 0.01)
        post_published = variants[v].published_at
        post_key = f"{v_platform[v]}-{variant_ids[v]}"
        for j, day_index in enumerate(days.tolist()):
            metric_rows.append(
                PostMetricDaily(
                    workspace_id=ws,
                    platform=v_platform[v],
                    account_id=v_account[v],
                    variant_id=None if unlinked[v] else variant_ids[v],
                    post_key=post_key,
                    post_title=f"Post {v_item[v]:05d}",
                    published_at=post_published,
                    day=day_of(day_index),
                    impressions=int(impressions[j]),
                    views=int(views[j]),
                    likes=int(likes[j]),
                    comments=int(comments[j]),
                    shares=int(shares[j]),
                    favourites=int(favourites[j]),
                    source="import",
                )
            )
    gen_seconds += time.perf_counter() - tick
    for lo, hi in _chunks(len(metric_rows), 50_000):
        _bulk(ingest, "post metrics", PostMetricDaily, metric_rows[lo:hi])
    del metric_rows

    # --- account metrics: two years of daily follower changes per account
    tick = time.perf_counter()
    account_metrics: list[AccountMetricDaily] = []
    for account_id, _platform in account_rows:
        gained = rng.negative_binomial(3, 3 / (3 + rng.uniform(20, 400)), size=DAYS)
        lost = rng.binomial(gained, 0.3)
        total = 10_000 + np.cumsum(gained - lost)
        for d in range(DAYS):
            account_metrics.append(
                AccountMetricDaily(
                    workspace_id=ws,
                    account_id=account_id,
                    day=day_of(d),
                    followers_total=int(total[d]),
                    followers_gained=int(gained[d]),
                    followers_lost=int(lost[d]),
                    source="import",
                )
            )
    gen_seconds += time.perf_counter() - tick
    _bulk(ingest, "account metrics", AccountMetricDaily, account_metrics)

    # --- partners
    kinds = rng.choice(
        ["kol", "koc", "channel", "partner"], size=scale.partners, p=[0.4, 0.3, 0.15, 0.15]
    )
    partners = [
        Partner(
            workspace_id=ws,
            name=f"Partner {i:04d}",
            kind=str(kinds[i]),
            platform=str(rng.choice(platforms)),
        )
        for i in range(scale.partners)
    ]
    _bulk(ingest, "partners", Partner, partners)
    partner_ids = list(
        Partner.objects.filter(workspace_id=ws).order_by("id").values_list("id", flat=True)
    )

    # --- tracking links: 90 % for a campaign, many for one post, some for a partner
    tick = time.perf_counter()
    n_links = scale.links
    l_camp = np.where(rng.random(n_links) < 0.9, rng.choice(n_camp, size=n_links, p=c_p), -1)
    variants_by_camp: dict[int, list[int]] = {}
    for v in range(n_var):
        variants_by_camp.setdefault(int(v_camp[v]), []).append(v)
    l_variant = np.full(n_links, -1)
    l_platform: list[str] = []
    for i in range(n_links):
        pool = variants_by_camp.get(int(l_camp[i]), [])
        if pool and rng.random() < 0.6:
            l_variant[i] = pool[int(rng.integers(len(pool)))]
            l_platform.append(v_platform[l_variant[i]])
        else:
            l_platform.append(str(rng.choice(platforms)) if rng.random() < 0.9 else "")
    l_partner = np.where(rng.random(n_links) < 0.4, rng.integers(0, scale.partners, n_links), -1)
    # active window: the campaign's days plus a tail, else a random stretch
    l_d0 = np.where(
        l_camp >= 0, c_start[np.maximum(l_camp, 0)], rng.integers(0, DAYS - 60, n_links)
    )
    l_d1 = np.where(
        l_camp >= 0, c_end[np.maximum(l_camp, 0)] + 14, l_d0 + rng.integers(30, 180, n_links)
    )
    l_d1 = np.minimum(l_d1, DAYS - 1)
    gen_seconds += time.perf_counter() - tick
    links = [
        TrackingLink(
            workspace_id=ws,
            code=f"bx{scale.seed % 1000:03d}{i:06d}",
            name=f"Link {i:05d}",
            destination_url=f"https://shop.example.com/item/{i}",
            campaign_id=campaign_ids[l_camp[i]] if l_camp[i] >= 0 else None,
            platform=l_platform[i],
            variant_id=variant_ids[l_variant[i]] if l_variant[i] >= 0 else None,
            partner_id=partner_ids[l_partner[i]] if l_partner[i] >= 0 else None,
        )
        for i in range(n_links)
    ]
    _bulk(ingest, "links", TrackingLink, links)
    link_ids = np.array(
        TrackingLink.objects.filter(workspace_id=ws).order_by("id").values_list("id", flat=True)
    )

    # --- promo codes (coupon / KOL / channel), each for one campaign
    n_promo = scale.promos
    p_camp = rng.choice(n_camp, size=n_promo, p=c_p)
    p_partner = np.where(rng.random(n_promo) < 0.5, rng.integers(0, scale.partners, n_promo), -1)
    p_link = np.full(n_promo, -1)
    links_by_camp: dict[int, list[int]] = {}
    for i in range(n_links):
        links_by_camp.setdefault(int(l_camp[i]), []).append(i)
    for i in range(n_promo):
        pool = links_by_camp.get(int(p_camp[i]), [])
        if pool and rng.random() < 0.3:
            p_link[i] = pool[int(rng.integers(len(pool)))]
    p_cost = rng.integers(5, 31, size=n_promo) * 100
    p_codes = [f"FAN{i:04d}{'K' if p_partner[i] >= 0 else 'C'}" for i in range(n_promo)]
    promos = [
        PromoCode(
            workspace_id=ws,
            code=p_codes[i],
            kind="kol" if p_partner[i] >= 0 else "coupon",
            campaign_id=campaign_ids[p_camp[i]],
            partner_id=partner_ids[p_partner[i]] if p_partner[i] >= 0 else None,
            link_id=int(link_ids[p_link[i]]) if p_link[i] >= 0 else None,
            platform=str(rng.choice(platforms)),
            cost_per_use_fen=int(p_cost[i]),
            valid_from=day_of(c_start[p_camp[i]]),
            valid_until=day_of(min(int(c_end[p_camp[i]]) + 7, DAYS - 1)),
        )
        for i in range(n_promo)
    ]
    _bulk(ingest, "promo codes", PromoCode, promos)
    promo_ids = np.array(
        PromoCode.objects.filter(workspace_id=ws).order_by("id").values_list("id", flat=True)
    )

    # --- clicks
    tick = time.perf_counter()
    n_clicks = scale.clicks
    n_bot = int(n_clicks * 0.05)
    n_human = n_clicks - n_bot
    n_repeat = int(n_human * 0.15)
    n_orig = n_human - n_repeat
    n_people = max(n_clicks // 5, 10)
    link_p = _heavy_weights(rng, n_links, 1.3)
    person_p = _heavy_weights(rng, n_people, 1.0)
    consent = rng.random(n_people) < 0.6
    person_ua = rng.choice(len(UA_CLASSES), size=n_people, p=UA_P)
    n_bot_ips = max(n_clicks // 2000, 5)

    o_link = rng.choice(n_links, size=n_orig, p=link_p)
    o_person = rng.choice(n_people, size=n_orig, p=person_p)
    span = l_d1[o_link] - l_d0[o_link] + 1
    o_ts = (
        START_TS
        + (l_d0[o_link] + (rng.random(n_orig) * span).astype(np.int64)) * 86400
        + rng.integers(0, 86400, size=n_orig)
    )
    parent = rng.integers(0, n_orig, size=n_repeat)
    r_ts = o_ts[parent] + rng.integers(1, 45 * 60, size=n_repeat)
    b_link = rng.choice(n_links, size=n_bot, p=link_p)
    b_span = l_d1[b_link] - l_d0[b_link] + 1
    b_ts = (
        START_TS
        + (l_d0[b_link] + (rng.random(n_bot) * b_span).astype(np.int64)) * 86400
        + rng.integers(0, 86400, size=n_bot)
    )
    # "who": a person index for humans, n_people + bot ip index for bots. Humans who
    # consent always carry their visitor id and nobody shares an IP, so the click log's
    # rule (same visitor id, else same IP) reduces to "same who".
    c_link = np.concatenate([o_link, o_link[parent], b_link])
    c_who = np.concatenate(
        [o_person, o_person[parent], n_people + rng.integers(0, n_bot_ips, size=n_bot)]
    )
    c_ts = np.concatenate([o_ts, r_ts, b_ts])
    c_ts = np.minimum(c_ts, START_TS + DAYS * 86400 - 1)
    order = np.argsort(c_ts, kind="stable")
    c_link, c_who, c_ts = c_link[order], c_who[order], c_ts[order]
    c_bot = c_who >= n_people
    # repeats as tracking.repeats derives them (an earlier click on the same link by the
    # same visitor within 30 minutes), counted here for the log line only: clicks are
    # stored with is_repeat false, as the click log writes them, and the rollup flags them
    by = np.lexsort((np.arange(n_clicks), c_ts, c_who, c_link))
    same = (c_link[by][1:] == c_link[by][:-1]) & (c_who[by][1:] == c_who[by][:-1])
    close = (c_ts[by][1:] - c_ts[by][:-1]) <= REPEAT_WINDOW_SECONDS
    c_repeat = np.zeros(n_clicks, dtype=bool)
    c_repeat[by[1:][same & close]] = True
    visitor_ids = _hex(rng, n_people, 32)
    ip_hashes = _hex(rng, n_people + n_bot_ips, 64)
    gen_seconds += time.perf_counter() - tick
    log(f"  generated {n_clicks:,} clicks ({c_repeat.sum():,} repeats, {c_bot.sum():,} bots)")

    ua_of = UA_CLASSES.tolist()
    link_id_list = link_ids.tolist()

    def click_values(lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
        for i, link, who, ts, bot in zip(
            range(lo + 1, hi + 1),
            c_link[lo:hi].tolist(),
            c_who[lo:hi].tolist(),
            c_ts[lo:hi].tolist(),
            c_bot[lo:hi].tolist(),
            strict=True,
        ):
            ua = "bot" if bot else ua_of[person_ua[who]]
            yield (
                i,
                ws,
                link_id_list[link],
                _aware(ts),
                REFERRERS[ua],
                ua,
                ip_hashes[who],
                visitor_ids[who] if not bot and consent[who] else "",
                bot,
                False,
            )

    click_columns = [
        "id", "workspace_id", "link_id", "clicked_at", "referrer_host", "ua_class", "ip_hash",
        "visitor_id", "is_bot", "is_repeat",
    ]  # fmt: skip
    if is_postgres:
        for lo, hi in _chunks(n_clicks, 1_000_000):
            _copy(ingest, "tracking_click", click_columns, click_values(lo, hi))
            log(f"  clicks {hi:,} / {n_clicks:,}")
        _reset_sequence("tracking_click")
    else:
        for lo, hi in _chunks(n_clicks, 100_000):
            _insert_many(
                ingest, "tracking_click", click_columns, click_values(lo, hi), ("clicked_at",)
            )
            if hi % 1_000_000 == 0 or hi == n_clicks:
                log(f"  clicks {hi:,} / {n_clicks:,}")

    # --- orders
    tick = time.perf_counter()
    n_orders = scale.orders
    kind = rng.choice(3, size=n_orders, p=[0.25, 0.12, 0.63])  # click, promo, organic
    o_ts_orders = START_TS + rng.integers(0, DAYS * 86400, size=n_orders)
    o_visitor = np.full(n_orders, -1)
    # click-driven: a consenting human's click, the order a few hours later
    eligible = np.flatnonzero(
        ~c_bot & consent[np.minimum(c_who, n_people - 1)] & (c_who < n_people)
    )
    from_click = np.flatnonzero(kind == 0)
    if len(eligible):
        seed_click = eligible[rng.integers(0, len(eligible), size=len(from_click))]
        o_ts_orders[from_click] = c_ts[seed_click] + np.minimum(
            rng.exponential(6 * 3600, size=len(from_click)).astype(np.int64), 6 * 86400
        )
        o_visitor[from_click] = c_who[seed_click]
    else:
        kind[from_click] = 2
    # promo orders: within the code's validity; a third also came through a click
    from_promo = np.flatnonzero(kind == 1)
    o_promo = np.full(n_orders, -1)
    o_promo[from_promo] = rng.choice(n_promo, size=len(from_promo))
    valid_from = c_start[p_camp[o_promo[from_promo]]]
    valid_until = np.minimum(c_end[p_camp[o_promo[from_promo]]] + 7, DAYS - 1)
    o_ts_orders[from_promo] = (
        START_TS
        + (
            valid_from
            + (rng.random(len(from_promo)) * (valid_until - valid_from + 1)).astype(np.int64)
        )
        * 86400
        + rng.integers(0, 86400, size=len(from_promo))
    )
    o_ts_orders = np.minimum(o_ts_orders, START_TS + DAYS * 86400 - 1)
    # a few organic orders carry a visitor id no click has (cookie from elsewhere)
    n_people_unknown = int(n_orders * 0.03)
    stranger = rng.choice(
        np.flatnonzero(kind == 2), size=min(n_people_unknown, int((kind == 2).sum())), replace=False
    )
    stranger_ids = _hex(rng, len(stranger), 32)
    o_status = rng.choice(len(STATUSES), size=n_orders, p=STATUS_P)
    o_shop = rng.choice(len(SHOPS), size=n_orders, p=SHOP_P)
    n_buyers = max(int(n_orders * 0.4), 1)
    o_buyer = rng.choice(n_buyers, size=n_orders, p=_heavy_weights(rng, n_buyers, 1.1))
    no_buyer = rng.random(n_orders) < 0.02
    buyer_hashes = _hex(rng, n_buyers, 64)
    gross = np.maximum(np.round(rng.lognormal(9.3, 0.8, size=n_orders)).astype(np.int64), 100)
    status_names = STATUSES[o_status]
    paid = np.where(np.isin(status_names, ["closed", "pending"]), 0, gross)
    refund = np.where(status_names == "refunded", paid, 0)
    partly = status_names == "partly_refunded"
    refund[partly] = (paid[partly] * rng.uniform(0.1, 0.6, size=int(partly.sum()))).astype(np.int64)
    net = paid - refund
    items_count = rng.integers(1, 6, size=n_orders)

    # attribution, the way tracking.services.attribution defines it: a valid code first,
    # else the visitor's last click within the window before the order
    o_camp = np.full(n_orders, -1)
    o_link_attr = np.full(n_orders, -1)
    o_partner_attr = np.full(n_orders, -1)
    o_click = np.full(n_orders, -1)
    rule = np.full(n_orders, "none", dtype=object)
    has_promo = o_promo >= 0
    o_camp[has_promo] = p_camp[o_promo[has_promo]]
    o_link_attr[has_promo] = p_link[o_promo[has_promo]]
    o_partner_attr[has_promo] = p_partner[o_promo[has_promo]]
    rule[has_promo] = "code"
    with_visitor = np.flatnonzero(o_visitor >= 0)
    if len(with_visitor):
        human_consent = np.flatnonzero((c_who < n_people) & ~c_bot)
        human_consent = human_consent[consent[c_who[human_consent]]]
        key_clicks = c_who[human_consent].astype(np.int64) * (1 << 32) + (
            c_ts[human_consent] - START_TS
        )
        sort = np.argsort(key_clicks, kind="stable")
        sorted_keys = key_clicks[sort]
        key_orders = o_visitor[with_visitor].astype(np.int64) * (1 << 32) + (
            o_ts_orders[with_visitor] - START_TS
        )
        at = np.searchsorted(sorted_keys, key_orders, side="right") - 1
        found = at >= 0
        cand = human_consent[sort[np.maximum(at, 0)]]
        found &= c_who[cand] == o_visitor[with_visitor]
        found &= (o_ts_orders[with_visitor] - c_ts[cand]) <= ATTRIBUTION_WINDOW_SECONDS
        target = with_visitor[found & ~has_promo[with_visitor]]
        clicks_for = cand[found & ~has_promo[with_visitor]]
        o_click[target] = clicks_for
        o_link_attr[target] = c_link[clicks_for]
        o_camp[target] = l_camp[c_link[clicks_for]]
        o_partner_attr[target] = l_partner[c_link[clicks_for]]
        rule[target] = "click"
    attributed = int((rule != "none").sum())
    order_sort = np.argsort(o_ts_orders, kind="stable")
    gen_seconds += time.perf_counter() - tick
    log(f"  generated {n_orders:,} orders ({attributed:,} attributed in the generator)")

    stranger_of = dict(zip(stranger.tolist(), stranger_ids, strict=True))
    shop_names = SHOPS.tolist()
    camp_list = campaign_ids
    promo_list = promo_ids.tolist()

    def order_values(lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
        for position in range(lo, hi):
            i = int(order_sort[position])
            shop = shop_names[o_shop[i]]
            status = str(status_names[i])
            ts = int(o_ts_orders[i])
            ordered_at = _aware(ts)
            visitor = visitor_ids[o_visitor[i]] if o_visitor[i] >= 0 else stranger_of.get(i, "")
            promo = int(o_promo[i])
            link = int(o_link_attr[i])
            partner = int(o_partner_attr[i])
            camp = int(o_camp[i])
            click = int(o_click[i])
            yield (
                position + 1,
                ws,
                shop,
                f"{shop.capitalize()} flagship",
                f"{shop[:2].upper()}{position + 1:010d}",
                "" if no_buyer[i] else buyer_hashes[o_buyer[i]],
                status,
                ordered_at,
                None if status in ("pending", "closed") else _aware(ts + 90),
                int(gross[i]),
                int(paid[i]),
                int(refund[i]),
                int(net[i]),
                int(items_count[i]),
                "春季新品 套装",
                p_codes[promo] if promo >= 0 else "",
                visitor,
                "buyer cancelled" if status == "closed" else "",
                camp_list[camp] if camp >= 0 else None,
                link_id_list[link] if link >= 0 else None,
                partner_ids[partner] if partner >= 0 else None,
                promo_list[promo] if promo >= 0 else None,
                click + 1 if click >= 0 else None,
                str(rule[i]),
                "bench generator" if rule[i] != "none" else "",
                "import",
                ordered_at,
                ordered_at,
            )

    order_columns = [
        "id", "workspace_id", "shop_platform", "shop_name", "order_no", "buyer_hash", "status",
        "ordered_at", "paid_at", "gross_fen", "paid_fen", "refund_fen", "net_fen", "item_count",
        "title", "promo_text", "visitor_id", "close_reason", "campaign_id", "link_id",
        "partner_id", "promo_id", "click_id", "attribution_rule", "attribution_note", "source",
        "created_at", "updated_at",
    ]  # fmt: skip
    if is_postgres:
        for lo, hi in _chunks(n_orders, 500_000):
            _copy(ingest, "tracking_order", order_columns, order_values(lo, hi))
        _reset_sequence("tracking_order")
    else:
        for lo, hi in _chunks(n_orders, 100_000):
            _insert_many(
                ingest,
                "tracking_order",
                order_columns,
                order_values(lo, hi),
                ("ordered_at", "paid_at", "created_at", "updated_at"),
            )
    log(f"  orders {n_orders:,} written")

    # --- costs: daily ad spend per campaign and platform, KOL fees, production
    tick = time.perf_counter()
    costs: list[CostEntry] = []
    for c in range(n_camp):
        spend_platforms = rng.choice(platforms, size=2, replace=False).tolist()
        for d in range(int(c_start[c]), int(c_end[c]) + 1):
            for platform in spend_platforms:
                costs.append(
                    CostEntry(
                        workspace_id=ws,
                        day=day_of(d),
                        category="ad_spend",
                        amount_fen=int(rng.lognormal(11.5, 0.6)),
                        campaign_id=campaign_ids[c],
                        platform=platform,
                        source="import",
                    )
                )
        for i in links_by_camp.get(c, []):
            if l_partner[i] >= 0:
                costs.append(
                    CostEntry(
                        workspace_id=ws,
                        day=day_of(c_start[c]),
                        category="kol_fee",
                        amount_fen=int(rng.integers(50, 500)) * 10_000,
                        campaign_id=campaign_ids[c],
                        platform=l_platform[i],
                        partner_id=partner_ids[l_partner[i]],
                        source="manual",
                    )
                )
    for v in range(n_var):
        if rng.random() < 0.3:
            costs.append(
                CostEntry(
                    workspace_id=ws,
                    day=day_of(v_day[v]),
                    category="production",
                    amount_fen=int(rng.integers(5, 80)) * 10_000,
                    campaign_id=campaign_ids[v_camp[v]] if v_camp[v] >= 0 else None,
                    platform=v_platform[v],
                    variant_id=variant_ids[v],
                    source="manual",
                )
            )
    for d in range(0, DAYS, 7):  # brand-level spend outside any campaign
        costs.append(
            CostEntry(
                workspace_id=ws,
                day=day_of(d),
                category="other",
                amount_fen=int(rng.integers(100, 5_000)) * 100,
                source="manual",
            )
        )
    gen_seconds += time.perf_counter() - tick
    _bulk(ingest, "costs", CostEntry, costs)

    big = campaign_ids[0]
    return World(
        workspace=workspace,
        user=user,
        password=password,
        campaign_ids=campaign_ids,
        campaign_days=[(day_of(c_start[c]), day_of(c_end[c])) for c in range(n_camp)],
        big_campaign_id=big,
        big_period=(day_of(c_start[0]), day_of(c_end[0])),
        ingest=ingest,
        generate_seconds=gen_seconds,
        attributed_in_generator=attributed,
        is_postgres=is_postgres,
    )
