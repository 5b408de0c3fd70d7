"""Audit entries: every service write calls :func:`record`."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from fanloop.core.models import AuditEntry, Workspace

Changes = dict[str, tuple[Any, Any]]


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {field: _plain(getattr(instance, field)) for field in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    return {
        field: (before.get(field), after.get(field))
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


def created(instance: models.Model, fields: Iterable[str]) -> Changes:
    return {field: (None, value) for field, value in snapshot(instance, fields).items()}


def deleted(instance: models.Model, fields: Iterable[str]) -> Changes:
    return {field: (value, None) for field, value in snapshot(instance, fields).items()}


def record(
    *,
    actor: Any,
    workspace: Workspace | None,
    action: str,
    obj: models.Model,
    changes: Changes | None = None,
) -> AuditEntry:
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=actor_obj,
        actor_label=actor_obj.get_username() if actor_obj else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        changes={field: [before, after] for field, (before, after) in (changes or {}).items()},
    )
