from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from fanloop.campaigns import queries
from fanloop.campaigns.models import Campaign
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, workspace_view

TABS = [
    "overview",
    "goals",
    "budget",
    "timeline",
    "research",
    "risks",
    "documents",
    "retrospective",
    "history",
]


def campaign_view(action: Action = Action.CAMPAIGN_VIEW) -> Callable[..., Any]:
    """workspace_view, plus the campaign from the URL (404 when not in this workspace)."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @workspace_view(action)
        @wraps(view)
        def wrapper(request: WorkspaceRequest, pk: int, *args: Any, **kwargs: Any) -> Any:
            campaign = queries.campaign(request.workspace, pk)
            return view(request, campaign, *args, **kwargs)

        return wrapper

    return decorate


def tab_url(campaign: Campaign, tab: str) -> str:
    return reverse("campaign_tab", args=[campaign.workspace.slug, campaign.pk, tab])


def back_to(campaign: Campaign, tab: str) -> HttpResponse:
    return redirect(tab_url(campaign, tab))


def report(request: WorkspaceRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def form_errors_text(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
