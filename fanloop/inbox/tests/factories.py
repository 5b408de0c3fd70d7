"""Helpers the inbox tests share: fan messages as they arrive from a platform."""

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from fanloop.channels.models import ChannelAccount
from fanloop.channels.services import accounts
from fanloop.core.models import User, Workspace
from fanloop.inbox.models import Message, MessageSource, Thread
from fanloop.inbox.services.ingest import IncomingMessage, IngestResult, ingest

_ids = itertools.count(1)


def sandbox_account(
    *, actor: User, workspace: Workspace, platform: str = "weibo", name: str = ""
) -> ChannelAccount:
    return accounts.connect_account(
        actor=actor,
        workspace=workspace,
        platform=platform,
        display_name=name or f"{platform} sandbox",
        simulated=True,
    )


def incoming(
    text: str = "请问这款什么时候发货？",
    *,
    platform: str = "weibo",
    account: ChannelAccount | None = None,
    author: str = "fan-1",
    nickname: str = "小王",
    sent_at: datetime | None = None,
    **extra: Any,
) -> IncomingMessage:
    return IncomingMessage(
        platform=account.platform if account else platform,
        remote_id=str(extra.pop("remote_id", f"m-{next(_ids)}")),
        kind=str(extra.pop("kind", "comment")),
        text=text,
        author_id=author,
        author_name=nickname,
        sent_at=sent_at or timezone.now() - timedelta(minutes=5),
        account=account,
        **extra,
    )


def receive(workspace: Workspace, *messages: IncomingMessage) -> IngestResult:
    return ingest(workspace=workspace, messages=list(messages), source=MessageSource.CONNECTOR)


def one(workspace: Workspace, message: IncomingMessage) -> tuple[Thread, Message]:
    stored = receive(workspace, message).created
    assert len(stored) == 1, "the message should have been stored"
    return stored[0].thread, stored[0]
