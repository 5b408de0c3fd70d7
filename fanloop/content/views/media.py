"""The media library: grid, upload (several files at once), edit, delete, and serving the
stored files to members only."""

from typing import Any, BinaryIO, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fanloop.content import queries, services
from fanloop.content.forms import MediaEditForm, MediaFilterForm, MediaUploadForm, split_words
from fanloop.content.models import MediaAsset
from fanloop.content.views.studio import actor, report, report_form, studio_view
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest

PAGE_SIZE = 48
MAX_FILES_PER_UPLOAD = 20


def _library(
    request: WorkspaceRequest,
    *,
    upload_form: MediaUploadForm | None = None,
    upload_errors: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    form = MediaFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "kind": form.cleaned_data["kind"],
            "text": form.cleaned_data["text"].strip(),
            "tag": form.cleaned_data["tag"].strip(),
        }
    found = queries.media(request.workspace, **filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "content/media_library.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "upload_form": upload_form or MediaUploadForm(),
            "upload_errors": upload_errors or [],
            "can_edit": allowed(request.role, Action.CONTENT_EDIT),
            "nav": "content",
        },
        status=status,
    )


@studio_view(Action.WORKSPACE_VIEW)
def media_library(request: WorkspaceRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _library(request)
    if not allowed(request.role, Action.CONTENT_EDIT):
        raise PermissionDenied(_("Your role does not allow this page."))
    return _upload(request)


def _upload(request: WorkspaceRequest) -> HttpResponse:
    form = MediaUploadForm(request.POST)
    files: list[UploadedFile] = request.FILES.getlist("files")
    if not files:
        form.add_error(None, _("Choose one or more files to upload."))
    elif len(files) > MAX_FILES_PER_UPLOAD:
        form.add_error(
            None, _("Upload at most %(n)d files at a time.") % {"n": MAX_FILES_PER_UPLOAD}
        )
    if not form.is_valid():
        return _library(request, upload_form=form, status=400)
    tags = split_words(form.cleaned_data["tags"])
    errors: list[dict[str, Any]] = []
    created = reused = 0
    for upload in files:
        name = upload.name or _("(no name)")
        try:
            _asset, is_new = services.upload_media(
                actor=actor(request),
                workspace=request.workspace,
                upload=cast(BinaryIO, upload),
                filename=name,
                title=form.cleaned_data["title"],
                tags=tags,
            )
        except ValidationError as exc:
            errors.append({"name": name, "messages": exc.messages})
        else:
            created += is_new
            reused += not is_new
    if created:
        messages.success(
            request,
            ngettext("%(n)d file uploaded.", "%(n)d files uploaded.", created) % {"n": created},
        )
    if reused:
        messages.info(
            request,
            ngettext(
                "%(n)d file was already in the library; the existing copy is used.",
                "%(n)d files were already in the library; the existing copies are used.",
                reused,
            )
            % {"n": reused},
        )
    if errors:
        return _library(request, upload_form=form, upload_errors=errors, status=400)
    return redirect("media_library", request.workspace.slug)


@require_POST
@studio_view(Action.CONTENT_EDIT)
def media_edit(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    asset = queries.media_asset(request.workspace, pk)
    form = MediaEditForm(request.POST)
    if form.is_valid():
        try:
            services.update_media(
                actor=actor(request),
                asset=asset,
                title=form.cleaned_data["title"],
                tags=split_words(form.cleaned_data["tags"]),
            )
        except ValidationError as exc:
            report(request, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": asset})
    else:
        report_form(request, form)
    return redirect("media_library", request.workspace.slug)


@require_POST
@studio_view(Action.CONTENT_EDIT)
def media_delete(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    asset = queries.media_asset(request.workspace, pk)
    name = str(asset)
    try:
        services.delete_media(actor=actor(request), asset=asset)
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Deleted %(name)s.") % {"name": name})
    return redirect("media_library", request.workspace.slug)


def _serve(stored: FieldFile, mime: str, filename: str) -> FileResponse:
    if not stored:
        raise Http404("No file")
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File missing") from exc
    response = FileResponse(handle, content_type=mime, as_attachment=False, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    # Served files are data, never a document that could run anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _asset(request: WorkspaceRequest, pk: int) -> MediaAsset:
    return queries.media_asset(request.workspace, pk)


@studio_view(Action.WORKSPACE_VIEW)
def media_file(request: WorkspaceRequest, pk: int) -> FileResponse:
    asset = _asset(request, pk)
    return _serve(asset.file, asset.mime or "application/octet-stream", asset.original_name)


@studio_view(Action.WORKSPACE_VIEW)
def media_thumb(request: WorkspaceRequest, pk: int) -> FileResponse:
    asset = _asset(request, pk)
    if not asset.thumbnail:
        raise Http404("No thumbnail")
    stem = asset.original_name.rsplit(".", 1)[0] or "thumbnail"
    return _serve(asset.thumbnail, "image/jpeg", f"{stem}-thumb.jpg")
