"""Tasks, dependencies, measurements and spends through the services."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fanloop.campaigns import services
from fanloop.campaigns.models import BudgetSpend, GoalMeasurement, Task
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def task(marketer, campaign, **data):
    return services.save_item(
        actor=marketer, campaign=campaign, kind="task", data={"title": "t", **data}
    )


def test_dependency_cycles_and_self_dependencies_are_refused(marketer, campaign):
    a, b, c = (task(marketer, campaign, title=name) for name in "abc")
    services.save_item(
        actor=marketer, campaign=campaign, kind="task", item=b, data={"depends_on": [a]}
    )
    services.save_item(
        actor=marketer, campaign=campaign, kind="task", item=c, data={"depends_on": [b]}
    )
    with pytest.raises(ValidationError):
        services.save_item(
            actor=marketer, campaign=campaign, kind="task", item=a, data={"depends_on": [c]}
        )
    with pytest.raises(ValidationError):
        services.save_item(
            actor=marketer, campaign=campaign, kind="task", item=a, data={"depends_on": [a]}
        )
    assert not a.depends_on.exists()


def test_task_owner_must_be_a_member(marketer, campaign, make_user):
    with pytest.raises(ValidationError) as error:
        task(marketer, campaign, owner=make_user("outsider"))
    assert "owner" in error.value.message_dict
    assert not Task.objects.exists()


def test_a_task_owner_with_any_role_moves_their_own_task(marketer, campaign, member_with_role):
    viewer = member_with_role(Role.VIEWER)
    mine = task(marketer, campaign, owner=viewer)
    services.update_my_task(actor=viewer, task=mine, status="in_progress")
    mine.refresh_from_db()
    assert mine.status == "in_progress"
    other = task(marketer, campaign, owner=marketer)
    with pytest.raises(PermissionDenied):
        services.update_my_task(actor=viewer, task=other, status="done")


def test_a_task_is_done_only_after_what_it_depends_on(marketer, campaign):
    first = task(marketer, campaign, title="first")
    second = task(marketer, campaign, title="second", depends_on=[first])
    with pytest.raises(ValidationError):
        services.update_my_task(actor=marketer, task=second, status="done")
    services.update_my_task(actor=marketer, task=first, status="done")
    services.update_my_task(actor=marketer, task=second, status="done")
    second.refresh_from_db()
    assert second.status == "done"


def test_overdue_means_past_due_and_not_done(marketer, campaign):
    today = date(2026, 11, 1)
    late = task(marketer, campaign, due_date=date(2026, 10, 30))
    done = task(marketer, campaign, due_date=date(2026, 10, 30), status="done")
    upcoming = task(marketer, campaign, due_date=date(2026, 11, 2))
    assert late.is_overdue(today)
    assert not done.is_overdue(today)
    assert not upcoming.is_overdue(today)


def test_measurements_need_a_source_and_a_sane_date(marketer, planned_ready):
    goal = planned_ready.goals.get()
    with pytest.raises(ValidationError) as error:
        services.record_measurement(
            actor=marketer, goal=goal, measured_on=date(2026, 10, 25), value="12", source_note=" "
        )
    assert "source_note" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.record_measurement(
            actor=marketer,
            goal=goal,
            measured_on=timezone.localdate() + timedelta(days=1),
            value="12",
            source_note="后台",
        )
    with pytest.raises(ValidationError):
        services.record_measurement(
            actor=marketer,
            goal=goal,
            measured_on=date(2026, 10, 25),
            value="lots",
            source_note="后台",
        )
    services.record_measurement(
        actor=marketer, goal=goal, measured_on=date(2026, 10, 25), value="120", source_note="后台"
    )
    services.record_measurement(
        actor=marketer, goal=goal, measured_on=date(2026, 10, 25), value="150", source_note="修正"
    )
    assert list(GoalMeasurement.objects.values_list("value", flat=True)) == [150]


def test_analyst_may_enter_actuals_but_content_may_not(planned_ready, member_with_role):
    goal = planned_ready.goals.get()
    analyst = member_with_role(Role.ANALYST)
    services.record_measurement(
        actor=analyst, goal=goal, measured_on=date(2026, 10, 25), value=10, source_note="生意参谋"
    )
    with pytest.raises(PermissionDenied):
        services.record_measurement(
            actor=member_with_role(Role.CONTENT),
            goal=goal,
            measured_on=date(2026, 10, 26),
            value=11,
            source_note="x",
        )


def test_imported_spend_counts_once(marketer, planned_ready):
    line = planned_ready.budget_lines.get()
    first = services.add_spend(
        actor=marketer,
        line=line,
        spent_on=date(2026, 10, 21),
        amount_fen=123_45,
        source="import",
        external_ref="row-7",
    )
    again = services.add_spend(
        actor=marketer,
        line=line,
        spent_on=date(2026, 10, 21),
        amount_fen=123_45,
        source="import",
        external_ref="row-7",
    )
    assert first.pk == again.pk
    assert BudgetSpend.objects.count() == 1
    with pytest.raises(ValidationError):
        services.add_spend(actor=marketer, line=line, spent_on=date(2026, 10, 21), amount_fen=0)


def test_budget_is_for_marketing_not_content(planned_ready, member_with_role):
    content = member_with_role(Role.CONTENT)
    with pytest.raises(PermissionDenied):
        services.save_item(
            actor=content,
            campaign=planned_ready,
            kind="budget_line",
            data={"category": "tools", "planned_fen": 100},
        )
    services.save_item(
        actor=member_with_role(Role.ADMIN),
        campaign=planned_ready,
        kind="budget_line",
        data={"category": "tools", "planned_fen": 100},
    )
    assert planned_ready.budget_lines.count() == 2


def test_items_of_another_campaign_are_refused(marketer, workspace, campaign):
    other = services.create_campaign(
        actor=marketer,
        workspace=workspace,
        data={"name": "other", "start_date": date(2026, 10, 20), "end_date": date(2026, 11, 12)},
    )
    foreign = task(marketer, other, title="foreign")
    with pytest.raises(ValidationError):
        services.save_item(
            actor=marketer, campaign=campaign, kind="task", item=foreign, data={"title": "hijack"}
        )
    with pytest.raises(ValidationError):
        task(marketer, campaign, title="x", depends_on=[foreign])
    foreign.refresh_from_db()
    assert foreign.title == "foreign"


def test_negative_planned_amount_is_a_field_error(marketer, campaign):
    with pytest.raises(ValidationError) as error:
        services.save_item(
            actor=marketer,
            campaign=campaign,
            kind="budget_line",
            data={"category": "kol", "planned_fen": -100},
        )
    assert "planned_fen" in error.value.message_dict
    assert not campaign.budget_lines.exists()
