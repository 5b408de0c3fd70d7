"""Background jobs: ``django.tasks`` with a retry policy and a failure record.

``@job(...)`` makes a ``django.tasks`` Task. When the function raises, the attempt is
recorded in :class:`JobFailure` (whatever the queue backend is) and, while attempts
remain, the same task is enqueued again after an exponential back-off; then the error
is re-raised so the backend marks this attempt failed with its traceback.
"""

import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.tasks import Task, TaskContext, task
from django.utils import timezone

from fanloop.core.models import JobFailure

ATTEMPT_KWARG = "_attempt"


def retry_delay(attempt: int, base_seconds: int) -> timedelta:
    return timedelta(seconds=base_seconds * (2 ** (attempt - 1)))


def job(
    *,
    max_attempts: int | None = None,
    retry_base_seconds: int | None = None,
    queue_name: str = "default",
    priority: int = 0,
) -> Callable[[Callable[..., Any]], Task[Any, Any]]:
    def decorate(func: Callable[..., Any]) -> Task[Any, Any]:
        def run(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            limit = max_attempts or settings.JOB_DEFAULT_MAX_ATTEMPTS
            base = (
                settings.JOB_RETRY_BASE_SECONDS
                if retry_base_seconds is None
                else retry_base_seconds
            )
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                will_retry = attempt < limit
                retry_at = timezone.now() + retry_delay(attempt, base) if will_retry else None
                JobFailure.objects.create(
                    task_path=context.task_result.task.module_path,
                    job_id=str(context.task_result.id),
                    attempt=attempt,
                    max_attempts=limit,
                    will_retry=will_retry,
                    retry_at=retry_at,
                    arguments={"args": list(args), "kwargs": kwargs},
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                    traceback="".join(traceback.format_exception(exc))[-20000:],
                )
                if will_retry:
                    wrapped.using(run_after=retry_at).enqueue(
                        *args, **kwargs, **{ATTEMPT_KWARG: attempt + 1}
                    )
                raise

        # Copy the identity by hand: functools.wraps would also set __wrapped__, and the
        # task backend would then read func's signature and miss the context argument.
        run.__name__ = func.__name__
        run.__qualname__ = func.__qualname__
        run.__module__ = func.__module__
        run.__doc__ = func.__doc__
        wrapped: Task[Any, Any] = task(
            takes_context=True, queue_name=queue_name, priority=priority
        )(run)
        return wrapped

    return decorate
