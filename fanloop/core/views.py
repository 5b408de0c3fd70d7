import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from fanloop.core import queries, services
from fanloop.core.dashboard import dashboard_panels
from fanloop.core.forms import (
    AddMemberForm,
    AuditFilterForm,
    InviteForm,
    RegisterFromInvitationForm,
    RoleForm,
    TokenForm,
    WorkspaceForm,
    apply_validation_error,
)
from fanloop.core.htmx import render_page
from fanloop.core.models import AuditEntry, JobFailure, User, Workspace
from fanloop.core.permissions import Action, allowed

View = Callable[..., HttpResponseBase]


class WorkspaceRequest(HttpRequest):
    """A request that ``workspace_view`` has resolved: the workspace and the caller's role."""

    workspace: Workspace
    role: str


def workspace_view(action: Action) -> Callable[[View], View]:
    """Resolve ``slug`` to a workspace the user belongs to (else 404) and check ``action``."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            workspace = queries.workspace_for(request.user, slug=slug)
            role = services.role_of(request.user, workspace)
            if not allowed(role, action):
                raise PermissionDenied(_("Your role does not allow this page."))
            request.workspace = workspace  # type: ignore[attr-defined]
            request.role = role  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def workspace_local_view(action: Action) -> Callable[[View], View]:
    """``workspace_view`` that runs the view in the workspace's time zone, so times are
    read and shown as the team's wall-clock time."""

    def decorate(view: View) -> View:
        @workspace_view(action)
        @wraps(view)
        def wrapper(request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            with timezone.override(request.workspace.zoneinfo):
                return view(request, *args, **kwargs)

        return wrapper

    return decorate


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view that ``workspace_view`` guards."""
    assert isinstance(request.user, User)
    return request.user


_user = acting_user


@login_required
def home(request: HttpRequest) -> HttpResponseBase:
    last = request.session.get("workspace")
    workspaces = queries.workspaces_for(request.user)
    workspace = workspaces.filter(slug=last).first() or workspaces.first()
    if workspace is None:
        return redirect("workspace_create")
    return redirect("dashboard", slug=workspace.slug)


@workspace_view(Action.WORKSPACE_VIEW)
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    request.session["workspace"] = workspace.slug
    since = timezone.now() - timedelta(days=13)
    per_day = dict(
        AuditEntry.objects.filter(workspace=workspace, created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    today = timezone.localdate()
    days = [today - timedelta(days=offset) for offset in range(13, -1, -1)]
    activity = {
        "days": [day.strftime("%m-%d") for day in days],
        "counts": [per_day.get(day, 0) for day in days],
        "label": _("Changes"),
    }
    recent = (
        queries.audit_entries(workspace)[:8]
        if allowed(
            request.role,
            Action.AUDIT_VIEW,
        )
        else []
    )
    context = {
        "panels": dashboard_panels(request, workspace),
        "member_count": queries.members(workspace).count(),
        "open_invitations": queries.open_invitations(workspace).count(),
        "activity_json": json.dumps(activity),
        "recent": recent,
        "nav": "dashboard",
    }
    return render_page(request, "core/dashboard.html", context)


# Workspaces ------------------------------------------------------------------------------


@login_required
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.create_workspace(
                actor=_user(request),
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                timezone_name=form.cleaned_data["timezone"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Workspace created."))
            return redirect("dashboard", slug=workspace.slug)
    return render_page(request, "core/workspace_create.html", {"form": form})


@workspace_view(Action.WORKSPACE_VIEW)
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = WorkspaceForm(request.POST or None, instance_values=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_workspace(
                actor=_user(request), workspace=workspace, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("workspace_settings", slug=workspace.slug)
    return render_page(
        request, "core/workspace_settings.html", {"form": form, "nav": "settings", "tab": "general"}
    )


# Members ---------------------------------------------------------------------------------


def _members_page(
    request: WorkspaceRequest,
    add_form: AddMemberForm | None = None,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    context = {
        "memberships": queries.members(workspace),
        "invitations": queries.open_invitations(workspace),
        "add_form": add_form or AddMemberForm(),
        "invite_form": invite_form or InviteForm(),
        "role_form": RoleForm(),
        "nav": "settings",
        "tab": "members",
    }
    return render_page(request, "core/members.html", context, status=status)


@workspace_view(Action.MEMBER_VIEW)
def members(request: WorkspaceRequest) -> HttpResponse:
    return _members_page(request)


@require_POST
@workspace_view(Action.MEMBER_MANAGE)
def member_add(request: WorkspaceRequest) -> HttpResponse:
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            user = services.find_user(form.cleaned_data["user"])
            services.add_member(
                actor=_user(request),
                workspace=request.workspace,
                user=user,
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(user)s added.") % {"user": user})
            return redirect("members", slug=request.workspace.slug)
    return _members_page(request, add_form=form, status=400)


@require_POST
@workspace_view(Action.MEMBER_MANAGE)
def member_invite(request: WorkspaceRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            _invitation, raw = services.invite_member(
                actor=_user(request),
                workspace=request.workspace,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            link = request.build_absolute_uri(reverse("invitation", args=[raw]))
            messages.success(
                request,
                _("Invitation sent. You can also share this link (shown once): %(link)s")
                % {"link": link},
            )
            return redirect("members", slug=request.workspace.slug)
    return _members_page(request, invite_form=form, status=400)


@require_POST
@workspace_view(Action.MEMBER_MANAGE)
def member_role(request: WorkspaceRequest, pk: int) -> HttpResponse:
    membership = queries.member(request.workspace, pk)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        services.change_role(
            actor=_user(request), membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role changed."))
    return redirect("members", slug=request.workspace.slug)


@require_POST
@workspace_view(Action.WORKSPACE_VIEW)
def member_remove(request: WorkspaceRequest, pk: int) -> HttpResponse:
    workspace = request.workspace
    membership = queries.member(workspace, pk)
    leaving = membership.user_id == request.user.pk
    try:
        services.remove_member(actor=_user(request), membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("members", slug=workspace.slug)
    if leaving:
        messages.success(request, _("You left %(workspace)s.") % {"workspace": workspace})
        return redirect("home")
    messages.success(request, _("Member removed."))
    return redirect("members", slug=workspace.slug)


@require_POST
@workspace_view(Action.MEMBER_MANAGE)
def invitation_revoke(request: WorkspaceRequest, pk: int) -> HttpResponse:
    invitation = queries.invitation(request.workspace, pk)
    try:
        services.revoke_invitation(actor=_user(request), invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("members", slug=request.workspace.slug)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = services.open_invitation(token)
    except ValidationError as exc:
        return render_page(request, "core/invitation.html", {"error": exc.messages[0]}, status=404)
    form = RegisterFromInvitationForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.accept_invitation(user=_user(request), raw_token=token)
            elif form.is_valid():
                user = services.register_from_invitation(
                    raw_token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                raise ValidationError(form.errors.get_json_data())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_validation_error(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Welcome to %(workspace)s.") % {"workspace": invite.workspace}
            )
            return redirect("dashboard", slug=invite.workspace.slug)
    return render_page(request, "core/invitation.html", {"invite": invite, "form": form})


# Audit log and jobs ----------------------------------------------------------------------


@workspace_view(Action.AUDIT_VIEW)
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = AuditFilterForm(request.GET or None, facets=queries.audit_facets(workspace))
    filters = form.cleaned_data if form.is_valid() else {}
    entries = queries.audit_entries(workspace, **{k: v for k, v in filters.items() if v})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "core/audit.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "nav": "settings",
            "tab": "audit",
        },
    )


@workspace_view(Action.JOBS_VIEW)
def jobs(request: WorkspaceRequest) -> HttpResponse:
    failures = Paginator(JobFailure.objects.all(), 50).get_page(request.GET.get("page"))
    counts = dict(
        DBTaskResult.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return render_page(
        request,
        "core/jobs.html",
        {
            "failures": failures,
            "counts": counts,
            "nav": "settings",
            "tab": "jobs",
        },
    )


# API tokens ------------------------------------------------------------------------------


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, new_key = services.create_api_token(
                    actor=_user(request), name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
                status = 400
            else:
                form = TokenForm()
        else:
            status = 400
    return render_page(
        request,
        "core/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": queries.tokens_of(_user(request)),
            "nav": "tokens",
        },
        status=status,
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = queries.token_of(_user(request), pk)
    try:
        services.revoke_api_token(actor=_user(request), token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Token revoked."))
    return redirect("tokens")


# Errors ----------------------------------------------------------------------------------


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    body = {"status": status, "code": code, "message": message, "field_errors": {}}
    return JsonResponse({"error": body}, status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = str(exception) if str(exception) else _("You may not do this.")
    if _is_api(request):
        return _api_error(403, "permission_denied", message)
    return render_page(
        request,
        "core/error.html",
        {"code": 403, "title": _("Not allowed"), "message": message},
        status=403,
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error(404, "not_found", _("Not found."))
    return render_page(
        request,
        "core/error.html",
        {
            "code": 404,
            "title": _("Not found"),
            "message": _("This page does not exist, or it belongs to a workspace you are not in."),
        },
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error(500, "server_error", _("Something went wrong on the server."))
    return render(request, "core/500.html", status=500)
