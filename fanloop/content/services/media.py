"""The media library: uploads read and checked up front, deduplicated, tagged, reused."""

from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.translation import gettext as _

from fanloop.content import mediafiles
from fanloop.content.models import MediaAsset, VariantMedia
from fanloop.content.services.common import require, string_list
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action

MEDIA_FIELDS = ("original_name", "kind", "size_bytes", "width", "height", "duration_seconds")


def _read(upload: BinaryIO) -> bytes:
    upload.seek(0)
    return upload.read()


@transaction.atomic
def upload_media(
    *,
    actor: User,
    workspace: Workspace,
    upload: BinaryIO,
    filename: str,
    title: str = "",
    tags: Any = (),
) -> tuple[MediaAsset, bool]:
    """Store the file if it is a valid image or video; returns (asset, created).

    The same bytes uploaded again return the existing asset instead of a copy.
    """
    require(actor, workspace, Action.CONTENT_EDIT)
    clean_tags = string_list(list(tags), "tags", max_items=20, max_length=30)
    facts = mediafiles.inspect_media(upload, filename)
    existing = MediaAsset.objects.filter(workspace=workspace, sha256=facts.sha256).first()
    if existing is not None:
        return existing, False
    asset = MediaAsset(
        workspace=workspace,
        kind=facts.kind,
        original_name=filename.rsplit("/", 1)[-1][:200],
        mime=facts.mime,
        extension=facts.extension.lstrip("."),
        size_bytes=facts.size_bytes,
        sha256=facts.sha256,
        width=facts.width,
        height=facts.height,
        duration_seconds=facts.duration_seconds,
        title=(title or "").strip()[:200],
        tags=clean_tags,
        uploaded_by=actor,
    )
    upload.seek(0)
    # Streamed to storage: a video may be a gigabyte; only images (capped far lower) are
    # read into memory, for their thumbnail.
    asset.file.save("upload", File(upload), save=False)
    thumb = mediafiles.make_thumbnail(_read(upload), facts) if facts.kind == "image" else None
    if thumb:
        asset.thumbnail.save("thumb.jpg", ContentFile(thumb), save=False)
    try:
        asset.save()
    except Exception:
        # The row failed; don't leave the stored files behind.
        asset.file.delete(save=False)
        if asset.thumbnail:
            asset.thumbnail.delete(save=False)
        raise
    audit.record(
        actor=actor,
        workspace=workspace,
        action="content.media_upload",
        obj=asset,
        changes=audit.created(asset, MEDIA_FIELDS),
    )
    return asset, True


@transaction.atomic
def update_media(*, actor: User, asset: MediaAsset, title: str, tags: Any) -> MediaAsset:
    require(actor, asset.workspace, Action.CONTENT_EDIT)
    before = audit.snapshot(asset, ("title", "tags"))
    asset.title = (title or "").strip()[:200]
    asset.tags = string_list(tags, "tags", max_items=20, max_length=30)
    asset.save(update_fields=["title", "tags"])
    changes = audit.diff(before, audit.snapshot(asset, ("title", "tags")))
    if changes:
        audit.record(
            actor=actor,
            workspace=asset.workspace,
            action="content.media_update",
            obj=asset,
            changes=changes,
        )
    return asset


@transaction.atomic
def delete_media(*, actor: User, asset: MediaAsset) -> None:
    require(actor, asset.workspace, Action.CONTENT_EDIT)
    used = VariantMedia.objects.filter(asset=asset).count() + asset.items.count()
    if used or asset.pk in set(
        asset.workspace.content_items.values_list("variants__cover_id", flat=True)
    ):
        raise ValidationError(_("This file is used by content; remove it there first."))
    audit.record(
        actor=actor,
        workspace=asset.workspace,
        action="content.media_delete",
        obj=asset,
        changes=audit.deleted(asset, MEDIA_FIELDS),
    )
    names = [stored.name for stored in (asset.file, asset.thumbnail) if stored and stored.name]
    storage = asset.file.storage
    asset.delete()

    def remove_files() -> None:
        for name in names:
            storage.delete(name)

    # Files go only once the row is gone for good; a rolled-back delete keeps them.
    transaction.on_commit(remove_files)
