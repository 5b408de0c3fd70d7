"""Promo code pages: list, create, edit, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.money import format_fen
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.tracking import queries
from fanloop.tracking.forms import CodeFilterForm, CodeForm
from fanloop.tracking.models import PromoCode
from fanloop.tracking.services import codes as code_service
from fanloop.tracking.views.links import NAV, can_manage


@workspace_local_view(Action.ANALYTICS_VIEW)
def code_list(request: WorkspaceRequest) -> HttpResponse:
    form = CodeFilterForm(request.GET or None, workspace=request.workspace)
    filters = form.cleaned_data if form.is_valid() else {}
    campaign = filters.get("campaign")
    found = queries.codes(
        request.workspace,
        campaign=campaign.pk if campaign else None,
        kind=filters.get("kind", ""),
        search=filters.get("q", ""),
    )
    page = Paginator(found, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.cost_display = format_fen(row.cost_per_use_fen)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "tracking/codes/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_manage": can_manage(request),
            "nav": NAV,
        },
    )


def _form_page(
    request: WorkspaceRequest, form: CodeForm, promo: PromoCode | None, status: int
) -> HttpResponse:
    return render_page(
        request,
        "tracking/codes/form.html",
        {"form": form, "promo": promo, "nav": NAV},
        status=status,
    )


@workspace_local_view(Action.TRACKING_MANAGE)
def code_new(request: WorkspaceRequest) -> HttpResponse:
    form = CodeForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            code_service.create_code(
                actor=acting_user(request), workspace=request.workspace, data=form.service_data()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Code added."))
            return redirect("tracking_codes", request.workspace.slug)
    return _form_page(request, form, None, 400 if form.errors else 200)


@workspace_local_view(Action.TRACKING_MANAGE)
def code_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    promo = queries.code(request.workspace, pk)
    form = CodeForm(request.POST or None, workspace=request.workspace, promo=promo)
    if request.method == "POST" and form.is_valid():
        try:
            code_service.update_code(
                actor=acting_user(request), promo=promo, data=form.service_data()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Code saved."))
            return redirect("tracking_codes", request.workspace.slug)
    return _form_page(request, form, promo, 400 if form.errors else 200)


@require_POST
@workspace_local_view(Action.TRACKING_MANAGE)
def code_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    promo = queries.code(request.workspace, pk)
    try:
        code_service.delete_code(actor=acting_user(request), promo=promo)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("tracking_code_edit", request.workspace.slug, promo.pk)
    messages.success(request, _("Deleted the code %(code)s.") % {"code": promo.code})
    return redirect("tracking_codes", request.workspace.slug)
