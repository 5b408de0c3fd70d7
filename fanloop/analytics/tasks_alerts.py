"""Early-warning jobs, thin over fanloop.analytics.alerts.

Cadence (declared in fanloop/periodic.py by the lead):
* ``evaluate_alert_rules`` every 15 minutes — KPI rules read complete days of the
  rollup, inbox rules (SLA breaches, crisis warnings) follow jobs that run every 5-10
  minutes, so a quarter of an hour keeps warnings timely without re-reading the rollup
  all the time;
* ``retry_alert_deliveries`` every minute — a cheap indexed query; it sends whatever
  the per-alert job could not (back-off 1, 5, 15, 60 minutes, 5 attempts).
"""

from django.utils import timezone

from fanloop.analytics.alerts import delivery, services
from fanloop.analytics.models.alerts import AlertRule
from fanloop.core.jobs import job
from fanloop.core.models import Workspace


@job(max_attempts=1)
def evaluate_alert_rules() -> dict[str, int]:
    now = timezone.now()
    totals = {"raised": 0, "refreshed": 0, "resolved": 0, "skipped": 0}
    workspace_ids = (
        AlertRule.objects.filter(enabled=True)
        .order_by()
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    for workspace in Workspace.objects.filter(pk__in=list(workspace_ids)):
        outcome = services.evaluate_workspace(workspace, now=now)
        for name in totals:
            totals[name] += getattr(outcome, name)
    return totals


@job(max_attempts=1)
def deliver_alert(alert_id: int) -> dict[str, int]:
    """The first attempt of a new alert's email and webhook, right after it opens."""
    return {"sent": delivery.deliver(alert_id)}


@job(max_attempts=1)
def retry_alert_deliveries() -> dict[str, int]:
    return {"sent": delivery.retry_due()}
