"""Read helpers for campaigns, shared by views, API, CLI and export; workspace-scoped."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from fanloop.campaigns import pacing
from fanloop.campaigns.models import (
    BudgetLine,
    BudgetSpend,
    Campaign,
    Document,
    Goal,
    ImprovementItem,
    ImprovementStatus,
    Task,
    TaskStatus,
)
from fanloop.core.models import User, Workspace


def campaigns(
    workspace: Workspace,
    *,
    state: str = "",
    owner: int | None = None,
    active_on: date | None = None,
    text: str = "",
) -> QuerySet[Campaign]:
    found = Campaign.objects.filter(workspace=workspace).select_related("owner")
    if state:
        found = found.filter(state=state)
    if owner:
        found = found.filter(owner_id=owner)
    if active_on:
        found = found.filter(start_date__lte=active_on, end_date__gte=active_on)
    if text:
        found = found.filter(Q(name__icontains=text) | Q(theme__icontains=text))
    return found


def campaign(workspace: Workspace, pk: int) -> Campaign:
    found = Campaign.objects.filter(workspace=workspace, pk=pk).select_related("owner").first()
    if found is None:
        raise Http404("No such campaign")
    return found


def item(campaign: Campaign, model: type[Any], pk: int) -> Any:
    """A child object of the campaign (goal, line, phase, task, ...), else 404."""
    if model.__name__ == "Milestone":
        found = model.objects.filter(phase__campaign=campaign, pk=pk).first()
    else:
        found = model.objects.filter(campaign=campaign, pk=pk).first()
    if found is None:
        raise Http404("No such item")
    return found


# Budget -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetRow:
    line: BudgetLine
    actual_fen: int

    @property
    def variance_fen(self) -> int:
        return self.line.planned_fen - self.actual_fen


@dataclass(frozen=True)
class BudgetSummary:
    rows: list[BudgetRow]
    planned_fen: int
    actual_fen: int
    by_category: dict[str, tuple[int, int]]  # category -> (planned, actual)

    @property
    def variance_fen(self) -> int:
        return self.planned_fen - self.actual_fen

    @property
    def used_share(self) -> float | None:
        return self.actual_fen / self.planned_fen if self.planned_fen else None


def budget(campaign: Campaign) -> BudgetSummary:
    lines = list(
        campaign.budget_lines.annotate(actual=Sum("spends__amount_fen")).order_by("category", "id")
    )
    rows = [BudgetRow(line, int(line.actual or 0)) for line in lines]
    by_category: dict[str, tuple[int, int]] = {}
    for row in rows:
        planned, actual = by_category.get(row.line.category, (0, 0))
        by_category[row.line.category] = (planned + row.line.planned_fen, actual + row.actual_fen)
    return BudgetSummary(
        rows=rows,
        planned_fen=sum(row.line.planned_fen for row in rows),
        actual_fen=sum(row.actual_fen for row in rows),
        by_category=by_category,
    )


def burn(campaign: Campaign) -> dict[str, list[Any]]:
    """Cumulative actual spend per day against a straight-line plan over the campaign."""
    total_planned = campaign.budget_lines.aggregate(n=Sum("planned_fen"))["n"] or 0
    per_day: dict[date, int] = defaultdict(int)
    for spent_on, amount in BudgetSpend.objects.filter(line__campaign=campaign).values_list(
        "spent_on", "amount_fen"
    ):
        per_day[spent_on] += amount
    start, end = campaign.start_date, campaign.end_date
    days = (end - start).days + 1
    today = timezone.localdate()
    labels, planned, actual = [], [], []
    running = sum(amount for day, amount in per_day.items() if day < start)
    for offset in range(days):
        day = start + timedelta(days=offset)
        running += per_day.get(day, 0)
        labels.append(day.isoformat())
        planned.append(round(total_planned * (offset + 1) / days))
        actual.append(running if day <= today else None)
    return {"days": labels, "planned_fen": planned, "actual_fen": actual}


# Goals ------------------------------------------------------------------------------------


def goals_with_pacing(
    campaign: Campaign, today: date | None = None
) -> list[tuple[Goal, pacing.Pacing]]:
    today = today or timezone.localdate()
    goals = campaign.goals.select_related("campaign__workspace")
    return [(goal, pacing.goal_pacing(goal, today)) for goal in goals]


def off_pace_goals(
    workspace: Workspace, today: date | None = None
) -> list[tuple[Goal, pacing.Pacing]]:
    today = today or timezone.localdate()
    flagged = []
    for live in Campaign.objects.filter(workspace=workspace, state__in=["launching", "live"]):
        for goal, pace in goals_with_pacing(live, today):
            if pace.on_pace is False:
                flagged.append((goal, pace))
    return flagged


# Tasks ------------------------------------------------------------------------------------


def my_tasks(user: User, *, include_done: bool = False) -> QuerySet[Task]:
    """The user's tasks across every campaign of every workspace they belong to."""
    tasks = Task.objects.filter(
        owner=user, campaign__workspace__memberships__user=user
    ).select_related("campaign", "campaign__workspace", "phase")
    if not include_done:
        tasks = tasks.exclude(status=TaskStatus.DONE)
    return tasks.order_by("due_date", "id")


def tasks(campaign: Campaign) -> QuerySet[Task]:
    return campaign.tasks.select_related("owner", "phase").prefetch_related(
        Prefetch("depends_on", queryset=Task.objects.only("id", "title", "status"))
    )


def timeline(campaign: Campaign) -> dict[str, Any]:
    """Rows for the Gantt-style chart: phases, their milestones, and dated tasks."""
    rows: list[dict[str, Any]] = []
    for phase in campaign.phases.prefetch_related("milestones").select_related("owner"):
        rows.append(
            {
                "kind": "phase",
                "name": phase.name,
                "start": phase.start_date.isoformat(),
                "end": phase.end_date.isoformat(),
                "owner": str(phase.owner) if phase.owner else "",
            }
        )
        for milestone in phase.milestones.all():
            rows.append(
                {
                    "kind": "milestone",
                    "name": milestone.name,
                    "start": milestone.due_date.isoformat(),
                    "end": milestone.due_date.isoformat(),
                    "done": milestone.done,
                }
            )
    today = timezone.localdate()
    for task in campaign.tasks.exclude(due_date=None).select_related("phase"):
        assert task.due_date is not None
        start = task.phase.start_date if task.phase else campaign.start_date
        rows.append(
            {
                "kind": "task",
                "name": task.title,
                "start": min(start, task.due_date).isoformat(),
                "end": task.due_date.isoformat(),
                "status": task.status,
                "overdue": task.is_overdue(today),
            }
        )
    return {
        "start": campaign.start_date.isoformat(),
        "end": campaign.end_date.isoformat(),
        "today": today.isoformat(),
        "rows": rows,
    }


# Closed loop ------------------------------------------------------------------------------


def open_improvements(
    workspace: Workspace, exclude: Campaign | None = None
) -> QuerySet[ImprovementItem]:
    """Improvement items from earlier retrospectives waiting for a campaign to adopt them."""
    found = ImprovementItem.objects.filter(
        retrospective__campaign__workspace=workspace,
        status=ImprovementStatus.OPEN,
        apply_to_next=True,
    ).select_related("retrospective__campaign", "owner")
    if exclude is not None:
        found = found.exclude(retrospective__campaign=exclude)
    return found


def documents(
    workspace: Workspace,
    *,
    campaign: Campaign | None = None,
    text: str = "",
    tag: str = "",
    doc_type: str = "",
) -> QuerySet[Document]:
    found = Document.objects.filter(workspace=workspace).select_related("campaign")
    if campaign is not None:
        found = found.filter(campaign=campaign)
    if doc_type:
        found = found.filter(doc_type=doc_type)
    if text:
        found = found.filter(title__icontains=text)
    if tag:
        # JSON containment is not portable to SQLite; tags are few, so filter in Python.
        ids = [pk for pk, tags in found.values_list("id", "tags") if tag in tags]
        found = found.filter(pk__in=ids)
    return found.prefetch_related("versions")
