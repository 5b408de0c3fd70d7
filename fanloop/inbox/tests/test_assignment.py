"""Assignment rules: the first matching rule wins and the conversation says why."""

import pytest
from django.core.exceptions import ValidationError

from fanloop.core.permissions import Role
from fanloop.inbox.services import assignment, setup
from fanloop.inbox.tests.factories import incoming, one, sandbox_account


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def second_operator(make_user, admin_user, workspace):
    from fanloop.core import services

    user = make_user("op-2")
    services.add_member(actor=admin_user, workspace=workspace, user=user, role=Role.OPERATOR)
    return user


@pytest.fixture
def weibo(operator, workspace):
    return sandbox_account(actor=operator, workspace=workspace)


def test_first_matching_rule_wins_and_explains_itself(
    workspace, admin_user, operator, second_operator, weibo
):
    # given a keyword rule above a catch-all rule
    setup.save_rule(
        actor=admin_user,
        workspace=workspace,
        name="售后",
        keywords=["退货", "退款"],
        assign_to=second_operator,
    )
    setup.save_rule(actor=admin_user, workspace=workspace, name="其他", assign_to=operator)

    refund, _ = one(workspace, incoming("怎么退货？", account=weibo, author="a"))
    other, _ = one(workspace, incoming("好看", account=weibo, author="b"))

    assert refund.assignee == second_operator
    assert refund.assigned_by_rule.name == "售后"
    assert "售后" in refund.assignment_reason
    assert "退货" in refund.assignment_reason
    assert other.assignee == operator
    assert other.assigned_by_rule.name == "其他"


def test_sentiment_vip_and_platform_conditions(workspace, admin_user, operator, weibo):
    setup.save_rule(
        actor=admin_user,
        workspace=workspace,
        name="VIP 差评",
        sentiment="negative",
        vip_only=True,
        platforms=["weibo"],
        assign_to=operator,
    )
    plain, _ = one(workspace, incoming("质量太差了，要退款", account=weibo, author="a"))
    vip, _ = one(workspace, incoming("质量太差了，要退款", account=weibo, author="v", is_vip=True))
    elsewhere, _ = one(
        workspace, incoming("质量太差了，要退款", platform="douyin", author="v2", is_vip=True)
    )
    assert plain.assignee is None
    assert vip.assignee == operator
    assert elsewhere.assignee is None


def test_round_robin_takes_turns_among_online_operators(
    workspace, admin_user, operator, second_operator, weibo
):
    setup.save_rule(actor=admin_user, workspace=workspace, name="轮流", round_robin=True)
    setup.heartbeat(user=operator, workspace=workspace)
    setup.heartbeat(user=second_operator, workspace=workspace)

    got = [
        one(workspace, incoming("你好", account=weibo, author=f"f{i}"))[0].assignee
        for i in range(4)
    ]
    assert got == [operator, second_operator, operator, second_operator]

    # an operator who is away is skipped
    setup.heartbeat(user=second_operator, workspace=workspace, available=False)
    later = [
        one(workspace, incoming("你好", account=weibo, author=f"g{i}"))[0].assignee
        for i in range(2)
    ]
    assert later == [operator, operator]


def test_round_robin_with_nobody_online_says_so(workspace, admin_user, weibo):
    setup.save_rule(actor=admin_user, workspace=workspace, name="轮流", round_robin=True)
    thread, _ = one(workspace, incoming("你好", account=weibo))
    assert thread.assignee is None
    assert "nobody was online" in thread.assignment_reason


def test_rules_are_checked_and_ordered(workspace, admin_user):
    with pytest.raises(ValidationError) as error:
        setup.save_rule(actor=admin_user, workspace=workspace, name="", platforms=["myspace"])
    assert set(error.value.message_dict) == {"name", "platforms"}
    first = setup.save_rule(actor=admin_user, workspace=workspace, name="A")
    second = setup.save_rule(actor=admin_user, workspace=workspace, name="B")
    setup.move_rule(actor=admin_user, rule=second, offset=-1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.position < first.position
    assert assignment.explain(first) == "When any message: leave unassigned."
