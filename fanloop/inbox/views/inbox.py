"""The unified inbox list: saved views with counts, filters, full-text search (Chinese
too), sorting, bulk actions on a selection, and the operator's presence.

Times are shown in the workspace's time zone. Every action is a POST through the inbox
services; a refusal is shown next to the control it came from and nothing is written.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.platforms import Platform
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.inbox import queries
from fanloop.inbox.forms import BulkForm, FilterForm, PresenceForm
from fanloop.inbox.models import Message, Thread
from fanloop.inbox.services import actions, setup
from fanloop.inbox.views import display

PAGE_SIZE = 50
BACK_PAGES = frozenset({"inbox", "inbox_thread"})


@dataclass
class Row:
    thread: Thread
    hit: Message | None
    snippet: Any
    sla: display.Sla
    waiting: str
    sentiment_css: str
    status_css: str


def safe_back(request: WorkspaceRequest, names: frozenset[str] = BACK_PAGES) -> str:
    """The ``next`` address when it is one of this workspace's inbox pages, else ""."""
    raw = request.POST.get("next", "")
    parts = urlsplit(raw)
    if not raw.startswith("/") or raw.startswith("//") or parts.scheme or parts.netloc:
        return ""
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ""
    if match.url_name not in names or match.kwargs.get("slug") != request.workspace.slug:
        return ""
    return raw


def header_context(request: WorkspaceRequest) -> dict[str, Any]:
    """The strip on top of every inbox page: reply rate, reports, alerts, presence."""
    workspace = request.workspace
    user = acting_user(request)
    can_reply = allowed(request.role, Action.INBOX_REPLY)
    presence = queries.presence(workspace, user) if can_reply else None
    return {
        "rate": display.reply_rate(workspace),
        "reports_url": display.optional_url("inbox_reports", workspace.slug),
        "alerts_url": display.optional_url("inbox_alerts", workspace.slug),
        "presence": presence,
        "available": presence.available if presence else True,
        "can_reply": can_reply,
        "can_admin": allowed(request.role, Action.WORKSPACE_UPDATE),
        "nav": "inbox",
    }


def _rows(request: WorkspaceRequest, page: Any, words: tuple[str, ...]) -> list[Row]:
    threads = list(page)
    hits = queries.matching_messages(request.workspace, [t.pk for t in threads], words)
    rows = []
    for thread in threads:
        hit = hits.get(thread.pk)
        text = hit.text if hit else thread.preview
        rows.append(
            Row(
                thread=thread,
                hit=hit,
                snippet=display.highlight(text[:200], words),
                sla=display.sla_of(thread),
                waiting=display.waiting_text(thread),
                sentiment_css=display.SENTIMENT_CSS.get(thread.sentiment, ""),
                status_css=display.STATUS_CSS.get(thread.status, ""),
            )
        )
    return rows


def list_context(
    request: WorkspaceRequest, params: QueryDict, bulk: BulkForm | None = None
) -> dict[str, Any]:
    workspace = request.workspace
    user = acting_user(request)
    form = FilterForm(params, workspace=workspace)
    filters = form.filters()
    found = queries.threads(workspace, filters, user)
    page = Paginator(found, PAGE_SIZE).get_page(params.get("page"))
    kept = params.copy()
    kept.pop("page", None)
    base = reverse("inbox", args=[workspace.slug])

    def link(**changes: str) -> str:
        query = kept.copy()
        for key, value in changes.items():
            query.pop(key, None)
            if value:
                query[key] = value
        encoded = query.urlencode()
        return f"{base}?{encoded}" if encoded else base

    counts = queries.view_counts(workspace, filters, user)
    views = [
        {
            "name": name,
            "label": label,
            "count": counts[name],
            "url": link(view="" if name == "all" else name),
            "active": filters.view == name,
        }
        for name, label in queries.VIEWS
    ]
    statuses = queries.status_counts(workspace, filters, user)
    status_tabs = [
        {
            "name": name,
            "label": label,
            "count": statuses[name],
            "url": link(status="" if name == queries.STATUS_ACTIVE else name),
            "active": filters.status == name,
        }
        for name, label in queries.STATUSES
    ]
    platforms = [
        {
            "name": name,
            "label": Platform(name).label if name in Platform.values else name,
            "count": n,
            "url": link(platform="" if filters.platform == name else name),
            "active": filters.platform == name,
        }
        for name, n in queries.platform_counts(workspace)
    ]
    words = filters.searched()
    can_reply = allowed(request.role, Action.INBOX_REPLY)
    return {
        **header_context(request),
        "form": form,
        "filters": filters,
        "words": words,
        "page": page,
        "rows": _rows(request, page, words),
        "query": kept.urlencode(),
        "here": f"{base}?{params.urlencode()}" if params else base,
        "views": views,
        "status_tabs": status_tabs,
        "platforms": platforms,
        "bulk": bulk or (BulkForm(workspace=workspace, auto_id="bulk-%s") if can_reply else None),
    }


@workspace_local_view(Action.WORKSPACE_VIEW)
def inbox(request: WorkspaceRequest) -> HttpResponse:
    if allowed(request.role, Action.INBOX_REPLY):
        # Opening the inbox counts as being at the desk (round robin picks who is here).
        setup.heartbeat(user=acting_user(request), workspace=request.workspace)
    return render_page(request, "inbox/list.html", list_context(request, request.GET))


@require_POST
@workspace_local_view(Action.INBOX_REPLY)
def bulk(request: WorkspaceRequest) -> HttpResponseBase:
    workspace = request.workspace
    back = safe_back(request)
    form = BulkForm(request.POST, workspace=workspace, auto_id="bulk-%s")
    if form.is_valid():
        data = form.cleaned_data
        chosen = queries.threads_by_ids(workspace, data["threads"])
        try:
            done = _perform_bulk(request, chosen, data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("%(n)d of %(total)d selected conversations changed.")
                % {"n": done, "total": len(data["threads"])},
            )
            return redirect(back or reverse("inbox", args=[workspace.slug]))
    params = QueryDict(urlsplit(back).query) if back else QueryDict()
    return render_page(
        request, "inbox/list.html", list_context(request, params, bulk=form), status=400
    )


def _perform_bulk(request: WorkspaceRequest, chosen: list[Thread], data: dict[str, Any]) -> int:
    if not chosen:
        raise ValidationError({"threads": _("None of the selected conversations is here.")})
    actor = acting_user(request)
    workspace = request.workspace
    action = data["action"]
    if action == "assign":
        user = queries.operator(workspace, int(data["user"])) if data.get("user") else None
        team = queries.team(workspace, int(data["team"])) if data.get("team") else None
        return actions.assign(actor=actor, threads=chosen, user=user, team=team)
    if action == "tag":
        tag = queries.tag(workspace, int(data["tag"]))
        return actions.add_tag(actor=actor, threads=chosen, tag=tag)
    if action == "status":
        return actions.set_status(actor=actor, threads=chosen, status=data["status"])
    return actions.no_reply_needed(actor=actor, threads=chosen)


@require_POST
@workspace_local_view(Action.INBOX_REPLY)
def presence(request: WorkspaceRequest) -> HttpResponseBase:
    """The periodic ping (no ``available``: 204) and the available/away switch."""
    form = PresenceForm(request.POST)
    form.is_valid()
    choice = form.cleaned_data.get("available", "") if hasattr(form, "cleaned_data") else ""
    available = {"yes": True, "no": False}.get(choice)
    setup.heartbeat(user=acting_user(request), workspace=request.workspace, available=available)
    if available is None:
        return HttpResponse(status=204)
    messages.success(
        request, _("You are available for new conversations.") if available else _("You are away.")
    )
    return redirect(safe_back(request) or reverse("inbox", args=[request.workspace.slug]))
