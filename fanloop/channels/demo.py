"""Demo channels: simulated (sandbox) accounts, clearly labelled, and a short publishing
history on them, so the queue, the log, assisted tasks and metrics have something to show
without credentials. Every post and figure here is simulated and says so."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from fanloop.campaigns.models import Campaign
from fanloop.channels import metrics_sync
from fanloop.channels.models import ChannelAccount, JobState, PublishJob
from fanloop.channels.services import accounts, dispatch
from fanloop.content import services as content
from fanloop.content.models import ContentItem, MediaAsset, Variant
from fanloop.core.models import User, Workspace

SIMULATED = [
    ("xiaohongshu", "青柑官方 · 小红书（沙盒模拟）"),
    ("weibo", "青柑官方 · 微博（沙盒模拟）"),
    ("douyin", "青柑官方 · 抖音（沙盒模拟）"),
]
HISTORY_MARKER = "往期 · "
HISTORY: list[tuple[int, int, str, str, str, list[str]]] = [
    # (days ago, hour, platform, title, body, topics)
    (
        13,
        12,
        "weibo",
        "早春上新预告",
        "早春上新，清透系列下周见。你最期待哪一款？评论区告诉我们。",
        ["早春上新"],
    ),
    (
        11,
        20,
        "xiaohongshu",
        "通勤妆容三步走",
        "三步搞定通勤妆：隔离、遮瑕、定妆，十分钟出门不迟到。",
        ["通勤妆容"],
    ),
    (
        9,
        12,
        "weibo",
        "防晒小知识",
        "阴天也要防晒：紫外线能穿透云层，出门前记得涂够一元硬币大小。",
        ["防晒知识"],
    ),
    (
        7,
        20,
        "xiaohongshu",
        "油皮夏季护肤清单",
        "油皮夏天的护肤清单：温和洁面、清爽保湿、足量防晒。",
        ["油皮护肤"],
    ),
    (
        5,
        12,
        "weibo",
        "用户晒单精选",
        "感谢大家的晒单！这周精选五位小伙伴的通勤妆，看看有没有你。",
        ["晒单"],
    ),
    (
        3,
        20,
        "xiaohongshu",
        "防晒补涂小技巧",
        "午休补涂防晒不花妆：用气垫轻拍，或选喷雾型产品。",
        ["防晒补涂"],
    ),
    (
        1,
        12,
        "weibo",
        "周末福利预告",
        "周末福利预告：转发本条，抽三位送清透防晒乳正装。",
        ["周末福利"],
    ),
]


def seed_channels(workspace: Workspace, users: dict[str, User]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _seed_accounts(workspace, users)
        if not ContentItem.objects.filter(
            workspace=workspace, title__startswith=HISTORY_MARKER
        ).exists():
            _seed_history(workspace, users)


@transaction.atomic
def _seed_accounts(workspace: Workspace, users: dict[str, User]) -> None:
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


Spec = tuple[int, int, str, str, str, list[str]]


def _approved(
    users: dict[str, User], workspace: Workspace, spec: Spec, campaign: Campaign | None = None
) -> Variant:
    _days, _hour, platform, title, body, topics = spec
    writer = users["demo-content"]
    item = content.create_item(
        actor=writer,
        workspace=workspace,
        data={
            "title": HISTORY_MARKER + title,
            "content_type": "note" if platform == "xiaohongshu" else "image_text",
            "purpose": "knowledge",
            "campaign": campaign,
        },
        platforms=[platform],
    )
    data: dict[str, object] = {"title": title, "body": body, "topics": topics}
    if platform == "xiaohongshu":
        image = MediaAsset.objects.filter(workspace=workspace, kind="image").first()
        if image is not None:
            data["media"] = [image.pk]
    variant = content.update_variant(actor=writer, variant=item.variants.get(), data=data)
    content.transition(actor=writer, variant=variant, name="submit")
    for step_user in ("demo-marketing", "demo-reviewer"):
        variant.refresh_from_db()
        if variant.state == "in_review":
            content.transition(actor=users[step_user], variant=variant, name="approve")
    variant.refresh_from_db()
    return variant


def _publish_in_the_past(variant: Variant, operator: User, when: datetime) -> None:
    """Schedule through the services, then let the worker publish it to the simulator as
    of ``when`` (the demo's history happened before the demo was installed)."""
    content.transition(
        actor=operator,
        variant=variant,
        name="schedule",
        planned_at=timezone.now() + timedelta(hours=1),
    )
    job = PublishJob.objects.get(variant=variant, state=JobState.SCHEDULED)
    PublishJob.objects.filter(pk=job.pk).update(due_at=when)
    Variant.objects.filter(pk=variant.pk).update(planned_at=when)
    for claimed in dispatch.claim_due("demo", now=timezone.now(), limit=1):
        connector = None
        if claimed.account is not None and claimed.account.simulated:
            connector = accounts.connector_for(claimed.account, max_attempts=1, now=lambda: when)
        dispatch.dispatch(claimed, "demo", connector=connector)


def _seed_history(workspace: Workspace, users: dict[str, User]) -> None:
    operator = users["demo-operator"]
    today = timezone.localtime()
    for spec in HISTORY:
        variant = _approved(users, workspace, spec)
        if variant.state != "approved":
            continue  # a demo post the rules refuse is left in review, not forced out
        days, hour = spec[0], spec[1]
        when = (today - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        _publish_in_the_past(variant, operator, when)
    # One assisted post due now, part of the running campaign: the Zhihu answer waits in
    # the operator's task list.
    running = ContentItem.objects.filter(workspace=workspace, campaign__isnull=False).first()
    answer: Spec = (
        0,
        0,
        "zhihu",
        "通勤防晒怎么选",
        "通勤防晒看三点：防护指数、肤感、补涂是否方便。",
        ["防晒"],
    )
    zhihu = _approved(users, workspace, answer, campaign=running.campaign if running else None)
    if zhihu.state == "approved":
        _publish_in_the_past(zhihu, operator, timezone.now() - timedelta(minutes=5))
    for account in ChannelAccount.objects.filter(workspace=workspace, simulated=True):
        metrics_sync.sync_account(account)
