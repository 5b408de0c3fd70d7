"""WeCom customer groups synced through the connector, against the fake WeCom API:
groups and members created, joins and leaves found by diffing, daily figures stored, and
a connector error leaves everything as it was."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fanloop.channels.services import accounts
from fanloop.channels.tests.fakes_wecom import CORP_ID, SECRET, FakeWecom, error
from fanloop.community.models import FanGroup, GroupDay, GroupMember, MemberSpell, PlatformDayStat
from fanloop.community.services import sync
from fanloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)  # the fake connector's "now" is 2025-06-30 12:00 in Shanghai
JOINED = int(datetime(2025, 6, 1, 2, 0, tzinfo=UTC).timestamp())


def member(userid: str, name: str, *, staff: bool = False, joined: int = JOINED) -> dict:
    return {
        "userid": userid,
        "type": 1 if staff else 2,
        "join_time": joined,
        "join_scene": 3,
        "group_nickname": "",
        "name": name,
    }


def chat(chat_id: str, name: str, owner: str, members: list[dict]) -> dict:
    return {
        "chat_id": chat_id,
        "name": name,
        "owner": owner,
        "create_time": JOINED,
        "notice": "每周三上新",
        "member_list": members,
        "admin_list": [{"userid": "sam"}],
    }


@pytest.fixture
def fake(httpserver):
    fake = FakeWecom(httpserver)
    yield fake
    httpserver.check_handler_errors()


@pytest.fixture
def account(operator, workspace, fake):
    return accounts.connect_account(
        actor=operator,
        workspace=workspace,
        platform="wecom",
        display_name="青柑企业微信",
        credentials={
            "corp_id": CORP_ID,
            "secret": SECRET,
            "access_token": fake.valid_token,
            "expires_at": "2030-01-01T00:00:00+00:00",
        },
        api_base_url=fake.server.url_for("/").rstrip("/"),
    )


@pytest.fixture
def chats():
    return {
        "wrVIP": chat(
            "wrVIP",
            "VIP 福利群",
            "zhangsan",
            [
                member("zhangsan", "张三", staff=True),
                member("sam", "Sam", staff=True),
                member("wmCustomerA", "李小姐"),
                member("wmCustomerB", "王先生"),
            ],
        )
    }


def serve(fake: FakeWecom, chats: dict, per_day: dict[date, int] | None = None) -> None:
    fake.expect_list([list(chats)])
    fake.expect_get(chats)
    fake.expect_statistic_by_day(per_day or {TODAY - timedelta(days=1): 1})


def run(account, fake):
    return sync.sync_account(account, connector=fake.connector(), today=TODAY)


def test_first_sync_creates_the_group_its_members_and_figures(account, fake, chats):
    serve(fake, chats, {date(2025, 6, 28): 2, date(2025, 6, 29): 3})

    result = run(account, fake)

    assert result.errors == []
    assert (result.groups, result.created, result.joined, result.left) == (1, 1, 4, 0)
    group = FanGroup.objects.get(channel_account=account, remote_chat_id="wrVIP")
    assert (group.name, group.platform, group.remote_owner) == (
        "VIP 福利群",
        "wecom_group",
        "zhangsan",
    )
    assert group.rules == "每周三上新"
    members = {m.nickname: m for m in GroupMember.objects.filter(group=group)}
    assert members["张三"].role == "owner"
    assert members["张三"].is_staff
    assert members["Sam"].role == "admin"
    assert members["李小姐"].role == "member"
    assert not members["李小姐"].is_staff
    assert all("wm" not in m.member_key for m in members.values())
    spell = MemberSpell.objects.get(member=members["李小姐"])
    assert spell.joined_at == datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
    assert (spell.source, spell.join_scene) == ("sync", "qr_code")
    stat = PlatformDayStat.objects.get(group=group, day=date(2025, 6, 29))
    # figures(3): member_has_msg = 9, msg_total = 150 (see fakes_wecom.figures)
    assert (stat.active_members, stat.messages, stat.shared_by) == (9, 150, 1)
    day = GroupDay.objects.get(group=group, day=date(2025, 6, 29))
    assert (day.members, day.dau, day.messages, day.activity_source) == (4, 9, 150, "platform")
    assert GroupDay.objects.get(group=group, day=TODAY).members == 4
    assert AuditEntry.objects.filter(action="community.group_sync_create", object_id=str(group.pk))


def test_joins_and_leaves_are_found_by_diffing(account, fake, chats):
    serve(fake, chats)
    run(account, fake)
    later = int(datetime(2025, 6, 29, 12, 0, tzinfo=UTC).timestamp())
    members = chats["wrVIP"]["member_list"]
    members[:] = [m for m in members if m["userid"] != "wmCustomerB"]
    members.append(member("wmCustomerC", "赵女士", joined=later))

    result = run(account, fake)

    assert (result.created, result.joined, result.left) == (0, 1, 1)
    group = FanGroup.objects.get(remote_chat_id="wrVIP")
    gone = GroupMember.objects.get(group=group, nickname="王先生")
    assert not gone.in_group
    assert gone.left_at is not None
    assert GroupMember.objects.get(group=group, nickname="赵女士").in_group
    assert GroupMember.objects.filter(group=group, left_at__isnull=True).count() == 4
    entry = AuditEntry.objects.filter(action="community.group_sync").latest("id")
    assert entry.changes["joined"] == [None, 1]
    assert entry.changes["left"] == [None, 1]


def test_a_member_who_comes_back_gets_a_second_stay(account, fake, chats):
    serve(fake, chats)
    run(account, fake)
    members = chats["wrVIP"]["member_list"]
    customer = next(m for m in members if m["userid"] == "wmCustomerB")
    members.remove(customer)
    run(account, fake)

    back = int((timezone.now() + timedelta(minutes=5)).timestamp())
    members.append(member("wmCustomerB", "王先生", joined=back))
    run(account, fake)

    returning = GroupMember.objects.get(nickname="王先生")
    assert returning.in_group
    assert returning.spells.count() == 2
    assert returning.spells.first().left_at is not None


def test_syncing_again_changes_nothing(account, fake, chats):
    serve(fake, chats)
    run(account, fake)
    before = (
        GroupMember.objects.count(),
        MemberSpell.objects.count(),
        PlatformDayStat.objects.count(),
    )

    result = run(account, fake)

    assert (result.joined, result.left, result.created) == (0, 0, 0)
    assert (
        GroupMember.objects.count(),
        MemberSpell.objects.count(),
        PlatformDayStat.objects.count(),
    ) == before


def test_figures_shared_by_several_groups_of_one_owner_are_not_taken_as_one_groups(
    account, fake, chats
):
    chats["wrNew"] = chat("wrNew", "新品体验群", "zhangsan", [member("wmCustomerA", "李小姐")])
    serve(fake, chats)

    run(account, fake)

    stats = PlatformDayStat.objects.filter(day=TODAY - timedelta(days=1))
    assert {s.shared_by for s in stats} == {2}
    day = GroupDay.objects.get(group__remote_chat_id="wrNew", day=TODAY - timedelta(days=1))
    assert (day.dau, day.activity_source) == (0, "")


def test_a_connector_error_leaves_nothing_half_written(account, fake, chats):
    serve(fake, chats)
    run(account, fake)
    chats["wrVIP"]["member_list"].pop()
    chats["wrOther"] = chat("wrOther", "售后群", "lisi", [])
    fake.answer_once(
        "/cgi-bin/externalcontact/groupchat/statistic_group_by_day", error(60011, "no privilege")
    )
    before = (FanGroup.objects.count(), MemberSpell.objects.filter(left_at__isnull=False).count())

    result = run(account, fake)

    assert result.errors
    assert "60011" in result.errors[0]
    assert (
        FanGroup.objects.count(),
        MemberSpell.objects.filter(left_at__isnull=False).count(),
    ) == (before)
    assert GroupMember.objects.filter(left_at__isnull=True).count() == 4


def test_an_account_without_group_access_is_reported(operator, workspace):
    simulated = accounts.connect_account(
        actor=operator, workspace=workspace, platform="wecom", display_name="sim", simulated=True
    )

    result = sync.sync_account(simulated, today=TODAY)

    assert result.errors
    assert not FanGroup.objects.exists()


def test_the_periodic_sync_uses_the_accounts_own_connector(account, fake, chats):
    today = timezone.localdate()
    serve(fake, chats, {today - timedelta(days=1): 1})

    result = sync.sync_all()

    assert result.errors == []
    assert FanGroup.objects.get(remote_chat_id="wrVIP").members.count() == 4


def test_sync_now_button(client_for, operator, viewer, account, fake, chats):
    serve(fake, chats, {timezone.localdate() - timedelta(days=1): 1})
    sync.sync_account(account, connector=fake.connector(now=lambda: timezone.now()))
    group = FanGroup.objects.get()
    url = reverse("community_group_sync", args=[group.workspace.slug, group.pk])

    assert client_for(viewer).post(url).status_code == 403
    response = client_for(operator).post(url, follow=True)

    assert response.status_code == 200
    assert b"Synced 1 groups" in response.content
