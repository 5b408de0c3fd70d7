"""Changes made from a group's tabs: member roles, events, moderation flags and imports."""

import csv
import io
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.community import queries, tasks
from fanloop.community.forms import EventForm, ImportForm, RoleForm
from fanloop.community.models import FanGroup, GroupEvent, ImportState, MemberRole
from fanloop.community.services import events as event_service
from fanloop.community.services import imports as import_service
from fanloop.community.services import members as member_service
from fanloop.community.services import moderation
from fanloop.community.views.common import NAV, TABS, back_to, can_manage, group_view, report
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view

ERRORS_ON_PAGE = 200


# Members ---------------------------------------------------------------------------------


@require_POST
@group_view(Action.COMMUNITY_MANAGE)
def member_role(request: WorkspaceRequest, group: FanGroup, member_pk: int) -> HttpResponse:
    member = queries.member(group, member_pk)
    form = RoleForm(request.POST)
    status = 200
    if form.is_valid():
        member = member_service.set_member_role(
            actor=acting_user(request), member=member, role=form.cleaned_data["role"]
        )
    else:
        status = 400
    if request.headers.get("HX-Request"):
        return render_page(
            request,
            "community/_member_row.html",
            {"group": group, "m": member, "roles": MemberRole.choices, "can_manage": True},
            fragment="row",
            status=status,
        )
    if status == 200:
        messages.success(request, _("Role changed."))
    return back_to(group, "members")


# Events ----------------------------------------------------------------------------------


def _event_page(
    request: WorkspaceRequest,
    group: FanGroup,
    form: EventForm,
    event: GroupEvent | None,
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "community/event_form.html",
        {"group": group, "form": form, "event": event, "nav": NAV},
        status=status,
    )


@group_view(Action.COMMUNITY_MANAGE)
def event_new(request: WorkspaceRequest, group: FanGroup) -> HttpResponse:
    form = EventForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            event_service.create_event(
                actor=acting_user(request), group=group, data=form.service_data()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Event added."))
            return back_to(group, "events")
    return _event_page(request, group, form, None, status=400 if form.errors else 200)


@group_view(Action.COMMUNITY_MANAGE)
def event_edit(request: WorkspaceRequest, group: FanGroup, event_pk: int) -> HttpResponse:
    event = queries.event(group, event_pk)
    form = EventForm(request.POST or None, workspace=request.workspace, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            event_service.update_event(
                actor=acting_user(request), event=event, data=form.service_data()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Event saved."))
            return back_to(group, "events")
    return _event_page(request, group, form, event, status=400 if form.errors else 200)


@require_POST
@group_view(Action.COMMUNITY_MANAGE)
def event_delete(request: WorkspaceRequest, group: FanGroup, event_pk: int) -> HttpResponse:
    event = queries.event(group, event_pk)
    event_service.delete_event(actor=acting_user(request), event=event)
    messages.success(request, _("Event deleted."))
    return back_to(group, "events")


# Moderation ------------------------------------------------------------------------------


@require_POST
@group_view(Action.COMMUNITY_MANAGE)
def flag_review(request: WorkspaceRequest, group: FanGroup, flag_pk: int) -> HttpResponse:
    flag = queries.flag(group, flag_pk)
    try:
        flag = moderation.review_flag(
            actor=acting_user(request), flag=flag, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        report(request, exc)
        return back_to(group, "moderation")
    if request.headers.get("HX-Request"):
        return render_page(
            request,
            "community/_flag.html",
            {"group": group, "f": flag, "can_manage": can_manage(request)},
            fragment="flag",
        )
    return back_to(group, "moderation")


# Imports ---------------------------------------------------------------------------------


@require_POST
@group_view(Action.COMMUNITY_MANAGE)
def import_upload(request: WorkspaceRequest, group: FanGroup) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = import_service.start_import(
                actor=acting_user(request),
                group=group,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            safe = get_valid_filename(upload.name) or "upload"
            path = f"{tasks.STORAGE_DIR}/{group.workspace_id}/{uuid.uuid4().hex}/{safe}"
            stored = default_storage.save(path, ContentFile(upload.read()))
            tasks.queue_import(run, stored)
            return redirect("community_import", request.workspace.slug, run.pk)
    return render_page(
        request,
        "community/group.html",
        {
            "group": group,
            "tab": "imports",
            "tabs": TABS,
            "can_manage": True,
            "import_form": form,
            "runs": list(queries.imports(group)[:20]),
            "nav": NAV,
        },
        status=400,
    )


def _run_context(request: WorkspaceRequest, pk: int) -> dict[str, object]:
    run = queries.import_run(request.workspace, pk)
    problems = run.errors or []
    errors = [p for p in problems if not p.get("file")]
    return {
        "run": run,
        "group": run.group,
        "running": run.state == ImportState.RUNNING,
        "percent": int(100 * run.rows_done / run.rows_total) if run.rows_total else 0,
        "file_problems": [p for p in problems if p.get("file")],
        "errors": errors[:ERRORS_ON_PAGE],
        "errors_hidden": max(len(errors) - ERRORS_ON_PAGE, 0),
        "nav": NAV,
    }


@workspace_local_view(Action.WORKSPACE_VIEW)
def import_run(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return render_page(request, "community/import_run.html", _run_context(request, pk))


@workspace_local_view(Action.WORKSPACE_VIEW)
def import_status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The progress block the import page polls while the import runs."""
    return render_page(
        request, "community/import_run.html", _run_context(request, pk), fragment="status"
    )


@workspace_local_view(Action.WORKSPACE_VIEW)
def import_errors(request: WorkspaceRequest, pk: int) -> HttpResponse:
    run = queries.import_run(request.workspace, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("row"), _("reason")])
    for problem in run.errors or []:
        writer.writerow([problem.get("row", ""), problem.get("reason", "")])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="community-import-{run.pk}.csv"'
    return response
