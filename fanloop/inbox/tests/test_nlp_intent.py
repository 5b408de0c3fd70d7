"""Intent of inbox messages, against a fixed hand-labelled set, and common keywords."""

import csv
from pathlib import Path

import pytest

from fanloop.inbox.labels import Intent
from fanloop.inbox.nlp import classify, classify_many, keywords
from fanloop.inbox.nlp.train import read_seeds

CASES = Path(__file__).parent / "data" / "intent_cases.tsv"


def cases() -> list[tuple[str, str]]:
    with open(CASES, encoding="utf-8", newline="") as handle:
        return [
            (row["text"], row["intent"])
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


def test_the_hand_labelled_set_is_sound_and_apart_from_the_seeds():
    rows = cases()
    assert len(rows) >= 120
    assert {intent for _text, intent in rows} == set(Intent.values)
    assert not {text for text, _i in rows} & {seed.text for seed in read_seeds()}


def test_intent_accuracy_on_the_hand_labelled_set_holds_a_floor():
    rows = cases()
    got = classify_many([text for text, _intent in rows])
    right = sum(result.intent == intent for result, (_t, intent) in zip(got, rows, strict=True))
    # Measures 95% at the time of writing; a broken model or lexicon falls far below.
    assert right / len(rows) >= 0.85


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("质量太差了，申请退货", Intent.AFTER_SALES),
        ("快递一个星期了还没到", Intent.AFTER_SALES),
        ("我要投诉，你们卖假货", Intent.COMPLAINT),
        ("求链接！", Intent.PURCHASE_INTENT),
        ("什么时候补货", Intent.PURCHASE_INTENT),
        ("敏感肌能用吗？", Intent.INQUIRY),
        ("几号发货？", Intent.INQUIRY),
        ("太好用了，已经回购了", Intent.PRAISE),
        ("抽我抽我", Intent.OTHER),
    ],
)
def test_typical_messages(text, intent):
    assert classify(text).intent == intent


def test_common_keywords_count_messages_not_repeats():
    texts = ["退货退货退货，快递太慢", "快递把盒子压坏了", "快递员态度差", "颜色很好看"]
    found = dict(keywords(texts, top=3))
    assert found["快递"] == 3
    assert len(found) == 3
    assert "的" not in found


def test_keywords_of_nothing_is_empty():
    assert keywords([]) == []
    assert keywords(["", "了的"]) == []
