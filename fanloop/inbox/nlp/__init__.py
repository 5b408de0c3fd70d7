"""Chinese sentiment and intent of inbox messages.

>>> c = classify("质量太差了，申请退货")
>>> c.sentiment, c.intent          # ("negative", "after_sales")

The shipped model (``data/classifier.json.gz``) is produced by
``python -m fanloop.inbox.nlp.train``; workspaces get their own retrained copies
through :func:`retrain` (see ``fanloop.inbox.services.training``).
"""

from collections.abc import Sequence
from functools import cache

from .evaluation import Scores, evaluate
from .keywords import keywords
from .model import MODEL_PATH, Classification, SentimentModel
from .retrain import Correction, retrain

__all__ = [
    "Classification",
    "Correction",
    "Scores",
    "SentimentModel",
    "classify",
    "classify_many",
    "default_model",
    "evaluate",
    "keywords",
    "retrain",
]


@cache
def default_model() -> SentimentModel:
    """The shipped model, loaded once per process."""
    return SentimentModel.from_bytes(MODEL_PATH.read_bytes())


def classify_many(
    texts: Sequence[str], model: SentimentModel | None = None
) -> list[Classification]:
    return (model or default_model()).classify_many(texts)


def classify(text: str, model: SentimentModel | None = None) -> Classification:
    return classify_many([text], model)[0]
