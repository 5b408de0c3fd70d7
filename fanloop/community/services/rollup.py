"""The daily rollup: members, joins, leaves, DAU/WAU/MAU, messages and health per day."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction

from fanloop.community import metrics
from fanloop.community.models import (
    FanGroup,
    GroupDay,
    MemberActivity,
    MemberSpell,
    PlatformDayStat,
)
from fanloop.community.services.common import local_day, workspace_today

LEAD_DAYS = metrics.WEEK  # the health score of a day looks back a week
HISTORY_DAYS = metrics.MONTH - 1  # MAU looks back 30 days


def figures(group: FanGroup, start: date, end: date) -> list[metrics.DayFigures]:
    """Every day's figures from ``start`` to ``end``, read from the group's records."""
    workspace = group.workspace
    spells = [
        metrics.Spell(
            member=s.member_id,
            joined=local_day(s.joined_at, workspace),
            left=local_day(s.left_at, workspace) if s.left_at else None,
        )
        for s in MemberSpell.objects.filter(group=group).only("member_id", "joined_at", "left_at")
    ]
    activity: dict[date, dict[int, metrics.Activity]] = defaultdict(dict)
    rows = MemberActivity.objects.filter(
        group=group, day__gte=start - timedelta(days=HISTORY_DAYS), day__lte=end
    ).values_list("day", "member_id", "messages", "interactions", "online_minutes")
    for day, member_id, messages, interactions, minutes in rows:
        activity[day][member_id] = metrics.Activity(messages, interactions, minutes)
    platform = {
        stat.day: metrics.PlatformDay(stat.active_members, stat.messages)
        for stat in PlatformDayStat.objects.filter(
            group=group,
            shared_by=1,
            day__gte=start - timedelta(days=HISTORY_DAYS),
            day__lte=end,
        )
    }
    return metrics.compute_days(start, end, spells, activity, platform)


@transaction.atomic
def rollup_group(group: FanGroup, start: date, end: date | None = None) -> int:
    """Recompute the stored days from ``start`` to ``end`` (today); returns days written."""
    end = end or workspace_today(group.workspace)
    if end < start:
        return 0
    rows = figures(group, start - timedelta(days=LEAD_DAYS), end)
    scores = metrics.health_series(rows)
    kept = rows[LEAD_DAYS:]
    GroupDay.objects.filter(group=group, day__gte=start, day__lte=end).delete()
    GroupDay.objects.bulk_create(
        [
            GroupDay(
                group=group,
                workspace_id=group.workspace_id,
                day=row.day,
                members=row.members,
                joined=row.joined,
                left=row.left,
                dau=row.dau,
                wau=row.wau,
                mau=row.mau,
                messages=row.messages,
                interactions=row.interactions,
                online_minutes_avg=row.online_minutes_avg,
                health=score,
                activity_source=row.activity_source,
            )
            for row, score in zip(kept, scores, strict=True)
        ]
    )
    return len(kept)


def rollup_all(*, days: int = 2) -> int:
    """The daily job: every active group's last ``days`` days (today included)."""
    written = 0
    for group in FanGroup.objects.filter(archived=False).select_related("workspace"):
        today = workspace_today(group.workspace)
        written += rollup_group(group, today - timedelta(days=days - 1), today)
    return written
