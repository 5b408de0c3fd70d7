"""Metric import: 200,000-row Douyin exports (CSV and XLSX) into the real database.

Generates a Douyin work-data export (the built-in ``douyin_works`` profile, cumulative
totals) of ROWS posts as CSV and as XLSX, then in the same run measures

* CSV, first import (every post's first snapshot),
* CSV, the same file again the same day: must not double count (checked),
* XLSX with python-calamine (when installed), the next day's export: increments are
  computed against the previous snapshot,
* XLSX with openpyxl (read-only), the same next-day file again,
* the baseline: the naive way — csv.DictReader and, per row, the ORM's
  ``update_or_create`` of the snapshot and the day's row after a query for the previous
  snapshot — on a 5,000-row sample, extrapolated linearly to ROWS.

Each timing is the whole import as a user runs it (read, check every row, link variants,
write in one transaction, batch record and audit). It builds a fresh SQLite
database in a temporary directory (or uses the PostgreSQL database in
``BENCH_DATABASE_URL``), migrates it, and works in two workspaces of its own that it
resets. Run: ``.venv/bin/python bench/metrics_import.py [ROWS]``.
"""

import csv
import io
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

_tmp = tempfile.TemporaryDirectory(prefix="fanloop-bench-import-")
os.environ["FANLOOP_DATA_DIR"] = _tmp.name
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")

import django  # noqa: E402

django.setup()

import xlsxwriter  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402

from fanloop.channels.imports import reader, services  # noqa: E402
from fanloop.channels.imports.profiles import DOUYIN  # noqa: E402
from fanloop.channels.models import (  # noqa: E402
    ImportBatch,
    MetricSource,
    PostMetricDaily,
    PostMetricSnapshot,
)
from fanloop.core.models import Workspace  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
SAMPLE = 5_000
DAY1 = date(2024, 6, 1)
DAY2 = DAY1 + timedelta(days=1)
HEADER = [
    "作品名称", "发布时间", "体裁", "审核状态", "播放量", "完播率", "5s完播率", "封面点击率",
    "2s跳出率", "平均播放时长", "点赞量", "分享量", "评论量", "收藏量", "主页访问量", "粉丝增量",
]  # fmt: skip


def rows(growth: float) -> list[list[str]]:
    rng = random.Random(7)
    out = []
    start = DAY1 - timedelta(days=400)
    for i in range(ROWS):
        views = int(rng.randint(100, 2_000_000) * growth)
        published = start + timedelta(minutes=i * 3)
        out.append(
            [
                f"作品{i:06d} 春季新品开箱 #穿搭",
                published.strftime("%Y-%m-%d %H:%M"),
                "视频",
                "通过",
                f"{views / 10000:.1f}万" if views > 100_000 else f"{views:,}",
                f"{rng.uniform(5, 60):.1f}%",
                f"{rng.random():.4f}",
                "-",
                f"{rng.random():.4f}",
                f"{rng.uniform(3, 40):.1f}s",
                str(int(views * 0.03)),
                str(int(views * 0.004)),
                str(int(views * 0.002)),
                str(int(views * 0.005)),
                str(int(views * 0.01)),
                str(int(views * 0.001)),
            ]
        )
    return out


def write_csv(path: Path, data: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["作品数据导出"])
        writer.writerow(HEADER)
        writer.writerows(data)


def write_xlsx(path: Path, data: list[list[str]]) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "作品数据导出")
    sheet.write_row(1, 0, HEADER)
    for i, row in enumerate(data, start=2):
        # Counts as numbers, the rest as the text the platform writes.
        sheet.write_row(i, 0, row[:4])
        text = row[4].replace(",", "")
        views = round(float(text[:-1]) * 10_000) if text.endswith("万") else int(text)
        sheet.write_number(i, 4, views)
        sheet.write_row(i, 5, row[5:])
    book.close()


def reset(slug: str) -> Workspace:
    workspace, _ = Workspace.objects.get_or_create(slug=slug, defaults={"name": slug})
    for model in (PostMetricDaily, PostMetricSnapshot, ImportBatch):
        model.objects.filter(workspace=workspace).delete()
    return workspace


def timed_import(
    workspace: Workspace, path: Path, day: date, engine: str = ""
) -> tuple[float, float]:
    data = path.read_bytes()
    start = time.perf_counter()
    batch, outcome = services.import_metrics(
        actor=None,
        workspace=workspace,
        profile=DOUYIN,
        file_name=path.name,
        data=data,
        captured_on=day,
        engine=engine,
    )
    seconds = time.perf_counter() - start
    assert outcome.ok, outcome.message
    assert batch.rows_imported == ROWS, (batch.rows_imported, batch.errors[:3])
    return seconds, outcome.read_seconds


def naive(workspace: Workspace, path: Path, day: date) -> float:
    """The baseline: per row, look up the previous snapshot and save with the ORM."""
    text = path.read_text(encoding="utf-8-sig").split("\n", 1)[1]
    sample = list(csv.DictReader(io.StringIO(text)))[:SAMPLE]
    start = time.perf_counter()
    with transaction.atomic():
        for record in sample:
            key = f"{record['作品名称']}|{record['发布时间']}"
            views = record["播放量"].replace(",", "")
            total = int(float(views[:-1]) * 10000) if views.endswith("万") else int(views)
            previous = (
                PostMetricSnapshot.objects.filter(
                    workspace=workspace, platform="douyin", post_key=key, captured_on__lt=day
                )
                .order_by("-captured_on")
                .first()
            )
            before = int(previous.totals.get("views", 0)) if previous else 0
            PostMetricSnapshot.objects.update_or_create(
                workspace=workspace,
                platform="douyin",
                post_key=key,
                captured_on=day,
                defaults={"totals": {"views": total, "likes": int(record["点赞量"])}},
            )
            PostMetricDaily.objects.update_or_create(
                workspace=workspace,
                platform="douyin",
                post_key=key,
                day=day,
                defaults={
                    "views": max(total - before, 0),
                    "likes": int(record["点赞量"]),
                    "post_title": record["作品名称"],
                    "source": MetricSource.IMPORT,
                },
            )
    return (time.perf_counter() - start) * ROWS / len(sample)


def views_sum(workspace: Workspace) -> int:
    return PostMetricDaily.objects.filter(workspace=workspace).aggregate(n=Sum("views"))["n"] or 0


def main() -> None:
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first, second = rows(1.0), rows(1.25)
        t0 = time.perf_counter()
        write_csv(folder / "works-day1.csv", first)
        write_xlsx(folder / "works-day2.xlsx", second)
        size_csv = (folder / "works-day1.csv").stat().st_size / 1e6
        size_xlsx = (folder / "works-day2.xlsx").stat().st_size / 1e6
        print(
            f"generated {ROWS:,} rows: CSV {size_csv:.1f} MB, XLSX {size_xlsx:.1f} MB "
            f"in {time.perf_counter() - t0:.1f} s; database: {vendor}"
        )
        workspace = reset("bench-metric-import")
        results: list[tuple[str, tuple[float, float]]] = []

        results.append(
            ("CSV, first import", timed_import(workspace, folder / "works-day1.csv", DAY1))
        )
        after_first = views_sum(workspace)
        again = timed_import(workspace, folder / "works-day1.csv", DAY1)
        results.append(("CSV, same file again (re-import)", again))
        assert views_sum(workspace) == after_first, "re-import double counted"
        assert PostMetricDaily.objects.filter(workspace=workspace).count() == ROWS
        print(f"re-import: sum of views unchanged ({after_first:,}), {ROWS:,} day rows: OK")

        if reader.CalamineWorkbook is not None:
            timing = timed_import(workspace, folder / "works-day2.xlsx", DAY2, "calamine")
            results.append(("XLSX (calamine), next day's export", timing))
        timing = timed_import(workspace, folder / "works-day2.xlsx", DAY2, "openpyxl")
        results.append(("XLSX (openpyxl), next day again", timing))
        latest = PostMetricSnapshot.objects.filter(workspace=workspace, captured_on=DAY2)
        latest_views = sum(int(t["views"]) for t in latest.values_list("totals", flat=True))
        assert views_sum(workspace) == latest_views, "daily rows do not add up to the totals"
        print(f"two days: daily increments add up to the latest totals ({latest_views:,}): OK")

        baseline_ws = reset("bench-metric-import-naive")
        baseline = naive(baseline_ws, folder / "works-day1.csv", DAY1)
        for model in (PostMetricDaily, PostMetricSnapshot):
            model.objects.filter(workspace=baseline_ws).delete()

    print()
    print(f"{'run':<40} {'seconds':>8} {'(read+check)':>13} {'rows/s':>10} {'vs baseline':>12}")
    for label, (seconds, reading) in results:
        print(
            f"{label:<40} {seconds:8.1f} {reading:13.1f} {ROWS / seconds:10,.0f} "
            f"{baseline / seconds:11.1f}x"
        )
    print(
        f"{'baseline: per-row ORM, ' + f'{SAMPLE:,} rows extrapolated':<40} "
        f"{baseline:8.1f} {'':>13} {ROWS / baseline:10,.0f} {1:11.1f}x"
    )
    slowest = max(seconds for _label, (seconds, _reading) in results)
    print(f"every run under a minute: {slowest < 60} (slowest {slowest:.1f} s)")


if __name__ == "__main__":
    main()
