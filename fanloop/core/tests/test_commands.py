"""The fanloop command: help, createuser, token, demo, scheduler, and run with Ctrl-C."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fanloop.core import scheduler
from fanloop.core.demo import DEMO_WORKSPACE
from fanloop.core.models import Membership, PeriodicJobState, User, Workspace
from fanloop.core.tests.sample_jobs import add
from fanloop.core.tests.test_background_jobs import test_database_url

REPO = Path(__file__).resolve().parents[3]


def fanloop(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_help_lists_the_fanloop_commands():
    result = subprocess.run(
        [sys.executable, "-m", "fanloop.cli", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for command in ("run", "worker", "scheduler", "demo", "createuser", "token"):
        assert f"  {command} " in result.stdout


@pytest.mark.django_db
def test_createuser_adds_a_member_with_a_role_and_prints_json(workspace):
    out = fanloop(
        "createuser",
        "--username",
        "lin",
        "--password",
        "spring-sale-2026",
        "--workspace",
        workspace.slug,
        "--role",
        "operator",
        "--json",
    )
    data = json.loads(out)
    assert data == {"id": data["id"], "username": "lin", "workspace": "brand-a", "role": "operator"}
    assert Membership.objects.get(user__username="lin", workspace=workspace).role == "operator"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "weak", "--password", "123"], "password"),
        (["--username", "x", "--password", "spring-sale-2026", "--workspace", "nope"], "nope"),
        (["--username", "alice", "--password", "spring-sale-2026"], "username"),
    ],
)
def test_createuser_refuses_bad_input_and_writes_nothing(admin_user, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError, match=message):
        fanloop("createuser", *args)
    assert User.objects.count() == before


@pytest.mark.django_db
def test_createuser_rejects_an_unknown_role(workspace):
    with pytest.raises(CommandError):
        fanloop(
            "createuser",
            "--username",
            "x",
            "--password",
            "spring-sale-2026",
            "--workspace",
            workspace.slug,
            "--role",
            "owner",
        )
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_token_create_prints_a_working_key_and_revoke_kills_it(admin_user):
    created = json.loads(fanloop("token", "create", "alice", "--name", "bi", "--json"))
    client = Client()
    assert (
        client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {created['key']}").json()["username"]
        == "alice"
    )
    listed = json.loads(fanloop("token", "list", "alice", "--json"))
    assert [row["name"] for row in listed] == ["bi"]
    assert "key" not in listed[0]
    fanloop("token", "revoke", "alice", "--id", str(created["id"]))
    assert (
        client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {created['key']}").status_code == 401
    )
    with pytest.raises(CommandError, match="nobody"):
        fanloop("token", "create", "nobody")


@pytest.mark.django_db
def test_demo_seeds_every_role_once_and_keeps_data(django_capture_on_commit_callbacks):
    first = json.loads(fanloop("demo", "--json"))
    workspace = Workspace.objects.get(slug=DEMO_WORKSPACE[0])
    roles = set(workspace.memberships.values_list("role", flat=True))
    assert roles == {"admin", "marketing", "content", "operator", "analyst", "reviewer", "viewer"}
    assert all(user["password"] for user in first["users"])
    workspace.description = "kept"
    workspace.save()
    second = json.loads(fanloop("demo", "--json"))
    assert all(user["password"] is None for user in second["users"])
    workspace.refresh_from_db()
    assert workspace.description == "kept"
    fanloop("demo", "--reset")
    assert Workspace.objects.get(slug=DEMO_WORKSPACE[0]).description != "kept"


# Scheduler ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_job_is_enqueued_once_and_rescheduled():
    job = scheduler.PeriodicJob("test.add", add, timedelta(minutes=10))
    now = timezone.now()
    assert scheduler.tick([job], now) == ["test.add"]
    state = PeriodicJobState.objects.get(name="test.add")
    assert state.next_run_at == now + timedelta(minutes=10)
    assert DBTaskResult.objects.filter(id=state.last_job_id).exists()
    # not due again until the interval has passed
    assert scheduler.tick([job], now + timedelta(minutes=5)) == []
    assert scheduler.tick([job], now + timedelta(minutes=10)) == ["test.add"]
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_two_schedulers_racing_for_one_run_enqueue_it_once(monkeypatch):
    job = scheduler.PeriodicJob("test.race", add, timedelta(minutes=10))
    now = timezone.now()
    PeriodicJobState.objects.create(name="test.race", next_run_at=now)
    # the other scheduler claims the run between our read and our UPDATE
    real_filter = PeriodicJobState.objects.filter

    def other_claims_first(*args, **kwargs):
        if "next_run_at" in kwargs:
            real_filter(name="test.race").update(next_run_at=now + timedelta(minutes=10))
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(PeriodicJobState.objects, "filter", other_claims_first)
    assert scheduler.tick([job], now) == []
    assert not DBTaskResult.objects.exists()


def test_periodic_jobs_are_declared_as_real_tasks():
    from django.tasks import Task

    jobs = scheduler.declared_jobs()
    assert jobs
    assert all(isinstance(job.task, Task) and job.every > timedelta(0) for job in jobs)
    assert len({job.name for job in jobs}) == len(jobs)


@pytest.mark.django_db(transaction=True)
def test_scheduler_once_as_a_process():
    env = dict(os.environ, DATABASE_URL=test_database_url())
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "fanloop.cli", "scheduler", "--once"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "core.prune_job_history" in result.stdout
    assert PeriodicJobState.objects.filter(name="core.prune_job_history").exists()


# fanloop run ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> set[int]:
    children: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            children.add(int(entry.name))
            children |= descendants(int(entry.name))
    return children


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_run_serves_pages_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["FANLOOP_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "fanloop.cli", "run", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # migrations on a fresh database take most of a minute on a busy 2-core machine
        deadline = time.monotonic() + 150
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
        assert status == 200
        children = descendants(process.pid)
        assert len(children) >= 3  # web (master + workers), worker, scheduler
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Fanloop stopped." in output
    time.sleep(0.5)
    assert not [pid for pid in children if alive(pid)]
