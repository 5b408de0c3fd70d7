"""The retrospective and the improvement items that seed the next campaign."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.campaigns.models import (
    Campaign,
    CampaignState,
    ImprovementItem,
    ImprovementStatus,
    Retrospective,
)
from fanloop.campaigns.services.common import require
from fanloop.core import audit
from fanloop.core.models import User
from fanloop.core.permissions import Action
from fanloop.core.writes import apply, require_member

RETRO_FIELDS = ("highlights", "shortfalls", "lessons")
RETRO_STATES = {CampaignState.LIVE, CampaignState.WRAPPING_UP, CampaignState.CLOSED}


def _retro_for(campaign: Campaign) -> Retrospective:
    retro, _created = Retrospective.objects.get_or_create(campaign=campaign)
    return retro


@transaction.atomic
def save_retrospective(
    *,
    actor: User,
    campaign: Campaign,
    data: dict[str, Any],
    improvements: list[dict[str, Any]] | None = None,
) -> Retrospective:
    """Write the retrospective; ``improvements`` adds new items (text, owner, apply_to_next)."""
    require(actor, campaign.workspace, Action.CAMPAIGN_EDIT)
    if campaign.state not in RETRO_STATES:
        raise ValidationError(_("The retrospective is written once the campaign is live."))
    retro = _retro_for(campaign)
    before = audit.snapshot(retro, RETRO_FIELDS)
    apply(retro, data, set(RETRO_FIELDS))
    retro.updated_at = timezone.now()
    retro.save()
    changes = audit.diff(before, audit.snapshot(retro, RETRO_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            workspace=campaign.workspace,
            action="retrospective.update",
            obj=retro,
            changes=changes,
        )
    for row in improvements or []:
        text = str(row.get("text", "")).strip()
        if not text:
            raise ValidationError({"improvements": _("Each improvement needs a text.")})
        owner = row.get("owner")
        require_member(campaign.workspace, owner, "improvements")
        item = ImprovementItem.objects.create(
            retrospective=retro,
            text=text[:300],
            owner=owner,
            apply_to_next=bool(row.get("apply_to_next", True)),
        )
        audit.record(
            actor=actor,
            workspace=campaign.workspace,
            action="improvement.create",
            obj=item,
            changes=audit.created(item, ("text", "owner", "apply_to_next")),
        )
    return retro


@transaction.atomic
def complete_retrospective(*, actor: User, campaign: Campaign) -> Retrospective:
    require(actor, campaign.workspace, Action.CAMPAIGN_EDIT)
    retro = _retro_for(campaign)
    missing = [field for field in RETRO_FIELDS if not getattr(retro, field).strip()]
    if missing:
        raise ValidationError({field: [_("Fill this in before completing.")] for field in missing})
    retro.completed_at = timezone.now()
    retro.save(update_fields=["completed_at"])
    audit.record(
        actor=actor,
        workspace=campaign.workspace,
        action="retrospective.complete",
        obj=retro,
        changes={"completed_at": (None, str(retro.completed_at))},
    )
    return retro


@transaction.atomic
def adopt_improvements(
    *, actor: User, campaign: Campaign, items: list[ImprovementItem]
) -> list[ImprovementItem]:
    """Link open improvement items from earlier campaigns to this one."""
    require(actor, campaign.workspace, Action.CAMPAIGN_EDIT)
    adopted = []
    for item in items:
        item = (
            ImprovementItem.objects.select_for_update()
            .select_related("retrospective__campaign")
            .get(pk=item.pk)
        )
        source = item.retrospective.campaign
        if source.workspace_id != campaign.workspace_id:
            raise ValidationError({"adopt": _("Unknown improvement item.")})
        if source.pk == campaign.pk:
            raise ValidationError({"adopt": _("A campaign cannot adopt its own improvements.")})
        if item.status != ImprovementStatus.OPEN:
            raise ValidationError({"adopt": _("“%(item)s” is no longer open.") % {"item": item}})
        item.status = ImprovementStatus.ADOPTED
        item.adopted_by = campaign
        item.adopted_at = timezone.now()
        item.save(update_fields=["status", "adopted_by", "adopted_at"])
        audit.record(
            actor=actor,
            workspace=campaign.workspace,
            action="improvement.adopt",
            obj=item,
            changes={"status": ("open", "adopted"), "adopted_by": (None, str(campaign))},
        )
        adopted.append(item)
    return adopted
