"""Background jobs run in real worker processes, on the database queue and on Redis/RQ."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fanloop.core.jobs import retry_delay
from fanloop.core.models import JobFailure
from fanloop.core.tests import sample_jobs

REPO = Path(__file__).resolve().parents[3]
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def test_database_url() -> str:
    """The URL of the database this test run uses, for worker subprocesses."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def run_worker(*args: str, redis_url: str = "", timeout: int = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env["DATABASE_URL"] = test_database_url()
    if redis_url:
        env["REDIS_URL"] = redis_url
    return subprocess.run(
        [sys.executable, "-m", "fanloop.cli", "worker", "--burst", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


test_database_url.__test__ = False  # type: ignore[attr-defined]


def test_retry_delay_doubles_each_attempt():
    assert [retry_delay(n, 30) for n in (1, 2, 3)] == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
    ]
    assert retry_delay(4, 0) == timedelta(0)


@pytest.mark.django_db(transaction=True)
def test_job_enqueued_on_sqlite_or_postgres_runs_in_the_worker():
    # given a job on the default (database) queue
    result = sample_jobs.add.enqueue(2, 40)
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY
    # when a worker process drains the queue
    worker = run_worker()
    # then the job ran there and its result is stored
    assert worker.returncode == 0, worker.stderr
    finished = sample_jobs.add.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == 42


@pytest.mark.django_db(transaction=True)
def test_failing_job_is_recorded_and_retried_until_it_gives_up():
    result = sample_jobs.always_fails.enqueue("A")
    worker = run_worker()
    assert worker.returncode == 0, worker.stderr
    failures = list(JobFailure.objects.order_by("attempt"))
    assert [(f.attempt, f.max_attempts, f.will_retry) for f in failures] == [
        (1, 3, True),
        (2, 3, True),
        (3, 3, False),
    ]
    assert all(f.task_path.endswith("sample_jobs.always_fails") for f in failures)
    assert all("RuntimeError: boom A" in f.error for f in failures)
    assert "Traceback" in failures[-1].traceback
    assert failures[-1].retry_at is None
    assert failures[0].arguments == {"args": ["A"], "kwargs": {}}
    # the backend keeps each attempt as a failed result with its exception
    attempts = DBTaskResult.objects.filter(task_path__endswith="always_fails")
    assert attempts.count() == 3
    assert set(attempts.values_list("status", flat=True)) == {TaskResultStatus.FAILED}
    first = DBTaskResult.objects.get(id=result.id)
    assert first.exception_class_path == "builtins.RuntimeError"


@pytest.mark.django_db(transaction=True)
def test_transient_failure_succeeds_on_retry(tmp_path):
    marker = tmp_path / "tries"
    sample_jobs.fails_once.enqueue(str(marker))
    worker = run_worker()
    assert worker.returncode == 0, worker.stderr
    assert marker.read_text() == "2"
    failure = JobFailure.objects.get()
    assert (failure.attempt, failure.will_retry) == (1, True)
    assert "ConnectionError" in failure.error
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == sorted([TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL])


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_job_exactly_once(tmp_path):
    out = tmp_path / "ran.txt"
    for n in range(30):
        sample_jobs.append_line.enqueue(str(out), f"job-{n}")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = test_database_url()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "fanloop.cli", "worker", "--burst"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    lines = out.read_text().splitlines()
    assert sorted(lines) == sorted(f"job-{n}" for n in range(30))
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 30


@pytest.fixture
def redis_queue(settings):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_TEST_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}")
    client.flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL}}
    yield client
    client.flushdb()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_same_job_runs_on_redis_rq(redis_queue):
    # given REDIS_URL is set, the job goes to RQ, not to the database
    result = sample_jobs.add.enqueue(20, 22)
    assert not DBTaskResult.objects.exists()
    assert redis_queue.llen("rq:queue:default") == 1
    # when an RQ worker drains the queue
    worker = run_worker(redis_url=REDIS_TEST_URL)
    assert worker.returncode == 0, worker.stderr
    # then the result is in Redis
    finished = sample_jobs.add.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == 42


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_failure_on_rq_is_recorded_too(redis_queue):
    result = sample_jobs.always_fails.using(backend="default").enqueue("R")
    worker = run_worker(redis_url=REDIS_TEST_URL)
    assert worker.returncode == 0, worker.stderr
    first = JobFailure.objects.order_by("attempt").first()
    assert first is not None
    assert first.job_id == str(result.id)
    assert first.will_retry
    assert sample_jobs.always_fails.get_result(result.id).status == TaskResultStatus.FAILED
