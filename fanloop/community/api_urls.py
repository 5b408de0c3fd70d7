"""Community API routes, to be included under /api/v1/ by fanloop/urls.py."""

from django.urls import URLPattern, path

from fanloop.community.api import EventViewSet, GroupViewSet, MemberViewSet, MetricsViewSet

WS = "workspaces/<int:workspace_pk>/community/"
G = WS + "groups/<int:group_pk>/"

urlpatterns: list[URLPattern] = [
    path(
        WS + "groups/",
        GroupViewSet.as_view({"get": "list", "post": "create"}),
        name="api-community-groups",
    ),
    path(
        WS + "groups/<int:pk>/",
        GroupViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="api-community-group",
    ),
    path(G + "members/", MemberViewSet.as_view({"get": "list"}), name="api-community-members"),
    path(G + "metrics/", MetricsViewSet.as_view({"get": "summary"}), name="api-community-metrics"),
    path(
        G + "events/",
        EventViewSet.as_view({"get": "list", "post": "create"}),
        name="api-community-events",
    ),
    path(
        G + "events/<int:pk>/",
        EventViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="api-community-event",
    ),
]
