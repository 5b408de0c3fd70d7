"""Document library: uploads with versions, type, tags; limits enforced up front."""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.campaigns.models import Campaign, Document, DocumentVersion
from fanloop.campaigns.services.common import require
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action

# extension -> how the file must begin (None: plain text, checked by decoding)
ALLOWED_TYPES: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "ppt": (b"\xd0\xcf\x11\xe0",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "csv": None,
    "txt": None,
    "md": None,
}
DOCUMENT_FIELDS = ("title", "doc_type", "tags", "campaign")


def check_upload(upload: UploadedFile) -> str:
    """The file's extension if it is an allowed type within the size limit."""
    name = PurePath(upload.name or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            {
                "file": _("Files of type .%(ext)s are not accepted. Allowed: %(allowed)s.")
                % {"ext": extension or "?", "allowed": ", ".join(sorted(ALLOWED_TYPES))}
            }
        )
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
                % {"size": upload.size / 1_048_576, "limit": limit / 1_048_576}
            }
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    signatures = ALLOWED_TYPES[extension]
    if signatures is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            try:
                head.decode("gb18030")
            except UnicodeDecodeError:
                raise ValidationError(
                    {"file": _("This .%(ext)s file is not text.") % {"ext": extension}}
                ) from None
    elif not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            {"file": _("The file's content does not match its .%(ext)s name.") % {"ext": extension}}
        )
    return extension


def _clean_tags(tags: list[str] | str) -> list[str]:
    if isinstance(tags, str):
        tags = tags.replace("，", ",").split(",")
    return sorted({tag.strip()[:40] for tag in tags if tag.strip()})


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def upload_document(
    *,
    actor: User,
    workspace: Workspace,
    upload: UploadedFile,
    title: str = "",
    doc_type: str = "",
    tags: list[str] | str = "",
    campaign: Campaign | None = None,
    document: Document | None = None,
    note: str = "",
) -> DocumentVersion:
    """A new document, or a new version of ``document`` (older versions are kept)."""
    require(actor, workspace, Action.CAMPAIGN_EDIT)
    check_upload(upload)
    if campaign is not None and campaign.workspace_id != workspace.pk:
        raise ValidationError({"campaign": _("Unknown campaign.")})
    if document is None:
        document = Document(
            workspace=workspace,
            campaign=campaign,
            created_by=actor,
            title=title.strip() or PurePath(upload.name or "").stem,
            doc_type=doc_type,
            tags=_clean_tags(tags),
        )
        document.full_clean(exclude=["workspace", "created_by", "campaign"])
        document.save()
        audit.record(
            actor=actor,
            workspace=workspace,
            action="document.create",
            obj=document,
            changes=audit.created(document, DOCUMENT_FIELDS),
        )
    elif document.workspace_id != workspace.pk:
        raise ValidationError({"document": _("Unknown document.")})
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=PurePath(upload.name or "").name[:200],
        size=upload.size or 0,
        sha256=_sha256(upload),
        note=note.strip()[:300],
        uploaded_by=actor,
    )
    version.file.save(version.original_name, upload, save=False)
    try:
        version.save()
        document.updated_at = timezone.now()
        document.save(update_fields=["updated_at"])
        audit.record(
            actor=actor,
            workspace=workspace,
            action="document.upload_version",
            obj=version,
            changes={"number": (None, number), "file": (None, version.original_name)},
        )
    except Exception:
        # The row rolls back with the transaction; the file on disk must go too.
        version.file.delete(save=False)
        raise
    return version


@transaction.atomic
def delete_document(*, actor: User, document: Document) -> None:
    require(actor, document.workspace, Action.CAMPAIGN_EDIT)
    files = [version.file for version in document.versions.all()]
    audit.record(
        actor=actor,
        workspace=document.workspace,
        action="document.delete",
        obj=document,
        changes=audit.deleted(document, DOCUMENT_FIELDS),
    )
    document.delete()

    def remove_files() -> None:
        for stored in files:
            stored.delete(save=False)

    transaction.on_commit(remove_files)
