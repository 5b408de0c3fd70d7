"""Forms for the content studio; each turns its input into the data a service takes."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models import Campaign
from fanloop.content.models import (
    TARGET_PLATFORM_CHOICES,
    ContentItem,
    ContentSettings,
    ContentTemplate,
    ContentType,
    MediaAsset,
    MediaKind,
    ProductKind,
    Purpose,
    Variant,
    VariantState,
)
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Role

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATETIME_INPUT_FORMATS = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def members_of(workspace: Workspace) -> Any:
    return User.objects.filter(memberships__workspace=workspace).order_by("username")


def split_words(text: str, strip: str = "") -> list[str]:
    """Comma (or full-width comma / newline) separated words, stripped, duplicates dropped."""
    parts = text.replace("，", ",").replace("\n", ",").split(",")
    result: list[str] = []
    for part in parts:
        word = part.strip().strip(strip).strip() if strip else part.strip()
        if word and word not in result:
            result.append(word)
    return result


def local_input(value: datetime | None) -> str:
    """An aware datetime as a datetime-local value in the active (workspace) time zone."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime(DATETIME_LOCAL)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(
            widget,
            forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.HiddenInput,
        ):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class StudioForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class ItemFilterForm(StudioForm):
    text = forms.CharField(label=_("Text"), required=False, max_length=100)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), required=False, queryset=Campaign.objects.none()
    )
    content_type = forms.ChoiceField(
        label=_("Content type"), required=False, choices=_any(ContentType.choices)
    )
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=_any(Purpose.choices))
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=_any(TARGET_PLATFORM_CHOICES)
    )
    state = forms.ChoiceField(
        label=_("Variant state"), required=False, choices=_any(VariantState.choices)
    )
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    tag = forms.CharField(label=_("Tag"), required=False, max_length=30)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ModelChoiceField)
        campaign.queryset = Campaign.objects.filter(workspace=workspace).order_by("-start_date")
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = members_of(workspace)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "text": data["text"].strip(),
            "campaign": data["campaign"].pk if data["campaign"] else None,
            "content_type": data["content_type"],
            "purpose": data["purpose"],
            "platform": data["platform"],
            "state": data["state"],
            "owner": data["owner"].pk if data["owner"] else None,
            "tag": data["tag"].strip(),
        }


ITEM_FIELDS = (
    "title",
    "campaign",
    "content_type",
    "purpose",
    "key_message",
    "tags",
    "owner",
    "sponsored",
    "product_kind",
    "special_cosmetic",
)


class ItemForm(StudioForm):
    """Create (with platforms and an optional template) or edit an item's basics."""

    template = forms.ModelChoiceField(
        label=_("Start from template"),
        required=False,
        queryset=ContentTemplate.objects.none(),
        empty_label=_("No template"),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        required=False,
        queryset=Campaign.objects.none(),
        empty_label=_("No campaign"),
    )
    content_type = forms.ChoiceField(
        label=_("Content type"), required=False, choices=[("", "—"), *ContentType.choices]
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), required=False, choices=[("", "—"), *Purpose.choices]
    )
    key_message = forms.CharField(
        label=_("Key message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=700,
        help_text=_("Separate tags with commas."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    sponsored = forms.BooleanField(
        label=_("Sponsored or KOL content"),
        required=False,
        help_text=_("Paid placement or KOL cooperation: it must carry an ad label."),
    )
    product_kind = forms.ChoiceField(
        label=_("Product kind"), choices=ProductKind.choices, initial=ProductKind.GENERAL
    )
    special_cosmetic = forms.BooleanField(
        label=_("Registered special cosmetic"),
        required=False,
        help_text=_("特殊化妆品 registration: may claim whitening or spot removal."),
    )
    platforms = forms.MultipleChoiceField(
        label=_("Target platforms"),
        required=False,
        choices=TARGET_PLATFORM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One variant is created for each platform."),
    )

    def __init__(
        self,
        *args: Any,
        workspace: Workspace,
        item: ContentItem | None = None,
        template: ContentTemplate | None = None,
        **kwargs: Any,
    ) -> None:
        self.creating = item is None
        initial: dict[str, Any] = dict(kwargs.pop("initial", None) or {})
        if item is not None:
            initial.update({field: getattr(item, field) for field in ITEM_FIELDS})
            initial["tags"] = ", ".join(item.tags)
        elif template is not None:
            initial.update(
                {
                    "template": template.pk,
                    "title": template.title,
                    "content_type": template.content_type,
                    "purpose": template.purpose,
                    "platforms": list(template.platforms),
                }
            )
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        template_field = self.fields["template"]
        assert isinstance(template_field, forms.ModelChoiceField)
        template_field.queryset = ContentTemplate.objects.filter(workspace=workspace)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ModelChoiceField)
        campaign.queryset = Campaign.objects.filter(workspace=workspace).order_by("-start_date")
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = members_of(workspace)
        if not self.creating:
            del self.fields["template"]
            del self.fields["platforms"]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        result: dict[str, Any] = {field: data[field] for field in ITEM_FIELDS}
        result["tags"] = split_words(data["tags"])
        if self.creating and data.get("template") is not None:
            # Empty choices let the template's defaults apply.
            for field in ("content_type", "purpose"):
                if not result[field]:
                    del result[field]
        return result


class AddVariantForm(StudioForm):
    platform = forms.ChoiceField(label=_("Platform"), choices=TARGET_PLATFORM_CHOICES)

    def __init__(self, *args: Any, item: ContentItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = set(item.variants.values_list("platform", flat=True))
        platform = self.fields["platform"]
        assert isinstance(platform, forms.ChoiceField)
        platform.choices = [(v, label) for v, label in TARGET_PLATFORM_CHOICES if v not in taken]


class VariantForm(StudioForm):
    """The editor. The same fields feed the live check (which saves nothing)."""

    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Body"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    topics = forms.CharField(
        label=_("Topics / hashtags"),
        required=False,
        max_length=2000,
        help_text=_("Separate with commas; # is optional."),
    )
    mentions = forms.CharField(
        label=_("@mentions"),
        required=False,
        max_length=2000,
        help_text=_("Separate with commas; @ is optional."),
    )
    link = forms.CharField(label=_("Link"), required=False, max_length=500)
    planned_at = forms.DateTimeField(
        label=_("Planned publish time"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=DateTimeLocalInput(),
    )
    # Not "media": that name is the form's own CSS/JS Media property.
    media_ids = forms.TypedMultipleChoiceField(
        label=_("Media"),
        required=False,
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    cover = forms.TypedChoiceField(
        label=_("Cover"), required=False, coerce=int, empty_value=None, choices=[]
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        variant: Variant,
        assets: list[MediaAsset],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": variant.title,
                "body": variant.body,
                "topics": ", ".join(variant.topics),
                "mentions": ", ".join(variant.mentions),
                "link": variant.link,
                "planned_at": timezone.localtime(variant.planned_at)
                if variant.planned_at
                else None,
                "media_ids": list(variant.media_links.values_list("asset_id", flat=True)),
                "cover": variant.cover_id,
                "expected_version": variant.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.assets = {asset.pk: asset for asset in assets}
        choices = [(asset.pk, str(asset)) for asset in assets]
        media = self.fields["media_ids"]
        assert isinstance(media, forms.TypedMultipleChoiceField)
        media.choices = choices
        cover = self.fields["cover"]
        assert isinstance(cover, forms.TypedChoiceField)
        cover.choices = [("", _("No cover")), *choices]
        self.fields["body"].widget.attrs["data-count-field"] = "body"
        self.fields["title"].widget.attrs["data-count-field"] = "title"

    def copy_data(self) -> dict[str, Any]:
        """What the service takes (media and cover as ids)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "title": data.get("title", ""),
            "body": data.get("body", ""),
            "topics": split_words(data.get("topics", ""), "#＃ "),
            "mentions": split_words(data.get("mentions", ""), "@ "),
            "link": data.get("link", "").strip(),
            "cover": data.get("cover"),
            "media": list(data.get("media_ids", [])),
            "planned_at": data.get("planned_at"),
        }

    def check_args(self) -> dict[str, Any]:
        """What ``services.check_copy`` takes, for copy that is not saved."""
        data = self.copy_data()
        return {
            "title": data["title"],
            "body": data["body"],
            "topics": data["topics"],
            "mentions": data["mentions"],
            "media": [self.assets[pk] for pk in data["media"] if pk in self.assets],
            "cover": self.assets.get(data["cover"]) if data["cover"] else None,
            "link": data["link"],
        }


class TransitionForm(StudioForm):
    note = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    override_reason = forms.CharField(
        label=_("Why the blocking findings may be overridden"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    planned_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=DateTimeLocalInput(),
    )


class CommentForm(StudioForm):
    body = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mention a member with @username."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MediaFilterForm(StudioForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_any(MediaKind.choices))
    tag = forms.CharField(label=_("Tag"), required=False, max_length=30)
    text = forms.CharField(label=_("Title or file name"), required=False, max_length=100)


class MediaEditForm(StudioForm):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=700, help_text=_("Separate tags with commas.")
    )


class MediaUploadForm(StudioForm):
    """Files come from ``request.FILES.getlist("files")``; this holds the shared fields."""

    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=700, help_text=_("Separate tags with commas.")
    )


class TemplateForm(StudioForm):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    content_type = forms.ChoiceField(
        label=_("Content type"), required=False, choices=[("", "—"), *ContentType.choices]
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), required=False, choices=[("", "—"), *Purpose.choices]
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Body"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=2000,
        help_text=_("Separate with commas; # is optional."),
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        required=False,
        choices=TARGET_PLATFORM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, template: ContentTemplate | None = None, **kwargs: Any) -> None:
        if template is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": template.name,
                    "content_type": template.content_type,
                    "purpose": template.purpose,
                    "title": template.title,
                    "body": template.body,
                    "topics": ", ".join(template.topics),
                    "platforms": list(template.platforms),
                },
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["topics"] = split_words(data["topics"], "#＃ ")
        data["platforms"] = list(data["platforms"])
        return data


REVIEW_ROLE_CHOICES = [(role.value, role.label) for role in Role if role != Role.VIEWER]


class ReviewStepForm(forms.Form):
    name = forms.CharField(label=_("Step name"), required=False, max_length=80)
    role = forms.ChoiceField(label=_("Reviewer role"), required=False, choices=REVIEW_ROLE_CHOICES)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


ReviewStepFormSet = forms.formset_factory(ReviewStepForm, extra=0, max_num=10, absolute_max=20)


class ThresholdsForm(StudioForm):
    hard_ad_cap_percent = forms.IntegerField(
        label=_("Hard-ad share cap per account and week (%)"), min_value=0, max_value=100
    )
    originality_min_percent = forms.IntegerField(
        label=_("Minimum originality (%)"), min_value=0, max_value=100
    )
    best_time_min_posts = forms.IntegerField(
        label=_("Posts needed before best times come from history"), min_value=1, max_value=1000
    )

    def __init__(self, *args: Any, row: ContentSettings, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "hard_ad_cap_percent": row.hard_ad_cap_percent,
                "originality_min_percent": row.originality_min_percent,
                "best_time_min_posts": row.best_time_min_posts,
            },
        )
        super().__init__(*args, **kwargs)
