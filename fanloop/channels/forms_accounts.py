"""Forms of the accounts pages: connect, edit details, replace credentials.

Credential inputs are built from ``account_admin.CREDENTIAL_FIELDS``; secrets are password
inputs that never render a value back, not even after a failed submit.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fanloop.channels.models import ACCOUNT_PLATFORM_CHOICES, ChannelAccount
from fanloop.channels.services import account_admin
from fanloop.channels.services.account_admin import CredentialField
from fanloop.core.forms import StyledForm
from fanloop.core.models import User

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


def _expiry_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Token expires at"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=DateTimeLocalInput(),
        help_text=_(
            "When the access token stops working (the platform says so when it issues it). "
            "Where the platform allows it, Fanloop renews the token before then."
        ),
    )


def _credential_input(field: CredentialField, name: str, platform: str) -> forms.CharField:
    attrs = {"class": "form-control", "autocomplete": "off", "data-platform": platform}
    widget: forms.Widget = (
        forms.PasswordInput(attrs={**attrs, "autocomplete": "new-password"}, render_value=False)
        if field.secret
        else forms.TextInput(attrs=attrs)
    )
    help_text = str(field.help_text)
    if field.required:
        needed = str(_("Needed to connect by API."))
        help_text = f"{needed} {help_text}" if help_text else needed
    return forms.CharField(
        label=str(field.label),
        required=False,
        max_length=field.max_length,
        strip=True,
        widget=widget,
        help_text=help_text,
    )


@dataclass
class CredentialGroup:
    """One platform's credential inputs, for the template."""

    platform: str
    label: str
    fields: list[forms.BoundField]
    capabilities: list[str]


def _field_name(platform: str, key: str) -> str:
    return f"{platform}__{key}"


class CredentialErrorsMixin:
    """Puts a service's ``credentials.<key>`` errors on the matching input."""

    fields: dict[str, forms.Field]

    def credential_platform(self) -> str:
        raise NotImplementedError

    def credential_name(self, key: str) -> str:
        raise NotImplementedError

    def apply_service_error(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)  # type: ignore[attr-defined]
            return
        for field, messages in exc.message_dict.items():
            target: str | None = field
            if field.startswith("credentials."):
                target = self.credential_name(field.removeprefix("credentials."))
            if target not in self.fields:
                target = None
            for message in messages:
                self.add_error(target, message)  # type: ignore[attr-defined]


class ConnectForm(CredentialErrorsMixin, StyledForm):
    platform = forms.ChoiceField(
        label=_("Platform"),
        choices=[("", "---------"), *ACCOUNT_PLATFORM_CHOICES],
        error_messages={
            "required": _("Choose a platform."),
            "invalid_choice": _("Choose a platform."),
        },
    )
    display_name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages={"required": _("Give the account a name people recognise.")},
        help_text=_("How the team recognises the account, e.g. “品牌官方微博”."),
    )
    platform_account_id = forms.CharField(
        label=_("Platform account id"),
        max_length=120,
        required=False,
        help_text=_("The account's id on the platform (Weibo uid, Douyin open_id, …)."),
    )
    token_expires_at = _expiry_field()
    api_base_url = forms.URLField(
        label=_("API base URL"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Advanced: only for a proxy or a test server. Leave empty to use the platform's "
            "own address."
        ),
    )
    simulated = forms.BooleanField(
        label=_("Simulated (sandbox)"),
        required=False,
        help_text=_(
            "A simulated account never reaches the real platform: its posts go to Fanloop's "
            "sandbox, which makes up metrics and comments so you can try the whole loop. It "
            "is always labelled SIMULATED. It needs no credentials."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].widget.attrs["data-account-platform"] = "1"
        self.fields["simulated"].widget.attrs["class"] = "form-check-input"
        for platform, fields in account_admin.CREDENTIAL_FIELDS.items():
            for field in fields:
                name = _field_name(platform, field.key)
                self.fields[name] = _credential_input(field, name, platform)

    def credential_platform(self) -> str:
        if hasattr(self, "cleaned_data"):
            return str(self.cleaned_data.get("platform") or "")
        return str(self.data.get("platform") or self.initial.get("platform") or "")

    def credential_name(self, key: str) -> str:
        return _field_name(self.credential_platform(), key)

    def credentials(self) -> dict[str, str]:
        """The chosen platform's values; inputs of other platforms are ignored."""
        platform = self.credential_platform()
        return {
            field.key: self.cleaned_data.get(_field_name(platform, field.key)) or ""
            for field in account_admin.credential_fields(platform)
        }

    def credential_groups(self) -> list[CredentialGroup]:
        labels = dict(ACCOUNT_PLATFORM_CHOICES)
        groups = []
        for platform, _label in ACCOUNT_PLATFORM_CHOICES:
            fields = [
                self[_field_name(platform, field.key)]
                for field in account_admin.credential_fields(platform)
            ]
            groups.append(
                CredentialGroup(
                    platform=platform,
                    label=str(labels[platform]),
                    fields=fields,
                    capabilities=account_admin.capability_labels(platform),
                )
            )
        return groups


class DetailsForm(StyledForm):
    display_name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages={"required": _("Give the account a name people recognise.")},
    )
    platform_account_id = forms.CharField(
        label=_("Platform account id"), max_length=120, required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Who looks after this account."),
    )
    api_base_url = forms.URLField(
        label=_("API base URL"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("Advanced: only for a proxy or a test server."),
    )

    def __init__(self, *args: Any, account: ChannelAccount, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "display_name": account.display_name,
                "platform_account_id": account.platform_account_id,
                "owner": account.owner_id,
                "api_base_url": account.api_base_url,
            },
        )
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = User.objects.filter(memberships__workspace=account.workspace).order_by(
            "username"
        )

    def apply_service_error(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for field, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class CredentialsForm(CredentialErrorsMixin, StyledForm):
    """Replace some or all credentials of one account; an empty input keeps the saved value."""

    token_expires_at = _expiry_field()

    def __init__(self, *args: Any, account: ChannelAccount, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields.pop("token_expires_at")
        for field in account_admin.credential_fields(account.platform):
            self.fields[field.key] = _credential_input(field, field.key, account.platform)
        self.fields["token_expires_at"] = _expiry_field()
        self.fields["token_expires_at"].widget.attrs["class"] = "form-control"

    def credential_platform(self) -> str:
        return self.account.platform

    def credential_name(self, key: str) -> str:
        return key

    def credentials(self) -> dict[str, str]:
        return {
            field.key: self.cleaned_data.get(field.key) or ""
            for field in account_admin.credential_fields(self.account.platform)
        }
