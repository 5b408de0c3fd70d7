"""Forms of the publishing pages: the queue's filters and one small form per job action.

Date and time inputs are read in the active time zone; the views run in the workspace's.
"""

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.channels import queries
from fanloop.channels.models import ACCOUNT_PLATFORM_CHOICES, ChannelAccount
from fanloop.core.models import Workspace

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
BY_HAND = "none"


def local_input(value: datetime | None) -> str:
    """An aware datetime as a datetime-local value in the active time zone."""
    return timezone.localtime(value).strftime(DATETIME_LOCAL) if value else ""


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control form-control-sm")


def _account_label(account: ChannelAccount) -> str:
    label = str(account)
    return f"{label} · {_('SIMULATED')}" if account.simulated else label


class JobFilterForm(forms.Form):
    """The queue's filters; an invalid value is ignored rather than failing the page."""

    state = forms.CharField(required=False, widget=forms.HiddenInput)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    account = forms.ChoiceField(label=_("Account"), required=False)
    since = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Due until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        platform = self.fields["platform"]
        assert isinstance(platform, forms.ChoiceField)
        platform.choices = [("", _("All platforms")), *ACCOUNT_PLATFORM_CHOICES]
        account = self.fields["account"]
        assert isinstance(account, forms.ChoiceField)
        account.choices = [
            ("", _("All accounts")),
            (BY_HAND, _("No account (by hand)")),
            *((str(a.pk), _account_label(a)) for a in queries.accounts(workspace)),
        ]
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError(_("'Due from' must not be after 'Due until'."))
        return data

    def filters(self) -> queries.JobFilters:
        # cleaned_data keeps every valid field even when another one is invalid.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        state = data.get("state") or ""
        account = data.get("account") or ""
        since, until = data.get("since"), data.get("until")
        return queries.JobFilters(
            state=state if state in dict(queries.TABS) else "",
            platform=data.get("platform") or "",
            account=int(account) if account.isdigit() else None,
            by_hand=account == BY_HAND,
            due_from=_day_start(since) if since else None,
            due_before=_day_start(until) + timedelta(days=1) if until else None,
        )


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class RescheduleForm(forms.Form):
    planned_at = forms.DateTimeField(
        label=_("Publish at"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={"required": _("Choose the new date and time.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class AccountForm(forms.Form):
    account = forms.ChoiceField(label=_("Publish on"), required=False)

    def __init__(self, *args: Any, accounts: list[ChannelAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            *((str(a.pk), _account_label(a)) for a in accounts),
            ("", _("No account: publish by hand")),
        ]
        self.accounts = {str(a.pk): a for a in accounts}
        _style(self)

    def chosen(self) -> ChannelAccount | None:
        return self.accounts.get(self.cleaned_data["account"] or "")


class CompleteForm(forms.Form):
    url = forms.CharField(
        label=_("Post URL"),
        max_length=500,
        error_messages={"required": _("Paste the address of the post you published.")},
        widget=forms.TextInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ResolveForm(forms.Form):
    """A needs-check job: the post is there (with its address), or it is not."""

    published = forms.TypedChoiceField(
        choices=[("yes", _("It is on the platform")), ("no", _("It is not there"))],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )
    url = forms.CharField(
        label=_("Post URL"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
