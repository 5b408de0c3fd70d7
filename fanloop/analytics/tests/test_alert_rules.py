"""Alert rules: each kind against hand-built facts, inbox rows and goals; de-duplication,
auto-resolve, cooldown, minimum sample, validation and audit."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.analytics.alerts import rules, services
from fanloop.analytics.models import Alert, AlertRule, DailyFact
from fanloop.analytics.models.alerts import AlertStatus, Resolution
from fanloop.analytics.rollups import bump_version
from fanloop.campaigns import pacing
from fanloop.campaigns.models import Campaign, Goal, GoalMeasurement
from fanloop.core.models import AuditEntry
from fanloop.inbox.models import CrisisAlert, Message
from fanloop.inbox.tests.factories import incoming, receive

# 12:00 in Shanghai on 10 June: a 7-day window is 3..9 June, the one before 27 May..2 June.
NOW = datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=15)


def fact(workspace, day: date, **measures: int) -> DailyFact:
    return DailyFact.objects.create(workspace=workspace, day=day, **measures)


def week(workspace, first: date, **per_day: int) -> None:
    for offset in range(7):
        fact(workspace, first + timedelta(days=offset), **per_day)


def threshold_rule(actor, workspace, **extra) -> AlertRule:
    fields = {
        "name": "Engagement below 2%",
        "kind": "threshold",
        "kpi": "engagement_rate",
        "window_days": 7,
        "comparator": "lt",
        "threshold": "2",
        "cooldown_minutes": 0,
        **extra,
    }
    return services.create_rule(actor=actor, workspace=workspace, **fields)


def open_alerts(rule: AlertRule) -> list[Alert]:
    return list(Alert.objects.filter(rule=rule).exclude(status=AlertStatus.RESOLVED))


# Threshold -----------------------------------------------------------------------------


def test_threshold_raises_an_alert_with_value_and_evidence(admin_user, workspace):
    # given engagement of 1% over last week (100 engagements on 10,000 impressions)
    week(workspace, date(2025, 6, 3), impressions=10_000 // 7 + 1, likes=0)
    DailyFact.objects.filter(workspace=workspace).update(impressions=1000, likes=10)
    rule = threshold_rule(admin_user, workspace)
    # when the rule is evaluated
    outcome = services.evaluate_rule(rule, now=NOW)
    # then one alert records the value, the threshold and the numbers behind it
    assert outcome.raised == 1
    alert = Alert.objects.get(rule=rule)
    assert alert.status == AlertStatus.ACTIVE
    assert alert.value == Decimal("1.0000")
    assert alert.expected == Decimal("2.0000")
    assert alert.evidence["sample"] == 7000
    assert alert.evidence["period"] == {"start": "2025-06-03", "end": "2025-06-09"}
    assert "Engagement rate" in alert.title
    assert "1%" in alert.title
    assert AuditEntry.objects.filter(action="analytics.alert_raised").count() == 1


def test_threshold_not_breached_raises_nothing(admin_user, workspace):
    week(workspace, date(2025, 6, 3), impressions=1000, likes=50)  # 5%
    rule = threshold_rule(admin_user, workspace)
    assert services.evaluate_rule(rule, now=NOW).raised == 0
    assert not Alert.objects.exists()


def test_today_is_not_part_of_the_window(admin_user, workspace):
    # given a fine last week and a terrible (partial) today
    week(workspace, date(2025, 6, 3), impressions=1000, likes=50)
    fact(workspace, date(2025, 6, 10), impressions=100_000, likes=0)
    rule = threshold_rule(admin_user, workspace)
    # then the half-finished day does not trigger the alert
    assert services.evaluate_rule(rule, now=NOW).raised == 0


def test_min_sample_leaves_a_rate_unjudged(admin_user, workspace):
    # given 0% engagement on only 70 impressions, under the rule's minimum of 1,000
    week(workspace, date(2025, 6, 3), impressions=10, likes=0)
    rule = threshold_rule(admin_user, workspace, min_sample=1000)
    # then no alert: the rate is too unreliable to judge
    assert services.evaluate_rule(rule, now=NOW).raised == 0
    assert not Alert.objects.exists()
    rule.refresh_from_db()
    assert rule.last_evaluated_at == NOW


def test_scope_only_counts_the_chosen_campaign(admin_user, workspace):
    campaign = Campaign.objects.create(
        workspace=workspace, name="618", start_date=date(2025, 6, 1), end_date=date(2025, 6, 30)
    )
    # given a poor campaign but a healthy workspace overall
    for offset in range(7):
        day = date(2025, 6, 3) + timedelta(days=offset)
        DailyFact.objects.create(
            workspace=workspace, day=day, campaign=campaign, impressions=1000, likes=5
        )
        DailyFact.objects.create(workspace=workspace, day=day, impressions=100_000, likes=9000)
    workspace_rule = threshold_rule(admin_user, workspace)
    campaign_rule = threshold_rule(
        admin_user, workspace, name="618 engagement", scope_kind="campaign", campaign=campaign
    )
    assert services.evaluate_rule(workspace_rule, now=NOW).raised == 0
    assert services.evaluate_rule(campaign_rule, now=NOW).raised == 1
    alert = Alert.objects.get(rule=campaign_rule)
    assert alert.campaign == campaign
    assert alert.dedup_key == f"campaign:{campaign.pk}"
    assert rules.explain(campaign_rule) == (
        "Alert when engagement rate over the last 7 days for campaign “618” is below 2%."
    )


# De-duplication and resolution --------------------------------------------------------


def test_evaluating_twice_keeps_one_alert_and_updates_it(admin_user, workspace):
    week(workspace, date(2025, 6, 3), impressions=1000, likes=10)
    rule = threshold_rule(admin_user, workspace)
    services.evaluate_rule(rule, now=NOW)
    # when the breach continues, a little worse
    DailyFact.objects.filter(day=date(2025, 6, 9)).update(likes=0)
    bump_version(workspace.pk)  # as the rebuild that wrote it would
    outcome = services.evaluate_rule(rule, now=LATER)
    # then it is the same alert, refreshed
    assert (outcome.raised, outcome.refreshed) == (0, 1)
    alert = Alert.objects.get(rule=rule)
    assert alert.first_seen == NOW
    assert alert.last_seen == LATER
    assert alert.evaluations == 2
    assert alert.value < Decimal("1")


def test_acknowledged_alert_still_counts_as_active(admin_user, workspace):
    week(workspace, date(2025, 6, 3), impressions=1000, likes=10)
    rule = threshold_rule(admin_user, workspace)
    services.evaluate_rule(rule, now=NOW)
    alert = services.acknowledge(actor=admin_user, alert=Alert.objects.get())
    services.evaluate_rule(rule, now=LATER)
    assert Alert.objects.count() == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == admin_user
    assert alert.last_seen == LATER


def test_after_resolve_a_new_breach_opens_a_new_alert(admin_user, workspace):
    week(workspace, date(2025, 6, 3), impressions=1000, likes=10)
    rule = threshold_rule(admin_user, workspace)
    services.evaluate_rule(rule, now=NOW)
    first = services.resolve(actor=admin_user, alert=Alert.objects.get())
    assert first.resolution == Resolution.MANUAL
    assert first.resolved_by == admin_user
    outcome = services.evaluate_rule(rule, now=LATER)
    assert outcome.raised == 1
    assert Alert.objects.count() == 2
    assert [a.pk for a in open_alerts(rule)] != [first.pk]


def test_cooldown_holds_back_a_new_alert_right_after_resolve(admin_user, workspace):
    week(workspace, date(2025, 6, 3), impressions=1000, likes=10)
    rule = threshold_rule(admin_user, workspace, cooldown_minutes=60)
    services.evaluate_rule(rule, now=NOW)
    alert = Alert.objects.get()
    Alert.objects.filter(pk=alert.pk).update(
        status=AlertStatus.RESOLVED, resolved_at=NOW, resolution=Resolution.MANUAL
    )
    assert services.evaluate_rule(rule, now=NOW + timedelta(minutes=30)).skipped == 1
    assert services.evaluate_rule(rule, now=NOW + timedelta(minutes=61)).raised == 1


def test_alert_resolves_itself_when_the_condition_clears(admin_user, workspace):
    week(workspace, date(2025, 6, 3), impressions=1000, likes=10)
    rule = threshold_rule(admin_user, workspace)
    services.evaluate_rule(rule, now=NOW)
    # when engagement recovers
    DailyFact.objects.filter(workspace=workspace).update(likes=100)
    bump_version(workspace.pk)  # as the rebuild that wrote it would
    outcome = services.evaluate_rule(rule, now=LATER)
    # then the alert is resolved and recorded as cleared by itself
    assert outcome.resolved == 1
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolution == Resolution.AUTO
    assert alert.resolved_by is None
    assert AuditEntry.objects.filter(action="analytics.alert_auto_resolve").exists()


def test_too_small_a_sample_does_not_resolve_an_open_alert(admin_user, workspace):
    week(workspace, date(2025, 6, 3), impressions=1000, likes=10)
    rule = threshold_rule(admin_user, workspace, min_sample=1000)
    services.evaluate_rule(rule, now=NOW)
    DailyFact.objects.filter(workspace=workspace).update(impressions=10)
    services.evaluate_rule(rule, now=LATER)
    assert Alert.objects.get().status == AlertStatus.ACTIVE


def test_disabling_a_rule_closes_its_alerts(admin_user, workspace):
    week(workspace, date(2025, 6, 3), impressions=1000, likes=10)
    rule = threshold_rule(admin_user, workspace)
    services.evaluate_rule(rule, now=NOW)
    services.update_rule(actor=admin_user, rule=rule, enabled=False)
    alert = Alert.objects.get()
    assert (alert.status, alert.resolution) == (AlertStatus.RESOLVED, Resolution.RULE_CHANGED)
    assert services.evaluate_rule(AlertRule.objects.get(), now=LATER).raised == 0


# Change and baseline --------------------------------------------------------------------


def test_change_alerts_on_a_drop_vs_the_previous_period(admin_user, workspace):
    week(workspace, date(2025, 5, 27), orders=10)
    week(workspace, date(2025, 6, 3), orders=6)  # -40 %
    rule = services.create_rule(
        actor=admin_user,
        workspace=workspace,
        name="Orders falling",
        kind="change",
        kpi="orders",
        direction="drop",
        threshold="30",
    )
    assert services.evaluate_rule(rule, now=NOW).raised == 1
    alert = Alert.objects.get()
    assert alert.evidence["change_pct"] == "-40.0000"
    assert alert.evidence["previous"] == "70.0000"
    assert alert.evidence["current"] == "42.0000"
    assert alert.expected == Decimal("70")
    # a rise of the same size is not a drop
    rise = services.create_rule(
        actor=admin_user,
        workspace=workspace,
        name="Orders jumping",
        kind="change",
        kpi="orders",
        direction="rise",
        threshold="30",
    )
    assert services.evaluate_rule(rise, now=NOW).raised == 0


def test_change_against_nothing_is_not_judged(admin_user, workspace):
    week(workspace, date(2025, 6, 3), orders=6)
    rule = services.create_rule(
        actor=admin_user,
        workspace=workspace,
        name="Orders",
        kind="change",
        kpi="orders",
        direction="either",
        threshold="10",
    )
    assert services.evaluate_rule(rule, now=NOW).raised == 0


def _baseline_rule(admin_user, workspace, **extra) -> AlertRule:
    fields = {
        "name": "Clicks off baseline",
        "kind": "baseline",
        "kpi": "clicks",
        "window_days": 1,
        "direction": "either",
        "baseline_method": "zscore",
        "baseline_periods": 4,
        "threshold": "3",
        **extra,
    }
    return services.create_rule(actor=admin_user, workspace=workspace, **fields)


def test_baseline_zscore_against_the_previous_periods(admin_user, workspace):
    # given clicks of 100, 110, 90, 100 on the four days before yesterday
    for day, clicks in zip(range(5, 9), [100, 110, 90, 100], strict=True):
        fact(workspace, date(2025, 6, day), unique_clicks=clicks)
    fact(workspace, date(2025, 6, 9), unique_clicks=40)  # yesterday collapsed
    rule = _baseline_rule(admin_user, workspace)
    assert services.evaluate_rule(rule, now=NOW).raised == 1
    alert = Alert.objects.get()
    assert alert.evidence["baseline_mean"] == "100.0000"
    assert Decimal(alert.evidence["z_score"]) < -3
    assert len(alert.evidence["baseline_periods"]) == 4


def test_baseline_stdev_floor_keeps_a_flat_history_from_overreacting(admin_user, workspace):
    # given a perfectly flat history (stdev 0) and a 2 % wobble
    for day in range(5, 9):
        fact(workspace, date(2025, 6, day), unique_clicks=100)
    fact(workspace, date(2025, 6, 9), unique_clicks=98)
    rule = _baseline_rule(admin_user, workspace)
    # then the floor (5 % of the mean) keeps z at -0.4: no alert
    assert services.evaluate_rule(rule, now=NOW).raised == 0
    rule.refresh_from_db()
    percent = _baseline_rule(
        admin_user, workspace, name="pct", baseline_method="percent", threshold="1"
    )
    assert services.evaluate_rule(percent, now=NOW).raised == 1


def test_baseline_needs_enough_history(admin_user, workspace):
    fact(workspace, date(2025, 6, 8), unique_clicks=100)
    fact(workspace, date(2025, 6, 9), unique_clicks=1)
    rule = _baseline_rule(admin_user, workspace)
    assert services.evaluate_rule(rule, now=NOW).raised == 0


# Goals ------------------------------------------------------------------------------------


def test_goal_off_pace_alerts_per_goal_and_clears_when_back_on_pace(
    admin_user, workspace, monkeypatch
):
    # the goals' own measurements are the metric source here
    monkeypatch.setattr(pacing, "_source", pacing.ManualMetricSource())
    campaign = Campaign.objects.create(
        workspace=workspace, name="618", start_date=date(2025, 6, 1), end_date=date(2025, 6, 30)
    )
    slow = Goal.objects.create(
        campaign=campaign,
        goal_type="sales",
        metric="orders",
        baseline=0,
        target=1000,
        deadline=date(2025, 6, 30),
    )
    fine = Goal.objects.create(
        campaign=campaign,
        goal_type="sales",
        metric="orders",
        baseline=0,
        target=100,
        deadline=date(2025, 6, 30),
    )
    # 90 orders by day 9: on pace for 100 (projected ~290), not for 1,000
    for goal in (slow, fine):
        GoalMeasurement.objects.create(
            goal=goal, measured_on=date(2025, 6, 10), value=90, source_note="test"
        )
    rule = services.create_rule(
        actor=admin_user,
        workspace=workspace,
        name="Goals",
        kind="goal_off_pace",
        scope_kind="campaign",
        campaign=campaign,
    )
    assert services.evaluate_rule(rule, now=NOW).raised == 1
    alert = Alert.objects.get()
    assert alert.dedup_key == f"goal:{slow.pk}"
    assert alert.evidence["target"] == "1000.0000"
    assert alert.evidence["actual"] == "90.0000"
    # when the slow goal's target is lowered, its alert clears
    Goal.objects.filter(pk=slow.pk).update(target=150)
    assert services.evaluate_rule(rule, now=LATER).resolved == 1


# Inbox kinds --------------------------------------------------------------------------


def test_sla_breach_counts_missed_replies_in_the_window(admin_user, workspace):
    receive(
        workspace,
        *[incoming(f"在吗 {n}", sent_at=NOW - timedelta(hours=20 + n)) for n in range(4)],
        incoming("很久以前", sent_at=NOW - timedelta(days=3)),
    )
    Message.objects.filter(workspace=workspace).update(sla_breached=True)
    rule = services.create_rule(
        actor=admin_user,
        workspace=workspace,
        name="SLA",
        kind="sla_breach",
        window_days=1,
        comparator="gte",
        threshold="4",
    )
    assert services.evaluate_rule(rule, now=NOW).raised == 1
    alert = Alert.objects.get()
    assert alert.value == 4
    assert alert.evidence["breaches"] == 4
    assert len(alert.evidence["example_threads"]) == 4
    # when one breach leaves the window, the count drops below the threshold: cleared
    assert services.evaluate_rule(rule, now=NOW + timedelta(hours=1, minutes=30)).resolved == 1


def _crisis(workspace, key: str, **extra) -> CrisisAlert:
    return CrisisAlert.objects.create(
        workspace=workspace,
        scope="post",
        scope_key=key,
        hour_start=NOW - timedelta(hours=1),
        negative_count=12,
        total_count=15,
        baseline_mean=1.5,
        baseline_std=1.0,
        z_score=10.5,
        keywords=[["退货", 5]],
        **extra,
    )


def test_negative_spike_mirrors_each_open_crisis_alert(admin_user, workspace, other_workspace):
    first = _crisis(workspace, "post:weibo:p1", post_remote_id="p1")
    _crisis(workspace, "post:douyin:p2", post_remote_id="p2")
    _crisis(other_workspace, "post:weibo:p9", post_remote_id="p9")
    rule = services.create_rule(
        actor=admin_user, workspace=workspace, name="Spikes", kind="negative_spike"
    )
    assert services.evaluate_rule(rule, now=NOW).raised == 2
    alert = Alert.objects.get(dedup_key=f"crisis:{first.pk}")
    assert alert.evidence["negative_count"] == 12
    assert alert.evidence["z_score"] == 10.5
    assert alert.evidence["keywords"] == [["退货", 5]]
    # a platform-scoped rule sees only that platform's posts
    weibo = services.create_rule(
        actor=admin_user,
        workspace=workspace,
        name="Weibo spikes",
        kind="negative_spike",
        scope_kind="platform",
        platform="weibo",
    )
    assert services.evaluate_rule(weibo, now=NOW).raised == 1
    # when the crisis is resolved in the inbox, the analytics alert resolves itself
    CrisisAlert.objects.filter(pk=first.pk).update(status="resolved", resolved_at=NOW)
    assert services.evaluate_rule(rule, now=LATER).resolved == 1
    assert services.evaluate_rule(rule, now=LATER).raised == 0


# Validation, permissions, isolation -----------------------------------------------------


def test_bad_rules_are_refused_with_field_errors(admin_user, workspace, other_workspace):
    foreign = Campaign.objects.create(
        workspace=other_workspace, name="B", start_date=date(2025, 6, 1), end_date=date(2025, 7, 1)
    )
    cases = [
        ({"kpi": "nonsense"}, "kpi"),
        ({"threshold": ""}, "threshold"),
        ({"threshold": "abc"}, "threshold"),
        ({"scope_kind": "campaign"}, "campaign"),
        ({"scope_kind": "campaign", "campaign": foreign}, "campaign"),
        ({"window_days": 0}, "window_days"),
        ({"email_addresses": "not-an-email"}, "email_addresses"),
        ({"webhook_url": "ftp://example.com/x"}, "webhook_url"),
        ({"notify_roles": ["boss"]}, "notify_roles"),
        ({"kind": "sla_breach", "scope_kind": "link"}, "scope_kind"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as caught:
            threshold_rule(admin_user, workspace, **extra)
        assert field in caught.value.message_dict, (extra, caught.value.message_dict)
    assert not AlertRule.objects.exists()


def test_only_managers_manage_rules(member_with_role, workspace):
    for role in ("marketing", "operator", "viewer", "content"):
        with pytest.raises(PermissionDenied):
            threshold_rule(member_with_role(role), workspace)
    assert threshold_rule(member_with_role("analyst"), workspace).pk
    assert AuditEntry.objects.filter(action="analytics.alert_rule_create").count() == 1


def test_operators_act_only_on_inbox_alerts(admin_user, member_with_role, workspace):
    operator = member_with_role("operator")
    week(workspace, date(2025, 6, 3), impressions=1000, likes=10)
    kpi_rule = threshold_rule(admin_user, workspace)
    spike_rule = services.create_rule(
        actor=admin_user, workspace=workspace, name="Spikes", kind="negative_spike"
    )
    _crisis(workspace, "post:weibo:p1", post_remote_id="p1")
    services.evaluate_rule(kpi_rule, now=NOW)
    services.evaluate_rule(spike_rule, now=NOW)
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=operator, alert=Alert.objects.get(rule=kpi_rule))
    done = services.acknowledge(actor=operator, alert=Alert.objects.get(rule=spike_rule))
    assert done.status == AlertStatus.ACKNOWLEDGED
    with pytest.raises(ValidationError):
        services.acknowledge(actor=operator, alert=done)


def test_rules_of_one_workspace_never_read_another(admin_user, workspace, other_workspace):
    week(other_workspace, date(2025, 6, 3), impressions=1000, likes=1)
    rule = threshold_rule(admin_user, workspace)
    assert services.evaluate_rule(rule, now=NOW).raised == 0
