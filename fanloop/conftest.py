"""Fixtures shared by every app's tests."""

from collections.abc import Callable, Iterator

import pytest
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from fanloop.core import services
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Role
from fanloop.core.tests.browser import page  # noqa: F401  (browser tests' fixture)

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fast_hashing(settings) -> None:
    # Argon2 is what production uses (see test_security); tests only need speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clicks_written_on_the_request(settings) -> None:
    # The click log's flusher thread writes through its own connection, outside the
    # test's transaction; tests see clicks at once instead (the click log's own tests
    # switch the buffer back on).
    settings.TRACKING_CLICKLOG_SYNC = True
    settings.TRACKING_CLICKLOG_BACKGROUND = False


@pytest.fixture
def keep_test_connection():
    """The real WSGI handler closes DB connections after each request; the test's
    transaction must survive, as Django's own test client arranges."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _outbound_to_the_local_fake_servers(settings) -> None:
    # Webhook tests post to fake servers on 127.0.0.1; the private-address guard has
    # its own tests (core/tests/test_outbound.py), which switch it back on.
    settings.OUTBOUND_ALLOW_PRIVATE = True


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Test databases roll back, so ids and analytics' facts versions come round again;
    # a sum cached by an earlier test must not answer a later one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_messages(settings):
    """Tests read messages in English; tests of the Chinese UI ask for ``chinese_ui``."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def chinese_ui(settings) -> None:
    """The product's default: zh-hans unless the user switched."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(username: str, **extra: object) -> User:
        return services.create_user(
            actor=None,
            username=username,
            password=PASSWORD,
            email=str(extra.pop("email", f"{username}@example.com")),
            **extra,  # type: ignore[arg-type]
        )

    return make


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user("alice")


@pytest.fixture
def workspace(admin_user) -> Workspace:
    return services.create_workspace(actor=admin_user, name="Brand A", slug="brand-a")


@pytest.fixture
def other_workspace(make_user) -> Workspace:
    owner = make_user("zed")
    return services.create_workspace(actor=owner, name="Brand B", slug="brand-b")


@pytest.fixture
def member_with_role(make_user, admin_user, workspace) -> Callable[[str], User]:
    """A new user holding ``role`` in ``workspace``."""

    def make(role: str) -> User:
        if role == Role.ADMIN:
            return admin_user
        user = make_user(f"user-{role}")
        services.add_member(actor=admin_user, workspace=workspace, user=user, role=role)
        return user

    return make


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client_for() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        _token, raw = services.create_api_token(actor=user, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make
