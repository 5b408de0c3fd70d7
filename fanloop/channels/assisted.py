"""Assisted publishing: the copy an operator pastes into a platform's own composer.

Choices, and where they come from:

- Topics are written with ``platform_rules.format_topic``, the one table of topic styles:
  Weibo ``#话题#`` (double hash; Weibo's composer and the statuses/share docs write topics
  that way), Xiaohongshu, Douyin, Bilibili and Kuaishou ``#话题`` (single hash; for Douyin
  the open platform's publishing guide puts ``#话题1 #话题2`` and ``@nickname`` in the text
  field, see ``platform_rules.DOUYIN.requirements_source``). Platforms whose topics are
  chosen from a list rather than written inline (Zhihu, WeChat OA, WeCom) get no topics in
  the text; they are listed separately for the operator to pick.
- Topics already written inline in the body are not repeated (``parse_topics``).
- Topics, then @mentions, then the link each go on their own line after the body, so the
  operator can drop any of them in the composer with one line delete.
- Platforms with a title box in their composer (WeChat OA, Xiaohongshu, Bilibili video,
  Zhihu, Douyin) get the title separately with its own copy button; the variant's title
  falls back to the item's title the way the publishing worker does. Platforms without
  one (Weibo, WeCom, Kuaishou, Bilibili dynamics) only carry a title the writer set on the
  variant: Weibo as the customary ``【标题】`` lead, the others as a first line.
- A platform whose rules say links are not allowed keeps the link out of the text.
"""

from dataclasses import dataclass

from fanloop.content import platform_rules
from fanloop.content.models import Variant
from fanloop.core.platforms import Platform

TITLE_BOX = frozenset(
    {Platform.WECHAT_OA, Platform.XIAOHONGSHU, Platform.BILIBILI, Platform.ZHIHU, Platform.DOUYIN}
)
NOT_APPLICABLE = "not applicable"  # how platform_rules marks a field the format lacks


@dataclass(frozen=True)
class CopyText:
    title: str  # "" when the platform has no title box (a set title is then in ``text``)
    text: str  # what "Copy text" puts on the clipboard
    topics_to_pick: tuple[str, ...]  # topics chosen from the platform's list, not typed
    link_left_out: str  # a link the platform does not take in the text


def _rules(platform: str, content_type: str) -> platform_rules.PlatformRules | None:
    try:
        return platform_rules.rules_for(platform, content_type)
    except ValueError:
        return None


def has_title_box(platform: str, content_type: str = "") -> bool:
    rules = _rules(platform, content_type)
    if rules is not None and NOT_APPLICABLE in rules.title_max.source:
        return False
    return platform in TITLE_BOX


def assemble(
    platform: str,
    *,
    title: str,
    fallback_title: str = "",
    body: str,
    topics: list[str] | tuple[str, ...] = (),
    mentions: list[str] | tuple[str, ...] = (),
    link: str = "",
    content_type: str = "",
) -> CopyText:
    rules = _rules(platform, content_type)
    style = rules.topic_style if rules else "none"
    title = title.strip()
    body = body.strip()
    head = ""
    box_title = ""
    if has_title_box(platform, content_type):
        box_title = title or fallback_title.strip()
    elif title and not body.startswith(title):
        head = f"【{title}】" if platform == Platform.WEIBO else f"{title}\n"
    wanted = [t.strip().strip("#＃").strip() for t in topics]
    wanted = [t for t in dict.fromkeys(wanted) if t]
    lines = [head + body] if head or body else []
    picked: tuple[str, ...] = ()
    if style == "none":
        picked = tuple(wanted)
    else:
        inline = set(platform_rules.parse_topics(platform, body))
        extra = [platform_rules.format_topic(platform, t) for t in wanted if t not in inline]
        if extra:
            lines.append(" ".join(extra))
    names = [m.strip().lstrip("@＠").strip() for m in mentions]
    names = [n for n in dict.fromkeys(names) if n]
    if names:
        lines.append(" ".join(f"@{n}" for n in names))
    left_out = ""
    if link.strip():
        if rules is not None and rules.link_allowed is False:
            left_out = link.strip()
        else:
            lines.append(link.strip())
    if len(lines) > 1 and lines[0]:
        text = lines[0] + "\n\n" + "\n".join(lines[1:])
    else:
        text = "\n".join(lines)
    return CopyText(title=box_title, text=text, topics_to_pick=picked, link_left_out=left_out)


def copy_for(variant: Variant) -> CopyText:
    return assemble(
        variant.platform,
        title=variant.title,
        fallback_title=variant.item.title,
        body=variant.body,
        topics=list(variant.topics or []),
        mentions=list(variant.mentions or []),
        link=variant.link,
        content_type=variant.item.content_type,
    )
