"""The one write path for orders: file imports and the webhook both end here.

Rows come in parsed (see :func:`fanloop.tracking.order_profiles.parse_row` and the
webhook's payload reader): one row per order, or one row per order line where several
rows share an order number. Order-level cells (status, total, times, buyer) are taken
from the first row of the order that has them — line-level exports repeat them on every
line — while line cells (title, quantity, unit price, line amount) make one line each.

Money is netted so an order counts what the shop kept:

* gross = the total column; else the goods amount plus postage; else the sum of the
  lines' amounts (quantity × unit price when no line amount is given).
* paid = the paid column; else gross for an order that was paid.
* refund = the refund column (else the lines' refunds) plus returned lines (negative
  quantities); a refunded after-sale status or a refunded order status refunds all.
* net = paid − refund; 0 for closed, cancelled, unpaid and fully refunded orders.

An order is all-or-nothing: if any of its rows has an error, none of it is written.
Orders are upserted by (workspace, shop platform, order number): importing the same
export again changes nothing, a newer export with a changed status or refund updates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.analytics.rollups import mark_dirty
from fanloop.core import audit
from fanloop.core.models import Workspace
from fanloop.core.permissions import Action, allowed
from fanloop.core.services import role_of
from fanloop.tracking.models import Order, OrderImport, OrderLine, OrderStatus
from fanloop.tracking.privacy import hash_buyer
from fanloop.tracking.services.attribution import attribute_orders

ORDER_FIELDS = (
    "shop_name",
    "buyer_hash",
    "status",
    "ordered_at",
    "paid_at",
    "gross_fen",
    "paid_fen",
    "refund_fen",
    "net_fen",
    "item_count",
    "title",
    "promo_text",
    "visitor_id",
    "close_reason",
)
LINE_FIELDS = ("line_no", "title", "sku", "quantity", "unit_price_fen", "amount_fen", "refund_fen")
# A later export that lacks these columns must not undo attribution made from them.
KEEP_WHEN_EMPTY = ("buyer_hash", "visitor_id", "promo_text")
LINE_KEYS = ("title", "sku", "quantity", "unit_price", "line_amount")
UNPAID = (OrderStatus.PENDING, OrderStatus.CLOSED)
NO_NET = (OrderStatus.PENDING, OrderStatus.CLOSED, OrderStatus.REFUNDED)
AUDIT_FIELDS = ("order_no", "shop_platform", "status", "net_fen")


@dataclass
class IngestResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    skipped_orders: int = 0
    # {"row": n, "order_no": "...", "reason": "..."}
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped_orders += other.skipped_orders
        self.errors += other.errors


class OrderProblem(ValueError):
    pass


def require_manage(actor: Any, workspace: Workspace) -> None:
    """Imports and webhooks need analytics management; ``None`` is the system (CLI,
    signed webhook)."""
    if actor is None:
        return
    if not allowed(role_of(actor, workspace), Action.ANALYTICS_MANAGE):
        raise PermissionDenied(_("Your role does not allow importing orders."))


# Building an order from its rows ---------------------------------------------------------


def _first(rows: Sequence[Mapping[str, Any]], key: str) -> Any:
    for row in rows:
        value = row.get(key)
        if value is not None and value != "":
            return value
    return None


def _has_line(row: Mapping[str, Any]) -> bool:
    return any(row.get(key) not in (None, "") for key in LINE_KEYS)


def _unique_join(values: Iterable[Any], sep: str, limit: int) -> str:
    seen: list[str] = []
    for value in values:
        text = str(value or "").strip()
        if text and text not in seen:
            seen.append(text)
    return sep.join(seen)[:limit]


def build_order(
    workspace: Workspace, rows: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The order's stored values and its lines, from its rows (none with an error)."""
    lines: list[dict[str, Any]] = []
    for row in rows:
        if not _has_line(row):
            continue
        quantity = row.get("quantity")
        quantity = 1 if quantity is None else int(quantity)
        unit = int(row.get("unit_price") or 0)
        amount = row.get("line_amount")
        amount = quantity * unit if amount is None else int(amount)
        if quantity < 0 < amount:
            amount = -amount  # a returned quantity takes money back whatever the sign
        lines.append(
            {
                "line_no": len(lines) + 1,
                "title": str(row.get("title") or "")[:500],
                "sku": str(row.get("sku") or "")[:120],
                "quantity": quantity,
                "unit_price_fen": unit,
                "amount_fen": amount,
                "refund_fen": int(row.get("line_refund") or 0),
            }
        )
    status = _first(rows, "status")
    if status is None:
        raise OrderProblem(_("The order status is empty."))
    ordered_at = _first(rows, "ordered_at")
    if ordered_at is None:
        raise OrderProblem(_("The order time is empty."))
    total = _first(rows, "total")
    goods = _first(rows, "goods")
    postage = int(_first(rows, "postage") or 0)
    if total is not None:
        gross = int(total)
    elif goods is not None:
        gross = int(goods) + postage
    elif lines:
        gross = sum(max(line["amount_fen"], 0) for line in lines) + postage
    else:
        gross = int(_first(rows, "paid") or 0)  # only a paid amount: that is the order
    returned = -sum(min(line["amount_fen"], 0) for line in lines)
    paid_cell = _first(rows, "paid")
    unpaid_default = 0 if status in UNPAID else gross
    paid = int(paid_cell) if paid_cell is not None else unpaid_default
    refund_cell = _first(rows, "refund")
    refund = int(refund_cell) if refund_cell is not None else sum(x["refund_fen"] for x in lines)
    refund += returned
    if status == OrderStatus.REFUNDED or any(row.get("refunded") for row in rows):
        refund = paid
    refund = max(0, min(refund, paid))
    if status not in (OrderStatus.CLOSED, OrderStatus.PENDING) and paid > 0:
        if refund >= paid:
            status = OrderStatus.REFUNDED
        elif refund > 0 and status != OrderStatus.REFUNDED:
            status = OrderStatus.PARTLY_REFUNDED
    net = 0 if status in NO_NET else max(paid - refund, 0)
    shop_platform = str(rows[0]["shop_platform"])
    values = {
        "shop_name": str(_first(rows, "shop_name") or "")[:200],
        "buyer_hash": hash_buyer(workspace.pk, shop_platform, str(_first(rows, "buyer") or "")),
        "status": str(status),
        "ordered_at": ordered_at,
        "paid_at": _first(rows, "paid_at"),
        "gross_fen": gross,
        "paid_fen": paid,
        "refund_fen": refund,
        "net_fen": net,
        "item_count": sum(line["quantity"] for line in lines)
        if lines
        else int(_first(rows, "quantity") or 0),
        "title": _unique_join((line["title"] for line in lines), "、", 500)
        or str(_first(rows, "title") or "")[:500],
        "promo_text": _unique_join((row.get("promo_code") for row in rows), " ", 200),
        "visitor_id": str(_first(rows, "visitor_id") or "")[:64],
        "close_reason": str(_first(rows, "close_reason") or "")[:200],
    }
    return values, lines


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b
    return bool(a == b)


def _local_days(order: Order | Mapping[str, Any], workspace: Workspace) -> set[date]:
    tz = workspace.zoneinfo
    days: set[date] = set()
    for name in ("ordered_at", "paid_at"):
        moment = order.get(name) if isinstance(order, Mapping) else getattr(order, name)
        if moment is not None:
            days.add(timezone.localtime(moment, tz).date())
    return days


# Ingest ----------------------------------------------------------------------------------


def group_rows(
    rows: Iterable[Mapping[str, Any]],
) -> tuple[dict[tuple[str, str], list[Mapping[str, Any]]], list[dict[str, Any]]]:
    """Rows by (shop platform, order number), keeping the file's order; rows without an
    order number are errors by themselves."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    loose: list[dict[str, Any]] = []
    for row in rows:
        order_no = str(row.get("order_no") or "")
        if not order_no:
            loose.append(
                {
                    "row": row.get("row", 0),
                    "order_no": "",
                    "reason": row.get("error") or _("The order number is empty."),
                }
            )
            continue
        groups[(str(row["shop_platform"]), order_no)].append(row)
    return groups, loose


def ingest_orders(
    workspace: Workspace,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str,
    import_batch: OrderImport | None = None,
    actor: Any = None,
    audit_obj: models.Model | None = None,
) -> IngestResult:
    """Write these parsed rows as orders (see the module doc). One audit entry per call
    that is not part of a file import (the import records its own summary)."""
    require_manage(actor, workspace)
    result = IngestResult()
    groups, loose = group_rows(rows)
    result.errors += loose
    built: dict[tuple[str, str], tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for key, group in groups.items():
        bad = [row for row in group if row.get("error")]
        if not bad:
            try:
                built[key] = build_order(workspace, group)
                continue
            except OrderProblem as problem:
                bad = [group[0]]
                result.errors.append(
                    {"row": group[0].get("row", 0), "order_no": key[1], "reason": str(problem)}
                )
        else:
            result.errors += [
                {"row": row.get("row", 0), "order_no": key[1], "reason": str(row["error"])}
                for row in bad
            ]
        result.skipped_orders += 1
        failed = ", ".join(str(row.get("row", "")) for row in bad)
        result.errors += [
            {
                "row": row.get("row", 0),
                "order_no": key[1],
                "reason": _("Skipped with the rest of order %(order)s (problem in row %(rows)s).")
                % {"order": key[1], "rows": failed},
            }
            for row in group
            if all(row is not b for b in bad)
        ]
    result.errors.sort(key=lambda e: (int(e.get("row") or 0), e.get("reason", "")))
    if built:
        with transaction.atomic():
            _write(workspace, built, result, source=source, import_batch=import_batch)
            if import_batch is None and (result.created or result.updated):
                audit.record(
                    actor=actor,
                    workspace=workspace,
                    action="tracking.orders_ingested",
                    obj=audit_obj or Order.objects.get(pk=(result.created or result.updated)[0]),
                    changes={
                        "source": (None, source),
                        "created": (None, len(result.created)),
                        "updated": (None, len(result.updated)),
                        "unchanged": (None, result.unchanged),
                    },
                )
    return result


def _write(
    workspace: Workspace,
    built: Mapping[tuple[str, str], tuple[dict[str, Any], list[dict[str, Any]]]],
    result: IngestResult,
    *,
    source: str,
    import_batch: OrderImport | None,
) -> None:
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, order_no in built:
        by_platform[platform].append(order_no)
    existing: dict[tuple[str, str], Order] = {}
    for platform, numbers in by_platform.items():
        for start in range(0, len(numbers), 500):
            found = Order.objects.filter(
                workspace=workspace,
                shop_platform=platform,
                order_no__in=numbers[start : start + 500],
            ).prefetch_related("lines")
            existing.update({(o.shop_platform, o.order_no): o for o in found})
    now = timezone.now()
    days: set[date] = set()
    new_orders: list[tuple[Order, list[dict[str, Any]]]] = []
    changed: list[tuple[Order, list[dict[str, Any]] | None]] = []
    for (platform, order_no), (values, lines) in built.items():
        order = existing.get((platform, order_no))
        if order is None:
            order = Order(
                workspace=workspace,
                shop_platform=platform,
                order_no=order_no,
                source=source,
                import_batch=import_batch,
                created_at=now,
                updated_at=now,
                **values,
            )
            new_orders.append((order, lines))
            days |= _local_days(values, workspace)
            continue
        for name in KEEP_WHEN_EMPTY:
            if not values[name]:
                values[name] = getattr(order, name)
        old_lines = [tuple(getattr(x, f) for f in LINE_FIELDS) for x in order.lines.all()]
        new_lines = [tuple(x[f] for f in LINE_FIELDS) for x in lines]
        lines_changed = bool(new_lines) and new_lines != old_lines
        fields_changed = [n for n in ORDER_FIELDS if not _same(getattr(order, n), values[n])]
        if not fields_changed and not lines_changed:
            result.unchanged += 1
            continue
        days |= _local_days(order, workspace)
        for name in ORDER_FIELDS:
            setattr(order, name, values[name])
        order.updated_at = now
        if import_batch is not None:
            order.import_batch = import_batch
        days |= _local_days(order, workspace)
        changed.append((order, lines if lines_changed else None))
    if new_orders:
        Order.objects.bulk_create([order for order, _lines in new_orders], batch_size=500)
        OrderLine.objects.bulk_create(
            [OrderLine(order=order, **line) for order, lines in new_orders for line in lines],
            batch_size=1000,
        )
        result.created += [order.pk for order, _lines in new_orders]
    if changed:
        Order.objects.bulk_update(
            [order for order, _lines in changed],
            [*ORDER_FIELDS, "updated_at", "import_batch"],
            batch_size=500,
        )
        relined = [order for order, lines in changed if lines is not None]
        OrderLine.objects.filter(order__in=relined).delete()
        OrderLine.objects.bulk_create(
            [
                OrderLine(order=order, **line)
                for order, lines in changed
                if lines is not None
                for line in lines
            ],
            batch_size=1000,
        )
        result.updated += [order.pk for order, _lines in changed]
    touched = [order.pk for order, _lines in new_orders]
    touched += [order.pk for order, _lines in changed]
    if touched:
        attribute_orders(workspace, touched)
    mark_dirty((workspace.pk, day) for day in days)


def order_audit_snapshot(order: Order) -> dict[str, Any]:
    return audit.snapshot(order, AUDIT_FIELDS)
