"""``fanloop import orders FILE``: a shop's order export, with a profile or a mapping.

    fanloop import orders 订单报表.csv --profile taobao
    fanloop import orders orders.xlsx --map order_no=单号,status=状态,ordered_at=下单时间,\
        total=金额 --shop-platform other --errors-out problems.csv
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser

from fanloop.channels.imports.cli import MetricsSubcommand, ProgressBar
from fanloop.core.management.base import FanloopCommand
from fanloop.core.models import Workspace
from fanloop.tracking.models import OrderImport, ShopPlatform
from fanloop.tracking.order_profiles import (
    BUILTIN,
    FIELDS,
    OrderProfile,
    custom_profile,
    parse_map_option,
    with_overrides,
)
from fanloop.tracking.services.order_imports import ImportOutcome, import_orders

ERRORS_SHOWN = 20


class OrdersSubcommand:
    name = "orders"
    help = "import a shop's order export FILE (Taobao, JD, Pinduoduo, Youzan or --map)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the order export (.csv, .xlsx, .xls)")
        parser.add_argument("--workspace", help="workspace slug (needed if there are several)")
        parser.add_argument("--user", help="act as this user (permission check and audit)")
        parser.add_argument("--profile", help=f"built-in profile: {', '.join(BUILTIN)}")
        parser.add_argument(
            "--map",
            dest="map",
            help="field=列名,... (overrides a --profile, or a whole mapping with --shop-platform)",
        )
        parser.add_argument(
            "--shop-platform",
            choices=ShopPlatform.values,
            help="shop platform of a --map without --profile",
        )
        parser.add_argument("--errors-out", help="write every row error to this CSV file")
        parser.add_argument(
            "--no-progress", action="store_true", help="do not print progress to stderr"
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary")
        parser.epilog = "Fields for --map: " + ", ".join(FIELDS)

    @staticmethod
    def _profile(options: dict[str, Any]) -> OrderProfile:
        overrides = parse_map_option(options["map"]) if options["map"] else {}
        if options["profile"]:
            base = BUILTIN.get(options["profile"])
            if base is None:
                raise CommandError(
                    f"Unknown profile {options['profile']!r}. Profiles: {', '.join(BUILTIN)}; "
                    "or use --map field=列名,... with --shop-platform."
                )
            return with_overrides(base, overrides) if overrides else base
        if not overrides:
            raise CommandError("Give --profile NAME, or --map field=列名,... with --shop-platform.")
        return custom_profile(overrides, shop_platform=options["shop_platform"] or "")

    def handle(self, command: FanloopCommand, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        workspace: Workspace = MetricsSubcommand._workspace(options["workspace"])
        actor = MetricsSubcommand._user(options["user"])
        bar = ProgressBar(command.stderr, enabled=not options["no_progress"])
        try:
            profile = self._profile(options)
            batch, outcome = import_orders(
                actor=actor,
                workspace=workspace,
                profile=profile,
                file_name=path.name,
                data=data,
                on_progress=bar,
            )
        except ValidationError as exc:
            raise command.fail(exc) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if options["errors_out"]:
            self._write_errors(Path(options["errors_out"]), outcome)
        command.emit(options, self._data(batch, outcome), self._text(batch, outcome))
        if not outcome.ok:
            raise CommandError(outcome.message)

    @staticmethod
    def _write_errors(path: Path, outcome: ImportOutcome) -> None:
        try:
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "order_no", "reason"])
                if not outcome.ok:
                    writer.writerow([0, "", outcome.message])
                for e in outcome.result.errors:
                    writer.writerow([e.get("row", ""), e.get("order_no", ""), e.get("reason", "")])
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from exc

    @staticmethod
    def _data(batch: OrderImport, outcome: ImportOutcome) -> dict[str, Any]:
        return {
            "import": batch.pk,
            "state": batch.state,
            "message": outcome.message,
            "file": batch.file_name,
            "profile": batch.profile,
            "shop_platform": batch.shop_platform,
            "rows_total": outcome.rows_total,
            "orders_created": batch.orders_created,
            "orders_updated": batch.orders_updated,
            "orders_unchanged": batch.orders_unchanged,
            "orders_skipped": batch.orders_skipped,
            "errors": outcome.result.errors,
        }

    @staticmethod
    def _text(batch: OrderImport, outcome: ImportOutcome) -> str:
        if not outcome.ok:
            return f"Import {batch.pk} of {batch.file_name}: nothing imported."
        errors = outcome.result.errors
        lines = [
            f"Import {batch.pk}: {outcome.rows_total:,} rows from {batch.file_name} "
            f"({batch.profile}): {batch.orders_created:,} orders new, "
            f"{batch.orders_updated:,} updated, {batch.orders_unchanged:,} unchanged, "
            f"{batch.orders_skipped:,} skipped."
        ]
        if errors:
            lines.append(f"Row errors (first {min(ERRORS_SHOWN, len(errors))} of {len(errors):,}):")
            lines += [f"  row {e['row']}: {e['reason']}" for e in errors[:ERRORS_SHOWN]]
            lines.append("Write them all with --errors-out FILE.csv.")
        return "\n".join(lines)
