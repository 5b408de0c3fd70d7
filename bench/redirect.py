"""Tracking redirect ``/l/<code>`` with click logging vs a bare 302 on the same server.

Starts gunicorn exactly as ``fanloop run`` does (gthread, 2 workers x 4 threads, graceful
timeout 10 s, access log on) on a free loopback port, on a fresh SQLite database in a
temporary FANLOOP_DATA_DIR (and again on PostgreSQL when DATABASE_URL is set), with a
few tracking links. In the same run it measures both

* the redirect: link lookup (cached), UA class, IP hash, buffered click log, 302;
* the baseline ``/l-bench/302`` (enabled by FANLOOP_BENCH_ENDPOINTS): a bare 302 with
  the same headers, answered where cached links are (fanloop.wsgi, before Django's
  middleware), with no lookup and no logging;

first closed-loop with ``wrk --latency`` at fixed connections (throughput, p50/p99),
then open-loop at a constant 1,000 requests/s with a small asyncio generator that times
each request from its *scheduled* start, so a stall shows up in p99 instead of quietly
lowering the rate (what wrk2 would do). Targets: p99 < 10 ms at 1,000 rps and at least
half the baseline's throughput.

Before the server starts it also measures the CPU time per request of both endpoints in
one thread in-process (the redirect including the write of its click): a figure a shared,
busy machine hardly changes.

Then it stops gunicorn with SIGTERM (a graceful shutdown) and checks that every
redirect the server answered (counted from gunicorn's access log) is a stored click.

Run: ``.venv/bin/python bench/redirect.py [--duration 10] [--connections 16]``.
``wrk`` comes from Debian (``apt-get install -y wrk``); the script installs it when run
as root, else says how and runs the constant-rate part only.
"""

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
LINKS = 5
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (Linux; Android 13; V2217A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/101.0 Mobile Safari/537.36 Weibo (vivo-V2217A__weibo__13.12.1__android__android13)",
    "Mozilla/5.0 (Linux; Android 12; PFJM10) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0 "
    "Mobile Safari/537.36 aweme_280500 AppName/aweme BytedanceWebview/d8a21c6",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
]
REFERRERS = ["https://m.weibo.cn/status/1", "https://www.douyin.com/video/2", ""]


# --- helper modes: run in a child with the suite's environment ----------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")
    import django

    django.setup()


def prepare() -> None:
    """Migrate, create a workspace and LINKS links; print their codes and ids as JSON."""
    _django()
    import secrets

    from django.core.management import call_command

    from fanloop.core.models import Workspace
    from fanloop.tracking.models import TrackingLink

    call_command("migrate", interactive=False, verbosity=0)
    tag = secrets.token_hex(4)
    workspace = Workspace.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    links = [
        TrackingLink.objects.create(
            workspace=workspace,
            code=f"b{tag}{i}",
            destination_url=f"https://shop.example.com/item/{i}?ref=bench",
            utm_source="weibo",
            utm_medium="social",
            utm_campaign="bench",
        )
        for i in range(LINKS)
    ]
    # its own link, so these clicks stay out of the served-vs-stored check
    cpu = TrackingLink.objects.create(
        workspace=workspace, code=f"b{tag}cpu", destination_url="https://shop.example.com/"
    )
    print(
        json.dumps(
            {"codes": [x.code for x in links], "ids": [x.id for x in links], "cpu_code": cpu.code}
        )
    )


def cpu_cost(code: str) -> None:
    """CPU per request in one thread, no server, no load generator: a figure that other
    work on the machine barely moves (it only slows the clock, not the count of work)."""
    _django()
    import io

    from django.conf import settings

    from fanloop.tracking import clicklog
    from fanloop.wsgi import application

    settings.TRACKING_CLICKLOG_BACKGROUND = False  # flush by hand, inside the measurement

    def call(path: str, i: int) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http",
            "REMOTE_ADDR": f"10.0.{i % 200}.{i % 250}",
            "HTTP_USER_AGENT": USER_AGENTS[i % len(USER_AGENTS)],
        }
        b"".join(application(environ, lambda status, headers: None))  # type: ignore[arg-type]

    result = {}
    for name, path in (("baseline", "/l-bench/302"), ("redirect", f"/l/{code}")):
        for i in range(200):
            call(path, i)
        clicklog.flush()
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            for i in range(2000):
                call(path, i)
            clicklog.flush()
            best = min(best, (time.process_time() - started) / 2000)
        result[name] = best
    print(json.dumps(result))


def count(ids: list[int]) -> None:
    _django()
    from fanloop.analytics.rollups import process_dirty
    from fanloop.tracking.models import Click

    failed = 0
    while True:  # the rollup job flags repeats
        done = process_dirty()
        failed += done["failed"]
        if not done["days"]:
            break
    clicks = Click.objects.filter(link_id__in=ids)
    print(
        json.dumps(
            {
                "rollup_days_failed": failed,
                "clicks": clicks.count(),
                "bots": clicks.filter(is_bot=True).count(),
                "repeats": clicks.filter(is_repeat=True).count(),
            }
        )
    )


# --- the server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, logdir: Path) -> subprocess.Popen[bytes]:
    # The flags of fanloop/core/management/commands/run.py, logs to files instead of stdout.
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "fanloop.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        str(logdir / "access.log"),
        "--error-logfile",
        str(logdir / "error.log"),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/l-bench/302")
            status = conn.getresponse().status
            conn.close()
        except OSError:
            time.sleep(0.2)
            continue
        if status == 302:
            return server
        server.kill()
        raise SystemExit(f"/l-bench/302 answered {status}, not 302: is the endpoint enabled?")
    server.kill()
    errors = (logdir / "error.log").read_text() if (logdir / "error.log").exists() else ""
    raise SystemExit(f"gunicorn did not answer on port {port}:\n{errors[-3000:]}")


# --- wrk: closed loop at fixed connections ------------------------------------------

WRK_SCRIPT = """
local codes = {%(codes)s}
local uas = {%(uas)s}
local refs = {%(refs)s}
local i = 0
request = function()
  i = i + 1
  local headers = {["User-Agent"] = uas[i %% #uas + 1]}
  local ref = refs[i %% #refs + 1]
  if ref ~= "" then headers["Referer"] = ref end
  return wrk.format("GET", "/l/" .. codes[i %% #codes + 1], headers)
end
"""


def find_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        print(f"load generator: {found}")
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found; installing it with apt-get install -y wrk ...")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
        if found:
            print(f"load generator: {found} (just installed)")
            return found
    print(
        "wrk is MISSING: install it (Debian/Ubuntu: `sudo apt-get install -y wrk`) for the "
        "fixed-connection runs; running the constant-rate part only."
    )
    return None


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def run_wrk(
    wrk: str, url: str, seconds: int, connections: int, script: Path | None
) -> dict[str, float]:
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", out, re.MULTILINE))
    if set(latency) != {"50", "99"} or "Requests/sec" not in out:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.MULTILINE)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50": _seconds(latency["50"]),
        "p99": _seconds(latency["99"]),
        "bad": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",  # type: ignore[dict-item]
    }


# --- open loop: a constant request rate ---------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def _constant_rate(
    port: int, paths: list[str], rate: int, seconds: int, pool: int
) -> dict[str, float]:
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures = 0

    def build(i: int) -> bytes:
        ua = USER_AGENTS[i % len(USER_AGENTS)]
        ref = REFERRERS[i % len(REFERRERS)]
        lines = [
            f"GET {paths[i % len(paths)]} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            f"User-Agent: {ua}",
        ]
        if ref:
            lines.append(f"Referer: {ref}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def connection() -> None:
        nonlocal failures
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while (item := await queue.get()) is not None:
            i, scheduled = item
            try:
                if writer is None or reader is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(build(i))
                status, close = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError):
                failures += 1
                writer = reader = None
                continue
            # From the time the request was due, not when a connection got to it.
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1
            if close:
                writer.close()
                writer = reader = None
        if writer is not None:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(pool)]
    total = rate * seconds
    start = time.perf_counter() + 0.1
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    latencies.sort()
    done = len(latencies)
    return {
        "sent": total,
        "done": done,
        "rps": done / elapsed,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[min(done - 1, int(done * 0.99))] if latencies else float("nan"),
        "max": latencies[-1] if latencies else float("nan"),
        "failures": failures,
        "statuses": statuses,  # type: ignore[dict-item]
    }


def constant_rate(port: int, paths: list[str], rate: int, seconds: int) -> dict[str, float]:
    return asyncio.run(_constant_rate(port, paths, rate, seconds, pool=64))


# --- one suite per database ---------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run_suite(
    label: str, base_env: dict[str, str], args: argparse.Namespace, wrk: str | None
) -> bool:
    print(f"\n== {label} ==")
    with tempfile.TemporaryDirectory(prefix="fanloop-bench-redirect-") as tmp:
        env = {**base_env, "FANLOOP_DATA_DIR": tmp, "FANLOOP_BENCH_ENDPOINTS": "1"}
        child = [PYTHON, str(Path(__file__).resolve())]
        prepared = json.loads(
            subprocess.run(
                [*child, "--_prepare"], env=env, check=True, capture_output=True, text=True
            ).stdout
        )
        codes: list[str] = prepared["codes"]
        cpu = json.loads(
            subprocess.run(
                [*child, "--_cpu", prepared["cpu_code"]],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        print(
            f"CPU per request, one thread in-process (best of 3 x 2,000): baseline "
            f"{cpu['baseline'] * 1e6:.1f} µs, redirect incl. writing its click "
            f"{cpu['redirect'] * 1e6:.1f} µs (both answered before Django's middleware)"
        )
        port = free_port()
        logdir = Path(tmp)
        server = start_gunicorn(env, port, logdir)
        ok = True
        try:
            base = f"http://127.0.0.1:{port}"
            redirect_paths = [f"/l/{code}" for code in codes]
            # warm both: imports, link cache, DB connections, flusher threads
            constant_rate(port, ["/l-bench/302"], 500, 1)
            constant_rate(port, redirect_paths, 500, 1)

            if wrk:
                script = logdir / "redirect.lua"
                quoted = lambda items: ", ".join(json.dumps(x) for x in items)  # noqa: E731
                script.write_text(
                    WRK_SCRIPT
                    % {
                        "codes": quoted(codes),
                        "uas": quoted(USER_AGENTS),
                        "refs": quoted(REFERRERS),
                    }
                )
                floor = run_wrk(wrk, f"{base}/l-bench/302", args.duration, args.connections, None)
                real = run_wrk(wrk, f"{base}/l/{codes[0]}", args.duration, args.connections, script)
                ratio = real["rps"] / floor["rps"]
                print(f"wrk, {args.connections} connections, {args.duration} s each:")
                for name, r in (("baseline /l-bench/302", floor), ("redirect /l/<code>   ", real)):
                    print(
                        f"  {name}  {r['rps']:8.0f} req/s  p50 {ms(r['p50'])}  "
                        f"p99 {ms(r['p99'])}  non-3xx {r['bad']}"
                        + (f"  socket errors: {r['socket_errors']}" if r["socket_errors"] else "")
                    )
                print(f"  throughput ratio redirect/baseline: {ratio:.2f} (target >= 0.50)")
                ok &= ratio >= 0.5 and real["bad"] == 0

            print(f"constant rate {args.rate} req/s, {args.duration} s each (open loop):")
            results = {}
            for name, paths in (
                ("baseline /l-bench/302", ["/l-bench/302"]),
                ("redirect /l/<code>   ", redirect_paths),
            ):
                r = constant_rate(port, paths, args.rate, args.duration)
                results[name] = r
                print(
                    f"  {name}  {r['rps']:8.0f} req/s  p50 {ms(r['p50'])}  p99 {ms(r['p99'])}  "
                    f"max {ms(r['max'])}  done {r['done']}/{r['sent']}  statuses {r['statuses']}"
                    f"  failures {r['failures']}"
                )
            real_cr = results["redirect /l/<code>   "]
            print(f"  redirect p99 at {args.rate} req/s: {ms(real_cr['p99'])} (target < 10 ms)")
            ok &= real_cr["p99"] < 0.010 and real_cr["failures"] == 0
        finally:
            stop_started = time.perf_counter()
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                print("gunicorn did not stop within 30 s; killed it")
                ok = False
            stop_seconds = time.perf_counter() - stop_started

        answered = sum(
            1
            for line in (logdir / "access.log").read_text().splitlines()
            if re.search(r'"GET /l/[^ ]+ HTTP/1\.1" 302 ', line)
        )
        counted = subprocess.run(
            [*child, "--_count", *map(str, prepared["ids"])],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        stored = json.loads(counted.stdout)
        if stored["rollup_days_failed"]:
            print(f"the rollup failed on {stored['rollup_days_failed']} days:")
            print(counted.stderr[-3000:])
            ok = False
        errors = (logdir / "error.log").read_text().splitlines()
        boots = sum("Booting worker" in line for line in errors)
        trouble = [line for line in errors if re.search(r"TIMEOUT|SIGKILL|Traceback|ERROR", line)]
        if boots != 2 or trouble:
            print(f"gunicorn booted {boots} workers (2 expected); its error log says:")
            print("\n".join(f"  {line}" for line in trouble[:20]))
        lost = answered - stored["clicks"]
        print(
            f"graceful shutdown took {stop_seconds:.1f} s; redirects answered (access log): "
            f"{answered:,}; clicks stored: {stored['clicks']:,} "
            f"(bots {stored['bots']:,}, repeats {stored['repeats']:,}); "
            + ("nothing lost" if lost == 0 else f"MISMATCH: {lost:+,}")
        )
        ok &= lost == 0
        return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="which to run; PostgreSQL only when DATABASE_URL is set",
    )
    parser.add_argument("--_prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_count", nargs="+", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--_cpu", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._prepare:
        prepare()
        return
    if args._count:
        count(args._count)
        return
    if args._cpu:
        cpu_cost(args._cpu)
        return

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{os.cpu_count()} CPUs, load average {load} before the run (other work on the machine "
        "skews every figure; the ratio is the comparable one); gunicorn gthread 2 workers x 4 "
        "threads, as `fanloop run`"
    )
    wrk = find_wrk()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "FANLOOP_DATA_DIR"}}
    ok = True
    if "sqlite" in args.databases:
        ok &= run_suite("SQLite", env, args, wrk)
    if "postgresql" in args.databases and os.environ.get("DATABASE_URL"):
        ok &= run_suite(
            "PostgreSQL", {**env, "DATABASE_URL": os.environ["DATABASE_URL"]}, args, wrk
        )
    else:
        print("\n(set DATABASE_URL to run the PostgreSQL variant too)")
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED (see above)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
