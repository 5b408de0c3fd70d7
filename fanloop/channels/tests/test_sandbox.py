"""The sandbox: a clearly labelled simulated platform, deterministic from its seed."""

import itertools
import re
import statistics
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fanloop.channels.connectors.base import (
    REGISTRY,
    Capability,
    ConnectorError,
    MediaFile,
    PublishRequest,
    RemoteComment,
)
from fanloop.channels.sandbox import comments, connector, model
from fanloop.channels.sandbox.connector import (
    MemoryLedger,
    SandboxConnector,
    make_remote_id,
    parse_remote_id,
)

CN = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 20, 0, tzinfo=CN)  # a Monday evening


class Clock:
    def __init__(self, at=T0):
        self.at = at

    def __call__(self):
        return self.at


def make(seed=7, clock=None, ledger=None, **credentials):
    return SandboxConnector(
        credentials={"seed": seed, **credentials},
        now=clock or Clock(),
        ledger=ledger if ledger is not None else MemoryLedger(),
        sleep=lambda seconds: None,
    )


def request(key="job-1", content_type="short_video", **extra):
    return PublishRequest(
        idempotency_key=key, title="春季新品", body="模拟正文", content_type=content_type, **extra
    )


def post_at(when, content_type="short_video", key="k", seed=1):
    return connector.post_for(seed, make_remote_id(key, when, content_type))


def clear_caches():
    model.profile.cache_clear()
    comments.post_comments.cache_clear()
    comments.nickname.cache_clear()
    connector.parse_remote_id.cache_clear()


# The connector -----------------------------------------------------------------------------


def test_it_is_registered_with_its_capabilities_and_no_http_client():
    assert REGISTRY["sandbox"] is SandboxConnector
    sandbox = make()
    for capability in (
        Capability.PUBLISH,
        Capability.LOOKUP,
        Capability.FETCH_COMMENTS,
        Capability.REPLY,
        Capability.FETCH_POST_METRICS,
        Capability.FETCH_ACCOUNT_METRICS,
    ):
        assert sandbox.supports(capability)
    assert not sandbox.supports(Capability.REFRESH_TOKEN)
    assert not hasattr(sandbox, "_client")


def test_publishing_a_key_twice_returns_the_same_post_and_lookup_finds_it():
    clock = Clock()
    sandbox = make(clock=clock)
    first = sandbox.publish(request())
    clock.at = T0 + timedelta(hours=3)
    again = sandbox.publish(request(content_type="article"))
    assert again == first
    assert sandbox.lookup("job-1") == first
    assert sandbox.lookup("never-published") is None
    assert first.url == f"https://sandbox.fanloop.invalid/p/{first.remote_id}"
    assert first.published_at == T0
    other = sandbox.publish(request("job-2"))
    assert other.remote_id != first.remote_id


def test_the_remote_id_carries_the_publish_time_content_type_and_key_hash():
    result = make().publish(request(content_type="note"))
    assert re.fullmatch(r"sbx-[0-9a-z]+-n-[0-9a-f]{16}", result.remote_id)
    assert parse_remote_id(result.remote_id) == (T0, "note")
    assert result.remote_id.endswith(connector.key_hash("job-1"))
    # A different process (fresh ledger) computes the same metrics from the id alone.
    later = Clock(T0 + timedelta(days=3))
    ours = make(clock=later).fetch_post_metrics([result.remote_id], T0.date(), later.at.date())
    clear_caches()
    theirs = make(clock=later).fetch_post_metrics([result.remote_id], T0.date(), later.at.date())
    assert ours == theirs


def test_the_content_type_is_inferred_from_media_when_not_given():
    video = MediaFile(path="a.mp4", mime="video/mp4", kind="video")
    image = MediaFile(path="a.jpg", mime="image/jpeg", kind="image")
    sandbox = make()
    kinds = [
        parse_remote_id(sandbox.publish(req).remote_id)[1]
        for req in (
            request("a", content_type="", media=[video]),
            request("b", content_type="", media=[image]),
            request("c", content_type=""),
            request("d", content_type="live_plan"),
            request("e", content_type="hologram"),
        )
    ]
    assert kinds == ["short_video", "image_text", "note", "live_plan", ""]


def test_bad_ids_and_empty_replies_are_refused():
    sandbox = make()
    with pytest.raises(ConnectorError) as error:
        sandbox.fetch_post_metrics(["12345"], T0.date(), T0.date())
    assert error.value.code == "not_found"
    with pytest.raises(ConnectorError):
        sandbox.fetch_comments("sbx-zz-q-0000000000000000")
    with pytest.raises(ConnectorError):
        sandbox.publish(request(key=""))
    with pytest.raises(ConnectorError):
        SandboxConnector(credentials={"seed": "not a number"})


# Determinism and the growth model -----------------------------------------------------------


def test_the_same_inputs_give_the_same_outputs_across_calls_and_instances():
    clock = Clock(T0 + timedelta(days=5))
    remote_id = make_remote_id("det", T0, "short_video")
    span = (T0.date() - timedelta(days=2), clock.at.date())
    first = (
        make(clock=clock).fetch_post_metrics([remote_id], *span),
        make(clock=clock).fetch_comments(remote_id),
    )
    clear_caches()
    second = (
        make(clock=clock).fetch_post_metrics([remote_id], *span),
        make(clock=clock).fetch_comments(remote_id),
    )
    assert first == second
    # Another seed is another simulated world.
    assert make(seed=8, clock=clock).fetch_post_metrics([remote_id], *span) != first[0]


def test_cumulative_totals_are_zero_before_publishing_monotone_and_final_after_14_days():
    for index in range(20):
        post = post_at(T0 + timedelta(hours=index * 5), key=f"m{index}")
        totals = model.profile(post).totals
        assert model.cumulative(post, post.published_at - timedelta(seconds=1)) == model.Counts()
        assert model.cumulative(post, post.published_at) == model.Counts()
        previous = model.Counts()
        for hour in range(0, 16 * 24, 3):
            now = post.published_at + timedelta(hours=hour, minutes=7)
            current = model.cumulative(post, now)
            for name in model.METRICS:
                assert getattr(current, name) >= getattr(previous, name), (name, hour)
            previous = current
        assert model.cumulative(post, post.published_at + timedelta(days=14)) == totals
        # Most of the reach arrives within 48 h.
        two_days = model.cumulative(post, post.published_at + timedelta(hours=48))
        assert two_days.impressions >= 0.8 * totals.impressions


def test_daily_increments_sum_exactly_to_the_cumulative_totals():
    remote_id = make_remote_id("sum", T0, "image_text")
    post = connector.post_for(7, remote_id)
    for hours in (0.5, 5, 27, 80, 24 * 20):
        clock = Clock(T0 + timedelta(hours=hours))
        rows = make(clock=clock).fetch_post_metrics(
            [remote_id], T0.date() - timedelta(days=3), date(2025, 12, 31)
        )
        expected = model.cumulative(post, clock.at)
        for name in model.METRICS:
            assert sum(getattr(row, name) for row in rows) == getattr(expected, name)
        assert all(not row.cumulative for row in rows)
        # One row a day, from the publishing day to today; none before publishing.
        days = [row.day for row in rows]
        assert days[0] == T0.date()
        assert days[-1] == clock.at.astimezone(CN).date()
        assert days == [T0.date() + timedelta(days=i) for i in range(len(days))]


def test_a_range_before_publishing_or_in_the_future_has_no_rows():
    remote_id = make_remote_id("early", T0, "note")
    sandbox = make(clock=Clock(T0 + timedelta(days=2)))
    assert sandbox.fetch_post_metrics([remote_id], date(2025, 2, 1), date(2025, 3, 2)) == []
    not_yet = make(clock=Clock(T0 - timedelta(hours=1)))
    assert not_yet.fetch_post_metrics([remote_id], date(2025, 3, 1), date(2025, 3, 10)) == []
    assert not_yet.fetch_comments(remote_id) == []


def test_engagement_rates_stay_in_their_ranges():
    for index in range(100):
        totals = model.profile(post_at(T0, key=f"r{index}")).totals
        if totals.views < 2000:
            continue
        assert 0.019 <= totals.likes / totals.views <= 0.081
        assert 0.0029 <= totals.comments / totals.views <= 0.0101
        assert 0.0019 <= totals.shares / totals.views <= 0.0101
        assert 0.0049 <= totals.favourites / totals.views <= 0.0301
        assert 0.0004 <= totals.follows / totals.views <= 0.0031
        assert totals.views < totals.impressions


def mean_impressions(hour=20, content_type="note", count=200):
    start = datetime(2025, 3, 3, hour, 0, tzinfo=CN)
    return statistics.mean(
        model.profile(
            post_at(start + timedelta(days=i % 7), content_type, key=f"{hour}-{content_type}-{i}")
        ).totals.impressions
        for i in range(count)
    )


def test_evening_posts_reach_more_than_night_posts_in_aggregate():
    assert mean_impressions(hour=20) > 2 * mean_impressions(hour=4)
    assert mean_impressions(hour=12) > mean_impressions(hour=4)


def test_content_types_rank_short_video_note_image_text_article():
    means = [mean_impressions(content_type=kind) for kind in model.TYPE_REACH if kind]
    ranked = {kind: mean for kind, mean in zip(model.TYPE_REACH, means, strict=False)}
    assert ranked["short_video"] > ranked["note"] > ranked["image_text"] > ranked["article"]


def test_video_rows_carry_watch_figures_and_other_types_do_not():
    clock = Clock(T0 + timedelta(days=1))
    video = make(clock=clock).fetch_post_metrics(
        [make_remote_id("v", T0, "short_video")], T0.date(), clock.at.date()
    )
    note = make(clock=clock).fetch_post_metrics(
        [make_remote_id("n", T0, "note")], T0.date(), clock.at.date()
    )
    assert all(0 < row.completion_rate < 1 and row.avg_watch_seconds > 0 for row in video)
    assert all(row.completion_rate is None for row in note)


# Followers --------------------------------------------------------------------------------


def test_followers_grow_from_the_posts_follows_minus_a_small_churn():
    clock = Clock(T0 - timedelta(days=2))
    ledger = MemoryLedger()
    sandbox = make(clock=clock, ledger=ledger)
    for index in range(30):
        clock.at = T0 + timedelta(hours=index)
        sandbox.publish(request(f"f{index}"))
    clock.at = T0 + timedelta(days=20)
    span = (T0.date() - timedelta(days=5), T0.date() + timedelta(days=15))
    rows = sandbox.fetch_account_metrics(*span)
    quiet = make(seed=7, clock=clock).fetch_account_metrics(*span)  # same seed, no posts
    assert len(rows) == len(quiet) == 21
    for before, row in itertools.pairwise(rows):
        assert row.followers_total - before.followers_total == (
            row.followers_gained - row.followers_lost
        )
        assert row.followers_lost >= 0
        assert row.followers_lost < row.followers_gained or row.followers_gained < 10
    assert rows[0] == quiet[0]  # before the posts: the same organic account
    gained = rows[-1].followers_total - quiet[-1].followers_total
    follows = sum(
        model.profile(connector.post_for(7, i)).totals.follows for i in ledger.remote_ids("seed:7")
    )
    assert 0.9 * follows <= gained <= follows
    # A later window starts from the same totals (closed form, not a running sum).
    again = sandbox.fetch_account_metrics(span[0] + timedelta(days=10), span[1])
    assert again == rows[10:]


def test_account_metrics_stop_at_today():
    sandbox = make(clock=Clock(T0))
    yesterday = T0.date() - timedelta(days=1)
    rows = sandbox.fetch_account_metrics(yesterday, T0.date() + timedelta(days=5))
    assert [row.day for row in rows] == [yesterday, T0.date()]


# Comments ---------------------------------------------------------------------------------


def test_comments_arrive_after_publishing_and_up_to_now_only():
    remote_id = make_remote_id("c1", T0, "short_video")
    seen = 0
    for hours in (0, 1, 6, 30, 24 * 15):
        now = T0 + timedelta(hours=hours)
        found = make(clock=Clock(now)).fetch_comments(remote_id)
        assert all(T0 < c.created_at <= now for c in found)
        assert len(found) >= seen
        seen = len(found)
    assert seen == model.profile(connector.post_for(7, remote_id)).totals.comments > 0
    assert len({c.remote_id for c in found}) == len(found)
    assert [c.created_at for c in found] == sorted(c.created_at for c in found)


def test_since_returns_only_newer_comments():
    remote_id = make_remote_id("c2", T0, "short_video")
    sandbox = make(clock=Clock(T0 + timedelta(days=3)))
    every = sandbox.fetch_comments(remote_id)
    cut = every[len(every) // 2].created_at
    newer = sandbox.fetch_comments(remote_id, since=cut)
    assert newer == [c for c in every if c.created_at > cut]
    assert newer
    assert len(newer) < len(every)


def test_comments_look_like_chinese_fans_and_replies_point_backwards():
    clock = Clock(T0 + timedelta(days=15))
    found = []
    for index in range(10):
        found += make(clock=clock).fetch_comments(make_remote_id(f"zh{index}", T0, "short_video"))
    assert len(found) > 100
    han = re.compile(r"[\u4e00-\u9fff]")
    assert sum(bool(han.search(c.text)) for c in found) >= 0.9 * len(found)
    assert all(c.author_id.startswith("sbxu-") and c.author_name for c in found)
    assert all("{" not in c.text for c in found)
    by_id = {c.remote_id: c for c in found}
    replies = [c for c in found if c.parent_remote_id]
    assert replies
    for reply in replies:
        assert by_id[reply.parent_remote_id].created_at <= reply.created_at


def test_negative_share_stays_within_the_configured_bounds():
    mix = comments.CommentMix(negative_share=(0.05, 0.15), burst_share=(0.4, 0.6))
    bursts = calm = 0
    for index in range(200):
        post = post_at(T0, key=f"neg{index}")
        result = comments.post_comments(post, mix)
        n = len(result.comments)
        if n < 10:
            continue
        low, high = mix.burst_share if result.burst else mix.negative_share
        assert low - 1 / n <= result.negative_share <= high + 1 / n
        bursts += result.burst
        calm += not result.burst
    assert bursts >= 5
    assert calm >= 80
    steady = comments.CommentMix(negative_share=(0.2, 0.3), burst_probability=0.0)
    for index in range(50):
        result = comments.post_comments(post_at(T0, key=f"st{index}"), steady)
        n = len(result.comments)
        assert not result.burst
        if n >= 10:
            assert 0.2 - 1 / n <= result.negative_share <= 0.3 + 1 / n


def test_a_burst_packs_its_negatives_together_in_time():
    mix = comments.CommentMix(burst_probability=1.0)
    post = next(
        p
        for p in (post_at(T0, key=f"b{index}") for index in range(100))
        if len(comments.post_comments(p, mix).comments) >= 40
    )
    kinds = [c.sentiment for c in comments.post_comments(post, mix).comments]
    packed = round(round(len(kinds) * comments.post_comments(post, mix).share) * mix.burst_packed)
    text = "".join("N" if kind == comments.NEGATIVE else "." for kind in kinds)
    assert "N" * packed in text
    assert any(c.kind == "angry" for c in comments.post_comments(post, mix).comments)


def test_replies_get_a_stable_id():
    remote_id = make_remote_id("r", T0, "note")
    comment = RemoteComment(
        remote_id="sbxc-1",
        post_remote_id=remote_id,
        author_id="sbxu-1",
        author_name="小熊",
        text="多少钱",
        created_at=T0 + timedelta(minutes=5),
    )
    sandbox = make()
    first = sandbox.reply(comment, "亲，到手价99元哦")
    assert first == make().reply(comment, "亲，到手价99元哦")
    assert first.startswith("sbxr-")
    assert first != sandbox.reply(comment, "亲，包邮哦")
    with pytest.raises(ConnectorError):
        sandbox.reply(comment, "   ")


def test_the_comment_templates_are_many_and_distinct():
    assert len(set(comments.ALL_TEMPLATES)) >= 150
    negatives = comments.COMPLAINT_SHIPPING + comments.COMPLAINT_QUALITY
    assert len(negatives + comments.COMPLAINT_SERVICE + comments.ANGRY) >= 40
    for template in comments.ALL_TEMPLATES:
        comments.fill(template, comments._slots(model.rng_for("t"), comments.HAPPY))


# Simulated failures -----------------------------------------------------------------------


def failing_keys(**credentials):
    sandbox = make(**credentials)
    sandbox.max_attempts = 1
    failed, errors = [], []
    for index in range(60):
        try:
            sandbox.publish(request(f"fail-{index}"))
        except ConnectorError as error:
            errors.append(error)
            failed.append(index)
    assert all(error.transient and error.code == "sandbox_unavailable" for error in errors)
    return failed, sandbox


def test_failure_rate_fails_attempts_transiently_and_deterministically():
    failed, sandbox = failing_keys(failure_rate=0.5)
    assert 10 <= len(failed) <= 50
    assert failing_keys(failure_rate=0.5)[0] == failed
    # Nothing was created for a failed attempt; the next attempt is a new draw.
    assert all(sandbox.lookup(f"fail-{index}") is None for index in failed)
    assert failing_keys()[0] == []
    assert len(failing_keys(failure_rate=1.0)[0]) == 60


def test_the_retry_loop_gets_through_transient_failures():
    slept = []
    sandbox = make(failure_rate=0.5)
    sandbox.sleep = slept.append
    sandbox.max_attempts = 8
    results = [sandbox.publish(request(f"retry-{index}")) for index in range(30)]
    assert len({result.remote_id for result in results}) == 30
    assert slept  # some first attempts failed and were retried


def test_a_lost_response_leaves_a_post_that_lookup_reconciles():
    sandbox = make(lost_response_rate=1.0)
    sandbox.max_attempts = 1
    with pytest.raises(ConnectorError) as error:
        sandbox.publish(request("lost"))
    assert error.value.transient
    assert error.value.code == "sandbox_lost_response"
    found = sandbox.lookup("lost")
    assert found is not None
    assert sandbox.publish(request("lost")) == found  # the retry is idempotent


# Labelling --------------------------------------------------------------------------------


def test_everything_says_it_is_simulated():
    for module in (connector, model, comments):
        assert "模拟" in module.__doc__
        assert "沙盒" in module.__doc__
    from fanloop.channels import sandbox

    assert "模拟" in sandbox.__doc__
    name = connector.simulated_account_name(3)
    assert "沙盒" in name
    assert "模拟" in name
    assert ".invalid/" in make().publish(request()).url


@pytest.mark.django_db
def test_a_simulated_account_gets_the_sandbox_connector(member_with_role, workspace):
    from fanloop.channels.services import accounts
    from fanloop.core.permissions import Role

    account = accounts.connect_account(
        actor=member_with_role(Role.OPERATOR),
        workspace=workspace,
        platform="douyin",
        display_name=connector.simulated_account_name(5),
        credentials={"seed": 5},
        simulated=True,
    )
    sandbox = accounts.connector_for(account, now=Clock(), ledger=MemoryLedger())
    assert isinstance(sandbox, SandboxConnector)
    assert sandbox.seed == 5
    result = sandbox.publish(request("db-account"))
    assert sandbox.lookup("db-account") == result
