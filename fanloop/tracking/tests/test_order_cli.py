"""``fanloop import orders FILE``."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanloop.tracking.models import Order
from fanloop.tracking.tests.orders_fixtures import DATA

pytestmark = pytest.mark.django_db


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> str:
    call_command("import", "orders", *args, "--no-progress")
    return capsys.readouterr().out


def test_import_with_a_profile_prints_a_summary(workspace, capsys) -> None:
    out = run(str(DATA / "taobao_orders.csv"), "--profile", "taobao", capsys=capsys)

    assert "6 orders new" in out
    assert Order.objects.filter(workspace=workspace).count() == 6


def test_json_summary_and_idempotent_rerun(workspace, capsys) -> None:
    path = str(DATA / "jd_orders.xlsx")
    run(path, "--profile", "jd", "--workspace", workspace.slug, capsys=capsys)

    out = run(path, "--profile", "jd", "--workspace", workspace.slug, "--json", capsys=capsys)

    data = json.loads(out)
    assert (data["orders_created"], data["orders_unchanged"]) == (0, 3)
    assert data["state"] == "done"


def test_map_option_with_shop_platform(workspace, capsys) -> None:
    out = run(
        str(DATA / "custom_orders.csv"),
        "--map",
        "order_no=单号,status=状态,ordered_at=下单时间,paid=实付,buyer=客户",
        "--shop-platform",
        "youzan",
        capsys=capsys,
    )

    assert "2 orders new" in out
    assert set(Order.objects.values_list("shop_platform", flat=True)) == {"youzan"}


def test_row_errors_are_written_with_errors_out(workspace, capsys, tmp_path: Path) -> None:
    report = tmp_path / "errors.csv"
    out = run(
        str(DATA / "taobao_bad_rows.csv"),
        "--profile",
        "taobao",
        "--errors-out",
        str(report),
        capsys=capsys,
    )

    assert "row 3:" in out
    with report.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["row", "order_no", "reason"]
    assert {r[0] for r in rows[1:]} == {"2", "3", "4", "5", "7", "8"}


def test_unknown_profile_fails_clearly(workspace) -> None:
    with pytest.raises(CommandError, match=r"Unknown profile 'tmall'.*taobao, jd"):
        call_command("import", "orders", str(DATA / "taobao_orders.csv"), "--profile", "tmall")


def test_missing_columns_fail_and_write_nothing(workspace) -> None:
    with pytest.raises(CommandError, match="Required columns are missing"):
        call_command(
            "import",
            "orders",
            str(DATA / "taobao_missing_columns.csv"),
            "--profile",
            "taobao",
            "--no-progress",
        )
    assert Order.objects.count() == 0


def test_unreadable_file_fails(workspace, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import", "orders", str(tmp_path / "nope.csv"), "--profile", "taobao")


def test_map_without_platform_or_required_fields_fails(workspace) -> None:
    with pytest.raises(CommandError, match="shop_platform"):
        call_command(
            "import",
            "orders",
            str(DATA / "custom_orders.csv"),
            "--map",
            "order_no=单号,status=状态,ordered_at=下单时间",
        )
    with pytest.raises(CommandError, match="Give --profile"):
        call_command("import", "orders", str(DATA / "custom_orders.csv"))
