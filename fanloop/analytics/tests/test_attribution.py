"""Order attribution: code first, then the last human click within the window."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.analytics.models import RollupDirty
from fanloop.analytics.tests import rollup_fixtures as f
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.tracking.models import AttributionRule, AttributionSettings, Order
from fanloop.tracking.services import attribution

pytestmark = pytest.mark.django_db

ORDERED = f.local(2026, 6, 10, 20, 0)


def _attribute(workspace, *orders: Order) -> list[Order]:
    attribution.attribute_orders(workspace, [o.pk for o in orders])
    return [Order.objects.get(pk=o.pk) for o in orders]


@pytest.fixture
def world(workspace):
    camp = f.campaign(workspace)
    amy = f.partner(workspace, "Amy")
    link = f.link(workspace, "xhs1", campaign=camp, platform="xiaohongshu", partner=amy)
    other_camp = f.campaign(workspace, "Double 11")
    code_link = f.link(workspace, "wb1", campaign=other_camp, platform="weibo")
    code = f.promo(workspace, "AMY618", other_camp, partner=amy, link=code_link)
    return {"camp": camp, "amy": amy, "link": link, "other": other_camp, "code": code}


def test_code_beats_a_click(workspace, world):
    # given a visitor who clicked a link and then ordered with a KOL code
    f.click(world["link"], ORDERED - timedelta(hours=1), "v1")
    o = f.order(workspace, ORDERED, visitor_id="v1", promo_text="满减券, amy618 ")
    # when attributed
    (o,) = _attribute(workspace, o)
    # then the code wins, with its campaign, partner, link, and the rule recorded
    assert o.attribution_rule == AttributionRule.CODE
    assert o.campaign == world["other"]
    assert o.partner == world["amy"]
    assert o.link == world["code"].link
    assert o.promo == world["code"]
    assert o.click is None
    assert "AMY618" in o.attribution_note


def test_code_must_be_whole_and_valid_on_the_order_day(workspace, world):
    world["code"].valid_until = date(2026, 6, 9)
    world["code"].save()
    inside_word = f.order(workspace, ORDERED, promo_text="XAMY618")
    expired = f.order(workspace, ORDERED, promo_text="AMY618")
    inside_word, expired = _attribute(workspace, inside_word, expired)
    assert inside_word.attribution_rule == AttributionRule.NONE
    assert expired.attribution_rule == AttributionRule.NONE


def test_last_human_click_within_the_window_wins(workspace, world):
    later_link = f.link(workspace, "xhs2", campaign=world["camp"])
    f.click(world["link"], ORDERED - timedelta(days=2), "v1")
    last = f.click(later_link, ORDERED - timedelta(hours=3), "v1")
    f.click(world["link"], ORDERED - timedelta(hours=1), "v1", bot=True)  # a bot: ignored
    f.click(world["link"], ORDERED + timedelta(minutes=5), "v1")  # after the order
    f.click(world["link"], ORDERED - timedelta(minutes=30), "v2")  # someone else
    o = f.order(workspace, ORDERED, visitor_id="v1")
    (o,) = _attribute(workspace, o)
    assert o.attribution_rule == AttributionRule.CLICK
    assert o.click == last
    assert o.link == later_link
    assert o.campaign == world["camp"]
    assert o.partner is None
    assert "xhs2" in o.attribution_note
    assert "3 h 0 min" in o.attribution_note


def test_window_edge_is_inclusive(workspace, world):
    f.click(world["link"], ORDERED - timedelta(days=7), "edge")
    f.click(world["link"], ORDERED - timedelta(days=7, seconds=1), "outside")
    at_edge = f.order(workspace, ORDERED, visitor_id="edge")
    outside = f.order(workspace, ORDERED, visitor_id="outside")
    at_edge, outside = _attribute(workspace, at_edge, outside)
    assert at_edge.attribution_rule == AttributionRule.CLICK
    assert outside.attribution_rule == AttributionRule.NONE
    assert outside.attribution_note == "No code and no click within 7 days."


def test_window_setting_is_used(workspace, world, admin_user):
    f.click(world["link"], ORDERED - timedelta(days=10), "v1")
    o = f.order(workspace, ORDERED, visitor_id="v1")
    (o,) = _attribute(workspace, o)
    assert o.attribution_rule == AttributionRule.NONE
    attribution.update_attribution_settings(
        workspace=workspace, actor=admin_user, click_window_days=14
    )
    changed = attribution.reattribute(
        workspace=workspace, actor=admin_user, start=date(2026, 6, 10), end=date(2026, 6, 10)
    )
    assert changed == 1
    assert Order.objects.get(pk=o.pk).attribution_rule == AttributionRule.CLICK
    actions = set(AuditEntry.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"tracking.attribution_settings_updated", "tracking.orders_reattributed"} <= actions


def test_bot_only_visitor_is_unattributed(workspace, world):
    f.click(world["link"], ORDERED - timedelta(hours=1), "v1", bot=True)
    o = f.order(workspace, ORDERED, visitor_id="v1")
    (o,) = _attribute(workspace, o)
    assert o.attribution_rule == AttributionRule.NONE
    assert o.link is None
    assert o.campaign is None


def test_other_workspaces_codes_and_clicks_are_never_used(workspace, other_workspace, world):
    foreign_camp = f.campaign(other_workspace, "theirs")
    f.promo(other_workspace, "THEIRS1", foreign_camp)
    foreign_link = f.link(other_workspace, "zz1", campaign=foreign_camp)
    f.click(foreign_link, ORDERED - timedelta(hours=1), "shared-visitor")
    o = f.order(workspace, ORDERED, visitor_id="shared-visitor", promo_text="THEIRS1")
    (o,) = _attribute(workspace, o)
    assert o.attribution_rule == AttributionRule.NONE
    # and orders of another workspace are not touched through this one
    theirs = f.order(other_workspace, ORDERED, promo_text="THEIRS1")
    assert attribution.attribute_orders(workspace, [theirs.pk]) == 0
    assert Order.objects.get(pk=theirs.pk).attribution_rule == AttributionRule.NONE


def test_rerun_is_idempotent_and_changes_mark_the_day_dirty(workspace, world):
    f.click(world["link"], ORDERED - timedelta(hours=1), "v1")
    o = f.order(workspace, ORDERED, visitor_id="v1")
    RollupDirty.objects.all().delete()
    assert attribution.attribute_orders(workspace, [o.pk]) == 1
    assert set(RollupDirty.objects.values_list("workspace_id", "day")) == {
        (workspace.pk, date(2026, 6, 10))
    }
    RollupDirty.objects.all().delete()
    assert attribution.attribute_orders(workspace, [o.pk, o.pk]) == 0
    assert not RollupDirty.objects.exists()


def test_late_clicks_attribute_pending_orders(workspace, world):
    # given an order imported before its visitor's click was flushed
    o = f.order(workspace, f.local(2026, 6, 11, 9, 0), visitor_id="late")
    (o,) = _attribute(workspace, o)
    assert o.attribution_rule == AttributionRule.NONE
    # when the click arrives (the day before the order) and that day is processed
    f.click(world["link"], f.local(2026, 6, 10, 23, 0), "late")
    assert attribution.attribute_pending_for_day(workspace, date(2026, 6, 10)) == 1
    # then the order is credited to the click
    assert Order.objects.get(pk=o.pk).attribution_rule == AttributionRule.CLICK


def test_settings_need_analytics_manage_and_a_sane_window(workspace, member_with_role):
    marketer = member_with_role(Role.MARKETING)
    with pytest.raises(PermissionDenied):
        attribution.update_attribution_settings(
            workspace=workspace, actor=marketer, click_window_days=3
        )
    with pytest.raises(PermissionDenied):
        attribution.reattribute(
            workspace=workspace, actor=marketer, start=date(2026, 6, 1), end=date(2026, 6, 2)
        )
    analyst = member_with_role(Role.ANALYST)
    for bad in (0, 91, "seven", None, True):
        with pytest.raises(ValidationError):
            attribution.update_attribution_settings(
                workspace=workspace, actor=analyst, click_window_days=bad
            )
    assert not AttributionSettings.objects.filter(workspace=workspace).exists()
    with pytest.raises(ValidationError):
        attribution.reattribute(
            workspace=workspace, actor=analyst, start=date(2026, 6, 2), end=date(2026, 6, 1)
        )
