"""Goal pacing: progress so far, the pace still needed, and where the trend ends up.

Actual values come from a metric source. Until analytics provides one, the manual
source reads the goal's own measurements; analytics registers its source with
:func:`set_metric_source` and every caller keeps working.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from fanloop.campaigns.models import Goal, GoalMeasurement
from fanloop.core.metrics import CATALOGUE
from fanloop.core.models import Workspace


class MetricSource(Protocol):
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
        """The metric's cumulative value per day within [start, end], oldest first."""
        ...


class ManualMetricSource:
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
        if goal is None:
            return []
        rows = GoalMeasurement.objects.filter(
            goal=goal, measured_on__gte=start, measured_on__lte=end
        ).values_list("measured_on", "value")
        return [(day, Decimal(value)) for day, value in rows]


_source: MetricSource = ManualMetricSource()


def set_metric_source(source: MetricSource) -> None:
    global _source
    _source = source


def metric_source() -> MetricSource:
    return _source


@dataclass(frozen=True)
class Pacing:
    actual: Decimal | None
    as_of: date | None
    progress: Decimal | None  # share of the way from baseline to target, 0..1+
    elapsed: Decimal  # share of the time from start to deadline, 0..1
    needed_per_day: Decimal | None  # change per day still needed to reach the target
    projected: Decimal | None  # value at the deadline if the trend holds
    on_pace: bool | None  # None when there is nothing to judge yet


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"))


def compute(
    *,
    baseline: Decimal,
    target: Decimal,
    start: date,
    deadline: date,
    series: list[tuple[date, Decimal]],
    today: date,
    higher_is_better: bool = True,
) -> Pacing:
    """Pure pacing math; the trend is the average daily change since the start."""
    total_days = max((deadline - start).days, 1)
    elapsed = Decimal(min(max((today - start).days, 0), total_days)) / total_days
    if not series:
        return Pacing(None, None, None, _q(elapsed), None, None, None)
    as_of, actual = series[-1]
    span = target - baseline
    progress = (actual - baseline) / span if span else None
    days_used = max((as_of - start).days, 1)
    days_left = (deadline - as_of).days
    per_day = (actual - baseline) / days_used
    projected = actual + per_day * max(days_left, 0)
    needed = (target - actual) / days_left if days_left > 0 else None
    reached = actual >= target if higher_is_better else actual <= target
    on_pace = reached or (projected >= target if higher_is_better else projected <= target)
    return Pacing(
        actual=actual,
        as_of=as_of,
        progress=_q(progress) if progress is not None else None,
        elapsed=_q(elapsed),
        needed_per_day=_q(needed) if needed is not None and not reached else None,
        projected=_q(projected),
        on_pace=on_pace,
    )


def goal_pacing(goal: Goal, today: date) -> Pacing:
    campaign = goal.campaign
    series = metric_source().series(
        workspace=campaign.workspace,
        metric=goal.metric,
        scope=goal.scope,
        scope_value=goal.scope_value,
        start=campaign.start_date,
        end=min(today, goal.deadline),
        goal=goal,
    )
    return compute(
        baseline=Decimal(goal.baseline),
        target=Decimal(goal.target),
        start=campaign.start_date,
        deadline=goal.deadline,
        series=series,
        today=today,
        higher_is_better=CATALOGUE[goal.metric].higher_is_better,
    )
