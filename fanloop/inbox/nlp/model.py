"""The classifier: a binary sentiment model and a softmax intent model in one file.

Sentiment is logistic regression over character n-grams; its probability of
"positive" is ``sentiment_score``. A message is *neutral* when the score falls inside
the neutral band or when it holds almost no sentiment evidence at all (questions
such as "几号发货？" or "在吗"). Intent is softmax regression over the same n-grams,
the intent cue phrases of :mod:`.lexicon` and the message's sentiment bucket.
"""

import base64
import gzip
import io
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

import ahocorasick
import numpy as np
from numpy.typing import NDArray

from fanloop.inbox.labels import Intent, Sentiment

from . import features, lexicon

FORMAT = "fanloop-inbox-classifier/1"
DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA_DIR / "classifier.json.gz"
INTENTS: tuple[str, ...] = tuple(str(i) for i in Intent)
AUTOMATON_AFTER = 2_000
_second = itemgetter(1)
_chain = chain.from_iterable


BUCKETS = ("~neg2", "~neg", "~neu", "~pos", "~pos2")


def sentiment_bucket(score: float) -> str:
    if score < 0.2:
        return "~neg2"
    if score < 0.4:
        return "~neg"
    if score <= 0.6:
        return "~neu"
    if score <= 0.8:
        return "~pos"
    return "~pos2"


class Classification:
    """What the classifier says about one message.

    ``keywords`` are segmented with jieba only when first read: segmentation costs
    more than the rest of classification, and most callers only need the labels.
    """

    __slots__ = ("_keywords", "_text", "intent", "sentiment", "sentiment_score")

    def __init__(self, text: str, sentiment: str, sentiment_score: float, intent: str) -> None:
        self._text = text
        self._keywords: tuple[str, ...] | None = None
        self.sentiment = sentiment
        self.sentiment_score = sentiment_score
        self.intent = intent

    @property
    def keywords(self) -> tuple[str, ...]:
        if self._keywords is None:
            from .keywords import salient_words

            self._keywords = tuple(salient_words(self._text, 5))
        return self._keywords

    def __repr__(self) -> str:
        return (
            f"Classification(sentiment={self.sentiment!r}, "
            f"sentiment_score={self.sentiment_score:.3f}, intent={self.intent!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Classification):
            return NotImplemented
        return (self._text, self.sentiment, self.sentiment_score, self.intent) == (
            other._text,
            other.sentiment,
            other.sentiment_score,
            other.intent,
        )

    def __hash__(self) -> int:
        return hash((self._text, self.sentiment, self.intent))


@dataclass(frozen=True)
class _Matchers:
    """Aho-Corasick automata over the vocabularies: one pass in C finds every known
    n-gram of a message, about four times faster than slicing out every n-gram and
    looking each up (see bench/inbox_classify.py)."""

    sentiment: Any
    intent: Any


@dataclass(eq=False)
class SentimentModel:
    vocab: dict[str, int]
    weights: NDArray[np.float64]
    bias: float
    intent_vocab: dict[str, int]
    intent_weights: NDArray[np.float64]  # (features, len(INTENTS))
    intent_bias: NDArray[np.float64]
    # How firmly the training data pins each weight (see linear.binary_precision):
    # retraining on corrections moves well-attested features least.
    precision: NDArray[np.float64]
    intent_precision: NDArray[np.float64]
    neutral_band: tuple[float, float] = (0.4, 0.6)
    # Questions ("这个好用吗", "发什么快递") carry the words of an opinion without
    # holding one; only a clear score makes them polar.
    question_band: tuple[float, float] = (0.25, 0.75)
    # Below this much summed |weight| a message says too little to be polar.
    min_evidence: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)
    _matchers: _Matchers | None = field(default=None, init=False, repr=False)
    # Texts classified so far: building the automata (~0.5 s) pays off only after a
    # few thousand, so a freshly retrained model scoring a handful looks words up.
    _seen: int = field(default=0, init=False, repr=False)

    # -- features --------------------------------------------------------------

    def matchers(self) -> _Matchers:
        if self._matchers is None:
            sentiment = ahocorasick.Automaton()
            for gram, i in self.vocab.items():
                if not gram.startswith(features.NEG):
                    sentiment.add_word(gram, i)
            sentiment.make_automaton()
            ids: dict[str, list[int]] = {}
            for gram, i in self.intent_vocab.items():
                if len(gram) <= 2:  # n-grams; the longer entries are cue/bucket features
                    ids.setdefault(gram, []).append(i)
            for intent, phrases in lexicon.CUES.items():
                cue = self.intent_vocab.get("@" + intent)
                if cue is not None:
                    for phrase in phrases:
                        ids.setdefault(phrase, []).append(cue)
            intent = ahocorasick.Automaton()
            for gram, found in ids.items():
                intent.add_word(gram, tuple(found))
            intent.make_automaton()
            self._matchers = _Matchers(sentiment, intent)
        return self._matchers

    def _count(self, texts: int) -> bool:
        """Whether to use the automata for the next ``texts`` texts."""
        self._seen += texts
        return self._matchers is not None or self._seen >= AUTOMATON_AFTER

    def sentiment_ids(self, text: str, fast: bool = True) -> set[int]:
        """Indices of the known sentiment features of a normalized text."""
        if not text:
            return set()
        if not fast:
            get = self.vocab.get
            return {i for i in map(get, features.sentiment_grams(text)) if i is not None}
        ids = set(map(_second, self.matchers().sentiment.iter(text)))
        if features.has_negator(text):
            get = self.vocab.get
            ids.update(i for i in map(get, features.negated(text)) if i is not None)
        return ids

    def intent_ids(self, text: str, score: float, fast: bool = True) -> set[int]:
        """Indices of the known intent features of a normalized text."""
        get = self.intent_vocab.get
        if not fast:
            grams = self.intent_grams(text, score)
            return {i for i in map(get, grams) if i is not None}
        ids: set[int] = set(_chain(map(_second, self.matchers().intent.iter(text))))
        for extra in (sentiment_bucket(score), "<question>" if features.asks(text) else ""):
            i = get(extra)
            if i is not None:
                ids.add(i)
        return ids

    def intent_grams(self, text: str, score: float) -> list[str]:
        """The intent features of a normalized text by name (training's slow path)."""
        grams = features.intent_grams(text) + lexicon.cue_features(text)
        grams.append(sentiment_bucket(score))
        if features.asks(text):
            grams.append("<question>")
        return grams

    # -- scoring ---------------------------------------------------------------

    def scores(self, texts: Sequence[str]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Positive-class probabilities and evidence for normalized texts."""
        flat: list[int] = []
        counts: list[int] = []
        fast = self._count(len(texts))
        for text in texts:
            ids = self.sentiment_ids(text, fast)
            flat.extend(ids)
            counts.append(len(ids))
        return self._scores_from(flat, counts)

    def _scores_from(
        self, flat: list[int], counts: list[int]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        idx = np.asarray(flat, dtype=np.int64)
        row_of = np.repeat(np.arange(len(counts)), counts)
        picked = self.weights[idx]
        margin = np.bincount(row_of, weights=picked, minlength=len(counts)) + self.bias
        evidence = np.bincount(row_of, weights=np.abs(picked), minlength=len(counts))
        return 1.0 / (1.0 + np.exp(-margin)), evidence

    def label_for(self, score: float, evidence: float, text: str) -> str:
        low, high = self.question_band if features.is_question(text) else self.neutral_band
        if evidence < self.min_evidence or low < score < high:
            return Sentiment.NEUTRAL.value
        return (Sentiment.POSITIVE if score >= 0.5 else Sentiment.NEGATIVE).value

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        normalized = [features.normalize(t or "") for t in texts]
        probs, evidence = self.scores(normalized)
        fast = self._matchers is not None
        flat: list[int] = []
        counts: list[int] = []
        for text, p in zip(normalized, probs.tolist(), strict=True):
            ids = self.intent_ids(text, p, fast) if text else set()
            flat.extend(ids)
            counts.append(len(ids))
        intent_idx = self._intents_from(flat, counts).tolist()
        out = []
        for original, text, p, ev, k in zip(
            texts, normalized, probs.tolist(), evidence.tolist(), intent_idx, strict=True
        ):
            if not text:
                out.append(Classification("", Sentiment.NEUTRAL.value, 0.5, Intent.OTHER.value))
            else:
                out.append(Classification(original, self.label_for(p, ev, text), p, INTENTS[k]))
        return out

    def _intents_from(self, flat: list[int], counts: list[int]) -> NDArray[np.int64]:
        n = len(counts)
        z = np.tile(self.intent_bias, (n, 1))
        if flat:
            row_of = np.repeat(np.arange(n), counts)
            np.add.at(z, row_of, self.intent_weights[np.asarray(flat, dtype=np.int64)])
        return z.argmax(axis=1)

    def intent_probabilities(self, text: str) -> dict[str, float]:
        norm = features.normalize(text)
        probs, _ev = self.scores([norm])
        ids = sorted(self.intent_ids(norm, float(probs[0]), self._matchers is not None))
        z = self.intent_bias + self.intent_weights[ids].sum(axis=0)
        ez = np.exp(z - z.max())
        return dict(zip(INTENTS, (ez / ez.sum()).tolist(), strict=True))

    # -- serialization ---------------------------------------------------------

    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "intents": list(INTENTS),
            "vocab": "\n".join(_ordered(self.vocab)),
            "intent_vocab": "\n".join(_ordered(self.intent_vocab)),
            "bias": self.bias,
            "intent_bias": [float(b) for b in self.intent_bias],
            "neutral_band": list(self.neutral_band),
            "question_band": list(self.question_band),
            "min_evidence": self.min_evidence,
            "meta": self.meta,
            "weights": _b64(self.weights),
            "intent_weights": _b64(self.intent_weights.ravel()),
            "precision": _b64(self.precision),
            "intent_precision": _b64(self.intent_precision),
        }
        raw = json.dumps(header, ensure_ascii=False, sort_keys=True).encode()
        buffer = io.BytesIO()
        # mtime=0 keeps the file byte-for-byte reproducible across trainings.
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as gz:
            gz.write(raw)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "SentimentModel":
        try:
            header = json.loads(gzip.decompress(data))
        except (OSError, EOFError, ValueError, zlib.error) as exc:
            raise ValueError("not a Fanloop classifier model") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError("not a Fanloop classifier model")
        if tuple(header["intents"]) != INTENTS:
            raise ValueError("the model was trained for other intent labels")
        vocab = _vocab(header["vocab"])
        intent_vocab = _vocab(header["intent_vocab"])
        weights = _unb64(header["weights"])
        intent_weights = _unb64(header["intent_weights"]).reshape(len(intent_vocab), len(INTENTS))
        precision = _unb64(header["precision"])
        intent_precision = _unb64(header["intent_precision"])
        if len(weights) != len(vocab) or len(precision) != len(vocab):
            raise ValueError("model weights do not match its vocabulary")
        if len(intent_precision) != len(intent_vocab):
            raise ValueError("model weights do not match its vocabulary")
        low, high = header["neutral_band"]
        q_low, q_high = header["question_band"]
        return cls(
            vocab=vocab,
            weights=weights,
            bias=float(header["bias"]),
            intent_vocab=intent_vocab,
            intent_weights=intent_weights,
            intent_bias=np.asarray(header["intent_bias"], dtype=np.float64),
            precision=precision,
            intent_precision=intent_precision,
            neutral_band=(float(low), float(high)),
            question_band=(float(q_low), float(q_high)),
            min_evidence=float(header["min_evidence"]),
            meta=dict(header["meta"]),
        )


def _ordered(vocab: dict[str, int]) -> list[str]:
    words = [""] * len(vocab)
    for word, i in vocab.items():
        words[i] = word
    return words


def _vocab(joined: str) -> dict[str, int]:
    if not joined:
        return {}
    return {word: i for i, word in enumerate(joined.split("\n"))}


def _b64(values: NDArray[np.float64]) -> str:
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def _unb64(text: str) -> NDArray[np.float64]:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64)
