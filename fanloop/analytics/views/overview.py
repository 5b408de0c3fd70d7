"""The workspace overview: KPIs against the previous period, the trend, campaigns and
platforms."""

from django.http import HttpResponse

from fanloop.analytics import dashboard
from fanloop.analytics.views.export import filter_form, maybe_export, page_context, scope_for
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, workspace_local_view


@workspace_local_view(Action.ANALYTICS_VIEW)
def overview(request: WorkspaceRequest) -> HttpResponse:
    form, filters = filter_form(request)
    scope = scope_for(request, filters)
    page = dashboard.overview_page(scope, request.workspace.slug, filters.grain)
    download = maybe_export(request, page.tables, filters, "overview")
    if download is not None:
        return download
    context = page_context(request, form, filters, page=page, tab="overview")
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render_page(request, "analytics/overview.html", context, status=status)
