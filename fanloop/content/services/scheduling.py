"""Planned times: rescheduling from the calendar, slot rules, and best times to post."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.content import hooks
from fanloop.content.models import Variant, VariantState
from fanloop.content.services.checks import hard_ad_warning
from fanloop.content.services.common import content_settings, require
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action

RESCHEDULABLE = frozenset({VariantState.APPROVED, VariantState.SCHEDULED})
# Seed guidance when there is not enough history: noon and evening, every day.
DEFAULT_HOURS = (12, 20)


def slot_problems(variant: Variant, when: datetime) -> list[str]:
    """Why ``when`` is not a slot this variant may take (empty when it is fine)."""
    problems = []
    if timezone.is_naive(when):
        return [_("Give a date and time with a time zone.")]
    if when <= timezone.now():
        problems.append(_("That time has passed; choose a time in the future."))
    campaign = variant.item.campaign
    if campaign is not None:
        day = timezone.localtime(when).date()
        if not campaign.start_date <= day <= campaign.end_date:
            problems.append(
                _("The campaign %(c)s runs %(start)s to %(end)s; %(day)s is outside it.")
                % {
                    "c": campaign,
                    "start": campaign.start_date,
                    "end": campaign.end_date,
                    "day": day,
                }
            )
    return problems


@transaction.atomic
def reschedule(*, actor: User, variant: Variant, planned_at: datetime) -> tuple[Variant, list[str]]:
    """Move an approved or scheduled variant to another time (the calendar's drag)."""
    require(actor, variant.workspace, Action.PUBLISH)
    variant = (
        Variant.objects.select_for_update(of=("self",))
        .select_related("item__campaign")
        .get(pk=variant.pk)
    )
    if variant.state not in RESCHEDULABLE:
        raise ValidationError(
            {
                "planned_at": _(
                    "Only approved or scheduled variants can be moved; this one is %(state)s."
                )
                % {"state": variant.get_state_display()}
            }
        )
    problems = slot_problems(variant, planned_at)
    if problems:
        raise ValidationError({"planned_at": problems})
    before = variant.planned_at
    variant.planned_at = planned_at
    variant.updated_at = timezone.now()
    warning = hard_ad_warning(variant, planned_at)
    variant.save(update_fields=["planned_at", "updated_at"])
    if variant.state == VariantState.SCHEDULED:
        hooks.schedule_changed(variant, "rescheduled")
    audit.record(
        actor=actor,
        workspace=variant.workspace,
        action="content.variant_reschedule",
        obj=variant,
        changes={"planned_at": (str(before), str(planned_at))},
    )
    return variant, [str(warning["explanation"])] if warning else []


# Best time to post ----------------------------------------------------------------------


@dataclass(frozen=True)
class PostEngagement:
    published_at: datetime
    exposure: int
    engagement: int  # likes + comments + shares + favourites


# Publishing and analytics register where engagement history comes from; until then there
# is none and the seed defaults apply.
EngagementSource = Callable[[Workspace, str], Iterable[PostEngagement]]
_sources: list[EngagementSource] = []


def register_engagement_source(source: EngagementSource) -> None:
    if source not in _sources:
        _sources.append(source)


def unregister_engagement_source(source: EngagementSource) -> None:
    if source in _sources:
        _sources.remove(source)


@dataclass
class BestTimes:
    platform: str
    from_history: bool
    posts: int
    min_posts: int
    # 7 x 24 grid, Monday first: average engagement rate (%) or None where no posts.
    grid: list[list[float | None]]
    suggestions: list[tuple[int, int]]  # (weekday, hour), best first


def best_times(workspace: Workspace, platform: str, *, top: int = 5) -> BestTimes:
    """Engagement rate by weekday x hour when there is enough history, else noon/evening."""
    min_posts = content_settings(workspace).best_time_min_posts
    rows = [row for source in _sources for row in source(workspace, platform)]
    totals: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        local = timezone.localtime(row.published_at)
        cell = totals.setdefault((local.weekday(), local.hour), [0, 0, 0])
        cell[0] += row.engagement
        cell[1] += row.exposure
        cell[2] += 1
    grid: list[list[float | None]] = [[None] * 24 for _day in range(7)]
    for (day, hour), (engaged, exposed, _count) in totals.items():
        grid[day][hour] = round(100 * engaged / exposed, 2) if exposed else 0.0
    if len(rows) >= min_posts:
        ranked = sorted(
            ((day, hour) for (day, hour) in totals if grid[day][hour] is not None),
            key=lambda cell: (-(grid[cell[0]][cell[1]] or 0), cell),
        )
        return BestTimes(platform, True, len(rows), min_posts, grid, ranked[:top])
    defaults = [(day, hour) for day in range(7) for hour in DEFAULT_HOURS]
    # The seed defaults are one rule (noon and evening, every day), so all of it is returned.
    return BestTimes(platform, False, len(rows), min_posts, grid, defaults)


def suggested_slots(
    workspace: Workspace, platform: str, *, after: datetime | None = None, count: int = 3
) -> list[datetime]:
    """The next concrete times matching the best weekday x hour cells."""
    best = best_times(workspace, platform, top=24)
    start = timezone.localtime(after or timezone.now())
    cells = best.suggestions or [(day, hour) for day in range(7) for hour in DEFAULT_HOURS]
    slots: list[datetime] = []
    for offset in range(0, 14):
        day = (start + timedelta(days=offset)).replace(minute=0, second=0, microsecond=0)
        for weekday, hour in cells:
            if day.weekday() != weekday:
                continue
            slot = day.replace(hour=hour)
            if slot > start:
                slots.append(slot)
    return sorted(slots)[:count]
