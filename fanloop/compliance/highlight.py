"""Render a text with its findings' spans marked: ``<mark class="finding finding-block">``.

Everything is escaped: the text between and inside marks, and the ``title`` (the finding's
explanation and suggestion). Overlapping spans are not nested: where findings overlap, the
segment is marked once with the most severe class and all their titles. Empty spans
(missing-label findings) are not marked. Line breaks are kept (``<br>``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fanloop.compliance.engine import Finding

register = template.Library()

_RANK = {"block": 0, "warn": 1, "info": 2}


def _escape(text: str) -> str:
    return str(escape(text)).replace("\r\n", "\n").replace("\n", "<br>")


def _title(findings: Sequence[Finding]) -> str:
    parts = []
    for finding in findings:
        part = f"{finding.source} {finding.explanation}".strip()
        if finding.suggestion:
            part += f" → {finding.suggestion}"
        parts.append(part)
    return " | ".join(parts)


def highlight(text: str, findings: Iterable[Finding]) -> SafeString:
    spans = [f for f in findings if 0 <= f.start < f.end <= len(text) and f.rule != "originality"]
    if not spans:
        return mark_safe(_escape(text))  # noqa: S308 (escaped above)
    cuts = sorted({0, len(text), *(f.start for f in spans), *(f.end for f in spans)})
    out: list[str] = []
    for left, right in itertools.pairwise(cuts):
        segment = text[left:right]
        covering = [f for f in spans if f.start <= left and right <= f.end]
        if not covering:
            out.append(_escape(segment))
            continue
        worst = min(covering, key=lambda f: _RANK.get(f.severity, 3))
        rules = " ".join(sorted({f"finding-{f.rule}" for f in covering}))
        out.append(
            f'<mark class="finding finding-{escape(worst.severity)} {escape(rules)}" '
            f'title="{escape(_title(covering))}">{_escape(segment)}</mark>'
        )
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped)


@register.filter(name="highlight_findings")
def highlight_filter(text: str, findings: Iterable[Finding]) -> SafeString:
    return highlight(text, findings)
