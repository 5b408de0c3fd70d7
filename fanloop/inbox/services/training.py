"""Per-workspace classifiers retrained from operators' label corrections.

Every retrain starts again from the shipped model and learns *all* of the workspace's
corrections, so a correction is never applied twice and an older correction of the
same message is overruled by a newer one. Its before/after figures are honest:

* **before** — the currently active model (the workspace's, or the shipped one) on
  the corrections, i.e. how often operators had to correct it;
* **after** — k-fold cross-validation: each fold of corrections is predicted by a
  model retrained on the other folds only, never on itself.
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fanloop.core import audit
from fanloop.core.models import Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action
from fanloop.inbox.models import LabelCorrection, WorkspaceClassifier
from fanloop.inbox.nlp import Correction, SentimentModel, classify_many, default_model, retrain
from fanloop.inbox.nlp.features import normalize

MIN_CORRECTIONS = 10
FOLDS = 5
CLASSIFIER_FIELDS = (
    "version",
    "corrections_used",
    "sentiment_accuracy_before",
    "sentiment_accuracy_after",
    "intent_accuracy_before",
    "intent_accuracy_after",
    "active",
)
_CACHE_SIZE = 32
# Keyed by more than the primary key: SQLite may hand a deleted row's id to a new one.
_CacheKey = tuple[int, int, int, str]
_cache: OrderedDict[_CacheKey, SentimentModel] = OrderedDict()
_cache_lock = threading.Lock()


def corrections_for(workspace: Workspace) -> list[Correction]:
    """One correction per distinct message text, holding its latest labels."""
    latest: dict[str, dict[str, str]] = {}
    rows = LabelCorrection.objects.filter(workspace=workspace).order_by("created_at", "id")
    for text, sentiment, intent in rows.values_list("text", "sentiment", "intent"):
        key = normalize(text)
        if not key:
            continue
        labels = latest.setdefault(key, {"text": text, "sentiment": "", "intent": ""})
        if sentiment:
            labels["sentiment"] = sentiment
        if intent:
            labels["intent"] = intent
    return [
        Correction(labels["text"], labels["sentiment"], labels["intent"])
        for labels in latest.values()
        if labels["sentiment"] or labels["intent"]
    ]


def _accuracy(
    model: SentimentModel, corrections: Sequence[Correction]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """(right, asked) for sentiment and for intent."""
    got = classify_many([c.text for c in corrections], model)
    s_right = sum(1 for c, g in zip(corrections, got, strict=True) if c.sentiment == g.sentiment)
    i_right = sum(1 for c, g in zip(corrections, got, strict=True) if c.intent == g.intent)
    return (
        (s_right, sum(1 for c in corrections if c.sentiment)),
        (i_right, sum(1 for c in corrections if c.intent)),
    )


def _ratio(right: int, asked: int) -> float | None:
    return right / asked if asked else None


def cross_validated(
    base: SentimentModel, corrections: Sequence[Correction], folds: int = FOLDS
) -> tuple[float | None, float | None]:
    """Sentiment and intent accuracy of retrained models on corrections they never saw."""
    s_right = s_asked = i_right = i_asked = 0
    k = min(folds, len(corrections))
    for fold in range(k):
        held = [c for i, c in enumerate(corrections) if i % k == fold]
        rest = [c for i, c in enumerate(corrections) if i % k != fold]
        (sr, sa), (ir, ia) = _accuracy(retrain(base, rest), held)
        s_right, s_asked, i_right, i_asked = s_right + sr, s_asked + sa, i_right + ir, i_asked + ia
    return _ratio(s_right, s_asked), _ratio(i_right, i_asked)


def retrain_workspace(*, actor: Any, workspace: Workspace) -> WorkspaceClassifier:
    """Retrain the workspace's classifier from its corrections and make it the active one."""
    require_action(actor, workspace, Action.INBOX_REPLY)
    corrections = corrections_for(workspace)
    if len(corrections) < MIN_CORRECTIONS:
        raise ValidationError(
            _(
                "Retraining needs at least %(needed)d corrected messages; "
                "this workspace has %(have)d. Correct more labels in the inbox first."
            )
            % {"needed": MIN_CORRECTIONS, "have": len(corrections)}
        )
    base = default_model()
    (s_right, s_asked), (i_right, i_asked) = _accuracy(model_for(workspace), corrections)
    sentiment_after, intent_after = cross_validated(base, corrections)
    model = retrain(base, corrections)
    data = model.to_bytes()
    with transaction.atomic():
        # Locking the workspace row serialises concurrent retrains of one workspace.
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        current = WorkspaceClassifier.objects.filter(workspace=workspace)
        version = (current.aggregate(v=Max("version"))["v"] or 0) + 1
        previous = current.filter(active=True).first()
        if previous is not None:
            current.filter(active=True).update(active=False)
            audit.record(
                actor=actor,
                workspace=workspace,
                action="inbox.classifier.deactivate",
                obj=previous,
                changes={"active": (True, False)},
            )
        classifier = WorkspaceClassifier.objects.create(
            workspace=workspace,
            version=version,
            model=data,
            corrections_used=len(corrections),
            sentiment_accuracy_before=_ratio(s_right, s_asked),
            sentiment_accuracy_after=sentiment_after,
            intent_accuracy_before=_ratio(i_right, i_asked),
            intent_accuracy_after=intent_after,
            created_by=actor,
            active=True,
        )
        audit.record(
            actor=actor,
            workspace=workspace,
            action="inbox.classifier.retrain",
            obj=classifier,
            changes=audit.created(classifier, CLASSIFIER_FIELDS),
        )
    return classifier


def model_for(workspace: Workspace) -> SentimentModel:
    """The workspace's active model (loaded once per version), else the shipped one."""
    active = (
        WorkspaceClassifier.objects.filter(workspace=workspace, active=True)
        .values_list("id", "workspace_id", "version", "created_at")
        .first()
    )
    if active is None:
        return default_model()
    key: _CacheKey = (active[0], active[1], active[2], active[3].isoformat())
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = WorkspaceClassifier.objects.filter(pk=active[0]).values_list("model", flat=True).first()
    if data is None:  # deleted since the first query
        return default_model()
    model = SentimentModel.from_bytes(bytes(data))
    with _cache_lock:
        _cache[key] = model
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return model
