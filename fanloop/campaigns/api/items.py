"""The campaign's plan items, one generic viewset over ``services.items.KINDS``.

Goals, budget lines, phases, milestones, tasks, competitors, research notes and risks
share list / create / retrieve / partial_update / destroy; goal measurements, spends,
feasibility and the retrospective have their own small viewsets.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import Model, Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.campaigns import queries, services
from fanloop.campaigns.api.common import (
    CAMPAIGN_PARAM,
    ERRORS,
    ID_PARAM,
    WORKSPACE_PARAM,
    CampaignScopedViewSet,
    user_of,
    validated,
)
from fanloop.campaigns.api.serializers import (
    BudgetLineSerializer,
    CompetitorSerializer,
    FeasibilitySerializer,
    GoalSerializer,
    MeasurementSerializer,
    MilestoneSerializer,
    PhaseSerializer,
    ResearchNoteSerializer,
    RetrospectiveSerializer,
    RetrospectiveWriteSerializer,
    RiskSerializer,
    SpendSerializer,
    TaskSerializer,
)
from fanloop.campaigns.models import (
    BudgetLine,
    BudgetSpend,
    Feasibility,
    Goal,
    GoalMeasurement,
    Retrospective,
    Task,
)
from fanloop.campaigns.services.items import KINDS
from fanloop.core.permissions import Action, allowed
from fanloop.core.services import role_of

SCOPE = [WORKSPACE_PARAM, CAMPAIGN_PARAM]


class ItemViewSet(CampaignScopedViewSet[Any]):
    """CRUD for one kind of plan item; writes go through ``services.save_item``."""

    kind: ClassVar[str]

    def items(self) -> QuerySet[Any]:
        model = KINDS[self.kind].model
        if self.kind == "milestone":
            return model.objects.filter(phase__campaign=self.campaign)  # type: ignore[attr-defined]
        return model.objects.filter(campaign=self.campaign)  # type: ignore[attr-defined]

    def get_queryset(self) -> QuerySet[Any]:
        return self.items()

    def item(self, pk: int) -> Any:
        found = self.items().filter(pk=pk).first()
        if found is None:
            raise Http404("No such item")
        return found

    def respond(self, item: Model, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.item(int(item.pk))  # re-read with the list's annotations
        body = self.get_serializer_class()(fresh, context=self.context()).data
        return Response(body, status=code)

    def list(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        self.check_view()
        return self.paginated(self.items(), self.get_serializer_class())

    def create(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        data = validated(self.get_serializer_class(), request.data, context=self.context())
        item = services.save_item(
            actor=user_of(request), campaign=self.campaign, kind=self.kind, data=data
        )
        return self.respond(item, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, workspace_pk: int, campaign_pk: int, pk: int) -> Response:
        self.check_view()
        return self.respond(self.item(pk))

    def partial_update(
        self, request: Request, workspace_pk: int, campaign_pk: int, pk: int
    ) -> Response:
        item = self.item(pk)
        data = validated(
            self.get_serializer_class(), request.data, context=self.context(), partial=True
        )
        item = services.save_item(
            actor=user_of(request), campaign=self.campaign, kind=self.kind, data=data, item=item
        )
        return self.respond(item)

    def destroy(self, request: Request, workspace_pk: int, campaign_pk: int, pk: int) -> Response:
        item = self.item(pk)
        services.delete_item(
            actor=user_of(request), campaign=self.campaign, kind=self.kind, item=item
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def item_schema(
    serializer: type[serializers.BaseSerializer[Any]], plural: str, extra: str = ""
) -> Callable[[type[ItemViewSet]], type[ItemViewSet]]:
    """The OpenAPI description of one kind's five operations."""
    many = serializer(many=True)
    return extend_schema_view(
        list=extend_schema(
            summary=f"List the campaign's {plural}", responses={200: many, **ERRORS}
        ),
        create=extend_schema(
            summary=f"Add to the campaign's {plural}",
            description=extra,
            request=serializer,
            responses={201: serializer, **ERRORS},
        ),
        retrieve=extend_schema(parameters=[ID_PARAM], responses={200: serializer, **ERRORS}),
        partial_update=extend_schema(
            description=extra,
            parameters=[ID_PARAM],
            request=serializer,
            responses={200: serializer, **ERRORS},
        ),
        destroy=extend_schema(parameters=[ID_PARAM], responses={204: None, **ERRORS}),
    )


@extend_schema(tags=["campaign goals"], parameters=SCOPE)
@item_schema(
    GoalSerializer,
    "goals",
    "A goal must be measurable: a catalogued metric, a target that differs from the "
    "baseline in the metric's direction, and a deadline inside the campaign.",
)
class GoalViewSet(ItemViewSet):
    kind = "goal"
    serializer_class = GoalSerializer

    def context(self) -> dict[str, Any]:
        return {**super().context(), "pacing": {}}

    def items(self) -> QuerySet[Any]:
        return super().items().select_related("campaign__workspace")


@extend_schema(tags=["campaign budget"], parameters=SCOPE)
@item_schema(BudgetLineSerializer, "budget lines", "Needs the budget.edit permission.")
class BudgetLineViewSet(ItemViewSet):
    kind = "budget_line"
    serializer_class = BudgetLineSerializer

    def items(self) -> QuerySet[Any]:
        return super().items().annotate(actual=Sum("spends__amount_fen")).order_by("category", "id")


@extend_schema(tags=["campaign timeline"], parameters=SCOPE)
@item_schema(PhaseSerializer, "phases")
class PhaseViewSet(ItemViewSet):
    kind = "phase"
    serializer_class = PhaseSerializer

    def items(self) -> QuerySet[Any]:
        return super().items().select_related("owner").prefetch_related("milestones")


@extend_schema(tags=["campaign timeline"], parameters=SCOPE)
@item_schema(MilestoneSerializer, "milestones")
class MilestoneViewSet(ItemViewSet):
    kind = "milestone"
    serializer_class = MilestoneSerializer


@extend_schema(tags=["campaign tasks"], parameters=SCOPE)
@item_schema(
    TaskSerializer,
    "tasks",
    "depends_on lists task ids of the same campaign; loops are refused. The task's "
    "owner may change its status and checklist even without the campaign.edit permission.",
)
class TaskViewSet(ItemViewSet):
    kind = "task"
    serializer_class = TaskSerializer
    OWNER_FIELDS: ClassVar[set[str]] = {"status", "checklist"}

    def items(self) -> QuerySet[Any]:
        return (
            super()
            .items()
            .select_related("owner", "phase")
            .prefetch_related(Prefetch("depends_on", queryset=Task.objects.only("id")))
        )

    def context(self) -> dict[str, Any]:
        return {**super().context(), "today": timezone.localdate()}

    def partial_update(
        self, request: Request, workspace_pk: int, campaign_pk: int, pk: int
    ) -> Response:
        task = self.item(pk)
        actor = user_of(request)
        data = validated(TaskSerializer, request.data, context=self.context(), partial=True)
        may_edit = allowed(role_of(actor, self.workspace), Action.CAMPAIGN_EDIT)
        if task.owner_id == actor.pk and not may_edit and set(data) <= self.OWNER_FIELDS:
            task = services.update_my_task(actor=actor, task=task, **data)
        else:
            task = services.save_item(
                actor=actor, campaign=self.campaign, kind="task", data=data, item=task
            )
        return self.respond(task)


@extend_schema(tags=["campaign research"], parameters=SCOPE)
@item_schema(CompetitorSerializer, "competitors")
class CompetitorViewSet(ItemViewSet):
    kind = "competitor"
    serializer_class = CompetitorSerializer


@extend_schema(tags=["campaign research"], parameters=SCOPE)
@item_schema(ResearchNoteSerializer, "research notes")
class ResearchNoteViewSet(ItemViewSet):
    kind = "research_note"
    serializer_class = ResearchNoteSerializer


@extend_schema(tags=["campaign risks"], parameters=SCOPE)
@item_schema(RiskSerializer, "risks")
class RiskViewSet(ItemViewSet):
    kind = "risk"
    serializer_class = RiskSerializer

    def items(self) -> QuerySet[Any]:
        return super().items().select_related("owner")


# Actuals: goal measurements and budget spends ---------------------------------------------

GOAL_PARAM = OpenApiParameter("goal_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
LINE_PARAM = OpenApiParameter("line_pk", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema(tags=["campaign goals"], parameters=[*SCOPE, GOAL_PARAM])
class MeasurementViewSet(CampaignScopedViewSet[GoalMeasurement]):
    serializer_class = MeasurementSerializer

    def goal(self) -> Goal:
        return queries.item(self.campaign, Goal, int(self.kwargs["goal_pk"]))

    @extend_schema(responses={200: MeasurementSerializer(many=True), **ERRORS})
    def list(self, request: Request, workspace_pk: int, campaign_pk: int, goal_pk: int) -> Response:
        self.check_view()
        return self.paginated(self.goal().measurements.all(), MeasurementSerializer)

    @extend_schema(
        summary="Record a goal's actual value on a day",
        description="One value per day: posting the same date again replaces it (200).",
        request=MeasurementSerializer,
        responses={201: MeasurementSerializer, 200: MeasurementSerializer, **ERRORS},
    )
    def create(
        self, request: Request, workspace_pk: int, campaign_pk: int, goal_pk: int
    ) -> Response:
        goal = self.goal()
        data = validated(MeasurementSerializer, request.data)
        existed = goal.measurements.filter(measured_on=data["measured_on"]).exists()
        measurement = services.record_measurement(actor=user_of(request), goal=goal, **data)
        return Response(
            MeasurementSerializer(measurement).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


@extend_schema(tags=["campaign budget"], parameters=[*SCOPE, LINE_PARAM])
class SpendViewSet(CampaignScopedViewSet[BudgetSpend]):
    serializer_class = SpendSerializer

    def line(self) -> BudgetLine:
        return queries.item(self.campaign, BudgetLine, int(self.kwargs["line_pk"]))

    @extend_schema(responses={200: SpendSerializer(many=True), **ERRORS})
    def list(self, request: Request, workspace_pk: int, campaign_pk: int, line_pk: int) -> Response:
        self.check_view()
        return self.paginated(self.line().spends.all(), SpendSerializer)

    @extend_schema(
        summary="Record actual spend on a budget line",
        description="Refunds are negative amounts. With an external_ref the call is "
        "idempotent: the same reference again returns the spend already recorded (200).",
        request=SpendSerializer,
        responses={201: SpendSerializer, 200: SpendSerializer, **ERRORS},
    )
    def create(
        self, request: Request, workspace_pk: int, campaign_pk: int, line_pk: int
    ) -> Response:
        line = self.line()
        data = validated(SpendSerializer, request.data)
        ref = data.get("external_ref", "")
        existed = bool(ref) and line.spends.filter(external_ref=ref).exists()
        spend = services.add_spend(actor=user_of(request), line=line, **data)
        return Response(
            SpendSerializer(spend).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


# Feasibility and retrospective: one per campaign ------------------------------------------


@extend_schema(tags=["campaign research"], parameters=SCOPE)
class FeasibilityViewSet(CampaignScopedViewSet[Feasibility]):
    serializer_class = FeasibilitySerializer
    pagination_class = None

    @extend_schema(
        summary="The campaign's feasibility assessment (404 until one is saved)",
        responses={200: FeasibilitySerializer, **ERRORS},
    )
    def retrieve(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        self.check_view()
        found = Feasibility.objects.filter(campaign=self.campaign).first()
        if found is None:
            raise Http404("No feasibility assessment yet")
        return Response(FeasibilitySerializer(found).data)

    @extend_schema(
        summary="Save the feasibility assessment",
        request=FeasibilitySerializer,
        responses={200: FeasibilitySerializer, **ERRORS},
    )
    def update(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        data = validated(FeasibilitySerializer, request.data)
        saved = services.save_feasibility(actor=user_of(request), campaign=self.campaign, data=data)
        return Response(FeasibilitySerializer(saved).data)


@extend_schema(tags=["campaign retrospective"], parameters=SCOPE)
class RetrospectiveViewSet(CampaignScopedViewSet[Retrospective]):
    serializer_class = RetrospectiveSerializer
    pagination_class = None

    def found(self) -> Retrospective:
        retro = (
            Retrospective.objects.filter(campaign=self.campaign)
            .prefetch_related("improvements__owner", "improvements__retrospective__campaign")
            .first()
        )
        if retro is None:
            raise Http404("No retrospective yet")
        return retro

    @extend_schema(
        summary="The campaign's retrospective (404 until one is written)",
        responses={200: RetrospectiveSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        self.check_view()
        return Response(RetrospectiveSerializer(self.found()).data)

    @extend_schema(
        summary="Write the retrospective",
        description="Possible once the campaign is live. Fields left out keep their "
        "text; improvements are added as new items.",
        request=RetrospectiveWriteSerializer,
        responses={200: RetrospectiveSerializer, **ERRORS},
    )
    def update(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        data = validated(RetrospectiveWriteSerializer, request.data, context=self.context())
        improvements = [dict(row) for row in data.pop("improvements", [])]
        services.save_retrospective(
            actor=user_of(request),
            campaign=self.campaign,
            data=data,
            improvements=improvements,
        )
        return Response(RetrospectiveSerializer(self.found()).data)

    @extend_schema(
        summary="Mark the retrospective complete (needed before closing)",
        request=None,
        responses={200: RetrospectiveSerializer, **ERRORS},
    )
    def complete(self, request: Request, workspace_pk: int, campaign_pk: int) -> Response:
        services.complete_retrospective(actor=user_of(request), campaign=self.campaign)
        return Response(RetrospectiveSerializer(self.found()).data)
