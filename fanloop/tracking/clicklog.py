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

Derived flags are computed here, off the request path: ``is_bot`` from the User-Agent
class, and ``is_repeat`` — an earlier click on the same link within ``REPEAT_WINDOW``
by the same visitor id, or, for a click without a visitor id, from the same IP hash.
The comparison covers the batch and the rows already stored, and a stored click that a
late-arriving earlier click (another worker's buffer) now precedes is flagged as well,
so the flags do not depend on which process flushed first.

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
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Max, Q

from fanloop.analytics.rollups import mark_dirty
from fanloop.tracking.models import Click, TrackingLink
from fanloop.tracking.useragents import is_bot

logger = logging.getLogger(__name__)

REPEAT_WINDOW = timedelta(minutes=30)


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


def _flush_quietly() -> None:
    try:
        flush()
    except Exception:
        logger.exception("Writing %d buffered clicks failed; will retry", pending_count())


def _write(batch: list[PendingClick]) -> None:
    # A link deleted since its click was buffered would fail the whole batch on its
    # foreign key, for ever; its clicks went with it.
    link_ids = {click.link_id for click in batch}
    existing = set(TrackingLink.objects.filter(id__in=link_ids).values_list("id", flat=True))
    batch = [click for click in batch if click.link_id in existing]
    if not batch:
        return
    with transaction.atomic():
        repeats, upgraded = _repeat_flags(batch)
        _insert(batch, repeats)
        days = local_days(batch)
        if upgraded:
            rows = Click.objects.filter(id__in=upgraded)
            rows.update(is_repeat=True)
            days |= {
                (workspace_id, _local_day(clicked_at, tz))
                for workspace_id, clicked_at, tz in rows.values_list(
                    "workspace_id", "clicked_at", "workspace__timezone"
                )
            }
        mark_dirty(days)


_COLUMNS = (
    "workspace_id",
    "link_id",
    "clicked_at",
    "referrer_host",
    "ua_class",
    "ip_hash",
    "visitor_id",
    "is_bot",
    "is_repeat",
)


def _insert(batch: list[PendingClick], repeats: list[bool]) -> None:
    """One executemany: the ORM's bulk_create spends ~15 ms of Python (holding the GIL
    the request threads need) building 200 model instances and their SQL."""
    ops = connection.ops
    table = ops.quote_name(Click._meta.db_table)
    columns = ", ".join(ops.quote_name(name) for name in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
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
            repeat,
        )
        for click, repeat in zip(batch, repeats, strict=True)
    ]
    with connection.cursor() as cursor:
        # identifiers come from the model, every value is a parameter
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(sql, rows)


# Sort order of events at the same instant: what was stored first, then this batch.
_MARK, _STORED, _NEW = 0, 1, 2


@dataclass(slots=True)
class _Event:
    clicked_at: datetime
    kind: int
    visitor_id: str  # for a mark: the visitor it summarises, or "" for an IP mark
    ip_hash: str  # for a mark: the IP it summarises, or "" for a visitor mark
    stored_id: int = 0
    index: int = -1  # position in the batch for a new click
    is_repeat: bool = False


def _repeat_flags(batch: list[PendingClick]) -> tuple[list[bool], list[int]]:
    """Repeat flags for the batch, and ids of stored clicks that became repeats.

    Stored clicks up to the batch's first click only matter through the latest one per
    (link, visitor) and (link, IP): two aggregate queries give those "marks", so a busy
    visitor (or a shared IP) costs a database aggregate, not thousands of rows read into
    Python. Stored clicks after that instant (another process flushed them first) are
    read individually: they may need a new earlier click's flag, and there are few.
    """
    first = min(click.clicked_at for click in batch)
    lo = first - REPEAT_WINDOW
    hi = max(click.clicked_at for click in batch) + REPEAT_WINDOW
    links = {click.link_id for click in batch}
    visitors = {click.visitor_id for click in batch if click.visitor_id}
    ips = {click.ip_hash for click in batch}

    timelines: dict[int, list[_Event]] = {}
    before = Click.objects.filter(link_id__in=links, clicked_at__gte=lo, clicked_at__lte=first)
    for link_id, ip_hash, last in (
        before.filter(ip_hash__in=ips).values_list("link_id", "ip_hash").annotate(Max("clicked_at"))
    ):
        timelines.setdefault(link_id, []).append(_Event(last, _MARK, "", ip_hash))
    if visitors:
        for link_id, visitor_id, last in (
            before.filter(visitor_id__in=visitors)
            .values_list("link_id", "visitor_id")
            .annotate(Max("clicked_at"))
        ):
            timelines.setdefault(link_id, []).append(_Event(last, _MARK, visitor_id, ""))

    who = Q(ip_hash__in=ips)
    if visitors:
        who |= Q(visitor_id__in=visitors)
    after = Click.objects.filter(
        who, link_id__in=links, clicked_at__gt=first, clicked_at__lte=hi
    ).values_list("id", "link_id", "clicked_at", "visitor_id", "ip_hash", "is_repeat")
    for row_id, link_id, clicked_at, visitor_id, ip_hash, repeat in after:
        timelines.setdefault(link_id, []).append(
            _Event(clicked_at, _STORED, visitor_id, ip_hash, stored_id=row_id, is_repeat=repeat)
        )
    for index, click in enumerate(batch):
        timelines.setdefault(click.link_id, []).append(
            _Event(click.clicked_at, _NEW, click.visitor_id, click.ip_hash, index=index)
        )

    flags = [False] * len(batch)
    upgraded: list[int] = []
    for events in timelines.values():
        events.sort(key=lambda e: (e.clicked_at, e.kind))
        last_by_visitor: dict[str, datetime] = {}
        last_by_ip: dict[str, datetime] = {}
        for event in events:
            if event.kind == _MARK:
                if event.visitor_id:
                    last_by_visitor[event.visitor_id] = event.clicked_at
                else:
                    last_by_ip[event.ip_hash] = event.clicked_at
                continue
            previous = (
                last_by_visitor.get(event.visitor_id)
                if event.visitor_id
                else last_by_ip.get(event.ip_hash)
            )
            repeat = previous is not None and event.clicked_at - previous <= REPEAT_WINDOW
            if event.kind == _NEW:
                flags[event.index] = repeat
            elif repeat and not event.is_repeat:
                upgraded.append(event.stored_id)
            if event.visitor_id:
                last_by_visitor[event.visitor_id] = event.clicked_at
            last_by_ip[event.ip_hash] = event.clicked_at
    return flags, upgraded


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
        close_old_connections()
        _flush_quietly()
    close_old_connections()


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
