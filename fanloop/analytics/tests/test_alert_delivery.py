"""Delivering alerts once: in the app, by email (Django's locmem outbox in tests) and by
webhook to a local fake server (plain JSON and the WeCom group robot)."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from fanloop.analytics.alerts import delivery, services
from fanloop.analytics.models import Alert, AlertDelivery, DailyFact
from fanloop.analytics.models.alerts import DeliveryChannel, DeliveryStatus
from fanloop.core.models import Notification

NOW = datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_jobs(settings):
    settings.TASKS = IMMEDIATE


def breach(workspace) -> None:
    for offset in range(7):
        DailyFact.objects.create(
            workspace=workspace,
            day=date(2025, 6, 3) + timedelta(days=offset),
            impressions=1000,
            likes=10,
        )


def make_rule(actor, workspace, **extra):
    return services.create_rule(
        actor=actor,
        workspace=workspace,
        name="Engagement below 2%",
        kind="threshold",
        kpi="engagement_rate",
        threshold="2",
        **extra,
    )


def test_in_app_notification_once_per_alert(
    admin_user, member_with_role, workspace, django_capture_on_commit_callbacks
):
    analyst, viewer = member_with_role("analyst"), member_with_role("viewer")
    breach(workspace)
    rule = make_rule(admin_user, workspace, notify_roles=["admin", "analyst"])
    # when the rule is evaluated three times while the breach lasts
    for minutes in (0, 15, 30):
        with django_capture_on_commit_callbacks(execute=True):
            services.evaluate_rule(rule, now=NOW + timedelta(minutes=minutes))
    # then the admin and the analyst were told once; the viewer not at all
    assert Notification.objects.filter(user=admin_user).count() == 1
    assert Notification.objects.filter(user=analyst).count() == 1
    assert not Notification.objects.filter(user=viewer).exists()
    note = Notification.objects.get(user=analyst)
    alert = Alert.objects.get()
    assert note.url.endswith(f"/analytics/alerts/{alert.pk}/")
    assert "Engagement rate" in note.text
    assert AlertDelivery.objects.get(channel=DeliveryChannel.IN_APP).status == "sent"


def test_email_goes_to_members_of_chosen_roles_and_extra_addresses(
    settings, admin_user, member_with_role, workspace, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    analyst = member_with_role("analyst")
    member_with_role("viewer")
    breach(workspace)
    rule = make_rule(
        admin_user, workspace, email_roles=["analyst"], email_addresses="boss@example.cn"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_rule(rule, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_rule(rule, now=NOW + timedelta(minutes=15))
    # one message per recipient, sent once, none to the viewer
    assert sorted(m.to[0] for m in mail.outbox) == sorted([analyst.email, "boss@example.cn"])
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "Engagement rate" in mail.outbox[0].subject
    assert "/analytics/alerts/" in mail.outbox[0].body
    assert AlertDelivery.objects.get(channel=DeliveryChannel.EMAIL).status == DeliveryStatus.SENT


def test_wecom_markdown_payload_is_posted(
    httpserver: HTTPServer, admin_user, workspace, django_capture_on_commit_callbacks
):
    httpserver.expect_oneshot_request("/cgi-bin/webhook/send", method="POST").respond_with_json(
        {"errcode": 0, "errmsg": "ok"}
    )
    url = httpserver.url_for(f"/cgi-bin/webhook/send?key={KEY}")
    breach(workspace)
    rule = make_rule(admin_user, workspace, webhook_url=url, webhook_format="wecom")
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_rule(rule, now=NOW)
    request, _response = httpserver.log[0]
    assert request.args["key"] == KEY
    body = json.loads(request.get_data())
    assert body["msgtype"] == "markdown"
    assert "Engagement rate" in body["markdown"]["content"]
    assert len(body["markdown"]["content"].encode()) <= delivery.WECOM_MAX_BYTES
    sent = AlertDelivery.objects.get(channel=DeliveryChannel.WEBHOOK)
    assert (sent.status, sent.attempts) == (DeliveryStatus.SENT, 1)
    assert sent.log.get().ok


def test_wecom_errcode_is_a_failed_attempt_and_is_retried(
    httpserver: HTTPServer, admin_user, workspace, django_capture_on_commit_callbacks
):
    # given a robot that refuses once (bad throttle) and then accepts
    httpserver.expect_ordered_request("/hook").respond_with_json(
        {"errcode": 45009, "errmsg": "api freq out of limit"}
    )
    httpserver.expect_ordered_request("/hook").respond_with_json({"errcode": 0, "errmsg": "ok"})
    breach(workspace)
    rule = make_rule(
        admin_user,
        workspace,
        webhook_url=httpserver.url_for(f"/hook?key={KEY}"),
        webhook_format="wecom",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_rule(rule, now=NOW)
    pending = AlertDelivery.objects.get(channel=DeliveryChannel.WEBHOOK)
    assert pending.status == DeliveryStatus.PENDING
    assert pending.attempts == 1
    assert "45009" in pending.last_error
    tried_at = pending.log.get().attempted_at
    assert pending.next_attempt_at == tried_at + delivery.BACKOFF[0]
    # the sweep before the back-off is over does nothing; after it, the retry succeeds
    assert delivery.retry_due(now=tried_at + timedelta(seconds=30)) == 0
    assert delivery.retry_due(now=tried_at + timedelta(minutes=2)) == 1
    pending.refresh_from_db()
    assert (pending.status, pending.attempts) == (DeliveryStatus.SENT, 2)
    assert [a.ok for a in pending.log.all()] == [False, True]
    # re-evaluating the still-open alert sends nothing more
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_rule(rule, now=NOW + timedelta(minutes=15))
    assert len(httpserver.log) == 2


def test_gives_up_after_the_last_attempt(httpserver: HTTPServer, admin_user, workspace):
    httpserver.expect_request("/down").respond_with_data("nope", status=502)
    breach(workspace)
    rule = make_rule(admin_user, workspace, webhook_url=httpserver.url_for("/down"))
    services.evaluate_rule(rule, now=NOW)
    moment = NOW
    for _n in range(delivery.MAX_ATTEMPTS):
        delivery.retry_due(now=moment)
        moment += timedelta(hours=2)
    failed = AlertDelivery.objects.get(channel=DeliveryChannel.WEBHOOK)
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, delivery.MAX_ATTEMPTS)
    assert failed.last_error == "HTTP 502"
    assert delivery.retry_due(now=moment + timedelta(days=1)) == 0


def test_plain_json_payload(httpserver: HTTPServer, admin_user, workspace):
    seen: list[dict] = []

    def handler(request: Request) -> Response:
        seen.append(json.loads(request.get_data()))
        return Response("", status=204)

    httpserver.expect_request("/json").respond_with_handler(handler)
    breach(workspace)
    rule = make_rule(admin_user, workspace, webhook_url=httpserver.url_for("/json"))
    services.evaluate_rule(rule, now=NOW)
    delivery.retry_due(now=NOW)
    assert seen[0]["event"] == "fanloop.alert"
    assert seen[0]["alert"]["value"] == "1.0000"
    assert seen[0]["alert"]["evidence"]["sample"] == 7000


def test_webhook_url_is_encrypted_at_rest_and_shown_masked(admin_user, workspace):
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
    rule = make_rule(admin_user, workspace, webhook_url=url, webhook_format="wecom")
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url FROM analytics_alertrule WHERE id = %s", [rule.pk])
        stored = cursor.fetchone()[0]
    assert KEY not in stored
    assert stored.startswith("fernet:")
    assert delivery.mask_url(url) == ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…5aaa")
    from fanloop.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="analytics.alert_rule_create")
    assert KEY not in json.dumps(entry.changes)


def test_errors_never_record_the_secret_key(admin_user, workspace):
    # given a webhook host that does not answer
    rule = make_rule(
        admin_user, workspace, webhook_url=f"http://127.0.0.1:9/cgi-bin/webhook/send?key={KEY}"
    )
    breach(workspace)
    services.evaluate_rule(rule, now=NOW)
    delivery.retry_due(now=NOW)
    failed = AlertDelivery.objects.get(channel=DeliveryChannel.WEBHOOK)
    assert failed.attempts == 1
    assert failed.last_error
    assert KEY not in failed.last_error
    assert KEY not in failed.log.get().error


def test_test_delivery_reports_the_robot_answer(httpserver: HTTPServer, admin_user, workspace):
    httpserver.expect_request("/t").respond_with_json({"errcode": 93000, "errmsg": "invalid key"})
    rule = make_rule(
        admin_user, workspace, webhook_url=httpserver.url_for("/t?key=abc"), webhook_format="wecom"
    )
    result = services.send_test(actor=admin_user, rule=rule)
    assert not result.ok
    assert "93000" in result.error
    payload = json.loads(httpserver.log[0][0].get_data())
    assert payload["msgtype"] == "markdown"
