"""The Douyin connector against a fake open platform (no internet, no real sleeping)."""

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
from fanloop.channels.connectors.douyin import DouyinConnector
from fanloop.channels.tests.fakes_douyin import FakeDouyin, error, ok
from fanloop.content.tests.mediasamples import mp4_bytes, png_bytes

TODAY = date(2025, 6, 30)


@pytest.fixture
def fake(httpserver):
    fake = FakeDouyin(httpserver)
    yield fake
    httpserver.check_handler_errors()


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4_bytes(1080, 1920, 3))
    return MediaFile(path=str(path), mime="video/mp4", kind="video")


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "card.png"
    path.write_bytes(png_bytes(64, 48))
    return MediaFile(path=str(path), mime="image/png", kind="image")


def request_with(*media, **extra):
    return PublishRequest(
        idempotency_key="job-1",
        title="夏日新品",
        body="清爽一夏",
        topics=["防晒", "#夏天"],
        mentions=["品牌官方"],
        media=media,
        **extra,
    )


def test_registered_with_declared_capabilities():
    assert REGISTRY["douyin"] is DouyinConnector
    assert DouyinConnector.capabilities == {
        Capability.PUBLISH,
        Capability.FETCH_COMMENTS,
        Capability.REPLY,
        Capability.FETCH_POST_METRICS,
        Capability.REFRESH_TOKEN,
    }


def test_publish_video_uploads_then_creates_with_topics_and_mentions(fake, video, httpserver):
    # Given a fake Douyin that accepts the account's token
    uploads = fake.expect_upload_video("v0200video")
    bodies = fake.expect_create("/api/douyin/v1/video/create_video/", item_id="@item-1")

    # When a video post is published
    result = fake.connector().publish(request_with(video))

    # Then the file went up as multipart "video" and the post was created from its id
    assert uploads == [Path(video.path).read_bytes()]
    assert bodies == [
        {"video_id": "v0200video", "text": "夏日新品\n清爽一夏 #防晒 #夏天 @品牌官方"}
    ]
    assert result.remote_id == "@item-1"
    methods = [(r.method, r.path) for r, _ in httpserver.log]
    assert methods == [
        ("POST", "/api/douyin/v1/video/upload_video/"),
        ("POST", "/api/douyin/v1/video/create_video/"),
    ]


def test_publish_images_uses_image_text(fake, image, tmp_path):
    second = tmp_path / "b.png"
    second.write_bytes(png_bytes(32, 32))
    fake.expect_upload_image(["img-1", "img-2"])
    bodies = fake.expect_create("/api/douyin/v1/video/create_image_text/", item_id="@it-2")

    result = fake.connector().publish(
        request_with(image, MediaFile(path=str(second), mime="image/png", kind="image"))
    )

    assert bodies[0]["image_list"] == ["img-1", "img-2"]
    assert bodies[0]["text"].startswith("夏日新品")
    assert result.remote_id == "@it-2"


def test_publish_without_media_or_with_two_videos_is_refused_locally(fake, video, httpserver):
    connector = fake.connector()
    with pytest.raises(ConnectorError, match="video or at least one image"):
        connector.publish(request_with())
    with pytest.raises(ConnectorError, match="exactly one video"):
        connector.publish(request_with(video, video))
    assert httpserver.log == []


def test_too_large_video_is_refused_with_the_limit(fake, video, monkeypatch):
    monkeypatch.setattr("fanloop.channels.connectors.douyin.SIMPLE_UPLOAD_MAX_BYTES", 10)
    with pytest.raises(ConnectorError, match="128 MB") as caught:
        fake.connector().publish(request_with(video))
    assert caught.value.code == "too_large"


def test_expired_token_is_refreshed_once_then_the_call_succeeds(fake, video, httpserver):
    # Given the connector holds a token Douyin no longer accepts
    fake.valid_token = "act.new"
    fake.next_tokens = ["act.new"]
    fake.expect_refresh()
    fake.expect_upload_video()
    fake.expect_create("/api/douyin/v1/video/create_video/")

    connector = fake.connector(token="act.old")
    result = connector.publish(request_with(video))

    # Then one refresh happened, the new credentials were saved, and the post went out
    assert result.remote_id
    assert [c["access_token"] for c in fake.saved] == ["act.new"]
    assert fake.saved[0]["refresh_token"] == "rft.after.act.new"
    assert fake.saved[0]["expires_at"]
    assert connector.credentials["access_token"] == "act.new"
    refreshes = [r for r, _ in httpserver.log if r.path == "/oauth/refresh_token/"]
    assert len(refreshes) == 1


def test_second_auth_failure_after_refresh_is_an_auth_error(fake, video, httpserver):
    fake.valid_token = "act.never"
    fake.next_tokens = ["act.still-bad"]
    fake.expect_refresh()
    fake.expect_upload_video()

    with pytest.raises(ConnectorError, match="connect the account again") as caught:
        fake.connector(token="act.old").publish(request_with(video))

    assert caught.value.auth
    assert not caught.value.transient
    assert caught.value.code == "2190008"
    assert len([r for r, _ in httpserver.log if r.path == "/oauth/refresh_token/"]) == 1


def test_dead_refresh_token_asks_for_reauthorisation(fake, video):
    fake.valid_token = "act.never"
    fake.answer_once("/oauth/refresh_token/", error(10010, "refresh_token过期"))
    fake.expect_upload_video()

    with pytest.raises(ConnectorError, match="authorise the account again") as caught:
        fake.connector(token="act.old").publish(request_with(video))
    assert caught.value.auth
    assert fake.saved == []


def test_rate_limit_is_transient_with_retry_after_and_backs_off(fake, httpserver):
    # Given Douyin answers 429 twice with Retry-After, then the data
    for _ in range(2):
        httpserver.expect_oneshot_request("/data/external/item/play/").respond_with_json(
            {}, status=429, headers={"Retry-After": "7"}
        )
    for metric in ("play", "like", "comment", "share"):
        fake.expect_daily(metric, {"2025-06-28": 5})

    rows = fake.connector(today=lambda: TODAY).fetch_post_metrics(
        ["@item"], date(2025, 6, 25), date(2025, 6, 29)
    )

    # Then it waited as told (injected sleep, no real sleeping) and got the figures
    assert fake.sleeps == [7.0, 7.0]
    assert rows[0].views == 5


def test_rate_limit_that_persists_surfaces_as_transient(fake, httpserver):
    httpserver.expect_request("/data/external/item/play/").respond_with_json(
        {}, status=429, headers={"Retry-After": "3"}
    )
    with pytest.raises(ConnectorError) as caught:
        fake.connector(today=lambda: TODAY).fetch_post_metrics(
            ["@item"], date(2025, 6, 25), date(2025, 6, 29)
        )
    assert caught.value.transient
    assert caught.value.retry_after == 3.0
    assert fake.sleeps == [3.0, 3.0]  # max_attempts = 3


def test_server_error_is_retried_with_backoff_then_succeeds(fake, httpserver):
    httpserver.expect_oneshot_request("/data/external/item/like/").respond_with_data(
        "oops", status=502
    )
    fake.expect_daily("play", {"2025-06-28": 100, "2025-06-29": 50})
    fake.expect_daily("like", {"2025-06-28": 10})
    fake.expect_daily("comment", {"2025-06-29": 2})
    fake.expect_daily("share", {})

    rows = fake.connector(today=lambda: TODAY).fetch_post_metrics(
        ["@item"], date(2025, 6, 28), date(2025, 6, 30)
    )

    assert fake.sleeps == [1.0]
    assert [(r.day, r.views, r.likes, r.comments, r.shares) for r in rows] == [
        (date(2025, 6, 28), 100, 10, 0, 0),
        (date(2025, 6, 29), 50, 0, 2, 0),
    ]


def test_metrics_use_the_smallest_date_type_and_header_token(fake, httpserver):
    queries = fake.expect_daily("play", {})
    for metric in ("like", "comment", "share"):
        fake.expect_daily(metric, {})

    fake.connector(today=lambda: TODAY).fetch_post_metrics(
        ["@item"], date(2025, 6, 20), date(2025, 6, 29)
    )

    assert queries == [{"open_id": "open-id-1", "item_id": "@item", "date_type": "15"}]
    assert all(r.headers["access-token"] == "act.valid" for r, _ in httpserver.log)


def test_metrics_older_than_30_days_are_refused_locally(fake, httpserver):
    with pytest.raises(ConnectorError, match="last 30 days") as caught:
        fake.connector(today=lambda: TODAY).fetch_post_metrics(
            ["@item"], date(2025, 5, 1), date(2025, 5, 10)
        )
    assert caught.value.code == "out_of_window"
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("code", "fragment", "transient"),
    [
        (2100005, "parameter is not valid", False),
        (10002, "parameter is wrong", False),
        (2190005, "too large", False),
        (2100004, "busy", True),
        (2190001, "quota", True),
    ],
)
def test_documented_codes_map_to_clear_messages(fake, video, code, fragment, transient):
    fake.answer_once("/api/douyin/v1/video/upload_video/", error(code, "平台描述"))
    fake.expect_upload_video()
    fake.expect_create("/api/douyin/v1/video/create_video/")

    connector = fake.connector(max_attempts=1)
    with pytest.raises(ConnectorError, match=fragment) as caught:
        connector.publish(request_with(video))
    assert caught.value.transient is transient
    assert not caught.value.auth
    assert "平台描述" in caught.value.message


def test_create_is_not_retried_blindly_after_a_server_error(fake, video, httpserver):
    fake.expect_upload_video()
    fake.answer_once("/api/douyin/v1/video/create_video/", {}, status=500)
    fake.expect_create("/api/douyin/v1/video/create_video/")

    with pytest.raises(ConnectorError, match="check the account") as caught:
        fake.connector().publish(request_with(video))

    assert caught.value.code == "outcome_unknown"
    assert not caught.value.transient
    creates = [r for r, _ in httpserver.log if r.path.endswith("create_video/")]
    assert len(creates) == 1


def test_comments_are_paged_and_mapped(fake):
    queries = fake.expect_comment_pages(
        [
            [
                {
                    "comment_id": "c1",
                    "comment_user_id": "u1",
                    "content": "好看",
                    "digg_count": 3,
                    "create_time": 1719700000,
                }
            ],
            [{"comment_id": "c2", "comment_user_id": "u2", "content": "求链接", "create_time": 1}],
        ]
    )

    comments = fake.connector().fetch_comments("@item", since=datetime(2024, 1, 1, tzinfo=UTC))

    assert [q["cursor"] for q in queries] == ["0", "1"]
    assert [(c.remote_id, c.author_id, c.text, c.likes) for c in comments] == [
        ("c1", "u1", "好看", 3)
    ]
    assert comments[0].post_remote_id == "@item"


def test_comment_permission_error_is_explained(fake):
    fake.answer_once("/item/comment/list/", error(2112001, "非企业号用户"))
    with pytest.raises(ConnectorError, match="enterprise") as caught:
        fake.connector().fetch_comments("@item")
    assert caught.value.code == "permission"
    assert not caught.value.auth
    assert not caught.value.transient


def test_reply_posts_item_comment_and_content(fake, httpserver):
    bodies = fake.expect_create("/item/comment/reply/")
    comment = RemoteComment(
        remote_id="c1",
        post_remote_id="@item",
        author_id="u1",
        author_name="",
        text="求链接",
        created_at=datetime(2025, 6, 1, tzinfo=UTC),
    )

    fake.connector().reply(comment, "私信你啦")

    assert bodies == [{"item_id": "@item", "comment_id": "c1", "content": "私信你啦"}]


def test_reply_permission_error_is_explained(fake):
    fake.answer_once("/item/comment/reply/", error(2190004, "应用未获得该能力"))
    comment = RemoteComment("c1", "@item", "u1", "", "hi", datetime(2025, 6, 1, tzinfo=UTC))
    with pytest.raises(ConnectorError, match=r"item\.comment capability"):
        fake.connector().reply(comment, "谢谢")


def test_undeclared_capabilities_raise_unsupported(fake):
    connector = fake.connector()
    with pytest.raises(Unsupported):
        connector.lookup("job-1")
    with pytest.raises(Unsupported):
        connector.fetch_account_metrics(date(2025, 6, 1), date(2025, 6, 2))


def test_ok_envelope_helper_matches_the_documented_shape():
    assert ok({"item_id": "x"})["data"]["error_code"] == 0
    assert set(error(1)["extra"]) >= {"error_code", "description", "logid"}
