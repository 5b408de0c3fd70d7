"""Shared pieces of the content studio views: the workspace time zone, the caller, errors.

The pages themselves live in items.py, variants.py, media.py and library.py.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, workspace_view

View = Callable[..., HttpResponseBase]


def workspace_tz(workspace: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def studio_view(action: Action) -> Callable[[View], View]:
    """``workspace_view`` that also runs the view in the workspace's time zone, so
    datetime-local inputs are read and shown as the team's wall-clock time."""

    def decorate(view: View) -> View:
        @workspace_view(action)
        @wraps(view)
        def wrapper(request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            with timezone.override(workspace_tz(request.workspace)):
                return view(request, *args, **kwargs)

        return wrapper

    return decorate


def actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def report_form(request: HttpRequest, form: forms.BaseForm) -> None:
    """A form's errors as error messages (for small forms that redirect back)."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def report(request: HttpRequest, exc: ValidationError) -> None:
    """A service's ValidationError as error messages (for actions without a form)."""
    if hasattr(exc, "error_dict"):
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        for message in exc.messages:
            messages.error(request, message)
