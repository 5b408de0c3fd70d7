"""Forms of the community pages; the services validate again and own the rules."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models import Campaign
from fanloop.channels.models import ChannelAccount
from fanloop.community.models import (
    EventKind,
    EventStatus,
    FanGroup,
    GroupEvent,
    GroupPlatform,
    GroupType,
    ImportKind,
    MemberRole,
)
from fanloop.core.models import User, Workspace

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MAX_IMPORT_BYTES = 50 * 1_048_576


def members_of(workspace: Workspace) -> Any:
    return User.objects.filter(memberships__workspace=workspace).order_by("username")


def style(form: forms.BaseForm) -> None:
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
        style(self)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime(DATETIME_LOCAL) if value else ""


class GroupFilterForm(Styled):
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("Any")), *GroupPlatform.choices]
    )
    group_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any")), *GroupType.choices]
    )
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), required=False, queryset=Campaign.objects.none()
    )
    text = forms.CharField(label=_("Name or theme"), required=False, max_length=100)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(workspace)  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace
        ).order_by("-start_date")


class GroupForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=100)
    platform = forms.ChoiceField(label=_("Platform"), choices=GroupPlatform.choices)
    group_type = forms.ChoiceField(label=_("Type"), choices=GroupType.choices)
    audience = forms.CharField(label=_("Target audience"), max_length=300, required=False)
    theme = forms.CharField(label=_("Theme"), max_length=200, required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    rules = forms.CharField(
        label=_("Group rules"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    campaigns = forms.ModelMultipleChoiceField(
        label=_("Campaigns"), required=False, queryset=Campaign.objects.none()
    )
    content_topics = forms.CharField(
        label=_("Content topics"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas, e.g. 新品预告, 护肤知识, 晒单"),
    )
    posts_per_week = forms.IntegerField(
        label=_("Posts per week"), required=False, min_value=0, max_value=200
    )
    content_notes = forms.CharField(
        label=_("Content plan notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    invite_url = forms.URLField(label=_("Invite link"), required=False, max_length=500)
    qr_image = forms.FileField(label=_("QR code image"), required=False)
    clear_qr = forms.BooleanField(label=_("Remove the QR code image"), required=False)
    channel_account = forms.ModelChoiceField(
        label=_("WeCom account (to sync this customer group)"),
        required=False,
        queryset=ChannelAccount.objects.none(),
    )
    remote_chat_id = forms.CharField(label=_("WeCom chat id"), required=False, max_length=100)
    archived = forms.BooleanField(label=_("Archived"), required=False)

    def __init__(
        self, *args: Any, workspace: Workspace, group: FanGroup | None = None, **kwargs: Any
    ) -> None:
        if group is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(group, name) for name in SERVICE_FIELDS},
                    "owner": group.owner_id,
                    "channel_account": group.channel_account_id,
                    "campaigns": [c.pk for c in group.campaigns.all()],
                    "content_topics": ", ".join(group.content_topics),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(workspace)  # type: ignore[attr-defined]
        self.fields["campaigns"].queryset = Campaign.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace
        ).order_by("-start_date")
        self.fields["channel_account"].queryset = ChannelAccount.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace, platform="wecom"
        )
        if group is None:
            del self.fields["clear_qr"]
            del self.fields["archived"]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in SERVICE_FIELDS if name in data}
        values["owner"] = data["owner"]
        values["channel_account"] = data["channel_account"]
        values["campaigns"] = list(data["campaigns"])
        return values


SERVICE_FIELDS = (
    "name",
    "platform",
    "group_type",
    "audience",
    "theme",
    "rules",
    "content_topics",
    "posts_per_week",
    "content_notes",
    "invite_url",
    "remote_chat_id",
    "archived",
)


class EventForm(Styled):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL],
    )
    host = forms.ModelChoiceField(label=_("Host"), required=False, queryset=User.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=EventStatus.choices)
    materials = forms.CharField(
        label=_("Materials (links, text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome_notes = forms.CharField(
        label=_("Outcome notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants = forms.IntegerField(label=_("Participants"), required=False, min_value=0)

    def __init__(
        self, *args: Any, workspace: Workspace, event: GroupEvent | None = None, **kwargs: Any
    ) -> None:
        if event is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": event.kind,
                    "title": event.title,
                    "starts_at": _local(event.starts_at),
                    "ends_at": _local(event.ends_at),
                    "host": event.host_id,
                    "status": event.status,
                    "materials": event.materials,
                    "outcome_notes": event.outcome_notes,
                    "participants": event.participants,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = members_of(workspace)  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ImportForm(Styled):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "Member list: 用户ID or 昵称, 入群时间, optional 退群时间 and 角色. Daily activity: "
            "日期, 用户ID or 昵称, 发言数, 互动数, optional 在线时长(分钟). Chat log: 时间, "
            "用户ID or 发送者, 内容."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(getattr(settings, "FANLOOP_COMMUNITY_IMPORT_MAX_BYTES", MAX_IMPORT_BYTES))
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": limit // 1_048_576}
            )
        return upload


class MemberFilterForm(Styled):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any")), ("in", _("In the group")), ("left", _("Left"))],
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any")), *MemberRole.choices]
    )
    text = forms.CharField(label=_("Nickname"), required=False, max_length=100)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=MemberRole.choices)
