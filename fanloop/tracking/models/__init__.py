from fanloop.tracking.models.clicks import Click, UserAgentClass
from fanloop.tracking.models.costs import CostCategory, CostEntry, CostSource
from fanloop.tracking.models.links import Partner, PartnerKind, PromoCode, PromoKind, TrackingLink
from fanloop.tracking.models.orders import (
    AttributionRule,
    Order,
    OrderImport,
    OrderLine,
    OrderStatus,
    OrderWebhook,
    OrderWebhookDelivery,
    ShopPlatform,
)
from fanloop.tracking.models.settings import AttributionSettings

__all__ = [
    "AttributionRule",
    "AttributionSettings",
    "Click",
    "CostCategory",
    "CostEntry",
    "CostSource",
    "Order",
    "OrderImport",
    "OrderLine",
    "OrderStatus",
    "OrderWebhook",
    "OrderWebhookDelivery",
    "Partner",
    "PartnerKind",
    "PromoCode",
    "PromoKind",
    "ShopPlatform",
    "TrackingLink",
    "UserAgentClass",
]
