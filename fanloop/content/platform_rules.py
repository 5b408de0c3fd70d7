"""Per-platform publishing limits: ONE table in code, with the source of every number.

Pure Python (no database, no models) so services, views, the API and tasks can all use it.

Every number is a :class:`Limit` carrying where it comes from. A number we could not confirm
is ``Limit(None, "unknown: ...")`` and its check is skipped: we never invent a limit. Sources
say whether they are an official platform document ("official") or a widely cited creator
guide / community tool ("widely cited"), and when they were looked up.

How lengths are counted: :func:`text_length`. Weibo counts two ASCII characters as one 字
(rounded up); every other platform counts Unicode code points (``len``), which is how the
official documents phrase "字"/"字符" as far as we could tell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from fanloop.core.platforms import Platform

LOOKED_UP = "2026-11-23"

TOPIC_STYLES = ("double_hash", "single_hash", "none")
MEDIA_REQUIRED = ("none", "image_or_video", "video", "image")
ASPECT_TOLERANCE = 0.02  # 2 % either way counts as the recommended ratio


@dataclass(frozen=True)
class Limit:
    value: int | float | None  # None = unknown (never invent a number)
    source: str

    @property
    def known(self) -> bool:
        return self.value is not None


def _official(text: str) -> str:
    return f"official: {text} (looked up {LOOKED_UP})"


def _cited(text: str) -> str:
    return f"widely cited, not official: {text} (looked up {LOOKED_UP})"


def _unknown(detail: str = "no public documentation found") -> Limit:
    return Limit(None, f"unknown: {detail} (searched {LOOKED_UP})")


@dataclass(frozen=True)
class PlatformRules:
    platform: str
    title_max: Limit
    title_required: bool
    body_max: Limit
    body_required: bool
    topic_style: str
    topics_max: Limit
    images_max: Limit
    videos_max: Limit
    media_required: str
    video_duration_max_seconds: Limit
    aspect_ratios: tuple[str, ...]  # recommended media ratios; empty = unknown
    cover_required: bool
    variant: str = ""  # "" = the platform's default format
    media_kinds: tuple[str, ...] = ("image", "video")  # kinds the format accepts
    mixed_media_allowed: bool | None = None  # images and videos in one post; None = unknown
    attachments_max: Limit = field(default_factory=_unknown)  # images + videos together
    mentions_max: Limit = field(default_factory=_unknown)
    link_allowed: bool | None = None  # None = unknown
    link_max_bytes: Limit = field(default_factory=_unknown)
    cover_only_with_video: bool = False  # cover_required applies only when a video is attached
    cover_aspect_ratios: tuple[str, ...] = ()
    extra_limits: tuple[tuple[str, Limit], ...] = ()  # shown in the table, not checked
    requirements_source: str = ""  # where the *_required / kinds / cover facts come from
    aspect_source: str = ""
    notes: str = ""

    def limits(self) -> dict[str, Limit]:
        """Every checked limit by name (for the rules table)."""
        return {
            "title_max": self.title_max,
            "body_max": self.body_max,
            "topics_max": self.topics_max,
            "images_max": self.images_max,
            "videos_max": self.videos_max,
            "attachments_max": self.attachments_max,
            "video_duration_max_seconds": self.video_duration_max_seconds,
            "mentions_max": self.mentions_max,
            "link_max_bytes": self.link_max_bytes,
        }


@dataclass(frozen=True)
class MediaInfo:
    kind: str  # "image" | "video"
    width: int | None
    height: int | None
    duration_seconds: float | None


@dataclass(frozen=True)
class RuleProblem:
    field: str  # "title" | "body" | "topics" | "mentions" | "media" | "cover" | "link"
    code: str
    severity: str  # "error" | "warning"
    message: str
    limit: float | None
    actual: float | None


# --- the table ---------------------------------------------------------------------------

_WX_DRAFT = "WeChat OA draft/add (新增草稿) API, https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add"
_WECOM_TPL = "WeCom 创建企业群发 externalcontact/add_msg_template, https://developer.work.weixin.qq.com/document/path/92135"
_WECOM_JS = (
    "WeCom wx.qy.shareToExternalContact, https://developer.work.weixin.qq.com/document/path/96997"
)
_WEIBO_SHARE = "Weibo open API statuses/share, https://open.weibo.com/wiki/2/statuses/share"
_DOUYIN_PUB = "Douyin open platform 抖音内容发布接入方案, https://open.douyin.com/platform/resource/docs/ability/content-management/douyin-publish-solution"
_XHS_TOOLS = (
    "Xiaohongshu creator tooling: github.com/ShunL12324/xhs-mcp "
    "docs/en/api/xhs_publish_content.md; skills.sh autoclaw-cc/xiaohongshu-mcp-skills post-to-xhs"
)

WECHAT_OA_ARTICLE = PlatformRules(
    platform=Platform.WECHAT_OA,
    variant="article",
    title_max=Limit(32, _official(f"{_WX_DRAFT} — title 总长度不超过32个字")),
    title_required=True,
    body_max=Limit(
        19999,
        _official(f"{_WX_DRAFT} — content 必须少于2万字符, 小于1M (HTML tags count too)"),
    ),
    body_required=True,
    topic_style="none",
    topics_max=_unknown("WeChat OA articles have no hashtag topics"),
    images_max=_unknown("no documented limit on images inside an article"),
    videos_max=_unknown(),
    media_required="none",
    video_duration_max_seconds=_unknown(),
    aspect_ratios=(),
    cover_required=True,
    cover_aspect_ratios=("2.35:1", "1:1"),
    link_allowed=True,
    link_max_bytes=Limit(1024, _official(f"{_WX_DRAFT} — content_source_url 不可超过1 kb")),
    extra_limits=(
        ("author_max", Limit(16, _official(f"{_WX_DRAFT} — author 总长度不超过16个字"))),
        ("digest_max", Limit(128, _official(f"{_WX_DRAFT} — digest 总长度不超过128个字"))),
        ("content_max_bytes", Limit(1_000_000, _official(f"{_WX_DRAFT} — content 小于1M"))),
    ),
    requirements_source=_official(
        f"{_WX_DRAFT} — title/content 必填; thumb_media_id 为图文消息(news)时必填"
    ),
    aspect_source=_official(f"{_WX_DRAFT} — cover crops pic_crop_235_1 and pic_crop_1_1"),
    notes="The brief's '2 MB' content size is not what the doc says: it says < 1M.",
)

WECHAT_OA_NEWSPIC = PlatformRules(
    platform=Platform.WECHAT_OA,
    variant="newspic",
    title_max=WECHAT_OA_ARTICLE.title_max,
    title_required=True,
    body_max=WECHAT_OA_ARTICLE.body_max,
    body_required=True,
    topic_style="none",
    topics_max=WECHAT_OA_ARTICLE.topics_max,
    images_max=Limit(
        20,
        _cited(
            "1–20 images per 图片消息 (newspic): github.com/lpreterite/wx-newspic wiki "
            "Commands-Publish; glama.ai weinh/wechat_mcp_publisher — not in the official doc"
        ),
    ),
    videos_max=Limit(0, _official(f"{_WX_DRAFT} — newspic is a picture message")),
    media_required="image",
    video_duration_max_seconds=_unknown("not applicable: picture messages take no video"),
    aspect_ratios=(),
    cover_required=False,
    media_kinds=("image",),
    mixed_media_allowed=False,
    link_allowed=None,
    requirements_source=_official(
        f"{_WX_DRAFT} — article_type newspic 图片消息; thumb_media_id only required for news"
    ),
)

WECOM = PlatformRules(
    platform=Platform.WECOM,
    title_max=_unknown("not applicable: group messages have no title"),
    title_required=False,
    body_max=Limit(4000, _official(f"{_WECOM_JS} — 文本最多支持传入4000个字")),
    body_required=False,
    topic_style="none",
    topics_max=_unknown("WeCom group messages have no topics"),
    images_max=_unknown("only the combined attachment limit is documented"),
    videos_max=_unknown("only the combined attachment limit is documented"),
    media_required="none",
    video_duration_max_seconds=_unknown(),
    aspect_ratios=(),
    cover_required=False,
    attachments_max=Limit(9, _official(f"{_WECOM_TPL} — 支持最多同时发送9个附件")),
    link_allowed=True,
    requirements_source=_official(f"{_WECOM_TPL} — text and attachments (image/link/video/…)"),
    notes=(
        "The server doc's exact text limit (characters vs bytes) was not visible; the 4,000 "
        "figure is the JS-SDK's '4000个字'. Each customer/group receives a limited number of "
        "mass messages per month."
    ),
)

WEIBO = PlatformRules(
    platform=Platform.WEIBO,
    title_max=_unknown("not applicable: Weibo posts have no title"),
    title_required=False,
    body_max=Limit(
        2000,
        _cited(
            "Weibo lifted the 140-character cap to 2,000 characters in Jan/Feb 2016 "
            "(SBS/AAP news 'Sina Weibo allows 2000-character posts'; netboosterasia.cn "
            "'Weibo ends 140-character limit'); no current official page found"
        ),
    ),
    body_required=True,
    topic_style="double_hash",
    topics_max=_unknown(),
    images_max=_unknown("9 vs 18 images both circulate; neither confirmed"),
    videos_max=_unknown(),
    media_required="none",
    video_duration_max_seconds=_unknown(),
    aspect_ratios=(),
    cover_required=False,
    link_allowed=True,
    extra_limits=(
        (
            "api_share_body_max",
            Limit(
                140,
                _official(
                    f"{_WEIBO_SHARE} — status 内容不超过140个汉字, 文本中不能包含'#话题词#', "
                    "must contain a URL of the app's bound domain"
                ),
            ),
        ),
    ),
    requirements_source=_official(f"{_WEIBO_SHARE} — status is required"),
    notes=(
        "Counting: two ASCII characters count as one 字, rounded up (widely cited community "
        "counters, e.g. gist.github.com/lvyile/911606, cnblogs.com/bennman/p/2186125.html). "
        "Posting through statuses/share is capped at 140 字 and forbids #topics#."
    ),
)

XIAOHONGSHU = PlatformRules(
    platform=Platform.XIAOHONGSHU,
    title_max=Limit(20, _cited(f"{_XHS_TOOLS} — title max 20 characters")),
    title_required=True,
    body_max=Limit(
        1000,
        _cited(
            "body ≤ 1000 characters: github.com/adjfks/corner-skills write-xiaohongshu "
            "SKILL.md and other creator skills"
        ),
    ),
    body_required=False,
    topic_style="single_hash",
    topics_max=_unknown("only advice (5–10 tags) found, no hard cap"),
    images_max=Limit(
        18, _cited("1–18 images per note: creator skills (小红书 平台硬约束 配图 1-18张)")
    ),
    videos_max=Limit(1, _cited(f"{_XHS_TOOLS} — a video note takes one video file")),
    media_required="image_or_video",
    video_duration_max_seconds=_unknown("guides disagree: 60 s, 3 min, 5 min, 15 min"),
    aspect_ratios=("3:4",),
    cover_required=False,
    mixed_media_allowed=False,
    link_allowed=None,
    requirements_source=_cited(
        f"{_XHS_TOOLS} — title required; 图文笔记至少1张图片; 图片和视频不能混用"
    ),
    aspect_source=_cited("creator skills: 推荐3:4竖版 (1080x1440)"),
)

DOUYIN = PlatformRules(
    platform=Platform.DOUYIN,
    title_max=_unknown("conflicting figures: 20/30 字 (creator-center tools), 60 字 (mini-app)"),
    title_required=False,
    body_max=_unknown("no limit documented for the OpenAPI text field"),
    body_required=False,
    topic_style="single_hash",
    topics_max=_unknown(),
    images_max=Limit(
        35,
        _cited(
            "图文 up to 35 images: glama.ai panwenda/douyin-publish-mcp and "
            "kungful/douyin-ops-mcp tool docs"
        ),
    ),
    videos_max=Limit(1, _cited("one video per post (creator tooling: single video file)")),
    media_required="image_or_video",
    video_duration_max_seconds=Limit(900, _official(f"{_DOUYIN_PUB} — 时长在15分钟以内, ≤ 4G")),
    aspect_ratios=("9:16",),
    cover_required=False,
    link_allowed=None,
    requirements_source=_official(
        f"{_DOUYIN_PUB} — publishes a video or images; topics '#话题1 #话题2' and "
        "'@nickname' (with at_users open_id) go in the text field"
    ),
    aspect_source=_official(f"{_DOUYIN_PUB} — 推荐上传16:9 … 720p 及以上的竖版视频 (vertical)"),
)

BILIBILI_VIDEO = PlatformRules(
    platform=Platform.BILIBILI,
    variant="video",
    title_max=Limit(
        80,
        _cited(
            "title ≤ 80 characters: github.com/Tina0529/skill-lab bilibili-uploader "
            "SKILL.md; VideoLingo bilibili uploader doc"
        ),
    ),
    title_required=True,
    body_max=_unknown("guides disagree: 250 to 2000 characters depending on category"),
    body_required=False,
    topic_style="single_hash",
    topics_max=Limit(10, _cited("tags ≤ 10: github.com/Tina0529/skill-lab bilibili-uploader")),
    images_max=Limit(0, _cited("a video 稿件 carries videos; images go in a dynamic")),
    videos_max=_unknown("multi-part (多P) uploads exist; no cap found"),
    media_required="video",
    video_duration_max_seconds=_unknown(),
    aspect_ratios=(),
    cover_required=False,
    media_kinds=("video",),
    link_allowed=None,
    requirements_source=_cited(
        "biliup docs (biliup.github.io/biliup-rs/Guide.html): title defaults to the file "
        "name; the cover is optional (auto-captured)"
    ),
)

BILIBILI_DYNAMIC = PlatformRules(
    platform=Platform.BILIBILI,
    variant="dynamic",
    title_max=_unknown("not applicable: dynamics have no title"),
    title_required=False,
    body_max=_unknown(),
    body_required=False,
    topic_style="single_hash",
    topics_max=_unknown(),
    images_max=_unknown(),
    videos_max=Limit(0, _cited("image/text dynamics carry images; videos are 稿件")),
    media_required="none",
    video_duration_max_seconds=_unknown(),
    aspect_ratios=(),
    cover_required=False,
    media_kinds=("image",),
)

ZHIHU = PlatformRules(
    platform=Platform.ZHIHU,
    title_max=_unknown(),
    title_required=False,
    body_max=_unknown(),
    body_required=False,
    topic_style="none",
    topics_max=_unknown(),
    images_max=_unknown(),
    videos_max=_unknown(),
    media_required="none",
    video_duration_max_seconds=_unknown(),
    aspect_ratios=(),
    cover_required=False,
    notes="Zhihu topics are chosen from its topic list, not written inline.",
)

KUAISHOU = PlatformRules(
    platform=Platform.KUAISHOU,
    title_max=_unknown(),
    title_required=False,
    body_max=_unknown(),
    body_required=False,
    topic_style="single_hash",
    topics_max=_unknown(),
    images_max=_unknown(),
    videos_max=_unknown(),
    media_required="image_or_video",
    video_duration_max_seconds=_unknown(),
    aspect_ratios=(),
    cover_required=True,
    cover_only_with_video=True,
    requirements_source=_cited(
        "Kuaishou open platform 创建视频 → 发布视频 requires a cover (<10MB) and a caption, "
        "as listed by Huawei Cloud's Kuaishou connector "
        "(support.huaweicloud.com/usermanual-mssi/mssi_02_3398.html); 图文 posts exist "
        "in the app (dreammis/social-auto-upload upload-note)"
    ),
)

RULES: dict[str, PlatformRules] = {
    Platform.WECHAT_OA: WECHAT_OA_ARTICLE,
    Platform.WECOM: WECOM,
    Platform.WEIBO: WEIBO,
    Platform.DOUYIN: DOUYIN,
    Platform.XIAOHONGSHU: XIAOHONGSHU,
    Platform.BILIBILI: BILIBILI_VIDEO,
    Platform.ZHIHU: ZHIHU,
    Platform.KUAISHOU: KUAISHOU,
}

# Formats whose rules differ by content_type; every other combination uses RULES.
VARIANTS: dict[tuple[str, str], PlatformRules] = {
    (Platform.WECHAT_OA, "image_text"): WECHAT_OA_NEWSPIC,
    (Platform.WECHAT_OA, "note"): WECHAT_OA_NEWSPIC,
    (Platform.BILIBILI, "image_text"): BILIBILI_DYNAMIC,
    (Platform.BILIBILI, "note"): BILIBILI_DYNAMIC,
}


def rules_for(platform: str, content_type: str = "") -> PlatformRules:
    """The rules for a platform (and content type, where the platform's rules depend on it)."""
    variant = VARIANTS.get((platform, content_type))
    if variant is not None:
        return variant
    try:
        return RULES[platform]
    except KeyError:
        raise ValueError(f"No publishing rules for platform '{platform}'") from None


# --- counting and topics -------------------------------------------------------------------


def text_length(platform: str, text: str) -> int:
    """Length of ``text`` the way ``platform`` counts it.

    Weibo: every non-ASCII character is one 字 and every two ASCII characters (letters,
    digits, spaces, punctuation) are one 字, rounded up — the counter used by widely cited
    community implementations of Weibo's composer (gist.github.com/lvyile/911606,
    cnblogs.com/bennman/p/2186125.html). Other platforms: Unicode code points.
    """
    if platform == Platform.WEIBO:
        ascii_count = sum(1 for ch in text if ord(ch) < 128)
        return (len(text) - ascii_count) + math.ceil(ascii_count / 2)
    return len(text)


_TOPIC_STOP = r"\s#＃，。！？、；：,.!?;:()（）【】\[\]\"'“”‘’<>《》"
_DOUBLE_HASH_RE = re.compile(r"[#＃]([^#＃\n]+?)[#＃]")
_SINGLE_HASH_RE = re.compile(rf"(?<![/&=A-Za-z0-9])[#＃]([^{_TOPIC_STOP}]+)")


def parse_topics(platform: str, text: str) -> list[str]:
    """Topics written inline in ``text`` in the platform's style, in order, without repeats."""
    style = rules_for(platform).topic_style
    if style == "double_hash":
        found = [m.group(1).strip() for m in _DOUBLE_HASH_RE.finditer(text)]
    elif style == "single_hash":
        found = [m.group(1) for m in _SINGLE_HASH_RE.finditer(text)]
    else:
        return []
    seen: list[str] = []
    for topic in found:
        if topic and topic not in seen:
            seen.append(topic)
    return seen


def format_topic(platform: str, topic: str) -> str:
    """``"双11"`` -> ``"#双11#"`` on Weibo, ``"#双11"`` on single-hash platforms.

    Single-hash topics end at a space or the end of the text; the caller adds the space.
    Leading/trailing ``#`` on the input are dropped, so formatting twice is harmless.
    """
    name = topic.strip().strip("#＃").strip()
    style = rules_for(platform).topic_style
    if style == "double_hash":
        return f"#{name}#"
    if style == "single_hash":
        return f"#{name}"
    return name


# --- checks -------------------------------------------------------------------------------


def _ratio(text: str) -> float:
    width, height = text.split(":")
    return float(width) / float(height)


def _matches_ratio(width: int, height: int, ratios: tuple[str, ...]) -> bool:
    actual = width / height
    return any(abs(actual / _ratio(r) - 1) <= ASPECT_TOLERANCE for r in ratios)


def _label(platform: str) -> str:
    try:
        return str(Platform(platform).label)
    except ValueError:
        return platform


def _num(value: float) -> str:
    return f"{value:g}"


def _check_text(
    rules: PlatformRules, field_name: str, text: str, *, required: bool, limit: Limit
) -> list[RuleProblem]:
    label = _label(rules.platform)
    if required and not text.strip():
        if field_name == "title":
            msg = _("%(platform)s requires a title.") % {"platform": label}
        else:
            msg = _("%(platform)s requires body text.") % {"platform": label}
        return [RuleProblem(field_name, f"{field_name}_required", "error", msg, None, 0)]
    if text and limit.value is not None:
        actual = text_length(rules.platform, text)
        if actual > limit.value:
            if field_name == "title":
                template = _(
                    "The title is %(actual)s characters long; %(platform)s allows at most "
                    "%(limit)s."
                )
            else:
                template = _(
                    "The body text is %(actual)s characters long; %(platform)s allows at most "
                    "%(limit)s."
                )
            msg = template % {
                "actual": actual,
                "platform": label,
                "limit": _num(limit.value),
            }
            return [
                RuleProblem(field_name, f"{field_name}_too_long", "error", msg, limit.value, actual)
            ]
    return []


def _check_topics(rules: PlatformRules, topics: list[str], body: str) -> list[RuleProblem]:
    problems: list[RuleProblem] = []
    label = _label(rules.platform)
    example = format_topic(rules.platform, "话题")
    for topic in topics:
        if not topic.strip() or re.search(r"[\s#＃]", topic):
            msg = _(
                "The topic “%(topic)s” is not valid: a topic must not be empty or contain "
                "spaces or “#”. On %(platform)s it is written as %(example)s."
            ) % {"topic": topic, "platform": label, "example": example}
            problems.append(RuleProblem("topics", "topic_invalid", "error", msg, None, None))
    if rules.topics_max.value is not None:
        distinct: list[str] = []
        for topic in [t.strip() for t in topics] + parse_topics(rules.platform, body):
            if topic and topic not in distinct:
                distinct.append(topic)
        if len(distinct) > rules.topics_max.value:
            msg = _("%(actual)s topics used; %(platform)s allows at most %(limit)s.") % {
                "actual": len(distinct),
                "platform": label,
                "limit": _num(rules.topics_max.value),
            }
            problems.append(
                RuleProblem(
                    "topics", "too_many_topics", "error", msg, rules.topics_max.value, len(distinct)
                )
            )
    return problems


def _check_mentions(rules: PlatformRules, mentions: list[str]) -> list[RuleProblem]:
    problems: list[RuleProblem] = []
    for mention in mentions:
        if not mention.strip() or re.search(r"[\s@＠]", mention):
            msg = _(
                "The mention “%(mention)s” is not valid: give the plain nickname, without "
                "“@” and without spaces."
            ) % {"mention": mention}
            problems.append(RuleProblem("mentions", "mention_invalid", "error", msg, None, None))
    limit = rules.mentions_max.value
    if limit is not None and len(mentions) > limit:
        msg = _("%(actual)s mentions used; %(platform)s allows at most %(limit)s.") % {
            "actual": len(mentions),
            "platform": _label(rules.platform),
            "limit": _num(limit),
        }
        problems.append(
            RuleProblem("mentions", "too_many_mentions", "error", msg, limit, len(mentions))
        )
    return problems


def _count_message(code: str, zero: bool) -> str:
    if zero:
        return {
            "too_many_images": _(
                "This %(platform)s format does not take images (%(actual)s attached)."
            ),
            "too_many_videos": _(
                "This %(platform)s format does not take videos (%(actual)s attached)."
            ),
            "too_many_attachments": _(
                "This %(platform)s format does not take attachments (%(actual)s attached)."
            ),
        }[code]
    return {
        "too_many_images": _("%(actual)s images attached; %(platform)s allows at most %(limit)s."),
        "too_many_videos": _("%(actual)s videos attached; %(platform)s allows at most %(limit)s."),
        "too_many_attachments": _("%(actual)s attachments; %(platform)s allows at most %(limit)s."),
    }[code]


def _count_problem(code: str, rules: PlatformRules, limit: Limit, actual: int) -> list[RuleProblem]:
    if limit.value is None or actual <= limit.value:
        return []
    msg = _count_message(code, limit.value == 0) % {
        "actual": actual,
        "platform": _label(rules.platform),
        "limit": _num(limit.value),
    }
    return [RuleProblem("media", code, "error", msg, limit.value, actual)]


def _check_media(rules: PlatformRules, media: list[MediaInfo]) -> list[RuleProblem]:
    problems: list[RuleProblem] = []
    label = _label(rules.platform)
    images = [m for m in media if m.kind == "image"]
    videos = [m for m in media if m.kind == "video"]
    for kind, items in (("image", images), ("video", videos)):
        if items and kind not in rules.media_kinds:
            code = "too_many_images" if kind == "image" else "too_many_videos"
            msg = _count_message(code, zero=True) % {"platform": label, "actual": len(items)}
            problems.append(
                RuleProblem("media", "media_kind_not_allowed", "error", msg, 0, len(items))
            )
    if images and videos and rules.mixed_media_allowed is False:
        msg = _("%(platform)s does not allow images and videos in the same post.") % {
            "platform": label
        }
        problems.append(RuleProblem("media", "mixed_media", "error", msg, None, None))
    if "image" in rules.media_kinds:
        problems += _count_problem("too_many_images", rules, rules.images_max, len(images))
    if "video" in rules.media_kinds:
        problems += _count_problem("too_many_videos", rules, rules.videos_max, len(videos))
    problems += _count_problem("too_many_attachments", rules, rules.attachments_max, len(media))
    present = {"image_or_video": bool(media), "image": bool(images), "video": bool(videos)}
    if not present.get(rules.media_required, True):
        template = {
            "image_or_video": _("%(platform)s requires an image or a video."),
            "image": _("%(platform)s requires at least one image."),
            "video": _("%(platform)s requires a video."),
        }[rules.media_required]
        msg = template % {"platform": label}
        problems.append(RuleProblem("media", "media_required", "error", msg, None, 0))
    max_seconds = rules.video_duration_max_seconds.value
    for video in videos:
        seconds = video.duration_seconds
        if max_seconds is None or seconds is None or seconds <= max_seconds:
            continue
        msg = _(
            "The video is %(actual)s seconds long; %(platform)s allows at most %(limit)s seconds."
        ) % {"actual": _num(round(seconds, 1)), "platform": label, "limit": _num(max_seconds)}
        problems.append(RuleProblem("media", "video_too_long", "error", msg, max_seconds, seconds))
    for item in media:
        problems += _aspect_problem("media", "aspect_ratio", rules, item, rules.aspect_ratios)
    return problems


def _aspect_problem(
    field_name: str, code: str, rules: PlatformRules, item: MediaInfo, ratios: tuple[str, ...]
) -> list[RuleProblem]:
    if not ratios or not item.width or not item.height:
        return []
    if _matches_ratio(item.width, item.height, ratios):
        return []
    actual = item.width / item.height
    if item.kind == "image":
        template = _(
            "The image is %(width)s×%(height)s (ratio %(actual)s); %(platform)s recommends "
            "%(ratios)s."
        )
    else:
        template = _(
            "The video is %(width)s×%(height)s (ratio %(actual)s); %(platform)s recommends "
            "%(ratios)s."
        )
    msg = template % {
        "width": item.width,
        "height": item.height,
        "actual": f"{actual:.2f}",
        "platform": _label(rules.platform),
        "ratios": ", ".join(ratios),
    }
    return [
        RuleProblem(field_name, code, "warning", msg, round(_ratio(ratios[0]), 4), round(actual, 4))
    ]


def check_variant(
    platform: str,
    *,
    title: str,
    body: str,
    topics: list[str],
    mentions: list[str],
    media: list[MediaInfo],
    cover: MediaInfo | None,
    link: str = "",
    content_type: str = "",
) -> list[RuleProblem]:
    """Every way this variant breaks the platform's documented rules (empty = fine).

    ``content_type`` ("image_text", "short_video", "live_plan", "article", "note") only
    matters where the platform's rules depend on it (WeChat OA newspic, Bilibili dynamic).
    Unknown limits are skipped. Aspect ratios outside the recommended set are warnings.
    """
    rules = rules_for(platform, content_type)
    problems = _check_text(
        rules, "title", title, required=rules.title_required, limit=rules.title_max
    )
    problems += _check_text(rules, "body", body, required=rules.body_required, limit=rules.body_max)
    problems += _check_topics(rules, topics, body)
    problems += _check_mentions(rules, mentions)
    problems += _check_media(rules, media)
    has_video = any(m.kind == "video" for m in media)
    cover_needed = rules.cover_required and (has_video or not rules.cover_only_with_video)
    if cover is None and cover_needed:
        msg = _("%(platform)s requires a cover image.") % {"platform": _label(platform)}
        problems.append(RuleProblem("cover", "cover_required", "error", msg, None, None))
    if cover is not None:
        problems += _aspect_problem(
            "cover", "cover_aspect_ratio", rules, cover, rules.cover_aspect_ratios
        )
    if link:
        if rules.link_allowed is False:
            msg = _("%(platform)s does not allow links here.") % {"platform": _label(platform)}
            problems.append(RuleProblem("link", "link_not_allowed", "error", msg, None, None))
        size = len(link.encode("utf-8"))
        if rules.link_max_bytes.value is not None and size > rules.link_max_bytes.value:
            msg = _("The link is %(actual)s bytes long; %(platform)s allows at most %(limit)s.") % {
                "actual": size,
                "platform": _label(platform),
                "limit": _num(rules.link_max_bytes.value),
            }
            problems.append(
                RuleProblem("link", "link_too_long", "error", msg, rules.link_max_bytes.value, size)
            )
    return problems


# --- the UI table -------------------------------------------------------------------------


def _row(rules: PlatformRules) -> dict[str, object]:
    row: dict[str, object] = {
        "platform": str(rules.platform),
        "label": _label(rules.platform),
        "variant": rules.variant,
        "title_required": rules.title_required,
        "body_required": rules.body_required,
        "topic_style": rules.topic_style,
        "media_required": rules.media_required,
        "media_kinds": ", ".join(rules.media_kinds),
        "mixed_media_allowed": rules.mixed_media_allowed,
        "cover_required": rules.cover_required,
        "link_allowed": rules.link_allowed,
        "aspect_ratios": ", ".join(rules.aspect_ratios) or "unknown",
        "aspect_source": rules.aspect_source,
        "cover_aspect_ratios": ", ".join(rules.cover_aspect_ratios),
        "requirements_source": rules.requirements_source,
        "notes": rules.notes,
    }
    limits = dict(rules.limits())
    limits.update(dict(rules.extra_limits))
    for name, limit in limits.items():
        row[name] = "unknown" if limit.value is None else limit.value
        row[f"{name}_source"] = limit.source
    return row


def rules_table() -> list[dict[str, object]]:
    """One row per platform format, for a UI page: every limit's value and its source."""
    rows = [_row(rules) for rules in RULES.values()]
    seen = {id(rules) for rules in RULES.values()}
    for rules in VARIANTS.values():
        if id(rules) not in seen:
            seen.add(id(rules))
            rows.append(_row(rules))
    return rows
