"""Inbox API routes; fanloop/urls.py includes them under /api/v1/."""

from django.urls import URLPattern, path

from fanloop.inbox.api import MessageLabelViewSet, SavedReplyViewSet, ThreadViewSet

INBOX = "workspaces/<int:workspace_pk>/inbox/"
THREADS = INBOX + "threads/"
# url segment -> viewset method (all POST).
ACTIONS = {
    "reply": "reply",
    "mark-replied": "mark_replied",
    "assign": "assign",
    "status": "set_status",
    "tag": "tag",
    "note": "note",
    "escalate": "escalate",
    "no-reply": "no_reply",
}

urlpatterns: list[URLPattern] = [
    path(THREADS, ThreadViewSet.as_view({"get": "list"}), name="api-inbox-threads"),
    path(
        THREADS + "<int:pk>/", ThreadViewSet.as_view({"get": "retrieve"}), name="api-inbox-thread"
    ),
    *(
        path(
            f"{THREADS}<int:pk>/{segment}/",
            ThreadViewSet.as_view({"post": method}),
            name=f"api-inbox-thread-{segment}",
        )
        for segment, method in ACTIONS.items()
    ),
    path(
        INBOX + "messages/<int:pk>/",
        MessageLabelViewSet.as_view({"patch": "partial_update"}),
        name="api-inbox-message",
    ),
    path(
        INBOX + "saved-replies/",
        SavedReplyViewSet.as_view({"get": "list"}),
        name="api-inbox-saved-replies",
    ),
]
