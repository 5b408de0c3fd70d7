"""The signed JSON webhook. A sender signs ``{timestamp}.{delivery id}.{body}`` with the
endpoint's secret (HMAC-SHA256, hex); requests older than five minutes, with a wrong
signature or a delivery id already seen are refused, so a captured request cannot be
replayed. Messages are idempotent on their own ids as well."""

import json
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.core import signed_hooks
from fanloop.inbox.models import MessageSource, WebhookDelivery, WebhookEndpoint
from fanloop.inbox.services.ingest import IngestResult, RowError, ingest
from fanloop.inbox.services.payload import PayloadError, accounts_of, message_from

TOLERANCE = signed_hooks.TOLERANCE
MAX_MESSAGES = 1000


class WebhookRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


signature = signed_hooks.signature


def _check(endpoint: WebhookEndpoint, body: bytes, headers: Mapping[str, str]) -> str:
    try:
        return signed_hooks.verify(endpoint.secret, body, headers)
    except signed_hooks.SignatureRefused as refused:
        raise WebhookRefused(refused.status, refused.message) from refused


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
