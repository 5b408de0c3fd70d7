"""REST API: token auth, error shape, pagination, workspace isolation, audited writes."""

import hashlib

import pytest
from rest_framework.test import APIClient

from fanloop.core import services
from fanloop.core.models import ApiToken, AuditEntry, Membership
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def error(response) -> dict:
    body = response.json()["error"]
    assert set(body) == {"status", "code", "message", "field_errors"}
    assert body["status"] == response.status_code
    return body


# Authentication ---------------------------------------------------------------------------


def test_token_authenticates_and_is_stored_hashed(admin_user):
    token, raw = services.create_api_token(actor=admin_user, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert raw not in str(stored)
    assert stored["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()


@pytest.mark.parametrize(
    "header", [None, "Token fl_unknown", "Token", "Token a b", "Bearer something"]
)
def test_missing_or_bad_credentials_get_401_json(header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/workspaces/")
    assert response.status_code in (401, 403)
    if header is None or header.startswith("Token"):
        assert response.status_code == 401
    assert error(response)["code"] in {"not_authenticated", "authentication_failed"}


def test_revoked_token_is_refused(admin_user):
    token, raw = services.create_api_token(actor=admin_user, name="old")
    services.revoke_api_token(actor=admin_user, token=token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/me/").status_code == 401


def test_session_auth_needs_csrf_for_writes(admin_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get("/api/v1/workspaces/").status_code == 200
    response = client.post("/api/v1/workspaces/", {"name": "X"}, format="json")
    assert response.status_code == 403


def test_tokens_endpoint_shows_the_key_once(api_client_for, admin_user):
    client = api_client_for(admin_user)
    created = client.post("/api/v1/tokens/", {"name": "bi"}, format="json")
    assert created.status_code == 201
    assert created.json()["key"].startswith("fl_")
    listed = client.get("/api/v1/tokens/").json()
    assert all("key" not in row for row in listed["results"])
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}/").status_code == 204
    assert ApiToken.objects.get(pk=created.json()["id"]).revoked_at is not None


# Error shape ------------------------------------------------------------------------------


def test_validation_errors_name_the_fields(api_client_for, admin_user, workspace):
    client = api_client_for(admin_user)
    response = client.post(
        f"/api/v1/workspaces/{workspace.pk}/members/",
        {"user": "nobody", "role": "boss"},
        format="json",
    )
    body = error(response)
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert "role" in body["field_errors"]
    response = client.post(
        f"/api/v1/workspaces/{workspace.pk}/members/",
        {"user": "nobody", "role": "viewer"},
        format="json",
    )
    assert "nobody" in error(response)["field_errors"]["user"][0]
    response = client.post("/api/v1/workspaces/", {"name": "   "}, format="json")
    assert "name" in error(response)["field_errors"]


def test_forbidden_is_403_json_not_500(api_client_for, member_with_role, workspace):
    client = api_client_for(member_with_role(Role.VIEWER))
    before = AuditEntry.objects.count()
    response = client.patch(f"/api/v1/workspaces/{workspace.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    response = client.post(
        f"/api/v1/workspaces/{workspace.pk}/invitations/",
        {"email": "a@b.cn", "role": "admin"},
        format="json",
    )
    assert response.status_code == 403
    assert client.get(f"/api/v1/workspaces/{workspace.pk}/audit/").status_code == 403
    assert AuditEntry.objects.count() == before


def test_unknown_urls_under_the_api_are_json(api_client_for, admin_user):
    response = api_client_for(admin_user).get("/api/v1/workspaces/-5/members/")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


# Pagination -------------------------------------------------------------------------------


def test_lists_are_paginated(api_client_for, admin_user, workspace, make_user):
    for n in range(5):
        services.add_member(
            actor=admin_user, workspace=workspace, user=make_user(f"m{n}"), role=Role.VIEWER
        )
    client = api_client_for(admin_user)
    first = client.get(f"/api/v1/workspaces/{workspace.pk}/members/?page_size=2").json()
    assert first["count"] == 6
    assert len(first["results"]) == 2
    assert first["next"]
    assert first["previous"] is None
    last = client.get(f"/api/v1/workspaces/{workspace.pk}/members/?page_size=2&page=3").json()
    assert len(last["results"]) == 2
    assert last["next"] is None
    past = client.get(f"/api/v1/workspaces/{workspace.pk}/members/?page_size=2&page=9")
    assert past.status_code == 404


# Isolation --------------------------------------------------------------------------------


def test_other_workspaces_are_404_everywhere(
    api_client_for, admin_user, workspace, other_workspace
):
    client = api_client_for(admin_user)
    foreign_member = Membership.objects.get(workspace=other_workspace)
    urls = [
        f"/api/v1/workspaces/{other_workspace.pk}/",
        f"/api/v1/workspaces/{other_workspace.pk}/members/",
        f"/api/v1/workspaces/{other_workspace.pk}/invitations/",
        f"/api/v1/workspaces/{other_workspace.pk}/audit/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        client.patch(
            f"/api/v1/workspaces/{other_workspace.pk}/", {"name": "X"}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.delete(
            f"/api/v1/workspaces/{other_workspace.pk}/members/{foreign_member.pk}/"
        ).status_code
        == 404
    )
    assert [w["slug"] for w in client.get("/api/v1/workspaces/").json()["results"]] == ["brand-a"]


def test_member_ids_of_b_through_a_are_404(api_client_for, admin_user, workspace, other_workspace):
    foreign = Membership.objects.get(workspace=other_workspace)
    client = api_client_for(admin_user)
    url = f"/api/v1/workspaces/{workspace.pk}/members/{foreign.pk}/"
    assert client.patch(url, {"role": "viewer"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Role.ADMIN


# Writes are audited -----------------------------------------------------------------------


def test_api_writes_leave_audit_entries(api_client_for, admin_user, make_user, workspace):
    client = api_client_for(admin_user)
    make_user("dora")
    added = client.post(
        f"/api/v1/workspaces/{workspace.pk}/members/",
        {"user": "dora", "role": "content"},
        format="json",
    ).json()
    client.patch(
        f"/api/v1/workspaces/{workspace.pk}/members/{added['id']}/",
        {"role": "analyst"},
        format="json",
    )
    client.patch(f"/api/v1/workspaces/{workspace.pk}/", {"description": "美妆"}, format="json")
    client.delete(f"/api/v1/workspaces/{workspace.pk}/members/{added['id']}/")
    entries = client.get(f"/api/v1/workspaces/{workspace.pk}/audit/?actor=alice").json()
    actions = [row["action"] for row in entries["results"]]
    assert actions[:4] == ["member.remove", "workspace.update", "member.change_role", "member.add"]
    change = next(row for row in entries["results"] if row["action"] == "member.change_role")
    assert change["changes"] == {"role": ["content", "analyst"]}
    filtered = client.get(f"/api/v1/workspaces/{workspace.pk}/audit/?action=workspace.update")
    assert [row["action"] for row in filtered.json()["results"]] == ["workspace.update"]


def test_cannot_demote_the_last_admin_through_the_api(api_client_for, admin_user, workspace):
    own = Membership.objects.get(workspace=workspace, user=admin_user)
    response = api_client_for(admin_user).patch(
        f"/api/v1/workspaces/{workspace.pk}/members/{own.pk}/", {"role": "viewer"}, format="json"
    )
    assert response.status_code == 400
    assert "role" in error(response)["field_errors"]


def test_create_workspace_and_invitations(api_client_for, admin_user):
    client = api_client_for(admin_user)
    created = client.post("/api/v1/workspaces/", {"name": "新品牌"}, format="json")
    assert created.status_code == 201
    assert created.json()["role"] == "admin"
    pk = created.json()["id"]
    invite = client.post(
        f"/api/v1/workspaces/{pk}/invitations/",
        {"email": "x@brand.cn", "role": "operator"},
        format="json",
    )
    assert invite.status_code == 201
    assert client.get(f"/api/v1/workspaces/{pk}/invitations/").json()["count"] == 1
    assert (
        client.delete(f"/api/v1/workspaces/{pk}/invitations/{invite.json()['id']}/").status_code
        == 204
    )
    assert client.get(f"/api/v1/workspaces/{pk}/invitations/").json()["count"] == 0


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "/api/v1/workspaces/{workspace_pk}/members/" in schema["paths"]
    docs = client.get("/api/docs/").content.decode().lower()
    assert "swagger" in docs
    for cdn in ("cdn.", "jsdelivr", "unpkg"):
        assert cdn not in docs
