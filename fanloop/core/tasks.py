"""Core background jobs."""

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fanloop.core.jobs import job
from fanloop.core.models import JobFailure

KEEP_FINISHED_JOBS_DAYS = 14
KEEP_JOB_FAILURES_DAYS = 60


@job(max_attempts=2)
def prune_job_history() -> dict[str, int]:
    """Drop finished job rows and old failure records so the tables stay small."""
    now = timezone.now()
    finished, _ = (
        DBTaskResult.objects.finished()
        .filter(finished_at__lt=now - timedelta(days=KEEP_FINISHED_JOBS_DAYS))
        .delete()
    )
    failures, _ = JobFailure.objects.filter(
        created_at__lt=now - timedelta(days=KEEP_JOB_FAILURES_DAYS)
    ).delete()
    return {"finished_jobs": finished, "failures": failures}
