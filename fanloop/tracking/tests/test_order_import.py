"""Order-file imports: profiles, netting, idempotency, row errors."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from fanloop.analytics.models import RollupDirty
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.tracking.models import Order, OrderImport, OrderLine, OrderStatus
from fanloop.tracking.order_profiles import (
    BUILTIN,
    RowError,
    custom_profile,
    parse_fen,
    parse_map_option,
)
from fanloop.tracking.privacy import hash_buyer
from fanloop.tracking.services.order_imports import import_orders
from fanloop.tracking.tests.orders_fixtures import (
    data_file,
    run_import_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db

TAOBAO_BUYERS = ("小王爱购物", "李小姐", "张三", "赵六", "钱七", "孙八")


def order(no: str) -> Order:
    return Order.objects.get(order_no=no)


def db_contains(text: str) -> bool:
    """Whether any text column of any tracking/audit table holds ``text``."""
    tables = [m._meta.db_table for m in (Order, OrderLine, OrderImport, AuditEntry)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                if any(text in str(value) for value in row if value is not None):
                    return True
    return False


# Money parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "fen"),
    [
        ("¥1,234.50", 123450),
        ("1234.5", 123450),
        ("￥0.10", 10),
        (0.1, 10),
        (19.99, 1999),
        (12, 1200),
        ("-30.00", -3000),
        ("", None),
        ("-", None),
    ],
)
def test_amounts_become_exact_fen(cell: object, fen: int | None) -> None:
    assert parse_fen(cell) == fen


def test_an_amount_that_is_not_a_number_is_a_row_error() -> None:
    with pytest.raises(RowError, match="not an amount"):
        parse_fen("十块")
    assert Decimal("0.1") * 100 == 10  # sanity: no float in the path above


# Taobao (CSV in GB18030, one row per order) ----------------------------------------------


def test_taobao_export_in_gb18030_is_imported_and_netted(run_import, workspace) -> None:
    outcome = run_import("taobao_orders.csv", "taobao")

    assert outcome.ok, outcome.message
    assert outcome.result.errors == []
    assert Order.objects.filter(workspace=workspace).count() == 6
    paid = order("3712345678901234")
    assert (paid.status, paid.gross_fen, paid.paid_fen, paid.refund_fen, paid.net_fen) == (
        OrderStatus.COMPLETED,
        19900,
        18900,
        0,
        18900,
    )
    assert paid.promo_text == "KOL-LILY"
    assert paid.shop_name == "品牌官方旗舰店"
    assert paid.ordered_at.isoformat() == "2026-05-01T12:15:03+00:00"  # 20:15 Shanghai
    big = order("3712345678901235")
    assert (big.gross_fen, big.paid_fen, big.net_fen, big.status) == (
        124450,
        124450,
        124450,
        OrderStatus.SHIPPED,
    )
    closed = order("3712345678901236")
    assert (closed.status, closed.net_fen, closed.close_reason) == (
        OrderStatus.CLOSED,
        0,
        "买家不想买了",
    )
    refunded = order("3712345678901237")
    assert (refunded.status, refunded.refund_fen, refunded.net_fen) == (
        OrderStatus.REFUNDED,
        30000,
        0,
    )
    partial = order("3712345678901238")
    assert (partial.status, partial.refund_fen, partial.net_fen) == (
        OrderStatus.PARTLY_REFUNDED,
        3000,
        7000,
    )
    pending = order("3712345678901239")
    assert (pending.status, pending.paid_fen, pending.net_fen) == (OrderStatus.PENDING, 0, 0)


def test_buyer_ids_are_stored_only_as_salted_hashes(run_import, workspace) -> None:
    run_import("taobao_orders.csv", "taobao")

    assert order("3712345678901234").buyer_hash == hash_buyer(workspace.pk, "taobao", "小王爱购物")
    for buyer in TAOBAO_BUYERS:
        assert not db_contains(buyer), buyer


def test_reimporting_the_same_file_changes_nothing(run_import, workspace) -> None:
    run_import("taobao_orders.csv", "taobao")
    before = list(Order.objects.values_list("pk", "updated_at", "net_fen"))

    again = run_import("taobao_orders.csv", "taobao")

    assert again.result.created == []
    assert again.result.updated == []
    assert again.result.unchanged == 6
    assert list(Order.objects.values_list("pk", "updated_at", "net_fen")) == before
    batch = OrderImport.objects.order_by("-pk")[0]
    assert (batch.orders_created, batch.orders_unchanged) == (0, 6)


def test_a_newer_export_updates_changed_orders_only(run_import, workspace) -> None:
    run_import("taobao_orders.csv", "taobao")
    RollupDirty.objects.all().delete()

    later = run_import("taobao_orders_later.csv", "taobao")

    assert len(later.result.updated) == 1
    assert later.result.unchanged == 1
    assert Order.objects.count() == 6
    updated = order("3712345678901235")
    assert (updated.status, updated.refund_fen, updated.net_fen) == (
        OrderStatus.PARTLY_REFUNDED,
        23450,
        101000,
    )
    assert RollupDirty.objects.filter(workspace=workspace).exists()


def test_one_audit_entry_per_import_not_per_order(run_import, workspace) -> None:
    run_import("taobao_orders.csv", "taobao")

    entries = AuditEntry.objects.filter(workspace=workspace, action__startswith="tracking.order")
    assert [e.action for e in entries] == ["tracking.order_import"]
    assert entries[0].changes["orders_created"] == [None, 6]


# JD (XLSX, one row per line) -------------------------------------------------------------


def test_jd_xlsx_with_one_row_per_line(run_import) -> None:
    outcome = run_import("jd_orders.xlsx", "jd")

    assert outcome.ok
    assert outcome.result.errors == []
    two_lines = order("301234567890")
    assert (two_lines.gross_fen, two_lines.paid_fen, two_lines.net_fen) == (59800, 57800, 57800)
    assert list(two_lines.lines.values_list("title", "quantity", "unit_price_fen")) == [
        ("蓝牙耳机", 1, 39900),
        ("耳机保护套", 1, 19900),
    ]
    assert two_lines.item_count == 2
    assert order("301234567891").net_fen == 0
    # no total column value: quantity × unit price
    no_total = order("301234567892")
    assert (no_total.gross_fen, no_total.net_fen, no_total.status) == (9900, 9900, "paid")


# Pinduoduo (after-sale status) -----------------------------------------------------------


def test_pinduoduo_refund_and_cancel_are_netted(run_import) -> None:
    outcome = run_import("pinduoduo_orders.csv", "pinduoduo")

    assert outcome.ok
    assert outcome.result.errors == []
    shipped = order("260501-123456789012345")
    assert (shipped.gross_fen, shipped.paid_fen, shipped.net_fen) == (3990, 3490, 3490)
    refunded = order("260501-123456789012346")
    assert (refunded.status, refunded.refund_fen, refunded.net_fen) == ("refunded", 7980, 0)
    assert order("260502-123456789012347").status == OrderStatus.CLOSED


# Youzan (lines, negative quantity, line refunds) -----------------------------------------


def test_youzan_lines_with_a_returned_quantity_and_line_refund(run_import, workspace) -> None:
    outcome = run_import("youzan_lines.csv", "youzan")

    assert outcome.ok
    assert outcome.result.errors == []
    netted = order("E20260501001")
    # 2×120 + 260 ordered, one 面霜 returned (120) and 60 refunded on the 精华
    assert (netted.gross_fen, netted.paid_fen, netted.refund_fen, netted.net_fen) == (
        50000,
        50000,
        18000,
        32000,
    )
    assert netted.status == OrderStatus.PARTLY_REFUNDED
    assert netted.lines.count() == 3
    assert netted.item_count == 2
    assert netted.promo_text == "XHS-SPRING"
    assert not db_contains("13800138000")


# Row errors ------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_row_numbers_and_skipped(run_import) -> None:
    outcome = run_import("taobao_bad_rows.csv", "taobao")

    assert outcome.ok
    assert list(Order.objects.values_list("order_no", flat=True)) == ["T-903"]
    by_row = {e["row"]: e["reason"] for e in outcome.result.errors}
    assert "order number is empty" in by_row[2]
    assert "订单创建时间" in by_row[3]
    assert "昨天下午" in by_row[3]
    assert "十块" in by_row[4]
    assert "神秘状态" in by_row[5]
    # an order is all-or-nothing: row 7 is fine but its order's row 8 is not
    assert "两" in by_row[8]
    assert "T-904" in by_row[7]
    assert "row 8" in by_row[7]
    batch = OrderImport.objects.get()
    assert batch.orders_created == 1
    assert batch.orders_skipped == 4
    assert {e["row"] for e in batch.errors} == {2, 3, 4, 5, 7, 8}


def test_missing_columns_write_nothing_and_name_the_headers(run_import) -> None:
    outcome = run_import("taobao_missing_columns.csv", "taobao")

    assert not outcome.ok
    assert "订单状态" in outcome.message
    assert "订单创建时间" in outcome.message
    assert "买家会员名" in outcome.message  # the file's headers are listed
    assert Order.objects.count() == 0
    batch = OrderImport.objects.get()
    assert batch.state == OrderImport.State.FAILED
    assert batch.message == outcome.message


def test_an_unreadable_file_writes_nothing(workspace) -> None:
    _batch, outcome = import_orders(
        actor=None,
        workspace=workspace,
        profile=BUILTIN["taobao"],
        file_name="orders.pdf",
        data=b"%PDF-1.4 not a table",
    )

    assert not outcome.ok
    assert "Unsupported file type" in outcome.message
    assert Order.objects.count() == 0


def test_the_wrong_profile_names_what_is_missing(run_import) -> None:
    outcome = run_import("pinduoduo_orders.csv", "taobao")

    assert not outcome.ok
    assert "订单创建时间" in outcome.message
    assert "订单成交时间" in outcome.message
    assert Order.objects.count() == 0


# Custom mapping --------------------------------------------------------------------------


def test_custom_mapping_imports_a_file_no_profile_knows(run_import) -> None:
    mapping = parse_map_option("order_no=单号,status=状态,ordered_at=下单时间,paid=实付,buyer=客户")
    mapping["promo_code"] = "活动码"
    profile = custom_profile(mapping, shop_platform="other")

    outcome = run_import("custom_orders.csv", profile)

    assert outcome.ok
    assert outcome.result.errors == []
    first = order("C-1")
    assert (first.shop_platform, first.paid_fen, first.net_fen, first.promo_text) == (
        "other",
        12800,
        12800,
        "LIVE5",
    )
    assert order("C-2").net_fen == 0
    assert not db_contains("c-user-1")


def test_custom_mapping_must_name_the_required_fields() -> None:
    with pytest.raises(ValidationError, match="ordered_at"):
        custom_profile({"order_no": "单号", "status": "状态"}, shop_platform="other")
    with pytest.raises(ValidationError, match="Unknown fields"):
        custom_profile({"order_no": "单号", "colour": "颜色"}, shop_platform="other")


# Permissions and isolation ---------------------------------------------------------------


def test_roles_without_analytics_manage_cannot_import(member_with_role, workspace) -> None:
    marketing = member_with_role(Role.MARKETING)

    with pytest.raises(PermissionDenied):
        import_orders(
            actor=marketing,
            workspace=workspace,
            profile=BUILTIN["taobao"],
            file_name="taobao_orders.csv",
            data=data_file("taobao_orders.csv"),
        )
    assert Order.objects.count() == 0


def test_the_same_order_number_in_two_workspaces_stays_apart(
    run_import, workspace, other_workspace
) -> None:
    run_import("taobao_orders.csv", "taobao")
    run_import("taobao_orders.csv", "taobao", in_workspace=other_workspace)

    assert Order.objects.filter(workspace=workspace).count() == 6
    assert Order.objects.filter(workspace=other_workspace).count() == 6
    mine = Order.objects.get(workspace=workspace, order_no="3712345678901234")
    theirs = Order.objects.get(workspace=other_workspace, order_no="3712345678901234")
    assert mine.buyer_hash != theirs.buyer_hash  # hashes are per workspace
