"""What makes a goal SMART here: a catalogued metric, numbers, a direction, a deadline."""

from decimal import Decimal

from django.utils.translation import gettext as _

from fanloop.campaigns.models import Campaign, Goal, GoalScope
from fanloop.core.metrics import CATALOGUE, Unit
from fanloop.core.platforms import Platform


def goal_problems(goal: Goal, campaign: Campaign) -> dict[str, str]:
    """Field -> problem for every way the goal is not measurable; empty when it is."""
    problems: dict[str, str] = {}
    metric = CATALOGUE.get(goal.metric or "")
    if metric is None:
        problems["metric"] = _("Choose a metric from the catalogue.")
    if goal.target is None:
        problems["target"] = _("Give the goal a target number.")
    if goal.baseline is None:
        problems["baseline"] = _("Give the goal a baseline (0 if it starts from nothing).")
    if metric is not None and goal.target is not None and goal.baseline is not None:
        target, baseline = Decimal(goal.target), Decimal(goal.baseline)
        if target == baseline:
            problems["target"] = _("The target must differ from the baseline.")
        elif metric.higher_is_better and target < baseline:
            problems["target"] = _("For %(metric)s the target must be above the baseline.") % {
                "metric": metric.label
            }
        elif not metric.higher_is_better and target > baseline:
            problems["target"] = _("For %(metric)s the target must be below the baseline.") % {
                "metric": metric.label
            }
        if metric.unit == Unit.PERCENT and not (0 <= target <= 100 and 0 <= baseline <= 100):
            problems["target"] = _("Percentages are between 0 and 100.")
        if metric.unit in {Unit.COUNT, Unit.FEN} and (target < 0 or baseline < 0):
            problems["target"] = _("Counts and amounts cannot be negative.")
    if goal.deadline is None:
        problems["deadline"] = _("Give the goal a deadline.")
    elif not (campaign.start_date <= goal.deadline <= campaign.end_date):
        problems["deadline"] = _(
            "The deadline must fall inside the campaign (%(start)s to %(end)s)."
        ) % {"start": campaign.start_date, "end": campaign.end_date}
    if goal.scope != GoalScope.CAMPAIGN and not goal.scope_value.strip():
        problems["scope_value"] = _("Name the platform, channel or KOL this goal is for.")
    if (
        goal.scope == GoalScope.PLATFORM
        and goal.scope_value
        and (goal.scope_value not in Platform.values)
    ):
        problems["scope_value"] = _("Unknown platform %(value)s.") % {"value": goal.scope_value}
    return problems
