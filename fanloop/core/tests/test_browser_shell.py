"""The app shell in a real headless Chromium: login, language, every page, a screenshot."""

import pytest

from fanloop.conftest import PASSWORD
from fanloop.core import services
from fanloop.core.tests.browser import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV_ZH = [
    "概览",
    "活动",
    "内容",
    "日历",
    "发布",
    "互动",
    "社群",
    "数据",
    "链接与订单",
    "文档",
    "设置",
]
NAV_EN = [
    "Dashboard",
    "Campaigns",
    "Content",
    "Calendar",
    "Publishing",
    "Inbox",
    "Community",
    "Analytics",
    "Links & orders",
    "Documents",
    "Settings",
]


@pytest.fixture
def two_workspaces(make_user):
    user = make_user("browser-admin")
    first = services.create_workspace(actor=user, name="示例品牌", slug="brand-one")
    second = services.create_workspace(actor=user, name="第二品牌", slug="brand-two")
    return user, first, second


def nav_labels(page) -> list[str]:
    return [text.strip() for text in page.locator("#area-nav a").all_inner_texts()]


def test_login_language_pages_switcher_and_screenshot(
    page, live_server, two_workspaces, chinese_ui
):
    user, first, second = two_workspaces
    # given a member signs in (the browser asks for English, the app stays Chinese)
    login(page, live_server, user.username, PASSWORD)
    assert page.url.endswith(f"/w/{first.slug}/")
    assert nav_labels(page)[: len(NAV_ZH)] == NAV_ZH
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # when they open every area from the sidebar (HTMX swaps the main area)
    for index, label in enumerate(NAV_ZH):
        link = page.locator("#area-nav a").nth(index)
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url(f"**{href}")
        page.wait_for_load_state("networkidle")
        assert page.locator("#area-nav a.active").inner_text().strip() == label
        assert page.locator("#main h1").count() == 1
        # the page also renders fully on a direct load
        response = page.request.get(f"{live_server.url}{href}")
        assert response.status == 200
        assert "<html" in response.text()

    # and switch the language to English
    page.goto(f"{live_server.url}/w/{first.slug}/")
    page.select_option("[data-testid=language-select]", "en")
    page.wait_for_load_state("networkidle")
    assert nav_labels(page)[: len(NAV_EN)] == NAV_EN
    assert page.locator("html").get_attribute("lang") == "en"

    # the dashboard chart is drawn by ECharts and the screenshot is kept
    page.wait_for_selector(".chart canvas")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000

    # the workspace switcher moves to the other brand
    page.click("#workspace-switcher")
    page.click(f".dropdown-menu a[href='/w/{second.slug}/']")
    page.wait_for_url(f"**/w/{second.slug}/")
    assert "第二品牌" in page.locator("#main h1").inner_text()

    # no script errors and no Content-Security-Policy violations anywhere on the way
    assert page.console_errors == []


def test_viewer_does_not_see_admin_settings(page, live_server, two_workspaces, make_user):
    admin, first, _second = two_workspaces
    viewer = make_user("browser-viewer")
    services.add_member(actor=admin, workspace=first, user=viewer, role="viewer")
    login(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/w/{first.slug}/settings/members/")
    assert page.locator("text=Add member").count() == 0
    assert page.locator("a[href$='/settings/audit/']").count() == 0
    response = page.goto(f"{live_server.url}/w/{first.slug}/settings/audit/")
    assert response.status == 403
    assert page.locator("[data-testid=error]").is_visible()
