"""Document library pages: list, search, upload, new version, permission-checked download."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.campaigns import queries, services
from fanloop.campaigns.forms import DocumentForm, DocumentSearchForm, VersionForm
from fanloop.campaigns.models import Document, DocumentVersion
from fanloop.campaigns.views.common import back_to, form_errors_text, report
from fanloop.campaigns.views.pages import _user
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, workspace_view


def _document(request: WorkspaceRequest, pk: int) -> Document:
    found = Document.objects.filter(workspace=request.workspace, pk=pk).first()
    if found is None:
        raise Http404("No such document")
    return found


@workspace_view(Action.CAMPAIGN_VIEW)
def library(request: WorkspaceRequest) -> HttpResponse:
    search = DocumentSearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_valid() else {}
    form = DocumentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.upload_document(
                    actor=_user(request),
                    workspace=request.workspace,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    doc_type=form.cleaned_data["doc_type"],
                    tags=form.cleaned_data["tags"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Document uploaded."))
                return redirect("documents", slug=request.workspace.slug)
        status = 400
    documents = queries.documents(request.workspace, **{k: v for k, v in filters.items() if v})
    return render_page(
        request,
        "campaigns/documents.html",
        {"documents": documents, "search": search, "document_form": form, "nav": "documents"},
        status=status,
    )


@require_POST
@workspace_view(Action.CAMPAIGN_VIEW)
def campaign_upload(request: WorkspaceRequest, pk: int) -> HttpResponse:
    campaign = queries.campaign(request.workspace, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return back_to(campaign, "documents")
    try:
        services.upload_document(
            actor=_user(request),
            workspace=request.workspace,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            doc_type=form.cleaned_data["doc_type"],
            tags=form.cleaned_data["tags"],
            campaign=campaign,
        )
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Document uploaded."))
    return back_to(campaign, "documents")


@workspace_view(Action.CAMPAIGN_VIEW)
def document_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = VersionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.upload_document(
                    actor=_user(request),
                    workspace=request.workspace,
                    upload=form.cleaned_data["file"],
                    document=document,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("New version uploaded."))
                return redirect("document_detail", slug=request.workspace.slug, pk=document.pk)
        status = 400
    return render_page(
        request,
        "campaigns/document_detail.html",
        {
            "document": document,
            "versions": document.versions.select_related("uploaded_by"),
            "version_form": form,
            "nav": "documents",
        },
        status=status,
    )


@workspace_view(Action.CAMPAIGN_VIEW)
def document_download(request: WorkspaceRequest, pk: int, number: int) -> FileResponse:
    document = _document(request, pk)
    version = DocumentVersion.objects.filter(document=document, number=number).first()
    if version is None:
        raise Http404("No such version")
    return FileResponse(version.file.open("rb"), as_attachment=True, filename=version.original_name)
