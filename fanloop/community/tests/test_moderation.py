"""Moderation: chat messages with banned terms or negative sentiment are flagged for the
group owner, who is notified once per flagged message."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fanloop.community.models import FlagStatus, GroupPlatform, ModerationFlag
from fanloop.community.services import moderation
from fanloop.community.tests.conftest import run_file
from fanloop.compliance import services as compliance
from fanloop.core.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db

MEMBERS = [
    ["用户ID", "昵称", "角色", "入群时间"],
    ["u-owner", "店长", "群主", "2025-06-01 09:00"],
    ["u-fan1", "小王", "", "2025-06-01 10:00"],
    ["u-fan2", "小李", "", "2025-06-01 11:00"],
]


def chat(*lines: tuple[str, str, str]) -> list[list[str]]:
    return [["时间", "用户ID", "内容"], *[list(line) for line in lines]]


@pytest.fixture
def seeded(operator, group):
    run_file(operator, group, "members", MEMBERS)
    return group


def flags_of(group):
    return list(ModerationFlag.objects.filter(group=group).order_by("message__sent_at"))


def notes(user):
    return Notification.objects.filter(user=user, text__startswith="Flagged message")


def test_a_workspace_banned_term_is_flagged(admin_user, operator, seeded):
    compliance.add_term(actor=admin_user, workspace=seeded.workspace, term="竞品A", kind="banned")

    run_file(operator, seeded, "chat", chat(("2025-06-05 10:00", "u-fan1", "竞品A 更便宜哦")))

    [flag] = flags_of(seeded)
    assert flag.reasons[0]["rule"] == "workspace_terms"
    assert flag.reasons[0]["matched"] == "竞品A"
    assert (flag.sender, flag.text, flag.status) == ("小王", "竞品A 更便宜哦", FlagStatus.OPEN)


def test_disease_claims_and_personal_data_are_flagged_but_a_fans_superlative_is_not(
    operator, seeded
):
    run_file(
        operator,
        seeded,
        "chat",
        chat(
            ("2025-06-05 10:00", "u-fan1", "这个面霜能根治湿疹"),
            ("2025-06-05 10:01", "u-fan2", "我的手机 13812345678 中奖联系"),
            ("2025-06-05 10:02", "u-fan2", "这是我用过最好的面霜"),
        ),
    )

    rules = [{r["rule"] for r in f.reasons if r["kind"] == "term"} for f in flags_of(seeded)]
    assert rules == [{"medical_claims"}, {"privacy"}]


def test_the_brands_own_staff_are_held_to_the_advertising_rules(operator, seeded):
    run_file(
        operator, seeded, "chat", chat(("2025-06-05 10:00", "u-owner", "全网最低价，买到就是赚到"))
    )

    [flag] = flags_of(seeded)
    assert {r["rule"] for r in flag.reasons} == {"absolute_terms"}


def test_off_platform_diversion_is_flagged_where_the_platform_forbids_it(
    operator, make_group, group
):
    douyin = make_group("抖音粉丝团", platform=GroupPlatform.DOUYIN)
    for target in (group, douyin):
        run_file(operator, target, "members", MEMBERS)
        run_file(operator, target, "chat", chat(("2025-06-05 10:00", "u-fan1", "加我微信私聊")))

    assert flags_of(group) == []
    [flag] = flags_of(douyin)
    assert flag.reasons[0]["rule"] == "platform_traffic"


def test_negative_sentiment_is_flagged_with_its_score(operator, seeded):
    run_file(
        operator,
        seeded,
        "chat",
        chat(
            ("2025-06-05 10:00", "u-fan1", "客服一直不回复，太失望了，再也不买了"),
            ("2025-06-05 10:01", "u-fan2", "谢谢大家，今天的福利很棒"),
        ),
    )

    [flag] = flags_of(seeded)
    assert flag.sentiment == "negative"
    assert flag.sentiment_score < 0.5
    assert flag.reasons == [
        {
            "kind": "sentiment",
            "rule": "negative_sentiment",
            "matched": "",
            "explanation": flag.reasons[0]["explanation"],
        }
    ]


def test_the_owner_is_notified_once_per_flagged_message(operator, seeded, admin_user):
    log = chat(
        ("2025-06-05 10:00", "u-fan1", "这个面霜能根治湿疹"),
        ("2025-06-05 10:01", "u-fan2", "早上好"),
    )

    run_file(operator, seeded, "chat", log)
    run_file(operator, seeded, "chat", log)  # the same log again

    assert len(flags_of(seeded)) == 1
    assert notes(operator).count() == 1
    assert "根治湿疹" in notes(operator).get().text
    assert notes(operator).get().url.endswith(f"/community/{seeded.pk}/tab/moderation/")
    assert notes(admin_user).count() == 0
    assert flags_of(seeded)[0].notified_at is not None


def test_a_group_without_owner_keeps_the_flag_without_notifying(operator, make_group):
    ownerless = make_group("无主群", owner=None)
    run_file(operator, ownerless, "members", MEMBERS)

    run_file(operator, ownerless, "chat", chat(("2025-06-05 10:00", "u-fan1", "能根治湿疹")))

    [flag] = flags_of(ownerless)
    assert flag.notified_at is None
    assert not Notification.objects.filter(text__startswith="Flagged message").exists()


def test_a_neutral_message_is_not_flagged(seeded):
    verdict = moderation.assess(seeded, "几点开始直播？")

    assert not verdict.flagged
    assert verdict.sentiment in {"neutral", "positive"}


def test_reviewing_a_flag_is_audited_and_needs_the_right_role(operator, viewer, seeded):
    run_file(operator, seeded, "chat", chat(("2025-06-05 10:00", "u-fan1", "能根治湿疹")))
    [flag] = flags_of(seeded)

    with pytest.raises(PermissionDenied):
        moderation.review_flag(actor=viewer, flag=flag, status=FlagStatus.DISMISSED)
    moderation.review_flag(actor=operator, flag=flag, status=FlagStatus.RESOLVED)

    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_by) == (FlagStatus.RESOLVED, operator)
    entry = AuditEntry.objects.get(action="community.flag_review")
    assert entry.changes == {"status": ["open", "resolved"]}


def test_flags_on_the_group_page_and_handled_in_place(client_for, operator, viewer, seeded):
    run_file(operator, seeded, "chat", chat(("2025-06-05 10:00", "u-fan1", "能根治湿疹")))
    [flag] = flags_of(seeded)
    slug = seeded.workspace.slug
    page = reverse("community_group_tab", args=[slug, seeded.pk, "moderation"])
    review = reverse("community_flag_review", args=[slug, seeded.pk, flag.pk])

    shown = client_for(viewer).get(page)
    assert shown.status_code == 200
    assert "能根治湿疹" in shown.content.decode()
    assert b"Mark handled" not in shown.content
    assert client_for(viewer).post(review, {"status": "resolved"}).status_code == 403

    response = client_for(operator).post(review, {"status": "resolved"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b'data-status="resolved"' in response.content
    assert b"<html" not in response.content
    flag.refresh_from_db()
    assert flag.status == "resolved"
