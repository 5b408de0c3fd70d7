"""API tokens in the UI: create (shown once), list, revoke; only your own."""

import hashlib

import pytest
from django.urls import reverse

from fanloop.core import services
from fanloop.core.models import ApiToken


@pytest.mark.django_db
def test_created_token_is_shown_once_and_stored_hashed(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(reverse("tokens"), {"name": "BI export"})
    key = response.context["new_key"]
    assert key.startswith("fl_")
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=admin_user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values().get(pk=token.pk))
    again = client.get(reverse("tokens")).content.decode()
    assert key not in again
    assert token.prefix in again


@pytest.mark.django_db
def test_token_without_a_name_is_refused(client_for, admin_user):
    response = client_for(admin_user).post(reverse("tokens"), {"name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoked_token_stops_working(client_for, admin_user, client):
    token, raw = services.create_api_token(actor=admin_user, name="script")
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    client_for(admin_user).post(reverse("token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401


@pytest.mark.django_db
def test_cannot_revoke_someone_elses_token(client_for, admin_user, make_user):
    other = make_user("mallory")
    token, _raw = services.create_api_token(actor=admin_user, name="mine")
    response = client_for(other).post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
