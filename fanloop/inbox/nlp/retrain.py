"""Retraining on operators' corrections, without the original training data.

Both models are warm-started from the base model and penalised for moving away from
it: each weight by its precision, i.e. by how firmly the base's training data pinned
it (the diagonal of the loss's Hessian, stored in the model). So only the features of
the corrected messages move, and among them the rare, specific ones ("绝了") move
most while common ones ("这个", "颜色") barely do: a correction of "这个颜色绝了"
teaches that "绝了" praises, not that every remark about colour does. Each
correction weighs as much as many reviews, so a few can overturn a phrase.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from fanloop.inbox.labels import Intent, Sentiment

from . import features, linear
from .model import INTENTS, SentimentModel

CORRECTION_WEIGHT = 4.0
# Precision of a feature the base model never saw (the training runs' L2 is higher).
NEW_FEATURE_L2 = 1.0
TARGETS = {Sentiment.POSITIVE: 1.0, Sentiment.NEUTRAL: 0.5, Sentiment.NEGATIVE: 0.0}


@dataclass(frozen=True)
class Correction:
    """An operator's verdict on one message; a blank label was not corrected."""

    text: str
    sentiment: str = ""
    intent: str = ""

    def __post_init__(self) -> None:
        if self.sentiment and self.sentiment not in Sentiment.values:
            raise ValueError(f"unknown sentiment {self.sentiment!r}")
        if self.intent and self.intent not in Intent.values:
            raise ValueError(f"unknown intent {self.intent!r}")


def _extend(vocab: dict[str, int], grams: Sequence[list[str]]) -> dict[str, int]:
    grown = dict(vocab)
    for gs in grams:
        for g in gs:
            if g not in grown:
                grown[g] = len(grown)
    return grown


def _pad(values: np.ndarray, rows: int, fill: float = 0.0) -> np.ndarray:
    extra = rows - values.shape[0]
    if extra == 0:
        return values.copy()
    return np.concatenate([values, np.full((extra, *values.shape[1:]), fill)])


def _local_rows(rows: Sequence[set[int]]) -> tuple[linear.Rows, np.ndarray]:
    """Rows renumbered over just the features they use, and those features' indices."""
    used = np.asarray(sorted(set().union(*rows)), dtype=np.int64)
    local = {int(g): i for i, g in enumerate(used)}
    return linear.Rows.from_lists([sorted(local[g] for g in row) for row in rows]), used


def retrain(base: SentimentModel, corrections: Sequence[Correction]) -> SentimentModel:
    """A new model that has learned ``corrections`` on top of ``base`` (left unchanged)."""
    model = replace(
        base,
        meta={**base.meta, "corrections": int(base.meta.get("corrections", 0)) + len(corrections)},
    )
    usable = [c for c in corrections if features.normalize(c.text)]
    labelled = [c for c in usable if c.sentiment]
    if labelled:
        texts = [features.normalize(c.text) for c in labelled]
        grams = [features.sentiment_grams(t) for t in texts]
        vocab = _extend(base.vocab, grams)
        precision = _pad(base.precision, len(vocab), NEW_FEATURE_L2)
        weights = _pad(base.weights, len(vocab))
        # Only the corrections' own features can move; fitting just those is exact
        # and keeps a retrain fast however large the vocabulary is.
        rows, used = _local_rows([{vocab[g] for g in gs} for gs in grams])
        local, _bias = linear.fit_binary(
            rows,
            np.asarray([TARGETS[Sentiment(c.sentiment)] for c in labelled]),
            np.full(len(labelled), CORRECTION_WEIGHT),
            len(used),
            precision[used],
            prior=weights[used],
            prior_bias=base.bias,
            fit_bias=False,
        )
        weights[used] = local
        model = replace(model, vocab=vocab, weights=weights, precision=precision)

    with_intent = [c for c in usable if c.intent]
    if with_intent:
        texts = [features.normalize(c.text) for c in with_intent]
        probs, _ev = model.scores(texts)
        grams = [model.intent_grams(t, float(p)) for t, p in zip(texts, probs, strict=True)]
        vocab = _extend(base.intent_vocab, grams)
        precision = _pad(base.intent_precision, len(vocab), NEW_FEATURE_L2)
        intent_weights = _pad(base.intent_weights, len(vocab))
        rows, used = _local_rows([{vocab[g] for g in gs} for gs in grams])
        labels = np.asarray([INTENTS.index(c.intent) for c in with_intent], dtype=np.int64)
        local_w, _b = linear.fit_softmax(
            rows,
            labels,
            np.full(len(with_intent), CORRECTION_WEIGHT),
            len(used),
            len(INTENTS),
            precision[used],
            prior=intent_weights[used],
            prior_bias=base.intent_bias,
            fit_bias=False,
        )
        intent_weights[used] = local_w
        model = replace(
            model, intent_vocab=vocab, intent_weights=intent_weights, intent_precision=precision
        )
    return model
