"""Fan groups: create, change, delete; the QR image."""

from collections.abc import Iterable
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.campaigns.models import Campaign
from fanloop.channels.models import ChannelAccount
from fanloop.community.models import FanGroup, GroupPlatform, GroupType
from fanloop.community.services.common import require_manage
from fanloop.content import mediafiles
from fanloop.core import audit
from fanloop.core.models import Membership, User, Workspace

AUDITED = (
    "platform",
    "name",
    "group_type",
    "audience",
    "theme",
    "owner",
    "rules",
    "content_topics",
    "posts_per_week",
    "content_notes",
    "invite_url",
    "channel_account",
    "remote_chat_id",
    "archived",
)
EDITABLE = frozenset(AUDITED)
MAX_TOPICS = 30
WECOM_PLATFORM = "wecom"


def _snapshot(group: FanGroup) -> dict[str, Any]:
    values = audit.snapshot(group, AUDITED)
    values["campaigns"] = sorted(str(c) for c in group.campaigns.all()) if group.pk else []
    values["qr_image"] = bool(group.qr_image)
    return values


def _topics(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("\n", ",").split(",")
    topics = [str(t).strip()[:40] for t in value or [] if str(t).strip()]
    return list(dict.fromkeys(topics))


def _validate(group: FanGroup, campaigns: Iterable[Campaign]) -> None:
    errors: dict[str, str] = {}
    group.name = (group.name or "").strip()
    if not group.name:
        errors["name"] = _("Give the group a name.")
    if group.platform not in GroupPlatform.values:
        errors["platform"] = _("Choose a platform.")
    if group.group_type not in GroupType.values:
        errors["group_type"] = _("Choose a group type.")
    if (
        group.owner_id
        and not Membership.objects.filter(
            workspace_id=group.workspace_id, user_id=group.owner_id
        ).exists()
    ):
        errors["owner"] = _("The owner must be a member of this workspace.")
    if any(c.workspace_id != group.workspace_id for c in campaigns):
        errors["campaigns"] = _("Only campaigns of this workspace can be linked.")
    if len(group.content_topics) > MAX_TOPICS:
        errors["content_topics"] = _("At most %(n)d topics.") % {"n": MAX_TOPICS}
    account = group.channel_account
    if account is not None:
        if account.workspace_id != group.workspace_id:
            errors["channel_account"] = _("Choose a WeCom account of this workspace.")
        elif account.platform != WECOM_PLATFORM:
            errors["channel_account"] = _("Only WeCom accounts sync customer groups.")
        elif group.platform != GroupPlatform.WECOM:
            errors["platform"] = _("A group linked to a WeCom account is a WeCom customer group.")
    group.remote_chat_id = (group.remote_chat_id or "").strip()
    if group.remote_chat_id and account is None:
        errors["remote_chat_id"] = _("A WeCom chat id needs the WeCom account it belongs to.")
    if (
        group.remote_chat_id
        and account is not None
        and FanGroup.objects.filter(channel_account=account, remote_chat_id=group.remote_chat_id)
        .exclude(pk=group.pk)
        .exists()
    ):
        errors["remote_chat_id"] = _("Another group is already linked to this WeCom chat.")
    if (
        group.name
        and FanGroup.objects.filter(
            workspace_id=group.workspace_id, platform=group.platform, name=group.name
        )
        .exclude(pk=group.pk)
        .exists()
    ):
        errors["name"] = _("This workspace already has a group with that name on this platform.")
    if errors:
        raise ValidationError(errors)


def _store_qr(group: FanGroup, upload: BinaryIO, filename: str) -> None:
    facts = mediafiles.inspect_media(upload, filename)
    if facts.kind != "image":
        raise ValidationError({"qr_image": _("The QR code must be an image (PNG or JPEG).")})
    upload.seek(0)
    group.qr_image.save(f"qr{facts.extension}", File(upload), save=False)
    group.qr_mime = facts.mime


def _apply(group: FanGroup, data: dict[str, Any]) -> list[Campaign] | None:
    unknown = set(data) - EDITABLE - {"campaigns"}
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in data.items():
        if name == "campaigns":
            continue
        if name == "content_topics":
            value = _topics(value)
        elif isinstance(value, str) and name not in ("rules", "content_notes"):
            value = value.strip()
        setattr(group, name, value)
    campaigns = data.get("campaigns")
    return list(campaigns) if campaigns is not None else None


@transaction.atomic
def create_group(
    *,
    actor: User,
    workspace: Workspace,
    data: dict[str, Any],
    qr_upload: BinaryIO | None = None,
    qr_filename: str = "",
) -> FanGroup:
    require_manage(actor, workspace)
    group = FanGroup(workspace=workspace, created_by=actor)
    campaigns = _apply(group, data) or []
    _validate(group, campaigns)
    if qr_upload is not None:
        _store_qr(group, qr_upload, qr_filename)
    try:
        group.save()
    except Exception:
        if group.qr_image:
            group.qr_image.delete(save=False)
        raise
    group.campaigns.set(campaigns)
    audit.record(
        actor=actor,
        workspace=workspace,
        action="community.group_create",
        obj=group,
        changes={key: (None, value) for key, value in _snapshot(group).items() if value},
    )
    return group


@transaction.atomic
def update_group(
    *,
    actor: User,
    group: FanGroup,
    data: dict[str, Any],
    qr_upload: BinaryIO | None = None,
    qr_filename: str = "",
    clear_qr: bool = False,
) -> FanGroup:
    require_manage(actor, group.workspace)
    group = FanGroup.objects.select_for_update().get(pk=group.pk)
    before = _snapshot(group)
    campaigns = _apply(group, data)
    _validate(group, campaigns if campaigns is not None else group.campaigns.all())
    old_file = group.qr_image.name if group.qr_image else ""
    if qr_upload is not None:
        _store_qr(group, qr_upload, qr_filename)
    elif clear_qr:
        group.qr_image = ""
        group.qr_mime = ""
    group.updated_at = timezone.now()
    group.save()
    if campaigns is not None:
        group.campaigns.set(campaigns)
    after = _snapshot(group)
    if old_file and old_file != (group.qr_image.name if group.qr_image else ""):
        storage = group.qr_image.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            actor=actor,
            workspace=group.workspace,
            action="community.group_update",
            obj=group,
            changes=changes,
        )
    return group


@transaction.atomic
def delete_group(*, actor: User, group: FanGroup) -> None:
    require_manage(actor, group.workspace)
    audit.record(
        actor=actor,
        workspace=group.workspace,
        action="community.group_delete",
        obj=group,
        changes={key: (value, None) for key, value in _snapshot(group).items() if value},
    )
    if group.qr_image:
        name, storage = group.qr_image.name or "", group.qr_image.storage
        transaction.on_commit(lambda: storage.delete(name))
    group.delete()


def wecom_accounts(workspace: Workspace) -> list[ChannelAccount]:
    return list(ChannelAccount.objects.filter(workspace=workspace, platform=WECOM_PLATFORM))
