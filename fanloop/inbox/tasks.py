"""The inbox's periodic jobs, thin over sla and crisis."""

from fanloop.core.jobs import job
from fanloop.inbox import crisis, sla


@job(max_attempts=1)
def flag_sla_breaches() -> dict[str, int]:
    """Every few minutes: a missed reply time is worth hearing about soon after."""
    return {"flagged": sla.flag_breaches()}


@job(max_attempts=1)
def evaluate_crisis_alerts() -> dict[str, int]:
    return {"raised": crisis.evaluate_crisis()}


@job(max_attempts=1)
def poll_inbox_comments() -> dict[str, int]:
    """Fetch new comments on recent posts of every account whose platform offers it."""
    from fanloop.inbox.services import polling

    return {"created": polling.poll_all()}


@job(max_attempts=1)
def prune_webhook_deliveries() -> dict[str, int]:
    from fanloop.inbox.services import webhook

    return {"pruned": webhook.prune_deliveries()}
