"""Security defaults: hashing, login throttling, CSRF, headers, secrets and settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from fanloop import settings as fanloop_settings
from fanloop.conftest import PASSWORD
from fanloop.core import fields, services

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = fanloop_settings.PASSWORD_HASHERS
    user = services.create_user(actor=None, username="hashme", password="argon-two-please-1")
    assert user.password.startswith("argon2$")
    assert user.check_password("argon-two-please-1")


@pytest.mark.django_db
def test_weak_passwords_are_refused(make_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.create_user(actor=None, username="weak", password="12345")
    assert "password" in error.value.message_dict


def login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_is_throttled_per_username_and_ip(make_user, settings):
    make_user("target")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(attacker, "target", "wrong-password").status_code == 200
    # the failure that reaches the limit locks the pair
    assert login(attacker, "target", "wrong-password").status_code == 429
    # now even the right password is refused from that address
    locked = login(attacker, "target", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in attacker.session
    # the real user elsewhere is not locked out
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert login(elsewhere, "target", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_successful_login_lands_on_the_dashboard(admin_user, workspace):
    client = Client()
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"]).url == reverse("dashboard", args=[workspace.slug])


@pytest.mark.django_db
def test_csrf_is_enforced_on_forms(admin_user, workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(
        reverse("workspace_settings", args=[workspace.slug]),
        {"name": "Hijacked", "timezone": "Asia/Shanghai"},
    )
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Brand A"


@pytest.mark.django_db
def test_security_headers_are_sent(client_for, admin_user, workspace):
    response = client_for(admin_user).get(reverse("dashboard", args=[workspace.slug]))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_carry_no_inline_script(client_for, admin_user, workspace):
    html = client_for(admin_user).get(reverse("dashboard", args=[workspace.slug])).content.decode()
    assert "<script>" not in html
    assert " onclick=" not in html
    assert "cdn" not in html.lower()


# Secrets at rest ------------------------------------------------------------------------


def test_encrypted_field_stores_ciphertext_and_reads_plaintext(settings):
    field = fields.EncryptedTextField()
    stored = field.get_prep_value("wx-app-secret-123")
    assert stored.startswith("fernet:")
    assert "wx-app-secret-123" not in stored
    assert field.from_db_value(stored, None, None) == "wx-app-secret-123"
    assert field.get_prep_value("") == ""
    assert field.get_prep_value(None) is None


def test_key_rotation_keeps_old_secrets_readable(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    fields._cipher.cache_clear()
    stored_with_old = fields.encrypt("token-A")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    fields._cipher.cache_clear()
    assert fields.decrypt(stored_with_old) == "token-A"
    assert Fernet(new_key.encode()).decrypt(fields.encrypt("token-B")[7:].encode()) == b"token-B"
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    fields._cipher.cache_clear()
    with pytest.raises(ValueError, match="cannot be decrypted"):
        fields.decrypt(stored_with_old)
    fields._cipher.cache_clear()


# Settings from the environment --------------------------------------------------------


def settings_in_subprocess(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FANLOOP_", "DJANGO_"))}
    clean.pop("SECRET_KEY", None)
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import fanloop.settings as s; " + code],
        env=clean,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = settings_in_subprocess(
        {"FANLOOP_MODE": "production", "FANLOOP_DATA_DIR": str(tmp_path)}, "print('started')"
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_production_mode_is_locked_down(tmp_path):
    code = (
        "import json; print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS]))"
    )
    result = settings_in_subprocess(
        {
            "FANLOOP_MODE": "production",
            "SECRET_KEY": "x" * 50,
            "FANLOOP_DATA_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "fanloop.example.cn",
        },
        code,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, True, True, ["fanloop.example.cn"]]


def test_local_mode_generates_a_secret_key_once_and_keeps_it(tmp_path):
    first = settings_in_subprocess({"FANLOOP_DATA_DIR": str(tmp_path)}, "print(s.SECRET_KEY)")
    second = settings_in_subprocess({"FANLOOP_DATA_DIR": str(tmp_path)}, "print(s.SECRET_KEY)")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_bad_setting_values_fail_with_a_clear_message(tmp_path):
    result = settings_in_subprocess({"DEBUG": "maybe", "FANLOOP_DATA_DIR": str(tmp_path)}, "")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
    result = settings_in_subprocess(
        {"FANLOOP_MODE": "staging", "FANLOOP_DATA_DIR": str(tmp_path)}, ""
    )
    assert "FANLOOP_MODE must be 'local' or 'production'" in result.stderr


def test_sqlite_is_tuned_for_web_and_worker_together(tmp_path):
    code = "import json; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    result = settings_in_subprocess({"FANLOOP_DATA_DIR": str(tmp_path)}, code)
    options = json.loads(result.stdout)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert "busy_timeout" in options["init_command"]


def test_database_url_selects_postgres(tmp_path):
    code = "print(s.DATABASES['default']['ENGINE'])"
    result = settings_in_subprocess(
        {"FANLOOP_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@db:5432/fanloop"}, code
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"
