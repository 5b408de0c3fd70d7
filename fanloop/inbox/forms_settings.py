"""Forms of the inbox settings pages. They turn what people type ("09:00-12:00, 13:00-
18:00", one date a line, 80 %) into the values the setup services take; the services
check the rest."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fanloop.channels.models import ChannelAccount
from fanloop.core.models import User, Workspace
from fanloop.core.platforms import Platform
from fanloop.inbox import queries
from fanloop.inbox.forms import Styled, style
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.models import AssignmentRule, InboxSettings

WEEKDAYS: tuple[Any, ...] = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
TAG_COLOURS: tuple[tuple[str, Any], ...] = (
    ("secondary", _("Grey")),
    ("primary", _("Blue")),
    ("success", _("Green")),
    ("danger", _("Red")),
    ("warning", _("Yellow")),
    ("info", _("Cyan")),
    ("dark", _("Black")),
)
_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–~至到]\s*(\d{1,2}:\d{2})\s*$")
_SPLIT = re.compile(r"[,，;；\s]+")


def hours_text(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def parse_hours(text: str) -> list[list[str]]:
    found = []
    for part in re.split(r"[,，;；]", text):
        if not part.strip():
            continue
        match = _INTERVAL.match(part)
        if match is None:
            raise ValidationError(
                _("Write opening hours as 09:00-12:00, 13:00-18:00 (or leave empty: closed).")
            )
        found.append([match.group(1).zfill(5), match.group(2).zfill(5)])
    return found


def parse_words(text: str) -> list[str]:
    return [word for word in _SPLIT.split(text) if word]


class GeneralForm(Styled):
    holidays = forms.CharField(
        label=_("Holidays (no business hours)"),
        required=False,
        help_text=_("One date a line, YYYY-MM-DD."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    extra_workdays = forms.CharField(
        label=_("Extra working days (调休)"),
        required=False,
        help_text=_("Weekend days worked instead; they get Monday's hours."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    default_reply_minutes = forms.IntegerField(
        label=_("Reply-time target (business minutes)"), min_value=1, max_value=10080
    )
    reply_rate_target = forms.IntegerField(
        label=_("Daily reply-rate target (%)"), min_value=1, max_value=100
    )
    crisis_z_threshold = forms.FloatField(
        label=_("Crisis alert: z-score above the hourly baseline"), min_value=0.5, max_value=50
    )
    crisis_min_negative = forms.IntegerField(
        label=_("Crisis alert: at least this many negative messages in an hour"),
        min_value=1,
        max_value=100000,
    )

    def __init__(self, *args: Any, current: InboxSettings, **kwargs: Any) -> None:
        initial = {
            "holidays": "\n".join(current.holidays),
            "extra_workdays": "\n".join(current.extra_workdays),
            "default_reply_minutes": current.default_reply_minutes,
            "reply_rate_target": round(current.reply_rate_target * 100),
            "crisis_z_threshold": current.crisis_z_threshold,
            "crisis_min_negative": current.crisis_min_negative,
        }
        for day in range(7):
            initial[f"hours_{day}"] = hours_text(current.business_hours.get(str(day), []))
        for platform in Platform.values:
            initial[f"target_{platform}"] = current.platform_reply_minutes.get(platform)
        super().__init__(*args, initial=initial, **kwargs)
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"hours_{day}"] = forms.CharField(
                label=name, required=False, max_length=200
            )
        for value, label in Platform.choices:
            self.fields[f"target_{value}"] = forms.IntegerField(
                label=label, required=False, min_value=1, max_value=10080
            )
        style(self)

    def hour_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{day}"] for day in range(7)]

    def target_fields(self) -> list[forms.BoundField]:
        return [self[f"target_{platform}"] for platform in Platform.values]

    def other_fields(self) -> list[forms.BoundField]:
        names = (
            "default_reply_minutes",
            "reply_rate_target",
            "crisis_z_threshold",
            "crisis_min_negative",
            "holidays",
            "extra_workdays",
        )
        return [self[name] for name in names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours: dict[str, list[list[str]]] = {}
        for day in range(7):
            try:
                intervals = parse_hours(data.get(f"hours_{day}") or "")
            except ValidationError as error:
                self.add_error(f"hours_{day}", error)
                continue
            if intervals:
                hours[str(day)] = intervals
        data["business_hours"] = hours
        return data

    def values(self) -> dict[str, Any]:
        """The settings service's keyword arguments (after ``is_valid``)."""
        data = self.cleaned_data
        return {
            "business_hours": data["business_hours"],
            "holidays": parse_words(data.get("holidays") or ""),
            "extra_workdays": parse_words(data.get("extra_workdays") or ""),
            "default_reply_minutes": data["default_reply_minutes"],
            "platform_reply_minutes": {
                platform: data[f"target_{platform}"]
                for platform in Platform.values
                if data.get(f"target_{platform}")
            },
            "reply_rate_target": data["reply_rate_target"] / 100,
            "crisis_z_threshold": data["crisis_z_threshold"],
            "crisis_min_negative": data["crisis_min_negative"],
        }


class RuleForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=100)
    active = forms.BooleanField(label=pgettext_lazy("rule", "Active"), required=False, initial=True)
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        required=False,
        choices=Platform.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    accounts = forms.ModelMultipleChoiceField(
        label=_("Accounts"),
        required=False,
        queryset=ChannelAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    keywords = forms.CharField(
        label=_("Keywords (any of them; separate with commas)"), required=False, max_length=1000
    )
    sentiment = forms.ChoiceField(
        label=_("Sentiment"), required=False, choices=[("", _("Any")), *Sentiment.choices]
    )
    intents = forms.MultipleChoiceField(
        label=_("Intents"),
        required=False,
        choices=Intent.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    vip_only = forms.BooleanField(label=_("VIP fans only"), required=False)
    assign_to = forms.ChoiceField(label=_("Assign to person"), required=False)
    team = forms.ChoiceField(label=_("Assign to team"), required=False)
    round_robin = forms.BooleanField(
        label=_("Round robin among online operators (of the team, if one is chosen)"),
        required=False,
    )

    def __init__(
        self, *args: Any, workspace: Workspace, rule: AssignmentRule | None = None, **kwargs: Any
    ) -> None:
        if rule is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": rule.name,
                    "active": rule.active,
                    "platforms": rule.platforms,
                    "accounts": list(rule.accounts.all()),
                    "keywords": ", ".join(rule.keywords),
                    "sentiment": rule.sentiment,
                    "intents": rule.intents,
                    "vip_only": rule.vip_only,
                    "assign_to": str(rule.assign_to_id or ""),
                    "team": str(rule.team_id or ""),
                    "round_robin": rule.round_robin,
                },
            )
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        accounts = self.fields["accounts"]
        assert isinstance(accounts, forms.ModelMultipleChoiceField)
        accounts.queryset = queries.accounts(workspace)
        assign_to = self.fields["assign_to"]
        assert isinstance(assign_to, forms.ChoiceField)
        assign_to.choices = [
            ("", "—"),
            *((str(u.pk), u.get_username()) for u in queries.operators(workspace)),
        ]
        team = self.fields["team"]
        assert isinstance(team, forms.ChoiceField)
        team.choices = [("", "—"), *((str(t.pk), t.name) for t in queries.teams(workspace))]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        user: User | None = None
        if data.get("assign_to"):
            user = queries.operator(self.workspace, int(data["assign_to"]))
        team = queries.team(self.workspace, int(data["team"])) if data.get("team") else None
        return {
            "name": data["name"],
            "active": data["active"],
            "platforms": list(data["platforms"]),
            "accounts": list(data["accounts"]),
            "keywords": [w.strip() for w in re.split(r"[,，]", data["keywords"]) if w.strip()],
            "sentiment": data["sentiment"],
            "intents": list(data["intents"]),
            "vip_only": data["vip_only"],
            "assign_to": user,
            "team": team,
            "round_robin": data["round_robin"],
        }


class TeamForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=100)
    members = forms.MultipleChoiceField(
        label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.MultipleChoiceField)
        members.choices = [(str(u.pk), u.get_username()) for u in queries.operators(workspace)]
        self.workspace = workspace

    def chosen(self) -> list[User]:
        wanted = {int(pk) for pk in self.cleaned_data["members"]}
        return [u for u in queries.operators(self.workspace) if u.pk in wanted]


class TagSettingsForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=50)
    color = forms.ChoiceField(label=_("Colour"), choices=TAG_COLOURS, initial="secondary")


class SavedReplyForm(Styled):
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Text"),
        max_length=2000,
        help_text=_("{昵称} becomes the fan's nickname, {商品} the product of the post."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    platform = forms.ChoiceField(
        label=_("Only for platform"), required=False, choices=[("", _("All")), *Platform.choices]
    )


class WebhookForm(Styled):
    name = forms.CharField(label=_("Name (what sends to it)"), max_length=100)


class ImportForm(Styled):
    file = forms.FileField(label=_("File (CSV, XLSX or JSON)"))
    account = forms.ChoiceField(label=_("Account for rows that name none"), required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = self.fields["account"]
        assert isinstance(account, forms.ChoiceField)
        account.choices = [
            ("", "—"),
            *((str(a.pk), str(a)) for a in queries.accounts(workspace)),
        ]
        self.workspace = workspace

    def chosen_account(self) -> ChannelAccount | None:
        pk = self.cleaned_data.get("account")
        return queries.accounts(self.workspace).filter(pk=int(pk)).first() if pk else None
