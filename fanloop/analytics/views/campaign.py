"""One campaign's dashboard: KPIs with goal pacing, trend, funnel, platforms, best and
worst posts, KOLs, links and attribution."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from fanloop.analytics import dashboard
from fanloop.analytics.views.export import (
    filter_form,
    maybe_export,
    page_context,
    scope_for,
    today,
)
from fanloop.campaigns.models import Campaign
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, workspace_local_view


@workspace_local_view(Action.ANALYTICS_VIEW)
def campaign_dashboard(request: WorkspaceRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk, workspace=request.workspace)
    form, filters = filter_form(request, campaign=campaign)
    scope = scope_for(request, filters)
    page = dashboard.campaign_page(
        scope,
        campaign,
        request.workspace.slug,
        filters.grain,
        today(request),
    )
    download = maybe_export(request, page.tables, filters, f"campaign-{campaign.pk}")
    if download is not None:
        return download
    context = page_context(request, form, filters, page=page, campaign=campaign, tab="campaign")
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render_page(request, "analytics/campaign.html", context, status=status)
