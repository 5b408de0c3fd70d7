"""Inbox settings: business hours and targets, assignment rules, teams, tags and saved
replies. Everyone in the workspace may read them; the setup services decide who may
change what (admins the settings, rules and teams; operators tags and saved replies).
Webhooks and file imports are in ``settings_io``."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.inbox import queries
from fanloop.inbox.forms_settings import (
    GeneralForm,
    RuleForm,
    SavedReplyForm,
    TagSettingsForm,
    TeamForm,
)
from fanloop.inbox.services import assignment, setup

TABS: tuple[tuple[str, str, Any], ...] = (
    ("general", "inbox_settings", gettext_lazy("General")),
    ("rules", "inbox_rules", gettext_lazy("Assignment rules")),
    ("teams", "inbox_teams", gettext_lazy("Teams")),
    ("tags", "inbox_tags", gettext_lazy("Tags")),
    ("saved", "inbox_saved_replies", gettext_lazy("Saved replies")),
    ("webhooks", "inbox_webhooks", gettext_lazy("Webhooks")),
    ("import", "inbox_import", gettext_lazy("Import messages")),
    ("classifier", "inbox_classifier", gettext_lazy("Classifier")),
)


def settings_context(request: WorkspaceRequest, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "tab": tab,
        "nav": "inbox",
        "can_admin": allowed(request.role, Action.WORKSPACE_UPDATE),
        "can_reply": allowed(request.role, Action.INBOX_REPLY),
        "tabs": [
            (name, url, label)
            for name, url, label in TABS
            # Webhook secrets and addresses are for admins; imports write messages.
            if (name != "webhooks" or allowed(request.role, Action.WORKSPACE_UPDATE))
            and (name != "import" or allowed(request.role, Action.INBOX_REPLY))
        ],
        **extra,
    }


def _saved(request: WorkspaceRequest, form: forms.Form, save: Callable[[], Any], done: str) -> bool:
    """Run ``save`` when the form is valid; its refusal lands on the form."""
    if not form.is_valid():
        return False
    try:
        save()
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    messages.success(request, done)
    return True


# General ------------------------------------------------------------------------------


@workspace_local_view(Action.WORKSPACE_VIEW)
def general(request: WorkspaceRequest) -> HttpResponseBase:
    workspace = request.workspace
    current = setup.settings_for(workspace)
    form = GeneralForm(request.POST or None, current=current)
    status = 200
    if request.method == "POST":
        if not allowed(request.role, Action.WORKSPACE_UPDATE):
            raise PermissionDenied(_("Your role does not allow this."))
        actor = acting_user(request)
        if _saved(
            request,
            form,
            lambda: setup.update_settings(actor=actor, workspace=workspace, **form.values()),
            _("Inbox settings saved."),
        ):
            return redirect("inbox_settings", workspace.slug)
        status = 400
    context = settings_context(request, "general", form=form, current=current)
    return render_page(request, "inbox/settings/general.html", context, status=status)


# Assignment rules --------------------------------------------------------------------


@workspace_local_view(Action.WORKSPACE_VIEW)
def rules(request: WorkspaceRequest) -> HttpResponse:
    found = [
        {"rule": rule, "explained": assignment.explain(rule)}
        for rule in queries.rules(request.workspace)
    ]
    return render_page(
        request, "inbox/settings/rules.html", settings_context(request, "rules", rules=found)
    )


@workspace_local_view(Action.WORKSPACE_UPDATE)
def rule_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponseBase:
    workspace = request.workspace
    rule = queries.rule(workspace, pk) if pk is not None else None
    form = RuleForm(request.POST or None, workspace=workspace, rule=rule)
    if request.method == "POST":
        actor = acting_user(request)

        def save() -> None:
            values = form.values()
            accounts = values.pop("accounts")
            setup.save_rule(
                actor=actor, workspace=workspace, rule=rule, accounts=accounts, **values
            )

        if _saved(request, form, save, _("Rule saved.")):
            return redirect("inbox_rules", workspace.slug)
    context = settings_context(request, "rules", form=form, rule=rule)
    status = 400 if form.errors else 200
    return render_page(request, "inbox/settings/rule_form.html", context, status=status)


@require_POST
@workspace_local_view(Action.WORKSPACE_UPDATE)
def rule_action(request: WorkspaceRequest, pk: int, action: str) -> HttpResponseBase:
    rule = queries.rule(request.workspace, pk)
    actor = acting_user(request)
    if action == "up":
        setup.move_rule(actor=actor, rule=rule, offset=-1)
    elif action == "down":
        setup.move_rule(actor=actor, rule=rule, offset=1)
    elif action == "delete":
        setup.delete_rule(actor=actor, rule=rule)
        messages.success(request, _("Rule deleted."))
    else:
        raise Http404("No such action")
    return redirect("inbox_rules", request.workspace.slug)


# Teams --------------------------------------------------------------------------------


@workspace_local_view(Action.WORKSPACE_VIEW)
def teams(request: WorkspaceRequest, pk: int | None = None) -> HttpResponseBase:
    """The team list with a form to add one (or, with ``pk``, to edit that one)."""
    workspace = request.workspace
    team = queries.team(workspace, pk) if pk is not None else None
    initial = (
        {"name": team.name, "members": [str(u.pk) for u in team.members.all()]} if team else None
    )
    form = TeamForm(request.POST or None, workspace=workspace, initial=initial)
    if request.method == "POST":
        if not allowed(request.role, Action.WORKSPACE_UPDATE):
            raise PermissionDenied(_("Your role does not allow this."))
        actor = acting_user(request)

        def save() -> None:
            setup.save_team(
                actor=actor,
                workspace=workspace,
                name=form.cleaned_data["name"],
                members=form.chosen(),
                team=team,
            )

        if _saved(request, form, save, _("Team saved.")):
            return redirect("inbox_teams", workspace.slug)
    context = settings_context(
        request, "teams", form=form, editing=team, teams=queries.teams(workspace)
    )
    return render_page(
        request, "inbox/settings/teams.html", context, status=400 if form.errors else 200
    )


@require_POST
@workspace_local_view(Action.WORKSPACE_UPDATE)
def team_delete(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    setup.delete_team(actor=acting_user(request), team=queries.team(request.workspace, pk))
    messages.success(request, _("Team deleted."))
    return redirect("inbox_teams", request.workspace.slug)


# Tags ---------------------------------------------------------------------------------


@workspace_local_view(Action.WORKSPACE_VIEW)
def tags(request: WorkspaceRequest, pk: int | None = None) -> HttpResponseBase:
    workspace = request.workspace
    tag = queries.tag(workspace, pk) if pk is not None else None
    initial = {"name": tag.name, "color": tag.color} if tag else None
    form = TagSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not allowed(request.role, Action.INBOX_REPLY):
            raise PermissionDenied(_("Your role does not allow this."))
        actor = acting_user(request)

        def save() -> None:
            setup.save_tag(actor=actor, workspace=workspace, tag=tag, **form.cleaned_data)

        if _saved(request, form, save, _("Tag saved.")):
            return redirect("inbox_tags", workspace.slug)
    context = settings_context(
        request, "tags", form=form, editing=tag, tags=queries.tags(workspace)
    )
    return render_page(
        request, "inbox/settings/tags.html", context, status=400 if form.errors else 200
    )


@require_POST
@workspace_local_view(Action.INBOX_REPLY)
def tag_delete(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    setup.delete_tag(actor=acting_user(request), tag=queries.tag(request.workspace, pk))
    messages.success(request, _("Tag deleted."))
    return redirect("inbox_tags", request.workspace.slug)


# Saved replies ------------------------------------------------------------------------


@workspace_local_view(Action.WORKSPACE_VIEW)
def saved_replies(request: WorkspaceRequest, pk: int | None = None) -> HttpResponseBase:
    workspace = request.workspace
    saved = queries.saved_reply(workspace, pk) if pk is not None else None
    initial = (
        {"title": saved.title, "body": saved.body, "platform": saved.platform} if saved else None
    )
    form = SavedReplyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not allowed(request.role, Action.INBOX_REPLY):
            raise PermissionDenied(_("Your role does not allow this."))
        actor = acting_user(request)

        def save() -> None:
            setup.save_saved_reply(
                actor=actor, workspace=workspace, saved_reply=saved, **form.cleaned_data
            )

        if _saved(request, form, save, _("Saved reply saved.")):
            return redirect("inbox_saved_replies", workspace.slug)
    context = settings_context(
        request, "saved", form=form, editing=saved, saved_replies=queries.saved_replies(workspace)
    )
    return render_page(
        request, "inbox/settings/saved_replies.html", context, status=400 if form.errors else 200
    )


@require_POST
@workspace_local_view(Action.INBOX_REPLY)
def saved_reply_delete(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    saved = queries.saved_reply(request.workspace, pk)
    setup.delete_saved_reply(actor=acting_user(request), saved_reply=saved)
    messages.success(request, _("Saved reply deleted."))
    return redirect("inbox_saved_replies", request.workspace.slug)
