"""In a real browser: the campaign dashboard draws every chart, KPI labels explain their
formula, and the hot content page draws its heatmap."""

from datetime import UTC, datetime, timedelta

import pytest

from fanloop.analytics.tests.test_dashboard_pages import (
    fact,
    local_today,
    make_campaign,
    make_variant,
)
from fanloop.campaigns.models import Goal
from fanloop.conftest import PASSWORD
from fanloop.core.tests.browser import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS_RENDERED = """() => Array.from(
  document.querySelectorAll('[data-analytics-chart]')
).map(el => ({
  name: el.getAttribute('data-testid'),
  instance: !!(window.echarts && echarts.getInstanceByDom(el)),
  drawn: !!el.querySelector('canvas, svg'),
}))"""


def test_campaign_dashboard_draws_every_chart(page, live_server, admin_user, workspace):
    # Given a running campaign with two weeks of figures on two platforms and a goal
    campaign = make_campaign(workspace)
    Goal.objects.create(
        campaign=campaign, goal_type="sales", metric="orders", target=50, deadline=campaign.end_date
    )
    today = local_today(workspace)
    for n in range(10):
        variant = make_variant(
            workspace,
            f"笔记{n}",
            campaign=campaign,
            platform=("xiaohongshu", "douyin")[n % 2],
            topics=["新品"],
            published_at=datetime(2026, 3, 2, 12 + n % 3, tzinfo=UTC),
        )
        for back in range(3):
            fact(
                workspace,
                today - timedelta(days=back + n % 7),
                campaign=campaign,
                variant=variant,
                platform=variant.platform,
                impressions=800 + 50 * n,
                likes=20 + 5 * n,
                comments=3,
                shares=2,
                favourites=4,
                unique_clicks=10 + n,
                clicks=12 + n,
                orders=n % 3,
                net_gmv_fen=9900 * (n % 3),
                cost_fen=5000,
            )

    # When the marketer opens its dashboard
    login(page, live_server, admin_user.username, PASSWORD)
    page.goto(f"{live_server.url}/w/{workspace.slug}/analytics/campaigns/{campaign.pk}/")
    page.wait_for_selector("[data-analytics-chart][data-drawn] canvas")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-analytics-chart]'))"
        ".every(el => el.getAttribute('data-drawn'))"
    )

    # Then every chart container holds a drawn ECharts instance
    charts = page.evaluate(CHARTS_RENDERED)
    assert {chart["name"] for chart in charts} == {"chart-trend", "chart-funnel", "chart-platforms"}
    assert all(chart["instance"] and chart["drawn"] for chart in charts), charts
    # and KPI labels carry their formula
    label = page.locator("[data-testid=kpi-ctr] [data-testid=kpi-label]")
    assert (
        label.get_attribute("title") == "Clicks ÷ exposure × 100%."
        or label.get_attribute("data-bs-original-title") == "Clicks ÷ exposure × 100%."
    )
    assert page.locator("[data-testid=goal-orders]").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analytics-campaign.png"), full_page=True)

    # and the hot content tab (an HTMX-free link) draws its heatmap and group charts
    page.click("[data-testid=analytics-tabs] >> text=Hot content")
    page.wait_for_selector("[data-testid=chart-heatmap][data-drawn] canvas")
    charts = page.evaluate(CHARTS_RENDERED)
    assert all(chart["instance"] and chart["drawn"] for chart in charts), charts
    page.screenshot(path=str(ARTIFACTS / "analytics-hot.png"), full_page=True)
    assert page.console_errors == []
