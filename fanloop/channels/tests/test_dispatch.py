"""The publishing worker: claimed once, published once, reconciled after a crash."""

from datetime import timedelta
from typing import ClassVar

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanloop.channels.connectors import base
from fanloop.channels.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    PublishRequest,
    PublishResult,
)
from fanloop.channels.models import AccountStatus, JobState, PublishJob, SandboxPost
from fanloop.channels.services import dispatch, publishing
from fanloop.channels.tests.conftest import make_due
from fanloop.content.models import VariantState
from fanloop.core.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db


class ScriptedConnector(Connector):
    """A platform whose answers the test scripts (class-level, as the worker builds its
    own instance through the registry)."""

    platform = "zhihu"
    platform_label = "Zhihu"
    capabilities = frozenset({Capability.PUBLISH, Capability.PUBLISH_STATUS})
    answers: ClassVar[list[PublishResult | ConnectorError]] = []
    status_answers: ClassVar[list[PublishResult]] = []
    sent: ClassVar[list[str]] = []

    def publish(self, request: PublishRequest) -> PublishResult:
        self.sent.append(request.idempotency_key)
        answer = self.answers.pop(0)
        if isinstance(answer, ConnectorError):
            raise answer
        return answer

    def publish_status(self, remote_id: str) -> PublishResult:
        return self.status_answers.pop(0)


@pytest.fixture
def scripted(monkeypatch, make_account):
    monkeypatch.setitem(base.REGISTRY, "zhihu", ScriptedConnector)
    monkeypatch.setattr(ScriptedConnector, "answers", [])
    monkeypatch.setattr(ScriptedConnector, "status_answers", [])
    monkeypatch.setattr(ScriptedConnector, "sent", [])
    make_account("zhihu", "知乎 API", simulated=False, credentials={"access_token": "t"})
    return ScriptedConnector


def due_job(variant) -> PublishJob:
    return make_due(PublishJob.objects.get(variant=variant, state=JobState.SCHEDULED))


def run(worker: str = "w1") -> list[dispatch.Outcome]:
    return [dispatch.dispatch(job, worker) for job in dispatch.claim_due(worker)]


# Jobs follow the variant ---------------------------------------------------------------


def test_scheduling_creates_one_job_on_the_platforms_account(make_account, schedule_variant):
    account = make_account("weibo", "微博号")
    variant = schedule_variant("weibo")

    job = PublishJob.objects.get(variant=variant)
    assert (job.state, job.account, job.due_at) == (JobState.SCHEDULED, account, variant.planned_at)
    assert len(job.idempotency_key) == 32
    assert AuditEntry.objects.filter(action="channels.job_create", object_id=str(job.pk)).exists()


def test_unscheduling_cancels_and_rescheduling_moves_the_job(
    make_account, schedule_variant, operator
):
    from fanloop.content import services as content

    make_account("weibo")
    variant = schedule_variant("weibo")
    later = timezone.now() + timedelta(days=2)

    content.reschedule(actor=operator, variant=variant, planned_at=later)
    assert PublishJob.objects.get(variant=variant).due_at == later

    content.transition(actor=operator, variant=variant, name="unschedule")
    assert PublishJob.objects.get(variant=variant).state == JobState.CANCELLED


def test_editing_a_scheduled_variant_pulls_its_job(make_account, schedule_variant, writer):
    from fanloop.content import services as content

    make_account("weibo")
    variant = schedule_variant("weibo")

    content.update_variant(actor=writer, variant=variant, data={"body": "改过的文案，重新审核。"})

    job = PublishJob.objects.get(variant=variant)
    assert job.state == JobState.CANCELLED
    assert "back to review" in job.last_error


def test_a_variant_being_published_cannot_be_pulled(make_account, schedule_variant, operator):
    from fanloop.content import services as content

    make_account("weibo")
    variant = schedule_variant("weibo")
    due_job(variant)
    dispatch.claim_due("w1")  # claimed, the worker is mid-call

    with pytest.raises(ValidationError, match="being published right now"):
        content.transition(actor=operator, variant=variant, name="unschedule")
    variant.refresh_from_db()
    assert variant.state == VariantState.SCHEDULED


def test_connecting_an_account_adopts_jobs_scheduled_before_it(make_account, schedule_variant):
    variant = schedule_variant("weibo")
    assert PublishJob.objects.get(variant=variant).account is None

    account = make_account("weibo", "微博号")

    assert PublishJob.objects.get(variant=variant).account == account


# Claiming and publishing ---------------------------------------------------------------


def test_a_due_job_is_published_once_with_its_remote_id(make_account, schedule_variant):
    make_account("weibo")
    variant = schedule_variant("weibo")
    job = due_job(variant)

    [outcome] = run()

    job.refresh_from_db()
    variant.refresh_from_db()
    assert outcome.state == JobState.PUBLISHED
    assert job.state == JobState.PUBLISHED
    assert job.remote_id.startswith("sbx-")
    assert job.remote_url == variant.published_url
    assert variant.state == VariantState.PUBLISHED
    assert job.log.get().outcome == JobState.PUBLISHED
    assert SandboxPost.objects.count() == 1


def test_two_workers_never_claim_the_same_job(make_account, schedule_variant):
    make_account("weibo")
    jobs = [due_job(schedule_variant("weibo", title=f"帖子{i}")) for i in range(5)]

    first = dispatch.claim_due("w1", limit=3)
    second = dispatch.claim_due("w2", limit=10)
    third = dispatch.claim_due("w3", limit=10)

    assert len(first) == 3
    assert len(second) == 2
    assert third == []
    assert {j.pk for j in first} | {j.pk for j in second} == {j.pk for j in jobs}


def test_a_second_dispatch_of_a_finished_job_changes_nothing(make_account, schedule_variant):
    make_account("weibo")
    job = due_job(schedule_variant("weibo"))
    [claimed] = dispatch.claim_due("w1")
    stale_copy = PublishJob.objects.get(pk=claimed.pk)
    stale_copy.claimed_by = claimed.claimed_by
    dispatch.dispatch(claimed, "w1")

    outcome = dispatch.dispatch(stale_copy, "w1")  # e.g. a retried message

    job.refresh_from_db()
    assert outcome.state == "lost_lease"
    assert job.state == JobState.PUBLISHED
    assert SandboxPost.objects.count() == 1


def test_jobs_not_yet_due_or_waiting_to_retry_are_left_alone(make_account, schedule_variant):
    make_account("weibo")
    schedule_variant("weibo")  # an hour from now
    waiting = due_job(schedule_variant("weibo", title="稍后重试"))
    PublishJob.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    assert dispatch.claim_due("w1") == []


def test_a_transient_error_is_retried_later_then_fails_after_the_last_attempt(
    scripted, schedule_variant, settings
):
    settings.PUBLISH_MAX_ATTEMPTS = 2
    variant = schedule_variant("zhihu")
    job = due_job(variant)
    scripted.answers = [ConnectorError("busy", transient=True, retry_after=30)] * 2

    [first] = run()
    job.refresh_from_db()
    assert first.state == "retry"
    assert job.state == JobState.SCHEDULED
    assert job.next_attempt_at is not None
    assert job.last_error == "busy"

    PublishJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    [second] = run()

    job.refresh_from_db()
    variant.refresh_from_db()
    assert second.state == JobState.FAILED
    assert "2 attempts" in job.last_error
    assert variant.state == VariantState.FAILED
    assert scripted.sent == [job.idempotency_key] * 2
    assert Notification.objects.filter(text__contains="Publishing failed").exists()


def test_a_failed_job_retried_by_an_operator_keeps_its_idempotency_key(
    scripted, schedule_variant, operator
):
    variant = schedule_variant("zhihu")
    job = due_job(variant)
    scripted.answers = [ConnectorError("内容违规", code="rejected")]
    run()
    key = job.idempotency_key

    publishing.retry_job(actor=operator, job=job)

    job.refresh_from_db()
    variant.refresh_from_db()
    assert (job.state, job.idempotency_key, job.attempts) == (JobState.SCHEDULED, key, 0)
    assert variant.state == VariantState.SCHEDULED
    assert PublishJob.objects.filter(variant=variant).count() == 1


def test_a_rejected_token_marks_the_account_and_fails_the_job(scripted, schedule_variant):
    job = due_job(schedule_variant("zhihu"))
    scripted.answers = [ConnectorError("token expired", auth=True)]

    run()

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.account.status == AccountStatus.TOKEN_EXPIRED


def test_an_unknown_outcome_without_lookup_needs_a_person(scripted, schedule_variant, operator):
    job = due_job(schedule_variant("zhihu"))
    scripted.answers = [ConnectorError("connection broke after sending", code="outcome_unknown")]

    [outcome] = run()

    job.refresh_from_db()
    assert outcome.state == JobState.NEEDS_CHECK
    assert job.state == JobState.NEEDS_CHECK
    with pytest.raises(ValidationError):
        publishing.resolve_needs_check(
            actor=operator, job=job, published=True, url="https://weibo.com/1/2"
        )
    publishing.resolve_needs_check(
        actor=operator, job=job, published=True, url="https://zhuanlan.zhihu.com/p/3"
    )
    job.refresh_from_db()
    assert job.state == JobState.PUBLISHED
    assert job.variant.state == VariantState.PUBLISHED


def test_a_pending_publish_is_asked_again_until_it_is_out(scripted, schedule_variant):
    variant = schedule_variant("zhihu")
    job = due_job(variant)
    scripted.answers = [PublishResult(remote_id="submission-7", url="", pending=True)]
    scripted.status_answers = [
        PublishResult(remote_id="submission-7", url="", pending=True),
        PublishResult(remote_id="post-7", url="https://zhuanlan.zhihu.com/p/7"),
    ]

    [outcome] = run()
    job.refresh_from_db()
    assert outcome.state == "pending"
    assert job.state == JobState.PUBLISHING
    assert job.remote_id == "submission-7"

    later = job.lease_until + timedelta(seconds=1)
    assert dispatch.reconcile_stale(now=later)[0].state == "pending"
    job.refresh_from_db()
    outcomes = dispatch.reconcile_stale(now=job.lease_until + timedelta(seconds=1))

    job.refresh_from_db()
    assert outcomes[0].state == JobState.PUBLISHED
    assert (job.remote_id, job.remote_url) == ("post-7", "https://zhuanlan.zhihu.com/p/7")


# A worker killed mid-call ----------------------------------------------------------------


def test_a_crash_after_the_post_was_created_is_reconciled_by_lookup(make_account, schedule_variant):
    make_account("weibo")
    variant = schedule_variant("weibo")
    job = due_job(variant)
    [claimed] = dispatch.claim_due("doomed")
    # The worker reached the platform, which created the post; then it was killed.
    from fanloop.channels.services import accounts

    created = accounts.connector_for(claimed.account).publish(dispatch.publish_request(claimed))

    assert dispatch.reconcile_stale() == []  # the lease still holds
    outcomes = dispatch.reconcile_stale(now=timezone.now() + timedelta(minutes=10))

    job.refresh_from_db()
    assert [o.state for o in outcomes] == [JobState.PUBLISHED]
    assert job.remote_id == created.remote_id
    assert SandboxPost.objects.count() == 1


def test_a_crash_before_anything_was_created_is_sent_again(make_account, schedule_variant):
    make_account("weibo")
    job = due_job(schedule_variant("weibo"))
    dispatch.claim_due("doomed")

    [outcome] = dispatch.reconcile_stale(now=timezone.now() + timedelta(minutes=10))
    job.refresh_from_db()
    assert outcome.state == "retry"
    assert job.state == JobState.SCHEDULED

    PublishJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    run()
    job.refresh_from_db()
    assert job.state == JobState.PUBLISHED
    assert SandboxPost.objects.count() == 1


def test_a_crash_where_the_platform_cannot_be_asked_needs_a_check(scripted, schedule_variant):
    job = due_job(schedule_variant("zhihu"))
    dispatch.claim_due("doomed")

    [outcome] = dispatch.reconcile_stale(now=timezone.now() + timedelta(minutes=10))

    job.refresh_from_db()
    assert outcome.state == JobState.NEEDS_CHECK
    assert "cannot be asked" in job.last_error
    assert scripted.sent == []  # never blindly sent again


# Assisted publishing ---------------------------------------------------------------------


def test_an_assisted_post_becomes_an_operators_task_and_is_confirmed_by_url(
    make_account, schedule_variant, operator
):
    make_account("zhihu", "知乎号", simulated=False)
    variant = schedule_variant("zhihu")
    job = due_job(variant)

    [outcome] = run()
    job.refresh_from_db()
    assert outcome.state == JobState.AWAITING_OPERATOR
    assert Notification.objects.filter(text__contains="post by hand").exists()

    with pytest.raises(ValidationError, match="not a Zhihu address"):
        publishing.complete_assisted(actor=operator, job=job, url="https://weibo.com/1/2")
    with pytest.raises(ValidationError, match="full address"):
        publishing.complete_assisted(actor=operator, job=job, url="zhuanlan.zhihu.com/p/1")
    job.refresh_from_db()
    assert job.state == JobState.AWAITING_OPERATOR

    publishing.complete_assisted(actor=operator, job=job, url="https://zhuanlan.zhihu.com/p/42")
    job.refresh_from_db()
    variant.refresh_from_db()
    assert job.state == JobState.PUBLISHED
    assert variant.published_url == "https://zhuanlan.zhihu.com/p/42"


def test_an_overdue_assisted_post_is_flagged_once(make_account, schedule_variant, settings):
    make_account("zhihu", "知乎号", simulated=False)
    job = due_job(schedule_variant("zhihu"))
    run()
    PublishJob.objects.filter(pk=job.pk).update(due_at=timezone.now() - timedelta(hours=2))

    assert dispatch.flag_overdue_assisted() == 1
    told = Notification.objects.filter(text__contains="Overdue").count()
    assert dispatch.flag_overdue_assisted() == 0
    assert told == 2  # the item's owner and the account's owner
    assert Notification.objects.filter(text__contains="Overdue").count() == told


def test_viewers_cannot_act_on_jobs(make_account, schedule_variant, member_with_role):
    from django.core.exceptions import PermissionDenied

    from fanloop.core.permissions import Role

    make_account("weibo")
    job = PublishJob.objects.get(variant=schedule_variant("weibo"))
    viewer = member_with_role(Role.VIEWER)

    with pytest.raises(PermissionDenied):
        publishing.cancel_job(actor=viewer, job=job)
    job.refresh_from_db()
    assert job.state == JobState.SCHEDULED


def test_the_publisher_command_publishes_what_is_due(make_account, schedule_variant):
    from io import StringIO

    from django.core.management import call_command

    make_account("weibo")
    job = due_job(schedule_variant("weibo"))
    out = StringIO()

    call_command("publisher", once=True, stdout=out)

    job.refresh_from_db()
    assert "handled 1 jobs" in out.getvalue()
    assert job.state == JobState.PUBLISHED


def test_a_scheduled_variant_without_a_job_is_adopted(make_account, schedule_variant):
    make_account("weibo")
    variant = schedule_variant("weibo")
    PublishJob.objects.filter(variant=variant).delete()  # scheduled before publishing existed

    assert dispatch.adopt_orphans() == 1

    assert PublishJob.objects.get(variant=variant).state == JobState.SCHEDULED
    assert dispatch.adopt_orphans() == 0
