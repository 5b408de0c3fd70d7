"""How urgent a fan's message is: a negative complaint from a VIP comes first.

The weights are additive so each part can be explained: VIP 40, negative sentiment up to
30 (the surer, the more), complaint 20, after-sales 15, purchase intent 10, inquiry 5.
"""

from fanloop.inbox.labels import Intent, Sentiment

INTENT_WEIGHT = {
    Intent.COMPLAINT: 20,
    Intent.AFTER_SALES: 15,
    Intent.PURCHASE_INTENT: 10,
    Intent.INQUIRY: 5,
}

SENTIMENT_RANK = {Sentiment.NEGATIVE: 0, Sentiment.NEUTRAL: 1, Sentiment.POSITIVE: 2}


def priority(*, sentiment: str, score: float | None, intent: str, is_vip: bool) -> int:
    value = 40 if is_vip else 0
    if sentiment == Sentiment.NEGATIVE:
        certainty = 1.0 - (score if score is not None else 0.5)
        value += 15 + round(15 * certainty)
    value += INTENT_WEIGHT.get(intent, 0)  # type: ignore[call-overload]
    return min(value, 100)


def worse(current: str, new: str) -> str:
    """The more negative of two sentiments: one angry message keeps a thread negative."""
    if not current:
        return new
    if not new:
        return current
    return min(current, new, key=lambda value: SENTIMENT_RANK.get(value, 1))  # type: ignore[call-overload]
