"""A simulated account remembers its posts in the database: a repeated publish is the same
post and a lookup from another process (a fresh connector) finds it."""

import pytest

from fanloop.channels.connectors.base import PublishRequest
from fanloop.channels.models import SandboxPost
from fanloop.channels.services import accounts
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulated(member_with_role, workspace):
    return accounts.connect_account(
        actor=member_with_role(Role.OPERATOR),
        workspace=workspace,
        platform="xiaohongshu",
        display_name="小红书（沙盒模拟）",
        simulated=True,
    )


def test_publishing_the_same_key_twice_is_one_post(simulated):
    request = PublishRequest(idempotency_key="k-1", title="t", body="b", content_type="note")
    first = accounts.connector_for(simulated).publish(request)
    again = accounts.connector_for(simulated).publish(request)
    assert first.remote_id == again.remote_id
    assert first.url.startswith("https://sandbox.fanloop.invalid/")
    assert SandboxPost.objects.filter(account=simulated).count() == 1


def test_a_fresh_connector_finds_an_earlier_publish(simulated):
    request = PublishRequest(idempotency_key="k-2", title="t", body="b", content_type="note")
    published = accounts.connector_for(simulated).publish(request)
    found = accounts.connector_for(simulated).lookup("k-2")
    assert found is not None
    assert found.remote_id == published.remote_id
    assert accounts.connector_for(simulated).lookup("never-sent") is None
