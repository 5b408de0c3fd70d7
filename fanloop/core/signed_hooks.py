"""The signature scheme of Fanloop's incoming JSON webhooks (inbox messages, shop orders).

A sender signs ``{timestamp}.{delivery id}.{body}`` with the endpoint's secret
(HMAC-SHA256, hex) and sends the three in ``X-Fanloop-Timestamp``,
``X-Fanloop-Delivery`` and ``X-Fanloop-Signature``. A request more than five minutes off,
with a wrong signature or (checked by the caller) a delivery id already seen is refused,
so a captured request cannot be replayed.
"""

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

TOLERANCE = timedelta(minutes=5)


class SignatureRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def signature(secret: str, timestamp: str, delivery: str, body: bytes) -> str:
    signed = f"{timestamp}.{delivery}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value.strip()
    return ""


def verify(secret: str, body: bytes, headers: Mapping[str, str]) -> str:
    """The request's delivery id when its signature and timestamp hold; else
    :class:`SignatureRefused` with the HTTP status to answer."""
    timestamp = header(headers, "X-Fanloop-Timestamp")
    delivery = header(headers, "X-Fanloop-Delivery")
    given = header(headers, "X-Fanloop-Signature")
    if not (timestamp and delivery and given):
        raise SignatureRefused(
            400,
            _("Send X-Fanloop-Timestamp, X-Fanloop-Delivery and X-Fanloop-Signature headers."),
        )
    if len(delivery) > 100:
        raise SignatureRefused(400, _("The delivery id is longer than 100 characters."))
    try:
        sent = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise SignatureRefused(400, _("The timestamp must be Unix seconds.")) from error
    if abs(timezone.now() - sent) > TOLERANCE:
        raise SignatureRefused(
            401, _("The timestamp is more than five minutes away from now; sign again.")
        )
    if not hmac.compare_digest(signature(secret, timestamp, delivery, body), given):
        raise SignatureRefused(401, _("The signature does not match."))
    return delivery
