"""Partners (KOLs, KOCs, channels, affiliates): create, change, delete. The one write path."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform
from fanloop.core.services import require_action
from fanloop.tracking.models import Partner, PartnerKind

AUDITED = ("name", "kind", "platform", "handle", "note")
LIMITS = {"name": 120, "handle": 120, "note": 300}


def _apply(partner: Partner, data: dict[str, Any]) -> None:
    unknown = set(data) - set(AUDITED)
    if unknown:
        raise ValidationError(
            {key: [_("This field cannot be set here.")] for key in sorted(unknown)}
        )
    for key, value in data.items():
        setattr(partner, key, str(value or "").strip())


def _validate(partner: Partner) -> None:
    errors: dict[str, list[str]] = {}
    if not partner.name:
        errors["name"] = [_("Give the partner a name.")]
    if partner.kind not in PartnerKind.values:
        errors["kind"] = [_("Choose a kind: KOL, KOC, channel or partner.")]
    if partner.platform and partner.platform not in Platform.values:
        errors["platform"] = [_("Choose a platform from the list.")]
    for key, limit in LIMITS.items():
        if len(getattr(partner, key)) > limit:
            errors[key] = [_("Keep this under %(n)d characters.") % {"n": limit}]
    if (
        partner.name
        and "name" not in errors
        and Partner.objects.filter(workspace_id=partner.workspace_id, name__iexact=partner.name)
        .exclude(pk=partner.pk)
        .exists()
    ):
        errors["name"] = [_("This workspace already has a partner with that name.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_partner(*, actor: User, workspace: Workspace, data: dict[str, Any]) -> Partner:
    require_action(actor, workspace, Action.TRACKING_MANAGE)
    partner = Partner(workspace=workspace)
    _apply(partner, data)
    _validate(partner)
    partner.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="tracking.partner_create",
        obj=partner,
        changes={k: (None, v) for k, v in audit.snapshot(partner, AUDITED).items() if v},
    )
    return partner


@transaction.atomic
def update_partner(*, actor: User, partner: Partner, data: dict[str, Any]) -> Partner:
    require_action(actor, partner.workspace, Action.TRACKING_MANAGE)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    before = audit.snapshot(partner, AUDITED)
    _apply(partner, data)
    _validate(partner)
    partner.save()
    changes = audit.diff(before, audit.snapshot(partner, AUDITED))
    if changes:
        audit.record(
            actor=actor,
            workspace=partner.workspace,
            action="tracking.partner_update",
            obj=partner,
            changes=changes,
        )
    return partner


def usage(partner: Partner) -> dict[str, int]:
    """What is credited to this partner: deleting it would lose that credit."""
    return {
        "links": partner.links.count(),
        "codes": partner.codes.count(),
        "orders": partner.orders.count(),
        "costs": partner.costs.count(),
    }


@transaction.atomic
def delete_partner(*, actor: User, partner: Partner) -> None:
    """Delete a partner nothing is credited to yet; otherwise refuse with what uses it,
    so past clicks, orders and costs keep their partner in reports."""
    require_action(actor, partner.workspace, Action.TRACKING_MANAGE)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    used = usage(partner)
    if any(used.values()):
        raise ValidationError(
            _(
                "%(name)s is still used by %(links)d links, %(codes)d codes, %(orders)d orders "
                "and %(costs)d cost entries; it cannot be deleted."
            )
            % {"name": partner.name, **used}
        )
    audit.record(
        actor=actor,
        workspace=partner.workspace,
        action="tracking.partner_delete",
        obj=partner,
        changes=audit.deleted(partner, AUDITED),
    )
    partner.delete()
