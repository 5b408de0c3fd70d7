"""Metrics from the platforms' APIs into the daily metric rows.

For every account whose connector can fetch metrics, the posts it published in the last
30 days are asked for their figures and written through the same code as file imports
(:mod:`fanloop.channels.imports.writes`): daily figures are stored as they are, running
totals become daily increments by diffing against the previous snapshot, so an API sync
and an import of the same post never count twice. Sources are recorded on every row
(platform API, or sandbox for simulated accounts).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fanloop.channels.connectors.base import (
    REGISTRY,
    AccountMetrics,
    Capability,
    Connector,
    ConnectorError,
    PostMetrics,
)
from fanloop.channels.imports.profiles import COUNT_FIELDS, RATE_FIELDS
from fanloop.channels.imports.writes import (
    PostFigures,
    record_cumulative_batch,
    record_daily_batch,
)
from fanloop.channels.models import (
    AccountMetricDaily,
    AccountStatus,
    ChannelAccount,
    JobState,
    MetricSource,
    PostMetricDaily,
    PublishJob,
)
from fanloop.channels.services import accounts
from fanloop.content.services.scheduling import PostEngagement
from fanloop.core.models import Workspace

log = logging.getLogger(__name__)
LOOKBACK_DAYS = 30  # what the platforms keep per-post data for (Douyin: 30 days)


@dataclass
class SyncResult:
    accounts: int = 0
    post_days: int = 0
    account_days: int = 0
    errors: list[str] = field(default_factory=list)


def _figures(metric: PostMetrics, job: PublishJob) -> PostFigures:
    return PostFigures(
        post_key=metric.remote_id,
        day=metric.day,
        counts={name: int(getattr(metric, name)) for name in COUNT_FIELDS},
        rates={name: getattr(metric, name) for name in RATE_FIELDS},
        title=job.variant.title[:300],
        published_at=job.published_at,
        variant_id=job.variant_id,
    )


def _write_account_metrics(
    account: ChannelAccount, rows: Iterable[AccountMetrics], source: str
) -> int:
    written = 0
    days = set()
    for row in rows:
        days.add(row.day)
        AccountMetricDaily.objects.update_or_create(
            account=account,
            day=row.day,
            defaults={
                "workspace_id": account.workspace_id,
                "followers_total": row.followers_total,
                "followers_gained": row.followers_gained,
                "followers_lost": row.followers_lost,
                "source": source,
            },
        )
        written += 1
    from fanloop.analytics.rollups import mark_dirty

    mark_dirty((account.workspace_id, day) for day in days)
    return written


def sync_account(
    account: ChannelAccount, *, today: date | None = None, connector: Connector | None = None
) -> SyncResult:
    """Fetch and store one account's post and account metrics."""
    result = SyncResult(accounts=1)
    connector_class = REGISTRY.get(account.connector_platform)
    if connector_class is None or not account.uses_api:
        return result
    today = today or timezone.localdate()
    start = today - timedelta(days=LOOKBACK_DAYS)
    source = MetricSource.SANDBOX if account.simulated else MetricSource.CONNECTOR
    jobs = {
        job.remote_id: job
        for job in PublishJob.objects.filter(
            account=account,
            state=JobState.PUBLISHED,
            published_at__date__gte=start,
        )
        .exclude(remote_id="")
        .select_related("variant")
    }
    connector = connector or accounts.connector_for(account)
    try:
        if jobs and Capability.FETCH_POST_METRICS in connector_class.capabilities:
            metrics = connector.fetch_post_metrics(list(jobs), start, today)
            daily = [_figures(m, jobs[m.remote_id]) for m in metrics if not m.cumulative]
            totals = [_figures(m, jobs[m.remote_id]) for m in metrics if m.cumulative]
            with transaction.atomic():
                if daily:
                    written = record_daily_batch(
                        account.workspace, account.platform, daily, source=source, account=account
                    )
                    result.post_days += written.days_written
                if totals:
                    written = record_cumulative_batch(
                        account.workspace, account.platform, totals, source=source, account=account
                    )
                    result.post_days += written.days_written
        if Capability.FETCH_ACCOUNT_METRICS in connector_class.capabilities:
            rows = connector.fetch_account_metrics(start, today)
            with transaction.atomic():
                result.account_days += _write_account_metrics(account, rows, source)
    except ConnectorError as exc:
        if exc.auth:
            accounts.record_problem(account=account, message=exc.message, token_expired=True)
        result.errors.append(f"{account}: {exc.message}")
        log.warning("metrics sync of account %s failed: %s", account.pk, exc.message)
    return result


def sync_all(*, today: date | None = None) -> SyncResult:
    total = SyncResult()
    for account in ChannelAccount.objects.filter(status=AccountStatus.CONNECTED):
        one = sync_account(account, today=today)
        total.accounts += one.accounts
        total.post_days += one.post_days
        total.account_days += one.account_days
        total.errors += one.errors
    return total


def engagement_history(workspace: Workspace, platform: str) -> list[PostEngagement]:
    """What the calendar's best-times heat map learns from: each published post's
    exposure and engagement so far."""
    rows = (
        PostMetricDaily.objects.filter(
            workspace=workspace, platform=platform, published_at__isnull=False
        )
        .values("post_key", "published_at")
        .annotate(
            exposure=Sum("impressions"),
            likes=Sum("likes"),
            comments=Sum("comments"),
            shares=Sum("shares"),
            favourites=Sum("favourites"),
        )
    )
    return [
        PostEngagement(
            published_at=row["published_at"],
            exposure=int(row["exposure"] or 0),
            engagement=int(
                (row["likes"] or 0)
                + (row["comments"] or 0)
                + (row["shares"] or 0)
                + (row["favourites"] or 0)
            ),
        )
        for row in rows
        if row["published_at"] is not None
    ]
