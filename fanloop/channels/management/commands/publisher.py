import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanloop.channels import dispatcher
from fanloop.channels.services.dispatch import worker_name


class Command(BaseCommand):
    help = (
        "Publish scheduled posts when they are due (and reconcile interrupted ones). "
        "Several may run at once; each job is published once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", default="", help="worker name shown in the publishing log")
        parser.add_argument("--batch", type=int, default=20, help="jobs claimed per round")
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--max-jobs", type=int, default=None, help="exit after this many")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = options["name"] or worker_name()
        if options["once"]:
            dispatcher.housekeeping()
            handled = dispatcher.run_once(worker, batch=options["batch"])
            self.stdout.write(f"handled {handled} jobs")
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        dispatcher.run_forever(worker, stop, batch=options["batch"], max_jobs=options["max_jobs"])
