"""Rule 5: originality against the workspace's earlier texts (MinHash + LSH)."""

import numpy as np
import pytest

from fanloop.compliance import originality
from fanloop.compliance.models import OriginalityBand, OriginalityEntry

pytestmark = pytest.mark.django_db

BASE = (
    "秋冬换季皮肤容易干燥，这款保湿面霜质地轻薄，上脸很快吸收，不油腻也不黏。"
    "我连续用了两个星期，早上起来脸颊不再紧绷，上妆也更服帖。包装是按压式的，"
    "卫生又方便，出差带着也不占地方。唯一想吐槽的是香味有点淡，喜欢浓香的朋友可能会失望。"
    "整体来说性价比很高，已经回购第二瓶了，推荐给干皮的姐妹们试试。"
)
NEAR = BASE.replace("两个星期", "三个星期").replace("性价比很高", "性价比挺高")
UNRELATED = (
    "周末带孩子去郊外露营，帐篷搭好以后我们在河边钓鱼，晚上一起烤玉米看星星。"
    "山里的空气特别清新，孩子玩得很开心，回家路上就睡着了，下次还想再来。"
)


def test_signature_shape_and_similarity_estimate():
    a, b = originality.signature(BASE), originality.signature(NEAR)
    assert a.dtype == np.uint32
    assert a.shape == (128,)
    assert originality.similarity(a, b) > 0.7
    assert originality.similarity(a, originality.signature(UNRELATED)) < 0.1
    # punctuation and spacing do not matter
    respaced = BASE.replace("，", " ").replace("。", "! ")
    assert originality.similarity(a, originality.signature(respaced)) == 1.0


def test_buckets_fit_signed_64_bit():
    buckets = originality.band_buckets(originality.signature(BASE))
    assert len(buckets) == 32
    assert all(-(2**63) <= b < 2**63 for b in buckets)


def test_near_duplicate_is_found_and_unrelated_text_scores_100(workspace):
    # Given an index with one post and some unrelated ones
    originality.index_text(workspace, "variant:1", BASE, "保湿面霜测评")
    originality.index_text(workspace, "variant:2", UNRELATED, "露营")
    # When a near-duplicate is checked
    result = originality.check_originality(workspace, NEAR)
    # Then the original is the most similar piece and originality is low
    assert result.similar[0].key == "variant:1"
    assert result.similar[0].label == "保湿面霜测评"
    assert result.originality < 30
    assert result.originality == pytest.approx(100 * (1 - result.similar[0].similarity), abs=0.1)
    # And an unrelated text is fully original
    fresh = originality.check_originality(
        workspace, "今天学习了怎么做红烧肉，先焯水再炒糖色，最后小火慢炖一个小时。"
    )
    assert fresh.originality == 100.0
    assert fresh.similar == []


def test_exclude_keys_skips_the_piece_itself(workspace):
    originality.index_text(workspace, "variant:1", BASE, "self")
    assert originality.check_originality(workspace, BASE).originality == 0.0
    result = originality.check_originality(workspace, BASE, exclude_keys=["variant:1"])
    assert result.originality == 100.0


def test_index_text_upserts_and_remove_deletes(workspace):
    originality.index_text(workspace, "variant:1", BASE, "old")
    originality.index_text(workspace, "variant:1", UNRELATED, "new")
    assert OriginalityEntry.objects.filter(workspace=workspace).count() == 1
    assert OriginalityBand.objects.filter(workspace=workspace).count() == 32
    assert originality.check_originality(workspace, BASE).originality == 100.0
    assert originality.check_originality(workspace, UNRELATED).similar[0].label == "new"
    originality.remove(workspace, "variant:1")
    assert not OriginalityEntry.objects.exists()
    assert not OriginalityBand.objects.exists()


def test_workspace_isolation(workspace, other_workspace):
    # Given B indexed the text
    originality.index_text(other_workspace, "variant:9", BASE, "B's post")
    # Then A never sees it
    assert originality.check_originality(workspace, NEAR).similar == []
    assert originality.check_originality(other_workspace, NEAR).similar[0].label == "B's post"


def test_bulk_index_many(workspace):
    count = originality.index_many(
        workspace,
        [(f"post:{i}", f"{UNRELATED}{i}", f"#{i}") for i in range(5)] + [("post:x", BASE, "x")],
        batch_size=4,
    )
    assert count == 6
    assert OriginalityBand.objects.filter(workspace=workspace).count() == 6 * 32
    assert originality.check_originality(workspace, NEAR).similar[0].key == "post:x"


def test_empty_text_is_original_and_not_banded(workspace):
    originality.index_text(workspace, "variant:0", "！！！", "empty")
    assert OriginalityBand.objects.count() == 0
    assert originality.check_originality(workspace, "").originality == 100.0


def test_originality_finding(workspace):
    originality.index_text(workspace, "variant:1", BASE, "保湿面霜测评")
    result = originality.check_originality(workspace, NEAR)
    finding = originality.originality_finding(result, 60, text_length=len(NEAR))
    assert finding is not None
    assert (finding.rule, finding.severity, finding.start, finding.end) == (
        "originality",
        "warn",
        0,
        len(NEAR),
    )
    assert "保湿面霜测评" in finding.explanation
    assert f"{round(result.similar[0].similarity * 100)}%" in finding.explanation
    fresh = originality.OriginalityResult(originality=100.0, similar=[])
    assert originality.originality_finding(fresh, 60, text_length=10) is None
