"""Moderation of group chat: messages with banned terms or negative sentiment are flagged
for the group owner, who is notified once per flagged message.

Which compliance rules apply depends on who speaks. The advertising-law rules bind the
brand's own advertising, so for fans only what a group owner must act on is flagged: the
workspace's banned terms, disease-treatment claims, personal information posted in the
group, and off-platform traffic diversion on platforms that forbid it. Messages from the
brand's own staff (owner, admins, WeCom staff) are advertising: every rule applies.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fanloop.community.models import (
    ChatMessage,
    FanGroup,
    FlagStatus,
    GroupMember,
    GroupPlatform,
    MemberRole,
    ModerationFlag,
)
from fanloop.community.services.common import require_manage
from fanloop.compliance.engine import CheckContext, Severity
from fanloop.compliance.services import check_for_workspace
from fanloop.core import audit
from fanloop.core.models import User
from fanloop.core.notifications import notify

FAN_RULES = frozenset({"workspace_terms", "medical_claims", "privacy", "platform_traffic"})
IGNORED_FOR_STAFF = frozenset({"ad_label", "hard_ad_ratio", "originality"})
# The compliance platform whose community rules a group lives under.
RULE_PLATFORM = {GroupPlatform.DOUYIN: "douyin", GroupPlatform.ZHIHU: "zhihu"}
NEGATIVE = "negative"


@dataclass
class Verdict:
    reasons: list[dict[str, Any]] = field(default_factory=list)
    sentiment: str = ""
    sentiment_score: float | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def _is_staff(member: GroupMember | None) -> bool:
    return member is not None and (
        member.is_staff or member.role in (MemberRole.OWNER, MemberRole.ADMIN)
    )


def assess(group: FanGroup, text: str, member: GroupMember | None = None) -> Verdict:
    """Why (if at all) a message should be flagged."""
    from fanloop.inbox.nlp import classify

    verdict = Verdict()
    if not text.strip():
        return verdict
    context = CheckContext(platform=RULE_PLATFORM.get(GroupPlatform(group.platform)))
    staff = _is_staff(member)
    for finding in check_for_workspace(group.workspace, text, context):
        if staff:
            if finding.rule in IGNORED_FOR_STAFF or finding.severity == Severity.INFO:
                continue
        elif finding.rule not in FAN_RULES:
            continue
        verdict.reasons.append(
            {
                "kind": "term",
                "rule": finding.rule,
                "matched": finding.matched,
                "explanation": finding.explanation,
            }
        )
    result = classify(text)
    verdict.sentiment = str(result.sentiment)
    verdict.sentiment_score = float(result.sentiment_score)
    if verdict.sentiment == NEGATIVE:
        verdict.reasons.append(
            {
                "kind": "sentiment",
                "rule": "negative_sentiment",
                "matched": "",
                "explanation": _("Negative sentiment (%(p)d%% positive)")
                % {"p": round(verdict.sentiment_score * 100)},
            }
        )
    return verdict


def _group_url(group: FanGroup) -> str:
    try:
        return reverse("community_group_tab", args=[group.workspace.slug, group.pk, "moderation"])
    except NoReverseMatch:  # the app's pages are not mounted (some tests, scripts)
        return ""


def flag_message(
    message: ChatMessage, *, sender: str, text: str, verdict: Verdict
) -> ModerationFlag | None:
    """Store the flag and notify the owner, once: a message already flagged is left alone."""
    if not verdict.flagged or ModerationFlag.objects.filter(message=message).exists():
        return None
    group = message.group
    flag = ModerationFlag.objects.create(
        message=message,
        group=group,
        workspace_id=group.workspace_id,
        sender=sender[:100],
        text=text,
        reasons=verdict.reasons,
        sentiment=verdict.sentiment,
        sentiment_score=verdict.sentiment_score,
    )
    if group.owner is not None:
        # Stored text is data: written in the product's language, not the visitor's.
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Flagged message in %(group)s from %(sender)s: %(text)s") % {
                "group": group.name,
                "sender": sender or _("unknown member"),
                "text": text[:120],
            }
        notify(users=[group.owner], workspace=group.workspace, text=note, url=_group_url(group))
        flag.notified_at = timezone.now()
        flag.save(update_fields=["notified_at"])
    return flag


@transaction.atomic
def review_flag(*, actor: User, flag: ModerationFlag, status: str) -> ModerationFlag:
    require_manage(actor, flag.group.workspace)
    if status not in FlagStatus.values:
        raise ValidationError({"status": _("Choose handled, dismissed or open.")})
    before = flag.status
    if before == status:
        return flag
    flag.status = status
    flag.reviewed_by = actor if status != FlagStatus.OPEN else None
    flag.reviewed_at = timezone.now() if status != FlagStatus.OPEN else None
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        workspace=flag.group.workspace,
        action="community.flag_review",
        obj=flag,
        changes={"status": (before, status)},
    )
    return flag
