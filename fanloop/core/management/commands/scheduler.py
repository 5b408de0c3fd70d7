import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fanloop.core import scheduler


class Command(BaseCommand):
    help = "Enqueue the periodic jobs declared in fanloop/periodic.py when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            names = scheduler.tick(scheduler.declared_jobs())
            self.stdout.write("enqueued: " + (", ".join(names) or "nothing due"))
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        scheduler.run_forever(stop, settings.SCHEDULER_TICK_SECONDS)
