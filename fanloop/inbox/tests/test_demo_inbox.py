"""The demo's inbox: busy across platforms, some VIPs and angry fans, most answered, a
crisis hour raised as an alert, and nothing doubled by seeding again."""

import pytest

from fanloop.core import demo
from fanloop.core.models import Workspace
from fanloop.inbox.models import AssignmentRule, CrisisAlert, Direction, Message, Thread
from fanloop.inbox.reports import reply_rate_today

pytestmark = pytest.mark.django_db


def test_the_demo_inbox_is_busy_answered_and_raises_the_crisis():
    demo.seed(only={"campaigns", "content", "channels", "inbox"})
    workspace = Workspace.objects.get(slug=demo.DEMO_WORKSPACE[0])
    fans = Message.objects.filter(workspace=workspace, direction=Direction.INBOUND)
    ours = Message.objects.filter(workspace=workspace, direction=Direction.OUTBOUND)

    assert fans.count() >= 130
    assert set(fans.values_list("platform", flat=True)) >= {
        "wechat_oa",
        "weibo",
        "douyin",
        "xiaohongshu",
        "taobao",
    }
    assert fans.filter(sentiment="negative").count() >= 20
    assert fans.filter(author__is_vip=True).exists()
    assert ours.exclude(sent_by=None).count() >= 50
    assert fans.filter(responded_at__isnull=False).count() * 10 >= fans.count() * 4
    assert Thread.objects.filter(workspace=workspace, assignee__isnull=False).exists()
    assert AssignmentRule.objects.filter(workspace=workspace).count() == 2
    alert = CrisisAlert.objects.get(workspace=workspace)
    assert any(word == "过敏" for word, _count in alert.keywords)
    replied, total, _rate = reply_rate_today(workspace)
    assert replied <= total

    before = Message.objects.count()
    demo.seed(only={"campaigns", "content", "channels", "inbox"})
    assert Message.objects.count() == before
