"""The workspace overview and the campaign dashboard: KPI cards against hand-computed
figures, the previous-period comparison, goal pacing, post rankings, KOLs, attribution,
empty states, bad input and workspace isolation. Facts are built directly (the rollup
job is tested on its own)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fanloop.analytics.models import DailyFact
from fanloop.campaigns.models import Campaign, Goal, GoalMeasurement
from fanloop.content.models import ContentItem, Variant
from fanloop.core.models import Workspace
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def local_today(workspace: Workspace) -> date:
    return timezone.localdate(timezone=workspace.zoneinfo)


def make_campaign(workspace: Workspace, name: str = "618 大促", **dates: date) -> Campaign:
    today = local_today(workspace)
    return Campaign.objects.create(
        workspace=workspace,
        name=name,
        start_date=dates.get("start", today - timedelta(days=9)),
        end_date=dates.get("end", today + timedelta(days=10)),
    )


def make_variant(
    workspace: Workspace,
    title: str,
    *,
    campaign: Campaign | None = None,
    platform: str = "xiaohongshu",
    body: str = "",
    topics: list[str] | None = None,
    content_type: str = "note",
    purpose: str = "tutorial",
    published_at: datetime | None = None,
) -> Variant:
    item = ContentItem.objects.create(
        workspace=workspace,
        campaign=campaign,
        title=title,
        content_type=content_type,
        purpose=purpose,
    )
    return Variant.objects.create(
        item=item,
        workspace=workspace,
        platform=platform,
        title=title,
        body=body,
        topics=topics or [],
        published_at=published_at,
    )


def fact(workspace: Workspace, day: date, **values: Any) -> DailyFact:
    return DailyFact.objects.create(workspace=workspace, day=day, **values)


def period(start: date, end: date, **extra: str) -> dict[str, str]:
    return {"period": "custom", "start": start.isoformat(), "end": end.isoformat(), **extra}


def card(response: Any, code: str) -> Any:
    return next(c for c in response.context["page"].cards if c.code == code)


@pytest.fixture
def client(client_for, admin_user):
    return client_for(admin_user)


def test_overview_kpis_match_hand_computed_figures(client, workspace):
    # Given a campaign's figures on two days of the period, and half of them the period before
    campaign = make_campaign(workspace)
    start, end = date(2026, 3, 11), date(2026, 3, 20)
    common = {"campaign": campaign, "platform": "xiaohongshu"}
    fact(
        workspace,
        date(2026, 3, 12),
        impressions=600,
        views=300,
        likes=30,
        comments=6,
        shares=12,
        favourites=12,
        unique_clicks=24,
        clicks=30,
        orders=3,
        gmv_fen=33000,
        net_gmv_fen=30000,
        repeat_orders=1,
        cost_fen=12000,
        followers_gained=9,
        **common,
    )
    fact(
        workspace,
        date(2026, 3, 20),
        impressions=400,
        views=200,
        likes=20,
        comments=4,
        shares=8,
        favourites=8,
        unique_clicks=16,
        clicks=20,
        orders=1,
        gmv_fen=10000,
        net_gmv_fen=10000,
        cost_fen=8000,
        followers_lost=1,
        **common,
    )
    fact(
        workspace,
        date(2026, 3, 5),
        impressions=500,
        likes=25,
        unique_clicks=20,
        orders=2,
        net_gmv_fen=20000,
        cost_fen=10000,
        **common,
    )
    fact(workspace, date(2026, 3, 21), impressions=99999)  # after the period: not counted

    # When the overview is opened for those days
    response = client.get(reverse("analytics", args=[workspace.slug]), period(start, end))

    # Then every card shows the sums and ratios worked out by hand
    assert response.status_code == 200
    assert card(response, "impressions").shown == "1,000"
    assert card(response, "reads").shown == "500"
    assert card(response, "engagements").shown == "100"
    assert card(response, "engagement_rate").shown == "10.00%"
    assert card(response, "clicks").shown == "40"
    assert card(response, "ctr").shown == "4.00%"
    assert card(response, "follower_growth").shown == "8"
    assert card(response, "orders").shown == "4"
    assert card(response, "conversion_rate").shown == "10.00%"
    assert card(response, "gmv").shown == "¥400.00"
    assert card(response, "aov").shown == "¥100.00"
    assert card(response, "cost").shown == "¥200.00"
    assert card(response, "roi").shown == "100.0%"  # (400 − 200) ÷ 200
    assert card(response, "cpm").shown == "¥200.00"  # 20000 fen ÷ 1000 × 1000
    assert card(response, "cpc").shown == "¥5.00"
    assert card(response, "cpe").shown == "¥2.00"
    assert card(response, "cpa").shown == "¥50.00"
    assert card(response, "repurchase_rate").shown == "25.00%"
    # and compares with the 10 days before: exposure doubled, cost doubled (worse)
    exposure = card(response, "impressions")
    assert (exposure.change, exposure.direction, exposure.good) == (Decimal("100.0"), "up", True)
    cost = card(response, "cost")
    assert (cost.change, cost.direction, cost.good) == (Decimal("100.0"), "up", False)
    html = response.content.decode()
    assert 'data-good="no"' in html
    assert "▲ 100.0%" in html
    # and each KPI label carries its formula as a tooltip
    assert 'title="Clicks ÷ exposure × 100%."' in html
    # and the campaigns table links to the campaign's dashboard
    campaigns = response.context["page"].tables["campaigns"]
    assert campaigns.rows[0].url == reverse(
        "analytics_campaign", args=[workspace.slug, campaign.pk]
    )
    assert campaigns.rows[0].display[:2] == ["618 大促", "1,000"]


def test_overview_trend_by_week_and_platform_chart(client, workspace):
    fact(workspace, date(2026, 3, 2), impressions=100, platform="weibo")  # Monday
    fact(workspace, date(2026, 3, 8), impressions=50, platform="douyin")  # Sunday, same week
    fact(workspace, date(2026, 3, 9), impressions=10, platform="weibo")

    response = client.get(
        reverse("analytics", args=[workspace.slug]),
        period(date(2026, 3, 1), date(2026, 3, 10), grain="week"),
    )

    # Then days are summed into Monday-started weeks, days without facts as zeros
    trend = response.context["page"].tables["trend"]
    assert [row.values[:2] for row in trend.rows] == [
        [date(2026, 2, 23), 0],
        [date(2026, 3, 2), 150],
        [date(2026, 3, 9), 10],
    ]
    platforms = response.context["page"].tables["platforms"]
    assert [row.display[:2] for row in platforms.rows] == [["Weibo", "110"], ["Douyin", "50"]]
    html = response.content.decode()
    for chart in ("trend", "platforms"):
        assert f'data-testid="chart-{chart}"' in html


def test_overview_without_data_explains_what_to_do(client, workspace):
    response = client.get(reverse("analytics", args=[workspace.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="analytics-empty"' in html
    assert card(response, "engagement_rate").shown == "—"
    assert "No data for this period." in html


def test_bad_period_is_a_clear_error(client, workspace):
    response = client.get(
        reverse("analytics", args=[workspace.slug]),
        period(date(2026, 3, 10), date(2026, 3, 1)),
    )

    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_every_role_may_read_analytics(client_for, member_with_role, workspace):
    viewer = member_with_role(Role.VIEWER)
    campaign = make_campaign(workspace)

    for url in (
        reverse("analytics", args=[workspace.slug]),
        reverse("analytics_campaign", args=[workspace.slug, campaign.pk]),
        reverse("analytics_hot", args=[workspace.slug]),
    ):
        assert client_for(viewer).get(url).status_code == 200


def test_other_workspaces_are_invisible(client, workspace, other_workspace, make_user, client_for):
    theirs = make_campaign(other_workspace, "B's launch")
    their_post = make_variant(other_workspace, "B's post")
    fact(
        other_workspace,
        local_today(other_workspace),
        platform="weibo",
        post_key="b-1",
        impressions=500,
    )

    # A member of A asking for B's campaign or posts through A's pages gets 404
    assert (
        client.get(reverse("analytics_campaign", args=[workspace.slug, theirs.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("analytics_post", args=[workspace.slug, f"v{their_post.pk}"])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("analytics_post", args=[workspace.slug, "weibo:b-1"])).status_code == 404
    )
    # and B's pages themselves are not A's to open
    assert client.get(reverse("analytics", args=[other_workspace.slug])).status_code == 404
    # and B's figures never leak into A's overview
    fact(other_workspace, local_today(workspace), impressions=777)
    response = client.get(reverse("analytics", args=[workspace.slug]))
    assert card(response, "impressions").shown == "0"


def test_campaign_dashboard_shows_goal_target_and_pacing(client, workspace):
    # Given a running campaign with an orders goal, 6 of 10 orders done after 9 of 19 days
    today = local_today(workspace)
    campaign = make_campaign(workspace)
    goal = Goal.objects.create(
        campaign=campaign,
        goal_type="sales",
        metric="orders",
        target=10,
        deadline=campaign.end_date,
    )
    GoalMeasurement.objects.create(goal=goal, measured_on=today, value=6, source_note="shop")
    behind = Goal.objects.create(
        campaign=campaign,
        goal_type="brand_awareness",
        metric="impressions",
        target=1_000_000,
        deadline=campaign.end_date,
    )
    GoalMeasurement.objects.create(goal=behind, measured_on=today, value=1000, source_note="x")
    fact(workspace, today, campaign=campaign, orders=6, impressions=2000)

    # When its dashboard opens (the campaign's period by default)
    response = client.get(reverse("analytics_campaign", args=[workspace.slug, campaign.pk]))

    # Then the orders card shows the target, progress and that it is on pace
    assert response.status_code == 200
    assert response.context["filters"].start == campaign.start_date
    assert response.context["filters"].end == today
    orders = card(response, "orders")
    assert [(g.target, g.progress, g.on_pace) for g in orders.goals] == [("10", 60, True)]
    exposure = card(response, "impressions")
    assert [(g.target, g.on_pace) for g in exposure.goals] == [("1,000,000", False)]
    html = response.content.decode()
    assert 'data-testid="goal-orders" data-on-pace="yes"' in html
    assert 'data-testid="goal-impressions" data-on-pace="no"' in html
    goals = response.context["page"].tables["goals"]
    assert [row.display[-1] for row in goals.rows] == ["on pace", "behind"]


def test_campaign_dashboard_ranks_posts_and_leaves_small_ones_out(client, workspace):
    campaign = make_campaign(workspace)
    today = local_today(workspace)
    # 12 posts with 1 000 exposures and 1..12 % engagement, and one seen only 99 times
    variants = []
    for n in range(1, 13):
        variant = make_variant(workspace, f"post {n}", campaign=campaign)
        variants.append(variant)
        fact(
            workspace,
            today,
            campaign=campaign,
            variant=variant,
            platform="xiaohongshu",
            impressions=1000,
            likes=n * 10,
        )
    tiny = make_variant(workspace, "tiny", campaign=campaign)
    fact(workspace, today, campaign=campaign, variant=tiny, impressions=99, likes=90)

    response = client.get(reverse("analytics_campaign", args=[workspace.slug, campaign.pk]))

    ranking = response.context["page"].extra["ranking"]
    assert [row.label for row in ranking.top] == [f"post {n}" for n in range(12, 2, -1)]
    assert [row.label for row in ranking.bottom] == ["post 1", "post 2"]
    assert (ranking.ranked, ranking.too_small) == (12, 1)
    top = response.context["page"].tables["top_posts"]
    assert top.rows[0].display[:2] == ["post 12", "Xiaohongshu"]
    assert top.rows[0].url == reverse(
        "analytics_post", args=[workspace.slug, f"v{variants[11].pk}"]
    )
    assert "tiny" not in response.content.decode()
    assert "12 posts ranked; 1 with fewer than 100 exposures left out" in response.content.decode()


def test_campaign_dashboard_partners_links_funnel_and_attribution(client, workspace):
    from fanloop.tracking.models import Partner, TrackingLink

    campaign = make_campaign(workspace)
    today = local_today(workspace)
    kol = Partner.objects.create(workspace=workspace, name="小美", kind="kol")
    link = TrackingLink.objects.create(
        workspace=workspace,
        code="h5dash1",
        name="bio link",
        destination_url="https://shop.example/",
        campaign=campaign,
        partner=kol,
    )
    fact(
        workspace,
        today,
        campaign=campaign,
        impressions=10000,
        likes=400,
        comments=50,
        shares=25,
        favourites=25,
    )
    fact(
        workspace,
        today,
        campaign=campaign,
        partner=kol,
        link=link,
        unique_clicks=200,
        clicks=210,
        orders=10,
        code_orders=4,
        net_gmv_fen=150000,
    )
    fact(workspace, today, campaign=campaign, partner=kol, cost_fen=50000)
    response = client.get(reverse("analytics_campaign", args=[workspace.slug, campaign.pk]))

    page = response.context["page"]
    partner = page.tables["partners"].rows[0]
    # clicks, orders, conversion, GMV, cost, ROI (1500−500)/500, CPA 500/10
    assert partner.display == [
        "小美",
        "200",
        "10",
        "5.00%",
        "¥1,500.00",
        "¥500.00",
        "200.0%",
        "¥50.00",
    ]
    assert page.tables["links"].rows[0].display[:3] == ["bio link", "200", "10"]
    assert [step["rate"] for step in page.extra["funnel"]] == ["", "5.00%", "40.00%", "5.00%"]
    attribution = page.tables["attribution"]
    assert [row.values for row in attribution.rows] == [
        ["Coupon / KOL code", 4],
        ["Last tracking-link click within the window", 6],
    ]
    html = response.content.decode()
    for chart in ("trend", "funnel", "platforms"):
        assert f'data-testid="chart-{chart}"' in html


def test_campaign_dashboard_reads_a_fixed_number_of_queries(
    client, workspace, django_assert_max_num_queries
):
    """Tables are built from aggregates, not one query per row."""
    campaign = make_campaign(workspace)
    today = local_today(workspace)

    def add_posts(count: int, offset: int) -> None:
        for n in range(offset, offset + count):
            variant = make_variant(workspace, f"p{n}", campaign=campaign)
            fact(
                workspace,
                today - timedelta(days=n % 5),
                campaign=campaign,
                variant=variant,
                platform="douyin",
                impressions=500 + n,
                likes=n,
            )

    url = reverse("analytics_campaign", args=[workspace.slug, campaign.pk])
    add_posts(3, 0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_posts(30, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_campaign_period_choice_and_unknown_campaign(client, workspace):
    campaign = make_campaign(workspace, start=date(2025, 1, 1), end=date(2025, 1, 31))
    response = client.get(
        reverse("analytics_campaign", args=[workspace.slug, campaign.pk]), {"period": "campaign"}
    )
    assert (response.context["filters"].start, response.context["filters"].end) == (
        date(2025, 1, 1),
        date(2025, 1, 31),
    )
    assert (
        client.get(reverse("analytics_campaign", args=[workspace.slug, 999999])).status_code == 404
    )
