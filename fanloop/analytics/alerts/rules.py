"""Rule kinds and their evaluation: pure reads that say, per dedup key, whether a rule's
condition holds right now and with which numbers.

Windows of KPI kinds are *complete* local days: a 7-day window evaluated on the 10th
covers the 3rd..9th in the workspace's time zone, because today's facts are still
arriving and a half-day would look like a drop. Inbox kinds read live data (the last
``window_days`` × 24 hours up to now).

A finding is ``breached`` True (raise or refresh the alert), False (the condition
cleared: an open alert resolves itself) or None (cannot judge: too small a sample or no
data; an open alert is left as it is).
"""

import contextlib
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from fanloop.analytics import queries
from fanloop.analytics.kpis import KPIS, KpiUnit, Totals, change
from fanloop.analytics.models.alerts import (
    AlertRule,
    BaselineMethod,
    Comparator,
    Direction,
    RuleKind,
    ScopeKind,
)
from fanloop.analytics.queries import Scope
from fanloop.core.money import format_fen

# The measure a KPI's reliability rests on: a rate over 12 impressions says little.
SAMPLE_OF: dict[str, str | None] = {
    "impressions": "impressions",
    "reads": "views",
    "engagements": "engagements",
    "engagement_rate": "impressions",
    "clicks": "unique_clicks",
    "ctr": "impressions",
    "follower_growth": None,
    "orders": "orders",
    "conversion_rate": "unique_clicks",
    "gmv": "orders",
    "aov": "orders",
    "cost": None,
    "roi": None,
    "cpm": "impressions",
    "cpc": "unique_clicks",
    "cpe": "engagements",
    "cpa": "orders",
    "repurchase_rate": "orders",
}
# A steady baseline has a standard deviation near zero, which would make any wobble a
# huge z-score: the deviation used is at least this share of the mean (and 1 for counts,
# the Poisson-ish noise of small numbers).
STDEV_FLOOR_SHARE = Decimal("0.05")
MIN_BASELINE_PERIODS = 2
FOUR = Decimal("0.0001")


@dataclass
class Finding:
    key: str
    breached: bool | None
    title: str = ""
    value: Decimal | None = None
    expected: Decimal | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    campaign_id: int | None = None


@dataclass
class Evaluation:
    findings: list[Finding]
    # Kinds whose keys come and go (goals, crisis alerts): an open alert whose key is no
    # longer found has cleared.
    dynamic_keys: bool = False
    note: str = ""


def totals(scope: Scope) -> Totals:
    return queries.totals(scope)


# Describing rules ----------------------------------------------------------------------


def sample_size(totals_: Totals, kpi: str) -> int | None:
    measure = SAMPLE_OF.get(kpi)
    if measure is None:
        return None
    return int(getattr(totals_, measure))


def format_value(kpi: str, value: Decimal | None) -> str:
    if value is None:
        return "—"
    unit = KPIS[kpi].unit if kpi in KPIS else KpiUnit.COUNT
    if unit == KpiUnit.PERCENT:
        return f"{_trim(value)}%"
    if unit == KpiUnit.FEN:
        return format_fen(int(value.to_integral_value(ROUND_HALF_UP)))
    if unit == KpiUnit.RATIO:
        return f"{_trim(value)}×"
    return f"{int(value):,}" if value == value.to_integral_value() else str(_trim(value))


def _trim(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def scope_label(rule: AlertRule) -> str:
    if rule.scope_kind == ScopeKind.CAMPAIGN and rule.campaign is not None:
        return _("campaign “%(name)s”") % {"name": rule.campaign.name}
    if rule.scope_kind == ScopeKind.PLATFORM and rule.platform:
        return _("platform %(name)s") % {"name": rule.get_platform_display()}
    if rule.scope_kind == ScopeKind.PARTNER and rule.partner is not None:
        return _("partner “%(name)s”") % {"name": rule.partner.name}
    if rule.scope_kind == ScopeKind.LINK and rule.link is not None:
        return _("link “%(name)s”") % {"name": rule.link.name or rule.link.code}
    return _("the whole workspace")


def scope_key(rule: AlertRule) -> str:
    if rule.scope_kind == ScopeKind.CAMPAIGN:
        return f"campaign:{rule.campaign_id}"
    if rule.scope_kind == ScopeKind.PLATFORM:
        return f"platform:{rule.platform}"
    if rule.scope_kind == ScopeKind.PARTNER:
        return f"partner:{rule.partner_id}"
    if rule.scope_kind == ScopeKind.LINK:
        return f"link:{rule.link_id}"
    return "workspace"


def window_label(days: int) -> str:
    if days == 1:
        return _("yesterday")
    return _("the last %(days)s days") % {"days": days}


def kpi_label(rule: AlertRule) -> str:
    return str(KPIS[rule.kpi].label).lower() if rule.kpi in KPIS else rule.kpi


def explain(rule: AlertRule) -> str:
    """The rule in words, e.g. “Alert when engagement rate over the last 7 days for
    campaign “618” is below 2%.”"""
    where = scope_label(rule)
    window = window_label(rule.window_days)
    threshold = rule.threshold
    if rule.kind == RuleKind.THRESHOLD:
        text = _("Alert when %(kpi)s over %(window)s for %(scope)s %(cmp)s %(value)s.") % {
            "kpi": kpi_label(rule),
            "window": window,
            "scope": where,
            "cmp": Comparator(rule.comparator).label,
            "value": format_value(rule.kpi, threshold),
        }
    elif rule.kind == RuleKind.CHANGE:
        text = _(
            "Alert when %(kpi)s over %(window)s for %(scope)s %(direction)s by at least "
            "%(pct)s%% compared with the %(days)s days before."
        ) % {
            "kpi": kpi_label(rule),
            "window": window,
            "scope": where,
            "direction": Direction(rule.direction).label,
            "pct": _trim(threshold or Decimal(0)),
            "days": rule.window_days,
        }
    elif rule.kind == RuleKind.BASELINE:
        amount = (
            _("%(z)s standard deviations") % {"z": _trim(threshold or Decimal(0))}
            if rule.baseline_method == BaselineMethod.ZSCORE
            else f"{_trim(threshold or Decimal(0))}%"
        )
        text = _(
            "Alert when %(kpi)s over %(window)s for %(scope)s %(direction)s by %(amount)s or "
            "more from its average over the %(n)s periods of the same length before."
        ) % {
            "kpi": kpi_label(rule),
            "window": window,
            "scope": where,
            "direction": Direction(rule.direction).label,
            "amount": amount,
            "n": rule.baseline_periods,
        }
    elif rule.kind == RuleKind.GOAL_OFF_PACE:
        if rule.goal is not None:
            text = _("Alert when the goal “%(goal)s” of %(scope)s is off pace.") % {
                "goal": str(rule.goal),
                "scope": where,
            }
        else:
            text = _("Alert when any goal of %(scope)s is off pace.") % {"scope": where}
    elif rule.kind == RuleKind.SLA_BREACH:
        text = _(
            "Alert when the number of fan messages that missed their reply time over "
            "%(window)s for %(scope)s %(cmp)s %(value)s."
        ) % {
            "window": _("the last %(hours)s hours") % {"hours": rule.window_days * 24},
            "scope": where,
            "cmp": Comparator(rule.comparator).label,
            "value": format_value("", threshold),
        }
    else:
        text = _(
            "Alert for every open negative-sentiment crisis warning of the inbox for %(scope)s."
        ) % {"scope": where}
    if rule.min_sample and rule.kind in {RuleKind.THRESHOLD, RuleKind.CHANGE, RuleKind.BASELINE}:
        measure = SAMPLE_OF.get(rule.kpi)
        if measure:
            text += " " + _("Only judged when %(measure)s is at least %(n)s.") % {
                "measure": measure.replace("_", " "),
                "n": rule.min_sample,
            }
    return text


# Evaluation ----------------------------------------------------------------------------


def complete_window(rule: AlertRule, now: datetime) -> tuple[date, date]:
    today = now.astimezone(rule.workspace.zoneinfo).date()
    end = today - timedelta(days=1)
    return end - timedelta(days=rule.window_days - 1), end


def rule_scope(rule: AlertRule, start: date, end: date) -> Scope:
    kwargs: dict[str, Any] = {}
    if rule.scope_kind == ScopeKind.CAMPAIGN:
        kwargs["campaign_id"] = rule.campaign_id
    elif rule.scope_kind == ScopeKind.PLATFORM:
        kwargs["platform"] = rule.platform
    elif rule.scope_kind == ScopeKind.PARTNER:
        kwargs["partner_id"] = rule.partner_id
    elif rule.scope_kind == ScopeKind.LINK:
        kwargs["link_id"] = rule.link_id
    return Scope(rule.workspace_id, start, end, **kwargs)


def compare(value: Decimal, comparator: str, threshold: Decimal) -> bool:
    return {
        Comparator.LT: value < threshold,
        Comparator.LTE: value <= threshold,
        Comparator.GT: value > threshold,
        Comparator.GTE: value >= threshold,
    }[Comparator(comparator)]


def _moved(amount: Decimal, direction: str, threshold: Decimal) -> bool:
    if direction == Direction.DROP:
        return amount <= -threshold
    if direction == Direction.RISE:
        return amount >= threshold
    return abs(amount) >= threshold


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(FOUR, rounding=ROUND_HALF_UP)


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(_q(value))


def _period(scope: Scope) -> dict[str, str]:
    return {"start": scope.start.isoformat(), "end": scope.end.isoformat()}


def _links(rule: AlertRule) -> dict[str, str]:
    links: dict[str, str] = {}
    if rule.campaign_id:
        with contextlib.suppress(NoReverseMatch):
            links["campaign"] = reverse(
                "campaign_detail", args=[rule.workspace.slug, rule.campaign_id]
            )
    return links


def _too_small(rule: AlertRule, *samples: int | None) -> bool:
    return bool(rule.min_sample) and any(
        sample is not None and sample < rule.min_sample for sample in samples
    )


def _kpi_title(rule: AlertRule, value: Decimal | None, detail: str) -> str:
    return _("%(kpi)s for %(scope)s is %(value)s (%(detail)s)") % {
        "kpi": KPIS[rule.kpi].label,
        "scope": scope_label(rule),
        "value": format_value(rule.kpi, value),
        "detail": detail,
    }


def evaluate_threshold(rule: AlertRule, now: datetime) -> Evaluation:
    start, end = complete_window(rule, now)
    scope = rule_scope(rule, start, end)
    current = totals(scope)
    value = current.kpi(rule.kpi)
    sample = sample_size(current, rule.kpi)
    evidence: dict[str, Any] = {
        "kpi": rule.kpi,
        "current": _num(value),
        "period": _period(scope),
        "sample": sample,
        "sample_measure": SAMPLE_OF.get(rule.kpi),
        "threshold": _num(rule.threshold),
        "comparator": rule.comparator,
        "links": _links(rule),
    }
    key = scope_key(rule)
    if value is None or _too_small(rule, sample) or rule.threshold is None:
        return Evaluation([Finding(key, None, evidence=evidence)], note=_("sample too small"))
    breached = compare(value, rule.comparator, rule.threshold)
    detail = _("%(cmp)s %(threshold)s") % {
        "cmp": Comparator(rule.comparator).label,
        "threshold": format_value(rule.kpi, rule.threshold),
    }
    return Evaluation(
        [
            Finding(
                key,
                breached,
                _kpi_title(rule, value, detail),
                _q(value),
                _q(rule.threshold),
                evidence,
                rule.campaign_id,
            )
        ]
    )


def evaluate_change(rule: AlertRule, now: datetime) -> Evaluation:
    start, end = complete_window(rule, now)
    scope = rule_scope(rule, start, end)
    previous_scope = scope.previous()
    current, previous = totals(scope), totals(previous_scope)
    value, before = current.kpi(rule.kpi), previous.kpi(rule.kpi)
    pct = change(value, before)
    samples = (sample_size(current, rule.kpi), sample_size(previous, rule.kpi))
    evidence: dict[str, Any] = {
        "kpi": rule.kpi,
        "current": _num(value),
        "previous": _num(before),
        "change_pct": _num(pct),
        "period": _period(scope),
        "previous_period": _period(previous_scope),
        "sample": samples[0],
        "previous_sample": samples[1],
        "sample_measure": SAMPLE_OF.get(rule.kpi),
        "threshold_pct": _num(rule.threshold),
        "direction": rule.direction,
        "links": _links(rule),
    }
    key = scope_key(rule)
    if pct is None or _too_small(rule, *samples) or rule.threshold is None:
        return Evaluation([Finding(key, None, evidence=evidence)], note=_("not comparable"))
    breached = _moved(pct, rule.direction, rule.threshold)
    detail = _("%(pct)s%% vs %(previous)s the period before") % {
        "pct": f"{pct:+}",
        "previous": format_value(rule.kpi, before),
    }
    return Evaluation(
        [
            Finding(
                key,
                breached,
                _kpi_title(rule, value, detail),
                _q(value),
                _q(before),
                evidence,
                rule.campaign_id,
            )
        ]
    )


def evaluate_baseline(rule: AlertRule, now: datetime) -> Evaluation:
    start, end = complete_window(rule, now)
    scope = rule_scope(rule, start, end)
    current = totals(scope)
    value = current.kpi(rule.kpi)
    history: list[dict[str, Any]] = []
    values: list[Decimal] = []
    period = scope
    for _n in range(max(rule.baseline_periods, 1)):
        period = period.previous()
        past = totals(period)
        past_value = past.kpi(rule.kpi)
        past_sample = sample_size(past, rule.kpi)
        usable = past_value is not None and not _too_small(rule, past_sample)
        history.append({**_period(period), "value": _num(past_value), "sample": past_sample})
        if usable:
            assert past_value is not None
            values.append(past_value)
    key = scope_key(rule)
    sample = sample_size(current, rule.kpi)
    evidence: dict[str, Any] = {
        "kpi": rule.kpi,
        "current": _num(value),
        "period": _period(scope),
        "sample": sample,
        "sample_measure": SAMPLE_OF.get(rule.kpi),
        "baseline_periods": history,
        "method": rule.baseline_method,
        "threshold": _num(rule.threshold),
        "direction": rule.direction,
        "links": _links(rule),
    }
    if (
        value is None
        or _too_small(rule, sample)
        or len(values) < MIN_BASELINE_PERIODS
        or rule.threshold is None
    ):
        return Evaluation([Finding(key, None, evidence=evidence)], note=_("baseline too short"))
    mean = Decimal(statistics.fmean(values)).quantize(FOUR)
    stdev = Decimal(statistics.stdev(values)).quantize(FOUR)
    floor = abs(mean) * STDEV_FLOOR_SHARE
    if KPIS[rule.kpi].unit == KpiUnit.COUNT:
        floor = max(floor, Decimal(1))
    floor = max(floor, FOUR)
    spread = max(stdev, floor)
    z = (value - mean) / spread
    pct = (value - mean) * 100 / abs(mean) if mean else None
    evidence.update(
        {"baseline_mean": _num(mean), "baseline_stdev": _num(stdev), "stdev_used": _num(spread)}
    )
    evidence.update({"z_score": _num(z), "deviation_pct": _num(pct)})
    if rule.baseline_method == BaselineMethod.ZSCORE:
        breached = _moved(z, rule.direction, rule.threshold)
        detail = _("z = %(z)s against a mean of %(mean)s") % {
            "z": f"{z.quantize(Decimal('0.1')):+}",
            "mean": format_value(rule.kpi, mean),
        }
    else:
        if pct is None:
            return Evaluation([Finding(key, None, evidence=evidence)], note=_("baseline is zero"))
        breached = _moved(pct, rule.direction, rule.threshold)
        detail = _("%(pct)s%% from a mean of %(mean)s") % {
            "pct": f"{pct.quantize(Decimal('0.1')):+}",
            "mean": format_value(rule.kpi, mean),
        }
    return Evaluation(
        [
            Finding(
                key,
                breached,
                _kpi_title(rule, value, detail),
                _q(value),
                _q(mean),
                evidence,
                rule.campaign_id,
            )
        ]
    )


def evaluate_goal_off_pace(rule: AlertRule, now: datetime) -> Evaluation:
    from fanloop.campaigns.models import Goal
    from fanloop.campaigns.pacing import goal_pacing

    today = now.astimezone(rule.workspace.zoneinfo).date()
    goals = (
        [rule.goal]
        if rule.goal is not None
        else list(Goal.objects.filter(campaign=rule.campaign).select_related("campaign"))
    )
    findings = []
    for goal in goals:
        if goal.campaign.workspace_id != rule.workspace_id:
            continue
        pacing = goal_pacing(goal, today)
        evidence = {
            "goal_id": goal.pk,
            "goal": str(goal),
            "metric": goal.metric,
            "baseline": str(goal.baseline),
            "target": str(goal.target),
            "deadline": goal.deadline.isoformat(),
            "actual": _num(pacing.actual),
            "as_of": pacing.as_of.isoformat() if pacing.as_of else None,
            "progress": _num(pacing.progress),
            "elapsed": _num(pacing.elapsed),
            "projected": _num(pacing.projected),
            "needed_per_day": _num(pacing.needed_per_day),
            "links": _links(rule),
        }
        breached = None if pacing.on_pace is None else not pacing.on_pace
        title = _(
            "Goal “%(goal)s” of campaign “%(campaign)s” is off pace: projected %(projected)s "
            "by %(deadline)s"
        ) % {
            "goal": str(goal),
            "campaign": goal.campaign.name,
            "projected": _trim(pacing.projected) if pacing.projected is not None else "—",
            "deadline": goal.deadline.isoformat(),
        }
        findings.append(
            Finding(
                f"goal:{goal.pk}",
                breached,
                title,
                _q(pacing.actual),
                _q(Decimal(goal.target)),
                evidence,
                goal.campaign_id,
            )
        )
    return Evaluation(findings, dynamic_keys=True)


def _inbox_scope(rule: AlertRule) -> Q:
    if rule.scope_kind == ScopeKind.CAMPAIGN:
        return Q(thread__campaign_id=rule.campaign_id)
    if rule.scope_kind == ScopeKind.PLATFORM:
        return Q(platform=rule.platform)
    return Q()


def evaluate_sla_breach(rule: AlertRule, now: datetime) -> Evaluation:
    from fanloop.inbox.models import Direction as MessageDirection
    from fanloop.inbox.models import Message

    since = now - timedelta(days=rule.window_days)
    messages = Message.objects.filter(
        _inbox_scope(rule),
        workspace_id=rule.workspace_id,
        direction=MessageDirection.INBOUND,
        sent_at__gte=since,
        sent_at__lte=now,
    )
    counted = messages.filter(sla_breached=True)
    breaches = counted.count()
    sample = messages.count()
    examples = list(counted.order_by("-sent_at").values_list("thread_id", flat=True)[:5])
    evidence: dict[str, Any] = {
        "breaches": breaches,
        "messages": sample,
        "since": since.isoformat(),
        "until": now.isoformat(),
        "threshold": _num(rule.threshold),
        "comparator": rule.comparator,
        "example_threads": examples,
        "links": {"inbox": _safe_reverse("inbox", rule.workspace.slug)},
    }
    key = scope_key(rule)
    if rule.threshold is None or _too_small(rule, sample):
        return Evaluation([Finding(key, None, evidence=evidence)])
    value = Decimal(breaches)
    title = _("%(n)s fan messages missed their reply time for %(scope)s in %(window)s") % {
        "n": breaches,
        "scope": scope_label(rule),
        "window": _("the last %(hours)s hours") % {"hours": rule.window_days * 24},
    }
    breached = compare(value, rule.comparator, rule.threshold)
    return Evaluation(
        [Finding(key, breached, title, value, _q(rule.threshold), evidence, rule.campaign_id)]
    )


def _safe_reverse(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def evaluate_negative_spike(rule: AlertRule, now: datetime) -> Evaluation:
    from fanloop.inbox import crisis
    from fanloop.inbox.models import AlertStatus as CrisisStatus
    from fanloop.inbox.models import CrisisAlert

    rows = CrisisAlert.objects.filter(workspace_id=rule.workspace_id).exclude(
        status=CrisisStatus.RESOLVED
    )
    if rule.scope_kind == ScopeKind.CAMPAIGN:
        rows = rows.filter(campaign=rule.campaign)
    elif rule.scope_kind == ScopeKind.PLATFORM:
        rows = rows.filter(
            Q(account__platform=rule.platform) | Q(scope_key__startswith=f"post:{rule.platform}:")
        )
    findings = []
    for row in rows.select_related("account", "campaign"):
        where = crisis.scope_label(row)
        evidence = {
            "crisis_alert_id": row.pk,
            "scope": where,
            "hour_start": row.hour_start.isoformat(),
            "negative_count": row.negative_count,
            "total_count": row.total_count,
            "baseline_mean": round(row.baseline_mean, 2),
            "baseline_std": round(row.baseline_std, 2),
            "z_score": round(row.z_score, 2),
            "peak_negative_count": row.peak_negative_count,
            "keywords": row.keywords[:10],
            "links": {"crisis_alert": _safe_reverse("inbox_alert", rule.workspace.slug, row.pk)},
        }
        title = _(
            "Negative-sentiment spike on %(scope)s: %(n)s negative messages in one hour "
            "(usually %(mean)s)"
        ) % {"scope": where, "n": row.negative_count, "mean": f"{row.baseline_mean:.1f}"}
        findings.append(
            Finding(
                f"crisis:{row.pk}",
                True,
                title,
                Decimal(row.negative_count),
                Decimal(str(round(row.baseline_mean, 4))),
                evidence,
                row.campaign_id,
            )
        )
    return Evaluation(findings, dynamic_keys=True)


EVALUATORS = {
    RuleKind.THRESHOLD: evaluate_threshold,
    RuleKind.CHANGE: evaluate_change,
    RuleKind.BASELINE: evaluate_baseline,
    RuleKind.GOAL_OFF_PACE: evaluate_goal_off_pace,
    RuleKind.SLA_BREACH: evaluate_sla_breach,
    RuleKind.NEGATIVE_SPIKE: evaluate_negative_spike,
}


def evaluate(rule: AlertRule, now: datetime) -> Evaluation:
    return EVALUATORS[RuleKind(rule.kind)](rule, now)
