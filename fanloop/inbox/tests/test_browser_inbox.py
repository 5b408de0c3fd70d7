"""In a real browser: an operator opens the inbox, opens a conversation, replies through
the (simulated) Weibo account and sees today's reply rate go up, then answers a second
fan with a saved reply that greets them by nickname."""

import pytest
from django.utils import timezone

from fanloop.conftest import PASSWORD
from fanloop.core.tests.browser import ARTIFACTS, login
from fanloop.inbox.models import DeliveryState, Direction, Message, SavedReply
from fanloop.inbox.services import setup
from fanloop.inbox.tests import ui_support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Shared fixtures (pytest finds them by these names).
fan_message = ui_support.fan_message
operator = ui_support.operator
post_id = ui_support.post_id
weibo = ui_support.weibo


def test_operator_replies_and_the_reply_rate_follows(
    page, live_server, operator, workspace, fan_message
):
    # given two fans waiting on a simulated Weibo post, and a saved greeting
    # (sent now: "today" is the workspace's day, and the test may run just after midnight)
    now = timezone.now()
    first, _m = fan_message("请问这款有黑色吗？", author="fan-a", nickname="小王", sent_at=now)
    second, _m = fan_message("什么时候发货呀？", author="fan-b", nickname="小李", sent_at=now)
    setup.save_saved_reply(
        actor=operator, workspace=workspace, title="发货说明", body="{昵称}您好，48小时内发货哦"
    )

    # when the operator opens the inbox
    login(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/w/{workspace.slug}/inbox/")
    figures = page.locator("[data-testid=reply-rate-figures]")
    assert figures.inner_text() == "0 / 2"
    assert page.locator("[data-testid=thread-row]").count() == 2

    # and opens the first conversation and replies
    page.locator(f"[data-testid=thread-row][data-thread-id='{first.pk}'] a").click()
    page.wait_for_selector("[data-testid=reply-form]")
    assert "请问这款有黑色吗？" in page.locator("[data-testid=messages]").inner_text()
    page.locator("[data-testid=reply-form] textarea").fill("亲，黑色有货的")
    page.locator("[data-testid=send-reply]").click()
    page.wait_for_selector(".alert-success")

    # then the reply is in the conversation and went out through the platform
    page.wait_for_selector("[data-testid=message][data-direction=outbound]")
    sent = Message.objects.get(thread=first, direction=Direction.OUTBOUND)
    assert sent.text == "亲，黑色有货的"
    assert sent.delivery == DeliveryState.SENT
    # and the header's reply rate went from 0/2 to 1/2
    assert figures.inner_text() == "1 / 2"
    page.locator("a:has-text('Back to the inbox')").first.click()
    page.wait_for_selector("[data-testid=threads]")
    assert page.locator("[data-testid=reply-rate-figures]").inner_text() == "1 / 2"

    # when the operator answers the second fan with the saved reply
    page.locator(f"[data-testid=thread-row][data-thread-id='{second.pk}'] a").click()
    page.wait_for_selector("[data-testid=saved-reply-picker]")
    page.select_option("[data-testid=saved-reply-picker]", label="发货说明")
    box = page.locator("[data-testid=reply-form] textarea")
    # then the fan's nickname is filled in
    assert box.input_value() == "小李您好，48小时内发货哦"
    page.locator("[data-testid=send-reply]").click()
    page.wait_for_selector("[data-testid=message][data-direction=outbound]")
    assert page.locator("[data-testid=reply-rate-figures]").inner_text() == "2 / 2"
    assert Message.objects.get(thread=second, direction=Direction.OUTBOUND).text == (
        "小李您好，48小时内发货哦"
    )
    assert SavedReply.objects.get(title="发货说明").times_used == 1
    # (screenshots last: a full-page capture leaves an empty inline style that the CSP
    # reports on the next htmx swap)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inbox-thread.png"), full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.slug}/inbox/?status=any")
    page.screenshot(path=str(ARTIFACTS / "inbox-list.png"), full_page=True)
    assert page.console_errors == [], "\n".join(page.console_errors)
