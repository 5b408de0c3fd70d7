"""The one write path for A/B tests: create, variants while draft, start, stop and the
recorded decision. Every write checks Action.ANALYTICS_MANAGE, runs in one transaction
and leaves an audit entry."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanloop.analytics import stats
from fanloop.analytics.models import (
    Experiment,
    ExperimentKind,
    ExperimentMetric,
    ExperimentStatus,
    ExperimentVariant,
    MdeKind,
)
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action

EXPERIMENT_FIELDS = (
    "name",
    "hypothesis",
    "kind",
    "campaign",
    "primary_metric",
    "alpha",
    "power",
    "baseline_rate",
    "mde",
    "mde_kind",
    "planned_sample_per_variant",
    "status",
)
VARIANT_FIELDS = ("name", "is_control", "planned_share", "link", "content_variant", "note")

# The whole life cycle in one place: (from status, action) -> to status.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ExperimentStatus.DRAFT, "start"): ExperimentStatus.RUNNING,
    (ExperimentStatus.RUNNING, "stop"): ExperimentStatus.STOPPED,
    (ExperimentStatus.RUNNING, "decide"): ExperimentStatus.DECIDED,
    (ExperimentStatus.STOPPED, "decide"): ExperimentStatus.DECIDED,
}
ACTION_LABELS = {
    "start": gettext_lazy("start"),
    "stop": gettext_lazy("stop"),
    "decide": gettext_lazy("declare a winner for"),
}


def allowed_actions(experiment: Experiment) -> set[str]:
    return {action for (status, action) in TRANSITIONS if status == experiment.status}


def _transition(experiment: Experiment, action: str) -> str:
    target = TRANSITIONS.get((experiment.status, action))
    if target is None:
        raise ValidationError(
            _("You cannot %(action)s an experiment that is %(status)s.")
            % {
                "action": ACTION_LABELS.get(action, action),
                "status": ExperimentStatus(experiment.status).label.lower(),
            }
        )
    return target


def _require_manage(actor: User, workspace: Workspace) -> None:
    require_action(actor, workspace, Action.ANALYTICS_MANAGE)


def _locked(experiment: Experiment) -> Experiment:
    return Experiment.objects.select_for_update().get(pk=experiment.pk)


def _require_draft(experiment: Experiment) -> None:
    if experiment.status != ExperimentStatus.DRAFT:
        raise ValidationError(
            _("Variants can only change while the experiment is a draft; it is %(status)s.")
            % {"status": ExperimentStatus(experiment.status).label.lower()}
        )


# Design -----------------------------------------------------------------------------------


def _decimal(value: Any, field: str, errors: dict[str, str]) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number.")
        return None


def planned_sample(
    *,
    baseline_rate: Decimal,
    mde: Decimal,
    mde_kind: str,
    alpha: Decimal,
    power: Decimal,
) -> int:
    """Trials per variant for the design, rates in percent as stored (see
    :func:`fanloop.analytics.stats.sample_size_per_variant`; two-sided test)."""
    relative = mde_kind == MdeKind.RELATIVE
    return stats.sample_size_per_variant(
        float(baseline_rate) / 100,
        float(mde) / 100,
        relative=relative,
        alpha=float(alpha),
        power=float(power),
    )


def _apply_design(experiment: Experiment, data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    experiment.name = str(data.get("name", "")).strip()
    experiment.hypothesis = str(data.get("hypothesis", "")).strip()
    experiment.kind = data.get("kind") or ExperimentKind.CONTENT_VARIANT
    experiment.primary_metric = data.get("primary_metric") or ExperimentMetric.CTR
    experiment.mde_kind = data.get("mde_kind") or MdeKind.RELATIVE
    campaign = data.get("campaign")
    if campaign is not None and campaign.workspace_id != experiment.workspace_id:
        errors["campaign"] = _("Choose a campaign of this workspace.")
    experiment.campaign = campaign
    if not experiment.name:
        errors["name"] = _("Give the experiment a name.")
    if experiment.kind not in ExperimentKind.values:
        errors["kind"] = _("Choose what is tested.")
    if experiment.primary_metric not in ExperimentMetric.values:
        errors["primary_metric"] = _("Choose the primary metric.")
    if experiment.mde_kind not in MdeKind.values:
        errors["mde_kind"] = _("Choose whether the effect is relative or absolute.")
    numbers = {
        name: _decimal(data.get(name, default), name, errors)
        for name, default in (
            ("alpha", "0.05"),
            ("power", "0.8"),
            ("baseline_rate", ""),
            ("mde", ""),
        )
    }
    alpha, power, baseline, mde = (numbers[n] for n in ("alpha", "power", "baseline_rate", "mde"))
    if alpha is not None and not Decimal("0.001") <= alpha <= Decimal("0.2"):
        errors["alpha"] = _("Choose a significance level between 0.001 and 0.2.")
    if power is not None and not Decimal("0.5") <= power <= Decimal("0.99"):
        errors["power"] = _("Choose a power between 0.5 and 0.99.")
    if baseline is not None and not Decimal("0") < baseline < Decimal("100"):
        errors["baseline_rate"] = _("The baseline rate is a percentage between 0 and 100.")
    if mde is not None and mde <= 0:
        errors["mde"] = _("The minimum detectable effect must be above zero.")
    if errors:
        raise ValidationError(errors)
    assert alpha is not None
    assert power is not None
    assert baseline is not None
    assert mde is not None
    try:
        experiment.planned_sample_per_variant = planned_sample(
            baseline_rate=baseline, mde=mde, mde_kind=experiment.mde_kind, alpha=alpha, power=power
        )
    except ValueError as exc:
        raise ValidationError(
            {"mde": _("The baseline plus this effect must stay below 100%.")}
        ) from exc
    experiment.alpha, experiment.power = alpha, power
    experiment.baseline_rate, experiment.mde = baseline, mde
    experiment.full_clean(exclude=["workspace", "campaign", "winner", "created_by", "decided_by"])


@transaction.atomic
def create_experiment(
    *,
    actor: User,
    workspace: Workspace,
    data: dict[str, Any],
    variants: list[dict[str, Any]] | None = None,
) -> Experiment:
    """A draft experiment, optionally with its first variants (each a dict of
    :data:`VARIANT_FIELDS`); the whole thing or nothing is written."""
    _require_manage(actor, workspace)
    experiment = Experiment(workspace=workspace, created_by=actor)
    _apply_design(experiment, data)
    experiment.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="experiment.create",
        obj=experiment,
        changes=audit.created(experiment, EXPERIMENT_FIELDS),
    )
    for variant in variants or []:
        add_variant(actor=actor, experiment=experiment, data=variant)
    return experiment


@transaction.atomic
def update_experiment(*, actor: User, experiment: Experiment, data: dict[str, Any]) -> Experiment:
    _require_manage(actor, experiment.workspace)
    experiment = _locked(experiment)
    if experiment.status != ExperimentStatus.DRAFT:
        raise ValidationError(_("Only a draft experiment can be redesigned."))
    before = audit.snapshot(experiment, EXPERIMENT_FIELDS)
    _apply_design(experiment, data)
    experiment.save()
    changes = audit.diff(before, audit.snapshot(experiment, EXPERIMENT_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            workspace=experiment.workspace,
            action="experiment.update",
            obj=experiment,
            changes=changes,
        )
    return experiment


# Variants ---------------------------------------------------------------------------------


@transaction.atomic
def add_variant(*, actor: User, experiment: Experiment, data: dict[str, Any]) -> ExperimentVariant:
    _require_manage(actor, experiment.workspace)
    experiment = _locked(experiment)
    _require_draft(experiment)
    errors: dict[str, str] = {}
    name = str(data.get("name", "")).strip()
    if not name:
        errors["name"] = _("Name the variant (A, B, …).")
    elif experiment.variants.filter(name__iexact=name).exists():
        errors["name"] = _("This experiment already has a variant named %(name)s.") % {"name": name}
    is_control = bool(data.get("is_control"))
    if is_control and experiment.variants.filter(is_control=True).exists():
        errors["is_control"] = _("The experiment already has a control.")
    try:
        share = int(data.get("planned_share", 0))
    except (TypeError, ValueError):
        share = 0
    if not 1 <= share <= 99:
        errors["planned_share"] = _("The planned share is a whole percentage from 1 to 99.")
    link = data.get("link")
    if link is not None and link.workspace_id != experiment.workspace_id:
        errors["link"] = _("Choose a tracking link of this workspace.")
    content_variant = data.get("content_variant")
    if content_variant is not None and content_variant.workspace_id != experiment.workspace_id:
        errors["content_variant"] = _("Choose a content variant of this workspace.")
    if link is None and content_variant is None:
        errors["link"] = _("Give the variant a tracking link or a content variant to measure.")
    if errors:
        raise ValidationError(errors)
    variant = ExperimentVariant.objects.create(
        experiment=experiment,
        name=name,
        is_control=is_control,
        planned_share=share,
        link=link,
        content_variant=content_variant,
        note=str(data.get("note", "")).strip()[:300],
    )
    audit.record(
        actor=actor,
        workspace=experiment.workspace,
        action="experiment.variant_add",
        obj=variant,
        changes={"experiment": (None, experiment.pk), **audit.created(variant, VARIANT_FIELDS)},
    )
    return variant


@transaction.atomic
def remove_variant(*, actor: User, variant: ExperimentVariant) -> None:
    experiment = variant.experiment
    _require_manage(actor, experiment.workspace)
    experiment = _locked(experiment)
    _require_draft(experiment)
    audit.record(
        actor=actor,
        workspace=experiment.workspace,
        action="experiment.variant_remove",
        obj=variant,
        changes={"experiment": (experiment.pk, None), **audit.deleted(variant, VARIANT_FIELDS)},
    )
    variant.delete()


def measured_content_variant_id(variant: ExperimentVariant) -> int | None:
    """The post whose exposure and engagement count for the variant: its own content
    variant, else the one its tracking link was made for."""
    if variant.content_variant_id is not None:
        return variant.content_variant_id
    return variant.link.variant_id if variant.link is not None else None


def design_problems(experiment: Experiment) -> list[str]:
    """What stops the experiment from starting, in words for the team."""
    variants = list(experiment.variants.select_related("link"))
    problems: list[str] = []
    if len(variants) < 2:
        problems.append(_("Add at least two variants: a control and a challenger."))
    controls = sum(1 for v in variants if v.is_control)
    if controls != 1:
        problems.append(_("Mark exactly one variant as the control."))
    total = sum(v.planned_share for v in variants)
    if variants and total != 100:
        problems.append(
            _("The planned split must add up to 100%%; it adds up to %(total)s%%.")
            % {"total": total}
        )
    metric = experiment.primary_metric
    for variant in variants:
        needs_link = metric in {ExperimentMetric.CTR, ExperimentMetric.CONVERSION_RATE}
        needs_post = metric in {ExperimentMetric.CTR, ExperimentMetric.ENGAGEMENT_RATE}
        if needs_link and variant.link_id is None:
            problems.append(
                _("Variant %(name)s needs a tracking link to count clicks.")
                % {"name": variant.name}
            )
        if needs_post and measured_content_variant_id(variant) is None:
            problems.append(
                _("Variant %(name)s needs a content variant (post) to count its exposure.")
                % {"name": variant.name}
            )
    return problems


# Life cycle -------------------------------------------------------------------------------


def _record_status(
    actor: User, experiment: Experiment, action: str, before: dict[str, Any]
) -> None:
    audit.record(
        actor=actor,
        workspace=experiment.workspace,
        action=f"experiment.{action}",
        obj=experiment,
        changes=audit.diff(
            before, audit.snapshot(experiment, ("status", "started_at", "ended_at"))
        ),
    )


@transaction.atomic
def start_experiment(*, actor: User, experiment: Experiment) -> Experiment:
    _require_manage(actor, experiment.workspace)
    experiment = _locked(experiment)
    target = _transition(experiment, "start")
    problems = design_problems(experiment)
    if problems:
        raise ValidationError(problems)
    before = audit.snapshot(experiment, ("status", "started_at", "ended_at"))
    experiment.status = target
    experiment.started_at = timezone.now()
    experiment.save(update_fields=["status", "started_at"])
    _record_status(actor, experiment, "start", before)
    return experiment


@transaction.atomic
def stop_experiment(*, actor: User, experiment: Experiment) -> Experiment:
    _require_manage(actor, experiment.workspace)
    experiment = _locked(experiment)
    target = _transition(experiment, "stop")
    before = audit.snapshot(experiment, ("status", "started_at", "ended_at"))
    experiment.status = target
    experiment.ended_at = timezone.now()
    experiment.save(update_fields=["status", "ended_at"])
    _record_status(actor, experiment, "stop", before)
    return experiment


@transaction.atomic
def declare_winner(
    *, actor: User, experiment: Experiment, winner: ExperimentVariant, reason: str
) -> Experiment:
    """Close the experiment with a decision: who chose which variant, when, why, and the
    results as they stood (a snapshot that is never recomputed or edited)."""
    from fanloop.analytics.experiments import results

    _require_manage(actor, experiment.workspace)
    experiment = _locked(experiment)
    target = _transition(experiment, "decide")
    reason = reason.strip()
    errors: dict[str, str] = {}
    if winner.experiment_id != experiment.pk:
        errors["winner"] = _("Choose one of this experiment's variants.")
    if not reason:
        errors["reason"] = _("Say why: the team reads this when the next test is planned.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    before = audit.snapshot(experiment, ("status", "ended_at", "winner"))
    if experiment.ended_at is None:
        experiment.ended_at = now
    snapshot = results.compute(experiment).as_dict()
    experiment.status = target
    experiment.winner = winner
    experiment.decided_by = actor
    experiment.decided_at = now
    experiment.decision_reason = reason
    experiment.decision_snapshot = snapshot
    experiment.save()
    audit.record(
        actor=actor,
        workspace=experiment.workspace,
        action="experiment.decide",
        obj=experiment,
        changes={
            **audit.diff(before, audit.snapshot(experiment, ("status", "ended_at", "winner"))),
            "decision_reason": (None, reason),
            "verdict": (None, snapshot.get("verdict")),
        },
    )
    return experiment
