"""The signed JSON webhook. A sender signs ``{timestamp}.{delivery id}.{body}`` with the
endpoint's secret (HMAC-SHA256, hex); requests older than five minutes, with a wrong
signature or a delivery id already seen are refused, so a captured request cannot be
replayed. Messages are idempotent on their own ids as well."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.inbox.models import MessageSource, WebhookDelivery, WebhookEndpoint
from fanloop.inbox.services.ingest import IngestResult, RowError, ingest
from fanloop.inbox.services.payload import PayloadError, accounts_of, message_from

TOLERANCE = timedelta(minutes=5)
MAX_MESSAGES = 1000


class WebhookRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def signature(secret: str, timestamp: str, delivery: str, body: bytes) -> str:
    signed = f"{timestamp}.{delivery}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value.strip()
    return ""


def _check(endpoint: WebhookEndpoint, body: bytes, headers: Mapping[str, str]) -> str:
    timestamp = _header(headers, "X-Fanloop-Timestamp")
    delivery = _header(headers, "X-Fanloop-Delivery")
    given = _header(headers, "X-Fanloop-Signature")
    if not (timestamp and delivery and given):
        raise WebhookRefused(
            400,
            _("Send X-Fanloop-Timestamp, X-Fanloop-Delivery and X-Fanloop-Signature headers."),
        )
    if len(delivery) > 100:
        raise WebhookRefused(400, _("The delivery id is longer than 100 characters."))
    try:
        sent = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (ValueError, OverflowError) as error:
        raise WebhookRefused(400, _("The timestamp must be Unix seconds.")) from error
    if abs(timezone.now() - sent) > TOLERANCE:
        raise WebhookRefused(
            401, _("The timestamp is more than five minutes away from now; sign again.")
        )
    if not hmac.compare_digest(signature(endpoint.secret, timestamp, delivery, body), given):
        raise WebhookRefused(401, _("The signature does not match."))
    return delivery


def receive(*, token: str, body: bytes, headers: Mapping[str, str]) -> IngestResult:
    endpoint = WebhookEndpoint.objects.filter(token=token, active=True).first()
    if endpoint is None:
        raise WebhookRefused(404, _("There is no such webhook."))
    delivery = _check(endpoint, body, headers)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WebhookRefused(
            400, _("The body is not JSON: %(error)s") % {"error": error}
        ) from error
    items = payload.get("messages") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise WebhookRefused(400, _("The body needs a non-empty “messages” list."))
    if len(items) > MAX_MESSAGES:
        raise WebhookRefused(
            413, _("Send at most %(max)s messages at once.") % {"max": MAX_MESSAGES}
        )
    workspace = endpoint.workspace
    accounts = accounts_of(workspace)
    parsed = []
    errors = []
    for index, item in enumerate(items):
        try:
            parsed.append((index, message_from(workspace, item, accounts)))
        except PayloadError as error:
            errors.append(RowError(index, str(error)))
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(endpoint=endpoint, delivery_id=delivery)
            result = ingest(
                workspace=workspace,
                messages=[message for _index, message in parsed],
                source=MessageSource.WEBHOOK,
            )
    except IntegrityError as error:
        raise WebhookRefused(409, _("This delivery was received already.")) from error
    # ingest numbers rows among the parsed ones; report them by their place in the body.
    places = [index for index, _message in parsed]
    result.errors = sorted(
        errors + [RowError(places[e.index], e.message) for e in result.errors],
        key=lambda e: e.index,
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_used_at=timezone.now())
    return result


def prune_deliveries() -> int:
    """Delivery ids only need to outlive the timestamp window."""
    cutoff = timezone.now() - TOLERANCE * 4
    deleted, _detail = WebhookDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted
