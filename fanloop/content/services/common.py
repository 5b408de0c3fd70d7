"""Shared pieces of the content services: permissions, membership, field application."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fanloop.content.models import ContentSettings
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action


def require(actor: User, workspace: Workspace, action: Action) -> str:
    return require_action(actor, workspace, action)


def string_list(value: Any, field: str, *, max_items: int = 50, max_length: int = 60) -> list[str]:
    """A list of short non-empty strings (tags, topics, mentions), stripped, duplicates dropped."""
    if isinstance(value, str):
        value = [part for part in value.replace("，", ",").split(",")]
    if not isinstance(value, list | tuple) or any(not isinstance(v, str) for v in value):
        raise ValidationError({field: _("Give a list of words.")})
    result: list[str] = []
    for raw in value:
        text = raw.strip()
        if text and text not in result:
            result.append(text)
    if len(result) > max_items:
        raise ValidationError(
            {field: _("At most %(n)d entries, not %(got)d.") % {"n": max_items, "got": len(result)}}
        )
    too_long = [text for text in result if len(text) > max_length]
    if too_long:
        raise ValidationError(
            {
                field: _("“%(text)s” is longer than %(n)d characters.")
                % {"text": too_long[0][:20], "n": max_length}
            }
        )
    return result


def content_settings(workspace: Workspace) -> ContentSettings:
    """The workspace's policy; the defaults (unsaved) until an admin changes them, so
    reading it never writes."""
    found = ContentSettings.objects.filter(workspace=workspace).first()
    return found or ContentSettings(workspace=workspace)
