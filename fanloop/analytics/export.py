"""Every analytics table as a file: CSV (UTF-8 with a BOM, so Excel shows the Chinese
right) or Excel. One helper takes headers + rows; pages describe their tables with
:class:`Table` so the screen and the file show the same figures."""

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | Decimal | date | None


@dataclass
class TableRow:
    values: list[Cell]  # what the file gets: plain numbers, yuan for money, % as numbers
    display: list[str]  # what the page shows
    url: str = ""  # the first cell links here
    muted: bool = False  # e.g. a group too small to judge
    note: str = ""


class LazyRow(TableRow):
    """A row whose cells are computed when first read: a page formats only the rows it
    shows, a file only the values."""

    def __init__(self, cells: Callable[[], tuple[list[Cell], list[str]]], *, url: str = "") -> None:
        self._cells = cells
        self._filled: tuple[list[Cell], list[str]] | None = None
        self.url = url
        self.muted = False
        self.note = ""

    def _fill(self) -> tuple[list[Cell], list[str]]:
        if self._filled is None:
            self._filled = self._cells()
        return self._filled

    @property
    def values(self) -> list[Cell]:
        return self._fill()[0]

    @values.setter
    def values(self, values: list[Cell]) -> None:
        self._filled = (values, self._fill()[1])

    @property
    def display(self) -> list[str]:
        return self._fill()[1]

    @display.setter
    def display(self, display: list[str]) -> None:
        self._filled = (self._fill()[0], display)


# A page lists this many rows of a table. Thousands of links or days would take longer to
# render than every query of the page together, and nobody reads them on screen.
PAGE_ROWS = 100


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[TableRow] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)  # right-align these columns
    empty: str = ""

    def add(
        self,
        values: list[Cell],
        display: list[str] | None = None,
        *,
        url: str = "",
        muted: bool = False,
        note: str = "",
    ) -> TableRow:
        row = TableRow(
            values=values,
            display=display
            if display is not None
            else ["" if v is None else str(v) for v in values],
            url=url,
            muted=muted,
            note=note,
        )
        self.rows.append(row)
        return row

    def add_lazy(
        self, cells: Callable[[], tuple[list[Cell], list[str]]], *, url: str = ""
    ) -> TableRow:
        """A row whose ``cells()`` gives its file values and shown texts when first
        needed."""
        row = LazyRow(cells, url=url)
        self.rows.append(row)
        return row

    def columns(self) -> list[tuple[str, bool]]:
        numeric = self.numeric or [False] * len(self.headers)
        return list(zip(self.headers, numeric, strict=False))

    def body(self) -> list[tuple[TableRow, list[tuple[str, bool]]]]:
        """The rows a page shows, with each cell and whether it is right-aligned (a
        number): the first ``PAGE_ROWS``; the files have them all."""
        numeric = self.numeric or [False] * len(self.headers)
        return [
            (row, list(zip(row.display, numeric, strict=False))) for row in self.rows[:PAGE_ROWS]
        ]

    @property
    def hidden(self) -> int:
        """How many rows the page leaves to the CSV and Excel files."""
        return max(len(self.rows) - PAGE_ROWS, 0)


def safe_name(text: str) -> str:
    """A file-name fragment: letters, digits, dots, dashes."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "table"


def _plain(value: Cell) -> Any:
    if isinstance(value, Decimal):
        # Excel stores doubles; a Decimal would be written as text.
        return float(value)
    return value


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    # A cell starting with = + - @ is a formula to Excel; quote text that is not a number.
    if text[:1] in {"=", "+", "-", "@"} and not isinstance(value, (int, float, Decimal)):
        return "'" + text
    return text


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[Cell]], sheet: str = "") -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    # strings_to_formulas off: a title like "=SUM(...)" stays text, not a live formula.
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", " ", sheet)[:31] or "Sheet1")
    bold = book.add_format({"bold": True})
    day_format = book.add_format({"num_format": "yyyy-mm-dd"})
    worksheet.write_row(0, 0, [str(h) for h in headers], bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date) and not isinstance(value, datetime):
                worksheet.write_datetime(
                    r, c, datetime(value.year, value.month, value.day), day_format
                )
            elif value is None:
                worksheet.write_blank(r, c, None)
            else:
                worksheet.write(r, c, _plain(value))
    widths = [max([len(str(h)) for h in headers[c : c + 1]] + [10]) for c in range(len(headers))]
    for c, width in enumerate(widths):
        worksheet.set_column(c, c, min(width + 2, 40))
    book.close()
    return out.getvalue()


def export_response(
    fmt: str, filename: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]]
) -> HttpResponse:
    """The table as a download; ``filename`` without extension."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    name = f"{safe_name(filename)}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(headers, rows, sheet=filename), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def table_response(fmt: str, filename: str, table: Table) -> HttpResponse:
    return export_response(fmt, filename, table.headers, [row.values for row in table.rows])
