"""GET /api/v1/workspaces/{id}/analytics/kpis/: the dashboards' figures for scripts."""

from datetime import date

import pytest

from fanloop.analytics.models import DailyFact
from fanloop.campaigns.models import Campaign

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 10)


def url(workspace) -> str:
    return f"/api/v1/workspaces/{workspace.pk}/analytics/kpis/"


@pytest.fixture
def campaign(workspace, admin_user) -> Campaign:
    return Campaign.objects.create(
        workspace=workspace,
        name="双11",
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 30),
        created_by=admin_user,
    )


@pytest.fixture
def facts(workspace, campaign) -> None:
    # this week: 10,000 exposure, 300 engagements, 200 clicks, 10 orders, ¥1,000, cost ¥500
    DailyFact.objects.create(
        workspace=workspace,
        day=DAY,
        campaign=campaign,
        platform="weibo",
        impressions=10_000,
        likes=200,
        comments=50,
        shares=30,
        favourites=20,
        clicks=220,
        unique_clicks=200,
        orders=10,
        gmv_fen=110_000,
        refund_fen=10_000,
        net_gmv_fen=100_000,
        cost_fen=50_000,
    )
    # the week before: half the exposure, no campaign
    DailyFact.objects.create(workspace=workspace, day=date(2026, 11, 3), impressions=5_000)


def test_campaign_kpis_match_hand_computed_values(
    api_client_for, admin_user, workspace, campaign, facts
):
    response = api_client_for(admin_user).get(
        url(workspace),
        {"start": "2026-11-04", "end": "2026-11-10", "campaign": campaign.pk, "by": "platform"},
    )

    assert response.status_code == 200
    body = response.json()
    kpis = {kpi["code"]: kpi for kpi in body["kpis"]}
    assert kpis["engagement_rate"]["value"] == "3.0000"  # 300 / 10,000
    assert kpis["ctr"]["value"] == "2.0000"  # 200 / 10,000
    assert kpis["conversion_rate"]["value"] == "5.0000"  # 10 / 200
    assert kpis["roi"]["value"] == "1.0000"  # (100,000 − 50,000) / 50,000
    assert kpis["cpc"]["value"] == "250.0000"  # 50,000 fen / 200
    assert body["totals"]["net_gmv_fen"] == 100_000
    assert [row["key"] for row in body["rows"]] == ["weibo"]


def test_the_whole_workspace_compares_with_the_week_before(
    api_client_for, admin_user, workspace, facts
):
    response = api_client_for(admin_user).get(
        url(workspace), {"start": "2026-11-04", "end": "2026-11-10"}
    )

    exposure = {kpi["code"]: kpi for kpi in response.json()["kpis"]}["impressions"]
    assert exposure["value"] == "10000.0000"
    assert exposure["previous"] == "5000.0000"
    assert exposure["change_percent"] == "100.0"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-11-10", "end": "2026-11-01"}, "end"),
        ({"by": "colour"}, "by"),
        ({"start": "2020-01-01", "end": "2026-11-10"}, "start"),
        ({"campaign": "999999"}, "campaign"),
    ],
)
def test_bad_questions_get_field_errors(api_client_for, admin_user, workspace, params, field):
    response = api_client_for(admin_user).get(url(workspace), params)

    assert response.status_code == 400
    assert field in response.json()["error"]["field_errors"]


def test_another_workspaces_figures_and_campaigns_are_out_of_reach(
    api_client_for, make_user, workspace, other_workspace, campaign, facts
):
    stranger = other_workspace.memberships.get().user

    own = api_client_for(stranger).get(url(other_workspace), {"campaign": campaign.pk})
    foreign = api_client_for(stranger).get(url(workspace))

    assert own.status_code == 400  # the campaign is not in their workspace
    assert foreign.status_code == 404
