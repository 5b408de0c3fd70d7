"""Demo inbox: two weeks of fans' comments, DMs, mentions and reviews across platforms,
most answered by the demo operators, a few VIPs, some angry customers, and an hour
this afternoon in which complaints about an allergic reaction pile up (a crisis alert).

Everything goes through the real paths: comments are polled from the sandbox platform,
the rest is ingested like a webhook would deliver it, replies are ingested as our own."""

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from fanloop.channels.models import ChannelAccount
from fanloop.core.models import User, Workspace
from fanloop.inbox.models import Direction, Message, MessageSource, Thread
from fanloop.inbox.services import actions, polling, setup
from fanloop.inbox.services.ingest import IncomingMessage, ingest

SEED = 20261123
DAYS = 14

# (platform, kind, text, intent hint for the reader of this file)
FAN_MESSAGES: list[tuple[str, str, str]] = [
    ("wechat_oa", "dm", "请问这款精华油皮能用吗？夏天会不会闷痘"),
    ("wechat_oa", "dm", "你好，我上周买的面霜还没发货，订单尾号 3721，麻烦查一下"),
    ("wechat_oa", "dm", "双十一的满减活动还有吗？想再囤两瓶"),
    ("wechat_oa", "dm", "收到了，包装很精致，送朋友很有面子，谢谢客服小姐姐"),
    ("wechat_oa", "dm", "快递显示签收了但我没收到，怎么办"),
    ("douyin", "dm", "直播间说的赠品没有收到，能补发吗"),
    ("douyin", "dm", "求链接！刚刚直播讲的那款防晒"),
    ("douyin", "dm", "敏感肌可以用吗？孕妇能用吗"),
    ("douyin", "comment", "主播讲得好清楚，已下单"),
    ("douyin", "comment", "这个价格也太香了吧，什么时候补货"),
    ("xiaohongshu", "comment", "姐妹这个色号黄皮能用吗"),
    ("xiaohongshu", "comment", "用了一个月，痘印真的淡了，回购了"),
    ("xiaohongshu", "comment", "求问和 XX 家的精华比哪个好"),
    ("xiaohongshu", "comment", "广告吧？我用了完全没效果"),
    ("weibo", "mention", "@青柑官方 你们家客服三天都不回消息，差评"),
    ("weibo", "mention", "@青柑官方 新品试用装什么时候开抢？"),
    ("weibo", "comment", "转发抽奖，希望是我"),
    ("weibo", "comment", "已经第三次回购了，味道很好闻"),
    ("taobao", "review", "物流很快，第二天就到了，质地清爽不油腻，好评"),
    ("taobao", "review", "瓶子漏液了，到手少了一半，申请退款"),
    ("taobao", "review", "和图片颜色不一样，有色差，不太满意"),
    ("taobao", "review", "客服态度很好，耐心解答，会继续支持"),
    ("taobao", "review", "用了脸上起红疹，已经停用，要求退货退款"),
    ("zhihu", "comment", "这个成分表里的烟酰胺浓度是多少？"),
]
VIP_MESSAGES: list[tuple[str, str, str]] = [
    ("wechat_oa", "dm", "我是你们的老会员了，这次收到的货是过期的，太失望了，必须给个说法"),
    ("douyin", "dm", "会员日的券怎么用不了？我买了三年了第一次遇到"),
    ("xiaohongshu", "comment", "一直很喜欢你们家，这次新品也很惊艳"),
]
CRISIS_MESSAGES = [
    "用了你们的新品脸上过敏了，又红又痒，怎么回事？",
    "同过敏！抹完十分钟就刺痛，已经去医院了",
    "这批精华是不是有问题，我也过敏了",
    "过敏+1，要求退款并给出检测报告",
    "用完脸肿了，你们必须负责",
    "看到这么多人过敏我都不敢用了，申请退货",
    "质量太差了，用了起疹子，投诉",
    "过敏了，客服也不回，垃圾",
    "脸上全是红点，刺痛，太可怕了",
]
NICKNAMES = [
    "柚子不加糖",
    "小鹿乱撞",
    "晚风",
    "奶茶续命",
    "早睡冠军",
    "一颗柠檬",
    "阿狸",
    "Momo",
    "林小满",
    "山有木兮",
    "月亮邮递员",
    "芒果布丁",
    "是小周啊",
    "雪碧",
]
REPLIES = [
    "{昵称}您好，已为您查询，订单今天发出，请留意物流信息～",
    "感谢喜欢！有任何使用问题随时找我们哦",
    "亲，这款油皮也可以用，建议先在耳后试用",
    "非常抱歉给您带来不好的体验，已私信您处理退换",
    "链接已私信发您啦，记得领券再下单",
]
SAVED_REPLIES = [
    ("问候", "{昵称}您好，我是青柑客服，很高兴为您服务～"),
    ("物流查询", "{昵称}您好，请提供订单号后四位，我们马上为您查询{商品}的物流。"),
    ("过敏安抚", "{昵称}非常抱歉！请先停用并用清水冲洗，我们已安排专人联系您，费用由我们承担。"),
    ("求链接", "{昵称}，{商品}的链接已私信您，记得领取新客券哦～"),
]


def seed_inbox(workspace: Workspace, users: dict[str, User]) -> None:
    if Message.objects.filter(workspace=workspace).exists():
        return
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        _setup(workspace, users)
        for account in ChannelAccount.objects.filter(workspace=workspace, simulated=True):
            polling.poll_account(account)
        rng = random.Random(SEED)
        now = timezone.now()
        _conversations(workspace, users, rng, now)
        _answer_some(workspace, users, rng, now)
        _crisis_hour(workspace, rng, now)
        # Conversations answered days ago are done with.
        done = Thread.objects.filter(
            workspace=workspace, status="pending", last_message_at__lt=now - timedelta(days=3)
        )
        actions.set_status(actor=users["demo-operator"], threads=list(done), status="closed")
        from fanloop.inbox import crisis, sla

        crisis.evaluate_crisis(now=now)
        sla.flag_breaches(now=now)


def _setup(workspace: Workspace, users: dict[str, User]) -> None:
    admin, operator = users["demo-admin"], users["demo-operator"]
    setup.update_settings(
        actor=admin,
        workspace=workspace,
        business_hours={
            **{str(day): [["09:00", "12:00"], ["13:00", "21:00"]] for day in range(5)},
            "5": [["10:00", "18:00"]],
        },
        platform_reply_minutes={"weibo": 60, "douyin": 60, "taobao": 240},
        reply_rate_target=0.8,
    )
    team = setup.save_team(
        actor=admin, workspace=workspace, name="客服一组", members=[operator, admin]
    )
    for name, color in (
        ("物流", "info"),
        ("质量", "danger"),
        ("好评", "success"),
        ("售后", "warning"),
    ):
        setup.save_tag(actor=operator, workspace=workspace, name=name, color=color)
    for title, body in SAVED_REPLIES:
        setup.save_saved_reply(actor=operator, workspace=workspace, title=title, body=body)
    setup.save_rule(
        actor=admin,
        workspace=workspace,
        name="VIP 差评优先",
        sentiment="negative",
        vip_only=True,
        assign_to=operator,
    )
    setup.save_rule(
        actor=admin,
        workspace=workspace,
        name="售后关键词",
        keywords=["退货", "退款", "过敏", "漏液", "补发"],
        team=team,
        round_robin=True,
    )
    setup.heartbeat(user=operator, workspace=workspace)


def _when(rng: random.Random, now: datetime) -> datetime:
    """A time in the last two weeks, busiest in the evening like real fans."""
    day = rng.randrange(DAYS)
    # Hours 0-23: quiet nights, a lunch bump and a busy evening (the demo team works to 21:00).
    hour = rng.choices(
        range(24), weights=[1] * 7 + [2] * 2 + [4] * 3 + [5] * 2 + [4] * 4 + [8] * 4 + [2] * 2
    )[0]
    local = timezone.localtime(now) - timedelta(days=day)
    moment = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    return min(moment, now - timedelta(minutes=rng.randrange(5, 90)))


def _accounts(workspace: Workspace) -> dict[str, ChannelAccount]:
    return {a.platform: a for a in ChannelAccount.objects.filter(workspace=workspace)}


def _conversations(
    workspace: Workspace, users: dict[str, User], rng: random.Random, now: datetime
) -> None:
    accounts = _accounts(workspace)
    batch = []
    for round_number in range(5):
        for index, (platform, kind, text) in enumerate(FAN_MESSAGES):
            batch.append(
                IncomingMessage(
                    platform=platform,
                    remote_id=f"demo-{platform}-{round_number}-{index}",
                    kind=kind,
                    text=text,
                    author_id=f"demo-fan-{rng.randrange(10_000)}",
                    author_name=rng.choice(NICKNAMES),
                    sent_at=_when(rng, now),
                    account=accounts.get(platform),
                )
            )
    for index, (platform, kind, text) in enumerate(VIP_MESSAGES):
        batch.append(
            IncomingMessage(
                platform=platform,
                remote_id=f"demo-vip-{index}",
                kind=kind,
                text=text,
                author_id=f"demo-vip-{index}",
                author_name=["王女士（黑金会员）", "陈先生", "Lily 老会员"][index],
                sent_at=now - timedelta(hours=index * 5 + 1),
                account=accounts.get(platform),
                is_vip=True,
            )
        )
    ingest(workspace=workspace, messages=batch, source=MessageSource.WEBHOOK)


def _answer_some(
    workspace: Workspace, users: dict[str, User], rng: random.Random, now: datetime
) -> None:
    """Answer about three in four waiting conversations, minutes to hours later, as the
    operator or the admin would have; the newest stay waiting for today's shift."""
    people = [users["demo-operator"], users["demo-admin"]]
    replies = []
    threads = Thread.objects.filter(workspace=workspace, waiting_since__isnull=False)
    for thread in threads.select_related("account", "author").order_by("waiting_since"):
        waited = thread.waiting_since
        assert waited is not None
        if now - waited < timedelta(hours=3) or rng.random() < 0.12:
            continue
        answered = waited + timedelta(minutes=rng.choice([4, 12, 25, 50, 90, 180, 420]))
        if answered >= now:
            continue
        account = thread.account
        last = actions.last_inbound(thread)
        assert last is not None
        replies.append(
            IncomingMessage(
                platform=thread.platform,
                remote_id=f"demo-reply-{thread.pk}",
                kind="dm" if thread.kind == "dm" else "reply",
                text=rng.choice(REPLIES).replace("{昵称}", thread.author.nickname),
                author_id=f"account:{account.pk}" if account else "workspace",
                author_name=account.display_name if account else workspace.name,
                sent_at=answered,
                account=account,
                parent_remote_id=last.remote_id if thread.kind != "dm" else "",
                post_remote_id=thread.post_remote_id,
                direction=Direction.OUTBOUND,
                sent_by=rng.choice(people),
            )
        )
    ingest(workspace=workspace, messages=replies, source=MessageSource.MANUAL)


def _crisis_hour(workspace: Workspace, rng: random.Random, now: datetime) -> None:
    account = _accounts(workspace).get("weibo")
    if account is None:
        return
    last_hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    burst = [
        IncomingMessage(
            platform="weibo",
            remote_id=f"demo-crisis-{index}",
            kind="comment",
            text=text,
            author_id=f"demo-crisis-fan-{index}",
            author_name=rng.choice(NICKNAMES),
            sent_at=last_hour + timedelta(minutes=3 + index * 6),
            account=account,
            post_remote_id="",
        )
        for index, text in enumerate(CRISIS_MESSAGES)
    ]
    ingest(workspace=workspace, messages=burst, source=MessageSource.WEBHOOK)
