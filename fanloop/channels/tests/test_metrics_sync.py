"""Metrics fetched from the platforms land in the daily rows, once."""

from datetime import date, timedelta
from typing import ClassVar

import pytest
from django.db.models import Sum
from django.utils import timezone

from fanloop.channels import metrics_sync
from fanloop.channels.connectors import base
from fanloop.channels.connectors.base import (
    AccountMetrics,
    Capability,
    Connector,
    ConnectorError,
    PostMetrics,
)
from fanloop.channels.models import (
    AccountMetricDaily,
    AccountStatus,
    JobState,
    MetricSource,
    PostMetricDaily,
    PublishJob,
)
from fanloop.channels.services import accounts, dispatch
from fanloop.channels.tests.conftest import make_due

pytestmark = pytest.mark.django_db


def a_day_later(account):
    """The simulated platform, asked a day after publishing, so posts have grown."""
    return accounts.connector_for(account, now=lambda: timezone.now() + timedelta(days=1))


def publish_now(variant) -> PublishJob:
    job = make_due(PublishJob.objects.get(variant=variant, state=JobState.SCHEDULED))
    for claimed in dispatch.claim_due("w1"):
        dispatch.dispatch(claimed, "w1")
    job.refresh_from_db()
    assert job.state == JobState.PUBLISHED
    return job


def test_a_sandbox_post_gets_daily_metrics_marked_simulated(make_account, schedule_variant):
    account = make_account("weibo")
    variant = schedule_variant("weibo")
    job = publish_now(variant)
    tomorrow = timezone.localdate() + timedelta(days=1)

    result = metrics_sync.sync_account(account, today=tomorrow, connector=a_day_later(account))

    rows = PostMetricDaily.objects.filter(post_key=job.remote_id)
    assert result.errors == []
    assert rows.exists()
    assert {r.source for r in rows} == {MetricSource.SANDBOX}
    assert {r.variant_id for r in rows} == {variant.pk}
    assert rows.aggregate(n=Sum("impressions"))["n"] > 0


def test_syncing_twice_does_not_double_count(make_account, schedule_variant):
    account = make_account("weibo")
    job = publish_now(schedule_variant("weibo"))
    tomorrow = timezone.localdate() + timedelta(days=1)
    metrics_sync.sync_account(account, today=tomorrow, connector=a_day_later(account))
    first = PostMetricDaily.objects.filter(post_key=job.remote_id).aggregate(n=Sum("likes"))["n"]

    metrics_sync.sync_account(account, today=tomorrow, connector=a_day_later(account))

    again = PostMetricDaily.objects.filter(post_key=job.remote_id).aggregate(n=Sum("likes"))["n"]
    assert again == first


class TotalsConnector(Connector):
    """A platform reporting running totals (like Weibo's statuses/count)."""

    platform = "zhihu"
    platform_label = "Zhihu"
    capabilities = frozenset(
        {Capability.PUBLISH, Capability.FETCH_POST_METRICS, Capability.FETCH_ACCOUNT_METRICS}
    )
    totals: ClassVar[dict[str, int]] = {}
    error: ClassVar[ConnectorError | None] = None

    def publish(self, request):
        return base.PublishResult(remote_id="z-1", url="https://zhuanlan.zhihu.com/p/1")

    def fetch_post_metrics(self, post_remote_ids, start, end):
        if self.error:
            raise self.error
        return [
            PostMetrics(remote_id=rid, day=end, cumulative=True, **self.totals)
            for rid in post_remote_ids
        ]

    def fetch_account_metrics(self, start, end):
        return [AccountMetrics(day=end, followers_total=1200, followers_gained=30)]


@pytest.fixture
def totals_account(monkeypatch, make_account):
    monkeypatch.setitem(base.REGISTRY, "zhihu", TotalsConnector)
    monkeypatch.setattr(TotalsConnector, "error", None)
    return make_account("zhihu", "知乎 API", simulated=False, credentials={"token": "t"})


def test_running_totals_become_daily_increments(totals_account, schedule_variant):
    publish_now(schedule_variant("zhihu"))
    day1 = date(2026, 11, 20)
    TotalsConnector.totals = {"likes": 10, "comments": 2}
    metrics_sync.sync_account(totals_account, today=day1)
    TotalsConnector.totals = {"likes": 25, "comments": 3}

    metrics_sync.sync_account(totals_account, today=day1 + timedelta(days=1))

    rows = {r.day: (r.likes, r.comments) for r in PostMetricDaily.objects.filter(post_key="z-1")}
    assert rows == {day1: (10, 2), day1 + timedelta(days=1): (15, 1)}
    assert rows[day1][0] + rows[day1 + timedelta(days=1)][0] == 25
    assert PostMetricDaily.objects.filter(post_key="z-1").first().source == MetricSource.CONNECTOR
    follower_row = AccountMetricDaily.objects.get(account=totals_account, day=day1)
    assert (follower_row.followers_total, follower_row.followers_gained) == (1200, 30)


def test_a_refused_token_marks_the_account_and_writes_nothing(totals_account, schedule_variant):
    publish_now(schedule_variant("zhihu"))
    TotalsConnector.error = ConnectorError("token expired", auth=True)

    result = metrics_sync.sync_account(totals_account)

    totals_account.refresh_from_db()
    assert "token expired" in result.errors[0]
    assert totals_account.status == AccountStatus.TOKEN_EXPIRED
    assert not PostMetricDaily.objects.exists()


def test_published_metrics_feed_the_best_times_history(make_account, schedule_variant, workspace):
    account = make_account("weibo")
    publish_now(schedule_variant("weibo"))
    metrics_sync.sync_account(
        account,
        today=timezone.localdate() + timedelta(days=1),
        connector=a_day_later(account),
    )

    history = metrics_sync.engagement_history(workspace, "weibo")

    assert len(history) == 1
    assert history[0].exposure > 0
