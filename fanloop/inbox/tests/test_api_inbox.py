"""The inbox REST API: conversations and their filters, one conversation with messages,
the operators' actions, saved replies and label corrections; roles and isolation."""

import pytest
from rest_framework.test import APIClient

from fanloop.core.models import AuditEntry
from fanloop.inbox.models import (
    DeliveryState,
    Direction,
    LabelCorrection,
    Message,
    Note,
    Thread,
    ThreadStatus,
    Ticket,
)
from fanloop.inbox.services import setup
from fanloop.inbox.tests import ui_support

pytestmark = [pytest.mark.django_db]

# Shared fixtures (pytest finds them by these names).
fan_message = ui_support.fan_message
operator = ui_support.operator
other_thread = ui_support.other_thread
post_id = ui_support.post_id
viewer = ui_support.viewer
weibo = ui_support.weibo


def base(workspace) -> str:
    return f"/api/v1/workspaces/{workspace.pk}/inbox/"


def thread_url(workspace, thread: Thread, action: str = "") -> str:
    return f"{base(workspace)}threads/{thread.pk}/" + (f"{action}/" if action else "")


def test_list_with_filters_and_chinese_search(api_client_for, viewer, workspace, fan_message):
    wanted, _m = fan_message("请问退货运费谁出？", author="a", is_vip=True)
    fan_message("运费多少钱", author="b")
    api = api_client_for(viewer)

    everything = api.get(f"{base(workspace)}threads/")
    assert everything.status_code == 200
    assert everything.json()["count"] == 2

    found = api.get(f"{base(workspace)}threads/", {"q": "退货运费"}).json()
    assert [row["id"] for row in found["results"]] == [wanted.pk]
    assert found["results"][0]["author"]["nickname"] == "小王"

    vip = api.get(f"{base(workspace)}threads/", {"view": "vip"}).json()
    assert [row["id"] for row in vip["results"]] == [wanted.pk]


def test_bad_filters_are_400_with_field_errors(api_client_for, viewer, workspace):
    response = api_client_for(viewer).get(
        f"{base(workspace)}threads/", {"view": "everything", "tag": "-1"}
    )
    assert response.status_code == 400
    fields = response.json()["error"]["field_errors"]
    assert "view" in fields
    assert "tag" in fields


def test_detail_has_messages_and_reply_capability(api_client_for, viewer, workspace, fan_message):
    thread, message = fan_message("请问有黑色吗？")
    data = api_client_for(viewer).get(thread_url(workspace, thread)).json()
    assert data["messages"][0]["id"] == message.pk
    assert data["messages"][0]["text"] == "请问有黑色吗？"
    assert data["can_reply_through_platform"] is True


def test_isolation_and_authentication(api_client_for, make_user, operator, workspace, other_thread):
    api = api_client_for(operator)
    assert api.get(thread_url(workspace, other_thread)).status_code == 404
    assert api.post(thread_url(workspace, other_thread, "note"), {"text": "x"}).status_code == 404
    assert api.get(f"{base(other_thread.workspace)}threads/").status_code == 404
    assert APIClient().get(f"{base(workspace)}threads/").status_code == 401
    assert not Note.objects.exists()


def test_reply_through_the_platform(api_client_for, operator, workspace, fan_message):
    thread, _m = fan_message()
    response = api_client_for(operator).post(
        thread_url(workspace, thread, "reply"), {"text": "亲，有的"}, format="json"
    )
    assert response.status_code == 201
    outbound = [m for m in response.json()["messages"] if m["direction"] == "outbound"]
    assert outbound[0]["text"] == "亲，有的"
    assert outbound[0]["delivery"] == DeliveryState.SENT


def test_reply_validation_and_roles(api_client_for, operator, viewer, workspace, fan_message):
    thread, _m = fan_message()
    empty = api_client_for(operator).post(
        thread_url(workspace, thread, "reply"), {"text": ""}, format="json"
    )
    assert empty.status_code == 400
    assert "text" in empty.json()["error"]["field_errors"]
    forbidden = api_client_for(viewer).post(
        thread_url(workspace, thread, "reply"), {"text": "hi"}, format="json"
    )
    assert forbidden.status_code == 403
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_mark_replied_when_the_platform_cannot(api_client_for, operator, workspace):
    from fanloop.inbox.tests.factories import incoming, one

    thread, _m = one(workspace, incoming("在吗", platform="xiaohongshu", kind="dm"))
    api = api_client_for(operator)
    refused = api.post(thread_url(workspace, thread, "reply"), {"text": "在"}, format="json")
    assert refused.status_code == 400
    done = api.post(thread_url(workspace, thread, "mark-replied"), {"text": "在"}, format="json")
    assert done.status_code == 201
    assert Message.objects.get(thread=thread, direction=Direction.OUTBOUND).delivery == "manual"


def test_assign_status_tag_note_and_no_reply(api_client_for, operator, workspace, fan_message):
    thread, _m = fan_message()
    tag = setup.save_tag(actor=operator, workspace=workspace, name="售后")
    api = api_client_for(operator)

    assigned = api.post(
        thread_url(workspace, thread, "assign"), {"user": operator.pk}, format="json"
    )
    assert assigned.status_code == 200
    assert assigned.json()["assignee"]["id"] == operator.pk
    status = api.post(thread_url(workspace, thread, "status"), {"status": "closed"}, format="json")
    assert status.json()["status"] == ThreadStatus.CLOSED
    tagged = api.post(thread_url(workspace, thread, "tag"), {"tag": tag.pk}, format="json")
    assert [t["name"] for t in tagged.json()["tags"]] == ["售后"]
    untagged = api.post(
        thread_url(workspace, thread, "tag"), {"tag": tag.pk, "remove": True}, format="json"
    )
    assert untagged.json()["tags"] == []
    noted = api.post(thread_url(workspace, thread, "note"), {"text": "已联系"}, format="json")
    assert noted.status_code == 201
    assert noted.json()["notes"][0]["text"] == "已联系"
    quiet = api.post(thread_url(workspace, thread, "no-reply"))
    assert quiet.status_code == 200
    assert quiet.json()["waiting_since"] is None
    assert AuditEntry.objects.filter(action="inbox.assign", actor=operator).exists()


def test_action_validation_errors(
    api_client_for, operator, viewer, workspace, fan_message, other_workspace
):
    thread, _m = fan_message("a", author="a")
    _other, foreign_message = fan_message("b", author="b")
    foreign_tag = setup.save_tag(
        actor=other_workspace.memberships.first().user, workspace=other_workspace, name="x"
    )
    api = api_client_for(operator)

    def post(action: str, data: dict) -> dict:
        response = api.post(thread_url(workspace, thread, action), data, format="json")
        assert response.status_code == 400, (action, response.content)
        return response.json()["error"]["field_errors"]

    assert "user" in post("assign", {"user": viewer.pk})
    assert "status" in post("status", {"status": "done"})
    assert "tag" in post("tag", {"tag": foreign_tag.pk})
    assert "text" in post("note", {"text": "   "})
    assert "message" in post("escalate", {"message": foreign_message.pk})
    thread.refresh_from_db()
    assert thread.assignee is None
    assert thread.status == ThreadStatus.OPEN
    assert not thread.tags.exists()
    assert not Ticket.objects.exists()


def test_escalate_opens_a_ticket(api_client_for, operator, workspace, fan_message):
    thread, message = fan_message("收到的杯子碎了")
    response = api_client_for(operator).post(
        thread_url(workspace, thread, "escalate"),
        {"subject": "破损", "message": message.pk},
        format="json",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.thread == thread
    assert ticket.message == message
    assert ticket.subject == "破损"


def test_patch_message_labels(api_client_for, operator, viewer, workspace, fan_message):
    _thread, message = fan_message("还行吧")
    url = f"{base(workspace)}messages/{message.pk}/"
    api = api_client_for(operator)

    done = api.patch(url, {"sentiment": "positive", "intent": "praise"}, format="json")
    assert done.status_code == 200
    assert done.json()["sentiment"] == "positive"
    assert done.json()["label_corrected"]
    assert LabelCorrection.objects.get(message=message).intent == "praise"

    bad = api.patch(url, {"sentiment": "furious"}, format="json")
    assert bad.status_code == 400
    assert "sentiment" in bad.json()["error"]["field_errors"]
    assert api_client_for(viewer).patch(url, {"intent": "other"}, format="json").status_code == 403
    assert LabelCorrection.objects.count() == 1


def test_patch_another_workspaces_message_is_404(api_client_for, operator, workspace, other_thread):
    message = Message.objects.get(thread=other_thread)
    response = api_client_for(operator).patch(
        f"{base(workspace)}messages/{message.pk}/", {"intent": "other"}, format="json"
    )
    assert response.status_code == 404
    assert not LabelCorrection.objects.exists()


def test_saved_replies_filled_for_a_thread(api_client_for, operator, workspace, fan_message):
    thread, _m = fan_message(nickname="小李")
    setup.save_saved_reply(actor=operator, workspace=workspace, title="问候", body="{昵称}您好")
    setup.save_saved_reply(
        actor=operator, workspace=workspace, title="抖音专用", body="x", platform="douyin"
    )
    api = api_client_for(operator)
    data = api.get(f"{base(workspace)}saved-replies/", {"thread": thread.pk}).json()
    assert [(r["title"], r["rendered"]) for r in data["results"]] == [("问候", "小李您好")]
    every = api.get(f"{base(workspace)}saved-replies/").json()
    assert every["count"] == 2
    assert every["results"][0]["rendered"] is None


def test_the_schema_documents_the_inbox_api(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/workspaces/{workspace_pk}/inbox/threads/{id}/reply/" in paths
    assert "patch" in paths["/api/v1/workspaces/{workspace_pk}/inbox/messages/{id}/"]
