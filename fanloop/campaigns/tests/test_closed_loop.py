"""Starting from an earlier campaign and adopting its open improvement items."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fanloop.campaigns import queries, services
from fanloop.campaigns.models import Campaign, ImprovementStatus, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(marketer, planned_ready):
    """A closed campaign with phases, tasks with a dependency, and improvement items."""
    prep = services.save_item(
        actor=marketer,
        campaign=planned_ready,
        kind="phase",
        data={
            "kind": "preparation",
            "name": "筹备",
            "start_date": date(2026, 10, 20),
            "end_date": date(2026, 10, 25),
            "owner": marketer,
        },
    )
    services.save_item(
        actor=marketer,
        campaign=planned_ready,
        kind="milestone",
        data={"phase": prep, "name": "达人名单锁定", "due_date": date(2026, 10, 24)},
    )
    brief = services.save_item(
        actor=marketer,
        campaign=planned_ready,
        kind="task",
        data={
            "title": "写 brief",
            "phase": prep,
            "due_date": date(2026, 10, 22),
            "status": "done",
            "checklist": [{"text": "卖点", "done": True}],
        },
    )
    services.save_item(
        actor=marketer,
        campaign=planned_ready,
        kind="task",
        data={
            "title": "发 brief 给达人",
            "phase": prep,
            "due_date": date(2026, 10, 23),
            "depends_on": [brief],
        },
    )
    campaign = planned_ready
    for name in ("plan", "launch", "go_live", "wrap_up"):
        campaign = services.transition(actor=marketer, campaign=campaign, name=name)
    services.save_retrospective(
        actor=marketer,
        campaign=campaign,
        data={"highlights": "a", "shortfalls": "b", "lessons": "c"},
        improvements=[
            {"text": "日预算上限", "owner": marketer},
            {"text": "只记录，不带到下次", "apply_to_next": False},
        ],
    )
    services.complete_retrospective(actor=marketer, campaign=campaign)
    return services.transition(actor=marketer, campaign=campaign, name="close")


def test_open_improvements_are_offered_to_the_next_campaign(finished, workspace):
    offered = [item.text for item in queries.open_improvements(workspace)]
    assert offered == ["日预算上限"]


def test_start_from_copies_the_plan_moved_to_the_new_dates(finished, marketer, workspace):
    item = queries.open_improvements(workspace).get()
    new = services.create_campaign(
        actor=marketer,
        workspace=workspace,
        source=finished,
        adopt=[item],
        data={"name": "双12", "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 24)},
    )
    # goals and budget structure copied, deadlines shifted by the same 42 days
    goal = new.goals.get()
    assert (goal.metric, goal.target, goal.deadline) == (
        "orders",
        Decimal(5000),
        date(2026, 12, 23),
    )
    assert list(new.budget_lines.values_list("category", "planned_fen")) == [("kol", 5_000_000)]
    assert new.budget_lines.get().spends.count() == 0
    phase = new.phases.get()
    assert (phase.start_date, phase.end_date) == (date(2026, 12, 1), date(2026, 12, 6))
    assert phase.milestones.get().due_date == date(2026, 12, 5)
    # tasks come back as to-do templates with their dependency re-linked inside the copy
    tasks = {task.title: task for task in new.tasks.all()}
    assert {t.status for t in tasks.values()} == {"todo"}
    assert tasks["写 brief"].checklist == [{"text": "卖点", "done": False}]
    assert list(tasks["发 brief 给达人"].depends_on.all()) == [tasks["写 brief"]]
    assert Task.objects.filter(campaign=finished).count() == 2
    # the adopted item is linked both ways and no longer offered
    item.refresh_from_db()
    assert (item.status, item.adopted_by) == (ImprovementStatus.ADOPTED, new)
    assert list(new.adopted_improvements.all()) == [item]
    assert not queries.open_improvements(workspace).exists()
    assert new.source_campaign == finished


def test_an_item_cannot_be_adopted_twice(finished, marketer, workspace):
    item = queries.open_improvements(workspace).get()
    services.create_campaign(
        actor=marketer,
        workspace=workspace,
        adopt=[item],
        data={"name": "A", "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 2)},
    )
    with pytest.raises(ValidationError):
        services.create_campaign(
            actor=marketer,
            workspace=workspace,
            adopt=[item],
            data={"name": "B", "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 2)},
        )
    assert not Campaign.objects.filter(name="B").exists()


def test_source_from_another_workspace_is_refused(finished, make_user, other_workspace):
    owner = other_workspace.memberships.get().user
    with pytest.raises(ValidationError):
        services.create_campaign(
            actor=owner,
            workspace=other_workspace,
            source=finished,
            data={"name": "steal", "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 2)},
        )
    assert not Campaign.objects.filter(name="steal").exists()
