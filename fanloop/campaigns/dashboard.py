from typing import Any

from django.http import HttpRequest

from fanloop.campaigns import queries
from fanloop.campaigns.models import Campaign, CampaignState
from fanloop.core.models import Workspace


def campaigns_panel(request: HttpRequest, workspace: Workspace) -> tuple[str, dict[str, Any]]:
    """Running campaigns and every goal that is off pace."""
    running = Campaign.objects.filter(
        workspace=workspace,
        state__in=[
            CampaignState.PLANNED,
            CampaignState.LAUNCHING,
            CampaignState.LIVE,
            CampaignState.WRAPPING_UP,
        ],
    ).select_related("owner")
    return "campaigns/_dashboard_panel.html", {
        "running": running,
        "off_pace": queries.off_pace_goals(workspace),
    }
