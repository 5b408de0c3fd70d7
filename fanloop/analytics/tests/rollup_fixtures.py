"""Raw rows for the rollup, attribution and KPI tests, created directly (the services
that normally write them are tested in their own apps)."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fanloop.campaigns.models import Campaign
from fanloop.channels.models import AccountMetricDaily, ChannelAccount, PostMetricDaily
from fanloop.content.models import ContentItem, Variant
from fanloop.core.models import Workspace
from fanloop.tracking.models import (
    Click,
    CostEntry,
    Order,
    Partner,
    PromoCode,
    TrackingLink,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware datetime on Shanghai wall-clock time (the workspaces' zone)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def campaign(workspace: Workspace, name: str = "618", start: date = date(2026, 6, 1)) -> Campaign:
    return Campaign.objects.create(
        workspace=workspace, name=name, start_date=start, end_date=date(2026, 6, 30)
    )


def partner(workspace: Workspace, name: str = "Amy") -> Partner:
    return Partner.objects.create(workspace=workspace, name=name, kind="kol")


def variant(workspace: Workspace, camp: Campaign | None, platform: str = "xiaohongshu") -> Variant:
    item = ContentItem.objects.create(
        workspace=workspace,
        campaign=camp,
        title="Spring serum",
        content_type="image_text",
        purpose="product_intro",
    )
    return Variant.objects.create(item=item, workspace=workspace, platform=platform)


def link(workspace: Workspace, code: str, **extra: Any) -> TrackingLink:
    return TrackingLink.objects.create(
        workspace=workspace, code=code, destination_url="https://shop.example.com/p", **extra
    )


def click(
    tracking_link: TrackingLink,
    at: datetime,
    visitor: str = "",
    *,
    bot: bool = False,
    ip_hash: str = "h" * 16,
) -> Click:
    """A stored click; whether it repeats another is the rollup's to say."""
    return Click.objects.create(
        workspace_id=tracking_link.workspace_id,
        link=tracking_link,
        clicked_at=at,
        ua_class="bot" if bot else "mobile",
        ip_hash=ip_hash,
        visitor_id=visitor,
        is_bot=bot,
    )


def promo(workspace: Workspace, code: str, camp: Campaign, **extra: Any) -> PromoCode:
    return PromoCode.objects.create(
        workspace=workspace, code=code, kind="coupon", campaign=camp, **extra
    )


_order_no = iter(range(1, 10**9))


def order(
    workspace: Workspace,
    at: datetime,
    *,
    status: str = "paid",
    paid: int = 10000,
    refund: int = 0,
    net: int | None = None,
    buyer: str = "",
    **extra: Any,
) -> Order:
    if net is None:
        net = 0 if status in ("closed", "pending", "refunded") else paid - refund
    return Order.objects.create(
        workspace=workspace,
        shop_platform="taobao",
        order_no=f"T{next(_order_no)}",
        status=status,
        ordered_at=at,
        paid_fen=paid if status != "pending" else 0,
        gross_fen=paid,
        refund_fen=refund,
        net_fen=net,
        buyer_hash=buyer,
        **extra,
    )


def account(
    workspace: Workspace, name: str = "Brand XHS", platform: str = "xiaohongshu"
) -> ChannelAccount:
    return ChannelAccount.objects.create(workspace=workspace, platform=platform, display_name=name)


def post_metric(workspace: Workspace, day: date, post_key: str, **extra: Any) -> PostMetricDaily:
    extra.setdefault("platform", "xiaohongshu")
    return PostMetricDaily.objects.create(
        workspace=workspace, day=day, post_key=post_key, source="import", **extra
    )


def account_metric(acc: ChannelAccount, day: date, gained: int, lost: int) -> AccountMetricDaily:
    return AccountMetricDaily.objects.create(
        workspace_id=acc.workspace_id,
        account=acc,
        day=day,
        followers_gained=gained,
        followers_lost=lost,
        source="import",
    )


def cost(workspace: Workspace, day: date, amount: int, **extra: Any) -> CostEntry:
    extra.setdefault("category", "ad_spend")
    return CostEntry.objects.create(
        workspace=workspace, day=day, amount_fen=amount, source="manual", **extra
    )
