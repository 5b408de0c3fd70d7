"""The review workflow: steps, approvals, overrides, refusals, comments and mentions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fanloop.content import services, workflow
from fanloop.content.models import ReviewDecision, VariantState, VariantStateChange
from fanloop.content.tests.conftest import CLEAN_BODY
from fanloop.core.models import AuditEntry, Notification
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
S = VariantState
BANNED_BODY = "全网最好的面霜，销量第一！"


@pytest.fixture
def lead(member_with_role):
    return member_with_role(Role.MARKETING)


def test_every_transition_is_declared_once_with_known_states():
    names = [t.name for t in workflow.TRANSITIONS]
    assert len(names) == len(set(names))
    for t in workflow.TRANSITIONS:
        assert t.target in S.values
        assert t.sources <= set(S.values)


def test_without_review_steps_a_clean_submission_is_approved(variant, writer):
    approved, warnings = services.transition(actor=writer, variant=variant, name="submit")
    assert approved.state == S.APPROVED
    assert warnings == []
    assert VariantStateChange.objects.filter(variant=variant, to_state=S.APPROVED).exists()


def test_without_review_steps_blocking_findings_stop_submission(variant, writer):
    services.update_variant(actor=writer, variant=variant, data={"body": BANNED_BODY})
    with pytest.raises(ValidationError, match="最好"):
        services.transition(actor=writer, variant=variant, name="submit")
    variant.refresh_from_db()
    assert variant.state == S.DRAFT


def test_platform_rule_errors_stop_submission(make_item, writer):
    variant = make_item(platforms=["xiaohongshu"]).variants.get()
    services.update_variant(
        actor=writer, variant=variant, data={"title": "标" * 30, "body": CLEAN_BODY}
    )
    with pytest.raises(ValidationError, match="30"):
        services.transition(actor=writer, variant=variant, name="submit")


def test_two_step_review_goes_through_each_role_in_order(
    variant, writer, lead, reviewer, review_chain
):
    # when the writer submits
    submitted, _ = services.transition(actor=writer, variant=variant, name="submit")
    # then it waits for the content lead, who is notified
    assert (submitted.state, submitted.review_step) == (S.IN_REVIEW, 0)
    assert Notification.objects.filter(user=lead, text__contains="Content lead").exists()
    # and the compliance reviewer cannot take the lead's step
    with pytest.raises(PermissionDenied):
        services.transition(actor=reviewer, variant=variant, name="approve")
    # when the lead approves, the compliance step is next and its reviewer is told
    after_lead, _ = services.transition(actor=lead, variant=variant, name="approve", note="好")
    assert (after_lead.state, after_lead.review_step) == (S.IN_REVIEW, 1)
    assert Notification.objects.filter(user=reviewer, text__contains="Compliance").exists()
    # when compliance approves, the variant is approved and the owner hears of it
    done, _ = services.transition(actor=reviewer, variant=variant, name="approve")
    assert done.state == S.APPROVED
    assert Notification.objects.filter(user=writer, text__startswith="Approved").exists()
    decisions = list(ReviewDecision.objects.filter(variant=variant).order_by("id"))
    assert [(d.step_name, d.decision) for d in decisions] == [
        ("Content lead", "approve"),
        ("Compliance", "approve"),
    ]
    assert AuditEntry.objects.filter(action="content.variant_approve").exists()


def test_blocking_findings_stop_approval_unless_a_reason_is_written(
    variant, writer, reviewer, admin_user
):
    services.set_review_steps(
        actor=admin_user, workspace=variant.workspace, steps=[{"name": "合规", "role": "reviewer"}]
    )
    services.update_variant(actor=writer, variant=variant, data={"body": BANNED_BODY})
    services.transition(actor=writer, variant=variant, name="submit")
    # when approving without a reason
    with pytest.raises(ValidationError) as error:
        services.transition(actor=reviewer, variant=variant, name="approve")
    # then the error is on the override reason and lists the findings; nothing changed
    assert "override_reason" in error.value.message_dict
    assert any("最好" in m for m in error.value.message_dict["override_reason"])
    variant.refresh_from_db()
    assert variant.state == S.IN_REVIEW
    assert not ReviewDecision.objects.exists()
    # when approving with a written reason
    done, _ = services.transition(
        actor=reviewer,
        variant=variant,
        name="approve",
        override_reason="“第一”有第三方销量报告为证，法务已确认",
    )
    # then it is approved and the override is audited with the reason
    assert done.state == S.APPROVED
    assert done.compliance_override.startswith("“第一”")
    entry = AuditEntry.objects.get(action="content.compliance_override")
    assert "法务已确认" in entry.changes["override_reason"][1]


def test_request_changes_needs_a_note_and_returns_to_the_writer(
    variant, writer, reviewer, admin_user
):
    services.set_review_steps(
        actor=admin_user, workspace=variant.workspace, steps=[{"name": "合规", "role": "reviewer"}]
    )
    services.transition(actor=writer, variant=variant, name="submit")
    with pytest.raises(ValidationError) as error:
        services.transition(actor=reviewer, variant=variant, name="request_changes")
    assert "note" in error.value.message_dict
    back, _ = services.transition(
        actor=reviewer, variant=variant, name="request_changes", note="卖点再具体一些"
    )
    assert back.state == S.CHANGES_REQUESTED
    assert Notification.objects.filter(user=writer, text__contains="Changes requested").exists()
    again, _ = services.transition(actor=writer, variant=variant, name="submit")
    assert again.state == S.IN_REVIEW


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTENT, Role.OPERATOR])
def test_roles_outside_the_chain_cannot_approve(
    variant, writer, admin_user, member_with_role, role
):
    services.set_review_steps(
        actor=admin_user, workspace=variant.workspace, steps=[{"name": "合规", "role": "reviewer"}]
    )
    services.transition(actor=writer, variant=variant, name="submit")
    someone = writer if role == Role.CONTENT else member_with_role(role)
    with pytest.raises(PermissionDenied):
        services.transition(actor=someone, variant=variant, name="approve")


def test_editing_an_approved_variant_sends_it_back_to_review(variant, writer, reviewer, admin_user):
    services.set_review_steps(
        actor=admin_user, workspace=variant.workspace, steps=[{"name": "合规", "role": "reviewer"}]
    )
    services.transition(actor=writer, variant=variant, name="submit")
    services.transition(actor=reviewer, variant=variant, name="approve")
    edited = services.update_variant(
        actor=writer, variant=variant, data={"body": CLEAN_BODY + "！"}
    )
    assert (edited.state, edited.review_step) == (S.IN_REVIEW, 0)
    assert VariantStateChange.objects.filter(
        variant=variant, from_state=S.APPROVED, to_state=S.IN_REVIEW
    ).exists()


def test_editing_a_scheduled_variant_pulls_it_from_the_schedule(variant, writer, operator):
    services.transition(actor=writer, variant=variant, name="submit")
    services.transition(
        actor=operator,
        variant=variant,
        name="schedule",
        planned_at=timezone.now() + timedelta(days=2),
    )
    edited = services.update_variant(actor=writer, variant=variant, data={"title": "改了标题"})
    # no review steps configured: back to draft, to be submitted again
    assert edited.state == S.DRAFT


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("schedule", S.DRAFT),
        ("approve", S.DRAFT),
        ("mark_published", S.DRAFT),
        ("restore", S.DRAFT),
    ],
)
def test_transitions_from_the_wrong_state_are_refused(variant, admin_user, name, state):
    assert variant.state == state
    with pytest.raises(ValidationError) as error:
        services.transition(
            actor=admin_user,
            variant=variant,
            name=name,
            planned_at=timezone.now() + timedelta(days=1),
        )
    assert "transition" in error.value.message_dict
    variant.refresh_from_db()
    assert variant.state == state


def test_only_approved_variants_are_scheduled_and_only_in_the_future(variant, writer, operator):
    services.transition(actor=writer, variant=variant, name="submit")
    with pytest.raises(ValidationError) as error:
        services.transition(
            actor=operator,
            variant=variant,
            name="schedule",
            planned_at=timezone.now() - timedelta(hours=1),
        )
    assert "planned_at" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.transition(
            actor=writer,
            variant=variant,
            name="schedule",
            planned_at=timezone.now() + timedelta(hours=1),
        )
    scheduled, _ = services.transition(
        actor=operator,
        variant=variant,
        name="schedule",
        planned_at=timezone.now() + timedelta(hours=1),
    )
    assert scheduled.state == S.SCHEDULED


def test_scheduling_a_hard_ad_over_the_weekly_cap_warns_with_the_numbers(
    make_item, writer, operator
):
    monday = timezone.localtime(timezone.now()).replace(hour=12, minute=0, second=0, microsecond=0)
    monday = monday - timedelta(days=monday.weekday()) + timedelta(days=7)
    variants = []
    for index, purpose in enumerate(["hard_ad", "product_intro", "product_intro", "hard_ad"]):
        item = make_item(title=f"帖子{index}", platforms=["weibo"], purpose=purpose)
        variant = item.variants.get()
        body = CLEAN_BODY + ("广告" if purpose == "hard_ad" else "") + str(index)
        services.update_variant(actor=writer, variant=variant, data={"body": body})
        services.transition(actor=writer, variant=variant, name="submit")
        variants.append(variant)
    # 1 hard ad of 1 post: 100%, over the 20% cap: a warning naming 1 of 1
    _v, warnings = services.transition(
        actor=operator, variant=variants[0], name="schedule", planned_at=monday
    )
    assert warnings == ["1 of 1 pieces (100.0%) are hard ads, above the cap of 20%."]
    for variant in variants[1:3]:
        _v, warnings = services.transition(
            actor=operator, variant=variant, name="schedule", planned_at=monday + timedelta(days=1)
        )
        assert warnings == []  # not hard ads
    # the second hard ad makes 2 of 4 = 50%
    _v, warnings = services.transition(
        actor=operator, variant=variants[3], name="schedule", planned_at=monday + timedelta(days=2)
    )
    assert warnings == ["2 of 4 pieces (50.0%) are hard ads, above the cap of 20%."]


def test_comment_with_mention_notifies_the_member_and_a_reply_notifies_the_author(
    variant, writer, reviewer
):
    first = services.add_comment(
        actor=writer, variant=variant, body=f"@{reviewer.username} 请看一下第二段"
    )
    assert list(first.mentioned.all()) == [reviewer]
    assert Notification.objects.filter(user=reviewer, text__contains="第二段").exists()
    services.add_comment(actor=reviewer, variant=variant, body="已改", parent=first)
    assert Notification.objects.filter(user=writer, text__contains="已改").exists()
    assert AuditEntry.objects.filter(action="content.comment_add").count() == 2


def test_mentioning_a_non_member_is_refused(variant, writer, make_user):
    make_user("outsider")
    with pytest.raises(ValidationError, match="outsider"):
        services.add_comment(actor=writer, variant=variant, body="@outsider 看看")
    assert not variant.comments.exists()


def test_empty_comment_is_refused(variant, writer):
    with pytest.raises(ValidationError) as error:
        services.add_comment(actor=writer, variant=variant, body="   ")
    assert "body" in error.value.message_dict


def test_review_steps_are_admin_only_and_validated(workspace, admin_user, lead):
    with pytest.raises(PermissionDenied):
        services.set_review_steps(actor=lead, workspace=workspace, steps=[])
    with pytest.raises(ValidationError) as error:
        services.set_review_steps(
            actor=admin_user, workspace=workspace, steps=[{"name": "", "role": "viewer"}]
        )
    assert len(error.value.message_dict["steps"]) == 2
    assert services.steps_of(workspace) == []


def test_archive_and_restore(variant, writer):
    archived, _ = services.transition(actor=writer, variant=variant, name="archive")
    assert archived.state == S.ARCHIVED
    with pytest.raises(ValidationError):
        services.update_variant(actor=writer, variant=variant, data={"title": "x"})
    restored, _ = services.transition(actor=writer, variant=variant, name="restore")
    assert restored.state == S.DRAFT


def test_the_content_lead_step_can_send_back_without_content_review_permission(
    variant, writer, lead, review_chain
):
    services.transition(actor=writer, variant=variant, name="submit")
    back, _ = services.transition(
        actor=lead, variant=variant, name="request_changes", note="标题再短一点"
    )
    assert back.state == S.CHANGES_REQUESTED
    decision = ReviewDecision.objects.get(variant=variant)
    assert (decision.step_name, decision.decision) == ("Content lead", "request_changes")


def test_publishing_is_checked_again_against_terms_added_after_approval(
    variant, writer, operator, admin_user, reviewer
):
    from fanloop.compliance import services as compliance_services

    services.transition(actor=writer, variant=variant, name="submit")
    services.transition(
        actor=operator,
        variant=variant,
        name="schedule",
        planned_at=timezone.now() + timedelta(days=1),
    )
    assert services.publish_problems(variant) == []
    # when compliance bans a word the approved copy uses
    compliance_services.add_term(
        actor=reviewer,
        workspace=variant.workspace,
        term="通勤",
        kind="banned",
        category="custom",
        severity="block",
        note="竞品注册商标",
    )
    # then the dispatcher is told not to publish it
    problems = services.publish_problems(variant)
    assert any("通勤" in problem for problem in problems)
