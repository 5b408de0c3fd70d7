"""Attribution of orders to campaigns (filled in by the attribution work; the order
ingest calls it after every batch)."""

from collections.abc import Iterable

from fanloop.core.models import Workspace


def attribute_orders(workspace: Workspace, order_ids: Iterable[int]) -> int:
    """Attribute these orders; returns how many changed. Placeholder until implemented."""
    return 0
