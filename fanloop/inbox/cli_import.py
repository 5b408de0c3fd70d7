"""``fanloop import messages FILE``: fans' messages from a CSV, Excel or JSON file."""

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser

from fanloop.channels.imports.cli import MetricsSubcommand, ProgressBar
from fanloop.channels.imports.reader import FileProblem
from fanloop.core.management.base import FanloopCommand
from fanloop.inbox.services.imports import COLUMNS, import_messages


class MessagesSubcommand:
    name = "messages"
    help = "import fans' comments/DMs FILE (CSV, Excel or JSON) into the inbox"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV, .xlsx or .json file of messages")
        parser.add_argument("--workspace", help="workspace slug (needed if there are several)")
        parser.add_argument(
            "--account", type=int, help="account id for rows that name none (sets the platform)"
        )
        parser.add_argument(
            "--user", help="act as this user (permission check and audit); default: system"
        )
        parser.add_argument("--errors-out", help="write every row error to this CSV file")
        parser.add_argument(
            "--no-progress", action="store_true", help="do not print progress to stderr"
        )
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
        parser.epilog = "Columns (any of the names): " + "; ".join(
            f"{field}: {'/'.join(names)}" for field, names in COLUMNS.items()
        )

    def handle(self, command: FanloopCommand, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        workspace = MetricsSubcommand._workspace(options["workspace"])
        account = MetricsSubcommand._account(workspace, options["account"])
        actor = MetricsSubcommand._user(options["user"])
        bar = ProgressBar(command.stderr, enabled=not options["no_progress"])
        try:
            result = import_messages(
                actor=actor,
                workspace=workspace,
                data=path.read_bytes(),
                file_name=path.name,
                account=account,
                progress=bar,
            )
        except FileProblem as problem:
            raise CommandError(str(problem)) from problem
        except PermissionDenied as denied:
            raise CommandError(str(denied)) from denied
        except ValidationError as error:
            raise command.fail(error) from error
        if options["errors_out"]:
            with open(options["errors_out"], "w", newline="", encoding="utf-8-sig") as out:
                writer = csv.writer(out)
                writer.writerow(["row", "error"])
                writer.writerows((e.index, e.message) for e in result.errors)
        data = {
            "workspace": workspace.slug,
            "created": len(result.created),
            "duplicates": result.duplicates,
            "errors": [{"row": e.index, "message": e.message} for e in result.errors],
        }
        lines = [
            f"{path.name}: {len(result.created)} new messages, {result.duplicates} already there, "
            f"{len(result.errors)} rows with problems."
        ]
        lines += [f"  row {e.index}: {e.message}" for e in result.errors[:20]]
        if len(result.errors) > 20:
            lines.append(f"  … and {len(result.errors) - 20} more (--errors-out FILE lists all)")
        command.emit(options, data, "\n".join(lines))
