from django.urls import path

from fanloop.core import api

workspaces = api.WorkspaceViewSet.as_view({"get": "list", "post": "create"})
workspace = api.WorkspaceViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
members = api.MemberViewSet.as_view({"get": "list", "post": "create"})
member = api.MemberViewSet.as_view({"patch": "partial_update", "delete": "destroy"})
invitations = api.InvitationViewSet.as_view({"get": "list", "post": "create"})
invitation = api.InvitationViewSet.as_view({"delete": "destroy"})
audit = api.AuditEntryViewSet.as_view({"get": "list"})
tokens = api.ApiTokenViewSet.as_view({"get": "list", "post": "create"})
token = api.ApiTokenViewSet.as_view({"delete": "destroy"})

urlpatterns = [
    path("me/", api.me, name="api-me"),
    path("tokens/", tokens, name="api-tokens"),
    path("tokens/<int:pk>/", token, name="api-token"),
    path("workspaces/", workspaces, name="api-workspaces"),
    path("workspaces/<int:pk>/", workspace, name="api-workspace"),
    path("workspaces/<int:workspace_pk>/members/", members, name="api-members"),
    path("workspaces/<int:workspace_pk>/members/<int:pk>/", member, name="api-member"),
    path("workspaces/<int:workspace_pk>/invitations/", invitations, name="api-invitations"),
    path("workspaces/<int:workspace_pk>/invitations/<int:pk>/", invitation, name="api-invitation"),
    path("workspaces/<int:workspace_pk>/audit/", audit, name="api-audit"),
]
