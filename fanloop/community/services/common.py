"""Helpers shared by the community services."""

import hashlib
from datetime import date, datetime

from django.utils import timezone

from fanloop.community.models import FanGroup
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action


def require_manage(actor: User | None, workspace: Workspace) -> None:
    require_action(actor, workspace, Action.COMMUNITY_MANAGE)


def member_key(group: FanGroup, platform_user_id: str) -> str:
    """The stored identity of a member: a salted hash, never the platform's raw id."""
    raw = f"{group.member_salt}:{platform_user_id.strip()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def nickname_key(group: FanGroup, nickname: str) -> str:
    """For files that name members only by nickname (kept apart from ids by a prefix)."""
    return member_key(group, "nickname:" + nickname.strip())


def local_day(moment: datetime, workspace: Workspace) -> date:
    return timezone.localtime(moment, workspace.zoneinfo).date()


def workspace_today(workspace: Workspace) -> date:
    return timezone.localtime(timezone.now(), workspace.zoneinfo).date()
