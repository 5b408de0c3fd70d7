"""Order-export profiles: which column of a shop's order export holds which order field,
which status text means what, and how amounts and times are written.

Where the column names come from:

* Taobao/Tmall 卖家中心 → 已卖出的宝贝 → 批量导出 (订单报表): 订单编号, 买家会员名, 买家应付货款,
  买家应付邮费, 总金额, 买家实际支付金额, 订单状态, 订单创建时间, 订单付款时间, 宝贝标题,
  宝贝总数量, 店铺名称, 订单关闭原因, 退款金额, 商家备注, 买家留言 — the list in issue #7.
  Statuses such as 等待买家付款, 买家已付款，等待卖家发货, 卖家已发货，等待买家确认, 交易成功,
  交易关闭 and 付款以后用户退款成功，交易自动关闭.
* JD 商家后台 订单导出, Pinduoduo 商家后台 订单查询 → 导出 and Youzan 订单 → 导出: NOT
  confirmed against a published sample (no public page or parser was found). The names
  are the ones the shops' back-ends show, with several aliases per field; a file that
  differs can be imported with a custom mapping (``--map field=列名,...``).

Amounts are yuan as the exports write them (``¥1,234.50``, ``1234.5``) and are converted
to integer fen with :class:`~decimal.Decimal`, never through a float. Times are the
team's wall-clock time (the workspace's zone).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fanloop.channels.imports.profiles import header_stem, normalise_header
from fanloop.tracking.models import OrderStatus, ShopPlatform

# Field -> label shown in errors and on the mapping page.
FIELDS: dict[str, Promise] = {
    "order_no": _("Order number"),
    "buyer": _("Buyer id (stored hashed)"),
    "status": _("Order status"),
    "ordered_at": _("Ordered at"),
    "paid_at": _("Paid at"),
    "total": _("Order total (yuan)"),
    "goods": _("Goods amount (yuan)"),
    "postage": _("Postage (yuan)"),
    "paid": _("Paid by the buyer (yuan)"),
    "refund": _("Refunded (yuan)"),
    "refund_status": _("After-sale / refund status"),
    "title": _("Product title"),
    "sku": _("SKU / product id"),
    "quantity": _("Quantity"),
    "unit_price": _("Unit price (yuan)"),
    "line_amount": _("Line amount (yuan)"),
    "line_refund": _("Line refund (yuan)"),
    "shop_name": _("Shop name"),
    "promo_code": _("Coupon / promo code"),
    "visitor_id": _("Visitor id"),
    "close_reason": _("Close reason"),
    "platform": _("Shop platform"),
}
MONEY_FIELDS = frozenset(
    {"total", "goods", "postage", "paid", "refund", "unit_price", "line_amount", "line_refund"}
)
TIME_FIELDS = frozenset({"ordered_at", "paid_at"})
REQUIRED = frozenset({"order_no", "status", "ordered_at"})
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d%H%M%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
EMPTY = frozenset({"", "-", "--", "null", "none", "无", "/"})

# Status words every profile understands; a profile adds its own exact texts.
# Checked in this order, so "退款成功，交易关闭" reads as refunded, not closed.
STATUS_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("部分退款", OrderStatus.PARTLY_REFUNDED),
    ("退款成功", OrderStatus.REFUNDED),
    ("已退款", OrderStatus.REFUNDED),
    ("全额退款", OrderStatus.REFUNDED),
    ("关闭", OrderStatus.CLOSED),
    ("取消", OrderStatus.CLOSED),
    ("锁定", OrderStatus.CLOSED),
    ("交易成功", OrderStatus.COMPLETED),
    ("已完成", OrderStatus.COMPLETED),
    ("已收货", OrderStatus.COMPLETED),
    ("已签收", OrderStatus.COMPLETED),
    ("完成", OrderStatus.COMPLETED),
    ("已发货", OrderStatus.SHIPPED),
    ("待收货", OrderStatus.SHIPPED),
    ("等待确认收货", OrderStatus.SHIPPED),
    ("等待买家确认", OrderStatus.SHIPPED),
    ("等待卖家发货", OrderStatus.PAID),
    ("待发货", OrderStatus.PAID),
    ("待出库", OrderStatus.PAID),
    ("已付款", OrderStatus.PAID),
    ("已支付", OrderStatus.PAID),
    ("待成团", OrderStatus.PAID),
    ("等待买家付款", OrderStatus.PENDING),
    ("待付款", OrderStatus.PENDING),
    ("待支付", OrderStatus.PENDING),
    ("未付款", OrderStatus.PENDING),
)
# After-sale column texts that mean "nothing was refunded".
NO_REFUND_WORDS = ("无售后", "售后取消", "退款关闭", "拒绝退款", "退款失败", "无")

PLATFORM_WORDS: dict[str, str] = {
    "淘宝": ShopPlatform.TAOBAO,
    "天猫": ShopPlatform.TAOBAO,
    "taobao": ShopPlatform.TAOBAO,
    "tmall": ShopPlatform.TAOBAO,
    "京东": ShopPlatform.JD,
    "jd": ShopPlatform.JD,
    "拼多多": ShopPlatform.PINDUODUO,
    "pinduoduo": ShopPlatform.PINDUODUO,
    "pdd": ShopPlatform.PINDUODUO,
    "有赞": ShopPlatform.YOUZAN,
    "youzan": ShopPlatform.YOUZAN,
    "抖店": ShopPlatform.DOUYIN,
    "抖音": ShopPlatform.DOUYIN,
    "douyin": ShopPlatform.DOUYIN,
    "other": ShopPlatform.OTHER,
}


class RowError(ValueError):
    """One cell of one row cannot be read; the message says which and why."""


@dataclass(frozen=True)
class OrderProfile:
    key: str
    name: str | Promise
    shop_platform: str
    # field -> header aliases, the preferred one first
    columns: Mapping[str, tuple[str, ...]]
    statuses: Mapping[str, str] = field(default_factory=dict)
    source_note: str | Promise = ""
    builtin: bool = True

    def label(self, name: str) -> str:
        aliases = self.columns.get(name)
        return aliases[0] if aliases else str(FIELDS[name])


TAOBAO = OrderProfile(
    key="taobao",
    name=_("Taobao / Tmall order export (订单报表)"),
    shop_platform=ShopPlatform.TAOBAO,
    columns={
        "order_no": ("订单编号", "订单号", "主订单编号"),
        "buyer": ("买家会员名", "买家昵称", "买家会员ID"),
        "status": ("订单状态",),
        "ordered_at": ("订单创建时间", "创建时间", "下单时间"),
        "paid_at": ("订单付款时间", "付款时间"),
        "total": ("总金额",),
        "goods": ("买家应付货款", "应付货款"),
        "postage": ("买家应付邮费", "邮费"),
        "paid": ("买家实际支付金额", "实际支付金额", "实付金额"),
        "refund": ("退款金额",),
        "refund_status": ("退款状态",),
        "title": ("宝贝标题", "商品标题"),
        "sku": ("商家编码", "宝贝ID", "商品ID"),
        "quantity": ("宝贝总数量", "宝贝数量", "购买数量"),
        "unit_price": ("价格", "宝贝单价"),
        "shop_name": ("店铺名称",),
        "promo_code": ("使用的优惠券", "优惠券", "优惠码", "商家备注", "买家留言"),
        "close_reason": ("订单关闭原因", "关闭原因"),
    },
    statuses={
        "等待买家付款": OrderStatus.PENDING,
        "买家已付款，等待卖家发货": OrderStatus.PAID,
        "卖家部分发货": OrderStatus.PAID,
        "卖家已发货，等待买家确认": OrderStatus.SHIPPED,
        "交易成功": OrderStatus.COMPLETED,
        "交易关闭": OrderStatus.CLOSED,
        "付款以后用户退款成功，交易自动关闭": OrderStatus.REFUNDED,
    },
    source_note=_("Taobao seller centre → 已卖出的宝贝 → 批量导出 (订单报表); issue #7."),
)

JD = OrderProfile(
    key="jd",
    name=_("JD order export (订单导出)"),
    shop_platform=ShopPlatform.JD,
    columns={
        "order_no": ("订单号", "订单编号"),
        "buyer": ("下单帐号", "下单账号", "客户账号", "客户帐号", "用户账号"),
        "status": ("订单状态",),
        "ordered_at": ("下单时间", "订单创建时间"),
        "paid_at": ("付款确认时间", "付款时间", "支付时间"),
        "total": ("订单金额", "订单总金额"),
        "paid": ("应付金额", "实付金额", "用户实付金额"),
        "refund": ("退款金额",),
        "refund_status": ("售后状态", "退款状态"),
        "title": ("商品名称",),
        "sku": ("商品ID", "商品编号", "SKU"),
        "quantity": ("订购数量", "商品数量", "数量"),
        "unit_price": ("京东价", "商品单价", "单价"),
        "shop_name": ("店铺名称", "商家名称"),
        "promo_code": ("优惠券", "优惠码", "商家备注", "订单备注"),
        "close_reason": ("取消原因", "订单关闭原因"),
    },
    statuses={
        "等待付款": OrderStatus.PENDING,
        "等待出库": OrderStatus.PAID,
        "等待发货": OrderStatus.PAID,
        "等待确认收货": OrderStatus.SHIPPED,
        "完成": OrderStatus.COMPLETED,
        "已完成": OrderStatus.COMPLETED,
        "已取消": OrderStatus.CLOSED,
        "锁定": OrderStatus.CLOSED,
    },
    source_note=_("JD merchant back-end order export; column names not confirmed."),
)

PINDUODUO = OrderProfile(
    key="pinduoduo",
    name=_("Pinduoduo order export (订单查询 → 导出)"),
    shop_platform=ShopPlatform.PINDUODUO,
    columns={
        "order_no": ("订单号", "订单编号"),
        "buyer": ("用户ID", "买家ID", "收货人手机号", "收货人"),
        "status": ("订单状态",),
        "ordered_at": ("订单成交时间", "成交时间", "下单时间", "订单创建时间"),
        "paid_at": ("支付时间", "付款时间"),
        "total": ("商品总价(元)", "商品总价"),
        "paid": ("用户实付金额(元)", "用户实付金额", "实付金额"),
        "refund": ("退款金额(元)", "退款金额"),
        "refund_status": ("售后状态",),
        "title": ("商品", "商品名称"),
        "sku": ("商品id", "样式ID", "商家编码-SKU维度", "商品规格编码"),
        "quantity": ("商品数量(件)", "商品数量"),
        "unit_price": ("商品单价(元)", "商品单价"),
        "shop_name": ("店铺名称",),
        "promo_code": ("优惠券", "商家备注"),
        "close_reason": ("取消原因",),
    },
    statuses={
        "待支付": OrderStatus.PENDING,
        "待发货": OrderStatus.PAID,
        "已发货，待收货": OrderStatus.SHIPPED,
        "已发货,待收货": OrderStatus.SHIPPED,
        "已发货": OrderStatus.SHIPPED,
        "已签收": OrderStatus.COMPLETED,
        "已收货": OrderStatus.COMPLETED,
        "已取消": OrderStatus.CLOSED,
        "未发货，退款成功": OrderStatus.REFUNDED,
        "已发货，退款成功": OrderStatus.REFUNDED,
    },
    source_note=_("Pinduoduo merchant back-end order export; column names not confirmed."),
)

YOUZAN = OrderProfile(
    key="youzan",
    name=_("Youzan order export (订单 → 导出)"),
    shop_platform=ShopPlatform.YOUZAN,
    columns={
        "order_no": ("订单号", "订单编号"),
        "buyer": ("买家手机号", "买家昵称", "买家ID", "粉丝昵称"),
        "status": ("订单状态",),
        "ordered_at": ("订单创建时间", "下单时间", "创建时间"),
        "paid_at": ("买家付款时间", "付款时间", "支付时间"),
        "total": ("订单总金额", "订单金额", "商品金额合计"),
        "postage": ("运费",),
        "paid": ("订单实付金额", "实付金额", "买家实付金额"),
        "refund": ("退款金额", "订单退款金额"),
        "refund_status": ("退款状态", "售后状态"),
        "title": ("商品名称", "商品标题"),
        "sku": ("商品编码", "规格编码", "商品ID"),
        "quantity": ("商品数量", "数量"),
        "unit_price": ("商品单价", "单价"),
        "line_amount": ("商品实际成交金额", "商品金额小计"),
        "line_refund": ("商品退款金额",),
        "shop_name": ("店铺名称", "归属店铺"),
        "promo_code": ("优惠码", "优惠券码", "优惠券", "推广码"),
        "close_reason": ("订单关闭原因", "关闭原因"),
    },
    statuses={
        "待付款": OrderStatus.PENDING,
        "待发货": OrderStatus.PAID,
        "已发货": OrderStatus.SHIPPED,
        "待收货": OrderStatus.SHIPPED,
        "已完成": OrderStatus.COMPLETED,
        "交易完成": OrderStatus.COMPLETED,
        "已关闭": OrderStatus.CLOSED,
        "交易关闭": OrderStatus.CLOSED,
    },
    source_note=_("Youzan order export; column names not confirmed."),
)

BUILTIN: dict[str, OrderProfile] = {p.key: p for p in (TAOBAO, JD, PINDUODUO, YOUZAN)}


# Custom mappings -------------------------------------------------------------------------


def parse_map_option(text: str) -> dict[str, str]:
    """``order_no=单号,total=金额`` → ``{"order_no": "单号", "total": "金额"}``."""
    mapping: dict[str, str] = {}
    for part in re.split(r"[,，;；]", text or ""):
        part = part.strip()
        if not part:
            continue
        name, sep, column = part.partition("=")
        if not sep:
            raise ValidationError(
                {
                    "map": gettext("Write each mapping as field=列名, not “%(part)s”.")
                    % {"part": part}
                }
            )
        mapping[name.strip()] = column.strip()
    return mapping


def custom_profile(mapping: Mapping[str, str], *, shop_platform: str) -> OrderProfile:
    """A profile from a user's field → column mapping; checks fields and required ones."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ValidationError(
            {
                "map": gettext("Unknown fields %(fields)s. Fields: %(all)s.")
                % {"fields": ", ".join(unknown), "all": ", ".join(FIELDS)}
            }
        )
    columns = {name: (column,) for name, column in mapping.items() if column}
    missing = sorted(REQUIRED - set(columns))
    if missing:
        raise ValidationError(
            {"map": gettext("Map these fields too: %(fields)s.") % {"fields": ", ".join(missing)}}
        )
    if shop_platform not in ShopPlatform.values:
        raise ValidationError(
            {
                "shop_platform": gettext("Choose the shop platform: %(all)s.")
                % {"all": ", ".join(ShopPlatform.values)}
            }
        )
    return OrderProfile(
        key="custom",
        name=gettext("Custom mapping"),
        shop_platform=shop_platform,
        columns=columns,
        builtin=False,
    )


def with_overrides(profile: OrderProfile, mapping: Mapping[str, str]) -> OrderProfile:
    """A built-in profile with some fields read from other columns."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ValidationError(
            {"map": gettext("Unknown fields %(fields)s.") % {"fields": ", ".join(unknown)}}
        )
    columns = dict(profile.columns)
    columns.update({name: (column,) for name, column in mapping.items() if column})
    return OrderProfile(
        key=profile.key,
        name=profile.name,
        shop_platform=profile.shop_platform,
        columns=columns,
        statuses=profile.statuses,
        source_note=profile.source_note,
        builtin=False,
    )


def profile_spec(profile: OrderProfile) -> dict[str, Any]:
    """JSON form stored on the import, so a queued run reads the file as chosen."""
    if profile.builtin:
        return {"builtin": profile.key}
    return {
        "base": profile.key if profile.key in BUILTIN else "",
        "shop_platform": profile.shop_platform,
        "mapping": {name: aliases[0] for name, aliases in profile.columns.items()},
    }


def profile_from_spec(spec: Mapping[str, Any]) -> OrderProfile:
    if spec.get("builtin"):
        return BUILTIN[str(spec["builtin"])]
    base = BUILTIN.get(str(spec.get("base") or ""))
    mapping = {str(k): str(v) for k, v in dict(spec.get("mapping") or {}).items()}
    if base is not None:
        return with_overrides(base, mapping)
    return custom_profile(mapping, shop_platform=str(spec.get("shop_platform") or ""))


# Headers ---------------------------------------------------------------------------------


def match_headers(headers: list[str], profile: OrderProfile) -> dict[str, int]:
    """Field → column index. Exact (normalised) names first, then the name without a
    unit in brackets, so ``商品总价(元)`` and ``商品总价`` find each other."""
    exact: dict[str, int] = {}
    stems: dict[str, int] = {}
    for i, header in enumerate(headers):
        norm = normalise_header(header)
        if norm:
            exact.setdefault(norm, i)
            stems.setdefault(header_stem(norm), i)
    index: dict[str, int] = {}
    used: set[int] = set()
    for name, aliases in profile.columns.items():
        for alias in aliases:
            norm = normalise_header(alias)
            found = exact.get(norm)
            if found is None or found in used:
                found = stems.get(norm, stems.get(header_stem(norm)))
            if found is not None and found not in used:
                index[name] = found
                used.add(found)
                break
    return index


# Cells -----------------------------------------------------------------------------------


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores long order numbers as numbers
    text = " ".join(str(value).split())
    # Exports prefix long numbers with a tab or a quote so Excel keeps them as text.
    return text.strip("'\"=\t ")


def is_empty(value: Any) -> bool:
    return text_of(value).casefold() in EMPTY


_MONEY_JUNK = re.compile(r"[¥￥,，元\s]|RMB|CNY", re.IGNORECASE)


def parse_fen(value: Any) -> int | None:
    """Yuan as written → integer fen, exactly. ``None`` for an empty cell."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        # repr gives the shortest decimal that round-trips, e.g. 0.1 → "0.1".
        amount = Decimal(repr(value))
    else:
        text = _MONEY_JUNK.sub("", unicodedata_nfkc(str(value)))
        if text.casefold() in EMPTY:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise RowError(gettext("“%(value)s” is not an amount.") % {"value": value}) from exc
    if not amount.is_finite():
        raise RowError(gettext("“%(value)s” is not an amount.") % {"value": value})
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def unicodedata_nfkc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text)


def parse_quantity(value: Any) -> int | None:
    if is_empty(value):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise RowError(
                gettext("Quantity “%(value)s” is not a whole number.") % {"value": value}
            )
        return int(value)
    if isinstance(value, int):
        return value
    text = unicodedata_nfkc(str(value)).replace(",", "").replace("件", "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise RowError(gettext("Quantity “%(value)s” is not a number.") % {"value": value}) from exc
    if number != number.to_integral_value():
        raise RowError(gettext("Quantity “%(value)s” is not a whole number.") % {"value": value})
    return int(number)


def parse_time(value: Any, tz: ZoneInfo) -> datetime | None:
    """A cell as an aware datetime; naive times are the team's wall-clock time."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = unicodedata_nfkc(str(value)).strip().strip("'\t")
        moment_or_none = _parse_text_time(text)
        if moment_or_none is None:
            raise RowError(
                gettext("“%(value)s” is not a date and time such as 2024-05-01 20:15:00.")
                % {"value": value}
            )
        moment = moment_or_none
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def _parse_text_time(text: str) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_status(value: Any, profile: OrderProfile) -> str:
    text = text_of(value)
    if not text:
        raise RowError(gettext("The order status is empty."))
    if text in OrderStatus.values:
        return text
    compact = text.replace(" ", "").replace(",", "，")
    for known, status in profile.statuses.items():
        if compact == known.replace(" ", "").replace(",", "，"):
            return status
    for word, status in STATUS_KEYWORDS:
        if word in compact:
            return status
    raise RowError(gettext("Unknown order status “%(status)s”.") % {"status": text})


def refund_status_means_refunded(value: Any) -> bool:
    text = text_of(value)
    if not text or any(word == text or word in text for word in NO_REFUND_WORDS if word != "无"):
        return False
    return any(word in text for word in ("退款成功", "已退款", "退款完成", "退货退款成功"))


def parse_platform(value: Any) -> str | None:
    text = text_of(value).casefold()
    if not text:
        return None
    if text in ShopPlatform.values:
        return text
    for word, platform in PLATFORM_WORDS.items():
        if word in text:
            return platform
    raise RowError(gettext("Unknown shop platform “%(value)s”.") % {"value": value})


def parse_row(
    number: int,
    cells: list[Any],
    index: Mapping[str, int],
    profile: OrderProfile,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """One file row as the dict :func:`ingest_orders` takes. A row that cannot be read
    carries ``error`` (and its order number when that much could be read)."""

    def cell(name: str) -> Any:
        at = index.get(name)
        return cells[at] if at is not None and at < len(cells) else None

    row: dict[str, Any] = {"row": number, "shop_platform": profile.shop_platform}
    row["order_no"] = text_of(cell("order_no"))[:100]
    problems: list[str] = []
    if not row["order_no"]:
        problems.append(gettext("The order number is empty."))
    for name in ("buyer", "title", "sku", "shop_name", "promo_code", "visitor_id"):
        row[name] = text_of(cell(name))
    row["close_reason"] = text_of(cell("close_reason"))
    row["status_text"] = text_of(cell("status"))
    for name, parse in (
        ("status", lambda v: None if is_empty(v) else parse_status(v, profile)),
        ("ordered_at", lambda v: parse_time(v, tz)),
        ("paid_at", lambda v: parse_time(v, tz)),
        ("quantity", parse_quantity),
        ("platform", parse_platform),
        *((money, parse_fen) for money in sorted(MONEY_FIELDS)),
    ):
        try:
            row[name] = parse(cell(name))
        except RowError as problem:
            label = profile.label(name) if name in profile.columns else str(FIELDS[name])
            problems.append(f"{label}: {problem}")
            row[name] = None
    refund_text = cell("refund_status")
    row["refund_status"] = text_of(refund_text)
    row["refunded"] = refund_status_means_refunded(refund_text)
    if row.get("platform") and row["platform"] != profile.shop_platform:
        problems.append(
            gettext("This row is from %(row)s but the import is for %(import)s.")
            % {"row": row["platform"], "import": profile.shop_platform}
        )
    if problems:
        row["error"] = " ".join(problems)
    return row
