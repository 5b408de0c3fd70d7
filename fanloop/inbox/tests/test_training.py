"""Per-workspace retraining from operators' label corrections."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.core.models import AuditEntry, User
from fanloop.core.permissions import Role
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.models import LabelCorrection, WorkspaceClassifier
from fanloop.inbox.nlp import classify, classify_many, default_model
from fanloop.inbox.services import actions
from fanloop.inbox.services.training import (
    MIN_CORRECTIONS,
    corrections_for,
    model_for,
    retrain_workspace,
)
from fanloop.inbox.tests.factories import incoming, one

pytestmark = pytest.mark.django_db

SLANG = [f"这个颜色绝了{i}号" for i in range(6)] + [
    "这双鞋绝了",
    "包装绝了",
    "味道绝了，还要",
    "绝了绝了",
    "这质感绝了",
    "颜色绝了",
]


def correct(workspace, user, texts, sentiment="", intent=""):
    LabelCorrection.objects.bulk_create(
        LabelCorrection(
            workspace=workspace, text=text, sentiment=sentiment, intent=intent, corrected_by=user
        )
        for text in texts
    )


def test_corrections_make_the_workspace_model_learn(workspace, member_with_role):
    # Given operators corrected slang praise the shipped model does not know
    operator = member_with_role(Role.OPERATOR)
    correct(workspace, operator, SLANG, sentiment=Sentiment.POSITIVE, intent=Intent.PRAISE)
    assert classify("这件外套绝了").sentiment != Sentiment.POSITIVE
    # When the workspace's classifier is retrained
    classifier = retrain_workspace(actor=operator, workspace=workspace)
    # Then a new active version exists, with honest figures
    assert (classifier.version, classifier.active, classifier.corrections_used) == (1, True, 12)
    assert classifier.created_by == operator
    before = sum(c.sentiment == Sentiment.POSITIVE for c in classify_many(SLANG)) / len(SLANG)
    assert classifier.sentiment_accuracy_before == pytest.approx(before)
    assert classifier.sentiment_accuracy_after > classifier.sentiment_accuracy_before
    assert classifier.intent_accuracy_before is not None
    assert classifier.intent_accuracy_after is not None
    # and the workspace's model says what the operators taught it, on an unseen variant
    model = model_for(workspace)
    assert classify("这件外套绝了", model).sentiment == Sentiment.POSITIVE
    # without forgetting what it knew
    assert classify("质量太差了，申请退货", model).sentiment == Sentiment.NEGATIVE
    assert classify("质量太差了，申请退货", model).intent == Intent.AFTER_SALES


def test_other_workspaces_are_not_affected(workspace, other_workspace, admin_user):
    correct(workspace, admin_user, SLANG, sentiment=Sentiment.POSITIVE)
    retrain_workspace(actor=admin_user, workspace=workspace)
    # B has no model of its own: it gets the shipped one, untouched by A's corrections
    assert model_for(other_workspace) is default_model()
    assert classify("这件外套绝了", model_for(other_workspace)).sentiment != Sentiment.POSITIVE
    # and A's members cannot retrain B
    with pytest.raises(PermissionDenied):
        retrain_workspace(actor=admin_user, workspace=other_workspace)


def test_each_workspace_learns_only_its_own_corrections(workspace, other_workspace, admin_user):
    # Given the same messages corrected one way in A and the other way in B
    correct(workspace, admin_user, SLANG, sentiment=Sentiment.POSITIVE)
    correct(other_workspace, None, SLANG, sentiment=Sentiment.NEGATIVE)
    zed = User.objects.get(username="zed")  # B's owner (conftest)
    retrain_workspace(actor=admin_user, workspace=workspace)
    retrain_workspace(actor=zed, workspace=other_workspace)
    assert classify("这件外套绝了", model_for(workspace)).sentiment == Sentiment.POSITIVE
    assert classify("这件外套绝了", model_for(other_workspace)).sentiment == Sentiment.NEGATIVE
    assert [c.text for c in corrections_for(workspace)] == SLANG


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.CONTENT, Role.MARKETING])
def test_roles_without_inbox_reply_may_not_retrain(workspace, member_with_role, role):
    correct(workspace, None, SLANG, sentiment=Sentiment.POSITIVE)
    with pytest.raises(PermissionDenied):
        retrain_workspace(actor=member_with_role(role), workspace=workspace)
    assert not WorkspaceClassifier.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="inbox.classifier").exists()


def test_non_members_and_anonymous_may_not_retrain(workspace, make_user):
    correct(workspace, None, SLANG, sentiment=Sentiment.POSITIVE)
    for actor in (make_user("stranger"), None):
        with pytest.raises(PermissionDenied):
            retrain_workspace(actor=actor, workspace=workspace)
    assert not WorkspaceClassifier.objects.exists()


def test_too_few_corrections_is_a_clear_error(workspace, admin_user):
    # Nine distinct messages, one of them corrected twice: still nine
    texts = SLANG[: MIN_CORRECTIONS - 1]
    correct(workspace, admin_user, [*texts, texts[0]], sentiment=Sentiment.POSITIVE)
    with pytest.raises(ValidationError, match=r"at least 10 corrected messages.*has 9"):
        retrain_workspace(actor=admin_user, workspace=workspace)
    assert not WorkspaceClassifier.objects.exists()


def test_a_new_version_replaces_the_active_one_and_is_audited(workspace, admin_user):
    correct(workspace, admin_user, SLANG, sentiment=Sentiment.POSITIVE)
    first = retrain_workspace(actor=admin_user, workspace=workspace)
    model_v1 = model_for(workspace)
    assert model_for(workspace) is model_v1  # cached per version
    correct(workspace, admin_user, ["发货真快，点赞"], intent=Intent.PRAISE)
    second = retrain_workspace(actor=admin_user, workspace=workspace)
    first.refresh_from_db()
    assert (first.active, second.active, second.version) == (False, True, 2)
    assert second.corrections_used == 13
    assert model_for(workspace) is not model_v1
    entries = AuditEntry.objects.filter(workspace=workspace, action__startswith="inbox.classifier")
    assert sorted(entries.values_list("action", "object_id")) == sorted(
        [
            ("inbox.classifier.retrain", str(first.pk)),
            ("inbox.classifier.retrain", str(second.pk)),
            ("inbox.classifier.deactivate", str(first.pk)),
        ]
    )
    created = entries.get(action="inbox.classifier.retrain", object_id=str(second.pk))
    assert created.actor == admin_user
    assert created.changes["version"] == [None, 2]


def test_the_latest_correction_of_a_message_wins(workspace, admin_user):
    correct(workspace, admin_user, SLANG, sentiment=Sentiment.NEGATIVE)
    correct(workspace, admin_user, SLANG[:3], sentiment=Sentiment.POSITIVE)
    correct(workspace, admin_user, SLANG[:1], intent=Intent.PRAISE)
    found = {c.text: (c.sentiment, c.intent) for c in corrections_for(workspace)}
    assert len(found) == len(SLANG)
    assert found[SLANG[0]] == (Sentiment.POSITIVE, Intent.PRAISE)
    assert found[SLANG[1]] == (Sentiment.POSITIVE, "")
    assert found[SLANG[5]] == (Sentiment.NEGATIVE, "")


def test_corrections_made_in_the_inbox_feed_the_retrain(workspace, admin_user):
    # Given messages received and corrected through the inbox's own service
    for i, text in enumerate(SLANG):
        _thread, message = one(workspace, incoming(text, author=f"fan-{i}"))
        actions.correct_label(
            actor=admin_user, message=message, sentiment=Sentiment.POSITIVE, intent=Intent.PRAISE
        )
    # When the classifier is retrained
    classifier = retrain_workspace(actor=admin_user, workspace=workspace)
    # Then it learned from all of them
    assert classifier.corrections_used == len(SLANG)
    assert classify("这件外套绝了", model_for(workspace)).sentiment == Sentiment.POSITIVE
