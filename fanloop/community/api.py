"""The community REST API: groups (CRUD), members (list), metrics (read), events (CRUD).
Thin over ``services`` and ``queries``; everyone in the workspace may read, people whose
role may run fan groups may write."""

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.campaigns.api.common import (
    CampaignField,
    MemberField,
    user_of,
    validated,
)
from fanloop.channels.models import ChannelAccount
from fanloop.community import queries
from fanloop.community.models import (
    EventKind,
    EventStatus,
    FanGroup,
    GroupDay,
    GroupEvent,
    GroupMember,
    GroupPlatform,
    GroupType,
    MemberRole,
    MemberSpell,
)
from fanloop.community.services import events as event_service
from fanloop.community.services import groups as group_service
from fanloop.community.services.common import workspace_today
from fanloop.core.api import ERRORS, WORKSPACE_PARAM, WorkspaceScopedViewSet

TAGS = ["community"]
MAX_ID = 9_223_372_036_854_775_807
ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
GROUP_PARAM = OpenApiParameter("group_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
MAX_SPAN_DAYS = 366


# Serializers ------------------------------------------------------------------------------


class GroupSerializer(serializers.ModelSerializer[FanGroup]):
    platform_label = serializers.CharField(source="get_platform_display", read_only=True)
    group_type_label = serializers.CharField(source="get_group_type_display", read_only=True)
    campaigns = serializers.SerializerMethodField(help_text="Ids of the linked campaigns")
    content_topics = serializers.ListField(child=serializers.CharField(), read_only=True)
    has_qr_image = serializers.SerializerMethodField()
    # May be empty: not a "uri" in the schema.
    invite_url = serializers.CharField(read_only=True)

    class Meta:
        model = FanGroup
        fields = [
            "id",
            "platform",
            "platform_label",
            "name",
            "group_type",
            "group_type_label",
            "audience",
            "theme",
            "owner",
            "rules",
            "campaigns",
            "content_topics",
            "posts_per_week",
            "content_notes",
            "invite_url",
            "has_qr_image",
            "channel_account",
            "remote_chat_id",
            "last_synced_at",
            "archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_campaigns(self, group: FanGroup) -> list[int]:
        return [c.pk for c in group.campaigns.all()]

    def get_has_qr_image(self, group: FanGroup) -> bool:
        return bool(group.qr_image)


class WecomAccountField(serializers.PrimaryKeyRelatedField[ChannelAccount]):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", ChannelAccount.objects.all())
        kwargs.setdefault("help_text", "Id of a WeCom account of this workspace")
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[ChannelAccount]:
        return ChannelAccount.objects.filter(workspace=self.context["workspace"], platform="wecom")


class GroupWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    platform = serializers.ChoiceField(choices=GroupPlatform.choices)
    group_type = serializers.ChoiceField(choices=GroupType.choices, required=False)
    audience = serializers.CharField(max_length=300, required=False, allow_blank=True)
    theme = serializers.CharField(max_length=200, required=False, allow_blank=True)
    owner = MemberField(required=False, allow_null=True)
    rules = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    campaigns = serializers.ListField(child=CampaignField(), required=False, max_length=50)
    content_topics = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=30
    )
    posts_per_week = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=200
    )
    content_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    invite_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    channel_account = WecomAccountField(required=False, allow_null=True)
    remote_chat_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    archived = serializers.BooleanField(required=False)


class GroupFilterSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=GroupPlatform.choices, required=False)
    group_type = serializers.ChoiceField(choices=GroupType.choices, required=False)
    owner = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    campaign = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    archived = serializers.BooleanField(required=False, default=False)


class SpellSerializer(serializers.ModelSerializer[MemberSpell]):
    class Meta:
        model = MemberSpell
        fields = ["joined_at", "left_at", "source", "join_scene"]


class MemberSerializer(serializers.ModelSerializer[GroupMember]):
    in_group = serializers.BooleanField(read_only=True)
    stays = SpellSerializer(source="spells", many=True, read_only=True)

    class Meta:
        model = GroupMember
        fields = [
            "id",
            "nickname",
            "role",
            "is_staff",
            "in_group",
            "first_joined_at",
            "joined_at",
            "left_at",
            "customer_id",
            "stays",
        ]
        read_only_fields = fields


class MemberFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[("in", "in"), ("left", "left")], required=False)
    role = serializers.ChoiceField(choices=MemberRole.choices, required=False)


class DaySerializer(serializers.ModelSerializer[GroupDay]):
    active_ratio = serializers.SerializerMethodField()

    class Meta:
        model = GroupDay
        fields = [
            "day",
            "members",
            "joined",
            "left",
            "dau",
            "wau",
            "mau",
            "active_ratio",
            "messages",
            "interactions",
            "online_minutes_avg",
            "health",
            "activity_source",
        ]
        read_only_fields = fields

    def get_active_ratio(self, row: GroupDay) -> float | None:
        return round(row.dau / row.members, 4) if row.members else None


class MetricsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"start": "start is after end"})
        if start and end and (end - start).days >= MAX_SPAN_DAYS:
            raise serializers.ValidationError({"start": "at most 366 days at a time"})
        return attrs


class HealthPartSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, popped by DRF
    measure = serializers.FloatField()
    target = serializers.CharField()
    weight = serializers.FloatField()
    points = serializers.FloatField()


class HealthSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True, help_text="0-100; null without figures")
    parts = HealthPartSerializer(many=True)


class MetricsSerializer(serializers.Serializer):
    group = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    health = HealthSerializer()
    days = DaySerializer(many=True)


class EventSerializer(serializers.ModelSerializer[GroupEvent]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = GroupEvent
        fields = [
            "id",
            "group",
            "kind",
            "kind_label",
            "title",
            "starts_at",
            "ends_at",
            "host",
            "materials",
            "outcome_notes",
            "participants",
            "status",
            "status_label",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EventWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    host = MemberField(required=False, allow_null=True)
    materials = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    outcome_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    participants = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10_000_000
    )
    status = serializers.ChoiceField(choices=EventStatus.choices, required=False)


# Views ------------------------------------------------------------------------------------


class CommunityViewSet(WorkspaceScopedViewSet[Any]):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # An id no database column can hold names nothing: 404, not a driver overflow.
        if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in self.kwargs.values()):
            raise NotFound()
        super().initial(request, *args, **kwargs)

    def context(self) -> dict[str, Any]:
        return {"request": self.request, "workspace": self.workspace}

    @property
    def group(self) -> FanGroup:
        if not hasattr(self, "_group"):
            self._group = queries.group(self.workspace, int(self.kwargs["group_pk"]))
        return self._group

    def paginated(self, items: Any, serializer: type[serializers.BaseSerializer[Any]]) -> Any:
        page = self.paginate_queryset(items)
        return self.get_paginated_response(serializer(page, many=True).data)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class GroupViewSet(CommunityViewSet):
    serializer_class = GroupSerializer

    def get_queryset(self) -> QuerySet[FanGroup]:
        return queries.groups(self.workspace)

    @extend_schema(
        parameters=[GroupFilterSerializer], responses={200: GroupSerializer(many=True), **ERRORS}
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        filters = validated(GroupFilterSerializer, request.query_params)
        found = queries.groups(self.workspace, **filters).prefetch_related("campaigns")
        return self.paginated(found, GroupSerializer)

    @extend_schema(parameters=[ID_PARAM], responses={200: GroupSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(GroupSerializer(queries.group(self.workspace, pk)).data)

    @extend_schema(request=GroupWriteSerializer, responses={201: GroupSerializer, **ERRORS})
    def create(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        data = validated(GroupWriteSerializer, request.data, context=self.context())
        group = group_service.create_group(
            actor=user_of(request), workspace=self.workspace, data=data
        )
        return Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID_PARAM],
        request=GroupWriteSerializer(partial=True),
        responses={200: GroupSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        group = queries.group(self.workspace, pk)
        data = validated(GroupWriteSerializer, request.data, context=self.context(), partial=True)
        group = group_service.update_group(actor=user_of(request), group=group, data=data)
        return Response(GroupSerializer(group).data)

    @extend_schema(parameters=[ID_PARAM], responses={204: None, **ERRORS})
    def destroy(self, request: Request, workspace_pk: int, pk: int) -> Response:
        group = queries.group(self.workspace, pk)
        group_service.delete_group(actor=user_of(request), group=group)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM, GROUP_PARAM])
class MemberViewSet(CommunityViewSet):
    serializer_class = MemberSerializer

    def get_queryset(self) -> QuerySet[GroupMember]:
        return queries.members(self.group)

    @extend_schema(
        parameters=[MemberFilterSerializer],
        responses={200: MemberSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int, group_pk: int) -> Response:
        self.check_view()
        filters = validated(MemberFilterSerializer, request.query_params)
        return self.paginated(queries.members(self.group, **filters), MemberSerializer)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM, GROUP_PARAM])
class MetricsViewSet(CommunityViewSet):
    serializer_class = DaySerializer

    def get_queryset(self) -> QuerySet[GroupDay]:
        return GroupDay.objects.filter(group=self.group)

    @extend_schema(
        description="Daily figures from start to end (default: the last 30 days) and the "
        "health score of the end day with its parts.",
        parameters=[MetricsQuerySerializer],
        responses={200: MetricsSerializer, **ERRORS},
    )
    def summary(self, request: Request, workspace_pk: int, group_pk: int) -> Response:
        self.check_view()
        query = validated(MetricsQuerySerializer, request.query_params)
        end = query.get("end") or workspace_today(self.workspace)
        start = query.get("start") or end - timedelta(days=29)
        if (end - start).days >= MAX_SPAN_DAYS:
            start = end - timedelta(days=MAX_SPAN_DAYS - 1)
        health, _latest = queries.health_now(self.group, end)
        return Response(
            {
                "group": self.group.pk,
                "start": start,
                "end": end,
                "health": {
                    "score": health.score,
                    "parts": [
                        {
                            "key": p.key,
                            "label": p.label,
                            "measure": p.measure,
                            "target": p.target,
                            "weight": p.weight,
                            "points": p.points,
                        }
                        for p in health.parts
                    ],
                },
                "days": DaySerializer(queries.days(self.group, start, end), many=True).data,
            }
        )


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM, GROUP_PARAM])
class EventViewSet(CommunityViewSet):
    serializer_class = EventSerializer

    def get_queryset(self) -> QuerySet[GroupEvent]:
        return queries.events(self.group)

    @extend_schema(responses={200: EventSerializer(many=True), **ERRORS})
    def list(self, request: Request, workspace_pk: int, group_pk: int) -> Response:
        self.check_view()
        return self.paginated(queries.events(self.group), EventSerializer)

    @extend_schema(parameters=[ID_PARAM], responses={200: EventSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, group_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(EventSerializer(queries.event(self.group, pk)).data)

    @extend_schema(request=EventWriteSerializer, responses={201: EventSerializer, **ERRORS})
    def create(self, request: Request, workspace_pk: int, group_pk: int) -> Response:
        group = self.group
        data = validated(EventWriteSerializer, request.data, context=self.context())
        event = event_service.create_event(actor=user_of(request), group=group, data=data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID_PARAM],
        request=EventWriteSerializer(partial=True),
        responses={200: EventSerializer, **ERRORS},
    )
    def partial_update(
        self, request: Request, workspace_pk: int, group_pk: int, pk: int
    ) -> Response:
        event = queries.event(self.group, pk)
        data = validated(EventWriteSerializer, request.data, context=self.context(), partial=True)
        event = event_service.update_event(actor=user_of(request), event=event, data=data)
        return Response(EventSerializer(event).data)

    @extend_schema(parameters=[ID_PARAM], responses={204: None, **ERRORS})
    def destroy(self, request: Request, workspace_pk: int, group_pk: int, pk: int) -> Response:
        event = queries.event(self.group, pk)
        event_service.delete_event(actor=user_of(request), event=event)
        return Response(status=status.HTTP_204_NO_CONTENT)
