"""Metric import pages: upload and past imports, a batch's progress and report, the row
errors as CSV, saved profiles, and the custom mapping built from a file's own headers."""

import csv
import io
import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.channels.forms_imports import MappingFileForm, MappingForm, MetricUploadForm
from fanloop.channels.imports import services, tasks
from fanloop.channels.imports.profiles import BUILTIN, FIELDS, Profile
from fanloop.channels.imports.reader import FileProblem, guess_headers
from fanloop.channels.models import ChannelAccount, ImportBatch, ImportProfile, ImportState
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 25
ERRORS_ON_PAGE = 200
_TOKEN = re.compile(r"^[0-9a-f]{32}/[^/\\]+$")


def imports_view(action: Action = Action.ANALYTICS_VIEW) -> Callable[[View], View]:
    """Everyone who may see analytics may see imports; writing checks
    :func:`services.can_import` on top. Times are the team's wall-clock time."""
    return workspace_local_view(action)


_actor = acting_user


def _require_import(request: WorkspaceRequest) -> None:
    if not services.can_import(request.role):
        raise PermissionDenied(_("Your role does not allow importing metrics."))


def _store(workspace_id: int, folder: str, name: str, data: bytes) -> str:
    safe = get_valid_filename(name) or "upload"
    path = f"{tasks.STORAGE_DIR}/{workspace_id}/{folder}/{uuid.uuid4().hex}/{safe}"
    return default_storage.save(path, ContentFile(data))


def _queue(
    request: WorkspaceRequest,
    *,
    profile: Profile,
    name: str,
    data: bytes,
    strict: bool,
    account: ChannelAccount | None,
    captured_on: date | None,
) -> ImportBatch:
    batch = services.start_batch(
        actor=_actor(request),
        workspace=request.workspace,
        profile=profile,
        file_name=name,
        data=data,
        strict=strict,
        account=account,
    )
    stored = _store(request.workspace.pk, "batches", name, data)
    tasks.queue_import(batch, stored, services.profile_spec(profile), captured_on)
    return batch


# Upload and list -----------------------------------------------------------------------------


@imports_view()
def metric_imports(request: WorkspaceRequest) -> HttpResponseBase:
    workspace = request.workspace
    form = MetricUploadForm(request.POST or None, request.FILES or None, workspace=workspace)
    status = 200
    if request.method == "POST":
        _require_import(request)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                profile = services.resolve_profile(workspace, form.cleaned_data["profile"])
                batch = _queue(
                    request,
                    profile=profile,
                    name=upload.name,
                    data=upload.read(),
                    strict=form.cleaned_data["strict"],
                    account=form.cleaned_data["account"],
                    captured_on=form.cleaned_data["captured_on"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return redirect("metric_import_batch", workspace.slug, batch.pk)
        status = 400
    batches = ImportBatch.objects.filter(workspace=workspace).select_related(
        "account", "created_by"
    )
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "channels/imports/list.html",
        {
            "form": form,
            "page": page,
            "query": "",
            "can_import": services.can_import(request.role),
            "nav": "publishing",
        },
        status=status,
    )


# One batch -------------------------------------------------------------------------------------


def _batch(request: WorkspaceRequest, pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.select_related("account", "created_by"),
        workspace=request.workspace,
        pk=pk,
    )


def _batch_context(request: WorkspaceRequest, batch: ImportBatch) -> dict[str, Any]:
    problems = batch.errors or []
    errors = [p for p in problems if not p.get("warning") and not p.get("file")]
    return {
        "batch": batch,
        "running": batch.state == ImportState.RUNNING,
        "percent": int(100 * batch.rows_done / batch.rows_total) if batch.rows_total else 0,
        "file_problems": [p for p in problems if p.get("file")],
        "errors": errors[:ERRORS_ON_PAGE],
        "errors_hidden": max(batch.rows_skipped - ERRORS_ON_PAGE, 0) if errors else 0,
        "warnings": [p for p in problems if p.get("warning")][:ERRORS_ON_PAGE],
        "same_file": services.previous_import_of(batch) if batch.state != "running" else None,
        "nav": "publishing",
    }


@imports_view()
def metric_import_batch(request: WorkspaceRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return render_page(request, "channels/imports/batch.html", _batch_context(request, batch))


@imports_view()
def metric_import_status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The progress block the batch page polls every second while the import runs."""
    batch = _batch(request, pk)
    return render_page(
        request, "channels/imports/batch.html", _batch_context(request, batch), fragment="status"
    )


@imports_view()
def metric_import_errors(request: WorkspaceRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("row"), _("level"), _("reason")])
    for problem in batch.errors or []:
        level = _("warning") if problem.get("warning") else _("error")
        writer.writerow([problem.get("row", ""), level, problem.get("reason", "")])
    # A BOM so Excel opens the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
    return response


# Profiles ----------------------------------------------------------------------------------------


@imports_view()
def metric_import_profiles(request: WorkspaceRequest) -> HttpResponse:
    builtin = [
        {
            "profile": p,
            "columns": [(FIELDS[f][1], names[0]) for f, names in p.columns.items()],
            "required": [p.label(f) for f in FIELDS if f in p.required],
        }
        for p in BUILTIN.values()
    ]
    return render_page(
        request,
        "channels/imports/profiles.html",
        {
            "builtin": builtin,
            "saved": ImportProfile.objects.filter(workspace=request.workspace),
            "field_labels": {name: label for name, (_kind, label) in FIELDS.items()},
            "can_import": services.can_import(request.role),
            "nav": "publishing",
        },
    )


@require_POST
@imports_view()
def metric_import_profile_delete(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    _require_import(request)
    profile = get_object_or_404(ImportProfile, workspace=request.workspace, pk=pk)
    name = profile.name
    services.delete_profile(actor=_actor(request), profile=profile)
    messages.success(request, _("Profile %(name)s deleted.") % {"name": name})
    return redirect("metric_import_profiles", request.workspace.slug)


def _pending(request: WorkspaceRequest, token: str) -> tuple[str, bytes] | None:
    """The file uploaded in step 1, by its token; only this workspace's folder is looked in."""
    if not _TOKEN.match(token):
        return None
    path = f"{tasks.STORAGE_DIR}/{request.workspace.pk}/pending/{token}"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return path, handle.read()


@imports_view()
def metric_import_mapping(request: WorkspaceRequest) -> HttpResponseBase:
    """Step 1: upload a file. Step 2 (``?token=``): a column for each field, a name, save —
    and, if ticked, import the file right away with the new profile."""
    _require_import(request)
    workspace = request.workspace
    token = request.POST.get("token") or request.GET.get("token") or ""
    if not token:
        file_form = MappingFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and file_form.is_valid():
            upload = file_form.cleaned_data["file"]
            data = upload.read()
            try:
                guess_headers(data, upload.name)
            except FileProblem as exc:
                file_form.add_error("file", str(exc))
            else:
                stored = _store(workspace.pk, "pending", upload.name, data)
                token = stored.split("/pending/", 1)[1]
                url = request.path + "?token=" + token
                return redirect(url)
        return render_page(
            request,
            "channels/imports/mapping.html",
            {"file_form": file_form, "nav": "publishing"},
            status=400 if file_form.errors else 200,
        )
    pending = _pending(request, token)
    if pending is None:
        messages.error(request, _("That upload has expired; upload the file again."))
        return redirect("metric_import_mapping", workspace.slug)
    path, data = pending
    name = path.rsplit("/", 1)[1]
    header_row, headers = guess_headers(data, name)
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        headers=headers,
        initial={"token": token, "name": name.rsplit(".", 1)[0][:80]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_profile(
                actor=_actor(request),
                workspace=workspace,
                name=form.cleaned_data["name"],
                platform=form.cleaned_data["platform"],
                mapping=form.mapping(),
            )
            if form.cleaned_data["import_now"]:
                batch = _queue(
                    request,
                    profile=services.resolve_profile(workspace, f"saved:{saved.pk}"),
                    name=name,
                    data=data,
                    strict=form.cleaned_data["strict"],
                    account=None,
                    captured_on=form.cleaned_data["captured_on"],
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            default_storage.delete(path)
            messages.success(request, _("Profile %(name)s saved.") % {"name": saved.name})
            if form.cleaned_data["import_now"]:
                return redirect("metric_import_batch", workspace.slug, batch.pk)
            return redirect("metric_import_profiles", workspace.slug)
    return render_page(
        request,
        "channels/imports/mapping.html",
        {
            "form": form,
            "headers": headers,
            "header_row": header_row,
            "file_name": name,
            "nav": "publishing",
        },
        status=400 if form.errors else 200,
    )
