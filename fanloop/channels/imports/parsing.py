"""Reading the values platform exports put in their cells.

Pure functions, no database. Each raises :class:`CellError` with a message a person can act
on; the runner puts it on the row's report line.

Conventions (the choices are deliberate, the tests pin them):

* Counts: ``1,234``, ``1 234``, ``1.2万`` (×10 000), ``3亿`` (×10⁸), ``1.2w``/``1.2k``; an
  Excel number is taken as is. ``-``, ``--``, ``—`` and an empty cell mean "not reported"
  (``None``), which the importer stores as 0 for counts.
* Rates: ``45.3%`` is 0.453. A bare number ≤ 1 is already a fraction (Douyin's work-data
  export writes ``0.2314``); a bare number in (1, 100] is a percentage. Anything else is an
  error rather than a guess.
* Durations: ``12.5``, ``12.5s``, ``12.5秒``, ``1分5秒``, ``00:01:05``/``01:05``; an Excel
  time cell (a ``time``/``timedelta``) too. Result in seconds.
* Date-times: ISO-ish (``2024-05-01 20:00[:00]``, ``/`` or ``.`` separators), Chinese
  (``2024年05月01日20时``, ``2024年5月1日 20:30``), ``20240501``, Excel date cells and Excel
  serial numbers. A custom ``strptime`` format may be given by a profile. Naive values are
  the workspace's wall-clock time.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils.translation import gettext as _

MISSING = frozenset({"", "-", "--", "—", "——", "/", "n/a", "na", "null", "none", "暂无", "无"})
_UNITS = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1_000, "K": 1_000}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_SEPARATORS = str.maketrans("", "", ", \u00a0\u3000\u202f'＇，")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．％：", "0123456789.%:")
_CN_DATETIME = re.compile(
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:(\d{1,2})(?:时|点|:)(?:(\d{1,2})(?:分|:)?)?(?:(\d{1,2})秒?)?)?$"
)
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y%m%d",
    "%Y%m%d %H:%M",
    "%Y%m%d %H:%M:%S",
)
_DURATION_CN = re.compile(
    r"^(?:(\d+(?:\.\d+)?)(?:小时|时|h))?(?:(\d+(?:\.\d+)?)(?:分钟|分|m|min))?(?:(\d+(?:\.\d+)?)(?:秒|s|sec))?$"
)
_ISO_FAST = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
# Excel's day zero for the 1900 date system (serial 1 is 1900-01-01, with the leap-year bug).
_EXCEL_EPOCH = datetime(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in the user's language."""


def _text(value: object) -> str:
    return str(value).strip().translate(_FULL_WIDTH_DIGITS)


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING


def parse_number(value: object) -> float | None:
    """A plain or abbreviated number (``1.2万``); ``None`` when the cell says "none"."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("%(value)s is not a number.") % {"value": value})
    if isinstance(value, int | float):
        return float(value)
    text = _text(value).translate(_SEPARATORS)
    if text.endswith("+"):  # "10万+" is how some back-ends cap a display; take the floor
        text = text[:-1]
    multiplier = 1
    if text and text[-1] in _UNITS:
        multiplier = _UNITS[text[-1]]
        text = text[:-1]
    if not _NUMBER.match(text):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    return float(text) * multiplier


def parse_count(value: object) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise CellError(_("“%(value)s” is negative; a count cannot be.") % {"value": value})
    return round(number)


def parse_rate(value: object) -> float | None:
    """A ratio in 0..1 from ``45.3%``, ``0.453`` or ``45.3``."""
    if is_missing(value):
        return None
    if isinstance(value, str) and _text(value).endswith("%"):
        number = parse_number(_text(value)[:-1])
        rate = None if number is None else number / 100
    else:
        number = parse_number(value)
        if number is None:
            return None
        rate = number if number <= 1 else number / 100
    if rate is None or not 0 <= rate <= 1:
        raise CellError(_("“%(value)s” is not a rate between 0%% and 100%%.") % {"value": value})
    return rate


def parse_seconds(value: object) -> float | None:
    """A duration in seconds from ``12.5s``, ``1分5秒``, ``00:01:05`` or a bare number."""
    if is_missing(value):
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise CellError(_("“%(value)s” is not a duration.") % {"value": value})
        return float(value)
    text = _text(value).replace(" ", "").lower()
    if ":" in text:
        parts = text.split(":")
        if len(parts) in {2, 3} and all(_NUMBER.match(p) for p in parts):
            seconds = 0.0
            for part in parts:
                seconds = seconds * 60 + float(part)
            return seconds
        raise CellError(_("“%(value)s” is not a duration.") % {"value": value})
    if _NUMBER.match(text):
        return float(text)
    found = _DURATION_CN.match(text)
    if found and any(found.groups()):
        hours, minutes, seconds = (float(g) if g else 0.0 for g in found.groups())
        return hours * 3600 + minutes * 60 + seconds
    raise CellError(_("“%(value)s” is not a duration.") % {"value": value})


def _aware(moment: datetime, tz: tzinfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_datetime(value: object, tz: tzinfo, fmt: str = "") -> datetime | None:
    """A point in time; naive values are wall-clock time in ``tz``."""
    if is_missing(value):
        return None
    if isinstance(value, datetime):
        return _aware(value, tz)
    if type(value) is str and not fmt:
        # The common case, without strptime (a 200k-row file has 200k of these).
        quick = _ISO_FAST.match(value.strip())
        if quick:
            y, mo, d, h, mi, sec = (int(g) if g else 0 for g in quick.groups())
            try:
                return datetime(y, mo, d, h, mi, sec, tzinfo=tz)
            except ValueError:
                raise CellError(_("“%(value)s” is not a real date.") % {"value": value}) from None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 < value < 80_000:  # an Excel serial date (1954..2119) that lost its format
            return _aware(_EXCEL_EPOCH + timedelta(days=float(value)), tz)
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = " ".join(_text(value).split())
    if fmt:
        try:
            return _aware(datetime.strptime(text, fmt), tz)
        except ValueError:
            raise CellError(
                _("“%(value)s” does not match the date format %(format)s.")
                % {"value": value, "format": fmt}
            ) from None
    found = _CN_DATETIME.match(text.replace(" ", ""))
    if found:
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in found.groups())
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=tz)
        except ValueError:
            raise CellError(_("“%(value)s” is not a real date.") % {"value": value}) from None
    normalised = text.replace("/", "-").replace(".", "-")
    if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", normalised):
        head, _sep, rest = normalised.partition(" ")
        parts = [int(p) for p in head.split("-")[:3]]
        normalised = "{:04d}-{:02d}-{:02d}".format(*parts) + (f" {rest}" if rest else "")
    for candidate in _DATETIME_FORMATS:
        try:
            return _aware(datetime.strptime(normalised, candidate), tz)
        except ValueError:
            continue
    try:
        return _aware(datetime.fromisoformat(normalised), tz)
    except ValueError:
        raise CellError(_("“%(value)s” is not a date and time.") % {"value": value}) from None


def parse_day(value: object, tz: tzinfo, fmt: str = "") -> date | None:
    moment = parse_datetime(value, tz, fmt)
    return None if moment is None else moment.astimezone(tz).date()


def parse_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id that Excel stored as a number
    text = " ".join(str(value).split())
    return text or None
