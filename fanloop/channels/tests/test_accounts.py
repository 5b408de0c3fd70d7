"""Platform accounts: encrypted credentials, status, permissions, the shared rate gate,
and tokens refreshed before they expire."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from fanloop.channels.connectors import base
from fanloop.channels.connectors.base import Capability, Connector, ConnectorError, RateLimit
from fanloop.channels.models import AccountStatus, ChannelAccount
from fanloop.channels.services import accounts
from fanloop.channels.sync import refresh_expiring_tokens
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
SECRET = "s3cr3t-app-secret-value"


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


def connect(actor, workspace, **extra):
    options = {
        "platform": "wechat_oa",
        "display_name": "品牌公众号",
        "credentials": {"app_id": "wx123", "app_secret": SECRET},
    }
    options.update(extra)
    return accounts.connect_account(actor=actor, workspace=workspace, **options)


def test_credentials_are_encrypted_at_rest_and_masked_in_the_audit_log(operator, workspace):
    account = connect(operator, workspace)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials FROM channels_channelaccount WHERE id = %s", [account.pk]
        )
        stored = cursor.fetchone()[0]
    assert SECRET not in stored
    assert (
        accounts.credentials_of(ChannelAccount.objects.get(pk=account.pk))["app_secret"] == SECRET
    )
    entry = AuditEntry.objects.get(action="channels.account_connect")
    assert SECRET not in str(entry.changes)
    assert entry.changes["credentials"][1]["app_secret"].endswith("alue")


class FakeWechat(Connector):
    platform = "wechat_oa"
    capabilities = frozenset({Capability.PUBLISH})


def test_an_account_without_credentials_publishes_by_hand(operator, workspace, monkeypatch):
    monkeypatch.setitem(base.REGISTRY, "wechat_oa", FakeWechat)
    account = connect(operator, workspace, platform="xiaohongshu", credentials={})
    assert account.status == AccountStatus.ASSISTED
    assert connect(operator, workspace, display_name="API 号").status == AccountStatus.CONNECTED


def test_a_simulated_account_is_served_by_the_sandbox(operator, workspace):
    account = connect(operator, workspace, platform="douyin", credentials={}, simulated=True)
    assert account.status == AccountStatus.CONNECTED
    assert account.connector_platform == "sandbox"


@pytest.mark.parametrize("role", [Role.CONTENT, Role.VIEWER, Role.ANALYST, Role.REVIEWER])
def test_only_operators_and_admins_connect_accounts(member_with_role, workspace, role):
    with pytest.raises(PermissionDenied):
        connect(member_with_role(role), workspace)
    assert not ChannelAccount.objects.exists()


def test_bad_input_names_the_field_and_writes_nothing(operator, workspace):
    connect(operator, workspace)
    with pytest.raises(ValidationError) as error:
        connect(operator, workspace)
    assert "display_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        connect(operator, workspace, platform="myspace", display_name="x")
    assert "platform" in error.value.message_dict
    assert ChannelAccount.objects.count() == 1


def test_new_credentials_clear_a_token_problem(operator, workspace):
    account = connect(operator, workspace)
    accounts.record_problem(account=account, message="40001 invalid credential", token_expired=True)
    account.refresh_from_db()
    assert (account.status, account.last_error) == (
        AccountStatus.TOKEN_EXPIRED,
        "40001 invalid credential",
    )
    fixed = accounts.update_credentials(
        actor=operator, account=account, credentials={"access_token": "fresh"}
    )
    assert fixed.status == AccountStatus.CONNECTED
    assert accounts.credentials_of(fixed) == {
        "app_id": "wx123",
        "app_secret": SECRET,
        "access_token": "fresh",
    }


def test_the_rate_gate_is_shared_by_everyone_using_the_account(operator, workspace):
    account = connect(operator, workspace)
    first, second = accounts.db_rate_gate(account), accounts.db_rate_gate(account)
    limit = RateLimit(calls=3, seconds=60)
    assert [first("draft/add", limit), second("draft/add", limit), first("draft/add", limit)] == [
        0.0,
        0.0,
        0.0,
    ]
    wait = second("draft/add", limit)
    assert 0 < wait <= 60
    # another API has its own window
    assert first("comment/list", limit) == 0.0


class FakeRefreshing(Connector):
    platform = "bilibili"
    capabilities = frozenset({Capability.REFRESH_TOKEN})
    fail = False

    def refresh_token(self):
        if FakeRefreshing.fail:
            raise ConnectorError("refresh_token expired; authorise again", auth=True)
        later = (timezone.now() + timedelta(days=30)).isoformat()
        return {"access_token": "new-token", "expires_at": later}


@pytest.fixture
def fake_bilibili(monkeypatch):
    monkeypatch.setitem(base.REGISTRY, "bilibili", FakeRefreshing)
    FakeRefreshing.fail = False
    return FakeRefreshing


def test_tokens_expiring_soon_are_refreshed_and_stored(operator, workspace, fake_bilibili):
    soon = timezone.now() + timedelta(minutes=30)
    account = connect(
        operator,
        workspace,
        platform="bilibili",
        credentials={"access_token": "old"},
        token_expires_at=soon,
    )
    later = connect(
        operator,
        workspace,
        platform="bilibili",
        display_name="later",
        credentials={"access_token": "keep"},
        token_expires_at=timezone.now() + timedelta(days=5),
    )
    assert refresh_expiring_tokens() == {"refreshed": 1, "failed": 0, "skipped": 0}
    account.refresh_from_db()
    assert accounts.credentials_of(account)["access_token"] == "new-token"
    assert account.token_expires_at > timezone.now() + timedelta(days=29)
    later.refresh_from_db()
    assert accounts.credentials_of(later)["access_token"] == "keep"


def test_a_failed_refresh_tells_people_what_to_do(operator, workspace, fake_bilibili):
    fake_bilibili.fail = True
    account = connect(
        operator,
        workspace,
        platform="bilibili",
        credentials={"access_token": "old"},
        token_expires_at=timezone.now() + timedelta(minutes=5),
    )
    assert refresh_expiring_tokens()["failed"] == 1
    account.refresh_from_db()
    assert account.status == AccountStatus.TOKEN_EXPIRED
    assert "authorise again" in account.last_error


def test_assisted_platforms_have_no_connector(operator, workspace):
    account = connect(operator, workspace, platform="zhihu", credentials={})
    with pytest.raises(ValidationError, match="assisted"):
        accounts.connector_for(account)


def test_disconnect_refuses_while_posts_wait(operator, workspace):
    account = connect(operator, workspace)
    accounts.disconnect_account(actor=operator, account=account)
    assert not ChannelAccount.objects.filter(pk=account.pk).exists()
