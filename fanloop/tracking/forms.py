"""Forms of the tracking pages; the services validate again and own the rules."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace
from fanloop.core.money import fen_to_yuan, yuan_to_fen
from fanloop.core.platforms import Platform
from fanloop.tracking import queries
from fanloop.tracking.models import Partner, PartnerKind, PromoCode, PromoKind, TrackingLink
from fanloop.tracking.services import links as link_service

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
PLATFORM_CHOICES = [("", "—"), *Platform.choices]


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


def _scope(form: forms.Form, workspace: Workspace) -> None:
    """Only this workspace's rows can be chosen (a foreign id is "not a valid choice")."""
    fields = form.fields
    if "campaign" in fields:
        fields["campaign"].queryset = queries.campaigns(workspace)  # type: ignore[attr-defined]
    if "variant" in fields:
        fields["variant"].queryset = queries.variants(workspace)  # type: ignore[attr-defined]
    if "partner" in fields:
        fields["partner"].queryset = Partner.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace
        )
    if "partners" in fields:
        fields["partners"].queryset = Partner.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace
        )
    if "link" in fields:
        fields["link"].queryset = TrackingLink.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace, archived=False
        )


def _model_choice(label: Any, required: bool = False) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(label=label, required=required, queryset=Partner.objects.none())


# Links -----------------------------------------------------------------------------------


class LinkFilterForm(Styled):
    campaign = _model_choice(_("Campaign"))
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("Any")), *Platform.choices]
    )
    partner = _model_choice(_("Partner"))
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    archived = forms.BooleanField(label=_("Archived"), required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, workspace)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "campaign": data["campaign"].pk if data["campaign"] else None,
            "platform": data["platform"],
            "partner": data["partner"].pk if data["partner"] else None,
            "search": data["q"],
            "archived": bool(data["archived"]),
        }


def _utm_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=link_service.UTM_MAX,
        help_text=_("Leave blank to fill from the link's context."),
    )


class LinkForm(Styled):
    name = forms.CharField(label=_("Name"), required=False, max_length=link_service.NAME_MAX)
    destination_url = forms.CharField(
        label=_("Destination URL"),
        max_length=link_service.URL_MAX,
        help_text=_(
            "Shop item, landing page or live room, starting with https://. For a WeChat "
            "mini-program page use its https landing page or URL link."
        ),
    )
    code = forms.CharField(
        label=_("Custom short code"),
        required=False,
        max_length=32,
        help_text=_("Optional: 3-32 letters, digits, - or _. Left blank, a random code is drawn."),
    )
    campaign = _model_choice(_("Campaign"))
    platform = forms.ChoiceField(label=_("Platform"), required=False, choices=PLATFORM_CHOICES)
    channel = forms.CharField(
        label=_("Channel"), required=False, max_length=link_service.CHANNEL_MAX
    )
    variant = _model_choice(_("Content variant"))
    partner = _model_choice(_("Partner (KOL / channel)"))
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    utm_source = _utm_field("utm_source")
    utm_medium = _utm_field("utm_medium")
    utm_campaign = _utm_field("utm_campaign")
    utm_content = _utm_field("utm_content")
    utm_term = forms.CharField(label="utm_term", required=False, max_length=link_service.UTM_MAX)

    def __init__(
        self, *args: Any, workspace: Workspace, link: TrackingLink | None = None, **kwargs: Any
    ) -> None:
        if link is not None:
            initial = {
                key: getattr(link, key)
                for key in (
                    "name",
                    "destination_url",
                    "platform",
                    "channel",
                    *link_service.UTM_FIELDS,
                )
            }
            initial.update(
                campaign=link.campaign_id,
                variant=link.variant_id,
                partner=link.partner_id,
                code=link.code,
                expires_at=(
                    timezone.localtime(link.expires_at).strftime(DATETIME_LOCAL)
                    if link.expires_at
                    else None
                ),
            )
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        _scope(self, workspace)
        if link is not None:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot change: it may be printed.")

    def service_data(self, *, include_code: bool = True) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not include_code:
            data.pop("code", None)
        return data


class BulkLinkForm(Styled):
    destination_url = LinkForm.base_fields["destination_url"]
    campaign = _model_choice(_("Campaign"))
    platform = forms.ChoiceField(label=_("Platform"), required=False, choices=PLATFORM_CHOICES)
    variant = _model_choice(_("Content variant"))
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        required=False,
        queryset=Partner.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("One link per partner, named after them."),
    )
    channels = forms.CharField(
        label=_("Or channel names, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    expires_at = LinkForm.base_fields["expires_at"]
    utm_term = forms.CharField(label="utm_term", required=False, max_length=link_service.UTM_MAX)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, workspace)
        self.fields["partners"].widget.attrs["class"] = "form-select"

    def service_args(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        partners = list(data.pop("partners") or [])
        channels = link_service.parse_channel_lines(data.pop("channels") or "")
        return {"data": data, "partners": partners, "channels": channels}


# Partners --------------------------------------------------------------------------------


class PartnerFilterForm(Styled):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *PartnerKind.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class PartnerForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    platform = forms.ChoiceField(label=_("Platform"), required=False, choices=PLATFORM_CHOICES)
    handle = forms.CharField(label=_("Account / handle"), required=False, max_length=120)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, partner: Partner | None = None, **kwargs: Any) -> None:
        if partner is not None:
            kwargs.setdefault(
                "initial",
                {k: getattr(partner, k) for k in ("name", "kind", "platform", "handle", "note")},
            )
        super().__init__(*args, **kwargs)


# Promo codes -----------------------------------------------------------------------------


class CodeFilterForm(Styled):
    campaign = _model_choice(_("Campaign"))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *PromoKind.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=64)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, workspace)


class CodeForm(Styled):
    code = forms.CharField(label=_("Code"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=PromoKind.choices)
    campaign = _model_choice(_("Campaign"), required=True)
    partner = _model_choice(_("Partner (KOL / channel)"))
    link = _model_choice(_("Tracking link"))
    platform = forms.ChoiceField(label=_("Platform"), required=False, choices=PLATFORM_CHOICES)
    cost_per_use = forms.CharField(
        label=_("Cost per use (yuan)"),
        required=False,
        max_length=20,
        help_text=_("Coupon face value or KOL commission per redemption."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, workspace: Workspace, promo: PromoCode | None = None, **kwargs: Any
    ) -> None:
        if promo is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": promo.code,
                    "kind": promo.kind,
                    "campaign": promo.campaign_id,
                    "partner": promo.partner_id,
                    "link": promo.link_id,
                    "platform": promo.platform,
                    "cost_per_use": fen_to_yuan(promo.cost_per_use_fen),
                    "valid_from": promo.valid_from,
                    "valid_until": promo.valid_until,
                },
            )
        super().__init__(*args, **kwargs)
        _scope(self, workspace)

    def clean_cost_per_use(self) -> int:
        raw = self.cleaned_data.get("cost_per_use") or "0"
        try:
            return yuan_to_fen(raw)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["cost_per_use_fen"] = data.pop("cost_per_use")
        return data
