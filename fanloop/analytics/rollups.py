"""Incremental rollups: raw rows mark their (workspace, day) dirty; a job rebuilds each
dirty day's DailyFact rows from the raw rows, so the rollup always equals a recomputation.

A day is rebuilt whole: its DailyFact rows are deleted and re-inserted from one GROUP BY
query per raw source (post metrics, account metrics, clicks, orders, costs) and one
bulk insert, inside one transaction. Measures from different sources that share every
dimension land in the same row. The same transaction marks the day's week as not built;
the job then sums the week's days into WeeklyFact with one INSERT … SELECT.

What counts (the KPI tooltips say the same):

* clicks: human clicks (``is_bot`` false) incl. repeats; ``unique_clicks`` leaves out
  repeats, which the rebuild flags first (``tracking.repeats``); ``bot_clicks`` apart.
  A click belongs to the local day of ``clicked_at``.
* orders, by the local day of ``ordered_at``: pending (unpaid) and closed/cancelled
  orders count nowhere. The money of the others is summed: ``gmv_fen`` = paid,
  ``refund_fen``, ``net_gmv_fen`` = net. ``orders`` counts them except fully refunded
  ones. ``repeat_orders`` counts those counted orders whose buyer (non-empty
  ``buyer_hash``) has an earlier counted order within ``REPURCHASE_WINDOW_DAYS``
  (earlier = earlier ``ordered_at``, or the same instant and a smaller id).
* costs: ``CostEntry`` amounts by their day, plus each counted order attributed through a
  promo code costs that code's ``cost_per_use_fen`` (coupon face value / KOL
  commission), booked on the order's own dimensions so ROI per link or partner carries
  it.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from fanloop.analytics.kpis import REPURCHASE_WINDOW_DAYS
from fanloop.analytics.models import (
    DailyFact,
    FactsVersion,
    RollupDirty,
    RollupWatermark,
    WeeklyFact,
    WeekRollup,
)
from fanloop.core.models import Workspace

log = logging.getLogger(__name__)

DIMENSIONS = (
    "campaign_id",
    "platform",
    "account_id",
    "variant_id",
    "post_key",
    "link_id",
    "partner_id",
)
MEASURES = (
    "impressions",
    "views",
    "likes",
    "comments",
    "shares",
    "favourites",
    "followers_gained",
    "followers_lost",
    "clicks",
    "unique_clicks",
    "bot_clicks",
    "orders",
    "gmv_fen",
    "refund_fen",
    "net_gmv_fen",
    "repeat_orders",
    "code_orders",
    "cost_fen",
)
# statuses whose money counts; a fully refunded order keeps its money (paid and refunded
# cancel out in the net) but is not counted as an order
MONEY_STATUSES = ("paid", "shipped", "completed", "partly_refunded", "refunded")
COUNTED_STATUSES = ("paid", "shipped", "completed", "partly_refunded")
# rows written a little before the job's last look may commit after it (a long import
# transaction); looking back this far catches them at the price of re-marking a few days
WATERMARK_OVERLAP = timedelta(minutes=10)
# account metrics carry no updated_at, so the job re-marks this many recent days
ACCOUNT_METRIC_DAYS = 3
# a rebuild writing this many fact rows refreshes the planner's statistics
ANALYZE_AFTER_ROWS = 10_000

Key = tuple[Any, ...]


def mark_dirty(pairs: Iterable[tuple[int, date]]) -> None:
    """Note that these (workspace id, local day) pairs need their facts rebuilt."""
    unique = set(pairs)
    if not unique:
        return
    _insert_dirty(unique)
    if connection.in_atomic_block:
        # A rebuild that claims the day while the caller's transaction is still open
        # would not see the caller's rows; marking again after commit makes sure the
        # day is rebuilt once they are visible.
        transaction.on_commit(lambda: _insert_dirty(unique))


def _insert_dirty(pairs: set[tuple[int, date]]) -> None:
    now = timezone.now()
    RollupDirty.objects.bulk_create(
        [
            RollupDirty(workspace_id=workspace_id, day=day, marked_at=now)
            for workspace_id, day in pairs
        ],
        ignore_conflicts=True,
    )


def _local_range(day: date, zone: Any) -> tuple[datetime, datetime]:
    from fanloop.tracking.services.attribution import local_day_range

    return local_day_range(day, zone)


def _add(merged: dict[Key, dict[str, int]], key: Key, values: dict[str, Any]) -> None:
    row = merged.setdefault(key, dict.fromkeys(MEASURES, 0))
    for name, value in values.items():
        if value:
            row[name] += int(value)


def _post_metrics(workspace_id: int, day: date, merged: dict[Key, dict[str, int]]) -> None:
    from fanloop.channels.models import PostMetricDaily

    names = ("impressions", "views", "likes", "comments", "shares", "favourites")
    rows = (
        PostMetricDaily.objects.filter(workspace_id=workspace_id, day=day)
        .values(
            "platform",
            "account_id",
            "variant_id",
            "post_key",
            campaign=F("variant__item__campaign_id"),
        )
        .annotate(**{f"s_{name}": Sum(name) for name in names})
        .order_by()
    )
    for values in rows:
        row: dict[str, Any] = dict(values)
        key = (
            row["campaign"],
            row["platform"],
            row["account_id"],
            row["variant_id"],
            row["post_key"],
            None,
            None,
        )
        _add(merged, key, {name: row[f"s_{name}"] for name in names})


def _account_metrics(workspace_id: int, day: date, merged: dict[Key, dict[str, int]]) -> None:
    from fanloop.channels.models import AccountMetricDaily

    rows = (
        AccountMetricDaily.objects.filter(workspace_id=workspace_id, day=day)
        .values("account_id", account_platform=F("account__platform"))
        .annotate(gained=Sum("followers_gained"), lost=Sum("followers_lost"))
        .order_by()
    )
    for row in rows:
        key = (None, row["account_platform"], row["account_id"], None, "", None, None)
        _add(merged, key, {"followers_gained": row["gained"], "followers_lost": row["lost"]})


def _clicks(
    workspace_id: int, start: datetime, end: datetime, merged: dict[Key, dict[str, int]]
) -> None:
    from fanloop.tracking.models import Click, TrackingLink

    human = Q(is_bot=False)
    rows = list(
        Click.objects.filter(workspace_id=workspace_id, clicked_at__gte=start, clicked_at__lt=end)
        .values("link_id")
        .annotate(
            n_clicks=Count("id", filter=human),
            n_unique=Count("id", filter=human & Q(is_repeat=False)),
            n_bots=Count("id", filter=Q(is_bot=True)),
        )
        .order_by()
    )
    if not rows:
        return
    links = {
        values["id"]: values
        for values in TrackingLink.objects.filter(pk__in=[row["link_id"] for row in rows]).values(
            "id", "campaign_id", "platform", "variant_id", "partner_id"
        )
    }
    for row in rows:
        link = links[row["link_id"]]
        key = (
            link["campaign_id"],
            link["platform"],
            None,
            link["variant_id"],
            "",
            row["link_id"],
            link["partner_id"],
        )
        _add(
            merged,
            key,
            {
                "clicks": row["n_clicks"],
                "unique_clicks": row["n_unique"],
                "bot_clicks": row["n_bots"],
            },
        )


def _order_platform() -> Case:
    """An order's platform: its link's, else its promo code's, else none."""
    return Case(
        When(~Q(link__platform="") & Q(link__isnull=False), then=F("link__platform")),
        When(~Q(promo__platform="") & Q(promo__isnull=False), then=F("promo__platform")),
        default=Value(""),
        output_field=CharField(),
    )


def _order_key(row: Mapping[str, Any]) -> Key:
    return (
        row["campaign_id"],
        row["order_platform"] or "",
        None,
        row["link_variant"],
        "",
        row["link_id"],
        row["partner_id"],
    )


def _repeat_orders(workspace_id: int, start: datetime, end: datetime) -> dict[Key, int]:
    """Repeat orders of [start, end) per fact key: counted orders whose buyer has an
    earlier counted order (earlier ``ordered_at``, or the same instant and a smaller id)
    within ``REPURCHASE_WINDOW_DAYS``.

    Worked out here rather than as a correlated subquery per order: the day's buyers'
    earlier orders come in a few indexed reads by buyer, where SQLite would run the
    subquery through the whole window's orders for each order of the day."""
    from fanloop.tracking.models import Order

    counted = Order.objects.filter(workspace_id=workspace_id, status__in=COUNTED_STATUSES)
    todays = list(
        counted.filter(ordered_at__gte=start, ordered_at__lt=end)
        .exclude(buyer_hash="")
        .values("id", "buyer_hash", "ordered_at", "campaign_id", "link_id", "partner_id")
        .annotate(order_platform=_order_platform(), link_variant=F("link__variant_id"))
        .order_by()
    )
    if not todays:
        return {}
    window = timedelta(days=REPURCHASE_WINDOW_DAYS)
    buyers = sorted({row["buyer_hash"] for row in todays})
    history: dict[str, list[tuple[datetime, int]]] = {}
    for lo in range(0, len(buyers), 500):
        for buyer, ordered_at, order_id in counted.filter(
            buyer_hash__in=buyers[lo : lo + 500],
            ordered_at__gte=start - window,
            ordered_at__lt=end,
        ).values_list("buyer_hash", "ordered_at", "id"):
            history.setdefault(buyer, []).append((ordered_at, order_id))
    repeats: dict[Key, int] = {}
    for row in todays:
        mine = (row["ordered_at"], row["id"])
        since = row["ordered_at"] - window
        if any(since <= at and (at, pk) < mine for at, pk in history[row["buyer_hash"]]):
            key = _order_key(row)
            repeats[key] = repeats.get(key, 0) + 1
    return repeats


def _orders(
    workspace_id: int, start: datetime, end: datetime, merged: dict[Key, dict[str, int]]
) -> None:
    from fanloop.tracking.models import Order

    counted = Q(status__in=COUNTED_STATUSES)
    rows = (
        Order.objects.filter(
            workspace_id=workspace_id,
            ordered_at__gte=start,
            ordered_at__lt=end,
            status__in=MONEY_STATUSES,
        )
        .values(
            "campaign_id",
            "link_id",
            "partner_id",
            order_platform=_order_platform(),
            link_variant=F("link__variant_id"),
        )
        .annotate(
            n_orders=Count("id", filter=counted),
            paid=Sum("paid_fen"),
            refunded=Sum("refund_fen"),
            net=Sum("net_fen"),
            by_code=Count("id", filter=counted & Q(attribution_rule="code")),
            promo_cost=Sum("promo__cost_per_use_fen", filter=counted & Q(promo__isnull=False)),
        )
        .order_by()
    )
    repeats = _repeat_orders(workspace_id, start, end)
    for row in rows:
        key = _order_key(row)
        _add(
            merged,
            key,
            {
                "orders": row["n_orders"],
                "gmv_fen": row["paid"],
                "refund_fen": row["refunded"],
                "net_gmv_fen": row["net"],
                "repeat_orders": repeats.get(key, 0),
                "code_orders": row["by_code"],
                "cost_fen": row["promo_cost"],
            },
        )


def _costs(workspace_id: int, day: date, merged: dict[Key, dict[str, int]]) -> None:
    from fanloop.tracking.models import CostEntry

    rows = (
        CostEntry.objects.filter(workspace_id=workspace_id, day=day)
        .values("campaign_id", "platform", "partner_id", "variant_id")
        .annotate(amount=Sum("amount_fen"))
        .order_by()
    )
    for row in rows:
        key = (
            row["campaign_id"],
            row["platform"],
            None,
            row["variant_id"],
            "",
            None,
            row["partner_id"],
        )
        _add(merged, key, {"cost_fen": row["amount"]})


def compute_day(workspace: Workspace, day: date) -> dict[Key, dict[str, int]]:
    """The day's facts from the raw rows: measures per dimension tuple."""
    start, end = _local_range(day, workspace.zoneinfo)
    merged: dict[Key, dict[str, int]] = {}
    _post_metrics(workspace.pk, day, merged)
    _account_metrics(workspace.pk, day, merged)
    _clicks(workspace.pk, start, end, merged)
    _orders(workspace.pk, start, end, merged)
    _costs(workspace.pk, day, merged)
    return merged


def _workspace(workspace: Workspace | int) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace.objects.get(pk=workspace)


def rebuild_day(workspace_id: Workspace | int, day: date) -> int:
    """Replace the (workspace, local day)'s facts by a recomputation; returns the
    number of fact rows written."""
    from fanloop.tracking.repeats import flag_day

    workspace = _workspace(workspace_id)
    with transaction.atomic():
        start, end = _local_range(day, workspace.zoneinfo)
        if flag_day(workspace.pk, start, end):
            mark_dirty({(workspace.pk, day + timedelta(days=1))})
        merged = compute_day(workspace, day)
        DailyFact.objects.filter(workspace_id=workspace.pk, day=day).delete()
        facts = [
            DailyFact(
                workspace_id=workspace.pk,
                day=day,
                **dict(zip(DIMENSIONS, key, strict=True)),
                **measures,
            )
            for key, measures in merged.items()
            if any(measures.values())
        ]
        DailyFact.objects.bulk_create(facts, batch_size=500)
        _set_week_built(workspace.pk, week_of(day), built=False)
        bump_version(workspace.pk)
    return len(facts)


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def rebuild_week(workspace_id: int, week: date) -> int:
    """Replace the workspace's WeeklyFact rows of the week starting ``week`` (a Monday)
    by the sums of its days' DailyFact rows; returns the number of rows written."""
    if week.weekday() != 0:
        raise ValueError(f"a week starts on a Monday, not on {week:%A} {week}")
    with transaction.atomic():
        written = _write_week(workspace_id, week)
        _set_week_built(workspace_id, week, built=True)
        bump_version(workspace_id)
    return written


def _set_week_built(workspace_id: int, week: date, *, built: bool) -> None:
    WeekRollup.objects.bulk_create(
        [WeekRollup(workspace_id=workspace_id, week=week, built=built)],
        update_conflicts=True,
        unique_fields=["workspace", "week"],
        update_fields=["built"],
    )


def _write_week(workspace_id: int, week: date) -> int:
    WeeklyFact.objects.filter(workspace_id=workspace_id, week=week).delete()
    quote = connection.ops.quote_name
    # the names are the columns: no field of the facts sets db_column
    columns = ", ".join(quote(name) for name in ["workspace_id", "week", *DIMENSIONS, *MEASURES])
    grouped = ", ".join(quote(name) for name in DIMENSIONS)
    sums = ", ".join(f"SUM({quote(name)})" for name in MEASURES)
    sql = (
        f"INSERT INTO {quote(WeeklyFact._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT %s, %s, {grouped}, {sums} FROM {quote(DailyFact._meta.db_table)} "
        f"WHERE {quote('workspace_id')} = %s AND {quote('day')} >= %s AND {quote('day')} <= %s "
        f"GROUP BY {grouped}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace_id, week, workspace_id, week, week + timedelta(days=6)])
        return max(cursor.rowcount, 0)


def process_stale_weeks(limit: int = 200) -> dict[str, int]:
    """Build up to ``limit`` weeks whose days were rebuilt since. A worker claims a week
    by setting ``built`` with a conditional UPDATE and writes it in the same transaction,
    so a failed build leaves it stale and two workers never both build it; a day rebuilt
    meanwhile makes it stale again."""
    candidates = list(
        WeekRollup.objects.filter(built=False)
        .order_by("week", "id")
        .values_list("id", "workspace_id", "week")[:limit]
    )
    weeks = rows = failed = 0
    for week_id, workspace_id, week in candidates:
        try:
            with transaction.atomic():
                if not WeekRollup.objects.filter(pk=week_id, built=False).update(built=True):
                    continue  # another worker has it
                rows += _write_week(workspace_id, week)
                bump_version(workspace_id)
            weeks += 1
        except Exception:
            log.exception("weekly rollup of workspace %s week %s failed", workspace_id, week)
            failed += 1
    return {"weeks": weeks, "week_rows": rows, "weeks_failed": failed}


def bump_version(workspace_id: int) -> None:
    """Invalidate the workspace's cached reads (analytics.queries); call in the
    transaction that changes its facts, so the new version commits with them."""
    FactsVersion.objects.bulk_create(
        [FactsVersion(workspace_id=workspace_id)], ignore_conflicts=True
    )
    FactsVersion.objects.filter(workspace_id=workspace_id).update(version=F("version") + 1)


def claim_dirty(dirty_id: int) -> bool:
    """Take one dirty day for this worker: whoever deletes the row builds the day. Call
    inside the transaction that rebuilds it, so a failed rebuild leaves it dirty."""
    deleted, _rows = RollupDirty.objects.filter(pk=dirty_id).delete()
    return deleted > 0


def process_dirty(limit: int = 500) -> dict[str, int]:
    """Rebuild up to ``limit`` dirty days, oldest mark first. Before a day is claimed,
    its unattributed orders that late-arriving clicks may now explain are attributed
    again (which may mark later days dirty for the next round)."""
    from fanloop.tracking.services.attribution import attribute_pending_for_day

    candidates = list(
        RollupDirty.objects.order_by("marked_at", "id").values_list("id", "workspace_id", "day")[
            :limit
        ]
    )
    workspaces = Workspace.objects.in_bulk({workspace_id for _, workspace_id, _ in candidates})
    days = rows = failed = reattributed = 0
    for dirty_id, workspace_id, day in candidates:
        workspace = workspaces.get(workspace_id)
        if workspace is None:
            continue
        try:
            reattributed += attribute_pending_for_day(workspace, day)
            with transaction.atomic():
                if not claim_dirty(dirty_id):
                    continue  # another worker has it
                rows += rebuild_day(workspace, day)
            days += 1
        except Exception:
            # one broken day must not stop the others; its dirty row stays for a retry
            log.exception("rollup of workspace %s day %s failed", workspace_id, day)
            failed += 1
    return {"days": days, "rows": rows, "failed": failed, "reattributed": reattributed}


def rebuild_range(workspace: Workspace | int, start: date, end: date) -> dict[str, int]:
    """Rebuild every day of [start, end] and every week they fall in (a full rebuild,
    e.g. after a bulk load)."""
    ws = _workspace(workspace)
    days = rows = 0
    day = start
    while day <= end:
        with transaction.atomic():
            RollupDirty.objects.filter(workspace_id=ws.pk, day=day).delete()
            rows += rebuild_day(ws, day)
        days += 1
        day += timedelta(days=1)
    week = week_of(start)
    while week <= end:
        rebuild_week(ws.pk, week)
        week += timedelta(days=7)
    if rows >= ANALYZE_AFTER_ROWS:
        refresh_statistics()
    return {"days": days, "rows": rows}


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see the facts just written. Until autovacuum gets to the
    table, it plans for the row counts it last saw: after a bulk rebuild that meant a
    sort spilling to disk instead of a hash aggregate, three times slower."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (DailyFact, WeeklyFact):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def raw_day_span(workspace: Workspace | int) -> tuple[date, date] | None:
    """The first and last local day any raw row of the workspace falls on."""
    from django.db.models import Max, Min

    from fanloop.channels.models import AccountMetricDaily, PostMetricDaily
    from fanloop.tracking.models import Click, CostEntry, Order

    ws = _workspace(workspace)
    zone = ws.zoneinfo
    found: list[date] = []
    day_models: tuple[type[Any], ...] = (PostMetricDaily, AccountMetricDaily, CostEntry)
    for model in day_models:
        span = model.objects.filter(workspace_id=ws.pk).aggregate(lo=Min("day"), hi=Max("day"))
        found += [value for value in span.values() if value is not None]
    time_models: tuple[tuple[type[Any], str], ...] = ((Click, "clicked_at"), (Order, "ordered_at"))
    for time_model, field in time_models:
        span = time_model.objects.filter(workspace_id=ws.pk).aggregate(lo=Min(field), hi=Max(field))
        found += [timezone.localtime(value, zone).date() for value in span.values() if value]
    return (min(found), max(found)) if found else None


def mark_changed_metrics(now: datetime | None = None) -> int:
    """Mark dirty the days whose channel metrics changed since the last look.

    Post metrics: the days of ``PostMetricDaily`` rows whose ``updated_at`` is past the
    workspace's watermark (less an overlap for late commits). Account metrics carry no
    ``updated_at``: the last ``ACCOUNT_METRIC_DAYS`` local days of every workspace that
    has account metrics are marked each run (a sync rewrites only recent days).
    Returns how many (workspace, day) pairs were marked."""
    from fanloop.channels.models import AccountMetricDaily, PostMetricDaily

    now = now or timezone.now()
    marks: set[tuple[int, date]] = set()
    marks_by_workspace: dict[int, datetime] = {}
    watermarks = {row.workspace_id: row for row in RollupWatermark.objects.all()}
    workspace_ids = set(
        PostMetricDaily.objects.values_list("workspace_id", flat=True).distinct().order_by()
    )
    for workspace_id in workspace_ids:
        mark = watermarks.get(workspace_id)
        rows = PostMetricDaily.objects.filter(workspace_id=workspace_id)
        if mark is not None and mark.post_metrics_seen_until is not None:
            rows = rows.filter(updated_at__gt=mark.post_metrics_seen_until - WATERMARK_OVERLAP)
        for (day,) in rows.values_list("day").distinct().order_by():
            marks.add((workspace_id, day))
        marks_by_workspace[workspace_id] = now
    account_workspaces = Workspace.objects.filter(
        pk__in=AccountMetricDaily.objects.values("workspace_id")
    )
    for workspace in account_workspaces:
        today = timezone.localtime(now, workspace.zoneinfo).date()
        marks.update((workspace.pk, today - timedelta(days=n)) for n in range(ACCOUNT_METRIC_DAYS))
    with transaction.atomic():
        mark_dirty(marks)
        for workspace_id, seen in marks_by_workspace.items():
            RollupWatermark.objects.update_or_create(
                workspace_id=workspace_id, defaults={"post_metrics_seen_until": seen}
            )
    return len(marks)
