"""Personal information in published text (《中华人民共和国个人信息保护法》): exact spans.

* mobile numbers: mainland ``1[3-9]`` + 9 digits, optionally ``+86``/``86``/``0086`` and
  spaces or dashes in the 3-4-4 grouping, never part of a longer digit run;
* resident ID numbers: 18 characters whose GB 11643-1999 check digit (``0-9`` or ``X``)
  is right and whose birth date is a real date;
* bank card numbers: 16-19 digits (optionally grouped by spaces/dashes) passing the Luhn
  check and not a valid ID number;
* street addresses: a province / municipality / ``XX市`` followed by districts, a road or
  street and a house number (``号``/``弄``/``室``...). Requiring the house number keeps
  hotel reviews such as "离市区很近" out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}(?!\d)")
ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
BANK_CARD = re.compile(r"(?<![\d\-])\d{4}(?:[ \-]?\d){12,15}(?![\d\-])")

_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|"
    "湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_HAN = r"[\u4e00-\u9fff]"
ADDRESS = re.compile(
    rf"(?:(?:{_PROVINCES})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
    rf"|{_HAN}{{2,3}}市)"
    rf"(?:{_HAN}{{1,6}}?(?:市|区|县|州|旗|镇|乡|街道))*"
    rf"[\u4e00-\u9fff0-9A-Za-z]{{1,12}}?(?:路|街|大道|巷|胡同|弄|道)"
    r"[0-9一二三四五六七八九十百零]+(?:号|弄|巷)"
    r"(?:[0-9A-Za-z\-]+(?:号楼|号|栋|幢|座|单元|楼|层|室|弄))*"
)
_DIGIT = re.compile(r"\d")
_ADDRESS_LEADS = set("在住于到至寄发送是的")


def id_checksum_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, ID_WEIGHTS, strict=False))
    if ID_CHECK[total % 11] != number[17].upper():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def scan(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, category)`` for every piece of personal information in ``text``."""
    ids: list[tuple[int, int]] = []
    if _DIGIT.search(text):
        for match in ID_CARD.finditer(text):
            if id_checksum_ok(match.group()):
                ids.append(match.span())
                yield match.start(), match.end(), "id_card"
        for match in BANK_CARD.finditer(text):
            digits = re.sub(r"[ \-]", "", match.group())
            if not 16 <= len(digits) <= 19 or not luhn_ok(digits):
                continue
            if any(start < match.end() and match.start() < end for start, end in ids):
                continue
            ids.append(match.span())
            yield match.start(), match.end(), "bank_card"
        for match in PHONE.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in ids):
                continue
            yield match.start(), match.end(), "phone"
    if "号" in text or "弄" in text or "巷" in text:
        for match in ADDRESS.finditer(text):
            start = match.start()
            while start < match.end() and text[start] in _ADDRESS_LEADS:
                start += 1
            yield start, match.end(), "address"
