"""Community background and periodic jobs, thin over the services."""

import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from fanloop.community.models import CommunityImport, ImportState
from fanloop.community.services import imports, rollup, sync
from fanloop.core.jobs import job

log = logging.getLogger(__name__)
STORAGE_DIR = "community_imports"


@job(max_attempts=2)
def sync_wecom_groups() -> dict[str, object]:
    """Periodic (hourly): every connected WeCom account's customer groups."""
    result = sync.sync_all()
    return {
        "groups": result.groups,
        "created": result.created,
        "joined": result.joined,
        "left": result.left,
        "stat_days": result.stat_days,
        "errors": result.errors[:20],
    }


@job(max_attempts=2)
def rollup_community_metrics() -> dict[str, int]:
    """Periodic (daily, after midnight): yesterday's and today's figures of every group."""
    return {"days": rollup.rollup_all(days=2)}


@job(max_attempts=1)
def run_community_import(run_id: int, stored_name: str) -> dict[str, object]:
    run = CommunityImport.objects.get(pk=run_id)
    if run.state != ImportState.RUNNING:
        return {"import": run_id, "state": run.state}  # a duplicate job
    try:
        with default_storage.open(stored_name, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        imports.fail_import(run, _("The uploaded file is gone: %(error)s") % {"error": exc})
        return {"import": run_id, "state": ImportState.FAILED}
    run = imports.run_import(run, data)
    try:
        default_storage.delete(stored_name)
    except OSError:  # the report is what matters; a leftover file is only disk space
        log.warning("could not delete imported file %s", stored_name)
    return {"import": run_id, "state": run.state, "imported": run.rows_imported}


def queue_import(run: CommunityImport, stored_name: str) -> None:
    """Queue the job once the run row is committed, so the worker can see it."""
    transaction.on_commit(lambda: run_community_import.enqueue(run.pk, stored_name))
