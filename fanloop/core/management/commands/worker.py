from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run a background worker: the database queue by default, RQ on Redis when "
        "REDIS_URL is set. Start several for more throughput."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="run what is queued now, then exit"
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        queues = settings.JOB_QUEUES
        if settings.REDIS_URL:
            rq_options: dict[str, Any] = {
                "job_class": "django_tasks_rq.Job",
                "with_scheduler": True,
                "burst": options["burst"],
            }
            if options["max_tasks"]:
                rq_options["max_jobs"] = options["max_tasks"]
            call_command("rqworker", *queues, **rq_options)
        else:
            db_options: dict[str, Any] = {
                "queue_name": ",".join(queues),
                "batch": options["burst"],
                "reload": False,
                "startup_delay": False,
            }
            if options["max_tasks"]:
                db_options["max_tasks"] = options["max_tasks"]
            call_command("db_worker", **db_options)
