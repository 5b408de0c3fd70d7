"""Campaign API routes, included under /api/v1/ by fanloop/urls.py."""

from typing import Any

from django.urls import URLPattern, path

from fanloop.campaigns.api import campaigns, documents, items

Actions = dict[str, Any]
LIST: Actions = {"get": "list", "post": "create"}
ONE: Actions = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}

WS = "workspaces/<int:workspace_pk>/"
CAMPAIGN = WS + "campaigns/<int:campaign_pk>/"

ITEM_ROUTES: list[tuple[str, str, type[items.ItemViewSet]]] = [
    ("goals", "goal", items.GoalViewSet),
    ("budget-lines", "budget-line", items.BudgetLineViewSet),
    ("phases", "phase", items.PhaseViewSet),
    ("milestones", "milestone", items.MilestoneViewSet),
    ("tasks", "task", items.TaskViewSet),
    ("competitors", "competitor", items.CompetitorViewSet),
    ("research-notes", "research-note", items.ResearchNoteViewSet),
    ("risks", "risk", items.RiskViewSet),
]

urlpatterns: list[URLPattern] = [
    path(
        WS + "campaigns/",
        campaigns.CampaignViewSet.as_view(LIST),
        name="api-campaigns",
    ),
    path(
        WS + "campaigns/<int:pk>/",
        campaigns.CampaignViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-campaign",
    ),
    path(
        CAMPAIGN + "transitions/",
        campaigns.TransitionViewSet.as_view(LIST),
        name="api-campaign-transitions",
    ),
    path(
        CAMPAIGN + "history/",
        campaigns.HistoryViewSet.as_view({"get": "list"}),
        name="api-campaign-history",
    ),
    path(
        CAMPAIGN + "export/",
        campaigns.ExportViewSet.as_view({"get": "retrieve"}),
        name="api-campaign-export",
    ),
    path(
        CAMPAIGN + "goals/<int:goal_pk>/measurements/",
        items.MeasurementViewSet.as_view(LIST),
        name="api-campaign-goal-measurements",
    ),
    path(
        CAMPAIGN + "budget-lines/<int:line_pk>/spends/",
        items.SpendViewSet.as_view(LIST),
        name="api-campaign-budget-line-spends",
    ),
    path(
        CAMPAIGN + "feasibility/",
        items.FeasibilityViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="api-campaign-feasibility",
    ),
    path(
        CAMPAIGN + "retrospective/",
        items.RetrospectiveViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="api-campaign-retrospective",
    ),
    path(
        CAMPAIGN + "retrospective/complete/",
        items.RetrospectiveViewSet.as_view({"post": "complete"}),
        name="api-campaign-retrospective-complete",
    ),
    path(
        CAMPAIGN + "documents/",
        documents.CampaignDocumentViewSet.as_view(LIST),
        name="api-campaign-documents",
    ),
    path(
        WS + "improvements/",
        campaigns.ImprovementViewSet.as_view({"get": "list"}),
        name="api-improvements",
    ),
    path(WS + "documents/", documents.DocumentViewSet.as_view(LIST), name="api-documents"),
    path(
        WS + "documents/<int:pk>/",
        documents.DocumentViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="api-document",
    ),
    path(
        WS + "documents/<int:document_pk>/versions/",
        documents.DocumentVersionViewSet.as_view(LIST),
        name="api-document-versions",
    ),
    path(
        WS + "documents/<int:document_pk>/versions/<int:number>/download/",
        documents.DocumentDownloadViewSet.as_view({"get": "retrieve"}),
        name="api-document-download",
    ),
]

for plural, singular, viewset in ITEM_ROUTES:
    urlpatterns += [
        path(
            f"{CAMPAIGN}{plural}/",
            viewset.as_view(LIST),
            name=f"api-campaign-{plural}",
        ),
        path(
            f"{CAMPAIGN}{plural}/<int:pk>/",
            viewset.as_view(ONE),
            name=f"api-campaign-{singular}",
        ),
    ]
