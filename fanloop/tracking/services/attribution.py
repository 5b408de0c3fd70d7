"""Attribution of orders to campaigns, links and partners. The one write path for an
order's attribution fields.

Rules, first match wins:

1. CODE: the order's promo text carries one of the workspace's promo codes (whole code,
   any letter case, valid on the order's local date when the code has a validity) →
   the code's campaign, partner and link.
2. CLICK: the order carries a visitor id and a person (not a bot) with that visitor id
   clicked one of the workspace's tracking links within the click window before the
   order → the last such click's link, and its campaign and partner.
3. NONE: unattributed.

Re-running is idempotent: an order whose result is unchanged is not written. A change
marks the order's local day dirty, so its rollup (orders, GMV and coupon costs per
campaign/link/partner) is rebuilt.

Clicks reach the database through the click buffer a little later than the redirect
served them, so an order imported in between would stay unattributed. The rollup job
therefore calls :func:`attribute_pending_for_day` for every dirty day before it rebuilds
it: it retries the unattributed orders of that day, and those whose visitor clicked on
that day (the click buffer marks the clicks' day dirty when it flushes), which is a
handful of indexed queries per day.
"""

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action
from fanloop.tracking.models import (
    AttributionRule,
    AttributionSettings,
    Click,
    Order,
    PromoCode,
    TrackingLink,
)
from fanloop.tracking.models.settings import DEFAULT_CLICK_WINDOW_DAYS, MAX_CLICK_WINDOW_DAYS

BATCH = 1000
FIELDS = (
    "campaign_id",
    "link_id",
    "partner_id",
    "promo_id",
    "click_id",
    "attribution_rule",
    "attribution_note",
)
# a code is "whole" when no letter or digit touches it on either side
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"


@dataclass(frozen=True)
class Result:
    campaign_id: int | None
    link_id: int | None
    partner_id: int | None
    promo_id: int | None
    click_id: int | None
    attribution_rule: str
    attribution_note: str


def click_window_days(workspace: Workspace | int) -> int:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    found = (
        AttributionSettings.objects.filter(workspace_id=workspace_id)
        .values_list("click_window_days", flat=True)
        .first()
    )
    return int(found) if found else DEFAULT_CLICK_WINDOW_DAYS


def local_day_range(day: date, zone: Any) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of a local calendar day (DST-exact)."""
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


class _CodeMatcher:
    """Finds the workspace's codes in promo texts with one compiled pattern."""

    def __init__(self, workspace_id: int) -> None:
        self.by_code: dict[str, list[PromoCode]] = {}
        for promo in PromoCode.objects.filter(workspace_id=workspace_id).select_related("link"):
            self.by_code.setdefault(promo.code.casefold(), []).append(promo)
        codes = sorted(self.by_code, key=len, reverse=True)
        # a lookahead finds every (also overlapping) occurrence, longest code first
        self.pattern = (
            re.compile(
                "(?="
                + _EDGE_BEFORE
                + "("
                + "|".join(map(re.escape, codes))
                + ")"
                + _EDGE_AFTER
                + ")",
                re.IGNORECASE,
            )
            if codes
            else None
        )

    def find(self, text: str, on: date) -> PromoCode | None:
        """The first code in the text that is valid on the day, reading left to right."""
        if self.pattern is None or not text:
            return None
        for match in self.pattern.finditer(text):
            for promo in self.by_code.get(match.group(1).casefold(), []):
                if promo.valid_from and on < promo.valid_from:
                    continue
                if promo.valid_until and on > promo.valid_until:
                    continue
                return promo
        return None


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes % 60}
    return _("%(d)d days %(h)d h") % {"d": hours // 24, "h": hours % 24}


def _human_clicks(workspace_id: int, orders: Sequence[Order], window: timedelta) -> dict[str, Any]:
    """Human clicks of the orders' visitors in the span the orders' windows cover,
    per visitor id: sorted (clicked_at, id) keys and the matching rows."""
    visitors = {order.visitor_id for order in orders if order.visitor_id}
    if not visitors:
        return {}
    earliest = min(order.ordered_at for order in orders if order.visitor_id) - window
    latest = max(order.ordered_at for order in orders if order.visitor_id)
    rows = (
        Click.objects.filter(
            workspace_id=workspace_id,
            visitor_id__in=visitors,
            is_bot=False,
            clicked_at__gte=earliest,
            clicked_at__lte=latest,
        )
        .order_by("visitor_id", "clicked_at", "id")
        .values_list("visitor_id", "clicked_at", "id", "link_id")
    )
    per_visitor: dict[str, Any] = {}
    for visitor_id, clicked_at, click_id, link_id in rows:
        keys, values = per_visitor.setdefault(visitor_id, ([], []))
        keys.append((clicked_at, click_id))
        values.append((clicked_at, click_id, link_id))
    return per_visitor


def _decide(
    order: Order,
    local_day: date,
    codes: _CodeMatcher,
    clicks: dict[str, Any],
    links: dict[int, TrackingLink],
    window: timedelta,
    window_days: int,
) -> Result:
    promo = codes.find(order.promo_text, local_day)
    if promo is not None:
        return Result(
            campaign_id=promo.campaign_id,
            link_id=promo.link_id,
            partner_id=promo.partner_id,
            promo_id=promo.pk,
            click_id=None,
            attribution_rule=AttributionRule.CODE,
            attribution_note=_("Code %(code)s in the order's promo text.") % {"code": promo.code},
        )
    if order.visitor_id and order.visitor_id in clicks:
        keys, values = clicks[order.visitor_id]
        # the last click at or before the order (ties: the later-recorded click)
        index = bisect.bisect_right(keys, (order.ordered_at, float("inf"))) - 1
        if index >= 0:
            clicked_at, click_id, link_id = values[index]
            if clicked_at >= order.ordered_at - window:
                link = links[link_id]
                return Result(
                    campaign_id=link.campaign_id,
                    link_id=link.pk,
                    partner_id=link.partner_id,
                    promo_id=None,
                    click_id=click_id,
                    attribution_rule=AttributionRule.CLICK,
                    attribution_note=_("Last click on link %(link)s, %(ago)s before the order.")
                    % {"link": link.code, "ago": _duration(order.ordered_at - clicked_at)},
                )
    return Result(
        campaign_id=None,
        link_id=None,
        partner_id=None,
        promo_id=None,
        click_id=None,
        attribution_rule=AttributionRule.NONE,
        attribution_note=_("No code and no click within %(days)d days.") % {"days": window_days},
    )


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def attribute_orders(workspace: Workspace, order_ids: Iterable[int]) -> int:
    """Attribute these orders of the workspace (ids of other workspaces are ignored);
    returns how many orders' attribution changed."""
    from fanloop.analytics.rollups import mark_dirty

    zone = workspace.zoneinfo
    window_days = click_window_days(workspace)
    window = timedelta(days=window_days)
    codes = _CodeMatcher(workspace.pk)
    changed_total = 0
    for chunk in _chunks(dict.fromkeys(order_ids), BATCH):
        with transaction.atomic():
            orders = list(
                Order.objects.filter(workspace_id=workspace.pk, pk__in=chunk).only(
                    "pk", "ordered_at", "promo_text", "visitor_id", *FIELDS
                )
            )
            clicks = _human_clicks(workspace.pk, orders, window)
            link_ids = {link_id for _keys, values in clicks.values() for *_, link_id in values}
            links = TrackingLink.objects.in_bulk(link_ids) if link_ids else {}
            changed: list[Order] = []
            days: set[tuple[int, date]] = set()
            for order in orders:
                local_day = timezone.localtime(order.ordered_at, zone).date()
                result = _decide(order, local_day, codes, clicks, links, window, window_days)
                if all(getattr(order, name) == getattr(result, name) for name in FIELDS):
                    continue
                for name in FIELDS:
                    setattr(order, name, getattr(result, name))
                changed.append(order)
                days.add((workspace.pk, local_day))
            if changed:
                Order.objects.bulk_update(changed, list(FIELDS), batch_size=500)
                mark_dirty(days)
            changed_total += len(changed)
    return changed_total


def attribute_pending_for_day(workspace: Workspace, day: date) -> int:
    """Retry the unattributed orders a late click of ``day`` may now explain: the
    day's unattributed orders with a visitor id, and later unattributed orders (within
    the click window) of visitors who clicked that day."""
    start, end = local_day_range(day, workspace.zoneinfo)
    window = timedelta(days=click_window_days(workspace))
    pending = Order.objects.filter(
        workspace_id=workspace.pk, attribution_rule=AttributionRule.NONE
    ).exclude(visitor_id="")
    day_orders = pending.filter(ordered_at__gte=start, ordered_at__lt=end)
    visitors = (
        Click.objects.filter(
            workspace_id=workspace.pk, clicked_at__gte=start, clicked_at__lt=end, is_bot=False
        )
        .exclude(visitor_id="")
        .values("visitor_id")
    )
    later = pending.filter(
        ordered_at__gte=start, ordered_at__lte=end + window, visitor_id__in=visitors
    )
    ids = set(day_orders.values_list("pk", flat=True)) | set(later.values_list("pk", flat=True))
    return attribute_orders(workspace, sorted(ids)) if ids else 0


def reattribute(*, workspace: Workspace, actor: User, start: date, end: date) -> int:
    """Attribute again every order of the local days [start, end], e.g. after codes or
    the click window changed. Returns how many orders changed.

    Work goes in batches of its own transactions, not one: a two-year range would
    otherwise hold the database's write lock for minutes. Each batch is idempotent, so
    an interrupted run is finished by running it again."""
    require_action(actor, workspace, Action.ANALYTICS_MANAGE)
    if start > end:
        raise ValidationError({"end": [_("The end date is before the start date.")]})
    first, _unused = local_day_range(start, workspace.zoneinfo)
    _unused, last = local_day_range(end, workspace.zoneinfo)
    ids = list(
        Order.objects.filter(workspace=workspace, ordered_at__gte=first, ordered_at__lt=last)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changed = attribute_orders(workspace, ids)
    settings_row, _created = AttributionSettings.objects.get_or_create(workspace=workspace)
    audit.record(
        actor=actor,
        workspace=workspace,
        action="tracking.orders_reattributed",
        obj=settings_row,
        changes={
            "range": (None, f"{start.isoformat()}..{end.isoformat()}"),
            "orders": (None, len(ids)),
            "changed": (None, changed),
        },
    )
    return changed


def update_attribution_settings(
    *, workspace: Workspace, actor: User, click_window_days: Any
) -> AttributionSettings:
    """Change the click window. Existing orders keep their attribution until
    :func:`reattribute` runs for the days that should follow the new window."""
    require_action(actor, workspace, Action.ANALYTICS_MANAGE)
    try:
        days = int(click_window_days)
    except (TypeError, ValueError):
        days = 0
    if isinstance(click_window_days, bool) or not 1 <= days <= MAX_CLICK_WINDOW_DAYS:
        raise ValidationError(
            {
                "click_window_days": [
                    _("Enter a whole number of days between 1 and %(max)d.")
                    % {"max": MAX_CLICK_WINDOW_DAYS}
                ]
            }
        )
    with transaction.atomic():
        row, _created = AttributionSettings.objects.select_for_update().get_or_create(
            workspace=workspace
        )
        before = audit.snapshot(row, ["click_window_days"])
        row.click_window_days = days
        row.updated_at = timezone.now()
        row.save()
        audit.record(
            actor=actor,
            workspace=workspace,
            action="tracking.attribution_settings_updated",
            obj=row,
            changes=audit.diff(before, audit.snapshot(row, ["click_window_days"])),
        )
    return row
