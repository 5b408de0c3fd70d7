"""Importing messages from files: Chinese headers, row errors, re-imports, bad files."""

import json

import pytest

from fanloop.channels.imports.reader import FileProblem
from fanloop.core.permissions import Role
from fanloop.inbox.models import Message
from fanloop.inbox.services.imports import import_messages
from fanloop.inbox.tests.factories import sandbox_account

CSV = (
    "\ufeff平台,评论ID,内容,用户ID,昵称,评论时间,作品ID\n"
    "weibo,c-1,什么时候发货？,u-1,小王,2026-11-20T10:00:00+08:00,p-1\n"
    "weibo,c-2,质量太差了,u-2,小李,2026-11-20T11:00:00+08:00,p-1\n"
    "weibo,c-3,没有时间,u-3,小张,,p-1\n"
    "myspace,c-4,你好,u-4,小赵,2026-11-20T12:00:00+08:00,p-1\n"
)


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


def test_csv_with_chinese_headers_reports_bad_rows_by_number(workspace, operator):
    seen = []
    result = import_messages(
        actor=operator,
        workspace=workspace,
        data=CSV.encode(),
        file_name="评论.csv",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert len(result.created) == 2
    assert [e.index for e in result.errors] == [4, 5]
    assert "missing" in result.errors[0].message
    assert "unknown platform" in result.errors[1].message
    assert seen[-1] == (4, 4)

    again = import_messages(
        actor=operator, workspace=workspace, data=CSV.encode(), file_name="评论.csv"
    )
    assert not again.created
    assert again.duplicates == 2
    assert Message.objects.filter(workspace=workspace).count() == 2


def test_gb18030_csv_and_default_account(workspace, operator):
    account = sandbox_account(actor=operator, workspace=workspace, platform="douyin")
    data = "id,text,author_id,sent_at\nd-1,好用,u-1,2026-11-20T10:00:00+08:00\n".encode("gb18030")
    result = import_messages(
        actor=operator, workspace=workspace, data=data, file_name="x.csv", account=account
    )
    assert result.created[0].account == account
    assert result.created[0].platform == "douyin"


def test_json_file_in_the_webhook_shape(workspace, operator):
    data = json.dumps(
        {
            "messages": [
                {
                    "platform": "zhihu",
                    "id": "z-1",
                    "text": "请问适合油皮吗",
                    "author": {"id": "u", "nickname": "知友"},
                    "sent_at": "2026-11-20T10:00:00Z",
                }
            ]
        }
    ).encode()
    result = import_messages(actor=operator, workspace=workspace, data=data, file_name="m.json")
    assert result.created[0].intent == "inquiry"


@pytest.mark.parametrize(
    ("data", "name", "problem"),
    [
        (b"", "x.csv", "empty"),
        ("标题,正文\n一,二\n".encode(), "x.csv", "no column for"),
        (b"{not json", "x.json", "not valid JSON"),
        (b"%PDF-1.4", "x.pdf", "Unsupported file type"),
    ],
)
def test_unreadable_files_change_nothing(workspace, operator, data, name, problem):
    with pytest.raises(FileProblem, match=problem):
        import_messages(actor=operator, workspace=workspace, data=data, file_name=name)
    assert not Message.objects.exists()


def test_viewers_cannot_import(workspace, member_with_role):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_messages(
            actor=member_with_role(Role.VIEWER),
            workspace=workspace,
            data=CSV.encode(),
            file_name="x.csv",
        )
