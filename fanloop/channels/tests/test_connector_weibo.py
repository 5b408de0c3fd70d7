"""The Weibo connector against a fake open API (no internet, no real sleeping)."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from fanloop.channels.connectors.base import (
    REGISTRY,
    Capability,
    ConnectorError,
    MediaFile,
    PublishRequest,
    RemoteComment,
    Unsupported,
)
from fanloop.channels.connectors.weibo import WeiboConnector, weibo_length
from fanloop.channels.tests.fakes_weibo import UID, FakeWeibo, comment, error
from fanloop.content.tests.mediasamples import jpeg_bytes, mp4_bytes

LINK = "https://shop.example.com/p/1"


@pytest.fixture
def fake(httpserver):
    fake = FakeWeibo(httpserver)
    yield fake
    fake.settle()
    httpserver.check_handler_errors()


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "card.jpg"
    path.write_bytes(jpeg_bytes(64, 48))
    return MediaFile(path=str(path), mime="image/jpeg", kind="image")


def post(*media, **extra):
    options = {
        "idempotency_key": "job-1",
        "title": "夏日新品",
        "body": "清爽一夏",
        "topics": ["防晒"],
        "mentions": ["品牌官方"],
        "media": media,
        "link": LINK,
    }
    options.update(extra)
    return PublishRequest(**options)


def test_registered_without_refresh_or_lookup(fake):
    assert REGISTRY["weibo"] is WeiboConnector
    assert WeiboConnector.capabilities == {
        Capability.PUBLISH,
        Capability.FETCH_COMMENTS,
        Capability.REPLY,
        Capability.FETCH_POST_METRICS,
    }
    connector = fake.connector()
    for call in (
        connector.refresh_token,
        lambda: connector.lookup("job-1"),
        lambda: connector.fetch_account_metrics(date(2025, 12, 1), date(2025, 12, 2)),
    ):
        with pytest.raises(Unsupported):
            call()


def test_weibo_length_counts_ascii_as_half():
    assert weibo_length("夏日") == 2
    assert weibo_length("abc") == 2
    assert weibo_length("夏a") == 2


def test_share_posts_text_with_link_and_returns_the_status(fake, httpserver):
    shares = fake.expect_share("5242000000000001")

    result = fake.connector().publish(post())

    assert shares == [
        {"status": f"夏日新品\n清爽一夏 @品牌官方 {LINK}", "pic": None, "multipart": False}
    ]
    assert "#" not in shares[0]["status"]  # the share API refuses #topics#
    assert result.remote_id == "5242000000000001"
    assert result.url == f"https://weibo.com/{UID}/5242000000000001"
    assert result.published_at == datetime(2025, 12, 10, 2, 20, tzinfo=UTC)
    assert not result.pending
    [(request, _)] = httpserver.log
    assert (request.method, request.path) == ("POST", "/2/statuses/share.json")
    assert request.form["access_token"] == "2.00valid"


def test_share_with_a_picture_is_multipart(fake, picture):
    shares = fake.expect_share()
    fake.connector().publish(post(picture))
    assert shares[0]["multipart"]
    assert shares[0]["pic"] == Path(picture.path).read_bytes()


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"link": ""}, "needs a link"),
        ({"link": "ftp://shop.example.com/x"}, "needs a link"),
        ({"link": "https://elsewhere.example.org/x"}, "safe domain"),
        ({"body": "字" * 120}, "the limit is 140"),
    ],
)
def test_bad_posts_are_refused_before_sending(fake, httpserver, change, fragment):
    with pytest.raises(ConnectorError, match=fragment) as caught:
        fake.connector().publish(post(**change))
    assert caught.value.code == "invalid"
    assert httpserver.log == []


def test_media_the_share_api_cannot_take_is_refused(fake, picture, tmp_path, httpserver):
    clip = tmp_path / "c.mp4"
    clip.write_bytes(mp4_bytes(320, 240, 1))
    with pytest.raises(ConnectorError, match="no video"):
        fake.connector().publish(post(MediaFile(str(clip), "video/mp4", "video")))
    with pytest.raises(ConnectorError, match="one picture"):
        fake.connector().publish(post(picture, picture))
    assert httpserver.log == []


def test_missing_user_ip_is_a_clear_configuration_error(fake, httpserver):
    with pytest.raises(ConnectorError, match="real IP") as caught:
        fake.connector(credentials={"rip": ""}).publish(post())
    assert caught.value.code == "config"
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("code", "fragment", "error_code"),
    [
        (20019, "same content", "duplicate"),
        (20017, "too similar", "duplicate"),
        (20021, "illegal content", "20021"),
        (20032, "server is slow", "outcome_unknown"),
    ],
)
def test_share_refusals_are_final_and_explained(fake, code, fragment, error_code):
    fake.answer_once("/statuses/share.json", error(code, "platform says"), status=400)
    fake.expect_share()

    with pytest.raises(ConnectorError, match=fragment) as caught:
        fake.connector().publish(post())

    assert caught.value.code == error_code
    assert not caught.value.transient
    if code in (20019, 20017):
        assert "check the account" in caught.value.message  # an earlier try may have posted
    assert len(fake.calls("/2/statuses/share.json")) == 1


def test_expired_token_asks_to_connect_again_without_refresh(fake):
    fake.valid_token = "2.00new"
    fake.expect_share()

    with pytest.raises(ConnectorError, match="connect the account again") as caught:
        fake.connector(token="2.00old").publish(post())

    assert caught.value.auth
    assert caught.value.code == "21327"
    assert len(fake.calls("/2/statuses/share.json")) == 1


def test_token_past_its_expiry_is_refused_before_calling(fake, httpserver):
    connector = fake.connector(credentials={"expires_at": "2025-12-09T00:00:00+00:00"})
    with pytest.raises(ConnectorError, match="connect the account again") as caught:
        connector.fetch_comments("5242000000000001")
    assert caught.value.auth
    assert httpserver.log == []


@pytest.mark.parametrize("code", [10022, 10023, 10024])
def test_rate_limits_wait_for_the_next_hour_without_a_retry_storm(fake, code):
    fake.answer_once("/comments/show.json", error(code, "out of rate limit"), status=403)
    fake.expect_comment_pages([[comment(1)]], total=1)

    with pytest.raises(ConnectorError, match="request limit") as caught:
        fake.connector().fetch_comments("5242000000000001")

    assert caught.value.transient
    assert caught.value.code == "rate_limited"
    assert caught.value.retry_after == 40 * 60  # 10:20 -> 11:00
    assert fake.sleeps == []
    assert len(fake.calls("/2/comments/show.json")) == 1


def test_busy_and_server_errors_are_retried_with_backoff(fake):
    fake.answer_once("/comments/show.json", error(10001, "system error"), status=500)
    fake.answer_once("/comments/show.json", error(10009, "too many pending tasks"))
    fake.expect_comment_pages([[comment(1)]], total=1)

    comments = fake.connector().fetch_comments("5242000000000001")

    assert [c.remote_id for c in comments] == ["1"]
    assert fake.sleeps == [1.0, 2.0]


@pytest.mark.parametrize("failure", ["drop", "502"])
def test_share_whose_outcome_is_unknown_is_not_retried(fake, failure):
    if failure == "drop":
        fake.drop_once("/statuses/share.json")
    else:
        fake.answer_once("/statuses/share.json", {}, status=502)
    shares = fake.expect_share()

    with pytest.raises(ConnectorError, match="check the account") as caught:
        fake.connector().publish(post())

    assert caught.value.code == "outcome_unknown"
    assert not caught.value.transient
    fake.settle()
    assert len(fake.calls("/2/statuses/share.json")) == 1
    assert shares == []  # sent once, never again


def test_comments_are_paged_200_at_a_time_and_mapped(fake):
    first = [comment(n) for n in range(200, 0, -1)]
    second = [{**comment(0), "reply_comment": {"idstr": "7"}}]
    queries = fake.expect_comment_pages([first, second], total=201)

    comments = fake.connector().fetch_comments("5242000000000001")

    assert [(q["id"], q["count"], q["page"]) for q in queries] == [
        ("5242000000000001", "200", "1"),
        ("5242000000000001", "200", "2"),
    ]
    assert len(comments) == 201
    last = comments[-1]
    assert (last.remote_id, last.author_id, last.author_name, last.text) == (
        "0",
        "100",
        "粉丝0",
        "评论0",
    )
    assert last.parent_remote_id == "7"
    assert last.created_at == datetime(2025, 12, 9, 4, 0, tzinfo=UTC)


def test_comment_paging_stops_at_comments_older_than_since(fake):
    newer = comment(2, "Wed Dec 10 09:00:00 +0800 2025")
    older = comment(1, "Mon Dec 01 09:00:00 +0800 2025")
    queries = fake.expect_comment_pages([[newer, older], [comment(0)]], total=3)

    comments = fake.connector().fetch_comments(
        "5242000000000001", since=datetime(2025, 12, 5, tzinfo=UTC)
    )

    assert [c.remote_id for c in comments] == ["2"]
    assert len(queries) == 1


def test_reply_sends_cid_id_comment_and_ip(fake):
    bodies = fake.expect_reply("4990000000000009")
    remote = RemoteComment(
        "4980000000000001", "5242000000000001", "u1", "粉丝", "求链接", datetime.now(UTC)
    )

    new_id = fake.connector().reply(remote, "已私信您")

    assert new_id == "4990000000000009"
    assert {k: v for k, v in bodies[0].items() if k != "access_token"} == {
        "cid": "4980000000000001",
        "id": "5242000000000001",
        "comment": "已私信您",
        "rip": "203.0.113.7",
    }


def test_reply_is_not_retried_when_the_outcome_is_unknown(fake):
    fake.drop_once("/comments/reply.json")
    bodies = fake.expect_reply()
    remote = RemoteComment("1", "2", "u1", "", "hi", datetime.now(UTC))
    with pytest.raises(ConnectorError) as caught:
        fake.connector().reply(remote, "谢谢")
    assert caught.value.code == "outcome_unknown"
    fake.settle()
    assert len(fake.calls("/2/comments/reply.json")) == 1
    assert bodies == []


def test_post_metrics_batch_ids_by_100_and_are_cumulative(fake):
    ids = [str(5242000000000000 + n) for n in range(250)]
    counts = {i: (n, n * 2, n * 3) for n, i in enumerate(ids) if n != 7}  # #7 was deleted
    batches = fake.expect_counts(counts)

    rows = fake.connector().fetch_post_metrics(ids, date(2025, 12, 1), date(2025, 12, 9))

    assert [len(b) for b in batches] == [100, 100, 50]
    assert [i for b in batches for i in b] == ids
    assert len(rows) == 249
    third = rows[3]
    assert (third.remote_id, third.comments, third.shares, third.likes) == (ids[3], 3, 6, 9)
    assert all(r.cumulative and r.day == date(2025, 12, 9) for r in rows)


def test_post_metrics_are_dated_today_when_the_range_runs_later(fake):
    fake.expect_counts({"5242000000000001": (1, 2, 3)})
    rows = fake.connector().fetch_post_metrics(
        ["5242000000000001"], date(2025, 12, 1), date(2025, 12, 31)
    )
    assert [r.day for r in rows] == [date(2025, 12, 10)]
