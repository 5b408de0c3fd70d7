"""What every analytics page shares: the filter form, the ?export=csv|xlsx&table=<name>
downloads of its tables, and the context the shared templates read."""

from datetime import date
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.analytics.export import FORMATS, Table, table_response
from fanloop.analytics.forms import Filters, PeriodForm
from fanloop.analytics.queries import Scope
from fanloop.campaigns.models import Campaign
from fanloop.core.views import WorkspaceRequest


def today(request: WorkspaceRequest) -> date:
    return timezone.localdate(timezone=request.workspace.zoneinfo)


def filter_form(
    request: WorkspaceRequest,
    *,
    campaign: Campaign | None = None,
    choose_campaign: bool = False,
    show_grain: bool = True,
) -> tuple[PeriodForm, Filters]:
    params = request.GET.copy()
    for key in ("export", "table"):
        params.pop(key, None)
    form = PeriodForm(
        params or None,
        workspace=request.workspace,
        today=today(request),
        campaign=campaign,
        choose_campaign=choose_campaign,
        show_grain=show_grain,
    )
    return form, form.filters()


def scope_for(request: WorkspaceRequest, filters: Filters, **extra: Any) -> Scope:
    extra.setdefault("platform", filters.platform)
    if filters.campaign is not None:
        extra.setdefault("campaign_id", filters.campaign.pk)
    return Scope(request.workspace.pk, filters.start, filters.end, **extra)


def query_without_export(request: WorkspaceRequest) -> str:
    query = request.GET.copy()
    for key in ("export", "table"):
        query.pop(key, None)
    return query.urlencode()


def maybe_export(
    request: WorkspaceRequest, tables: dict[str, Table], filters: Filters, page: str
) -> HttpResponse | None:
    """The requested table as a file, or None when the page itself is wanted."""
    fmt = request.GET.get("export")
    if not fmt:
        return None
    if fmt not in FORMATS:
        raise Http404(_("Unknown export format."))
    name = request.GET.get("table", "")
    if name not in tables:
        raise Http404(_("This page has no table of that name."))
    filename = "-".join(
        [request.workspace.slug, page, name, filters.start.isoformat(), filters.end.isoformat()]
    )
    return table_response(fmt, filename, tables[name])


def page_context(
    request: WorkspaceRequest, form: PeriodForm, filters: Filters, **extra: Any
) -> dict[str, Any]:
    return {
        "form": form,
        "filters": filters,
        "query": query_without_export(request),
        "nav": "analytics",
        **extra,
    }
