"""The platform accounts API: masked reads, write-only credentials, field errors that
change nothing, permissions and workspace isolation."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

import fanloop.channels.connectors.douyin  # noqa: F401  (connectors register on import)
from fanloop.channels.models import AccountStatus, ChannelAccount, JobState, PublishJob
from fanloop.channels.services import accounts
from fanloop.content import services as content
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db

SECRET = "dy-client-secret-9f8e7d6c"
TOKEN = "dy-access-token-1a2b3c4d"
DOUYIN = {
    "client_key": "awkey123",
    "client_secret": SECRET,
    "access_token": TOKEN,
    "refresh_token": "dy-refresh-token-5e6f7a8b",
    "open_id": "open-777",
}


@pytest.fixture
def api(api_client_for, operator):
    return api_client_for(operator)


@pytest.fixture
def douyin_account(make_account):
    return make_account("douyin", "品牌抖音号", simulated=False, credentials=dict(DOUYIN))


def base(workspace):
    return f"/api/v1/workspaces/{workspace.pk}/channels/accounts/"


def snapshot():
    return (ChannelAccount.objects.count(), AuditEntry.objects.count())


def no_secrets(response):
    text = response.content.decode()
    return all(value not in text for value in (SECRET, TOKEN, DOUYIN["refresh_token"]))


def test_list_and_retrieve_show_status_and_masked_credentials(
    api, workspace, douyin_account, make_account
):
    sim = make_account("weibo", "演示微博")
    accounts.record_problem(
        account=douyin_account, message="10008 token expired", token_expired=True
    )

    listing = api.get(base(workspace))
    one = api.get(f"{base(workspace)}{douyin_account.pk}/")

    assert listing.status_code == 200
    assert one.status_code == 200
    rows = {row["id"]: row for row in listing.json()["results"]}
    assert set(rows) == {douyin_account.pk, sim.pk}
    assert rows[sim.pk]["simulated"] is True
    body = one.json()
    assert body["status"] == AccountStatus.TOKEN_EXPIRED
    assert body["last_error"] == "10008 token expired"
    assert body["credentials"]["client_secret"] == "••••7d6c"
    assert "publish" in body["capabilities"]
    assert no_secrets(listing)
    assert no_secrets(one)


def test_list_filters_by_platform_and_status(api, workspace, douyin_account, make_account):
    make_account("zhihu", "知乎号", simulated=False)
    found = api.get(base(workspace), {"platform": "zhihu"}).json()["results"]
    assert [row["display_name"] for row in found] == ["知乎号"]
    found = api.get(base(workspace), {"status": "connected"}).json()["results"]
    assert [row["id"] for row in found] == [douyin_account.pk]
    assert api.get(base(workspace), {"status": "nope"}).status_code == 400


def test_create_stores_credentials_and_returns_them_masked(api, workspace, operator):
    response = api.post(
        base(workspace),
        {
            "platform": "douyin",
            "display_name": "品牌抖音号",
            "platform_account_id": "dy-42",
            "credentials": DOUYIN,
            "token_expires_at": "2031-05-01T10:30:00+08:00",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == AccountStatus.CONNECTED
    assert body["publishes_by_api"] is True
    assert body["owner"] == operator.pk
    assert set(body["credentials"]) == set(DOUYIN)
    assert no_secrets(response)
    account = ChannelAccount.objects.get()
    assert accounts.credentials_of(account) == DOUYIN
    assert account.token_expires_at.isoformat() == "2031-05-01T02:30:00+00:00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"platform": "myspace"}, "platform"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"credentials": {**DOUYIN, "password": "x"}}, "credentials.password"),
        ({"credentials": {**DOUYIN, "open_id": ""}}, "credentials.open_id"),
        ({"credentials": {**DOUYIN, "open_id": {"nested": 1}}}, "credentials.open_id"),
        ({"credentials": "token"}, "credentials"),
        ({"api_base_url": "not a url"}, "api_base_url"),
        ({"simulated": True}, "credentials"),
        ({"token_expires_at": "tomorrow"}, "token_expires_at"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api, workspace, change, field):
    before = snapshot()
    data = {"platform": "douyin", "display_name": "品牌抖音号", "credentials": DOUYIN, **change}

    response = api.post(base(workspace), data, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["field_errors"]
    assert snapshot() == before
    assert no_secrets(response)


@pytest.mark.parametrize(
    ("credentials", "field"),
    [
        ({"access_token": "t"}, "credentials.rip"),
        ({"access_token": "t", "rip": "not-an-ip"}, "credentials.rip"),
        (
            {"access_token": "t", "rip": "203.0.113.7", "safe_domain": "https://shop.cn/x"},
            "credentials.safe_domain",
        ),
    ],
)
def test_weibo_needs_the_posting_ip_and_a_bare_safe_domain(api, workspace, credentials, field):
    data = {"platform": "weibo", "display_name": "官方微博", "credentials": credentials}
    response = api.post(base(workspace), data, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["field_errors"]
    assert not ChannelAccount.objects.exists()

    good = {"access_token": "t", "rip": "203.0.113.7", "safe_domain": "shop.example.com"}
    response = api.post(base(workspace), {**data, "credentials": good}, format="json")
    assert response.status_code == 201, response.content


def test_a_duplicate_name_is_a_400(api, workspace, douyin_account):
    before = snapshot()
    response = api.post(
        base(workspace), {"platform": "douyin", "display_name": "品牌抖音号"}, format="json"
    )
    assert response.status_code == 400
    assert "display_name" in response.json()["error"]["field_errors"]
    assert snapshot() == before


def test_a_name_taken_between_check_and_insert_is_a_400_not_a_crash(
    api, workspace, douyin_account, monkeypatch
):
    # given the name check passes (as it would for a request racing another one)
    monkeypatch.setattr(accounts, "_validate", lambda account, credentials: None)
    before = snapshot()

    response = api.post(
        base(workspace), {"platform": "douyin", "display_name": "品牌抖音号"}, format="json"
    )

    # then the database's constraint answers, as a field error
    assert response.status_code == 400
    assert "display_name" in response.json()["error"]["field_errors"]
    assert snapshot() == before


def test_patch_replaces_only_the_credentials_given(api, workspace, douyin_account):
    accounts.record_problem(
        account=douyin_account, message="10008 token expired", token_expired=True
    )

    response = api.patch(
        f"{base(workspace)}{douyin_account.pk}/",
        {"credentials": {"access_token": "fresh-token-0000"}},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["credentials"]["access_token"] == "••••0000"
    assert "fresh-token-0000" not in response.content.decode()
    douyin_account.refresh_from_db()
    assert douyin_account.status == AccountStatus.CONNECTED
    assert accounts.credentials_of(douyin_account) == {**DOUYIN, "access_token": "fresh-token-0000"}


def test_patch_is_all_or_nothing(api, workspace, douyin_account):
    before = snapshot()
    response = api.patch(
        f"{base(workspace)}{douyin_account.pk}/",
        {"display_name": "新名字", "credentials": {"password": "x"}},
        format="json",
    )
    assert response.status_code == 400
    assert "credentials.password" in response.json()["error"]["field_errors"]
    douyin_account.refresh_from_db()
    assert douyin_account.display_name == "品牌抖音号"
    assert snapshot() == before


def test_an_expiry_centuries_away_is_a_400(api, workspace, douyin_account):
    response = api.patch(
        f"{base(workspace)}{douyin_account.pk}/",
        {"token_expires_at": "1213-09-10T18:34:59Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "token_expires_at" in response.json()["error"]["field_errors"]
    douyin_account.refresh_from_db()
    assert douyin_account.token_expires_at is None or douyin_account.token_expires_at.year > 2000


def test_patch_changes_details_and_the_owner_must_be_a_member(
    api, workspace, other_workspace, admin_user, douyin_account
):
    target = f"{base(workspace)}{douyin_account.pk}/"
    outsider = other_workspace.memberships.get().user
    response = api.patch(target, {"owner": outsider.pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()["error"]["field_errors"]
    assert outsider.username not in response.content.decode()

    response = api.patch(
        target,
        {"display_name": "主号", "owner": admin_user.pk, "token_expires_at": None},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["display_name"], response.json()["owner"]) == ("主号", admin_user.pk)


def test_delete_is_refused_while_posts_wait(api, workspace, writer, douyin_account):
    item = content.create_item(
        actor=writer,
        workspace=workspace,
        data={"title": "春季新品", "content_type": "image_text", "purpose": "product_intro"},
        platforms=["douyin"],
    )
    job = PublishJob.objects.create(
        workspace=workspace,
        variant=item.variants.get(),
        account=douyin_account,
        due_at=timezone.now() + timedelta(hours=1),
        state=JobState.SCHEDULED,
        idempotency_key=uuid.uuid4().hex,
    )
    target = f"{base(workspace)}{douyin_account.pk}/"

    response = api.delete(target)

    assert response.status_code == 400
    assert "waiting to be published" in json.dumps(response.json(), ensure_ascii=False)
    assert ChannelAccount.objects.filter(pk=douyin_account.pk, credentials__gt="").exists()

    PublishJob.objects.filter(pk=job.pk).update(state=JobState.CANCELLED)
    assert api.delete(target).status_code == 204
    douyin_account.refresh_from_db()
    assert accounts.credentials_of(douyin_account) == {}


def test_delete_removes_an_account_without_history(api, workspace, douyin_account):
    assert api.delete(f"{base(workspace)}{douyin_account.pk}/").status_code == 204
    assert not ChannelAccount.objects.exists()


def test_a_viewer_reads_keys_only_and_cannot_write(
    api_client_for, member_with_role, workspace, douyin_account
):
    client = api_client_for(member_with_role(Role.VIEWER))
    target = f"{base(workspace)}{douyin_account.pk}/"
    body = client.get(target).json()
    assert body["credentials"] == {key: "••••" for key in DOUYIN}
    before = snapshot()
    assert (
        client.post(
            base(workspace), {"platform": "zhihu", "display_name": "知乎"}, format="json"
        ).status_code
        == 403
    )
    assert client.post(base(workspace), {}, format="json").status_code == 403
    assert client.patch(target, {"display_name": "改"}, format="json").status_code == 403
    assert client.delete(target).status_code == 403
    assert snapshot() == before


def test_another_workspaces_accounts_are_not_found(api, workspace, other_workspace, make_account):
    theirs = make_account(
        "douyin",
        "对手号",
        simulated=False,
        credentials=dict(DOUYIN),
        workspace=other_workspace,
        actor=other_workspace.memberships.get().user,
    )
    before = snapshot()
    mine = f"{base(workspace)}{theirs.pk}/"
    assert api.get(mine).status_code == 404
    assert api.patch(mine, {"display_name": "x"}, format="json").status_code == 404
    assert api.delete(mine).status_code == 404
    assert api.get(base(other_workspace)).status_code == 404
    assert api.get(f"{base(other_workspace)}{theirs.pk}/").status_code == 404
    assert (
        api.post(
            base(other_workspace), {"platform": "zhihu", "display_name": "x"}, format="json"
        ).status_code
        == 404
    )
    assert api.get(f"{base(workspace)}99999999999999999999/").status_code == 404
    assert snapshot() == before


def test_the_schema_documents_the_accounts_api(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/workspaces/{workspace_pk}/channels/accounts/{id}/" in paths
