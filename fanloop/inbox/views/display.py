"""How the inbox pages show things: badges, highlighted search hits, SLA state, the
header strip's reply rate. Shared by the list and the conversation pages."""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fanloop.core.models import Workspace
from fanloop.inbox.labels import Sentiment
from fanloop.inbox.models import Thread, ThreadStatus
from fanloop.inbox.services import setup

SENTIMENT_CSS: dict[str, str] = {
    Sentiment.POSITIVE: "text-bg-success",
    Sentiment.NEUTRAL: "text-bg-light border",
    Sentiment.NEGATIVE: "text-bg-danger",
}
STATUS_CSS: dict[str, str] = {
    ThreadStatus.OPEN: "text-bg-primary",
    ThreadStatus.PENDING: "text-bg-warning",
    ThreadStatus.CLOSED: "text-bg-secondary",
}


def highlight(text: str, words: Sequence[str]) -> SafeString:
    """``text`` escaped, with every search word wrapped in <mark> (case-insensitive)."""
    if not words:
        return mark_safe(html.escape(text))  # noqa: S308 - escaped just here
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        parts.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(html.escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


def duration_text(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        if rest:
            return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
        return _("%(h)d h") % {"h": hours}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


@dataclass(frozen=True)
class Sla:
    """Where a conversation stands against its reply-time target."""

    state: str  # "none", "due", "overdue"
    text: str
    css: str


def sla_of(thread: Thread, now: datetime | None = None) -> Sla:
    now = now or timezone.now()
    due = thread.reply_due_at
    if thread.waiting_since is None or due is None or thread.status == ThreadStatus.CLOSED:
        return Sla("none", "", "")
    local = timezone.localtime(due)
    at = (
        local.strftime("%H:%M")
        if local.date() == timezone.localdate()
        else local.strftime("%m-%d %H:%M")
    )
    if due < now:
        return Sla(
            "overdue",
            _("overdue by %(d)s (was due %(at)s)") % {"d": duration_text(now - due), "at": at},
            "text-bg-danger",
        )
    return Sla(
        "due",
        _("due at %(at)s (in %(d)s)") % {"at": at, "d": duration_text(due - now)},
        "text-bg-warning" if due - now < timedelta(minutes=30) else "text-bg-light border",
    )


def waiting_text(thread: Thread, now: datetime | None = None) -> str:
    if thread.waiting_since is None:
        return ""
    return duration_text((now or timezone.now()) - thread.waiting_since)


@dataclass(frozen=True)
class ReplyRate:
    replied: int
    total: int
    rate: float | None
    target: float
    below_target: bool

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.0f}%"

    @property
    def target_percent(self) -> str:
        return f"{self.target * 100:.0f}%"


def reply_rate(workspace: Workspace) -> ReplyRate:
    """Today's reply rate by the team report's definitions, against the target."""
    from fanloop.inbox import reports  # the reports read the inbox; imported when used

    replied, total, rate = reports.reply_rate_today(workspace)
    target = setup.settings_for(workspace).reply_rate_target
    shown = rate if total else None
    return ReplyRate(
        replied=replied,
        total=total,
        rate=shown,
        target=target,
        below_target=shown is not None and shown < target,
    )


def optional_url(name: str, *args: Any) -> str:
    """The address of another engineer's page, or "" while it is not wired in."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
