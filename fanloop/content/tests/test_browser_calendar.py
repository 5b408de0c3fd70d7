"""In a real browser: drag an approved variant to another day in the month view, and see
a draft's drag refused with the reason."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from fanloop.conftest import PASSWORD
from fanloop.content import services
from fanloop.content.models import Variant, VariantState
from fanloop.core.permissions import Role
from fanloop.core.tests.browser import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CLEAN_BODY = "春季新品上市，欢迎来店里看看"


def _variant(author, workspace, title, when, *, approve):
    item = services.create_item(
        actor=author,
        workspace=workspace,
        data={"title": title, "content_type": "image_text", "purpose": "product_intro"},
        platforms=["weibo"],
    )
    variant = services.update_variant(
        actor=author, variant=item.variants.get(), data={"body": CLEAN_BODY, "planned_at": when}
    )
    if approve:
        variant, _warnings = services.transition(actor=author, variant=variant, name="submit")
    return variant


def test_drag_cards_to_reschedule(page, live_server, member_with_role, workspace):
    # given an approved and a draft variant on the same future day, 20:30
    author = member_with_role(Role.CONTENT)
    operator = member_with_role(Role.OPERATOR)
    day = timezone.localdate() + timedelta(days=8)
    target = day + timedelta(days=1)
    if target.month != day.month:
        target = day - timedelta(days=1)
    planned = timezone.make_aware(datetime.combine(day, time(20, 30)))
    approved = _variant(author, workspace, "可以拖", planned, approve=True)
    draft = _variant(author, workspace, "还是草稿", planned, approve=False)
    assert approved.state == VariantState.APPROVED

    # when the operator opens the month and drags the approved card to the next day
    login(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/w/{workspace.slug}/calendar/?view=month&date={day}")
    source_day = f"[data-testid='day-{day}']"
    target_day = f"[data-testid='day-{target}']"
    page.drag_and_drop(f"{source_day} [data-variant-id='{approved.pk}']", target_day)

    # then the swapped calendar shows it there and the database has the new date, same time
    notice = page.locator("[data-testid=calendar-notice]")
    notice.wait_for()
    assert "Moved" in notice.inner_text()
    page.locator(f"{target_day} [data-variant-id='{approved.pk}']").wait_for()
    assert page.locator(f"{source_day} [data-variant-id='{approved.pk}']").count() == 0
    approved.refresh_from_db()
    local = timezone.localtime(approved.planned_at)
    assert (local.date(), local.time()) == (target, time(20, 30))

    # when the draft is dragged the same way
    page.drag_and_drop(f"{source_day} [data-variant-id='{draft.pk}']", target_day)

    # then the refusal is shown and nothing moved
    page.wait_for_selector("[data-testid=calendar-notice]:has-text('was not moved')")
    assert "Only approved or scheduled variants can be moved" in notice.inner_text()
    assert page.locator(f"{source_day} [data-variant-id='{draft.pk}']").count() == 1
    assert Variant.objects.get(pk=draft.pk).planned_at == planned

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-month.png"), full_page=True)

    # the week view and the list view with a bulk action work in the same session
    page.click("[data-testid=calendar-view-week]")
    page.wait_for_selector("[data-testid=calendar-week]")
    page.screenshot(path=str(ARTIFACTS / "calendar-week.png"), full_page=True)
    page.click("[data-testid=calendar-view-list]")
    page.wait_for_selector("[data-testid=calendar-list]")
    page.check(f"#pick-{approved.pk}")
    page.check(f"#pick-{draft.pk}")
    page.select_option("#bulk-action", "schedule")
    page.click("[data-testid=bulk-submit]")
    page.wait_for_selector("[data-testid=calendar-notice]:has-text('1 done, 1 refused')")
    assert Variant.objects.get(pk=approved.pk).state == VariantState.SCHEDULED
    page.screenshot(path=str(ARTIFACTS / "calendar-list.png"), full_page=True)
    assert page.console_errors == []


def test_best_times_heat_map_draws(page, live_server, member_with_role, workspace):
    # given engagement history with enough posts on Xiaohongshu
    evening = timezone.make_aware(datetime.combine(timezone.localdate(), time(21, 0)))

    def source(workspace, platform):
        if platform != "xiaohongshu":
            return []
        return [
            services.PostEngagement(evening - timedelta(days=7 * (i % 6)), 1000, 50 + i)
            for i in range(35)
        ]

    services.register_engagement_source(source)
    try:
        analyst = member_with_role(Role.ANALYST)
        login(page, live_server, analyst.username, PASSWORD)
        # when the analyst opens the best-time page for the platform
        page.goto(f"{live_server.url}/w/{workspace.slug}/calendar/best-times/?platform=xiaohongshu")
        # then the heat map is drawn, with no console or CSP errors
        page.wait_for_selector("[data-testid=best-times-chart] canvas")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "calendar-best-times.png"), full_page=True)
        assert page.console_errors == []
    finally:
        services.unregister_engagement_source(source)
