"""Account administration on top of ``services.accounts``: which credential fields each
platform takes, connecting with those checked, editing an account's details, replacing
credentials, and the reads the accounts pages and API share.

Credential names follow what the connectors read and what the platforms call them:

- WeChat Official Account: AppID and AppSecret, from mp.weixin.qq.com (设置与开发 →
  基本配置, "开发者ID"); the access token is fetched with them (``GET /cgi-bin/token``).
- Weibo: the app's App Key and App Secret (open.weibo.com); ``access_token`` and ``uid``
  come back from ``POST https://api.weibo.com/oauth2/access_token`` once the account owner
  authorised the app (OAuth 2.0, ``expires_in`` in seconds). Posting also needs ``rip``
  (the operating user's real IP) and links on the app's safe domain (connectors/weibo.py).
- WeChat OA articles take an ``author`` of at most 16 characters (connectors/wechat_oa.py).
- Douyin: client_key / client_secret of the app, the user's access_token, refresh_token and
  open_id (connectors/douyin.py docstring).
- Bilibili: client_id / client_secret, access_token, refresh_token, and the partition
  ``tid`` a video submission needs (connectors/bilibili.py docstring).
- WeCom: the CorpID and the customer-contact (or self-built app) secret
  (connectors/wecom.py docstring).
- Xiaohongshu, Zhihu, Kuaishou: no open publishing API Fanloop uses; assisted only.
"""

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanloop.channels.connectors.base import REGISTRY, Capability, Credentials
from fanloop.channels.models import SANDBOX, ChannelAccount, JobState
from fanloop.channels.services import accounts
from fanloop.core import audit
from fanloop.core.models import AuditEntry, User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action
from fanloop.core.writes import apply, require_member

MAX_CREDENTIAL_LENGTH = 4000
# States in which a job still needs its account (disconnect_account refuses then).
WAITING_STATES = (JobState.SCHEDULED, JobState.PUBLISHING, JobState.NEEDS_CHECK)
DETAIL_FIELDS = frozenset(
    {"display_name", "platform_account_id", "api_base_url", "token_expires_at", "owner"}
)
DETAIL_AUDITED = (
    "display_name",
    "platform_account_id",
    "api_base_url",
    "token_expires_at",
    "owner",
)


@dataclass(frozen=True)
class CredentialField:
    key: str
    label: str | Promise
    secret: bool = False
    # Needed for publishing by API: a set of credentials without it is refused.
    required: bool = False
    help_text: str | Promise = ""
    max_length: int = MAX_CREDENTIAL_LENGTH
    kind: str = "text"  # "ip" or "domain": checked as such


def _f(key: str, label: str | Promise, **options: Any) -> CredentialField:
    return CredentialField(key, label, **options)


CREDENTIAL_FIELDS: dict[str, tuple[CredentialField, ...]] = {
    "wechat_oa": (
        _f(
            "app_id",
            "AppID",
            required=True,
            help_text=gettext_lazy(
                "On mp.weixin.qq.com under Settings and development → Basic configuration."
            ),
        ),
        _f("app_secret", "AppSecret", secret=True, required=True),
        _f(
            "author",
            gettext_lazy("Article author"),
            max_length=16,
            help_text=gettext_lazy("Shown on published articles; at most 16 characters."),
        ),
    ),
    "weibo": (
        _f("access_token", "access_token", secret=True, required=True),
        _f("uid", "uid", help_text=gettext_lazy("The authorised account's Weibo uid.")),
        _f(
            "rip",
            gettext_lazy("Operator IP (rip)"),
            required=True,
            kind="ip",
            help_text=gettext_lazy(
                "Weibo requires the real IP address of the person posting with every post "
                "and reply."
            ),
        ),
        _f(
            "safe_domain",
            gettext_lazy("Safe domain"),
            kind="domain",
            help_text=gettext_lazy(
                "The app's safe domain (App info → Safe domain on open.weibo.com): every "
                "post must link to it."
            ),
        ),
        _f("app_key", "App Key"),
        _f("app_secret", "App Secret", secret=True),
    ),
    "douyin": (
        _f("client_key", "client_key", required=True),
        _f("client_secret", "client_secret", secret=True, required=True),
        _f("access_token", "access_token", secret=True, required=True),
        _f(
            "refresh_token",
            "refresh_token",
            secret=True,
            help_text=gettext_lazy("Lets Fanloop renew the access token before it expires."),
        ),
        _f("open_id", "open_id", required=True),
    ),
    "bilibili": (
        _f("client_id", "client_id", required=True),
        _f("client_secret", "client_secret", secret=True, required=True),
        _f("access_token", "access_token", secret=True, required=True),
        _f(
            "refresh_token",
            "refresh_token",
            secret=True,
            help_text=gettext_lazy("Lets Fanloop renew the access token before it expires."),
        ),
        _f(
            "tid",
            gettext_lazy("Partition (tid)"),
            help_text=gettext_lazy("The partition new videos are submitted to."),
        ),
    ),
    "wecom": (
        _f("corp_id", "CorpID", required=True),
        _f(
            "secret",
            "Secret",
            secret=True,
            required=True,
            help_text=gettext_lazy("The customer-contact secret, or a self-built app's secret."),
        ),
    ),
}


def credential_fields(platform: str) -> tuple[CredentialField, ...]:
    return CREDENTIAL_FIELDS.get(platform, ())


def capabilities(platform: str) -> list[Capability]:
    """What the platform's connector declares; empty when there is no connector."""
    connector = REGISTRY.get(platform)
    if connector is None:
        return []
    return [c for c in Capability if c in connector.capabilities]


CAPABILITY_LABELS = {
    Capability.PUBLISH: gettext_lazy("Publish"),
    Capability.LOOKUP: gettext_lazy("Find earlier posts"),
    Capability.PUBLISH_STATUS: gettext_lazy("Publish status"),
    Capability.FETCH_COMMENTS: gettext_lazy("Fetch comments"),
    Capability.REPLY: gettext_lazy("Reply to comments"),
    Capability.FETCH_POST_METRICS: gettext_lazy("Post metrics"),
    Capability.FETCH_ACCOUNT_METRICS: gettext_lazy("Account metrics"),
    Capability.REFRESH_TOKEN: gettext_lazy("Renew tokens"),
}


def capability_labels(platform: str) -> list[str]:
    return [str(CAPABILITY_LABELS.get(c, c.value)) for c in capabilities(platform)]


def has_connector(platform: str) -> bool:
    return platform in REGISTRY


def masked_for(account: ChannelAccount, *, full: bool) -> dict[str, str]:
    """Masked credentials: the last four characters for people who manage the account,
    only which keys are set for everyone else."""
    shown = accounts.masked(accounts.credentials_of(account))
    return shown if full else {key: "••••" for key in shown}


# Reads -----------------------------------------------------------------------------------


def workspace_accounts(workspace: Workspace) -> QuerySet[ChannelAccount]:
    return ChannelAccount.objects.filter(workspace=workspace).select_related("owner")


def workspace_account(workspace: Workspace, pk: int) -> ChannelAccount:
    found = workspace_accounts(workspace).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such account in this workspace."))
    return found


def waiting_jobs(account: ChannelAccount) -> int:
    return account.jobs.filter(state__in=WAITING_STATES).count()


def history(account: ChannelAccount, limit: int = 20) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            workspace=account.workspace,
            object_type=ChannelAccount._meta.label_lower,
            object_id=str(account.pk),
        )[:limit]
    )


# Checks ----------------------------------------------------------------------------------


def _clean_credentials(
    platform: str, credentials: Credentials, errors: dict[str, str]
) -> Credentials:
    """Known keys only, stripped, empty values dropped (an empty field keeps nothing)."""
    known = {field.key: field for field in credential_fields(platform)}
    cleaned: Credentials = {}
    for key, value in credentials.items():
        name = f"credentials.{key}"
        if key not in known:
            errors[name] = _(
                "%(platform)s credentials have no field %(key)s; expected one of: %(keys)s."
            ) % {
                "platform": _platform_label(platform),
                "key": key,
                "keys": ", ".join(sorted(known)) or _("none (assisted publishing only)"),
            }
        elif not isinstance(value, str):
            errors[name] = _("Enter the value as text.")
        elif len(value.strip()) > known[key].max_length:
            errors[name] = _("Keep this to %(n)d characters.") % {"n": known[key].max_length}
        elif value.strip():
            problem = _check_kind(known[key].kind, value.strip())
            if problem:
                errors[name] = problem
            else:
                cleaned[key] = value.strip()
    return cleaned


DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _check_kind(kind: str, value: str) -> str:
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return _("Enter an IP address, e.g. 203.0.113.7.")
    if kind == "domain" and not DOMAIN.match(value.lower()):
        return _("Enter a domain name only, e.g. shop.example.com (no http://, no path).")
    return ""


def _check_complete(platform: str, credentials: Credentials, errors: dict[str, str]) -> None:
    """A set of credentials either has every field publishing needs, or is empty."""
    if not credentials:
        return
    for field in credential_fields(platform):
        if field.required and not credentials.get(field.key):
            errors.setdefault(
                f"credentials.{field.key}",
                _(
                    "%(platform)s needs %(field)s as well; or leave every credential field "
                    "empty to publish by hand."
                )
                % {"platform": _platform_label(platform), "field": field.key},
            )


def _platform_label(platform: str) -> str:
    return str(dict(ChannelAccount._meta.get_field("platform").flatchoices).get(platform, platform))


def _check_details(
    display_name: str, platform_account_id: str, api_base_url: str, errors: dict[str, str]
) -> None:
    if len(display_name.strip()) > 100:
        errors["display_name"] = _("Keep the name to 100 characters.")
    if len(platform_account_id.strip()) > 120:
        errors["platform_account_id"] = _("Keep the platform account id to 120 characters.")
    if api_base_url.strip():
        try:
            URLValidator(schemes=["http", "https"])(api_base_url.strip())
        except ValidationError:
            errors["api_base_url"] = _("Enter a full http:// or https:// address.")
        if len(api_base_url.strip()) > 300:
            errors["api_base_url"] = _("Keep the address to 300 characters.")


def _check_name(account: ChannelAccount, errors: dict[str, str]) -> None:
    """The platform and name rules of ``services.accounts`` (one rule, one message)."""
    try:
        accounts._validate(account, {})
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])


def _aware(value: datetime | None, errors: dict[str, str]) -> None:
    if value is not None and timezone.is_naive(value):
        errors["token_expires_at"] = _("Give the expiry with its time zone.")
    elif value is not None and not 2000 <= value.year <= 2200:
        # A year like 1213 is a typo, and old dates take odd historical UTC offsets.
        errors["token_expires_at"] = _("The expiry must be a date between 2000 and 2200.")


# Writes ----------------------------------------------------------------------------------


@transaction.atomic
def add_account(
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
    """``connect_account`` with the platform's credential fields checked first, and every
    problem reported at once."""
    require_action(actor, workspace, Action.CHANNEL_MANAGE)
    errors: dict[str, str] = {}
    _check_name(
        ChannelAccount(workspace=workspace, platform=platform, display_name=display_name or ""),
        errors,
    )
    _check_details(display_name or "", platform_account_id, api_base_url, errors)
    _aware(token_expires_at, errors)
    cleaned = _clean_credentials(platform, credentials or {}, errors)
    if cleaned and (simulated or platform == SANDBOX):
        errors["credentials"] = _(
            "A simulated account does not use credentials: it publishes to the sandbox. "
            "Untick “simulated” to connect the real account."
        )
    _check_complete(platform, cleaned, errors)
    if errors:
        raise ValidationError(errors)
    try:
        return accounts.connect_account(
            actor=actor,
            workspace=workspace,
            platform=platform,
            display_name=display_name,
            platform_account_id=platform_account_id,
            credentials=cleaned,
            token_expires_at=token_expires_at,
            api_base_url=api_base_url,
            simulated=simulated,
        )
    except IntegrityError:
        # Someone saved the same name between the check and the insert.
        taken = ChannelAccount.objects.filter(
            workspace=workspace, platform=platform, display_name=display_name.strip()
        ).exists()
        if not taken:
            raise
        raise ValidationError(
            {"display_name": _("This workspace already has an account with that name here.")}
        ) from None


@transaction.atomic
def update_account(*, actor: User, account: ChannelAccount, **fields: Any) -> ChannelAccount:
    """Rename an account or change its platform id, API address, token expiry or owner.
    Platform and the simulated flag stay: they decide where posts go."""
    require_action(actor, account.workspace, Action.CHANNEL_MANAGE)
    account = ChannelAccount.objects.select_for_update().get(pk=account.pk)
    before = audit.snapshot(account, DETAIL_AUDITED)
    apply(account, fields, DETAIL_FIELDS)
    errors: dict[str, str] = {}
    account.display_name = (account.display_name or "").strip()
    account.platform_account_id = (account.platform_account_id or "").strip()
    account.api_base_url = (account.api_base_url or "").strip()
    _check_name(account, errors)
    _check_details(account.display_name, account.platform_account_id, account.api_base_url, errors)
    _aware(account.token_expires_at, errors)
    try:
        require_member(account.workspace, account.owner, "owner")
    except ValidationError as exc:
        errors["owner"] = exc.message_dict["owner"][0]
    if errors:
        raise ValidationError(errors)
    after = audit.snapshot(account, DETAIL_AUDITED)
    changes = audit.diff(before, after)
    if not changes:
        return account
    account.updated_at = timezone.now()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ValidationError(
            {"display_name": _("This workspace already has an account with that name here.")}
        ) from None
    audit.record(
        actor=actor,
        workspace=account.workspace,
        action="channels.account_update",
        obj=account,
        changes=changes,
    )
    return account


@transaction.atomic
def replace_credentials(
    *,
    actor: User,
    account: ChannelAccount,
    credentials: Credentials,
    token_expires_at: datetime | None = None,
) -> ChannelAccount:
    """New credential values over the saved ones (an empty value keeps the saved one).

    A complete set on an assisted account of a platform with a connector switches it to
    publishing by API: that is why people add credentials to an assisted account.
    """
    require_action(actor, account.workspace, Action.CHANNEL_MANAGE)
    errors: dict[str, str] = {}
    cleaned = _clean_credentials(account.platform, credentials, errors)
    _aware(token_expires_at, errors)
    if account.simulated and cleaned:
        errors["credentials"] = _(
            "A simulated account does not use credentials: it publishes to the sandbox."
        )
    elif not cleaned and not errors:
        errors["credentials"] = _("Enter at least one new value; empty fields keep the saved ones.")
    merged = {**accounts.credentials_of(account), **cleaned}
    _check_complete(account.platform, merged, errors)
    if errors:
        raise ValidationError(errors)
    account = accounts.update_credentials(
        actor=actor, account=account, credentials=cleaned, token_expires_at=token_expires_at
    )
    return account


@transaction.atomic
def edit_account(
    *,
    actor: User,
    account: ChannelAccount,
    credentials: Credentials | None = None,
    **details: Any,
) -> ChannelAccount:
    """Details and new credentials in one go (the API's PATCH): all or nothing."""
    require_action(actor, account.workspace, Action.CHANNEL_MANAGE)
    if details:
        account = update_account(actor=actor, account=account, **details)
    if credentials is not None:
        account = replace_credentials(actor=actor, account=account, credentials=credentials)
    return ChannelAccount.objects.select_related("owner").get(pk=account.pk)
