"""The signed order webhook, and managing its endpoints.

A shop system POSTs JSON to ``/hooks/orders/<token>/`` and signs it like the inbox
webhook: ``X-Fanloop-Signature`` is the hex HMAC-SHA256 of ``{timestamp}.{delivery}.{body}``
with the endpoint's secret; ``X-Fanloop-Timestamp`` is Unix seconds (±5 minutes) and
``X-Fanloop-Delivery`` a unique id, so a captured request cannot be replayed (409).

Body::

    {"orders": [{
        "order_no": "T1001",                 # required
        "status": "paid",                    # paid, shipped, completed, refunded, closed,
                                             # pending, partly_refunded, or the shop's text
        "ordered_at": "2026-05-01T20:15:00+08:00",   # required; ISO 8601
        "paid_at": "2026-05-01T20:16:00+08:00",
        "buyer": "buyer id or phone",        # stored only as a salted hash
        "total_fen": 19900, "paid_fen": 18900, "refund_fen": 0,
        "promo_code": "KOL-LILY", "visitor_id": "v-…", "shop_name": "…",
        "close_reason": "",
        "lines": [{"title": "…", "sku": "…", "quantity": 1, "unit_price_fen": 19900,
                   "amount_fen": 19900, "refund_fen": 0}]
    }]}

Money: integer fen in the ``*_fen`` keys; yuan is also accepted as a *string* in the key
without ``_fen`` (``"total": "199.00"``). A bare number in a yuan key is refused, since it
is ambiguous. If any order is invalid the whole delivery is refused (400) with per-order
errors and nothing is stored; resend it fixed with a new delivery id.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.core import audit, signed_hooks
from fanloop.core.models import Workspace
from fanloop.tracking.models import OrderWebhook, OrderWebhookDelivery, ShopPlatform
from fanloop.tracking.order_profiles import (
    OrderProfile,
    RowError,
    parse_fen,
    parse_platform,
    parse_quantity,
    parse_status,
    parse_time,
)
from fanloop.tracking.services.orders import (
    IngestResult,
    OrderProblem,
    build_order,
    ingest_orders,
    require_manage,
)

TOLERANCE = signed_hooks.TOLERANCE
MAX_ORDERS = 1000
MAX_LINES = 500
TEXT_KEYS = ("buyer", "shop_name", "promo_code", "visitor_id", "close_reason")
ORDER_MONEY = ("total", "paid", "refund", "postage")
LINE_MONEY = (("unit_price", "unit_price"), ("amount", "line_amount"), ("refund", "line_refund"))


class WebhookRefused(Exception):
    def __init__(
        self, status: int, message: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


@dataclass
class Delivery:
    result: IngestResult
    order_errors: list[dict[str, Any]] = field(default_factory=list)


signature = signed_hooks.signature


def _check(endpoint: OrderWebhook, body: bytes, headers: Mapping[str, str]) -> str:
    try:
        return signed_hooks.verify(endpoint.secret, body, headers)
    except signed_hooks.SignatureRefused as refused:
        raise WebhookRefused(refused.status, refused.message) from refused


# Payload ---------------------------------------------------------------------------------


def _money(item: Mapping[str, Any], key: str) -> int | None:
    fen = item.get(f"{key}_fen")
    if fen is not None:
        if isinstance(fen, bool) or not isinstance(fen, int):
            raise RowError(_("%(key)s_fen must be a whole number of fen.") % {"key": key})
        return fen
    yuan = item.get(key)
    if yuan is None:
        return None
    if not isinstance(yuan, str):
        raise RowError(
            _('Give %(key)s as a yuan string ("199.00") or %(key)s_fen as fen.') % {"key": key}
        )
    try:
        return parse_fen(yuan)
    except RowError as problem:
        raise RowError(f"{key}: {problem}") from problem


def _time(item: Mapping[str, Any], key: str, tz: Any) -> datetime | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RowError(_("%(key)s must be an ISO 8601 string.") % {"key": key})
    try:
        return parse_time(value, tz)
    except RowError as problem:
        raise RowError(f"{key}: {problem}") from problem


def rows_of(
    item: Any, index: int, *, workspace: Workspace, shop_platform: str
) -> list[dict[str, Any]]:
    """One order of the body as the rows :func:`ingest_orders` takes; raises RowError."""
    if not isinstance(item, dict):
        raise RowError(_("Each order must be a JSON object."))
    order_no = item.get("order_no")
    if isinstance(order_no, int) and not isinstance(order_no, bool):
        order_no = str(order_no)
    if not isinstance(order_no, str) or not order_no.strip():
        raise RowError(_("order_no is required."))
    if len(order_no) > 100:
        raise RowError(_("order_no is longer than 100 characters."))
    tz = workspace.zoneinfo
    profile = OrderProfile(key="webhook", name="webhook", shop_platform=shop_platform, columns={})
    platform = parse_platform(item.get("shop_platform"))
    if platform and platform != shop_platform:
        raise RowError(
            _("This endpoint receives %(endpoint)s orders, not %(order)s.")
            % {"endpoint": shop_platform, "order": platform}
        )
    if item.get("status") in (None, ""):
        raise RowError(_("status is required."))
    base: dict[str, Any] = {
        "row": index,
        "order_no": order_no.strip(),
        "shop_platform": shop_platform,
        "status": parse_status(item.get("status"), profile),
        "ordered_at": _time(item, "ordered_at", tz),
        "paid_at": _time(item, "paid_at", tz),
        "refunded": False,
    }
    if base["ordered_at"] is None:
        raise RowError(_("ordered_at is required."))
    for key in TEXT_KEYS:
        value = item.get(key)
        if value is not None and not isinstance(value, str | int):
            raise RowError(_("%(key)s must be a string.") % {"key": key})
        base[key] = "" if value is None else str(value)
    for key in ORDER_MONEY:
        base[key] = _money(item, key)
    lines = item.get("lines") or []
    if not isinstance(lines, list):
        raise RowError(_("lines must be a list."))
    if len(lines) > MAX_LINES:
        raise RowError(_("At most %(n)d lines per order.") % {"n": MAX_LINES})
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise RowError(_("Line %(n)d must be a JSON object.") % {"n": number})
        row = dict(base) if not rows else {"row": index, **_line_defaults(base)}
        row["title"] = str(line.get("title") or "")
        row["sku"] = str(line.get("sku") or "")
        try:
            row["quantity"] = parse_quantity(line.get("quantity"))
            for key, target in LINE_MONEY:
                row[target] = _money(line, key)
        except RowError as problem:
            raise RowError(
                _("Line %(n)d: %(problem)s") % {"n": number, "problem": problem}
            ) from problem
        rows.append(row)
    if not rows:
        rows.append(base)
    return rows


def _line_defaults(base: Mapping[str, Any]) -> dict[str, Any]:
    return {"order_no": base["order_no"], "shop_platform": base["shop_platform"]}


def receive(*, token: str, body: bytes, headers: Mapping[str, str]) -> Delivery:
    endpoint = (
        OrderWebhook.objects.select_related("workspace").filter(token=token, active=True).first()
    )
    if endpoint is None:
        raise WebhookRefused(404, _("There is no such webhook."))
    delivery = _check(endpoint, body, headers)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WebhookRefused(
            400, _("The body is not JSON: %(error)s") % {"error": error}
        ) from error
    items = payload.get("orders") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise WebhookRefused(400, _("The body needs a non-empty “orders” list."))
    if len(items) > MAX_ORDERS:
        raise WebhookRefused(413, _("Send at most %(max)s orders at once.") % {"max": MAX_ORDERS})
    workspace = endpoint.workspace
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        order_no = str(item.get("order_no") or "") if isinstance(item, dict) else ""
        try:
            order_rows = rows_of(
                item, index, workspace=workspace, shop_platform=endpoint.shop_platform
            )
            if order_rows[0]["order_no"] in seen:
                raise RowError(_("This order is in the body twice."))
            seen.add(order_rows[0]["order_no"])
            build_order(workspace, order_rows)
        except (RowError, OrderProblem) as problem:
            errors.append({"index": index, "order_no": order_no, "message": str(problem)})
            continue
        rows += order_rows
    if errors:
        raise WebhookRefused(400, _("Some orders are invalid; nothing was stored."), errors)
    try:
        with transaction.atomic():
            OrderWebhookDelivery.objects.create(endpoint=endpoint, delivery_id=delivery)
            result = ingest_orders(
                workspace, rows, source="webhook", actor=None, audit_obj=endpoint
            )
    except IntegrityError as error:
        raise WebhookRefused(409, _("This delivery was received already.")) from error
    OrderWebhook.objects.filter(pk=endpoint.pk).update(last_used_at=timezone.now())
    return Delivery(result=result)


def prune_deliveries() -> int:
    """Delivery ids only need to outlive the timestamp window."""
    cutoff = timezone.now() - TOLERANCE * 4
    deleted, _detail = OrderWebhookDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted


# Managing endpoints ----------------------------------------------------------------------


def create_webhook(
    *, actor: Any, workspace: Workspace, name: str, shop_platform: str
) -> tuple[OrderWebhook, str]:
    """A new endpoint and its secret, which is shown this once and stored encrypted."""
    require_manage(actor, workspace)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the webhook after the shop system sending to it.")})
    if shop_platform not in ShopPlatform.values:
        raise ValidationError({"shop_platform": _("Choose the shop platform.")})
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = OrderWebhook.objects.create(
            workspace=workspace,
            name=name[:100],
            token=secrets.token_urlsafe(18),
            secret=secret,
            shop_platform=shop_platform,
        )
        audit.record(
            actor=actor,
            workspace=workspace,
            action="tracking.order_webhook_created",
            obj=endpoint,
            changes={
                "name": (None, endpoint.name),
                "shop_platform": (None, shop_platform),
                "secret": (None, "••••"),
            },
        )
    return endpoint, secret


def rotate_secret(*, actor: Any, endpoint: OrderWebhook) -> str:
    require_manage(actor, endpoint.workspace)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint.secret = secret
        endpoint.save(update_fields=["secret"])
        audit.record(
            actor=actor,
            workspace=endpoint.workspace,
            action="tracking.order_webhook_rotated",
            obj=endpoint,
            changes={"secret": ("••••", "••••")},
        )
    return secret


def set_active(*, actor: Any, endpoint: OrderWebhook, active: bool) -> None:
    require_manage(actor, endpoint.workspace)
    if endpoint.active == active:
        return
    with transaction.atomic():
        endpoint.active = active
        endpoint.save(update_fields=["active"])
        audit.record(
            actor=actor,
            workspace=endpoint.workspace,
            action="tracking.order_webhook_active",
            obj=endpoint,
            changes={"active": (not active, active)},
        )
