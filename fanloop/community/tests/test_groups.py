"""Fan groups: create, change and delete through the services; validation, roles,
audit entries and workspace isolation."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from fanloop.campaigns.models import Campaign
from fanloop.channels.services import accounts
from fanloop.community.models import FanGroup, GroupPlatform
from fanloop.community.services import groups
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def campaign(workspace, name="618 大促") -> Campaign:
    return Campaign.objects.create(
        workspace=workspace, name=name, start_date=date(2025, 6, 1), end_date=date(2025, 6, 20)
    )


def test_a_group_with_its_positioning_plan_and_campaigns(operator, workspace):
    promo = campaign(workspace)

    group = groups.create_group(
        actor=operator,
        workspace=workspace,
        data={
            "name": " VIP 群 ",
            "platform": GroupPlatform.WECOM,
            "group_type": "vip",
            "audience": "老客",
            "theme": "新品体验",
            "owner": operator,
            "rules": "禁止广告",
            "campaigns": [promo],
            "content_topics": "新品预告， 护肤知识, 新品预告",
            "posts_per_week": 4,
            "invite_url": "https://example.com/join",
        },
        qr_upload=png(),
        qr_filename="qr.png",
    )

    assert group.name == "VIP 群"
    assert group.content_topics == ["新品预告", "护肤知识"]
    assert list(group.campaigns.all()) == [promo]
    assert group.qr_image
    assert group.qr_mime == "image/png"
    entry = AuditEntry.objects.get(action="community.group_create")
    assert (entry.actor, entry.workspace, entry.object_id) == (operator, workspace, str(group.pk))
    assert entry.changes["campaigns"] == [None, ["618 大促"]]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "  "}, "name"),
        ({"platform": "myspace"}, "platform"),
        ({"group_type": "secret"}, "group_type"),
        ({"remote_chat_id": "wr123"}, "remote_chat_id"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(operator, workspace, data, field):
    values = {"name": "群", "platform": GroupPlatform.WECHAT, "group_type": "welfare", **data}

    with pytest.raises(ValidationError) as caught:
        groups.create_group(actor=operator, workspace=workspace, data=values)

    assert field in caught.value.message_dict
    assert not FanGroup.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="community.").exists()


def test_names_are_unique_per_platform(operator, make_group):
    make_group("福利群")

    with pytest.raises(ValidationError) as caught:
        make_group("福利群")
    assert "name" in caught.value.message_dict
    make_group("福利群", platform=GroupPlatform.QQ)


def test_owner_campaigns_and_account_must_belong_to_the_workspace(
    operator, workspace, other_workspace, make_user
):
    outsider = make_user("outsider")
    foreign = campaign(other_workspace, "别家活动")
    weibo = accounts.connect_account(
        actor=operator, workspace=workspace, platform="weibo", display_name="微博"
    )
    base = {"name": "群", "platform": GroupPlatform.WECOM, "group_type": "vip"}

    for extra, field in [
        ({"owner": outsider}, "owner"),
        ({"campaigns": [foreign]}, "campaigns"),
        ({"channel_account": weibo}, "channel_account"),
    ]:
        with pytest.raises(ValidationError) as caught:
            groups.create_group(actor=operator, workspace=workspace, data={**base, **extra})
        assert field in caught.value.message_dict


def test_a_wecom_account_links_only_a_wecom_customer_group(operator, workspace):
    wecom = accounts.connect_account(
        actor=operator, workspace=workspace, platform="wecom", display_name="企业微信"
    )

    with pytest.raises(ValidationError) as caught:
        groups.create_group(
            actor=operator,
            workspace=workspace,
            data={"name": "群", "platform": GroupPlatform.WECHAT, "channel_account": wecom},
        )
    assert "platform" in caught.value.message_dict


def test_a_qr_code_must_be_an_image(operator, workspace):
    with pytest.raises(ValidationError):
        groups.create_group(
            actor=operator,
            workspace=workspace,
            data={"name": "群", "platform": GroupPlatform.WECHAT},
            qr_upload=io.BytesIO(b"%PDF-1.4 not an image"),
            qr_filename="qr.png",
        )
    assert not FanGroup.objects.exists()


def test_changes_are_audited_with_before_and_after(operator, group):
    groups.update_group(actor=operator, group=group, data={"theme": "秒杀", "posts_per_week": 3})

    entry = AuditEntry.objects.get(action="community.group_update")
    assert entry.changes == {"posts_per_week": [None, 3], "theme": ["", "秒杀"]}


def test_an_update_that_changes_nothing_writes_no_entry(operator, group):
    groups.update_group(actor=operator, group=group, data={"name": group.name})

    assert not AuditEntry.objects.filter(action="community.group_update").exists()


def test_deleting_a_group_is_audited(operator, group):
    pk = group.pk

    groups.delete_group(actor=operator, group=group)

    assert not FanGroup.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action="community.group_delete")
    assert entry.object_id == str(pk)
    assert entry.changes["name"] == ["福利群 1", None]


@pytest.mark.parametrize(
    "role", [Role.VIEWER, Role.ANALYST, Role.CONTENT, Role.MARKETING, Role.REVIEWER]
)
def test_only_admins_and_operators_change_groups(member_with_role, workspace, group, role):
    user = member_with_role(role)

    with pytest.raises(PermissionDenied):
        groups.create_group(
            actor=user, workspace=workspace, data={"name": "x", "platform": "other"}
        )
    with pytest.raises(PermissionDenied):
        groups.update_group(actor=user, group=group, data={"theme": "x"})
    with pytest.raises(PermissionDenied):
        groups.delete_group(actor=user, group=group)
    assert FanGroup.objects.count() == 1


def test_admins_may_change_groups(admin_user, group):
    groups.update_group(actor=admin_user, group=group, data={"theme": "admin 改的"})

    group.refresh_from_db()
    assert group.theme == "admin 改的"


def test_no_one_outside_the_workspace_may_change_it(make_user, other_workspace, group):
    outsider = other_workspace.memberships.get().user

    with pytest.raises(PermissionDenied):
        groups.update_group(actor=outsider, group=group, data={"theme": "x"})
