"""Read helpers for publishing, shared by the pages and the API. Every one is scoped to
a workspace: a job of another workspace is simply not found."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.channels.models import ChannelAccount, JobState, PublishAttempt, PublishJob
from fanloop.channels.services.publishing import publishes_by_api
from fanloop.content.models import VariantMedia, VariantState
from fanloop.core.models import AuditEntry, Workspace

# The queue's tabs, in the order an operator works through them.
TABS: tuple[tuple[str, object], ...] = (
    (JobState.SCHEDULED, _("Upcoming")),
    (JobState.PUBLISHING, _("Publishing")),
    (JobState.NEEDS_CHECK, _("Needs check")),
    (JobState.FAILED, _("Failed")),
    (JobState.AWAITING_OPERATOR, _("Awaiting operator")),
    (JobState.PUBLISHED, _("Published")),
    (JobState.CANCELLED, _("Cancelled")),
)
# Waiting work reads soonest first; history reads newest first.
SOONEST_FIRST = frozenset({JobState.SCHEDULED, JobState.PUBLISHING, JobState.AWAITING_OPERATOR})
ASSISTED_HORIZON = timedelta(hours=24)
JOB_OBJECT_TYPE = PublishJob._meta.label_lower


@dataclass(frozen=True)
class JobFilters:
    state: str = ""
    platform: str = ""
    account: int | None = None
    by_hand: bool = False  # jobs with no account at all
    due_from: datetime | None = None
    due_before: datetime | None = None


def _base(workspace: Workspace) -> QuerySet[PublishJob]:
    return PublishJob.objects.filter(workspace=workspace).select_related(
        "variant", "variant__item", "account"
    )


def _filtered(workspace: Workspace, filters: JobFilters) -> QuerySet[PublishJob]:
    found = _base(workspace)
    if filters.platform:
        found = found.filter(variant__platform=filters.platform)
    if filters.by_hand:
        found = found.filter(account__isnull=True)
    elif filters.account is not None:
        found = found.filter(account_id=filters.account)
    if filters.due_from is not None:
        found = found.filter(due_at__gte=filters.due_from)
    if filters.due_before is not None:
        found = found.filter(due_at__lt=filters.due_before)
    return found


def jobs(workspace: Workspace, filters: JobFilters | None = None) -> QuerySet[PublishJob]:
    filters = filters or JobFilters()
    found = _filtered(workspace, filters)
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.state in SOONEST_FIRST:
        return found.order_by("due_at", "id")
    return found.order_by("-due_at", "-id")


def state_counts(workspace: Workspace, filters: JobFilters | None = None) -> dict[str, int]:
    """Jobs per state under every filter but the state itself (the tabs' counts)."""
    rows = (
        _filtered(workspace, filters or JobFilters())
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    counts = {state: 0 for state, _label in TABS}
    counts.update({state: n for state, n in rows})
    return counts


def job(workspace: Workspace, pk: int) -> PublishJob:
    return get_object_or_404(_base(workspace).select_related("variant__cover"), pk=pk)


def job_for_variant(workspace: Workspace, variant_pk: int) -> PublishJob:
    """The variant's current job: its live one, else the most recent."""
    found = _base(workspace).filter(variant_id=variant_pk)
    live = found.filter(
        state__in=[
            JobState.SCHEDULED,
            JobState.PUBLISHING,
            JobState.NEEDS_CHECK,
            JobState.AWAITING_OPERATOR,
        ]
    ).first()
    if live is not None:
        return live
    latest = found.order_by("-created_at", "-id").first()
    if latest is None:
        raise Http404("This variant has no publishing job")
    return latest


def needing_attention(workspace: Workspace, limit: int = 20) -> list[PublishJob]:
    """Failed jobs whose variant still waits on them, and jobs a person must check."""
    found = _base(workspace).filter(
        Q(state=JobState.NEEDS_CHECK) | Q(state=JobState.FAILED, variant__state=VariantState.FAILED)
    )
    return list(found.order_by("-due_at", "-id")[:limit])


def attempts(job: PublishJob) -> QuerySet[PublishAttempt]:
    return PublishAttempt.objects.filter(job=job).order_by("started_at", "id")


def audit_entries(job: PublishJob) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        workspace_id=job.workspace_id, object_type=JOB_OBJECT_TYPE, object_id=str(job.pk)
    ).select_related("actor")


def accounts(workspace: Workspace, platform: str = "") -> QuerySet[ChannelAccount]:
    found = ChannelAccount.objects.filter(workspace=workspace)
    return found.filter(platform=platform) if platform else found


def is_assisted(job: PublishJob) -> bool:
    return not publishes_by_api(job.account)


@dataclass(frozen=True)
class AssistedTasks:
    waiting: list[PublishJob]  # due: an operator posts them now
    coming: list[PublishJob]  # scheduled on an assisted account, due within the horizon


def assisted_tasks(workspace: Workspace, *, now: datetime | None = None) -> AssistedTasks:
    now = now or timezone.now()
    media = VariantMedia.objects.select_related("asset").order_by("position", "id")
    base = (
        _base(workspace)
        .select_related("variant__cover")
        .prefetch_related(Prefetch("variant__media_links", queryset=media))
    )
    waiting = list(base.filter(state=JobState.AWAITING_OPERATOR).order_by("due_at", "id"))
    soon = base.filter(state=JobState.SCHEDULED, due_at__lt=now + ASSISTED_HORIZON)
    # Whether an account publishes by API depends on the connector registry, not a column.
    coming = [job for job in soon.order_by("due_at", "id") if is_assisted(job)]
    return AssistedTasks(waiting=waiting, coming=coming)


def lateness(job: PublishJob) -> timedelta | None:
    if job.published_at is None:
        return None
    return job.published_at - job.due_at


def overdue_by(job: PublishJob, grace: timedelta, now: datetime | None = None) -> timedelta | None:
    """How late an assisted post is, once it is past its grace period."""
    if job.state != JobState.AWAITING_OPERATOR:
        return None
    late = (now or timezone.now()) - job.due_at
    return late if late > grace else None
