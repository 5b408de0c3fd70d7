"""Import profiles: which column of which export holds which metric.

A profile maps metric *fields* (the columns of :class:`PostMetricDaily`) to the header
names a platform's export uses. Headers are compared after :func:`normalise_header`
(BOM, whitespace, full-width characters and brackets, case), and a header with a unit
in brackets (``平均播放时长(秒)``) also matches its bare name.

Where the column names come from (each profile repeats it in ``source_note``):

* Douyin creator centre, 作品数据 → 投稿作品 → 导出: 作品名称, 发布时间, 体裁, 审核状态,
  播放量, 完播率, 5s完播率, 封面点击率, 2s跳出率, 平均播放时长, 点赞量, 分享量, 评论量,
  收藏量, 主页访问量, 粉丝增量 — the list in issue #5, matching the headers public
  parsers of this export read (several GitHub projects; one names 发布状态/作品时长 in
  place of 审核状态 in a newer export, accepted here). Rates are fractions (``0.2314``),
  missing values ``-``. Totals are cumulative as of the export day.
* Xiaohongshu creator platform, 笔记数据 → 导出 ``笔记列表明细表.xlsx``: 笔记标题, 首次发布时间,
  体裁, 曝光, 观看量, 封面点击率, 点赞, 评论, 收藏, 涨粉, 分享, 人均观看时长 — issue #5 plus
  public parsers of this file, which also show its first row is a note
  (``最多导出排序后前1000条笔记``) above the header row and times such as
  ``2024年05月01日20时``. Cumulative.
* WeChat Official Account, 内容分析 → 已通知内容 → 下载数据明细: 内容标题, 发表时间,
  总阅读人数, 总阅读次数, 总分享人数, 总分享次数, 阅读后关注人数, 送达人数, 公众号消息阅读次数,
  送达阅读率, 首次分享次数, 分享产生阅读次数, 首次分享率, 每次分享带来阅读次数, 阅读完成率,
  内容url. Not from an official page (the platform documents only its API); taken from
  several independent public parsers of this export that agree, one of which notes the
  totals stop updating 7 days after publishing. Older exports say 发表日期/阅读人数/分享人数;
  accepted as aliases. Cumulative.
* Weibo, 数据中心 → 博文分析 export: NOT confirmed. No public page or parser of this export
  was found; the columns (微博内容, 发布时间, 阅读数, 转发数, 评论数, 点赞数, optional 微博ID)
  are the metric names Weibo shows on posts. If a real export differs, use a custom
  mapping (the upload page shows the file's headers).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fanloop.channels.models import ACCOUNT_PLATFORM_CHOICES, ImportProfile

TEXT, DATETIME, DATE, COUNT, RATE, SECONDS = (
    "text",
    "datetime",
    "date",
    "count",
    "rate",
    "seconds",
)
COUNT_FIELDS = (
    "impressions",
    "views",
    "likes",
    "comments",
    "shares",
    "favourites",
    "follows",
    "profile_visits",
)
RATE_FIELDS = ("completion_rate", "avg_watch_seconds")
FIELDS: dict[str, tuple[str, Promise]] = {
    "post_id": (TEXT, _("Post id or link")),
    "title": (TEXT, _("Title")),
    "published_at": (DATETIME, _("Published at")),
    "day": (DATE, _("Statistics day")),
    "impressions": (COUNT, _("Impressions")),
    "views": (COUNT, _("Views / reads")),
    "likes": (COUNT, _("Likes")),
    "comments": (COUNT, _("Comments")),
    "shares": (COUNT, _("Shares")),
    "favourites": (COUNT, _("Favourites")),
    "follows": (COUNT, _("New followers")),
    "profile_visits": (COUNT, _("Profile visits")),
    "completion_rate": (RATE, _("Completion rate")),
    "avg_watch_seconds": (SECONDS, _("Average watch time (s)")),
}
METRIC_FIELDS = (*COUNT_FIELDS, *RATE_FIELDS)
OPTION_KEYS = ("cumulative", "date_format")
PLATFORMS = {value for value, _label in ACCOUNT_PLATFORM_CHOICES}
SAVED_PREFIX = "saved:"

_BRACKETS = str.maketrans({"【": "[", "】": "]", "〔": "(", "〕": ")", "［": "[", "］": "]"})
_UNIT_SUFFIX = re.compile(r"[(\[][^)\]]*[)\]]$")


def normalise_header(value: object) -> str:
    """The form headers are compared in: tolerant of BOM, spaces, full-width and case."""
    text = unicodedata.normalize("NFKC", str(value or "")).translate(_BRACKETS)
    return "".join(text.replace("\ufeff", "").split()).casefold()


def header_stem(normalised: str) -> str:
    """``平均播放时长(秒)`` → ``平均播放时长``: a unit in brackets does not change the column."""
    return _UNIT_SUFFIX.sub("", normalised) or normalised


@dataclass(frozen=True)
class Profile:
    key: str
    name: str | Promise
    platform: str
    # field -> header names, the preferred one first
    columns: Mapping[str, tuple[str, ...]]
    required: frozenset[str]
    cumulative: bool
    # Headers the export has that are deliberately not stored (not "unknown").
    known: tuple[str, ...] = ()
    source_note: str | Promise = ""
    date_format: str = ""
    saved_id: int | None = None
    builtin: bool = True
    mapping: Mapping[str, Any] = field(default_factory=dict)

    def label(self, field_name: str) -> str:
        names = self.columns.get(field_name)
        return names[0] if names else str(FIELDS[field_name][1])

    def with_columns(self, overrides: Mapping[str, str]) -> Profile:
        """The same profile with some fields read from other columns (``--map``)."""
        columns = dict(self.columns)
        columns.update({name: (column,) for name, column in overrides.items()})
        return replace(self, columns=columns)


DOUYIN = Profile(
    key="douyin_works",
    name=_("Douyin creator centre: work data (作品数据)"),
    platform="douyin",
    columns={
        "post_id": ("作品ID", "视频ID", "item_id"),
        "title": ("作品名称", "视频名称", "作品标题"),
        "published_at": ("发布时间",),
        "views": ("播放量",),
        "completion_rate": ("完播率",),
        "avg_watch_seconds": ("平均播放时长",),
        "likes": ("点赞量",),
        "shares": ("分享量",),
        "comments": ("评论量",),
        "favourites": ("收藏量",),
        "profile_visits": ("主页访问量",),
        "follows": ("粉丝增量",),
    },
    required=frozenset({"title", "published_at", "views"}),
    cumulative=True,
    known=("体裁", "审核状态", "发布状态", "5s完播率", "封面点击率", "2s跳出率", "作品时长"),
    source_note=_(
        "Douyin creator centre → work data → export. Columns from issue #5, matching public "
        "parsers of this export. Totals are cumulative as of the export day."
    ),
)

XIAOHONGSHU = Profile(
    key="xiaohongshu_notes",
    name=_("Xiaohongshu note list (笔记列表明细表)"),
    platform="xiaohongshu",
    columns={
        "post_id": ("笔记ID", "笔记id"),
        "title": ("笔记标题",),
        "published_at": ("首次发布时间", "发布时间"),
        "impressions": ("曝光", "曝光量"),
        "views": ("观看量",),
        "avg_watch_seconds": ("人均观看时长",),
        "likes": ("点赞",),
        "favourites": ("收藏",),
        "comments": ("评论",),
        "shares": ("分享",),
        "follows": ("涨粉",),
    },
    required=frozenset({"title", "published_at", "views"}),
    cumulative=True,
    known=("体裁", "封面点击率", "弹幕"),
    source_note=_(
        "Xiaohongshu creator platform → note data → export (笔记列表明细表.xlsx). Columns from "
        "issue #5 and public parsers of this file; its first row is a note above the header. "
        "Totals are cumulative as of the export day."
    ),
)

WECHAT_OA = Profile(
    key="wechat_oa_articles",
    name=_("WeChat Official Account: notified content (已通知内容)"),
    platform="wechat_oa",
    columns={
        "post_id": ("内容url", "内容链接", "文章链接"),
        "title": ("内容标题", "文章标题"),
        "published_at": ("发表时间", "发表日期"),
        "views": ("总阅读次数", "阅读次数", "总阅读人数", "阅读人数"),
        "impressions": ("送达人数",),
        "shares": ("总分享次数", "分享次数", "总分享人数", "分享人数"),
        "follows": ("阅读后关注人数",),
        "completion_rate": ("阅读完成率",),
        "likes": ("点赞次数", "点赞人数", "点赞量"),
        "comments": ("留言次数", "留言条数", "留言量"),
        "favourites": ("收藏次数", "收藏人数"),
    },
    required=frozenset({"title", "published_at", "views"}),
    cumulative=True,
    known=(
        "公众号消息阅读次数",
        "送达阅读率",
        "首次分享次数",
        "分享产生阅读次数",
        "首次分享率",
        "每次分享带来阅读次数",
        "首次分享带来阅读次数",
    ),
    source_note=_(
        "WeChat Official Account → content analysis → notified content → download details. "
        "No official page lists these columns; they come from several public parsers of this "
        "export that agree. Totals are cumulative (they stop changing 7 days after "
        "publishing)."
    ),
)

WEIBO = Profile(
    key="weibo_posts",
    name=_("Weibo post data (unconfirmed columns)"),
    platform="weibo",
    columns={
        "post_id": ("微博ID", "博文ID", "mid", "微博链接"),
        "title": ("微博内容", "博文内容", "微博正文", "内容"),
        "published_at": ("发布时间", "发博时间"),
        "views": ("阅读数", "阅读量", "阅读"),
        "impressions": ("曝光量",),
        "shares": ("转发数", "转发量", "转发"),
        "comments": ("评论数", "评论量", "评论"),
        "likes": ("点赞数", "点赞量", "赞", "点赞"),
    },
    required=frozenset({"title", "published_at", "views"}),
    cumulative=True,
    known=("互动数", "互动量"),
    source_note=_(
        "Weibo data centre post export: NOT confirmed — no public description of this "
        "export was found, so these are the metric names Weibo shows on posts. If your file "
        "differs, define a custom mapping."
    ),
)

BUILTIN: dict[str, Profile] = {p.key: p for p in (DOUYIN, XIAOHONGSHU, WECHAT_OA, WEIBO)}


# Custom mappings ------------------------------------------------------------------------


def clean_mapping(
    mapping: Mapping[str, Any], *, platform: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """Split ``{"field": "列名", "cumulative": true, ...}`` into columns and options, or
    raise a ValidationError that names every problem."""
    errors: list[str] = []
    if platform not in PLATFORMS:
        errors.append(gettext("Choose a platform."))
    columns: dict[str, str] = {}
    options: dict[str, Any] = {}
    for key, value in mapping.items():
        if key in OPTION_KEYS:
            options[key] = value
        elif key in FIELDS:
            column = " ".join(str(value or "").split())
            if column:
                columns[key] = column
        else:
            errors.append(gettext("Unknown field %(field)s.") % {"field": key})
    options["cumulative"] = bool(options.get("cumulative", False))
    options["date_format"] = str(options.get("date_format") or "").strip()
    if "post_id" not in columns and not {"title", "published_at"} <= set(columns):
        errors.append(
            gettext(
                "Pick the post id column, or both the title and the publish time columns: "
                "they identify a post across imports."
            )
        )
    if not set(METRIC_FIELDS) & set(columns):
        errors.append(gettext("Pick at least one metric column."))
    if not options["cumulative"] and "day" not in columns:
        errors.append(
            gettext(
                "A file of daily figures needs its statistics day column; "
                "tick “cumulative totals” if the figures are totals as of the export day."
            )
        )
    doubled = {c for c in columns.values() if list(columns.values()).count(c) > 1}
    if doubled:
        errors.append(
            gettext("Each column can feed one field only: %(columns)s.")
            % {"columns": "、".join(sorted(doubled))}
        )
    if errors:
        raise ValidationError({"mapping": errors})
    return columns, options


def custom_profile(
    columns: Mapping[str, str],
    *,
    platform: str,
    cumulative: bool,
    date_format: str = "",
    name: str = "",
    saved_id: int | None = None,
) -> Profile:
    return Profile(
        key=f"{SAVED_PREFIX}{saved_id}" if saved_id else "custom",
        name=name or gettext("Custom mapping"),
        platform=platform,
        columns={f: (c,) for f, c in columns.items()},
        # A person picked these columns from the file: every one of them must be there.
        required=frozenset(columns),
        cumulative=cumulative,
        source_note=gettext("Defined by a user from the file's own headers."),
        date_format=date_format,
        saved_id=saved_id,
        builtin=False,
        mapping={**columns, "cumulative": cumulative, "date_format": date_format},
    )


def from_saved(saved: ImportProfile) -> Profile:
    columns, options = clean_mapping(saved.mapping, platform=saved.platform)
    return custom_profile(
        columns,
        platform=saved.platform,
        cumulative=options["cumulative"],
        date_format=options["date_format"],
        name=saved.name,
        saved_id=saved.pk,
    )


def parse_map_option(text: str) -> dict[str, str]:
    """``views=播放量,likes=点赞量`` (the CLI's ``--map``) → ``{"views": "播放量", ...}``."""
    found: dict[str, str] = {}
    for part in re.split(r"[,，]", text):
        if not part.strip():
            continue
        name, sep, column = part.partition("=")
        name = name.strip()
        if not sep or not column.strip():
            raise ValidationError(
                gettext("“%(part)s” is not field=column.") % {"part": part.strip()}
            )
        if name not in FIELDS and name not in OPTION_KEYS:
            raise ValidationError(
                gettext("Unknown field %(field)s. Fields: %(fields)s.")
                % {"field": name, "fields": ", ".join(FIELDS)}
            )
        found[name] = column.strip()
    return found


def all_known_headers(profile: Profile) -> Iterable[str]:
    for names in profile.columns.values():
        yield from names
    yield from profile.known
