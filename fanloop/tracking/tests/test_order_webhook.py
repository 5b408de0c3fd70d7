"""The signed order webhook and its management."""

import json
import time
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.tracking.models import Order, OrderWebhook, OrderWebhookDelivery
from fanloop.tracking.services import order_webhook
from fanloop.tracking.services.order_webhook import signature

pytestmark = pytest.mark.django_db

ORDER = {
    "order_no": "W-1",
    "status": "paid",
    "ordered_at": "2026-05-01T20:15:00+08:00",
    "paid_at": "2026-05-01T20:16:00+08:00",
    "buyer": "13700137000",
    "paid_fen": 18900,
    "promo_code": "KOL-LILY",
    "lines": [{"title": "连衣裙", "quantity": 1, "unit_price": "199.00"}],
}


@pytest.fixture
def hook(workspace, admin_user) -> tuple[OrderWebhook, str]:
    return order_webhook.create_webhook(
        actor=admin_user, workspace=workspace, name="Shop ERP", shop_platform="youzan"
    )


def post(
    hook: tuple[OrderWebhook, str],
    payload: Any,
    *,
    delivery: str = "",
    timestamp: int | None = None,
    secret: str = "",
    token: str = "",
) -> Any:
    endpoint, real_secret = hook
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    delivery = delivery or uuid.uuid4().hex
    sig = signature(secret or real_secret, ts, delivery, body)
    return Client().post(
        f"/hooks/orders/{token or endpoint.token}/",
        data=body,
        content_type="application/json",
        headers={
            "X-Fanloop-Timestamp": ts,
            "X-Fanloop-Delivery": delivery,
            "X-Fanloop-Signature": sig,
        },
    )


def test_a_signed_delivery_stores_the_order(hook, workspace) -> None:
    response = post(hook, {"orders": [ORDER]})

    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    stored = Order.objects.get(workspace=workspace, order_no="W-1")
    assert (stored.shop_platform, stored.source, stored.paid_fen, stored.gross_fen) == (
        "youzan",
        "webhook",
        18900,
        19900,
    )
    assert stored.lines.get().unit_price_fen == 19900
    assert stored.buyer_hash
    assert "13700137000" not in json.dumps(list(Order.objects.values()), default=str)
    assert AuditEntry.objects.filter(action="tracking.orders_ingested").count() == 1


def test_a_later_delivery_updates_the_status(hook) -> None:
    post(hook, {"orders": [ORDER]})

    response = post(hook, {"orders": [{**ORDER, "status": "refunded"}]})

    assert response.json()["updated"] == 1
    assert Order.objects.get(order_no="W-1").net_fen == 0


def test_bad_signature_is_refused(hook) -> None:
    response = post(hook, {"orders": [ORDER]}, secret="wrong")

    assert response.status_code == 401
    assert Order.objects.count() == 0


def test_stale_timestamp_is_refused(hook) -> None:
    response = post(hook, {"orders": [ORDER]}, timestamp=int(time.time()) - 3600)

    assert response.status_code == 401
    assert Order.objects.count() == 0


def test_a_replayed_delivery_is_refused(hook) -> None:
    assert post(hook, {"orders": [ORDER]}, delivery="d-1").status_code == 200

    replay = post(hook, {"orders": [{**ORDER, "order_no": "W-2"}]}, delivery="d-1")

    assert replay.status_code == 409
    assert list(Order.objects.values_list("order_no", flat=True)) == ["W-1"]


def test_unknown_or_inactive_token_is_404(hook, admin_user) -> None:
    assert post(hook, {"orders": [ORDER]}, token="nope").status_code == 404
    order_webhook.set_active(actor=admin_user, endpoint=hook[0], active=False)

    assert post(hook, {"orders": [ORDER]}).status_code == 404


def test_bad_json_is_400(hook) -> None:
    response = post(hook, b"{not json")

    assert response.status_code == 400
    assert "not JSON" in response.json()["error"]


def test_one_invalid_order_stores_nothing_and_lists_errors(hook) -> None:
    bad = {"order_no": "W-9", "status": "paid", "ordered_at": "yesterday", "paid": 12.5}
    response = post(hook, {"orders": [ORDER, bad, {"status": "paid"}]}, delivery="d-bad")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["index"] for e in errors] == [1, 2]
    assert "order_no is required" in errors[1]["message"]
    assert Order.objects.count() == 0
    assert not OrderWebhookDelivery.objects.exists()


def test_orders_go_to_the_endpoints_workspace_only(hook, workspace, other_workspace) -> None:
    post(hook, {"orders": [ORDER]})

    assert Order.objects.filter(workspace=other_workspace).count() == 0
    assert Order.objects.filter(workspace=workspace).count() == 1


def test_secret_is_encrypted_and_rotation_invalidates_it(hook, admin_user) -> None:
    endpoint, _secret = hook
    new = order_webhook.rotate_secret(actor=admin_user, endpoint=endpoint)

    assert post(hook, {"orders": [ORDER]}).status_code == 401
    assert post((endpoint, new), {"orders": [ORDER]}).status_code == 200
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM tracking_orderwebhook")
        assert new not in cursor.fetchone()[0]


def test_only_analytics_managers_manage_webhooks(member_with_role, workspace) -> None:
    with pytest.raises(PermissionDenied):
        order_webhook.create_webhook(
            actor=member_with_role(Role.OPERATOR),
            workspace=workspace,
            name="x",
            shop_platform="taobao",
        )
