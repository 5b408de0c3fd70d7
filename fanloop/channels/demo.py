"""Demo channels: simulated (sandbox) accounts, clearly labelled, so the demo's scheduled
posts really go out — to the simulator — and grow metrics and comments."""

from django.conf import settings
from django.db import transaction
from django.utils import translation

from fanloop.channels.models import ChannelAccount
from fanloop.channels.services import accounts
from fanloop.core.models import User, Workspace

SIMULATED = [
    ("xiaohongshu", "青柑官方 · 小红书（沙盒模拟）"),
    ("weibo", "青柑官方 · 微博（沙盒模拟）"),
    ("douyin", "青柑官方 · 抖音（沙盒模拟）"),
]


def seed_channels(workspace: Workspace, users: dict[str, User]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _seed(workspace, users)


@transaction.atomic
def _seed(workspace: Workspace, users: dict[str, User]) -> None:
    operator = users["demo-operator"]
    for platform, name in SIMULATED:
        if ChannelAccount.objects.filter(workspace=workspace, platform=platform).exists():
            continue
        accounts.connect_account(
            actor=operator,
            workspace=workspace,
            platform=platform,
            display_name=name,
            credentials={"seed": 20261123},
            simulated=True,
        )
    if not ChannelAccount.objects.filter(workspace=workspace, platform="zhihu").exists():
        # No API for Zhihu: its posts are published by hand (assisted publishing).
        accounts.connect_account(
            actor=operator, workspace=workspace, platform="zhihu", display_name="青柑 · 知乎"
        )
