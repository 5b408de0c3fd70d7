"""Every service write in core leaves an audit entry; admins browse and filter them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fanloop.core import services
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role


def last_entry(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
    assert entry is not None, f"no audit entry for {action}"
    return entry


@pytest.mark.django_db
def test_creating_a_workspace_records_it_and_the_admin_membership(admin_user):
    workspace = services.create_workspace(actor=admin_user, name="Brand X")
    created = last_entry("workspace.create")
    assert created.actor == admin_user
    assert created.actor_label == "alice"
    assert created.workspace == workspace
    assert created.object_type == "core.workspace"
    assert created.object_id == str(workspace.pk)
    assert created.changes["name"] == [None, "Brand X"]
    assert created.created_at <= timezone.now()
    member = last_entry("member.add")
    assert member.changes["role"] == [None, "admin"]


@pytest.mark.django_db
def test_updating_a_workspace_records_before_and_after_of_changed_fields_only(
    admin_user, workspace
):
    services.update_workspace(
        actor=admin_user, workspace=workspace, name="Brand A2", description=""
    )
    entry = last_entry("workspace.update")
    assert entry.changes == {"name": ["Brand A", "Brand A2"]}


@pytest.mark.django_db
def test_saving_without_changes_writes_no_entry(admin_user, workspace):
    before = AuditEntry.objects.count()
    services.update_workspace(actor=admin_user, workspace=workspace, name="Brand A")
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_member_lifecycle_is_audited(admin_user, make_user, workspace):
    bob = make_user("bob")
    membership = services.add_member(
        actor=admin_user, workspace=workspace, user=bob, role=Role.CONTENT
    )
    assert last_entry("member.add").changes == {"user": [None, "bob"], "role": [None, "content"]}
    services.change_role(actor=admin_user, membership=membership, role=Role.REVIEWER)
    assert last_entry("member.change_role").changes == {"role": ["content", "reviewer"]}
    services.remove_member(actor=admin_user, membership=membership)
    removed = last_entry("member.remove")
    assert removed.changes == {"user": ["bob", None], "role": ["reviewer", None]}
    assert removed.workspace == workspace


@pytest.mark.django_db
def test_leaving_is_audited_as_the_member(admin_user, make_user, workspace):
    carol = make_user("carol")
    membership = services.add_member(
        actor=admin_user, workspace=workspace, user=carol, role=Role.VIEWER
    )
    services.remove_member(actor=carol, membership=membership)
    assert last_entry("member.leave").actor == carol


@pytest.mark.django_db
def test_invitation_lifecycle_is_audited(admin_user, workspace, mailoutbox):
    _invitation, raw = services.invite_member(
        actor=admin_user, workspace=workspace, email="Dan@Example.com", role=Role.ANALYST
    )
    entry = last_entry("invitation.create")
    assert entry.changes["email"] == [None, "dan@example.com"]
    assert entry.changes["role"] == [None, "analyst"]
    assert raw not in str(entry.changes)
    user = services.register_from_invitation(
        raw_token=raw, username="dan", password="a-long-passphrase-1"
    )
    assert last_entry("user.create").changes["username"] == [None, "dan"]
    accepted = last_entry("invitation.accept")
    assert accepted.actor == user
    assert accepted.changes["role"] == [None, "analyst"]
    other, _raw = services.invite_member(
        actor=admin_user, workspace=workspace, email="erin@example.com", role=Role.VIEWER
    )
    services.revoke_invitation(actor=admin_user, invitation=other)
    assert last_entry("invitation.revoke").object_id == str(other.pk)


@pytest.mark.django_db
def test_tokens_and_users_are_audited_without_secrets(admin_user):
    token, raw = services.create_api_token(actor=admin_user, name="export script")
    created = last_entry("token.create")
    assert created.changes["name"] == [None, "export script"]
    assert raw not in str(created.changes)
    services.revoke_api_token(actor=admin_user, token=token)
    assert last_entry("token.revoke").actor == admin_user
    services.create_user(actor=None, username="svc", password="another-long-pass-2")
    entry = last_entry("user.create")
    assert entry.actor is None
    assert entry.actor_label == "system"
    assert "password" not in entry.changes


@pytest.mark.django_db
def test_operator_actions_are_audited_as_system(make_user, workspace):
    frank = make_user("frank")
    services.grant_membership_as_operator(workspace=workspace, user=frank, role=Role.OPERATOR)
    assert last_entry("member.add").actor_label == "system"
    services.grant_membership_as_operator(workspace=workspace, user=frank, role=Role.ANALYST)
    assert last_entry("member.change_role").changes == {"role": ["operator", "analyst"]}
    services.delete_user_as_operator(user=frank)
    assert last_entry("user.delete").changes["username"] == ["frank", None]
    services.delete_workspace_as_operator(workspace=workspace)
    assert last_entry("workspace.delete").changes["name"] == ["Brand A", None]


# Browsing the audit log -----------------------------------------------------------------


@pytest.fixture
def busy_workspace(admin_user, make_user, workspace):
    for name in ("gina", "hank", "ivy"):
        services.add_member(
            actor=admin_user, workspace=workspace, user=make_user(name), role=Role.VIEWER
        )
    services.update_workspace(actor=admin_user, workspace=workspace, name="Brand A+")
    return workspace


@pytest.mark.django_db
def test_admin_sees_entries_with_changes(client_for, admin_user, busy_workspace):
    response = client_for(admin_user).get(reverse("audit", args=[busy_workspace.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "workspace.update" in html
    assert "Brand A+" in html
    assert html.count("member.add") >= 4


@pytest.mark.django_db
def test_admin_filters_by_action(client_for, admin_user, busy_workspace):
    url = reverse("audit", args=[busy_workspace.slug])
    response = client_for(admin_user).get(url, {"action": "workspace.update"})
    page = response.context["page"]
    assert [entry.action for entry in page] == ["workspace.update"]


@pytest.mark.django_db
def test_admin_filters_by_date_range(client_for, admin_user, busy_workspace):
    url = reverse("audit", args=[busy_workspace.slug])
    AuditEntry.objects.filter(action="workspace.update").update(
        created_at=timezone.now() - timedelta(days=10)
    )
    old_day = (timezone.localdate() - timedelta(days=10)).isoformat()
    response = client_for(admin_user).get(url, {"since": old_day, "until": old_day})
    assert [entry.action for entry in response.context["page"]] == ["workspace.update"]


@pytest.mark.django_db
def test_reversed_date_range_is_a_clear_error_not_a_crash(client_for, admin_user, busy_workspace):
    url = reverse("audit", args=[busy_workspace.slug])
    response = client_for(admin_user).get(url, {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.django_db
def test_audit_log_shows_only_its_own_workspace(
    client_for, admin_user, busy_workspace, other_workspace
):
    response = client_for(admin_user).get(reverse("audit", args=[busy_workspace.slug]))
    assert "Brand B" not in response.content.decode()
    assert all(entry.workspace_id == busy_workspace.pk for entry in response.context["page"])
