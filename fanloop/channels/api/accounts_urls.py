"""Platform accounts API routes, to be included under /api/v1/ by fanloop/urls.py."""

from django.urls import URLPattern, path

from fanloop.channels.api.accounts import AccountViewSet

WS = "workspaces/<int:workspace_pk>/channels/"

urlpatterns: list[URLPattern] = [
    path(
        WS + "accounts/",
        AccountViewSet.as_view({"get": "list", "post": "create"}),
        name="api-channel-accounts",
    ),
    path(
        WS + "accounts/<int:pk>/",
        AccountViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="api-channel-account",
    ),
]
