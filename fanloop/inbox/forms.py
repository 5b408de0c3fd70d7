"""Forms of the inbox pages: the list's filters, one small form per thread action, and the
bulk actions. They only read and check input; the services decide and write."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models import Campaign
from fanloop.core.models import Workspace
from fanloop.core.platforms import Platform
from fanloop.inbox import queries
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.models import ThreadStatus

MAX_ID = 9_223_372_036_854_775_807
# The thread page's actions (POST .../<action>/); the crisis page posts "escalate".
THREAD_ACTIONS = frozenset(
    {
        "reply",
        "mark_replied",
        "assign",
        "tag",
        "untag",
        "status",
        "note",
        "escalate",
        "no_reply",
        "hide",
        "label",
        "vip",
    }
)
BULK_ACTIONS: tuple[tuple[str, Any], ...] = (
    ("assign", _("Assign")),
    ("tag", _("Add tag")),
    ("status", _("Set status")),
    ("no_reply", _("No reply needed")),
)


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control form-control-sm")


class Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def operator_choices(workspace: Workspace) -> list[tuple[str, str]]:
    return [
        (str(u.pk), u.get_full_name() or u.get_username()) for u in queries.operators(workspace)
    ]


def team_choices(workspace: Workspace) -> list[tuple[str, str]]:
    return [(str(t.pk), t.name) for t in queries.teams(workspace)]


def tag_choices(workspace: Workspace) -> list[tuple[str, str]]:
    return [(str(t.pk), t.name) for t in queries.tags(workspace)]


# The list's filters ---------------------------------------------------------------------


class FilterForm(Styled):
    """The list's filters; a bad value is ignored rather than failing the page."""

    view = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search messages")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=queries.STATUSES)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    account = forms.ChoiceField(label=_("Account"), required=False)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    intent = forms.ChoiceField(label=_("Intent"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=queries.SORTS)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "platform").choices = [("", _("All platforms")), *Platform.choices]
        _choice(self, "account").choices = [
            ("", _("All accounts")),
            *((str(a.pk), str(a)) for a in queries.accounts(workspace)),
        ]
        campaigns = Campaign.objects.filter(workspace=workspace).order_by("-id")[:200]
        _choice(self, "campaign").choices = [
            ("", _("All campaigns")),
            *((str(c.pk), str(c)) for c in campaigns),
        ]
        _choice(self, "tag").choices = [("", _("All tags")), *tag_choices(workspace)]
        _choice(self, "team").choices = [("", _("All teams")), *team_choices(workspace)]
        _choice(self, "intent").choices = [("", _("All intents")), *Intent.choices]

    def filters(self) -> queries.ThreadFilters:
        # cleaned_data keeps every valid field even when another one is invalid.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        view = data.get("view") or "all"
        sort = data.get("sort") or "priority"
        return queries.ThreadFilters(
            view=view if view in queries.VIEW_NAMES else "all",
            status=data.get("status") or queries.STATUS_ACTIVE,
            platform=data.get("platform") or "",
            account=_id(data.get("account")),
            campaign=_id(data.get("campaign")),
            tag=_id(data.get("tag")),
            team=_id(data.get("team")),
            intent=data.get("intent") or "",
            q=(data.get("q") or "").strip(),
            sort=sort if sort in queries.SORT_NAMES else "priority",
        )


# Thread actions -------------------------------------------------------------------------


class ReplyForm(Styled):
    text = forms.CharField(
        label=_("Reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    saved_reply = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )


class MarkRepliedForm(Styled):
    text = forms.CharField(
        label=_("What you replied (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(Styled):
    user = forms.ChoiceField(label=_("Person"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "user").choices = [("", _("Nobody")), *operator_choices(workspace)]
        _choice(self, "team").choices = [("", _("No team")), *team_choices(workspace)]


class TagForm(Styled):
    tag = forms.ChoiceField(label=_("Tag"))

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "tag").choices = [("", _("Choose a tag")), *tag_choices(workspace)]


class StatusForm(Styled):
    status = forms.ChoiceField(label=_("Status"), choices=ThreadStatus.choices)


class NoteForm(Styled):
    text = forms.CharField(
        label=_("Internal note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EscalateForm(Styled):
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    message = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )


class MessageForm(Styled):
    """An action on one message of the thread (hide)."""

    message = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class LabelForm(MessageForm):
    sentiment = forms.ChoiceField(
        label=_("Sentiment"), required=False, choices=[("", "—"), *Sentiment.choices]
    )
    intent = forms.ChoiceField(
        label=_("Intent"), required=False, choices=[("", "—"), *Intent.choices]
    )


class VipForm(Styled):
    is_vip = forms.BooleanField(label=_("VIP"), required=False)
    note = forms.CharField(label=_("Why (optional)"), required=False, max_length=200)


class EmptyForm(Styled):
    pass


def action_form(
    action: str, workspace: Workspace, data: Any = None, thread_pk: int = 0
) -> forms.Form:
    """The (bound or blank) form of one thread action; ids are unique per action."""
    kwargs: dict[str, Any] = {"auto_id": f"{action}-{thread_pk}-%s"}
    if action in {"assign", "tag", "untag"}:
        kwargs["workspace"] = workspace
    form_class: Any = {
        "reply": ReplyForm,
        "mark_replied": MarkRepliedForm,
        "assign": AssignForm,
        "tag": TagForm,
        "untag": TagForm,
        "status": StatusForm,
        "note": NoteForm,
        "escalate": EscalateForm,
        "no_reply": EmptyForm,
        "hide": MessageForm,
        "label": LabelForm,
        "vip": VipForm,
    }[action]
    return form_class(data, **kwargs) if data is not None else form_class(**kwargs)


# Bulk actions ---------------------------------------------------------------------------


class BulkForm(Styled):
    threads = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)
    action = forms.ChoiceField(label=_("With the selected"), choices=BULK_ACTIONS)
    user = forms.ChoiceField(label=_("Person"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *ThreadStatus.choices]
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the view keeps only the workspace's own threads.
        threads = self.fields["threads"]
        assert isinstance(threads, forms.TypedMultipleChoiceField)
        threads.error_messages["required"] = _("Select at least one conversation.")
        raw = self.data.getlist("threads") if hasattr(self.data, "getlist") else []
        threads.choices = [(value, value) for value in raw if _id(value)]
        _choice(self, "user").choices = [("", _("Nobody")), *operator_choices(workspace)]
        _choice(self, "team").choices = [("", _("No team")), *team_choices(workspace)]
        _choice(self, "tag").choices = [("", "—"), *tag_choices(workspace)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "tag" and not data.get("tag"):
            self.add_error("tag", _("Choose a tag."))
        if action == "status" and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        return data


class PresenceForm(forms.Form):
    available = forms.ChoiceField(required=False, choices=[("", ""), ("yes", "yes"), ("no", "no")])
