"""The community pages render with realistic data for everyone in the workspace, only
people who run groups can change anything, and other workspaces' groups are not found."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from fanloop.community.models import FanGroup, GroupMember
from fanloop.community.services.common import workspace_today
from fanloop.community.tests.conftest import run_file
from fanloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db
TABS = ["overview", "members", "activity", "events", "moderation", "imports"]


@pytest.fixture
def lively(operator, group):
    """A group with members, a leaver, activity over the last days and a flagged message."""
    today = workspace_today(group.workspace)
    days = [today.replace(day=max(1, today.day - n)).isoformat() for n in (0, 1, 2)]
    run_file(
        operator,
        group,
        "members",
        [
            ["用户ID", "昵称", "入群时间", "退群时间"],
            ["u1", "小王", "2025-01-01 09:00", ""],
            ["u2", "小李", "2025-01-02 09:00", ""],
            ["u3", "小张", "2025-01-03 09:00", f"{days[1]} 10:00"],
        ],
    )
    run_file(
        operator,
        group,
        "activity",
        [["日期", "用户ID", "发言数", "互动数"], *[[d, "u1", "3", "1"] for d in days]],
    )
    run_file(
        operator,
        group,
        "chat",
        [["时间", "用户ID", "内容"], [f"{days[0]} 09:00", "u2", "能根治湿疹吗"]],
    )
    return group


def test_every_page_renders_for_a_viewer(client_for, viewer, lively):
    client = client_for(viewer)
    slug = lively.workspace.slug

    listing = client.get(reverse("community", args=[slug]))
    assert listing.status_code == 200
    assert "福利群 1" in listing.content.decode()
    assert b'data-community-chart="spark"' in listing.content
    assert b"New group" not in listing.content
    for tab in TABS:
        response = client.get(reverse("community_group_tab", args=[slug, lively.pk, tab]))
        assert response.status_code == 200, tab
    overview = client.get(reverse("community_group", args=[slug, lively.pk])).content.decode()
    assert 'data-testid="health-parts"' in overview
    assert "How the score is computed" in overview
    members = client.get(reverse("community_group_tab", args=[slug, lively.pk, "members"]))
    assert members.content.decode().count('data-testid="member-row"') == 3
    assert (
        b"Import a file"
        not in client.get(reverse("community_group_tab", args=[slug, lively.pk, "imports"])).content
    )


def test_tabs_answer_htmx_with_the_fragment_only(client_for, viewer, lively):
    url = reverse("community_group_tab", args=[lively.workspace.slug, lively.pk, "activity"])

    response = client_for(viewer).get(url, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-testid="days"' in response.content


def test_the_list_filters_by_platform_owner_and_campaign(client_for, operator, make_group, group):
    make_group("QQ 群", platform="qq_group", owner=None)
    url = reverse("community", args=[group.workspace.slug])

    by_platform = client_for(operator).get(url, {"platform": "qq_group"}).content.decode()
    by_owner = client_for(operator).get(url, {"owner": operator.pk}).content.decode()

    assert "QQ 群" in by_platform
    assert "福利群 1" not in by_platform
    assert "福利群 1" in by_owner
    assert "QQ 群" not in by_owner


def test_member_filters_and_history(client_for, viewer, lively):
    url = reverse("community_group_tab", args=[lively.workspace.slug, lively.pk, "members"])

    left = client_for(viewer).get(url, {"state": "left"}).content.decode()

    assert "小张" in left
    assert "小王" not in left


def test_creating_and_editing_a_group_through_the_form(client_for, operator):
    client = client_for(operator)
    slug = "brand-a"
    image = io.BytesIO()
    Image.new("RGB", (30, 30), "black").save(image, format="PNG")
    image.name = "qr.png"
    image.seek(0)

    response = client.post(
        reverse("community_group_new", args=[slug]),
        {
            "name": "新品体验群",
            "platform": "wechat_group",
            "group_type": "new_product",
            "content_topics": "试用, 反馈",
            "qr_image": image,
        },
    )

    group = FanGroup.objects.get(name="新品体验群")
    assert response.status_code == 302
    assert group.content_topics == ["试用", "反馈"]
    qr = client.get(reverse("community_group_qr", args=[slug, group.pk]))
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/png"
    edit = reverse("community_group_edit", args=[slug, group.pk])
    assert (
        client.post(
            edit, {"name": "", "platform": "wechat_group", "group_type": "other"}
        ).status_code
        == 400
    )
    client.post(
        edit,
        {"name": "新品体验群", "platform": "wechat_group", "group_type": "other", "clear_qr": "on"},
    )
    group.refresh_from_db()
    assert group.group_type == "other"
    assert not group.qr_image
    assert AuditEntry.objects.filter(action="community.group_update", object_id=str(group.pk))


def test_a_viewer_gets_no_forms_and_cannot_post(client_for, viewer, group):
    client = client_for(viewer)
    slug = group.workspace.slug

    assert client.get(reverse("community_group_new", args=[slug])).status_code == 403
    assert client.get(reverse("community_group_edit", args=[slug, group.pk])).status_code == 403
    assert client.post(reverse("community_group_delete", args=[slug, group.pk])).status_code == 403
    assert FanGroup.objects.filter(pk=group.pk).exists()


def test_the_role_of_a_member_changes_in_place(client_for, operator, viewer, lively):
    member = GroupMember.objects.get(group=lively, nickname="小王")
    url = reverse("community_member_role", args=[lively.workspace.slug, lively.pk, member.pk])

    assert client_for(viewer).post(url, {"role": "koc"}).status_code == 403
    response = client_for(operator).post(url, {"role": "koc"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b"<html" not in response.content
    member.refresh_from_db()
    assert member.role == "koc"
    entry = AuditEntry.objects.get(action="community.member_role")
    assert entry.changes == {"role": ["member", "koc"]}


def test_deleting_a_group_from_its_page(client_for, operator, group):
    response = client_for(operator).post(
        reverse("community_group_delete", args=[group.workspace.slug, group.pk])
    )

    assert response.status_code == 302
    assert not FanGroup.objects.exists()


def test_another_workspaces_groups_are_not_found(client_for, other_workspace, lively):
    outsider = other_workspace.memberships.get().user
    client = client_for(outsider)

    # Through the outsider's own workspace, the group id names nothing...
    for tab in TABS:
        url = reverse("community_group_tab", args=[other_workspace.slug, lively.pk, tab])
        assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("community_group_qr", args=[other_workspace.slug, lively.pk])
        ).status_code
        == 404
    )
    member = GroupMember.objects.filter(group=lively).first()
    url = reverse("community_member_role", args=[other_workspace.slug, lively.pk, member.pk])
    assert client.post(url, {"role": "koc"}).status_code == 404
    # ...and the group's own workspace is not theirs.
    assert client.get(reverse("community", args=[lively.workspace.slug])).status_code == 404
    assert (
        "福利群 1"
        not in client.get(reverse("community", args=[other_workspace.slug])).content.decode()
    )


def test_anonymous_visitors_are_sent_to_log_in(client, group):
    response = client.get(reverse("community", args=[group.workspace.slug]))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_posts_need_a_csrf_token(operator, group):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)

    response = client.post(reverse("community_group_delete", args=[group.workspace.slug, group.pk]))

    assert response.status_code == 403
    assert FanGroup.objects.filter(pk=group.pk).exists()
