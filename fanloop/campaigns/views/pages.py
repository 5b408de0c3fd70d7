import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.campaigns import queries, services, workflow
from fanloop.campaigns.forms import (
    CampaignFilterForm,
    CampaignForm,
    DocumentForm,
    FeasibilityForm,
    ItemForm,
    MeasurementForm,
    NewCampaignForm,
    RetrospectiveForm,
    SpendForm,
    TransitionForm,
)
from fanloop.campaigns.models import (
    BudgetLine,
    Campaign,
    CampaignState,
    Feasibility,
    Goal,
    Retrospective,
    TaskStatus,
)
from fanloop.campaigns.services.retro import RETRO_STATES
from fanloop.campaigns.views.common import TABS, back_to, campaign_view, form_errors_text, report
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.models import AuditEntry, User
from fanloop.core.money import format_fen
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, workspace_view


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@workspace_view(Action.CAMPAIGN_VIEW)
def campaign_list(request: WorkspaceRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET or None, workspace=request.workspace)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "state": data["state"],
            "owner": data["owner"].pk if data["owner"] else None,
            "active_on": data["active_on"],
            "text": data["text"],
        }
    found = queries.campaigns(request.workspace, **filters)
    board = request.GET.get("view") == "board"
    columns = (
        [
            (state, label, [c for c in found if c.state == state])
            for state, label in CampaignState.choices
        ]
        if board
        else []
    )
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "campaigns/list.html",
        {
            "form": form,
            "page": page,
            "board": board,
            "columns": columns,
            "query": query.urlencode(),
            "nav": "campaigns",
        },
    )


@workspace_view(Action.CAMPAIGN_EDIT)
def campaign_new(request: WorkspaceRequest) -> HttpResponse:
    improvements = queries.open_improvements(request.workspace)
    form = NewCampaignForm(
        request.POST or None, workspace=request.workspace, improvements=improvements
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        source = data.pop("source_campaign", None)
        adopt_ids = {int(pk) for pk in data.pop("adopt", [])}
        try:
            campaign = services.create_campaign(
                actor=_user(request),
                workspace=request.workspace,
                data=data,
                source=source,
                adopt=[item for item in improvements if item.pk in adopt_ids],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Campaign created."))
            return back_to(campaign, "overview")
    return render_page(
        request,
        "campaigns/edit.html",
        {"form": form, "creating": True, "nav": "campaigns"},
        status=400 if form.errors else 200,
    )


@campaign_view(Action.CAMPAIGN_EDIT)
def campaign_edit(request: WorkspaceRequest, campaign: Campaign) -> HttpResponse:
    form = CampaignForm(request.POST or None, workspace=request.workspace, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(
                actor=_user(request), campaign=campaign, data=form.service_data()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return back_to(campaign, "overview")
    return render_page(
        request,
        "campaigns/edit.html",
        {"form": form, "campaign": campaign, "creating": False, "nav": "campaigns"},
        status=400 if form.errors else 200,
    )


def _chart(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def tab_context(request: WorkspaceRequest, campaign: Campaign, tab: str) -> dict[str, Any]:
    role = request.role
    context: dict[str, Any] = {
        "campaign": campaign,
        "tab": tab,
        "tabs": TABS,
        "nav": "campaigns",
        "today": timezone.localdate(),
        "can_edit": allowed(role, Action.CAMPAIGN_EDIT),
        "can_budget": allowed(role, Action.BUDGET_EDIT),
        "can_measure": allowed(role, Action.CAMPAIGN_EDIT)
        or allowed(role, Action.ANALYTICS_MANAGE),
    }
    if tab == "overview":
        context["transitions"] = workflow.available(campaign)
        context["transition_form"] = TransitionForm()
        context["goals"] = queries.goals_with_pacing(campaign)
        summary = queries.budget(campaign)
        context["budget_total"] = {
            "planned": format_fen(summary.planned_fen),
            "actual": format_fen(summary.actual_fen),
        }
        context["adopted"] = campaign.adopted_improvements.select_related("retrospective__campaign")
    elif tab == "goals":
        context["goals"] = queries.goals_with_pacing(campaign)
        context["add_form"] = ItemForm("goal", campaign)
        context["measurement_form"] = MeasurementForm(initial={"measured_on": context["today"]})
    elif tab == "budget":
        summary = queries.budget(campaign)
        context["budget"] = summary
        context["add_form"] = ItemForm("budget_line", campaign)
        context["spend_form"] = SpendForm(initial={"spent_on": context["today"]})
        context["burn_json"] = _chart(queries.burn(campaign))
        context["rows"] = [
            {
                "line": row.line,
                "planned": format_fen(row.line.planned_fen),
                "actual": format_fen(row.actual_fen),
                "variance": format_fen(row.variance_fen),
                "variance_fen": row.variance_fen,
            }
            for row in summary.rows
        ]
        context["total"] = {
            "planned": format_fen(summary.planned_fen),
            "actual": format_fen(summary.actual_fen),
            "variance": format_fen(summary.variance_fen),
        }
    elif tab == "timeline":
        context["timeline_json"] = _chart(queries.timeline(campaign))
        context["phases"] = campaign.phases.select_related("owner").prefetch_related("milestones")
        context["tasks"] = queries.tasks(campaign)
        context["phase_form"] = ItemForm("phase", campaign)
        context["milestone_form"] = ItemForm("milestone", campaign)
        context["task_form"] = ItemForm("task", campaign)
    elif tab == "research":
        context["competitors"] = campaign.competitors.all()
        context["notes"] = campaign.research_notes.all()
        context["competitor_form"] = ItemForm("competitor", campaign)
        context["note_form"] = ItemForm("research_note", campaign)
        feasibility = Feasibility.objects.filter(campaign=campaign).first()
        context["feasibility"] = feasibility
        context["feasibility_form"] = FeasibilityForm(instance=feasibility)
        if feasibility is not None:
            context["feasibility_rows"] = [
                (
                    getattr(Feasibility._meta.get_field(name), "verbose_name", name),
                    getattr(feasibility, name),
                    getattr(feasibility, f"{name}_rationale"),
                )
                for name in ("market_demand", "user_acceptance", "cost", "risk")
            ]
    elif tab == "risks":
        risks = list(campaign.risks.select_related("owner"))
        context["risks"] = risks
        context["risk_form"] = ItemForm("risk", campaign)
        cells: dict[tuple[int, int], int] = {}
        for risk in risks:
            key = (risk.probability, risk.impact)
            cells[key] = cells.get(key, 0) + 1
        context["heat_json"] = _chart({"cells": [[i - 1, p - 1, n] for (p, i), n in cells.items()]})
    elif tab == "documents":
        context["documents"] = queries.documents(request.workspace, campaign=campaign)
        context["document_form"] = DocumentForm()
    elif tab == "retrospective":
        retro = Retrospective.objects.filter(campaign=campaign).first()
        context["retro"] = retro
        context["retro_form"] = RetrospectiveForm(
            workspace=request.workspace,
            initial={
                "highlights": retro.highlights if retro else "",
                "shortfalls": retro.shortfalls if retro else "",
                "lessons": retro.lessons if retro else "",
                "apply_to_next": True,
            },
        )
        context["improvements"] = (
            retro.improvements.select_related("owner", "adopted_by") if retro else []
        )
        context["goals"] = queries.goals_with_pacing(campaign)
        context["retro_allowed"] = campaign.state in RETRO_STATES
    elif tab == "history":
        context["changes"] = campaign.state_changes.select_related("actor")
        context["entries"] = AuditEntry.objects.filter(
            workspace=campaign.workspace,
            object_type="campaigns.campaign",
            object_id=str(campaign.pk),
        ).select_related("actor")[:100]
    return context


@campaign_view()
def campaign_tab(
    request: WorkspaceRequest, campaign: Campaign, tab: str = "overview"
) -> HttpResponse:
    if tab not in TABS:
        raise Http404("No such tab")
    return render_page(request, f"campaigns/tab_{tab}.html", tab_context(request, campaign, tab))


@require_POST
@campaign_view(Action.CAMPAIGN_EDIT)
def campaign_transition(request: WorkspaceRequest, campaign: Campaign, name: str) -> HttpResponse:
    form = TransitionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.transition(actor=_user(request), campaign=campaign, name=name, note=note)
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Campaign moved on."))
    return back_to(campaign, "overview")


@require_POST
@campaign_view(Action.CAMPAIGN_VIEW)
def measurement_add(request: WorkspaceRequest, campaign: Campaign, goal_pk: int) -> HttpResponse:
    goal = queries.item(campaign, Goal, goal_pk)
    form = MeasurementForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return back_to(campaign, "goals")
    try:
        services.record_measurement(actor=_user(request), goal=goal, **form.cleaned_data)
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Actual recorded."))
    return back_to(campaign, "goals")


@require_POST
@campaign_view(Action.BUDGET_EDIT)
def spend_add(request: WorkspaceRequest, campaign: Campaign, line_pk: int) -> HttpResponse:
    line = queries.item(campaign, BudgetLine, line_pk)
    form = SpendForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return back_to(campaign, "budget")
    try:
        services.add_spend(
            actor=_user(request),
            line=line,
            spent_on=form.cleaned_data["spent_on"],
            amount_fen=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Spend recorded."))
    return back_to(campaign, "budget")


@require_POST
@campaign_view(Action.CAMPAIGN_EDIT)
def feasibility_save(request: WorkspaceRequest, campaign: Campaign) -> HttpResponse:
    form = FeasibilityForm(request.POST)
    if form.is_valid():
        try:
            services.save_feasibility(
                actor=_user(request), campaign=campaign, data=form.cleaned_data
            )
        except ValidationError as exc:
            report(request, exc)
        else:
            messages.success(request, _("Feasibility saved."))
    else:
        messages.error(request, _("Score each item from 1 to 5."))
    return back_to(campaign, "research")


@require_POST
@campaign_view(Action.CAMPAIGN_EDIT)
def retrospective_save(request: WorkspaceRequest, campaign: Campaign) -> HttpResponse:
    form = RetrospectiveForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        messages.error(request, _("Check the retrospective form."))
        return back_to(campaign, "retrospective")
    data = form.cleaned_data
    improvements = []
    if data["new_improvement"].strip():
        improvements.append(
            {
                "text": data["new_improvement"],
                "owner": data["improvement_owner"],
                "apply_to_next": data["apply_to_next"],
            }
        )
    try:
        services.save_retrospective(
            actor=_user(request),
            campaign=campaign,
            improvements=improvements,
            data={k: data[k] for k in ("highlights", "shortfalls", "lessons")},
        )
        if "complete" in request.POST:
            services.complete_retrospective(actor=_user(request), campaign=campaign)
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Retrospective saved."))
    return back_to(campaign, "retrospective")


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    include_done = request.GET.get("done") == "1"
    tasks = queries.my_tasks(_user(request), include_done=include_done)
    return render_page(
        request,
        "campaigns/my_tasks.html",
        {
            "tasks": tasks,
            "include_done": include_done,
            "today": timezone.localdate(),
            "statuses": TaskStatus.choices,
            "nav": "tasks",
        },
    )


@require_POST
@login_required
def task_status(request: HttpRequest, pk: int) -> HttpResponse:
    task = queries.my_tasks(_user(request), include_done=True).filter(pk=pk).first()
    if task is None:
        raise Http404("No such task")
    try:
        services.update_my_task(actor=_user(request), task=task, status=request.POST.get("status"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Task updated."))
    return redirect("my_tasks")
