"""Running results of an A/B test, read from the rollup (fanloop.analytics.queries):
per variant trials and successes of the primary metric, the comparison with the control
and a verdict in plain words."""

import math
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.analytics import queries, stats
from fanloop.analytics.experiments.services import measured_content_variant_id
from fanloop.analytics.kpis import Totals
from fanloop.analytics.models import (
    Experiment,
    ExperimentMetric,
    ExperimentStatus,
    ExperimentVariant,
)
from fanloop.core.models import Workspace

TRAFFIC_WINDOW_DAYS = 28


@dataclass
class VariantResult:
    variant_id: int
    name: str
    is_control: bool
    planned_share: int
    trials: int
    successes: int
    rate: float | None  # fraction, 0..1
    # versus the control (None for the control itself or when a side has no trials)
    diff: float | None = None  # rate minus the control's, fraction
    ci_low: float | None = None
    ci_high: float | None = None
    z: float | None = None
    p_value: float | None = None
    lift: float | None = None  # relative to the control, percent
    significant: bool = False
    prob_best: float | None = None


@dataclass
class ExperimentResults:
    experiment_id: int
    metric: str
    start: str
    end: str
    alpha: float
    planned_per_variant: int
    variants: list[VariantResult]
    srm_statistic: float
    srm_p_value: float
    srm_expected: list[float]
    srm: bool
    enough_data: bool
    verdict_code: str  # no_data | not_enough_data | no_difference | winner
    verdict: str
    notes: list[str] = field(default_factory=list)
    computed_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def control(self) -> VariantResult | None:
        return next((row for row in self.variants if row.is_control), None)


def scope_dates(experiment: Experiment) -> tuple[date, date]:
    """The experiment's days in the workspace's time zone, end inclusive."""
    zone = experiment.workspace.zoneinfo
    assert experiment.started_at is not None
    start = timezone.localtime(experiment.started_at, zone).date()
    end_moment = experiment.ended_at or timezone.now()
    end = max(start, timezone.localtime(end_moment, zone).date())
    return start, end


_MEASURES = ("impressions", "unique_clicks", "orders", "likes", "comments", "shares", "favourites")


def _sums(scope: queries.Scope) -> Totals:
    # Summed under "sum_*" aliases: queries.totals() names each sum after its field and
    # then filters "orders" again for attributed_orders, which Django 6 refuses
    # ("'orders' is an aggregate"); this asks only for what the metrics need.
    values = queries.facts(scope).aggregate(**{f"sum_{name}": Sum(name) for name in _MEASURES})
    return Totals(**{name: int(values[f"sum_{name}"] or 0) for name in _MEASURES})


def _measure(
    experiment: Experiment, variant: ExperimentVariant, scope: queries.Scope
) -> tuple[int, int]:
    """(trials, successes) of the primary metric for one variant. Exposure and
    engagement come from the post's rows, clicks and orders from the link's rows, so
    nothing is counted twice whichever dimensions the rollup fills in."""
    metric = experiment.primary_metric
    post_id = measured_content_variant_id(variant)
    by_link = (
        _sums(replace(scope, link_id=variant.link_id)) if variant.link_id is not None else Totals()
    )
    by_post = _sums(replace(scope, variant_id=post_id)) if post_id is not None else Totals()
    if metric == ExperimentMetric.CTR:
        return by_post.impressions, by_link.unique_clicks
    if metric == ExperimentMetric.CONVERSION_RATE:
        return by_link.unique_clicks, by_link.orders
    return by_post.impressions, by_post.engagements


def _format_p(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def compute(experiment: Experiment) -> ExperimentResults:
    if experiment.status == ExperimentStatus.DRAFT or experiment.started_at is None:
        raise ValueError("a draft experiment has no results yet")
    start, end = scope_dates(experiment)
    base = queries.Scope(workspace_id=experiment.workspace_id, start=start, end=end)
    alpha = float(experiment.alpha)
    notes: list[str] = []
    rows: list[VariantResult] = []
    for variant in experiment.variants.select_related("link"):
        trials, successes = _measure(experiment, variant, base)
        if successes > trials:
            # e.g. clicks counted on a day the post's exposure was not imported yet
            notes.append(
                _(
                    "Variant %(name)s has more successes (%(x)s) than trials (%(n)s); "
                    "check that its exposure has been imported. Counted as %(n)s."
                )
                % {"name": variant.name, "x": successes, "n": trials}
            )
            successes = trials
        rows.append(
            VariantResult(
                variant_id=variant.pk,
                name=variant.name,
                is_control=variant.is_control,
                planned_share=variant.planned_share,
                trials=trials,
                successes=successes,
                rate=successes / trials if trials else None,
            )
        )
    control = next((row for row in rows if row.is_control), None)
    if control is not None and control.trials:
        for row in rows:
            if row.is_control or not row.trials:
                continue
            row.z, row.p_value = stats.two_proportion_ztest(
                row.successes, row.trials, control.successes, control.trials
            )
            row.ci_low, row.ci_high = stats.diff_confint(
                control.successes, control.trials, row.successes, row.trials, alpha
            )
            assert row.rate is not None
            assert control.rate is not None
            row.diff = row.rate - control.rate
            row.lift = row.diff / control.rate * 100 if control.rate else None
            row.significant = row.p_value < alpha
    if rows:
        for row, probability in zip(
            rows,
            stats.prob_best([r.successes for r in rows], [r.trials for r in rows]),
            strict=True,
        ):
            row.prob_best = probability
    srm = (
        stats.srm_check([r.trials for r in rows], [r.planned_share for r in rows])
        if len(rows) >= 2
        else stats.SrmResult(0.0, 1.0, [], False)
    )
    planned = experiment.planned_sample_per_variant
    enough = bool(rows) and all(row.trials >= planned for row in rows)
    code, verdict = _verdict(rows, control, enough, planned)
    return ExperimentResults(
        experiment_id=experiment.pk,
        metric=experiment.primary_metric,
        start=start.isoformat(),
        end=end.isoformat(),
        alpha=alpha,
        planned_per_variant=planned,
        variants=rows,
        srm_statistic=srm.statistic,
        srm_p_value=srm.p_value,
        srm_expected=srm.expected,
        srm=srm.mismatch,
        enough_data=enough,
        verdict_code=code,
        verdict=verdict,
        notes=notes,
        computed_at=timezone.now().isoformat(),
    )


def _verdict(
    rows: list[VariantResult], control: VariantResult | None, enough: bool, planned: int
) -> tuple[str, str]:
    if control is None or not any(row.trials for row in rows):
        return "no_data", _("No data yet: nothing has been measured for these variants.")
    if not enough:
        return "not_enough_data", _("Not enough data yet (needs %(n)s per variant).") % {
            "n": f"{planned:,}"
        }
    wins: list[str] = []
    for row in rows:
        if row.is_control or not row.significant or row.p_value is None or row.diff is None:
            continue
        better, worse = (row.name, control.name) if row.diff > 0 else (control.name, row.name)
        wins.append(
            _("%(better)s beats %(worse)s (%(p)s)")
            % {"better": better, "worse": worse, "p": _format_p(row.p_value)}
        )
    if not wins:
        return "no_difference", _("No significant difference.")
    return "winner", "; ".join(wins)


def daily_traffic(
    workspace: Workspace, metric: str, campaign_id: int | None = None
) -> float | None:
    """Trials per day of ``metric`` over the last four weeks (the denominator: exposure,
    or clicks for conversion rate), for 'about D days at your traffic'."""
    today = timezone.localtime(timezone.now(), workspace.zoneinfo).date()
    scope = queries.Scope(
        workspace_id=workspace.pk,
        start=today - timedelta(days=TRAFFIC_WINDOW_DAYS),
        end=today - timedelta(days=1),
        campaign_id=campaign_id,
    )
    totals = _sums(scope)
    trials = (
        totals.unique_clicks if metric == ExperimentMetric.CONVERSION_RATE else totals.impressions
    )
    return trials / TRAFFIC_WINDOW_DAYS if trials else None


def days_needed(per_variant: int, variants: int, per_day: float | None) -> int | None:
    if not per_day:
        return None
    return max(1, math.ceil(per_variant * variants / per_day))
