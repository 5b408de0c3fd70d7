import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

STOP_GRACE_SECONDS = 15


class Command(BaseCommand):
    help = (
        "Serve Fanloop: web server, background worker, periodic scheduler and publisher "
        "together, "
        "in the foreground until Ctrl-C. Applies pending migrations first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--no-scheduler", action="store_true")
        parser.add_argument("--no-publisher", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "fanloop.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["web_workers"]),
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
                "--error-logfile",
                "-",
            ],
        }
        if not options["no_worker"]:
            commands["worker"] = [python, "-m", "fanloop.cli", "worker"]
        if not options["no_scheduler"]:
            commands["scheduler"] = [python, "-m", "fanloop.cli", "scheduler"]
        if not options["no_publisher"]:
            commands["publisher"] = [python, "-m", "fanloop.cli", "publisher"]

        stopping = False

        def on_signal(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        # Children get their own process group so Ctrl-C reaches them only through us,
        # in order, instead of all at once.
        children = {
            name: subprocess.Popen(cmd, start_new_session=True)  # noqa: S603
            for name, cmd in commands.items()
        }
        self.stdout.write(
            f"Fanloop is serving http://{options['host']}:{options['port']}/ "
            f"({', '.join(children)}). Press Ctrl-C to stop.",
        )
        failed = None
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    failed, stopping = name, True
                    break
            time.sleep(0.3)
        self._stop_all(children)
        if failed:
            raise CommandError(f"The {failed} process exited; stopped the others.")
        self.stdout.write("Fanloop stopped.")

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                child.kill()
                child.wait()
