"""Deleting a workspace takes its tracking and analytics rows with it, in one go."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanloop.analytics import rollups
from fanloop.analytics.models import DailyFact, RollupDirty
from fanloop.core import services
from fanloop.tracking.models import Click, CostCategory, CostEntry, Order, TrackingLink
from fanloop.tracking.services import costs, orders

pytestmark = pytest.mark.django_db(transaction=True)


def test_deleting_a_workspace_removes_links_clicks_orders_costs_and_facts(
    workspace, admin_user, campaign
):
    # given a workspace with a link, a click, an order, a cost and a built rollup
    now = timezone.now()
    link = TrackingLink.objects.create(
        workspace=workspace, code="gone1", destination_url="https://a.example/", campaign=campaign
    )
    Click.objects.create(
        workspace=workspace, link=link, clicked_at=now, ua_class="mobile", ip_hash="x" * 64
    )
    orders.ingest_orders(
        workspace,
        [
            {
                "row": 1,
                "order_no": "T1",
                "shop_platform": "taobao",
                "status": "paid",
                "ordered_at": now - timedelta(hours=1),
                "total": 7900,
                "buyer": "buyer-1",
            }
        ],
        source="import",
        actor=admin_user,
    )
    costs.create_cost(
        actor=admin_user,
        workspace=workspace,
        day=timezone.localdate(),
        category=CostCategory.AD_SPEND,
        amount_fen=1000,
        campaign=campaign,
    )
    rollups.process_dirty()
    assert DailyFact.objects.filter(workspace=workspace).exists()

    # when the workspace is deleted
    services.delete_workspace_as_operator(workspace=workspace)

    # then nothing of it is left, and no rollup work points at it
    for model in (TrackingLink, Click, Order, CostEntry, DailyFact, RollupDirty):
        assert not model.objects.exists(), model.__name__
