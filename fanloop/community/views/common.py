"""Plumbing shared by the community pages."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from fanloop.community import queries
from fanloop.community.models import FanGroup
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, workspace_local_view

View = Callable[..., HttpResponseBase]
TABS = ("overview", "members", "activity", "events", "moderation", "imports")
NAV = "community"


def group_view(action: Action = Action.WORKSPACE_VIEW) -> Callable[[View], View]:
    """Everyone in the workspace may look; the group from the URL (404 when not in this
    workspace). Times are the team's wall-clock time."""

    def decorate(view: View) -> View:
        @workspace_local_view(action)
        @wraps(view)
        def wrapper(request: WorkspaceRequest, pk: int, *args: Any, **kwargs: Any) -> Any:
            group = queries.group(request.workspace, pk)
            return view(request, group, *args, **kwargs)

        return wrapper

    return decorate


def can_manage(request: WorkspaceRequest) -> bool:
    return allowed(request.role, Action.COMMUNITY_MANAGE)


def require_manage(request: WorkspaceRequest) -> None:
    if not can_manage(request):
        raise PermissionDenied(_("Your role does not allow changing fan groups."))


def tab_url(group: FanGroup, tab: str) -> str:
    return reverse("community_group_tab", args=[group.workspace.slug, group.pk, tab])


def back_to(group: FanGroup, tab: str) -> HttpResponse:
    return redirect(tab_url(group, tab))


def report(request: WorkspaceRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def chart_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
