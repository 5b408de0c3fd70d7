"""The WeCom customer-group connector against a fake API (no internet, no real sleeping)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from fanloop.channels.connectors.base import (
    REGISTRY,
    Capability,
    ConnectorError,
    PublishRequest,
    Unsupported,
)
from fanloop.channels.connectors.wecom import GroupChat, GroupDayStats, WecomConnector
from fanloop.channels.tests.fakes_wecom import FakeWecom, error, figures

CHAT = {
    "chat_id": "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA",
    "name": "VIP 福利群",
    "owner": "zhangsan",
    "create_time": 1572505490,
    "notice": "每周三上新",
    "member_list": [
        {
            "userid": "zhangsan",
            "type": 1,
            "join_time": 1572505491,
            "join_scene": 1,
            "group_nickname": "客服小张",
            "name": "张三",
        },
        {
            "userid": "wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA",
            "type": 2,
            "unionid": "ozynqsulJFCZ2z1aYeS8h-nuasdAAA",
            "join_time": 1572505492,
            "join_scene": 3,
            "invitor": {"userid": "zhangsan"},
            "group_nickname": "",
            "name": "李小姐",
        },
    ],
    "admin_list": [{"userid": "sam"}],
}


@pytest.fixture
def fake(httpserver):
    fake = FakeWecom(httpserver)
    yield fake
    httpserver.check_handler_errors()


def test_registered_without_publish():
    assert REGISTRY["wecom"] is WecomConnector
    assert WecomConnector.capabilities == {Capability.REFRESH_TOKEN}


def test_undeclared_capabilities_raise_unsupported(fake):
    connector = fake.connector()
    with pytest.raises(Unsupported):
        connector.publish(PublishRequest(idempotency_key="k", title="t", body="b"))
    with pytest.raises(Unsupported):
        connector.fetch_comments("chat")
    with pytest.raises(Unsupported):
        connector.fetch_post_metrics(["x"], date(2025, 6, 1), date(2025, 6, 2))


def test_list_follows_the_cursor_through_every_page(fake, httpserver):
    bodies = fake.expect_list([["c1", "c2"], ["c3"], ["c4"]])

    chat_ids = fake.connector().list_group_chats(owners=["zhangsan"])

    assert chat_ids == ["c1", "c2", "c3", "c4"]
    assert [b.get("cursor") for b in bodies] == [None, "1", "2"]
    assert bodies[0] == {
        "status_filter": 0,
        "limit": 1000,
        "owner_filter": {"userid_list": ["zhangsan"]},
    }
    assert all(r.args["access_token"] == "wx.valid" for r, _ in httpserver.log)


def test_list_splits_owner_filters_into_batches_of_100(fake):
    bodies = fake.expect_list([["c1"]])
    owners = [f"u{n}" for n in range(150)]

    fake.connector().list_group_chats(owners=owners)

    assert [len(b["owner_filter"]["userid_list"]) for b in bodies] == [100, 50]


def test_get_group_chat_maps_members_and_admins(fake):
    bodies = fake.expect_get({CHAT["chat_id"]: CHAT})

    chat = fake.connector().get_group_chat(CHAT["chat_id"])

    assert bodies == [{"chat_id": CHAT["chat_id"], "need_name": 1}]
    assert isinstance(chat, GroupChat)
    assert (chat.name, chat.owner, chat.notice, chat.admins) == (
        "VIP 福利群",
        "zhangsan",
        "每周三上新",
        ("sam",),
    )
    assert chat.create_time == datetime.fromtimestamp(1572505490, tz=UTC)
    staff, customer = chat.members
    assert not staff.is_external
    assert staff.group_nickname == "客服小张"
    assert customer.is_external
    assert (customer.invitor, customer.join_scene, customer.name, customer.unionid) == (
        "zhangsan",
        3,
        "李小姐",
        "ozynqsulJFCZ2z1aYeS8h-nuasdAAA",
    )


def test_missing_token_is_fetched_first_and_saved(fake, httpserver):
    fake.next_tokens = ["wx.valid"]
    fake.expect_gettoken()
    fake.expect_list([["c1"]])

    fake.connector(token=None).list_group_chats()

    assert [r.path for r, _ in httpserver.log] == [
        "/cgi-bin/gettoken",
        "/cgi-bin/externalcontact/groupchat/list",
    ]
    assert fake.saved[0]["access_token"] == "wx.valid"
    assert fake.saved[0]["expires_at"] == "2025-06-30T06:00:00+00:00"  # now + 7200 s


def test_expired_token_is_replaced_once_then_succeeds(fake, httpserver):
    fake.valid_token = "wx.new"
    fake.next_tokens = ["wx.new"]
    fake.expect_gettoken()
    fake.expect_list([["c1"]])

    connector = fake.connector(token="wx.old")
    assert connector.list_group_chats() == ["c1"]

    assert [c["access_token"] for c in fake.saved] == ["wx.new"]
    assert len([r for r, _ in httpserver.log if r.path == "/cgi-bin/gettoken"]) == 1


def test_second_auth_failure_is_an_auth_error(fake, httpserver):
    fake.valid_token = "wx.never"
    fake.next_tokens = ["wx.also-bad"]
    fake.expect_gettoken()
    fake.expect_list([["c1"]])

    with pytest.raises(ConnectorError, match="corp id and secret") as caught:
        fake.connector(token="wx.old").list_group_chats()

    assert caught.value.auth
    assert caught.value.code == "42001"
    assert len([r for r, _ in httpserver.log if r.path == "/cgi-bin/gettoken"]) == 1


def test_wrong_secret_is_an_auth_error_with_a_clear_message(fake):
    fake.answer_once("/cgi-bin/gettoken", error(40001, "invalid credential"))
    with pytest.raises(ConnectorError, match="secret") as caught:
        fake.connector(token=None).list_group_chats()
    assert caught.value.auth


def test_frequency_limit_is_transient_and_backs_off(fake):
    fake.answer_once(
        "/cgi-bin/externalcontact/groupchat/list", error(45009, "api freq out of limit")
    )
    fake.answer_once(
        "/cgi-bin/externalcontact/groupchat/list", error(45009, "api freq out of limit")
    )
    fake.expect_list([["c1"]])

    assert fake.connector().list_group_chats() == ["c1"]
    assert fake.sleeps == [1.0, 2.0]


def test_http_429_gives_retry_after(fake, httpserver):
    httpserver.expect_request("/cgi-bin/externalcontact/groupchat/get").respond_with_json(
        {}, status=429, headers={"Retry-After": "9"}
    )
    with pytest.raises(ConnectorError) as caught:
        fake.connector().get_group_chat("c1")
    assert caught.value.transient
    assert caught.value.retry_after == 9.0
    assert fake.sleeps == [9.0, 9.0]


def test_server_error_is_retried_then_succeeds(fake):
    fake.answer_once("/cgi-bin/externalcontact/groupchat/get", {}, status=502)
    fake.expect_get({"c1": {**CHAT, "chat_id": "c1"}})

    assert fake.connector().get_group_chat("c1").chat_id == "c1"
    assert fake.sleeps == [1.0]


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        (60011, "visible range"),
        (84061, "no relationship"),
        (81017, "list of group owners"),
        (48002, "may not call this API"),
    ],
)
def test_documented_codes_map_to_clear_messages(fake, code, fragment):
    fake.answer_once("/cgi-bin/externalcontact/groupchat/get", error(code, "raw"))
    with pytest.raises(ConnectorError, match=fragment) as caught:
        fake.connector().get_group_chat("c1")
    assert caught.value.code == str(code)
    assert not caught.value.transient
    assert not caught.value.auth


def test_statistics_by_day_sum_owner_batches_and_split_30_day_windows(fake):
    days = {date(2025, 5, 1) + timedelta(days=n): 1 for n in range(40)}
    bodies = fake.expect_statistic_by_day(days)
    owners = [f"u{n}" for n in range(120)]

    rows = fake.connector().group_statistics(date(2025, 5, 1), date(2025, 6, 9), owners)

    # 2 windows (30 + 10 days) x 2 owner batches (100 + 20)
    assert len(bodies) == 4
    assert [len(b["owner_filter"]["userid_list"]) for b in bodies] == [100, 20, 100, 20]
    assert len(rows) == 40
    assert all(isinstance(r, GroupDayStats) for r in rows)
    first = rows[0]
    assert (first.day, first.owner) == (date(2025, 5, 1), "")
    assert first.chat_total == 2 * figures(1)["chat_total"]  # summed over both batches
    assert bodies[0]["day_begin_time"] == 1746028800  # 2025-05-01 00:00 Asia/Shanghai


def test_statistics_per_owner_page_with_offset(fake):
    bodies = fake.expect_statistic({"zhangsan": 2, "lisi": 3}, page_size=1)

    rows = fake.connector().group_statistics(
        date(2025, 6, 28), date(2025, 6, 29), ["zhangsan", "lisi"], per_owner=True
    )

    assert [(r.day, r.owner, r.new_chat_cnt) for r in rows] == [
        (date(2025, 6, 28), "zhangsan", 2),
        (date(2025, 6, 28), "lisi", 3),
        (date(2025, 6, 29), "zhangsan", 2),
        (date(2025, 6, 29), "lisi", 3),
    ]
    assert [b["offset"] for b in bodies] == [0, 1, 0, 1]
    assert all(b["limit"] == 1000 and b["order_by"] == 2 for b in bodies)


@pytest.mark.parametrize(
    ("begin", "end", "owners", "fragment"),
    [
        (date(2025, 6, 29), date(2025, 6, 30), ["u"], "end yesterday"),
        (date(2024, 12, 1), date(2024, 12, 2), ["u"], "180 days"),
        (date(2025, 6, 1), date(2025, 6, 2), [], "group owners"),
        (date(2025, 6, 3), date(2025, 6, 2), ["u"], "comes after"),
    ],
)
def test_statistics_outside_the_documented_window_are_refused_locally(
    fake, httpserver, begin, end, owners, fragment
):
    with pytest.raises(ConnectorError, match=fragment):
        fake.connector().group_statistics(begin, end, owners)
    assert httpserver.log == []
