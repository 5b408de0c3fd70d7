"""``fanloop import metrics FILE``: options, progress on stderr, the report, exit status."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanloop.channels.models import ImportBatch, PostMetricDaily, PostMetricSnapshot
from fanloop.channels.tests.imports_samples import (
    DOUYIN_HEADER,
    csv_bytes,
    douyin_row,
    xlsx_bytes,
)
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", "metrics", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def export(tmp_path):
    def write(rows, name="works.csv", **options):
        path = tmp_path / name
        maker = xlsx_bytes if name.endswith(".xlsx") else csv_bytes
        path.write_bytes(maker(rows, **options))
        return str(path)

    return write


def test_import_prints_progress_and_a_json_summary(workspace, export):
    path = export([douyin_row(), douyin_row(title="第二条", views="2.5万")])
    out, err = run(path, "--profile", "douyin_works", "--workspace", workspace.slug,
                   "--captured-on", "2024-05-02", "--json")  # fmt: skip
    summary = json.loads(out)
    assert summary["state"] == "done"
    assert (summary["rows_total"], summary["rows_imported"], summary["errors"]) == (2, 2, [])
    assert "100%" in err
    assert PostMetricDaily.objects.filter(workspace=workspace).count() == 2
    assert str(PostMetricSnapshot.objects.first().captured_on) == "2024-05-02"
    # run by the system: audited without a person
    assert AuditEntry.objects.get(action="channels.metric_import").actor_label == "system"


def test_bad_rows_are_reported_and_all_written_with_errors_out(workspace, export, tmp_path):
    rows = [douyin_row(title=f"坏{i}", views="oops") for i in range(3)] + [douyin_row()]
    report = tmp_path / "errors.csv"
    out, _err = run(export(rows, title_rows=["说明"]), "--profile", "douyin_works",
                    "--max-errors", "1", "--errors-out", str(report), "--no-progress")  # fmt: skip
    assert "Imported 1 of 4 rows" in out
    assert "Row errors (first 1 of 3):" in out
    assert "row 3: 播放量" in out
    assert "row 4" not in out  # only the first is printed
    with report.open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    assert [line["row"] for line in lines] == ["3", "4", "5"]
    assert all("oops" in line["reason"] for line in lines)


def test_strict_mode_fails_and_imports_nothing(workspace, export):
    path = export([douyin_row(), douyin_row(views="n/a?")])
    with pytest.raises(CommandError, match="Strict mode"):
        run(path, "--profile", "douyin_works", "--strict", "--no-progress")
    assert not PostMetricDaily.objects.exists()
    assert ImportBatch.objects.get().state == "failed"


def test_missing_columns_fail_with_their_names(workspace, export):
    header = [h for h in DOUYIN_HEADER if h != "播放量"]
    path = export([douyin_row()[: len(header)]], header=header)
    with pytest.raises(CommandError, match="播放量"):
        run(path, "--profile", "douyin_works", "--no-progress")
    assert not PostMetricDaily.objects.exists()


def test_xlsx_file(workspace, export):
    path = export([douyin_row(views=1500)], name="works.xlsx", title_rows=["作品数据"])
    out, _err = run(path, "--profile", "douyin_works", "--no-progress", "--json")
    assert json.loads(out)["rows_imported"] == 1
    assert PostMetricDaily.objects.get().views == 1500


def test_map_overrides_a_builtin_column(workspace, export):
    header = ["播放次数" if h == "播放量" else h for h in DOUYIN_HEADER]
    path = export([douyin_row(views="77")], header=header)
    run(path, "--profile", "douyin_works", "--map", "views=播放次数", "--no-progress")
    assert PostMetricDaily.objects.get().views == 77


def test_map_alone_defines_a_whole_mapping(workspace, export):
    path = export([["a1", "2024-05-01", "9"]], header=["ID", "日期", "阅读"])
    run(path, "--map", "post_id=ID，day=日期,views=阅读", "--platform", "zhihu", "--no-progress")
    row = PostMetricDaily.objects.get()
    assert (row.platform, row.post_key, str(row.day), row.views) == ("zhihu", "a1", "2024-05-01", 9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "nope"], "No import profile nope"),
        (["--map", "views"], "is not field=column"),
        (["--map", "plays=播放"], "Unknown field plays"),
        (["--map", "views=播放", "--platform", "douyin"], "post id"),
        ([], "Give --profile"),
        (["--profile", "douyin_works", "--captured-on", "yesterday"], "--captured-on"),
        (["--profile", "douyin_works", "--account", "999"], "no account 999"),
    ],
)
def test_option_mistakes_are_clear_errors(workspace, export, args, message):
    with pytest.raises(CommandError, match=message):
        run(export([douyin_row()]), *args, "--no-progress")
    assert not PostMetricDaily.objects.exists()


def test_user_option_checks_the_role(workspace, export, member_with_role):
    viewer = member_with_role(Role.VIEWER)
    with pytest.raises(CommandError, match="does not allow"):
        run(export([douyin_row()]), "--profile", "douyin_works", "--user", viewer.username)
    analyst = member_with_role(Role.ANALYST)
    run(export([douyin_row()]), "--profile", "douyin_works", "--user", analyst.username,
        "--no-progress")  # fmt: skip
    assert ImportBatch.objects.get().created_by == analyst


def test_several_workspaces_need_the_slug(workspace, other_workspace, export):
    with pytest.raises(CommandError, match="--workspace"):
        run(export([douyin_row()]), "--profile", "douyin_works")
    run(export([douyin_row()]), "--profile", "douyin_works", "--workspace", "brand-b",
        "--no-progress")  # fmt: skip
    assert PostMetricDaily.objects.get().workspace == other_workspace


def test_list_profiles(workspace):
    out, _err = run("--list-profiles")
    for key in ("douyin_works", "xiaohongshu_notes", "wechat_oa_articles", "weibo_posts"):
        assert key in out


def test_unknown_import_kind_is_refused(workspace):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import", "invoices", stdout=StringIO(), stderr=StringIO())
