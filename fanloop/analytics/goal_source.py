"""Goal actuals from the rollup: the metric source campaigns' pacing reads.

For each day from the start with facts, the metric's cumulative value from the start
to that day: sums for counts and money, the ratio of the sums for rates (engagement
rate, CTR, conversion rate, ROI), so a rate is never an average of daily rates.

Scopes: ``campaign`` is the goal's campaign; ``platform`` adds the platform; ``kol``
adds the partner of that name; ``channel`` adds the tracking links whose channel is
that name (link facts only: clicks, orders, GMV, and costs booked on those links).
Follower growth is an account figure with no campaign, so its campaign goals read the
workspace's account metrics over the campaign's days (per platform when scoped).

The manual source (the goal's own measurements) answers instead when the metric is not
one the facts know (reply rate, negative share, community, UGC, feedback), when the
scope names a partner or channel the workspace does not have, and when there are no
facts at all in scope yet, so hand-entered actuals keep working until data flows.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from fanloop.analytics.kpis import Totals
from fanloop.analytics.models import DailyFact
from fanloop.analytics.queries import aggregates, totals_from
from fanloop.campaigns.models import Goal
from fanloop.campaigns.pacing import ManualMetricSource
from fanloop.core.models import Workspace

# goal metric code -> KPI code
KPI_OF_METRIC = {
    "impressions": "impressions",
    "reads": "reads",
    "engagement_rate": "engagement_rate",
    "ctr": "ctr",
    "follower_growth": "follower_growth",
    "clicks": "clicks",
    "orders": "orders",
    "conversion_rate": "conversion_rate",
    "gmv": "gmv",
    "roi": "roi",
}


class FactsMetricSource:
    def __init__(self) -> None:
        self.manual = ManualMetricSource()

    def series(
        self,
        *,
        workspace: Workspace,
        metric: str,
        scope: str,
        scope_value: str,
        start: date,
        end: date,
        goal: Goal | None = None,
    ) -> list[tuple[date, Decimal]]:
        manual: dict[str, Any] = {
            "workspace": workspace,
            "metric": metric,
            "scope": scope,
            "scope_value": scope_value,
            "start": start,
            "end": end,
            "goal": goal,
        }
        code = KPI_OF_METRIC.get(metric)
        if code is None or start > end:
            return self.manual.series(**manual)
        facts = self._facts(workspace, metric, scope, scope_value, start, end, goal)
        if facts is None:
            return self.manual.series(**manual)
        daily = facts.values("day").annotate(**aggregates()).order_by("day")
        running = Totals()
        series: list[tuple[date, Decimal]] = []
        for values in daily:
            running = running + totals_from(dict(values))
            value = running.kpi(code)
            if value is not None:
                series.append((values["day"], value))
        if not series and not facts.exists():
            return self.manual.series(**manual)
        return series

    @staticmethod
    def _facts(
        workspace: Workspace,
        metric: str,
        scope: str,
        scope_value: str,
        start: date,
        end: date,
        goal: Goal | None,
    ) -> QuerySet[DailyFact] | None:
        rows = DailyFact.objects.filter(workspace=workspace, day__gte=start, day__lte=end)
        if metric == "follower_growth":
            rows = rows.filter(account__isnull=False)
        elif goal is not None:
            rows = rows.filter(campaign_id=goal.campaign_id)
        value = scope_value.strip()
        if scope == "platform" and value:
            rows = rows.filter(platform=value)
        elif scope == "kol" and value:
            partner = _first(_partner_ids(workspace, value))
            if partner is None:
                return None
            rows = rows.filter(partner_id=partner)
        elif scope == "channel" and value:
            links = _link_ids_of_channel(workspace, value)
            if not links:
                return None
            rows = rows.filter(link_id__in=links)
        return rows


def _first(values: Iterable[Any]) -> Any:
    return next(iter(values), None)


def _partner_ids(workspace: Workspace, name: str) -> list[int]:
    from fanloop.tracking.models import Partner

    return list(
        Partner.objects.filter(workspace=workspace, name__iexact=name).values_list("pk", flat=True)[
            :1
        ]
    )


def _link_ids_of_channel(workspace: Workspace, channel: str) -> list[int]:
    from fanloop.tracking.models import TrackingLink

    return list(
        TrackingLink.objects.filter(workspace=workspace, channel__iexact=channel).values_list(
            "pk", flat=True
        )
    )
