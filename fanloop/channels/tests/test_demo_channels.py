"""The demo's channels: simulated accounts labelled as such, a publishing history with
simulated metrics, an assisted task, and nothing doubled by seeding again."""

import pytest
from django.db.models import Sum

from fanloop.channels.models import (
    ChannelAccount,
    JobState,
    MetricSource,
    PostMetricDaily,
    PublishJob,
)
from fanloop.core import demo
from fanloop.core.models import Workspace

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_to_the_sandbox_and_says_it_is_simulated():
    demo.seed(only={"campaigns", "content", "channels"})
    workspace = Workspace.objects.get(slug=demo.DEMO_WORKSPACE[0])

    simulated = ChannelAccount.objects.filter(workspace=workspace, simulated=True)
    assert simulated.count() == 3
    assert all("沙盒模拟" in account.display_name for account in simulated)
    published = PublishJob.objects.filter(workspace=workspace, state=JobState.PUBLISHED)
    assert published.count() >= 5
    assert all(job.remote_url.startswith("https://sandbox.fanloop.invalid/") for job in published)
    assert PublishJob.objects.filter(
        workspace=workspace, state=JobState.AWAITING_OPERATOR, account__platform="zhihu"
    ).exists()
    metrics = PostMetricDaily.objects.filter(workspace=workspace)
    assert set(metrics.values_list("source", flat=True)) == {MetricSource.SANDBOX}
    assert metrics.aggregate(n=Sum("impressions"))["n"] > 0

    jobs_before = PublishJob.objects.count()
    demo.seed(only={"campaigns", "content", "channels"})
    assert PublishJob.objects.count() == jobs_before
