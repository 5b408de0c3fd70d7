"""The group list, a group's tabs, and creating, editing and deleting groups."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.community import metrics, queries
from fanloop.community.forms import (
    EventForm,
    GroupFilterForm,
    GroupForm,
    ImportForm,
    MemberFilterForm,
)
from fanloop.community.models import FanGroup, FlagStatus, MemberRole
from fanloop.community.services import groups as group_service
from fanloop.community.services import sync
from fanloop.community.services.common import workspace_today
from fanloop.community.views.common import (
    NAV,
    TABS,
    back_to,
    can_manage,
    chart_json,
    group_view,
)
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view

PAGE_SIZE = 25
MEMBERS_PAGE = 50
SPANS = (30, 60, 90)


@workspace_local_view(Action.WORKSPACE_VIEW)
def group_list(request: WorkspaceRequest) -> HttpResponse:
    form = GroupFilterForm(request.GET or None, workspace=request.workspace)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "platform": data["platform"],
            "group_type": data["group_type"],
            "owner": data["owner"].pk if data["owner"] else None,
            "campaign": data["campaign"].pk if data["campaign"] else None,
            "text": data["text"],
        }
    found = queries.groups(request.workspace, **filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = queries.summaries(request.workspace, page.object_list)  # type: ignore[arg-type]
    for row in rows:
        row.chart = chart_json(row.trend_data)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "community/list.html",
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
    request: WorkspaceRequest, form: GroupForm, group: FanGroup | None, status: int = 200
) -> HttpResponse:
    return render_page(
        request,
        "community/group_form.html",
        {"form": form, "group": group, "nav": NAV},
        status=status,
    )


@workspace_local_view(Action.COMMUNITY_MANAGE)
def group_new(request: WorkspaceRequest) -> HttpResponse:
    form = GroupForm(request.POST or None, request.FILES or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("qr_image")
        try:
            group = group_service.create_group(
                actor=acting_user(request),
                workspace=request.workspace,
                data=form.service_data(),
                qr_upload=upload,
                qr_filename=upload.name if upload else "",
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Group created."))
            return back_to(group, "overview")
    return _form_page(request, form, None, status=400 if form.errors else 200)


@group_view(Action.COMMUNITY_MANAGE)
def group_edit(request: WorkspaceRequest, group: FanGroup) -> HttpResponse:
    form = GroupForm(
        request.POST or None, request.FILES or None, workspace=request.workspace, group=group
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("qr_image")
        try:
            group = group_service.update_group(
                actor=acting_user(request),
                group=group,
                data=form.service_data(),
                qr_upload=upload,
                qr_filename=upload.name if upload else "",
                clear_qr=bool(form.cleaned_data.get("clear_qr")),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Group saved."))
            return back_to(group, "overview")
    return _form_page(request, form, group, status=400 if form.errors else 200)


@require_POST
@group_view(Action.COMMUNITY_MANAGE)
def group_delete(request: WorkspaceRequest, group: FanGroup) -> HttpResponse:
    name = group.name
    group_service.delete_group(actor=acting_user(request), group=group)
    messages.success(request, _("Deleted the group %(name)s.") % {"name": name})
    return redirect("community", request.workspace.slug)


@require_POST
@group_view(Action.COMMUNITY_MANAGE)
def group_sync(request: WorkspaceRequest, group: FanGroup) -> HttpResponse:
    if group.channel_account is None:
        messages.error(request, _("This group is not linked to a WeCom account."))
        return back_to(group, "overview")
    result = sync.sync_account(group.channel_account, actor=acting_user(request))
    if result.errors:
        for error in result.errors:
            messages.error(request, error)
    else:
        messages.success(
            request,
            _("Synced %(groups)d groups: %(joined)d joined, %(left)d left.")
            % {"groups": result.groups, "joined": result.joined, "left": result.left},
        )
    return back_to(group, "overview")


@group_view()
def group_qr(request: WorkspaceRequest, group: FanGroup) -> HttpResponseBase:
    if not group.qr_image:
        raise Http404("No QR image")
    try:
        handle = group.qr_image.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File missing") from exc
    response = FileResponse(handle, content_type=group.qr_mime or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The group's tabs ------------------------------------------------------------------------


def _overview(request: WorkspaceRequest, group: FanGroup) -> dict[str, Any]:
    health, latest = queries.health_now(group)
    return {
        "health": health,
        "latest": latest,
        "chart": chart_json(queries.chart_data(group, 30)),
        "campaigns": list(group.campaigns.all()),
        "upcoming": list(queries.events(group).filter(status="planned").order_by("starts_at")[:3]),
        "open_flags": queries.flags(group, FlagStatus.OPEN).count(),
        "formula": {
            "activity": (metrics.ACTIVITY_POINTS, metrics.ACTIVITY_TARGET),
            "conversation": (metrics.CONVERSATION_POINTS, metrics.CONVERSATION_TARGET),
            "growth": (metrics.GROWTH_POINTS, metrics.GROWTH_TARGET),
            "retention": (metrics.RETENTION_POINTS, metrics.CHURN_LIMIT),
        },
    }


def _members(request: WorkspaceRequest, group: FanGroup) -> dict[str, Any]:
    form = MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = queries.members(
        group,
        state=filters.get("state", ""),
        role=filters.get("role", ""),
        text=filters.get("text", ""),
    )
    page = Paginator(found, MEMBERS_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"form": form, "page": page, "query": query.urlencode(), "roles": MemberRole.choices}


def _activity(request: WorkspaceRequest, group: FanGroup) -> dict[str, Any]:
    try:
        span = int(request.GET.get("days", 30))
    except ValueError:
        span = 30
    span = span if span in SPANS else 30
    data = queries.chart_data(group, span)
    rows = list(reversed(queries.days(group, *_span_dates(group, span))))
    return {"chart": chart_json(data), "span": span, "spans": SPANS, "rows": rows}


def _span_dates(group: FanGroup, span: int) -> tuple[date, date]:
    end = workspace_today(group.workspace)
    return end - timedelta(days=span - 1), end


def _events(request: WorkspaceRequest, group: FanGroup) -> dict[str, Any]:
    return {
        "events": list(queries.events(group)),
        "event_form": EventForm(workspace=request.workspace),
    }


def _moderation(request: WorkspaceRequest, group: FanGroup) -> dict[str, Any]:
    status = request.GET.get("status", FlagStatus.OPEN)
    status = status if status in (*FlagStatus.values, "all") else FlagStatus.OPEN
    found = queries.flags(group, "" if status == "all" else status)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "status": status,
        "statuses": [*FlagStatus.choices, ("all", _("All"))],
        "query": f"status={status}",
    }


def _imports(request: WorkspaceRequest, group: FanGroup) -> dict[str, Any]:
    return {"import_form": ImportForm(), "runs": list(queries.imports(group)[:20])}


TAB_CONTEXT = {
    "overview": _overview,
    "members": _members,
    "activity": _activity,
    "events": _events,
    "moderation": _moderation,
    "imports": _imports,
}


@group_view()
def group_tab(request: WorkspaceRequest, group: FanGroup, tab: str = "overview") -> HttpResponse:
    if tab not in TABS:
        raise Http404("No such tab")
    context = {
        "group": group,
        "tab": tab,
        "tabs": TABS,
        "can_manage": can_manage(request),
        "nav": NAV,
        **TAB_CONTEXT[tab](request, group),
    }
    return render_page(request, "community/group.html", context)
