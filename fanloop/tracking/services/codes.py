"""Promo codes (coupon, KOL and channel codes): create, change, delete. The one write path.

A code maps to a campaign and a source (partner, link, platform); an order carrying it
is credited to them. Codes are unique per workspace regardless of letter case, because
buyers type them in whatever case they like.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform
from fanloop.core.services import require_action
from fanloop.tracking.models import PromoCode, PromoKind

AUDITED = (
    "code",
    "kind",
    "campaign",
    "partner",
    "link",
    "platform",
    "cost_per_use_fen",
    "valid_from",
    "valid_until",
)
CODE_SHAPE = re.compile(r"^\S{2,64}$")
MAX_COST_FEN = 100_000_000  # ¥1,000,000 per redemption is beyond any real coupon


def _apply(promo: PromoCode, data: dict[str, Any]) -> None:
    unknown = set(data) - set(AUDITED)
    if unknown:
        raise ValidationError(
            {key: [_("This field cannot be set here.")] for key in sorted(unknown)}
        )
    for key, value in data.items():
        if key in ("code", "kind", "platform"):
            value = str(value or "").strip()
        setattr(promo, key, value)


def _validate(promo: PromoCode) -> None:
    errors: dict[str, list[str]] = {}
    ws = promo.workspace_id
    if not CODE_SHAPE.match(promo.code):
        errors["code"] = [_("Enter the code as printed: 2 to 64 characters, no spaces.")]
    elif (
        PromoCode.objects.filter(workspace_id=ws, code__iexact=promo.code)
        .exclude(pk=promo.pk)
        .exists()
    ):
        errors["code"] = [_("This workspace already has the code “%(c)s”.") % {"c": promo.code}]
    if promo.kind not in PromoKind.values:
        errors["kind"] = [_("Choose a kind: coupon, KOL or channel code.")]
    campaign = promo.campaign if promo.campaign_id else None
    if campaign is None:
        errors["campaign"] = [_("Choose the campaign this code is credited to.")]
    elif campaign.workspace_id != ws:
        errors["campaign"] = [_("Choose a campaign of this workspace.")]
    if promo.partner is not None and promo.partner.workspace_id != ws:
        errors["partner"] = [_("Choose a partner of this workspace.")]
    link = promo.link
    if link is not None and link.workspace_id != ws:
        errors["link"] = [_("Choose a tracking link of this workspace.")]
    elif link is not None and campaign is not None and link.campaign_id not in (None, campaign.pk):
        errors["link"] = [_("This link belongs to another campaign.")]
    if promo.platform and promo.platform not in Platform.values:
        errors["platform"] = [_("Choose a platform from the list.")]
    cost = promo.cost_per_use_fen
    if not isinstance(cost, int) or isinstance(cost, bool) or not 0 <= cost <= MAX_COST_FEN:
        errors["cost_per_use_fen"] = [_("Enter a cost per use between ¥0 and ¥1,000,000.")]
    if promo.valid_from and promo.valid_until and promo.valid_from > promo.valid_until:
        errors["valid_until"] = [_("The end of validity is before its start.")]
    if errors:
        raise ValidationError(errors)


def _fill_from_link(promo: PromoCode) -> None:
    # A code printed next to a partner's link is that partner's code unless told otherwise.
    link = promo.link
    if link is None or link.workspace_id != promo.workspace_id:
        return
    if promo.partner_id is None and link.partner_id is not None:
        promo.partner = link.partner
    if not promo.platform and link.platform:
        promo.platform = link.platform


@transaction.atomic
def create_code(*, actor: User, workspace: Workspace, data: dict[str, Any]) -> PromoCode:
    require_action(actor, workspace, Action.TRACKING_MANAGE)
    promo = PromoCode(workspace=workspace)
    _apply(promo, data)
    _fill_from_link(promo)
    _validate(promo)
    promo.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="tracking.code_create",
        obj=promo,
        changes={
            k: (None, v)
            for k, v in audit.snapshot(promo, AUDITED).items()
            if v not in (None, "", 0)
        },
    )
    return promo


@transaction.atomic
def update_code(*, actor: User, promo: PromoCode, data: dict[str, Any]) -> PromoCode:
    require_action(actor, promo.workspace, Action.TRACKING_MANAGE)
    promo = PromoCode.objects.select_for_update().get(pk=promo.pk)
    before = audit.snapshot(promo, AUDITED)
    _apply(promo, data)
    _validate(promo)
    promo.save()
    changes = audit.diff(before, audit.snapshot(promo, AUDITED))
    if changes:
        audit.record(
            actor=actor,
            workspace=promo.workspace,
            action="tracking.code_update",
            obj=promo,
            changes=changes,
        )
    return promo


@transaction.atomic
def delete_code(*, actor: User, promo: PromoCode) -> None:
    """Delete a code no order carries yet; after that it is history the reports need."""
    require_action(actor, promo.workspace, Action.TRACKING_MANAGE)
    promo = PromoCode.objects.select_for_update().get(pk=promo.pk)
    orders = promo.orders.count()
    if orders:
        raise ValidationError(
            _("%(n)d orders carry the code %(code)s; it cannot be deleted.")
            % {"n": orders, "code": promo.code}
        )
    audit.record(
        actor=actor,
        workspace=promo.workspace,
        action="tracking.code_delete",
        obj=promo,
        changes=audit.deleted(promo, AUDITED),
    )
    promo.delete()
