"""沙盒增长模型（模拟数据）: the deterministic growth model behind the sandbox platform.

Every number here is SIMULATED (模拟) — it is never real platform data. The model is a
pure function of ``(seed, post id, published_at, content type, as_of)``: nothing is
stored, every value is recomputed on demand and the same inputs always give the same
outputs.

How a post grows
----------------
* Lifetime totals are drawn once per post from a generator seeded with
  ``(seed, post id)``: impressions = content-type base reach x posting-hour factor x
  weekday factor x a log-normal per-post quality factor; views are a click/play-through
  share of impressions; likes 2-8 %, comments 0.3-1 %, shares 0.2-1 %, favourites
  0.5-3 %, follows 0.05-0.3 % and profile visits 0.5-2 % of views (rates drawn per post).
* The share of a total reached ``t`` hours after publishing follows a two-speed decay
  curve: a fast component (time constant 6-14 h, 80-90 % of the reach, so most arrives
  within 48 h) and a slow long tail (2-5 days) that is cut off and normalised at 14 days.
* The cumulative value of a metric at ``as_of`` is ``floor(total x reach(age))``: zero
  before ``published_at``, monotone, and exactly ``total`` from day 14 on. A day's
  increment is the difference of two cumulative values, so increments always sum to the
  cumulative total exactly.

Posting hours are read in China time (Asia/Shanghai): around noon and 20:00-22:00 get a
boost, 02:00-06:00 a penalty. Content types rank short video > note > image-text >
article in reach.

Followers of a simulated account: a base drawn from the seed at ``ACCOUNT_EPOCH``, a small
steady organic gain and churn (closed-form in the day number, so any date range gives the
same answer), plus the follows of the account's posts minus a share that unfollow later.
"""

import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
TAIL_HOURS = 14 * 24  # after 14 days a post gains nothing more
ACCOUNT_EPOCH = date(2024, 1, 1)  # the day a simulated account's base followers refer to

SHORT_VIDEO = "short_video"
NOTE = "note"
IMAGE_TEXT = "image_text"
ARTICLE = "article"
LIVE_PLAN = "live_plan"
OTHER = ""

# Content type <-> the one-letter code carried in a sandbox remote id.
TYPE_CODES: dict[str, str] = {
    SHORT_VIDEO: "v",
    NOTE: "n",
    IMAGE_TEXT: "i",
    ARTICLE: "a",
    LIVE_PLAN: "l",
    OTHER: "x",
}
TYPES_BY_CODE: dict[str, str] = {code: kind for kind, code in TYPE_CODES.items()}

# Median lifetime impressions of a post by content type (before hour and quality).
TYPE_REACH: dict[str, float] = {
    SHORT_VIDEO: 6000.0,
    NOTE: 3200.0,
    IMAGE_TEXT: 1800.0,
    ARTICLE: 900.0,
    LIVE_PLAN: 1500.0,
    OTHER: 1500.0,
}
# Share of impressions that become views (plays for video, opens for the rest): low, high.
TYPE_VIEW_RATE: dict[str, tuple[float, float]] = {
    SHORT_VIDEO: (0.35, 0.60),
    NOTE: (0.12, 0.25),
    IMAGE_TEXT: (0.08, 0.20),
    ARTICLE: (0.05, 0.15),
    LIVE_PLAN: (0.10, 0.30),
    OTHER: (0.08, 0.20),
}
# Reach factor by local posting hour (0-23): lunch and 20-22 h peak, 2-6 h trough.
HOUR_FACTOR: tuple[float, ...] = (
    0.80, 0.62, 0.45, 0.38, 0.35, 0.38, 0.48, 0.75,  # 00-07
    0.90, 0.95, 1.00, 1.15, 1.35, 1.25, 0.95, 0.92,  # 08-15
    1.00, 1.05, 1.15, 1.25, 1.50, 1.55, 1.42, 1.05,  # 16-23
)  # fmt: skip
WEEKDAY_FACTOR: tuple[float, ...] = (0.95, 0.96, 0.98, 1.0, 1.04, 1.12, 1.10)  # Mon..Sun

# Per-view engagement rate ranges (drawn uniformly per post).
RATES: dict[str, tuple[float, float]] = {
    "likes": (0.02, 0.08),
    "comments": (0.003, 0.01),
    "shares": (0.002, 0.01),
    "favourites": (0.005, 0.03),
    "follows": (0.0005, 0.003),
    "profile_visits": (0.005, 0.02),
}
QUALITY_SIGMA = 0.9  # log-normal spread of per-post quality; a few posts go viral
QUALITY_CAP = 40.0


@dataclass(frozen=True)
class SandboxPost:
    """What the model needs of a post: all of it is carried by the sandbox remote id."""

    seed: int
    post_id: str  # the remote id (or any stable id); seeds the post's draws
    published_at: datetime  # timezone-aware
    content_type: str = OTHER


@dataclass(frozen=True)
class Counts:
    """Simulated (模拟) metric values: lifetime totals, cumulative values or increments."""

    impressions: int = 0
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    favourites: int = 0
    follows: int = 0
    profile_visits: int = 0

    def minus(self, other: "Counts") -> "Counts":
        return Counts(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(Counts)))

    def scaled(self, fraction: float) -> "Counts":
        """``floor(value x fraction)`` per metric; monotone in ``fraction``."""
        if fraction >= 1.0:
            return self
        if fraction <= 0.0:
            return Counts()
        return Counts(*(math.floor(getattr(self, f.name) * fraction) for f in fields(Counts)))


METRICS: tuple[str, ...] = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True)
class PostProfile:
    """The per-post draws: lifetime totals and the shape of the reach curve."""

    totals: Counts
    quality: float
    fast_tau_hours: float
    slow_tau_hours: float
    fast_weight: float
    completion_rate: float | None  # video only
    avg_watch_seconds: float | None  # video only
    tail: float = 1.0  # the raw curve's value at 14 days (normalises it to 1)


@dataclass(frozen=True)
class DayCounts:
    day: date
    counts: Counts  # increments of that day (simulated)


def rng_for(*parts: object) -> random.Random:
    """A generator seeded from ``parts``; identical parts give identical draws."""
    text = "\x1f".join(str(part) for part in parts)
    digest = hashlib.sha256(text.encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def hour_factor(hour: int) -> float:
    return HOUR_FACTOR[hour % 24]


@lru_cache(maxsize=65536)
def profile(post: SandboxPost) -> PostProfile:
    """The post's lifetime totals and curve shape, drawn from ``(seed, post id)``."""
    rng = rng_for("post", post.seed, post.post_id)
    kind = post.content_type if post.content_type in TYPE_REACH else OTHER
    local = post.published_at.astimezone(CHINA)
    quality = min(rng.lognormvariate(0.0, QUALITY_SIGMA), QUALITY_CAP)
    impressions = round(
        TYPE_REACH[kind]
        * hour_factor(local.hour)
        * WEEKDAY_FACTOR[local.weekday()]
        * quality
        * rng.uniform(0.9, 1.1)
    )
    views = round(impressions * rng.uniform(*TYPE_VIEW_RATE[kind]))
    engagement = {name: round(views * rng.uniform(*bounds)) for name, bounds in RATES.items()}
    totals = Counts(impressions=impressions, views=views, **engagement)
    video = kind == SHORT_VIDEO
    fast = rng.uniform(6.0, 10.0) if video else rng.uniform(8.0, 14.0)
    shape = PostProfile(
        totals=totals,
        quality=quality,
        fast_tau_hours=fast,
        slow_tau_hours=rng.uniform(48.0, 120.0),
        fast_weight=rng.uniform(0.80, 0.90),
        completion_rate=round(rng.uniform(0.15, 0.55), 3) if video else None,
        avg_watch_seconds=round(rng.uniform(8.0, 40.0), 1) if video else None,
    )
    return replace(shape, tail=_raw_reach(shape, TAIL_HOURS))


def _raw_reach(shape: PostProfile, hours: float) -> float:
    w = shape.fast_weight
    return w * (1.0 - math.exp(-hours / shape.fast_tau_hours)) + (1.0 - w) * (
        1.0 - math.exp(-hours / shape.slow_tau_hours)
    )


def reach(shape: PostProfile, hours: float) -> float:
    """Share of the lifetime totals reached ``hours`` after publishing (0 -> 1, monotone)."""
    if hours <= 0.0:
        return 0.0
    if hours >= TAIL_HOURS:
        return 1.0
    return min(_raw_reach(shape, hours) / shape.tail, 1.0)


def hours_for_reach(shape: PostProfile, share: float) -> float:
    """The age (hours) at which ``reach`` first attains ``share`` (bisection)."""
    if share <= 0.0:
        return 0.0
    if share >= 1.0:
        return float(TAIL_HOURS)
    low, high = 0.0, float(TAIL_HOURS)
    for _ in range(24):
        middle = (low + high) / 2
        if reach(shape, middle) >= share:
            high = middle
        else:
            low = middle
    return high


def age_hours(post: SandboxPost, as_of: datetime) -> float:
    return (as_of - post.published_at).total_seconds() / 3600.0


def cumulative(post: SandboxPost, as_of: datetime) -> Counts:
    """Simulated running totals at ``as_of``: zero before publishing, then monotone."""
    shape = profile(post)
    return shape.totals.scaled(reach(shape, age_hours(post, as_of)))


def day_start(day: date, tz: tzinfo = CHINA) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def daily(
    post: SandboxPost, start: date, end: date, as_of: datetime, tz: tzinfo = CHINA
) -> list[DayCounts]:
    """Daily increments for the local days ``start..end`` (inclusive) that are on or after
    the publishing day and not after ``as_of``'s day; today's row is partial (up to
    ``as_of``). The increments of all days sum to ``cumulative(post, as_of)`` exactly."""
    if as_of < post.published_at:
        return []
    first = max(start, post.published_at.astimezone(tz).date())
    last = min(end, as_of.astimezone(tz).date())
    rows: list[DayCounts] = []
    day = first
    before = cumulative(post, min(day_start(day, tz), as_of))
    while day <= last:
        after = cumulative(post, min(day_start(day + timedelta(days=1), tz), as_of))
        rows.append(DayCounts(day=day, counts=after.minus(before)))
        before = after
        day += timedelta(days=1)
    return rows


# Accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountProfile:
    base_followers: int
    organic_rate: float  # daily organic gain, share of base
    churn_rate: float  # daily organic loss, share of base
    post_unfollow_share: float  # share of post follows that unfollow later
    phase: float


@dataclass(frozen=True)
class FollowerDay:
    day: date
    followers_total: int
    followers_gained: int
    followers_lost: int


@lru_cache(maxsize=1024)
def account_profile(seed: int) -> AccountProfile:
    rng = rng_for("account", seed)
    return AccountProfile(
        base_followers=round(min(rng.lognormvariate(math.log(3000), 0.8), 200_000)),
        organic_rate=rng.uniform(0.0006, 0.0012),
        churn_rate=rng.uniform(0.0003, 0.0006),
        post_unfollow_share=rng.uniform(0.03, 0.08),
        phase=rng.uniform(0.0, 2 * math.pi),
    )


def _wavy_cumulative(base: int, rate: float, n: int, phase: float) -> int:
    """floor(base x rate x (n + 0.4 sin(1.3 n + phase))), >= 0 and non-decreasing in n."""
    if n <= 0:
        return 0
    return max(0, math.floor(base * rate * (n + 0.4 * math.sin(1.3 * n + phase))))


def followers(
    seed: int,
    posts: Sequence[SandboxPost],
    start: date,
    end: date,
    as_of: datetime,
    tz: tzinfo = CHINA,
) -> list[FollowerDay]:
    """Simulated follower totals for the local days ``start..end`` up to ``as_of``'s day.

    ``total(d) = base + organic gain(d) - organic churn(d) + post follows(d) - unfollows(d)``
    where every term is a closed form of the day, so ``total(d) - total(d-1)`` always
    equals ``gained(d) - lost(d)`` whatever range is asked for.
    """
    account = account_profile(seed)
    last = min(end, as_of.astimezone(tz).date())

    def terms(day: date) -> tuple[int, int]:
        n = (day - ACCOUNT_EPOCH).days + 1
        cut = min(day_start(day + timedelta(days=1), tz), as_of)
        follows = sum(cumulative(post, cut).follows for post in posts)
        gained = _wavy_cumulative(account.base_followers, account.organic_rate, n, account.phase)
        lost = _wavy_cumulative(account.base_followers, account.churn_rate, n, -account.phase)
        return gained + follows, lost + math.floor(follows * account.post_unfollow_share)

    rows: list[FollowerDay] = []
    day = start
    gained_before, lost_before = terms(day - timedelta(days=1))
    while day <= last:
        gained, lost = terms(day)
        rows.append(
            FollowerDay(
                day=day,
                followers_total=account.base_followers + gained - lost,
                followers_gained=gained - gained_before,
                followers_lost=lost - lost_before,
            )
        )
        gained_before, lost_before = gained, lost
        day += timedelta(days=1)
    return rows


def totals(posts: Iterable[SandboxPost], as_of: datetime) -> Counts:
    """Sum of the posts' simulated cumulative values at ``as_of``."""
    sums = dict.fromkeys(METRICS, 0)
    for post in posts:
        values = cumulative(post, as_of)
        for name in METRICS:
            sums[name] += getattr(values, name)
    return Counts(**sums)
