"""In a real browser: create a campaign, add a goal, a budget line and a phase, plan it,
and see the timeline chart."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanloop.campaigns.models import Campaign
from fanloop.conftest import PASSWORD
from fanloop.core.permissions import Role
from fanloop.core.tests.browser import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_a_campaign_end_to_end(page, live_server, member_with_role, workspace):
    marketer = member_with_role(Role.MARKETING)
    start = timezone.localdate()
    end = start + timedelta(days=30)
    login(page, live_server, marketer.username, PASSWORD)

    # create the campaign
    page.goto(f"{live_server.url}/w/{workspace.slug}/campaigns/new/")
    page.fill("#id_name", "618 预热")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", end.isoformat())
    page.select_option("#id_owner", label=str(marketer))
    page.fill("#id_role_xiaohongshu", "种草")
    page.click("#main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    campaign = Campaign.objects.get(name="618 预热")
    base = f"{live_server.url}/w/{workspace.slug}/campaigns/{campaign.pk}/tab"

    # a measurable goal
    page.goto(f"{base}/goals/")
    page.click("[data-testid=add-goal] summary")
    page.select_option("#id_goal-goal_type", "sales")
    page.select_option("#id_goal-metric", "orders")
    page.fill("#id_goal-baseline", "0")
    page.fill("#id_goal-target", "3000")
    page.fill("#id_goal-deadline", (end - timedelta(days=1)).isoformat())
    page.click("[data-testid=add-goal] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=goals] tbody tr").first.inner_text().startswith("Orders")

    # a budget line in yuan
    page.goto(f"{base}/budget/")
    page.click("[data-testid=add-budget_line] summary")
    page.select_option("#id_budget_line-category", "kol")
    page.fill("#id_budget_line-planned_yuan", "50000")
    page.click("[data-testid=add-budget_line] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "¥50,000.00" in page.locator("[data-testid=planned-total]").inner_text()

    # a phase with an owner
    page.goto(f"{base}/timeline/")
    page.click("[data-testid=add-phase] summary")
    page.select_option("#id_phase-kind", "preparation")
    page.fill("#id_phase-name", "筹备")
    page.fill("#id_phase-start_date", start.isoformat())
    page.fill("#id_phase-end_date", (start + timedelta(days=7)).isoformat())
    page.select_option("#id_phase-owner", label=str(marketer))
    page.click("[data-testid=add-phase] button[type=submit]")
    page.wait_for_load_state("networkidle")

    # move it to planned
    page.goto(f"{base}/overview/")
    page.click("[data-transition=plan]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=state]").inner_text() == "Planned"
    campaign.refresh_from_db()
    assert campaign.state == "planned"

    # the timeline chart renders through an HTMX tab switch
    page.click("[data-testid=campaign-tabs] a >> nth=3")
    page.wait_for_selector("[data-testid=timeline-chart] canvas")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign-timeline.png"), full_page=True)
    assert page.console_errors == []
