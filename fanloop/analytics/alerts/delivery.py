"""Delivering an alert once: in the app (at once, with the alert), by email and by webhook
(in a background job, retried with back-off; every attempt is recorded).

Webhook formats: plain JSON (``{"event": "fanloop.alert", "alert": {...}}``, any 2xx is
success) or the WeCom group robot's ``{"msgtype": "markdown", "markdown": {"content":
...}}``, where success is HTTP 2xx *and* ``{"errcode": 0, ...}`` in the body — the robot
answers 200 with a non-zero errcode for a bad key or a throttled robot.

An attempt is claimed with a conditional UPDATE (status pending, the attempt count the
claimer saw, due now) and leases the delivery for ``LEASE``: two workers or a worker and
the sweep never send the same attempt twice, and a worker that dies mid-send leaves it
for the sweep after the lease.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from fanloop.analytics.models.alerts import (
    Alert,
    AlertDelivery,
    AlertDeliveryAttempt,
    AlertRule,
    DeliveryChannel,
    DeliveryStatus,
    Severity,
    WebhookFormat,
)
from fanloop.core.models import Membership, User
from fanloop.core.notifications import notify
from fanloop.core.outbound import private_address_reason

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 5
# Waits after the 1st, 2nd, 3rd and 4th failed attempt.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1)]
LEASE = timedelta(minutes=10)
WECOM_MAX_BYTES = 4096  # the robot rejects longer markdown content
SEVERITY_COLOUR = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.CRITICAL: "warning"}


class DeliveryError(Exception):
    pass


@dataclass
class AttemptResult:
    ok: bool
    http_status: int | None = None
    error: str = ""


# Text --------------------------------------------------------------------------------------


def split_addresses(text: str) -> list[str]:
    seen: list[str] = []
    for part in text.replace(",", "\n").replace(";", "\n").split():
        address = part.strip().lower()
        if address and address not in seen:
            seen.append(address)
    return seen


def mask_url(url: str) -> str:
    """Enough of a webhook URL to recognise it, none of its secret: query values show
    their last four characters only, a URL without a query only its host."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.query:
        query = "&".join(
            f"{name}=…{value[-4:]}" if len(value) > 4 else f"{name}=…"
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        )
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{query}"
    return f"{parts.scheme}://{parts.netloc}/…{url[-4:] if len(url) > 12 else ''}"


def alert_url(alert: Alert, absolute: bool = True) -> str:
    try:
        path = reverse("analytics_alert", args=[alert.workspace.slug, alert.pk])
    except NoReverseMatch:
        return ""
    return settings.SITE_URL.rstrip("/") + path if absolute else path


def _subject(alert: Alert) -> str:
    return _("[%(severity)s] %(workspace)s: %(title)s") % {
        "severity": Severity(alert.severity).label,
        "workspace": alert.workspace.name,
        "title": alert.title,
    }


def text_body(alert: Alert) -> str:
    lines = [
        alert.title,
        "",
        _("Rule: %(rule)s") % {"rule": alert.rule.name},
        _("Value: %(value)s") % {"value": alert.value if alert.value is not None else "—"},
        _("Expected: %(expected)s")
        % {"expected": alert.expected if alert.expected is not None else "—"},
        _("First seen: %(when)s")
        % {
            "when": timezone.localtime(alert.first_seen, alert.workspace.zoneinfo).strftime(
                "%Y-%m-%d %H:%M"
            )
        },
    ]
    url = alert_url(alert)
    if url:
        lines += ["", _("Open: %(url)s") % {"url": url}]
    return "\n".join(lines)


def wecom_markdown(alert: Alert) -> str:
    colour = SEVERITY_COLOUR.get(Severity(alert.severity), "comment")
    lines = [
        f'**<font color="{colour}">{Severity(alert.severity).label}</font>** {alert.title}',
        f"> {_('Rule')}: {alert.rule.name}",
        f"> {_('Value')}: {alert.value if alert.value is not None else '—'}",
        f"> {_('Expected')}: {alert.expected if alert.expected is not None else '—'}",
    ]
    url = alert_url(alert)
    if url:
        lines.append(f"[{_('Open the alert')}]({url})")
    content = "\n".join(lines)
    while len(content.encode()) > WECOM_MAX_BYTES:
        content = content[: len(content) - 50]
    return content


def wecom_payload(alert: Alert) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": wecom_markdown(alert)}}


def json_payload(alert: Alert) -> dict[str, Any]:
    return {
        "event": "fanloop.alert",
        "alert": {
            "id": alert.pk,
            "workspace": alert.workspace.slug,
            "rule": alert.rule.name,
            "kind": alert.rule.kind,
            "severity": alert.severity,
            "status": alert.status,
            "title": alert.title,
            "value": str(alert.value) if alert.value is not None else None,
            "expected": str(alert.expected) if alert.expected is not None else None,
            "first_seen": alert.first_seen.isoformat(),
            "last_seen": alert.last_seen.isoformat(),
            "url": alert_url(alert),
            "evidence": alert.evidence,
        },
    }


# Planning ----------------------------------------------------------------------------------


def _members(rule: AlertRule, roles: list[str]) -> list[User]:
    if not roles:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            workspace_id=rule.workspace_id, role__in=roles, user__is_active=True
        ).select_related("user")
    ]


def email_recipients(rule: AlertRule) -> list[str]:
    addresses = [user.email.lower() for user in _members(rule, rule.email_roles) if user.email]
    for address in split_addresses(rule.email_addresses):
        if address not in addresses:
            addresses.append(address)
    return addresses


def plan(alert: Alert, rule: AlertRule, now: datetime) -> None:
    """Called once, in the transaction that opens the alert: notify in the app now and
    queue email and webhook for the background job."""
    if rule.notify_roles:
        with override(settings.LANGUAGE_CODE):
            text = _("Alert: %(title)s") % {"title": alert.title}
        rows = notify(
            users=_members(rule, rule.notify_roles),
            workspace=rule.workspace,
            text=text,
            url=alert_url(alert, absolute=False),
        )
        in_app = AlertDelivery.objects.create(
            alert=alert,
            channel=DeliveryChannel.IN_APP,
            status=DeliveryStatus.SENT,
            attempts=1,
            sent_at=now,
        )
        AlertDeliveryAttempt.objects.create(
            delivery=in_app, attempted_at=now, ok=True, error=f"{len(rows)} notified"
        )
    pending = []
    if rule.email_roles or rule.email_addresses:
        pending.append(DeliveryChannel.EMAIL)
    if rule.webhook_url:
        pending.append(DeliveryChannel.WEBHOOK)
    for channel in pending:
        AlertDelivery.objects.create(alert=alert, channel=channel, next_attempt_at=now)
    if pending:
        from fanloop.analytics.tasks_alerts import deliver_alert

        alert_id = alert.pk
        transaction.on_commit(lambda: _enqueue(deliver_alert, alert_id))


def _enqueue(task: Any, alert_id: int) -> None:
    # If the queue is down the sweep job still finds the pending deliveries.
    try:
        task.enqueue(alert_id)
    except Exception:
        log.exception("could not enqueue delivery of alert %s; the sweep will send it", alert_id)


# Sending -----------------------------------------------------------------------------------


def _scrub(text: str, url: str) -> str:
    """Errors may quote the URL; its key must not end up in the attempt log."""
    if url:
        text = text.replace(url, mask_url(url))
        for _name, value in parse_qsl(urlsplit(url).query):
            if len(value) > 4:
                text = text.replace(value, "…" + value[-4:])
    return text[:500]


def post_webhook(url: str, fmt: str, payload: dict[str, Any]) -> AttemptResult:
    if reason := private_address_reason(url):
        return AttemptResult(False, None, reason)
    try:
        response = httpx.post(
            url,
            content=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return AttemptResult(False, None, _scrub(f"{type(exc).__name__}: {exc}", url))
    if not 200 <= response.status_code < 300:
        return AttemptResult(
            False, response.status_code, _scrub(f"HTTP {response.status_code}", url)
        )
    if fmt == WebhookFormat.WECOM:
        try:
            body = response.json()
        except ValueError:
            return AttemptResult(False, response.status_code, _("The reply was not JSON."))
        errcode = body.get("errcode") if isinstance(body, dict) else None
        if errcode != 0:
            message = body.get("errmsg", "") if isinstance(body, dict) else ""
            return AttemptResult(
                False, response.status_code, _scrub(f"errcode {errcode}: {message}", url)
            )
    return AttemptResult(True, response.status_code)


def _send_email(alert: Alert) -> AttemptResult:
    recipients = email_recipients(alert.rule)
    if not recipients:
        return AttemptResult(False, None, _("No recipients with an email address."))
    subject, body = _subject(alert), text_body(alert)
    # One message per person: the recipients need not learn each other's addresses.
    messages = [EmailMessage(subject, body, to=[address]) for address in recipients]
    try:
        get_connection().send_messages(messages)
    except Exception as exc:
        return AttemptResult(False, None, f"{type(exc).__name__}: {exc}"[:500])
    return AttemptResult(True)


def _send(delivery: AlertDelivery) -> AttemptResult:
    alert = delivery.alert
    if delivery.channel == DeliveryChannel.EMAIL:
        return _send_email(alert)
    rule = alert.rule
    if not rule.webhook_url:
        return AttemptResult(False, None, _("The rule no longer has a webhook."))
    payload = (
        wecom_payload(alert) if rule.webhook_format == WebhookFormat.WECOM else json_payload(alert)
    )
    return post_webhook(rule.webhook_url, rule.webhook_format, payload)


def attempt(delivery_id: int, *, now: datetime | None = None) -> AttemptResult | None:
    """Make one attempt if the delivery is due and nobody else holds it; None otherwise."""
    now = now or timezone.now()
    current = (
        AlertDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .values_list("attempts", flat=True)
        .first()
    )
    if current is None:
        return None
    claimed = AlertDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=current
    ).update(attempts=current + 1, next_attempt_at=now + LEASE)
    if claimed != 1:
        return None
    delivery = AlertDelivery.objects.select_related("alert__rule", "alert__workspace").get(
        pk=delivery_id
    )
    with override(settings.LANGUAGE_CODE):
        result = _send(delivery)
    number = current + 1
    AlertDeliveryAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        ok=result.ok,
        http_status=result.http_status,
        error=result.error[:500],
    )
    if result.ok:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
    elif number >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = result.error[:500]
    else:
        delivery.next_attempt_at = now + BACKOFF[min(number, len(BACKOFF)) - 1]
        delivery.last_error = result.error[:500]
    delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    return result


def deliver(alert_id: int, *, now: datetime | None = None) -> int:
    """Attempt every due delivery of one alert; returns how many succeeded."""
    ids = AlertDelivery.objects.filter(
        alert_id=alert_id, status=DeliveryStatus.PENDING
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(ids) if (result := attempt(pk, now=now)) and result.ok)


def retry_due(*, now: datetime | None = None, limit: int = 200) -> int:
    now = now or timezone.now()
    ids = (
        AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in list(ids) if (result := attempt(pk, now=now)) and result.ok)


def send_test_webhook(rule: AlertRule) -> AttemptResult:
    with override(settings.LANGUAGE_CODE):
        title = _("Test message from Fanloop alert rule “%(rule)s”") % {"rule": rule.name}
    if rule.webhook_format == WebhookFormat.WECOM:
        payload: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": f"**{title}**"}}
    else:
        payload = {"event": "fanloop.alert.test", "rule": rule.name, "title": title}
    return post_webhook(rule.webhook_url, rule.webhook_format, payload)
