"""Publishing dispatch: N jobs due within one window, two publisher processes, sandbox.

Builds a fresh SQLite database (or the PostgreSQL one in ``BENCH_DATABASE_URL``), a
simulated (sandbox) account and ``--jobs`` scheduled variants with publish jobs whose due
times are spread evenly over ``--window`` seconds, then starts two ``fanloop publisher``
processes and waits until every job is settled. Reports dispatch lateness (published_at -
due_at) p50 / p99 / max, and proves zero duplicates (one sandbox post per job key, one
publishing attempt that reached the platform per job, distinct remote ids) and zero
losses (every job published).

Scenarios, in one run:
1. ``steady``: two workers, nobody killed.
2. ``kill``: two workers, one is SIGKILLed ``--kill-at`` of the way through the window;
   the jobs it held are settled by reconciliation after their lease (``--lease`` s).
3. ``baseline`` (the ratio): drain capacity — ``--burst`` jobs all due at once, one
   worker vs two; prints jobs/s of each and the ratio, i.e. what the second worker adds.

The set-up writes rows directly (bulk_create) — it is not what is measured; what is
measured goes through the real claim / publish_problems / connector / record path.

Run: ``.venv/bin/python bench/publishing_dispatch.py [--jobs 10000 --window 600]``
(``--jobs 2000 --window 120`` for a compressed run).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_tmp = tempfile.TemporaryDirectory(prefix="fanloop-bench-publish-")
os.environ["FANLOOP_DATA_DIR"] = _tmp.name
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from fanloop.channels.models import (  # noqa: E402
    ChannelAccount,
    JobState,
    PublishAttempt,
    PublishJob,
    SandboxPost,
)
from fanloop.channels.services import accounts  # noqa: E402
from fanloop.content.models import ContentItem, Variant, VariantState  # noqa: E402
from fanloop.core import services as core  # noqa: E402
from fanloop.core.models import User, Workspace  # noqa: E402

BODY = "春季新品上市，轻薄透气，适合通勤穿搭。欢迎来店里看看。第{n}篇。"
PLATFORMS = ("weibo", "zhihu")


def setup() -> tuple[User, Workspace, dict[str, ChannelAccount]]:
    call_command("migrate", verbosity=0)
    user = core.create_user(
        actor=None, username=f"bench-{uuid.uuid4().hex[:6]}", password="bench-pass-123456"
    )
    workspace = core.create_workspace(
        actor=user, name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}"
    )
    made = {
        platform: accounts.connect_account(
            actor=user,
            workspace=workspace,
            platform=platform,
            display_name=f"{platform} sandbox",
            simulated=True,
        )
        for platform in PLATFORMS
    }
    return user, workspace, made


def make_jobs(
    user: User,
    workspace: Workspace,
    made: dict[str, ChannelAccount],
    count: int,
    window: float,
    start_in: float,
) -> float:
    """``count`` scheduled variants + jobs due evenly over ``window`` s from now+start_in."""
    start = timezone.now() + timedelta(seconds=start_in)
    step = window / max(count, 1)
    items = ContentItem.objects.bulk_create(
        ContentItem(
            workspace=workspace,
            title=f"基准帖子 {n}",
            content_type="image_text",
            purpose="product_intro",
            owner=user,
            created_by=user,
        )
        for n in range(count)
    )
    variants = Variant.objects.bulk_create(
        Variant(
            item=item,
            workspace=workspace,
            platform=PLATFORMS[n % len(PLATFORMS)],
            title=f"基准帖子 {n}",
            body=BODY.format(n=n),
            state=VariantState.SCHEDULED,
            planned_at=start + timedelta(seconds=n * step),
        )
        for n, item in enumerate(items)
    )
    PublishJob.objects.bulk_create(
        (
            PublishJob(
                workspace=workspace,
                variant=variant,
                account=made[variant.platform],
                due_at=variant.planned_at or start,
                idempotency_key=uuid.uuid4().hex,
            )
            for variant in variants
        ),
        batch_size=2000,
    )
    return start.timestamp()


def start_worker(name: str, lease: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FANLOOP_PUBLISH_LEASE_SECONDS": str(lease),
        "FANLOOP_PUBLISH_POLL_MS": "200",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "fanloop.cli", "publisher", "--name", name, "--batch", "10"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def settled(workspace: Workspace) -> tuple[int, int]:
    jobs = PublishJob.objects.filter(workspace=workspace)
    done = jobs.filter(state__in=[JobState.PUBLISHED, JobState.FAILED, JobState.NEEDS_CHECK])
    return done.count(), jobs.count()


def wait_all(workspace: Workspace, deadline: float, label: str) -> None:
    last = -1
    while time.time() < deadline:
        done, total = settled(workspace)
        if done != last:
            print(f"  [{label}] settled {done}/{total}", file=sys.stderr, end="\r")
            last = done
        if done == total:
            print(file=sys.stderr)
            return
        time.sleep(1)
    print(file=sys.stderr)


def report(workspace: Workspace, label: str) -> dict[str, float]:
    jobs = list(
        PublishJob.objects.filter(workspace=workspace).values(
            "state", "due_at", "published_at", "idempotency_key", "remote_id", "id"
        )
    )
    published = [j for j in jobs if j["state"] == JobState.PUBLISHED]
    # When the publish call returned (the sandbox's own post time has whole seconds).
    finished: dict[int, datetime] = dict(
        PublishAttempt.objects.filter(job__workspace=workspace, outcome=JobState.PUBLISHED)
        .values_list("job_id")
        .annotate(at=Max("finished_at"))
    )
    late = sorted(
        ((finished.get(j["id"]) or j["published_at"] or j["due_at"]) - j["due_at"]).total_seconds()
        for j in published
    )
    posts = SandboxPost.objects.filter(account__workspace=workspace)
    keys_posted = posts.values("idempotency_key").distinct().count()
    reached = (
        PublishAttempt.objects.filter(job__workspace=workspace, outcome=JobState.PUBLISHED)
        .values("job_id")
        .annotate(n=Count("id"))
    )
    twice = sum(1 for row in reached if row["n"] > 1)
    remote_ids = {j["remote_id"] for j in published}
    lost = len(jobs) - len(published)
    duplicates = (posts.count() - keys_posted) + twice + (len(published) - len(remote_ids))
    p50 = statistics.median(late) if late else float("nan")
    p99 = late[min(len(late) - 1, int(len(late) * 0.99))] if late else float("nan")
    states: dict[str, int] = {}
    for j in jobs:
        states[j["state"]] = states.get(j["state"], 0) + 1
    print(
        f"{label}: jobs {len(jobs)}, published {len(published)}, states {states}\n"
        f"  lateness p50 {p50:.2f} s, p99 {p99:.2f} s, max {late[-1] if late else 0:.2f} s\n"
        f"  sandbox posts {posts.count()} for {keys_posted} keys; jobs published by two "
        f"attempts {twice}; distinct remote ids {len(remote_ids)}\n"
        f"  => duplicates {duplicates}, losses {lost}"
    )
    return {"p50": p50, "p99": p99, "duplicates": duplicates, "lost": lost}


def scenario(
    label: str, count: int, window: float, lease: int, kill_at: float | None, workers: int = 2
) -> dict[str, float]:
    user, workspace, made = setup()
    start = make_jobs(user, workspace, made, count, window, start_in=5.0)
    procs = [start_worker(f"{label}-w{i}", lease) for i in range(workers)]
    held_ids: list[int] = []
    tries = 0
    deadline = start + window + lease + 120
    try:
        while kill_at is not None and not held_ids and time.time() < deadline and tries < 30:
            victim = f"{label}-w0/" if tries == 0 else f"{label}-w0r{tries}/"
            if time.time() >= start + window * kill_at + tries:
                # A worker dies mid-publish; the other carries on and reconciliation
                # settles whatever the dead one held once its lease runs out.
                procs[0].send_signal(signal.SIGKILL)
                procs[0].wait()
                tries += 1
                held_ids = list(
                    PublishJob.objects.filter(
                        workspace=workspace,
                        state=JobState.PUBLISHING,
                        claimed_by__startswith=victim,
                    ).values_list("id", flat=True)
                )
                print(f"  [{label}] SIGKILLed {victim[:-1]}; it held {len(held_ids)} jobs")
                if not held_ids:  # it was between jobs: start another and try again
                    procs[0] = start_worker(f"{label}-w0r{tries}", lease)
            time.sleep(0.05)
        wait_all(workspace, deadline, label)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
    if held_ids:
        settled_held = PublishJob.objects.filter(pk__in=held_ids)
        late = [
            (j.published_at - j.due_at).total_seconds() if j.published_at else None
            for j in settled_held
        ]
        print(
            f"  [{label}] the {len(held_ids)} jobs held by the killed worker ended "
            f"{sorted({j.state for j in settled_held})}, lateness {late} s "
            f"(lease {lease} s, then reconciliation)"
        )
    return report(workspace, label)


def drain_rate(count: int, workers: int) -> float:
    user, workspace, made = setup()
    make_jobs(user, workspace, made, count, 0.0, start_in=-1.0)
    began = time.time()
    procs = [start_worker(f"drain-w{i}", 120) for i in range(workers)]
    wait_all(workspace, began + 600, f"drain x{workers}")
    elapsed = time.time() - began
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=600.0)
    parser.add_argument("--lease", type=int, default=30)
    parser.add_argument("--kill-at", type=float, default=0.4)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--skip", default="", help="comma list of steady,kill,baseline")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    print(f"database: {connection.vendor}; {args.jobs} jobs due within {args.window:.0f} s")
    results = {}
    if "steady" not in skip:
        results["steady"] = scenario("steady", args.jobs, args.window, args.lease, None)
    if "kill" not in skip:
        results["kill"] = scenario("kill", args.jobs, args.window, args.lease, args.kill_at)
    if "baseline" not in skip:
        one = drain_rate(args.burst, 1)
        two = drain_rate(args.burst, 2)
        print(
            f"baseline drain of {args.burst} jobs due at once: 1 worker {one:.1f} jobs/s, "
            f"2 workers {two:.1f} jobs/s, ratio {two / one:.2f}x; needed for the window: "
            f"{args.jobs / args.window:.1f} jobs/s"
        )
    for label, figures in results.items():
        verdict = "OK" if figures["duplicates"] == 0 and figures["lost"] == 0 else "FAILED"
        print(f"{label}: p99 {figures['p99']:.2f} s (target < 5 s); {verdict}")


if __name__ == "__main__":
    main()
