"""The workspace's classifier: operators' label corrections and retraining from them,
with the accuracy before and after shown for every version."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.inbox.models import LabelCorrection, WorkspaceClassifier
from fanloop.inbox.services import training
from fanloop.inbox.views.settings import settings_context


def _page(request: WorkspaceRequest, error: str = "", status: int = 200) -> HttpResponse:
    workspace = request.workspace
    corrections = LabelCorrection.objects.filter(workspace=workspace)
    context = settings_context(
        request,
        "classifier",
        corrections_count=corrections.count(),
        recent=corrections.select_related("corrected_by").order_by("-created_at")[:20],
        versions=WorkspaceClassifier.objects.filter(workspace=workspace).select_related(
            "created_by"
        )[:10],
        needed=training.MIN_CORRECTIONS,
        can_retrain=allowed(request.role, Action.INBOX_REPLY),
        error=error,
    )
    return render_page(request, "inbox/settings/classifier.html", context, status=status)


@workspace_local_view(Action.WORKSPACE_VIEW)
def classifier(request: WorkspaceRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _page(request)
    try:
        version = training.retrain_workspace(
            actor=acting_user(request), workspace=request.workspace
        )
    except ValidationError as exc:
        return _page(request, error=" ".join(exc.messages), status=400)
    messages.success(
        request,
        _("Version %(version)s is now in use, learned from %(count)s corrections.")
        % {"version": version.version, "count": version.corrections_used},
    )
    return redirect("inbox_classifier", request.workspace.slug)
