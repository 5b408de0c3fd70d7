"""The background job that runs an uploaded metric import.

The upload view stores the file under ``metric_imports/<workspace>/<uuid>/`` in the default
storage, opens the batch and queues :data:`run_metric_import` after the commit; a worker
runs it. The file is deleted once imported: the batch keeps the report, and re-importing
means uploading again (idempotent anyway).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.imports import services
from fanloop.channels.models import ImportBatch, ImportState
from fanloop.core.jobs import job

log = logging.getLogger(__name__)
STORAGE_DIR = "metric_imports"
# Rows between two progress writes; the batch page polls every second.
PROGRESS_EVERY = 5000


@job(max_attempts=1)
def run_metric_import(
    batch_id: int, stored_name: str, spec: dict[str, Any], captured_on: str = ""
) -> dict[str, int | str]:
    """Import the stored file of batch ``batch_id`` with the profile ``spec``."""
    batch = ImportBatch.objects.select_related("workspace", "account", "created_by").get(
        pk=batch_id
    )
    if batch.state != ImportState.RUNNING:
        return {"batch": batch_id, "state": batch.state}  # already run (a duplicate job)
    try:
        with default_storage.open(stored_name, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        services.fail_batch(batch, _("The uploaded file is gone: %(error)s") % {"error": exc})
        return {"batch": batch_id, "state": ImportState.FAILED}
    outcome = services.run_batch(
        batch,
        data=data,
        profile=services.profile_from_spec(spec),
        captured_on=date.fromisoformat(captured_on) if captured_on else None,
        progress_every=PROGRESS_EVERY,
    )
    try:
        default_storage.delete(stored_name)
    except OSError:  # the report is what matters; a leftover file is only disk space
        log.warning("could not delete imported file %s", stored_name)
    return {"batch": batch_id, "imported": outcome.rows_imported, "skipped": outcome.rows_skipped}


def queue_import(
    batch: ImportBatch, stored_name: str, spec: dict[str, Any], captured_on: date | None
) -> None:
    """Queue the job once the batch row is committed, so the worker can see it."""
    day = captured_on.isoformat() if captured_on else ""
    transaction.on_commit(lambda: run_metric_import.enqueue(batch.pk, stored_name, spec, day))


PENDING_KEEP = timedelta(days=1)


@job(max_attempts=1)
def prune_pending_uploads() -> dict[str, int]:
    """Delete custom-mapping uploads (step 1 of the mapping page) never taken to step 2,
    once they are a day old. Batch files are left to their job, which deletes them."""
    cutoff = timezone.now() - PENDING_KEEP
    removed = 0
    try:
        workspaces, _files = default_storage.listdir(STORAGE_DIR)
    except FileNotFoundError:
        return {"removed": 0}
    for workspace_dir in workspaces:
        base = f"{STORAGE_DIR}/{workspace_dir}/pending"
        try:
            folders, _files = default_storage.listdir(base)
        except FileNotFoundError:
            continue
        for folder in folders:
            _dirs, names = default_storage.listdir(f"{base}/{folder}")
            for name in names:
                path = f"{base}/{folder}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    removed += 1
    return {"removed": removed}
