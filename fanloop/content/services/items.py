"""Content items and their platform variants: create, edit (with versions), templates."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.campaigns.models import Campaign
from fanloop.content import hooks, workflow
from fanloop.content.models import (
    TARGET_PLATFORMS,
    ContentItem,
    ContentTemplate,
    ContentType,
    MediaAsset,
    ProductKind,
    Purpose,
    ReviewStep,
    Variant,
    VariantMedia,
    VariantState,
    VariantStateChange,
    VariantVersion,
)
from fanloop.content.services.checks import run_checks
from fanloop.content.services.common import require, string_list
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.writes import apply, require_member

ITEM_FIELDS = frozenset(
    {
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
    }
)
AUDITED_ITEM_FIELDS = tuple(sorted(ITEM_FIELDS))
# Fields whose change makes a new version of the variant's copy.
COPY_FIELDS = ("title", "body", "topics", "mentions", "link", "cover")
VARIANT_FIELDS = frozenset({*COPY_FIELDS, "media", "planned_at"})
AUDITED_VARIANT_FIELDS = ("title", "body", "topics", "mentions", "link", "cover", "planned_at")


def _validate_item(item: ContentItem) -> None:
    errors: dict[str, list[str]] = {}
    if not (item.title or "").strip():
        errors["title"] = [_("Give the content a title.")]
    if item.content_type not in ContentType.values:
        errors["content_type"] = [_("Choose a content type.")]
    if item.purpose not in Purpose.values:
        errors["purpose"] = [_("Choose a purpose.")]
    if item.product_kind not in ProductKind.values:
        errors["product_kind"] = [_("Choose a product kind.")]
    if item.special_cosmetic and item.product_kind != ProductKind.COSMETICS:
        errors["special_cosmetic"] = [_("Only cosmetics can be registered special cosmetics.")]
    if item.campaign is not None and item.campaign.workspace_id != item.workspace_id:
        errors["campaign"] = [_("Unknown campaign.")]
    if errors:
        raise ValidationError(errors)
    item.title = item.title.strip()
    try:
        item.full_clean(exclude=["workspace", "created_by", "campaign", "owner", "tags", "media"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _item_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "tags" in data:
        data["tags"] = string_list(data["tags"], "tags", max_items=20, max_length=30)
    return data


@transaction.atomic
def create_item(
    *,
    actor: User,
    workspace: Workspace,
    data: dict[str, Any],
    platforms: list[str] | None = None,
    template: ContentTemplate | None = None,
) -> ContentItem:
    """A new item, with an empty variant per platform (from ``template`` when given)."""
    require(actor, workspace, Action.CONTENT_EDIT)
    if template is not None and template.workspace_id != workspace.pk:
        raise ValidationError({"template": _("Unknown template.")})
    data = _item_data(data)
    if template is not None:
        data.setdefault("content_type", template.content_type)
        data.setdefault("purpose", template.purpose)
        platforms = platforms or list(template.platforms)
    item = ContentItem(workspace=workspace, created_by=actor, owner=actor)
    apply(item, data, ITEM_FIELDS)
    require_member(workspace, item.owner, "owner")
    _validate_item(item)
    item.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="content.item_create",
        obj=item,
        changes=audit.created(item, AUDITED_ITEM_FIELDS),
    )
    for platform in platforms or []:
        copy: dict[str, Any] = {}
        if template is not None:
            copy = {"title": template.title, "body": template.body, "topics": template.topics}
        add_variant(actor=actor, item=item, platform=platform, data=copy)
    return item


@transaction.atomic
def update_item(*, actor: User, item: ContentItem, data: dict[str, Any]) -> ContentItem:
    require(actor, item.workspace, Action.CONTENT_EDIT)
    item = ContentItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    before = audit.snapshot(item, AUDITED_ITEM_FIELDS)
    apply(item, _item_data(data), ITEM_FIELDS)
    require_member(item.workspace, item.owner, "owner")
    _validate_item(item)
    item.updated_at = timezone.now()
    item.save()
    changes = audit.diff(before, audit.snapshot(item, AUDITED_ITEM_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            workspace=item.workspace,
            action="content.item_update",
            obj=item,
            changes=changes,
        )
        # Purpose, sponsorship and product kind change what the rules demand.
        for variant in item.variants.all():
            _recheck(variant)
    return item


def _recheck(variant: Variant) -> None:
    result = run_checks(variant)
    variant.findings = result.findings
    variant.rule_problems = result.rule_problems
    variant.originality = result.originality
    variant.checked_at = timezone.now()
    variant.save(update_fields=["findings", "rule_problems", "originality", "checked_at"])


def _media_assets(workspace: Workspace, value: Any) -> list[MediaAsset]:
    if not isinstance(value, list | tuple):
        raise ValidationError({"media": _("Give a list of media.")})
    ids = [v.pk if isinstance(v, MediaAsset) else v for v in value]
    if any(not isinstance(i, int) for i in ids):
        raise ValidationError({"media": _("Give a list of media.")})
    found = {a.pk: a for a in MediaAsset.objects.filter(workspace=workspace, pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"media": _("Unknown media %(ids)s.") % {"ids": missing}})
    return [found[i] for i in dict.fromkeys(ids)]


def _clean_variant_data(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    unknown = set(data) - VARIANT_FIELDS
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in sorted(unknown)})
    for field in ("title", "body", "link"):
        if field in data:
            data[field] = (data[field] or "").strip() if field != "body" else data[field] or ""
    if "topics" in data:
        data["topics"] = [
            t.strip("#＃ ") for t in string_list(data["topics"], "topics", max_length=40)
        ]
        data["topics"] = [t for t in data["topics"] if t] or []
    if "mentions" in data:
        data["mentions"] = [
            m.lstrip("@") for m in string_list(data["mentions"], "mentions", max_length=40)
        ]
    if "cover" in data and data["cover"] is not None:
        cover = data["cover"]
        cover_id = cover.pk if isinstance(cover, MediaAsset) else cover
        found = MediaAsset.objects.filter(workspace=workspace, pk=cover_id).first()
        if found is None:
            raise ValidationError({"cover": _("Unknown media.")})
        data["cover"] = found
    planned = data.get("planned_at")
    if planned is not None and (not isinstance(planned, datetime) or timezone.is_naive(planned)):
        raise ValidationError({"planned_at": _("Give a date and time with a time zone.")})
    return data


def _validate_variant(variant: Variant) -> None:
    try:
        variant.full_clean(
            exclude=[
                "item",
                "workspace",
                "cover",
                "topics",
                "mentions",
                "findings",
                "rule_problems",
            ]
        )
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _snapshot_version(variant: Variant, actor: User | None) -> VariantVersion:
    return VariantVersion.objects.create(
        variant=variant,
        number=variant.version,
        title=variant.title,
        body=variant.body,
        topics=list(variant.topics),
        mentions=list(variant.mentions),
        link=variant.link,
        media_ids=list(variant.media_links.values_list("asset_id", flat=True)),
        cover_id=variant.cover_id,
        author=actor,
    )


def _set_media(variant: Variant, assets: list[MediaAsset]) -> None:
    variant.media_links.all().delete()
    VariantMedia.objects.bulk_create(
        [VariantMedia(variant=variant, asset=asset, position=i) for i, asset in enumerate(assets)]
    )


@transaction.atomic
def add_variant(
    *, actor: User, item: ContentItem, platform: str, data: dict[str, Any] | None = None
) -> Variant:
    require(actor, item.workspace, Action.CONTENT_EDIT)
    if platform not in {p.value for p in TARGET_PLATFORMS}:
        raise ValidationError({"platform": _("Choose a platform content can be written for.")})
    if item.variants.filter(platform=platform).exists():
        raise ValidationError({"platform": _("This item already has a variant for that platform.")})
    clean = _clean_variant_data(item.workspace, data or {})
    assets = _media_assets(item.workspace, clean.pop("media")) if "media" in clean else []
    variant = Variant(item=item, workspace=item.workspace, platform=platform)
    for field, value in clean.items():
        setattr(variant, field, value)
    if not variant.title:
        variant.title = item.title[:200]
    _validate_variant(variant)
    variant.save()
    _set_media(variant, assets)
    _snapshot_version(variant, actor)
    VariantStateChange.objects.create(
        variant=variant, from_state="", to_state=variant.state, actor=actor, note=_("Created")
    )
    _recheck(variant)
    audit.record(
        actor=actor,
        workspace=item.workspace,
        action="content.variant_create",
        obj=variant,
        changes={"platform": (None, platform), **audit.created(variant, AUDITED_VARIANT_FIELDS)},
    )
    return variant


def _copy_state(variant: Variant) -> tuple[Any, ...]:
    return (
        variant.title,
        variant.body,
        list(variant.topics),
        list(variant.mentions),
        variant.link,
        variant.cover_id,
        list(variant.media_links.values_list("asset_id", flat=True)),
    )


@transaction.atomic
def update_variant(
    *, actor: User, variant: Variant, data: dict[str, Any], expected_version: int | None = None
) -> Variant:
    """Save the copy. A changed copy is a new version; an approved one goes back to review.

    ``expected_version`` guards against two people overwriting each other: when the
    variant moved on since the editor loaded it, the save is refused.
    """
    require(actor, variant.workspace, Action.CONTENT_EDIT)
    variant = (
        Variant.objects.select_for_update(of=("self",)).select_related("item").get(pk=variant.pk)
    )
    if variant.state not in workflow.EDITABLE_STATES:
        raise ValidationError(
            _("A %(state)s variant can no longer be edited.")
            % {"state": variant.get_state_display()}
        )
    if expected_version is not None and expected_version != variant.version:
        raise ValidationError(
            _(
                "Someone saved version %(v)d while you were editing version %(mine)d; "
                "reload to see their changes."
            )
            % {"v": variant.version, "mine": expected_version}
        )
    clean = _clean_variant_data(variant.workspace, data)
    assets = _media_assets(variant.workspace, clean.pop("media")) if "media" in clean else None
    before_copy = _copy_state(variant)
    before = audit.snapshot(variant, AUDITED_VARIANT_FIELDS)
    for field, value in clean.items():
        setattr(variant, field, value)
    _validate_variant(variant)
    if assets is not None:
        _set_media(variant, assets)
    copy_changed = _copy_state(variant) != before_copy
    state_before = variant.state
    if copy_changed:
        variant.version += 1
        if variant.state in workflow.EDIT_RESETS:
            has_steps = ReviewStep.objects.filter(workspace=variant.workspace).exists()
            variant.state = VariantState.IN_REVIEW if has_steps else VariantState.DRAFT
            variant.review_step = 0
            variant.compliance_override = ""
    variant.updated_at = timezone.now()
    variant.save()
    if copy_changed:
        _snapshot_version(variant, actor)
    if variant.state != state_before:
        VariantStateChange.objects.create(
            variant=variant,
            from_state=state_before,
            to_state=variant.state,
            actor=actor,
            note=_("Edited after approval: back to review."),
        )
        from fanloop.content.services.review import notify_reviewers

        notify_reviewers(variant)
        if state_before == VariantState.SCHEDULED:
            hooks.schedule_changed(variant, "pulled")
    _recheck(variant)
    changes = audit.diff(before, audit.snapshot(variant, AUDITED_VARIANT_FIELDS))
    if assets is not None and before_copy[-1] != _copy_state(variant)[-1]:
        changes["media"] = (before_copy[-1], _copy_state(variant)[-1])
    if variant.state != state_before:
        changes["state"] = (state_before, variant.state)
    if changes:
        audit.record(
            actor=actor,
            workspace=variant.workspace,
            action="content.variant_update",
            obj=variant,
            changes=changes,
        )
    ContentItem.objects.filter(pk=variant.item_id).update(updated_at=timezone.now())
    return variant


@transaction.atomic
def delete_variant(*, actor: User, variant: Variant) -> None:
    require(actor, variant.workspace, Action.CONTENT_EDIT)
    variant = Variant.objects.select_for_update(of=("self",)).get(pk=variant.pk)
    if variant.state in {VariantState.SCHEDULED, VariantState.PUBLISHED}:
        raise ValidationError(
            _("A %(state)s variant cannot be deleted; archive it instead.")
            % {"state": variant.get_state_display()}
        )
    from fanloop.compliance import originality

    audit.record(
        actor=actor,
        workspace=variant.workspace,
        action="content.variant_delete",
        obj=variant,
        changes=audit.deleted(variant, AUDITED_VARIANT_FIELDS),
    )
    originality.remove(variant.workspace, f"variant:{variant.pk}")
    variant.delete()


# Templates ------------------------------------------------------------------------------

TEMPLATE_FIELDS = frozenset(
    {"name", "content_type", "purpose", "title", "body", "topics", "platforms"}
)


def _validate_template(template: ContentTemplate) -> None:
    errors: dict[str, list[str]] = {}
    if not (template.name or "").strip():
        errors["name"] = [_("Name the template.")]
    if template.content_type and template.content_type not in ContentType.values:
        errors["content_type"] = [_("Choose a content type.")]
    if template.purpose and template.purpose not in Purpose.values:
        errors["purpose"] = [_("Choose a purpose.")]
    known = {p.value for p in TARGET_PLATFORMS}
    if not isinstance(template.platforms, list) or any(p not in known for p in template.platforms):
        errors["platforms"] = [_("Choose platforms content can be written for.")]
    clash = ContentTemplate.objects.filter(
        workspace=template.workspace, name=(template.name or "").strip()
    ).exclude(pk=template.pk)
    if clash.exists():
        errors["name"] = [_("A template with this name exists.")]
    if errors:
        raise ValidationError(errors)
    template.name = template.name.strip()


@transaction.atomic
def save_template(
    *,
    actor: User,
    workspace: Workspace,
    data: dict[str, Any],
    template: ContentTemplate | None = None,
) -> ContentTemplate:
    require(actor, workspace, Action.CONTENT_EDIT)
    if template is not None and template.workspace_id != workspace.pk:
        raise ValidationError({"template": _("Unknown template.")})
    data = dict(data)
    if "topics" in data:
        data["topics"] = string_list(data["topics"], "topics", max_length=40)
    fields = tuple(sorted(TEMPLATE_FIELDS))
    creating = template is None
    target = template or ContentTemplate(workspace=workspace, created_by=actor)
    before = {} if creating else audit.snapshot(target, fields)
    apply(target, data, TEMPLATE_FIELDS)
    _validate_template(target)
    target.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="content.template_create" if creating else "content.template_update",
        obj=target,
        changes=audit.diff(before, audit.snapshot(target, fields)),
    )
    return target


@transaction.atomic
def delete_template(*, actor: User, template: ContentTemplate) -> None:
    require(actor, template.workspace, Action.CONTENT_EDIT)
    audit.record(
        actor=actor,
        workspace=template.workspace,
        action="content.template_delete",
        obj=template,
        changes=audit.deleted(template, ("name",)),
    )
    template.delete()


def campaign_for(workspace: Workspace, campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    found = Campaign.objects.filter(workspace=workspace, pk=campaign_id).first()
    if found is None:
        raise ValidationError({"campaign": _("Unknown campaign.")})
    return found
