"""Creating, editing and moving campaigns through their lifecycle."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fanloop.campaigns import workflow
from fanloop.campaigns.models import (
    BudgetLine,
    Campaign,
    CampaignState,
    Goal,
    ImprovementItem,
    Milestone,
    Phase,
    StateChange,
    Task,
    TaskStatus,
)
from fanloop.campaigns.services.common import require, require_editable
from fanloop.campaigns.services.retro import adopt_improvements
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform
from fanloop.core.writes import apply, require_member

AGE_BANDS = ["<18", "18-24", "25-30", "31-35", "36-40", "41-50", "50+"]
CAMPAIGN_FIELDS = (
    "name",
    "owner",
    "start_date",
    "end_date",
    "theme",
    "key_message",
    "visual_notes",
    "background",
    "audience_age_bands",
    "audience_gender",
    "audience_regions",
    "audience_interests",
    "audience_habits",
    "platforms",
    "products",
)
AUDITED_FIELDS = (*CAMPAIGN_FIELDS, "state")


def _validate(campaign: Campaign) -> None:
    errors: dict[str, list[str]] = {}
    if not campaign.name or not campaign.name.strip():
        errors["name"] = [_("Give the campaign a name.")]
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        errors["end_date"] = [_("The campaign must end on or after its start date.")]
    bands = campaign.audience_age_bands
    if not isinstance(bands, list) or any(band not in AGE_BANDS for band in bands):
        errors["audience_age_bands"] = [
            _("Age bands are a list of: %(bands)s.") % {"bands": ", ".join(AGE_BANDS)}
        ]
    platforms = campaign.platforms
    if not isinstance(platforms, list) or any(
        not isinstance(row, dict)
        or row.get("platform") not in Platform.values
        or not isinstance(row.get("role", ""), str)
        for row in platforms
    ):
        errors["platforms"] = [_("Each platform needs a known platform code and its role.")]
    products = campaign.products
    if not isinstance(products, list) or any(
        not isinstance(p, str) or not p.strip() for p in products
    ):
        errors["products"] = [_("Products are a list of names.")]
    if errors:
        raise ValidationError(errors)
    try:
        campaign.full_clean(exclude=["workspace", "source_campaign", "created_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _shift(day: date, delta: timedelta, campaign: Campaign) -> date:
    return min(max(day + delta, campaign.start_date), campaign.end_date)


def _copy_plan(source: Campaign, campaign: Campaign) -> None:
    """Copy goals, budget structure, phases and task templates, moved to the new dates."""
    delta = campaign.start_date - source.start_date
    for goal in source.goals.all():
        Goal.objects.create(
            campaign=campaign,
            goal_type=goal.goal_type,
            metric=goal.metric,
            baseline=goal.baseline,
            target=goal.target,
            scope=goal.scope,
            scope_value=goal.scope_value,
            deadline=_shift(goal.deadline, delta, campaign),
            note=goal.note,
        )
    for line in source.budget_lines.all():
        BudgetLine.objects.create(
            campaign=campaign,
            category=line.category,
            description=line.description,
            planned_fen=line.planned_fen,
            currency=line.currency,
            vendor=line.vendor,
            note=line.note,
        )
    phase_map: dict[int, Phase] = {}
    for phase in source.phases.all():
        start = _shift(phase.start_date, delta, campaign)
        end = _shift(phase.end_date, delta, campaign)
        phase_map[phase.pk] = Phase.objects.create(
            campaign=campaign,
            kind=phase.kind,
            name=phase.name,
            start_date=start,
            end_date=end,
            owner=phase.owner,
        )
        for milestone in phase.milestones.all():
            Milestone.objects.create(
                phase=phase_map[phase.pk],
                name=milestone.name,
                due_date=_shift(milestone.due_date, delta, campaign),
            )
    task_map: dict[int, Task] = {}
    for task in source.tasks.all():
        task_map[task.pk] = Task.objects.create(
            campaign=campaign,
            phase=phase_map.get(task.phase_id or 0),
            title=task.title,
            owner=task.owner,
            role=task.role,
            due_date=_shift(task.due_date, delta, campaign) if task.due_date else None,
            status=TaskStatus.TODO,
            checklist=[{"text": item.get("text", ""), "done": False} for item in task.checklist],
        )
    for task in source.tasks.prefetch_related("depends_on"):
        task_map[task.pk].depends_on.set(
            [task_map[dep.pk] for dep in task.depends_on.all() if dep.pk in task_map]
        )


@transaction.atomic
def create_campaign(
    *,
    actor: User,
    workspace: Workspace,
    data: dict[str, Any],
    source: Campaign | None = None,
    adopt: list[ImprovementItem] | None = None,
) -> Campaign:
    require(actor, workspace, Action.CAMPAIGN_EDIT)
    if source is not None and source.workspace_id != workspace.pk:
        raise ValidationError({"source_campaign": _("Unknown campaign.")})
    campaign = Campaign(workspace=workspace, created_by=actor, source_campaign=source)
    apply(campaign, data, set(CAMPAIGN_FIELDS))
    require_member(workspace, campaign.owner, "owner")
    _validate(campaign)
    campaign.save()
    StateChange.objects.create(
        campaign=campaign, from_state="", to_state=campaign.state, actor=actor, note=_("Created")
    )
    audit.record(
        actor=actor,
        workspace=workspace,
        action="campaign.create",
        obj=campaign,
        changes=audit.created(campaign, AUDITED_FIELDS),
    )
    if source is not None:
        _copy_plan(source, campaign)
        audit.record(
            actor=actor,
            workspace=workspace,
            action="campaign.copy_plan",
            obj=campaign,
            changes={"source_campaign": (None, str(source))},
        )
    if adopt:
        adopt_improvements(actor=actor, campaign=campaign, items=adopt)
    return campaign


@transaction.atomic
def update_campaign(*, actor: User, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    require(actor, campaign.workspace, Action.CAMPAIGN_EDIT)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    require_editable(campaign)
    before = audit.snapshot(campaign, AUDITED_FIELDS)
    apply(campaign, data, set(CAMPAIGN_FIELDS))
    require_member(campaign.workspace, campaign.owner, "owner")
    _validate(campaign)
    if "start_date" in data or "end_date" in data:
        outside = campaign.goals.exclude(
            deadline__gte=campaign.start_date, deadline__lte=campaign.end_date
        )
        if outside.exists():
            raise ValidationError(
                {
                    "end_date": _(
                        "%(n)d goal deadlines would fall outside the new dates; move them first."
                    )
                    % {"n": outside.count()}
                }
            )
    campaign.save()
    changes = audit.diff(before, audit.snapshot(campaign, AUDITED_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            workspace=campaign.workspace,
            action="campaign.update",
            obj=campaign,
            changes=changes,
        )
    return campaign


@transaction.atomic
def transition(*, actor: User, campaign: Campaign, name: str, note: str = "") -> Campaign:
    require(actor, campaign.workspace, Action.CAMPAIGN_EDIT)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    step = workflow.BY_NAME.get(name)
    if step is None:
        raise ValidationError({"transition": _("Unknown transition %(name)s.") % {"name": name}})
    if campaign.state not in step.sources:
        raise ValidationError(
            {
                "transition": _("A %(state)s campaign cannot do “%(step)s”.")
                % {"state": campaign.get_state_display(), "step": step.label}
            }
        )
    if step.needs_note and not note.strip():
        raise ValidationError({"note": _("Say why.")})
    problems = step.problems(campaign)
    if problems:
        raise ValidationError({"transition": problems})
    before = campaign.state
    campaign.state = step.target
    campaign.save(update_fields=["state", "updated_at"])
    StateChange.objects.create(
        campaign=campaign,
        from_state=before,
        to_state=campaign.state,
        actor=actor,
        note=note.strip()[:300],
    )
    audit.record(
        actor=actor,
        workspace=campaign.workspace,
        action=f"campaign.{name}",
        obj=campaign,
        changes={"state": (before, campaign.state)},
    )
    return campaign


def is_final(campaign: Campaign) -> bool:
    return campaign.state in {CampaignState.CLOSED, CampaignState.CANCELLED}
