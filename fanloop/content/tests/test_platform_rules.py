"""Platform publishing rules: the table, counting, topics and check_variant (no database)."""

import pytest

from fanloop.content.platform_rules import (
    RULES,
    VARIANTS,
    Limit,
    MediaInfo,
    check_variant,
    format_topic,
    parse_topics,
    rules_for,
    rules_table,
    text_length,
)
from fanloop.core.platforms import Platform

PLATFORMS = [
    Platform.WECHAT_OA,
    Platform.WECOM,
    Platform.WEIBO,
    Platform.DOUYIN,
    Platform.XIAOHONGSHU,
    Platform.BILIBILI,
    Platform.ZHIHU,
    Platform.KUAISHOU,
]


def image(width=1080, height=1440):
    return MediaInfo("image", width, height, None)


def video(width=1080, height=1920, seconds=30.0):
    return MediaInfo("video", width, height, seconds)


def check(platform, **overrides):
    kwargs = {
        "title": "标题",
        "body": "正文",
        "topics": [],
        "mentions": [],
        "media": [],
        "cover": None,
    }
    kwargs.update(overrides)
    return check_variant(platform, **kwargs)


def codes(problems):
    return [p.code for p in problems]


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, codes(problems)
    return found[0]


# --- the table ---------------------------------------------------------------------------


def test_every_platform_has_rules_and_every_limit_has_a_source():
    # given the table, when every limit is listed, then each one says where it comes from
    assert set(RULES) == set(PLATFORMS)
    for rules in [*RULES.values(), *VARIANTS.values()]:
        assert rules.topic_style in ("double_hash", "single_hash", "none")
        assert rules.media_required in ("none", "image_or_video", "video", "image")
        for name, limit in [*rules.limits().items(), *rules.extra_limits]:
            assert isinstance(limit, Limit)
            assert limit.source, (rules.platform, name)
            if limit.value is None:
                assert limit.source.startswith("unknown:"), (rules.platform, name)
            else:
                assert limit.source.startswith(("official:", "widely cited")), (
                    rules.platform,
                    name,
                )
                assert "2026-11-23" in limit.source


def test_documented_numbers_are_in_the_table():
    # given the facts confirmed from official docs, then the table carries them
    assert rules_for(Platform.WECHAT_OA).title_max.value == 32
    assert rules_for(Platform.WECHAT_OA).body_max.value == 19999
    assert dict(rules_for(Platform.WECHAT_OA).extra_limits)["author_max"].value == 16
    assert dict(rules_for(Platform.WECHAT_OA).extra_limits)["digest_max"].value == 128
    assert rules_for(Platform.WECOM).attachments_max.value == 9
    assert dict(rules_for(Platform.WEIBO).extra_limits)["api_share_body_max"].value == 140
    assert rules_for(Platform.DOUYIN).video_duration_max_seconds.value == 900
    # and numbers nobody documents stay unknown
    assert rules_for(Platform.ZHIHU).title_max.value is None
    assert rules_for(Platform.KUAISHOU).body_max.value is None


def test_rules_table_rows_show_unknown_and_sources():
    # when the UI asks for the table
    rows = rules_table()
    # then there is a row per platform plus the content-type variants
    assert {row["platform"] for row in rows} == {str(p) for p in PLATFORMS}
    assert len(rows) == len(PLATFORMS) + 2
    zhihu = next(r for r in rows if r["platform"] == "zhihu")
    assert zhihu["title_max"] == "unknown"
    assert str(zhihu["title_max_source"]).startswith("unknown:")
    wechat = next(r for r in rows if r["platform"] == "wechat_oa" and r["variant"] == "article")
    assert wechat["title_max"] == 32
    assert "api_draft_add" in str(wechat["title_max_source"])
    assert wechat["label"] == "WeChat Official Account"


def test_rules_for_unknown_platform_raises():
    with pytest.raises(ValueError, match="taobao"):
        rules_for(Platform.TAOBAO)


def test_content_type_selects_variant_only_where_rules_depend_on_it():
    assert rules_for(Platform.WECHAT_OA, "article").variant == "article"
    assert rules_for(Platform.WECHAT_OA, "image_text").variant == "newspic"
    assert rules_for(Platform.BILIBILI, "note").variant == "dynamic"
    assert rules_for(Platform.WEIBO, "short_video") is RULES[Platform.WEIBO]


# --- counting ----------------------------------------------------------------------------


def test_weibo_counts_two_ascii_characters_as_one_rounding_up():
    # given mixed Chinese and Latin text
    # when counted for Weibo, then 2 ASCII = 1 字 and halves round up
    assert text_length(Platform.WEIBO, "中文") == 2
    assert text_length(Platform.WEIBO, "abcd") == 2
    assert text_length(Platform.WEIBO, "abc") == 2
    assert text_length(Platform.WEIBO, "双11 sale!") == 1 + 4  # 双 + ceil(8/2)
    assert text_length(Platform.WEIBO, "") == 0


def test_other_platforms_count_characters():
    assert text_length(Platform.XIAOHONGSHU, "双11 sale!") == 9
    assert text_length(Platform.WECHAT_OA, "😀a") == 2


# --- topics -------------------------------------------------------------------------------


def test_weibo_topics_are_double_hash():
    assert format_topic(Platform.WEIBO, "双11") == "#双11#"
    assert format_topic(Platform.WEIBO, "#双11#") == "#双11#"
    assert parse_topics(Platform.WEIBO, "来了 #双11# 和 #年货节# 再 #双11#") == ["双11", "年货节"]


@pytest.mark.parametrize(
    "platform", [Platform.XIAOHONGSHU, Platform.DOUYIN, Platform.KUAISHOU, Platform.BILIBILI]
)
def test_single_hash_topics_end_at_space_punctuation_or_end(platform):
    assert format_topic(platform, "双11") == "#双11"
    text = "好物#双11 #春节，快乐 #OOTD 链接 https://a.cn/#frag"
    assert parse_topics(platform, text) == ["双11", "春节", "OOTD"]


def test_platforms_without_inline_topics():
    assert format_topic(Platform.ZHIHU, " 营销 ") == "营销"
    assert parse_topics(Platform.WECHAT_OA, "#双11#") == []


# --- check_variant: text -----------------------------------------------------------------


def test_title_over_limit_is_an_error_with_numbers():
    # given a Xiaohongshu title of 21 characters
    problems = check(Platform.XIAOHONGSHU, title="好" * 21, media=[image()])
    # then one error naming the actual length and the limit
    problem = only(problems, "title_too_long")
    assert (problem.severity, problem.field, problem.limit, problem.actual) == (
        "error",
        "title",
        20,
        21,
    )
    assert "21" in problem.message
    assert "20" in problem.message
    # and exactly 20 passes
    assert check(Platform.XIAOHONGSHU, title="好" * 20, media=[image()]) == []


def test_weibo_body_length_uses_weibo_counting():
    # 4000 ASCII characters are 2000 字: allowed; one more Chinese character is not
    assert check(Platform.WEIBO, body="a" * 4000) == []
    problem = only(check(Platform.WEIBO, body="a" * 4000 + "中"), "body_too_long")
    assert (problem.limit, problem.actual) == (2000, 2001)
    assert "2001" in problem.message
    assert "2000" in problem.message


def test_required_title_and_body_missing():
    # given a WeChat OA article without title or body
    problems = check(Platform.WECHAT_OA, title=" ", body="", cover=image(900, 383))
    # then both are errors
    assert only(problems, "title_required").severity == "error"
    assert only(problems, "body_required").field == "body"
    # and with both present there is nothing to report
    assert check(Platform.WECHAT_OA, cover=image(900, 383)) == []


def test_unknown_limits_are_skipped():
    # Zhihu has no confirmed limits: a huge title produces no problem
    assert check(Platform.ZHIHU, title="长" * 10_000, body="文" * 100_000) == []


# --- check_variant: topics and mentions --------------------------------------------------


@pytest.mark.parametrize("bad", ["", " ", "双 11", "双#11", "#双11"])
def test_topic_syntax_errors_name_the_platform_style(bad):
    problem = only(check(Platform.WEIBO, topics=[bad]), "topic_invalid")
    assert problem.severity == "error"
    assert "#话题#" in problem.message
    problem = only(check(Platform.XIAOHONGSHU, topics=[bad], media=[image()]), "topic_invalid")
    assert "#话题" in problem.message
    assert "#话题#" not in problem.message


def test_valid_topics_pass():
    assert check(Platform.WEIBO, topics=["双11", "OOTD"]) == []


def test_too_many_topics_counts_listed_and_inline_topics():
    # given Bilibili (tags ≤ 10): 9 listed + 2 new inline = 11 distinct
    listed = [f"t{i}" for i in range(9)]
    problems = check(
        Platform.BILIBILI, topics=listed, body="#t0 #x1 #x2", media=[video(1920, 1080)]
    )
    problem = only(problems, "too_many_topics")
    assert (problem.limit, problem.actual) == (10, 11)
    assert "11" in problem.message
    assert "10" in problem.message
    # when one inline topic repeats a listed one, 10 distinct pass
    assert check(Platform.BILIBILI, topics=listed, body="#t0 #x1", media=[video(1920, 1080)]) == []


@pytest.mark.parametrize("bad", ["", "@小明", "小 明", "小明\t"])
def test_mention_syntax(bad):
    problem = only(check(Platform.WEIBO, mentions=[bad]), "mention_invalid")
    assert problem.field == "mentions"
    assert check(Platform.WEIBO, mentions=["小明", "brand_cn"]) == []


def test_too_many_mentions_when_a_limit_is_known(monkeypatch):
    # no platform documents a mention cap, so give one a known limit for this test
    import dataclasses

    rules = dataclasses.replace(RULES[Platform.WEIBO], mentions_max=Limit(2, "test"))
    monkeypatch.setitem(RULES, Platform.WEIBO, rules)
    problem = only(check(Platform.WEIBO, mentions=["a", "b", "c"]), "too_many_mentions")
    assert (problem.limit, problem.actual) == (2, 3)
    assert check(Platform.WEIBO, mentions=["a", "b"]) == []


# --- check_variant: media ----------------------------------------------------------------


def test_too_many_images():
    problem = only(check(Platform.XIAOHONGSHU, media=[image()] * 19), "too_many_images")
    assert (problem.limit, problem.actual) == (18, 19)
    assert "19" in problem.message
    assert "18" in problem.message
    assert check(Platform.XIAOHONGSHU, media=[image()] * 18) == []


def test_too_many_videos():
    problem = only(check(Platform.XIAOHONGSHU, media=[video(1080, 1440)] * 2), "too_many_videos")
    assert (problem.limit, problem.actual) == (1, 2)
    assert check(Platform.XIAOHONGSHU, media=[video(1080, 1440)]) == []


def test_too_many_attachments_on_wecom():
    problem = only(check(Platform.WECOM, media=[image()] * 10), "too_many_attachments")
    assert (problem.limit, problem.actual) == (9, 10)
    assert "10" in problem.message
    assert "9" in problem.message
    assert check(Platform.WECOM, media=[image()] * 5 + [video()] * 4) == []


def test_wrong_media_kind_for_the_format():
    # given a video on a WeChat OA picture message (newspic)
    problems = check(
        Platform.WECHAT_OA, content_type="image_text", media=[image(), video()], cover=None
    )
    problem = only(problems, "media_kind_not_allowed")
    assert problem.severity == "error"
    assert problem.actual == 1
    # and an image on a Bilibili video 稿件
    assert "media_kind_not_allowed" in codes(
        check(Platform.BILIBILI, media=[video(1920, 1080), image()])
    )
    # when only images, the picture message passes
    assert check(Platform.WECHAT_OA, content_type="image_text", media=[image()]) == []


def test_mixed_images_and_videos_where_not_allowed():
    problem = only(check(Platform.XIAOHONGSHU, media=[image(), video(1080, 1440)]), "mixed_media")
    assert problem.severity == "error"
    # Douyin's rule is unknown: no problem
    assert "mixed_media" not in codes(check(Platform.DOUYIN, media=[image(1080, 1920), video()]))


def test_required_media_missing():
    assert only(check(Platform.XIAOHONGSHU), "media_required").field == "media"
    assert only(check(Platform.BILIBILI), "media_required").message.endswith("requires a video.")
    assert only(check(Platform.WECHAT_OA, content_type="note"), "media_required")
    assert check(Platform.XIAOHONGSHU, media=[video(1080, 1440)]) == []


def test_video_longer_than_the_maximum():
    problem = only(check(Platform.DOUYIN, media=[video(seconds=900.5)]), "video_too_long")
    assert (problem.limit, problem.actual) == (900, 900.5)
    assert "900.5" in problem.message
    assert "900" in problem.message
    assert check(Platform.DOUYIN, media=[video(seconds=900)]) == []
    # unknown duration limit (Xiaohongshu) or unknown length (None) skip the check
    assert check(Platform.XIAOHONGSHU, media=[video(1080, 1440, seconds=99_999)]) == []
    assert check(Platform.DOUYIN, media=[video(seconds=None)]) == []


def test_aspect_ratio_outside_recommended_set_is_a_warning_with_tolerance():
    # given a square image on Xiaohongshu (3:4 recommended)
    problem = only(check(Platform.XIAOHONGSHU, media=[image(1080, 1080)]), "aspect_ratio")
    assert problem.severity == "warning"
    assert "1080×1080" in problem.message
    assert "3:4" in problem.message
    assert problem.limit == 0.75
    assert problem.actual == 1.0
    # within 2 % passes (1080x1420 is 0.761, 1.4 % off)
    assert check(Platform.XIAOHONGSHU, media=[image(1080, 1420)]) == []
    # unknown recommendations (Weibo) never warn
    assert check(Platform.WEIBO, media=[image(5000, 100)]) == []


def test_cover_required_and_cover_ratio():
    # WeChat OA articles need a cover
    assert only(check(Platform.WECHAT_OA), "cover_required").field == "cover"
    # a 2.35:1 or 1:1 cover passes, any other ratio warns
    assert check(Platform.WECHAT_OA, cover=image(470, 200)) == []
    problem = only(check(Platform.WECHAT_OA, cover=image(1080, 1440)), "cover_aspect_ratio")
    assert problem.severity == "warning"
    # Kuaishou's publish API needs a cover only for videos
    assert only(check(Platform.KUAISHOU, media=[video()]), "cover_required")
    assert check(Platform.KUAISHOU, media=[image()]) == []
    assert check(Platform.KUAISHOU, media=[video()], cover=image()) == []


def test_link_rules():
    long_link = "https://example.com/" + "a" * 1100
    problem = only(
        check(Platform.WECHAT_OA, cover=image(470, 200), link=long_link), "link_too_long"
    )
    assert (problem.limit, problem.actual) == (1024, len(long_link))
    assert check(Platform.WECHAT_OA, cover=image(470, 200), link="https://example.com/") == []


def test_link_not_allowed_when_a_platform_forbids_links(monkeypatch):
    import dataclasses

    rules = dataclasses.replace(RULES[Platform.ZHIHU], link_allowed=False)
    monkeypatch.setitem(RULES, Platform.ZHIHU, rules)
    assert only(check(Platform.ZHIHU, link="https://x.cn"), "link_not_allowed").severity == "error"
    assert check(Platform.ZHIHU) == []


def test_messages_are_english_source_text():
    # the English source text is what tests read; gettext wraps every message
    problem = only(check(Platform.XIAOHONGSHU, title="好" * 21, media=[image()]), "title_too_long")
    assert problem.message.startswith("The title is 21 characters long")
