"""Demo analytics: the rollup built from the demo's raw rows, alert rules a team would
set for a launch (evaluated once, so alerts show), and a running A/B test."""

from datetime import timedelta

from django.utils import timezone

from fanloop.analytics import rollups
from fanloop.analytics.alerts import services as alerts
from fanloop.analytics.experiments import services as experiments
from fanloop.analytics.models.alerts import AlertRule, Comparator, Direction, RuleKind, ScopeKind
from fanloop.analytics.models.experiments import Experiment
from fanloop.campaigns.models import Campaign, CampaignState
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Role
from fanloop.tracking.models import TrackingLink


def seed_analytics(workspace: Workspace, users: dict[str, User]) -> None:
    span = rollups.raw_day_span(workspace)
    if span is not None:
        rollups.rebuild_range(workspace, span[0], max(span[1], timezone.localdate()))
    if AlertRule.objects.filter(workspace=workspace).exists():
        return
    analyst = users["demo-analyst"]
    campaign = Campaign.objects.filter(workspace=workspace, state=CampaignState.LIVE).first()
    if campaign is None:
        return
    common = {"notify_roles": [Role.ADMIN, Role.ANALYST, Role.MARKETING]}
    alerts.create_rule(
        actor=analyst,
        workspace=workspace,
        name="新品互动率低于 3%",
        kind=RuleKind.THRESHOLD,
        kpi="engagement_rate",
        scope_kind=ScopeKind.CAMPAIGN,
        campaign=campaign,
        window_days=7,
        comparator=Comparator.LT,
        threshold="3",
        min_sample=1000,
        severity="warning",
        **common,
    )
    alerts.create_rule(
        actor=analyst,
        workspace=workspace,
        name="点击率环比下跌 30%",
        kind=RuleKind.CHANGE,
        kpi="ctr",
        scope_kind=ScopeKind.CAMPAIGN,
        campaign=campaign,
        window_days=7,
        direction=Direction.DROP,
        threshold="30",
        min_sample=1000,
        severity="warning",
        **common,
    )
    for goal in campaign.goals.all():
        alerts.create_rule(
            actor=analyst,
            workspace=workspace,
            name=f"目标进度：{goal.get_metric_display()}",
            kind=RuleKind.GOAL_OFF_PACE,
            scope_kind=ScopeKind.CAMPAIGN,
            campaign=campaign,
            goal=goal,
            severity="critical",
            **common,
        )
    alerts.create_rule(
        actor=analyst,
        workspace=workspace,
        name="互动超时回复",
        kind=RuleKind.SLA_BREACH,
        scope_kind=ScopeKind.WORKSPACE,
        window_days=1,
        comparator=Comparator.GTE,
        threshold="3",
        severity="warning",
        notify_roles=[Role.OPERATOR, Role.ADMIN],
    )
    alerts.create_rule(
        actor=analyst,
        workspace=workspace,
        name="负面舆情激增",
        kind=RuleKind.NEGATIVE_SPIKE,
        scope_kind=ScopeKind.WORKSPACE,
        severity="critical",
        notify_roles=[Role.OPERATOR, Role.ADMIN, Role.MARKETING],
    )
    alerts.evaluate_workspace(workspace)
    _experiment(workspace, analyst, campaign)


def _experiment(workspace: Workspace, analyst: User, campaign: Campaign) -> None:
    if Experiment.objects.filter(workspace=workspace).exists():
        return
    menu = list(
        TrackingLink.objects.filter(workspace=workspace, channel="公众号菜单").order_by("pk")
    )
    if len(menu) != 2:
        return
    experiment = experiments.create_experiment(
        actor=analyst,
        workspace=workspace,
        data={
            "name": "公众号菜单落地页：商品页 vs 活动页",
            "hypothesis": "活动页讲清楚“通勤防晒”的卖点，下单转化率比直接进商品页更高。",
            "kind": "landing_link",
            "campaign": campaign,
            "primary_metric": "conversion_rate",
            "baseline_rate": "5",
            "mde": "30",
            "mde_kind": "relative",
        },
        variants=[
            {"name": "A", "is_control": True, "planned_share": 50, "link": menu[0]},
            {"name": "B", "is_control": False, "planned_share": 50, "link": menu[1]},
        ],
    )
    experiments.start_experiment(actor=analyst, experiment=experiment)
    Experiment.objects.filter(pk=experiment.pk).update(
        started_at=timezone.now() - timedelta(days=14)
    )
