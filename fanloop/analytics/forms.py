"""The period picker and filters every analytics page shares."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanloop.campaigns.models import Campaign
from fanloop.core.models import Workspace
from fanloop.core.platforms import Platform

MAX_DAYS = 731  # two years: what the rollup keeps dashboards fast over
GRAINS = ("day", "week", "month")


class Period:
    LAST_7 = "7"
    LAST_30 = "30"
    LAST_90 = "90"
    CAMPAIGN = "campaign"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    platform: str | None
    grain: str
    campaign: Campaign | None
    period: str


def _style(form: forms.BaseForm) -> None:
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control form-control-sm")


class PeriodForm(forms.Form):
    """Last 7/30/90 days, the campaign's own period, or a custom from–to; a platform;
    the trend's grain. ``campaign`` fixes the campaign (campaign dashboard);
    ``choose_campaign`` offers a campaign filter (hot content)."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    platform = forms.ChoiceField(label=gettext_lazy("Platform"), required=False)
    campaign_filter = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=gettext_lazy("All campaigns"),
    )
    grain = forms.ChoiceField(
        label=gettext_lazy("Trend by"),
        required=False,
        choices=[
            ("day", gettext_lazy("Day")),
            ("week", gettext_lazy("Week")),
            ("month", gettext_lazy("Month")),
        ],
    )

    def __init__(
        self,
        data: Any = None,
        *,
        workspace: Workspace,
        today: date,
        campaign: Campaign | None = None,
        choose_campaign: bool = False,
        show_grain: bool = True,
    ) -> None:
        super().__init__(data)
        self.workspace = workspace
        self.today = today
        self.campaign = campaign
        choices = [
            (Period.LAST_7, _("Last 7 days")),
            (Period.LAST_30, _("Last 30 days")),
            (Period.LAST_90, _("Last 90 days")),
        ]
        if campaign is not None:
            choices.append((Period.CAMPAIGN, _("Campaign period")))
        choices.append((Period.CUSTOM, _("Custom from–to")))
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)
        period.choices = choices
        platform = self.fields["platform"]
        assert isinstance(platform, forms.ChoiceField)
        platform.choices = [("", _("All platforms")), *Platform.choices]
        if choose_campaign:
            field = self.fields["campaign_filter"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Campaign.objects.filter(workspace=workspace)
        else:
            del self.fields["campaign_filter"]
        if not show_grain:
            del self.fields["grain"]
        # Unbound, the picker shows what the page defaults to.
        period.initial = self.default_period()
        self.fields["start"].initial, self.fields["end"].initial = self._range(
            self.default_period(), None, None
        )
        _style(self)

    def default_period(self) -> str:
        return Period.CAMPAIGN if self.campaign is not None else Period.LAST_30

    def campaign_range(self, campaign: Campaign) -> tuple[date, date]:
        """The campaign's days so far (all of them once it is over or before it starts),
        so a running campaign is compared with an equally long previous period."""
        end = campaign.end_date
        if campaign.start_date <= self.today < end:
            end = self.today
        return campaign.start_date, end

    def _range(self, period: str, start: date | None, end: date | None) -> tuple[date, date]:
        if period == Period.CAMPAIGN and self.campaign is not None:
            return self.campaign_range(self.campaign)
        if period == Period.CUSTOM:
            if start is None and end is None:
                raise forms.ValidationError(_("Choose a start or an end date."))
            if start is None:
                assert end is not None
                start = end - timedelta(days=29)
            end = end or max(start, self.today)
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."))
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most %(days)d days.") % {"days": MAX_DAYS})
            return start, end
        days = int(period)
        return self.today - timedelta(days=days - 1), self.today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        period = data.get("period") or ""
        if not period:
            # A from/to without a period choice means a custom range.
            period = (
                Period.CUSTOM if data.get("start") or data.get("end") else self.default_period()
            )
        data["period"] = period
        data["start"], data["end"] = self._range(period, data.get("start"), data.get("end"))
        return data

    def filters(self) -> Filters:
        """The chosen filters; the defaults when the input is invalid or absent."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return Filters(
                start=data["start"],
                end=data["end"],
                platform=data.get("platform") or None,
                grain=data.get("grain") or "day",
                campaign=self.campaign or data.get("campaign_filter"),
                period=data["period"],
            )
        period = self.default_period()
        start, end = self._range(period, None, None)
        return Filters(start, end, None, "day", self.campaign, period)
