"""Incremental rollups: raw rows mark their (workspace, day) dirty; a job rebuilds each
dirty day's DailyFact rows from the raw rows, so the rollup always equals a recomputation.
"""

from collections.abc import Iterable
from datetime import date

from fanloop.analytics.models import RollupDirty


def mark_dirty(pairs: Iterable[tuple[int, date]]) -> None:
    """Note that these (workspace id, local day) pairs need their facts rebuilt."""
    unique = set(pairs)
    if unique:
        RollupDirty.objects.bulk_create(
            [RollupDirty(workspace_id=workspace_id, day=day) for workspace_id, day in unique],
            ignore_conflicts=True,
        )
