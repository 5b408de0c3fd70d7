"""Tracking API routes, included under /api/v1/ by fanloop/urls.py."""

from django.urls import URLPattern, path

from fanloop.tracking.api import CodeViewSet, LinkViewSet, PartnerViewSet

WS = "workspaces/<int:workspace_pk>/tracking/"

urlpatterns: list[URLPattern] = [
    path(
        WS + "links/",
        LinkViewSet.as_view({"get": "list", "post": "create"}),
        name="api-tracking-links",
    ),
    path(WS + "links/bulk/", LinkViewSet.as_view({"post": "bulk"}), name="api-tracking-links-bulk"),
    path(
        WS + "links/<int:pk>/",
        LinkViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-tracking-link",
    ),
    path(
        WS + "partners/",
        PartnerViewSet.as_view({"get": "list", "post": "create"}),
        name="api-tracking-partners",
    ),
    path(
        WS + "partners/<int:pk>/",
        PartnerViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="api-tracking-partner",
    ),
    path(
        WS + "codes/",
        CodeViewSet.as_view({"get": "list", "post": "create"}),
        name="api-tracking-codes",
    ),
    path(
        WS + "codes/<int:pk>/",
        CodeViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="api-tracking-code",
    ),
]
