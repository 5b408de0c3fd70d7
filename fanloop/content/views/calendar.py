"""The publishing calendar: month, week and list views, drag to reschedule, bulk actions,
and the best time to post per platform.

Times are stored in UTC and shown in the current (workspace) time zone; a time the
browser sends without an offset is read in that zone too.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fanloop.campaigns import queries as campaign_queries
from fanloop.content import queries, services, workflow
from fanloop.content.models import TARGET_PLATFORM_CHOICES, Variant, VariantState
from fanloop.content.services.scheduling import DEFAULT_HOURS
from fanloop.core import queries as core_queries
from fanloop.core.htmx import render_page
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, workspace_view

VIEWS = ("month", "week", "list")
# Week view rows; anything earlier sits in one "before" row so no card is ever hidden.
FIRST_HOUR = 6
HOURS = range(FIRST_HOUR, 24)
BULK_ACTIONS = ("schedule", "unschedule", "archive")
# How many history-based cells the week view highlights (the seed defaults are all shown).
HINTS_FROM_HISTORY = 5

# The stylesheet is shared, so platform colours are Bootstrap utility classes.
PLATFORM_CSS = {
    "wechat_oa": "border-success bg-success-subtle",
    "wecom": "border-info bg-info-subtle",
    "weibo": "border-warning bg-warning-subtle",
    "douyin": "border-dark bg-dark-subtle",
    "xiaohongshu": "border-danger bg-danger-subtle",
    "bilibili": "border-primary bg-primary-subtle",
    "zhihu": "border-secondary bg-secondary-subtle",
    "kuaishou": "border-danger bg-warning-subtle",
}
STATE_CSS: dict[str, str] = {
    VariantState.DRAFT: "text-bg-secondary",
    VariantState.IN_REVIEW: "text-bg-info",
    VariantState.CHANGES_REQUESTED: "text-bg-warning",
    VariantState.APPROVED: "text-bg-primary",
    VariantState.SCHEDULED: "text-bg-success",
    VariantState.PUBLISHED: "text-bg-dark",
    VariantState.FAILED: "text-bg-danger",
    VariantState.ARCHIVED: "text-bg-light border",
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class CalendarFilterForm(forms.Form):
    """The calendar's filters. Campaign and owner are plain numbers on purpose: an id from
    another workspace filters to nothing instead of failing (the query is scoped)."""

    platform = forms.ChoiceField(label=gettext_lazy("Platform"), required=False)
    campaign = forms.IntegerField(label=gettext_lazy("Campaign"), required=False)
    owner = forms.IntegerField(label=gettext_lazy("Owner"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        platform = self.fields["platform"]
        assert isinstance(platform, forms.ChoiceField)
        platform.choices = [("", _("All platforms")), *TARGET_PLATFORM_CHOICES]
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [("", _("All states")), *VariantState.choices]
        campaigns = campaign_queries.campaigns(workspace).order_by("-start_date", "name")
        self.fields["campaign"].widget = forms.Select(
            choices=[("", _("All campaigns")), *((c.pk, c.name) for c in campaigns)]
        )
        members = core_queries.members(workspace)
        self.fields["owner"].widget = forms.Select(
            choices=[("", _("All owners")), *((m.user_id, str(m.user)) for m in members)]
        )
        for name, bound in self.fields.items():
            bound.widget.attrs.update({"class": "form-select form-select-sm", "id": f"id_{name}"})

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "platform": data.get("platform") or "",
            "campaign": data.get("campaign"),
            "owner": data.get("owner"),
            "state": data.get("state") or "",
        }


@dataclass
class Card:
    variant: Variant
    local: datetime
    url: str
    css: str
    state_css: str


@dataclass
class Slot:
    """A month day or a week hour cell: its cards, and where a dropped card lands."""

    day: date
    hour: int | None
    cards: list[Card] = field(default_factory=list)
    in_month: bool = True
    today: bool = False
    best: bool = False
    droppable: bool = True


@dataclass
class Notice:
    level: str  # a Bootstrap alert colour
    lines: list[str]


@dataclass
class RowResult:
    ok: bool
    messages: list[str]


def _variant_url(slug: str, variant: Variant) -> str:
    # The variant page lives in the studio; until it is routed, cards simply don't link.
    try:
        return reverse("variant_detail", args=[slug, variant.item_id, variant.pk])
    except NoReverseMatch:
        return ""


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _anchor(raw: str) -> date:
    try:
        found = parse_date(raw or "")
    except ValueError:
        found = None
    # Far-off years would overflow the grid's arithmetic; nobody plans posts there.
    if found is None or not 2000 <= found.year <= 2999:
        return timezone.localdate()
    return found


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _range(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day shown, day after the last, previous anchor, next anchor)."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return (
            start,
            start + timedelta(days=7),
            anchor - timedelta(days=7),
            anchor + timedelta(days=7),
        )
    first = _month_start(anchor)
    previous, following = _month_start(anchor, -1), _month_start(anchor, 1)
    if view == "list":
        return first, following, previous, following
    start = first - timedelta(days=first.weekday())
    return start, start + timedelta(days=42), previous, following


def _best_cells(workspace: Workspace, platform: str) -> set[tuple[int, int]]:
    if not platform:
        return set()
    # Ask for every seed default (noon and evening each day), but only the top few
    # history cells, so the hint stays a hint.
    best = services.best_times(workspace, platform, top=7 * len(DEFAULT_HOURS))
    cells = best.suggestions[:HINTS_FROM_HISTORY] if best.from_history else best.suggestions
    return set(cells)


def _calendar_context(
    request: WorkspaceRequest,
    params: QueryDict,
    *,
    notice: Notice | None = None,
    results: dict[int, RowResult] | None = None,
) -> dict[str, Any]:
    workspace = request.workspace
    slug = workspace.slug
    view = params.get("view") if params.get("view") in VIEWS else "month"
    assert view is not None
    anchor = _anchor(params.get("date", ""))
    today = timezone.localdate()
    form = CalendarFilterForm(params, workspace=workspace)
    filters = form.filters()
    start, end, previous, following = _range(view, anchor)
    variants = list(queries.calendar(workspace, _aware(start), _aware(end), **filters))
    cards = [
        Card(
            variant=variant,
            local=timezone.localtime(variant.planned_at),
            url=_variant_url(slug, variant),
            css=PLATFORM_CSS.get(variant.platform, "border-secondary"),
            state_css=STATE_CSS.get(variant.state, "text-bg-secondary"),
        )
        for variant in variants
        if variant.planned_at is not None
    ]

    kept = {
        key: params[key] for key in ("platform", "campaign", "owner", "state") if params.get(key)
    }
    base = reverse("calendar", args=[slug])

    def link(to_view: str, day: date) -> str:
        return f"{base}?{urlencode({**kept, 'view': to_view, 'date': day.isoformat()})}"

    current = urlencode({**kept, "view": view, "date": anchor.isoformat()})
    context: dict[str, Any] = {
        "nav": "calendar",
        "form": form,
        "view": view,
        "anchor": anchor,
        "today": today,
        "range_start": start,
        "range_last": end - timedelta(days=1),
        "prev_url": link(view, previous),
        "next_url": link(view, following),
        "today_url": link(view, today),
        "view_urls": [
            (name, label, link(name, anchor))
            for name, label in (("month", _("Month")), ("week", _("Week")), ("list", _("List")))
        ],
        "move_url": f"{reverse('calendar_move', args=[slug])}?{current}",
        "bulk_url": f"{reverse('calendar_bulk', args=[slug])}?{current}",
        "best_times_url": reverse("best_times", args=[slug])
        + (f"?platform={filters['platform']}" if filters["platform"] else ""),
        "can_move": allowed(request.role, Action.PUBLISH),
        "bulk_actions": [
            (name, workflow.BY_NAME[name].label)
            for name in BULK_ACTIONS
            if allowed(request.role, workflow.BY_NAME[name].action)
        ],
        "notice": notice,
        "legend": [(label, PLATFORM_CSS[value]) for value, label in TARGET_PLATFORM_CHOICES],
        "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
        "count": len(cards),
    }
    if view == "month":
        slots = {
            start + timedelta(days=i): Slot(
                day=start + timedelta(days=i),
                hour=None,
                in_month=(start + timedelta(days=i)).month == anchor.month,
                today=start + timedelta(days=i) == today,
            )
            for i in range(42)
        }
        for card in cards:
            slots[card.local.date()].cards.append(card)
        month_days = list(slots.values())
        context["weeks"] = [month_days[i : i + 7] for i in range(0, 42, 7)]
    elif view == "week":
        days = [start + timedelta(days=i) for i in range(7)]
        best = _best_cells(workspace, filters["platform"])
        early = [Slot(day=day, hour=None, droppable=False, today=day == today) for day in days]
        grid = {
            (day, hour): Slot(
                day=day, hour=hour, today=day == today, best=(day.weekday(), hour) in best
            )
            for day in days
            for hour in HOURS
        }
        for card in cards:
            hour = card.local.hour
            if hour < FIRST_HOUR:
                early[(card.local.date() - start).days].cards.append(card)
            else:
                grid[(card.local.date(), hour)].cards.append(card)
        context["week_days"] = [(day, day == today) for day in days]
        context["early_row"] = early
        context["hour_rows"] = [
            (f"{hour:02d}:00", [grid[(day, hour)] for day in days]) for hour in HOURS
        ]
        context["hinting"] = bool(filters["platform"])
    else:
        context["rows"] = [(card, (results or {}).get(card.variant.pk)) for card in cards]
    return context


def _render_calendar(
    request: WorkspaceRequest,
    *,
    notice: Notice | None = None,
    results: dict[int, RowResult] | None = None,
) -> HttpResponse:
    """After a move or bulk action: the calendar fragment for HTMX, else the whole page."""
    context = _calendar_context(request, request.GET, notice=notice, results=results)
    if getattr(request, "htmx", False):
        return render(request, "content/_calendar.html", context)
    return render_page(request, "content/calendar.html", context)


@workspace_view(Action.WORKSPACE_VIEW)
def calendar_page(request: WorkspaceRequest) -> HttpResponse:
    return render_page(request, "content/calendar.html", _calendar_context(request, request.GET))


def _parse_when(raw: str) -> datetime | None:
    try:
        when = parse_datetime((raw or "").strip())
    except ValueError:
        return None
    if when is None:
        return None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _when_text(when: datetime | None) -> str:
    return date_format(timezone.localtime(when), "Y-m-d H:i") if when else "—"


def _move(request: WorkspaceRequest) -> Notice:
    raw_id = request.POST.get("variant", "")
    if not raw_id.isdigit():
        return Notice("danger", [_("Choose a variant to move.")])
    variant = queries.variant_by_id(request.workspace, int(raw_id))
    when = _parse_when(request.POST.get("planned_at", ""))
    if when is None:
        return Notice("danger", [_("Give a valid date and time to move to.")])
    try:
        moved, warnings = services.reschedule(
            actor=_user(request), variant=variant, planned_at=when
        )
    except ValidationError as exc:
        return Notice(
            "danger",
            [_("“%(variant)s” was not moved.") % {"variant": variant}, *exc.messages],
        )
    done = _("Moved “%(variant)s” to %(when)s.") % {
        "variant": moved,
        "when": _when_text(moved.planned_at),
    }
    return Notice("warning" if warnings else "success", [done, *warnings])


@require_POST
@workspace_view(Action.PUBLISH)
def calendar_move(request: WorkspaceRequest) -> HttpResponse:
    """A dropped card: move the variant (services.reschedule) and show what happened.

    A refusal is answered with 200 and the reason in the re-rendered calendar, so the
    browser's console stays clean and htmx swaps it like any other answer.
    """
    return _render_calendar(request, notice=_move(request))


def _bulk(request: WorkspaceRequest) -> tuple[Notice, dict[int, RowResult]]:
    name = request.POST.get("action", "")
    if name not in BULK_ACTIONS:
        return Notice("danger", [_("Choose an action.")]), {}
    if not allowed(request.role, workflow.BY_NAME[name].action):
        raise PermissionDenied(_("Your role does not allow this action."))
    ids = list(dict.fromkeys(int(v) for v in request.POST.getlist("variant") if v.isdigit()))
    if not ids:
        return Notice("danger", [_("Tick at least one variant.")]), {}
    results: dict[int, RowResult] = {}
    refusals: list[str] = []
    notes: list[str] = []
    for pk in ids:
        # One service call (and transaction) per row: a refused row changes nothing and
        # never undoes the rows that went through.
        try:
            variant = queries.variant_by_id(request.workspace, pk)
        except Http404:
            results[pk] = RowResult(False, [_("No such variant in this workspace.")])
            refusals.append(_("Variant #%(pk)d: no such variant in this workspace.") % {"pk": pk})
            continue
        try:
            _moved, warnings = services.transition(actor=_user(request), variant=variant, name=name)
        except (ValidationError, PermissionDenied) as exc:
            reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            results[pk] = RowResult(False, reasons)
            refusals.append(f"{variant}: {' '.join(reasons)}")
        else:
            results[pk] = RowResult(True, warnings)
            notes.extend(f"{variant}: {warning}" for warning in warnings)
    done = sum(1 for result in results.values() if result.ok)
    summary = _("%(action)s: %(done)d done, %(refused)d refused.") % {
        "action": workflow.BY_NAME[name].label,
        "done": done,
        "refused": len(refusals),
    }
    level = "danger" if refusals and not done else "warning" if refusals or notes else "success"
    return Notice(level, [summary, *refusals, *notes]), results


@require_POST
@workspace_view(Action.WORKSPACE_VIEW)
def calendar_bulk(request: WorkspaceRequest) -> HttpResponse:
    """Schedule, unschedule or archive the ticked variants, each on its own."""
    notice, results = _bulk(request)
    return _render_calendar(request, notice=notice, results=results)


# Best time to post ----------------------------------------------------------------------


@workspace_view(Action.WORKSPACE_VIEW)
def best_times_page(request: WorkspaceRequest) -> HttpResponse:
    platforms = [value for value, _label in TARGET_PLATFORM_CHOICES]
    platform = request.GET.get("platform", "")
    if platform not in platforms:
        platform = platforms[0]
    best = services.best_times(request.workspace, platform)
    values = [value for row in best.grid for value in row if value is not None]
    chart = {
        "days": [str(WEEKDAYS_ABBR[day]) for day in range(7)],
        "hours": [f"{hour:02d}:00" for hour in range(24)],
        # ECharts heat map points: [hour, weekday, engagement rate %].
        "cells": [
            [hour, day, value]
            for day, row in enumerate(best.grid)
            for hour, value in enumerate(row)
            if value is not None
        ],
        "max": max(values, default=0),
    }
    if best.from_history:
        suggestions = [
            (WEEKDAYS[day], f"{hour:02d}:00", best.grid[day][hour])
            for day, hour in best.suggestions
        ]
    else:
        suggestions = [(_("Every day"), f"{hour:02d}:00", None) for hour in DEFAULT_HOURS]
    context = {
        "nav": "calendar",
        "platforms": TARGET_PLATFORM_CHOICES,
        "platform": platform,
        "platform_label": dict(TARGET_PLATFORM_CHOICES)[platform],
        "best": best,
        "default_hours": " · ".join(f"{hour:02d}:00" for hour in DEFAULT_HOURS),
        "chart_json": json.dumps(chart),
        "suggestions": suggestions,
        "next_slots": services.suggested_slots(request.workspace, platform),
        "calendar_url": reverse("calendar", args=[request.workspace.slug])
        + f"?{urlencode({'view': 'week', 'platform': platform})}",
    }
    return render_page(request, "content/calendar_best_times.html", context)
