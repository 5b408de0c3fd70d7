"""Ingestion: one row per platform message, threads, labels, deadlines, reopening."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.inbox.models import Message, Thread, ThreadStatus
from fanloop.inbox.services import actions
from fanloop.inbox.tests.factories import incoming, one, receive, sandbox_account


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def weibo(operator, workspace):
    return sandbox_account(actor=operator, workspace=workspace)


def test_the_same_message_twice_is_stored_once(workspace, weibo):
    # given a comment that arrives by polling and again by webhook
    first = incoming("衣服很好看", account=weibo, remote_id="c-100")
    again = incoming("衣服很好看", account=weibo, remote_id="c-100")

    # when both arrive, in one batch and in a later one
    result = receive(workspace, first, again)
    later = receive(workspace, again)

    # then one message and one thread exist
    assert len(result.created) == 1
    assert result.duplicates == 1
    assert later.duplicates == 1
    assert not later.created
    assert Message.objects.filter(workspace=workspace).count() == 1
    assert Thread.objects.filter(workspace=workspace).count() == 1


def test_same_id_in_two_workspaces_is_two_messages(workspace, other_workspace, weibo):
    receive(workspace, incoming("好", account=weibo, remote_id="c-1"))
    receive(other_workspace, incoming("好", platform="weibo", remote_id="c-1"))
    assert Message.objects.filter(remote_id="c-1").count() == 2


def test_replies_join_their_comments_thread_and_dms_one_conversation(workspace, weibo):
    thread, top = one(workspace, incoming("请问有黑色吗？", account=weibo, remote_id="c-1"))
    reply_thread, reply = one(
        workspace,
        incoming("我也想问", account=weibo, remote_id="c-2", parent_remote_id="c-1", kind="reply"),
    )
    dm1, _m1 = one(workspace, incoming("在吗", account=weibo, kind="dm", author="fan-9"))
    dm2, _m2 = one(workspace, incoming("想问下尺码", account=weibo, kind="dm", author="fan-9"))

    assert reply_thread == thread
    assert reply.parent == top
    assert dm1 == dm2
    assert dm1 != thread
    assert Thread.objects.filter(workspace=workspace).count() == 2


def test_fan_messages_get_labels_priority_and_a_reply_deadline(workspace, weibo):
    _thread, calm = one(workspace, incoming("请问什么时候发货？", account=weibo, author="a"))
    angry_thread, angry = one(
        workspace,
        incoming("质量太差了，穿一次就破了，我要投诉，必须退款！", account=weibo, author="b"),
    )

    assert angry.sentiment == "negative"
    assert angry.intent in {"complaint", "after_sales"}
    assert angry.priority > calm.priority
    assert angry_thread.sentiment == "negative"
    assert angry.reply_due_at is not None
    assert angry.reply_due_at > angry.sent_at
    assert angry.opens_turn
    assert angry_thread.waiting_since == angry.sent_at
    assert " 退款 " in angry.search_words


def test_vip_fans_come_first(workspace, weibo):
    _t1, ordinary = one(workspace, incoming("质量太差了，要退货", account=weibo, author="a"))
    _t2, vip = one(
        workspace, incoming("质量太差了，要退货", account=weibo, author="vip", is_vip=True)
    )
    assert vip.author.is_vip
    assert vip.priority >= ordinary.priority + 40


def test_a_new_message_reopens_a_closed_conversation(workspace, weibo, operator):
    thread, _message = one(workspace, incoming("在吗", account=weibo, kind="dm"))
    actions.set_status(actor=operator, threads=[thread], status=ThreadStatus.CLOSED)

    one(workspace, incoming("还在吗？我的快递还没到", account=weibo, kind="dm"))

    thread.refresh_from_db()
    assert thread.status == ThreadStatus.OPEN
    assert "快递" in thread.preview


def test_bad_messages_are_reported_and_not_stored(workspace, other_workspace, weibo, make_user):
    stranger = make_user("stranger-op")
    from fanloop.core import services as core

    core.add_member(
        actor=other_workspace.memberships.first().user,
        workspace=other_workspace,
        user=stranger,
        role=Role.OPERATOR,
    )
    foreign = sandbox_account(actor=stranger, workspace=other_workspace)
    naive = datetime(2026, 11, 1, 10, 0)  # no time zone
    result = receive(
        workspace,
        incoming("ok", platform="myspace"),
        incoming("ok", account=weibo, sent_at=naive),
        incoming("ok", account=foreign),
        incoming("ok", account=weibo, remote_id=""),
        incoming("ok", account=weibo, sent_at=timezone.now() + timedelta(days=1)),
        incoming("这个能用", account=weibo),
    )

    assert [e.index for e in result.errors] == [0, 1, 2, 3, 4]
    assert "unknown platform" in result.errors[0].message
    assert "time zone" in result.errors[1].message
    assert "not this workspace" in result.errors[2].message
    assert len(result.created) == 1
    assert Message.objects.filter(workspace=workspace).count() == 1


def test_ingest_is_audited(workspace, weibo):
    receive(workspace, incoming("好看", account=weibo), incoming("好用", account=weibo))
    entry = AuditEntry.objects.get(workspace=workspace, action="inbox.ingest")
    assert entry.changes["messages"] == [None, 2]
    assert entry.changes["source"] == [None, "connector"]
