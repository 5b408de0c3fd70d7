"""The demo shows the whole tracking loop: links, clicks, orders attributed three ways,
costs, a rollup that matches the raw rows, alerts and a running A/B test."""

import pytest
from django.urls import reverse

from fanloop.analytics import queries
from fanloop.analytics.models import DailyFact
from fanloop.analytics.models.alerts import Alert, AlertRule
from fanloop.analytics.models.experiments import Experiment
from fanloop.campaigns.models import Campaign, CampaignState
from fanloop.core import demo
from fanloop.core.models import Workspace
from fanloop.tracking.models import AttributionRule, Click, CostEntry, Order, TrackingLink

pytestmark = pytest.mark.django_db

APPS = {"campaigns", "content", "channels", "inbox", "tracking", "analytics"}


def test_demo_seeds_the_tracking_loop_once(client):
    # given the demo with its tracking and analytics data
    result = demo.seed(only=APPS)
    workspace = result.workspace
    campaign = Campaign.objects.get(workspace=workspace, state=CampaignState.LIVE)

    # then every link, click and order belongs to the demo workspace and campaign
    links = TrackingLink.objects.filter(workspace=workspace)
    assert links.count() >= 10
    assert Click.objects.filter(workspace=workspace).count() > 1000
    assert Click.objects.filter(workspace=workspace, is_bot=True).exists()
    rules = set(
        Order.objects.filter(workspace=workspace).values_list("attribution_rule", flat=True)
    )
    assert rules == {AttributionRule.CODE, AttributionRule.CLICK, AttributionRule.NONE}
    assert CostEntry.objects.filter(workspace=workspace, campaign=campaign).exists()

    # and the rollup agrees with the raw orders of the campaign
    today = max(DailyFact.objects.filter(workspace=workspace).values_list("day", flat=True))
    scope = queries.Scope(workspace.pk, campaign.start_date, today, campaign_id=campaign.pk)
    totals = queries.totals(scope)
    counted = Order.objects.filter(workspace=workspace, campaign=campaign, net_fen__gt=0)
    assert totals.orders == counted.count()
    assert totals.impressions > 0
    assert 0 < totals.unique_clicks < totals.clicks  # the rollup flagged the repeats
    assert Click.objects.filter(workspace=workspace, is_repeat=True).exists()
    assert totals.cost_fen > 0

    # and alerts were raised by the demo's rules, and the A/B test is running
    assert AlertRule.objects.filter(workspace=workspace).count() >= 5
    assert Alert.objects.filter(workspace=workspace).exists()
    assert Experiment.objects.get(workspace=workspace).status == "running"

    # when the demo is seeded again, nothing is added
    counts = (links.count(), Order.objects.count(), Alert.objects.count())
    demo.seed(only=APPS)
    assert (links.count(), Order.objects.count(), Alert.objects.count()) == counts

    # and the campaign dashboard shows the seeded figures to the analyst
    client.force_login(
        Workspace.objects.get(pk=workspace.pk).memberships.get(user__username="demo-analyst").user
    )
    page = client.get(reverse("analytics_campaign", args=[workspace.slug, campaign.pk]))
    assert page.status_code == 200
    assert f"{totals.orders:,}" in page.content.decode()
