"""The WeChat Official Account connector against a fake API (no internet, no real sleeping)."""

from datetime import UTC, date, datetime

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
from fanloop.channels.connectors.wechat_oa import WechatOAConnector, body_html
from fanloop.channels.tests.fakes_wechat_oa import FakeWechatOA, error, ok
from fanloop.content.tests.mediasamples import jpeg_bytes, mp4_bytes, png_bytes

BEFORE_EIGHT = datetime(2025, 12, 9, 23, 30, tzinfo=UTC)  # 07:30 on 12-10 in Beijing


@pytest.fixture
def fake(httpserver):
    fake = FakeWechatOA(httpserver)
    yield fake
    fake.settle()
    httpserver.check_handler_errors()


@pytest.fixture
def cover(tmp_path):
    path = tmp_path / "cover.jpg"
    path.write_bytes(jpeg_bytes(900, 383))
    return MediaFile(path=str(path), mime="image/jpeg", kind="image")


@pytest.fixture
def images(tmp_path):
    files = []
    for name in ("a.png", "b.png"):
        path = tmp_path / name
        path.write_bytes(png_bytes(64, 48))
        files.append(MediaFile(path=str(path), mime="image/png", kind="image"))
    return files


def article(cover_file, *media, **extra):
    options = {
        "idempotency_key": "job-1",
        "title": "夏日新品 & 防晒指南",
        "body": "第一段 <b>不是标签</b>\n第二行\n\n第二段",
        "topics": ["防晒"],
        "mentions": ["品牌官方"],
        "media": media,
        "cover": cover_file,
        "link": "https://shop.example.com/p/1",
    }
    options.update(extra)
    return PublishRequest(**options)


def test_registered_with_declared_capabilities(fake):
    assert REGISTRY["wechat_oa"] is WechatOAConnector
    assert WechatOAConnector.capabilities == {
        Capability.PUBLISH,
        Capability.PUBLISH_STATUS,
        Capability.FETCH_COMMENTS,
        Capability.REPLY,
        Capability.FETCH_POST_METRICS,
        Capability.FETCH_ACCOUNT_METRICS,
        Capability.REFRESH_TOKEN,
    }
    with pytest.raises(Unsupported):
        fake.connector().lookup("job-1")


def test_body_text_becomes_escaped_paragraphs():
    assert body_html("a <b> & c\nnext\n\n\nsecond") == (
        "<p>a &lt;b&gt; &amp; c<br/>next</p><p>second</p>"
    )


def test_publish_uploads_drafts_and_submits_then_is_pending(fake, cover, images, httpserver):
    covers, uploads, drafts, submits = fake.expect_publish_flow()

    result = fake.connector().publish(article(cover, *images))

    assert [kind for kind, _ in covers] == ["image"]  # a permanent image, not a 64 KB thumb
    assert [kind for kind, _ in uploads] == ["", ""]
    assert drafts == [
        {
            "articles": [
                {
                    "article_type": "news",
                    "title": "夏日新品 & 防晒指南",
                    "author": "品牌小编",
                    "content": "<p>第一段 &lt;b&gt;不是标签&lt;/b&gt;<br/>第二行</p><p>第二段</p>"
                    '<p><img src="http://mmbiz.qpic.cn/a"/></p>'
                    '<p><img src="http://mmbiz.qpic.cn/b"/></p>',
                    "content_source_url": "https://shop.example.com/p/1",
                    "thumb_media_id": "thumb-1",
                    "need_open_comment": 1,
                    "only_fans_can_comment": 0,
                }
            ]
        }
    ]
    assert submits == [{"media_id": "draft-1"}]
    assert result.pending
    assert result.remote_id == "2247483655:2247483656"
    assert result.url == ""
    assert all(r.args["access_token"] == "wx.valid" for r, _ in httpserver.log)
    assert "#" not in drafts[0]["articles"][0]["content"]  # topics are not a WeChat thing


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"cover": None}, "requires a cover"),
        ({"title": "标" * 33}, "1 to 32 characters"),
        ({"title": "  "}, "1 to 32 characters"),
        ({"link": "https://x.example.com/" + "a" * 1100}, "1 KB"),
        ({"body": "", "media": ()}, "body text or images"),
        ({"body": "字" * 20_000}, "20,000 characters"),
    ],
)
def test_bad_articles_are_refused_before_any_call(fake, cover, httpserver, change, fragment):
    with pytest.raises(ConnectorError, match=fragment) as caught:
        fake.connector().publish(article(cover, **change))
    assert caught.value.code == "invalid"
    assert httpserver.log == []


def test_videos_and_unsupported_images_are_refused_locally(fake, cover, tmp_path, httpserver):
    clip = tmp_path / "c.mp4"
    clip.write_bytes(mp4_bytes(320, 240, 1))
    gif = tmp_path / "g.gif"
    gif.write_bytes(b"GIF89a")
    with pytest.raises(ConnectorError, match="Only images"):
        fake.connector().publish(article(cover, MediaFile(str(clip), "video/mp4", "video")))
    with pytest.raises(ConnectorError, match="JPEG or PNG under 1 MB"):
        fake.connector().publish(article(cover, MediaFile(str(gif), "image/gif", "image")))
    assert httpserver.log == []


def test_rejected_token_is_refreshed_once_through_stable_token(fake, cover):
    # Given WeChat no longer accepts the stored token
    fake.valid_token = "wx.new"
    fake.next_tokens = ["wx.new"]
    fake.expect_stable_token()
    fake.expect_publish_flow()

    connector = fake.connector(token="wx.old")
    result = connector.publish(article(cover))

    # Then one stable_token call got a new token, which was saved and used
    assert result.pending
    assert len(fake.calls("/cgi-bin/stable_token")) == 1
    assert [c["access_token"] for c in fake.saved] == ["wx.new"]
    assert fake.saved[0]["expires_at"] == "2025-12-10T04:00:00+00:00"
    assert connector.credentials["access_token"] == "wx.new"


def test_token_still_refused_after_refresh_is_a_clear_auth_error(fake, cover):
    fake.valid_token = "wx.never"
    fake.next_tokens = ["wx.still-bad"]
    fake.expect_stable_token()
    fake.expect_publish_flow()

    with pytest.raises(ConnectorError, match="connect the account again") as caught:
        fake.connector(token="wx.old").publish(article(cover))

    assert caught.value.auth
    assert len(fake.calls("/cgi-bin/stable_token")) == 1
    assert fake.calls("/cgi-bin/freepublish/submit") == []


def test_expiring_token_is_renewed_before_the_call(fake, cover):
    fake.next_tokens = ["wx.valid"]
    fake.expect_stable_token()
    fake.expect_publish_flow()

    fake.connector(token="wx.valid", expires_at="2025-12-10T02:03:00+00:00").publish(article(cover))

    paths = [r.path for r, _ in fake.server.log]
    assert paths[0] == "/cgi-bin/stable_token"
    assert len(fake.calls("/cgi-bin/stable_token")) == 1


@pytest.mark.parametrize(
    ("code", "errmsg", "fragment", "error_code"),
    [
        (40164, "invalid ip 203.0.113.9, not in whitelist", "IP whitelist", "ip_not_whitelisted"),
        (40125, "invalid appsecret", "AppSecret", "credentials"),
        (40001, "invalid credential", "AppSecret", "credentials"),
    ],
)
def test_token_endpoint_errors_are_explained(fake, cover, code, errmsg, fragment, error_code):
    fake.answer_once("/cgi-bin/stable_token", error(code, errmsg))

    with pytest.raises(ConnectorError, match=fragment) as caught:
        fake.connector(token="", expires_at="").publish(article(cover))

    assert caught.value.code == error_code
    assert not caught.value.transient
    assert errmsg in caught.value.message  # the IP to whitelist is named
    assert len(fake.calls("/cgi-bin/stable_token")) == 1


def test_daily_quota_is_transient_until_midnight_and_not_retried(fake, cover):
    fake.expect_publish_flow()
    fake.answer_once("/cgi-bin/draft/add", error(45009, "reach max api daily quota limit"))

    with pytest.raises(ConnectorError, match="daily WeChat quota") as caught:
        fake.connector().publish(article(cover))

    assert caught.value.transient
    assert caught.value.code == "quota_exhausted"
    assert caught.value.retry_after == 14 * 3600  # 10:00 -> 24:00 Beijing time
    assert fake.sleeps == []  # no retry storm, no sleeping for hours in a worker
    assert len(fake.calls("/cgi-bin/draft/add")) == 1


def test_busy_is_retried_with_backoff(fake, cover):
    fake.expect_publish_flow()
    fake.answer_once("/cgi-bin/draft/add", error(-1, "system error"))

    assert fake.connector().publish(article(cover)).pending
    assert fake.sleeps == [1.0]
    assert len(fake.calls("/cgi-bin/draft/add")) == 2


def test_permission_error_is_explained(fake, cover):
    fake.answer_once("/cgi-bin/material/add_material", error(48001, "api unauthorized"))
    with pytest.raises(ConnectorError, match="unverified and personal") as caught:
        fake.connector().publish(article(cover))
    assert caught.value.code == "permission"


@pytest.mark.parametrize("failure", ["drop", "500"])
def test_submit_whose_outcome_is_unknown_is_not_retried(fake, cover, failure):
    *_, submits = fake.expect_publish_flow()
    if failure == "drop":
        fake.drop_once("/cgi-bin/freepublish/submit")
    else:
        fake.answer_once("/cgi-bin/freepublish/submit", {}, status=500)

    with pytest.raises(ConnectorError, match="check the account") as caught:
        fake.connector().publish(article(cover))

    assert caught.value.code == "outcome_unknown"
    assert not caught.value.transient
    fake.settle()
    assert len(fake.calls("/cgi-bin/freepublish/submit")) == 1
    assert submits == []  # sent once, never again


def test_publish_status_success_gives_the_article_id_and_url(fake):
    bodies = fake.api(
        "/cgi-bin/freepublish/get",
        lambda body: {
            "publish_id": body["publish_id"],
            "publish_status": 0,
            "article_id": "b5O2OUs25HBxRceL7hfReg",
            "article_detail": {
                "count": 1,
                "item": [{"idx": 1, "article_url": "https://mp.weixin.qq.com/s/abc"}],
            },
            "fail_idx": [],
        },
    )

    result = fake.connector().publish_status("2247483655:2247483656")

    assert bodies == [{"publish_id": "2247483655"}]
    assert not result.pending
    assert result.remote_id == "2247483656_1"  # what comments and data APIs take
    assert result.url == "https://mp.weixin.qq.com/s/abc"


def test_publish_status_still_publishing_is_pending(fake):
    fake.api("/cgi-bin/freepublish/get", lambda body: {"publish_status": 1})
    result = fake.connector().publish_status("2247483655:2247483656")
    assert result.pending
    assert result.remote_id == "2247483655:2247483656"


@pytest.mark.parametrize(
    ("status", "code", "fragment"),
    [
        (2, "publish_original_failed", "originality"),
        (3, "publish_failed", "publishing failed"),
        (4, "publish_rejected", "review rejected"),
        (5, "publish_deleted", "deleted every article"),
        (6, "publish_blocked", "blocked every article"),
    ],
)
def test_publish_status_failures_are_final_and_explained(fake, status, code, fragment):
    fake.api("/cgi-bin/freepublish/get", lambda body: {"publish_status": status, "fail_idx": [1]})

    with pytest.raises(ConnectorError, match=fragment) as caught:
        fake.connector().publish_status("2247483655:2247483656")

    assert caught.value.code == code
    assert not caught.value.transient
    assert "failing articles: 1" in caught.value.message


def comment(n, ts=1765300000):
    return {
        "user_comment_id": n,
        "create_time": ts,
        "content": f"评论{n}",
        "comment_type": 0,
        "openid": f"o-{n}",
    }


def test_comments_are_paged_49_at_a_time_and_mapped(fake):
    pages = {0: [comment(n) for n in range(49)], 49: [comment(100), comment(101, ts=1)]}
    bodies = fake.api(
        "/cgi-bin/comment/list", lambda body: ok(comment=pages[body["begin"]], total=51)
    )

    comments = fake.connector().fetch_comments(
        "2247483656_2", since=datetime(2025, 1, 1, tzinfo=UTC)
    )

    assert [(b["begin"], b["count"], b["index"], b["type"]) for b in bodies] == [
        (0, 49, 1, 0),
        (49, 49, 1, 0),
    ]
    assert bodies[0]["msg_data_id"] == 2247483656
    assert len(comments) == 50  # the 1970 comment is older than ``since``
    assert (comments[-1].remote_id, comments[-1].author_id, comments[-1].text) == (
        "100",
        "o-100",
        "评论100",
    )


def test_comments_of_a_malformed_id_are_refused_locally(fake, httpserver):
    with pytest.raises(ConnectorError, match="<msg_data_id>_<idx>"):
        fake.connector().fetch_comments("b5O2OUs25HBxRceL7hfReg")
    assert httpserver.log == []


def test_reply_posts_the_documented_fields(fake):
    bodies = fake.api("/cgi-bin/comment/reply/add", lambda body: ok())
    remote = RemoteComment("42", "2247483656_1", "o-1", "", "求链接", datetime.now(UTC))

    assert fake.connector().reply(remote, "已私信") == ""
    assert bodies == [
        {"msg_data_id": 2247483656, "index": 0, "user_comment_id": 42, "content": "已私信"}
    ]


def read_and_share(fake, per_day):
    """getarticleread / getarticleshare answering ``{day: (read_user, share_user)}``."""

    def answer(metric):
        def rows(body):
            assert body["begin_date"] == body["end_date"], "one day per query"
            day = body["begin_date"]
            found = per_day.get(day)
            detail = {metric: found[0] if metric == "read_user" else found[1]} if found else {}
            return {"list": [{"ref_date": day, "msgid": "2247483656_1", "detail": detail}]}

        return rows

    return (
        fake.api("/datacube/getarticleread", answer("read_user")),
        fake.api("/datacube/getarticleshare", answer("share_user")),
    )


def test_post_metrics_query_one_day_at_a_time_up_to_yesterday(fake):
    reads, shares = read_and_share(fake, {"2025-12-08": (120, 7), "2025-12-09": (80, 3)})

    rows = fake.connector().fetch_post_metrics(
        ["2247483656_1", "999_1"], date(2025, 12, 8), date(2025, 12, 10)
    )

    assert [b["begin_date"] for b in reads] == ["2025-12-08", "2025-12-09"]  # never today
    assert len(shares) == 2
    assert [(r.remote_id, r.day, r.views, r.shares) for r in rows] == [
        ("2247483656_1", date(2025, 12, 8), 120, 7),
        ("2247483656_1", date(2025, 12, 9), 80, 3),
    ]
    assert not rows[0].cumulative


def test_post_metrics_skip_yesterday_before_eight_beijing_time(fake):
    reads, _ = read_and_share(fake, {"2025-12-08": (1, 1)})
    rows = fake.connector(now=lambda: BEFORE_EIGHT).fetch_post_metrics(
        ["2247483656_1"], date(2025, 12, 8), date(2025, 12, 9)
    )
    assert [b["begin_date"] for b in reads] == ["2025-12-08"]
    assert [r.day for r in rows] == [date(2025, 12, 8)]


def test_post_metrics_before_the_data_start_are_refused(fake, httpserver):
    with pytest.raises(ConnectorError, match="2025-11-01") as caught:
        fake.connector().fetch_post_metrics(["1_1"], date(2025, 10, 1), date(2025, 11, 5))
    assert caught.value.code == "out_of_window"
    assert httpserver.log == []


def test_account_metrics_are_split_into_seven_day_queries(fake):
    summaries = fake.api(
        "/datacube/getusersummary",
        lambda body: {
            "list": [
                {"ref_date": body["begin_date"], "user_source": 0, "new_user": 5, "cancel_user": 1},
                {
                    "ref_date": body["begin_date"],
                    "user_source": 30,
                    "new_user": 2,
                    "cancel_user": 0,
                },
            ]
        },
    )
    cumulates = fake.api(
        "/datacube/getusercumulate",
        lambda body: {"list": [{"ref_date": body["end_date"], "cumulate_user": 1000}]},
    )

    rows = fake.connector().fetch_account_metrics(date(2025, 11, 30), date(2025, 12, 31))

    spans = [(b["begin_date"], b["end_date"]) for b in summaries]
    assert spans == [
        ("2025-11-30", "2025-12-06"),
        ("2025-12-07", "2025-12-09"),  # trimmed to yesterday
    ]
    assert [(b["begin_date"], b["end_date"]) for b in cumulates] == spans
    first = rows[0]
    assert (first.day, first.followers_gained, first.followers_lost) == (date(2025, 11, 30), 7, 1)
    assert first.followers_total is None
    assert rows[-1].day == date(2025, 12, 9)
    assert rows[-1].followers_total == 1000
