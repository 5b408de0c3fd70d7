"""Read helpers shared by views, API and CLI; every one is scoped to the caller."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from fanloop.core.models import ApiToken, AuditEntry, Invitation, Membership, User, Workspace


def workspaces_for(user: Any) -> QuerySet[Workspace]:
    if not getattr(user, "is_authenticated", False):
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user).order_by("name", "id")


def workspace_for(user: Any, *, slug: str | None = None, pk: int | None = None) -> Workspace:
    """The workspace if the user is a member; otherwise 404, so others' slugs leak nothing."""
    lookup: dict[str, Any] = {"slug": slug} if slug is not None else {"pk": pk}
    workspace = workspaces_for(user).filter(**lookup).first()
    if workspace is None:
        raise Http404("No such workspace")
    return workspace


def members(workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__username")
    )


def member(workspace: Workspace, pk: int) -> Membership:
    found = members(workspace).filter(pk=pk).first()
    if found is None:
        raise Http404("No such member")
    return found


def open_invitations(workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        workspace=workspace, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitation(workspace: Workspace, pk: int) -> Invitation:
    found = Invitation.objects.filter(workspace=workspace, pk=pk).first()
    if found is None:
        raise Http404("No such invitation")
    return found


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(
    workspace: Workspace,
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    since: date | None = None,
    until: date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(workspace=workspace).select_related("actor")
    if actor:
        entries = entries.filter(actor_label=actor)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if since:
        entries = entries.filter(created_at__gte=_day_start(since))
    if until:
        entries = entries.filter(created_at__lt=_day_start(until) + timedelta(days=1))
    if text:
        entries = entries.filter(object_repr__icontains=text)
    return entries


def audit_facets(workspace: Workspace) -> dict[str, list[str]]:
    entries = AuditEntry.objects.filter(workspace=workspace)
    return {
        "actors": sorted(set(entries.values_list("actor_label", flat=True))),
        "actions": sorted(set(entries.values_list("action", flat=True))),
        "object_types": sorted(set(entries.values_list("object_type", flat=True))),
    }


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_of(user: User, pk: int) -> ApiToken:
    found = tokens_of(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such token")
    return found
