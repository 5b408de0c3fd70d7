"""Small pieces every domain app's services share when they write."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fanloop.core.models import Membership, User, Workspace


def require_member(workspace: Workspace, user: User | None, field: str) -> None:
    """A user named on a record (owner, assignee) must belong to its workspace."""
    if user is not None and not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationError(
            {field: _("%(user)s is not a member of this workspace.") % {"user": user}}
        )


def apply(instance: Any, data: dict[str, Any], allowed: set[str] | frozenset[str]) -> None:
    """Set ``data`` on ``instance``; a field outside ``allowed`` is a field error."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in sorted(unknown)})
    for field, value in data.items():
        setattr(instance, field, value)
