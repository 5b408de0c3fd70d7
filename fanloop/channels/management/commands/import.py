"""``fanloop import KIND ...``: bring data in from files.

Each kind is a subcommand object with ``name``, ``help``, ``add_arguments(parser)`` and
``handle(command, options)``; add one to :data:`SUBCOMMANDS` to add ``fanloop import KIND``.
"""

from typing import Any, Protocol

from django.core.management.base import CommandError, CommandParser

from fanloop.channels.imports.cli import MetricsSubcommand
from fanloop.core.management.base import FanloopCommand
from fanloop.inbox.cli_import import MessagesSubcommand
from fanloop.tracking.cli_import import OrdersSubcommand


class Subcommand(Protocol):
    name: str
    help: str

    def add_arguments(self, parser: CommandParser) -> None: ...

    def handle(self, command: FanloopCommand, options: dict[str, Any]) -> None: ...


SUBCOMMANDS: dict[str, Subcommand] = {
    sub.name: sub for sub in (MetricsSubcommand(), MessagesSubcommand(), OrdersSubcommand())
}


class Command(FanloopCommand):
    help = "Import data from files: " + "; ".join(
        f"{name} ({sub.help})" for name, sub in SUBCOMMANDS.items()
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # --json lives on each subcommand, so it can follow the subcommand's own options.
        kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
        for name, sub in SUBCOMMANDS.items():
            sub.add_arguments(kinds.add_parser(name, help=sub.help, description=sub.help))

    def handle(self, *args: Any, **options: Any) -> None:
        sub = SUBCOMMANDS.get(options.get("kind") or "")
        if sub is None:
            raise CommandError(f"Import what? One of: {', '.join(SUBCOMMANDS)}.")
        sub.handle(self, options)
