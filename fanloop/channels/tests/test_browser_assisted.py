"""In a real browser: an assisted (Zhihu) post falls due, the worker hands it to a person,
and the operator copies its text, is stopped by a wrong address, pastes the right one,
and the post shows as published."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanloop.channels.models import JobState, PublishJob
from fanloop.channels.services import accounts, dispatch
from fanloop.channels.tests.conftest import make_due
from fanloop.conftest import PASSWORD
from fanloop.content import services as content
from fanloop.content.models import VariantState
from fanloop.core.permissions import Role
from fanloop.core.tests.browser import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BODY = "春季新品上市，轻薄透气，适合通勤穿搭。"


def test_operator_publishes_an_assisted_post_by_hand(
    page, live_server, member_with_role, workspace
):
    # given a Zhihu account without API publishing and a post on it that fell due
    operator = member_with_role(Role.OPERATOR)
    writer = member_with_role(Role.CONTENT)
    accounts.connect_account(
        actor=operator, workspace=workspace, platform="zhihu", display_name="知乎官方号"
    )
    item = content.create_item(
        actor=writer,
        workspace=workspace,
        data={"title": "春季新品", "content_type": "article", "purpose": "product_intro"},
        platforms=["zhihu"],
    )
    variant = content.update_variant(
        actor=writer,
        variant=item.variants.get(),
        data={"title": "通勤穿什么", "body": BODY, "topics": ["穿搭"]},
    )
    content.transition(actor=writer, variant=variant, name="submit")
    content.transition(
        actor=operator,
        variant=variant,
        name="schedule",
        planned_at=timezone.now() + timedelta(hours=1),
    )
    job = make_due(PublishJob.objects.get(variant=variant))
    (claimed,) = dispatch.claim_due("w1")
    dispatch.dispatch(claimed, "w1")
    job.refresh_from_db()
    assert job.state == JobState.AWAITING_OPERATOR

    # when the operator opens Assisted publishing
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/w/{workspace.slug}/publishing/assisted/")
    task = page.locator(f"[data-testid=task][data-job-id='{job.pk}']")
    task.wait_for()
    assert page.locator("[data-testid=waiting]").locator(f"[data-job-id='{job.pk}']").count() == 1

    # and clicks Copy text: the post's text is on the clipboard
    task.locator("[data-testid=copy-text]").click()
    page.wait_for_selector(f"#copy-status-{job.pk}:has-text('copied')")
    assert page.evaluate("navigator.clipboard.readText()") == BODY
    assert "穿搭" in task.locator("[data-testid=topics-to-pick]").inner_text()

    # then a Weibo address is refused in the task's form, and nothing changes
    task.locator("input[name=url]").fill("https://weibo.com/123/abc")
    task.locator("[data-testid=mark-published]").click()
    page.wait_for_selector("[data-testid=field-error]")
    assert "not a Zhihu address" in page.locator("[data-testid=field-error]").inner_text()
    assert PublishJob.objects.get(pk=job.pk).state == JobState.AWAITING_OPERATOR
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "publishing-assisted.png"), full_page=True)

    # and the Zhihu address marks it published
    task = page.locator(f"[data-testid=task][data-job-id='{job.pk}']")
    task.locator("input[name=url]").fill("https://zhuanlan.zhihu.com/p/620001")
    task.locator("[data-testid=mark-published]").click()
    page.wait_for_selector(".alert-success")
    assert page.locator(f"[data-testid=task][data-job-id='{job.pk}']").count() == 0
    page.goto(f"{live_server.url}/w/{workspace.slug}/publishing/jobs/{job.pk}/")
    assert page.locator("[data-testid=job-state]").get_attribute("data-state") == "published"
    assert "zhuanlan.zhihu.com/p/620001" in page.locator("[data-testid=remote-url]").inner_text()
    variant.refresh_from_db()
    assert variant.state == VariantState.PUBLISHED
    assert variant.published_url == "https://zhuanlan.zhihu.com/p/620001"

    page.screenshot(path=str(ARTIFACTS / "publishing-job.png"), full_page=True)
    page.goto(f"{live_server.url}/w/{workspace.slug}/publishing/")
    page.screenshot(path=str(ARTIFACTS / "publishing-queue.png"), full_page=True)
    # The refused address was answered 400 on purpose (the form re-rendered with errors);
    # Chromium logs that status, and nothing else may appear.
    unexpected = [e for e in page.console_errors if "status of 400 (Bad Request)" not in e]
    assert unexpected == []
