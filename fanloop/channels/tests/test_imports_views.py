"""Metric import pages: upload → background job → progress and report; the custom
mapping; permissions; and another workspace's imports staying out of reach."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanloop.channels.imports import services
from fanloop.channels.imports.profiles import DOUYIN
from fanloop.channels.imports.tasks import prune_pending_uploads
from fanloop.channels.models import (
    ImportBatch,
    ImportProfile,
    ImportState,
    PostMetricDaily,
)
from fanloop.channels.tests.imports_samples import csv_bytes, douyin_row, xlsx_bytes
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media_and_jobs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


@pytest.fixture
def analyst(member_with_role):
    return member_with_role(Role.ANALYST)


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def upload(client, workspace, data, name="works.csv", **fields):
    form = {"profile": "douyin_works", "captured_on": "2024-05-02", **fields}
    form["file"] = SimpleUploadedFile(name, data)
    return client.post(url("metric_imports", workspace), form)


def test_upload_runs_in_the_background_and_shows_the_report(
    client_for, analyst, workspace, django_capture_on_commit_callbacks, settings
):
    client = client_for(analyst)
    data = csv_bytes([douyin_row(), douyin_row(title="坏", views="很多")])
    # when a Douyin export is uploaded (the job runs when the request's work commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, workspace, data)
    batch = ImportBatch.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == url("metric_import_batch", workspace, batch.pk)
    # then the job imported the good row and listed the bad one
    assert batch.state == ImportState.DONE
    assert (batch.rows_imported, batch.rows_skipped, batch.created_by) == (1, 1, analyst)
    assert PostMetricDaily.objects.get(workspace=workspace).views == 12000
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="row-errors"' in page
    assert "很多" in page
    assert "hx-trigger" not in page  # finished: no more polling
    report = client.get(url("metric_import_errors", workspace, batch.pk))
    assert report["Content-Type"].startswith("text/csv")
    assert "很多" in report.content.decode("utf-8-sig")
    # and the uploaded file does not linger once imported
    assert not list((settings.MEDIA_ROOT / "metric_imports").rglob("*.csv"))
    assert AuditEntry.objects.filter(action="channels.metric_import").count() == 1


def test_running_batch_page_polls_its_progress(client_for, analyst, workspace):
    batch = services.start_batch(
        actor=analyst, workspace=workspace, profile=DOUYIN, file_name="big.xlsx", data=b"x"
    )
    ImportBatch.objects.filter(pk=batch.pk).update(rows_total=200_000, rows_done=50_000)
    client = client_for(analyst)
    page = client.get(url("metric_import_batch", workspace, batch.pk)).content.decode()
    status_url = url("metric_import_status", workspace, batch.pk)
    assert f'hx-get="{status_url}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert 'value="50000"' in page
    fragment = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith("<section")
    assert "25%" in fragment


def test_upload_of_an_xlsx_with_missing_columns_fails_clearly(
    client_for, analyst, workspace, django_capture_on_commit_callbacks
):
    data = xlsx_bytes([["标题"]], header=["作品名称"])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(analyst), workspace, data, name="works.xlsx")
    batch = ImportBatch.objects.get()
    page = client_for(analyst).get(url("metric_import_batch", workspace, batch.pk)).content.decode()
    assert batch.state == ImportState.FAILED
    assert 'data-testid="file-problem"' in page
    assert "发布时间" in page
    assert "播放量" in page
    assert not PostMetricDaily.objects.exists()


def test_account_of_another_platform_is_a_form_error(client_for, analyst, workspace, make_account):
    weibo = make_account("weibo")
    response = upload(client_for(analyst), workspace, csv_bytes([douyin_row()]), account=weibo.pk)
    assert response.status_code == 400
    assert "Weibo" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_viewer_sees_imports_but_cannot_upload(client_for, member_with_role, workspace):
    viewer = member_with_role(Role.VIEWER)
    client = client_for(viewer)
    page = client.get(url("metric_imports", workspace))
    assert page.status_code == 200
    assert 'data-testid="upload-form"' not in page.content.decode()
    assert upload(client, workspace, csv_bytes([douyin_row()])).status_code == 403
    assert client.get(url("metric_import_mapping", workspace)).status_code == 403
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_operator_and_admin_may_upload(
    client_for, member_with_role, workspace, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(member_with_role(role)), workspace, csv_bytes([douyin_row()]))
    assert response.status_code == 302
    assert ImportBatch.objects.get().state == ImportState.DONE


def test_other_workspaces_batches_and_profiles_are_404(
    client_for, analyst, workspace, other_workspace, make_user
):
    owner = other_workspace.memberships.get().user
    theirs = services.start_batch(
        actor=owner, workspace=other_workspace, profile=DOUYIN, file_name="b.csv", data=b"x"
    )
    profile = services.save_profile(
        actor=owner,
        workspace=other_workspace,
        name="B mapping",
        platform="bilibili",
        mapping={"post_id": "ID", "day": "日期", "views": "播放"},
    )
    client = client_for(analyst)
    for name in ("metric_import_batch", "metric_import_status", "metric_import_errors"):
        assert client.get(url(name, workspace, theirs.pk)).status_code == 404
    delete = client.post(url("metric_import_profile_delete", workspace, profile.pk))
    assert delete.status_code == 404
    assert ImportProfile.objects.filter(pk=profile.pk).exists()
    # nor are they listed, nor offered in the upload form
    listing = client.get(url("metric_imports", workspace)).content.decode()
    assert "b.csv" not in listing
    assert "B mapping" not in listing
    # and a user outside workspace B cannot open B's pages at all
    assert client.get(url("metric_imports", other_workspace)).status_code == 404


def test_custom_mapping_from_a_files_headers(
    client_for, analyst, workspace, django_capture_on_commit_callbacks
):
    client = client_for(analyst)
    data = csv_bytes(
        [["BV1xx", "2024-05-01", "1,024", "33"]],
        header=["稿件ID", "日期", "播放数", "硬币"],
        title_rows=["B站稿件数据"],
    )
    mapping_url = url("metric_import_mapping", workspace)
    # step 1: the file's headers are found below its title row
    step1 = client.post(mapping_url, {"file": SimpleUploadedFile("bili.csv", data)})
    assert step1.status_code == 302
    step2 = client.get(step1["Location"]).content.decode()
    assert "稿件ID" in step2
    assert "播放数" in step2
    assert "header on row 2" in step2
    token = step1["Location"].split("token=")[1]
    # step 2: pick columns, name it, save and import now
    form = {
        "token": token,
        "name": "B站稿件",
        "platform": "bilibili",
        "col_post_id": "稿件ID",
        "col_day": "日期",
        "col_views": "播放数",
        "import_now": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(mapping_url, form)
    profile = ImportProfile.objects.get(workspace=workspace)
    assert profile.mapping == {
        "post_id": "稿件ID",
        "day": "日期",
        "views": "播放数",
        "cumulative": False,
        "date_format": "",
    }
    batch = ImportBatch.objects.get()
    assert saved["Location"] == url("metric_import_batch", workspace, batch.pk)
    assert batch.state == ImportState.DONE
    assert batch.unknown_columns == ["硬币"]  # left unmapped: reported, not read
    assert PostMetricDaily.objects.get(workspace=workspace, platform="bilibili").views == 1024
    # the saved profile is offered on the upload page
    assert "B站稿件" in client.get(url("metric_imports", workspace)).content.decode()


def test_custom_mapping_that_cannot_identify_posts_is_refused(client_for, analyst, workspace):
    client = client_for(analyst)
    data = csv_bytes([["1", "2"]], header=["播放", "点赞"])
    mapping_url = url("metric_import_mapping", workspace)
    token = client.post(mapping_url, {"file": SimpleUploadedFile("x.csv", data)})["Location"]
    token = token.split("token=")[1]
    response = client.post(
        mapping_url,
        {
            "token": token,
            "name": "坏",
            "platform": "weibo",
            "col_views": "播放",
            "cumulative": "on",
        },
    )
    assert response.status_code == 400
    assert "post id" in response.content.decode()
    assert not ImportProfile.objects.exists()


def test_a_forged_token_finds_nothing(client_for, analyst, workspace):
    response = client_for(analyst).get(
        url("metric_import_mapping", workspace) + "?token=../../secret_key"
    )
    assert response.status_code == 302
    assert response["Location"] == url("metric_import_mapping", workspace)


def test_profiles_page_lists_builtin_profiles_with_their_source(client_for, analyst, workspace):
    page = client_for(analyst).get(url("metric_import_profiles", workspace)).content.decode()
    for key in ("douyin_works", "xiaohongshu_notes", "wechat_oa_articles", "weibo_posts"):
        assert f'data-testid="builtin-{key}"' in page
    assert "NOT confirmed" in page


def test_abandoned_mapping_uploads_are_pruned_after_a_day(client_for, analyst, workspace, settings):
    client = client_for(analyst)
    data = csv_bytes([["1", "2024-05-01", "3"]], header=["ID", "日期", "播放"])
    client.post(
        url("metric_import_mapping", workspace), {"file": SimpleUploadedFile("a.csv", data)}
    )
    client.post(
        url("metric_import_mapping", workspace), {"file": SimpleUploadedFile("b.csv", data)}
    )
    pending = sorted((settings.MEDIA_ROOT / "metric_imports").rglob("*.csv"))
    assert len(pending) == 2
    old = time.time() - 2 * 86400
    os.utime(pending[0], (old, old))
    assert prune_pending_uploads.enqueue().return_value == {"removed": 1}
    assert sorted((settings.MEDIA_ROOT / "metric_imports").rglob("*.csv")) == pending[1:]
