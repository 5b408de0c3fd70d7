"""The Bilibili connector against a fake open platform (no internet, no real sleeping)."""

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
from fanloop.channels.connectors.bilibili import BilibiliConnector
from fanloop.channels.tests.fakes_bilibili import FakeBilibili, error
from fanloop.content.tests.mediasamples import mp4_bytes, png_bytes

TODAY = date(2025, 6, 30)


@pytest.fixture
def fake(httpserver):
    fake = FakeBilibili(httpserver)
    yield fake
    httpserver.check_handler_errors()


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "vlog.mp4"
    path.write_bytes(mp4_bytes(1280, 720, 2))
    return MediaFile(path=str(path), mime="video/mp4", kind="video")


@pytest.fixture
def cover(tmp_path):
    path = tmp_path / "cover.png"
    path.write_bytes(png_bytes(96, 60))
    return MediaFile(path=str(path), mime="image/png", kind="image")


def request_with(*media, title="开箱测评", body="详细测评", topics=("测评", "#好物"), cover=None):
    return PublishRequest(
        idempotency_key="job-1",
        title=title,
        body=body,
        topics=topics,
        media=media,
        cover=cover,
    )


def publish_endpoints(fake):
    fake.expect_init()
    fake.expect_small_upload()
    fake.expect_cover()
    return fake.expect_add()


def test_registered_with_declared_capabilities():
    assert REGISTRY["bilibili"] is BilibiliConnector
    assert BilibiliConnector.capabilities == {
        Capability.PUBLISH,
        Capability.FETCH_POST_METRICS,
        Capability.FETCH_ACCOUNT_METRICS,
        Capability.REFRESH_TOKEN,
    }
    assert BilibiliConnector.rate_limits["archive.add"].seconds == 30


def test_publish_small_video_end_to_end(fake, video, cover, httpserver):
    # Given a fake open platform that checks signatures and the token
    inits = fake.expect_init("utok-1")
    uploads = fake.expect_small_upload()
    covers = fake.expect_cover("https://archive.biliimg.com/bfs/c.png")
    adds = fake.expect_add("BV1xx411c7mD")

    # When a video with a cover is published
    result = fake.connector().publish(request_with(video, cover=cover))

    # Then: init -> raw upload -> cover -> submit, with the documented fields
    assert [(r.method, r.path) for r, _ in httpserver.log] == [
        ("POST", "/arcopen/fn/archive/video/init"),
        ("POST", "/video/v2/upload"),
        ("POST", "/arcopen/fn/archive/cover/upload"),
        ("POST", "/arcopen/fn/archive/add-by-utoken"),
    ]
    assert inits[0].json == {"name": "vlog.mp4", "utype": "1"}
    assert uploads == [Path(video.path).read_bytes()]
    assert len(covers) == 1
    upload_request = httpserver.log[1][0]
    assert upload_request.args["upload_token"] == "utok-1"
    assert httpserver.log[3][0].args["upload_token"] == "utok-1"
    assert adds == [
        {
            "title": "开箱测评",
            "cover": "https://archive.biliimg.com/bfs/c.png",
            "tid": 21,
            "no_reprint": 1,
            "desc": "详细测评",
            "tag": "测评,好物",
            "copyright": 1,
        }
    ]
    assert result.remote_id == "BV1xx411c7mD"
    assert result.url == "https://www.bilibili.com/video/BV1xx411c7mD"


def test_big_video_goes_in_numbered_chunks_then_complete(fake, video, httpserver):
    fake.expect_init("utok-2")
    parts = fake.expect_part_upload()
    completes = fake.expect_complete()
    fake.expect_add()
    data = Path(video.path).read_bytes()

    fake.connector(small_file_max_bytes=10, chunk_bytes=1000).publish(request_with(video))

    assert [n for n, _ in parts] == list(range(1, len(parts) + 1))
    assert b"".join(chunk for _, chunk in parts) == data
    assert completes[0].args["upload_token"] == "utok-2"
    init = httpserver.log[0][0]
    assert init.json["utype"] == "0"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"title": "长" * 80}, "1 to 79 characters"),
        ({"body": "字" * 251}, "250 characters"),
        ({"topics": ["标签" * 60, "另一个" * 40]}, "200 characters"),
    ],
)
def test_platform_limits_are_refused_locally(fake, video, httpserver, kwargs, fragment):
    with pytest.raises(ConnectorError, match=fragment):
        fake.connector().publish(request_with(video, **kwargs))
    assert httpserver.log == []


def test_missing_partition_or_video_is_explained(fake, video, cover):
    with pytest.raises(ConnectorError, match="partition"):
        fake.connector(
            credentials={"client_id": "x", "client_secret": "y", "access_token": "z"}
        ).publish(request_with(video))
    with pytest.raises(ConnectorError, match="exactly one video"):
        fake.connector().publish(request_with(cover))


def test_rejected_token_is_refreshed_once_then_succeeds(fake, video):
    fake.valid_token = "bili.new"
    fake.next_tokens = ["bili.new"]
    fake.expect_refresh()
    publish_endpoints(fake)

    connector = fake.connector(token="bili.old")
    result = connector.publish(request_with(video))

    assert result.remote_id
    assert len(fake.saved) == 1
    saved = fake.saved[0]
    assert saved["access_token"] == "bili.new"
    assert saved["refresh_token"] == "refresh.after.bili.new"
    assert saved["expires_at"].startswith("2030-01-01")  # expires_in is an absolute time
    assert connector.credentials["access_token"] == "bili.new"


def test_second_rejection_after_refresh_is_an_auth_error(fake, video, httpserver):
    fake.valid_token = "bili.never"
    fake.next_tokens = ["bili.also-bad"]
    fake.expect_refresh()
    publish_endpoints(fake)

    with pytest.raises(ConnectorError, match="connect the account again") as caught:
        fake.connector(token="bili.old").publish(request_with(video))

    assert caught.value.auth
    refreshes = [r for r, _ in httpserver.log if "refresh_token" in r.path]
    assert len(refreshes) == 1


def test_invalid_refresh_token_needs_reauthorisation(fake, video):
    fake.valid_token = "bili.never"
    fake.answer_once("/x/account-oauth2/v1/refresh_token", error(122007, "refreshToken不合法"))
    publish_endpoints(fake)

    with pytest.raises(ConnectorError, match="authorise the account again") as caught:
        fake.connector(token="bili.old").publish(request_with(video))
    assert caught.value.auth
    assert caught.value.code == "122007"


def test_rate_limit_code_is_transient_and_backs_off(fake):
    fake.answer_once("/arcopen/fn/data/arc/stat", error(127306, "接口请求频率过高"))
    fake.expect_arc_stat({"BV1": {"view": 1}})

    rows = fake.connector(today=lambda: TODAY).fetch_post_metrics(["BV1"], TODAY, TODAY)

    assert fake.sleeps == [1.0]
    assert rows[0].views == 1


def test_submission_too_fast_waits_the_documented_30_seconds(fake, video):
    fake.expect_init()
    fake.expect_small_upload()
    fake.answer_once("/arcopen/fn/archive/add-by-utoken", error(123026, "您投稿的频率过快"))
    fake.expect_add("BV1ok")

    result = fake.connector().publish(request_with(video))

    assert fake.sleeps == [30.0]
    assert result.remote_id == "BV1ok"


def test_rate_limit_that_persists_surfaces_with_retry_after(fake, httpserver):
    httpserver.expect_request("/arcopen/fn/data/user/stat").respond_with_json(
        {}, status=429, headers={"Retry-After": "12"}
    )
    with pytest.raises(ConnectorError) as caught:
        fake.connector().fetch_account_metrics(TODAY, TODAY)
    assert caught.value.transient
    assert caught.value.retry_after == 12.0
    assert fake.sleeps == [12.0, 12.0]


def test_server_error_is_retried_then_succeeds(fake):
    fake.answer_once("/arcopen/fn/data/user/stat", {}, status=503)
    fake.expect_user_stat(follower=1234)

    rows = fake.connector(today=lambda: TODAY).fetch_account_metrics(TODAY, TODAY)

    assert fake.sleeps == [1.0]
    assert rows[0].followers_total == 1234
    assert rows[0].day == TODAY


def test_submission_is_not_retried_after_a_server_error(fake, video, httpserver):
    fake.expect_init()
    fake.expect_small_upload()
    fake.answer_once("/arcopen/fn/archive/add-by-utoken", {}, status=500)
    fake.expect_add()

    with pytest.raises(ConnectorError, match="check the account") as caught:
        fake.connector().publish(request_with(video))
    assert caught.value.code == "outcome_unknown"
    assert len([r for r, _ in httpserver.log if r.path.endswith("add-by-utoken")]) == 1


@pytest.mark.parametrize(
    ("code", "fragment", "expected_code"),
    [
        (123013, "rejected the title", "123013"),
        (123024, "sensitive content", "123024"),
        (127007, "no permission for this API", "permission"),
        (127002, "signature", "config"),
    ],
)
def test_documented_codes_map_to_clear_messages(fake, video, code, fragment, expected_code):
    fake.expect_init()
    fake.expect_small_upload()
    fake.answer_once("/arcopen/fn/archive/add-by-utoken", error(code, "平台说明"))

    with pytest.raises(ConnectorError, match=fragment) as caught:
        fake.connector().publish(request_with(video))
    assert caught.value.code == expected_code
    assert not caught.value.transient
    assert not caught.value.auth
    assert "平台说明" in caught.value.message


def test_post_metrics_are_cumulative_snapshots(fake):
    fake.expect_arc_stat(
        {
            "BV1": {
                "view": 100,
                "danmaku": 4,
                "reply": 6,
                "favorite": 3,
                "coin": 2,
                "share": 1,
                "like": 20,
            },
            "BV2": {"view": 7},
        }
    )

    rows = fake.connector(today=lambda: TODAY).fetch_post_metrics(
        ["BV1", "BV2"], date(2025, 6, 1), TODAY
    )

    first = rows[0]
    assert (first.remote_id, first.day, first.cumulative) == ("BV1", TODAY, True)
    assert (first.views, first.likes, first.comments, first.favourites, first.shares) == (
        100,
        20,
        6,
        3,
        1,
    )
    assert rows[1].views == 7


def test_undeclared_capabilities_raise_unsupported(fake):
    connector = fake.connector()
    with pytest.raises(Unsupported):
        connector.fetch_comments("BV1")
    with pytest.raises(Unsupported):
        connector.reply(
            RemoteComment("c", "BV1", "u", "", "t", datetime(2025, 6, 1, tzinfo=UTC)), "hi"
        )
    with pytest.raises(Unsupported):
        connector.lookup("job-1")
