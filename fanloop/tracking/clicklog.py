"""The click log: the redirect appends to an in-process buffer; a flusher writes batches.

Why a buffer: a redirect must answer in a millisecond or two, and one INSERT (plus, on
SQLite, a write lock shared with every other process) per click would make the redirect
as slow as the database. Instead each web process keeps pending clicks in memory and a
daemon thread writes them every ``TRACKING_CLICKLOG_FLUSH_SECONDS`` (or as soon as a
batch is full) in one transaction with ``bulk_create``.

Nothing is lost on a clean shutdown: an ``atexit`` hook flushes what is left (gunicorn
workers leave through ``sys.exit`` after their graceful timeout, which runs it). A failed
flush (database down, lock timeout) puts the batch back at the front of the buffer, so
the next flush retries it. Memory is bounded: past ``TRACKING_CLICKLOG_MAX_BUFFER``
pending clicks the request that adds one flushes synchronously instead of dropping.

``is_bot`` is derived here from the User-Agent class. ``is_repeat`` is not: whether a
click repeats an earlier one depends on clicks other processes may still hold, so the
rollup job flags repeats when it rebuilds the day (``tracking.repeats``), and a flush is
only an ``executemany`` and the dirty-day marks.

Settings (read with defaults, so none is required):
``TRACKING_CLICKLOG_SYNC`` (write each click on the request; tests),
``TRACKING_CLICKLOG_BACKGROUND`` (False: no flusher thread, clicks wait for ``flush()``),
``..._BATCH_SIZE``, ``..._FLUSH_SECONDS``, ``..._MAX_BUFFER``.
"""

import atexit
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection, transaction

from fanloop.analytics.rollups import mark_dirty
from fanloop.tracking.models import Click, TrackingLink
from fanloop.tracking.useragents import is_bot

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PendingClick:
    """A click as the redirect saw it; the IP is already hashed."""

    link_id: int
    workspace_id: int
    timezone: str
    clicked_at: datetime
    referrer_host: str
    ua_class: str
    ip_hash: str
    visitor_id: str


def _batch_size() -> int:
    return int(getattr(settings, "TRACKING_CLICKLOG_BATCH_SIZE", 500))


def _flush_seconds() -> float:
    return float(getattr(settings, "TRACKING_CLICKLOG_FLUSH_SECONDS", 1.0))


def _max_buffer() -> int:
    return int(getattr(settings, "TRACKING_CLICKLOG_MAX_BUFFER", 20_000))


def _synchronous() -> bool:
    return bool(getattr(settings, "TRACKING_CLICKLOG_SYNC", False))


def _background() -> bool:
    return bool(getattr(settings, "TRACKING_CLICKLOG_BACKGROUND", True))


# _buffer_lock guards the list (held for microseconds by the request path);
# _flush_lock serialises flushes so a batch is never written twice nor retried out of
# order, and so the shutdown flush waits for a flush already under way.
_buffer_lock = threading.Lock()
_flush_lock = threading.Lock()
_buffer: list[PendingClick] = []
_wake = threading.Event()
_stopping = threading.Event()
_flusher: threading.Thread | None = None
_flusher_pid = 0


def record(click: PendingClick) -> None:
    """Queue one click for writing. Never raises: a redirect must not fail for logging."""
    if _synchronous():
        with _buffer_lock:
            _buffer.append(click)
        _flush_quietly()
        return
    with _buffer_lock:
        _buffer.append(click)
        pending = len(_buffer)
    if _background():
        _ensure_flusher()
    if pending >= _max_buffer():
        # The flusher is behind (or the database is down): pay on this request rather
        # than let memory grow without limit or drop clicks.
        _flush_quietly()
    elif pending >= _batch_size():
        _wake.set()


def pending_count() -> int:
    with _buffer_lock:
        return len(_buffer)


def flush() -> int:
    """Write every pending click now; returns how many were written.

    On a database error the batch goes back to the front of the buffer and the error is
    raised; the next flush retries it.
    """
    written = 0
    with _flush_lock:
        while True:
            with _buffer_lock:
                batch = _buffer[: _batch_size()]
                del _buffer[: len(batch)]
            if not batch:
                return written
            try:
                _write(batch)
            except BaseException:
                with _buffer_lock:
                    _buffer[:0] = batch
                raise
            written += len(batch)


def store(clicks: list[PendingClick]) -> None:
    """Write these clicks now, past the buffer, in batches (imports and the demo)."""
    size = _batch_size()
    for lo in range(0, len(clicks), size):
        _write(clicks[lo : lo + size])


def _flush_quietly() -> bool:
    """Flush; log a failure instead of raising it. Returns whether it succeeded."""
    try:
        flush()
    except Exception:
        logger.exception("Writing %d buffered clicks failed; will retry", pending_count())
        return False
    return True


def _write(batch: list[PendingClick]) -> None:
    # A link deleted since its click was buffered would fail the whole batch on its
    # foreign key, for ever; its clicks went with it.
    link_ids = {click.link_id for click in batch}
    existing = set(TrackingLink.objects.filter(id__in=link_ids).values_list("id", flat=True))
    batch = [click for click in batch if click.link_id in existing]
    if not batch:
        return
    with transaction.atomic():
        _insert(batch)
        mark_dirty(local_days(batch))


_COLUMNS = (
    "workspace_id",
    "link_id",
    "clicked_at",
    "referrer_host",
    "ua_class",
    "ip_hash",
    "visitor_id",
    "is_bot",
    "is_repeat",  # the rollup job sets it (tracking.repeats)
)


def _insert(batch: list[PendingClick]) -> None:
    """Write the batch with the least Python the driver allows: the ORM's bulk_create
    spends ~15 ms (holding the GIL the request threads need) building 200 model
    instances and their SQL. PostgreSQL gets a COPY, about a quarter of the CPU of a
    pipelined executemany; SQLite's executemany runs in C already."""
    ops = connection.ops
    table = ops.quote_name(Click._meta.db_table)
    columns = ", ".join(ops.quote_name(name) for name in _COLUMNS)
    rows = [
        (
            click.workspace_id,
            click.link_id,
            ops.adapt_datetimefield_value(click.clicked_at),
            click.referrer_host,
            click.ua_class,
            click.ip_hash,
            click.visitor_id,
            is_bot(click.ua_class),
            False,
        )
        for click in batch
    ]
    # identifiers come from the model, every value is a parameter or COPY data
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(_COLUMNS))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, rows)


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _local_day(moment: datetime, timezone_name: str) -> date:
    return moment.astimezone(_zone(timezone_name)).date()


def local_days(clicks: Iterable[PendingClick]) -> set[tuple[int, date]]:
    """The (workspace, local day) pairs these clicks fall on."""
    return {(click.workspace_id, _local_day(click.clicked_at, click.timezone)) for click in clicks}


# --- the background flusher -------------------------------------------------------


def _ensure_flusher() -> None:
    global _flusher, _flusher_pid
    # gunicorn forks workers after the app may have been imported: a thread started in
    # the parent does not exist in the child, so each process starts its own.
    if _flusher is not None and _flusher_pid == os.getpid() and _flusher.is_alive():
        return
    with _buffer_lock:
        if _flusher is not None and _flusher_pid == os.getpid() and _flusher.is_alive():
            return
        _stopping.clear()
        _flusher = threading.Thread(target=_run_flusher, name="fanloop-clicklog", daemon=True)
        _flusher_pid = os.getpid()
        _flusher.start()


def _run_flusher() -> None:
    while not _stopping.is_set():
        _wake.wait(_flush_seconds())
        _wake.clear()
        if _stopping.is_set():
            break
        # The thread keeps its connection between flushes: opening one a second (what
        # CONN_MAX_AGE=0 would mean here) costs PostgreSQL a backend process each time,
        # on the cores the requests need. A failed flush drops it for a fresh one.
        if not _flush_quietly():
            connection.close()
    connection.close()


def shutdown() -> None:
    """Stop the flusher and write what is left; runs at interpreter exit."""
    _stopping.set()
    _wake.set()
    flusher = _flusher
    if flusher is not None and _flusher_pid == os.getpid() and flusher.is_alive():
        # It may hold a batch it took from the buffer: let it finish writing, or the
        # interpreter would kill it (a daemon) mid-write and lose that batch.
        flusher.join(timeout=60)
    _flush_quietly()


atexit.register(shutdown)
