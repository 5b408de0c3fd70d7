"""Every periodic job of Fanloop, declared in one place. Domain apps add theirs here."""

from datetime import timedelta

from fanloop.core.scheduler import PeriodicJob
from fanloop.core.tasks import prune_job_history

PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("core.prune_job_history", prune_job_history, timedelta(hours=24)),
]
