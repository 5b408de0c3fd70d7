"""The accounts pages: every platform account of the workspace with its status and what to
do about it, connecting one, its details and credentials, and disconnecting it.

Thin over ``services.accounts`` and ``services.account_admin``; secrets never reach a page
(credentials show masked, secret inputs never render a value).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanloop.channels.connectors.base import Capability
from fanloop.channels.forms_accounts import ConnectForm, CredentialsForm, DetailsForm
from fanloop.channels.models import ACCOUNT_PLATFORM_CHOICES, AccountStatus, ChannelAccount
from fanloop.channels.services import account_admin, accounts
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view

View = Callable[..., HttpResponseBase]
# A token closer to its end than this is shown as a warning.
EXPIRY_WARNING = timedelta(days=3)

STATUS_COLOURS = {
    AccountStatus.CONNECTED: "success",
    AccountStatus.TOKEN_EXPIRED: "warning",
    AccountStatus.ERROR: "danger",
    AccountStatus.ASSISTED: "secondary",
}


# Expiry inputs read as the team's wall-clock time.
accounts_view = workspace_local_view


_actor = acting_user


# What a page shows about one account -----------------------------------------------------


@dataclass
class Expiry:
    text: str
    colour: str  # a Bootstrap text colour


def _expiry(account: ChannelAccount) -> Expiry | None:
    if account.simulated or account.token_expires_at is None:
        return None
    now = timezone.now()
    expires = account.token_expires_at
    if expires <= now:
        return Expiry(
            _("expired %(time)s ago") % {"time": timesince(expires, now, depth=1)}, "danger"
        )
    text = _("expires in %(time)s") % {"time": timeuntil(expires, now, depth=1)}
    return Expiry(text, "warning" if expires - now < EXPIRY_WARNING else "muted")


def _publishes_by_api(account: ChannelAccount) -> bool:
    return account.uses_api and Capability.PUBLISH in account_admin.capabilities(
        account.connector_platform
    )


def _what_to_do(account: ChannelAccount) -> str:
    """The next step for an account that cannot publish by itself; empty when none."""
    platform = account.get_platform_display()
    if account.status == AccountStatus.TOKEN_EXPIRED:
        return _(
            "The platform no longer accepts the saved token. Paste new credentials (at least "
            "a new access token), or authorise Fanloop again on the platform and paste the "
            "tokens it gives you. The account is connected again as soon as they are saved."
        )
    if account.status == AccountStatus.ERROR:
        return _(
            "The platform's message is shown above. Fix the cause on the platform's side "
            "(the app's permissions or scopes, the server IP allow-list, an account id that "
            "does not match the credentials), then save the credentials again to clear the "
            "error."
        )
    if account.status != AccountStatus.ASSISTED or account.simulated:
        return ""
    capabilities = account_admin.capabilities(account.platform)
    if Capability.PUBLISH in capabilities:
        return _(
            "Posts for this account are published by hand in Assisted publishing. Add API "
            "credentials to publish automatically."
        )
    if capabilities:
        return _(
            "%(platform)s's API cannot publish posts, so they are published by hand in "
            "Assisted publishing. Add API credentials to use what it does offer: %(what)s."
        ) % {
            "platform": platform,
            "what": ", ".join(account_admin.capability_labels(account.platform)),
        }
    return _(
        "Fanloop cannot publish to %(platform)s by API, so posts for this account are "
        "published by hand in Assisted publishing."
    ) % {"platform": platform}


@dataclass
class Row:
    account: ChannelAccount
    status_colour: str
    expiry: Expiry | None
    what_to_do: str
    by_api: bool
    broken: bool


def _row(account: ChannelAccount) -> Row:
    return Row(
        account=account,
        status_colour=STATUS_COLOURS.get(AccountStatus(account.status), "secondary"),
        expiry=_expiry(account),
        what_to_do=_what_to_do(account),
        by_api=_publishes_by_api(account),
        broken=account.status in {AccountStatus.TOKEN_EXPIRED, AccountStatus.ERROR},
    )


@dataclass
class Group:
    platform: str
    label: str
    capabilities: list[str]
    rows: list[Row] = field(default_factory=list)


def _can_manage(request: WorkspaceRequest) -> bool:
    return allowed(request.role, Action.CHANNEL_MANAGE)


# Pages -----------------------------------------------------------------------------------


@accounts_view(Action.WORKSPACE_VIEW)
def account_list(request: WorkspaceRequest) -> HttpResponse:
    groups: dict[str, Group] = {}
    labels = dict(ACCOUNT_PLATFORM_CHOICES)
    for account in account_admin.workspace_accounts(request.workspace):
        group = groups.get(account.platform)
        if group is None:
            group = groups[account.platform] = Group(
                account.platform,
                str(labels.get(account.platform, account.platform)),
                account_admin.capability_labels(account.platform),
            )
        group.rows.append(_row(account))
    ordered = [groups[p] for p, _label in ACCOUNT_PLATFORM_CHOICES if p in groups]
    missing = [(p, label) for p, label in ACCOUNT_PLATFORM_CHOICES if p not in groups]
    rows = [row for group in ordered for row in group.rows]
    return render_page(
        request,
        "channels/accounts/list.html",
        {
            "groups": ordered,
            "missing": missing,
            "broken": sum(row.broken for row in rows),
            "can_manage": _can_manage(request),
            "nav": "publishing",
        },
    )


@require_http_methods(["GET", "POST"])
@accounts_view(Action.WORKSPACE_VIEW)
def account_new(request: WorkspaceRequest) -> HttpResponseBase:
    if request.method == "POST":
        if not _can_manage(request):
            raise PermissionDenied(_("Your role does not allow this page."))
        form = ConnectForm(request.POST)
        if form.is_valid():
            try:
                account = account_admin.add_account(
                    actor=_actor(request),
                    workspace=request.workspace,
                    platform=form.cleaned_data["platform"],
                    display_name=form.cleaned_data["display_name"],
                    platform_account_id=form.cleaned_data["platform_account_id"],
                    credentials=form.credentials(),
                    token_expires_at=form.cleaned_data["token_expires_at"],
                    api_base_url=form.cleaned_data["api_base_url"],
                    simulated=form.cleaned_data["simulated"],
                )
            except ValidationError as exc:
                form.apply_service_error(exc)
            else:
                messages.success(request, _("Connected %(account)s.") % {"account": account})
                return redirect("channel_account", request.workspace.slug, account.pk)
        return _connect_page(request, form, status=400)
    if not _can_manage(request):
        raise PermissionDenied(_("Your role does not allow this page."))
    platform = request.GET.get("platform", "")
    initial = {"platform": platform} if platform in dict(ACCOUNT_PLATFORM_CHOICES) else {}
    return _connect_page(request, ConnectForm(initial=initial))


def _connect_page(request: WorkspaceRequest, form: ConnectForm, status: int = 200) -> HttpResponse:
    return render_page(
        request,
        "channels/accounts/new.html",
        {
            "form": form,
            "groups": form.credential_groups(),
            "nav": "publishing",
        },
        status=status,
    )


def _detail_page(
    request: WorkspaceRequest,
    account: ChannelAccount,
    *,
    details_form: DetailsForm | None = None,
    credentials_form: CredentialsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = _can_manage(request)
    see_history = can_manage or allowed(request.role, Action.AUDIT_VIEW)
    return render_page(
        request,
        "channels/accounts/detail.html",
        {
            "account": account,
            "row": _row(account),
            "capabilities": account_admin.capability_labels(account.platform),
            "credentials": sorted(account_admin.masked_for(account, full=can_manage).items()),
            "waiting": account_admin.waiting_jobs(account),
            "history": account_admin.history(account) if see_history else None,
            "can_manage": can_manage,
            "details_form": details_form or DetailsForm(account=account),
            "credentials_form": credentials_form or CredentialsForm(account=account),
            "nav": "publishing",
        },
        status=status,
    )


@accounts_view(Action.WORKSPACE_VIEW)
def account_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _detail_page(request, account_admin.workspace_account(request.workspace, pk))


@require_POST
@accounts_view(Action.CHANNEL_MANAGE)
def account_details_save(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    account = account_admin.workspace_account(request.workspace, pk)
    form = DetailsForm(request.POST, account=account)
    if form.is_valid():
        try:
            account_admin.update_account(
                actor=_actor(request), account=account, **form.cleaned_data
            )
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("channel_account", request.workspace.slug, account.pk)
    return _detail_page(request, account, details_form=form, status=400)


@require_POST
@accounts_view(Action.CHANNEL_MANAGE)
def account_credentials_save(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    account = account_admin.workspace_account(request.workspace, pk)
    form = CredentialsForm(request.POST, account=account)
    if form.is_valid():
        try:
            account_admin.replace_credentials(
                actor=_actor(request),
                account=account,
                credentials=form.credentials(),
                token_expires_at=form.cleaned_data["token_expires_at"],
            )
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("New credentials saved."))
            return redirect("channel_account", request.workspace.slug, account.pk)
    return _detail_page(request, account, credentials_form=form, status=400)


@require_http_methods(["GET", "POST"])
@accounts_view(Action.CHANNEL_MANAGE)
def account_disconnect(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    account = account_admin.workspace_account(request.workspace, pk)
    error = ""
    if request.method == "POST":
        name = str(account)
        try:
            accounts.disconnect_account(actor=_actor(request), account=account)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Disconnected %(account)s.") % {"account": name})
            return redirect("channel_accounts", request.workspace.slug)
    return render_page(
        request,
        "channels/accounts/disconnect.html",
        {
            "account": account,
            "waiting": account_admin.waiting_jobs(account),
            "has_history": account.jobs.exists() or account.metrics.exists(),
            "error": error,
            "nav": "publishing",
        },
        status=400 if error else 200,
    )
