"""Hot content: performance by topic, content type, purpose, posting time and keyword,
with the sample size of every group and small groups flagged."""

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.urls import reverse

from fanloop.analytics import hot_content
from fanloop.analytics.queries import Scope
from fanloop.analytics.tests.test_dashboard_pages import fact, make_campaign, make_variant, period
from fanloop.channels.models import PostMetricDaily

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 4)
LABELS: dict[str, dict[Any, str]] = {"content_type": {}, "purpose": {}, "weekday": {}}


def post(workspace, title, likes, *, impressions=1000, clicks=0, hour_utc=12, **kwargs):
    """A variant published on 2026-03-02 (Monday) at ``hour_utc`` UTC with one day of facts."""
    variant = make_variant(
        workspace, title, published_at=datetime(2026, 3, 2, hour_utc, tzinfo=UTC), **kwargs
    )
    fact(
        workspace,
        DAY,
        variant=variant,
        platform=variant.platform,
        impressions=impressions,
        likes=likes,
        unique_clicks=clicks,
        clicks=clicks,
    )
    return variant


def analyse(workspace, **scope):
    return hot_content.analyse(
        Scope(workspace.pk, date(2026, 3, 1), date(2026, 3, 31), **scope),
        workspace.zoneinfo,
        LABELS,
    )


def by_key(groups):
    return {group.key: group for group in groups}


def test_groups_by_topic_type_and_purpose_with_sample_sizes(workspace):
    # Given tutorials with a #护肤 topic doing well and hard ads doing badly
    for n, likes in enumerate([80, 100, 120]):
        post(
            workspace,
            f"教程{n}",
            likes,
            topics=["#护肤", "早C晚A"],
            purpose="tutorial",
            content_type="short_video",
            clicks=10,
        )
    for n, likes in enumerate([10, 20]):
        post(workspace, f"广告{n}", likes, topics=["护肤"], purpose="hard_ad", content_type="note")
    post(workspace, "小样本", 5, impressions=50, topics=["护肤"])  # under 100 exposures

    result = analyse(workspace)

    # Then each group has its n, median and mean; "#护肤" and "护肤" are one topic
    assert len(result.posts) == 5
    assert result.too_small == 1
    topics = by_key(result.topics)
    assert (topics["护肤"].n, topics["护肤"].median_er, topics["护肤"].mean_er) == (5, 8.0, 6.6)
    assert topics["早C晚A"].label == "#早C晚A"
    purposes = by_key(result.purposes)
    assert (purposes["tutorial"].n, purposes["tutorial"].median_er) == (3, 10.0)
    assert purposes["tutorial"].ctr == 1.0  # 30 clicks ÷ 3000 exposures
    assert purposes["hard_ad"].ctr is None  # no clicks: no CTR rather than 0 %
    # and a group of two posts is flagged too small, and sorted after the judged ones
    assert purposes["hard_ad"].too_small
    assert not purposes["tutorial"].too_small
    assert [group.key for group in result.content_types] == ["short_video", "note"]


def test_posting_time_in_workspace_zone_and_heatmap(workspace):
    # 12:00 UTC on Monday is 20:00 in Shanghai; 20:00 UTC Monday is 04:00 Tuesday there
    post(workspace, "a", 100, hour_utc=12)
    post(workspace, "b", 50, hour_utc=12)
    post(workspace, "c", 10, hour_utc=20)

    result = analyse(workspace)

    hours = by_key(result.hours)
    assert (hours[20].n, hours[20].median_er) == (2, 7.5)
    assert hours[20].label == "20:00"
    assert (hours[4].n, hours[4].median_er) == (1, 1.0)
    assert [(g.key, g.n) for g in result.weekdays] == [(0, 2), (1, 1)]
    assert result.heatmap == [(0, 20, 7.5, 2), (1, 4, 1.0, 1)]


def test_imported_only_posts_count_for_time_and_keywords(workspace):
    # Given posts known only from imported metrics, with titles and posting times
    for n, (title, likes) in enumerate(
        [("防晒霜测评", 150), ("防晒霜推荐", 140), ("口红试色", 20), ("口红合集", 10)]
    ):
        PostMetricDaily.objects.create(
            workspace=workspace,
            platform="weibo",
            post_key=f"w{n}",
            post_title=title,
            day=DAY,
            published_at=datetime(2026, 3, 3, 1, tzinfo=UTC),
            source="import",
        )
        fact(workspace, DAY, platform="weibo", post_key=f"w{n}", impressions=1000, likes=likes)

    result = analyse(workspace)

    assert {p.title for p in result.posts if p.engagement_rate > 10} == {"防晒霜测评", "防晒霜推荐"}
    assert [(g.key, g.n) for g in result.hours] == [(9, 4)]
    words = {k.word: k for k in result.keywords}
    # the top quartile is the posts at or above the 75th percentile (14.25 %): one post
    assert result.n_top == 1
    assert words["口红"].n == 2
    assert words["口红"].n_top == 0
    assert words["防晒霜"].n == 2
    assert words["防晒霜"].n_top == 1
    assert words["防晒霜"].share_top == 100.0
    assert words["防晒霜"].lift == 3.0
    assert all(k.too_small for k in result.keywords)  # two posts each: too few to judge


def test_keyword_lift_ranks_top_quartile_words_first(workspace):
    texts = ["爆款 防晒"] * 4 + ["日常 防晒"] * 8 + ["日常"] * 4
    posts = [
        hot_content.Post(
            key=str(n),
            ref=n,
            title=t,
            text=t,
            impressions=1000,
            engagements=0,
            clicks=0,
            engagement_rate=float(20 - n),
        )
        for n, t in enumerate(texts)
    ]

    keywords, threshold, n_top = hot_content.keyword_lift(posts, lambda text: text.split())

    assert (n_top, threshold) == (4, 16.25)
    assert [k.word for k in keywords][:1] == ["爆款"]
    top = keywords[0]
    assert (top.n, top.n_top, top.share_top, top.share_rest, top.lift) == (4, 4, 100.0, 0.0, None)
    sun = next(k for k in keywords if k.word == "防晒")
    assert (sun.n, sun.n_top, sun.lift) == (12, 4, round(100 / (8 * 100 / 12), 2))


def test_hot_page_filters_by_campaign_and_exports(client_for, admin_user, workspace):
    campaign = make_campaign(workspace)
    for n in range(3):
        variant = post(workspace, f"活动帖{n}", 50 + n, topics=["新品"])
        variant.item.campaign = campaign
        variant.item.save()
        fact(
            workspace,
            DAY,
            variant=variant,
            campaign=campaign,
            platform="xiaohongshu",
            impressions=1000,
            likes=10,
        )
    post(workspace, "别的帖子", 10, topics=["旧品"])
    client = client_for(admin_user)
    url = reverse("analytics_hot", args=[workspace.slug])
    params = {**period(date(2026, 3, 1), date(2026, 3, 31)), "campaign_filter": campaign.pk}

    response = client.get(url, params)

    assert response.status_code == 200
    topics = response.context["tables"]["topics"]
    assert [row.display[:2] for row in topics.rows] == [["#新品", "3"]]
    html = response.content.decode()
    for chart in ("heatmap", "topics", "hours", "content-types", "purposes"):
        assert f'data-testid="chart-{chart}"' in html
    download = client.get(url, {**params, "export": "csv", "table": "topics"})
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Topic", "Posts (n)"]
    assert rows[1][:2] == ["#新品", "3"]


def test_hot_page_empty_state(client_for, admin_user, workspace):
    response = client_for(admin_user).get(reverse("analytics_hot", args=[workspace.slug]))

    assert response.status_code == 200
    assert 'data-testid="analytics-empty"' in response.content.decode()
