"""Rules 2 and 3: medical/efficacy claims, the health-food disclaimer, the ad label."""

from fanloop.compliance.engine import CheckContext, Severity, check_text


def by_rule(text, context, rule):
    return [f for f in check_text(text, context) if f.rule == rule]


def test_disease_claims_block_outside_medical_ads():
    text = "喝了能降血压，还能抗癌"
    findings = by_rule(text, CheckContext(product_kind="food"), "medical_claims")
    assert [(f.matched, f.start, f.category) for f in findings] == [
        ("降血压", text.index("降血压"), "disease_claim"),
        ("抗癌", text.index("抗癌"), "disease_claim"),
    ]
    assert all(f.severity == Severity.BLOCK and "第十七条" in f.source for f in findings)


def test_disease_terms_are_allowed_in_medical_ads():
    assert by_rule("用于治疗高血压", CheckContext(product_kind="medical"), "medical_claims") == []


def test_cosmetic_efficacy_blocks_unless_special_cosmetic():
    text = "美白祛斑精华，药妆品质"
    plain = by_rule(text, CheckContext(product_kind="cosmetics"), "medical_claims")
    assert [f.matched for f in plain] == ["美白", "祛斑", "药妆"]
    assert plain[0].category == "cosmetic_efficacy"
    special = CheckContext(product_kind="cosmetics", special_cosmetic=True)
    assert by_rule(text, special, "medical_claims") == []
    # a general product is not judged by the cosmetics list
    assert by_rule(text, CheckContext(), "medical_claims") == []


def test_health_food_needs_the_disclaimer():
    # Given a health-food text without the disclaimer
    context = CheckContext(product_kind="health_food")
    [missing] = by_rule("每天两粒，精力充沛", context, "medical_claims")
    # Then a blocking finding with an empty span says so
    assert (missing.category, missing.start, missing.end, missing.matched) == (
        "health_food_disclaimer",
        0,
        0,
        "",
    )
    assert "第十八条" in missing.source
    # And with the disclaimer (either wording) nothing is reported
    assert by_rule("每天两粒。本品不能代替药物", context, "medical_claims") == []
    assert by_rule("本品不能代替药物治疗疾病。每天两粒", context, "medical_claims") == []


def test_health_food_may_not_claim_to_treat_disease():
    text = "本品不能代替药物。可治愈失眠"
    found = by_rule(text, CheckContext(product_kind="health_food"), "medical_claims")
    assert [f.matched for f in found] == ["治愈", "失眠"]


def test_hard_ads_and_sponsored_posts_need_the_ad_label():
    text = "新品上市，欢迎选购"
    [missing] = by_rule(text, CheckContext(purpose="hard_ad"), "ad_label")
    assert (missing.severity, missing.start, missing.end, missing.matched) == ("block", 0, 0, "")
    assert "第十四条" in missing.source
    assert by_rule(text, CheckContext(sponsored=True, platform="douyin"), "ad_label")
    assert by_rule("广告｜" + text, CheckContext(purpose="hard_ad"), "ad_label") == []
    # not an ad: no label needed
    assert by_rule(text, CheckContext(), "ad_label") == []


def test_xiaohongshu_cooperation_label_is_accepted_with_a_note():
    context = CheckContext(sponsored=True, platform="xiaohongshu")
    [note] = by_rule("#品牌合作 新品试用", context, "ad_label")
    assert note.severity == Severity.INFO
    # the same label is not enough on another platform
    other = by_rule(
        "#品牌合作 新品试用", CheckContext(sponsored=True, platform="weibo"), "ad_label"
    )
    assert other[0].severity == Severity.BLOCK
