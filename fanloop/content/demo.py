"""Demo content for the demo campaigns, written through the services like real work.

A newcomer should see the whole review loop at once: a two-step review chain, approved
and scheduled variants on the calendar, one waiting for compliance with blocking
findings highlighted, one sent back with a comment thread, and drafts.
"""

from datetime import datetime, timedelta
from io import BytesIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from fanloop.campaigns.models import Campaign
from fanloop.content import services
from fanloop.content.models import ContentItem, MediaAsset, ReviewStep, Variant
from fanloop.core.models import User, Workspace

LIVE_CAMPAIGN = "新品上市 · 青柑清透防晒乳"
MARKER = "青柑防晒 · 通勤实测"


def _image(colour: tuple[int, int, int], size: tuple[int, int], label: str) -> bytes:
    picture = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 40, size[0] - 40, size[1] - 40), outline=(255, 255, 255), width=8)
    draw.text((80, 80), label, fill=(255, 255, 255))
    out = BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _media(workspace: Workspace, writer: User) -> list[MediaAsset]:
    shots = [
        ((238, 160, 70), (1080, 1440), "product 3:4", "产品主图", ["主图", "防晒"]),
        ((90, 160, 120), (1080, 1080), "texture 1:1", "质地特写", ["质地"]),
        ((60, 110, 180), (900, 383), "cover 2.35:1", "公众号封面", ["封面"]),
    ]
    assets = []
    for colour, size, label, title, tags in shots:
        asset, _created = services.upload_media(
            actor=writer,
            workspace=workspace,
            upload=BytesIO(_image(colour, size, label)),
            filename=f"{title}.png",
            title=title,
            tags=tags,
        )
        assets.append(asset)
    return assets


def _slot(days: int, hour: int) -> datetime:
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _copy(actor: User, variant: Variant, **data: object) -> Variant:
    return services.update_variant(actor=actor, variant=variant, data=data)


def _item(actor: User, workspace: Workspace, platforms: list[str], **data: object) -> ContentItem:
    return services.create_item(actor=actor, workspace=workspace, data=data, platforms=platforms)


def seed_content(workspace: Workspace, users: dict[str, User]) -> None:
    # Stored findings keep the language they were checked in: the product's default.
    with translation.override(settings.LANGUAGE_CODE):
        _seed(workspace, users)


@transaction.atomic
def _seed(workspace: Workspace, users: dict[str, User]) -> None:
    if ContentItem.objects.filter(workspace=workspace, title=MARKER).exists():
        return
    admin, writer = users["demo-admin"], users["demo-content"]
    lead, reviewer, operator = (
        users["demo-marketing"],
        users["demo-reviewer"],
        users["demo-operator"],
    )
    campaign = Campaign.objects.filter(workspace=workspace, name=LIVE_CAMPAIGN).first()
    if not ReviewStep.objects.filter(workspace=workspace).exists():
        services.set_review_steps(
            actor=admin,
            workspace=workspace,
            steps=[
                {"name": "内容主管审核", "role": "marketing"},
                {"name": "合规审核", "role": "reviewer"},
            ],
        )
    product, texture, cover = _media(workspace, writer)
    services.save_template(
        actor=writer,
        workspace=workspace,
        data={
            "name": "小红书种草笔记",
            "content_type": "note",
            "purpose": "tutorial",
            "title": "【真实测评】",
            "body": "🌟 使用场景：\n🌟 上脸感受：\n🌟 适合人群：\n🌟 小结：",
            "topics": ["真实测评", "好物分享"],
            "platforms": ["xiaohongshu", "weibo"],
        },
    )
    common = {"campaign": campaign, "product_kind": "cosmetics", "special_cosmetic": True}

    # 1. Approved and scheduled: the tutorial note, in the calendar this week.
    note = _item(
        writer,
        workspace,
        ["xiaohongshu", "weibo", "douyin"],
        title=MARKER,
        content_type="note",
        purpose="tutorial",
        key_message="水感质地不搓泥，通勤一整天不假白。",
        tags=["防晒", "通勤", "测评"],
        **common,
    )
    xhs, weibo, douyin = (note.variants.get(platform=p) for p in ("xiaohongshu", "weibo", "douyin"))
    _copy(
        writer,
        xhs,
        title="通勤防晒实测｜一整天不假白",
        body=(
            "连续用了两周青柑清透防晒乳，早上八点出门，晚上七点到家，"
            "T 区只是微微出油，没有搓泥。质地像乳液一样水润，上脸几秒就吸收，"
            "后续上粉底也服帖。SPF50+ PA++++，适合每天通勤的你。"
        ),
        topics=["通勤防晒", "防晒测评", "夏日护肤"],
        media=[product.pk, texture.pk],
    )
    _copy(
        writer,
        weibo,
        body="通勤党看过来：青柑清透防晒乳两周实测，水感不搓泥，一整天不假白。新品首发 79 元。",
        topics=["通勤防晒"],
        media=[product.pk],
    )
    _copy(
        writer,
        douyin,
        title="通勤防晒一整天实测",
        body="早八到晚七，跟我一起看看这支防晒的持妆表现。",
        topics=["防晒", "通勤"],
        media=[product.pk, texture.pk],
    )
    for variant in (xhs, weibo, douyin):
        services.transition(actor=writer, variant=variant, name="submit")
    for variant in (xhs, weibo):
        services.transition(actor=lead, variant=variant, name="approve", note="卖点清楚")
        services.transition(actor=reviewer, variant=variant, name="approve", note="无违规用语")
    services.transition(actor=operator, variant=xhs, name="schedule", planned_at=_slot(1, 12))
    services.transition(actor=operator, variant=weibo, name="schedule", planned_at=_slot(2, 20))
    # The Douyin cut passed the content lead and now waits for compliance.
    services.transition(actor=lead, variant=douyin, name="approve")

    # 2. A hard ad in review with blocking findings, highlighted for the reviewer.
    launch = _item(
        writer,
        workspace,
        ["weibo", "wechat_oa"],
        title="新品首发 79 元",
        content_type="image_text",
        purpose="hard_ad",
        key_message="首发价 79 元，前 1000 名送同款小样。",
        tags=["首发", "促销"],
        **common,
    )
    hard_weibo = launch.variants.get(platform="weibo")
    _copy(
        writer,
        hard_weibo,
        body=(
            "【广告】全网最低价！青柑清透防晒乳首发 79 元，销量第一的国货防晒，"
            "仅此一次，再不抢就没了！"
        ),
        topics=["新品首发"],
        media=[product.pk],
        planned_at=_slot(3, 12),
    )
    services.transition(actor=writer, variant=hard_weibo, name="submit")
    services.add_comment(
        actor=lead,
        variant=hard_weibo,
        body=f"@{reviewer.username} “销量第一”有第三方数据吗？没有的话这几处标红的词要改。",
    )
    _copy(
        writer,
        launch.variants.get(platform="wechat_oa"),
        title="新品首发｜青柑清透防晒乳 79 元",
        body="夏天来了，防晒要趁早。青柑清透防晒乳今日首发，点击阅读原文购买。",
        cover=cover.pk,
    )

    # 3. Sponsored KOL note sent back: no cooperation label, off-platform contact.
    kol = _item(
        writer,
        workspace,
        ["xiaohongshu"],
        title="KOL 合作 · 小鹿的通勤妆",
        content_type="note",
        purpose="ugc_story",
        sponsored=True,
        tags=["KOL"],
        **common,
    )
    kol_note = kol.variants.get()
    _copy(
        writer,
        kol_note,
        title="打工人通勤妆｜防晒是第一步",
        body="每天早上 10 分钟搞定通勤妆，第一步一定是防晒！想要同款的姐妹加我微信领小样～",
        topics=["通勤妆", "打工人"],
        media=[texture.pk],
    )
    services.transition(actor=writer, variant=kol_note, name="submit")
    services.transition(
        actor=lead,
        variant=kol_note,
        name="request_changes",
        note="合作笔记要加品牌合作标识；不能引导加微信。",
    )
    first = services.add_comment(
        actor=lead, variant=kol_note, body=f"@{writer.username} 按平台规范改一下再提交。"
    )
    services.add_comment(actor=writer, variant=kol_note, body="收到，今天改完。", parent=first)

    # 4. Drafts: value content for the WeChat account and Zhihu.
    knowledge = _item(
        writer,
        workspace,
        ["wechat_oa", "zhihu"],
        title="防晒小知识：SPF 和 PA 怎么看",
        content_type="article",
        purpose="knowledge",
        tags=["科普"],
        **common,
    )
    _copy(
        writer,
        knowledge.variants.get(platform="wechat_oa"),
        title="SPF 和 PA 到底怎么看？一篇讲清楚",
        body=(
            "SPF 衡量的是对 UVB 的防护，PA 的加号衡量的是对 UVA 的防护。"
            "通勤选 SPF30、PA+++ 就够用，户外活动再往上选，并记得每两到三小时补涂。"
        ),
        cover=cover.pk,
    )
