"""The write path for metric imports: permission, the batch record, the run, the audit.

Who may import: roles allowed to manage analytics (admin, analyst) or to manage channels
(admin, operator). The CLI without ``--user`` runs as the system (shell access is trust).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.imports.profiles import (
    BUILTIN,
    SAVED_PREFIX,
    Profile,
    clean_mapping,
    custom_profile,
    from_saved,
)
from fanloop.channels.imports.runner import Options, Outcome, import_rows
from fanloop.channels.models import ChannelAccount, ImportBatch, ImportProfile, ImportState
from fanloop.channels.models.metrics import MetricSource
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action, allowed
from fanloop.core.services import role_of

IMPORT_ACTIONS = (Action.ANALYTICS_MANAGE, Action.CHANNEL_MANAGE)
# The batch keeps the first errors for the page and its CSV; the CLI can write them all.
MAX_STORED_ERRORS = 5000
PROFILE_FIELDS = ("name", "platform", "mapping")


def max_bytes() -> int:
    return int(settings.FANLOOP_METRIC_IMPORT_MAX_BYTES)


def can_import(role: str | None) -> bool:
    return any(allowed(role, action) for action in IMPORT_ACTIONS)


def require_import(actor: User | None, workspace: Workspace) -> None:
    if actor is None:
        return
    if not can_import(role_of(actor, workspace)):
        raise PermissionDenied(_("Your role does not allow importing metrics."))


# Profiles --------------------------------------------------------------------------------


def resolve_profile(workspace: Workspace, ref: str) -> Profile:
    """A built-in profile by key, or one of the workspace's saved profiles by
    ``saved:ID`` or by name."""
    if ref in BUILTIN:
        return BUILTIN[ref]
    saved = ImportProfile.objects.filter(workspace=workspace)
    if ref.startswith(SAVED_PREFIX) and ref[len(SAVED_PREFIX) :].isdigit():
        found = saved.filter(pk=int(ref[len(SAVED_PREFIX) :])).first()
    else:
        found = saved.filter(name=ref).first()
    if found is None:
        raise ValidationError(
            {
                "profile": _("No import profile %(name)s. Built-in profiles: %(names)s.")
                % {"name": ref, "names": ", ".join(BUILTIN)}
            }
        )
    return from_saved(found)


def profile_spec(profile: Profile) -> dict[str, Any]:
    """A JSON form of the profile, so a queued import runs with the mapping chosen at
    upload time even if the saved profile changes meanwhile."""
    if profile.builtin and BUILTIN.get(profile.key) == profile:
        return {"builtin": profile.key}
    return {
        "platform": profile.platform,
        "name": str(profile.name),
        "saved_id": profile.saved_id,
        "mapping": {f: names[0] for f, names in profile.columns.items()},
        "cumulative": profile.cumulative,
        "date_format": profile.date_format,
    }


def profile_from_spec(spec: Mapping[str, Any]) -> Profile:
    if "builtin" in spec:
        return BUILTIN[str(spec["builtin"])]
    return custom_profile(
        dict(spec["mapping"]),
        platform=str(spec["platform"]),
        cumulative=bool(spec["cumulative"]),
        date_format=str(spec.get("date_format") or ""),
        name=str(spec.get("name") or ""),
        saved_id=spec.get("saved_id"),
    )


@transaction.atomic
def save_profile(
    *,
    actor: User,
    workspace: Workspace,
    name: str,
    platform: str,
    mapping: Mapping[str, Any],
    profile: ImportProfile | None = None,
) -> ImportProfile:
    require_import(actor, workspace)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the profile a name.")})
    if name in BUILTIN:
        raise ValidationError({"name": _("That name belongs to a built-in profile.")})
    columns, options = clean_mapping(mapping, platform=platform)
    clash = ImportProfile.objects.filter(workspace=workspace, name=name)
    if profile is not None:
        clash = clash.exclude(pk=profile.pk)
    if clash.exists():
        raise ValidationError({"name": _("This workspace already has a profile with that name.")})
    row = profile or ImportProfile(workspace=workspace, created_by=actor)
    before = audit.snapshot(row, PROFILE_FIELDS) if profile else None
    row.name, row.platform, row.mapping = name, platform, {**columns, **options}
    row.save()
    after = audit.snapshot(row, PROFILE_FIELDS)
    audit.record(
        actor=actor,
        workspace=workspace,
        action="channels.import_profile_save",
        obj=row,
        changes=audit.diff(before, after) if before else audit.created(row, PROFILE_FIELDS),
    )
    return row


@transaction.atomic
def delete_profile(*, actor: User, profile: ImportProfile) -> None:
    require_import(actor, profile.workspace)
    audit.record(
        actor=actor,
        workspace=profile.workspace,
        action="channels.import_profile_delete",
        obj=profile,
        changes=audit.deleted(profile, PROFILE_FIELDS),
    )
    profile.delete()


# Batches ---------------------------------------------------------------------------------


def _check_account(workspace: Workspace, account: ChannelAccount | None, platform: str) -> None:
    if account is None:
        return
    if account.workspace_id != workspace.pk:
        raise ValidationError({"account": _("That account is not in this workspace.")})
    if account.platform != platform:
        raise ValidationError(
            {
                "account": _("That is a %(account)s account; this file is from %(file)s.")
                % {"account": account.get_platform_display(), "file": platform}
            }
        )


def start_batch(
    *,
    actor: User | None,
    workspace: Workspace,
    profile: Profile,
    file_name: str,
    data: bytes,
    strict: bool = False,
    account: ChannelAccount | None = None,
) -> ImportBatch:
    """Check who and what, and open the batch record the progress and report go on."""
    require_import(actor, workspace)
    _check_account(workspace, account, profile.platform)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > max_bytes():
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": max_bytes() // 1_048_576}}
        )
    return ImportBatch.objects.create(
        workspace=workspace,
        account=account,
        profile=str(profile.name)[:80],
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        strict=strict,
        created_by=actor,
    )


def previous_import_of(batch: ImportBatch) -> ImportBatch | None:
    """An earlier finished import of the very same file (shown as a note; harmless)."""
    return (
        ImportBatch.objects.filter(
            workspace=batch.workspace, sha256=batch.sha256, state=ImportState.DONE
        )
        .exclude(pk=batch.pk)
        .order_by("-created_at")
        .first()
    )


def run_batch(
    batch: ImportBatch,
    *,
    data: bytes,
    profile: Profile,
    captured_on: date | None = None,
    progress_every: int = 5000,
    engine: str = "",
    on_progress: Any = None,
) -> Outcome:
    """Run the import of an opened batch, keeping ``rows_done`` current, then record the
    result on the batch and in the audit log."""
    workspace = batch.workspace
    tz = workspace.zoneinfo  # export times are the team's wall-clock time

    def progress(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)
        if on_progress is not None:
            on_progress(done, total)

    options = Options(
        profile=profile,
        captured_on=captured_on or timezone.localdate(timezone=tz),
        tz=tz,
        strict=batch.strict,
        account=batch.account,
        source=MetricSource.IMPORT,
        progress=progress,
        progress_every=progress_every,
        engine=engine,
    )
    try:
        outcome = import_rows(
            workspace=workspace,
            data=data,
            file_name=batch.file_name,
            options=options,
            batch=batch,
        )
    except Exception as exc:
        fail_batch(batch, _("The import stopped: %(error)s") % {"error": exc})
        raise
    finish_batch(batch, outcome)
    return outcome


def fail_batch(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportState.FAILED,
        errors=[{"row": 0, "reason": message}],
        finished_at=timezone.now(),
    )


def finish_batch(batch: ImportBatch, outcome: Outcome) -> None:
    problems = [p.as_dict() for p in outcome.errors[:MAX_STORED_ERRORS]]
    problems += [p.as_dict() for p in outcome.warnings[: MAX_STORED_ERRORS - len(problems)]]
    if not outcome.ok:
        problems.insert(0, {"row": outcome.header_row, "reason": outcome.message, "file": True})
    batch.state = ImportState.DONE if outcome.ok else ImportState.FAILED
    batch.rows_total = outcome.rows_total
    batch.rows_done = outcome.rows_total
    batch.rows_imported = outcome.rows_imported
    batch.rows_skipped = outcome.rows_skipped
    batch.errors = problems
    batch.unknown_columns = outcome.unknown_columns
    batch.finished_at = timezone.now()
    batch.save(
        update_fields=[
            "state",
            "rows_total",
            "rows_done",
            "rows_imported",
            "rows_skipped",
            "errors",
            "unknown_columns",
            "finished_at",
        ]
    )
    audit.record(
        actor=batch.created_by,
        workspace=batch.workspace,
        action="channels.metric_import",
        obj=batch,
        changes={
            "state": (None, batch.state),
            "file_name": (None, batch.file_name),
            "profile": (None, batch.profile),
            "rows_imported": (None, batch.rows_imported),
            "rows_skipped": (None, batch.rows_skipped),
            "strict": (None, batch.strict),
        },
    )


def import_metrics(
    *,
    actor: User | None,
    workspace: Workspace,
    profile: Profile,
    file_name: str,
    data: bytes,
    strict: bool = False,
    account: ChannelAccount | None = None,
    captured_on: date | None = None,
    on_progress: Any = None,
    engine: str = "",
) -> tuple[ImportBatch, Outcome]:
    """Open a batch and run it here (the CLI); the web UI queues :func:`run_batch`."""
    batch = start_batch(
        actor=actor,
        workspace=workspace,
        profile=profile,
        file_name=file_name,
        data=data,
        strict=strict,
        account=account,
    )
    outcome = run_batch(
        batch,
        data=data,
        profile=profile,
        captured_on=captured_on,
        on_progress=on_progress,
        engine=engine,
    )
    batch.refresh_from_db()
    return batch, outcome
