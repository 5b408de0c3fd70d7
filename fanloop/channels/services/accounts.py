"""Platform accounts: connect, change credentials, status, and the connector for one."""

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import REGISTRY, Connector, Credentials, RateGate, RateLimit
from fanloop.channels.models import (
    ACCOUNT_PLATFORM_CHOICES,
    SANDBOX,
    AccountStatus,
    ChannelAccount,
    RateWindow,
)
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action

PLATFORMS = {value for value, _label in ACCOUNT_PLATFORM_CHOICES}
AUDITED = (
    "platform",
    "display_name",
    "platform_account_id",
    "status",
    "simulated",
    "api_base_url",
)


def masked(credentials: Credentials) -> dict[str, str]:
    """What the UI and the audit log may show of credentials: keys, never values."""
    return {key: "••••" + str(value)[-4:] if value else "" for key, value in credentials.items()}


def credentials_of(account: ChannelAccount) -> Credentials:
    if not account.credentials:
        return {}
    value = json.loads(account.credentials)
    return value if isinstance(value, dict) else {}


def _validate(account: ChannelAccount, credentials: Credentials) -> None:
    errors: dict[str, str] = {}
    if account.platform not in PLATFORMS:
        errors["platform"] = _("Choose a platform.")
    if not (account.display_name or "").strip():
        errors["display_name"] = _("Give the account a name people recognise.")
    if any(not isinstance(k, str) for k in credentials):
        errors["credentials"] = _("Credentials are a set of named values.")
    clash = ChannelAccount.objects.filter(
        workspace=account.workspace,
        platform=account.platform,
        display_name=(account.display_name or "").strip(),
    ).exclude(pk=account.pk)
    if clash.exists():
        errors["display_name"] = _("This workspace already has an account with that name here.")
    if errors:
        raise ValidationError(errors)
    account.display_name = account.display_name.strip()


@transaction.atomic
def connect_account(
    *,
    actor: User,
    workspace: Workspace,
    platform: str,
    display_name: str,
    platform_account_id: str = "",
    credentials: Credentials | None = None,
    token_expires_at: datetime | None = None,
    api_base_url: str = "",
    simulated: bool = False,
) -> ChannelAccount:
    """Add an account. Without credentials (or on a platform without a connector) it
    publishes by assisted publishing."""
    require_action(actor, workspace, Action.CHANNEL_MANAGE)
    credentials = {k: v for k, v in (credentials or {}).items() if v not in ("", None)}
    account = ChannelAccount(
        workspace=workspace,
        platform=platform,
        display_name=display_name,
        platform_account_id=platform_account_id.strip(),
        token_expires_at=token_expires_at,
        api_base_url=api_base_url.strip(),
        simulated=simulated or platform == SANDBOX,
        owner=actor,
    )
    _validate(account, credentials)
    account.credentials = json.dumps(credentials) if credentials else ""
    account.status = (
        AccountStatus.CONNECTED
        if (credentials and platform in REGISTRY) or account.simulated
        else AccountStatus.ASSISTED
    )
    account.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="channels.account_connect",
        obj=account,
        changes={**audit.created(account, AUDITED), "credentials": (None, masked(credentials))},
    )
    from fanloop.channels.services.publishing import adopt_unassigned_jobs

    adopt_unassigned_jobs(account)
    return account


@transaction.atomic
def update_credentials(
    *,
    actor: User | None,
    account: ChannelAccount,
    credentials: Credentials,
    token_expires_at: datetime | None = None,
) -> ChannelAccount:
    """New credentials (a person pasting them, or a token refresh with ``actor=None``)."""
    if actor is not None:
        require_action(actor, account.workspace, Action.CHANNEL_MANAGE)
    account = ChannelAccount.objects.select_for_update().get(pk=account.pk)
    before = masked(credentials_of(account))
    status_before = account.status
    merged = {**credentials_of(account), **credentials}
    account.credentials = json.dumps(merged)
    account.token_expires_at = token_expires_at or account.token_expires_at
    if account.status in {AccountStatus.TOKEN_EXPIRED, AccountStatus.ERROR}:
        account.status = AccountStatus.CONNECTED
        account.last_error = ""
    elif account.status == AccountStatus.ASSISTED and merged and account.platform in REGISTRY:
        # Credentials are what turns an assisted account into one that publishes by API,
        # the same rule connect_account applies.
        account.status = AccountStatus.CONNECTED
    account.updated_at = timezone.now()
    account.save()
    changes: audit.Changes = {"credentials": (before, masked(merged))}
    if status_before != account.status:
        changes["status"] = (status_before, account.status)
    audit.record(
        actor=actor,
        workspace=account.workspace,
        action="channels.account_credentials",
        obj=account,
        changes={
            "credentials": (before, masked(merged)),
            **(
                {"status": (status_before, account.status)}
                if status_before != account.status
                else {}
            ),
        },
    )
    return account


@transaction.atomic
def record_problem(*, account: ChannelAccount, message: str, token_expired: bool = False) -> None:
    """A connector call failed in a way a person must fix; the account shows it."""
    status = AccountStatus.TOKEN_EXPIRED if token_expired else AccountStatus.ERROR
    before = ChannelAccount.objects.filter(pk=account.pk).values_list("status", flat=True).first()
    ChannelAccount.objects.filter(pk=account.pk).update(
        status=status, last_error=message[:2000], last_error_at=timezone.now()
    )
    audit.record(
        actor=None,
        workspace=account.workspace,
        action="channels.account_problem",
        obj=account,
        changes={"status": (before, status), "last_error": (None, message[:300])},
    )


@transaction.atomic
def disconnect_account(*, actor: User, account: ChannelAccount) -> None:
    require_action(actor, account.workspace, Action.CHANNEL_MANAGE)
    if account.jobs.filter(state__in=["scheduled", "publishing", "needs_check"]).exists():
        raise ValidationError(
            _("This account has posts waiting to be published; move or cancel them first.")
        )
    audit.record(
        actor=actor,
        workspace=account.workspace,
        action="channels.account_disconnect",
        obj=account,
        changes=audit.deleted(account, AUDITED),
    )
    if account.jobs.exists() or account.metrics.exists():
        # History keeps pointing at it; it just stops being usable.
        account.credentials = ""
        account.status = AccountStatus.ASSISTED
        # A name is data, not UI: written in the product's language, not the visitor's.
        with translation.override(settings.LANGUAGE_CODE):
            account.display_name = (_("%(name)s (disconnected)") % {"name": account.display_name})[
                :100
            ]
        account.save()
    else:
        account.delete()


def db_rate_gate(account: ChannelAccount) -> RateGate:
    """A rate gate shared by every worker: one conditional UPDATE per call."""

    def gate(api: str, limit: RateLimit) -> float:
        now = timezone.now()
        window, _created = RateWindow.objects.get_or_create(
            account=account, api=api, defaults={"window_start": now, "calls": 0}
        )
        if window.window_start + timedelta(seconds=limit.seconds) <= now:
            # A new window: whoever resets it first also takes its first call.
            reset = RateWindow.objects.filter(
                pk=window.pk, window_start=window.window_start
            ).update(window_start=now, calls=1)
            if reset == 1:
                return 0.0
            window.refresh_from_db()
        taken = RateWindow.objects.filter(pk=window.pk, calls__lt=limit.calls).update(
            calls=F("calls") + 1
        )
        if taken == 1:
            return 0.0
        ends = window.window_start + timedelta(seconds=limit.seconds)
        return max((ends - now).total_seconds(), 0.1)

    return gate


def connector_for(account: ChannelAccount, **overrides: Any) -> Connector:
    """The account's connector, with its credentials, base URL and shared rate limit.

    Refreshed tokens are saved back encrypted through ``update_credentials``.
    """
    connector_class = REGISTRY.get(account.connector_platform)
    if connector_class is None:
        raise ValidationError(
            _("There is no API connector for %(platform)s; it publishes by assisted publishing.")
            % {"platform": account.get_platform_display()}
        )

    def save_credentials(new: Credentials) -> None:
        expires = new.get("expires_at")
        update_credentials(
            actor=None,
            account=account,
            credentials=new,
            token_expires_at=datetime.fromisoformat(expires) if isinstance(expires, str) else None,
        )

    options: dict[str, Any] = {
        "credentials": credentials_of(account),
        "base_url": account.api_base_url,
        "rate_gate": db_rate_gate(account),
        "on_credentials": save_credentials,
    }
    if account.simulated:
        from fanloop.channels.sandbox.ledger import DbLedger

        options["ledger"] = DbLedger(account)
        options["credentials"] = {"seed": account.pk, **options["credentials"]}
    options.update(overrides)
    return connector_class(**options)
