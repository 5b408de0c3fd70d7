"""Reading an export file as rows, and finding its header row.

CSV: UTF-8 (with or without BOM), GB18030 (what Excel on a Chinese Windows saves) or
UTF-16 with BOM; comma, tab or semicolon separated. XLSX/XLS: the first sheet with data,
read with python-calamine when it is installed (several times faster, and reads .xls),
otherwise openpyxl in read-only mode.

Row numbers are the ones Excel shows: the first line of the file or sheet is row 1, and
blank rows count.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from fanloop.channels.imports.profiles import (
    FIELDS,
    Profile,
    all_known_headers,
    header_stem,
    normalise_header,
)

try:  # optional: much faster XLSX, and XLS support
    from python_calamine import CalamineWorkbook
except ImportError:  # pragma: no cover - depends on the environment
    CalamineWorkbook = None  # type: ignore[assignment,misc]

# Douyin and Xiaohongshu put a note or a title above the header; a few rows at most.
HEADER_SCAN_ROWS = 10
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
Row = tuple[int, Sequence[Any]]


class FileProblem(ValueError):
    """The file as a whole cannot be imported; nothing was changed."""


@dataclass
class Table:
    rows: Iterator[Row]
    estimated_rows: int
    engine: str


@dataclass
class HeaderMatch:
    row_number: int
    headers: list[str]
    index: dict[str, int]
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# Opening ---------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(_("The file is neither UTF-8 nor GB18030 text. Save it as CSV UTF-8."))


def _delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[: HEADER_SCAN_ROWS + 2] if line.strip()]
    best, best_count = ",", 0
    for candidate in (",", "\t", ";"):
        count = max((line.count(candidate) for line in lines), default=0)
        if count > best_count:
            best, best_count = candidate, count
    return best


def _open_csv(data: bytes) -> Table:
    text = _decode(data)
    if "\x00" in text[:4096]:
        raise FileProblem(_("This does not look like a CSV file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:8192]))
    estimated = text.count("\n") + (0 if text.endswith("\n") else 1)
    return Table(rows=enumerate(reader, start=1), estimated_rows=estimated, engine="csv")


def _calamine_rows(sheet: Any) -> Iterator[Row]:
    return enumerate(sheet.iter_rows(), start=1)


def _open_excel_calamine(data: bytes) -> Table:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [book.get_sheet_by_index(i) for i in range(len(book.sheet_names))]
    except Exception as exc:  # calamine raises its own error types for broken files
        raise FileProblem(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from exc
    sheet = next((s for s in sheets if s.height), None)
    if sheet is None:
        raise FileProblem(_("The spreadsheet is empty."))
    return Table(rows=_calamine_rows(sheet), estimated_rows=sheet.total_height, engine="calamine")


def _open_excel_openpyxl(data: bytes, suffix: str) -> Table:
    import openpyxl

    if suffix == ".xls":
        raise FileProblem(_("Old .xls files need python-calamine installed; save as .xlsx."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile/XML errors for files that are not real XLSX
        raise FileProblem(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from exc
    sheet = next((s for s in book.worksheets if s.max_row), book.worksheets[0])
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    return Table(rows=rows, estimated_rows=sheet.max_row or 0, engine="openpyxl")


def open_table(data: bytes, file_name: str, *, engine: str = "") -> Table:
    """Rows of ``data``; the kind is decided by the name's extension and checked against
    the content (an XLSX is a ZIP archive)."""
    suffix = Path(file_name).suffix.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if suffix in EXCEL_SUFFIXES or is_zip or is_ole:
        if suffix in CSV_SUFFIXES:
            raise FileProblem(_("The file is named .csv but is a spreadsheet; rename it."))
        use_calamine = CalamineWorkbook is not None and engine != "openpyxl"
        if use_calamine:
            return _open_excel_calamine(data)
        return _open_excel_openpyxl(data, suffix)
    if suffix and suffix not in CSV_SUFFIXES:
        raise FileProblem(
            _("Unsupported file type %(suffix)s: upload CSV or Excel (.xlsx).") % {"suffix": suffix}
        )
    return _open_csv(data)


# Header row ------------------------------------------------------------------------------


def _cells(row: Sequence[Any]) -> list[str]:
    return [" ".join(str(c).split()) if c is not None else "" for c in row]


def _match(headers: list[str], profile: Profile) -> tuple[dict[str, int], set[int]]:
    exact: dict[str, int] = {}
    stems: dict[str, int] = {}
    for i, header in enumerate(headers):
        norm = normalise_header(header)
        if norm:
            exact.setdefault(norm, i)
            stems.setdefault(header_stem(norm), i)
    index: dict[str, int] = {}
    used: set[int] = set()
    for name, aliases in profile.columns.items():
        for alias in aliases:
            norm = normalise_header(alias)
            found = exact.get(norm)
            if found is None:
                found = stems.get(norm, stems.get(header_stem(norm)))
            if found is not None and found not in used:
                index[name] = found
                used.add(found)
                break
    return index, used


def find_header(rows: Iterator[Row], profile: Profile) -> tuple[HeaderMatch, Iterator[Row]]:
    """The header row among the first few rows: the one naming most of the profile's
    columns. Returns the match and the rows after it."""
    scanned: list[Row] = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    best: tuple[int, int, dict[str, int], set[int]] | None = None
    for position, (_number, row) in enumerate(scanned):
        index, used = _match(_cells(row), profile)
        if index and (best is None or len(index) > len(best[2])):
            best = (position, _number, index, used)
    expected = "、".join(profile.label(f) for f in FIELDS if f in profile.required)
    if best is None:
        raise FileProblem(
            _(
                "No header row found in the first %(n)d rows: expected columns such as "
                "%(columns)s. Is this the right profile?"
            )
            % {"n": HEADER_SCAN_ROWS, "columns": expected}
        )
    position, number, index, used = best
    headers = _cells(scanned[position][1])
    known = {normalise_header(h) for h in all_known_headers(profile)}
    known |= {header_stem(k) for k in known}
    unknown = [
        h
        for i, h in enumerate(headers)
        if h
        and i not in used
        and normalise_header(h) not in known
        and header_stem(normalise_header(h)) not in known
    ]
    missing = [profile.label(f) for f in FIELDS if f in profile.required and f not in index]
    match = HeaderMatch(
        row_number=number, headers=headers, index=index, unknown=unknown, missing=missing
    )
    return match, itertools.chain(scanned[position + 1 :], rows)


def guess_headers(data: bytes, file_name: str) -> tuple[int, list[str]]:
    """For the custom-mapping page: the first row that looks like a header (mostly text,
    as wide as the table) among the first few rows."""
    table = open_table(data, file_name)
    sample = list(itertools.islice(table.rows, HEADER_SCAN_ROWS))
    width = max((sum(1 for c in _cells(r) if c) for _n, r in sample), default=0)
    for number, row in sample:
        cells = _cells(row)
        texts = [c for c, raw in zip(cells, row, strict=False) if c and isinstance(raw, str)]
        if len(texts) >= max(2, int(width * 0.6)):
            return number, [c for c in cells if c]
    raise FileProblem(_("No header row found in the first %(n)d rows.") % {"n": HEADER_SCAN_ROWS})
