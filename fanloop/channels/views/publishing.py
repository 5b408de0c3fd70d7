"""Publishing pages: the queue and log, one job with its log, the assisted publishing task
list, and the job actions. Every action is a POST that calls the publishing service; a
refusal is shown in the form it came from, and nothing is written.

Times are shown and read in the workspace's time zone (Asia/Shanghai by default).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.channels import assisted as assisted_copy
from fanloop.channels import queries
from fanloop.channels.forms_publishing import (
    AccountForm,
    CompleteForm,
    JobFilterForm,
    RescheduleForm,
    ResolveForm,
    local_input,
)
from fanloop.channels.models import JobState, PublishJob
from fanloop.channels.services import publishing
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50
LIVE_TABLE = "jobs-live"  # the element the queue page refreshes every 10 s
STATE_CSS: dict[str, str] = {
    JobState.SCHEDULED: "text-bg-primary",
    JobState.PUBLISHING: "text-bg-info",
    JobState.PUBLISHED: "text-bg-success",
    JobState.FAILED: "text-bg-danger",
    JobState.NEEDS_CHECK: "text-bg-warning",
    JobState.CANCELLED: "text-bg-secondary",
    JobState.AWAITING_OPERATOR: "text-bg-warning",
}
# Which actions a job offers, by state (the services decide; this only hides the useless).
ACTIONS_BY_STATE: dict[str, tuple[str, ...]] = {
    JobState.FAILED: ("retry", "reschedule", "account"),
    JobState.SCHEDULED: ("reschedule", "cancel", "account"),
    JobState.AWAITING_OPERATOR: ("complete", "reschedule", "cancel", "account"),
    JobState.NEEDS_CHECK: ("resolve",),
}
ACTIONS = frozenset({"retry", "reschedule", "cancel", "account", "complete", "resolve"})
BACK_PAGES = frozenset({"publishing", "publishing_assisted", "publishing_job"})


publishing_view = workspace_local_view


_actor = acting_user


# Showing a job --------------------------------------------------------------------------


def duration_text(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        if rest:
            return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
        return _("%(h)d h") % {"h": hours}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


def lateness_text(job: PublishJob) -> str:
    late = queries.lateness(job)
    if late is None:
        return ""
    if abs(late) < timedelta(minutes=1):
        return _("on time")
    if late < timedelta(0):
        return _("%(d)s early") % {"d": duration_text(late)}
    return _("%(d)s late") % {"d": duration_text(late)}


@dataclass
class JobRow:
    job: PublishJob
    title: str
    variant_url: str
    state_css: str
    lateness: str
    remote_link: str
    late: bool = False


def job_row(slug: str, job: PublishJob) -> JobRow:
    variant = job.variant
    try:
        url = reverse("variant_detail", args=[slug, variant.item_id, variant.pk])
    except NoReverseMatch:
        url = ""
    remote = job.remote_url if job.remote_url.startswith(("https://", "http://")) else ""
    late = queries.lateness(job)
    return JobRow(
        job=job,
        title=variant.title or variant.item.title,
        variant_url=url,
        state_css=STATE_CSS.get(job.state, "text-bg-secondary"),
        lateness=lateness_text(job),
        remote_link=remote,
        late=late is not None and late >= timedelta(minutes=5),
    )


@dataclass
class Refused:
    """An action the service refused: its bound form, with the errors, goes back on the
    page it was sent from (``shown`` once a page has placed it)."""

    job_id: int
    action: str
    form: forms.Form
    shown: bool = False


def _offered(job: PublishJob) -> tuple[str, ...]:
    offered = ACTIONS_BY_STATE.get(job.state, ())
    if job.state == JobState.SCHEDULED and queries.is_assisted(job):
        offered = (*offered, "complete")  # an assisted post may go out early, by hand
    return offered


def _fresh_form(job: PublishJob, action: str, *, with_accounts: bool) -> forms.Form | None:
    auto_id = f"{action}-{job.pk}-%s"
    if action == "reschedule":
        start = max(job.due_at, timezone.now() + timedelta(minutes=10))
        return RescheduleForm(auto_id=auto_id, initial={"planned_at": local_input(start)})
    if action == "account":
        if not with_accounts:
            return None
        accounts = list(queries.accounts(job.workspace, job.variant.platform))
        return AccountForm(
            auto_id=auto_id, accounts=accounts, initial={"account": str(job.account_id or "")}
        )
    if action == "complete":
        return CompleteForm(auto_id=auto_id)
    if action == "resolve":
        return ResolveForm(auto_id=auto_id)
    return forms.Form(auto_id=auto_id)


def job_forms(
    job: PublishJob,
    refused: Refused | None = None,
    *,
    only: tuple[str, ...] | None = None,
    with_accounts: bool = False,
) -> dict[str, forms.Form]:
    """The action forms a job offers in its state (or the subset a page shows)."""
    built: dict[str, forms.Form] = {}
    for action in _offered(job):
        if only is not None and action not in only:
            continue
        if refused is not None and (refused.job_id, refused.action) == (job.pk, action):
            built[action] = refused.form
            refused.shown = True
            continue
        form = _fresh_form(job, action, with_accounts=with_accounts)
        if form is not None:
            built[action] = form
    return built


# The queue and log ----------------------------------------------------------------------


def _queue_context(
    request: WorkspaceRequest, params: QueryDict, refused: Refused | None = None, here: str = ""
) -> dict[str, Any]:
    workspace = request.workspace
    slug = workspace.slug
    form = JobFilterForm(params, workspace=workspace)
    filters = form.filters()
    found = queries.jobs(workspace, filters)
    page = Paginator(found, PAGE_SIZE).get_page(params.get("page"))
    counts = queries.state_counts(workspace, filters)
    kept = params.copy()
    kept.pop("page", None)
    base = reverse("publishing", args=[slug])

    def tab_url(state: str) -> str:
        query = kept.copy()
        query.pop("state", None)
        if state:
            query["state"] = state
        encoded = query.urlencode()
        return f"{base}?{encoded}" if encoded else base

    tabs = [
        {
            "state": "",
            "label": _("All"),
            "count": sum(counts.values()),
            "url": tab_url(""),
            "active": not filters.state,
        },
        *(
            {
                "state": state,
                "label": label,
                "count": counts.get(state, 0),
                "url": tab_url(state),
                "active": filters.state == state,
            }
            for state, label in queries.TABS
        ),
    ]
    attention = [
        {"row": job_row(slug, job), "forms": job_forms(job, refused, only=("retry", "resolve"))}
        for job in queries.needing_attention(workspace)
    ]
    return {
        "form": form,
        "page": page,
        "rows": [job_row(slug, job) for job in page],
        "query": kept.urlencode(),
        "tabs": tabs,
        "attention": attention,
        "live_url": f"{base}?{params.urlencode()}" if params else base,
        "live_target": LIVE_TABLE,
        "here": here or request.get_full_path(),
        "can_publish": allowed(request.role, Action.PUBLISH),
        "nav": "publishing",
    }


@publishing_view(Action.WORKSPACE_VIEW)
def queue(request: WorkspaceRequest) -> HttpResponse:
    context = _queue_context(request, request.GET)
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == LIVE_TABLE:
        response = render(request, "channels/publishing/_jobs.html", context)
        response["Vary"] = "HX-Request"
        return response
    return render_page(request, "channels/publishing/queue.html", context)


# One job --------------------------------------------------------------------------------


def _job_context(
    request: WorkspaceRequest, job: PublishJob, refused: Refused | None = None
) -> dict[str, Any]:
    can_publish = allowed(request.role, Action.PUBLISH)
    return {
        "job": job,
        "row": job_row(request.workspace.slug, job),
        "assisted": queries.is_assisted(job),
        "forms": job_forms(job, refused, with_accounts=True) if can_publish else {},
        "log": list(queries.attempts(job)),
        "audit": list(queries.audit_entries(job)[:100]),
        "can_publish": can_publish,
        "here": reverse("publishing_job", args=[request.workspace.slug, job.pk]),
        "nav": "publishing",
    }


@publishing_view(Action.WORKSPACE_VIEW)
def job_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    job = queries.job(request.workspace, pk)
    return render_page(request, "channels/publishing/job.html", _job_context(request, job))


@publishing_view(Action.WORKSPACE_VIEW)
def variant_job(request: WorkspaceRequest, variant_pk: int) -> HttpResponseBase:
    """The calendar and the studio link a variant; this finds its publishing job."""
    job = queries.job_for_variant(request.workspace, variant_pk)
    return redirect("publishing_job", request.workspace.slug, job.pk)


# Assisted publishing --------------------------------------------------------------------


def _task(request: WorkspaceRequest, job: PublishJob, refused: Refused | None) -> dict[str, Any]:
    grace = timedelta(minutes=settings.ASSISTED_OVERDUE_MINUTES)
    overdue = queries.overdue_by(job, grace)
    can_publish = allowed(request.role, Action.PUBLISH)
    forms_ = job_forms(job, refused, only=("complete",)) if can_publish else {}
    return {
        "job": job,
        "row": job_row(request.workspace.slug, job),
        "copy": assisted_copy.copy_for(job.variant),
        "media": [link.asset for link in job.variant.media_links.all()],
        "cover": job.variant.cover,
        "overdue": duration_text(overdue) if overdue else "",
        "complete_form": forms_.get("complete"),
    }


def _assisted_context(request: WorkspaceRequest, refused: Refused | None = None) -> dict[str, Any]:
    tasks = queries.assisted_tasks(request.workspace)
    return {
        "waiting": [_task(request, job, refused) for job in tasks.waiting],
        "coming": [_task(request, job, refused) for job in tasks.coming],
        "overdue_minutes": settings.ASSISTED_OVERDUE_MINUTES,
        "can_publish": allowed(request.role, Action.PUBLISH),
        "here": reverse("publishing_assisted", args=[request.workspace.slug]),
        "nav": "publishing",
    }


@publishing_view(Action.WORKSPACE_VIEW)
def assisted(request: WorkspaceRequest) -> HttpResponse:
    return render_page(request, "channels/publishing/assisted.html", _assisted_context(request))


# Actions --------------------------------------------------------------------------------


def _bound(request: WorkspaceRequest, job: PublishJob, action: str) -> forms.Form:
    auto_id = f"{action}-{job.pk}-%s"
    data = request.POST
    if action == "reschedule":
        return RescheduleForm(data, auto_id=auto_id)
    if action == "account":
        accounts = list(queries.accounts(request.workspace, job.variant.platform))
        return AccountForm(data, auto_id=auto_id, accounts=accounts)
    if action == "complete":
        return CompleteForm(data, auto_id=auto_id)
    if action == "resolve":
        return ResolveForm(data, auto_id=auto_id)
    return forms.Form(data, auto_id=auto_id)


def _perform(request: WorkspaceRequest, job: PublishJob, action: str, form: forms.Form) -> str:
    """Call the service; the success message to show."""
    actor = _actor(request)
    data = form.cleaned_data
    if action == "retry":
        publishing.retry_job(actor=actor, job=job)
        return _("Publishing again in a few seconds.")
    if action == "reschedule":
        done = publishing.reschedule_job(actor=actor, job=job, when=data["planned_at"])
        when = timezone.localtime(done.due_at).strftime("%Y-%m-%d %H:%M")
        return _("Moved to %(when)s.") % {"when": when}
    if action == "cancel":
        publishing.cancel_job(actor=actor, job=job)
        return _("Cancelled; the variant is approved again and off the schedule.")
    if action == "account":
        assert isinstance(form, AccountForm)
        account = form.chosen()
        publishing.change_account(actor=actor, job=job, account=account)
        if account is None:
            return _("It will be published by hand.")
        return _("It will go out on %(account)s.") % {"account": account}
    if action == "complete":
        publishing.complete_assisted(actor=actor, job=job, url=data["url"])
        return _("Marked published.")
    publishing.resolve_needs_check(
        actor=actor, job=job, published=data["published"], url=data.get("url", "")
    )
    if data["published"]:
        return _("Marked published.")
    return _("It will be published again in a moment.")


def _back_page(request: WorkspaceRequest) -> tuple[str, QueryDict] | None:
    """Where the form was sent from, when that is one of this workspace's publishing
    pages (never an address from elsewhere)."""
    raw = request.POST.get("next", "")
    parts = urlsplit(raw)
    if not raw.startswith("/") or raw.startswith("//") or parts.scheme or parts.netloc:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name not in BACK_PAGES or match.kwargs.get("slug") != request.workspace.slug:
        return None
    return raw, QueryDict(parts.query)


def _refused_page(request: WorkspaceRequest, job: PublishJob, refused: Refused) -> HttpResponse:
    back = _back_page(request)
    name = resolve(urlsplit(back[0]).path).url_name if back else "publishing_job"
    if back and name == "publishing_assisted":
        template = "channels/publishing/assisted.html"
        context = _assisted_context(request, refused)
    elif back and name == "publishing":
        template = "channels/publishing/queue.html"
        context = _queue_context(request, back[1], refused, here=back[0])
    else:
        template = "channels/publishing/job.html"
        context = _job_context(request, queries.job(request.workspace, job.pk), refused)
    if not refused.shown:
        # The job moved on (someone else acted first): its form is gone from the page,
        # so the reason is told on top instead.
        for errors in refused.form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return render_page(request, template, context, status=400)


@require_POST
@publishing_view(Action.PUBLISH)
def job_action(request: WorkspaceRequest, pk: int, action: str) -> HttpResponseBase:
    if action not in ACTIONS:
        raise Http404("No such action")
    job = queries.job(request.workspace, pk)
    form = _bound(request, job, action)
    if form.is_valid():
        try:
            done = _perform(request, job, action, form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, done)
            back = _back_page(request)
            if back:
                return redirect(back[0])
            return redirect("publishing_job", request.workspace.slug, job.pk)
    return _refused_page(request, job, Refused(job.pk, action, form))
