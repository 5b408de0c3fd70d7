"""Every campaign endpoint: workspace isolation (404) and role permissions (403).

Two workspaces each get a campaign with one of every item. A member of A must get a
404 for B's workspace, for B's campaign addressed through A's workspace, and for B's
item ids addressed through A's campaign, and B's rows must not change.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fanloop.campaigns import services
from fanloop.campaigns.models import (
    BudgetLine,
    BudgetSpend,
    Campaign,
    Document,
    DocumentVersion,
    Goal,
    GoalMeasurement,
    StateChange,
    Task,
)
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build(actor, workspace) -> dict[str, int]:
    """A live campaign with one of everything, written through the services."""
    campaign = services.create_campaign(
        actor=actor,
        workspace=workspace,
        data={
            "name": f"{workspace.slug} campaign",
            "owner": actor,
            "start_date": TODAY - timedelta(days=10),
            "end_date": TODAY + timedelta(days=10),
        },
    )

    def item(item_kind, **data):
        return services.save_item(actor=actor, campaign=campaign, kind=item_kind, data=data)

    goal = item(
        "goal",
        goal_type="sales",
        metric="orders",
        baseline=Decimal(0),
        target=Decimal(100),
        deadline=campaign.end_date,
    )
    services.record_measurement(
        actor=actor, goal=goal, measured_on=TODAY, value=10, source_note="后台"
    )
    line = item("budget_line", category="kol", planned_fen=100_000)
    services.add_spend(actor=actor, line=line, spent_on=TODAY, amount_fen=1_000)
    phase = item(
        "phase",
        kind="execution",
        name="执行",
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        owner=actor,
    )
    milestone = item("milestone", phase=phase, name="上线", due_date=TODAY)
    task = item("task", title="任务", phase=phase, owner=actor)
    competitor = item("competitor", brand="竞品")
    note = item("research_note", kind="trend", title="趋势")
    risk = item("risk", title="风险", category="market", probability=2, impact=2)
    services.save_feasibility(
        actor=actor,
        campaign=campaign,
        data={"market_demand": 3, "user_acceptance": 3, "cost": 3, "risk": 3},
    )
    for name in ("plan", "launch", "go_live"):
        campaign = services.transition(actor=actor, campaign=campaign, name=name)
    services.save_retrospective(actor=actor, campaign=campaign, data={"highlights": "h"})
    version = services.upload_document(
        actor=actor,
        workspace=workspace,
        upload=SimpleUploadedFile("r.pdf", PDF),
        doc_type="other",
        campaign=campaign,
    )
    return {
        "ws": workspace.pk,
        "c": campaign.pk,
        "goal": goal.pk,
        "line": line.pk,
        "phase": phase.pk,
        "milestone": milestone.pk,
        "task": task.pk,
        "competitor": competitor.pk,
        "note": note.pk,
        "risk": risk.pk,
        "doc": version.document_id,
    }


@pytest.fixture
def world(marketer, workspace, other_workspace):
    zed = other_workspace.memberships.get().user
    return {"A": build(marketer, workspace), "B": build(zed, other_workspace)}


W = "/api/v1/workspaces/{ws}/"
C = W + "campaigns/{c}/"

READS = [
    W + "campaigns/",
    C,
    C + "transitions/",
    C + "history/",
    C + "export/",
    C + "goals/",
    C + "goals/{goal}/",
    C + "goals/{goal}/measurements/",
    C + "budget-lines/",
    C + "budget-lines/{line}/",
    C + "budget-lines/{line}/spends/",
    C + "phases/",
    C + "phases/{phase}/",
    C + "milestones/",
    C + "milestones/{milestone}/",
    C + "tasks/",
    C + "tasks/{task}/",
    C + "competitors/",
    C + "competitors/{competitor}/",
    C + "research-notes/",
    C + "research-notes/{note}/",
    C + "risks/",
    C + "risks/{risk}/",
    C + "feasibility/",
    C + "retrospective/",
    C + "documents/",
    W + "improvements/",
    W + "documents/",
    W + "documents/{doc}/",
    W + "documents/{doc}/versions/",
    W + "documents/{doc}/versions/1/download/",
]


def pdf():
    return SimpleUploadedFile("n.pdf", PDF)


# (method, url, body builder, needs budget.edit) - each body is valid for workspace A.
WRITES = [
    (
        "post",
        W + "campaigns/",
        lambda a: {"name": "n", "start_date": "2026-12-01", "end_date": "2026-12-02"},
        False,
    ),
    ("patch", C, lambda a: {"theme": "t"}, False),
    ("post", C + "transitions/", lambda a: {"name": "cancel", "note": "n"}, False),
    (
        "post",
        C + "goals/",
        lambda a: {
            "goal_type": "sales",
            "metric": "clicks",
            "baseline": 0,
            "target": 5,
            "deadline": TODAY.isoformat(),
        },
        False,
    ),
    ("patch", C + "goals/{goal}/", lambda a: {"note": "n"}, False),
    ("delete", C + "goals/{goal}/", None, False),
    ("post", C + "budget-lines/", lambda a: {"category": "tools", "planned_fen": 1}, True),
    ("patch", C + "budget-lines/{line}/", lambda a: {"planned_fen": 2}, True),
    ("delete", C + "budget-lines/{line}/", None, True),
    (
        "post",
        C + "budget-lines/{line}/spends/",
        lambda a: {"spent_on": TODAY.isoformat(), "amount_fen": 5},
        True,
    ),
    (
        "post",
        C + "phases/",
        lambda a: {
            "kind": "custom",
            "name": "p",
            "start_date": TODAY.isoformat(),
            "end_date": TODAY.isoformat(),
        },
        False,
    ),
    ("patch", C + "phases/{phase}/", lambda a: {"name": "p"}, False),
    ("delete", C + "phases/{phase}/", None, False),
    (
        "post",
        C + "milestones/",
        lambda a: {"phase": a["phase"], "name": "m", "due_date": TODAY.isoformat()},
        False,
    ),
    ("patch", C + "milestones/{milestone}/", lambda a: {"done": True}, False),
    ("delete", C + "milestones/{milestone}/", None, False),
    ("post", C + "tasks/", lambda a: {"title": "t"}, False),
    ("patch", C + "tasks/{task}/", lambda a: {"status": "blocked"}, False),
    ("delete", C + "tasks/{task}/", None, False),
    ("post", C + "competitors/", lambda a: {"brand": "b"}, False),
    ("patch", C + "competitors/{competitor}/", lambda a: {"brand": "b"}, False),
    ("delete", C + "competitors/{competitor}/", None, False),
    ("post", C + "research-notes/", lambda a: {"kind": "trend", "title": "t"}, False),
    ("patch", C + "research-notes/{note}/", lambda a: {"title": "t"}, False),
    ("delete", C + "research-notes/{note}/", None, False),
    (
        "post",
        C + "risks/",
        lambda a: {"title": "r", "category": "market", "probability": 1, "impact": 1},
        False,
    ),
    ("patch", C + "risks/{risk}/", lambda a: {"impact": 5}, False),
    ("delete", C + "risks/{risk}/", None, False),
    (
        "put",
        C + "feasibility/",
        lambda a: {"market_demand": 1, "user_acceptance": 1, "cost": 1, "risk": 1},
        False,
    ),
    ("put", C + "retrospective/", lambda a: {"lessons": "l"}, False),
    ("post", C + "retrospective/complete/", None, False),
    ("post", C + "documents/", lambda a: {"file": pdf()}, False),
    ("post", W + "documents/", lambda a: {"file": pdf()}, False),
    ("post", W + "documents/{doc}/versions/", lambda a: {"file": pdf()}, False),
    ("delete", W + "documents/{doc}/", None, False),
]
GOAL_MEASUREMENT = (
    "post",
    C + "goals/{goal}/measurements/",
    lambda a: {"measured_on": TODAY.isoformat(), "value": "1", "source_note": "s"},
    False,
)


def call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    multipart = "file" in body
    return getattr(client, method)(url, body, format="multipart" if multipart else "json")


def snapshot() -> dict[str, object]:
    """What a refused write must leave untouched."""
    return {
        "campaigns": list(
            Campaign.objects.order_by("pk").values_list("pk", "name", "theme", "state")
        ),
        "goals": list(Goal.objects.order_by("pk").values_list("pk", "note", "target")),
        "lines": list(BudgetLine.objects.order_by("pk").values_list("pk", "planned_fen")),
        "spends": BudgetSpend.objects.count(),
        "measurements": list(GoalMeasurement.objects.values_list("pk", "value")),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "title", "status")),
        "documents": Document.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "history": StateChange.objects.count(),
    }


# Isolation --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", READS)
def test_reads_work_for_members_and_are_404_across_workspaces(url, world, marketer, api_client_for):
    a, b = world["A"], world["B"]
    client = api_client_for(marketer)
    assert client.get(url.format(**a)).status_code == 200
    # B's workspace
    assert client.get(url.format(**b)).status_code == 404
    # B's campaign and items addressed through A's workspace (and A's campaign)
    if "{c}" in url or "{doc}" in url:
        assert client.get(url.format(**{**b, "ws": a["ws"]})).status_code == 404
    if url.count("{") > 2:
        assert client.get(url.format(**{**b, "ws": a["ws"], "c": a["c"]})).status_code == 404


@pytest.mark.parametrize(("method", "url", "body", "_budget"), [*WRITES, GOAL_MEASUREMENT])
def test_writes_across_workspaces_are_404_and_change_nothing(
    method, url, body, _budget, world, marketer, api_client_for
):
    a, b = world["A"], world["B"]
    client = api_client_for(marketer)
    before = snapshot()
    targets = [b]
    if "{c}" in url or "{doc}" in url:
        targets.append({**b, "ws": a["ws"]})
    if url.count("{") > 2:
        targets.append({**b, "ws": a["ws"], "c": a["c"]})
    for ids in targets:
        response = call(client, method, url.format(**ids), body(a) if body else None)
        assert response.status_code == 404, (url, ids, response.content)
    assert snapshot() == before


def test_references_to_another_workspaces_rows_are_400(world, marketer, api_client_for):
    a, b = world["A"], world["B"]
    client = api_client_for(marketer)
    c = C.format(**a)
    zed = Campaign.objects.get(pk=b["c"]).owner
    refused = [
        client.post(c + "tasks/", {"title": "t", "depends_on": [b["task"]]}, format="json"),
        client.post(c + "tasks/", {"title": "t", "phase": b["phase"]}, format="json"),
        client.post(c + "tasks/", {"title": "t", "owner": zed.pk}, format="json"),
        client.patch(c + "phases/{}/".format(a["phase"]), {"owner": zed.pk}, format="json"),
        client.post(
            c + "milestones/",
            {"phase": b["phase"], "name": "m", "due_date": TODAY.isoformat()},
            format="json",
        ),
    ]
    assert [r.status_code for r in refused] == [400] * len(refused)
    assert zed.username not in str([r.json() for r in refused])


# Roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "body", "_budget"), [*WRITES, GOAL_MEASUREMENT])
def test_viewers_may_not_write_anything(
    method, url, body, _budget, world, member_with_role, api_client_for
):
    client = api_client_for(member_with_role(Role.VIEWER))
    a = world["A"]
    before = snapshot()
    response = call(client, method, url.format(**a), body(a) if body else None)
    assert response.status_code == 403, (url, response.content)
    assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot() == before


@pytest.mark.parametrize(("method", "url", "body", "_budget"), [w for w in WRITES if w[3]])
def test_budget_is_marketing_work_not_content(
    method, url, body, _budget, world, member_with_role, api_client_for, marketer
):
    a = world["A"]
    content = api_client_for(member_with_role(Role.CONTENT))
    before = snapshot()
    denied = call(content, method, url.format(**a), body(a) if body else None)
    assert denied.status_code == 403
    assert snapshot() == before
    allowed = call(api_client_for(marketer), method, url.format(**a), body(a) if body else None)
    assert allowed.status_code in {200, 201, 204}, allowed.content


@pytest.mark.parametrize("role", [Role.CONTENT, Role.OPERATOR, Role.REVIEWER])
def test_other_roles_may_read_but_not_plan(role, world, member_with_role, api_client_for):
    a = world["A"]
    client = api_client_for(member_with_role(role))
    assert client.get(C.format(**a)).status_code == 200
    assert (
        client.post(
            C.format(**a) + "goals/",
            {"goal_type": "sales", "metric": "clicks", "target": 5, "deadline": TODAY.isoformat()},
            format="json",
        ).status_code
        == 403
    )
    assert client.patch(C.format(**a), {"theme": "x"}, format="json").status_code == 403


def test_analysts_may_enter_actuals_only(world, member_with_role, api_client_for):
    a = world["A"]
    client = api_client_for(member_with_role(Role.ANALYST))
    method, url, body, _ = GOAL_MEASUREMENT
    response = call(client, method, url.format(**a), body(a))
    assert response.status_code == 200  # replaces today's value
    assert GoalMeasurement.objects.get(goal_id=a["goal"]).value == 1
    assert (
        client.patch(
            C.format(**a) + "goals/{}/".format(a["goal"]), {"note": "x"}, format="json"
        ).status_code
        == 403
    )


@pytest.mark.parametrize(("method", "url", "body", "_budget"), WRITES)
def test_marketing_may_do_every_write(method, url, body, _budget, world, marketer, api_client_for):
    a = world["A"]
    if url.endswith("complete/"):
        services.save_retrospective(
            actor=marketer,
            campaign=Campaign.objects.get(pk=a["c"]),
            data={"shortfalls": "s", "lessons": "l"},
        )
    response = call(api_client_for(marketer), method, url.format(**a), body(a) if body else None)
    assert response.status_code in {200, 201, 204}, (url, response.content)
