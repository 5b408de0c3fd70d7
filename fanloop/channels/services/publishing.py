"""Publish jobs follow their variants, and the people's side of publishing.

Content owns the variant lifecycle; this module listens to its schedule changes
(``fanloop.content.hooks``) and keeps exactly one live job per scheduled variant. What an
operator does to a job — retry, reschedule, cancel, confirm an assisted post, settle a job
that needs a check — goes through the content services where the variant changes state,
so the calendar and the publishing log never disagree.
"""

import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import REGISTRY, Capability
from fanloop.channels.models import (
    ACCOUNT_PLATFORM_CHOICES,
    AccountStatus,
    ChannelAccount,
    JobState,
    PublishJob,
)
from fanloop.content import hooks
from fanloop.content.models import Variant, VariantState
from fanloop.content.services import review, scheduling
from fanloop.core import audit
from fanloop.core.models import User
from fanloop.core.permissions import Action
from fanloop.core.services import require_action

LIVE_STATES = (
    JobState.SCHEDULED,
    JobState.PUBLISHING,
    JobState.NEEDS_CHECK,
    JobState.AWAITING_OPERATOR,
)
# Where a pasted post URL may point, per platform (assisted publishing and checks).
POST_HOSTS: dict[str, tuple[str, ...]] = {
    "wechat_oa": ("mp.weixin.qq.com",),
    "wecom": ("work.weixin.qq.com", "weixin.qq.com"),
    "weibo": ("weibo.com", "weibo.cn", "m.weibo.cn"),
    "douyin": ("douyin.com", "iesdouyin.com"),
    "xiaohongshu": ("xiaohongshu.com", "xhslink.com"),
    "bilibili": ("bilibili.com", "b23.tv"),
    "zhihu": ("zhihu.com",),
    "kuaishou": ("kuaishou.com", "chenzhongtech.com"),
    "sandbox": ("sandbox.fanloop.invalid",),
}
JOB_AUDITED = ("state", "due_at", "account_id", "remote_id", "remote_url")


def publishes_by_api(account: ChannelAccount | None) -> bool:
    """Whether a worker can publish for this account, or a person must (assisted)."""
    if account is None or not account.uses_api:
        return False
    connector = REGISTRY.get(account.connector_platform)
    return connector is not None and Capability.PUBLISH in connector.capabilities


def account_for(variant: Variant) -> ChannelAccount | None:
    """The account a newly scheduled variant goes out on: a working API account of its
    platform first, then a broken one (its problem shows), then an assisted one."""
    rank: dict[str, int] = {
        AccountStatus.CONNECTED: 0,
        AccountStatus.TOKEN_EXPIRED: 1,
        AccountStatus.ERROR: 1,
        AccountStatus.ASSISTED: 2,
    }
    accounts = ChannelAccount.objects.filter(
        workspace_id=variant.workspace_id, platform=variant.platform
    )
    ordered = sorted(accounts, key=lambda a: (rank.get(a.status, 3), not a.simulated, a.pk))
    return ordered[0] if ordered else None


def live_job(variant: Variant) -> PublishJob | None:
    return (
        PublishJob.objects.select_for_update()
        .filter(variant_id=variant.pk, state__in=LIVE_STATES)
        .first()
    )


def audit_job(job: PublishJob, action: str, actor: User | None, before: dict[str, object]) -> None:
    after = _snapshot(job)
    changes = {
        field: (str(before.get(field)), str(value))
        for field, value in after.items()
        if before.get(field) != value
    }
    audit.record(actor=actor, workspace=job.workspace, action=action, obj=job, changes=changes)


def _snapshot(job: PublishJob) -> dict[str, object]:
    """The audited fields, times in the workspace's local time as people read them."""
    values: dict[str, object] = {}
    for field in JOB_AUDITED:
        value = getattr(job, field)
        if isinstance(value, datetime):
            value = timezone.localtime(value).isoformat(timespec="minutes")
        values[field] = value
    return values


def _on_schedule_change(variant: Variant, event: str) -> None:
    """The content services' hook: runs inside their transaction, so a refusal here
    (a job already being published) rolls the variant change back too."""
    job = live_job(variant)
    if event == "scheduled":
        schedule_job(variant, job)
        return
    if job is None:
        return
    if job.state == JobState.PUBLISHING:
        raise ValidationError(
            _("This post is being published right now; wait a moment and look again.")
        )
    before = _snapshot(job)
    if event == "rescheduled":
        job.due_at = variant.planned_at or job.due_at
        job.state = JobState.SCHEDULED
        job.next_attempt_at = None
        job.overdue_notified_at = None
        action = "channels.job_reschedule"
    else:  # "unscheduled" or "pulled" (edited after approval)
        job.state = JobState.CANCELLED
        job.last_error = (
            _("The variant was edited after scheduling and went back to review.")
            if event == "pulled"
            else ""
        )
        action = "channels.job_cancel"
    job.updated_at = timezone.now()
    job.save()
    audit_job(job, action, None, before)


def schedule_job(variant: Variant, job: PublishJob | None) -> None:
    due = variant.planned_at or timezone.now()
    if job is None:
        # A variant scheduled again after a failure keeps its job (and idempotency key):
        # whatever the platform saw before is recognised, and the log stays in one place.
        job = (
            PublishJob.objects.select_for_update()
            .filter(variant_id=variant.pk, state=JobState.FAILED)
            .order_by("-id")
            .first()
        )
    if job is None:
        job = PublishJob(
            workspace_id=variant.workspace_id,
            variant=variant,
            account=account_for(variant),
            idempotency_key=uuid.uuid4().hex,
        )
        before: dict[str, object] = {}
        action = "channels.job_create"
    else:
        before = _snapshot(job)
        action = "channels.job_reschedule"
    job.due_at = due
    job.state = JobState.SCHEDULED
    job.attempts = 0
    job.next_attempt_at = None
    job.overdue_notified_at = None
    job.last_error = ""
    job.updated_at = timezone.now()
    job.save()
    audit_job(job, action, None, before)


def register() -> None:
    hooks.on_schedule_change(_on_schedule_change)


# What operators do --------------------------------------------------------------------


def _job_for_update(job: PublishJob) -> PublishJob:
    return (
        PublishJob.objects.select_for_update(of=("self",))
        .select_related("variant", "account")
        .get(pk=job.pk)
    )


@transaction.atomic
def retry_job(*, actor: User, job: PublishJob, when: datetime | None = None) -> PublishJob:
    """A failed job goes out again (now, or at ``when``), with the same idempotency key."""
    require_action(actor, job.workspace, Action.PUBLISH)
    job = _job_for_update(job)
    if job.state != JobState.FAILED:
        raise ValidationError(
            _("Only failed jobs can be retried; this one is %(state)s.")
            % {"state": job.get_state_display()}
        )
    # The content transition re-runs its checks and fires the hook that revives the job.
    planned = when or timezone.now() + timedelta(seconds=5)
    review.transition(actor=actor, variant=job.variant, name="retry", planned_at=planned)
    job.refresh_from_db()
    return job


@transaction.atomic
def reschedule_job(*, actor: User, job: PublishJob, when: datetime) -> PublishJob:
    require_action(actor, job.workspace, Action.PUBLISH)
    job = _job_for_update(job)
    if job.state == JobState.FAILED:
        return retry_job(actor=actor, job=job, when=when)
    if job.state not in {JobState.SCHEDULED, JobState.AWAITING_OPERATOR}:
        raise ValidationError(
            _("A %(state)s job cannot be moved.") % {"state": job.get_state_display()}
        )
    scheduling.reschedule(actor=actor, variant=job.variant, planned_at=when)
    job.refresh_from_db()
    return job


@transaction.atomic
def cancel_job(*, actor: User, job: PublishJob) -> PublishJob:
    """Stop a job before it goes out; the variant returns to approved."""
    require_action(actor, job.workspace, Action.PUBLISH)
    job = _job_for_update(job)
    if job.state not in {JobState.SCHEDULED, JobState.AWAITING_OPERATOR}:
        raise ValidationError(
            _("A %(state)s job cannot be cancelled.") % {"state": job.get_state_display()}
        )
    review.transition(actor=actor, variant=job.variant, name="unschedule")
    job.refresh_from_db()
    return job


@transaction.atomic
def change_account(*, actor: User, job: PublishJob, account: ChannelAccount | None) -> PublishJob:
    """Send a waiting job out on another account of the same platform (or by hand)."""
    require_action(actor, job.workspace, Action.PUBLISH)
    job = _job_for_update(job)
    if job.state not in {JobState.SCHEDULED, JobState.AWAITING_OPERATOR, JobState.FAILED}:
        raise ValidationError(
            _("A %(state)s job cannot change account.") % {"state": job.get_state_display()}
        )
    if account is not None and (
        account.workspace_id != job.workspace_id or account.platform != job.variant.platform
    ):
        raise ValidationError({"account": _("Choose an account of the post's platform.")})
    before = _snapshot(job)
    job.account = account
    if job.state == JobState.AWAITING_OPERATOR and publishes_by_api(account):
        job.state = JobState.SCHEDULED
    job.updated_at = timezone.now()
    job.save()
    audit_job(job, "channels.job_account", actor, before)
    return job


def check_post_url(platform: str, url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError({"url": _("Paste the full address of the post, starting https://")})
    hosts = POST_HOSTS.get(platform, ())
    host = parts.hostname.lower()
    if hosts and not any(host == h or host.endswith("." + h) for h in hosts):
        label = dict(ACCOUNT_PLATFORM_CHOICES).get(platform, platform)
        raise ValidationError(
            {
                "url": _("That is not a %(platform)s address (expected %(hosts)s).")
                % {"platform": label, "hosts": ", ".join(hosts)}
            }
        )
    return url


def _mark_published(
    job: PublishJob, actor: User | None, url: str, remote_id: str, action: str
) -> PublishJob:
    before = _snapshot(job)
    now = timezone.now()
    job.state = JobState.PUBLISHED
    job.remote_url = url
    job.remote_id = remote_id or job.remote_id
    job.published_at = job.published_at or now
    job.lease_until = None
    job.updated_at = now
    job.save()
    review.record_publish_outcome(
        variant=job.variant, published=True, url=url, published_at=job.published_at, actor=actor
    )
    audit_job(job, action, actor, before)
    return job


@transaction.atomic
def complete_assisted(*, actor: User, job: PublishJob, url: str) -> PublishJob:
    """The operator posted by hand and pastes the post's address."""
    require_action(actor, job.workspace, Action.PUBLISH)
    job = _job_for_update(job)
    if job.state not in {JobState.AWAITING_OPERATOR, JobState.SCHEDULED}:
        raise ValidationError(
            _("A %(state)s job cannot be marked published by hand.")
            % {"state": job.get_state_display()}
        )
    if job.state == JobState.SCHEDULED and publishes_by_api(job.account):
        raise ValidationError(
            _("This post goes out automatically; cancel it first to publish by hand.")
        )
    url = check_post_url(job.variant.platform, url)
    return _mark_published(job, actor, url, "", "channels.job_assisted_done")


@transaction.atomic
def resolve_needs_check(
    *, actor: User, job: PublishJob, published: bool, url: str = ""
) -> PublishJob:
    """A person looked on the platform after an interrupted publish: either the post is
    there (paste its address) or it is not (publish again, same idempotency key)."""
    require_action(actor, job.workspace, Action.PUBLISH)
    job = _job_for_update(job)
    if job.state != JobState.NEEDS_CHECK:
        raise ValidationError(
            _("Only jobs that need a check can be settled; this one is %(state)s.")
            % {"state": job.get_state_display()}
        )
    if published:
        url = check_post_url(job.variant.platform, url)
        return _mark_published(job, actor, url, "", "channels.job_checked_published")
    before = _snapshot(job)
    job.state = JobState.SCHEDULED
    job.due_at = timezone.now()
    job.next_attempt_at = None
    job.updated_at = timezone.now()
    job.save()
    audit_job(job, "channels.job_checked_absent", actor, before)
    return job


@transaction.atomic
def adopt_unassigned_jobs(account: ChannelAccount) -> int:
    """A newly connected account takes the waiting jobs of its platform that had none."""
    jobs = PublishJob.objects.select_for_update().filter(
        workspace_id=account.workspace_id,
        account__isnull=True,
        variant__platform=account.platform,
        state__in=[JobState.SCHEDULED, JobState.AWAITING_OPERATOR],
    )
    count = 0
    for job in jobs:
        before = _snapshot(job)
        job.account = account
        if job.state == JobState.AWAITING_OPERATOR and publishes_by_api(account):
            job.state = JobState.SCHEDULED
        job.save()
        audit_job(job, "channels.job_account", None, before)
        count += 1
    return count


def due_variants_without_job() -> list[Variant]:
    """Scheduled variants with no live job (scheduled before publishing was installed):
    the dispatcher adopts them so nothing scheduled is silently dropped."""
    live = PublishJob.objects.filter(state__in=LIVE_STATES).values("variant_id")
    return list(Variant.objects.filter(state=VariantState.SCHEDULED).exclude(pk__in=live)[:500])
