"""Rules 6 and 7: personal information and off-platform contact."""

import pytest

from fanloop.compliance.engine import CheckContext, check_text
from fanloop.compliance.privacy import id_checksum_ok, luhn_ok

VALID_ID = "11010519491231002X"
WRONG_ID = "110105194912310021"


def luhn_complete(prefix):
    for digit in "0123456789":
        if luhn_ok(prefix + digit):
            return prefix + digit
    raise AssertionError


def privacy(text):
    return [
        (f.category, f.start, f.end, f.matched) for f in check_text(text) if f.rule == "privacy"
    ]


def test_mobile_numbers_with_and_without_prefix():
    text = "电话13812345678或 +86 139-1234-5678"
    assert privacy(text) == [
        ("phone", 2, 13, "13812345678"),
        ("phone", text.index("+86"), len(text), "+86 139-1234-5678"),
    ]


def test_phone_inside_a_longer_digit_run_is_not_a_phone():
    assert privacy("订单号 2013812345678901") == []


def test_valid_id_number_is_flagged_and_wrong_checksum_is_not():
    assert id_checksum_ok(VALID_ID)
    assert not id_checksum_ok(WRONG_ID)
    text = f"身份证{VALID_ID}号"
    assert privacy(text) == [("id_card", 3, 21, VALID_ID)]
    assert privacy(f"身份证{WRONG_ID}") == []


def test_lower_case_x_check_digit_counts():
    assert privacy("证件 " + VALID_ID.lower())[0][0] == "id_card"


def test_luhn_valid_card_is_flagged_and_invalid_is_not():
    card = luhn_complete("622202123456789")
    bad = card[:-1] + str((int(card[-1]) + 1) % 10)
    text = f"卡号：{card}"
    assert privacy(text) == [("bank_card", 3, 3 + len(card), card)]
    assert privacy(f"卡号：{bad}") == []
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert privacy(f"卡号 {grouped}")[0][0] == "bank_card"


def test_street_address_is_flagged_with_its_span():
    address = "上海市浦东新区川沙路123号"
    text = f"寄到{address}，谢谢"
    assert privacy(text) == [("address", 2, 2 + len(address), address)]


def test_vague_places_are_not_addresses():
    assert privacy("酒店离市区很近，交通方便") == []


@pytest.mark.parametrize("platform", ["xiaohongshu", "douyin", "kuaishou", "bilibili"])
def test_offplatform_contact_is_a_warning_on_strict_platforms(platform):
    text = "想要的加我VX领取"
    found = [
        f for f in check_text(text, CheckContext(platform=platform)) if f.rule == "platform_traffic"
    ]
    assert [(f.matched, f.start, f.severity) for f in found] == [
        ("加我", 3, "warn"),
        ("VX", 5, "warn"),
    ]
    assert "社区" in found[0].source


def test_offplatform_contact_is_not_checked_elsewhere():
    assert [f for f in check_text("加我微信", CheckContext(platform="wechat_oa"))] == []
    assert check_text("加我微信") == []


def test_latin_contact_terms_need_boundaries():
    assert check_text("wxyz 型号", CheckContext(platform="douyin")) == []
