"""The attribution page: counts per rule, the click window, attributing a period again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.tracking.models import AttributionSettings, Click, Order, TrackingLink

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def analyst(member_with_role):
    return member_with_role(Role.ANALYST)


def url(workspace) -> str:
    return reverse("tracking_attribution", args=[workspace.slug])


def test_an_analyst_widens_the_click_window_and_it_is_audited(client, workspace, analyst):
    client.force_login(analyst)

    response = client.post(url(workspace), {"click_window_days": "14"})

    assert response.status_code == 302
    assert AttributionSettings.objects.get(workspace=workspace).click_window_days == 14
    assert AuditEntry.objects.filter(action="tracking.attribution_settings_updated").exists()


@pytest.mark.parametrize("value", ["0", "91", "seven", ""])
def test_a_window_out_of_range_is_refused_and_nothing_changes(client, workspace, analyst, value):
    client.force_login(analyst)

    response = client.post(url(workspace), {"click_window_days": value})

    assert response.status_code == 400
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not AttributionSettings.objects.filter(workspace=workspace).exists()


def test_a_viewer_sees_the_counts_but_cannot_change_the_window(client, workspace, member_with_role):
    client.force_login(member_with_role(Role.VIEWER))

    page = client.get(url(workspace))
    refused = client.post(url(workspace), {"click_window_days": "30"})

    assert page.status_code == 200
    assert 'data-testid="window-form"' not in page.content.decode()
    assert refused.status_code == 403
    assert not AttributionSettings.objects.filter(workspace=workspace).exists()


def test_attributing_a_period_again_credits_an_order_to_a_click_within_the_new_window(
    client, settings, workspace, analyst, campaign, django_capture_on_commit_callbacks
):
    # given an order 10 days after the visitor's click, unattributed under the 7-day window
    settings.TASKS = IMMEDIATE
    now = timezone.now()
    link = TrackingLink.objects.create(
        workspace=workspace, code="win10", destination_url="https://a.example/", campaign=campaign
    )
    Click.objects.create(
        workspace=workspace,
        link=link,
        clicked_at=now - timedelta(days=10, hours=1),
        ua_class="mobile",
        ip_hash="h" * 64,
        visitor_id="v-1",
    )
    order = Order.objects.create(
        workspace=workspace,
        shop_platform="taobao",
        order_no="A1",
        status="paid",
        ordered_at=now - timedelta(hours=1),
        paid_fen=100,
        net_fen=100,
        visitor_id="v-1",
    )
    client.force_login(analyst)
    client.post(url(workspace), {"click_window_days": "14"})

    # when the analyst attributes the last two days again
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(workspace), {"start": str(today - timedelta(days=1)), "end": str(today)}
        )

    # then the order is credited to the link's campaign by its click
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.attribution_rule == "click"
    assert order.link == link
    assert order.campaign == campaign


def test_a_period_ending_before_it_starts_is_refused(client, workspace, analyst):
    client.force_login(analyst)
    today = timezone.localdate()

    response = client.post(
        url(workspace), {"start": str(today), "end": str(today - timedelta(days=3))}
    )

    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
