from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace
from fanloop.core.permissions import Role

TIMEZONE_CHOICES = [(name, name) for name in sorted(available_timezones())]


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors on fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class StyledForm(forms.Form):
    """Gives widgets the CSS classes of the app's look."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class WorkspaceForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=TIMEZONE_CHOICES, initial="Asia/Shanghai"
    )

    def __init__(self, *args: Any, instance_values: Workspace | None = None, **kwargs: Any) -> None:
        if instance_values is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance_values.name,
                    "description": instance_values.description,
                    "timezone": instance_values.timezone,
                },
            )
        super().__init__(*args, **kwargs)


class AddMemberForm(StyledForm):
    user = forms.CharField(label=_("Username or email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class InviteForm(StyledForm):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class RoleForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TokenForm(StyledForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("Name it after the script or tool that will use it."),
    )


class RegisterFromInvitationForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=10)


class AuditFilterForm(StyledForm):
    actor = forms.ChoiceField(label=_("Who"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Object contains"), required=False, max_length=100)

    def __init__(self, *args: Any, facets: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        for field, facet in (
            ("actor", "actors"),
            ("action", "actions"),
            ("object_type", "object_types"),
        ):
            choice_field = self.fields[field]
            assert isinstance(choice_field, forms.ChoiceField)
            choice_field.choices = anything + [(value, value) for value in facets[facet]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError(_("'From' must not be after 'To'."))
        return data


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
