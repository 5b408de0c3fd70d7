"""The metric import engine: profiles, header matching, row errors, strict mode, and
cumulative totals turned into daily increments without double counting."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from fanloop.channels.imports import profiles, reader, services
from fanloop.channels.imports.writes import record_cumulative_totals
from fanloop.channels.models import (
    ImportState,
    MetricSource,
    PostMetricDaily,
    PostMetricSnapshot,
)
from fanloop.channels.tests.imports_samples import (
    DOUYIN_HEADER,
    XHS_HEADER,
    csv_bytes,
    douyin_row,
    xlsx_bytes,
)
from fanloop.content import services as content
from fanloop.content.models import Variant
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = date(2024, 5, 2)
DAY2 = date(2024, 5, 3)


@pytest.fixture
def analyst(member_with_role):
    return member_with_role(Role.ANALYST)


def run(actor, workspace, data, *, profile="douyin_works", day=DAY1, name="works.csv", **extra):
    chosen = services.resolve_profile(workspace, profile) if isinstance(profile, str) else profile
    return services.import_metrics(
        actor=actor,
        workspace=workspace,
        profile=chosen,
        file_name=name,
        data=data,
        captured_on=day,
        **extra,
    )


def totals(workspace, field="views"):
    return PostMetricDaily.objects.filter(workspace=workspace).aggregate(n=Sum(field))["n"] or 0


# A first export ------------------------------------------------------------------------------


def test_first_douyin_export_attributes_totals_to_the_export_day(analyst, workspace):
    # given a Douyin work-data export with a note above the header and Chinese formats
    data = csv_bytes(
        [douyin_row(views="1.2万", likes="1,234"), douyin_row(title="第二条", views="800")],
        title_rows=["作品数据 2024-05-02"],
    )
    # when it is imported
    batch, outcome = run(analyst, workspace, data)
    # then both posts have the export day's row with every figure read right
    assert batch.state == ImportState.DONE
    assert (batch.rows_total, batch.rows_imported, batch.rows_skipped) == (2, 2, 0)
    row = PostMetricDaily.objects.get(workspace=workspace, post_title="春季新品开箱")
    assert row.day == DAY1
    assert (row.views, row.likes, row.shares, row.comments) == (12000, 1234, 20, 15)
    assert (row.favourites, row.profile_visits, row.follows) == (8, 40, 5)
    assert row.completion_rate == pytest.approx(0.453)
    assert row.avg_watch_seconds == pytest.approx(12.5)
    assert row.post_key == "春季新品开箱|2024-05-01 20:00"
    assert row.published_at == datetime(2024, 5, 1, 20, 0, tzinfo=SHANGHAI)
    assert row.source == MetricSource.IMPORT
    assert row.import_batch == batch
    snapshot = PostMetricSnapshot.objects.get(post_key=row.post_key)
    assert snapshot.captured_on == DAY1
    assert snapshot.totals["views"] == 12000
    # and the known-but-unused columns are not reported as unknown
    assert batch.unknown_columns == []
    assert outcome.header_row == 2


def test_reimporting_the_same_file_never_double_counts(analyst, workspace):
    data = csv_bytes([douyin_row(views="1000"), douyin_row(title="第二条", views="500")])
    run(analyst, workspace, data)
    # when the very same file is imported again, the same day
    batch, _outcome = run(analyst, workspace, data)
    # then the figures are the same, not doubled
    assert batch.rows_imported == 2
    assert PostMetricDaily.objects.filter(workspace=workspace).count() == 2
    assert PostMetricSnapshot.objects.filter(workspace=workspace).count() == 2
    assert totals(workspace) == 1500
    assert services.previous_import_of(batch) is not None


def test_a_later_export_adds_only_the_increase(analyst, workspace):
    run(analyst, workspace, csv_bytes([douyin_row(views="1000", likes="100")]))
    # when the next day's export has higher totals
    run(analyst, workspace, csv_bytes([douyin_row(views="1500", likes="130")]), day=DAY2)
    # then the second day holds the difference, and the sum equals the latest totals
    second = PostMetricDaily.objects.get(workspace=workspace, day=DAY2)
    assert (second.views, second.likes) == (500, 30)
    assert totals(workspace) == 1500
    assert totals(workspace, "likes") == 130


def test_an_overlapping_older_export_imported_late_keeps_the_sum_right(analyst, workspace):
    day3 = date(2024, 5, 4)
    run(analyst, workspace, csv_bytes([douyin_row(views="1000")]))
    run(analyst, workspace, csv_bytes([douyin_row(views="1600")]), day=day3)
    # when the export of the day in between arrives last
    run(analyst, workspace, csv_bytes([douyin_row(views="1200")]), day=DAY2)
    # then day 2 and day 3 are recomputed: 1000 + 200 + 400
    days = dict(PostMetricDaily.objects.filter(workspace=workspace).values_list("day", "views"))
    assert days == {DAY1: 1000, DAY2: 200, day3: 400}
    assert totals(workspace) == 1600


def test_totals_that_went_down_are_clamped_and_reported(analyst, workspace):
    run(analyst, workspace, csv_bytes([douyin_row(views="1000")]))
    # when the platform corrected the plays downwards
    batch, outcome = run(analyst, workspace, csv_bytes([douyin_row(views="900")]), day=DAY2)
    # then the day's increase is 0, a warning names the row, and the snapshot keeps 900
    assert PostMetricDaily.objects.get(workspace=workspace, day=DAY2).views == 0
    assert batch.state == ImportState.DONE
    warnings = [e for e in batch.errors if e.get("warning")]
    assert warnings == [{"row": 2, "reason": outcome.warnings[0].reason, "warning": True}]
    assert "1000" in warnings[0]["reason"]
    assert "900" in warnings[0]["reason"]
    snapshot = PostMetricSnapshot.objects.get(workspace=workspace, captured_on=DAY2)
    assert snapshot.totals["views"] == 900
    # and the next rise is measured from the corrected 900
    run(analyst, workspace, csv_bytes([douyin_row(views="950")]), day=date(2024, 5, 4))
    assert PostMetricDaily.objects.get(workspace=workspace, day=date(2024, 5, 4)).views == 50


# Bad input ---------------------------------------------------------------------------------


def test_missing_required_columns_are_named_and_nothing_changes(analyst, workspace):
    run(analyst, workspace, csv_bytes([douyin_row(views="1000")]))
    header = [h for h in DOUYIN_HEADER if h not in {"播放量", "发布时间"}]
    rows = [[v for h, v in zip(DOUYIN_HEADER, douyin_row(), strict=True) if h in header]]
    # when a file without 播放量 and 发布时间 is imported
    batch, outcome = run(analyst, workspace, csv_bytes(rows, header=header), day=DAY2)
    # then the batch failed with a message naming both, and no metric changed
    assert batch.state == ImportState.FAILED
    assert "发布时间" in outcome.message
    assert "播放量" in outcome.message
    assert batch.errors[0]["reason"] == outcome.message
    assert batch.rows_imported == 0
    assert PostMetricDaily.objects.filter(workspace=workspace).count() == 1
    assert totals(workspace) == 1000


def test_bad_rows_are_listed_with_excel_row_numbers_and_good_rows_imported(analyst, workspace):
    # given a note row, the header on row 2, and bad rows 4 and 6
    rows = [
        douyin_row(title="好"),
        douyin_row(title="坏数字", views="很多"),
        douyin_row(title="另一个好"),
        douyin_row(title="坏时间", published="昨天", **{"完播率": "150%"}),
    ]
    data = csv_bytes(rows, title_rows=["导出说明"])
    batch, _outcome = run(analyst, workspace, data)
    assert (batch.rows_total, batch.rows_imported, batch.rows_skipped) == (4, 2, 2)
    reasons = {e["row"]: e["reason"] for e in batch.errors}
    assert set(reasons) == {4, 6}
    assert "播放量" in reasons[4]
    assert "很多" in reasons[4]
    assert "发布时间" in reasons[6]
    assert "完播率" in reasons[6]
    assert PostMetricDaily.objects.filter(workspace=workspace).count() == 2


def test_strict_mode_imports_nothing_when_a_row_is_bad(analyst, workspace):
    rows = [douyin_row(title="好"), douyin_row(title="坏", views="abc")]
    batch, outcome = run(analyst, workspace, csv_bytes(rows), strict=True)
    assert batch.state == ImportState.FAILED
    assert batch.rows_imported == 0
    assert batch.rows_skipped == 2
    assert "Strict mode" in outcome.message
    assert [e["row"] for e in batch.errors if not e.get("file")] == [3]
    assert not PostMetricDaily.objects.filter(workspace=workspace).exists()
    assert not PostMetricSnapshot.objects.filter(workspace=workspace).exists()


def test_strict_mode_with_a_clean_file_imports_everything(analyst, workspace):
    batch, _outcome = run(analyst, workspace, csv_bytes([douyin_row()]), strict=True)
    assert batch.state == ImportState.DONE
    assert batch.rows_imported == 1


def test_empty_required_cell_and_duplicate_rows_are_row_errors(analyst, workspace):
    rows = [douyin_row(), douyin_row(views="-"), douyin_row(title="", views="5"), douyin_row()]
    batch, _outcome = run(analyst, workspace, csv_bytes(rows))
    reasons = {e["row"]: e["reason"] for e in batch.errors}
    assert set(reasons) == {3, 4, 5}
    assert "播放量" in reasons[3]
    assert "作品名称" in reasons[4]
    assert "row 2" in reasons[5]
    assert batch.rows_imported == 1


def test_unknown_columns_are_reported(analyst, workspace):
    header = [*DOUYIN_HEADER, "神秘指标"]
    batch, _outcome = run(analyst, workspace, csv_bytes([[*douyin_row(), "1"]], header=header))
    assert batch.unknown_columns == ["神秘指标"]
    assert batch.state == ImportState.DONE


def test_a_file_that_is_not_an_export_is_a_clear_error(analyst, workspace):
    batch, outcome = run(analyst, workspace, b"just some text\nnothing here\n")
    assert batch.state == ImportState.FAILED
    assert "No header row" in outcome.message
    assert "作品名称" in outcome.message


def test_headers_tolerate_bom_spaces_full_width_and_units(analyst, workspace):
    header = [
        " 作品名称 ",
        "发布时间",
        "播放量",
        "平均播放时长（秒）",
        "点赞量\u3000",
        "完播率(%)",
    ]
    rows = [["标题", "2024/5/1 20:00", "100", "00:01:05", "3", "45.3"]]
    batch, _outcome = run(analyst, workspace, csv_bytes(rows, header=header, encoding="utf-8-sig"))
    row = PostMetricDaily.objects.get(workspace=workspace)
    assert batch.unknown_columns == []
    assert (row.views, row.likes, row.avg_watch_seconds) == (100, 3, 65.0)
    assert row.completion_rate == pytest.approx(0.453)


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("gb18030", ","), ("utf-16", "\t"), ("utf-8", ";")]
)
def test_csv_encodings_and_separators(analyst, workspace, encoding, delimiter):
    data = csv_bytes([douyin_row()], encoding=encoding, delimiter=delimiter)
    batch, _outcome = run(analyst, workspace, data)
    assert batch.rows_imported == 1
    assert PostMetricDaily.objects.get(workspace=workspace).post_title == "春季新品开箱"


# Spreadsheets and the other profiles ---------------------------------------------------------


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_xiaohongshu_xlsx_with_its_note_row(analyst, workspace, engine):
    if engine == "calamine" and reader.CalamineWorkbook is None:
        pytest.skip("python-calamine is not installed")
    rows = [
        ["通勤穿搭", "2024年05月01日20时", "图文", "5万", "1.2万", "8%", 300, 12, 40, 6, 9, "18秒"],
        ["夏日清单", datetime(2024, 5, 1, 21, 30), "视频", 900, 450, "-", 20, 1, 2, 0, 0, 7.5],
    ]
    data = xlsx_bytes(rows, header=XHS_HEADER, title_rows=["最多导出排序后前1000条笔记"])
    batch, outcome = run(
        analyst,
        workspace,
        data,
        profile="xiaohongshu_notes",
        name="笔记列表明细表.xlsx",
        engine=engine,
    )
    assert outcome.engine == engine
    assert outcome.header_row == 2
    assert batch.rows_imported == 2, batch.errors
    first = PostMetricDaily.objects.get(workspace=workspace, post_title="通勤穿搭")
    assert (first.platform, first.impressions, first.views, first.likes) == (
        "xiaohongshu",
        50000,
        12000,
        300,
    )
    assert (first.favourites, first.follows, first.shares, first.avg_watch_seconds) == (
        40,
        6,
        9,
        18,
    )
    assert first.post_key == "通勤穿搭|2024-05-01 20:00"
    second = PostMetricDaily.objects.get(workspace=workspace, post_title="夏日清单")
    assert second.published_at == datetime(2024, 5, 1, 21, 30, tzinfo=SHANGHAI)


def test_wechat_export_keys_on_the_article_url(analyst, workspace):
    header = [
        "内容标题",
        "发表时间",
        "总阅读人数",
        "总阅读次数",
        "总分享人数",
        "总分享次数",
        "阅读后关注人数",
        "送达人数",
        "阅读完成率",
        "内容url",
    ]
    url = "https://mp.weixin.qq.com/s/abc"
    rows = [["新品发布", "20240501", "800", "1000", "30", "40", "6", "5000", "62%", url]]
    batch, _outcome = run(
        analyst,
        workspace,
        csv_bytes(rows, header=header, title_rows=["数据来源概况"]),
        profile="wechat_oa_articles",
    )
    row = PostMetricDaily.objects.get(workspace=workspace)
    assert (row.post_key, row.views, row.shares, row.follows, row.impressions) == (
        url,
        1000,
        40,
        6,
        5000,
    )
    assert batch.unknown_columns == []


def test_daily_custom_mapping_replaces_each_day(analyst, workspace):
    profile = profiles.custom_profile(
        {"post_id": "视频ID", "day": "日期", "views": "播放"},
        platform="bilibili",
        cumulative=False,
    )
    data = csv_bytes(
        [["BV1", "2024-05-01", "10"], ["BV1", "2024-05-02", "20"]],
        header=["视频ID", "日期", "播放"],
    )
    run(analyst, workspace, data, profile=profile)
    run(analyst, workspace, data, profile=profile)
    assert PostMetricDaily.objects.filter(workspace=workspace, platform="bilibili").count() == 2
    assert totals(workspace) == 30
    assert not PostMetricSnapshot.objects.exists()


def test_custom_mapping_validation_names_the_problems():
    with pytest.raises(ValidationError) as caught:
        profiles.clean_mapping({"views": "播放", "bogus": "x"}, platform="douyin")
    text = " ".join(caught.value.message_dict["mapping"])
    assert "bogus" in text
    assert "post id" in text
    assert "statistics day" in text


# Links, accounts, permissions, isolation -----------------------------------------------------


def test_rows_link_to_the_published_variant_by_title_and_time(analyst, workspace, writer):
    item = content.create_item(
        actor=writer,
        workspace=workspace,
        data={"title": "开箱", "content_type": "short_video", "purpose": "product_intro"},
        platforms=["douyin"],
    )
    variant = item.variants.get()
    published = datetime(2024, 5, 1, 20, 3, tzinfo=SHANGHAI)
    Variant.objects.filter(pk=variant.pk).update(title="春季新品开箱", published_at=published)
    _batch, outcome = run(analyst, workspace, csv_bytes([douyin_row(), douyin_row(title="别的")]))
    assert outcome.linked_variants == 1
    assert PostMetricDaily.objects.get(post_title="春季新品开箱").variant_id == variant.pk
    assert PostMetricDaily.objects.get(post_title="别的").variant_id is None


def test_account_must_be_of_the_workspace_and_platform(analyst, workspace, make_account):
    weibo = make_account("weibo")
    with pytest.raises(ValidationError):
        run(analyst, workspace, csv_bytes([douyin_row()]), account=weibo)
    douyin = make_account("douyin")
    run(analyst, workspace, csv_bytes([douyin_row()]), account=douyin)
    assert PostMetricDaily.objects.get(workspace=workspace).account == douyin
    # a re-import without the account keeps the link
    run(analyst, workspace, csv_bytes([douyin_row()]))
    assert PostMetricDaily.objects.get(workspace=workspace).account == douyin


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST, Role.OPERATOR])
def test_roles_that_may_import(member_with_role, workspace, role):
    batch, _outcome = run(member_with_role(role), workspace, csv_bytes([douyin_row()]))
    assert batch.state == ImportState.DONE


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTENT, Role.REVIEWER])
def test_roles_that_may_not_import(member_with_role, workspace, role):
    with pytest.raises(PermissionDenied):
        run(member_with_role(role), workspace, csv_bytes([douyin_row()]))
    assert not PostMetricDaily.objects.exists()


def test_each_import_is_audited(analyst, workspace):
    batch, _outcome = run(analyst, workspace, csv_bytes([douyin_row()]))
    entry = AuditEntry.objects.get(action="channels.metric_import")
    assert entry.actor == analyst
    assert entry.object_id == str(batch.pk)
    assert entry.changes["rows_imported"] == [None, 1]


def test_other_workspaces_are_untouched(analyst, workspace, other_workspace):
    record_cumulative_totals(
        other_workspace,
        "douyin",
        "春季新品开箱|2024-05-01 20:00",
        DAY1,
        {"views": 5},
        MetricSource.MANUAL,
    )
    run(analyst, workspace, csv_bytes([douyin_row(views="100")]), day=DAY2)
    # the other workspace's earlier snapshot is not this workspace's "previous" one
    assert PostMetricDaily.objects.get(workspace=workspace).views == 100
    assert PostMetricDaily.objects.get(workspace=other_workspace).views == 5


# The reusable snapshot function ---------------------------------------------------------------


def test_record_cumulative_totals_for_connector_syncs(workspace):
    key, today = "7301", timezone.localdate()
    first = record_cumulative_totals(
        workspace,
        "douyin",
        key,
        today - timedelta(days=1),
        {"views": 100, "likes": 5},
        MetricSource.CONNECTOR,
        rates={"completion_rate": 0.4},
        title="t",
    )
    assert (first.days_written, first.snapshots_written, first.clamped) == (1, 1, [])
    again = record_cumulative_totals(
        workspace, "douyin", key, today, {"views": 160, "likes": 4}, MetricSource.CONNECTOR
    )
    assert [(c.field, c.previous, c.current) for c in again.clamped] == [("likes", 5, 4)]
    row = PostMetricDaily.objects.get(workspace=workspace, day=today)
    assert (row.views, row.likes, row.source) == (60, 0, MetricSource.CONNECTOR)
    assert PostMetricDaily.objects.get(day=today - timedelta(days=1)).completion_rate == 0.4


def test_unchanged_rows_are_not_rewritten_and_changed_ones_are(analyst, workspace):
    first, _outcome = run(analyst, workspace, csv_bytes([douyin_row(views="1000")]))
    run(analyst, workspace, csv_bytes([douyin_row(views="1000")]))
    assert PostMetricDaily.objects.get(workspace=workspace).import_batch == first
    # a corrected figure for the same day replaces the row, and says which import did
    third, _outcome = run(analyst, workspace, csv_bytes([douyin_row(views="1100")]))
    row = PostMetricDaily.objects.get(workspace=workspace)
    assert (row.views, row.import_batch) == (1100, third)
    assert PostMetricSnapshot.objects.get(workspace=workspace).totals["views"] == 1100
