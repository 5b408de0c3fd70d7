"""Publishing API routes; fanloop/urls.py includes them under /api/v1/."""

from django.urls import URLPattern, path

from fanloop.channels.api.publishing import JobViewSet

JOBS = "workspaces/<int:workspace_pk>/publishing/jobs/"
ACTIONS = ("retry", "reschedule", "cancel", "account", "complete", "resolve")

urlpatterns: list[URLPattern] = [
    path(JOBS, JobViewSet.as_view({"get": "list"}), name="api-publishing-jobs"),
    path(JOBS + "<int:pk>/", JobViewSet.as_view({"get": "retrieve"}), name="api-publishing-job"),
    *(
        path(
            f"{JOBS}<int:pk>/{action}/",
            JobViewSet.as_view({"post": action}),
            name=f"api-publishing-job-{action}",
        )
        for action in ACTIONS
    ),
]
