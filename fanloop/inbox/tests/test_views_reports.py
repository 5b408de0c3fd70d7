"""The team report and crisis alert pages: access, figures shown, CSV, alert actions."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.inbox import crisis
from fanloop.inbox.models import AlertStatus, CrisisAlert, Direction, InboxSettings, Ticket
from fanloop.inbox.tests.sla_factories import make_account, make_message, make_thread

SH = ZoneInfo("Asia/Shanghai")
DAY1 = datetime(2025, 9, 29, tzinfo=SH)
RANGE = {"start": "2025-09-29", "end": "2025-09-30"}


@pytest.fixture
def viewer(member_with_role):
    return member_with_role(Role.VIEWER)


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def figures(workspace, other_workspace, operator):
    """Two fan messages on 09-29 (one answered by the operator in 30 business minutes),
    one on 09-30 unanswered and breached; B has a message that must never show."""
    InboxSettings.objects.create(workspace=workspace, reply_rate_target=0.9)
    account = make_account(workspace, "Flagship", "weibo")
    answered = make_thread(workspace, at=DAY1, account=account, assignee=operator)
    make_message(
        answered,
        at=DAY1 + timedelta(hours=10),
        opens_turn=True,
        responded_at=DAY1 + timedelta(hours=10, minutes=30),
        response_business_seconds=1800,
    )
    make_message(
        answered,
        at=DAY1 + timedelta(hours=10, minutes=30),
        direction=Direction.OUTBOUND,
        sent_by=operator,
    )
    late = make_thread(workspace, at=DAY1, account=account)
    make_message(late, at=DAY1 + timedelta(days=1, hours=9), opens_turn=True, sla_breached=True)
    theirs = make_thread(other_workspace, at=DAY1)
    make_message(theirs, at=DAY1 + timedelta(hours=11), text="B's secret complaint")
    return account


def report_url(workspace):
    return reverse("inbox_reports", args=[workspace.slug])


def test_a_viewer_sees_the_report(workspace, figures, viewer, client_for):
    response = client_for(viewer).get(report_url(workspace), RANGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="kpi-reply-rate" data-below-target="yes"' in page
    assert "50.0%" in page  # 1 of 2
    assert "target 90.0%" in page
    assert "30 min" in page  # the median first response
    assert 'data-inbox-chart="reply-rate"' in page
    assert page.count('data-testid="day-row"') == 2
    assert str(figures) in page
    assert "1 / 2" in page  # B's message on the same day is not in A's denominator


def test_default_range_is_the_last_14_days(workspace, viewer, client_for):
    response = client_for(viewer).get(report_url(workspace))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="day-row"') == 14


def test_non_members_get_404_and_strangers_must_sign_in(
    workspace, other_workspace, figures, client_for, client
):
    stranger = other_workspace.memberships.get().user
    assert client_for(stranger).get(report_url(workspace)).status_code == 404
    alerts = reverse("inbox_alerts", args=[workspace.slug])
    assert client_for(stranger).get(alerts).status_code == 404
    assert client.get(report_url(workspace)).status_code == 302


def test_filters_cannot_reach_another_workspaces_rows(
    workspace, other_workspace, figures, viewer, client_for
):
    their_account = make_account(other_workspace, "Theirs", "weibo")
    response = client_for(viewer).get(report_url(workspace), {**RANGE, "account": their_account.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_bad_ranges_are_refused_with_a_clear_message(workspace, viewer, client_for):
    client = client_for(viewer)
    backwards = client.get(report_url(workspace), {"start": "2025-09-30", "end": "2025-09-01"})
    assert backwards.status_code == 400
    assert "The end date is before the start date." in backwards.content.decode()
    too_long = client.get(report_url(workspace), {"start": "2020-01-01", "end": "2025-01-01"})
    assert too_long.status_code == 400
    assert "at most 366 days" in too_long.content.decode()
    garbage = client.get(report_url(workspace), {"start": "yesterday"})
    assert garbage.status_code == 400


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_per_day(workspace, figures, viewer, client_for):
    response = client_for(viewer).get(report_url(workspace), {**RANGE, "export": "csv"})
    rows = read_csv(response)
    assert "inbox-days-2025-09-29-2025-09-30.csv" in response["Content-Disposition"]
    assert rows[0][:4] == ["day", "needing a reply", "replied", "reply rate %"]
    assert rows[1] == ["2025-09-29", "1", "1", "100.0", "1", "30.0", "30.0", "0", "1"]
    assert rows[2] == ["2025-09-30", "1", "0", "0.0", "0", "", "", "1", "0"]
    assert len(rows) == 3


def test_csv_export_per_person(workspace, figures, operator, viewer, client_for):
    response = client_for(viewer).get(
        report_url(workspace), {**RANGE, "export": "csv", "table": "people"}
    )
    rows = read_csv(response)
    assert rows[0][0] == "person"
    assert rows[0][-1] == "waiting now"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name[operator.username] == [
        operator.username,
        "1",
        "1",
        "100.0",
        "1",
        "30.0",
        "30.0",
        "0",
        "1",
        "0",
    ]
    assert by_name["unassigned"][1:4] == ["1", "0", "0.0"]


def test_person_filter_narrows_the_csv(workspace, figures, operator, viewer, client_for):
    response = client_for(viewer).get(
        report_url(workspace), {**RANGE, "export": "csv", "person": operator.pk}
    )
    rows = read_csv(response)
    assert [row[1] for row in rows[1:]] == ["1", "0"]


# Alerts ------------------------------------------------------------------------------


@pytest.fixture
def alert(workspace):
    account = make_account(workspace, "Crisis", "douyin")
    thread = make_thread(workspace, at=DAY1, account=account, platform="douyin")
    hour = DAY1 + timedelta(hours=9)
    for n in range(6):
        make_message(
            thread,
            at=hour + timedelta(minutes=n),
            text="质量太差了要退货",
            sentiment="negative",
            sentiment_score=0.1 + n / 100,
        )
    assert crisis.evaluate_crisis(now=hour + timedelta(hours=1, minutes=5)) == 1
    return CrisisAlert.objects.get(workspace=workspace)


def alerts_url(workspace):
    return reverse("inbox_alerts", args=[workspace.slug])


def action_url(alert, action):
    return reverse("inbox_alert_action", args=[alert.workspace.slug, alert.pk, action])


def test_a_viewer_sees_alerts_without_action_buttons(workspace, alert, viewer, client_for):
    response = client_for(viewer).get(alerts_url(workspace))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-alert-id="{alert.pk}"' in page
    assert "Crisis (Douyin)" in page
    assert 'data-inbox-chart="alert-hourly"' in page
    assert "质量" in page  # a keyword
    assert page.count("data-message-id=") == 5
    assert 'data-action="acknowledge"' not in page
    assert 'data-action="escalate"' not in page
    detail = client_for(viewer).get(reverse("inbox_alert", args=[workspace.slug, alert.pk]))
    assert detail.status_code == 200


def test_an_operator_sees_actions_and_escalates_in_one_click(
    workspace, alert, operator, client_for
):
    client = client_for(operator)
    page = client.get(alerts_url(workspace)).content.decode()
    assert 'data-action="acknowledge"' in page
    assert 'data-action="escalate"' in page
    top = crisis.top_messages(alert)[0]
    response = client.post(
        reverse("inbox_thread_action", args=[workspace.slug, top.thread_id, "escalate"]),
        {"message": top.pk, "subject": "Crisis warning", "next": alerts_url(workspace)},
    )
    assert response.status_code == 302
    assert response["Location"] == alerts_url(workspace)
    ticket = Ticket.objects.get(workspace=workspace)
    assert ticket.message == top


def test_operator_acknowledges_then_resolves(workspace, alert, operator, client_for):
    client = client_for(operator)
    response = client.post(action_url(alert, "acknowledge"))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    client.post(action_url(alert, "resolve"))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    resolved = client.get(alerts_url(workspace), {"status": "resolved"}).content.decode()
    assert f'data-alert-id="{alert.pk}"' in resolved
    assert 'data-testid="no-alerts"' in client.get(alerts_url(workspace)).content.decode()
    # Resolving twice says so and changes nothing.
    again = client.post(action_url(alert, "resolve"), follow=True)
    assert "already Resolved" in again.content.decode()
    assert AuditEntry.objects.filter(action="inbox.crisis_resolved").count() == 1


def test_a_viewer_cannot_change_an_alert(alert, viewer, client_for):
    response = client_for(viewer).post(action_url(alert, "resolve"))
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTIVE


def test_another_workspaces_alert_is_not_found(
    workspace, other_workspace, alert, operator, client_for
):
    client = client_for(operator)
    theirs = CrisisAlert.objects.create(
        workspace=other_workspace,
        scope="account",
        scope_key="account:999",
        hour_start=DAY1,
        negative_count=9,
        total_count=9,
        baseline_mean=0,
        baseline_std=0,
        z_score=9,
    )
    detail = reverse("inbox_alert", args=[workspace.slug, theirs.pk])
    assert client.get(detail).status_code == 404
    forged = reverse("inbox_alert_action", args=[workspace.slug, theirs.pk, "resolve"])
    assert client.post(forged).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == AlertStatus.ACTIVE
    assert client.post(action_url(alert, "explode")).status_code == 404
    assert client.get(action_url(alert, "resolve")).status_code == 405


def test_htmx_requests_get_the_fragment(workspace, alert, viewer, client_for):
    client = client_for(viewer)
    for url in (report_url(workspace), alerts_url(workspace)):
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        page = response.content.decode()
        assert "<html" not in page
        assert "data-inbox-chart" in page
