"""Crisis alerts: what rose, against which baseline, the worst messages (to escalate in
one click) and the words they share; operators acknowledge and resolve them here."""

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.inbox import crisis
from fanloop.inbox.models import AlertStatus, CrisisAlert, Message
from fanloop.inbox.views.inbox import header_context

RESOLVED_SHOWN = 30
ALERT_ACTIONS = {"acknowledge": crisis.acknowledge, "resolve": crisis.resolve}


@dataclass
class AlertCard:
    alert: CrisisAlert
    scope_label: str
    top: list[Message]
    chart_json: str
    status_css: str


STATUS_CSS: dict[str, str] = {
    AlertStatus.ACTIVE: "text-bg-danger",
    AlertStatus.ACKNOWLEDGED: "text-bg-warning",
    AlertStatus.RESOLVED: "text-bg-secondary",
}


def _card(alert: CrisisAlert) -> AlertCard:
    series = crisis.hourly_series(alert)
    series["labels"] = {"negative": _("Negative messages"), "baseline": _("Usual")}
    return AlertCard(
        alert=alert,
        scope_label=crisis.scope_label(alert),
        top=crisis.top_messages(alert),
        chart_json=json.dumps(series, ensure_ascii=False),
        status_css=STATUS_CSS.get(alert.status, "text-bg-light"),
    )


def _context(request: WorkspaceRequest, cards: list[AlertCard], **extra: Any) -> dict[str, Any]:
    return {
        **header_context(request),
        "here": request.get_full_path(),
        "cards": cards,
        "can_act": allowed(request.role, Action.INBOX_REPLY),
        "nav": "inbox",
        **extra,
    }


@workspace_local_view(Action.ANALYTICS_VIEW)
def alert_list(request: WorkspaceRequest) -> HttpResponse:
    showing = "resolved" if request.GET.get("status") == "resolved" else "open"
    rows = crisis.alerts(request.workspace)
    if showing == "resolved":
        rows = rows.filter(status=AlertStatus.RESOLVED).order_by("-resolved_at", "-id")
        chosen = list(rows[:RESOLVED_SHOWN])
    else:
        # The ones nobody has taken yet first, then the newest.
        chosen = sorted(
            rows.exclude(status=AlertStatus.RESOLVED),
            key=lambda a: (a.status != AlertStatus.ACTIVE, -a.created_at.timestamp()),
        )
    cards = [_card(alert) for alert in chosen]
    return render_page(request, "inbox/alerts/list.html", _context(request, cards, showing=showing))


def _alert(request: WorkspaceRequest, pk: int) -> CrisisAlert:
    return get_object_or_404(crisis.alerts(request.workspace), pk=pk)


@workspace_local_view(Action.ANALYTICS_VIEW)
def alert_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    card = _card(_alert(request, pk))
    return render_page(request, "inbox/alerts/detail.html", _context(request, [card]))


@require_POST
@workspace_local_view(Action.ANALYTICS_VIEW)
def alert_action(request: WorkspaceRequest, pk: int, action: str) -> HttpResponseBase:
    service = ALERT_ACTIONS.get(action)
    if service is None:
        raise Http404("No such action")
    alert = _alert(request, pk)
    try:
        # The service checks the role (PermissionDenied: 403) and audits.
        service(actor=acting_user(request), alert=alert)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("Alert acknowledged.") if action == "acknowledge" else _("Alert resolved.")
        messages.success(request, done)
    if request.POST.get("next") == "detail":
        return redirect("inbox_alert", request.workspace.slug, alert.pk)
    return redirect("inbox_alerts", request.workspace.slug)
