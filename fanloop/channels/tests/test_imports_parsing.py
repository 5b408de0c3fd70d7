"""Reading cells the way platform exports write them; and matching their headers."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from fanloop.channels.imports import parsing
from fanloop.channels.imports.profiles import header_stem, normalise_header
from fanloop.channels.imports.runner import _fast_count, post_key

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234", 1234),
        ("1.2万", 12000),
        ("3亿", 300_000_000),
        ("1.5w", 15000),
        ("10万+", 100000),
        ("１２３", 123),
        (" 42 ", 42),
        (7.0, 7),
        ("-", None),
        ("", None),
        (None, None),
        ("暂无", None),
    ],
)
def test_counts(raw, expected):
    assert parsing.parse_count(raw) == expected
    assert _fast_count(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "²", "-5", True])
def test_bad_counts_are_cell_errors(raw):
    with pytest.raises(parsing.CellError):
        _fast_count(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("45.3%", 0.453),
        ("45.3 ％", 0.453),
        ("0.2314", 0.2314),
        (45.3, 0.453),
        (1, 1.0),
        ("-", None),
    ],
)
def test_rates(raw, expected):
    assert parsing.parse_rate(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["150%", "250", "-3%", "很好"])
def test_bad_rates(raw):
    with pytest.raises(parsing.CellError):
        parsing.parse_rate(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5s", 12.5),
        ("12.5秒", 12.5),
        ("00:01:05", 65),
        ("01:05", 65),
        ("1分5秒", 65),
        ("2min", 120),
        (30, 30),
        (time(0, 1, 5), 65),
        (timedelta(seconds=90), 90),
    ],
)
def test_durations(raw, expected):
    assert parsing.parse_seconds(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["很久", "1:xx", -1])
def test_bad_durations(raw):
    with pytest.raises(parsing.CellError):
        parsing.parse_seconds(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "2024-05-01 20:00",
        "2024-5-1 20:00:00",
        "2024/05/01 20:00",
        "2024.05.01 20:00",
        "2024年05月01日20时",
        "2024年5月1日 20:00",
        "2024年5月1日20点00分",
        datetime(2024, 5, 1, 20, 0),
        45413.8333333333,  # an Excel serial number
    ],
)
def test_datetimes_are_wall_clock_in_the_workspace_zone(raw):
    found = parsing.parse_datetime(raw, TZ)
    assert found is not None
    assert abs(found - datetime(2024, 5, 1, 20, 0, tzinfo=TZ)) < timedelta(seconds=1)


def test_dates_and_custom_formats():
    assert parsing.parse_day("20240501", TZ) == date(2024, 5, 1)
    assert parsing.parse_day("01/05/2024", TZ, "%d/%m/%Y") == date(2024, 5, 1)
    with pytest.raises(parsing.CellError, match="format"):
        parsing.parse_day("2024-05-01", TZ, "%d/%m/%Y")
    for bad in ("2024-02-30", "昨天", "2024年13月1日"):
        with pytest.raises(parsing.CellError):
            parsing.parse_datetime(bad, TZ)


def test_header_normalisation():
    assert normalise_header("\ufeff 平均播放时长（秒） ") == "平均播放时长(秒)"
    assert header_stem(normalise_header("平均播放时长（秒）")) == "平均播放时长"
    assert normalise_header("完播率【%】") == "完播率[%]"
    assert normalise_header("Item_ID") == "item_id"


def test_post_keys():
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert post_key(None, "标题", moment, TZ) == "标题|2024-05-01 20:00"
    assert post_key("7301", "标题", moment, TZ) == "7301"
    long_key = post_key(None, "长" * 400, moment, TZ)
    assert len(long_key) <= 300
    assert long_key != post_key(None, "长" * 399 + "短", moment, TZ)
