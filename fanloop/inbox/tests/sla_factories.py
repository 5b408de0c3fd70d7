"""Rows for the SLA, report and crisis tests, written directly: these tests check read
queries and periodic jobs, not the ingest path that normally fills the fields."""

import itertools
from datetime import datetime
from typing import Any

from fanloop.channels.models import ChannelAccount
from fanloop.core.models import Workspace
from fanloop.inbox.models import Author, Direction, Message, Thread

_ids = itertools.count(1)


def make_account(
    workspace: Workspace, name: str = "Main", platform: str = "weibo"
) -> ChannelAccount:
    return ChannelAccount.objects.create(workspace=workspace, platform=platform, display_name=name)


def make_thread(
    workspace: Workspace,
    *,
    at: datetime,
    platform: str = "weibo",
    fan: str = "",
    **fields: Any,
) -> Thread:
    fan = fan or f"fan-{next(_ids)}"
    author, _ = Author.objects.get_or_create(
        workspace=workspace,
        platform=platform,
        external_id=fan,
        defaults={"nickname": fan, "is_vip": bool(fields.get("is_vip"))},
    )
    return Thread.objects.create(
        workspace=workspace,
        platform=platform,
        key=f"key-{next(_ids)}",
        kind=fields.pop("kind", "comment"),
        author=author,
        last_message_at=at,
        **fields,
    )


def make_message(
    thread: Thread, *, at: datetime, direction: str = Direction.INBOUND, **fields: Any
) -> Message:
    fields.setdefault("post_remote_id", thread.post_remote_id)
    return Message.objects.create(
        workspace=thread.workspace,
        thread=thread,
        account=thread.account,
        platform=thread.platform,
        kind=thread.kind,
        direction=direction,
        source="manual",
        remote_id=f"m-{next(_ids)}",
        author=thread.author,
        sent_at=at,
        received_at=at,
        needs_reply=fields.pop("needs_reply", direction == Direction.INBOUND),
        **fields,
    )
