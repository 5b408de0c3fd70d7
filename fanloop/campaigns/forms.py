"""Forms for the campaign pages; each turns its input into the data a service takes."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models import (
    Campaign,
    CampaignState,
    DocumentType,
    Feasibility,
    Phase,
    Task,
)
from fanloop.campaigns.models.campaign import AudienceGender
from fanloop.campaigns.services.campaigns import AGE_BANDS
from fanloop.campaigns.services.items import FEASIBILITY_FIELDS, KINDS
from fanloop.core.forms import StyledForm
from fanloop.core.models import User, Workspace
from fanloop.core.money import fen_to_yuan, yuan_to_fen
from fanloop.core.platforms import Platform


def members_of(workspace: Workspace) -> Any:
    return User.objects.filter(memberships__workspace=workspace).order_by("username")


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


class CampaignFilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *CampaignState.choices]
    )
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    active_on = forms.DateField(
        label=_("Active on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Name or theme"), required=False, max_length=100)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = members_of(workspace)


class CampaignForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    theme = forms.CharField(label=_("Creative theme"), max_length=200, required=False)
    key_message = forms.CharField(
        label=_("Key message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    visual_notes = forms.CharField(
        label=_("Visual and copy notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    background = forms.CharField(
        label=_("Background"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience_age_bands = forms.MultipleChoiceField(
        label=_("Age bands"),
        required=False,
        choices=[(b, b) for b in AGE_BANDS],
        widget=forms.CheckboxSelectMultiple,
    )
    audience_gender = forms.ChoiceField(label=_("Gender"), choices=AudienceGender.choices)
    audience_regions = forms.CharField(label=_("Regions"), max_length=300, required=False)
    audience_interests = forms.CharField(label=_("Interests"), max_length=300, required=False)
    audience_habits = forms.CharField(
        label=_("Consumption habits"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    products = forms.CharField(
        label=_("Products featured (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, workspace: Workspace, campaign: Campaign | None = None, **kwargs: Any
    ) -> None:
        if campaign is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{
                        field: getattr(campaign, field)
                        for field in (
                            "name",
                            "owner",
                            "start_date",
                            "end_date",
                            "theme",
                            "key_message",
                            "visual_notes",
                            "background",
                            "audience_age_bands",
                            "audience_gender",
                            "audience_regions",
                            "audience_interests",
                            "audience_habits",
                        )
                    },
                    "products": "\n".join(campaign.products),
                    **{
                        f"role_{row['platform']}": row.get("role", "") for row in campaign.platforms
                    },
                },
            )
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = members_of(workspace)
        for platform in Platform:
            self.fields[f"role_{platform.value}"] = forms.CharField(
                label=platform.label,
                required=False,
                max_length=120,
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm",
                        "placeholder": _("role in the plan"),
                    }
                ),
            )

    def platform_fields(self) -> list[forms.BoundField]:
        return [self[f"role_{platform.value}"] for platform in Platform]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("role_")]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("role_")}
        data["products"] = _lines(data.get("products", ""))
        data["platforms"] = [
            {"platform": platform.value, "role": self.cleaned_data[f"role_{platform.value}"]}
            for platform in Platform
            if self.cleaned_data.get(f"role_{platform.value}")
        ]
        return data


class NewCampaignForm(CampaignForm):
    source_campaign = forms.ModelChoiceField(
        label=_("Start from an earlier campaign"),
        required=False,
        queryset=Campaign.objects.none(),
        help_text=_("Copies its goals, budget structure, phases and task templates."),
    )
    adopt = forms.MultipleChoiceField(
        label=_("Adopt improvements from earlier retrospectives"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, workspace: Workspace, improvements: Any, **kwargs: Any) -> None:
        super().__init__(*args, workspace=workspace, **kwargs)
        source = self.fields["source_campaign"]
        assert isinstance(source, forms.ModelChoiceField)
        source.queryset = Campaign.objects.filter(workspace=workspace)
        adopt = self.fields["adopt"]
        assert isinstance(adopt, forms.MultipleChoiceField)
        adopt.choices = [
            (str(item.pk), f"{item.text} ({item.retrospective.campaign})") for item in improvements
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [
            field
            for field in super().main_fields()
            if field.name not in {"source_campaign", "adopt"}
        ]


# Plan items -------------------------------------------------------------------------------

SPECIAL_FIELDS = {"planned_fen", "checklist", "platforms", "links", "owner", "phase"}


def item_form_class(kind: str) -> type[forms.ModelForm]:
    spec = KINDS[kind]
    fields = [f for f in spec.fields if f not in SPECIAL_FIELDS]
    widgets: dict[str, forms.Widget | type[forms.Widget]] = {
        name: forms.DateInput(attrs={"type": "date"})
        for name in fields
        if name.endswith("date") or name == "deadline"
    }
    return modelform_factory(spec.model, fields=fields, widgets=widgets)


class ItemForm:
    """A model form for one kind of plan item plus the fields that need translating."""

    def __init__(
        self, kind: str, campaign: Campaign, data: Any = None, instance: Any = None
    ) -> None:
        self.kind = kind
        self.campaign = campaign
        spec = KINDS[kind]
        form_class = item_form_class(kind)
        self.form = form_class(data=data, instance=instance, prefix=kind)
        names = set(spec.fields)
        extra = self.form.fields
        members = members_of(campaign.workspace)
        if "owner" in names:
            extra["owner"] = forms.ModelChoiceField(
                label=_("Owner"), required=False, queryset=members
            )
        if "phase" in names:
            extra["phase"] = forms.ModelChoiceField(
                label=_("Phase"),
                required=kind == "milestone",
                queryset=Phase.objects.filter(campaign=campaign),
            )
        if "planned_fen" in names:
            extra["planned_yuan"] = forms.CharField(label=_("Planned (¥)"), max_length=20)
        if "checklist" in names:
            extra["checklist"] = forms.CharField(
                label=_("Checklist (one item per line; start with [x] when done)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if "platforms" in names:
            extra["platforms"] = forms.MultipleChoiceField(
                label=_("Platforms"),
                required=False,
                choices=Platform.choices,
                widget=forms.CheckboxSelectMultiple,
            )
        if "links" in names:
            extra["links"] = forms.CharField(
                label=_("Links (one per line)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if kind == "task":
            queryset = Task.objects.filter(campaign=campaign)
            if instance is not None:
                queryset = queryset.exclude(pk=instance.pk)
            extra["depends_on"] = forms.ModelMultipleChoiceField(
                label=_("Depends on"), required=False, queryset=queryset
            )
        if instance is not None:
            initial = self.form.initial
            for name in ("owner", "phase"):
                if name in names:
                    initial[name] = getattr(instance, f"{name}_id")
            if "planned_fen" in names:
                initial["planned_yuan"] = fen_to_yuan(instance.planned_fen)
            if "checklist" in names:
                initial["checklist"] = "\n".join(
                    f"{'[x] ' if row.get('done') else ''}{row.get('text', '')}"
                    for row in instance.checklist
                )
            if "platforms" in names:
                initial["platforms"] = instance.platforms
            if "links" in names:
                initial["links"] = "\n".join(instance.links)
            if kind == "task":
                initial["depends_on"] = list(instance.depends_on.values_list("pk", flat=True))
        _style(self.form)

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def service_data(self) -> dict[str, Any]:
        cleaned = dict(self.form.cleaned_data)
        if "planned_yuan" in cleaned:
            cleaned["planned_fen"] = yuan_to_fen(cleaned.pop("planned_yuan"))
        if "checklist" in cleaned:
            cleaned["checklist"] = [
                {
                    "text": line[3:].strip() if line.lower().startswith("[x]") else line,
                    "done": line.lower().startswith("[x]"),
                }
                for line in _lines(cleaned["checklist"] or "")
            ]
        if "links" in cleaned:
            cleaned["links"] = _lines(cleaned["links"] or "")
        if "depends_on" in cleaned:
            cleaned["depends_on"] = list(cleaned["depends_on"])
        return cleaned

    def add_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                target = (
                    field
                    if field in self.form.fields
                    else (
                        "planned_yuan"
                        if field == "planned_fen" and "planned_yuan" in self.form.fields
                        else None
                    )
                )
                for message in messages:
                    self.form.add_error(target, message)
        else:
            for message in exc.messages:
                self.form.add_error(None, message)


class MeasurementForm(StyledForm):
    measured_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=_("Actual value"), max_digits=20, decimal_places=4)
    source_note = forms.CharField(label=_("Source"), max_length=200)


class SpendForm(StyledForm):
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("Amount (¥, negative for a refund)"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_amount(self) -> int:
        return yuan_to_fen(self.cleaned_data["amount"])


class TransitionForm(StyledForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class FeasibilityForm(forms.ModelForm):
    class Meta:
        model = Feasibility
        fields = list(FEASIBILITY_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in FEASIBILITY_FIELDS
            if name.endswith("rationale")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class RetrospectiveForm(StyledForm):
    highlights = forms.CharField(
        label=_("Highlights (亮点)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shortfalls = forms.CharField(
        label=_("Shortfalls (不足)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lessons = forms.CharField(
        label=_("Lessons"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    new_improvement = forms.CharField(
        label=_("New improvement item"), required=False, max_length=300
    )
    improvement_owner = forms.ModelChoiceField(
        label=_("Its owner"), required=False, queryset=User.objects.none()
    )
    apply_to_next = forms.BooleanField(
        label=_("Apply to the next campaign"), required=False, initial=True
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["improvement_owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = members_of(workspace)


class DocumentForm(StyledForm):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    tags = forms.CharField(label=_("Tags (comma-separated)"), max_length=300, required=False)


class VersionForm(StyledForm):
    file = forms.FileField(label=_("New version"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class DocumentSearchForm(StyledForm):
    text = forms.CharField(label=_("Title"), required=False, max_length=100)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    doc_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any")), *DocumentType.choices]
    )
