"""Alert pages: list (active first, filters), detail with evidence, HTMX acknowledge and
resolve, rules with live explanation, test delivery; roles and workspace isolation."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from pytest_httpserver import HTTPServer

from fanloop.analytics.alerts import services
from fanloop.analytics.models import Alert, AlertRule, DailyFact
from fanloop.analytics.models.alerts import AlertStatus
from fanloop.core.models import AuditEntry

NOW = datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
KEY = "5e2f9c1a-aaaa-bbbb-cccc-1234567890ab"


def raised_alert(admin_user, workspace, **extra) -> Alert:
    for offset in range(7):
        DailyFact.objects.create(
            workspace=workspace,
            day=date(2025, 6, 3) + timedelta(days=offset),
            impressions=1000,
            likes=10,
        )
    rule = services.create_rule(
        actor=admin_user,
        workspace=workspace,
        name="Engagement below 2%",
        kind="threshold",
        kpi="engagement_rate",
        threshold="2",
        **extra,
    )
    services.evaluate_rule(rule, now=NOW)
    return Alert.objects.get(rule=rule)


def test_everyone_sees_alerts_active_first(admin_user, member_with_role, workspace, client_for):
    alert = raised_alert(admin_user, workspace)
    viewer = member_with_role("viewer")
    response = client_for(viewer).get(reverse("analytics_alerts", args=[workspace.slug]))
    assert response.status_code == 200
    assert alert.title in response.content.decode()
    # a viewer sees no acknowledge/resolve buttons
    assert b'data-testid="acknowledge"' not in response.content
    detail = client_for(viewer).get(reverse("analytics_alert", args=[workspace.slug, alert.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "7000" in page
    assert "Alert when engagement rate over the last 7 days" in page


def test_resolved_alerts_are_hidden_unless_asked(admin_user, workspace, client_for):
    alert = raised_alert(admin_user, workspace)
    services.resolve(actor=admin_user, alert=alert)
    client = client_for(admin_user)
    url = reverse("analytics_alerts", args=[workspace.slug])
    assert alert.title not in client.get(url).content.decode()
    assert alert.title in client.get(url + "?status=resolved").content.decode()
    assert alert.title in client.get(url + "?status=all&severity=warning").content.decode()
    assert alert.title not in client.get(url + "?status=all&severity=critical").content.decode()


def test_htmx_acknowledge_then_resolve(admin_user, workspace, client_for):
    alert = raised_alert(admin_user, workspace)
    client = client_for(admin_user)
    ack = reverse("analytics_alert_action", args=[workspace.slug, alert.pk, "acknowledge"])
    response = client.post(ack, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Acknowledged" in response.content.decode()
    assert b'data-testid="resolve"' in response.content
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    # acknowledging twice is a clear error, not a change
    again = client.post(ack, HTTP_HX_REQUEST="true")
    assert again.status_code == 400
    assert b"Only an active alert" in again.content
    resolve = reverse("analytics_alert_action", args=[workspace.slug, alert.pk, "resolve"])
    assert client.post(resolve).status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolved_by == admin_user
    assert AuditEntry.objects.filter(action="analytics.alert_resolve").count() == 1


def test_viewer_and_operator_cannot_act_on_kpi_alerts(
    admin_user, member_with_role, workspace, client_for
):
    alert = raised_alert(admin_user, workspace)
    for role in ("viewer", "operator", "marketing"):
        url = reverse("analytics_alert_action", args=[workspace.slug, alert.pk, "resolve"])
        assert client_for(member_with_role(role)).post(url).status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTIVE


def test_other_workspace_sees_nothing(admin_user, workspace, other_workspace, client_for):
    alert = raised_alert(admin_user, workspace)
    outsider = other_workspace.memberships.get().user
    client = client_for(outsider)
    assert (
        client.get(reverse("analytics_alert", args=[other_workspace.slug, alert.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("analytics_alert", args=[workspace.slug, alert.pk])).status_code == 404
    )
    url = reverse("analytics_alert_action", args=[other_workspace.slug, alert.pk, "resolve"])
    assert client.post(url).status_code == 404
    rule_url = reverse("analytics_alert_rule", args=[other_workspace.slug, alert.rule.pk])
    assert client.get(rule_url).status_code == 404
    listing = client.get(reverse("analytics_alerts", args=[other_workspace.slug]))
    assert alert.title not in listing.content.decode()


def test_create_rule_through_the_form(admin_user, workspace, client_for):
    client = client_for(admin_user)
    url = reverse("analytics_alert_rule_new", args=[workspace.slug])
    data = {
        "name": "CTR low",
        "kind": "threshold",
        "kpi": "ctr",
        "scope_kind": "workspace",
        "window_days": "7",
        "comparator": "lt",
        "direction": "drop",
        "baseline_method": "zscore",
        "baseline_periods": "4",
        "threshold": "1.5",
        "min_sample": "1000",
        "severity": "critical",
        "notify_roles": ["admin", "analyst"],
        "webhook_url": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}",
        "webhook_format": "wecom",
        "cooldown_minutes": "60",
        "enabled": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AlertRule.objects.get()
    assert (rule.kpi, rule.severity, rule.min_sample) == ("ctr", "critical", 1000)
    assert rule.webhook_url.endswith(KEY)
    listing = client.get(reverse("analytics_alert_rules", args=[workspace.slug])).content.decode()
    assert "Alert when click-through rate (ctr) over the last 7 days" in listing
    assert KEY not in listing
    assert "key=…90ab" in listing
    # editing without retyping the URL keeps it; the form never shows it
    edit = reverse("analytics_alert_rule", args=[workspace.slug, rule.pk])
    assert KEY not in client.get(edit).content.decode()
    assert client.post(edit, {**data, "webhook_url": "", "threshold": "1"}).status_code == 302
    rule.refresh_from_db()
    assert rule.webhook_url.endswith(KEY)
    assert rule.threshold == 1


def test_bad_form_input_shows_errors_and_saves_nothing(admin_user, workspace, client_for):
    url = reverse("analytics_alert_rule_new", args=[workspace.slug])
    response = client_for(admin_user).post(
        url,
        {
            "name": "x",
            "kind": "threshold",
            "kpi": "",
            "scope_kind": "campaign",
            "window_days": "7",
            "comparator": "lt",
            "direction": "drop",
            "baseline_method": "zscore",
            "baseline_periods": "4",
            "min_sample": "0",
            "severity": "warning",
            "webhook_format": "json",
            "cooldown_minutes": "0",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a KPI." in page
    assert "Choose the campaign" in page
    assert not AlertRule.objects.exists()


def test_live_explanation(admin_user, workspace, client_for):
    url = reverse("analytics_alert_rule_explain", args=[workspace.slug])
    response = client_for(admin_user).get(
        url,
        {
            "kind": "change",
            "kpi": "orders",
            "scope_kind": "workspace",
            "window_days": "7",
            "direction": "drop",
            "threshold": "30",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Alert when orders over the last 7 days for the whole workspace drops by at least" in (
        text
    )
    assert "<html" not in text


@pytest.mark.parametrize("role", ["viewer", "operator", "marketing", "content"])
def test_only_managers_open_the_rule_form(role, member_with_role, workspace, client_for):
    client = client_for(member_with_role(role))
    assert client.get(reverse("analytics_alert_rule_new", args=[workspace.slug])).status_code == 403
    assert client.get(reverse("analytics_alert_rules", args=[workspace.slug])).status_code == 200


def test_test_delivery_button(httpserver: HTTPServer, admin_user, workspace, client_for):
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_json(
        {"errcode": 0, "errmsg": "ok"}
    )
    rule = services.create_rule(
        actor=admin_user,
        workspace=workspace,
        name="x",
        kind="negative_spike",
        webhook_url=httpserver.url_for(f"/cgi-bin/webhook/send?key={KEY}"),
        webhook_format="wecom",
    )
    url = reverse("analytics_alert_rule_test", args=[workspace.slug, rule.pk])
    response = client_for(admin_user).post(url, HTTP_HX_REQUEST="true")
    assert b"Test message delivered." in response.content
    assert AuditEntry.objects.filter(action="analytics.alert_rule_test_webhook").exists()


def test_delete_rule(admin_user, workspace, client_for):
    alert = raised_alert(admin_user, workspace)
    url = reverse("analytics_alert_rule_delete", args=[workspace.slug, alert.rule.pk])
    assert client_for(admin_user).post(url).status_code == 302
    assert not AlertRule.objects.exists()
    assert not Alert.objects.exists()
    assert AuditEntry.objects.filter(action="analytics.alert_rule_delete").exists()
