"""Goals, budget lines, phases, milestones, tasks, research and risks: one save path.

Each kind declares its editable fields, the permission it needs and its own checks;
``save_item`` validates, writes and audits all of them the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.campaigns.goals import goal_problems
from fanloop.campaigns.models import (
    BudgetLine,
    BudgetSpend,
    Campaign,
    Competitor,
    Feasibility,
    Goal,
    GoalMeasurement,
    Milestone,
    Phase,
    ResearchNote,
    Risk,
    Task,
    TaskStatus,
)
from fanloop.campaigns.models.budget import SpendSource
from fanloop.campaigns.services.common import require, require_editable
from fanloop.core import audit
from fanloop.core.models import User
from fanloop.core.permissions import Action, allowed
from fanloop.core.platforms import Platform
from fanloop.core.services import role_of
from fanloop.core.writes import apply, require_member

Problems = dict[str, str]


def _budget_checks(line: BudgetLine, campaign: Campaign) -> Problems:
    if line.planned_fen is not None and line.planned_fen < 0:
        return {"planned_fen": _("A planned amount cannot be negative.")}
    return {}


def _goal_checks(goal: Goal, campaign: Campaign) -> Problems:
    return goal_problems(goal, campaign)


def _phase_checks(phase: Phase, campaign: Campaign) -> Problems:
    problems: Problems = {}
    if phase.start_date and phase.end_date:
        if phase.end_date < phase.start_date:
            problems["end_date"] = _("A phase must end on or after its start.")
        if phase.start_date < campaign.start_date or phase.end_date > campaign.end_date:
            problems["start_date"] = _("Phases fall inside the campaign's dates.")
    require_member(campaign.workspace, phase.owner, "owner")
    return problems


def _milestone_checks(milestone: Milestone, campaign: Campaign) -> Problems:
    if milestone.phase.campaign_id != campaign.pk:
        return {"phase": _("Unknown phase.")}
    if milestone.due_date and not (campaign.start_date <= milestone.due_date <= campaign.end_date):
        return {"due_date": _("Milestones fall inside the campaign's dates.")}
    return {}


def _checklist_problems(checklist: Any) -> Problems:
    if not isinstance(checklist, list) or any(
        not isinstance(item, dict)
        or not str(item.get("text", "")).strip()
        or not isinstance(item.get("done", False), bool)
        for item in checklist
    ):
        return {"checklist": _("A checklist is a list of items with text and done.")}
    return {}


def _task_checks(task: Task, campaign: Campaign) -> Problems:
    problems = _checklist_problems(task.checklist)
    if task.phase is not None and task.phase.campaign_id != campaign.pk:
        problems["phase"] = _("Unknown phase.")
    require_member(campaign.workspace, task.owner, "owner")
    return problems


def _competitor_checks(competitor: Competitor, campaign: Campaign) -> Problems:
    problems: Problems = {}
    if not isinstance(competitor.platforms, list) or any(
        p not in Platform.values for p in competitor.platforms
    ):
        problems["platforms"] = _("Platforms are a list of known platform codes.")
    validate_url = URLValidator(schemes=["http", "https"])
    try:
        if not isinstance(competitor.links, list):
            raise ValidationError("not a list")
        for link in competitor.links:
            validate_url(link)
    except ValidationError:
        problems["links"] = _("Links are a list of http(s) addresses.")
    return problems


def _risk_checks(risk: Risk, campaign: Campaign) -> Problems:
    require_member(campaign.workspace, risk.owner, "owner")
    return {}


@dataclass(frozen=True)
class ItemKind:
    model: type[models.Model]
    fields: tuple[str, ...]
    action: Action
    checks: Callable[[Any, Campaign], Problems] | None = None


KINDS: dict[str, ItemKind] = {
    "goal": ItemKind(
        Goal,
        ("goal_type", "metric", "baseline", "target", "scope", "scope_value", "deadline", "note"),
        Action.CAMPAIGN_EDIT,
        _goal_checks,
    ),
    "budget_line": ItemKind(
        BudgetLine,
        ("category", "description", "planned_fen", "vendor", "note"),
        Action.BUDGET_EDIT,
        _budget_checks,
    ),
    "phase": ItemKind(
        Phase,
        ("kind", "name", "start_date", "end_date", "owner"),
        Action.CAMPAIGN_EDIT,
        _phase_checks,
    ),
    "milestone": ItemKind(
        Milestone, ("phase", "name", "due_date", "done"), Action.CAMPAIGN_EDIT, _milestone_checks
    ),
    "task": ItemKind(
        Task,
        ("phase", "title", "owner", "role", "due_date", "status", "checklist"),
        Action.CAMPAIGN_EDIT,
        _task_checks,
    ),
    "competitor": ItemKind(
        Competitor,
        (
            "brand",
            "platforms",
            "content_strategy",
            "interaction_style",
            "audience",
            "share_position",
            "strengths",
            "weaknesses",
            "links",
        ),
        Action.CAMPAIGN_EDIT,
        _competitor_checks,
    ),
    "research_note": ItemKind(
        ResearchNote, ("kind", "title", "body", "source_url"), Action.CAMPAIGN_EDIT
    ),
    "risk": ItemKind(
        Risk,
        (
            "title",
            "category",
            "probability",
            "impact",
            "owner",
            "mitigation",
            "contingency",
            "status",
        ),
        Action.CAMPAIGN_EDIT,
        _risk_checks,
    ),
}


def _campaign_of(kind: str, item: models.Model) -> int:
    if kind == "milestone":
        assert isinstance(item, Milestone)
        return item.phase.campaign_id
    return int(item.campaign_id)  # type: ignore[attr-defined]


def _set_dependencies(task: Task, campaign: Campaign, depends_on: list[Task]) -> None:
    for dep in depends_on:
        if dep.campaign_id != campaign.pk:
            raise ValidationError(
                {"depends_on": _("Tasks can only depend on tasks of the same campaign.")}
            )
        if dep.pk == task.pk:
            raise ValidationError({"depends_on": _("A task cannot depend on itself.")})
    # Refuse cycles: walk from each new dependency and make sure we never reach this task.
    seen: set[int] = set()
    frontier = [dep.pk for dep in depends_on]
    while frontier:
        current = frontier.pop()
        if current == task.pk:
            raise ValidationError({"depends_on": _("These dependencies would make a loop.")})
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(
            Task.depends_on.through.objects.filter(from_task_id=current).values_list(
                "to_task_id", flat=True
            )
        )
    task.depends_on.set(depends_on)


@transaction.atomic
def save_item(
    *,
    actor: User,
    campaign: Campaign,
    kind: str,
    data: dict[str, Any],
    item: models.Model | None = None,
) -> models.Model:
    spec = KINDS[kind]
    require(actor, campaign.workspace, spec.action)
    require_editable(campaign)
    data = dict(data)
    depends_on = data.pop("depends_on", None) if kind == "task" else None
    creating = item is None
    if item is None:
        item = spec.model() if kind == "milestone" else spec.model(campaign=campaign)
    elif _campaign_of(kind, item) != campaign.pk:
        raise ValidationError(_("This item belongs to another campaign."))
    before = {} if creating else audit.snapshot(item, spec.fields)
    apply(item, data, set(spec.fields))
    problems = spec.checks(item, campaign) if spec.checks else {}
    exclude = ["campaign"] if kind != "milestone" else []
    try:
        item.full_clean(exclude=exclude)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems.setdefault(field, " ".join(messages))
    if problems:
        raise ValidationError({field: [message] for field, message in problems.items()})
    item.save()
    if depends_on is not None:
        assert isinstance(item, Task)
        _set_dependencies(item, campaign, list(depends_on))
    after = audit.snapshot(item, spec.fields)
    changes = audit.created(item, spec.fields) if creating else audit.diff(before, after)
    if changes:
        audit.record(
            actor=actor,
            workspace=campaign.workspace,
            action=f"{kind}.{'create' if creating else 'update'}",
            obj=item,
            changes=changes,
        )
    return item


@transaction.atomic
def delete_item(*, actor: User, campaign: Campaign, kind: str, item: models.Model) -> None:
    spec = KINDS[kind]
    require(actor, campaign.workspace, spec.action)
    require_editable(campaign)
    if _campaign_of(kind, item) != campaign.pk:
        raise ValidationError(_("This item belongs to another campaign."))
    audit.record(
        actor=actor,
        workspace=campaign.workspace,
        action=f"{kind}.delete",
        obj=item,
        changes=audit.deleted(item, spec.fields),
    )
    item.delete()


@transaction.atomic
def add_spend(
    *,
    actor: User,
    line: BudgetLine,
    spent_on: date,
    amount_fen: int,
    note: str = "",
    source: str = SpendSource.MANUAL,
    external_ref: str = "",
) -> BudgetSpend:
    """Record actual spend; an import row with the same reference is counted once."""
    campaign = line.campaign
    require(actor, campaign.workspace, Action.BUDGET_EDIT)
    require_editable(campaign)
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen == 0:
        raise ValidationError({"amount_fen": _("Enter a non-zero amount in fen.")})
    if external_ref:
        existing = BudgetSpend.objects.filter(line=line, external_ref=external_ref).first()
        if existing is not None:
            return existing
    spend = BudgetSpend(
        line=line,
        spent_on=spent_on,
        amount_fen=amount_fen,
        note=note,
        source=source,
        external_ref=external_ref,
        created_by=actor,
    )
    spend.full_clean(exclude=["line", "created_by"])
    spend.save()
    audit.record(
        actor=actor,
        workspace=campaign.workspace,
        action="budget_spend.create",
        obj=spend,
        changes=audit.created(spend, ("line", "spent_on", "amount_fen", "source", "note")),
    )
    return spend


@transaction.atomic
def record_measurement(
    *, actor: User, goal: Goal, measured_on: date, value: Decimal | str | int, source_note: str
) -> GoalMeasurement:
    """The actual value of a goal on a day (one per day; a new entry replaces it)."""
    campaign = goal.campaign
    role = role_of(actor, campaign.workspace)
    if not (allowed(role, Action.CAMPAIGN_EDIT) or allowed(role, Action.ANALYTICS_MANAGE)):
        raise PermissionDenied(_("Your role does not allow entering actuals."))
    errors: dict[str, str] = {}
    try:
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors["value"] = _("Enter a number.")
        number = Decimal(0)
    if not source_note.strip():
        errors["source_note"] = _("Say where the number comes from.")
    if measured_on < campaign.start_date or measured_on > timezone.localdate():
        errors["measured_on"] = _("The date must be between the campaign start and today.")
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    measurement, created = GoalMeasurement.objects.update_or_create(
        goal=goal,
        measured_on=measured_on,
        defaults={"value": number, "source_note": source_note.strip()[:200]},
    )
    audit.record(
        actor=actor,
        workspace=campaign.workspace,
        action="goal_measurement.create" if created else "goal_measurement.update",
        obj=measurement,
        changes={"value": (None, str(number)), "measured_on": (None, str(measured_on))},
    )
    return measurement


FEASIBILITY_FIELDS = (
    "market_demand",
    "market_demand_rationale",
    "user_acceptance",
    "user_acceptance_rationale",
    "cost",
    "cost_rationale",
    "risk",
    "risk_rationale",
)


@transaction.atomic
def save_feasibility(*, actor: User, campaign: Campaign, data: dict[str, Any]) -> Feasibility:
    require(actor, campaign.workspace, Action.CAMPAIGN_EDIT)
    require_editable(campaign)
    feasibility = Feasibility.objects.filter(campaign=campaign).first()
    creating = feasibility is None
    feasibility = feasibility or Feasibility(campaign=campaign)
    before = {} if creating else audit.snapshot(feasibility, FEASIBILITY_FIELDS)
    apply(feasibility, data, set(FEASIBILITY_FIELDS))
    feasibility.full_clean(exclude=["campaign"])
    feasibility.save()
    after = audit.snapshot(feasibility, FEASIBILITY_FIELDS)
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            actor=actor,
            workspace=campaign.workspace,
            action="feasibility.create" if creating else "feasibility.update",
            obj=feasibility,
            changes=changes,
        )
    return feasibility


@transaction.atomic
def update_my_task(
    *,
    actor: User,
    task: Task,
    status: str | None = None,
    checklist: list[dict[str, Any]] | None = None,
) -> Task:
    """Task owners move their own tasks along even when they cannot edit the plan."""
    campaign = task.campaign
    if task.owner_id != actor.pk:
        require(actor, campaign.workspace, Action.CAMPAIGN_EDIT)
    elif role_of(actor, campaign.workspace) is None:
        raise PermissionDenied(_("You are no longer a member of this workspace."))
    require_editable(campaign)
    task = Task.objects.select_for_update().get(pk=task.pk)
    before = audit.snapshot(task, ("status", "checklist"))
    if status is not None:
        if status not in TaskStatus.values:
            raise ValidationError({"status": _("Unknown status.")})
        if status == TaskStatus.DONE and task.depends_on.exclude(status=TaskStatus.DONE).exists():
            raise ValidationError({"status": _("Finish the tasks this one depends on first.")})
        task.status = status
    if checklist is not None:
        problems = _checklist_problems(checklist)
        if problems:
            raise ValidationError(problems)
        task.checklist = checklist
    task.save(update_fields=["status", "checklist"])
    changes = audit.diff(before, audit.snapshot(task, ("status", "checklist")))
    if changes:
        audit.record(
            actor=actor,
            workspace=campaign.workspace,
            action="task.update",
            obj=task,
            changes=changes,
        )
    return task
