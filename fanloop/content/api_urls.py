"""Content API routes, included under /api/v1/ by fanloop/urls.py."""

from typing import Any

from django.urls import URLPattern, path

from fanloop.content.api import views

Actions = dict[str, Any]
WS = "workspaces/<int:workspace_pk>/content/"
ITEM = WS + "items/<int:item_pk>/"
VARIANT = ITEM + "variants/<int:variant_pk>/"

urlpatterns: list[URLPattern] = [
    path(
        WS + "items/",
        views.ItemViewSet.as_view({"get": "list", "post": "create"}),
        name="api-content-items",
    ),
    path(
        WS + "items/<int:pk>/",
        views.ItemViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-content-item",
    ),
    path(
        ITEM + "variants/",
        views.VariantViewSet.as_view({"post": "create"}),
        name="api-content-variants",
    ),
    path(
        ITEM + "variants/<int:pk>/",
        views.VariantViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
        ),
        name="api-content-variant",
    ),
    path(
        VARIANT + "transitions/",
        views.VariantTransitionViewSet.as_view({"post": "create"}),
        name="api-content-variant-transitions",
    ),
    path(
        VARIANT + "versions/",
        views.VariantHistoryViewSet.as_view({"get": "versions"}),
        name="api-content-variant-versions",
    ),
    path(
        VARIANT + "decisions/",
        views.VariantHistoryViewSet.as_view({"get": "decisions"}),
        name="api-content-variant-decisions",
    ),
    path(
        VARIANT + "comments/",
        views.CommentViewSet.as_view({"get": "list", "post": "create"}),
        name="api-content-variant-comments",
    ),
    path(
        WS + "media/",
        views.MediaViewSet.as_view({"get": "list", "post": "create"}),
        name="api-content-media",
    ),
    path(
        WS + "media/<int:pk>/",
        views.MediaViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
        ),
        name="api-content-media-item",
    ),
    path(
        WS + "calendar/",
        views.CalendarViewSet.as_view({"get": "list"}),
        name="api-content-calendar",
    ),
    path(
        WS + "variants/<int:variant_pk>/reschedule/",
        views.CalendarViewSet.as_view({"post": "reschedule"}),
        name="api-content-reschedule",
    ),
    path(
        WS + "best-times/",
        views.CalendarViewSet.as_view({"get": "best_times"}),
        name="api-content-best-times",
    ),
    path(
        WS + "check/",
        views.ComplianceCheckViewSet.as_view({"post": "create"}),
        name="api-content-check",
    ),
]
