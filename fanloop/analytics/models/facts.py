from django.db import models
from django.utils import timezone

from fanloop.core.models import Workspace


class FactSums(models.Model):
    """Dimensions and measures shared by the daily and the weekly rollup.

    Empty dimensions are NULL (foreign keys) or "" (platform, post_key).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, related_name="+"
    )
    platform = models.CharField(max_length=20, blank=True)
    account = models.ForeignKey(
        "channels.ChannelAccount", on_delete=models.CASCADE, null=True, related_name="+"
    )
    variant = models.ForeignKey(
        "content.Variant", on_delete=models.CASCADE, null=True, related_name="+"
    )
    post_key = models.CharField(max_length=300, blank=True)
    link = models.ForeignKey(
        "tracking.TrackingLink", on_delete=models.CASCADE, null=True, related_name="+"
    )
    partner = models.ForeignKey(
        "tracking.Partner", on_delete=models.CASCADE, null=True, related_name="+"
    )
    # post metrics (channels.PostMetricDaily)
    impressions = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    favourites = models.BigIntegerField(default=0)
    # account metrics (channels.AccountMetricDaily)
    followers_gained = models.BigIntegerField(default=0)
    followers_lost = models.BigIntegerField(default=0)
    # clicks (tracking.Click): human clicks, of which first-in-window; bots apart
    clicks = models.BigIntegerField(default=0)
    unique_clicks = models.BigIntegerField(default=0)
    bot_clicks = models.BigIntegerField(default=0)
    # orders (tracking.Order) by order date; closed/cancelled orders count nowhere
    orders = models.BigIntegerField(default=0)
    gmv_fen = models.BigIntegerField(default=0)  # paid
    refund_fen = models.BigIntegerField(default=0)
    net_gmv_fen = models.BigIntegerField(default=0)  # paid minus refunds
    repeat_orders = models.BigIntegerField(default=0)  # buyer ordered before, within window
    code_orders = models.BigIntegerField(default=0)  # of the orders, credited by a code
    # costs (tracking.CostEntry)
    cost_fen = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFact(FactSums):
    """The rollup dashboards read: sums for one day × campaign × platform × account ×
    post × link × partner. Rebuilt a whole (workspace, day) at a time from the raw rows
    (post metrics, account metrics, clicks, orders, costs) whenever that day is marked
    dirty, so it always equals a recomputation and dashboards never scan raw events.
    ``day`` is the workspace's local date.
    """

    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"]),
            models.Index(fields=["workspace", "campaign", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.day}"


class WeeklyFact(FactSums):
    """DailyFact summed over a week, Monday to Sunday, per the same dimensions.

    A campaign's two months hold several times fewer weekly rows than daily ones (a
    sixth for the scale bench's big campaign), so sums over whole weeks of a period
    (its totals, its breakdowns by platform, post, link or partner) read these. Rebuilt
    from DailyFact a week at a time after its days were rebuilt; until then
    (``WeekRollup.built`` false) readers sum its days.
    """

    week = models.DateField()  # the Monday

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "week"]),
            models.Index(fields=["workspace", "campaign", "week"]),
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} week of {self.week}"


class WeekRollup(models.Model):
    """Whether a (workspace, week)'s WeeklyFact rows equal the sums of its days.

    Rebuilding one of its days sets ``built`` false in the same transaction; the job
    builds the week and sets it true. Readers use WeeklyFact only for built weeks, so a
    week without a row (facts from before weekly rows existed) is read from its days.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # the Monday
    built = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "week"], name="analytics_week_rollup")
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} week of {self.week}: {'built' if self.built else 'stale'}"


class RollupDirty(models.Model):
    """A (workspace, day) whose facts changed since its rollup was built."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day"], name="analytics_dirty_day")
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.day}"


class RollupWatermark(models.Model):
    """How far the rollup job has looked for changed post metrics of a workspace.

    Channel imports write ``PostMetricDaily`` in bulk (no signals), so the job finds
    their changes by ``updated_at`` instead and marks those days dirty."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    post_metrics_seen_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.workspace_id} @ {self.post_metrics_seen_until}"


class FactsVersion(models.Model):
    """Bumped in the same transaction as every rebuild of a workspace's facts, so a
    cached read over the facts (analytics.queries) keyed by it is never stale."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.workspace_id} v{self.version}"
