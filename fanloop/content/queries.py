"""Read helpers for content, always scoped to one workspace."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from fanloop.content.models import (
    ContentItem,
    ContentTemplate,
    MediaAsset,
    Variant,
    VariantVersion,
)
from fanloop.core.models import Workspace


def items(
    workspace: Workspace,
    *,
    text: str = "",
    campaign: int | None = None,
    content_type: str = "",
    purpose: str = "",
    owner: int | None = None,
    platform: str = "",
    state: str = "",
    tag: str = "",
) -> QuerySet[ContentItem]:
    rows = ContentItem.objects.filter(workspace=workspace).select_related("campaign", "owner")
    if text:
        rows = rows.filter(
            Q(title__icontains=text)
            | Q(key_message__icontains=text)
            | Q(variants__body__icontains=text)
        ).distinct()
    if campaign:
        rows = rows.filter(campaign_id=campaign)
    if content_type:
        rows = rows.filter(content_type=content_type)
    if purpose:
        rows = rows.filter(purpose=purpose)
    if owner:
        rows = rows.filter(owner_id=owner)
    if platform:
        rows = rows.filter(variants__platform=platform).distinct()
    if state:
        rows = rows.filter(variants__state=state).distinct()
    if tag:
        # JSON containment differs per database (and SQLite stores CJK escaped), so the
        # exact match happens here; a workspace's item count keeps this cheap.
        ids = [pk for pk, tags in rows.values_list("pk", "tags") if tag in tags]
        rows = rows.filter(pk__in=ids)
    return (
        rows.prefetch_related("variants")
        .annotate(variant_count=Count("variants", distinct=True))
        .order_by("-updated_at", "-id")
    )


def item(workspace: Workspace, pk: int) -> ContentItem:
    return get_object_or_404(
        ContentItem.objects.select_related("campaign", "owner"), workspace=workspace, pk=pk
    )


def variant(workspace: Workspace, item_pk: int, pk: int) -> Variant:
    return get_object_or_404(
        Variant.objects.select_related("item", "item__campaign", "item__owner", "cover"),
        workspace=workspace,
        item_id=item_pk,
        pk=pk,
    )


def variant_by_id(workspace: Workspace, pk: int) -> Variant:
    return get_object_or_404(
        Variant.objects.select_related("item", "item__campaign", "cover"),
        workspace=workspace,
        pk=pk,
    )


def versions(variant: Variant) -> QuerySet[VariantVersion]:
    return variant.versions.select_related("author")


def version(variant: Variant, number: int) -> VariantVersion:
    return get_object_or_404(VariantVersion, variant=variant, number=number)


def calendar(
    workspace: Workspace,
    start: datetime,
    end: datetime,
    *,
    platform: str = "",
    campaign: int | None = None,
    owner: int | None = None,
    state: str = "",
) -> QuerySet[Variant]:
    """Variants with a planned time in [start, end), for the calendar and its list view."""
    rows = Variant.objects.filter(
        workspace=workspace, planned_at__gte=start, planned_at__lt=end
    ).select_related("item", "item__campaign", "item__owner")
    if platform:
        rows = rows.filter(platform=platform)
    if campaign:
        rows = rows.filter(item__campaign_id=campaign)
    if owner:
        rows = rows.filter(item__owner_id=owner)
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("planned_at", "id")


def media(
    workspace: Workspace, *, kind: str = "", tag: str = "", text: str = ""
) -> QuerySet[MediaAsset]:
    rows = MediaAsset.objects.filter(workspace=workspace)
    if kind:
        rows = rows.filter(kind=kind)
    if text:
        rows = rows.filter(Q(title__icontains=text) | Q(original_name__icontains=text))
    if tag:
        ids = [pk for pk, tags in rows.values_list("pk", "tags") if tag in tags]
        rows = rows.filter(pk__in=ids)
    return rows


def media_asset(workspace: Workspace, pk: int) -> MediaAsset:
    return get_object_or_404(MediaAsset, workspace=workspace, pk=pk)


def templates(workspace: Workspace) -> QuerySet[ContentTemplate]:
    return ContentTemplate.objects.filter(workspace=workspace)


def template(workspace: Workspace, pk: int) -> ContentTemplate:
    return get_object_or_404(ContentTemplate, workspace=workspace, pk=pk)


def review_queue(workspace: Workspace) -> QuerySet[Variant]:
    return (
        Variant.objects.filter(workspace=workspace, state="in_review")
        .select_related("item", "item__owner")
        .order_by("updated_at")
    )
