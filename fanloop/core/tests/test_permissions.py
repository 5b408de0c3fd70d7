"""The permission matrix: every role against every core action, allowed and refused."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fanloop.core import services
from fanloop.core.models import AuditEntry, Membership
from fanloop.core.permissions import MATRIX, Action, Role, allowed

# Written out by hand, independently of MATRIX, so a change to the matrix must be
# a deliberate change here too.
A, M, C, OP, N, R, V = "admin", "marketing", "content", "operator", "analyst", "reviewer", "viewer"
EXPECTED: dict[str, set[str]] = {
    "workspace.view": {A, M, C, OP, N, R, V},
    "workspace.update": {A},
    "member.view": {A, M, C, OP, N, R, V},
    "member.manage": {A},
    "audit.view": {A},
    "jobs.view": {A},
    "campaign.view": {A, M, C, OP, N, R, V},
    "campaign.edit": {A, M},
    "budget.edit": {A, M},
    "content.edit": {A, M, C},
    "content.review": {A, R},
    "publish": {A, OP},
    "channel.manage": {A, OP},
    "inbox.reply": {A, OP},
    "community.manage": {A, OP},
    "analytics.view": {A, M, C, OP, N, R, V},
    "analytics.manage": {A, N},
    "tracking.manage": {A, M, OP, N},
}
ROLES = [r.value for r in Role]


def test_expectations_cover_every_action():
    assert set(EXPECTED) == {a.value for a in Action}
    assert set(MATRIX) == set(Action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_matrix_decides_each_role_and_action(role, action):
    assert allowed(role, action) is (role in EXPECTED[action])


def test_no_role_allows_nothing():
    assert not any(allowed(None, action) for action in Action)


def test_unknown_role_is_an_error_not_a_grant():
    with pytest.raises(ValueError, match="superuser"):
        allowed("superuser", Action.WORKSPACE_VIEW)


# Services enforce the matrix ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_update_workspace_is_admin_only(role, member_with_role, workspace):
    user = member_with_role(role)
    if role == A:
        services.update_workspace(actor=user, workspace=workspace, name="Renamed")
        workspace.refresh_from_db()
        assert workspace.name == "Renamed"
    else:
        before = AuditEntry.objects.count()
        with pytest.raises(PermissionDenied):
            services.update_workspace(actor=user, workspace=workspace, name="Renamed")
        workspace.refresh_from_db()
        assert workspace.name == "Brand A"
        assert AuditEntry.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_member_management_is_admin_only(role, member_with_role, make_user, workspace):
    actor = member_with_role(role)
    newcomer = make_user("newcomer")
    if role == A:
        membership = services.add_member(
            actor=actor, workspace=workspace, user=newcomer, role=Role.CONTENT
        )
        services.change_role(actor=actor, membership=membership, role=Role.ANALYST)
        invitation, _raw = services.invite_member(
            actor=actor, workspace=workspace, email="x@example.com", role=Role.VIEWER
        )
        services.revoke_invitation(actor=actor, invitation=invitation)
        services.remove_member(actor=actor, membership=membership)
        assert not Membership.objects.filter(user=newcomer).exists()
        return
    existing = services.add_member(
        actor=member_with_role(A), workspace=workspace, user=newcomer, role=Role.CONTENT
    )
    invitation, _raw = services.invite_member(
        actor=member_with_role(A), workspace=workspace, email="y@example.com", role=Role.VIEWER
    )
    attempts = [
        lambda: services.add_member(
            actor=actor, workspace=workspace, user=make_user("other"), role=Role.VIEWER
        ),
        lambda: services.change_role(actor=actor, membership=existing, role=Role.ADMIN),
        lambda: services.invite_member(
            actor=actor, workspace=workspace, email="z@example.com", role=Role.ADMIN
        ),
        lambda: services.revoke_invitation(actor=actor, invitation=invitation),
        lambda: services.remove_member(actor=actor, membership=existing),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    existing.refresh_from_db()
    assert existing.role == Role.CONTENT
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.django_db
def test_outsider_has_no_role_and_no_rights(make_user, workspace):
    outsider = make_user("outsider")
    assert services.role_of(outsider, workspace) is None
    with pytest.raises(PermissionDenied):
        services.update_workspace(actor=outsider, workspace=workspace, name="Hijacked")


# The UI hides what a role may not do, and the server refuses it anyway ---------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_ui_pages_follow_the_matrix(role, member_with_role, client_for, workspace):
    client = client_for(member_with_role(role))
    members = client.get(reverse("members", args=[workspace.slug]))
    audit = client.get(reverse("audit", args=[workspace.slug]))
    jobs = client.get(reverse("jobs", args=[workspace.slug]))
    settings_page = client.get(reverse("workspace_settings", args=[workspace.slug]))
    assert members.status_code == 200
    assert settings_page.status_code == 200
    html = members.content.decode()
    if role == A:
        assert audit.status_code == 200
        assert jobs.status_code == 200
        assert reverse("member_add", args=[workspace.slug]) in html
        assert reverse("audit", args=[workspace.slug]) in html
    else:
        assert audit.status_code == 403
        assert jobs.status_code == 403
        assert reverse("member_add", args=[workspace.slug]) not in html
        assert reverse("member_invite", args=[workspace.slug]) not in html
        assert reverse("audit", args=[workspace.slug]) not in html
        assert 'name="name"' not in settings_page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != A])
def test_ui_refuses_forbidden_posts_with_403(
    role, member_with_role, make_user, client_for, workspace
):
    client = client_for(member_with_role(role))
    target = make_user("target")
    before = AuditEntry.objects.count()
    add = client.post(
        reverse("member_add", args=[workspace.slug]), {"user": target.username, "role": Role.ADMIN}
    )
    invite = client.post(
        reverse("member_invite", args=[workspace.slug]),
        {"email": "evil@example.com", "role": Role.ADMIN},
    )
    rename = client.post(
        reverse("workspace_settings", args=[workspace.slug]),
        {"name": "Hijacked", "description": "", "timezone": "Asia/Shanghai"},
    )
    assert add.status_code == 403
    assert invite.status_code == 403
    assert rename.status_code == 403
    assert not Membership.objects.filter(user=target).exists()
    workspace.refresh_from_db()
    assert workspace.name == "Brand A"
    assert AuditEntry.objects.count() == before
