from fanloop.campaigns.models.budget import BudgetCategory, BudgetLine, BudgetSpend
from fanloop.campaigns.models.campaign import Campaign, CampaignState, StateChange
from fanloop.campaigns.models.documents import Document, DocumentType, DocumentVersion
from fanloop.campaigns.models.goals import Goal, GoalMeasurement, GoalScope, GoalType
from fanloop.campaigns.models.plan import Milestone, Phase, PhaseKind, Task, TaskStatus
from fanloop.campaigns.models.research import (
    Competitor,
    Feasibility,
    ResearchNote,
    ResearchNoteKind,
    Risk,
    RiskCategory,
    RiskStatus,
)
from fanloop.campaigns.models.retro import ImprovementItem, ImprovementStatus, Retrospective

__all__ = [
    "BudgetCategory",
    "BudgetLine",
    "BudgetSpend",
    "Campaign",
    "CampaignState",
    "Competitor",
    "Document",
    "DocumentType",
    "DocumentVersion",
    "Feasibility",
    "Goal",
    "GoalMeasurement",
    "GoalScope",
    "GoalType",
    "ImprovementItem",
    "ImprovementStatus",
    "Milestone",
    "Phase",
    "PhaseKind",
    "ResearchNote",
    "ResearchNoteKind",
    "Retrospective",
    "Risk",
    "RiskCategory",
    "RiskStatus",
    "StateChange",
    "Task",
    "TaskStatus",
]
