"""The campaign API: list/create/retrieve/update, transitions, history, export, schema."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from fanloop.campaigns import services
from fanloop.campaigns.models import Campaign, CampaignState, ImprovementStatus
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def ws_url(workspace, *parts) -> str:
    tail = "".join(f"{part}/" for part in parts)
    return f"/api/v1/workspaces/{workspace.pk}/{tail}"


def c_url(campaign, *parts) -> str:
    return ws_url(campaign.workspace, "campaigns", campaign.pk, *parts)


def errors(response) -> dict:
    assert response.json()["error"]["status"] == response.status_code
    return response.json()["error"]["field_errors"]


@pytest.fixture
def api(api_client_for, marketer) -> APIClient:
    return api_client_for(marketer)


def new_campaign(api, workspace, **data):
    body = {
        "name": "秋冬上新",
        "start_date": (TODAY - timedelta(days=20)).isoformat(),
        "end_date": (TODAY + timedelta(days=20)).isoformat(),
        **data,
    }
    response = api.post(ws_url(workspace, "campaigns"), body, format="json")
    assert response.status_code == 201, response.json()
    return Campaign.objects.get(pk=response.json()["id"])


# Create, read, update ---------------------------------------------------------------------


def test_marketer_creates_a_campaign_and_reads_it_back(api, workspace, marketer):
    # given a full set of basics
    body = {
        "name": "双11 预售",
        "owner": marketer.pk,
        "start_date": "2026-10-20",
        "end_date": "2026-11-12",
        "theme": "熬夜肌急救",
        "key_message": "7 天提亮",
        "audience_age_bands": ["18-24", "25-30"],
        "audience_gender": "female",
        "platforms": [{"platform": "xiaohongshu", "role": "种草"}, {"platform": "douyin"}],
        "products": ["焕颜精华 30ml"],
    }
    # when it is posted
    response = api.post(ws_url(workspace, "campaigns"), body, format="json")
    # then a draft exists with every field, its summary and its history
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["state"] == "draft"
    assert created["owner"] == marketer.pk
    assert created["owner_name"] == str(marketer)
    assert created["platforms"] == [
        {"platform": "xiaohongshu", "role": "种草"},
        {"platform": "douyin", "role": ""},
    ]
    assert created["transitions"] == ["plan", "cancel"]
    assert created["summary"]["budget"]["planned_fen"] == 0
    assert created["summary"]["goals"] == []
    campaign = Campaign.objects.get(pk=created["id"], workspace=workspace)
    assert AuditEntry.objects.filter(action="campaign.create", object_id=str(campaign.pk)).exists()
    again = api.get(c_url(campaign))
    assert again.status_code == 200
    assert again.json()["audience_age_bands"] == ["18-24", "25-30"]
    history = api.get(c_url(campaign, "history")).json()
    assert history["count"] == 1
    assert history["results"][0]["to_state"] == "draft"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"platforms": [{"platform": "tiktok", "role": "x"}]}, "platforms.0.platform"),
        ({"end_date": "2026-10-01"}, "end_date"),
        ({"name": ""}, "name"),
        ({"audience_age_bands": ["10-12"]}, "audience_age_bands.0"),
        ({"start_date": "soon"}, "start_date"),
        ({"owner": 999_999}, "owner"),
    ],
)
def test_bad_campaign_input_is_a_400_with_field_errors(api, workspace, change, field):
    body = {"name": "x", "start_date": "2026-10-20", "end_date": "2026-11-12", **change}
    response = api.post(ws_url(workspace, "campaigns"), body, format="json")
    assert response.status_code == 400
    assert field in errors(response)
    assert all(isinstance(msgs, list) for msgs in errors(response).values())
    assert not Campaign.objects.exists()


def test_owner_outside_the_workspace_is_refused_without_naming_them(
    api, workspace, other_workspace
):
    stranger = other_workspace.memberships.get().user
    response = api.post(
        ws_url(workspace, "campaigns"),
        {"name": "x", "start_date": "2026-10-20", "end_date": "2026-11-12", "owner": stranger.pk},
        format="json",
    )
    assert response.status_code == 400
    assert stranger.username not in str(errors(response))


def test_list_filters_by_state_owner_date_and_text_and_paginates(
    api, workspace, marketer, admin_user
):
    spring = new_campaign(
        api, workspace, name="春季焕新", start_date="2026-03-01", end_date="2026-03-31"
    )
    summer = new_campaign(
        api,
        workspace,
        name="618 大促",
        theme="熬夜肌",
        start_date="2026-05-20",
        end_date="2026-06-20",
        owner=admin_user.pk,
    )
    autumn = new_campaign(api, workspace, name="双11", owner=marketer.pk)
    services.transition(actor=marketer, campaign=spring, name="cancel", note="预算取消")

    def ids(**params):
        response = api.get(ws_url(workspace, "campaigns"), params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {spring.pk, summer.pk, autumn.pk}
    assert ids(state="cancelled") == {spring.pk}
    assert ids(owner=admin_user.pk) == {summer.pk}
    assert ids(active_on="2026-06-01") == {summer.pk}
    assert ids(q="熬夜") == {summer.pk}
    page = api.get(ws_url(workspace, "campaigns"), {"page_size": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    bad = api.get(ws_url(workspace, "campaigns"), {"state": "paused", "active_on": "june"})
    assert bad.status_code == 400
    assert set(errors(bad)) == {"state", "active_on"}


def test_partial_update_changes_only_what_is_sent(api, workspace, marketer, planned_ready):
    response = api.patch(
        c_url(planned_ready), {"theme": "预售锁定", "products": ["礼盒"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    planned_ready.refresh_from_db()
    assert planned_ready.theme == "预售锁定"
    assert planned_ready.products == ["礼盒"]
    assert planned_ready.name == "双11 预售"
    # the goal's deadline (11-11) would fall outside: refused, nothing changes
    shrink = api.patch(c_url(planned_ready), {"end_date": "2026-11-01"}, format="json")
    assert shrink.status_code == 400
    assert "end_date" in errors(shrink)
    planned_ready.refresh_from_db()
    assert str(planned_ready.end_date) == "2026-11-12"


def test_retrieve_summarises_goals_with_pacing_and_budget_totals(api, workspace, marketer):
    campaign = new_campaign(api, workspace)
    goal = services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="goal",
        data={
            "goal_type": "sales",
            "metric": "orders",
            "baseline": Decimal(0),
            "target": Decimal(4000),
            "deadline": campaign.end_date,
        },
    )
    services.record_measurement(
        actor=marketer, goal=goal, measured_on=TODAY, value=1000, source_note="后台"
    )
    line = services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="budget_line",
        data={"category": "kol", "planned_fen": 1_000_000},
    )
    services.add_spend(actor=marketer, line=line, spent_on=TODAY, amount_fen=250_050)
    summary = api.get(c_url(campaign)).json()["summary"]
    # 1000 orders in 20 days = 50/day; 20 days left -> 2000 projected, below 4000
    assert summary["goals"][0]["pacing"]["actual"] == "1000.0000"
    assert summary["goals"][0]["pacing"]["projected"] == "2000.0000"
    assert summary["goals"][0]["pacing"]["on_pace"] is False
    assert summary["off_pace_goals"] == 1
    assert summary["budget"]["planned_fen"] == 1_000_000
    assert summary["budget"]["actual_fen"] == 250_050
    assert summary["budget"]["variance_fen"] == 749_950
    assert summary["budget"]["by_category"] == [
        {"category": "kol", "planned_fen": 1_000_000, "actual_fen": 250_050}
    ]


def test_start_from_an_earlier_campaign_copies_the_plan_and_adopts_improvements(
    api, workspace, marketer, planned_ready, other_workspace
):
    # given an earlier campaign with a retrospective improvement still open
    earlier = planned_ready
    services.save_item(
        actor=marketer,
        campaign=earlier,
        kind="phase",
        data={
            "kind": "execution",
            "name": "执行",
            "start_date": earlier.start_date,
            "end_date": earlier.end_date,
            "owner": marketer,
        },
    )
    for name in ("plan", "launch", "go_live"):
        earlier = services.transition(actor=marketer, campaign=earlier, name=name)
    services.save_retrospective(
        actor=marketer,
        campaign=earlier,
        data={"highlights": "h"},
        improvements=[{"text": "投放设日预算上限", "owner": marketer}],
    )
    offered = api.get(ws_url(workspace, "improvements")).json()["results"]
    assert [row["text"] for row in offered] == ["投放设日预算上限"]
    assert offered[0]["campaign"] == earlier.pk
    # when a new campaign starts from it and adopts the item
    response = api.post(
        ws_url(workspace, "campaigns"),
        {
            "name": "双12",
            "start_date": "2026-12-01",
            "end_date": "2026-12-20",
            "source_campaign": earlier.pk,
            "adopt": [offered[0]["id"]],
        },
        format="json",
    )
    # then the plan is copied, the item is linked, and it is no longer offered
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source_campaign"] == earlier.pk
    assert len(body["summary"]["goals"]) == 1
    assert body["summary"]["budget"]["planned_fen"] == 5_000_000
    assert [i["text"] for i in body["summary"]["adopted_improvements"]] == ["投放设日预算上限"]
    assert body["summary"]["adopted_improvements"][0]["status"] == ImprovementStatus.ADOPTED
    assert api.get(ws_url(workspace, "improvements")).json()["count"] == 0


def test_start_from_another_workspaces_campaign_is_refused(api, workspace, other_workspace):
    theirs = services.create_campaign(
        actor=other_workspace.memberships.get().user,
        workspace=other_workspace,
        data={"name": "B", "start_date": TODAY, "end_date": TODAY},
    )
    response = api.post(
        ws_url(workspace, "campaigns"),
        {
            "name": "x",
            "start_date": "2026-12-01",
            "end_date": "2026-12-02",
            "source_campaign": theirs.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "source_campaign" in errors(response)
    assert not Campaign.objects.filter(workspace=workspace).exists()


def test_unauthenticated_calls_are_401(workspace):
    response = APIClient().get(ws_url(workspace, "campaigns"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# Transitions ------------------------------------------------------------------------------


def transition(api, campaign, name, note=""):
    return api.post(c_url(campaign, "transitions"), {"name": name, "note": note}, format="json")


def test_planning_without_goal_and_budget_is_refused_with_every_problem(api, campaign):
    listed = api.get(c_url(campaign, "transitions")).json()
    plan = next(row for row in listed if row["name"] == "plan")
    assert plan["target"] == "planned"
    assert len(plan["problems"]) == 2
    response = transition(api, campaign, "plan")
    assert response.status_code == 400
    assert errors(response)["transition"] == plan["problems"]
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT


def test_going_live_needs_an_owner_for_every_phase(api, marketer, planned_ready):
    phase = services.save_item(
        actor=marketer,
        campaign=planned_ready,
        kind="phase",
        data={
            "kind": "execution",
            "name": "执行期",
            "start_date": planned_ready.start_date,
            "end_date": planned_ready.end_date,
        },
    )
    assert transition(api, planned_ready, "plan").status_code == 200
    assert transition(api, planned_ready, "launch").status_code == 200
    refused = transition(api, planned_ready, "go_live")
    assert refused.status_code == 400
    assert any("执行期" in problem for problem in errors(refused)["transition"])
    owner = api.patch(
        c_url(planned_ready, "phases", phase.pk), {"owner": marketer.pk}, format="json"
    )
    assert owner.status_code == 200
    assert transition(api, planned_ready, "go_live").json()["state"] == "live"


def test_closing_needs_the_completed_retrospective(api, marketer, planned_ready):
    services.save_item(
        actor=marketer,
        campaign=planned_ready,
        kind="phase",
        data={
            "kind": "execution",
            "name": "执行",
            "start_date": planned_ready.start_date,
            "end_date": planned_ready.end_date,
            "owner": marketer,
        },
    )
    for name in ("plan", "launch", "go_live", "wrap_up"):
        assert transition(api, planned_ready, name).status_code == 200
    refused = transition(api, planned_ready, "close")
    assert refused.status_code == 400
    assert errors(refused)["transition"]
    incomplete = api.post(c_url(planned_ready, "retrospective", "complete"))
    assert incomplete.status_code == 400
    assert set(errors(incomplete)) == {"highlights", "shortfalls", "lessons"}


def test_cancel_needs_a_note_and_unknown_names_are_refused(api, campaign):
    no_note = transition(api, campaign, "cancel")
    assert no_note.status_code == 400
    assert "note" in errors(no_note)
    unknown = transition(api, campaign, "teleport")
    assert unknown.status_code == 400
    assert "name" in errors(unknown)
    wrong_state = transition(api, campaign, "close")
    assert wrong_state.status_code == 400
    assert "transition" in errors(wrong_state)
    assert transition(api, campaign, "cancel", "品牌方取消").json()["state"] == "cancelled"


def test_whole_lifecycle_through_the_api_from_draft_to_closed(api, workspace, marketer):
    # given a new draft made through the API
    campaign = new_campaign(api, workspace)
    # when the plan is filled in through the API
    goal = api.post(
        c_url(campaign, "goals"),
        {
            "goal_type": "fan_growth",
            "metric": "follower_growth",
            "baseline": 0,
            "target": "20000",
            "deadline": campaign.end_date.isoformat(),
        },
        format="json",
    )
    assert goal.status_code == 201, goal.json()
    line = api.post(
        c_url(campaign, "budget-lines"), {"category": "ads_social", "planned_fen": 8_000_000}
    )
    assert line.status_code == 201, line.json()
    phase = api.post(
        c_url(campaign, "phases"),
        {
            "kind": "execution",
            "name": "执行",
            "start_date": campaign.start_date.isoformat(),
            "end_date": campaign.end_date.isoformat(),
            "owner": marketer.pk,
        },
        format="json",
    )
    assert phase.status_code == 201, phase.json()
    # and it moves through every state
    for name, state in [
        ("plan", "planned"),
        ("launch", "launching"),
        ("go_live", "live"),
        ("wrap_up", "wrapping_up"),
    ]:
        response = transition(api, campaign, name, note=f"{name} ok")
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == state
    retro = api.put(
        c_url(campaign, "retrospective"),
        {
            "highlights": "涨粉 2.3 万",
            "shortfalls": "转化偏低",
            "lessons": "直播要提前预热",
            "improvements": [{"text": "直播前 3 天预告", "owner": marketer.pk}],
        },
        format="json",
    )
    assert retro.status_code == 200, retro.json()
    assert retro.json()["improvements"][0]["owner"] == marketer.pk
    done = api.post(c_url(campaign, "retrospective", "complete"))
    assert done.json()["is_complete"] is True
    closed = transition(api, campaign, "close")
    # then it is closed with its whole history, and its plan is frozen
    assert closed.status_code == 200, closed.json()
    assert closed.json()["state"] == "closed"
    assert closed.json()["transitions"] == []
    history = api.get(c_url(campaign, "history")).json()["results"]
    assert [(h["from_state"], h["to_state"]) for h in history] == [
        ("", "draft"),
        ("draft", "planned"),
        ("planned", "launching"),
        ("launching", "live"),
        ("live", "wrapping_up"),
        ("wrapping_up", "closed"),
    ]
    assert history[1]["note"] == "plan ok"
    assert history[1]["actor"] == marketer.pk
    frozen = api.patch(c_url(campaign), {"name": "改名"}, format="json")
    assert frozen.status_code == 400
    assert "non_field_errors" in errors(frozen)


# Export and schema ------------------------------------------------------------------------


def test_export_endpoint_gives_json_or_an_excel_file(api, planned_ready):
    as_json = api.get(c_url(planned_ready, "export"))
    assert as_json.status_code == 200
    assert as_json.json()["campaign"]["name"] == "双11 预售"
    assert as_json.json()["budget"]["totals"]["planned_fen"] == 5_000_000
    as_xlsx = api.get(c_url(planned_ready, "export"), {"format": "xlsx"})
    assert as_xlsx.status_code == 200
    assert as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"campaign-{planned_ready.pk}.xlsx" in as_xlsx["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))
    assert "预算 Budget" in book.sheetnames
    wrong = api.get(c_url(planned_ready, "export"), {"format": "pdf"})
    assert wrong.status_code == 400
    assert "format" in errors(wrong)


def test_viewer_may_export_but_not_write(api_client_for, member_with_role, planned_ready):
    viewer = api_client_for(member_with_role(Role.VIEWER))
    assert viewer.get(c_url(planned_ready, "export"), {"format": "xlsx"}).status_code == 200
    assert viewer.patch(c_url(planned_ready), {"name": "x"}, format="json").status_code == 403


def test_openapi_schema_builds_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/workspaces/{workspace_pk}/campaigns/{campaign_pk}/transitions/" in schema
    assert "Integer amount in fen" in schema
