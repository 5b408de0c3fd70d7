"""Serializers for the parts of a campaign plan: goals, budget, timeline, research, risks.

Input is checked for shape here (types, choices, ids inside the workspace/campaign);
every rule about meaning (SMART goals, dates inside the campaign, dependency loops) is
the services' job, so the API, UI and CLI refuse the same things with the same words.
"""

from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fanloop.campaigns import pacing
from fanloop.campaigns.api.common import BIGINT, MemberField, PhaseField, TaskField
from fanloop.campaigns.models import (
    BudgetLine,
    BudgetSpend,
    Competitor,
    Feasibility,
    Goal,
    GoalMeasurement,
    ImprovementItem,
    Milestone,
    Phase,
    ResearchNote,
    Retrospective,
    Risk,
    Task,
)
from fanloop.core.metrics import CATALOGUE
from fanloop.core.platforms import Platform

FEN_HELP = "Integer amount in fen (分): 1 yuan (元) = 100 fen. ¥1,234.50 is 123450."


def _owner_name(read_only: bool = True) -> serializers.CharField:
    return serializers.CharField(
        source="owner", read_only=read_only, allow_null=True, help_text="Owner's display name"
    )


# Goals ------------------------------------------------------------------------------------


class PacingSerializer(serializers.Serializer):
    actual = serializers.DecimalField(
        max_digits=None, decimal_places=4, allow_null=True, help_text="Latest actual value"
    )
    as_of = serializers.DateField(allow_null=True, help_text="Date of the latest actual value")
    progress = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="Share of the way from baseline to target (1 = reached)",
    )
    elapsed = serializers.DecimalField(
        max_digits=None, decimal_places=4, help_text="Share of the time from start to deadline"
    )
    needed_per_day = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="Change per day still needed to reach the target",
    )
    projected = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="Value at the deadline if the trend holds",
    )
    on_pace = serializers.BooleanField(
        allow_null=True, help_text="null when there are no actuals yet"
    )


class GoalSerializer(serializers.ModelSerializer[Goal]):
    unit = serializers.SerializerMethodField()
    higher_is_better = serializers.SerializerMethodField()
    pacing = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = [
            "id",
            "goal_type",
            "metric",
            "baseline",
            "target",
            "scope",
            "scope_value",
            "deadline",
            "note",
            "unit",
            "higher_is_better",
            "pacing",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "scope_value": {"help_text": "Platform code, channel or KOL name; empty for campaign"},
            "target": {"help_text": "For money metrics (GMV) in fen; percentages are 0-100"},
        }

    def get_unit(self, goal: Goal) -> str:
        return CATALOGUE[goal.metric].unit

    def get_higher_is_better(self, goal: Goal) -> bool:
        return CATALOGUE[goal.metric].higher_is_better

    @extend_schema_field(PacingSerializer)
    def get_pacing(self, goal: Goal) -> dict[str, Any]:
        known: dict[int, pacing.Pacing] = self.context.get("pacing", {})
        pace = known.get(goal.pk) or pacing.goal_pacing(goal, timezone.localdate())
        return dict(PacingSerializer(pace).data)


class MeasurementSerializer(serializers.ModelSerializer[GoalMeasurement]):
    class Meta:
        model = GoalMeasurement
        fields = ["id", "measured_on", "value", "source_note", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list[Any] = []  # one per day is an upsert in the service, not an error
        extra_kwargs = {"source_note": {"help_text": "Where the number comes from"}}


# Budget -----------------------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer[BudgetLine]):
    planned_fen = serializers.IntegerField(min_value=0, max_value=BIGINT, help_text=FEN_HELP)
    actual_fen = serializers.SerializerMethodField(help_text="Sum of the spends, in fen")
    variance_fen = serializers.SerializerMethodField(help_text="planned_fen - actual_fen")

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "category",
            "description",
            "planned_fen",
            "actual_fen",
            "variance_fen",
            "currency",
            "vendor",
            "note",
        ]
        read_only_fields = ["id", "currency"]

    def get_actual_fen(self, line: BudgetLine) -> int:
        actual = getattr(line, "actual", None)
        if actual is None and not hasattr(line, "actual"):
            actual = line.spends.aggregate(n=Sum("amount_fen"))["n"]
        return int(actual or 0)

    def get_variance_fen(self, line: BudgetLine) -> int:
        return line.planned_fen - self.get_actual_fen(line)


class SpendSerializer(serializers.ModelSerializer[BudgetSpend]):
    amount_fen = serializers.IntegerField(
        min_value=-BIGINT, max_value=BIGINT, help_text=f"{FEN_HELP} Refunds are negative."
    )
    external_ref = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="Import row reference; posting the same reference again returns the "
        "existing spend instead of counting it twice",
    )

    class Meta:
        model = BudgetSpend
        fields = ["id", "spent_on", "amount_fen", "source", "external_ref", "note", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list[Any] = []


# Timeline and tasks -----------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    phase = PhaseField()

    class Meta:
        model = Milestone
        fields = ["id", "phase", "name", "due_date", "done"]
        read_only_fields = ["id"]


class PhaseSerializer(serializers.ModelSerializer[Phase]):
    owner = MemberField(required=False, allow_null=True)
    owner_name = _owner_name()
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Phase
        fields = [
            "id",
            "kind",
            "name",
            "start_date",
            "end_date",
            "owner",
            "owner_name",
            "milestones",
        ]
        read_only_fields = ["id"]


class ChecklistItemSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    done = serializers.BooleanField(default=False)


class TaskSerializer(serializers.ModelSerializer[Task]):
    phase = PhaseField(required=False, allow_null=True)
    owner = MemberField(required=False, allow_null=True)
    owner_name = _owner_name()
    depends_on = TaskField(
        many=True, required=False, help_text="Ids of tasks of this campaign that come first"
    )
    checklist = ChecklistItemSerializer(many=True, required=False)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "phase",
            "title",
            "owner",
            "owner_name",
            "role",
            "due_date",
            "status",
            "depends_on",
            "checklist",
            "overdue",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def get_overdue(self, task: Task) -> bool:
        today: date = self.context.get("today") or timezone.localdate()
        return task.is_overdue(today)

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if "checklist" in value:
            value["checklist"] = [dict(item) for item in value["checklist"]]
        return value


# Research and risks -----------------------------------------------------------------------


class CompetitorSerializer(serializers.ModelSerializer[Competitor]):
    platforms = serializers.ListField(
        # Labels are the codes so this list's enum stays apart from PlatformRole's.
        child=serializers.ChoiceField(choices=[(code, code) for code in Platform.values]),
        required=False,
        help_text="Platform codes",
    )
    links = serializers.ListField(
        child=serializers.URLField(max_length=500), required=False, help_text="http(s) links"
    )

    class Meta:
        model = Competitor
        fields = [
            "id",
            "brand",
            "platforms",
            "content_strategy",
            "interaction_style",
            "audience",
            "share_position",
            "strengths",
            "weaknesses",
            "links",
        ]
        read_only_fields = ["id"]


class ResearchNoteSerializer(serializers.ModelSerializer[ResearchNote]):
    class Meta:
        model = ResearchNote
        fields = ["id", "kind", "title", "body", "source_url", "created_at"]
        read_only_fields = ["id", "created_at"]


def _score(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=5, help_text=help_text)


class RiskSerializer(serializers.ModelSerializer[Risk]):
    probability = _score("1 (unlikely) to 5 (almost certain)")
    impact = _score("1 (minor) to 5 (severe)")
    owner = MemberField(required=False, allow_null=True)
    owner_name = _owner_name()
    score = serializers.IntegerField(read_only=True, help_text="probability × impact")
    priority = serializers.ChoiceField(
        choices=["high", "medium", "low"],
        read_only=True,
        help_text="high from score 15, medium from 8",
    )

    class Meta:
        model = Risk
        fields = [
            "id",
            "title",
            "category",
            "probability",
            "impact",
            "score",
            "priority",
            "owner",
            "owner_name",
            "mitigation",
            "contingency",
            "status",
        ]
        read_only_fields = ["id"]


class FeasibilitySerializer(serializers.ModelSerializer[Feasibility]):
    market_demand = _score("1 (poor) to 5 (good)")
    user_acceptance = _score("1 (poor) to 5 (good)")
    cost = _score("5 = affordable")
    risk = _score("5 = low risk")
    overall = serializers.FloatField(read_only=True, help_text="Mean of the four scores")

    class Meta:
        model = Feasibility
        fields = [
            "market_demand",
            "market_demand_rationale",
            "user_acceptance",
            "user_acceptance_rationale",
            "cost",
            "cost_rationale",
            "risk",
            "risk_rationale",
            "overall",
        ]


# Retrospective ----------------------------------------------------------------------------


class ImprovementSerializer(serializers.ModelSerializer[ImprovementItem]):
    owner_name = _owner_name()
    campaign = serializers.IntegerField(
        source="retrospective.campaign_id",
        read_only=True,
        help_text="The campaign whose retrospective found it",
    )
    campaign_name = serializers.CharField(source="retrospective.campaign.name", read_only=True)

    class Meta:
        model = ImprovementItem
        fields = [
            "id",
            "text",
            "owner",
            "owner_name",
            "apply_to_next",
            "status",
            "campaign",
            "campaign_name",
            "adopted_by",
            "adopted_at",
        ]
        read_only_fields = fields


class NewImprovementSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300)
    owner = MemberField(required=False, allow_null=True, default=None)
    apply_to_next = serializers.BooleanField(default=True)


class RetrospectiveSerializer(serializers.ModelSerializer[Retrospective]):
    improvements = ImprovementSerializer(many=True, read_only=True)
    is_complete = serializers.BooleanField(read_only=True)

    class Meta:
        model = Retrospective
        fields = [
            "highlights",
            "shortfalls",
            "lessons",
            "completed_at",
            "is_complete",
            "updated_at",
            "improvements",
        ]
        read_only_fields = ["completed_at", "updated_at"]


class RetrospectiveWriteSerializer(serializers.Serializer):
    highlights = serializers.CharField(required=False, allow_blank=True, help_text="亮点")
    shortfalls = serializers.CharField(required=False, allow_blank=True, help_text="不足")
    lessons = serializers.CharField(required=False, allow_blank=True)
    improvements = NewImprovementSerializer(
        many=True, required=False, help_text="New improvement items to add"
    )
