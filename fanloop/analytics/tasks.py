"""Analytics background and periodic jobs, thin over the rollups and attribution."""

from datetime import date

from fanloop.analytics import rollups
from fanloop.core.jobs import job
from fanloop.core.models import User, Workspace


@job(max_attempts=2)
def run_rollups(limit: int = 500) -> dict[str, int]:
    """Periodic (every 5 minutes): mark days whose channel metrics changed, then
    rebuild the dirty days (re-attributing orders that late clicks may explain), then
    the weeks those days fall in."""
    marked = rollups.mark_changed_metrics()
    result = rollups.process_dirty(limit=limit)
    return {"marked": marked, **result, **rollups.process_stale_weeks()}


@job(max_attempts=2)
def reattribute_orders(workspace_id: int, actor_id: int, start: str, end: str) -> dict[str, int]:
    """On demand, after codes or the click window changed: attribute the orders of the
    local days [start, end] again (ISO dates). Changed days are rebuilt by the next
    :func:`run_rollups`."""
    from fanloop.tracking.services.attribution import reattribute

    workspace = Workspace.objects.get(pk=workspace_id)
    actor = User.objects.get(pk=actor_id)
    changed = reattribute(
        workspace=workspace,
        actor=actor,
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
    )
    return {"changed": changed}
