"""Managing workspaces and members through the UI, and workspace isolation."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from fanloop.core import services
from fanloop.core.models import Invitation, Membership, User, Workspace
from fanloop.core.permissions import Role


@pytest.mark.django_db
def test_admin_adds_an_existing_user_by_email(client_for, admin_user, make_user, workspace):
    bob = make_user("bob", email="bob@brand.cn")
    response = client_for(admin_user).post(
        reverse("member_add", args=[workspace.slug]), {"user": "BOB@brand.cn", "role": "content"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=bob).role == Role.CONTENT


@pytest.mark.django_db
def test_adding_an_unknown_user_shows_a_field_error(client_for, admin_user, workspace):
    response = client_for(admin_user).post(
        reverse("member_add", args=[workspace.slug]), {"user": "nobody", "role": "content"}
    )
    assert response.status_code == 400
    assert "nobody" in response.context["add_form"].errors["user"][0]
    assert Membership.objects.filter(workspace=workspace).count() == 1


@pytest.mark.django_db
def test_adding_a_member_twice_is_refused(client_for, admin_user, make_user, workspace):
    bob = make_user("bob")
    client = client_for(admin_user)
    url = reverse("member_add", args=[workspace.slug])
    client.post(url, {"user": "bob", "role": "content"})
    response = client.post(url, {"user": "bob", "role": "viewer"})
    assert response.status_code == 400
    assert Membership.objects.get(workspace=workspace, user=bob).role == Role.CONTENT


@pytest.mark.django_db
def test_invitation_round_trip_for_a_new_person(
    client_for, admin_user, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    # given an admin invites someone by email (the mail goes out after commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("member_invite", args=[workspace.slug]),
            {"email": "newbie@brand.cn", "role": "operator"},
            follow=True,
        )
    assert response.status_code == 200
    assert len(mailoutbox) == 1
    link = re.search(r"/invitations/([\w-]+)/", mailoutbox[0].body)
    assert link is not None
    # the raw token is never stored
    assert not Invitation.objects.filter(token_hash=link.group(1)).exists()
    # when the invitee opens the link and signs up
    invitee = Client()
    page = invitee.get(f"/invitations/{link.group(1)}/")
    assert page.status_code == 200
    done = invitee.post(
        f"/invitations/{link.group(1)}/", {"username": "newbie", "password": "spring-launch-2026"}
    )
    # then they are a member with the invited role and land in the workspace
    assert done.status_code == 302
    assert done["Location"] == reverse("dashboard", args=[workspace.slug])
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@brand.cn"
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.OPERATOR
    # and the link cannot be used twice
    assert Client().get(f"/invitations/{link.group(1)}/").status_code == 404


@pytest.mark.django_db
def test_invitation_sign_up_with_a_weak_password_creates_nothing(admin_user, workspace):
    _invitation, raw = services.invite_member(
        actor=admin_user, workspace=workspace, email="weak@brand.cn", role=Role.VIEWER
    )
    response = Client().post(f"/invitations/{raw}/", {"username": "weak", "password": "1234567890"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="weak").exists()
    assert Membership.objects.filter(workspace=workspace).count() == 1


@pytest.mark.django_db
def test_signed_in_user_accepts_only_an_invitation_for_their_email(
    client_for, admin_user, make_user, workspace
):
    _inv, raw = services.invite_member(
        actor=admin_user, workspace=workspace, email="right@brand.cn", role=Role.ANALYST
    )
    wrong = make_user("wrong", email="wrong@brand.cn")
    response = client_for(wrong).post(f"/invitations/{raw}/")
    assert response.status_code == 200
    assert not Membership.objects.filter(user=wrong, workspace=workspace).exists()
    right = make_user("right", email="right@brand.cn")
    response = client_for(right).post(f"/invitations/{raw}/")
    assert response.status_code == 302
    assert Membership.objects.get(user=right, workspace=workspace).role == Role.ANALYST


@pytest.mark.django_db
def test_revoked_invitation_link_is_dead(client_for, admin_user, workspace):
    invitation, raw = services.invite_member(
        actor=admin_user, workspace=workspace, email="gone@brand.cn", role=Role.VIEWER
    )
    client_for(admin_user).post(reverse("invitation_revoke", args=[workspace.slug, invitation.pk]))
    assert Client().get(f"/invitations/{raw}/").status_code == 404


@pytest.mark.django_db
def test_admin_changes_a_role_and_cannot_demote_the_last_admin(
    client_for, admin_user, member_with_role, workspace
):
    viewer = member_with_role(Role.VIEWER)
    client = client_for(admin_user)
    viewer_membership = Membership.objects.get(user=viewer, workspace=workspace)
    client.post(
        reverse("member_role", args=[workspace.slug, viewer_membership.pk]), {"role": "marketing"}
    )
    viewer_membership.refresh_from_db()
    assert viewer_membership.role == Role.MARKETING
    own = Membership.objects.get(user=admin_user, workspace=workspace)
    response = client.post(
        reverse("member_role", args=[workspace.slug, own.pk]), {"role": "viewer"}, follow=True
    )
    own.refresh_from_db()
    assert own.role == Role.ADMIN
    assert "A workspace needs at least one admin." in response.content.decode()


@pytest.mark.django_db
def test_unknown_role_in_form_changes_nothing(client_for, admin_user, member_with_role, workspace):
    viewer = member_with_role(Role.VIEWER)
    membership = Membership.objects.get(user=viewer, workspace=workspace)
    client_for(admin_user).post(
        reverse("member_role", args=[workspace.slug, membership.pk]), {"role": "owner"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


@pytest.mark.django_db
def test_member_can_leave_but_last_admin_cannot(
    client_for, admin_user, member_with_role, workspace
):
    viewer = member_with_role(Role.VIEWER)
    membership = Membership.objects.get(user=viewer, workspace=workspace)
    response = client_for(viewer).post(
        reverse("member_remove", args=[workspace.slug, membership.pk])
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    own = Membership.objects.get(user=admin_user, workspace=workspace)
    client_for(admin_user).post(reverse("member_remove", args=[workspace.slug, own.pk]))
    assert Membership.objects.filter(pk=own.pk).exists()


@pytest.mark.django_db
def test_creating_a_workspace_in_the_ui_makes_you_its_admin(client_for, make_user):
    newcomer = make_user("newcomer")
    client = client_for(newcomer)
    assert client.get("/").url == reverse("workspace_create")
    response = client.post(
        reverse("workspace_create"),
        {"name": "新品牌", "description": "", "timezone": "Asia/Shanghai"},
    )
    workspace = Workspace.objects.get(name="新品牌")
    assert response["Location"] == reverse("dashboard", args=[workspace.slug])
    assert services.role_of(newcomer, workspace) == Role.ADMIN


@pytest.mark.django_db
def test_workspace_settings_reject_a_blank_name(client_for, admin_user, workspace):
    response = client_for(admin_user).post(
        reverse("workspace_settings", args=[workspace.slug]),
        {"name": "  ", "description": "x", "timezone": "Asia/Shanghai"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    workspace.refresh_from_db()
    assert (workspace.name, workspace.description) == ("Brand A", "")


@pytest.mark.django_db
def test_workspace_switcher_lists_only_my_workspaces(
    client_for, admin_user, workspace, other_workspace
):
    second = services.create_workspace(actor=admin_user, name="Brand C")
    html = client_for(admin_user).get(reverse("dashboard", args=[workspace.slug])).content.decode()
    assert reverse("dashboard", args=[second.slug]) in html
    assert reverse("dashboard", args=[other_workspace.slug]) not in html


# Isolation: a member of A gets 404 for B's objects ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["dashboard", "workspace_settings", "members", "audit", "jobs", "campaign_list", "documents"],
)
def test_other_workspaces_pages_are_404(client_for, admin_user, other_workspace, name):
    response = client_for(admin_user).get(reverse(name, args=[other_workspace.slug]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_cannot_touch_another_workspaces_member_through_own_workspace(
    client_for, admin_user, workspace, other_workspace
):
    foreign = Membership.objects.get(workspace=other_workspace)
    client = client_for(admin_user)
    role = client.post(
        reverse("member_role", args=[workspace.slug, foreign.pk]), {"role": "viewer"}
    )
    remove = client.post(reverse("member_remove", args=[workspace.slug, foreign.pk]))
    assert role.status_code == 404
    assert remove.status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Role.ADMIN


@pytest.mark.django_db
def test_cannot_revoke_another_workspaces_invitation(
    client_for, admin_user, workspace, other_workspace
):
    owner = Membership.objects.get(workspace=other_workspace).user
    invitation, _raw = services.invite_member(
        actor=owner, workspace=other_workspace, email="b@brand.cn", role=Role.VIEWER
    )
    response = client_for(admin_user).post(
        reverse("invitation_revoke", args=[workspace.slug, invitation.pk])
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
