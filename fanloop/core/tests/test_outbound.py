"""Outbound webhooks never reach this machine or its private network."""

import socket

import pytest
from django.core.exceptions import ValidationError

from fanloop.analytics.alerts import delivery
from fanloop.analytics.models import AlertRule
from fanloop.analytics.tests.test_alert_delivery import make_rule
from fanloop.core.outbound import private_address_reason


@pytest.fixture(autouse=True)
def _guard_on(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://172.16.5.4/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url: str) -> None:
    assert "private address" in private_address_reason(url)


def test_a_public_address_is_allowed() -> None:
    assert private_address_reason("http://8.8.8.8/hook") == ""
    # a name that does not resolve now: the request fails on its own
    assert private_address_reason("https://hooks.example.invalid/") == ""


def test_a_name_that_resolves_to_a_private_address_is_refused(monkeypatch) -> None:
    def resolve(host: str, port: object) -> list[tuple[object, ...]]:
        assert host == "hooks.example.com"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.0.10", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    assert "192.168.0.10" in private_address_reason("https://hooks.example.com/x")


def test_an_install_on_an_intranet_may_allow_private_addresses(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = True

    assert private_address_reason("http://10.0.0.8/hook") == ""


@pytest.mark.django_db
def test_an_alert_rule_cannot_save_a_private_webhook(admin_user, workspace) -> None:
    with pytest.raises(ValidationError) as raised:
        make_rule(admin_user, workspace, webhook_url="http://169.254.169.254/latest/meta-data/")

    assert "private address" in str(raised.value.message_dict["webhook_url"])
    assert not AlertRule.objects.filter(workspace=workspace).exists()


def test_a_webhook_is_not_posted_to_a_private_address() -> None:
    result = delivery.post_webhook("http://127.0.0.1:9/hook", "json", {"text": "x"})

    assert not result.ok
    assert result.http_status is None
    assert "private address" in result.error
