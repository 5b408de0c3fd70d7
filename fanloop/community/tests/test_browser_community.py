"""In a real browser: a fan group's page draws its charts, and the tabs switch in place."""

from datetime import timedelta

import pytest

from fanloop.community.services.common import workspace_today
from fanloop.community.tests.conftest import run_file
from fanloop.conftest import PASSWORD
from fanloop.core.tests.browser import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _load_script(page, live_server) -> None:
    """community.js, unless core/base.html already loads it (then this is a no-op)."""
    page.add_script_tag(url=f"{live_server.url}/static/community/community.js")
    page.evaluate("document.dispatchEvent(new Event('DOMContentLoaded'))")


def test_group_page_charts_and_tabs(page, live_server, operator, group):
    today = workspace_today(group.workspace)
    days = [(today - timedelta(days=n)).isoformat() for n in range(10)]
    run_file(
        operator,
        group,
        "members",
        [
            ["用户ID", "昵称", "入群时间"],
            *[[f"u{n}", f"粉丝{n}", "2025-01-01 09:00"] for n in range(12)],
        ],
    )
    run_file(
        operator,
        group,
        "activity",
        [
            ["日期", "用户ID", "发言数", "互动数"],
            *[[d, f"u{i % 12}", "2", "1"] for i, d in enumerate(days)],
        ],
    )
    login(page, live_server, operator.username, PASSWORD)

    page.goto(f"{live_server.url}/w/{group.workspace.slug}/community/")
    _load_script(page, live_server)
    page.wait_for_selector("[data-community-chart=spark] canvas")
    page.click("[data-testid=group-row] a")
    page.wait_for_selector("[data-testid=health-card]")
    _load_script(page, live_server)
    page.wait_for_selector("[data-community-chart=overview] canvas")
    assert page.locator("[data-testid=health-parts] tbody tr").count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "community-overview.png"), full_page=True)

    page.click("[data-testid=tabs] >> text=Activity")
    page.wait_for_selector("[data-community-chart=active] canvas")
    assert page.locator("[data-community-chart] canvas").count() == 4
    page.screenshot(path=str(ARTIFACTS / "community-activity.png"), full_page=True)
    assert page.console_errors == []
