"""The accounts pages: the list with statuses and what to do, connecting, details and
credentials, disconnecting, permissions, workspace isolation and CSRF."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import fanloop.channels.connectors.bilibili
import fanloop.channels.connectors.douyin
import fanloop.channels.connectors.wecom  # noqa: F401  (connectors register on import)
from fanloop.channels.models import AccountStatus, ChannelAccount, JobState, PublishJob
from fanloop.channels.services import accounts
from fanloop.content import services as content
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db

SECRET = "dy-client-secret-9f8e7d6c"
TOKEN = "dy-access-token-1a2b3c4d"
REFRESH = "dy-refresh-token-5e6f7a8b"
DOUYIN = {
    "client_key": "awkey123",
    "client_secret": SECRET,
    "access_token": TOKEN,
    "refresh_token": REFRESH,
    "open_id": "open-777",
}


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def connect_form(platform="douyin", name="品牌抖音号", **extra):
    data = {"platform": platform, "display_name": name, "platform_account_id": "dy-42"}
    for key, value in (DOUYIN if platform == "douyin" else {}).items():
        data[f"{platform}__{key}"] = value
    data.update(extra)
    return data


@pytest.fixture
def viewer(member_with_role):
    return member_with_role(Role.VIEWER)


@pytest.fixture
def douyin_account(make_account):
    return make_account("douyin", "品牌抖音号", simulated=False, credentials=dict(DOUYIN))


@pytest.fixture
def waiting_job(writer, workspace):
    """A post scheduled on ``account``: the state in which disconnecting is refused."""

    def make(account, state=JobState.SCHEDULED):
        item = content.create_item(
            actor=writer,
            workspace=workspace,
            data={"title": "春季新品", "content_type": "image_text", "purpose": "product_intro"},
            platforms=[account.platform],
        )
        return PublishJob.objects.create(
            workspace=workspace,
            variant=item.variants.get(),
            account=account,
            due_at=timezone.now() + timedelta(hours=2),
            state=state,
            idempotency_key=uuid.uuid4().hex,
        )

    return make


def snapshot():
    return (ChannelAccount.objects.count(), AuditEntry.objects.count())


# The list -------------------------------------------------------------------------------


def test_the_list_groups_accounts_by_platform_with_status_expiry_and_what_to_do(
    client_for, operator, workspace, make_account
):
    # given accounts in every state, one of them simulated
    live = make_account(
        "douyin",
        "抖音主号",
        simulated=False,
        credentials=dict(DOUYIN),
        token_expires_at=timezone.now() + timedelta(hours=3, minutes=5),
    )
    sim = make_account("douyin", "抖音演示号")
    expired = make_account(
        "bilibili",
        "B站号",
        simulated=False,
        credentials={"client_id": "c", "client_secret": "s", "access_token": "t"},
        token_expires_at=timezone.now() - timedelta(hours=1),
    )
    accounts.record_problem(
        account=expired, message="127001 access_token wrong", token_expired=True
    )
    broken = make_account(
        "wecom", "企微", simulated=False, credentials={"corp_id": "ww1", "secret": "x" * 12}
    )
    accounts.record_problem(account=broken, message="60011 no privilege to access")
    assisted = make_account("zhihu", "知乎号", simulated=False)

    # when the operator opens the accounts page
    response = client_for(operator).get(url("channel_accounts", workspace))

    # then every account is there under its platform with its status
    assert response.status_code == 200
    html = response.content.decode()
    for account in (live, sim, expired, broken, assisted):
        assert f'data-account="{account.pk}"' in html
    assert html.index('data-platform="douyin"') < html.index('data-platform="bilibili"')
    assert 'data-status="token_expired"' in html
    assert 'data-status="error"' in html
    assert 'data-status="assisted"' in html
    # the simulated label appears exactly once: on the simulated account, never on others
    assert html.count('data-testid="simulated-label"') == 1
    sim_row = html[html.index(f'data-account="{sim.pk}"') :]
    assert "SIMULATED" in sim_row[: sim_row.index("</tr>")]
    # token expiry in words, the platform's last error, and what to do about each problem
    assert "expires in 3\xa0hours" in html
    assert "127001 access_token wrong" in html
    assert "60011 no privilege to access" in html
    assert "Paste new credentials" in html
    assert "published by hand in Assisted publishing" in html
    # capabilities the connector declares, and none for a platform without one
    assert "Reply to comments" in html
    assert 'data-testid="no-connector"' in html
    assert "2 accounts need attention" in html
    # and no secret reaches the page
    assert SECRET not in html
    assert TOKEN not in html


def test_an_empty_workspace_explains_the_three_ways_to_add_an_account(
    client_for, operator, workspace
):
    response = client_for(operator).get(url("channel_accounts", workspace))
    assert response.status_code == 200
    assert 'data-testid="no-accounts"' in response.content.decode()


def test_an_htmx_request_gets_the_fragment_only(client_for, operator, workspace, douyin_account):
    response = client_for(operator).get(url("channel_accounts", workspace), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "品牌抖音号" in html
    assert "<html" not in html


def test_pages_render_in_chinese(chinese_ui, client_for, operator, workspace, douyin_account):
    client = client_for(operator)
    for target in (
        url("channel_accounts", workspace),
        url("channel_account_new", workspace),
        url("channel_account", workspace, douyin_account.pk),
        url("channel_account_disconnect", workspace, douyin_account.pk),
    ):
        assert client.get(target).status_code == 200


# Connecting -------------------------------------------------------------------------------


def test_the_connect_form_offers_each_platforms_fields_with_secrets_as_password_inputs(
    client_for, operator, workspace
):
    response = client_for(operator).get(url("channel_account_new", workspace) + "?platform=wecom")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-credentials-for="douyin"' in html
    assert 'type="password" name="douyin__client_secret"' in html
    assert 'type="text" name="douyin__open_id"' in html
    assert 'name="wechat_oa__app_secret"' in html
    assert 'name="weibo__uid"' in html
    assert 'name="wecom__corp_id"' in html
    assert '<option value="wecom" selected>' in html
    assert "No credentials to enter" in html  # xiaohongshu / zhihu / kuaishou
    assert "never reaches the real platform" in html  # what "simulated" means
    assert "<script" not in html.split('id="main"')[1]  # no inline script (CSP)


def test_connecting_stores_the_credentials_encrypted_and_shows_them_masked(
    client_for, operator, workspace
):
    client = client_for(operator)

    response = client.post(url("channel_account_new", workspace), connect_form())

    account = ChannelAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("channel_account", workspace, account.pk)
    assert account.status == AccountStatus.CONNECTED
    assert account.owner == operator
    assert accounts.credentials_of(account) == DOUYIN
    detail = client.get(response["Location"]).content.decode()
    assert "Connected 品牌抖音号" in detail
    assert SECRET not in detail
    assert TOKEN not in detail
    assert REFRESH not in detail
    assert "••••7d6c" in detail  # the last four characters, for the people who manage it


def test_a_platform_without_credentials_is_connected_for_assisted_publishing(
    client_for, operator, workspace
):
    response = client_for(operator).post(
        url("channel_account_new", workspace),
        {"platform": "xiaohongshu", "display_name": "小红书号", "douyin__client_secret": SECRET},
    )
    account = ChannelAccount.objects.get()
    assert response.status_code == 302
    assert account.status == AccountStatus.ASSISTED
    # inputs of another platform are ignored, not stored
    assert accounts.credentials_of(account) == {}


def test_a_simulated_account_is_labelled_everywhere(client_for, operator, workspace):
    client = client_for(operator)
    response = client.post(
        url("channel_account_new", workspace),
        {"platform": "weibo", "display_name": "演示微博", "simulated": "on"},
    )
    account = ChannelAccount.objects.get()
    assert account.simulated
    assert account.status == AccountStatus.CONNECTED
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="simulated-label"' in detail
    assert "never to Weibo" in detail


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "Give the account a name people recognise."),
        ({"platform": "myspace"}, "platform", "Choose a platform."),
        ({"douyin__open_id": ""}, "douyin__open_id", "Douyin needs open_id as well"),
        ({"simulated": "on"}, None, "A simulated account does not use credentials"),
        ({"api_base_url": "ftp://proxy"}, "api_base_url", "Enter a valid URL."),
    ],
)
def test_bad_input_names_the_problem_and_writes_nothing(
    client_for, operator, workspace, change, field, message
):
    before = snapshot()

    response = client_for(operator).post(
        url("channel_account_new", workspace), connect_form(**change)
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if field:
        assert f'data-field="{field}"' in html
    assert snapshot() == before
    # a secret typed into the form is not sent back
    assert SECRET not in html
    assert TOKEN not in html


def test_a_duplicate_name_on_the_same_platform_is_refused(
    client_for, operator, workspace, douyin_account
):
    before = snapshot()
    response = client_for(operator).post(url("channel_account_new", workspace), connect_form())
    assert response.status_code == 400
    assert "already has an account with that name" in response.content.decode()
    assert snapshot() == before
    # the same name on another platform is fine
    response = client_for(operator).post(
        url("channel_account_new", workspace), connect_form(platform="zhihu")
    )
    assert response.status_code == 302


# Details and credentials ------------------------------------------------------------------


def test_new_credentials_replace_only_the_fields_filled_in(
    client_for, operator, workspace, douyin_account
):
    accounts.record_problem(
        account=douyin_account, message="10008 token expired", token_expired=True
    )
    client = client_for(operator)

    response = client.post(
        url("channel_account_credentials", workspace, douyin_account.pk),
        {
            "access_token": "fresh-token-0000",
            "client_secret": "",
            "refresh_token": "",
            "token_expires_at": "2031-05-01T10:30",
        },
    )

    assert response.status_code == 302
    douyin_account.refresh_from_db()
    assert douyin_account.status == AccountStatus.CONNECTED
    assert douyin_account.last_error == ""
    # the expiry is read in the workspace's time zone (Asia/Shanghai, UTC+8)
    assert douyin_account.token_expires_at.isoformat() == "2031-05-01T02:30:00+00:00"
    assert accounts.credentials_of(douyin_account) == {**DOUYIN, "access_token": "fresh-token-0000"}
    detail = client.get(response["Location"]).content.decode()
    assert "fresh-token-0000" not in detail
    assert SECRET not in detail
    assert "••••0000" in detail
    assert "channels.account_credentials" in detail  # the change is in the history


def test_an_empty_credentials_form_is_refused(client_for, operator, workspace, douyin_account):
    before = snapshot()
    response = client_for(operator).post(
        url("channel_account_credentials", workspace, douyin_account.pk), {"access_token": ""}
    )
    assert response.status_code == 400
    assert "Enter at least one new value" in response.content.decode()
    assert snapshot() == before


def test_credentials_added_to_an_assisted_account_switch_it_to_the_api(
    client_for, operator, workspace, make_account
):
    account = make_account("douyin", "手动号", simulated=False)
    assert account.status == AccountStatus.ASSISTED
    client = client_for(operator)
    target = url("channel_account_credentials", workspace, account.pk)

    # an incomplete set is refused: the account could not publish with it
    response = client.post(target, {"access_token": TOKEN})
    assert response.status_code == 400
    assert "Douyin needs client_key as well" in response.content.decode()
    account.refresh_from_db()
    assert accounts.credentials_of(account) == {}

    response = client.post(target, DOUYIN)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED
    entry = AuditEntry.objects.filter(action="channels.account_credentials").latest("id")
    assert entry.changes["status"] == [AccountStatus.ASSISTED, AccountStatus.CONNECTED]


def test_details_can_be_changed_and_a_clash_is_refused(
    client_for, operator, admin_user, workspace, douyin_account, make_account
):
    make_account("douyin", "另一个号", simulated=False)
    client = client_for(operator)
    target = url("channel_account_details", workspace, douyin_account.pk)

    response = client.post(target, {"display_name": "另一个号"})
    assert response.status_code == 400
    assert "already has an account with that name" in response.content.decode()

    response = client.post(
        target,
        {
            "display_name": "品牌抖音主号",
            "platform_account_id": "dy-43",
            "owner": admin_user.pk,
        },
    )
    assert response.status_code == 302
    douyin_account.refresh_from_db()
    assert (douyin_account.display_name, douyin_account.platform_account_id) == (
        "品牌抖音主号",
        "dy-43",
    )
    assert douyin_account.owner == admin_user
    entry = AuditEntry.objects.get(action="channels.account_update")
    assert entry.changes["display_name"] == ["品牌抖音号", "品牌抖音主号"]


def test_the_owner_must_be_a_member(
    client_for, operator, workspace, other_workspace, douyin_account
):
    outsider = other_workspace.memberships.get().user
    response = client_for(operator).post(
        url("channel_account_details", workspace, douyin_account.pk),
        {"display_name": "品牌抖音号", "owner": outsider.pk},
    )
    assert response.status_code == 400
    douyin_account.refresh_from_db()
    assert douyin_account.owner == operator


# Disconnecting ----------------------------------------------------------------------------


def test_disconnect_is_refused_while_posts_wait(
    client_for, operator, workspace, douyin_account, waiting_job
):
    job = waiting_job(douyin_account)
    client = client_for(operator)
    target = url("channel_account_disconnect", workspace, douyin_account.pk)
    assert "1 post is waiting" in client.get(target).content.decode()

    response = client.post(target)

    assert response.status_code == 400
    assert "posts waiting to be published" in response.content.decode()
    douyin_account.refresh_from_db()
    assert accounts.credentials_of(douyin_account) == DOUYIN

    # once the post is cancelled the account goes, its history stays
    PublishJob.objects.filter(pk=job.pk).update(state=JobState.CANCELLED)
    response = client.post(target)
    assert response.status_code == 302
    douyin_account.refresh_from_db()
    assert "disconnected" in douyin_account.display_name
    assert accounts.credentials_of(douyin_account) == {}


def test_an_account_without_history_is_deleted(client_for, operator, workspace, douyin_account):
    response = client_for(operator).post(
        url("channel_account_disconnect", workspace, douyin_account.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == url("channel_accounts", workspace)
    assert not ChannelAccount.objects.exists()


# Permissions, isolation, CSRF -------------------------------------------------------------


def test_a_viewer_sees_the_pages_without_buttons_and_cannot_change_anything(
    client_for, viewer, workspace, douyin_account
):
    client = client_for(viewer)
    listing = client.get(url("channel_accounts", workspace)).content.decode()
    assert "品牌抖音号" in listing
    assert 'data-testid="connect-account"' not in listing
    detail = client.get(url("channel_account", workspace, douyin_account.pk)).content.decode()
    assert 'data-testid="credentials-form"' not in detail
    assert 'data-testid="details-form"' not in detail
    assert 'data-testid="disconnect-link"' not in detail
    assert 'data-testid="history"' not in detail
    assert "••••7d6c" not in detail
    assert "client_secret" in detail
    before = snapshot()
    assert client.get(url("channel_account_new", workspace)).status_code == 403
    for name, data in [
        ("channel_account_new", connect_form(name="别的")),
        ("channel_account_details", {"display_name": "改名"}),
        ("channel_account_credentials", {"access_token": "x"}),
        ("channel_account_disconnect", {}),
    ]:
        args = [] if name == "channel_account_new" else [douyin_account.pk]
        assert client.post(url(name, workspace, *args), data).status_code == 403, name
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("channel_account", "get"),
        ("channel_account_details", "post"),
        ("channel_account_credentials", "post"),
        ("channel_account_disconnect", "get"),
        ("channel_account_disconnect", "post"),
    ],
)
def test_another_workspaces_account_is_not_found(
    client_for, operator, workspace, other_workspace, make_account, name, method
):
    theirs = make_account(
        "douyin",
        "对手号",
        simulated=False,
        credentials=dict(DOUYIN),
        workspace=other_workspace,
        actor=other_workspace.memberships.get().user,
    )
    before = snapshot()
    response = getattr(client_for(operator), method)(
        url(name, workspace, theirs.pk), {"display_name": "x", "access_token": "y"}
    )
    assert response.status_code == 404
    assert snapshot() == before
    # nor can the workspace itself be reached by someone who is not a member
    assert client_for(operator).get(url("channel_accounts", other_workspace)).status_code == 404


def test_forms_need_the_csrf_token(operator, workspace, douyin_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    before = snapshot()
    for name, args, data in [
        ("channel_account_new", [], connect_form(name="别的")),
        ("channel_account_credentials", [douyin_account.pk], {"access_token": "x"}),
        ("channel_account_details", [douyin_account.pk], {"display_name": "改名"}),
        ("channel_account_disconnect", [douyin_account.pk], {}),
    ]:
        assert client.post(url(name, workspace, *args), data).status_code == 403, name
    assert snapshot() == before
    # and every form on the pages carries the token
    for page in (
        url("channel_account_new", workspace),
        url("channel_account", workspace, douyin_account.pk),
        url("channel_account_disconnect", workspace, douyin_account.pk),
    ):
        html = client.get(page).content.decode()
        main = html.split('id="main"')[1]
        assert main.count("<form") == main.count('name="csrfmiddlewaretoken"'), page
