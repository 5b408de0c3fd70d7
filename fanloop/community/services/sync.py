"""WeCom customer groups through the account's connector: groups, members, daily figures.

Everything is fetched first and written afterwards in one transaction, so a connector
error leaves the groups exactly as they were. Joins and leaves are found by diffing the
group's member list against the members we have in the group: someone new opens a stay at
their WeCom join time; someone no longer listed closes theirs at the sync time (WeCom does
not say when a member left). Member ids are stored only as salted hashes.

WeCom reports daily statistics per group owner, summed over the owner's groups; each group
stores them with ``shared_by`` = how many synced groups the owner has, and the rollup uses
them as the group's own only when the owner has just this one.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import ConnectorError
from fanloop.channels.connectors.wecom import GroupChat, GroupDayStats
from fanloop.channels.models import AccountStatus, ChannelAccount
from fanloop.channels.services import accounts
from fanloop.community.models import (
    FanGroup,
    GroupMember,
    GroupPlatform,
    GroupType,
    JoinSource,
    MemberRole,
    PlatformDayStat,
)
from fanloop.community.services import members as member_service
from fanloop.community.services.common import member_key, require_manage, workspace_today
from fanloop.community.services.rollup import rollup_group
from fanloop.core import audit
from fanloop.core.models import User

log = logging.getLogger(__name__)
STATS_DAYS = 30
JOIN_SCENES = {1: "invited", 2: "invite_link", 3: "qr_code"}


@dataclass
class SyncResult:
    groups: int = 0
    created: int = 0
    joined: int = 0
    left: int = 0
    stat_days: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Fetched:
    chats: list[GroupChat]
    stats: dict[str, dict[date, GroupDayStats]]


def _fetch(connector: Any, today: date) -> _Fetched:
    chats = [connector.get_group_chat(chat_id) for chat_id in connector.list_group_chats()]
    owners = sorted({chat.owner for chat in chats if chat.owner})
    stats: dict[str, dict[date, GroupDayStats]] = defaultdict(dict)
    yesterday = today - timedelta(days=1)
    # One owner per call: WeCom's by-day statistic covers 30 days in one request, where the
    # per-owner statistic needs one request per day.
    for owner in owners:
        for row in connector.group_statistics(
            yesterday - timedelta(days=STATS_DAYS - 1), yesterday, [owner]
        ):
            stats[owner][row.day] = row
    return _Fetched(chats=chats, stats=stats)


def _unique_name(account: ChannelAccount, chat: GroupChat) -> str:
    base = (chat.name or _("WeCom group %(id)s") % {"id": chat.chat_id[-6:]})[:100]
    taken = FanGroup.objects.filter(
        workspace_id=account.workspace_id, platform=GroupPlatform.WECOM, name=base
    ).exclude(channel_account=account, remote_chat_id=chat.chat_id)
    return base if not taken.exists() else f"{base[:90]} ({chat.chat_id[-6:]})"


def _role(chat: GroupChat, userid: str) -> str | None:
    if userid == chat.owner:
        return MemberRole.OWNER
    if userid in chat.admins:
        return MemberRole.ADMIN
    return None


def _sync_group(
    account: ChannelAccount, chat: GroupChat, now: datetime, result: SyncResult
) -> FanGroup:
    group = FanGroup.objects.filter(channel_account=account, remote_chat_id=chat.chat_id).first()
    created = group is None
    if group is None:
        group = FanGroup(
            workspace_id=account.workspace_id,
            platform=GroupPlatform.WECOM,
            group_type=GroupType.OTHER,
            channel_account=account,
            remote_chat_id=chat.chat_id,
        )
        result.created += 1
    group.name = _unique_name(account, chat)
    group.remote_owner = chat.owner
    if chat.notice and not group.rules:
        group.rules = chat.notice
    group.last_synced_at = now
    group.updated_at = now
    group.save()
    remote = {member_key(group, m.userid): m for m in chat.members if m.userid}
    joined = left = 0
    for key, remote_member in remote.items():
        member, _new = member_service.get_or_create_member(
            group,
            key,
            nickname=remote_member.group_nickname or remote_member.name,
            role=_role(chat, remote_member.userid),
        )
        if member.is_staff != (not remote_member.is_external):
            member.is_staff = not remote_member.is_external
            member.save(update_fields=["is_staff"])
        joined_at = remote_member.join_time or now
        if member_service.record_join(
            member,
            joined_at,
            source=JoinSource.SYNC,
            scene=JOIN_SCENES.get(remote_member.join_scene, ""),
        ):
            joined += 1
    gone = GroupMember.objects.filter(group=group, left_at__isnull=True).exclude(
        member_key__in=list(remote)
    )
    for member in gone:
        if member_service.record_leave(member, now):
            left += 1
    result.joined += joined
    result.left += left
    audit.record(
        actor=None,
        workspace=account.workspace,
        action="community.group_sync_create" if created else "community.group_sync",
        obj=group,
        changes={
            "members": (None, len(remote)),
            **({"joined": (None, joined)} if joined else {}),
            **({"left": (None, left)} if left else {}),
        },
    )
    return group


def _store_stats(
    groups: list[FanGroup], fetched: _Fetched, owners: Counter[str], result: SyncResult
) -> None:
    for group in groups:
        for day, row in fetched.stats.get(group.remote_owner, {}).items():
            PlatformDayStat.objects.update_or_create(
                group=group,
                day=day,
                defaults={
                    "member_total": row.member_total,
                    "new_members": row.new_member_cnt,
                    "active_members": row.member_has_msg,
                    "messages": row.msg_total,
                    "shared_by": owners[group.remote_owner],
                },
            )
            result.stat_days += 1


def sync_account(
    account: ChannelAccount,
    *,
    actor: User | None = None,
    connector: Any = None,
    today: date | None = None,
) -> SyncResult:
    """Sync every customer group the account's app can see. ``actor``: a person pressing
    "sync now" (checked); None for the periodic job."""
    if actor is not None:
        require_manage(actor, account.workspace)
    result = SyncResult()
    today = today or workspace_today(account.workspace)
    try:
        connector = connector or accounts.connector_for(account)
    except ValidationError as exc:
        result.errors.append(" ".join(exc.messages))
        return result
    if not hasattr(connector, "list_group_chats"):
        result.errors.append(_("%(account)s cannot list WeCom groups.") % {"account": account})
        return result
    try:
        fetched = _fetch(connector, today)
    except ConnectorError as exc:
        if exc.auth:
            accounts.record_problem(account=account, message=exc.message, token_expired=True)
        result.errors.append(f"{account}: {exc.message}")
        log.warning("WeCom group sync of account %s failed: %s", account.pk, exc.message)
        return result
    now = timezone.now()
    owners = Counter(chat.owner for chat in fetched.chats)
    with transaction.atomic():
        groups = [_sync_group(account, chat, now, result) for chat in fetched.chats]
        _store_stats(groups, fetched, owners, result)
        for group in groups:
            rollup_group(group, today - timedelta(days=STATS_DAYS), today)
    result.groups = len(groups)
    return result


def sync_all() -> SyncResult:
    """The periodic job: every connected WeCom account (simulated ones have no groups)."""
    total = SyncResult()
    for account in ChannelAccount.objects.filter(
        platform="wecom", status=AccountStatus.CONNECTED, simulated=False
    ).select_related("workspace"):
        one = sync_account(account)
        total.groups += one.groups
        total.created += one.created
        total.joined += one.joined
        total.left += one.left
        total.stat_days += one.stat_days
        total.errors += one.errors
    return total
