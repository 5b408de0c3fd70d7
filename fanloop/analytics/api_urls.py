"""Analytics API routes, included under /api/v1/ by fanloop/urls.py."""

from django.urls import URLPattern, URLResolver, path

from fanloop.analytics.api import KpiViewSet

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "workspaces/<int:workspace_pk>/analytics/kpis/",
        KpiViewSet.as_view({"get": "report"}),
        name="api-analytics-kpis",
    ),
]
