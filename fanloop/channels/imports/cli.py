"""``fanloop import metrics FILE``: the metric import from the shell.

A subcommand of ``fanloop import`` (see ``management/commands/import.py``): other imports
(orders, ...) register beside it.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser, OutputWrapper

from fanloop.channels.imports import profiles, services
from fanloop.channels.imports.profiles import BUILTIN, Profile
from fanloop.channels.imports.runner import Outcome, RowProblem
from fanloop.channels.models import ChannelAccount, ImportBatch, ImportProfile
from fanloop.core.management.base import FanloopCommand
from fanloop.core.models import User, Workspace


class ProgressBar:
    """A bar redrawn in place on a terminal; a line every 10% when stderr is a file."""

    def __init__(self, stream: OutputWrapper, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = stream.isatty()
        self.last_step = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        share = done / total if total else 1.0
        if self.tty:
            filled = int(share * 30)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}]"
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{bar} {share:6.1%}  {done:,}/{total:,} rows", ending=end)
        elif int(share * 10) != self.last_step:
            self.stream.write(f"{share:.0%} ({done:,}/{total:,} rows)")
        self.last_step = int(share * 10)
        self.stream.flush()


class MetricsSubcommand:
    name = "metrics"
    help = "import a platform's post-metrics export (CSV or Excel)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the export file (.csv, .xlsx, .xls)")
        parser.add_argument(
            "--profile",
            help=f"built-in profile ({', '.join(BUILTIN)}) or a saved profile's name",
        )
        parser.add_argument("--workspace", help="workspace slug (needed if there are several)")
        parser.add_argument("--account", type=int, help="link rows to this channel account id")
        parser.add_argument(
            "--strict", action="store_true", help="import nothing if any row is bad"
        )
        parser.add_argument(
            "--map",
            dest="map",
            help="field=列名,... (overrides the profile, or a whole mapping with --platform)",
        )
        parser.add_argument("--platform", help="platform of a --map without --profile")
        parser.add_argument(
            "--cumulative",
            action="store_true",
            help="with --map and no --profile: figures are totals as of the export day",
        )
        parser.add_argument("--date-format", default="", help="strptime format of dates")
        parser.add_argument(
            "--captured-on", help="export day of cumulative totals (YYYY-MM-DD; default today)"
        )
        parser.add_argument("--user", help="act as this user (permission check and audit)")
        parser.add_argument("--errors-out", help="write every row error to this CSV file")
        parser.add_argument(
            "--max-errors", type=int, default=20, help="row errors printed (default 20)"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="do not print progress to stderr"
        )
        parser.add_argument(
            "--xlsx-engine", choices=["calamine", "openpyxl"], default="", help="XLSX reader"
        )
        parser.add_argument(
            "--list-profiles", action="store_true", help="list the profiles and exit"
        )
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")

    # Resolving the options -----------------------------------------------------------------

    @staticmethod
    def _workspace(slug: str | None) -> Workspace:
        if slug:
            found = Workspace.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No workspace with slug {slug!r}.")
            return found
        every = list(Workspace.objects.order_by("slug")[:2])
        if len(every) != 1:
            raise CommandError("Name the workspace with --workspace SLUG.")
        return every[0]

    @staticmethod
    def _profile(workspace: Workspace, options: dict[str, Any]) -> Profile:
        overrides = profiles.parse_map_option(options["map"]) if options["map"] else {}
        if options["profile"]:
            profile = services.resolve_profile(workspace, options["profile"])
            columns = {k: v for k, v in overrides.items() if k not in profiles.OPTION_KEYS}
            return profile.with_columns(columns) if columns else profile
        if not overrides:
            raise CommandError("Give --profile NAME, or --map field=列名,... with --platform.")
        mapping: dict[str, Any] = {**overrides, "cumulative": options["cumulative"]}
        if options["date_format"]:
            mapping["date_format"] = options["date_format"]
        columns, extra = profiles.clean_mapping(mapping, platform=options["platform"] or "")
        return profiles.custom_profile(
            columns,
            platform=options["platform"],
            cumulative=extra["cumulative"],
            date_format=extra["date_format"],
        )

    @staticmethod
    def _account(workspace: Workspace, account_id: int | None) -> ChannelAccount | None:
        if account_id is None:
            return None
        found = ChannelAccount.objects.filter(workspace=workspace, pk=account_id).first()
        if found is None:
            raise CommandError(f"Workspace {workspace.slug} has no account {account_id}.")
        return found

    @staticmethod
    def _user(username: str | None) -> User | None:
        if not username:
            return None
        found = User.objects.filter(username=username).first()
        if found is None:
            raise CommandError(f"No user named {username!r}.")
        return found

    # Running ---------------------------------------------------------------------------------

    def handle(self, command: FanloopCommand, options: dict[str, Any]) -> None:
        workspace = self._workspace(options["workspace"])
        if options["list_profiles"]:
            self._list(command, options, workspace)
            return
        if not options["file"]:
            raise CommandError("Name the file to import: fanloop import metrics FILE --profile ...")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        try:
            captured = (
                date.fromisoformat(options["captured_on"]) if options["captured_on"] else None
            )
        except ValueError as exc:
            raise CommandError("--captured-on takes a date like 2024-05-31.") from exc
        try:
            profile = self._profile(workspace, options)
            if options["date_format"] and options["profile"]:
                profile = replace(profile, date_format=options["date_format"])
            bar = ProgressBar(command.stderr, enabled=not options["no_progress"])
            batch, outcome = services.import_metrics(
                actor=self._user(options["user"]),
                workspace=workspace,
                profile=profile,
                file_name=path.name,
                data=data,
                strict=options["strict"],
                account=self._account(workspace, options["account"]),
                captured_on=captured,
                on_progress=bar,
                engine=options["xlsx_engine"],
            )
        except ValidationError as exc:
            raise command.fail(exc) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if options["errors_out"]:
            self._write_errors(Path(options["errors_out"]), outcome)
        command.emit(options, self._data(batch, outcome), self._text(batch, outcome, options))
        if not outcome.ok:
            raise CommandError(outcome.message)

    @staticmethod
    def _list(command: FanloopCommand, options: dict[str, Any], workspace: Workspace) -> None:
        rows = [
            {
                "name": p.key,
                "platform": p.platform,
                "title": str(p.name),
                "source": str(p.source_note),
            }
            for p in BUILTIN.values()
        ]
        rows += [
            {"name": s.name, "platform": s.platform, "title": s.name, "source": "saved"}
            for s in ImportProfile.objects.filter(workspace=workspace)
        ]
        text = "\n".join(f"{r['name']:<22} {r['platform']:<12} {r['title']}" for r in rows)
        command.emit(options, rows, text)

    @staticmethod
    def _write_errors(path: Path, outcome: Outcome) -> None:
        problems: list[RowProblem] = [*outcome.errors, *outcome.warnings]
        if not outcome.ok and outcome.message:
            problems.insert(0, RowProblem(outcome.header_row, outcome.message))
        try:
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "level", "reason"])
                for p in problems:
                    writer.writerow([p.row, "warning" if p.warning else "error", p.reason])
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from exc

    @staticmethod
    def _data(batch: ImportBatch, outcome: Outcome) -> dict[str, Any]:
        return {
            "batch": batch.pk,
            "state": batch.state,
            "message": outcome.message,
            "file": batch.file_name,
            "profile": batch.profile,
            "rows_total": outcome.rows_total,
            "rows_imported": outcome.rows_imported,
            "rows_skipped": outcome.rows_skipped,
            "unknown_columns": outcome.unknown_columns,
            "linked_variants": outcome.linked_variants,
            "seconds": round(outcome.seconds, 3),
            "errors": [p.as_dict() for p in outcome.errors],
            "warnings": [p.as_dict() for p in outcome.warnings],
        }

    @staticmethod
    def _text(batch: ImportBatch, outcome: Outcome, options: dict[str, Any]) -> str:
        rate = outcome.rows_total / outcome.seconds if outcome.seconds else 0
        lines = [
            f"Batch {batch.pk}: {batch.state}. Imported {outcome.rows_imported:,} of "
            f"{outcome.rows_total:,} rows from {batch.file_name} ({batch.profile}) in "
            f"{outcome.seconds:.1f} s, {rate:,.0f} rows/s."
        ]
        if outcome.message:
            lines.append(outcome.message)
        if outcome.rows_skipped and outcome.ok:
            lines.append(f"Skipped {outcome.rows_skipped:,} bad rows.")
        if outcome.unknown_columns:
            lines.append("Unknown columns (not imported): " + ", ".join(outcome.unknown_columns))
        if outcome.linked_variants:
            lines.append(f"Linked to published variants: {outcome.linked_variants:,} rows.")
        shown = max(options["max_errors"], 0)
        for title, problems in (("Row errors", outcome.errors), ("Warnings", outcome.warnings)):
            if problems:
                lines.append(f"{title} (first {min(shown, len(problems))} of {len(problems):,}):")
                lines += [f"  row {p.row}: {p.reason}" for p in problems[:shown]]
        if (outcome.errors or outcome.warnings) and not options["errors_out"]:
            lines.append("Write them all with --errors-out FILE.csv.")
        return "\n".join(lines)
