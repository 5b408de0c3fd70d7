"""The workbook plumbing: formats, typed cells, tables with a header row and widths."""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter
from django.utils import timezone
from xlsxwriter.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00'


@dataclass(frozen=True)
class Column:
    header: str  # "中文 English"
    kind: str = "text"  # text | long | date | datetime | money | int | number | percent | bool
    width: int | None = None


def _display_width(value: Any) -> int:
    text = str(value) if value is not None else ""
    longest = max((line for line in text.splitlines()), key=len, default="")
    return sum(2 if ord(char) > 0x2E80 else 1 for char in longest)


def as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def as_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = timezone.localtime(datetime.fromisoformat(value))
    return moment.replace(tzinfo=None)


def number(value: str | None) -> float | None:
    return float(value) if value is not None else None


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("是 Yes" if value else "否 No")


class Book:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        add = self.book.add_format
        self.formats = {
            "header": add({"bold": True, "bg_color": "#FDE9D9", "border": 1, "text_wrap": True}),
            "title": add({"bold": True, "font_size": 13}),
            "text": add({"valign": "top"}),
            "long": add({"valign": "top", "text_wrap": True}),
            "date": add({"num_format": "yyyy-mm-dd", "valign": "top"}),
            "datetime": add({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"}),
            "money": add({"num_format": MONEY_FORMAT, "valign": "top"}),
            "int": add({"num_format": "0", "valign": "top"}),
            "number": add({"num_format": "#,##0.####", "valign": "top"}),
            "percent": add({"num_format": "0.0%", "valign": "top"}),
            "bool": add({"valign": "top"}),
            "total": add({"bold": True, "top": 1}),
            "total_money": add({"bold": True, "top": 1, "num_format": MONEY_FORMAT}),
        }

    def sheet(self, name: str) -> Worksheet:
        sheet = self.book.add_worksheet(name)
        sheet.freeze_panes(1, 0)
        return sheet

    def write(self, sheet: Worksheet, row: int, col: int, value: Any, kind: str) -> None:
        fmt = self.formats[kind]
        if value is None or value == "":
            sheet.write_blank(row, col, None, fmt)
        elif kind in {"date", "datetime"}:
            sheet.write_datetime(row, col, value, fmt)
        elif kind in {"money", "int", "number", "percent"}:
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)

    def table(
        self,
        sheet: Worksheet,
        columns: list[Column],
        rows: Iterable[list[Any]],
        *,
        first_row: int = 0,
        widths: list[int] | None = None,
    ) -> int:
        """Header plus rows from ``first_row``; returns the next free row."""
        widths = widths if widths is not None else [0] * len(columns)
        for col, column in enumerate(columns):
            sheet.write_string(first_row, col, column.header, self.formats["header"])
            widths[col] = max(widths[col], _display_width(column.header))
        row = first_row
        for row, values in enumerate(rows, start=first_row + 1):
            for col, (column, value) in enumerate(zip(columns, values, strict=True)):
                self.write(sheet, row, col, value, column.kind)
                shown = f"{value:,.2f}" if column.kind == "money" and value is not None else value
                widths[col] = max(
                    widths[col], _display_width(shown) if column.kind != "date" else 10
                )
        for col, column in enumerate(columns):
            width = column.width or min(max(widths[col] + 2, 8), 50)
            sheet.set_column(col, col, width)
        return row + 1

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()
