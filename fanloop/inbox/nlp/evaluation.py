"""Accuracy and macro-F1 of the binary sentiment decision.

On two-class corpora a message counts as positive when ``sentiment_score >= 0.5``:
the neutral band is ignored there, since those corpora have no neutral class.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .model import SentimentModel


@dataclass(frozen=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float


def binary_scores(truth: Sequence[int], predicted: Sequence[int]) -> Scores:
    n = len(truth)
    if n == 0:
        return Scores(0, 0.0, 0.0)
    correct = sum(t == p for t, p in zip(truth, predicted, strict=True))
    f1s = []
    for cls in (0, 1):
        tp = sum(t == cls and p == cls for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != cls and p == cls for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == cls and p != cls for t, p in zip(truth, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return Scores(n, correct / n, sum(f1s) / 2)


def evaluate(model: SentimentModel, rows: Sequence[tuple[str, int]]) -> Scores:
    """Scores of ``model`` on (text, label) rows, label 1 = positive, 0 = negative."""
    results = model.classify_many([text for text, _label in rows])
    predicted = [int(c.sentiment_score >= 0.5) for c in results]
    return binary_scores([label for _text, label in rows], predicted)
