"""Partner pages: list, create, edit, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.tracking import queries
from fanloop.tracking.forms import PartnerFilterForm, PartnerForm
from fanloop.tracking.models import Partner
from fanloop.tracking.services import partners as partner_service
from fanloop.tracking.views.links import NAV, can_manage


@workspace_local_view(Action.ANALYTICS_VIEW)
def partner_list(request: WorkspaceRequest) -> HttpResponse:
    form = PartnerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = queries.partners(
        request.workspace, kind=filters.get("kind", ""), search=filters.get("q", "")
    )
    page = Paginator(found, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "tracking/partners/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": can_manage(request),
            "nav": NAV,
        },
    )


def _form_page(
    request: WorkspaceRequest, form: PartnerForm, partner: Partner | None, status: int
) -> HttpResponse:
    return render_page(
        request,
        "tracking/partners/form.html",
        {"form": form, "partner": partner, "nav": NAV},
        status=status,
    )


@workspace_local_view(Action.TRACKING_MANAGE)
def partner_new(request: WorkspaceRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner_service.create_partner(
                actor=acting_user(request), workspace=request.workspace, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Partner added."))
            return redirect("tracking_partners", request.workspace.slug)
    return _form_page(request, form, None, 400 if form.errors else 200)


@workspace_local_view(Action.TRACKING_MANAGE)
def partner_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    partner = queries.partner(request.workspace, pk)
    form = PartnerForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            partner_service.update_partner(
                actor=acting_user(request), partner=partner, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Partner saved."))
            return redirect("tracking_partners", request.workspace.slug)
    return _form_page(request, form, partner, 400 if form.errors else 200)


@require_POST
@workspace_local_view(Action.TRACKING_MANAGE)
def partner_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    partner = queries.partner(request.workspace, pk)
    try:
        partner_service.delete_partner(actor=acting_user(request), partner=partner)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("tracking_partner_edit", request.workspace.slug, partner.pk)
    messages.success(request, _("Deleted the partner %(name)s.") % {"name": partner.name})
    return redirect("tracking_partners", request.workspace.slug)
