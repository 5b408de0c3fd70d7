"""Demo tracking data for the running campaign: KOLs and channels, a tracking link per
published post and partner, promo codes, two weeks of simulated clicks (as the redirect
would have logged them), shop orders attributed by code, by click or not at all, and
costs. Everything but the clicks goes through the services, like real work."""

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from fanloop.campaigns.models import Campaign, CampaignState
from fanloop.content.models import Variant
from fanloop.content.services import items as content_items
from fanloop.core.models import User, Workspace
from fanloop.tracking import clicklog
from fanloop.tracking.clicklog import PendingClick
from fanloop.tracking.models import (
    CostCategory,
    OrderStatus,
    Partner,
    PartnerKind,
    PromoKind,
    ShopPlatform,
    TrackingLink,
    UserAgentClass,
)
from fanloop.tracking.privacy import hash_ip
from fanloop.tracking.services import codes, costs, links, orders, partners

SHOP = "https://item.taobao.com/item.htm?id=680012345678"
PARTNERS: list[tuple[str, str, str, str]] = [
    # (name, kind, platform, handle)
    ("小鹿的通勤妆", PartnerKind.KOL, "xiaohongshu", "@xiaolu_commute"),
    ("护肤实验室阿杰", PartnerKind.KOL, "douyin", "@ajie_skinlab"),
    ("美妆情报局", PartnerKind.KOL, "weibo", "@beauty_intel"),
    ("学生党省钱日记", PartnerKind.KOC, "xiaohongshu", "@save_money_diary"),
]
# Clicks per day a link gets on average, by who carries it.
CLICKS_PER_DAY = {"post": 18, "kol": 30, "koc": 9}
DAYS = 14
MENU_A = ("公众号菜单 · 商品页", SHOP, "menu-item")
MENU_B = ("公众号菜单 · 活动页", "https://shop.example.cn/events/qinggan", "menu-event")


def seed_tracking(workspace: Workspace, users: dict[str, User]) -> None:
    if Partner.objects.filter(workspace=workspace).exists():
        return
    campaign = Campaign.objects.filter(workspace=workspace, state=CampaignState.LIVE).first()
    if campaign is None:
        return
    rng = random.Random(20261123)
    marketing, analyst = users["demo-marketing"], users["demo-analyst"]
    posts = _posts_into_campaign(workspace, campaign, users["demo-admin"])
    people = [
        partners.create_partner(
            actor=marketing,
            workspace=workspace,
            data={"name": name, "kind": kind, "platform": platform, "handle": handle},
        )
        for name, kind, platform, handle in PARTNERS
    ]
    post_links = [
        links.create_link(
            actor=marketing,
            workspace=workspace,
            data={
                "name": f"{variant.item.title.removeprefix('往期 · ')} · {variant.platform}",
                "destination_url": SHOP,
                "campaign": campaign,
                "variant": variant,
            },
        )
        for variant in posts
    ]
    kol_links = links.bulk_create_links(
        actor=marketing,
        workspace=workspace,
        data={"destination_url": SHOP, "campaign": campaign},
        partners=people,
    )
    # The A/B test of the official account's menu: product page against event page.
    menu_links = [
        links.create_link(
            actor=marketing,
            workspace=workspace,
            data={
                "name": name,
                "destination_url": url,
                "campaign": campaign,
                "platform": "wechat_oa",
                "channel": "公众号菜单",
                "utm_content": content,
            },
        )
        for name, url, content in (MENU_A, MENU_B)
    ]
    xiaolu = people[0]
    codes.create_code(
        actor=marketing,
        workspace=workspace,
        data={
            "code": "XIAOLU79",
            "kind": PromoKind.KOL,
            "campaign": campaign,
            "partner": xiaolu,
            "cost_per_use_fen": 800,
        },
    )
    codes.create_code(
        actor=marketing,
        workspace=workspace,
        data={
            "code": "QINGGAN10",
            "kind": PromoKind.COUPON,
            "campaign": campaign,
            "cost_per_use_fen": 1000,
        },
    )
    visitors = _clicks(workspace, rng, post_links, [*kol_links, *menu_links])
    _orders(workspace, rng, analyst, visitors)
    _costs(workspace, rng, marketing, campaign, people)


def _posts_into_campaign(workspace: Workspace, campaign: Campaign, admin: User) -> list[Variant]:
    """Last fortnight's posts were part of the launch; the team files them under it."""
    published = list(
        Variant.objects.filter(workspace=workspace, published_at__isnull=False)
        .select_related("item")
        .order_by("published_at")
    )
    for item in {variant.item for variant in published if variant.item.campaign_id is None}:
        if item.created_at.date() >= campaign.start_date - timedelta(days=7):
            content_items.update_item(actor=admin, item=item, data={"campaign": campaign})
    return [variant for variant in published if variant.published_at is not None]


def _ua(rng: random.Random, platform: str) -> str:
    roll = rng.random()
    if roll < 0.05:
        return UserAgentClass.BOT
    if platform == "weibo" and roll < 0.6:
        return UserAgentClass.WEIBO
    if platform == "douyin" and roll < 0.7:
        return UserAgentClass.DOUYIN
    if platform in {"wechat_oa", "xiaohongshu"} and roll < 0.45:
        return UserAgentClass.WECHAT
    return UserAgentClass.MOBILE if roll < 0.9 else UserAgentClass.DESKTOP


def _clicks(
    workspace: Workspace,
    rng: random.Random,
    post_links: list[TrackingLink],
    kol_links: list[TrackingLink],
) -> list[tuple[str, datetime, TrackingLink]]:
    """Clicks through the redirect's click log; returns (visitor id, time, link) of people who
    agreed to the visitor cookie, the ones a later order can be traced back to."""
    now = timezone.now()
    referrers = {
        "weibo": "weibo.cn",
        "xiaohongshu": "www.xiaohongshu.com",
        "douyin": "www.douyin.com",
        "wechat_oa": "mp.weixin.qq.com",
    }
    rows: list[PendingClick] = []
    visitors: list[tuple[str, datetime, TrackingLink]] = []
    for link in [*post_links, *kol_links]:
        kind = "post" if link.partner_id is None else link.partner.kind  # type: ignore[union-attr]
        start = link.variant.published_at if link.variant and link.variant.published_at else None
        for day in range(DAYS):
            moment = now - timedelta(days=DAYS - day)
            if start is not None and moment < start:
                continue
            for _ in range(rng.randint(0, 2 * CLICKS_PER_DAY.get(kind, 10))):
                when = moment + timedelta(seconds=rng.randint(0, 86_399))
                if when > now:
                    continue
                ua = _ua(rng, link.platform)
                visitor = f"{rng.getrandbits(64):016x}" if rng.random() < 0.6 else ""
                ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                clicks = [when]
                if rng.random() < 0.08:  # came back within minutes: a repeat
                    clicks.append(when + timedelta(minutes=rng.randint(1, 25)))
                rows += [
                    PendingClick(
                        link_id=link.pk,
                        workspace_id=workspace.pk,
                        timezone=workspace.timezone,
                        clicked_at=at,
                        referrer_host=referrers.get(link.platform, ""),
                        ua_class=ua,
                        ip_hash=hash_ip(ip),
                        visitor_id=visitor,
                    )
                    for at in clicks
                    if at <= now
                ]
                if visitor and ua != UserAgentClass.BOT:
                    visitors.append((visitor, when, link))
    clicklog.store(rows)
    return visitors


def _orders(
    workspace: Workspace,
    rng: random.Random,
    analyst: User,
    visitors: list[tuple[str, datetime, TrackingLink]],
) -> None:
    now = timezone.now()
    buyers = [f"tb_buyer_{n:04d}" for n in range(520)]
    rows: list[dict[str, Any]] = []
    statuses = [
        (OrderStatus.COMPLETED, 45),
        (OrderStatus.SHIPPED, 25),
        (OrderStatus.PAID, 12),
        (OrderStatus.CLOSED, 8),
        (OrderStatus.REFUNDED, 5),
        (OrderStatus.PARTLY_REFUNDED, 5),
    ]
    for number in range(600):
        roll = rng.random()
        visitor, promo = "", ""
        if roll < 0.15:
            promo = "XIAOLU79"
            when = now - timedelta(minutes=rng.randint(60, DAYS * 1440))
        elif roll < 0.25:
            promo = "QINGGAN10"
            when = now - timedelta(minutes=rng.randint(60, DAYS * 1440))
        elif roll < 0.65 and visitors:
            visitor, clicked_at, _link = rng.choice(visitors)
            when = min(clicked_at + timedelta(minutes=rng.randint(3, 2880)), now)
        else:
            when = now - timedelta(minutes=rng.randint(60, DAYS * 1440))
        status = rng.choices([s for s, _ in statuses], [w for _, w in statuses])[0]
        quantity = rng.choice([1, 1, 1, 2, 3])
        price = 7900
        paid = quantity * price - (1000 if promo == "QINGGAN10" else 0)
        refund = 0
        if status == OrderStatus.PARTLY_REFUNDED:
            refund = price
        rows.append(
            {
                "row": number + 1,
                "order_no": f"3{number + 52000000000000:015d}",
                "shop_platform": ShopPlatform.TAOBAO,
                "shop_name": "示例品牌旗舰店",
                "buyer": rng.choice(buyers),
                "status": status,
                "ordered_at": when,
                "paid_at": None if status == OrderStatus.CLOSED else when,
                "total": quantity * price,
                "paid": 0 if status == OrderStatus.CLOSED else paid,
                "refund": refund,
                "title": "青柑清透防晒乳 50ml",
                "quantity": quantity,
                "unit_price": price,
                "promo_code": promo,
                "visitor_id": visitor,
                "close_reason": "买家未付款" if status == OrderStatus.CLOSED else "",
            }
        )
    orders.ingest_orders(workspace, rows, source="import", actor=analyst)


def _costs(
    workspace: Workspace,
    rng: random.Random,
    marketing: User,
    campaign: Campaign,
    people: list[Partner],
) -> None:
    today = timezone.localdate()
    for day in range(DAYS):
        on = today - timedelta(days=DAYS - day)
        for platform, base in (("weibo", 30_000), ("xiaohongshu", 45_000)):
            costs.create_cost(
                actor=marketing,
                workspace=workspace,
                day=on,
                category=CostCategory.AD_SPEND,
                amount_fen=base + rng.randint(-5_000, 5_000),
                campaign=campaign,
                platform=platform,
                note="信息流投放",
            )
    fees = {PartnerKind.KOL: 300_000, PartnerKind.KOC: 40_000}
    for partner in people:
        costs.create_cost(
            actor=marketing,
            workspace=workspace,
            day=today - timedelta(days=DAYS - 1),
            category=CostCategory.KOL_FEE,
            amount_fen=fees.get(partner.kind, 50_000),  # type: ignore[call-overload]
            campaign=campaign,
            platform=partner.platform,
            partner=partner,
            note="合作费",
        )
    costs.create_cost(
        actor=marketing,
        workspace=workspace,
        day=today - timedelta(days=DAYS),
        category=CostCategory.PRODUCTION,
        amount_fen=120_000,
        campaign=campaign,
        note="产品图拍摄",
    )
    costs.sync_budget_costs(workspace)
