"""Rule 1: absolute / superlative wording (《广告法》第九条第三项) and harmless contexts."""

import pytest

from fanloop.compliance.engine import (
    CheckContext,
    Severity,
    WorkspaceTermSpec,
    check_text,
    has_blocking,
)


def rule_hits(text, rule="absolute_terms", context=None):
    return [f for f in check_text(text, context) if f.rule == rule]


def test_superlative_is_blocked_with_exact_span_and_suggestion():
    # Given a post using 最好
    text = "这款面霜是今年最好的选择。"
    # When it is checked
    [finding] = rule_hits(text)
    # Then 最好 is blocked at its exact offsets, citing the law, with a replacement
    start = text.index("最好")
    assert (finding.start, finding.end, finding.matched) == (start, start + 2, "最好")
    assert finding.matched == text[finding.start : finding.end]
    assert finding.severity == Severity.BLOCK
    assert finding.category == "superlative_zui"
    assert "第九条第三项" in finding.source
    assert "很好" in finding.suggestion
    assert has_blocking([finding])


@pytest.mark.parametrize(
    ("text", "term", "category"),
    [
        ("销量全国第一的品牌", "全国第一", "first_unique"),
        ("国家级品质", "国家级", "level_extreme"),
        ("唯一的选择", "唯一", "first_unique"),
        ("世界级工艺", "世界级", "level_extreme"),
        ("驰名商标认证", "驰名商标", "authority"),
        ("恭喜获奖，点击领奖", "恭喜获奖", "inducement"),
        ("戴上它招财进宝", "招财进宝", "superstition"),
        ("第一", "第一", "first_unique"),
    ],
)
def test_each_category_is_found(text, term, category):
    findings = rule_hits(text)
    assert findings[0].matched == term
    assert findings[0].start == text.index(term)
    assert findings[0].category == category


def test_longest_match_wins_at_overlapping_positions():
    # Given 全国首家 which contains 首家
    text = "我们是全国首家门店"
    # Then one finding covers the longer term
    [finding] = rule_hits(text)
    assert (finding.matched, finding.start) == ("全国首家", 3)


@pytest.mark.parametrize(
    "text",
    [
        "第一次用这个牌子",
        "最近很忙",
        "活动最后一天",
        "最好不要熬夜",
        "唯一的缺点是贵",
        "首先打开包装",
    ],
)
def test_harmless_contexts_are_not_flagged(text):
    assert rule_hits(text) == []


def test_exception_only_hides_the_hit_it_covers():
    # Given a harmless 第一次 and a real claim 第一 later
    text = "第一次见面，服务第一"
    [finding] = rule_hits(text)
    assert (finding.matched, finding.start) == ("第一", text.rindex("第一"))


def test_latin_terms_are_case_and_width_insensitive_with_original_offsets():
    text = "销量 no.1，人气 ＮＯ．１，Top1 好物"
    found = [(f.matched, f.start) for f in rule_hits(text)]
    assert ("no.1", text.index("no.1")) in found
    assert ("ＮＯ．１", text.index("ＮＯ．１")) in found
    assert ("Top1", text.index("Top1")) in found


def test_latin_terms_need_word_boundaries():
    assert rule_hits("top100 榜单之外") == []


def test_offsets_hold_after_characters_whose_lower_case_is_longer():
    # İ lower-cases to two characters; normalisation must not shift offsets
    text = "İİ 最佳"
    [finding] = rule_hits(text)
    assert text[finding.start : finding.end] == "最佳"


def test_clean_text_has_no_findings():
    assert check_text("今天天气不错，我们去公园散步。") == []


def test_workspace_extra_terms_and_allowed_terms():
    # Given a workspace that bans 爆款 and allows 第一品牌
    context = CheckContext(
        extra_terms=(WorkspaceTermSpec("爆款", "custom", Severity.WARN, "品牌规范"),),
        allowed_terms=frozenset({"第一品牌"}),
    )
    text = "爆款上新，第一品牌"
    findings = check_text(text, context)
    # Then 爆款 is a warning and 第一品牌 (and the 第一 inside it) is not flagged
    assert [(f.matched, f.severity, f.rule) for f in findings] == [
        ("爆款", "warn", "workspace_terms")
    ]
    assert "品牌规范" in findings[0].explanation


def test_findings_are_sorted_and_serialisable():
    text = "最佳选择，全网最低价，唯一"
    findings = check_text(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    data = findings[0].as_dict()
    assert set(data) >= {"rule", "severity", "start", "end", "matched", "category", "field"}
