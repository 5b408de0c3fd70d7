"""Order-file imports: the upload opens an :class:`OrderImport`, a background job reads
the file with a profile or a custom mapping and hands the rows to :func:`ingest_orders`
a few hundred orders at a time, keeping ``rows_done`` current for the progress page.

A file that cannot be read, or that lacks a required column, writes no order: the import
fails with a message naming the missing columns and the headers the file has. Row errors
are kept on the import (the first :data:`MAX_STORED_ERRORS`); the CLI can write them all.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.imports.reader import HEADER_SCAN_ROWS, FileProblem, open_table
from fanloop.core import audit
from fanloop.core.jobs import job
from fanloop.core.models import Workspace
from fanloop.tracking.models import OrderImport
from fanloop.tracking.order_profiles import (
    FIELDS,
    REQUIRED,
    OrderProfile,
    match_headers,
    parse_row,
    profile_from_spec,
    profile_spec,
    text_of,
)
from fanloop.tracking.services.orders import IngestResult, group_rows, ingest_orders, require_manage

log = logging.getLogger(__name__)
STORAGE_DIR = "order_imports"
MAX_STORED_ERRORS = 2000
ORDERS_PER_CHUNK = 500
DEFAULT_MAX_BYTES = 100 * 1_048_576

Progress = Callable[[int, int], None]


@dataclass
class ImportOutcome:
    ok: bool
    message: str = ""
    rows_total: int = 0
    result: IngestResult = field(default_factory=IngestResult)


def max_bytes() -> int:
    return int(getattr(settings, "FANLOOP_ORDER_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def start_import(
    *,
    actor: Any,
    workspace: Workspace,
    profile: OrderProfile,
    file_name: str,
    data: bytes,
    store: bool = True,
) -> OrderImport:
    """Check who and what, keep the file for the job, and open the import record."""
    require_manage(actor, workspace)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > max_bytes():
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": max_bytes() // 1_048_576}}
        )
    stored = ""
    if store:
        safe = "".join(c for c in file_name[-80:] if c.isalnum() or c in "._-") or "orders"
        stored = default_storage.save(
            f"{STORAGE_DIR}/{workspace.pk}/{uuid.uuid4().hex}/{safe}", ContentFile(data)
        )
    return OrderImport.objects.create(
        workspace=workspace,
        profile=str(profile.name)[:80],
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        shop_platform=profile.shop_platform,
        spec=profile_spec(profile),
        stored_name=stored,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def queue_import(batch: OrderImport) -> None:
    """Queue the job once the import row is committed, so the worker can see it."""
    transaction.on_commit(lambda: run_order_import.enqueue(batch.pk))


@job(max_attempts=1)
def run_order_import(import_id: int) -> dict[str, Any]:
    batch = OrderImport.objects.select_related("workspace", "created_by").get(pk=import_id)
    if batch.state != OrderImport.State.QUEUED:
        return {"import": import_id, "state": batch.state}  # a duplicate job
    try:
        with default_storage.open(batch.stored_name, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError) as exc:
        _fail(batch, _("The uploaded file is gone: %(error)s") % {"error": exc})
        return {"import": import_id, "state": OrderImport.State.FAILED}
    outcome = run_import(batch, data=data)
    try:
        default_storage.delete(batch.stored_name)
    except OSError:  # the report is what matters; a leftover file is only disk space
        log.warning("could not delete imported order file %s", batch.stored_name)
    return {
        "import": import_id,
        "created": len(outcome.result.created),
        "updated": len(outcome.result.updated),
        "errors": len(outcome.result.errors),
    }


def import_orders(
    *,
    actor: Any,
    workspace: Workspace,
    profile: OrderProfile,
    file_name: str,
    data: bytes,
    on_progress: Progress | None = None,
) -> tuple[OrderImport, ImportOutcome]:
    """Open an import and run it here (the CLI and tests); the web UI queues the job."""
    batch = start_import(
        actor=actor,
        workspace=workspace,
        profile=profile,
        file_name=file_name,
        data=data,
        store=False,
    )
    outcome = run_import(batch, data=data, on_progress=on_progress)
    batch.refresh_from_db()
    return batch, outcome


# Running ---------------------------------------------------------------------------------


def _cells(row: Sequence[Any]) -> list[str]:
    return [text_of(c) for c in row]


def read_rows(
    data: bytes, file_name: str, profile: OrderProfile, workspace: Workspace
) -> tuple[int, list[dict[str, Any]]]:
    """The header row number and every data row parsed. Raises :class:`FileProblem` for a
    file that cannot be read or lacks required columns."""
    table = open_table(data, file_name)
    scanned = list(itertools.islice(table.rows, HEADER_SCAN_ROWS))
    best: tuple[int, int, dict[str, int]] | None = None
    for position, (number, row) in enumerate(scanned):
        index = match_headers(_cells(row), profile)
        if index and (best is None or len(index) > len(best[2])):
            best = (position, number, index)
    if best is None or not (REQUIRED & set(best[2])):
        first = next((_cells(r) for _n, r in scanned if any(_cells(r))), [])
        raise FileProblem(
            _(
                "No header row found: expected columns such as %(expected)s. The file's "
                "first row has: %(headers)s. Is this the right profile?"
            )
            % {
                "expected": "、".join(profile.label(f) for f in FIELDS if f in REQUIRED),
                "headers": "、".join(h for h in first if h) or _("nothing"),
            }
        )
    position, header_number, index = best
    missing = [f for f in FIELDS if f in REQUIRED and f not in index]
    if missing:
        headers = [h for h in _cells(scanned[position][1]) if h]
        raise FileProblem(
            _("Required columns are missing: %(missing)s. The file's headers are: %(headers)s.")
            % {
                "missing": "、".join(f"{profile.label(f)} ({FIELDS[f]})" for f in missing),
                "headers": "、".join(headers),
            }
        )
    tz = workspace.zoneinfo
    rows = []
    for number, cells in itertools.chain(scanned[position + 1 :], table.rows):
        values = list(cells)
        if not any(text_of(c) for c in values):
            continue
        rows.append(parse_row(number, values, index, profile, tz))
    return header_number, rows


def run_import(
    batch: OrderImport,
    *,
    data: bytes,
    progress_every: int = ORDERS_PER_CHUNK,
    on_progress: Progress | None = None,
) -> ImportOutcome:
    workspace = batch.workspace
    OrderImport.objects.filter(pk=batch.pk).update(state=OrderImport.State.RUNNING)
    batch.state = OrderImport.State.RUNNING
    profile = profile_from_spec(batch.spec)
    try:
        _header, rows = read_rows(data, batch.file_name, profile, workspace)
    except FileProblem as problem:
        _fail(batch, str(problem))
        return ImportOutcome(ok=False, message=str(problem))
    total = len(rows)
    OrderImport.objects.filter(pk=batch.pk).update(rows_total=total)
    if on_progress is not None:
        on_progress(0, total)
    groups, loose = group_rows(rows)
    outcome = ImportOutcome(ok=True, rows_total=total)
    outcome.result.errors += loose
    done = len(loose)
    keys = list(groups)
    step = max(1, progress_every)
    try:
        for start in range(0, len(keys), step):
            chunk = [row for key in keys[start : start + step] for row in groups[key]]
            part = ingest_orders(workspace, chunk, source="import", import_batch=batch, actor=None)
            outcome.result.add(part)
            done += len(chunk)
            OrderImport.objects.filter(pk=batch.pk).update(rows_done=done)
            if on_progress is not None:
                on_progress(done, total)
    except Exception as exc:
        _fail(batch, _("The import stopped: %(error)s") % {"error": exc})
        raise
    _finish(batch, outcome)
    return outcome


def _fail(batch: OrderImport, message: str) -> None:
    batch.state = OrderImport.State.FAILED
    batch.message = message
    batch.errors = [{"row": 0, "reason": message}]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "message", "errors", "finished_at"])
    audit.record(
        actor=batch.created_by,
        workspace=batch.workspace,
        action="tracking.order_import",
        obj=batch,
        changes={"state": (None, batch.state), "file_name": (None, batch.file_name)},
    )


def _finish(batch: OrderImport, outcome: ImportOutcome) -> None:
    result = outcome.result
    result.errors.sort(key=lambda e: int(e.get("row") or 0))
    batch.state = OrderImport.State.DONE
    batch.rows_total = outcome.rows_total
    batch.rows_done = outcome.rows_total
    batch.orders_created = len(result.created)
    batch.orders_updated = len(result.updated)
    batch.orders_unchanged = result.unchanged
    batch.orders_skipped = result.skipped_orders
    batch.rows_failed = len({e.get("row") for e in result.errors})
    batch.errors = result.errors[:MAX_STORED_ERRORS]
    batch.finished_at = timezone.now()
    batch.save(
        update_fields=[
            "state",
            "rows_total",
            "rows_done",
            "orders_created",
            "orders_updated",
            "orders_unchanged",
            "orders_skipped",
            "rows_failed",
            "errors",
            "finished_at",
        ]
    )
    audit.record(
        actor=batch.created_by,
        workspace=batch.workspace,
        action="tracking.order_import",
        obj=batch,
        changes={
            "state": (None, batch.state),
            "file_name": (None, batch.file_name),
            "profile": (None, batch.profile),
            "orders_created": (None, batch.orders_created),
            "orders_updated": (None, batch.orders_updated),
            "orders_unchanged": (None, batch.orders_unchanged),
            "orders_skipped": (None, batch.orders_skipped),
            "rows_failed": (None, batch.rows_failed),
        },
    )
