from datetime import date
from decimal import Decimal

import pytest

from fanloop.campaigns import services
from fanloop.core.permissions import Role


@pytest.fixture
def marketer(member_with_role):
    return member_with_role(Role.MARKETING)


@pytest.fixture
def campaign(marketer, workspace):
    return services.create_campaign(
        actor=marketer,
        workspace=workspace,
        data={
            "name": "双11 预售",
            "start_date": date(2026, 10, 20),
            "end_date": date(2026, 11, 12),
            "owner": marketer,
        },
    )


@pytest.fixture
def planned_ready(marketer, campaign):
    """A draft campaign with what planning needs: a measurable goal and a budget."""
    services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="goal",
        data={
            "goal_type": "sales",
            "metric": "orders",
            "baseline": Decimal(0),
            "target": Decimal(5000),
            "deadline": date(2026, 11, 11),
        },
    )
    services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="budget_line",
        data={
            "category": "kol",
            "planned_fen": 5_000_000,
        },
    )
    return campaign
