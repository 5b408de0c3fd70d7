"""A model field that keeps secrets (platform tokens, app secrets) encrypted at rest."""

import base64
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_PREFIX = "fernet:"


@cache
def _cipher() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        # Without explicit keys the key is derived from SECRET_KEY: rotating SECRET_KEY
        # then makes stored secrets unreadable, which is why production sets its own.
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"fanloop-field-encryption", info=b"v1"
        ).derive(settings.SECRET_KEY.encode())
        keys = [base64.urlsafe_b64encode(derived).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FANLOOP_ENCRYPTION_KEYS must be a comma-separated list of Fernet keys "
            "(32 url-safe base64-encoded bytes each)."
        ) from exc


def encrypt(plaintext: str) -> str:
    return _PREFIX + _cipher().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(_PREFIX):
        raise ValueError("value is not an encrypted Fanloop secret")
    try:
        return _cipher().decrypt(stored[len(_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "stored secret cannot be decrypted with the configured keys; was "
            "FANLOOP_ENCRYPTION_KEYS or SECRET_KEY changed?"
        ) from exc


class EncryptedTextField(models.TextField):
    """Stores ``fernet:<token>``; Python code sees plain text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
