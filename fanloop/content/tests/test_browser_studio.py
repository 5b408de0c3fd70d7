"""In a real browser: open a variant, type a banned claim into the body and watch the live
check mark it, without saving; no console or CSP errors."""

import pytest

from fanloop.conftest import PASSWORD
from fanloop.content import services
from fanloop.content.models import Variant, VariantVersion
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.core.tests.browser import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_live_check_marks_a_banned_claim_while_typing(
    page, live_server, member_with_role, workspace
):
    writer = member_with_role(Role.CONTENT)
    item = services.create_item(
        actor=writer,
        workspace=workspace,
        data={"title": "面霜种草", "content_type": "note", "purpose": "product_intro"},
        platforms=["xiaohongshu"],
    )
    variant = item.variants.get()
    audits = AuditEntry.objects.count()
    versions = VariantVersion.objects.count()
    login(page, live_server, writer.username, PASSWORD)

    page.goto(f"{live_server.url}/w/{workspace.slug}/content/{item.pk}/variants/{variant.pk}/")
    assert page.locator("[data-testid=check-panel]").get_attribute("data-live") == "0"

    # when the writer types a banned absolute claim
    page.locator("#id_body").press_sequentially("全网最好的面霜，第一品牌", delay=20)

    # then the live panel shows it highlighted as blocking, marked "not saved"
    mark = page.locator("#check-panel [data-testid=highlighted-body] mark.finding-block").first
    mark.wait_for()
    assert page.locator("#check-panel [data-testid=not-saved]").is_visible()
    assert page.locator("#check-panel [data-testid=findings] li").count() >= 1
    assert page.locator("#check-panel [data-count=body] td").nth(1).inner_text() == "12"

    # and nothing was saved
    assert Variant.objects.get(pk=variant.pk).body == ""
    assert AuditEntry.objects.count() == audits
    assert VariantVersion.objects.count() == versions

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "content-live-check.png"), full_page=True)

    # saving keeps the copy and shows the saved check
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    assert Variant.objects.get(pk=variant.pk).body == "全网最好的面霜，第一品牌"
    assert page.locator("[data-testid=check-panel]").get_attribute("data-live") == "0"
    assert page.locator("#check-panel mark.finding-block").count() >= 1
    assert page.console_errors == []
