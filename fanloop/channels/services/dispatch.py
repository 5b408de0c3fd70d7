"""The publishing worker's write path: claim due jobs, publish, record, reconcile.

Never twice: a job is claimed with a conditional UPDATE (only one worker's UPDATE
changes the row), the connector call carries the job's idempotency key, the remote id is
stored before the job counts as published, and a job whose worker died mid-call (its
lease ran out while ``publishing``) is looked up on the platform where the platform
allows it, or handed to a person ("needs check") — never blindly sent again.
"""

import logging
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    MediaFile,
    PublishRequest,
    PublishResult,
)
from fanloop.channels.models import JobState, PublishAttempt, PublishJob
from fanloop.channels.services import accounts, publishing
from fanloop.content.models import Variant, VariantState
from fanloop.content.services import review
from fanloop.core.models import Membership
from fanloop.core.notifications import notify
from fanloop.core.permissions import Role

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Outcome:
    job_id: int
    state: str
    detail: str = ""


def _lease() -> timedelta:
    return timedelta(seconds=settings.PUBLISH_LEASE_SECONDS)


# Claiming -------------------------------------------------------------------------------


def claim_due(worker: str, *, now: datetime | None = None, limit: int = 20) -> list[PublishJob]:
    """Take up to ``limit`` due jobs for this worker. Two workers may pick the same ids;
    the state condition in the UPDATE lets exactly one of them have each."""
    now = now or timezone.now()
    due = (
        PublishJob.objects.filter(state=JobState.SCHEDULED, due_at__lte=now)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    ids = list(due)
    if not ids:
        return []
    token = f"{worker}/{uuid.uuid4().hex[:8]}"
    PublishJob.objects.filter(pk__in=ids, state=JobState.SCHEDULED).update(
        attempts=F("attempts") + 1,
        state=JobState.PUBLISHING,
        claimed_by=token,
        claimed_at=now,
        lease_until=now + _lease(),
        updated_at=now,
    )
    return list(
        PublishJob.objects.filter(claimed_by=token, state=JobState.PUBLISHING)
        .select_related("account", "variant", "workspace")
        .order_by("due_at", "id")
    )


def _finish(job: PublishJob, **fields: object) -> bool:
    """Write the job's outcome only if this worker still holds it."""
    fields.setdefault("updated_at", timezone.now())
    fields.setdefault("lease_until", None)
    changed = PublishJob.objects.filter(
        pk=job.pk, state=JobState.PUBLISHING, claimed_by=job.claimed_by
    ).update(**fields)
    if changed != 1:
        log.warning("job %s was taken over while %s held it", job.pk, job.claimed_by)
        return False
    for name, value in fields.items():
        setattr(job, name, value)
    return True


# Publishing -----------------------------------------------------------------------------


def _media_file(asset: object) -> MediaFile:
    file = asset.file  # type: ignore[attr-defined]
    return MediaFile(
        path=file.path,
        mime=asset.mime,  # type: ignore[attr-defined]
        kind=asset.kind,  # type: ignore[attr-defined]
        width=asset.width,  # type: ignore[attr-defined]
        height=asset.height,  # type: ignore[attr-defined]
        duration_seconds=asset.duration_seconds,  # type: ignore[attr-defined]
    )


def publish_request(job: PublishJob) -> PublishRequest:
    variant = Variant.objects.select_related("item", "cover").get(pk=job.variant_id)
    links = variant.media_links.select_related("asset").order_by("position")
    media = [link.asset for link in links]
    return PublishRequest(
        idempotency_key=job.idempotency_key,
        title=variant.title or variant.item.title,
        body=variant.body,
        topics=tuple(variant.topics),
        mentions=tuple(variant.mentions),
        media=tuple(_media_file(asset) for asset in media),
        cover=_media_file(variant.cover) if variant.cover else None,
        link=variant.link,
        content_type=variant.item.content_type,
    )


def dispatch(job: PublishJob, worker: str, connector: Connector | None = None) -> Outcome:
    """Publish one claimed job and record what happened."""
    attempt = PublishAttempt.objects.create(job=job, worker=worker)  # counted by the claim
    try:
        outcome = _dispatch(job, attempt, connector)
    except Exception as exc:  # a bug or an outage mid-call: the post may exist
        log.exception("publishing job %s failed unexpectedly", job.pk)
        outcome = _needs_check(
            job,
            _("Publishing stopped with an unexpected error (%(error)s); check the platform.")
            % {"error": exc},
        )
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=timezone.now(), outcome=outcome.state, detail=outcome.detail[:2000]
    )
    return outcome


def _dispatch(job: PublishJob, attempt: PublishAttempt, connector: Connector | None) -> Outcome:
    problems = review.publish_problems(job.variant)
    if problems:
        return _fail(job, " ".join(problems))
    if not publishing.publishes_by_api(job.account):
        return _hand_over(job)
    assert job.account is not None
    if connector is None:
        # One attempt per dispatch: retries are scheduled on the job, not slept on here.
        connector = accounts.connector_for(job.account, max_attempts=1)
    try:
        result = connector.publish(publish_request(job))
    except ConnectorError as exc:
        return _connector_failed(job, connector, exc)
    return _published(job, result)


def _published(job: PublishJob, result: PublishResult) -> Outcome:
    if result.pending:
        # Accepted, still processing on the platform: keep the submission id and ask
        # again when the short lease runs out (reconciliation polls publish_status).
        _finish(
            job,
            remote_id=result.remote_id,
            lease_until=timezone.now() + timedelta(seconds=settings.PUBLISH_STATUS_POLL_SECONDS),
        )
        return Outcome(job.pk, "pending", result.remote_id)
    with transaction.atomic():
        if not _finish(
            job,
            state=JobState.PUBLISHED,
            remote_id=result.remote_id,
            remote_url=result.url,
            published_at=result.published_at or timezone.now(),
            last_error="",
        ):
            return Outcome(job.pk, "lost_lease")
        review.record_publish_outcome(
            variant=job.variant,
            published=True,
            url=result.url,
            published_at=job.published_at,
        )
        publishing.audit_job(job, "channels.job_published", None, {"state": JobState.PUBLISHING})
    return Outcome(job.pk, JobState.PUBLISHED, result.url)


def _connector_failed(job: PublishJob, connector: Connector, exc: ConnectorError) -> Outcome:
    assert job.account is not None
    if exc.code == "outcome_unknown":
        if connector.supports(Capability.LOOKUP):
            found = connector.lookup(job.idempotency_key)
            if found is not None:
                return _published(job, found)
            return _retry_later(job, exc.message, retry_after=None)
        return _needs_check(job, exc.message)
    if exc.auth:
        accounts.record_problem(account=job.account, message=exc.message, token_expired=True)
        return _fail(job, exc.message)
    if exc.transient:
        return _retry_later(job, exc.message, retry_after=exc.retry_after)
    return _fail(job, exc.message)


def _retry_later(job: PublishJob, message: str, retry_after: float | None) -> Outcome:
    if job.attempts >= settings.PUBLISH_MAX_ATTEMPTS:
        return _fail(
            job,
            _("Gave up after %(n)s attempts: %(error)s") % {"n": job.attempts, "error": message},
        )
    delay = (
        retry_after
        if retry_after is not None
        else settings.PUBLISH_RETRY_BASE_SECONDS * 2 ** (job.attempts - 1)
    )
    _finish(
        job,
        state=JobState.SCHEDULED,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=message,
        claimed_by="",
    )
    return Outcome(job.pk, "retry", message)


def _fail(job: PublishJob, message: str) -> Outcome:
    with transaction.atomic():
        if not _finish(job, state=JobState.FAILED, last_error=message):
            return Outcome(job.pk, "lost_lease")
        variant = Variant.objects.get(pk=job.variant_id)
        if variant.state == VariantState.SCHEDULED:
            review.record_publish_outcome(variant=variant, published=False, error=message)
        publishing.audit_job(job, "channels.job_failed", None, {"state": JobState.PUBLISHING})
        _tell_owner(job, _("Publishing failed: %(v)s") % {"v": variant})
    return Outcome(job.pk, JobState.FAILED, message)


def _needs_check(job: PublishJob, message: str) -> Outcome:
    with transaction.atomic():
        if not _finish(job, state=JobState.NEEDS_CHECK, last_error=message):
            return Outcome(job.pk, "lost_lease")
        publishing.audit_job(job, "channels.job_needs_check", None, {"state": JobState.PUBLISHING})
        _tell_owner(job, _("Check on the platform whether it went out: %(v)s") % {"v": job.variant})
    return Outcome(job.pk, JobState.NEEDS_CHECK, message)


def _hand_over(job: PublishJob) -> Outcome:
    """No API publishing for this account: the due post becomes an operator's task."""
    with transaction.atomic():
        if not _finish(job, state=JobState.AWAITING_OPERATOR, claimed_by=""):
            return Outcome(job.pk, "lost_lease")
        publishing.audit_job(job, "channels.job_assisted", None, {"state": JobState.PUBLISHING})
        _tell_owner(job, _("Time to post by hand: %(v)s") % {"v": job.variant})
    return Outcome(job.pk, JobState.AWAITING_OPERATOR)


def _tell_owner(job: PublishJob, text: str) -> None:
    """The item's owner and the account's owner hear about it; with neither, operators."""
    variant = Variant.objects.select_related("item__owner").get(pk=job.variant_id)
    users = [u for u in (variant.item.owner, job.account.owner if job.account else None) if u]
    if not users:
        users = [
            m.user
            for m in Membership.objects.filter(
                workspace_id=job.workspace_id, role__in=[Role.OPERATOR, Role.ADMIN]
            ).select_related("user")
        ]
    url = reverse("publishing_job", args=[job.workspace.slug, job.pk])
    notify(users=users, workspace=job.workspace, text=text, url=url)


# Reconciliation -------------------------------------------------------------------------


def reconcile_stale(*, now: datetime | None = None, limit: int = 100) -> list[Outcome]:
    """Jobs left ``publishing`` past their lease: a worker died mid-call, or the platform
    was still processing. Each is claimed like a due job, then settled."""
    now = now or timezone.now()
    stale = list(
        PublishJob.objects.filter(state=JobState.PUBLISHING, lease_until__lt=now).values_list(
            "id", "claimed_by"
        )[:limit]
    )
    outcomes = []
    for job_id, holder in stale:
        token = f"reconcile/{uuid.uuid4().hex[:8]}"
        taken = PublishJob.objects.filter(
            pk=job_id, state=JobState.PUBLISHING, claimed_by=holder, lease_until__lt=now
        ).update(claimed_by=token, lease_until=now + _lease())
        if taken != 1:
            continue
        job = PublishJob.objects.select_related("account", "variant", "workspace").get(pk=job_id)
        outcomes.append(_reconcile(job))
    return outcomes


def _reconcile(job: PublishJob, connector: Connector | None = None) -> Outcome:
    if job.account is None or not publishing.publishes_by_api(job.account):
        return _needs_check(job, _("The publishing worker stopped mid-publish."))
    try:
        connector = connector or accounts.connector_for(job.account, max_attempts=1)
        if job.remote_id and connector.supports(Capability.PUBLISH_STATUS):
            return _published(job, connector.publish_status(job.remote_id))
        if connector.supports(Capability.LOOKUP):
            found = connector.lookup(job.idempotency_key)
            if found is not None:
                return _published(job, found)
            # Nothing was created: sending again is safe.
            return _retry_later(job, _("The worker stopped before the post was created."), 0.0)
    except ConnectorError as exc:
        if exc.transient:
            _finish(job, lease_until=timezone.now() + _lease(), claimed_by=job.claimed_by)
            return Outcome(job.pk, "retry", exc.message)
        return _fail(job, exc.message)
    return _needs_check(
        job,
        _(
            "The publishing worker stopped in the middle of publishing and %(platform)s "
            "cannot be asked whether the post was created. Look on the platform: paste the "
            "post's address if it is there, otherwise publish again."
        )
        % {"platform": job.account.get_platform_display()},
    )


def adopt_orphans() -> int:
    """Scheduled variants that have no job get one (see due_variants_without_job)."""
    count = 0
    for variant in publishing.due_variants_without_job():
        with transaction.atomic():
            publishing.schedule_job(variant, None)
        count += 1
    return count


def flag_overdue_assisted(*, now: datetime | None = None) -> int:
    """Assisted posts still not posted well after their time: tell the owner, once."""
    now = now or timezone.now()
    grace = timedelta(minutes=settings.ASSISTED_OVERDUE_MINUTES)
    overdue = PublishJob.objects.filter(
        state=JobState.AWAITING_OPERATOR, due_at__lt=now - grace, overdue_notified_at__isnull=True
    ).select_related("variant", "account", "workspace")
    count = 0
    for job in overdue:
        with transaction.atomic():
            claimed = PublishJob.objects.filter(pk=job.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            )
            if claimed:
                _tell_owner(job, _("Overdue, still to post by hand: %(v)s") % {"v": job.variant})
                count += 1
    return count
