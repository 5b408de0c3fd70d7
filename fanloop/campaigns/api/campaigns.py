"""Campaigns themselves: list, create (optionally from an earlier one), detail with its
summary, edit, lifecycle transitions, state history, export, and open improvements."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.campaigns import queries, services, workflow
from fanloop.campaigns.api.common import (
    CAMPAIGN_PARAM,
    ERRORS,
    ID_PARAM,
    WORKSPACE_PARAM,
    CampaignField,
    CampaignScopedViewSet,
    FirstRenderer,
    ImprovementField,
    MemberField,
    user_of,
    validated,
)
from fanloop.campaigns.api.serializers import GoalSerializer, ImprovementSerializer
from fanloop.campaigns.export import XLSX_CONTENT_TYPE, campaign_to_dict, campaign_to_xlsx
from fanloop.campaigns.models import (
    Campaign,
    CampaignState,
    ImprovementItem,
    RiskStatus,
    StateChange,
    TaskStatus,
)
from fanloop.campaigns.services.campaigns import AGE_BANDS, CAMPAIGN_FIELDS
from fanloop.core.api import WorkspaceScopedViewSet
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform

SCOPE = [WORKSPACE_PARAM, CAMPAIGN_PARAM]


# Serializers ------------------------------------------------------------------------------


class PlatformRoleSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    role = serializers.CharField(
        max_length=100, allow_blank=True, default="", help_text="e.g. 种草 seeding"
    )


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    owner = MemberField(required=False, allow_null=True)
    owner_name = serializers.CharField(source="owner", read_only=True, allow_null=True)
    audience_age_bands = serializers.ListField(
        child=serializers.ChoiceField(choices=AGE_BANDS), required=False
    )
    platforms = PlatformRoleSerializer(many=True, required=False)
    products = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
    source_campaign: serializers.PrimaryKeyRelatedField[Campaign] = (
        serializers.PrimaryKeyRelatedField(
            read_only=True,
            allow_null=True,
            help_text="The earlier campaign this one started from",
        )
    )
    transitions = serializers.SerializerMethodField(
        help_text="Names of the transitions possible from the current state"
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "state",
            "transitions",
            "owner",
            "owner_name",
            "start_date",
            "end_date",
            "theme",
            "key_message",
            "visual_notes",
            "background",
            "audience_age_bands",
            "audience_gender",
            "audience_regions",
            "audience_interests",
            "audience_habits",
            "platforms",
            "products",
            "source_campaign",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "state", "created_at", "updated_at"]

    def get_transitions(self, campaign: Campaign) -> list[str]:
        return [step.name for step in workflow.available(campaign)]

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if "platforms" in value:
            value["platforms"] = [dict(row) for row in value["platforms"]]
        return value


class CampaignUpdateSerializer(CampaignSerializer):
    class Meta(CampaignSerializer.Meta):
        fields = list(CAMPAIGN_FIELDS)
        read_only_fields: list[str] = []


class CampaignCreateSerializer(CampaignUpdateSerializer):
    source_campaign = CampaignField(
        required=False,
        allow_null=True,
        help_text="Start from this earlier campaign: copies its goals, budget lines, phases "
        "and tasks, moved to the new dates",
    )
    adopt = ImprovementField(
        many=True,
        required=False,
        help_text="Ids of open improvement items from earlier retrospectives to adopt",
    )

    class Meta(CampaignUpdateSerializer.Meta):
        fields = [*CAMPAIGN_FIELDS, "source_campaign", "adopt"]


class CategoryTotalSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="Budget category code")
    planned_fen = serializers.IntegerField(help_text="In fen")
    actual_fen = serializers.IntegerField(help_text="In fen")


class BudgetTotalsSerializer(serializers.Serializer):
    planned_fen = serializers.IntegerField(help_text="Sum of planned amounts, in fen")
    actual_fen = serializers.IntegerField(help_text="Sum of spends (refunds negative), in fen")
    variance_fen = serializers.IntegerField(help_text="planned_fen - actual_fen")
    used_share = serializers.FloatField(allow_null=True, help_text="actual / planned")
    by_category = CategoryTotalSerializer(many=True)


class TaskCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    overdue = serializers.IntegerField()


class CampaignSummarySerializer(serializers.Serializer):
    goals = GoalSerializer(many=True, help_text="Goals with their pacing")
    off_pace_goals = serializers.IntegerField()
    budget = BudgetTotalsSerializer()
    tasks = TaskCountsSerializer()
    open_risks = serializers.IntegerField()
    adopted_improvements = ImprovementSerializer(
        many=True, help_text="Improvement items from earlier campaigns adopted by this one"
    )


class CampaignDetailSerializer(CampaignSerializer):
    summary = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "summary"]

    @extend_schema_field(CampaignSummarySerializer)
    def get_summary(self, campaign: Campaign) -> dict[str, Any]:
        today = timezone.localdate()
        paced = queries.goals_with_pacing(campaign, today)
        budget = queries.budget(campaign)
        tasks = list(campaign.tasks.only("status", "due_date"))
        adopted = campaign.adopted_improvements.select_related("owner", "retrospective__campaign")
        return {
            "goals": GoalSerializer(
                [goal for goal, _pace in paced],
                many=True,
                context={"pacing": {goal.pk: pace for goal, pace in paced}},
            ).data,
            "off_pace_goals": sum(1 for _goal, pace in paced if pace.on_pace is False),
            "budget": {
                "planned_fen": budget.planned_fen,
                "actual_fen": budget.actual_fen,
                "variance_fen": budget.variance_fen,
                "used_share": budget.used_share,
                "by_category": [
                    {"category": category, "planned_fen": planned, "actual_fen": actual}
                    for category, (planned, actual) in budget.by_category.items()
                ],
            },
            "tasks": {
                "total": len(tasks),
                "done": sum(1 for task in tasks if task.status == TaskStatus.DONE),
                "overdue": sum(1 for task in tasks if task.is_overdue(today)),
            },
            "open_risks": campaign.risks.exclude(
                status__in=[RiskStatus.MITIGATED, RiskStatus.CLOSED]
            ).count(),
            "adopted_improvements": ImprovementSerializer(adopted, many=True).data,
        }


class CampaignFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=CampaignState.choices, required=False)
    owner = serializers.IntegerField(required=False, help_text="Owner's user id")
    active_on = serializers.DateField(required=False, help_text="Campaigns running on this day")
    q = serializers.CharField(required=False, allow_blank=True, help_text="Name or theme contains")


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField(help_text="The state the campaign moves to")
    needs_note = serializers.BooleanField(help_text="A note saying why is required")
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="What must be fixed first; empty when possible"
    )


class CampaignTransitionSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=[(t.name, t.label) for t in workflow.TRANSITIONS])
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class StateChangeSerializer(serializers.ModelSerializer[StateChange]):
    from_state = serializers.CharField(help_text="Campaign state before; empty on creation")
    to_state = serializers.CharField(help_text="Campaign state after")
    actor_name = serializers.CharField(source="actor", read_only=True, allow_null=True)

    class Meta:
        model = StateChange
        fields = ["id", "from_state", "to_state", "actor", "actor_name", "note", "created_at"]
        read_only_fields = fields


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["json", "xlsx"], default="json")


# Views ------------------------------------------------------------------------------------


@extend_schema(tags=["campaigns"], parameters=[WORKSPACE_PARAM])
class CampaignViewSet(WorkspaceScopedViewSet[Campaign]):
    serializer_class = CampaignSerializer
    view_action = Action.CAMPAIGN_VIEW

    def context(self) -> dict[str, Any]:
        return {"request": self.request, "workspace": self.workspace}

    def respond_detail(self, campaign: Campaign, code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.campaign(self.workspace, campaign.pk)
        return Response(CampaignDetailSerializer(fresh, context=self.context()).data, status=code)

    @extend_schema(
        parameters=[CampaignFilterSerializer],
        responses={200: CampaignSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        filters = validated(CampaignFilterSerializer, request.query_params)
        found = queries.campaigns(
            self.workspace,
            state=filters.get("state", ""),
            owner=filters.get("owner"),
            active_on=filters.get("active_on"),
            text=filters.get("q", ""),
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(
            CampaignSerializer(page, many=True, context=self.context()).data
        )

    @extend_schema(
        description="Creates a draft. With source_campaign the plan of an earlier campaign "
        "is copied; adopt links open improvement items from earlier retrospectives.",
        request=CampaignCreateSerializer,
        responses={201: CampaignDetailSerializer, **ERRORS},
    )
    def create(self, request: Request, workspace_pk: int) -> Response:
        data = validated(CampaignCreateSerializer, request.data, context=self.context())
        source = data.pop("source_campaign", None)
        adopt = data.pop("adopt", None)
        campaign = services.create_campaign(
            actor=user_of(request), workspace=self.workspace, data=data, source=source, adopt=adopt
        )
        return self.respond_detail(campaign, status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PARAM], responses={200: CampaignDetailSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return self.respond_detail(queries.campaign(self.workspace, pk))

    @extend_schema(
        parameters=[ID_PARAM],
        request=CampaignUpdateSerializer,
        responses={200: CampaignDetailSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        campaign = queries.campaign(self.workspace, pk)
        data = validated(
            CampaignUpdateSerializer, request.data, context=self.context(), partial=True
        )
        campaign = services.update_campaign(actor=user_of(request), campaign=campaign, data=data)
        return self.respond_detail(campaign)


@extend_schema(tags=["campaigns"], parameters=SCOPE)
class TransitionViewSet(CampaignScopedViewSet[Campaign]):
    serializer_class = TransitionSerializer
    pagination_class = None

    @extend_schema(
        summary="Transitions possible from the campaign's state, with what blocks them",
        responses={200: TransitionSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        self.check_view()
        rows = [
            {
                "name": step.name,
                "label": str(step.label),
                "target": step.target,
                "needs_note": step.needs_note,
                "problems": step.problems(self.campaign),
            }
            for step in workflow.available(self.campaign)
        ]
        return Response(TransitionSerializer(rows, many=True).data)

    @extend_schema(
        summary="Move the campaign along its lifecycle",
        description="draft → planned → launching → live → wrapping up → closed; cancel "
        "from any open state (with a note). When a check fails the answer is a 400 whose "
        "field_errors.transition lists every problem.",
        request=CampaignTransitionSerializer,
        responses={200: CampaignSerializer, **ERRORS},
    )
    def create(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        data = validated(CampaignTransitionSerializer, request.data)
        campaign = services.transition(actor=user_of(request), campaign=self.campaign, **data)
        fresh = queries.campaign(self.workspace, campaign.pk)
        return Response(CampaignSerializer(fresh, context=self.context()).data)


@extend_schema(tags=["campaigns"], parameters=SCOPE)
class HistoryViewSet(CampaignScopedViewSet[StateChange]):
    serializer_class = StateChangeSerializer

    @extend_schema(
        summary="The campaign's state changes, oldest first",
        responses={200: StateChangeSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        self.check_view()
        return self.paginated(
            self.campaign.state_changes.select_related("actor"), StateChangeSerializer
        )


@extend_schema(tags=["campaigns"], parameters=SCOPE)
class ExportViewSet(CampaignScopedViewSet[Campaign]):
    serializer_class = ExportQuerySerializer
    pagination_class = None
    content_negotiation_class = FirstRenderer

    @extend_schema(
        summary="The whole plan as JSON or as an Excel workbook (one sheet per section)",
        parameters=[ExportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            **ERRORS,
        },
    )
    def retrieve(
        self, request: Request, workspace_pk: int, campaign_pk: int
    ) -> Response | HttpResponse:
        self.check_view()
        export_format = validated(ExportQuerySerializer, request.query_params)["format"]
        if export_format == "xlsx":
            response = HttpResponse(campaign_to_xlsx(self.campaign), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = (
                f'attachment; filename="campaign-{self.campaign.pk}.xlsx"'
            )
            return response
        return Response(campaign_to_dict(self.campaign))


@extend_schema(tags=["campaigns"], parameters=[WORKSPACE_PARAM])
class ImprovementViewSet(WorkspaceScopedViewSet[ImprovementItem]):
    serializer_class = ImprovementSerializer
    view_action = Action.CAMPAIGN_VIEW

    def get_queryset(self) -> QuerySet[ImprovementItem]:
        return queries.open_improvements(self.workspace)

    @extend_schema(
        summary="Open improvement items from retrospectives, waiting to be adopted",
        responses={200: ImprovementSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ImprovementSerializer(page, many=True).data)
