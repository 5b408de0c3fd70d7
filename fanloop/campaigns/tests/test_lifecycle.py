"""Every lifecycle transition and every refusal, through the services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.campaigns import services, workflow
from fanloop.campaigns.models import Campaign, CampaignState, StateChange
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def move(actor, campaign, *names, note=""):
    for name in names:
        campaign = services.transition(actor=actor, campaign=campaign, name=name, note=note)
    return campaign


def problems_of(exc: ValidationError) -> list[str]:
    return exc.message_dict["transition"]


def test_transitions_are_declared_once_with_their_states():
    names = [t.name for t in workflow.TRANSITIONS]
    assert len(names) == len(set(names))
    targets = {t.target for t in workflow.TRANSITIONS}
    assert targets <= set(CampaignState.values)
    assert workflow.BY_NAME["cancel"].sources == workflow.OPEN_STATES


def test_new_campaign_starts_as_draft_with_history(campaign, marketer):
    assert campaign.state == CampaignState.DRAFT
    history = list(campaign.state_changes.values_list("from_state", "to_state"))
    assert history == [("", "draft")]
    assert AuditEntry.objects.filter(action="campaign.create", object_id=str(campaign.pk)).exists()


def test_planning_without_goal_or_budget_is_refused_with_both_reasons(campaign, marketer):
    with pytest.raises(ValidationError) as error:
        services.transition(actor=marketer, campaign=campaign, name="plan")
    reasons = " ".join(problems_of(error.value))
    assert "goal" in reasons
    assert "budget" in reasons
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT
    assert campaign.state_changes.count() == 1


def test_planning_with_a_zero_budget_is_refused(planned_ready, marketer):
    planned_ready.budget_lines.update(planned_fen=0)
    with pytest.raises(ValidationError) as error:
        services.transition(actor=marketer, campaign=planned_ready, name="plan")
    assert any("budget" in p for p in problems_of(error.value))


def test_going_live_needs_an_owner_for_every_phase(planned_ready, marketer):
    campaign = move(marketer, planned_ready, "plan", "launch")
    with pytest.raises(ValidationError) as error:
        services.transition(actor=marketer, campaign=campaign, name="go_live")
    assert any("phase" in p.lower() for p in problems_of(error.value))
    phase = services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="phase",
        data={
            "kind": "execution",
            "name": "执行",
            "start_date": date(2026, 10, 20),
            "end_date": date(2026, 11, 12),
        },
    )
    with pytest.raises(ValidationError) as error:
        services.transition(actor=marketer, campaign=campaign, name="go_live")
    assert any("执行" in p for p in problems_of(error.value))
    services.save_item(
        actor=marketer, campaign=campaign, kind="phase", item=phase, data={"owner": marketer}
    )
    campaign = services.transition(actor=marketer, campaign=campaign, name="go_live")
    assert campaign.state == CampaignState.LIVE


def test_closing_needs_a_completed_retrospective(planned_ready, marketer):
    services.save_item(
        actor=marketer,
        campaign=planned_ready,
        kind="phase",
        data={
            "kind": "execution",
            "name": "执行",
            "start_date": date(2026, 10, 20),
            "end_date": date(2026, 11, 12),
            "owner": marketer,
        },
    )
    campaign = move(marketer, planned_ready, "plan", "launch", "go_live", "wrap_up")
    with pytest.raises(ValidationError):
        services.transition(actor=marketer, campaign=campaign, name="close")
    services.save_retrospective(
        actor=marketer,
        campaign=campaign,
        data={"highlights": "订单超额", "shortfalls": "", "lessons": ""},
    )
    with pytest.raises(ValidationError) as error:
        services.complete_retrospective(actor=marketer, campaign=campaign)
    assert set(error.value.message_dict) == {"shortfalls", "lessons"}
    services.save_retrospective(
        actor=marketer,
        campaign=campaign,
        data={"shortfalls": "拉新偏弱", "lessons": "提前锁定达人"},
    )
    services.complete_retrospective(actor=marketer, campaign=campaign)
    campaign = services.transition(actor=marketer, campaign=campaign, name="close")
    assert campaign.state == CampaignState.CLOSED
    assert [s.to_state for s in campaign.state_changes.all()] == [
        "draft",
        "planned",
        "launching",
        "live",
        "wrapping_up",
        "closed",
    ]
    assert AuditEntry.objects.filter(
        action="campaign.close", object_id=str(campaign.pk)
    ).get().changes == {"state": ["wrapping_up", "closed"]}


def test_transition_from_the_wrong_state_is_refused(campaign, marketer):
    for name in ("launch", "go_live", "wrap_up", "close", "reopen"):
        with pytest.raises(ValidationError):
            services.transition(actor=marketer, campaign=campaign, name=name)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT


def test_unknown_transition_is_a_clear_error(campaign, marketer):
    with pytest.raises(ValidationError) as error:
        services.transition(actor=marketer, campaign=campaign, name="teleport")
    assert "teleport" in error.value.message_dict["transition"][0]


def test_reopen_returns_a_planned_campaign_to_draft(planned_ready, marketer):
    campaign = move(marketer, planned_ready, "plan", "reopen")
    assert campaign.state == CampaignState.DRAFT


def test_cancel_needs_a_reason_and_freezes_the_plan(planned_ready, marketer):
    with pytest.raises(ValidationError) as error:
        services.transition(actor=marketer, campaign=planned_ready, name="cancel")
    assert "note" in error.value.message_dict
    campaign = services.transition(
        actor=marketer, campaign=planned_ready, name="cancel", note="预算冻结"
    )
    assert campaign.state == CampaignState.CANCELLED
    assert campaign.state_changes.last().note == "预算冻结"
    with pytest.raises(ValidationError):
        services.update_campaign(actor=marketer, campaign=campaign, data={"name": "复活"})
    with pytest.raises(ValidationError):
        services.save_item(
            actor=marketer,
            campaign=campaign,
            kind="budget_line",
            data={"category": "kol", "planned_fen": 1},
        )
    with pytest.raises(ValidationError):
        services.transition(actor=marketer, campaign=campaign, name="cancel", note="again")


@pytest.mark.parametrize(
    "role", [Role.CONTENT, Role.OPERATOR, Role.ANALYST, Role.REVIEWER, Role.VIEWER]
)
def test_only_marketing_and_admin_move_campaigns(role, planned_ready, member_with_role):
    outsider = member_with_role(role)
    with pytest.raises(PermissionDenied):
        services.transition(actor=outsider, campaign=planned_ready, name="plan")
    assert StateChange.objects.filter(campaign=planned_ready).count() == 1


def test_admin_may_move_campaigns(planned_ready, admin_user):
    campaign = services.transition(actor=admin_user, campaign=planned_ready, name="plan")
    assert campaign.state == CampaignState.PLANNED


def test_outsider_cannot_create_in_another_workspace(make_user, other_workspace):
    with pytest.raises(PermissionDenied):
        services.create_campaign(
            actor=make_user("stranger"),
            workspace=other_workspace,
            data={"name": "x", "start_date": date(2026, 1, 1), "end_date": date(2026, 1, 2)},
        )
    assert not Campaign.objects.filter(workspace=other_workspace).exists()
