"""Salient words of a message and the words many messages share (crisis alerts)."""

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

from . import features

# Words too common in comments to say what a crowd of messages is about.
_STOPWORDS_TEXT = """
的 了 是 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 这些 那些
这样 那样 就 都 也 还 在 有 和 与 及 或 但 但是 而 而且 因为 所以 如果
虽然 可是 不过 然后 就是 还是 只是 不是 没有 一个 一些 一下 一点 一直 一样
一次 什么 怎么 怎么样 为什么 哪里 哪个 多少 几 吗 呢 吧 啊 呀 哦 哈 哈哈
哈哈哈 嗯 么 啦 嘛 呵呵 得 地 着 过 很 太 非常 特别 比较 真的 真是 感觉
觉得 可以 能 会 要 想 说 看 用 买 东西 时候 现在 已经 自己 大家 还有
之后 以后 以前 知道 出来 起来 不会 不能 可能 应该 不要 就是说 其实 确实
一般 有点 还是 这次 下次 这么 那么 多 少 大 小 好 不 没 又 再 才 被 把
给 让 对 从 到 上 下 里 中 后 前 请问 亲 客服 一 二 两 三 个 只 件
次 天 年 月 号 元 块 手机 酒店 宝贝 产品 商品 店家 卖家 老板
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@cache
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(60)  # its "Building prefix dict" chatter is not for our users
    jieba.initialize()
    return jieba


def _is_salient(word: str) -> bool:
    if len(word) < 2 or word in STOPWORDS:
        return False
    return not word.isdigit() and any(ch.isalpha() for ch in word)


def words(text: str) -> list[str]:
    """jieba's words of ``text`` that could be a keyword, in order, without repeats."""
    jieba = _jieba()
    norm = features.normalize(text)
    if not norm:
        return []
    return list(dict.fromkeys(w for w in jieba.lcut(norm) if _is_salient(w)))  # type: ignore[attr-defined]


def salient_words(text: str, top: int = 5) -> list[str]:
    """Up to ``top`` words of one message, the longer (more specific) words first."""
    found = words(text)
    ranked = sorted(range(len(found)), key=lambda i: (-min(len(found[i]), 4), i))
    return [found[i] for i in ranked[:top]]


def keywords(texts: Sequence[str] | Iterable[str], top: int = 10) -> list[tuple[str, int]]:
    """The words most messages share: (word, number of messages containing it)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words(text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
