"""Cost pages: the list with totals, a form to add a cost, a file import, and deleting.
Everyone reads; admins and marketing (budget editors) write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.channels.imports.reader import FileProblem
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.money import format_fen
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.tracking.forms_orders import CostFilterForm, CostForm, CostImportForm
from fanloop.tracking.models import CostEntry
from fanloop.tracking.services import costs as cost_service

PAGE_SIZE = 50


def _filtered(request: WorkspaceRequest, form: CostFilterForm) -> QuerySet[CostEntry]:
    found = CostEntry.objects.filter(workspace=request.workspace).select_related(
        "campaign", "partner"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data.get("campaign"):
            found = found.filter(campaign=data["campaign"])
        if data.get("category"):
            found = found.filter(category=data["category"])
        if data.get("since"):
            found = found.filter(day__gte=data["since"])
        if data.get("until"):
            found = found.filter(day__lte=data["until"])
    return found


def _page(
    request: WorkspaceRequest,
    *,
    form: CostForm | None = None,
    import_form: CostImportForm | None = None,
    import_result: Any = None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    filters = CostFilterForm(request.GET or None, workspace=workspace)
    found = _filtered(request, filters)
    total = found.aggregate(total=Sum("amount_fen"))["total"] or 0
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.amount_display = format_fen(entry.amount_fen)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "tracking/costs_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "total": format_fen(total),
            "can_edit": allowed(request.role, Action.BUDGET_EDIT),
            "form": form or CostForm(workspace=workspace),
            "import_form": import_form or CostImportForm(),
            "import_result": import_result,
        },
        status=status,
    )


@workspace_local_view(Action.ANALYTICS_VIEW)
def cost_list(request: WorkspaceRequest) -> HttpResponse:
    return _page(request)


@require_POST
@workspace_local_view(Action.BUDGET_EDIT)
def cost_new(request: WorkspaceRequest) -> HttpResponseBase:
    form = CostForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        data = form.cleaned_data
        try:
            cost_service.create_cost(
                actor=acting_user(request),
                workspace=request.workspace,
                day=data["day"],
                category=data["category"],
                amount_fen=data["amount"],
                campaign=data.get("campaign"),
                platform=data.get("platform") or "",
                partner=data.get("partner"),
                note=data.get("note") or "",
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Cost added."))
            return redirect("tracking_costs", request.workspace.slug)
    return _page(request, form=form, status=400)


@require_POST
@workspace_local_view(Action.BUDGET_EDIT)
def cost_delete(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    entry = get_object_or_404(CostEntry, workspace=request.workspace, pk=pk)
    try:
        cost_service.delete_cost(actor=acting_user(request), entry=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Cost deleted."))
    return redirect("tracking_costs", request.workspace.slug)


@require_POST
@workspace_local_view(Action.BUDGET_EDIT)
def cost_import(request: WorkspaceRequest) -> HttpResponseBase:
    form = CostImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = cost_service.import_costs(
                actor=acting_user(request),
                workspace=request.workspace,
                data=upload.read(),
                file_name=upload.name or "costs.csv",
            )
        except FileProblem as problem:
            form.add_error("file", str(problem))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return _page(request, import_result=result)
    return _page(request, import_form=form, status=400)


@require_POST
@workspace_local_view(Action.BUDGET_EDIT)
def cost_sync_budget(request: WorkspaceRequest) -> HttpResponseBase:
    counts = cost_service.sync_budget_costs(request.workspace)
    messages.success(
        request,
        _("Budget actuals mirrored: %(created)d new, %(updated)d changed, %(deleted)d removed.")
        % counts,
    )
    return redirect("tracking_costs", request.workspace.slug)
