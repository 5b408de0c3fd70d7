"""The content REST API: items, variants, transitions, versions, comments, media,
calendar, best times and a stateless compliance check. Thin over services and queries."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.campaigns.api.common import ID_PARAM, user_of, validated
from fanloop.compliance.engine import CheckContext, has_blocking
from fanloop.compliance.services import check_for_workspace
from fanloop.content import queries, services
from fanloop.content.api.serializers import (
    BestTimesQuerySerializer,
    BestTimesSerializer,
    CalendarQuerySerializer,
    CheckRequestSerializer,
    CheckResponseSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    DecisionSerializer,
    ItemCreateSerializer,
    ItemFilterSerializer,
    ItemSerializer,
    ItemWriteSerializer,
    MediaSerializer,
    MediaUpdateSerializer,
    MediaUploadSerializer,
    RescheduleSerializer,
    TransitionRequestSerializer,
    TransitionResultSerializer,
    VariantCreateSerializer,
    VariantSerializer,
    VariantWriteSerializer,
    VersionSerializer,
)
from fanloop.content.models import ContentItem, MediaAsset, Variant
from fanloop.core.api import ERRORS, WORKSPACE_PARAM, WorkspaceScopedViewSet
from fanloop.core.models import User
from fanloop.core.permissions import Action

TAGS = ["content"]
MAX_ID = 9_223_372_036_854_775_807


def _member(workspace: Any, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    found = User.objects.filter(pk=user_id, memberships__workspace=workspace).first()
    if found is None:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({field: ["Not a member of this workspace."]})
    return found


def _item_data(workspace: Any, data: dict[str, Any]) -> dict[str, Any]:
    if "campaign" in data:
        data["campaign"] = services.items.campaign_for(workspace, data["campaign"])
    if "owner" in data:
        data["owner"] = _member(workspace, data["owner"], "owner")
    return data


class ContentViewSet(WorkspaceScopedViewSet[Any]):
    view_action = Action.WORKSPACE_VIEW

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # An id no database column can hold names nothing: 404, not a driver overflow.
        if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in self.kwargs.values()):
            raise NotFound()
        super().initial(request, *args, **kwargs)

    def item(self, pk: int) -> ContentItem:
        return queries.item(self.workspace, pk)

    def variant(self, item_pk: int, pk: int) -> Variant:
        return queries.variant(self.workspace, item_pk, pk)

    def variant_response(self, variant: Variant, code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.variant(self.workspace, variant.item_id, variant.pk)
        return Response(VariantSerializer(fresh).data, status=code)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class ItemViewSet(ContentViewSet):
    serializer_class = ItemSerializer

    def get_queryset(self) -> QuerySet[ContentItem]:
        return queries.items(self.workspace)

    @extend_schema(
        parameters=[ItemFilterSerializer], responses={200: ItemSerializer(many=True), **ERRORS}
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        filters = validated(ItemFilterSerializer, request.query_params)
        found = queries.items(
            self.workspace,
            text=filters.get("q", ""),
            campaign=filters.get("campaign"),
            content_type=filters.get("content_type", ""),
            purpose=filters.get("purpose", ""),
            platform=filters.get("platform", ""),
            state=filters.get("state", ""),
            tag=filters.get("tag", ""),
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(ItemSerializer(page, many=True).data)

    @extend_schema(request=ItemCreateSerializer, responses={201: ItemSerializer, **ERRORS})
    def create(self, request: Request, workspace_pk: int) -> Response:
        data = validated(ItemCreateSerializer, request.data)
        platforms = data.pop("platforms", None)
        template_id = data.pop("template", None)
        template = queries.template(self.workspace, template_id) if template_id else None
        item = services.create_item(
            actor=user_of(request),
            workspace=self.workspace,
            data=_item_data(self.workspace, data),
            platforms=platforms,
            template=template,
        )
        return Response(ItemSerializer(self.item(item.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PARAM], responses={200: ItemSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(ItemSerializer(self.item(pk)).data)

    @extend_schema(
        parameters=[ID_PARAM],
        request=ItemWriteSerializer,
        responses={200: ItemSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        item = self.item(pk)
        data = validated(ItemWriteSerializer, request.data, partial=True)
        services.update_item(
            actor=user_of(request), item=item, data=_item_data(self.workspace, data)
        )
        return Response(ItemSerializer(self.item(pk)).data)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class VariantViewSet(ContentViewSet):
    serializer_class = VariantSerializer

    @extend_schema(request=VariantCreateSerializer, responses={201: VariantSerializer, **ERRORS})
    def create(self, request: Request, workspace_pk: int, item_pk: int) -> Response:
        item = self.item(item_pk)
        data = validated(VariantCreateSerializer, request.data)
        platform = data.pop("platform")
        data.pop("expected_version", None)
        variant = services.add_variant(
            actor=user_of(request), item=item, platform=platform, data=data
        )
        return self.variant_response(variant, status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PARAM], responses={200: VariantSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, item_pk: int, pk: int) -> Response:
        self.check_view()
        return self.variant_response(self.variant(item_pk, pk))

    @extend_schema(
        description="Saves the copy. A changed copy is a new version; an approved or "
        "scheduled variant goes back to review.",
        parameters=[ID_PARAM],
        request=VariantWriteSerializer,
        responses={200: VariantSerializer, **ERRORS},
    )
    def partial_update(
        self, request: Request, workspace_pk: int, item_pk: int, pk: int
    ) -> Response:
        variant = self.variant(item_pk, pk)
        data = validated(VariantWriteSerializer, request.data, partial=True)
        expected = data.pop("expected_version", None)
        variant = services.update_variant(
            actor=user_of(request), variant=variant, data=data, expected_version=expected
        )
        return self.variant_response(variant)

    @extend_schema(parameters=[ID_PARAM], responses={204: None, **ERRORS})
    def destroy(self, request: Request, workspace_pk: int, item_pk: int, pk: int) -> Response:
        services.delete_variant(actor=user_of(request), variant=self.variant(item_pk, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class VariantTransitionViewSet(ContentViewSet):
    serializer_class = TransitionResultSerializer

    @extend_schema(
        description="submit, approve (override_reason when blocking findings exist), "
        "request_changes (note), schedule (planned_at), unschedule, mark_published, "
        "mark_failed (note), retry, archive, restore.",
        request=TransitionRequestSerializer,
        responses={200: TransitionResultSerializer, **ERRORS},
    )
    def create(
        self, request: Request, workspace_pk: int, item_pk: int, variant_pk: int
    ) -> Response:
        variant = self.variant(item_pk, variant_pk)
        data = validated(TransitionRequestSerializer, request.data)
        variant, warnings = services.transition(actor=user_of(request), variant=variant, **data)
        fresh = queries.variant(self.workspace, variant.item_id, variant.pk)
        return Response({"variant": VariantSerializer(fresh).data, "warnings": warnings})


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class VariantHistoryViewSet(ContentViewSet):
    serializer_class = VersionSerializer

    @extend_schema(responses={200: VersionSerializer(many=True), **ERRORS})
    def versions(
        self, request: Request, workspace_pk: int, item_pk: int, variant_pk: int
    ) -> Response:
        self.check_view()
        variant = self.variant(item_pk, variant_pk)
        page = self.paginate_queryset(queries.versions(variant))
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(responses={200: DecisionSerializer(many=True), **ERRORS})
    def decisions(
        self, request: Request, workspace_pk: int, item_pk: int, variant_pk: int
    ) -> Response:
        self.check_view()
        variant = self.variant(item_pk, variant_pk)
        page = self.paginate_queryset(variant.decisions.all())
        return self.get_paginated_response(DecisionSerializer(page, many=True).data)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class CommentViewSet(ContentViewSet):
    serializer_class = CommentSerializer

    @extend_schema(responses={200: CommentSerializer(many=True), **ERRORS})
    def list(self, request: Request, workspace_pk: int, item_pk: int, variant_pk: int) -> Response:
        self.check_view()
        variant = self.variant(item_pk, variant_pk)
        page = self.paginate_queryset(variant.comments.all())
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        description="@username in the body notifies that member.",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **ERRORS},
    )
    def create(
        self, request: Request, workspace_pk: int, item_pk: int, variant_pk: int
    ) -> Response:
        variant = self.variant(item_pk, variant_pk)
        data = validated(CommentCreateSerializer, request.data)
        parent = None
        if data.get("parent"):
            parent = variant.comments.filter(pk=data["parent"]).first()
            if parent is None:
                raise Http404("No such comment")
        comment = services.add_comment(
            actor=user_of(request), variant=variant, body=data["body"], parent=parent
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class MediaViewSet(ContentViewSet):
    serializer_class = MediaSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def asset(self, pk: int) -> MediaAsset:
        return queries.media_asset(self.workspace, pk)

    @extend_schema(responses={200: MediaSerializer(many=True), **ERRORS})
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        page = self.paginate_queryset(queries.media(self.workspace))
        return self.get_paginated_response(MediaSerializer(page, many=True).data)

    @extend_schema(
        summary="Upload an image or video (multipart)",
        description="JPEG, PNG, GIF, WebP, MP4, MOV. Type is read from the content; "
        "dimensions and duration from the file. The same bytes again return the existing "
        "asset (200) instead of a copy (201).",
        request={"multipart/form-data": MediaUploadSerializer},
        responses={201: MediaSerializer, 200: MediaSerializer, **ERRORS},
    )
    def create(self, request: Request, workspace_pk: int) -> Response:
        data = validated(MediaUploadSerializer, request.data)
        upload = data["file"]
        asset, created = services.upload_media(
            actor=user_of(request),
            workspace=self.workspace,
            upload=upload,
            filename=upload.name or "upload",
            title=data["title"],
            tags=data["tags"],
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(MediaSerializer(asset).data, status=code)

    @extend_schema(parameters=[ID_PARAM], responses={200: MediaSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(MediaSerializer(self.asset(pk)).data)

    @extend_schema(
        parameters=[ID_PARAM],
        request={"application/json": MediaUpdateSerializer},
        responses={200: MediaSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        asset = self.asset(pk)
        data = validated(MediaUpdateSerializer, request.data, partial=True)
        asset = services.update_media(
            actor=user_of(request),
            asset=asset,
            title=data.get("title", asset.title),
            tags=data.get("tags", asset.tags),
        )
        return Response(MediaSerializer(asset).data)

    @extend_schema(parameters=[ID_PARAM], responses={204: None, **ERRORS})
    def destroy(self, request: Request, workspace_pk: int, pk: int) -> Response:
        services.delete_media(actor=user_of(request), asset=self.asset(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class CalendarViewSet(ContentViewSet):
    serializer_class = VariantSerializer

    @extend_schema(
        parameters=[CalendarQuerySerializer],
        responses={200: VariantSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        query = validated(CalendarQuerySerializer, request.query_params)
        found = queries.calendar(
            self.workspace,
            query["start"],
            query["end"],
            platform=query.get("platform", ""),
            campaign=query.get("campaign"),
            state=query.get("state", ""),
        ).prefetch_related("media_links")
        page = self.paginate_queryset(found)
        return self.get_paginated_response(VariantSerializer(page, many=True).data)

    @extend_schema(
        description="Move an approved or scheduled variant (the calendar's drag).",
        request=RescheduleSerializer,
        responses={200: TransitionResultSerializer, **ERRORS},
    )
    def reschedule(self, request: Request, workspace_pk: int, variant_pk: int) -> Response:
        variant = queries.variant_by_id(self.workspace, variant_pk)
        data = validated(RescheduleSerializer, request.data)
        variant, warnings = services.reschedule(
            actor=user_of(request), variant=variant, planned_at=data["planned_at"]
        )
        fresh = queries.variant(self.workspace, variant.item_id, variant.pk)
        return Response({"variant": VariantSerializer(fresh).data, "warnings": warnings})

    @extend_schema(
        parameters=[BestTimesQuerySerializer], responses={200: BestTimesSerializer, **ERRORS}
    )
    def best_times(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        query = validated(BestTimesQuerySerializer, request.query_params)
        best = services.best_times(self.workspace, query["platform"])
        return Response(
            {
                "platform": best.platform,
                "from_history": best.from_history,
                "posts": best.posts,
                "min_posts": best.min_posts,
                "grid": best.grid,
                "suggestions": [list(cell) for cell in best.suggestions],
            }
        )


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class ComplianceCheckViewSet(ContentViewSet):
    serializer_class = CheckResponseSerializer

    @extend_schema(
        description="Check any text against the advertising-law rules and this workspace's "
        "terms, without saving anything. Originality and the hard-ad share need a saved "
        "variant and are not part of this check.",
        request=CheckRequestSerializer,
        responses={200: CheckResponseSerializer, **ERRORS},
    )
    def create(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        data = validated(CheckRequestSerializer, request.data)
        context = CheckContext(
            platform=data.get("platform"),
            purpose=data.get("purpose"),
            sponsored=data["sponsored"],
            product_kind=data["product_kind"],
            special_cosmetic=data["special_cosmetic"],
        )
        findings = check_for_workspace(self.workspace, data["text"], context)
        return Response(
            {"findings": [f.as_dict() for f in findings], "blocking": has_blocking(findings)}
        )
