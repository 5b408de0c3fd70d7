"""Members and their stays in a group. ``record_join`` / ``record_leave`` are the building
blocks imports and sync use (they check permission and audit at their own entry);
``set_member_role`` is the one change a person makes to a member directly."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.community.models import (
    FanGroup,
    GroupMember,
    MemberRole,
    MemberSpell,
)
from fanloop.community.services.common import require_manage
from fanloop.core import audit
from fanloop.core.models import User


def _refresh(member: GroupMember) -> None:
    """The member's denormalised dates, from their stays."""
    spells = list(member.spells.order_by("joined_at", "id"))
    if spells:
        member.first_joined_at = spells[0].joined_at
        member.joined_at = spells[-1].joined_at
        member.left_at = spells[-1].left_at
    member.updated_at = timezone.now()
    member.save(update_fields=["first_joined_at", "joined_at", "left_at", "updated_at"])


def get_or_create_member(
    group: FanGroup, key: str, *, nickname: str = "", role: str | None = None
) -> tuple[GroupMember, bool]:
    member, created = GroupMember.objects.get_or_create(
        group=group,
        member_key=key,
        defaults={
            "workspace_id": group.workspace_id,
            "nickname": nickname[:100],
            "role": role or MemberRole.MEMBER,
        },
    )
    changed = []
    if not created and nickname and member.nickname != nickname[:100]:
        member.nickname = nickname[:100]
        changed.append("nickname")
    if not created and role and member.role != role:
        member.role = role
        changed.append("role")
    if changed:
        member.updated_at = timezone.now()
        member.save(update_fields=[*changed, "updated_at"])
    return member, created


def record_join(member: GroupMember, joined_at: datetime, *, source: str, scene: str = "") -> bool:
    """Open a stay at ``joined_at`` unless the member is already in the group or this very
    stay is recorded (re-imports and repeated syncs change nothing). True when opened."""
    spells = list(member.spells.order_by("joined_at", "id"))
    if any(s.joined_at == joined_at for s in spells):
        return False
    current = next((s for s in reversed(spells) if s.left_at is None), None)
    if current is not None:
        return False
    last = spells[-1] if spells else None
    if last is not None and last.left_at is not None and joined_at < last.left_at:
        # An older stay than the last recorded leave: history we did not have, kept closed
        # only if the file or sync also says when it ended; otherwise it is the same stay.
        return False
    MemberSpell.objects.create(
        member=member,
        group_id=member.group_id,
        joined_at=joined_at,
        source=source,
        join_scene=scene,
    )
    _refresh(member)
    return True


def record_stay(
    member: GroupMember, joined_at: datetime, left_at: datetime, *, source: str
) -> bool:
    """A whole past stay (an import row with both dates). True when something changed."""
    if left_at < joined_at:
        raise ValidationError(_("The leave time is before the join time."))
    spell = member.spells.filter(joined_at=joined_at).first()
    if spell is not None:
        if spell.left_at == left_at:
            return False
        spell.left_at = left_at
        spell.save(update_fields=["left_at"])
    else:
        MemberSpell.objects.create(
            member=member,
            group_id=member.group_id,
            joined_at=joined_at,
            left_at=left_at,
            source=source,
        )
    _refresh(member)
    return True


def record_leave(member: GroupMember, left_at: datetime) -> bool:
    """Close the member's open stay. True when there was one."""
    current = member.spells.filter(left_at__isnull=True).order_by("-joined_at").first()
    if current is None:
        return False
    current.left_at = max(left_at, current.joined_at)
    current.save(update_fields=["left_at"])
    _refresh(member)
    return True


@transaction.atomic
def set_member_role(*, actor: User, member: GroupMember, role: str) -> GroupMember:
    require_manage(actor, member.group.workspace)
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Choose a role.")})
    before = member.role
    if before == role:
        return member
    member.role = role
    member.updated_at = timezone.now()
    member.save(update_fields=["role", "updated_at"])
    audit.record(
        actor=actor,
        workspace=member.group.workspace,
        action="community.member_role",
        obj=member,
        changes={"role": (before, role)},
    )
    return member
