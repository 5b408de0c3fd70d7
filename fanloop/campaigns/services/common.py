"""Shared pieces of the campaign services: permission, editability, validation."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from fanloop.campaigns.models import Campaign, CampaignState
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action


def require(actor: User, workspace: Workspace, action: Action) -> None:
    require_action(actor, workspace, action)


def require_editable(campaign: Campaign) -> None:
    if campaign.state in {CampaignState.CLOSED, CampaignState.CANCELLED}:
        raise ValidationError(
            _("This campaign is %(state)s; its plan can no longer change.")
            % {"state": campaign.get_state_display()}
        )


def full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Model validation with the messages keyed by field, as services raise them."""
    instance.full_clean(exclude=exclude)
