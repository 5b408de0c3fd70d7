"""Three demo campaigns in different states, written through the services like real work.

A 618 promotion that is closed with its retrospective, a new-product launch that is live
(one goal on pace, one behind), and a Chinese New Year plan in draft that adopts an
improvement from the 618 retrospective.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fanloop.campaigns import services
from fanloop.campaigns.models import (
    BudgetLine,
    Campaign,
    Goal,
    ImprovementItem,
    Phase,
    Task,
)
from fanloop.core.models import User, Workspace

CLOSED_NAME = "618 年中大促 · 焕颜精华"
LIVE_NAME = "新品上市 · 青柑清透防晒乳"
DRAFT_NAME = "年货节 · 新春礼盒"


def _phases(
    actor: User, campaign: Campaign, owners: list[User | None], spans: list[tuple[int, int]]
) -> list[Phase]:
    kinds = [
        ("preparation", "筹备"),
        ("launch", "预热/启动"),
        ("execution", "执行"),
        ("wrap_up", "总结"),
    ]
    phases = []
    for (kind, name), owner, (first, last) in zip(kinds, owners, spans, strict=True):
        item = services.save_item(
            actor=actor,
            campaign=campaign,
            kind="phase",
            data={
                "kind": kind,
                "name": name,
                "owner": owner,
                "start_date": campaign.start_date + timedelta(days=first),
                "end_date": campaign.start_date + timedelta(days=last),
            },
        )
        assert isinstance(item, Phase)
        phases.append(item)
    return phases


def _task(actor: User, campaign: Campaign, **data: Any) -> Task:
    item = services.save_item(actor=actor, campaign=campaign, kind="task", data=data)
    assert isinstance(item, Task)
    return item


def _goal(actor: User, campaign: Campaign, **data: Any) -> Goal:
    item = services.save_item(actor=actor, campaign=campaign, kind="goal", data=data)
    assert isinstance(item, Goal)
    return item


def _line(
    actor: User, campaign: Campaign, category: str, description: str, yuan: int, vendor: str = ""
) -> BudgetLine:
    item = services.save_item(
        actor=actor,
        campaign=campaign,
        kind="budget_line",
        data={
            "category": category,
            "description": description,
            "planned_fen": yuan * 100,
            "vendor": vendor,
        },
    )
    assert isinstance(item, BudgetLine)
    return item


def _closed_618(workspace: Workspace, users: dict[str, User]) -> Campaign:
    marketing, content, operator = (
        users["demo-marketing"],
        users["demo-content"],
        users["demo-operator"],
    )
    analyst = users["demo-analyst"]
    year = (
        timezone.localdate().year
        if timezone.localdate().month > 6
        else (timezone.localdate().year - 1)
    )
    campaign = services.create_campaign(
        actor=marketing,
        workspace=workspace,
        data={
            "name": CLOSED_NAME,
            "owner": marketing,
            "start_date": date(year, 5, 20),
            "end_date": date(year, 6, 20),
            "theme": "熬夜肌急救，618 焕亮回归",
            "key_message": "焕颜精华第二代：7 天提亮，敏感肌可用，618 买一送一。",
            "visual_notes": "暖橙色主视觉；对比图必须标注“个人使用感受”；避免“最”字表述。",
            "background": "年中大促是上半年最大的销售节点，去年同期 GMV 180 万，新客占比偏低。",
            "audience_age_bands": ["18-24", "25-30", "31-35"],
            "audience_gender": "female",
            "audience_regions": "一二线城市，江浙沪、广深为主",
            "audience_interests": "护肤成分、熬夜修复、平价替代",
            "audience_habits": "大促前在小红书做功课，天猫下单，价格敏感但认成分。",
            "platforms": [
                {"platform": "xiaohongshu", "role": "种草：KOC 测评与成分科普"},
                {"platform": "douyin", "role": "直播转化与短视频引流"},
                {"platform": "taobao", "role": "成交阵地：店铺会员与优惠券"},
            ],
            "products": ["焕颜精华 30ml", "焕颜精华 50ml 礼盒"],
        },
    )
    gmv = _goal(
        marketing,
        campaign,
        goal_type="sales",
        metric="gmv",
        baseline=Decimal(180_000_000),
        target=Decimal(250_000_000),
        deadline=date(year, 6, 20),
        scope="campaign",
        note="单位：分（250 万元）",
    )
    followers = _goal(
        marketing,
        campaign,
        goal_type="fan_growth",
        metric="follower_growth",
        baseline=Decimal(0),
        target=Decimal(20_000),
        scope="platform",
        scope_value="xiaohongshu",
        deadline=date(year, 6, 18),
    )
    kol = _line(marketing, campaign, "kol", "小红书 KOC 30 位 + 腰部达人 5 位", 180_000, "星图代理")
    ads = _line(marketing, campaign, "ads_ecommerce", "万相台 / 直通车", 220_000, "阿里妈妈")
    _line(marketing, campaign, "prizes", "买赠礼品与满减券", 60_000)
    _line(marketing, campaign, "content_production", "主视觉与短视频拍摄", 40_000, "木子影像")
    services.add_spend(
        actor=marketing,
        line=kol,
        spent_on=date(year, 5, 25),
        amount_fen=12_000_000,
        note="首批 KOC 结算",
    )
    services.add_spend(
        actor=marketing, line=kol, spent_on=date(year, 6, 10), amount_fen=7_500_000, note="达人尾款"
    )
    services.add_spend(
        actor=marketing,
        line=ads,
        spent_on=date(year, 6, 18),
        amount_fen=23_500_000,
        note="大促期间超投",
    )
    phases = _phases(
        marketing,
        campaign,
        [marketing, content, operator, analyst],
        [(0, 7), (8, 15), (16, 28), (29, 31)],
    )
    brief = _task(
        marketing,
        campaign,
        title="确定 KOC 名单与 brief",
        phase=phases[0],
        owner=marketing,
        role="marketing",
        due_date=date(year, 5, 24),
        status="done",
    )
    shoot = _task(
        marketing,
        campaign,
        title="主视觉与 3 条短视频",
        phase=phases[0],
        owner=content,
        role="content",
        due_date=date(year, 5, 27),
        status="done",
    )
    live = _task(
        marketing,
        campaign,
        title="6·18 当晚直播排班与话术",
        phase=phases[2],
        owner=operator,
        role="operator",
        due_date=date(year, 6, 17),
        status="done",
        checklist=[{"text": "话术过审", "done": True}, {"text": "福袋设置", "done": True}],
    )
    services.save_item(
        actor=marketing,
        campaign=campaign,
        kind="task",
        item=live,
        data={"depends_on": [brief, shoot]},
    )
    for name in ("plan", "launch", "go_live", "wrap_up"):
        campaign = services.transition(actor=marketing, campaign=campaign, name=name)
    services.record_measurement(
        actor=analyst,
        goal=gmv,
        measured_on=date(year, 6, 20),
        value=261_300_000,
        source_note="生意参谋导出 6/21",
    )
    services.record_measurement(
        actor=analyst,
        goal=followers,
        measured_on=date(year, 6, 18),
        value=14_200,
        source_note="小红书专业号后台",
    )
    services.save_retrospective(
        actor=marketing,
        campaign=campaign,
        data={
            "highlights": "GMV 261 万，超目标 4.5%；KOC 测评笔记带来 38% 的进店流量。",
            "shortfalls": "小红书涨粉 1.42 万，未达 2 万目标；直通车大促期间超投 15 万。",
            "lessons": "涨粉靠互动活动而非硬广；投放需设置日预算上限并每日复盘。",
        },
        improvements=[
            {"text": "每个平台的投放设置日预算上限，超 10% 自动预警", "owner": analyst},
            {"text": "笔记评论区抽奖引导关注，涨粉目标按周拆解", "owner": operator},
            {
                "text": "对比图统一加“个人使用感受”标注，提前过合规审核",
                "owner": content,
                "apply_to_next": False,
            },
        ],
    )
    services.complete_retrospective(actor=marketing, campaign=campaign)
    return services.transition(actor=marketing, campaign=campaign, name="close")


def _live_launch(workspace: Workspace, users: dict[str, User]) -> Campaign:
    marketing, content, operator = (
        users["demo-marketing"],
        users["demo-content"],
        users["demo-operator"],
    )
    analyst, reviewer = users["demo-analyst"], users["demo-reviewer"]
    today = timezone.localdate()
    start = today - timedelta(days=14)
    end = today + timedelta(days=30)
    campaign = services.create_campaign(
        actor=marketing,
        workspace=workspace,
        data={
            "name": LIVE_NAME,
            "owner": marketing,
            "start_date": start,
            "end_date": end,
            "theme": "通勤不假白，轻薄一整天",
            "key_message": "青柑清透防晒乳 SPF50+ PA++++，水感质地不搓泥，新品首发 79 元。",
            "visual_notes": "清爽绿色系；SPF/PA 数值须与备案一致；不得使用“医学”“药妆”字样。",
            "background": "防晒品类线上增速 20%，竞品主打“物理防晒”，我们主打通勤轻薄。",
            "audience_age_bands": ["18-24", "25-30"],
            "audience_gender": "female",
            "audience_regions": "全国，南方城市优先",
            "audience_interests": "通勤妆容、户外运动",
            "audience_habits": "看抖音测评下单，复购看口碑。",
            "platforms": [
                {"platform": "douyin", "role": "短视频测评 + 达人直播首发"},
                {"platform": "xiaohongshu", "role": "质地种草与成分科普"},
                {"platform": "wecom", "role": "老客社群首发券"},
            ],
            "products": ["青柑清透防晒乳 50ml"],
        },
    )
    orders = _goal(
        marketing,
        campaign,
        goal_type="sales",
        metric="orders",
        baseline=Decimal(0),
        target=Decimal(12_000),
        deadline=end,
        note="全渠道订单",
    )
    reach = _goal(
        marketing,
        campaign,
        goal_type="brand_awareness",
        metric="impressions",
        baseline=Decimal(0),
        target=Decimal(8_000_000),
        scope="platform",
        scope_value="douyin",
        deadline=end - timedelta(days=10),
    )
    _goal(
        marketing,
        campaign,
        goal_type="engagement",
        metric="negative_share",
        baseline=Decimal(8),
        target=Decimal(5),
        deadline=end,
        note="评论中负面占比（%）",
    )
    kol = _line(marketing, campaign, "kol", "抖音达人首发直播 3 场", 150_000, "蝉妈妈代理")
    _line(marketing, campaign, "ads_social", "巨量千川投流", 120_000, "巨量引擎")
    _line(marketing, campaign, "prizes", "社群首发券 10 元 × 5000", 50_000)
    services.add_spend(
        actor=marketing,
        line=kol,
        spent_on=start + timedelta(days=7),
        amount_fen=5_000_000,
        note="第一场直播坑位费",
    )
    phases = _phases(
        marketing,
        campaign,
        [marketing, content, operator, analyst],
        [(0, 6), (7, 13), (14, 37), (38, 44)],
    )
    _task(
        marketing,
        campaign,
        title="达人直播脚本过审",
        phase=phases[1],
        owner=reviewer,
        role="reviewer",
        due_date=today - timedelta(days=3),
        status="in_progress",
        checklist=[
            {"text": "SPF 数值与备案一致", "done": True},
            {"text": "去掉绝对化用语", "done": False},
        ],
    )
    _task(
        marketing,
        campaign,
        title="社群首发券发放",
        phase=phases[2],
        owner=operator,
        role="operator",
        due_date=today + timedelta(days=2),
    )
    _task(
        marketing,
        campaign,
        title="第二周数据复盘",
        phase=phases[2],
        owner=analyst,
        role="analyst",
        due_date=today + timedelta(days=5),
    )
    for name in ("plan", "launch", "go_live"):
        campaign = services.transition(actor=marketing, campaign=campaign, name=name)
    for days, value in ((4, 900), (9, 2100), (13, 3100)):
        services.record_measurement(
            actor=analyst,
            goal=orders,
            measured_on=start + timedelta(days),
            value=value,
            source_note="抖店 + 天猫订单导出",
        )
    for days, value in ((5, 1_600_000), (12, 3_900_000)):
        services.record_measurement(
            actor=analyst,
            goal=reach,
            measured_on=start + timedelta(days),
            value=value,
            source_note="巨量引擎报表",
        )
    services.save_item(
        actor=marketing,
        campaign=campaign,
        kind="competitor",
        data={
            "brand": "某国货物理防晒",
            "platforms": ["douyin", "xiaohongshu"],
            "content_strategy": "成分党测评 + 户外场景实测",
            "interaction_style": "评论区逐条回复",
            "audience": "学生党、户外运动人群",
            "share_position": "品类 TOP3，主打性价比",
            "strengths": "口碑稳定，复购高",
            "weaknesses": "质地厚重，通勤场景弱",
            "links": ["https://www.xiaohongshu.com/"],
        },
    )
    services.save_item(
        actor=marketing,
        campaign=campaign,
        kind="research_note",
        data={
            "kind": "platform_rule",
            "title": "防晒功效宣称须与备案一致",
            "body": "SPF/PA 值须以特殊化妆品注册证为准；不得宣称“医学”“治疗”。",
        },
    )
    services.save_item(
        actor=marketing,
        campaign=campaign,
        kind="research_note",
        data={
            "kind": "persona",
            "title": "通勤白领小林",
            "body": "26 岁，地铁通勤 1 小时，怕搓泥怕假白，预算 100 元以内。",
        },
    )
    services.save_feasibility(
        actor=marketing,
        campaign=campaign,
        data={
            "market_demand": 4,
            "market_demand_rationale": "防晒品类旺季前置，搜索量环比 +35%",
            "user_acceptance": 4,
            "user_acceptance_rationale": "试用装反馈 87% 满意",
            "cost": 3,
            "cost_rationale": "达人费用偏高",
            "risk": 3,
            "risk_rationale": "防晒宣称合规要求严格",
        },
    )
    for title, category, probability, impact, owner, mitigation in (
        ("达人直播翻车（口误绝对化用语）", "compliance", 3, 5, reviewer, "脚本预审 + 场控提醒"),
        ("竞品同期降价", "competitor", 4, 3, marketing, "准备第二波社群券"),
        ("首发备货不足", "inventory", 2, 4, operator, "与仓库约定 48 小时补货"),
    ):
        services.save_item(
            actor=marketing,
            campaign=campaign,
            kind="risk",
            data={
                "title": title,
                "category": category,
                "probability": probability,
                "impact": impact,
                "owner": owner,
                "mitigation": mitigation,
            },
        )
    return campaign


def _draft_new_year(workspace: Workspace, users: dict[str, User], source: Campaign) -> Campaign:
    marketing = users["demo-marketing"]
    today = timezone.localdate()
    start = date(today.year + 1, 1, 5) if today.month >= 10 else date(today.year, 1, 5)
    if start <= today:
        start = today + timedelta(days=30)
    adopt = list(
        ImprovementItem.objects.filter(
            retrospective__campaign=source, apply_to_next=True, status="open"
        )[:1]
    )
    campaign = services.create_campaign(
        actor=marketing,
        workspace=workspace,
        data={
            "name": DRAFT_NAME,
            "owner": marketing,
            "start_date": start,
            "end_date": start + timedelta(days=24),
            "theme": "把好气色带回家",
            "key_message": "新春限定礼盒：焕颜精华 + 防晒乳，会员专享加赠红包封面。",
            "platforms": [
                {"platform": "wechat_oa", "role": "会员推文与小程序商城"},
                {"platform": "taobao", "role": "年货节会场"},
            ],
            "products": ["新春限定礼盒"],
        },
        source=source,
        adopt=adopt,
    )
    return campaign


@transaction.atomic
def seed_campaigns(workspace: Workspace, users: dict[str, User]) -> None:
    existing = set(Campaign.objects.filter(workspace=workspace).values_list("name", flat=True))
    closed = Campaign.objects.filter(workspace=workspace, name=CLOSED_NAME).first()
    if closed is None:
        closed = _closed_618(workspace, users)
    if LIVE_NAME not in existing:
        _live_launch(workspace, users)
    if DRAFT_NAME not in existing:
        _draft_new_year(workspace, users, closed)
