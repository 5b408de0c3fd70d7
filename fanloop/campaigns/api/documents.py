"""The document library: list and search, multipart upload, versions, download.

Files are served only through the download endpoint, after the workspace check; never
from a public media URL.
"""

from pathlib import PurePath
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.campaigns import queries, services
from fanloop.campaigns.api.common import (
    CAMPAIGN_PARAM,
    ERRORS,
    ID_PARAM,
    WORKSPACE_PARAM,
    CampaignField,
    FirstRenderer,
    user_of,
    validated,
)
from fanloop.campaigns.models import Campaign, Document, DocumentType, DocumentVersion
from fanloop.core.api import WorkspaceScopedViewSet
from fanloop.core.permissions import Action

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
    "txt": "text/plain",
    "md": "text/markdown",
}
DOWNLOAD_TYPES = sorted({*CONTENT_TYPES.values(), "application/octet-stream"})
DOCUMENT_PARAM = OpenApiParameter("document_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
NUMBER_PARAM = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number"
)


def content_type_of(name: str) -> str:
    extension = PurePath(name).suffix.lower().lstrip(".")
    return CONTENT_TYPES.get(extension, "application/octet-stream")


# Serializers ------------------------------------------------------------------------------


class DocumentVersionSerializer(serializers.ModelSerializer[DocumentVersion]):
    uploaded_by_name = serializers.CharField(source="uploaded_by", read_only=True, allow_null=True)
    content_type = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="API path that streams this version's file"
    )

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "original_name",
            "size",
            "sha256",
            "content_type",
            "note",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_content_type(self, version: DocumentVersion) -> str:
        return content_type_of(version.original_name)

    def get_download_url(self, version: DocumentVersion) -> str:
        return reverse(
            "api-document-download",
            kwargs={
                "workspace_pk": version.document.workspace_id,
                "document_pk": version.document_id,
                "number": version.number,
            },
        )


class DocumentSerializer(serializers.ModelSerializer[Document]):
    campaign_name = serializers.CharField(source="campaign", read_only=True, allow_null=True)
    current_version = serializers.SerializerMethodField()
    version_count = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "doc_type",
            "tags",
            "campaign",
            "campaign_name",
            "current_version",
            "version_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _versions(self, document: Document) -> list[DocumentVersion]:
        return sorted(document.versions.all(), key=lambda version: -version.number)

    def get_version_count(self, document: Document) -> int:
        return len(self._versions(document))

    @extend_schema_field(DocumentVersionSerializer(allow_null=True))
    def get_current_version(self, document: Document) -> dict[str, Any] | None:
        versions = self._versions(document)
        return dict(DocumentVersionSerializer(versions[0]).data) if versions else None


class DocumentFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, help_text="Title contains")
    tag = serializers.CharField(required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=DocumentType.choices, required=False)
    campaign = serializers.IntegerField(required=False, help_text="Only this campaign's")


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="pdf, docx, xlsx, pptx, doc, xls, ppt, png, jpg, csv, "
        "txt or md, within the size limit"
    )
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Defaults to the file name",
    )
    doc_type = serializers.ChoiceField(choices=DocumentType.choices, default=DocumentType.OTHER)
    tags = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Comma-separated"
    )
    campaign = CampaignField(required=False, allow_null=True, default=None)


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="What changed"
    )


# Views ------------------------------------------------------------------------------------


@extend_schema(tags=["documents"], parameters=[WORKSPACE_PARAM])
class DocumentViewSet(WorkspaceScopedViewSet[Document]):
    """The workspace's library; under a campaign's URL, that campaign's documents."""

    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]
    view_action = Action.CAMPAIGN_VIEW

    @property
    def campaign(self) -> Campaign | None:
        if "campaign_pk" not in self.kwargs:
            return None
        return queries.campaign(self.workspace, int(self.kwargs["campaign_pk"]))

    def document(self, pk: int) -> Document:
        found = queries.documents(self.workspace).filter(pk=pk).first()
        if found is None:
            raise Http404("No such document")
        return found

    def get_queryset(self) -> QuerySet[Document]:
        return queries.documents(self.workspace, campaign=self.campaign)

    @extend_schema(
        parameters=[DocumentFilterSerializer],
        responses={200: DocumentSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int, **kwargs: int) -> Response:
        self.check_view()
        filters = validated(DocumentFilterSerializer, request.query_params)
        campaign = self.campaign
        if campaign is None and filters.get("campaign") is not None:
            campaign = queries.campaign(self.workspace, filters["campaign"])
        found = queries.documents(
            self.workspace,
            campaign=campaign,
            text=filters.get("q", ""),
            tag=filters.get("tag", ""),
            doc_type=filters.get("type", ""),
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(DocumentSerializer(page, many=True).data)

    @extend_schema(
        summary="Upload a new document (multipart)",
        description="Under a campaign's URL the document belongs to that campaign. Wrong "
        "type, too large, or content that does not match the extension: 400, nothing kept.",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, **ERRORS},
    )
    def create(self, request: Request, workspace_pk: int, **kwargs: int) -> Response:
        campaign = self.campaign
        data = validated(
            DocumentUploadSerializer, request.data, context={"workspace": self.workspace}
        )
        version = services.upload_document(
            actor=user_of(request),
            workspace=self.workspace,
            upload=data["file"],
            title=data["title"],
            doc_type=data["doc_type"],
            tags=data["tags"],
            campaign=campaign or data["campaign"],
        )
        body = DocumentSerializer(self.document(version.document_id)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PARAM], responses={200: DocumentSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(DocumentSerializer(self.document(pk)).data)

    @extend_schema(
        summary="Delete a document with all its versions",
        parameters=[ID_PARAM],
        responses={204: None, **ERRORS},
    )
    def destroy(self, request: Request, workspace_pk: int, pk: int) -> Response:
        services.delete_document(actor=user_of(request), document=self.document(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["documents"], parameters=[WORKSPACE_PARAM, CAMPAIGN_PARAM])
class CampaignDocumentViewSet(DocumentViewSet):
    pass


class _DocumentScoped(WorkspaceScopedViewSet[DocumentVersion]):
    view_action = Action.CAMPAIGN_VIEW

    def document(self) -> Document:
        found = Document.objects.filter(
            workspace=self.workspace, pk=int(self.kwargs["document_pk"])
        ).first()
        if found is None:
            raise Http404("No such document")
        return found


@extend_schema(tags=["documents"], parameters=[WORKSPACE_PARAM, DOCUMENT_PARAM])
class DocumentVersionViewSet(_DocumentScoped):
    serializer_class = DocumentVersionSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="All versions of a document, newest first",
        responses={200: DocumentVersionSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int, document_pk: int) -> Response:
        self.check_view()
        versions = self.document().versions.select_related("uploaded_by", "document")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(DocumentVersionSerializer(page, many=True).data)

    @extend_schema(
        summary="Upload a new version (older versions are kept)",
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: DocumentVersionSerializer, **ERRORS},
    )
    def create(self, request: Request, workspace_pk: int, document_pk: int) -> Response:
        document = self.document()
        data = validated(VersionUploadSerializer, request.data)
        version = services.upload_document(
            actor=user_of(request),
            workspace=self.workspace,
            upload=data["file"],
            document=document,
            note=data["note"],
        )
        return Response(DocumentVersionSerializer(version).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["documents"], parameters=[WORKSPACE_PARAM, DOCUMENT_PARAM, NUMBER_PARAM])
class DocumentDownloadViewSet(_DocumentScoped):
    serializer_class = DocumentVersionSerializer
    content_negotiation_class = FirstRenderer
    pagination_class = None

    @extend_schema(
        summary="Download one version's file",
        description="Streams the file as an attachment with its content type.",
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in DOWNLOAD_TYPES},
            **ERRORS,
        },
    )
    def retrieve(
        self, request: Request, workspace_pk: int, document_pk: int, number: int
    ) -> FileResponse:
        self.check_view()
        version = self.document().versions.filter(number=number).first()
        if version is None:
            raise Http404("No such version")
        try:
            handle = version.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing from storage") from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=version.original_name,
            content_type=content_type_of(version.original_name),
        )
