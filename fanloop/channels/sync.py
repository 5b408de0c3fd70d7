"""Keeping accounts usable: tokens refreshed before they expire."""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from fanloop.channels.connectors.base import REGISTRY, Capability, ConnectorError
from fanloop.channels.models import AccountStatus, ChannelAccount
from fanloop.channels.services import accounts

log = logging.getLogger(__name__)
REFRESH_AHEAD = timedelta(hours=2)


def refresh_expiring_tokens(*, now: datetime | None = None) -> dict[str, int]:
    """Refresh every connected account whose token expires within the next two hours.

    A refresh that fails for a reason a person must fix marks the account (token expired
    or error, with the platform's message) so the accounts page says what to do.
    """
    now = now or timezone.now()
    due = ChannelAccount.objects.filter(
        status=AccountStatus.CONNECTED,
        simulated=False,
        token_expires_at__isnull=False,
        token_expires_at__lte=now + REFRESH_AHEAD,
    )
    counts = {"refreshed": 0, "failed": 0, "skipped": 0}
    for account in due:
        connector_class = REGISTRY.get(account.connector_platform)
        if connector_class is None or Capability.REFRESH_TOKEN not in connector_class.capabilities:
            counts["skipped"] += 1
            continue
        try:
            fresh = accounts.connector_for(account).refresh_token()
        except ConnectorError as exc:
            counts["failed"] += 1
            accounts.record_problem(
                account=account,
                message=exc.message,
                token_expired=exc.auth or (account.token_expires_at or now) <= now,
            )
            log.warning("token refresh failed for account %s: %s", account.pk, exc.message)
            continue
        expires = fresh.get("expires_at")
        accounts.update_credentials(
            actor=None,
            account=account,
            credentials=fresh,
            token_expires_at=datetime.fromisoformat(expires) if isinstance(expires, str) else None,
        )
        counts["refreshed"] += 1
    return counts
