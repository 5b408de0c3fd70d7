"""Importing member lists, daily activity and chat logs: idempotent, per-row report,
nothing written on a file problem, no raw platform ids stored."""

import io
from datetime import datetime

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanloop.community.models import (
    ChatMessage,
    CommunityImport,
    GroupDay,
    GroupMember,
    MemberActivity,
    MemberSpell,
)
from fanloop.community.services import imports
from fanloop.community.tests.conftest import IMMEDIATE, as_csv, run_file
from fanloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = ["用户ID", "昵称", "角色", "入群时间", "退群时间"]
MEMBERS = [
    HEADER,
    ["wxid_alice01", "Alice", "群主", "2025-06-01 10:00", ""],
    ["wxid_bob0002", "Bob", "管理员", "2025/06/02 11:30", ""],
    ["wxid_carol03", "Carol", "KOC", "2025-06-03", "2025-06-05 20:00"],
    ["wxid_dave004", "Dave", "", "2025-06-04 09:00", ""],
]


def _counts(group):
    return (
        GroupMember.objects.filter(group=group).count(),
        MemberSpell.objects.filter(group=group).count(),
    )


def test_a_member_list_creates_members_and_their_stays(operator, group):
    run = run_file(operator, group, "members", MEMBERS)

    assert (run.state, run.rows_imported, run.rows_skipped) == ("done", 4, 0)
    members = {m.nickname: m for m in GroupMember.objects.filter(group=group)}
    assert set(members) == {"Alice", "Bob", "Carol", "Dave"}
    assert [members[n].role for n in ("Alice", "Bob", "Carol", "Dave")] == [
        "owner",
        "admin",
        "koc",
        "member",
    ]
    assert members["Carol"].left_at is not None
    assert not members["Carol"].in_group
    assert members["Alice"].in_group
    zone = group.workspace.zoneinfo
    assert members["Bob"].joined_at == datetime(2025, 6, 2, 11, 30, tzinfo=zone)
    # The rollup ran from the earliest join.
    assert GroupDay.objects.get(group=group, day="2025-06-04").members == 4
    assert GroupDay.objects.get(group=group, day="2025-06-05").members == 3


def test_raw_platform_ids_are_never_stored(operator, group):
    run_file(operator, group, "members", MEMBERS)

    for member in GroupMember.objects.filter(group=group):
        assert "wxid" not in member.member_key
        assert len(member.member_key) == 64
    stored = str(list(GroupMember.objects.values())) + str(list(MemberSpell.objects.values()))
    assert "wxid_alice01" not in stored


def test_importing_the_same_file_again_changes_nothing(operator, group):
    run_file(operator, group, "members", MEMBERS)
    before = _counts(group)

    run = run_file(operator, group, "members", MEMBERS)

    assert run.state == "done"
    assert _counts(group) == before == (4, 4)


def test_leaving_and_rejoining_keeps_history(operator, group):
    run_file(operator, group, "members", MEMBERS)

    later = [
        HEADER,
        ["wxid_dave004", "Dave", "", "2025-06-04 09:00", "2025-06-10 08:00"],
        ["wxid_carol03", "Carol W.", "KOC", "2025-06-12 19:00", ""],
    ]
    run = run_file(operator, group, "members", later)

    assert run.rows_imported == 2
    carol = GroupMember.objects.get(group=group, nickname="Carol W.")
    assert carol.in_group
    zone = group.workspace.zoneinfo
    assert [
        (s.joined_at.astimezone(zone).day, s.left_at.astimezone(zone).day if s.left_at else None)
        for s in carol.spells.all()
    ] == [
        (3, 5),
        (12, None),
    ]
    assert carol.first_joined_at.astimezone(zone).day == 3
    dave = GroupMember.objects.get(group=group, nickname="Dave")
    assert not dave.in_group
    assert dave.left_at.astimezone(zone).day == 10
    assert dave.spells.count() == 1


def test_bad_rows_are_reported_and_good_rows_imported(operator, group):
    rows = [
        HEADER,
        ["wxid_ok00001", "Ok", "成员", "2025-06-01 10:00", ""],
        ["wxid_bad0001", "Bad date", "", "yesterday", ""],
        ["", "", "", "2025-06-01", ""],
        ["wxid_bad0002", "Bad role", "boss", "2025-06-01", ""],
        ["wxid_bad0003", "Backwards", "", "2025-06-05", "2025-06-01"],
        ["", "", "", "", ""],
        ["wxid_ok00002", "Ok too", "", "2025-06-02", ""],
    ]

    run = run_file(operator, group, "members", rows)

    assert (run.state, run.rows_imported, run.rows_skipped, run.rows_total) == ("done", 2, 4, 6)
    reasons = {e["row"]: e["reason"] for e in run.errors}
    assert set(reasons) == {3, 4, 5, 6}
    assert "入群时间" in reasons[3]
    assert "yesterday" in reasons[3]
    assert "neither a user id nor a nickname" in reasons[4]
    assert "boss" in reasons[5]
    assert "before the join time" in reasons[6]
    assert set(GroupMember.objects.filter(group=group).values_list("nickname", flat=True)) == {
        "Ok",
        "Ok too",
    }


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("members.csv", as_csv([["昵称", "角色"], ["Alice", "群主"]]), "入群时间"),
        ("members.csv", as_csv([["foo", "bar"], ["1", "2"]]), "No header row"),
        ("members.xlsx", b"PK\x03\x04 not really a zip", "cannot be read"),
        ("members.pdf", b"%PDF-1.4", "Unsupported file type"),
        ("members.csv", as_csv([HEADER]), "no data rows"),
    ],
)
def test_a_file_problem_imports_nothing(operator, group, name, data, message):
    run = imports.start_import(actor=operator, group=group, kind="members", file_name=name)

    run = imports.run_import(run, data)

    assert run.state == "failed"
    assert message in run.errors[0]["reason"]
    assert run.errors[0]["file"]
    assert _counts(group) == (0, 0)
    assert not AuditEntry.objects.filter(action="community.import").exists()


def test_an_excel_file_with_a_title_row_and_real_dates(operator, group):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["群成员导出 2025-06-30"])
    sheet.append(["成员ID", "群昵称", "加入时间"])
    sheet.append(["wm_1", "小王", datetime(2025, 6, 1, 9, 15)])
    sheet.append(["wm_2", "小李", datetime(2025, 6, 2, 21, 0)])
    buffer = io.BytesIO()
    book.save(buffer)
    run = imports.start_import(actor=operator, group=group, kind="members", file_name="m.xlsx")

    run = imports.run_import(run, buffer.getvalue())

    assert (run.state, run.rows_imported) == ("done", 2)
    wang = GroupMember.objects.get(group=group, nickname="小王")
    assert wang.joined_at == datetime(2025, 6, 1, 9, 15, tzinfo=group.workspace.zoneinfo)


def test_activity_import_sets_the_days_figures_and_a_reimport_replaces_them(operator, group):
    run_file(operator, group, "members", MEMBERS)
    rows = [
        ["日期", "用户ID", "发言数", "互动数", "在线时长(分钟)"],
        ["2025-06-05", "wxid_alice01", "4", "1", "12"],
        ["2025-06-05", "wxid_bob0002", "2", "0", ""],
        ["2025-06-05", "wxid_nobody0", "2", "0", ""],
        ["2025-06-05", "wxid_bob0002", "-1", "0", ""],
    ]

    run = run_file(operator, group, "activity", rows)

    assert (run.rows_imported, run.rows_skipped) == (2, 2)
    reasons = {e["row"]: e["reason"] for e in run.errors}
    assert "import the member list first" in reasons[4]
    assert "发言数" in reasons[5]
    alice = MemberActivity.objects.get(member__nickname="Alice", day="2025-06-05")
    assert (alice.messages, alice.interactions, alice.online_minutes) == (4, 1, 12)
    assert GroupDay.objects.get(group=group, day="2025-06-05").dau == 2

    rows[1][2] = "6"
    run_file(operator, group, "activity", rows[:2])

    alice.refresh_from_db()
    assert alice.messages == 6
    assert MemberActivity.objects.filter(group=group).count() == 2
    assert GroupDay.objects.get(group=group, day="2025-06-05").messages == 8


def test_chat_log_counts_messages_once_even_across_overlapping_files(operator, group):
    run_file(operator, group, "members", MEMBERS)
    first = [
        ["时间", "发送者", "内容", "类型"],
        ["2025-06-05 10:00", "Alice", "早上好", ""],
        ["2025-06-05 10:01", "Bob", "@Alice 早", ""],
        ["2025-06-05 10:02", "Alice", "今天有福利吗", ""],
    ]
    run_file(operator, group, "chat", first)
    overlapping = [*first, ["2025-06-05 12:00", "Bob", "有的，十点半", "reply"]]

    run = run_file(operator, group, "chat", overlapping)

    assert run.rows_imported == 4
    assert ChatMessage.objects.filter(group=group).count() == 4
    bob = MemberActivity.objects.get(member__nickname="Bob", day="2025-06-05")
    assert (bob.messages, bob.interactions) == (2, 2)
    alice = MemberActivity.objects.get(member__nickname="Alice", day="2025-06-05")
    assert (alice.messages, alice.interactions) == (2, 0)
    assert GroupDay.objects.get(group=group, day="2025-06-05").messages == 4


def test_only_people_who_run_groups_may_import(viewer, group):
    with pytest.raises(PermissionDenied):
        imports.start_import(actor=viewer, group=group, kind="members", file_name="m.csv")
    assert not CommunityImport.objects.exists()


def test_imports_are_audited(operator, group):
    run = run_file(operator, group, "members", MEMBERS)

    entries = AuditEntry.objects.filter(
        object_id=str(run.pk), object_type="community.communityimport"
    )
    assert {e.action for e in entries} == {"community.import_start", "community.import"}
    done = entries.get(action="community.import")
    assert done.actor == operator
    assert done.changes["rows_imported"] == [None, 4]


# Through the pages ------------------------------------------------------------------------------


def test_upload_runs_in_the_background_and_the_report_lists_bad_rows(
    client_for, operator, group, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    rows = [*MEMBERS, ["wxid_x", "X", "", "not a date", ""]]
    upload = SimpleUploadedFile("成员.csv", as_csv(rows), content_type="text/csv")
    client = client_for(operator)
    url = reverse("community_import_upload", args=[group.workspace.slug, group.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "members", "file": upload})

    run = CommunityImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("community_import", args=[group.workspace.slug, run.pk])
    assert run.state == "done"
    assert run.rows_imported == 4
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'data-testid="row-errors"' in page.content
    assert b"not a date" in page.content
    status = client.get(
        reverse("community_import_status", args=[group.workspace.slug, run.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert b'data-state="done"' in status.content
    assert b"<html" not in status.content
    report = client.get(reverse("community_import_errors", args=[group.workspace.slug, run.pk]))
    assert "not a date" in report.content.decode("utf-8-sig")


def test_a_running_import_page_polls_its_progress(client_for, operator, group):
    run = imports.start_import(actor=operator, group=group, kind="members", file_name="m.csv")
    CommunityImport.objects.filter(pk=run.pk).update(rows_done=50, rows_total=200)

    page = client_for(operator).get(
        reverse("community_import", args=[group.workspace.slug, run.pk])
    )

    assert b"every 1s" in page.content
    assert b'value="50"' in page.content


def test_a_viewer_cannot_upload(client_for, viewer, group):
    upload = SimpleUploadedFile("m.csv", as_csv(MEMBERS), content_type="text/csv")
    url = reverse("community_import_upload", args=[group.workspace.slug, group.pk])

    response = client_for(viewer).post(url, {"kind": "members", "file": upload})

    assert response.status_code == 403
    assert not CommunityImport.objects.exists()


def test_another_workspaces_import_is_not_found(
    client_for, make_user, other_workspace, operator, group
):
    run = imports.start_import(actor=operator, group=group, kind="members", file_name="m.csv")
    outsider = other_workspace.memberships.get().user

    response = client_for(outsider).get(
        reverse("community_import", args=[other_workspace.slug, run.pk])
    )

    assert response.status_code == 404
