"""The publishing loop: claim due jobs, publish them, reconcile the stale ones.

Run one or more (``fanloop publisher``; ``fanloop run`` starts one). Workers share the
work through the conditional UPDATEs in :mod:`fanloop.channels.services.dispatch`, so
adding a worker adds throughput and killing one loses nothing.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from fanloop.channels.services import dispatch

log = logging.getLogger(__name__)
RECONCILE_EVERY_SECONDS = 10.0


def run_once(worker: str, *, batch: int = 20) -> int:
    """One round: claim a batch and publish it; returns how many jobs were handled."""
    jobs = dispatch.claim_due(worker, limit=batch)
    for job in jobs:
        outcome = dispatch.dispatch(job, worker)
        log.info("job %s: %s %s", outcome.job_id, outcome.state, outcome.detail[:200])
    return len(jobs)


def housekeeping() -> None:
    for outcome in dispatch.reconcile_stale():
        log.info("reconciled job %s: %s", outcome.job_id, outcome.state)
    dispatch.adopt_orphans()


def run_forever(
    worker: str, stop: threading.Event, *, batch: int = 20, max_jobs: int | None = None
) -> int:
    handled = 0
    next_housekeeping = 0.0
    log.info("publisher %s started", worker)
    while not stop.is_set():
        try:
            if time.monotonic() >= next_housekeeping:
                housekeeping()
                next_housekeeping = time.monotonic() + RECONCILE_EVERY_SECONDS
            done = run_once(worker, batch=batch)
        except Exception:
            log.exception("publisher round failed; trying again")
            close_old_connections()
            done = 0
        handled += done
        if max_jobs is not None and handled >= max_jobs:
            break
        if done == 0:
            stop.wait(settings.PUBLISH_POLL_SECONDS)
    log.info("publisher %s stopped after %d jobs", worker, handled)
    return handled
