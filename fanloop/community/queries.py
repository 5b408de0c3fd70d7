"""Reads shared by the community pages, API and reports; always scoped to a workspace."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from fanloop.community import metrics
from fanloop.community.models import (
    CommunityImport,
    FanGroup,
    FlagStatus,
    GroupDay,
    GroupEvent,
    GroupMember,
    MemberSpell,
    ModerationFlag,
)
from fanloop.community.services.common import workspace_today
from fanloop.core.models import Workspace

TREND_DAYS = 7


def groups(
    workspace: Workspace,
    *,
    platform: str = "",
    owner: int | None = None,
    campaign: int | None = None,
    group_type: str = "",
    archived: bool = False,
    text: str = "",
) -> QuerySet[FanGroup]:
    found = FanGroup.objects.filter(workspace=workspace, archived=archived).select_related(
        "owner", "channel_account"
    )
    if platform:
        found = found.filter(platform=platform)
    if owner:
        found = found.filter(owner_id=owner)
    if campaign:
        found = found.filter(campaigns__id=campaign)
    if group_type:
        found = found.filter(group_type=group_type)
    if text:
        found = found.filter(Q(name__icontains=text) | Q(theme__icontains=text))
    return found.annotate(
        open_flags=Count("flags", filter=Q(flags__status=FlagStatus.OPEN), distinct=True)
    ).order_by("name", "id")


def group(workspace: Workspace, pk: int) -> FanGroup:
    return get_object_or_404(
        FanGroup.objects.select_related("owner", "channel_account", "workspace"),
        workspace=workspace,
        pk=pk,
    )


def days(group: FanGroup, start: date, end: date) -> list[GroupDay]:
    return list(GroupDay.objects.filter(group=group, day__gte=start, day__lte=end).order_by("day"))


def as_figures(rows: list[GroupDay]) -> list[metrics.DayFigures]:
    return [
        metrics.DayFigures(
            day=r.day,
            members=r.members,
            joined=r.joined,
            left=r.left,
            dau=r.dau,
            wau=r.wau,
            mau=r.mau,
            messages=r.messages,
            interactions=r.interactions,
            online_minutes_avg=r.online_minutes_avg,
            activity_source=r.activity_source,
        )
        for r in rows
    ]


@dataclass
class GroupSummary:
    group: FanGroup
    latest: GroupDay | None
    trend: list[GroupDay] = field(default_factory=list)

    @property
    def joined_week(self) -> int:
        return sum(d.joined for d in self.trend)

    @property
    def left_week(self) -> int:
        return sum(d.left for d in self.trend)

    @property
    def trend_data(self) -> dict[str, Any]:
        return {
            "days": [d.day.strftime("%m-%d") for d in self.trend],
            "dau": [d.dau for d in self.trend],
            "members": [d.members for d in self.trend],
        }


def summaries(workspace: Workspace, found: QuerySet[FanGroup]) -> list[GroupSummary]:
    """Each group with its latest day and its last seven days, in two queries."""
    listed = list(found)
    today = workspace_today(workspace)
    start = today - timedelta(days=TREND_DAYS - 1)
    by_group: dict[int, list[GroupDay]] = {}
    for row in GroupDay.objects.filter(group__in=listed, day__gte=start, day__lte=today).order_by(
        "day"
    ):
        by_group.setdefault(row.group_id, []).append(row)
    return [
        GroupSummary(
            group=g,
            latest=by_group[g.pk][-1] if by_group.get(g.pk) else None,
            trend=by_group.get(g.pk, []),
        )
        for g in listed
    ]


def health_now(group: FanGroup, day: date | None = None) -> tuple[metrics.Health, GroupDay | None]:
    """The health breakdown of ``day`` (today), from the stored daily rows."""
    day = day or workspace_today(group.workspace)
    rows = days(group, day - timedelta(days=metrics.WEEK), day)
    if not rows or rows[-1].day != day:
        return metrics.Health(score=None), rows[-1] if rows else None
    before = rows[0].members if len(rows) > metrics.WEEK else 0
    window = rows[-metrics.WEEK :]
    return metrics.health(as_figures(window), before), rows[-1]


def chart_data(group: FanGroup, span: int = 30) -> dict[str, Any]:
    end = workspace_today(group.workspace)
    rows = days(group, end - timedelta(days=span - 1), end)
    return {
        "days": [r.day.isoformat() for r in rows],
        "members": [r.members for r in rows],
        "joined": [r.joined for r in rows],
        "left": [-r.left for r in rows],
        "dau": [r.dau for r in rows],
        "wau": [r.wau for r in rows],
        "mau": [r.mau for r in rows],
        "messages": [r.messages for r in rows],
        "interactions": [r.interactions for r in rows],
        "health": [r.health for r in rows],
        "active_ratio": [round(100 * r.dau / r.members, 1) if r.members else None for r in rows],
    }


def members(
    group: FanGroup, *, state: str = "", text: str = "", role: str = ""
) -> QuerySet[GroupMember]:
    found = GroupMember.objects.filter(group=group).prefetch_related(
        Prefetch("spells", queryset=MemberSpell.objects.order_by("joined_at"))
    )
    if state == "in":
        found = found.filter(left_at__isnull=True, joined_at__isnull=False)
    elif state == "left":
        found = found.filter(left_at__isnull=False)
    if role:
        found = found.filter(role=role)
    if text:
        found = found.filter(nickname__icontains=text)
    return found.annotate(stays=Count("spells")).order_by("-joined_at", "nickname", "id")


def member(group: FanGroup, pk: int) -> GroupMember:
    return get_object_or_404(GroupMember, group=group, pk=pk)


def events(group: FanGroup) -> QuerySet[GroupEvent]:
    return GroupEvent.objects.filter(group=group).select_related("host")


def event(group: FanGroup, pk: int) -> GroupEvent:
    return get_object_or_404(GroupEvent, group=group, pk=pk)


def flags(group: FanGroup, status: str = "") -> QuerySet[ModerationFlag]:
    found = ModerationFlag.objects.filter(group=group).select_related("message", "reviewed_by")
    return found.filter(status=status) if status else found


def flag(group: FanGroup, pk: int) -> ModerationFlag:
    return get_object_or_404(ModerationFlag.objects.select_related("group"), group=group, pk=pk)


def imports(group: FanGroup) -> QuerySet[CommunityImport]:
    return CommunityImport.objects.filter(group=group).select_related("created_by")


def import_run(workspace: Workspace, pk: int) -> CommunityImport:
    return get_object_or_404(
        CommunityImport.objects.select_related("group", "created_by"), workspace=workspace, pk=pk
    )
