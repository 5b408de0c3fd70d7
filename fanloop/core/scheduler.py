"""The periodic scheduler: enqueues each declared job when it is due.

Several schedulers may run (one per host); each due run is claimed with a conditional
UPDATE on ``next_run_at``, and only the process whose UPDATE changed a row enqueues.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.tasks import Task
from django.utils import timezone

from fanloop.core.models import PeriodicJobState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    every: timedelta


def declared_jobs() -> list[PeriodicJob]:
    from fanloop.periodic import PERIODIC_JOBS

    return list(PERIODIC_JOBS)


def tick(jobs: list[PeriodicJob], now: datetime | None = None) -> list[str]:
    """Enqueue every job that is due; returns the names enqueued by this process."""
    now = now or timezone.now()
    enqueued = []
    for periodic in jobs:
        state, _ = PeriodicJobState.objects.get_or_create(
            name=periodic.name, defaults={"next_run_at": now}
        )
        if state.next_run_at > now:
            continue
        claimed = PeriodicJobState.objects.filter(
            pk=state.pk, next_run_at=state.next_run_at
        ).update(next_run_at=now + periodic.every, last_run_at=now)
        if claimed != 1:
            continue  # another scheduler took this run
        result = periodic.task.enqueue()
        PeriodicJobState.objects.filter(pk=state.pk).update(last_job_id=str(result.id))
        enqueued.append(periodic.name)
        log.info("enqueued periodic job %s as %s", periodic.name, result.id)
    return enqueued


def run_forever(stop: threading.Event, tick_seconds: float) -> None:
    jobs = declared_jobs()
    log.info("scheduler started with %d periodic jobs", len(jobs))
    while not stop.is_set():
        try:
            tick(jobs)
        except Exception:
            log.exception("scheduler tick failed; trying again next tick")
        stop.wait(tick_seconds)
    log.info("scheduler stopped")
