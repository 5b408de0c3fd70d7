"""Notifications: the write path for telling a person something needs them."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from fanloop.core.models import Notification, User, Workspace


def notify(
    *, users: Iterable[User], workspace: Workspace | None, text: str, url: str = ""
) -> list[Notification]:
    """One notification per distinct user; the caller audits the action that caused it."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, workspace=workspace, text=text[:300], url=url[:300]))
    return Notification.objects.bulk_create(rows)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, all) of the user's own notifications read."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())
