"""Fixtures the inbox UI and API tests share: people of each role, a simulated Weibo
account that can reply, and conversations that arrive the way real ones do (ingest)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fanloop.channels.models import ChannelAccount
from fanloop.channels.sandbox.connector import make_remote_id
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Role
from fanloop.inbox.models import Message, Thread
from fanloop.inbox.tests.factories import incoming, one, sandbox_account


@pytest.fixture
def operator(member_with_role) -> User:
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def viewer(member_with_role) -> User:
    return member_with_role(Role.VIEWER)


@pytest.fixture
def weibo(operator, workspace) -> ChannelAccount:
    return sandbox_account(actor=operator, workspace=workspace, name="品牌微博")


@pytest.fixture
def post_id() -> str:
    """A post of the sandbox platform: replies to its comments go through."""
    return make_remote_id("k-1", timezone.now() - timedelta(days=1), "image")


@pytest.fixture
def fan_message(workspace, weibo, post_id) -> Callable[..., tuple[Thread, Message]]:
    def make(text: str = "请问有黑色吗？", **extra: Any) -> tuple[Thread, Message]:
        extra.setdefault("post_remote_id", post_id)
        return one(workspace, incoming(text, account=extra.pop("account", weibo), **extra))

    return make


@pytest.fixture
def other_thread(other_workspace) -> Thread:
    thread, _message = one(other_workspace, incoming("别的品牌的评论", platform="douyin"))
    return thread


def inbox_url(workspace: Workspace, suffix: str = "") -> str:
    return f"/w/{workspace.slug}/inbox/{suffix}"
