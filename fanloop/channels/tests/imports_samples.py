"""Sample export files for the import tests, written by the tests themselves."""

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

DOUYIN_HEADER = [
    "作品名称",
    "发布时间",
    "体裁",
    "审核状态",
    "播放量",
    "完播率",
    "5s完播率",
    "封面点击率",
    "2s跳出率",
    "平均播放时长",
    "点赞量",
    "分享量",
    "评论量",
    "收藏量",
    "主页访问量",
    "粉丝增量",
]
XHS_HEADER = [
    "笔记标题",
    "首次发布时间",
    "体裁",
    "曝光",
    "观看量",
    "封面点击率",
    "点赞",
    "评论",
    "收藏",
    "涨粉",
    "分享",
    "人均观看时长",
]


def douyin_row(
    title: str = "春季新品开箱",
    published: str = "2024-05-01 20:00",
    views: Any = "12000",
    likes: Any = "300",
    **extra: Any,
) -> list[Any]:
    values = {
        "作品名称": title,
        "发布时间": published,
        "体裁": "视频",
        "审核状态": "通过",
        "播放量": views,
        "完播率": "45.3%",
        "5s完播率": "0.5",
        "封面点击率": "-",
        "2s跳出率": "0.3",
        "平均播放时长": "12.5s",
        "点赞量": likes,
        "分享量": "20",
        "评论量": "15",
        "收藏量": "8",
        "主页访问量": "40",
        "粉丝增量": "5",
    }
    values.update(extra)
    return [values[h] for h in DOUYIN_HEADER]


def csv_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = DOUYIN_HEADER,
    title_rows: Sequence[str] = (),
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    for line in title_rows:
        writer.writerow([line])
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = DOUYIN_HEADER,
    title_rows: Sequence[str] = (),
) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Sheet1")
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    line = 0
    for text in title_rows:
        sheet.write_string(line, 0, text)
        line += 1
    sheet.write_row(line, 0, list(header))
    for row in rows:
        line += 1
        for col, value in enumerate(row):
            if hasattr(value, "hour"):
                sheet.write_datetime(line, col, value, stamp)
            else:
                sheet.write(line, col, value)
    book.close()
    return out.getvalue()
