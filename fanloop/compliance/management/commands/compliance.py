"""``fanloop compliance check FILE``: check a text file, or each row of a CSV's ``text`` column.

Exit status 1 when any finding blocks publication, 0 otherwise.
"""

import csv
import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from fanloop.compliance.engine import CheckContext, ProductKind, check_text, has_blocking
from fanloop.core.management.base import FanloopCommand
from fanloop.core.platforms import Platform


class Command(FanloopCommand):
    help = (
        "Check advertising-law compliance: check FILE [--platform P] [--purpose P] "
        "[--product-kind K] [--sponsored] [--json]. A .csv file is read per row from its "
        "'text' column. Exits 1 when a blocking finding exists."
    )
    # A pure text check: it needs neither the database nor the URL configuration.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("operation", choices=["check"])
        parser.add_argument("file", help="a text file, or a .csv file with a 'text' column")
        parser.add_argument("--platform", choices=Platform.values)
        parser.add_argument("--purpose", help="content purpose; hard_ad means a hard ad")
        parser.add_argument(
            "--product-kind", choices=ProductKind.values, default=ProductKind.GENERAL
        )
        parser.add_argument("--sponsored", action="store_true", help="KOL / sponsored content")
        parser.add_argument(
            "--special-cosmetic", action="store_true", help="a registered special cosmetic"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        texts = self._texts(Path(options["file"]))
        context = CheckContext(
            platform=options["platform"],
            purpose=options["purpose"],
            sponsored=options["sponsored"],
            product_kind=options["product_kind"],
            special_cosmetic=options["special_cosmetic"],
        )
        rows: list[dict[str, Any]] = []
        blocking = False
        for number, text in texts:
            findings = check_text(text, context)
            blocking = blocking or has_blocking(findings)
            for finding in findings:
                data = finding.as_dict()
                data.pop("field")
                rows.append({"row": number, **data})
        lines = [
            f"row {r['row']}\t{r['rule']}\t{r['severity']}\t{r['start']}-{r['end']}\t"
            f"{r['matched'] or '-'}\t{r['suggestion']}"
            for r in rows
        ]
        self.emit(options, rows, "\n".join(lines) or "No findings.")
        if blocking:
            self.stderr.write("Blocking findings: fix them before publishing.")
            sys.exit(1)

    @staticmethod
    def _texts(path: Path) -> list[tuple[int, str]]:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        if path.suffix.lower() != ".csv":
            return [(1, raw)]
        reader = csv.DictReader(io.StringIO(raw, newline=""))
        columns = [name.strip() for name in reader.fieldnames or []]
        if "text" not in columns:
            found = ", ".join(columns) or "none"
            raise CommandError(f"{path} has no 'text' column (columns found: {found}).")
        reader.fieldnames = columns
        # Row numbers count the header as row 1, like a spreadsheet.
        return [(number, row.get("text") or "") for number, row in enumerate(reader, 2)]
