from typing import Any

from django.core.management.base import CommandParser

from fanloop.core import demo
from fanloop.core.management.base import FanloopCommand


class Command(FanloopCommand):
    help = (
        "Seed the demo workspace with one user per role (keeps existing data); "
        "--reset wipes the demo workspaces and users first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--reset", action="store_true", help="delete demo data first")
        parser.add_argument(
            "--password", default=demo.DEMO_PASSWORD, help="password for newly created demo users"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            demo.reset()
        result = demo.seed(password=options["password"])
        data = {
            "workspace": result.workspace.slug,
            "users": [
                {
                    "username": name,
                    "role": role,
                    "password": result.password if name in result.created_users else None,
                }
                for name, role in result.users.items()
            ],
        }
        lines = [f"Demo workspace: {result.workspace.name} (/w/{result.workspace.slug}/)"]
        for name, role in result.users.items():
            secret = result.password if name in result.created_users else "(unchanged)"
            lines.append(f"  {name:<16} {role:<10} password: {secret}")
        lines.append("Change these passwords before you let anyone else reach this server.")
        self.emit(options, data, "\n".join(lines))
