"""Forms of the metric import pages: the upload, and the custom mapping."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanloop.channels.imports.profiles import (
    BUILTIN,
    FIELDS,
    SAVED_PREFIX,
    header_stem,
    normalise_header,
)
from fanloop.channels.models import ACCOUNT_PLATFORM_CHOICES, ChannelAccount, ImportProfile
from fanloop.core.forms import StyledForm
from fanloop.core.models import Workspace


def _checkbox(field: forms.Field) -> None:
    field.widget.attrs["class"] = "form-check-input"


class _AccountField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_platform_display()})"


class MetricUploadForm(StyledForm):
    file = forms.FileField(label=_("Export file (CSV or Excel)"))
    profile = forms.ChoiceField(label=_("File type (profile)"))
    account = _AccountField(
        queryset=ChannelAccount.objects.none(),
        required=False,
        label=_("Account"),
        empty_label=_("— none —"),
    )
    captured_on = forms.DateField(
        label=_("Export day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the totals in the file were exported; today if empty."),
    )
    strict = forms.BooleanField(label=_("Strict: import nothing if any row is bad"), required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        builtin = [(key, str(p.name)) for key, p in BUILTIN.items()]
        saved = [
            (f"{SAVED_PREFIX}{p.pk}", str(p.name))
            for p in ImportProfile.objects.filter(workspace=workspace)
        ]
        choices: list[Any] = [(_("Built-in"), builtin)]
        if saved:
            choices.append((_("Saved mappings"), saved))
        profile = self.fields["profile"]
        assert isinstance(profile, forms.ChoiceField)
        profile.choices = choices
        account = self.fields["account"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = ChannelAccount.objects.filter(workspace=workspace)
        _checkbox(self.fields["strict"])


class MappingFileForm(StyledForm):
    file = forms.FileField(label=_("A sample export file (CSV or Excel)"))


def guess_column(field_name: str, headers: list[str]) -> str:
    """The header that a built-in profile would read this field from, if any."""
    by_norm = {normalise_header(h): h for h in headers}
    by_stem = {header_stem(normalise_header(h)): h for h in headers}
    for profile in BUILTIN.values():
        for alias in profile.columns.get(field_name, ()):
            norm = normalise_header(alias)
            found = by_norm.get(norm) or by_stem.get(norm)
            if found:
                return found
    return ""


class MappingForm(StyledForm):
    """One drop-down per metric field, offering the file's own headers."""

    name = forms.CharField(label=_("Profile name"), max_length=80)
    platform = forms.ChoiceField(label=_("Platform"), choices=ACCOUNT_PLATFORM_CHOICES)
    cumulative = forms.BooleanField(
        label=_("The figures are cumulative totals as of the export day"),
        required=False,
        initial=True,
    )
    date_format = forms.CharField(
        label=_("Date format (optional)"),
        required=False,
        max_length=40,
        help_text=_("Only if dates are unusual, e.g. %d/%m/%Y %H:%M."),
    )
    token = forms.CharField(widget=forms.HiddenInput)
    import_now = forms.BooleanField(
        label=_("Import this file now with the new profile"), required=False, initial=True
    )
    captured_on = forms.DateField(
        label=_("Export day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    strict = forms.BooleanField(label=_("Strict"), required=False)

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —")), *[(h, h) for h in headers]]
        self.field_names: list[str] = []
        for name, (_kind, label) in FIELDS.items():
            self.fields[f"col_{name}"] = forms.ChoiceField(
                label=str(label),
                choices=choices,
                required=False,
                initial=guess_column(name, headers),
            )
            self.fields[f"col_{name}"].widget.attrs["class"] = "form-select"
            self.field_names.append(f"col_{name}")
        for box in ("cumulative", "import_now", "strict"):
            _checkbox(self.fields[box])

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.field_names]

    def mapping(self) -> dict[str, Any]:
        data = self.cleaned_data
        found: dict[str, Any] = {
            name: data[f"col_{name}"] for name in FIELDS if data.get(f"col_{name}")
        }
        found["cumulative"] = bool(data.get("cumulative"))
        found["date_format"] = data.get("date_format") or ""
        return found
