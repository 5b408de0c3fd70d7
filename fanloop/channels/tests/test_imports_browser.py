"""In a real browser with a real worker: upload an export, watch the batch page poll while
the job waits and runs, and see the report appear without reloading; no console errors."""

import pytest

from fanloop.channels.models import ImportBatch, ImportState, PostMetricDaily
from fanloop.channels.tests.imports_samples import csv_bytes, douyin_row
from fanloop.conftest import PASSWORD
from fanloop.core.permissions import Role
from fanloop.core.tests.browser import ARTIFACTS, login
from fanloop.core.tests.test_background_jobs import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_then_the_page_follows_the_background_import(
    page, live_server, member_with_role, workspace, tmp_path
):
    analyst = member_with_role(Role.ANALYST)
    rows = [douyin_row(title=f"作品{i}", views=str(100 + i)) for i in range(30)]
    rows.append(douyin_row(title="坏行", views="很多"))
    export = tmp_path / "作品数据.csv"
    export.write_bytes(csv_bytes(rows, title_rows=["作品数据导出"]))
    login(page, live_server, analyst.username, PASSWORD)

    page.goto(f"{live_server.url}/w/{workspace.slug}/publishing/imports/")
    page.set_input_files("#id_file", str(export))
    page.select_option("#id_profile", "douyin_works")
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_load_state("networkidle")

    # the job is queued, not run: the page shows progress and keeps polling
    status = page.locator("[data-testid=import-status]")
    assert status.get_attribute("data-state") == "running"
    assert page.locator("[data-testid=progress]").is_visible()

    # when a worker process runs the queue
    worker = run_worker()
    assert worker.returncode == 0, worker.stderr

    # then, without a reload, the page shows the result and the bad row
    page.wait_for_selector("[data-testid=import-status][data-state=done]", timeout=10_000)
    assert "Imported 30 of 31 rows" in page.locator("[data-testid=result]").inner_text()
    assert "很多" in page.locator("[data-testid=row-errors]").inner_text()
    assert ImportBatch.objects.get().state == ImportState.DONE
    assert PostMetricDaily.objects.filter(workspace=workspace).count() == 30
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "metric-import-report.png"), full_page=True)
    assert page.console_errors == []
