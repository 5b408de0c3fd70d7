"""Writing post metrics: daily figures, and cumulative totals turned into daily increments.

Creator-centre exports (and most platform APIs) report a post's totals so far. Fanloop
stores what happened each day, so each set of totals becomes a
:class:`PostMetricSnapshot` and the difference to the post's previous snapshot becomes that
day's :class:`PostMetricDaily` row. The rules, for importers and connector syncs alike:

* **First snapshot of a post**: all its totals are attributed to the snapshot day. Fanloop
  cannot know how they spread over the days before; putting them on one day keeps every
  sum over time right, which is what reports add up.
* **Later snapshot**: increment = totals − totals of the latest earlier snapshot.
* **Same day again** (a re-import, an overlapping file): the day's snapshot is replaced
  and the day's increment recomputed, so nothing is counted twice.
* **Earlier day arriving late** (an old file imported after a newer one): the following
  snapshot's increment is recomputed against it too, so the sum stays equal to the
  latest totals.
* **Totals that went down** (a platform removing fake plays, a deleted comment): the
  increment is clamped to 0 and the clamp is reported to the caller (the import shows it
  as a warning). The snapshot keeps the real, lower totals, so the next increment is
  measured from them and nothing is counted twice later.
* Rates (completion rate, average watch time) are not cumulative: the day's row gets the
  rate reported with that snapshot, as is.

Rows whose figures did not change are not rewritten, so a day row's ``import_batch`` names
the import that last changed it. Concurrent writers of one workspace are serialised on
its row (PostgreSQL; SQLite has one writer at a time anyway).

Everything here is bulk: a few queries per 5,000 posts, never one per row. The upserts are
raw ``INSERT .. ON CONFLICT`` statements because building model instances and having the
ORM compile them cost more than the database's own work (see bench/metrics_import.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from fanloop.channels.imports.profiles import COUNT_FIELDS, RATE_FIELDS
from fanloop.channels.models import (
    ChannelAccount,
    ImportBatch,
    PostMetricDaily,
    PostMetricSnapshot,
)
from fanloop.core.models import Workspace

CHUNK = 5000
ROWS_PER_STATEMENT = 1000
ROWS_PER_ARRAY = 20_000
UNCOMPARED = {"updated_at", "import_batch"}
UNIQUE_DAILY = ["workspace", "platform", "post_key", "day"]
UNIQUE_SNAPSHOT = ["workspace", "platform", "post_key", "captured_on"]


@dataclass(frozen=True)
class PostFigures:
    """One post's figures for one day: daily increments, or cumulative totals."""

    post_key: str
    day: date
    counts: Mapping[str, int]
    rates: Mapping[str, float | None] = field(default_factory=dict)
    title: str = ""
    published_at: datetime | None = None
    variant_id: int | None = None
    ref: int | None = None  # the caller's reference, e.g. the file's row number


@dataclass(frozen=True)
class Clamp:
    post_key: str
    day: date
    field: str
    previous: int
    current: int
    ref: int | None


@dataclass
class WriteResult:
    days_written: int = 0
    snapshots_written: int = 0
    neighbours_recomputed: int = 0
    clamped: list[Clamp] = field(default_factory=list)


def _chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    """Turns figures into the database-ready tuples :func:`_upsert` writes."""

    def __init__(
        self,
        workspace: Workspace,
        platform: str,
        *,
        source: str,
        account: ChannelAccount | None,
        batch: ImportBatch | None,
    ) -> None:
        ops = connection.ops
        self.head = (workspace.pk, platform)
        # SQLite stores naive UTC text; Django's adapter gets there through make_naive,
        # which costs more per row than the rest of the row.
        self.utc_text = connection.vendor == "sqlite" and str(connection.timezone) == "UTC"
        self.account_id = account.pk if account else None
        self.tail = (
            source,
            batch.pk if batch else None,
            ops.adapt_datetimefield_value(timezone.now()),
        )
        self.stamp = ops.adapt_datetimefield_value
        self.day = ops.adapt_datefield_value
        # JSON as text: SQLite stores it so, and the PostgreSQL upsert casts it to jsonb.
        self.json = json.dumps

    def daily(self, figures: PostFigures, counts: Mapping[str, int]) -> tuple[Any, ...]:
        return (
            *self.head,
            self.account_id,
            figures.variant_id,
            figures.post_key,
            figures.title[:300],
            self._moment(figures.published_at),
            self.day(figures.day),
            *(int(counts.get(name) or 0) for name in COUNT_FIELDS),
            *(figures.rates.get(name) for name in RATE_FIELDS),
            *self.tail,
        )

    def _moment(self, value: datetime | None) -> Any:
        if value is None or not self.utc_text:
            return self.stamp(value)
        return str(value.astimezone(UTC).replace(tzinfo=None))

    def snapshot(self, key: str, day: date, totals: Mapping[str, int]) -> tuple[Any, ...]:
        return (*self.head, key, self.day(day), self.json(dict(totals)))


DAILY_COLUMNS = [
    "workspace",
    "platform",
    "account",
    "variant",
    "post_key",
    "post_title",
    "published_at",
    "day",
    *COUNT_FIELDS,
    *RATE_FIELDS,
    "source",
    "import_batch",
    "updated_at",
]
SNAPSHOT_COLUMNS = ["workspace", "platform", "post_key", "captured_on", "totals"]


def _upsert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    conflict: Sequence[str],
    update: Sequence[str],
) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    found = [model._meta.get_field(name) for name in fields]
    columns = [f.column for f in found if isinstance(f, models.Field) and f.column]
    assert len(columns) == len(fields)

    def column(name: str) -> str:
        return quote(columns[list(fields).index(name)])

    # Only quoted names from the model's own meta go into the text; values are parameters.
    names = ", ".join(quote(c) for c in columns)
    keys = ", ".join(column(f) for f in conflict)
    sets = ", ".join(f"{column(f)} = excluded.{column(f)}" for f in update)
    table = quote(model._meta.db_table)
    # A row whose figures are unchanged is left alone (a re-import of the same file writes
    # almost nothing); the stamps that always differ do not count as a change.
    postgres = connection.vendor == "postgresql"
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"
    changed = " OR ".join(
        f"{table}.{column(f)} {differs} excluded.{column(f)}" for f in update if f not in UNCOMPARED
    )
    tail = f"ON CONFLICT ({keys}) DO UPDATE SET {sets}" + (f" WHERE {changed}" if changed else "")
    if postgres:
        _upsert_postgres(table, names, found, tail, rows)
        return
    with connection.cursor() as cursor:
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"

        def statement(count: int) -> str:
            return f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * count)} {tail}"  # noqa: S608

        # Many rows per statement, within SQLite's limit on parameters.
        limit = connection.features.max_query_params or 999
        per_statement = max(1, min(ROWS_PER_STATEMENT, limit // len(fields)))
        full = statement(per_statement)
        for chunk in _chunks(rows, per_statement):
            sql = full if len(chunk) == per_statement else statement(len(chunk))
            cursor.execute(sql, [value for row in chunk for value in row])


def _upsert_postgres(
    table: str, names: str, found: Sequence[Any], tail: str, rows: Sequence[tuple[Any, ...]]
) -> None:
    """One array per column through unnest(): a handful of parameters per statement, where
    a VALUES list has the driver parse and bind tens of thousands of placeholders. Sent
    with server-side binding (psycopg dumps the arrays in binary, in C), not through
    Django's client-side binding cursor, which writes them out as quoted text."""
    types = ["text" if isinstance(f, models.JSONField) else f.db_type(connection) for f in found]
    arrays = ", ".join(f"%b::{t}[]" for t in types)
    aliases = [f"c{i}" for i in range(len(types))]
    picks = ", ".join(
        f"{a}::jsonb" if isinstance(f, models.JSONField) else a
        for a, f in zip(aliases, found, strict=True)
    )
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {picks} "  # noqa: S608
        f"FROM unnest({arrays}) AS u({', '.join(aliases)}) {tail}"
    )
    import psycopg  # the PostgreSQL driver; only this path needs it

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        for chunk in _chunks(rows, ROWS_PER_ARRAY):
            cursor.execute(sql, [list(col) for col in zip(*chunk, strict=True)])


def _pk(value: Any) -> int:
    return int(getattr(value, "pk", value))


def _upsert_daily(
    rows: Sequence[tuple[Any, ...]], *, with_account: bool, with_variant: bool = True
) -> None:
    """Insert or replace the day's row; the account and variant links are only replaced
    when this write knows them, so a re-import without them keeps earlier links."""
    update = [
        *COUNT_FIELDS,
        *RATE_FIELDS,
        "post_title",
        "published_at",
        "source",
        "import_batch",
        "updated_at",
    ]
    if with_account:
        update.append("account")
    variant = DAILY_COLUMNS.index("variant")
    linked = [r for r in rows if r[variant] is not None] if with_variant else []
    plain = [r for r in rows if r[variant] is None] if with_variant else list(rows)
    _upsert(PostMetricDaily, DAILY_COLUMNS, linked, UNIQUE_DAILY, [*update, "variant"])
    _upsert(PostMetricDaily, DAILY_COLUMNS, plain, UNIQUE_DAILY, update)
    # Analytics rebuilds the rollup of every day a write touched.
    from fanloop.analytics.rollups import mark_dirty

    workspace, day = DAILY_COLUMNS.index("workspace"), DAILY_COLUMNS.index("day")
    mark_dirty((_pk(row[workspace]), row[day]) for row in rows)


@transaction.atomic
def record_daily_batch(
    workspace: Workspace,
    platform: str,
    items: Sequence[PostFigures],
    *,
    source: str,
    account: ChannelAccount | None = None,
    import_batch: ImportBatch | None = None,
) -> WriteResult:
    """Daily figures (already increments): each (post, day) row is inserted or replaced."""
    writer = _Writer(workspace, platform, source=source, account=account, batch=import_batch)
    # One statement cannot touch a row twice: the last figures for a post and day win.
    latest = {(item.post_key, item.day): item for item in items}
    rows = [writer.daily(item, item.counts) for item in latest.values()]
    _upsert_daily(rows, with_account=account is not None)
    return WriteResult(days_written=len(rows))


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _existing_snapshots(
    workspace: Workspace, platform: str, by_key: Mapping[str, list[PostFigures]]
) -> dict[str, dict[date, dict[str, Any]]]:
    """For each post: its latest snapshot before the earliest new day, and every snapshot
    from that day on. That is all the increments being (re)computed depend on.

    Raw SQL: with thousands of keys per query, the ORM's per-parameter work costs more than
    the query (the unique index on (workspace, platform, post_key, day) serves both)."""
    found: dict[str, dict[date, dict[str, Any]]] = defaultdict(dict)
    quote = connection.ops.quote_name
    table = quote(PostMetricSnapshot._meta.db_table)
    keys = sorted(by_key)
    postgres = connection.vendor == "postgresql"
    for chunk in _chunks(keys):
        first_day = connection.ops.adapt_datefield_value(min(by_key[k][0].day for k in chunk))
        # PostgreSQL takes the keys as one array; SQLite as a list of parameters.
        among = "= ANY(%s)" if postgres else "IN (" + ", ".join(["%s"] * len(chunk)) + ")"
        later = (
            f"SELECT post_key, captured_on, totals FROM {table} "  # noqa: S608
            f"WHERE workspace_id = %s AND platform = %s AND post_key {among} "
            "AND captured_on >= %s"
        )
        latest = (
            f"SELECT s.post_key, s.captured_on, s.totals FROM {table} s "  # noqa: S608
            f"WHERE s.workspace_id = %s AND s.platform = %s AND s.post_key {among} "
            "AND s.captured_on = ("
            f"SELECT MAX(t.captured_on) FROM {table} t WHERE t.workspace_id = s.workspace_id "
            "AND t.platform = s.platform AND t.post_key = s.post_key AND t.captured_on < %s)"
        )
        head = [workspace.pk, platform, *([list(chunk)] if postgres else chunk), first_day]
        for key, day, totals in [*_rows(later, head), *_rows(latest, head)]:
            if isinstance(day, str):
                day = date.fromisoformat(day)
            found[key][day] = json.loads(totals) if isinstance(totals, str) else totals
    return found


def _increment(
    item_key: str,
    day: date,
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    ref: int | None,
    clamped: list[Clamp],
) -> dict[str, int]:
    if previous is None:
        return {k: int(v) for k, v in current.items() if k in COUNT_FIELDS}
    increments: dict[str, int] = {}
    for name, value in current.items():
        if name not in COUNT_FIELDS:
            continue
        before = int(previous.get(name) or 0)
        delta = int(value) - before
        if delta < 0:
            clamped.append(Clamp(item_key, day, name, before, int(value), ref))
            delta = 0
        increments[name] = delta
    return increments


@transaction.atomic
def record_cumulative_batch(
    workspace: Workspace,
    platform: str,
    items: Sequence[PostFigures],
    *,
    source: str,
    account: ChannelAccount | None = None,
    import_batch: ImportBatch | None = None,
) -> WriteResult:
    """Cumulative totals of many posts (``item.counts`` are totals as of ``item.day``):
    store them as snapshots and write each day's increment (rules in the module doc)."""
    # Two imports or syncs of the same posts at once would each diff against the snapshot
    # the other is replacing; holding the workspace row serialises them (PostgreSQL; SQLite
    # already runs one write transaction at a time).
    list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk"))
    by_key: dict[str, list[PostFigures]] = defaultdict(list)
    for item in items:
        by_key[item.post_key].append(item)
    for group in by_key.values():
        group.sort(key=lambda i: i.day)
    existing = _existing_snapshots(workspace, platform, by_key)
    writer = _Writer(workspace, platform, source=source, account=account, batch=import_batch)
    result = WriteResult()
    snapshots: list[tuple[Any, ...]] = []
    new_days: list[tuple[Any, ...]] = []
    neighbours: list[tuple[Any, ...]] = []
    for key, group in by_key.items():
        timeline: dict[date, Mapping[str, Any]] = dict(existing.get(key, {}))
        fresh = {i.day: i for i in group}  # the last figures for a day win
        for day, item in fresh.items():
            timeline[day] = {k: int(v) for k, v in item.counts.items() if k in COUNT_FIELDS}
        days = sorted(timeline)
        for position, day in enumerate(days):
            previous = timeline[days[position - 1]] if position else None
            if day in fresh:
                item = fresh[day]
                counts = _increment(key, day, timeline[day], previous, item.ref, result.clamped)
                new_days.append(writer.daily(item, counts))
                snapshots.append(writer.snapshot(key, day, timeline[day]))
            elif position and days[position - 1] in fresh:
                # An existing later snapshot whose predecessor just changed.
                counts = _increment(key, day, timeline[day], previous, None, result.clamped)
                neighbours.append(writer.daily(PostFigures(key, day, counts), counts))
    _upsert(PostMetricSnapshot, SNAPSHOT_COLUMNS, snapshots, UNIQUE_SNAPSHOT, ["totals"])
    _upsert_daily(new_days, with_account=account is not None)
    # Only the counts of a recomputed neighbour change; its own links and rates stay.
    _upsert(PostMetricDaily, DAILY_COLUMNS, neighbours, UNIQUE_DAILY, [*COUNT_FIELDS, "updated_at"])
    result.days_written = len(new_days)
    result.snapshots_written = len(snapshots)
    result.neighbours_recomputed = len(neighbours)
    return result


def record_cumulative_totals(
    workspace: Workspace,
    platform: str,
    post_key: str,
    captured_on: date,
    totals: Mapping[str, int],
    source: str,
    *,
    rates: Mapping[str, float | None] | None = None,
    account: ChannelAccount | None = None,
    variant_id: int | None = None,
    title: str = "",
    published_at: datetime | None = None,
    import_batch: ImportBatch | None = None,
) -> WriteResult:
    """One post's totals as of ``captured_on`` (for connector syncs: sources CONNECTOR or
    SANDBOX). Same rules as :func:`record_cumulative_batch`; call that one for many posts."""
    figures = PostFigures(
        post_key=post_key,
        day=captured_on,
        counts=totals,
        rates=rates or {},
        title=title,
        published_at=published_at,
        variant_id=variant_id,
    )
    return record_cumulative_batch(
        workspace,
        platform,
        [figures],
        source=source,
        account=account,
        import_batch=import_batch,
    )
