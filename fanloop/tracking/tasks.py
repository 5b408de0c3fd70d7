"""Tracking's periodic jobs, thin over the services."""

from fanloop.core.jobs import job
from fanloop.tracking.services import order_webhook


@job(max_attempts=2)
def prune_order_webhook_deliveries() -> dict[str, int]:
    """Periodic (hourly): delivery ids only need to outlive the signature window."""
    return {"deleted": order_webhook.prune_deliveries()}
