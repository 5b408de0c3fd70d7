"""Costs: manual entries, cost files, the budget mirror, roles."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.analytics.models import RollupDirty
from fanloop.campaigns.models import BudgetLine, BudgetSpend, Campaign
from fanloop.campaigns.models.budget import BudgetCategory
from fanloop.channels.imports.reader import FileProblem
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.tracking.models import CostEntry, CostSource
from fanloop.tracking.services import costs
from fanloop.tracking.tests.orders_fixtures import (
    data_file,
    immediate_tasks_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace) -> Campaign:
    return Campaign.objects.create(
        workspace=workspace,
        name="618 大促",
        start_date=date(2026, 5, 1),
        end_date=date(2026, 6, 20),
    )


def test_marketing_adds_a_cost_with_an_audit_entry(member_with_role, workspace, campaign) -> None:
    marketing = member_with_role(Role.MARKETING)

    entry = costs.create_cost(
        actor=marketing,
        workspace=workspace,
        day=date(2026, 5, 3),
        category="kol_fee",
        amount_fen=500000,
        campaign=campaign,
        platform="xiaohongshu",
    )

    assert (entry.source, entry.amount_fen, entry.campaign) == (CostSource.MANUAL, 500000, campaign)
    assert AuditEntry.objects.filter(action="tracking.cost_created", object_id=str(entry.pk))
    assert RollupDirty.objects.filter(workspace=workspace, day=date(2026, 5, 3)).exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.OPERATOR, Role.VIEWER])
def test_other_roles_cannot_write_costs(member_with_role, workspace, role) -> None:
    with pytest.raises(PermissionDenied):
        costs.create_cost(
            actor=member_with_role(role),
            workspace=workspace,
            day=date(2026, 5, 3),
            category="ad_spend",
            amount_fen=100,
        )
    assert not CostEntry.objects.exists()


def test_bad_cost_is_refused_with_field_errors(admin_user, workspace, other_workspace) -> None:
    foreign = Campaign.objects.create(
        workspace=other_workspace, name="B", start_date=date(2026, 1, 1), end_date=date(2026, 2, 1)
    )
    with pytest.raises(ValidationError) as caught:
        costs.create_cost(
            actor=admin_user,
            workspace=workspace,
            day=date(2026, 5, 3),
            category="bribes",
            amount_fen=0,
            campaign=foreign,
        )
    assert set(caught.value.message_dict) == {"category", "amount_fen", "campaign"}
    assert not CostEntry.objects.exists()


def test_update_and_delete(admin_user, workspace) -> None:
    entry = costs.create_cost(
        actor=admin_user, workspace=workspace, day=date(2026, 5, 3), category="other", amount_fen=1
    )

    costs.update_cost(actor=admin_user, entry=entry, amount_fen=250, day=date(2026, 5, 4))
    entry.refresh_from_db()
    assert (entry.amount_fen, entry.day) == (250, date(2026, 5, 4))

    costs.delete_cost(actor=admin_user, entry=entry)
    assert not CostEntry.objects.exists()
    assert AuditEntry.objects.filter(action="tracking.cost_deleted").count() == 1


def test_cost_file_import_is_idempotent(admin_user, workspace) -> None:
    first = costs.import_costs(
        actor=admin_user, workspace=workspace, data=data_file("costs.csv"), file_name="costs.csv"
    )

    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert [e["row"] for e in first.errors] == [5]
    assert "未知类" in first.errors[0]["reason"]
    ad = CostEntry.objects.get(external_ref="AD-0501")
    assert (ad.category, ad.amount_fen, ad.platform) == ("ad_spend", 120050, "douyin")
    assert CostEntry.objects.get(category="kol_fee").platform == "xiaohongshu"

    again = costs.import_costs(
        actor=admin_user, workspace=workspace, data=data_file("costs.csv"), file_name="costs.csv"
    )

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert CostEntry.objects.filter(workspace=workspace).count() == 3


def test_cost_file_without_required_columns_writes_nothing(admin_user, workspace) -> None:
    with pytest.raises(FileProblem, match="金额"):
        costs.import_costs(
            actor=admin_user,
            workspace=workspace,
            data="日期,类别\n2026-05-01,广告\n".encode(),
            file_name="c.csv",
        )
    assert not CostEntry.objects.exists()


def test_cost_import_needs_budget_edit(member_with_role, workspace) -> None:
    with pytest.raises(PermissionDenied):
        costs.import_costs(
            actor=member_with_role(Role.ANALYST),
            workspace=workspace,
            data=data_file("costs.csv"),
            file_name="costs.csv",
        )


def test_budget_actuals_are_mirrored_updated_and_removed(workspace, campaign) -> None:
    kol = BudgetLine.objects.create(campaign=campaign, category=BudgetCategory.KOL, planned_fen=1)
    ads = BudgetLine.objects.create(
        campaign=campaign, category=BudgetCategory.ADS_SOCIAL, planned_fen=1
    )
    fee = BudgetSpend.objects.create(line=kol, spent_on=date(2026, 5, 2), amount_fen=300000)
    spend = BudgetSpend.objects.create(line=ads, spent_on=date(2026, 5, 3), amount_fen=8000)

    assert costs.sync_budget_costs(workspace) == {"created": 2, "updated": 0, "deleted": 0}
    mirror = CostEntry.objects.get(budget_spend=fee)
    assert (mirror.category, mirror.amount_fen, mirror.campaign, mirror.source) == (
        "kol_fee",
        300000,
        campaign,
        CostSource.BUDGET,
    )
    assert CostEntry.objects.get(budget_spend=spend).category == "ad_spend"
    assert costs.sync_budget_costs(workspace) == {"created": 0, "updated": 0, "deleted": 0}

    fee.amount_fen = 350000
    fee.save()
    assert costs.sync_budget_costs(workspace)["updated"] == 1
    assert CostEntry.objects.get(budget_spend=fee).amount_fen == 350000

    spend.delete()
    costs.sync_budget_costs(workspace)
    assert CostEntry.objects.filter(source=CostSource.BUDGET).count() == 1


def test_budget_mirrors_cannot_be_edited_here(admin_user, workspace, campaign) -> None:
    line = BudgetLine.objects.create(campaign=campaign, category=BudgetCategory.KOL, planned_fen=1)
    BudgetSpend.objects.create(line=line, spent_on=date(2026, 5, 2), amount_fen=1000)
    costs.sync_budget_costs(workspace)
    mirror = CostEntry.objects.get()

    with pytest.raises(ValidationError, match="budget"):
        costs.delete_cost(actor=admin_user, entry=mirror)
    assert CostEntry.objects.count() == 1


def test_budget_sync_stays_in_its_workspace(
    workspace, other_workspace, campaign, immediate_tasks
) -> None:
    line = BudgetLine.objects.create(campaign=campaign, category=BudgetCategory.KOL, planned_fen=1)
    BudgetSpend.objects.create(line=line, spent_on=date(2026, 5, 2), amount_fen=1000)

    costs.sync_budget_costs(other_workspace)

    assert not CostEntry.objects.exists()
    costs.sync_all_budget_costs.enqueue()
    assert CostEntry.objects.get().workspace == workspace
