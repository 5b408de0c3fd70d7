"""Workspace terms: permissions, audit, validation, and merging into checks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.compliance import services
from fanloop.compliance.engine import CheckContext
from fanloop.compliance.models import WorkspaceTerm
from fanloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def add(actor, workspace, **overrides):
    data = {
        "term": "爆款",
        "kind": "banned",
        "category": "custom",
        "severity": "warn",
        "note": "品牌规范",
    }
    data.update(overrides)
    return services.add_term(actor=actor, workspace=workspace, **data)


def test_reviewer_adds_a_term_and_it_is_audited(workspace, member_with_role):
    reviewer = member_with_role("reviewer")
    term = add(reviewer, workspace)
    assert term.created_by == reviewer
    entry = AuditEntry.objects.get(action="compliance.term_added")
    assert entry.workspace == workspace
    assert entry.changes["term"] == [None, "爆款"]


def test_content_role_cannot_add_terms(workspace, member_with_role):
    with pytest.raises(PermissionDenied):
        add(member_with_role("content"), workspace)
    assert not WorkspaceTerm.objects.exists()


def test_non_member_cannot_add_terms(workspace, other_workspace):
    outsider = other_workspace.memberships.get().user
    with pytest.raises(PermissionDenied):
        add(outsider, workspace)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"term": "  "}, "term"),
        ({"term": "长" * 61}, "term"),
        ({"kind": "maybe"}, "kind"),
        ({"severity": "fatal"}, "severity"),
    ],
)
def test_bad_input_is_rejected_and_nothing_written(workspace, admin_user, overrides, field):
    with pytest.raises(ValidationError) as caught:
        add(admin_user, workspace, **overrides)
    assert field in caught.value.message_dict
    assert not WorkspaceTerm.objects.exists()
    assert not AuditEntry.objects.filter(action="compliance.term_added").exists()


def test_duplicate_is_rejected(workspace, admin_user):
    add(admin_user, workspace)
    with pytest.raises(ValidationError) as caught:
        add(admin_user, workspace)
    assert "term" in caught.value.message_dict
    assert WorkspaceTerm.objects.count() == 1
    # the same term may be both banned and allowed (two kinds)
    add(admin_user, workspace, kind="allowed")


def test_remove_term_is_audited_and_scoped(workspace, other_workspace, admin_user):
    term = add(admin_user, workspace)
    owner_b = other_workspace.memberships.get().user
    with pytest.raises(ValidationError):
        services.remove_term(actor=owner_b, workspace=other_workspace, term_id=term.pk)
    services.remove_term(actor=admin_user, workspace=workspace, term_id=term.pk)
    assert not WorkspaceTerm.objects.exists()
    assert AuditEntry.objects.filter(action="compliance.term_removed").count() == 1


def test_check_for_workspace_merges_terms_and_isolates_workspaces(
    workspace, other_workspace, admin_user
):
    add(admin_user, workspace)
    add(admin_user, workspace, term="第一品牌", kind="allowed")
    text = "爆款来了，第一品牌"
    extra, allowed = services.context_terms(workspace)
    assert [spec.term for spec in extra] == ["爆款"]
    assert allowed == frozenset({"第一品牌"})
    mine = services.check_for_workspace(workspace, text, CheckContext())
    assert [f.matched for f in mine] == ["爆款"]
    theirs = services.check_for_workspace(other_workspace, text)
    assert [f.matched for f in theirs] == ["第一品牌"]
