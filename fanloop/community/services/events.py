"""Group events (活动): topic discussions, Q&A, votes, check-ins, live sessions."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.community.models import EventKind, EventStatus, FanGroup, GroupEvent
from fanloop.community.services.common import require_manage
from fanloop.core import audit
from fanloop.core.models import Membership, User

AUDITED = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "host",
    "materials",
    "outcome_notes",
    "participants",
    "status",
)
EDITABLE = frozenset(AUDITED)
YEARS = (2000, 2100)


def _apply(event: GroupEvent, data: dict[str, Any]) -> None:
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in data.items():
        setattr(event, name, value.strip() if isinstance(value, str) and name == "title" else value)
    errors: dict[str, str] = {}
    if not event.title:
        errors["title"] = _("Give the event a title.")
    if event.kind not in EventKind.values:
        errors["kind"] = _("Choose a kind of event.")
    if event.status not in EventStatus.values:
        errors["status"] = _("Choose a status.")
    if event.starts_at is None:
        errors["starts_at"] = _("When does it start?")
    elif not YEARS[0] <= event.starts_at.year <= YEARS[1]:
        errors["starts_at"] = _("Choose a date between 2000 and 2100.")
    elif event.ends_at is not None and event.ends_at < event.starts_at:
        errors["ends_at"] = _("The end is before the start.")
    elif event.ends_at is not None and event.ends_at.year > YEARS[1]:
        errors["ends_at"] = _("Choose a date between 2000 and 2100.")
    if (
        event.host_id
        and not Membership.objects.filter(
            workspace_id=event.workspace_id, user_id=event.host_id
        ).exists()
    ):
        errors["host"] = _("The host must be a member of this workspace.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_event(*, actor: User, group: FanGroup, data: dict[str, Any]) -> GroupEvent:
    require_manage(actor, group.workspace)
    event = GroupEvent(group=group, workspace_id=group.workspace_id, created_by=actor)
    _apply(event, data)
    event.save()
    audit.record(
        actor=actor,
        workspace=group.workspace,
        action="community.event_create",
        obj=event,
        changes=audit.created(event, AUDITED),
    )
    return event


@transaction.atomic
def update_event(*, actor: User, event: GroupEvent, data: dict[str, Any]) -> GroupEvent:
    require_manage(actor, event.group.workspace)
    event = GroupEvent.objects.select_for_update().get(pk=event.pk)
    before = audit.snapshot(event, AUDITED)
    _apply(event, data)
    event.updated_at = timezone.now()
    event.save()
    changes = audit.diff(before, audit.snapshot(event, AUDITED))
    if changes:
        audit.record(
            actor=actor,
            workspace=event.group.workspace,
            action="community.event_update",
            obj=event,
            changes=changes,
        )
    return event


@transaction.atomic
def delete_event(*, actor: User, event: GroupEvent) -> None:
    require_manage(actor, event.group.workspace)
    audit.record(
        actor=actor,
        workspace=event.group.workspace,
        action="community.event_delete",
        obj=event,
        changes=audit.deleted(event, AUDITED),
    )
    event.delete()
