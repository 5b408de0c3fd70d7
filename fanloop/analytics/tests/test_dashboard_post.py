"""A post's own page: its trend, KPIs, links, comments and its content variant; posts
known only from imported metrics too."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from fanloop.analytics.tests.test_dashboard_pages import (
    fact,
    local_today,
    make_campaign,
    make_variant,
    period,
)
from fanloop.channels.models import PostMetricDaily

pytestmark = pytest.mark.django_db


def test_variant_post_page(client_for, admin_user, workspace):
    from fanloop.tracking.models import TrackingLink

    campaign = make_campaign(workspace)
    variant = make_variant(workspace, "早八通勤妆", campaign=campaign)
    link = TrackingLink.objects.create(
        workspace=workspace,
        code="h5post1",
        name="小红书链接",
        destination_url="https://s.example/",
        variant=variant,
    )
    today = local_today(workspace)
    fact(
        workspace,
        today - timedelta(days=1),
        variant=variant,
        platform="xiaohongshu",
        impressions=2000,
        likes=150,
        comments=30,
        shares=10,
        favourites=10,
    )
    fact(
        workspace,
        today,
        variant=variant,
        link=link,
        platform="xiaohongshu",
        unique_clicks=80,
        clicks=90,
        orders=4,
        net_gmv_fen=40000,
    )
    fact(workspace, today, platform="xiaohongshu", impressions=5000)  # another post

    response = client_for(admin_user).get(
        reverse("analytics_post", args=[workspace.slug, f"v{variant.pk}"]),
        period(today - timedelta(days=6), today),
    )

    assert response.status_code == 200
    cards = {card.code: card.shown for card in response.context["page"].cards}
    assert cards["impressions"] == "2,000"
    assert cards["engagement_rate"] == "10.00%"
    assert cards["ctr"] == "4.00%"
    assert cards["orders"] == "4"
    links = response.context["page"].tables["links"]
    assert [row.display for row in links.rows] == [["小红书链接", "80", "4", "5.00%", "¥400.00"]]
    trend = response.context["page"].tables["trend"]
    assert len(trend.rows) == 7
    html = response.content.decode()
    assert reverse("variant_detail", args=[workspace.slug, variant.item_id, variant.pk]) in html
    assert 'data-testid="chart-trend"' in html
    assert "Comments reported by the platform: 30" in html


def test_imported_post_page(client_for, admin_user, workspace):
    day = date(2026, 3, 3)
    PostMetricDaily.objects.create(
        workspace=workspace,
        platform="douyin",
        post_key="7300/abc",
        post_title="开箱视频",
        day=day,
        impressions=900,
        source="import",
    )
    fact(workspace, day, platform="douyin", post_key="7300/abc", impressions=900, likes=9)

    response = client_for(admin_user).get(
        reverse("analytics_post", args=[workspace.slug, "douyin:7300/abc"]),
        period(date(2026, 3, 1), date(2026, 3, 7)),
    )

    assert response.status_code == 200
    assert response.context["post"].title == "开箱视频"
    cards = {card.code: card.shown for card in response.context["page"].cards}
    assert cards["engagement_rate"] == "1.00%"


def test_unknown_post_refs_are_404(client_for, admin_user, workspace):
    client = client_for(admin_user)
    for ref in ("v999999", "douyin:nope", "garbage", "weibo:"):
        assert client.get(reverse("analytics_post", args=[workspace.slug, ref])).status_code == 404
