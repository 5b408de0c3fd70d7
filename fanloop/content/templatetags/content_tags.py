"""Template helpers for the content studio: findings highlighted inline, state colours."""

from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SEVERITY_RANK = {"block": 0, "warn": 1, "info": 2}
STATE_COLOURS = {
    "draft": "secondary",
    "in_review": "warning",
    "changes_requested": "danger",
    "approved": "success",
    "scheduled": "primary",
    "published": "dark",
    "failed": "danger",
    "archived": "light",
}
SEVERITY_COLOURS = {"block": "danger", "warn": "warning", "info": "info", "error": "danger"}


def _spans(
    text: str, findings: Iterable[Mapping[str, Any]], field: str
) -> list[tuple[int, int, Mapping[str, Any]]]:
    """The findings of ``field`` whose offsets are valid for ``text``."""
    spans: list[tuple[int, int, Mapping[str, Any]]] = []
    for finding in findings or ():
        if not isinstance(finding, Mapping) or finding.get("field", "body") != field:
            continue
        if finding.get("rule") == "originality":
            continue  # spans the whole text; shown as a number, not a highlight
        start, end = finding.get("start"), finding.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
            continue
        if not 0 <= start < end <= len(text):
            continue
        spans.append((start, end, finding))
    return spans


def _escape(text: str) -> str:
    """Escaped, with line breaks kept as <br>."""
    return str(escape(text)).replace("\r\n", "\n").replace("\n", "<br>")


def _tip(finding: Mapping[str, Any]) -> str:
    explanation = str(finding.get("explanation") or "")
    suggestion = str(finding.get("suggestion") or "")
    return f"{explanation} — {suggestion}" if suggestion else explanation


def highlight(text: str, findings: Iterable[Mapping[str, Any]] | None, field: str) -> SafeString:
    """``text`` escaped, with each finding's span of ``field`` wrapped in a <mark>.

    Overlapping spans are not nested: the text is cut at every span boundary and each
    piece covered by findings is marked once, with the most severe class and the
    explanations of all findings covering it.
    """
    text = str(text or "")
    spans = _spans(text, findings or (), field)
    if not spans:
        return mark_safe(_escape(text))  # noqa: S308 (escaped)
    cuts = sorted({0, len(text), *(s for s, _e, _f in spans), *(e for _s, e, _f in spans)})
    out: list[str] = []
    for left, right in pairwise(cuts):
        piece = text[left:right]
        covering = [f for s, e, f in spans if s <= left and right <= e]
        if not covering:
            out.append(_escape(piece))
            continue
        covering.sort(key=lambda f: SEVERITY_RANK.get(str(f.get("severity")), 3))
        severity = str(covering[0].get("severity"))
        if severity not in SEVERITY_RANK:
            severity = "info"
        rules = " ".join(dict.fromkeys(str(f.get("rule") or "") for f in covering))
        tips = " | ".join(dict.fromkeys(t for t in (_tip(f) for f in covering) if t))
        out.append(
            format_html(
                '<mark class="finding finding-{}" data-rule="{}" title="{}">{}</mark>',
                severity,
                rules,
                tips,
                mark_safe(_escape(piece)),  # noqa: S308 (escaped)
            )
        )
    # Every piece above is escaped (_escape / format_html); joining keeps it safe.
    return mark_safe("".join(out))  # noqa: S308


@register.simple_tag
def highlight_findings(
    text: str, findings: Iterable[Mapping[str, Any]] | None, field: str = "body"
) -> SafeString:
    return highlight(text, findings, field)


@register.filter
def state_colour(state: str) -> str:
    return STATE_COLOURS.get(str(state), "secondary")


@register.filter
def severity_colour(severity: str) -> str:
    return SEVERITY_COLOURS.get(str(severity), "secondary")


@register.filter
def count_severity(findings: Iterable[Mapping[str, Any]] | None, severity: str) -> int:
    return sum(
        1 for f in findings or () if isinstance(f, Mapping) and f.get("severity") == severity
    )


@register.filter
def percent(value: float | None) -> str:
    """A 0–100 number (originality) as a percentage."""
    if value is None:
        return "—"
    return f"{float(value):.0f}%"


@register.filter
def fraction_percent(value: float | None) -> str:
    """A 0–1 fraction (similarity) as a percentage."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.0f}%"


@register.filter
def filesize(value: int | None) -> str:
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
