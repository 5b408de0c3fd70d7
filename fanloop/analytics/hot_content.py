"""Hot content analysis: which topics, content types, purposes, posting times and
keywords go with the best engagement, each group with its sample size so nobody reads
a trend into two posts."""

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fanloop.analytics import queries
from fanloop.analytics.queries import Scope

# Groups with fewer posts than this are shown but flagged as too small to judge.
MIN_GROUP = 3
# Posts seen fewer times than this have rates too noisy to compare (as on the dashboard).
MIN_EXPOSURE = 100
KEYWORD_ROWS = 30


@dataclass
class Post:
    key: str
    ref: Any
    title: str
    text: str
    impressions: int
    engagements: int
    clicks: int
    engagement_rate: float  # percent
    topics: list[str] = field(default_factory=list)
    content_type: str = ""
    purpose: str = ""
    published_at: datetime | None = None  # in the workspace's zone


@dataclass
class Group:
    key: Any
    label: str
    n: int
    median_er: float | None
    mean_er: float | None
    ctr: float | None  # pooled: the group's clicks ÷ its exposure, when it has clicks
    impressions: int

    @property
    def too_small(self) -> bool:
        return self.n < MIN_GROUP


@dataclass
class Keyword:
    word: str
    n: int  # posts containing it
    n_top: int  # of which in the top quartile
    share_top: float  # percent of top-quartile posts containing it
    share_rest: float  # percent of the other posts containing it
    lift: float | None  # share_top ÷ share_rest; None when no other post has it
    median_er: float | None

    @property
    def too_small(self) -> bool:
        return self.n < MIN_GROUP


@dataclass
class HotContent:
    posts: list[Post]
    too_small: int  # posts left out for exposure under MIN_EXPOSURE
    topics: list[Group]
    content_types: list[Group]
    purposes: list[Group]
    hours: list[Group]
    weekdays: list[Group]
    heatmap: list[tuple[int, int, float, int]]  # weekday, hour, median ER, n
    keywords: list[Keyword]
    top_threshold: float | None  # the engagement rate that starts the top quartile
    n_top: int
    untimed: int  # posts without a known posting time


def _er(engagements: int, impressions: int) -> float:
    return engagements * 100 / impressions


def collect_posts(scope: Scope, zone: ZoneInfo) -> tuple[list[Post], int]:
    """The period's posts with their totals and what is known about them: variants give
    topics, type, purpose, copy and posting time; imported-only posts their title and
    posting time from the metric rows."""
    from fanloop.channels.models import PostMetricDaily
    from fanloop.content.models import Variant

    rows = [row for row in queries.breakdown(scope, "post") if row.key]
    eligible = [row for row in rows if row.totals.impressions >= MIN_EXPOSURE]
    variant_ids = [row.ref for row in eligible if isinstance(row.ref, int)]
    variants = {
        values["pk"]: values
        for values in Variant.objects.filter(
            workspace_id=scope.workspace_id, pk__in=variant_ids
        ).values(
            "pk",
            "title",
            "body",
            "topics",
            "published_at",
            "item__title",
            "item__content_type",
            "item__purpose",
        )
    }
    keys = [row.ref for row in eligible if isinstance(row.ref, tuple)]
    imported: dict[tuple[str, str], dict[str, Any]] = {}
    if keys:
        wanted = set(keys)
        for values in (
            PostMetricDaily.objects.filter(
                workspace_id=scope.workspace_id, post_key__in=[key for _p, key in keys]
            )
            .order_by("day")
            .values("platform", "post_key", "post_title", "published_at")
        ):
            pair = (values["platform"], values["post_key"])
            if pair not in wanted:
                continue
            known = imported.setdefault(pair, {"post_title": "", "published_at": None})
            known["post_title"] = values["post_title"] or known["post_title"]
            known["published_at"] = known["published_at"] or values["published_at"]
    posts = []
    for row in eligible:
        t = row.totals
        post = Post(
            key=row.key,
            ref=row.ref,
            title=row.label,
            text=row.label,
            impressions=t.impressions,
            engagements=t.engagements,
            clicks=t.unique_clicks,
            engagement_rate=_er(t.engagements, t.impressions),
        )
        published: datetime | None = None
        if isinstance(row.ref, int) and row.ref in variants:
            v = variants[row.ref]
            post.title = v["title"] or v["item__title"]
            post.text = f"{post.title}\n{v['body']}"
            post.topics = _topics(v["topics"])
            post.content_type = v["item__content_type"] or ""
            post.purpose = v["item__purpose"] or ""
            published = v["published_at"]
        elif isinstance(row.ref, tuple) and row.ref in imported:
            known = imported[row.ref]
            post.title = known["post_title"] or post.title
            post.text = post.title
            published = known["published_at"]
        post.published_at = published.astimezone(zone) if published else None
        posts.append(post)
    return posts, len(rows) - len(eligible)


def _topics(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        return []
    cleaned = (str(topic).strip().strip("#").strip() for topic in raw)
    return list(dict.fromkeys(topic for topic in cleaned if topic))


def _group(key: Any, label: str, posts: list[Post]) -> Group:
    rates = [post.engagement_rate for post in posts]
    impressions = sum(post.impressions for post in posts)
    clicks = sum(post.clicks for post in posts)
    return Group(
        key=key,
        label=label,
        n=len(posts),
        median_er=round(statistics.median(rates), 2) if rates else None,
        mean_er=round(statistics.fmean(rates), 2) if rates else None,
        ctr=round(clicks * 100 / impressions, 2) if clicks and impressions else None,
        impressions=impressions,
    )


def group_by(
    posts: Iterable[Post],
    keys: Callable[[Post], Iterable[Any]],
    label: Callable[[Any], str],
    order: str = "median",
) -> list[Group]:
    """Posts grouped by each key ``keys`` gives (a post may fall in several groups),
    best median first with groups too small to judge last; or by key order."""
    buckets: dict[Any, list[Post]] = defaultdict(list)
    for post in posts:
        for key in keys(post):
            buckets[key].append(post)
    groups = [_group(key, label(key), members) for key, members in buckets.items()]
    if order == "key":
        groups.sort(key=lambda g: g.key)
    else:
        groups.sort(key=lambda g: (g.too_small, -(g.median_er or 0), -g.n, str(g.key)))
    return groups


def keyword_lift(
    posts: list[Post], words: Callable[[str], list[str]]
) -> tuple[list[Keyword], float | None, int]:
    """Which words the top-quartile posts (by engagement rate) use more than the rest."""
    if len(posts) < 2:
        return [], None, 0
    rates = sorted(post.engagement_rate for post in posts)
    threshold = statistics.quantiles(rates, n=4, method="inclusive")[2]
    top = [post for post in posts if post.engagement_rate >= threshold]
    rest = [post for post in posts if post.engagement_rate < threshold]
    found: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for word in words(post.text):
            found[word].append(post)
    keywords = []
    for word, having in found.items():
        n_top = sum(1 for post in having if post.engagement_rate >= threshold)
        share_top = n_top * 100 / len(top) if top else 0.0
        share_rest = (len(having) - n_top) * 100 / len(rest) if rest else 0.0
        keywords.append(
            Keyword(
                word=word,
                n=len(having),
                n_top=n_top,
                share_top=round(share_top, 1),
                share_rest=round(share_rest, 1),
                lift=round(share_top / share_rest, 2) if share_rest else None,
                median_er=round(statistics.median(p.engagement_rate for p in having), 2),
            )
        )
    # Words only top posts use rank first (infinite lift), then by lift; small samples last.
    keywords.sort(
        key=lambda k: (
            k.too_small,
            k.n_top == 0,
            -(k.lift if k.lift is not None else float("inf")),
            -k.n,
            k.word,
        )
    )
    return keywords[:KEYWORD_ROWS], round(threshold, 2), len(top)


def analyse(
    scope: Scope,
    zone: ZoneInfo,
    labels: dict[str, dict[Any, str]],
    words: Callable[[str], list[str]] | None = None,
) -> HotContent:
    """``labels`` names content types, purposes and weekdays for display."""
    if words is None:
        from fanloop.inbox.nlp.keywords import words as jieba_words

        words = jieba_words
    posts, too_small = collect_posts(scope, zone)
    timed = [post for post in posts if post.published_at is not None]
    cells: dict[tuple[int, int], list[Post]] = defaultdict(list)
    for post in timed:
        assert post.published_at is not None
        cells[(post.published_at.weekday(), post.published_at.hour)].append(post)
    heatmap = [
        (day, hour, round(statistics.median(p.engagement_rate for p in members), 2), len(members))
        for (day, hour), members in sorted(cells.items())
    ]
    keywords, threshold, n_top = keyword_lift(posts, words)
    return HotContent(
        posts=posts,
        too_small=too_small,
        topics=group_by(posts, lambda p: p.topics, lambda key: f"#{key}"),
        content_types=group_by(
            [p for p in posts if p.content_type],
            lambda p: [p.content_type],
            lambda key: labels["content_type"].get(key, key),
        ),
        purposes=group_by(
            [p for p in posts if p.purpose],
            lambda p: [p.purpose],
            lambda key: labels["purpose"].get(key, key),
        ),
        hours=group_by(
            timed,
            lambda p: [p.published_at.hour] if p.published_at else [],
            lambda key: f"{key:02d}:00",
            order="key",
        ),
        weekdays=group_by(
            timed,
            lambda p: [p.published_at.weekday()] if p.published_at else [],
            lambda key: labels["weekday"].get(key, str(key)),
            order="key",
        ),
        heatmap=heatmap,
        keywords=keywords,
        top_threshold=threshold,
        n_top=n_top,
        untimed=len(posts) - len(timed),
    )


def as_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))
