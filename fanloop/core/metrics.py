"""The catalogue of metrics that goals, KPIs and analytics talk about."""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    COUNT = "count", _("count")
    PERCENT = "percent", _("percent")
    FEN = "fen", _("money (fen)")
    RATIO = "ratio", _("ratio")


@dataclass(frozen=True)
class MetricInfo:
    code: str
    label: Promise
    unit: str
    higher_is_better: bool = True


class Metric(models.TextChoices):
    IMPRESSIONS = "impressions", _("Exposure / impressions")
    READS = "reads", _("Reads / views")
    ENGAGEMENT_RATE = "engagement_rate", _("Engagement rate")
    CTR = "ctr", _("Click-through rate (CTR)")
    FOLLOWER_GROWTH = "follower_growth", _("Follower growth")
    CLICKS = "clicks", _("Clicks")
    ORDERS = "orders", _("Orders")
    CONVERSION_RATE = "conversion_rate", _("Conversion rate")
    GMV = "gmv", _("GMV")
    ROI = "roi", _("ROI")
    REPLY_RATE = "reply_rate", _("Reply rate")
    NEGATIVE_SHARE = "negative_share", _("Negative-comment share")
    COMMUNITY_ACTIVE = "community_active", _("Community active members")
    UGC_POSTS = "ugc_posts", _("User posts (UGC)")
    FEEDBACK_COUNT = "feedback_count", _("Feedback collected")


_UNITS = {
    Metric.ENGAGEMENT_RATE: Unit.PERCENT,
    Metric.CTR: Unit.PERCENT,
    Metric.CONVERSION_RATE: Unit.PERCENT,
    Metric.REPLY_RATE: Unit.PERCENT,
    Metric.NEGATIVE_SHARE: Unit.PERCENT,
    Metric.GMV: Unit.FEN,
    Metric.ROI: Unit.RATIO,
}
_LOWER_IS_BETTER = {Metric.NEGATIVE_SHARE}

CATALOGUE: dict[str, MetricInfo] = {
    metric.value: MetricInfo(
        code=metric.value,
        label=metric.label,
        unit=_UNITS.get(metric, Unit.COUNT),
        higher_is_better=metric not in _LOWER_IS_BETTER,
    )
    for metric in Metric
}


def info(code: str) -> MetricInfo:
    return CATALOGUE[code]
