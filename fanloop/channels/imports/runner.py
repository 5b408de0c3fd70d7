"""The import engine: read a file with a profile, check every row, write the good ones.

Reading and checking happen first, outside any transaction (that is where the progress
is reported); then all valid rows are written in one transaction — or none, in strict
mode when a row is bad, or when the file as a whole cannot be read (a missing required
column, an unreadable file). A post is keyed by the platform's id when the export has
one, else by title and publish time (see :func:`post_key`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fanloop.channels.imports import parsing
from fanloop.channels.imports.linking import link_variants
from fanloop.channels.imports.profiles import (
    COUNT,
    DATE,
    DATETIME,
    FIELDS,
    RATE,
    SECONDS,
    Profile,
)
from fanloop.channels.imports.reader import FileProblem, HeaderMatch, find_header, open_table
from fanloop.channels.imports.writes import (
    PostFigures,
    WriteResult,
    record_cumulative_batch,
    record_daily_batch,
)
from fanloop.channels.models import ChannelAccount, ImportBatch, MetricSource
from fanloop.core.models import Workspace

KEY_LENGTH = 300
Progress = Callable[[int, int], None]


@dataclass
class RowProblem:
    row: int
    reason: str
    warning: bool = False

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"row": self.row, "reason": self.reason}
        if self.warning:
            found["warning"] = True
        return found


@dataclass
class Outcome:
    ok: bool = True
    message: str = ""
    engine: str = ""
    header_row: int = 0
    rows_total: int = 0
    rows_imported: int = 0
    rows_skipped: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    linked_variants: int = 0
    written: WriteResult | None = None
    seconds: float = 0.0
    read_seconds: float = 0.0


@dataclass
class Options:
    profile: Profile
    captured_on: date
    tz: tzinfo
    strict: bool = False
    account: ChannelAccount | None = None
    source: str = MetricSource.IMPORT
    progress: Progress | None = None
    progress_every: int = 5000
    engine: str = ""


def post_key(
    post_id: str | None, title: str | None, published_at: datetime | None, tz: tzinfo
) -> str:
    """The platform's id, else ``title|YYYY-MM-DD HH:MM`` (local time). Over-long titles keep
    their start and a hash of the whole, so the key stays unique and within 300 chars."""
    if post_id:
        if len(post_id) <= KEY_LENGTH:
            return post_id
        return post_id[:200] + "#" + hashlib.sha256(post_id.encode()).hexdigest()[:32]
    stamp = published_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if published_at else ""
    title = title or ""
    if len(title) + len(stamp) + 1 > KEY_LENGTH:
        title = title[:200] + "#" + hashlib.sha256(title.encode()).hexdigest()[:32]
    return f"{title}|{stamp}"


def _parser(kind: str, tz: tzinfo, fmt: str) -> Callable[[object], Any]:
    if kind == COUNT:
        return parsing.parse_count
    if kind == RATE:
        return parsing.parse_rate
    if kind == SECONDS:
        return parsing.parse_seconds
    if kind == DATETIME:
        return lambda value: parsing.parse_datetime(value, tz, fmt)
    if kind == DATE:
        return lambda value: parsing.parse_day(value, tz, fmt)
    return parsing.parse_text


def _fast_count(value: object) -> int | None:
    # Most cells are plain numbers; skip the general parser for them (200k-row files).
    if type(value) is int and value >= 0:
        return value
    if type(value) is float and value >= 0 and value.is_integer():
        return int(value)
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)
    return parsing.parse_count(value)


class _RowReader:
    def __init__(self, profile: Profile, match: HeaderMatch, options: Options) -> None:
        self.profile = profile
        self.options = options
        fmt = profile.date_format
        self.plan = [
            (
                name,
                match.index[name],
                _fast_count
                if FIELDS[name][0] == COUNT
                else _parser(FIELDS[name][0], options.tz, fmt),
                match.headers[match.index[name]] or profile.label(name),
            )
            for name in FIELDS
            if name in match.index
        ]
        self.required = [name for name in FIELDS if name in profile.required]
        self.seen: dict[tuple[str, date], int] = {}

    def read(self, number: int, row: Any) -> PostFigures | list[str]:
        values: dict[str, Any] = {}
        problems: list[str] = []
        width = len(row)
        for name, index, parse, label in self.plan:
            raw = row[index] if index < width else None
            try:
                values[name] = parse(raw)
            except parsing.CellError as exc:
                problems.append(f"{label}: {exc}")
        for name in self.required:
            if name in values and values[name] is None:
                problems.append(_("%(column)s is empty.") % {"column": self.profile.label(name)})
        if problems:
            return problems
        day = values.get("day") or self.options.captured_on
        key = post_key(
            values.get("post_id"), values.get("title"), values.get("published_at"), self.options.tz
        )
        earlier = self.seen.get((key, day))
        if earlier is not None:
            return [
                _("The same post and day as row %(row)d; only the first is imported.")
                % {"row": earlier}
            ]
        self.seen[(key, day)] = number
        counts = {n: values[n] for n in values if FIELDS[n][0] == COUNT and values[n] is not None}
        rates = {n: values[n] for n in values if FIELDS[n][0] in {RATE, SECONDS}}
        return PostFigures(
            post_key=key,
            day=day,
            counts=counts,
            rates=rates,
            title=values.get("title") or "",
            published_at=values.get("published_at"),
            ref=number,
        )


def _blank(row: Any) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def read_rows(data: bytes, file_name: str, options: Options, outcome: Outcome) -> list[PostFigures]:
    """Every valid row of the file; bad rows go to ``outcome.errors``. Raises FileProblem
    when the file as a whole cannot be imported."""
    table = open_table(data, file_name, engine=options.engine)
    outcome.engine = table.engine
    match, rows = find_header(table.rows, options.profile)
    outcome.header_row = match.row_number
    outcome.unknown_columns = match.unknown
    if match.missing:
        raise FileProblem(
            _("Required columns are missing: %(columns)s. Nothing was imported.")
            % {"columns": "、".join(match.missing)}
        )
    reader = _RowReader(options.profile, match, options)
    total = max(table.estimated_rows - match.row_number, 0)
    good: list[PostFigures] = []
    done = 0
    progress, every = options.progress, max(options.progress_every, 1)
    if progress:
        progress(0, total)
    for number, row in rows:
        if _blank(row):
            continue
        done += 1
        found = reader.read(number, row)
        if isinstance(found, PostFigures):
            good.append(found)
        else:
            outcome.errors.append(RowProblem(number, "; ".join(found)))
        if progress and done % every == 0:
            progress(done, max(total, done))
    outcome.rows_total = done
    if progress:
        progress(done, done)
    if not done:
        raise FileProblem(_("The file has no data rows below its header row."))
    return good


def import_rows(
    *,
    workspace: Workspace,
    data: bytes,
    file_name: str,
    options: Options,
    batch: ImportBatch | None = None,
) -> Outcome:
    """Read, check and (unless strict mode finds a bad row) write; never raises for bad
    input — the outcome says what happened."""
    started = time.perf_counter()
    outcome = Outcome()
    profile = options.profile
    try:
        good = read_rows(data, file_name, options, outcome)
    except FileProblem as exc:
        outcome.ok, outcome.message = False, str(exc)
        outcome.seconds = time.perf_counter() - started
        return outcome
    outcome.read_seconds = time.perf_counter() - started
    outcome.rows_skipped = len(outcome.errors)
    if options.strict and outcome.errors:
        outcome.ok = False
        outcome.rows_skipped = outcome.rows_total
        outcome.message = ngettext(
            "Strict mode: %(n)d row is bad, so nothing was imported. Fix it or import "
            "without strict mode.",
            "Strict mode: %(n)d rows are bad, so nothing was imported. Fix them or import "
            "without strict mode.",
            len(outcome.errors),
        ) % {"n": len(outcome.errors)}
        outcome.seconds = time.perf_counter() - started
        return outcome
    good, outcome.linked_variants = link_variants(workspace, profile.platform, good)
    write = record_cumulative_batch if profile.cumulative else record_daily_batch
    with transaction.atomic():
        outcome.written = write(
            workspace,
            profile.platform,
            good,
            source=options.source,
            account=options.account,
            import_batch=batch,
        )
    outcome.rows_imported = len(good)
    for clamp in outcome.written.clamped:
        outcome.warnings.append(
            RowProblem(
                clamp.ref or 0,
                _(
                    "%(field)s went down from %(before)d to %(after)d since the previous "
                    "export; the day's increase is counted as 0."
                )
                % {
                    "field": profile.label(clamp.field),
                    "before": clamp.previous,
                    "after": clamp.current,
                },
                warning=True,
            )
        )
    outcome.seconds = time.perf_counter() - started
    return outcome
