"""Shared pieces of the content studio views: the workspace time zone, the caller, errors.

The pages themselves live in items.py, variants.py, media.py and library.py.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase

from fanloop.core.views import (
    acting_user,
    workspace_local_view,
)

View = Callable[..., HttpResponseBase]


# The studio's pages run in the workspace's time zone (datetime-local inputs are the
# team's wall-clock time).
studio_view = workspace_local_view
actor = acting_user


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
