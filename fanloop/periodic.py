"""Every periodic job of Fanloop, declared in one place. Domain apps add theirs here."""

from datetime import timedelta

from fanloop.analytics.tasks import run_rollups
from fanloop.analytics.tasks_alerts import evaluate_alert_rules, retry_alert_deliveries
from fanloop.channels.imports.tasks import prune_pending_uploads
from fanloop.channels.tasks import (
    reconcile_publishing,
    refresh_channel_tokens,
    sync_channel_metrics,
)
from fanloop.community.tasks import rollup_community_metrics, sync_wecom_groups
from fanloop.core.scheduler import PeriodicJob
from fanloop.core.tasks import prune_job_history
from fanloop.inbox.tasks import (
    evaluate_crisis_alerts,
    flag_sla_breaches,
    poll_inbox_comments,
    prune_webhook_deliveries,
)
from fanloop.tracking.services.costs import sync_all_budget_costs
from fanloop.tracking.tasks import prune_order_webhook_deliveries

PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("core.prune_job_history", prune_job_history, timedelta(hours=24)),
    PeriodicJob("channels.reconcile_publishing", reconcile_publishing, timedelta(minutes=1)),
    PeriodicJob("channels.refresh_tokens", refresh_channel_tokens, timedelta(minutes=15)),
    PeriodicJob("channels.sync_metrics", sync_channel_metrics, timedelta(hours=1)),
    PeriodicJob("channels.prune_import_uploads", prune_pending_uploads, timedelta(hours=24)),
    PeriodicJob("inbox.poll_comments", poll_inbox_comments, timedelta(minutes=5)),
    PeriodicJob("inbox.flag_sla_breaches", flag_sla_breaches, timedelta(minutes=5)),
    PeriodicJob("inbox.evaluate_crisis", evaluate_crisis_alerts, timedelta(minutes=10)),
    PeriodicJob("community.sync_wecom_groups", sync_wecom_groups, timedelta(hours=1)),
    PeriodicJob("community.rollup_metrics", rollup_community_metrics, timedelta(hours=6)),
    PeriodicJob("inbox.prune_webhook_deliveries", prune_webhook_deliveries, timedelta(hours=1)),
    PeriodicJob("tracking.sync_budget_costs", sync_all_budget_costs, timedelta(minutes=15)),
    PeriodicJob(
        "tracking.prune_webhook_deliveries", prune_order_webhook_deliveries, timedelta(hours=1)
    ),
    PeriodicJob("analytics.rollups", run_rollups, timedelta(minutes=5)),
    PeriodicJob("analytics.evaluate_alerts", evaluate_alert_rules, timedelta(minutes=15)),
    PeriodicJob("analytics.retry_alert_deliveries", retry_alert_deliveries, timedelta(minutes=1)),
]
