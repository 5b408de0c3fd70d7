"""The signed JSON webhook: signatures, timestamps, replays, bad bodies."""

import json
import time

import pytest

from fanloop.core.permissions import Role
from fanloop.inbox.models import Message
from fanloop.inbox.services import setup
from fanloop.inbox.services.webhook import signature
from fanloop.inbox.tests.factories import sandbox_account


@pytest.fixture
def endpoint(workspace, admin_user):
    return setup.create_webhook(actor=admin_user, workspace=workspace, name="客服系统")


def body_of(*messages: dict) -> bytes:
    return json.dumps({"messages": list(messages)}, ensure_ascii=False).encode()


def message(**extra):
    return {
        "platform": "weibo",
        "id": "c-1",
        "kind": "comment",
        "text": "什么时候发货",
        "author": {"id": "u-1", "nickname": "小王"},
        "sent_at": "2026-11-20T10:00:00+08:00",
        **extra,
    }


def post(client, endpoint, body: bytes, *, delivery="d-1", timestamp=None, secret=None):
    hook, real_secret = endpoint
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signed = signature(secret or real_secret, stamp, delivery, body)
    return client.post(
        f"/hooks/inbox/{hook.token}/",
        data=body,
        content_type="application/json",
        headers={
            "X-Fanloop-Timestamp": stamp,
            "X-Fanloop-Delivery": delivery,
            "X-Fanloop-Signature": signed,
        },
    )


def test_a_signed_delivery_is_stored_once(client, endpoint, workspace):
    response = post(client, endpoint, body_of(message(), message(id="c-2", text="好看")))
    assert response.status_code == 200
    assert response.json() == {"created": 2, "duplicates": 0, "errors": []}

    # the same messages in a new delivery are duplicates, not new rows
    again = post(client, endpoint, body_of(message()), delivery="d-2")
    assert again.json()["duplicates"] == 1
    assert Message.objects.filter(workspace=workspace).count() == 2


def test_a_replayed_delivery_is_refused(client, endpoint):
    body = body_of(message())
    assert post(client, endpoint, body).status_code == 200
    replay = post(client, endpoint, body)
    assert replay.status_code == 409


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"secret": "wrong"}, 401),
        ({"timestamp": int(time.time()) - 3600}, 401),
        ({"timestamp": "yesterday"}, 400),
    ],
)
def test_bad_signatures_and_stale_requests_store_nothing(client, endpoint, change, status):
    response = post(client, endpoint, body_of(message()), **change)
    assert response.status_code == status
    assert "error" in response.json()
    assert not Message.objects.exists()


def test_missing_headers_unknown_token_and_bad_json(client, endpoint):
    hook, _secret = endpoint
    bare = client.post(f"/hooks/inbox/{hook.token}/", data=b"{}", content_type="application/json")
    assert bare.status_code == 400
    unknown = client.post("/hooks/inbox/nope/", data=b"{}", content_type="application/json")
    assert unknown.status_code == 404
    assert post(client, endpoint, b"not json").status_code == 400
    assert post(client, endpoint, b'{"messages": []}', delivery="d-9").status_code == 400
    assert not Message.objects.exists()


def test_rows_with_problems_are_reported_by_position(client, endpoint, workspace):
    response = post(
        client,
        endpoint,
        body_of(
            message(id="ok-1"),
            message(id="bad-1", sent_at="2026-11-20 10:00"),
            message(id="bad-2", account_id=999999),
            "not an object",
        ),
    )
    data = response.json()
    assert response.status_code == 200
    assert data["created"] == 1
    assert [e["index"] for e in data["errors"]] == [1, 2, 3]
    assert "time zone" in data["errors"][0]["message"]


def test_another_workspaces_account_cannot_be_named(client, endpoint, other_workspace, make_user):
    from fanloop.core import services

    owner = other_workspace.memberships.first().user
    op = make_user("other-op")
    services.add_member(actor=owner, workspace=other_workspace, user=op, role=Role.OPERATOR)
    foreign = sandbox_account(actor=op, workspace=other_workspace)
    data = post(client, endpoint, body_of(message(account_id=foreign.pk))).json()
    assert data["created"] == 0
    assert "not an account of this workspace" in data["errors"][0]["message"]


def test_secret_is_encrypted_at_rest_and_rotation_invalidates_it(client, endpoint, admin_user):
    from django.db import connection

    hook, secret = endpoint
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM inbox_webhookendpoint WHERE id = %s", [hook.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored
    new_secret = setup.rotate_webhook_secret(actor=admin_user, endpoint=hook)
    assert post(client, endpoint, body_of(message())).status_code == 401
    assert post(client, (hook, new_secret), body_of(message()), delivery="d-3").status_code == 200
