"""Crisis early warning: baseline, spike, de-duplication, isolation, services."""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.campaigns.models import Campaign
from fanloop.core.models import AuditEntry, Notification
from fanloop.core.permissions import Role
from fanloop.inbox import crisis
from fanloop.inbox.models import AlertStatus, CrisisAlert, InboxSettings, Message
from fanloop.inbox.tests.sla_factories import make_account, make_message, make_thread

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 9, 29, 10, 20, tzinfo=SH)  # current hour 10:00, last complete 09:00
LAST_HOUR = datetime(2025, 9, 29, 9, tzinfo=SH)
END_OF_CURRENT_HOUR = datetime(2025, 9, 29, 10, 59, 30, tzinfo=SH)
_ids = itertools.count(1)


def flood(thread, hour, *, negative=0, other=0, score=0.1, text="质量太差了，客服不理人"):
    """``negative`` negative and ``other`` neutral fan messages spread over ``hour``."""
    rows = []
    for n in range(negative + other):
        bad = n < negative
        rows.append(
            Message(
                workspace=thread.workspace,
                thread=thread,
                account=thread.account,
                platform=thread.platform,
                kind=thread.kind,
                direction="inbound",
                source="manual",
                remote_id=f"flood-{next(_ids)}",
                post_remote_id=thread.post_remote_id,
                author=thread.author,
                text=text if bad else "什么时候发货",
                sent_at=hour + timedelta(minutes=(n * 7) % 60),
                sentiment="negative" if bad else "neutral",
                sentiment_score=score if bad else 0.5,
            )
        )
    Message.objects.bulk_create(rows)


def steady_week(thread, *, negative=1, other=4):
    """The 168 hours before the last complete hour, each alike."""
    for n in range(1, crisis.BASELINE_HOURS + 1):
        flood(thread, LAST_HOUR - timedelta(hours=n), negative=negative, other=other)


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def account(workspace):
    return make_account(workspace, "Flagship", "weibo")


@pytest.fixture
def thread(workspace, account):
    return make_thread(workspace, at=NOW, account=account, platform="weibo", kind="dm")


def alerts_of(workspace):
    return list(CrisisAlert.objects.filter(workspace=workspace))


def test_a_spike_over_a_steady_baseline_raises_one_alert(
    workspace, account, thread, operator, admin_user
):
    # Given a week of one negative message an hour, then eight in the last hour.
    steady_week(thread)
    flood(thread, LAST_HOUR, negative=8, other=2, score=0.2)
    vip = make_thread(workspace, at=NOW, account=account, fan="big-spender", is_vip=True)
    vip.author.is_vip = True
    vip.author.save()
    worst = make_message(
        vip, at=LAST_HOUR, text="太差了要投诉", sentiment="negative", sentiment_score=0.01
    )
    vip_message = make_message(
        vip,
        at=LAST_HOUR + timedelta(minutes=1),
        text="退款",
        sentiment="negative",
        sentiment_score=0.3,
    )

    # When the job runs.
    assert crisis.evaluate_crisis(now=NOW) == 1

    # Then one alert for the account, with the figures of the hour against the week.
    [alert] = alerts_of(workspace)
    assert alert.scope == "account"
    assert alert.scope_key == f"account:{account.pk}"
    assert alert.account == account
    assert alert.status == AlertStatus.ACTIVE
    assert alert.hour_start == LAST_HOUR
    assert (alert.negative_count, alert.total_count, alert.peak_negative_count) == (10, 12, 10)
    assert alert.baseline_mean == 1.0
    assert alert.baseline_std == 0.0
    assert alert.z_score == pytest.approx(9.0)  # (10 - 1) / floor 1
    # VIP fans first (the lowest score among them first), then the lowest scores.
    assert alert.top_message_ids[:2] == [worst.pk, vip_message.pk]
    assert len(alert.top_message_ids) == crisis.TOP_MESSAGES
    assert ["质量", 8] in alert.keywords or ["客服", 8] in alert.keywords
    # Operators and admins hear once; the raise is audited.
    for user in (operator, admin_user):
        assert Notification.objects.filter(user=user, workspace=workspace).count() == 1
    assert AuditEntry.objects.filter(action="inbox.crisis_raised", workspace=workspace).count() == 1


def test_a_second_evaluation_updates_the_open_alert(workspace, thread, operator):
    steady_week(thread)
    flood(thread, LAST_HOUR, negative=8, other=2)
    crisis.evaluate_crisis(now=NOW)
    # More anger in the current (partial) hour.
    flood(thread, LAST_HOUR + timedelta(hours=1), negative=12, other=0, score=0.05)

    assert crisis.evaluate_crisis(now=END_OF_CURRENT_HOUR) == 0

    [alert] = alerts_of(workspace)
    assert alert.hour_start == LAST_HOUR  # the hour it started stays
    assert alert.negative_count == 12
    assert alert.peak_negative_count == 12
    assert alert.z_score == pytest.approx(11.0)
    assert Notification.objects.filter(user=operator).count() == 1
    assert AuditEntry.objects.filter(action="inbox.crisis_raised").count() == 1


def test_an_acknowledged_alert_keeps_updating_without_a_second_one(workspace, thread, operator):
    steady_week(thread)
    flood(thread, LAST_HOUR, negative=8)
    crisis.evaluate_crisis(now=NOW)
    crisis.acknowledge(actor=operator, alert=alerts_of(workspace)[0])
    flood(thread, LAST_HOUR + timedelta(hours=1), negative=15)
    crisis.evaluate_crisis(now=END_OF_CURRENT_HOUR)
    [alert] = alerts_of(workspace)
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.peak_negative_count == 15


def test_a_normal_hour_raises_nothing(workspace, thread):
    steady_week(thread, negative=2, other=3)
    flood(thread, LAST_HOUR, negative=3, other=2)
    assert crisis.evaluate_crisis(now=NOW) == 0
    assert alerts_of(workspace) == []


def test_fewer_than_the_minimum_is_not_a_crisis(workspace, thread):
    flood(thread, LAST_HOUR, negative=4)
    assert crisis.evaluate_crisis(now=NOW) == 0


def test_a_zero_baseline_uses_the_floor(workspace, thread):
    # No messages at all for a week: mean 0, std 0. Five negatives: z = 5 / 1, finite.
    flood(thread, LAST_HOUR, negative=5)
    assert crisis.evaluate_crisis(now=NOW) == 1
    [alert] = alerts_of(workspace)
    assert (alert.baseline_mean, alert.baseline_std, alert.z_score) == (0.0, 0.0, 5.0)


def test_the_threshold_comes_from_the_settings(workspace, thread):
    InboxSettings.objects.create(workspace=workspace, crisis_z_threshold=6.0)
    flood(thread, LAST_HOUR, negative=5)
    assert crisis.evaluate_crisis(now=NOW) == 0


def test_a_busy_baseline_needs_more_than_sqrt_noise(workspace, thread):
    # Mean 16 with no variance: the floor is sqrt(16) = 4, so 24 is z = 2 (no alert).
    steady_week(thread, negative=16, other=0)
    flood(thread, LAST_HOUR, negative=24)
    assert crisis.evaluate_crisis(now=NOW) == 0


def test_more_volume_with_the_same_mood_is_not_a_crisis(workspace, thread):
    # A post going viral: ten times the messages, the same 20 % negative share.
    steady_week(thread, negative=1, other=4)
    flood(thread, LAST_HOUR, negative=10, other=40)
    assert crisis.evaluate_crisis(now=NOW) == 0


def test_post_and_campaign_scopes(workspace, account, admin_user):
    campaign = Campaign.objects.create(
        workspace=workspace, name="Double 11", start_date=NOW.date(), end_date=NOW.date()
    )
    thread = make_thread(
        workspace, at=NOW, account=account, post_remote_id="p-1", campaign=campaign
    )
    flood(thread, LAST_HOUR, negative=6)
    assert crisis.evaluate_crisis(now=NOW) == 3
    keys = {alert.scope_key: alert for alert in alerts_of(workspace)}
    assert set(keys) == {f"account:{account.pk}", "post:weibo:p-1", f"campaign:{campaign.pk}"}
    assert crisis.scope_label(keys[f"campaign:{campaign.pk}"]) == "Double 11"
    assert "p-1" in crisis.scope_label(keys["post:weibo:p-1"])
    # One notification per alert.
    assert Notification.objects.filter(user=admin_user).count() == 3


def test_other_workspaces_messages_never_count(workspace, other_workspace, account):
    # A: a steady week on post p-1. B: a spike on its own post p-1 (same platform, same id).
    mine = make_thread(workspace, at=NOW, account=account, post_remote_id="p-1")
    steady_week(mine)
    flood(mine, LAST_HOUR, negative=1, other=4)
    theirs_account = make_account(other_workspace, "Flagship", "weibo")
    theirs = make_thread(other_workspace, at=NOW, account=theirs_account, post_remote_id="p-1")
    flood(theirs, LAST_HOUR, negative=9)

    crisis.evaluate_crisis(now=NOW)

    assert alerts_of(workspace) == []
    theirs_alerts = alerts_of(other_workspace)
    assert {a.scope_key for a in theirs_alerts} == {
        f"account:{theirs_account.pk}",
        "post:weibo:p-1",
    }
    post_alert = next(a for a in theirs_alerts if a.scope == "post")
    assert post_alert.baseline_mean == 0.0  # A's week on p-1 is not B's baseline
    assert set(post_alert.top_message_ids) <= set(
        Message.objects.filter(workspace=other_workspace).values_list("pk", flat=True)
    )
    assert not Notification.objects.filter(workspace=workspace).exists()


def test_resolved_alert_is_not_raised_again_for_the_same_hour(workspace, thread, operator):
    flood(thread, LAST_HOUR, negative=8)
    crisis.evaluate_crisis(now=NOW)
    crisis.resolve(actor=operator, alert=alerts_of(workspace)[0])
    CrisisAlert.objects.update(resolved_at=NOW + timedelta(minutes=5))  # resolved at 10:25
    assert crisis.evaluate_crisis(now=NOW + timedelta(minutes=10)) == 0
    # A fresh spike in an hour that began after the resolution is a new crisis.
    later = LAST_HOUR + timedelta(hours=3)
    flood(thread, later, negative=9)
    assert crisis.evaluate_crisis(now=later + timedelta(hours=1, minutes=5)) == 1
    assert CrisisAlert.objects.filter(workspace=workspace).count() == 2


def test_hidden_and_outbound_messages_do_not_count(workspace, thread):
    flood(thread, LAST_HOUR, negative=8)
    Message.objects.update(hidden=True)
    assert crisis.evaluate_crisis(now=NOW) == 0


def test_hourly_series_for_the_chart(workspace, thread):
    flood(thread, LAST_HOUR - timedelta(hours=2), negative=1)
    flood(thread, LAST_HOUR, negative=6)
    crisis.evaluate_crisis(now=NOW)
    series = crisis.hourly_series(alerts_of(workspace)[0], hours=6, now=NOW)
    assert series["hours"] == [f"09-29 {h:02d}:00" for h in range(5, 11)]
    assert series["negative"] == [0, 0, 1, 0, 6, 0]
    assert series["alert_hour"] == "09-29 09:00"


@pytest.fixture
def alert(workspace, thread):
    flood(thread, LAST_HOUR, negative=8)
    crisis.evaluate_crisis(now=NOW)
    return CrisisAlert.objects.get(workspace=workspace)


def test_acknowledge_and_resolve_are_audited(alert, operator):
    acknowledged = crisis.acknowledge(actor=operator, alert=alert)
    assert acknowledged.status == AlertStatus.ACKNOWLEDGED
    assert acknowledged.acknowledged_by == operator
    resolved = crisis.resolve(actor=operator, alert=alert)
    assert resolved.status == AlertStatus.RESOLVED
    assert resolved.resolved_at is not None
    entries = AuditEntry.objects.filter(object_id=str(alert.pk), actor=operator).order_by("id")
    assert [e.action for e in entries] == ["inbox.crisis_acknowledged", "inbox.crisis_resolved"]
    assert entries[0].changes["status"] == ["active", "acknowledged"]
    assert entries[1].changes["status"] == ["acknowledged", "resolved"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.MARKETING])
def test_roles_without_inbox_rights_cannot_change_alerts(alert, member_with_role, role):
    user = member_with_role(role)
    for service in (crisis.acknowledge, crisis.resolve):
        with pytest.raises(PermissionDenied):
            service(actor=user, alert=alert)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTIVE
    assert not AuditEntry.objects.filter(action__startswith="inbox.crisis_", actor=user).exists()


def test_members_of_another_workspace_cannot_change_alerts(alert, other_workspace):
    stranger = other_workspace.memberships.get().user  # admin of B
    with pytest.raises(PermissionDenied):
        crisis.resolve(actor=stranger, alert=alert)


def test_finished_alerts_refuse_a_second_transition(alert, operator):
    crisis.resolve(actor=operator, alert=alert)
    with pytest.raises(ValidationError, match="already"):
        crisis.acknowledge(actor=operator, alert=alert)
    with pytest.raises(ValidationError, match="already"):
        crisis.resolve(actor=operator, alert=alert)
    assert AuditEntry.objects.filter(action="inbox.crisis_resolved").count() == 1


def test_utc_hours_are_used(workspace, thread):
    assert crisis.floor_hour(NOW) == datetime(2025, 9, 29, 2, tzinfo=UTC)
