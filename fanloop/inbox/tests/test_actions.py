"""Operators' actions on conversations: reply, triage, escalate, correct labels."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.inbox.models import DeliveryState, LabelCorrection, Message, ThreadStatus, Ticket
from fanloop.inbox.services import actions, setup
from fanloop.inbox.tests.factories import incoming, one, sandbox_account


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def viewer(member_with_role):
    return member_with_role(Role.VIEWER)


@pytest.fixture
def weibo(operator, workspace):
    return sandbox_account(actor=operator, workspace=workspace)


@pytest.fixture
def comment(workspace, weibo):
    """A fan's question on a simulated Weibo post, waiting for an answer."""
    from django.utils import timezone

    from fanloop.channels.sandbox.connector import make_remote_id

    post = make_remote_id("k-1", timezone.now(), "image")
    return one(
        workspace,
        incoming("请问有黑色吗？", account=weibo, remote_id="c-1", post_remote_id=post),
    )


def test_reply_goes_through_the_platform_and_answers_the_fan(comment, operator):
    thread, question = comment
    assert actions.can_reply_through_platform(thread)

    sent = actions.reply(actor=operator, thread=thread, text="有的亲，黑色现货")

    question.refresh_from_db()
    thread.refresh_from_db()
    assert sent.delivery == DeliveryState.SENT
    assert sent.direction == "outbound"
    assert sent.sent_by == operator
    assert sent.remote_id.startswith("r") or sent.remote_id
    assert question.responded_at == sent.sent_at
    assert question.response_business_seconds is not None
    assert thread.waiting_since is None
    assert thread.status == ThreadStatus.PENDING
    assert AuditEntry.objects.filter(action="inbox.reply", object_id=str(thread.pk)).exists()


def test_an_empty_reply_or_a_viewer_changes_nothing(comment, viewer, operator):
    thread, _question = comment
    with pytest.raises(ValidationError):
        actions.reply(actor=operator, thread=thread, text="   ")
    with pytest.raises(PermissionDenied):
        actions.reply(actor=viewer, thread=thread, text="你好")
    assert not Message.objects.filter(direction="outbound").exists()


def test_platforms_without_reply_api_are_marked_replied_by_hand(workspace, operator):
    thread, question = one(workspace, incoming("求链接", platform="xiaohongshu"))
    assert not actions.can_reply_through_platform(thread)
    with pytest.raises(ValidationError, match="Copy the text"):
        actions.reply(actor=operator, thread=thread, text="私信你啦")

    manual = actions.mark_replied(actor=operator, thread=thread, text="私信你啦")

    question.refresh_from_db()
    assert manual.delivery == DeliveryState.MANUAL
    assert question.responded_at is not None


def test_saved_reply_fills_nickname_and_product(comment, operator, workspace):
    thread, _question = comment
    saved = setup.save_saved_reply(
        actor=operator, workspace=workspace, title="问候", body="{昵称}您好，{商品}有货哦"
    )
    text = actions.render_saved_reply(saved, thread)
    assert text.startswith("小王您好")
    assert "{" not in text


def test_status_assign_and_tags_in_bulk(workspace, weibo, operator, viewer):
    t1, _ = one(workspace, incoming("一", account=weibo, author="a"))
    t2, _ = one(workspace, incoming("二", account=weibo, author="b"))
    tag = setup.save_tag(actor=operator, workspace=workspace, name="物流")

    assert actions.set_status(actor=operator, threads=[t1, t2], status="pending") == 2
    assert actions.assign(actor=operator, threads=[t1, t2], user=operator) == 2
    assert actions.add_tag(actor=operator, threads=[t1, t2], tag=tag) == 2
    assert actions.add_tag(actor=operator, threads=[t1], tag=tag) == 0  # already there

    t1.refresh_from_db()
    assert t1.status == "pending"
    assert t1.assignee == operator
    assert "Assigned by" in t1.assignment_reason
    assert list(t1.tags.all()) == [tag]
    assert AuditEntry.objects.filter(action="inbox.assign").count() == 2
    with pytest.raises(ValidationError):
        actions.set_status(actor=operator, threads=[t1], status="archived")
    with pytest.raises(ValidationError):
        actions.assign(actor=operator, threads=[t1], user=viewer)  # viewers cannot answer fans
    with pytest.raises(PermissionDenied):
        actions.set_status(actor=viewer, threads=[t1], status="closed")


def test_threads_of_two_workspaces_cannot_be_changed_together(
    workspace, other_workspace, weibo, operator
):
    mine, _ = one(workspace, incoming("一", account=weibo))
    theirs, _ = one(other_workspace, incoming("二", platform="weibo"))
    with pytest.raises(PermissionDenied):
        actions.set_status(actor=operator, threads=[mine, theirs], status="closed")
    with pytest.raises(PermissionDenied):
        actions.set_status(actor=operator, threads=[theirs], status="closed")
    theirs.refresh_from_db()
    assert theirs.status == "open"


def test_escalate_opens_a_linked_ticket(comment, operator):
    thread, question = comment
    first = actions.escalate(actor=operator, thread=thread)
    second = actions.escalate(actor=operator, thread=thread, subject="补发")
    assert first.number == "AS-00001"
    assert second.number == "AS-00002"
    assert first.message == question
    assert first.subject == question.text
    assert Ticket.objects.filter(thread=thread).count() == 2


def test_label_correction_is_stored_and_reprioritises(comment, operator):
    thread, question = comment
    correction = actions.correct_label(
        actor=operator, message=question, sentiment="negative", intent="complaint"
    )
    question.refresh_from_db()
    thread.refresh_from_db()
    assert correction.previous_sentiment != ""
    assert correction.sentiment == "negative"
    assert question.label_corrected
    assert question.sentiment == "negative"
    assert thread.sentiment == "negative"
    assert thread.priority == question.priority
    assert LabelCorrection.objects.count() == 1
    with pytest.raises(ValidationError):
        actions.correct_label(actor=operator, message=question, sentiment="furious")
    assert LabelCorrection.objects.count() == 1


def test_no_reply_needed_and_hide_leave_the_waiting_list(workspace, weibo, operator):
    thread, thanks = one(workspace, incoming("谢谢", account=weibo, author="a"))
    assert actions.no_reply_needed(actor=operator, threads=[thread]) == 1
    thanks.refresh_from_db()
    thread.refresh_from_db()
    assert not thanks.needs_reply
    assert thread.waiting_since is None

    spam_thread, spam = one(workspace, incoming("加V看福利", account=weibo, author="spam"))
    actions.hide_message(actor=operator, message=spam)
    spam.refresh_from_db()
    spam_thread.refresh_from_db()
    assert spam.hidden
    assert spam_thread.waiting_since is None


def test_vip_flag_raises_open_conversations(workspace, weibo, operator):
    thread, message = one(workspace, incoming("质量太差了", account=weibo))
    before = thread.priority
    actions.set_vip(actor=operator, author=message.author, is_vip=True, note="年消费 2 万")
    thread.refresh_from_db()
    assert thread.is_vip
    assert thread.priority >= before + 40


def test_hiding_one_message_leaves_the_others_waiting(workspace, weibo, operator):
    from datetime import timedelta

    from django.utils import timezone

    earlier = timezone.now() - timedelta(hours=2)
    thread, question = one(
        workspace, incoming("请问有货吗", account=weibo, kind="dm", sent_at=earlier)
    )
    _same, spam = one(
        workspace,
        incoming("加V看福利", account=weibo, kind="dm", sent_at=earlier + timedelta(minutes=5)),
    )

    actions.hide_message(actor=operator, message=spam)

    question.refresh_from_db()
    thread.refresh_from_db()
    assert question.responded_at is None
    assert thread.waiting_since == question.sent_at
