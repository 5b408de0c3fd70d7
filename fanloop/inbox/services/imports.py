"""Messages from a file: CSV or Excel with one message per row (English or Chinese
headers), or a JSON file in the webhook's shape. Rows with problems are reported with
their row number and skipped; a file that cannot be read changes nothing."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fanloop.channels.imports.reader import FileProblem, open_table
from fanloop.channels.models import ChannelAccount
from fanloop.core.models import Workspace
from fanloop.inbox.models import MessageSource
from fanloop.inbox.services.actions import _require
from fanloop.inbox.services.ingest import IncomingMessage, IngestResult, RowError, ingest
from fanloop.inbox.services.payload import PayloadError, accounts_of, message_from

# field -> header names a file may use for it (compared case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "platform": ("platform", "平台"),
    "id": ("id", "message_id", "comment_id", "消息id", "评论id", "消息编号"),
    "kind": ("kind", "type", "类型", "消息类型"),
    "text": ("text", "content", "内容", "评论内容", "消息内容"),
    "author_id": ("author_id", "user_id", "用户id", "粉丝id"),
    "author_name": ("author_name", "nickname", "昵称", "用户昵称", "粉丝昵称"),
    "sent_at": ("sent_at", "time", "created_at", "时间", "评论时间", "发送时间"),
    "parent_id": ("parent_id", "父评论id", "回复的评论id"),
    "post_id": ("post_id", "作品id", "帖子id", "文章id", "笔记id"),
    "account_id": ("account_id", "账号id"),
    "direction": ("direction", "方向"),
    "vip": ("vip", "是否vip"),
}
REQUIRED = ("id", "text", "author_id", "sent_at")
BATCH = 500
MAX_BYTES = 50 * 1024 * 1024

Progress = Callable[[int, int], None]


def _header_index(headers: list[str]) -> dict[str, int]:
    lowered = [str(h).strip().lower().lstrip("\ufeff") for h in headers]
    index = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name in lowered:
                index[field] = lowered.index(name)
                break
    return index


def _row_item(row: Any, index: dict[str, int], default_platform: str) -> dict[str, Any]:
    def cell(field: str) -> str:
        position = index.get(field)
        if position is None or position >= len(row):
            return ""
        value = row[position]
        if hasattr(value, "isoformat"):
            return str(value.isoformat())
        return "" if value is None else str(value).strip()

    vip = cell("vip").lower()
    return {
        "platform": cell("platform") or default_platform,
        "id": cell("id"),
        "kind": cell("kind") or "comment",
        "text": cell("text"),
        "author": {
            "id": cell("author_id"),
            "nickname": cell("author_name"),
            "vip": vip in {"1", "true", "yes", "是", "y"} if vip else None,
        },
        "sent_at": cell("sent_at"),
        "parent_id": cell("parent_id"),
        "post_id": cell("post_id"),
        "account_id": cell("account_id"),
        "direction": cell("direction") or "inbound",
    }


def _items(data: bytes, file_name: str, default_platform: str) -> tuple[list[tuple[int, Any]], int]:
    """(row number, item) pairs and the row number the data starts after."""
    if Path(file_name).suffix.lower() == ".json":
        try:
            payload = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FileProblem(
                _("The file is not valid JSON: %(error)s") % {"error": error}
            ) from error
        items = payload.get("messages") if isinstance(payload, dict) else payload
        if not isinstance(items, list):
            raise FileProblem(_("The JSON file needs a “messages” list."))
        return list(enumerate(items, start=1)), 0
    table = open_table(data, file_name)
    rows = iter(table.rows)
    try:
        header_number, headers = next(rows)
    except StopIteration as error:
        raise FileProblem(_("The file is empty.")) from error
    index = _header_index([str(h or "") for h in headers])
    missing = [field for field in REQUIRED if field not in index]
    if missing:
        raise FileProblem(
            _("The file has no column for: %(fields)s. Its columns are: %(columns)s")
            % {
                "fields": ", ".join(missing),
                "columns": ", ".join(str(h) for h in headers if h),
            }
        )
    items = []
    for number, row in rows:
        if not any(str(c or "").strip() for c in row):
            continue
        items.append((number, _row_item(row, index, default_platform)))
    return items, header_number


def import_messages(
    *,
    actor: Any,
    workspace: Workspace,
    data: bytes,
    file_name: str,
    account: ChannelAccount | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Import a file of messages. ``account`` is the default for rows naming none.
    ``actor`` None is the system (the command line, run by whoever runs the server)."""
    if actor is not None:
        _require(actor, workspace)
    if len(data) > MAX_BYTES:
        raise FileProblem(_("The file is larger than 50 MB; split it."))
    if account is not None and account.workspace_id != workspace.pk:
        raise FileProblem(_("That account is not in this workspace."))
    default_platform = account.platform if account else ""
    items, _header = _items(data, file_name, default_platform)
    if not items:
        raise FileProblem(_("The file has no messages."))
    accounts = accounts_of(workspace)
    result = IngestResult()
    total = len(items)
    for start in range(0, total, BATCH):
        batch = items[start : start + BATCH]
        parsed: list[tuple[int, IncomingMessage]] = []
        for number, item in batch:
            if isinstance(item, dict) and account is not None and not item.get("account_id"):
                item = {**item, "account_id": account.pk}
            try:
                parsed.append((number, message_from(workspace, item, accounts)))
            except PayloadError as error:
                result.errors.append(RowError(number, str(error)))
        with transaction.atomic():
            done = ingest(
                workspace=workspace,
                messages=[message for _n, message in parsed],
                source=MessageSource.IMPORT,
                actor=actor,
            )
        result.created.extend(done.created)
        result.duplicates += done.duplicates
        result.errors.extend(RowError(parsed[e.index][0], e.message) for e in done.errors)
        if progress is not None:
            progress(min(start + BATCH, total), total)
    result.errors.sort(key=lambda e: e.index)
    return result
