"""One conversation: the post it hangs on, the fan, every message with its labels, SLA
state, notes, tickets and history, and every operator action on it.

Each action is a POST to ``inbox_thread_action`` that calls one inbox service. A refused
action re-renders the page (400) with the error next to the control it came from, and
nothing is written. Another page (the crisis alerts) may post here with a ``next``.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.inbox import queries
from fanloop.inbox.forms import THREAD_ACTIONS, action_form
from fanloop.inbox.models import Direction, Message, Thread
from fanloop.inbox.services import actions
from fanloop.inbox.views import display
from fanloop.inbox.views.inbox import header_context, safe_back

THREAD_FORMS = tuple(sorted(THREAD_ACTIONS - {"hide", "label"}))
MESSAGE_FORMS = ("hide", "label")


@dataclass
class Refused:
    """A refused action's bound form, to be shown where it was sent from."""

    action: str
    form: forms.Form
    message_id: int | None = None
    shown: bool = False


@dataclass
class MessageRow:
    message: Message
    inbound: bool
    sentiment_css: str
    label_form: forms.Form | None
    hide_form: forms.Form | None


def _blank(action: str, thread: Thread, **initial: Any) -> forms.Form:
    form = action_form(action, thread.workspace, None, thread.pk)
    form.initial.update(initial)
    return form


def _thread_forms(thread: Thread, refused: Refused | None) -> dict[str, forms.Form]:
    built = {
        "assign": _blank(
            "assign", thread, user=str(thread.assignee_id or ""), team=str(thread.team_id or "")
        ),
        "status": _blank("status", thread, status=thread.status),
        "vip": _blank("vip", thread, is_vip=not thread.author.is_vip),
    }
    for action in THREAD_FORMS:
        built.setdefault(action, _blank(action, thread))
    if refused is not None and refused.action in built:
        built[refused.action] = refused.form
        refused.shown = True
    return built


def _message_form(
    action: str, thread: Thread, message: Message, refused: Refused | None
) -> forms.Form:
    if refused is not None and (refused.action, refused.message_id) == (action, message.pk):
        refused.shown = True
        return refused.form
    form = action_form(action, thread.workspace, None, message.pk)
    form.initial.update({"message": message.pk})
    if action == "label":
        form.initial.update({"sentiment": message.sentiment, "intent": message.intent})
    return form


def thread_context(
    request: WorkspaceRequest, thread: Thread, refused: Refused | None = None
) -> dict[str, Any]:
    workspace = request.workspace
    can_act = allowed(request.role, Action.INBOX_REPLY)
    rows = []
    for message in queries.messages(thread):
        inbound = message.direction == Direction.INBOUND
        active = can_act and inbound
        rows.append(
            MessageRow(
                message=message,
                inbound=inbound,
                sentiment_css=display.SENTIMENT_CSS.get(message.sentiment, ""),
                label_form=_message_form("label", thread, message, refused) if active else None,
                hide_form=(
                    _message_form("hide", thread, message, refused)
                    if active and not message.hidden
                    else None
                ),
            )
        )
    saved = [
        {"reply": saved_reply, "text": actions.render_saved_reply(saved_reply, thread)}
        for saved_reply in queries.saved_replies(workspace, thread.platform)
    ]
    forms_ = _thread_forms(thread, refused) if can_act else {}
    by_platform = actions.can_reply_through_platform(thread)
    if refused is not None and refused.action == ("mark_replied" if by_platform else "reply"):
        refused.shown = False  # the page offers the other way of replying
    if refused is not None and not refused.shown:
        # The control it came from is gone (the message was hidden meanwhile): say it on top.
        for errors in refused.form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return {
        **header_context(request),
        "thread": thread,
        "author": thread.author,
        "post": queries.post_of(thread),
        "rows": rows,
        "sla": display.sla_of(thread),
        "waiting": display.waiting_text(thread),
        "status_css": display.STATUS_CSS.get(thread.status, ""),
        "sentiment_css": display.SENTIMENT_CSS.get(thread.sentiment, ""),
        "notes": list(queries.notes(thread)),
        "tickets": list(queries.tickets(thread)),
        "history": list(queries.thread_history(thread)[:100]),
        "saved_replies": saved,
        "by_platform": by_platform,
        "forms": forms_,
        "can_act": can_act,
        "tags": list(thread.tags.all()),
        "here": _url(request, thread),
    }


@workspace_local_view(Action.WORKSPACE_VIEW)
def thread_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    thread = queries.thread(request.workspace, pk)
    return render_page(request, "inbox/thread.html", thread_context(request, thread))


def _url(request: WorkspaceRequest, thread: Thread) -> str:
    return reverse("inbox_thread", args=[request.workspace.slug, thread.pk])


def _ids(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    return int(value) if value else None


def _perform(request: WorkspaceRequest, thread: Thread, action: str, data: dict[str, Any]) -> str:
    """Call the service; the success message to show."""
    actor = acting_user(request)
    workspace = request.workspace
    if action == "reply":
        saved_id = _ids(data, "saved_reply")
        saved = queries.saved_reply(workspace, saved_id) if saved_id else None
        actions.reply(actor=actor, thread=thread, text=data["text"], saved_reply=saved)
        return _("Reply sent.")
    if action == "mark_replied":
        actions.mark_replied(actor=actor, thread=thread, text=data.get("text", ""))
        return _("Marked replied.")
    if action == "assign":
        user_id, team_id = _ids(data, "user"), _ids(data, "team")
        user = queries.operator(workspace, user_id) if user_id else None
        team = queries.team(workspace, team_id) if team_id else None
        actions.assign(actor=actor, threads=[thread], user=user, team=team)
        return _("Assigned.") if user or team else _("Unassigned.")
    if action in {"tag", "untag"}:
        tag = queries.tag(workspace, int(data["tag"]))
        if action == "tag":
            actions.add_tag(actor=actor, threads=[thread], tag=tag)
            return _("Tag added.")
        actions.remove_tag(actor=actor, threads=[thread], tag=tag)
        return _("Tag removed.")
    if action == "status":
        actions.set_status(actor=actor, threads=[thread], status=data["status"])
        return _("Status changed.")
    if action == "note":
        actions.add_note(actor=actor, thread=thread, text=data["text"])
        return _("Note added.")
    if action == "escalate":
        message_id = _ids(data, "message")
        message = queries.message(workspace, message_id) if message_id else None
        ticket = actions.escalate(
            actor=actor,
            thread=thread,
            message=message,
            subject=data.get("subject", ""),
            details=data.get("details", ""),
        )
        return _("After-sales ticket %(number)s opened.") % {"number": ticket.number}
    if action == "no_reply":
        changed = actions.no_reply_needed(actor=actor, threads=[thread])
        return _("Marked as needing no reply.") if changed else _("Nothing was waiting.")
    if action == "vip":
        actions.set_vip(
            actor=actor, author=thread.author, is_vip=data["is_vip"], note=data.get("note", "")
        )
        return _("Marked as VIP.") if data["is_vip"] else _("No longer VIP.")
    message = queries.message(workspace, int(data["message"]), thread=thread)
    if action == "hide":
        actions.hide_message(actor=actor, message=message)
        return _("Message hidden.")
    actions.correct_label(
        actor=actor, message=message, sentiment=data["sentiment"], intent=data["intent"]
    )
    return _("Label corrected; thank you, the model learns from it.")


def _back(request: WorkspaceRequest) -> str:
    # The inbox's pages and the crisis alerts (url names starting "inbox") may send here.
    names = frozenset({"inbox", "inbox_thread", "inbox_alerts", "inbox_alert", "inbox_reports"})
    return safe_back(request, names)


@require_POST
@workspace_local_view(Action.INBOX_REPLY)
def thread_action(request: WorkspaceRequest, pk: int, action: str) -> HttpResponseBase:
    if action not in THREAD_ACTIONS:
        raise Http404("No such action")
    thread = queries.thread(request.workspace, pk)
    form = action_form(action, request.workspace, request.POST, thread.pk)
    message_id = None
    if action in MESSAGE_FORMS:
        raw = request.POST.get("message", "")
        message_id = int(raw) if raw.isdigit() else None
        form.auto_id = f"{action}-{message_id or 0}-%s"
    if form.is_valid():
        try:
            done = _perform(request, thread, action, form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(_back(request) or _url(request, thread))
    fresh = queries.thread(request.workspace, pk)
    refused = Refused(action, form, message_id)
    return render_page(
        request, "inbox/thread.html", thread_context(request, fresh, refused), status=400
    )
