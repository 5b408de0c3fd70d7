"""``fanloop import messages``: a file of fans' messages from the command line."""

import json

import pytest
from django.core.management import CommandError, call_command

from fanloop.inbox.models import Message

pytestmark = pytest.mark.django_db

ROWS = (
    "平台,评论ID,内容,用户ID,昵称,评论时间\n"
    "weibo,x-1,什么时候发货？,u-1,小王,2026-11-20T10:00:00+08:00\n"
    "weibo,x-2,质量太差了,u-2,小李,\n"
)


def test_import_reports_rows_and_writes_the_error_file(workspace, tmp_path, capsys):
    source = tmp_path / "评论.csv"
    source.write_text(ROWS, encoding="utf-8")
    errors = tmp_path / "errors.csv"

    call_command(
        "import", "messages", str(source), "--workspace", workspace.slug,
        "--errors-out", str(errors), "--json", "--no-progress",
    )  # fmt: skip

    data = json.loads(capsys.readouterr().out)
    assert data["created"] == 1
    assert data["errors"] == [{"row": 3, "message": "the time (sent_at) is missing"}]
    assert "the time (sent_at) is missing" in errors.read_text(encoding="utf-8-sig")
    assert Message.objects.filter(workspace=workspace).count() == 1


def test_missing_file_unknown_workspace_and_a_viewer(workspace, tmp_path, member_with_role):
    source = tmp_path / "m.csv"
    source.write_text(ROWS, encoding="utf-8")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "messages", str(tmp_path / "nope.csv"), "--workspace", "brand-a")
    with pytest.raises(CommandError, match="No workspace"):
        call_command("import", "messages", str(source), "--workspace", "nope")
    viewer = member_with_role("viewer")
    with pytest.raises(CommandError, match="does not allow"):
        call_command(
            "import", "messages", str(source), "--workspace", "brand-a", "--user", viewer.username
        )
    assert not Message.objects.exists()
