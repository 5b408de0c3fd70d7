"""The inbox pages: the list (views, counts, search, bulk actions, presence) and one
conversation with every operator action, per role and per workspace."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fanloop.core.models import AuditEntry
from fanloop.inbox.models import (
    DeliveryState,
    Direction,
    LabelCorrection,
    Message,
    Note,
    OperatorPresence,
    Thread,
    ThreadStatus,
    Ticket,
)
from fanloop.inbox.services import setup
from fanloop.inbox.tests import ui_support
from fanloop.inbox.tests.factories import incoming, one
from fanloop.inbox.tests.ui_support import inbox_url

pytestmark = [pytest.mark.django_db]

# Shared fixtures (pytest finds them by these names).
fan_message = ui_support.fan_message
operator = ui_support.operator
other_thread = ui_support.other_thread
post_id = ui_support.post_id
viewer = ui_support.viewer
weibo = ui_support.weibo


def act(client: Client, workspace, thread: Thread, action: str, **data):
    return client.post(inbox_url(workspace, f"threads/{thread.pk}/{action}/"), data)


# The list ---------------------------------------------------------------------------------


def test_viewer_sees_the_list_without_controls(client_for, viewer, workspace, fan_message):
    fan_message("请问有黑色吗？")
    response = client_for(viewer).get(inbox_url(workspace))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="thread-row"' in body
    assert 'data-testid="bulk-controls"' not in body
    assert 'data-testid="presence"' not in body
    # and a viewer is not counted as present for round robin
    assert not OperatorPresence.objects.filter(user=viewer).exists()


def test_operator_opening_the_inbox_is_present(client_for, operator, workspace):
    response = client_for(operator).get(inbox_url(workspace))
    assert response.status_code == 200
    assert 'data-testid="bulk-controls"' in response.content.decode()
    assert OperatorPresence.objects.get(user=operator, workspace=workspace).available


def test_outsiders_get_404_and_anonymous_users_the_login(client_for, make_user, workspace):
    stranger = make_user("stranger")
    assert client_for(stranger).get(inbox_url(workspace)).status_code == 404
    response = Client().get(inbox_url(workspace))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_sidebar_counts_and_view_links(client_for, operator, workspace, fan_message):
    fan_message("好评", author="a", is_vip=True)
    fan_message("在吗", author="b")
    response = client_for(operator).get(inbox_url(workspace) + "?view=vip")
    views = {v["name"]: v for v in response.context["views"]}
    assert views["all"]["count"] == 2
    assert views["vip"]["count"] == 1
    assert views["vip"]["active"]
    assert len(response.context["rows"]) == 1


def test_chinese_search_highlights_the_words(client_for, viewer, workspace, fan_message):
    fan_message("请问退货运费谁出？", author="a")
    fan_message("运费多少钱", author="b")
    response = client_for(viewer).get(inbox_url(workspace), {"q": "退货运费"})
    rows = response.context["rows"]
    assert len(rows) == 1
    assert "<mark>运费</mark>" in str(rows[0].snippet) or "<mark>货运费</mark>" in str(
        rows[0].snippet
    )
    assert "<mark>" in response.content.decode()


def test_search_escapes_the_fans_text(client_for, viewer, workspace, fan_message):
    fan_message("<script>alert(1)</script> 运费", author="a")
    body = client_for(viewer).get(inbox_url(workspace), {"q": "运费"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_list_pages_by_fifty(client_for, viewer, workspace, weibo):
    from fanloop.inbox.tests.factories import receive

    receive(
        workspace,
        *(incoming(f"第{i}条评论", account=weibo, author=f"fan-{i}") for i in range(51)),
    )
    first = client_for(viewer).get(inbox_url(workspace))
    assert len(first.context["rows"]) == 50
    second = client_for(viewer).get(inbox_url(workspace), {"page": 2})
    assert len(second.context["rows"]) == 1


def test_htmx_requests_get_the_fragment(client_for, viewer, workspace):
    response = client_for(viewer).get(inbox_url(workspace), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-testid="threads"' in response.content


# Bulk actions ---------------------------------------------------------------------------


def test_bulk_status_changes_only_this_workspaces_selection(
    client_for, operator, workspace, fan_message, other_thread
):
    one_, _m = fan_message("a", author="a")
    two, _m = fan_message("b", author="b")
    untouched, _m = fan_message("c", author="c")
    response = client_for(operator).post(
        inbox_url(workspace, "bulk/"),
        {"threads": [one_.pk, two.pk, other_thread.pk], "action": "status", "status": "pending"},
    )
    assert response.status_code == 302
    statuses = dict(Thread.objects.values_list("pk", "status"))
    assert statuses[one_.pk] == statuses[two.pk] == ThreadStatus.PENDING
    assert statuses[untouched.pk] == ThreadStatus.OPEN
    assert statuses[other_thread.pk] == ThreadStatus.OPEN


def test_bulk_assign_tag_and_no_reply(client_for, operator, workspace, fan_message):
    one_, _m = fan_message("a", author="a")
    two, _m = fan_message("b", author="b")
    tag = setup.save_tag(actor=operator, workspace=workspace, name="售后")
    client = client_for(operator)
    selected = [one_.pk, two.pk]
    client.post(
        inbox_url(workspace, "bulk/"),
        {"threads": selected, "action": "assign", "user": operator.pk},
    )
    client.post(
        inbox_url(workspace, "bulk/"), {"threads": selected, "action": "tag", "tag": tag.pk}
    )
    client.post(inbox_url(workspace, "bulk/"), {"threads": selected, "action": "no_reply"})
    for thread in Thread.objects.filter(pk__in=selected):
        assert thread.assignee == operator
        assert list(thread.tags.all()) == [tag]
        assert thread.waiting_since is None
    assert not Message.objects.filter(thread_id__in=selected, needs_reply=True).exists()


def test_bulk_without_selection_or_tag_is_refused(client_for, operator, workspace, fan_message):
    thread, _m = fan_message()
    client = client_for(operator)
    nothing = client.post(inbox_url(workspace, "bulk/"), {"action": "status", "status": "closed"})
    assert nothing.status_code == 400
    assert "Select at least one conversation" in nothing.content.decode()
    no_tag = client.post(inbox_url(workspace, "bulk/"), {"threads": [thread.pk], "action": "tag"})
    assert no_tag.status_code == 400
    assert "Choose a tag" in no_tag.content.decode()
    assert not AuditEntry.objects.filter(action__in=["inbox.status", "inbox.tag"]).exists()


def test_viewer_cannot_bulk_act(client_for, viewer, workspace, fan_message):
    thread, _m = fan_message()
    response = client_for(viewer).post(
        inbox_url(workspace, "bulk/"), {"threads": [thread.pk], "action": "no_reply"}
    )
    assert response.status_code == 403
    assert Thread.objects.get(pk=thread.pk).waiting_since is not None


# Presence -------------------------------------------------------------------------------


def test_presence_ping_and_away_switch(client_for, operator, workspace):
    client = client_for(operator)
    assert client.post(inbox_url(workspace, "presence/")).status_code == 204
    assert OperatorPresence.objects.get(user=operator).available
    response = client.post(inbox_url(workspace, "presence/"), {"available": "no"})
    assert response.status_code == 302
    assert not OperatorPresence.objects.get(user=operator).available


# One conversation -----------------------------------------------------------------------


def test_thread_page_shows_the_conversation_to_a_viewer_without_actions(
    client_for, viewer, workspace, fan_message, post_id
):
    thread, _m = fan_message("请问有黑色吗？")
    response = client_for(viewer).get(inbox_url(workspace, f"threads/{thread.pk}/"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "请问有黑色吗？" in body
    assert post_id in body
    assert 'data-testid="reply-panel"' not in body
    assert 'data-testid="actions"' not in body


def test_another_workspaces_thread_is_404(client_for, operator, workspace, other_thread):
    client = client_for(operator)
    assert client.get(inbox_url(workspace, f"threads/{other_thread.pk}/")).status_code == 404
    response = act(client, workspace, other_thread, "note", text="偷看")
    assert response.status_code == 404
    assert not Note.objects.exists()


def test_operator_replies_through_the_sandbox(client_for, operator, workspace, fan_message):
    thread, _m = fan_message("请问有黑色吗？")
    client = client_for(operator)
    page = client.get(inbox_url(workspace, f"threads/{thread.pk}/")).content.decode()
    assert 'data-testid="reply-form"' in page

    response = act(client, workspace, thread, "reply", text="亲，有的哦")

    assert response.status_code == 302
    reply = Message.objects.get(thread=thread, direction=Direction.OUTBOUND)
    assert reply.text == "亲，有的哦"
    assert reply.delivery == DeliveryState.SENT
    assert reply.sent_by == operator


def test_empty_reply_is_refused_next_to_the_box(client_for, operator, workspace, fan_message):
    thread, _m = fan_message()
    response = act(client_for(operator), workspace, thread, "reply", text="   ")
    assert response.status_code == 400
    assert 'data-testid="field-error"' in response.content.decode()
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_without_platform_replies_the_page_offers_copy_and_mark_replied(
    client_for, operator, workspace
):
    # given a DM imported without an account: nobody can post through an API
    thread, _m = one(workspace, incoming("在吗？", platform="xiaohongshu", kind="dm"))
    client = client_for(operator)
    page = client.get(inbox_url(workspace, f"threads/{thread.pk}/")).content.decode()
    assert 'data-testid="copy-text"' in page
    assert 'data-testid="mark-replied"' in page

    refused = act(client, workspace, thread, "reply", text="在的")
    assert refused.status_code == 400
    assert "Copy the text" in refused.content.decode()

    done = act(client, workspace, thread, "mark_replied", text="在的")
    assert done.status_code == 302
    manual = Message.objects.get(thread=thread, direction=Direction.OUTBOUND)
    assert manual.delivery == DeliveryState.MANUAL


def test_saved_replies_are_filled_for_the_fan(client_for, operator, workspace, fan_message):
    thread, _m = fan_message(nickname="小李")
    setup.save_saved_reply(
        actor=operator, workspace=workspace, title="问候", body="{昵称}您好，有什么可以帮您？"
    )
    page = client_for(operator).get(inbox_url(workspace, f"threads/{thread.pk}/"))
    assert 'data-text="小李您好，有什么可以帮您？"' in page.content.decode()


def test_assign_tag_status_note_and_vip(client_for, operator, workspace, fan_message):
    thread, _m = fan_message()
    tag = setup.save_tag(actor=operator, workspace=workspace, name="缺货")
    client = client_for(operator)

    assert act(client, workspace, thread, "assign", user=operator.pk).status_code == 302
    assert act(client, workspace, thread, "tag", tag=tag.pk).status_code == 302
    assert act(client, workspace, thread, "status", status="pending").status_code == 302
    assert act(client, workspace, thread, "note", text="等仓库回复").status_code == 302
    assert act(client, workspace, thread, "vip", is_vip="on", note="老客户").status_code == 302

    thread.refresh_from_db()
    assert thread.assignee == operator
    assert thread.status == ThreadStatus.PENDING
    assert list(thread.tags.all()) == [tag]
    assert thread.author.is_vip
    assert thread.author.vip_note == "老客户"
    assert Note.objects.get(thread=thread).text == "等仓库回复"
    page = client.get(inbox_url(workspace, f"threads/{thread.pk}/")).content.decode()
    assert "等仓库回复" in page
    assert "inbox.assign" in page

    assert act(client, workspace, thread, "untag", tag=tag.pk).status_code == 302
    assert not thread.tags.exists()


def test_assigning_to_someone_who_cannot_answer_is_refused(
    client_for, operator, viewer, workspace, fan_message
):
    thread, _m = fan_message()
    response = act(client_for(operator), workspace, thread, "assign", user=viewer.pk)
    assert response.status_code == 400
    assert 'data-testid="field-error"' in response.content.decode()
    thread.refresh_from_db()
    assert thread.assignee is None


def test_escalate_from_the_alerts_page_goes_back_there(
    client_for, operator, workspace, fan_message
):
    thread, message = fan_message("收到的商品坏了")
    alerts = f"/w/{workspace.slug}/inbox/alerts/"
    response = act(
        client_for(operator),
        workspace,
        thread,
        "escalate",
        subject="商品破损",
        message=message.pk,
        next=alerts,
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(thread=thread)
    assert ticket.subject == "商品破损"
    assert ticket.message == message
    # an address elsewhere is not followed
    evil = act(client_for(operator), workspace, thread, "escalate", next="https://evil.example/")
    assert evil["Location"] == inbox_url(workspace, f"threads/{thread.pk}/")


def test_hide_and_correct_a_label(client_for, operator, workspace, fan_message):
    thread, message = fan_message("加微信买便宜货")
    client = client_for(operator)

    labelled = act(client, workspace, thread, "label", message=message.pk, intent="other")
    assert labelled.status_code == 302
    assert LabelCorrection.objects.get(message=message).intent == "other"

    blank = act(client, workspace, thread, "label", message=message.pk)
    assert blank.status_code == 400
    assert "Choose the right sentiment or intent" in blank.content.decode()
    assert LabelCorrection.objects.count() == 1

    assert act(client, workspace, thread, "hide", message=message.pk).status_code == 302
    assert Message.objects.get(pk=message.pk).hidden


def test_a_message_of_another_thread_cannot_be_hidden_from_this_one(
    client_for, operator, workspace, fan_message
):
    thread, _m = fan_message("a", author="a")
    _other, foreign = fan_message("b", author="b")
    response = act(client_for(operator), workspace, thread, "hide", message=foreign.pk)
    assert response.status_code == 404
    assert not Message.objects.get(pk=foreign.pk).hidden


def test_viewer_cannot_act_and_nothing_is_written(client_for, viewer, workspace, fan_message):
    thread, _m = fan_message()
    client = client_for(viewer)
    for action, data in [
        ("reply", {"text": "hi"}),
        ("note", {"text": "x"}),
        ("status", {"status": "closed"}),
        ("escalate", {}),
    ]:
        assert act(client, workspace, thread, action, **data).status_code == 403
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert not Note.objects.exists()
    assert not Ticket.objects.exists()
    assert Thread.objects.get(pk=thread.pk).status == ThreadStatus.OPEN


def test_posts_need_the_csrf_token(operator, workspace, fan_message):
    thread, _m = fan_message()
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = act(client, workspace, thread, "note", text="x")
    assert response.status_code == 403
    assert not Note.objects.exists()


def test_unknown_action_is_404(client_for, operator, workspace, fan_message):
    thread, _m = fan_message()
    assert act(client_for(operator), workspace, thread, "explode").status_code == 404


def test_overdue_conversation_shows_by_how_much(client_for, viewer, workspace, fan_message):
    thread, _m = fan_message()
    Thread.objects.filter(pk=thread.pk).update(
        reply_due_at=timezone.now() - timedelta(hours=2, minutes=5)
    )
    page = client_for(viewer).get(inbox_url(workspace, f"threads/{thread.pk}/")).content.decode()
    assert "overdue by 2 h 5 min" in page
