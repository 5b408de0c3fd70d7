"""Channels' background and periodic jobs, thin over the services."""

from fanloop.channels import dispatcher, metrics_sync, sync
from fanloop.channels.services import dispatch
from fanloop.core.jobs import job


@job(max_attempts=1)
def reconcile_publishing() -> dict[str, int]:
    """Also done by every publisher; here so interrupted jobs are settled even when no
    publisher runs (they then surface as "needs check" instead of waiting forever)."""
    dispatcher.housekeeping()
    return {"overdue_flagged": dispatch.flag_overdue_assisted()}


@job(max_attempts=2)
def refresh_channel_tokens() -> dict[str, int]:
    return sync.refresh_expiring_tokens()


@job(max_attempts=2)
def sync_channel_metrics() -> dict[str, object]:
    result = metrics_sync.sync_all()
    return {
        "accounts": result.accounts,
        "post_days": result.post_days,
        "account_days": result.account_days,
        "errors": result.errors[:20],
    }
