"""Retraining the classifier on operators' corrections."""

import pytest

from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.nlp import Correction, classify, classify_many, default_model, retrain

GENERAL = [
    ("质量太差了，申请退货", 0),
    ("垃圾产品，再也不买了", 0),
    ("物流太慢了，等了一个星期", 0),
    ("屏幕有坏点，很失望", 0),
    ("太好用了，强烈推荐", 1),
    ("质量很好，物流也快，很满意", 1),
    ("客服态度很好，耐心解答", 1),
    ("味道不错，会回购", 1),
]


def test_sentiment_corrections_change_the_model_and_close_variants():
    # Given the base model does not see praise in this slang
    base = default_model()
    assert classify("这个颜色绝了", base).sentiment != Sentiment.POSITIVE
    # When an operator corrects it to positive a few times
    model = retrain(base, [Correction("这个颜色绝了", sentiment=Sentiment.POSITIVE)] * 3)
    # Then it and close variants come out positive
    for text in ("这个颜色绝了", "颜色绝了！", "这款颜色真的绝了"):
        assert classify(text, model).sentiment == Sentiment.POSITIVE, text
    # and the base model is untouched
    assert classify("这个颜色绝了", base).sentiment != Sentiment.POSITIVE


def test_retraining_keeps_general_knowledge():
    base = default_model()
    corrections = [
        Correction("这个颜色绝了", sentiment=Sentiment.POSITIVE),
        Correction("蹲到了，绝绝子", sentiment=Sentiment.POSITIVE),
        Correction("发货速度一般吧", sentiment=Sentiment.NEUTRAL),
    ]
    model = retrain(base, corrections)
    got = classify_many([text for text, _label in GENERAL], model)
    assert [int(c.sentiment_score >= 0.5) for c in got] == [label for _t, label in GENERAL]
    assert model.meta["corrections"] == 3


def test_neutral_corrections_pull_towards_neutral():
    text = "这个包装盒是纸的"
    model = retrain(default_model(), [Correction(text, sentiment=Sentiment.NEUTRAL)] * 2)
    assert classify(text, model).sentiment == Sentiment.NEUTRAL


def test_intent_corrections_change_the_intent():
    base = default_model()
    text = "主播身上那件外套还有吗"
    wrong = classify(text, base).intent
    target = Intent.PURCHASE_INTENT if wrong != Intent.PURCHASE_INTENT else Intent.INQUIRY
    model = retrain(base, [Correction(text, intent=target)] * 3)
    assert classify(text, model).intent == target
    # only the intent was corrected: the sentiment part is the base's
    assert classify(text, model).sentiment_score == pytest.approx(
        classify(text, base).sentiment_score
    )


def test_retrain_survives_serialization():
    model = retrain(default_model(), [Correction("这个颜色绝了", sentiment="positive")] * 3)
    copy = type(model).from_bytes(model.to_bytes())
    assert classify("这个颜色绝了", copy).sentiment == Sentiment.POSITIVE


def test_no_usable_corrections_change_nothing():
    base = default_model()
    model = retrain(base, [Correction("   ", sentiment="positive")])
    assert classify_many(["太好用了", "在吗"], model) == classify_many(["太好用了", "在吗"], base)


@pytest.mark.parametrize(
    "kwargs", [{"sentiment": "great"}, {"intent": "refund"}, {"sentiment": "Positive"}]
)
def test_unknown_labels_are_refused(kwargs):
    with pytest.raises(ValueError, match="unknown"):
        Correction("文本", **kwargs)
