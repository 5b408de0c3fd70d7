"""Order pages: the list with its attribution, one order, file imports with progress,
and the order webhook's settings. Everyone reads; analysts and admins import."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.money import format_fen
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.tracking.forms_orders import CUSTOM, OrderFilterForm, OrderImportForm, WebhookForm
from fanloop.tracking.models import Order, OrderImport, OrderWebhook
from fanloop.tracking.order_profiles import BUILTIN, custom_profile, with_overrides
from fanloop.tracking.services import order_imports, order_webhook
from fanloop.tracking.services.order_webhook import WebhookRefused

PAGE_SIZE = 50
ERRORS_SHOWN = 200
EXAMPLE_PAYLOAD = """{"orders": [{"order_no": "T20260501001", "status": "paid",
  "ordered_at": "2026-05-01T20:15:00+08:00", "paid_at": "2026-05-01T20:16:00+08:00",
  "buyer": "buyer id or phone (stored hashed)", "paid_fen": 18900, "total": "199.00",
  "refund_fen": 0, "promo_code": "KOL-LILY", "visitor_id": "",
  "lines": [{"title": "连衣裙", "sku": "D-01", "quantity": 1, "unit_price_fen": 19900}]}]}"""
EXAMPLE_SIGNING = """import hashlib, hmac, json, time, uuid, urllib.request

body = json.dumps(payload, ensure_ascii=False).encode()
timestamp, delivery = str(int(time.time())), uuid.uuid4().hex
signed = f"{timestamp}.{delivery}.".encode() + body
signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
request = urllib.request.Request(url, data=body, method="POST", headers={
    "Content-Type": "application/json", "X-Fanloop-Timestamp": timestamp,
    "X-Fanloop-Delivery": delivery, "X-Fanloop-Signature": signature})"""


def can_import(request: WorkspaceRequest) -> bool:
    return allowed(request.role, Action.ANALYTICS_MANAGE)


def _money(order: Order) -> Order:
    order.gross_display = format_fen(order.gross_fen)  # type: ignore[attr-defined]
    order.paid_display = format_fen(order.paid_fen)  # type: ignore[attr-defined]
    order.refund_display = format_fen(order.refund_fen)  # type: ignore[attr-defined]
    order.net_display = format_fen(order.net_fen)  # type: ignore[attr-defined]
    return order


# List and detail -------------------------------------------------------------------------


def filtered_orders(request: WorkspaceRequest, form: OrderFilterForm) -> QuerySet[Order]:
    found = Order.objects.filter(workspace=request.workspace).select_related(
        "campaign", "link", "partner", "promo"
    )
    if not form.is_valid():
        return found
    data = form.cleaned_data
    tz = request.workspace.zoneinfo
    if data.get("campaign"):
        found = found.filter(campaign=data["campaign"])
    if data.get("rule"):
        found = found.filter(attribution_rule=data["rule"])
    if data.get("status"):
        found = found.filter(status=data["status"])
    if data.get("shop"):
        found = found.filter(shop_platform=data["shop"])
    if data.get("since"):
        found = found.filter(ordered_at__gte=datetime.combine(data["since"], time(), tzinfo=tz))
    if data.get("until"):
        end = datetime.combine(data["until"], time.max, tzinfo=tz)
        found = found.filter(ordered_at__lte=end)
    if data.get("q"):
        found = found.filter(order_no__icontains=data["q"].strip())
    return found


@workspace_local_view(Action.ANALYTICS_VIEW)
def order_list(request: WorkspaceRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None, workspace=request.workspace)
    page = Paginator(filtered_orders(request, form), PAGE_SIZE).get_page(request.GET.get("page"))
    for order in page:
        _money(order)
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "tracking/orders_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_import": can_import(request)},
    )


@workspace_local_view(Action.ANALYTICS_VIEW)
def order_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(
        Order.objects.select_related("campaign", "link", "partner", "promo", "click"),
        workspace=request.workspace,
        pk=pk,
    )
    lines = [
        {
            "line": line,
            "unit": format_fen(line.unit_price_fen),
            "amount": format_fen(line.amount_fen),
            "refund": format_fen(line.refund_fen),
        }
        for line in order.lines.all()
    ]
    return render_page(
        request, "tracking/orders_detail.html", {"order": _money(order), "lines": lines}
    )


# Imports ---------------------------------------------------------------------------------


def _mapping(text: str) -> dict[str, str]:
    parts = [p for p in re.split(r"[\n,，;；]+", text or "") if p.strip()]
    from fanloop.tracking.order_profiles import parse_map_option

    return parse_map_option(",".join(parts))


@workspace_local_view(Action.ANALYTICS_MANAGE)
def order_import(request: WorkspaceRequest) -> HttpResponseBase:
    form = OrderImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                mapping = _mapping(data.get("mapping") or "")
                if data["profile"] == CUSTOM:
                    profile = custom_profile(mapping, shop_platform=data["shop_platform"])
                else:
                    profile = BUILTIN[data["profile"]]
                    profile = with_overrides(profile, mapping) if mapping else profile
                batch = order_imports.start_import(
                    actor=acting_user(request),
                    workspace=request.workspace,
                    profile=profile,
                    file_name=upload.name or "orders",
                    data=upload.read(),
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                order_imports.queue_import(batch)
                return redirect("tracking_order_import_run", request.workspace.slug, batch.pk)
        status = 400
    recent = OrderImport.objects.filter(workspace=request.workspace)[:20]
    return render_page(
        request,
        "tracking/orders_import.html",
        {"form": form, "recent": recent, "profiles": BUILTIN.values()},
        status=status,
    )


def _run_context(request: WorkspaceRequest, pk: int) -> dict[str, Any]:
    run = get_object_or_404(OrderImport, workspace=request.workspace, pk=pk)
    running = run.state in (OrderImport.State.QUEUED, OrderImport.State.RUNNING)
    percent = int(100 * run.rows_done / run.rows_total) if run.rows_total else 0
    errors = list(run.errors or [])
    return {
        "run": run,
        "running": running,
        "percent": percent,
        "errors": errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
    }


@workspace_local_view(Action.ANALYTICS_VIEW)
def order_import_run(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return render_page(request, "tracking/orders_import_run.html", _run_context(request, pk))


@workspace_local_view(Action.ANALYTICS_VIEW)
def order_import_status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The block the progress page polls while the import runs."""
    return render_page(
        request, "tracking/orders_import_run.html", _run_context(request, pk), fragment="status"
    )


@workspace_local_view(Action.ANALYTICS_VIEW)
def order_import_errors(request: WorkspaceRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(OrderImport, workspace=request.workspace, pk=pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("row"), _("order number"), _("reason")])
    for problem in run.errors or []:
        writer.writerow(
            [problem.get("row", ""), problem.get("order_no", ""), problem.get("reason", "")]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="order-import-{run.pk}-errors.csv"'
    return response


# Webhook ---------------------------------------------------------------------------------


def _hook_url(request: HttpRequest, endpoint: OrderWebhook) -> str:
    return request.build_absolute_uri(reverse("tracking_order_webhook", args=[endpoint.token]))


def _webhooks_page(
    request: WorkspaceRequest,
    form: WebhookForm | None = None,
    secret: tuple[OrderWebhook, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    endpoints = [
        {"endpoint": e, "url": _hook_url(request, e)}
        for e in OrderWebhook.objects.filter(workspace=request.workspace).order_by("name", "pk")
    ]
    context = {
        "form": form or WebhookForm(),
        "endpoints": endpoints,
        "new_secret": secret[1] if secret else "",
        "secret_for": secret[0] if secret else None,
        "secret_url": _hook_url(request, secret[0]) if secret else "",
        "example_payload": EXAMPLE_PAYLOAD,
        "example_signing": EXAMPLE_SIGNING,
    }
    return render_page(request, "tracking/orders_webhooks.html", context, status=status)


@workspace_local_view(Action.ANALYTICS_MANAGE)
def webhooks(request: WorkspaceRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _webhooks_page(request)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = order_webhook.create_webhook(
                actor=acting_user(request),
                workspace=request.workspace,
                name=form.cleaned_data["name"],
                shop_platform=form.cleaned_data["shop_platform"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Webhook created. Copy its secret now: it is shown once."))
            return _webhooks_page(request, secret=(endpoint, secret))
    return _webhooks_page(request, form=form, status=400)


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def webhook_action(request: WorkspaceRequest, pk: int, action: str) -> HttpResponseBase:
    endpoint = get_object_or_404(OrderWebhook, workspace=request.workspace, pk=pk)
    actor = acting_user(request)
    if action == "rotate":
        secret = order_webhook.rotate_secret(actor=actor, endpoint=endpoint)
        messages.success(
            request, _("New secret made; the old one no longer works. It is shown once.")
        )
        return _webhooks_page(request, secret=(endpoint, secret))
    if action in ("deactivate", "activate"):
        order_webhook.set_active(actor=actor, endpoint=endpoint, active=action == "activate")
        messages.success(
            request,
            _("Webhook switched on.") if action == "activate" else _("Webhook switched off."),
        )
        return redirect("tracking_order_webhooks", request.workspace.slug)
    raise Http404("No such action")


@csrf_exempt
@require_POST
def receive_webhook(request: HttpRequest, token: str) -> JsonResponse:
    """No session and no CSRF token: the HMAC signature authenticates the sender."""
    try:
        delivery = order_webhook.receive(
            token=token, body=request.body, headers=dict(request.headers)
        )
    except WebhookRefused as refused:
        return JsonResponse(
            {"error": refused.message, "errors": refused.errors}, status=refused.status
        )
    result = delivery.result
    return JsonResponse(
        {
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": result.unchanged,
            "received_at": timezone.now().isoformat(),
        }
    )
