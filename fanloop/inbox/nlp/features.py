"""Turning a message into the sparse features the linear models read.

Sentiment uses character n-grams rather than jieba words: segmenting costs more than
the whole rest of classification (jieba, even without HMM, manages about 4,000 short
reviews a second on one core), while n-grams of one to three characters carry the
same signal for polarity. Negation is handled by marking the n-grams that follow a
negator inside the same clause, so "不好" and "没有问题" do not simply add up the
weights of "好" and "问题".
"""

import re
import unicodedata

BOM = "\ufeff"
# Prefix of a negated n-gram. normalize() removes it from texts, so a negated n-gram
# never collides with an n-gram of the text itself.
NEG = "\x00"
# Characters that end the scope of a negator (clause boundaries).
_CLAUSE_END = frozenset("，。！？；,.!?;~～\n 、…")
_NEGATORS = frozenset("不没无别未非莫勿")
# Longest character n-gram; --select in train.py compares 2 and 3.
MAX_N = 3
# How many characters after a negator stay in its scope.
_NEG_SCOPE = 3
_SPACES = re.compile(r"\s+")
_HAS_NEGATOR = re.compile("[" + "".join(sorted(_NEGATORS)) + "]")
# The characters after a negator, up to the clause's end (one more for the last bigram).
_NEGATED_SCOPE = re.compile(
    _HAS_NEGATOR.pattern
    + "(?=([^"
    + re.escape("".join(sorted(_CLAUSE_END)))
    + f"]{{1,{_NEG_SCOPE + 1}}}))"
)


def normalize(text: str) -> str:
    """One spelling for the same message: no BOM, half-width forms, lower case."""
    text = text.replace(BOM, "").replace(NEG, "").strip()
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text.lower())


def sentiment_grams(text: str) -> list[str]:
    """Character 1-, 2- and 3-grams of a normalized text, then the negated ones."""
    n = len(text)
    if n == 0:
        return []
    grams = list(text)
    grams += [text[i : i + 2] for i in range(n - 1)]
    if MAX_N >= 3:
        grams += [text[i : i + 3] for i in range(n - 2)]
    if has_negator(text):
        grams += negated(text)
    return grams


def has_negator(text: str) -> bool:
    return _HAS_NEGATOR.search(text) is not None


def negated(text: str) -> list[str]:
    """Unigrams and bigrams starting in a negator's scope, marked with NEG."""
    out: list[str] = []
    for match in _NEGATED_SCOPE.finditer(text):
        scope = match.group(1)
        for j in range(min(_NEG_SCOPE, len(scope))):
            out.append(NEG + scope[j])
            if j + 1 < len(scope):
                out.append(NEG + scope[j : j + 2])
    return out


def intent_grams(text: str) -> list[str]:
    """Character 1- and 2-grams (intent needs no more)."""
    return sentiment_grams(text)[: max(0, 2 * len(text) - 1)]


def asks(text: str) -> bool:
    """Whether a normalized text ends as a question (a feature of the intent model)."""
    return "?" in text or text.endswith(("吗", "呢", "么", "嘛"))


_QUESTION_WORDS = re.compile("什么|几|哪|怎么|多少|多久|是否|有没有|能不能|可不可以|是不是")


def is_question(text: str) -> bool:
    """Whether a normalized text asks something, by its ending or a question word."""
    return asks(text) or _QUESTION_WORDS.search(text) is not None
