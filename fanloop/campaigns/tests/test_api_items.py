"""Plan items through the API: goals and actuals, budget and spends, phases, milestones,
tasks and their dependencies, research, feasibility, risks, retrospective."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from fanloop.campaigns import services
from fanloop.campaigns.models import (
    BudgetLine,
    BudgetSpend,
    Competitor,
    Goal,
    GoalMeasurement,
    Milestone,
    Phase,
    Risk,
    Task,
)
from fanloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def c_url(campaign, *parts) -> str:
    tail = "".join(f"{part}/" for part in parts)
    return f"/api/v1/workspaces/{campaign.workspace_id}/campaigns/{campaign.pk}/{tail}"


def errors(response) -> dict:
    return response.json()["error"]["field_errors"]


@pytest.fixture
def api(api_client_for, marketer) -> APIClient:
    return api_client_for(marketer)


@pytest.fixture
def running(marketer, workspace):
    """A draft campaign that started 20 days ago and ends in 20 days."""
    return services.create_campaign(
        actor=marketer,
        workspace=workspace,
        data={
            "name": "新品上市",
            "start_date": TODAY - timedelta(days=20),
            "end_date": TODAY + timedelta(days=20),
        },
    )


GOAL = {"goal_type": "sales", "metric": "orders", "baseline": "100", "target": "5000"}


# Goals ------------------------------------------------------------------------------------


def test_goal_crud_with_pacing(api, running):
    created = api.post(
        c_url(running, "goals"),
        {**GOAL, "deadline": running.end_date.isoformat(), "note": "天猫"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["unit"] == "count"
    assert body["higher_is_better"] is True
    assert body["pacing"]["on_pace"] is None  # no actuals yet
    assert body["pacing"]["elapsed"] == "0.5000"
    goal_url = c_url(running, "goals", body["id"])
    assert api.get(goal_url).json()["target"] == "5000.0000"
    patched = api.patch(goal_url, {"target": "6000"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["target"] == "6000.0000"
    listed = api.get(c_url(running, "goals")).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert api.delete(goal_url).status_code == 204
    assert not Goal.objects.exists()
    assert AuditEntry.objects.filter(action="goal.delete").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": None}, "metric"),
        ({"metric": "happiness"}, "metric"),
        ({"deadline": "2030-01-01"}, "deadline"),
        ({"target": "100"}, "target"),  # equal to the baseline
        ({"target": "lots"}, "target"),
        ({"metric": "negative_share", "baseline": "5", "target": "8"}, "target"),
        ({"scope": "platform", "scope_value": "tiktok"}, "scope_value"),
    ],
)
def test_unmeasurable_goals_are_refused_with_field_errors(api, running, change, field):
    body = {**GOAL, "deadline": running.end_date.isoformat(), **change}
    body = {key: value for key, value in body.items() if value is not None}
    response = api.post(c_url(running, "goals"), body, format="json")
    assert response.status_code == 400
    assert field in errors(response)
    assert not Goal.objects.exists()


def test_measurements_are_recorded_once_a_day(api, running, marketer):
    goal = services.save_item(
        actor=marketer,
        campaign=running,
        kind="goal",
        data={**GOAL, "deadline": running.end_date},
    )
    url = c_url(running, "goals", goal.pk, "measurements")
    first = api.post(
        url, {"measured_on": TODAY.isoformat(), "value": "2000", "source_note": "生意参谋"}
    )
    assert first.status_code == 201, first.json()
    again = api.post(
        url, {"measured_on": TODAY.isoformat(), "value": "2600", "source_note": "修正"}
    )
    assert again.status_code == 200
    assert GoalMeasurement.objects.get().value == 2600
    assert api.get(url).json()["results"][0]["value"] == "2600.0000"
    future = api.post(
        url,
        {
            "measured_on": (TODAY + timedelta(days=1)).isoformat(),
            "value": "1",
            "source_note": "x",
        },
    )
    assert future.status_code == 400
    assert "measured_on" in errors(future)
    no_source = api.post(url, {"measured_on": TODAY.isoformat(), "value": "1", "source_note": ""})
    assert "source_note" in errors(no_source)
    # 2600 from 100 in 20 days = 125/day; 20 days left -> 5100, above the 5000 target
    pacing = api.get(c_url(running, "goals", goal.pk)).json()["pacing"]
    assert pacing["on_pace"] is True
    assert pacing["projected"] == "5100.0000"


# Budget -----------------------------------------------------------------------------------


def test_budget_lines_are_in_fen_with_actuals_and_variance(api, running):
    created = api.post(
        c_url(running, "budget-lines"),
        {"category": "kol", "description": "达人", "planned_fen": 1_234_550, "vendor": "星图"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    line_id = created.json()["id"]
    spends = c_url(running, "budget-lines", line_id, "spends")
    assert (
        api.post(spends, {"spent_on": TODAY.isoformat(), "amount_fen": 500_000}).status_code == 201
    )
    refund = api.post(
        spends, {"spent_on": TODAY.isoformat(), "amount_fen": -20_000, "note": "退款"}
    )
    assert refund.status_code == 201
    line = api.get(c_url(running, "budget-lines", line_id)).json()
    assert (line["planned_fen"], line["actual_fen"], line["variance_fen"]) == (
        1_234_550,
        480_000,
        754_550,
    )
    assert api.get(c_url(running, "budget-lines")).json()["results"][0]["actual_fen"] == 480_000
    assert api.get(spends).json()["count"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "kol", "planned_fen": -1}, "planned_fen"),
        ({"category": "kol", "planned_fen": 12.5}, "planned_fen"),
        ({"category": "bribes", "planned_fen": 100}, "category"),
        ({"category": "kol"}, "planned_fen"),
    ],
)
def test_bad_budget_lines_are_refused(api, running, body, field):
    response = api.post(c_url(running, "budget-lines"), body, format="json")
    assert response.status_code == 400
    assert field in errors(response)
    assert not BudgetLine.objects.exists()


def test_imported_spend_is_idempotent_by_external_ref(api, running, marketer):
    line = services.save_item(
        actor=marketer,
        campaign=running,
        kind="budget_line",
        data={"category": "ads_search", "planned_fen": 100_000},
    )
    url = c_url(running, "budget-lines", line.pk, "spends")
    row = {
        "spent_on": TODAY.isoformat(),
        "amount_fen": 12_345,
        "source": "import",
        "external_ref": "baidu-2026-11-01-7",
    }
    first = api.post(url, row, format="json")
    retry = api.post(url, row, format="json")
    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert BudgetSpend.objects.count() == 1
    zero = api.post(url, {"spent_on": TODAY.isoformat(), "amount_fen": 0}, format="json")
    assert zero.status_code == 400
    assert "amount_fen" in errors(zero)


# Timeline ---------------------------------------------------------------------------------


def test_phases_and_milestones(api, running, marketer):
    phase = api.post(
        c_url(running, "phases"),
        {
            "kind": "launch",
            "name": "预热",
            "start_date": running.start_date.isoformat(),
            "end_date": (running.start_date + timedelta(days=5)).isoformat(),
            "owner": marketer.pk,
        },
        format="json",
    )
    assert phase.status_code == 201, phase.json()
    phase_id = phase.json()["id"]
    milestone = api.post(
        c_url(running, "milestones"),
        {"phase": phase_id, "name": "主视觉定稿", "due_date": running.start_date.isoformat()},
        format="json",
    )
    assert milestone.status_code == 201, milestone.json()
    shown = api.get(c_url(running, "phases", phase_id)).json()
    assert shown["owner_name"] == str(marketer)
    assert [m["name"] for m in shown["milestones"]] == ["主视觉定稿"]
    done = api.patch(
        c_url(running, "milestones", milestone.json()["id"]), {"done": True}, format="json"
    )
    assert done.json()["done"] is True
    outside = api.post(
        c_url(running, "phases"),
        {
            "kind": "custom",
            "name": "太晚",
            "start_date": running.end_date.isoformat(),
            "end_date": (running.end_date + timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert outside.status_code == 400
    assert "start_date" in errors(outside)
    late = api.post(
        c_url(running, "milestones"),
        {"phase": phase_id, "name": "x", "due_date": "2030-01-01"},
        format="json",
    )
    assert "due_date" in errors(late)
    assert Phase.objects.count() == 1
    assert Milestone.objects.count() == 1


# Tasks ------------------------------------------------------------------------------------


def make_task(api, campaign, **data):
    response = api.post(c_url(campaign, "tasks"), {"title": "t", **data}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_tasks_with_dependencies_checklists_and_overdue(api, running, marketer):
    brief = make_task(
        api, running, title="达人 brief", due_date=(TODAY - timedelta(days=1)).isoformat()
    )
    assert brief["overdue"] is True
    shoot = make_task(
        api,
        running,
        title="拍摄",
        owner=marketer.pk,
        role="content",
        depends_on=[brief["id"]],
        checklist=[{"text": "场地", "done": True}, {"text": "模特"}],
    )
    assert shoot["depends_on"] == [brief["id"]]
    assert shoot["checklist"] == [{"text": "场地", "done": True}, {"text": "模特", "done": False}]
    listed = api.get(c_url(running, "tasks")).json()["results"]
    assert {row["id"]: row["depends_on"] for row in listed} == {
        brief["id"]: [],
        shoot["id"]: [brief["id"]],
    }
    cleared = api.patch(c_url(running, "tasks", shoot["id"]), {"depends_on": []}, format="json")
    assert cleared.json()["depends_on"] == []


def test_self_dependencies_and_loops_are_refused(api, running):
    a = make_task(api, running, title="a")
    b = make_task(api, running, title="b", depends_on=[a["id"]])
    c = make_task(api, running, title="c", depends_on=[b["id"]])
    loop = api.patch(c_url(running, "tasks", a["id"]), {"depends_on": [c["id"]]}, format="json")
    assert loop.status_code == 400
    assert "depends_on" in errors(loop)
    itself = api.patch(c_url(running, "tasks", a["id"]), {"depends_on": [a["id"]]}, format="json")
    assert itself.status_code == 400
    assert "depends_on" in errors(itself)
    assert not Task.objects.get(pk=a["id"]).depends_on.exists()
    unknown = api.patch(c_url(running, "tasks", a["id"]), {"depends_on": [999_999]}, format="json")
    assert "depends_on" in errors(unknown)


def test_bad_checklists_and_phases_are_refused(api, running, campaign):
    foreign_phase = services.save_item(
        actor=campaign.created_by,
        campaign=campaign,
        kind="phase",
        data={
            "kind": "execution",
            "name": "别人的",
            "start_date": campaign.start_date,
            "end_date": campaign.end_date,
        },
    )
    bad = api.post(
        c_url(running, "tasks"),
        {"title": "x", "checklist": [{"done": True}], "phase": foreign_phase.pk},
        format="json",
    )
    assert bad.status_code == 400
    assert {"checklist.0.text", "phase"} <= set(errors(bad))
    assert not Task.objects.exists()


def test_a_task_owner_without_edit_rights_moves_their_own_task(
    api, api_client_for, running, member_with_role
):
    viewer = member_with_role("viewer")
    mine = make_task(api, running, title="回复评论", owner=viewer.pk)
    theirs = make_task(api, running, title="别人的")
    as_viewer = api_client_for(viewer)
    moved = as_viewer.patch(
        c_url(running, "tasks", mine["id"]),
        {"status": "in_progress", "checklist": [{"text": "早班", "done": True}]},
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == "in_progress"
    assert (
        as_viewer.patch(
            c_url(running, "tasks", mine["id"]), {"title": "改名"}, format="json"
        ).status_code
        == 403
    )
    assert (
        as_viewer.patch(
            c_url(running, "tasks", theirs["id"]), {"status": "done"}, format="json"
        ).status_code
        == 403
    )
    assert Task.objects.get(pk=mine["id"]).title == "回复评论"
    assert Task.objects.get(pk=theirs["id"]).status == "todo"


def test_owner_cannot_finish_a_task_before_its_dependencies(
    api, api_client_for, running, member_with_role
):
    operator = member_with_role("operator")
    first = make_task(api, running, title="first")
    second = make_task(api, running, title="second", owner=operator.pk, depends_on=[first["id"]])
    response = api_client_for(operator).patch(
        c_url(running, "tasks", second["id"]), {"status": "done"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in errors(response)


# Research, feasibility, risks -------------------------------------------------------------


def test_competitors_and_research_notes(api, running):
    competitor = api.post(
        c_url(running, "competitors"),
        {
            "brand": "某国货精华",
            "platforms": ["xiaohongshu", "douyin"],
            "strengths": "成分党口碑",
            "links": ["https://www.xiaohongshu.com/user/profile/1"],
        },
        format="json",
    )
    assert competitor.status_code == 201, competitor.json()
    assert competitor.json()["platforms"] == ["xiaohongshu", "douyin"]
    bad_platform = api.post(
        c_url(running, "competitors"), {"brand": "x", "platforms": ["tiktok"]}, format="json"
    )
    assert bad_platform.status_code == 400
    assert "platforms.0" in errors(bad_platform)
    bad_link = api.post(
        c_url(running, "competitors"),
        {"brand": "x", "links": ["javascript:alert(1)"]},
        format="json",
    )
    assert "links.0" in errors(bad_link)
    assert Competitor.objects.count() == 1
    note = api.post(
        c_url(running, "research-notes"),
        {"kind": "platform_rule", "title": "广告法极限词", "body": "避免“最”", "source_url": ""},
        format="json",
    )
    assert note.status_code == 201, note.json()
    assert api.get(c_url(running, "research-notes")).json()["count"] == 1


def test_feasibility_is_absent_until_saved_then_replaced(api, running):
    url = c_url(running, "feasibility")
    assert api.get(url).status_code == 404
    scores = {"market_demand": 4, "user_acceptance": 3, "cost": 2, "risk": 5}
    saved = api.put(url, {**scores, "cost_rationale": "达人报价上涨"}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["overall"] == 3.5
    bad = api.put(url, {**scores, "risk": 6}, format="json")
    assert bad.status_code == 400
    assert "risk" in errors(bad)
    missing = api.put(url, {"market_demand": 4}, format="json")
    assert set(errors(missing)) == {"user_acceptance", "cost", "risk"}
    assert api.get(url).json()["cost_rationale"] == "达人报价上涨"


def test_risks_have_a_score_and_priority(api, running, marketer):
    risk = api.post(
        c_url(running, "risks"),
        {
            "title": "达人翻车",
            "category": "negative_pr",
            "probability": 3,
            "impact": 5,
            "owner": marketer.pk,
            "mitigation": "合同约束",
        },
        format="json",
    )
    assert risk.status_code == 201, risk.json()
    assert (risk.json()["score"], risk.json()["priority"]) == (15, "high")
    lowered = api.patch(
        c_url(running, "risks", risk.json()["id"]), {"probability": 1}, format="json"
    )
    assert (lowered.json()["score"], lowered.json()["priority"]) == (5, "low")
    bad = api.post(
        c_url(running, "risks"),
        {"title": "x", "category": "weather", "probability": 0, "impact": 3},
        format="json",
    )
    assert {"category", "probability"} <= set(errors(bad))
    assert Risk.objects.count() == 1


# Retrospective ----------------------------------------------------------------------------


def test_retrospective_is_written_once_live(api, running, marketer):
    url = c_url(running, "retrospective")
    assert api.get(url).status_code == 404
    too_early = api.put(url, {"highlights": "x"}, format="json")
    assert too_early.status_code == 400
    assert "non_field_errors" in errors(too_early)
    bad_item = api.put(url, {"improvements": [{"text": ""}]}, format="json")
    assert "improvements.0.text" in errors(bad_item)
    running.state = "live"  # the lifecycle itself is covered by test_api_campaigns
    running.save()
    written = api.put(
        url,
        {
            "highlights": "GMV 超额",
            "improvements": [
                {"text": "日预算上限", "owner": marketer.pk},
                {"text": "对比图加标注", "apply_to_next": False},
            ],
        },
        format="json",
    )
    assert written.status_code == 200, written.json()
    body = written.json()
    assert body["is_complete"] is False
    assert [(i["text"], i["apply_to_next"]) for i in body["improvements"]] == [
        ("日预算上限", True),
        ("对比图加标注", False),
    ]
    more = api.put(url, {"lessons": "提前锁量"}, format="json").json()
    assert more["highlights"] == "GMV 超额"
    assert more["lessons"] == "提前锁量"
    assert len(more["improvements"]) == 2
