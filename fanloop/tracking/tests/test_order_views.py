"""Order and cost pages: list, detail, upload with background run, webhooks, costs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fanloop.core.permissions import Role
from fanloop.tracking.models import CostEntry, Order, OrderImport, OrderWebhook
from fanloop.tracking.tests.orders_fixtures import (
    data_file,
    immediate_tasks_fixture,  # noqa: F401
    media_dir_fixture,  # noqa: F401
    run_import_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def url(workspace, rest: str) -> str:
    return f"/w/{workspace.slug}/tracking/{rest}"


def test_order_list_shows_orders_with_attribution(client_for, admin_user, workspace, run_import):
    run_import("taobao_orders.csv", "taobao")

    response = client_for(admin_user).get(url(workspace, "orders/"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "3712345678901234" in body
    assert "¥189.00" in body
    assert "小王爱购物" not in body


def test_order_list_filters_by_status(client_for, admin_user, workspace, run_import):
    run_import("taobao_orders.csv", "taobao")

    body = client_for(admin_user).get(url(workspace, "orders/?status=closed")).content.decode()

    assert "3712345678901236" in body
    assert "3712345678901234" not in body


def test_order_detail_shows_lines_and_attribution(client_for, admin_user, workspace, run_import):
    run_import("youzan_lines.csv", "youzan")
    order = Order.objects.get(order_no="E20260501001")

    body = client_for(admin_user).get(url(workspace, f"orders/{order.pk}/")).content.decode()

    assert "精华" in body
    assert "¥320.00" in body
    assert 'data-testid="attribution"' in body


def test_orders_of_another_workspace_are_not_found(
    client_for, admin_user, workspace, other_workspace, run_import
):
    run_import("taobao_orders.csv", "taobao", in_workspace=other_workspace)
    theirs = Order.objects.filter(workspace=other_workspace).first()
    client = client_for(admin_user)

    assert client.get(url(workspace, f"orders/{theirs.pk}/")).status_code == 404
    assert client.get(url(other_workspace, "orders/")).status_code == 404
    assert theirs.order_no not in client.get(url(workspace, "orders/")).content.decode()


def test_upload_runs_in_the_background_and_reports_progress(
    client_for,
    admin_user,
    workspace,
    immediate_tasks,
    media_dir,
    django_capture_on_commit_callbacks,
):
    client = client_for(admin_user)
    upload = SimpleUploadedFile("bad.csv", data_file("taobao_bad_rows.csv"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(workspace, "orders/import/"), {"file": upload, "profile": "taobao"}
        )

    batch = OrderImport.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"].endswith(f"orders/imports/{batch.pk}/")
    batch.refresh_from_db()
    assert batch.state == OrderImport.State.DONE
    assert batch.rows_done == batch.rows_total == 7
    assert not list(media_dir.rglob("*.csv"))  # the upload is deleted once imported
    assert batch.orders_created == 1
    page = client.get(url(workspace, f"orders/imports/{batch.pk}/")).content.decode()
    assert 'data-testid="row-errors"' in page
    assert "神秘状态" in page
    csv_report = client.get(url(workspace, f"orders/imports/{batch.pk}/errors.csv"))
    assert csv_report["Content-Type"].startswith("text/csv")
    assert "神秘状态" in csv_report.content.decode("utf-8-sig")


def test_custom_mapping_upload_needs_a_mapping(client_for, admin_user, workspace, media_dir):
    upload = SimpleUploadedFile("c.csv", data_file("custom_orders.csv"))

    response = client_for(admin_user).post(
        url(workspace, "orders/import/"), {"file": upload, "profile": "custom"}
    )

    assert response.status_code == 400
    assert not OrderImport.objects.exists()


def test_marketing_cannot_open_the_import_page(client_for, member_with_role, workspace):
    client = client_for(member_with_role(Role.MARKETING))

    assert client.get(url(workspace, "orders/import/")).status_code == 403
    assert client.get(url(workspace, "orders/")).status_code == 200


def test_webhook_page_shows_the_secret_once(client_for, admin_user, workspace):
    client = client_for(admin_user)

    created = client.post(
        url(workspace, "orders/webhooks/"), {"name": "ERP", "shop_platform": "taobao"}
    )

    endpoint = OrderWebhook.objects.get(workspace=workspace)
    assert endpoint.secret in created.content.decode()
    assert endpoint.secret not in client.get(url(workspace, "orders/webhooks/")).content.decode()
    client.post(url(workspace, f"orders/webhooks/{endpoint.pk}/deactivate/"))
    endpoint.refresh_from_db()
    assert not endpoint.active


def test_cost_pages_add_import_and_roles(client_for, admin_user, member_with_role, workspace):
    client = client_for(admin_user)

    added = client.post(
        url(workspace, "costs/new/"),
        {"day": "2026-05-01", "category": "ad_spend", "amount": "1,200.50"},
    )
    assert added.status_code == 302
    assert CostEntry.objects.get().amount_fen == 120050
    imported = client.post(
        url(workspace, "costs/import/"),
        {"file": SimpleUploadedFile("costs.csv", data_file("costs.csv"))},
    )
    assert 'data-testid="cost-import-result"' in imported.content.decode()
    assert CostEntry.objects.count() == 4
    page = client.get(url(workspace, "costs/")).content.decode()
    assert "¥1,200.50" in page

    viewer = client_for(member_with_role(Role.VIEWER))
    assert viewer.get(url(workspace, "costs/")).status_code == 200
    refused = viewer.post(
        url(workspace, "costs/new/"), {"day": "2026-05-01", "category": "other", "amount": "1"}
    )
    assert refused.status_code == 403
    assert CostEntry.objects.count() == 4
