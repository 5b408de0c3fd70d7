"""The tracking REST API: links (CRUD, archive, bulk create), partners and promo codes.
Thin over ``services`` and ``queries``; everyone in the workspace may read, roles that may
manage tracking may write."""

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.campaigns.api.common import CampaignField, user_of, validated
from fanloop.content.models import Variant
from fanloop.core.api import ERRORS, WORKSPACE_PARAM, WorkspaceScopedViewSet
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform
from fanloop.tracking import queries
from fanloop.tracking.models import Partner, PartnerKind, PromoCode, PromoKind, TrackingLink
from fanloop.tracking.services import codes as code_service
from fanloop.tracking.services import links as link_service
from fanloop.tracking.services import partners as partner_service

TAGS = ["tracking"]
MAX_ID = 9_223_372_036_854_775_807
ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _workspace(field: serializers.Field[Any, Any, Any, Any]) -> Any:
    workspace = field.context.get("workspace")
    assert workspace is not None, "serializer context needs 'workspace'"
    return workspace


class _ScopedField(serializers.PrimaryKeyRelatedField[Any]):
    """An id that must name a row of the caller's workspace (others: does not exist)."""

    model: type[Model]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", self.model._default_manager.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.filter(workspace=_workspace(self))


class PartnerField(_ScopedField):
    model = Partner


class VariantField(_ScopedField):
    model = Variant


class LinkField(_ScopedField):
    model = TrackingLink


# Serializers ------------------------------------------------------------------------------


class PartnerSerializer(serializers.ModelSerializer[Partner]):
    # read-only model fields lose allow_blank, and the schema would refuse ""
    platform = serializers.ChoiceField(choices=Platform.choices, allow_blank=True, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "kind_label", "platform", "handle", "note", "created_at"]
        read_only_fields = fields


class PartnerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=PartnerKind.choices)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    handle = serializers.CharField(max_length=120, required=False, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class LinkSerializer(serializers.ModelSerializer[TrackingLink]):
    # read-only model fields lose allow_blank, and the schema would refuse ""
    platform = serializers.ChoiceField(choices=Platform.choices, allow_blank=True, read_only=True)
    short_url = serializers.SerializerMethodField()
    tagged_url = serializers.SerializerMethodField(
        help_text="The destination with the UTM parameters, where the redirect sends people"
    )
    # Stored as http(s) only, but documented as text so no client guesses a "uri" format.
    destination_url = serializers.CharField(read_only=True)
    clicks_total = serializers.IntegerField(read_only=True, default=0)
    clicks_human = serializers.IntegerField(
        read_only=True, default=0, help_text="Clicks not from bots"
    )
    clicks_unique = serializers.IntegerField(
        read_only=True, default=0, help_text="Human clicks that are not repeats"
    )

    class Meta:
        model = TrackingLink
        fields = [
            "id",
            "code",
            "short_url",
            "name",
            "destination_url",
            "tagged_url",
            "campaign",
            "platform",
            "channel",
            "variant",
            "partner",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_content",
            "utm_term",
            "expires_at",
            "archived",
            "created_at",
            "clicks_total",
            "clicks_human",
            "clicks_unique",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_short_url(self, link: TrackingLink) -> str:
        path = queries.short_path(link.code)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.STR)
    def get_tagged_url(self, link: TrackingLink) -> str:
        return link_service.tagged_url(link)


def _utm() -> serializers.CharField:
    return serializers.CharField(
        max_length=link_service.UTM_MAX,
        required=False,
        allow_blank=True,
        help_text="Blank: filled from the link's context",
    )


class LinkWriteSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="Custom short code (3-32 of A-Z a-z 0-9 _ -); blank draws a random one. "
        "Cannot change after creation.",
    )
    name = serializers.CharField(max_length=link_service.NAME_MAX, required=False, allow_blank=True)
    destination_url = serializers.CharField(
        max_length=link_service.URL_MAX,
        help_text="http(s) only; for a WeChat mini-program page use its https URL link",
    )
    campaign = CampaignField(required=False, allow_null=True)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    channel = serializers.CharField(
        max_length=link_service.CHANNEL_MAX, required=False, allow_blank=True
    )
    variant = VariantField(required=False, allow_null=True)
    partner = PartnerField(required=False, allow_null=True)
    utm_source = _utm()
    utm_medium = _utm()
    utm_campaign = _utm()
    utm_content = _utm()
    utm_term = serializers.CharField(
        max_length=link_service.UTM_MAX, required=False, allow_blank=True
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    archived = serializers.BooleanField(required=False)


class LinkBulkSerializer(serializers.Serializer):
    destination_url = serializers.CharField(max_length=link_service.URL_MAX)
    campaign = CampaignField(required=False, allow_null=True)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    variant = VariantField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    utm_term = serializers.CharField(
        max_length=link_service.UTM_MAX, required=False, allow_blank=True
    )
    partners = serializers.ListField(
        child=PartnerField(), required=False, max_length=link_service.BULK_MAX
    )
    channels = serializers.ListField(
        child=serializers.CharField(max_length=link_service.CHANNEL_MAX, allow_blank=True),
        required=False,
        max_length=link_service.BULK_MAX,
        help_text="Channel names; one link each",
    )


class LinkFilterSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    partner = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    search = serializers.CharField(required=False, max_length=100)
    archived = serializers.BooleanField(required=False, default=False)


class CodeSerializer(serializers.ModelSerializer[PromoCode]):
    # read-only model fields lose allow_blank, and the schema would refuse ""
    platform = serializers.ChoiceField(choices=Platform.choices, allow_blank=True, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = PromoCode
        fields = [
            "id",
            "code",
            "kind",
            "kind_label",
            "campaign",
            "partner",
            "link",
            "platform",
            "cost_per_use_fen",
            "valid_from",
            "valid_until",
            "created_at",
        ]
        read_only_fields = fields


class CodeWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=PromoKind.choices)
    campaign = CampaignField()
    partner = PartnerField(required=False, allow_null=True)
    link = LinkField(required=False, allow_null=True)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    cost_per_use_fen = serializers.IntegerField(
        required=False, min_value=0, max_value=code_service.MAX_COST_FEN
    )
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)


class CodeFilterSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=PromoKind.choices, required=False)
    search = serializers.CharField(required=False, max_length=64)


class PartnerFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PartnerKind.choices, required=False)
    search = serializers.CharField(required=False, max_length=100)


# Views ------------------------------------------------------------------------------------


class TrackingViewSet(WorkspaceScopedViewSet[Any]):
    view_action = Action.ANALYTICS_VIEW

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # An id no database column can hold names nothing: 404, not a driver overflow.
        if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in self.kwargs.values()):
            raise NotFound()
        super().initial(request, *args, **kwargs)

    def context(self) -> dict[str, Any]:
        return {"request": self.request, "workspace": self.workspace}

    def paginated(self, items: Any, serializer: type[serializers.BaseSerializer[Any]]) -> Any:
        page = self.paginate_queryset(items)
        return self.get_paginated_response(serializer(page, many=True, context=self.context()).data)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class LinkViewSet(TrackingViewSet):
    serializer_class = LinkSerializer

    def get_queryset(self) -> QuerySet[TrackingLink]:
        return queries.links(self.workspace)

    def _one(self, pk: int) -> TrackingLink:
        return queries.link(self.workspace, pk)

    @extend_schema(
        parameters=[LinkFilterSerializer], responses={200: LinkSerializer(many=True), **ERRORS}
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        filters = validated(LinkFilterSerializer, request.query_params)
        return self.paginated(queries.links(self.workspace, **filters), LinkSerializer)

    @extend_schema(parameters=[ID_PARAM], responses={200: LinkSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(LinkSerializer(self._one(pk), context=self.context()).data)

    @extend_schema(request=LinkWriteSerializer, responses={201: LinkSerializer, **ERRORS})
    def create(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        data = validated(LinkWriteSerializer, request.data, context=self.context())
        archived = data.pop("archived", False)
        link = link_service.create_link(actor=user_of(request), workspace=self.workspace, data=data)
        if archived:
            link = link_service.set_archived(actor=user_of(request), link=link, archived=True)
        body = LinkSerializer(self._one(link.pk), context=self.context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID_PARAM],
        request=LinkWriteSerializer(partial=True),
        description='Change a link; {"archived": true} archives it (links are never '
        "deleted: their clicks and orders stay in reports).",
        responses={200: LinkSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        link = self._one(pk)
        data = validated(LinkWriteSerializer, request.data, context=self.context(), partial=True)
        archived = data.pop("archived", None)
        if data or archived is None:
            link = link_service.update_link(actor=user_of(request), link=link, data=data)
        if archived is not None:
            link = link_service.set_archived(actor=user_of(request), link=link, archived=archived)
        return Response(LinkSerializer(self._one(pk), context=self.context()).data)

    @extend_schema(
        description="One link per partner (or per channel name), all or nothing.",
        request=LinkBulkSerializer,
        responses={201: LinkSerializer(many=True), **ERRORS},
    )
    def bulk(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        data = validated(LinkBulkSerializer, request.data, context=self.context())
        partners = data.pop("partners", [])
        channels = data.pop("channels", [])
        created = link_service.bulk_create_links(
            actor=user_of(request),
            workspace=self.workspace,
            data=data,
            partners=partners,
            channels=channels,
        )
        found = queries.links(self.workspace, archived=None, ids=[link.pk for link in created])
        body = LinkSerializer(found, many=True, context=self.context()).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class PartnerViewSet(TrackingViewSet):
    serializer_class = PartnerSerializer

    def get_queryset(self) -> QuerySet[Partner]:
        return queries.partners(self.workspace)

    @extend_schema(
        parameters=[PartnerFilterSerializer],
        responses={200: PartnerSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        filters = validated(PartnerFilterSerializer, request.query_params)
        return self.paginated(queries.partners(self.workspace, **filters), PartnerSerializer)

    @extend_schema(parameters=[ID_PARAM], responses={200: PartnerSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(PartnerSerializer(queries.partner(self.workspace, pk)).data)

    @extend_schema(request=PartnerWriteSerializer, responses={201: PartnerSerializer, **ERRORS})
    def create(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        data = validated(PartnerWriteSerializer, request.data)
        partner = partner_service.create_partner(
            actor=user_of(request), workspace=self.workspace, data=data
        )
        return Response(PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID_PARAM],
        request=PartnerWriteSerializer(partial=True),
        responses={200: PartnerSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        partner = queries.partner(self.workspace, pk)
        data = validated(PartnerWriteSerializer, request.data, partial=True)
        partner = partner_service.update_partner(actor=user_of(request), partner=partner, data=data)
        return Response(PartnerSerializer(partner).data)

    @extend_schema(parameters=[ID_PARAM], responses={204: None, **ERRORS})
    def destroy(self, request: Request, workspace_pk: int, pk: int) -> Response:
        partner = queries.partner(self.workspace, pk)
        partner_service.delete_partner(actor=user_of(request), partner=partner)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class CodeViewSet(TrackingViewSet):
    serializer_class = CodeSerializer

    def get_queryset(self) -> QuerySet[PromoCode]:
        return queries.codes(self.workspace)

    @extend_schema(
        parameters=[CodeFilterSerializer], responses={200: CodeSerializer(many=True), **ERRORS}
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        filters = validated(CodeFilterSerializer, request.query_params)
        return self.paginated(queries.codes(self.workspace, **filters), CodeSerializer)

    @extend_schema(parameters=[ID_PARAM], responses={200: CodeSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(CodeSerializer(queries.code(self.workspace, pk)).data)

    @extend_schema(request=CodeWriteSerializer, responses={201: CodeSerializer, **ERRORS})
    def create(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        data = validated(CodeWriteSerializer, request.data, context=self.context())
        promo = code_service.create_code(
            actor=user_of(request), workspace=self.workspace, data=data
        )
        return Response(CodeSerializer(promo).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID_PARAM],
        request=CodeWriteSerializer(partial=True),
        responses={200: CodeSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        promo = queries.code(self.workspace, pk)
        data = validated(CodeWriteSerializer, request.data, context=self.context(), partial=True)
        promo = code_service.update_code(actor=user_of(request), promo=promo, data=data)
        return Response(CodeSerializer(promo).data)

    @extend_schema(parameters=[ID_PARAM], responses={204: None, **ERRORS})
    def destroy(self, request: Request, workspace_pk: int, pk: int) -> Response:
        promo = queries.code(self.workspace, pk)
        code_service.delete_code(actor=user_of(request), promo=promo)
        return Response(status=status.HTTP_204_NO_CONTENT)
