"""The advertising-law compliance engine: pure, no database, fast.

:func:`check_text` runs every rule that needs only the text and a :class:`CheckContext`:

1. ``absolute_terms`` — absolute / superlative wording, false authority, inducement,
   superstition (《中华人民共和国广告法》第九条);
2. ``medical_claims`` — disease-treatment claims outside medical ads (第十七条), cosmetic
   efficacy only registered special cosmetics may claim (《化妆品监督管理条例》第十六条、
   第三十七条), the health-food disclaimer (第十八条);
3. ``ad_label`` — a hard ad or sponsored piece must be recognisable as an ad (第十四条;
   《互联网广告管理办法》第九条);
6. ``privacy`` — phone, ID, bank card numbers and street addresses (《个人信息保护法》);
7. ``platform_traffic`` — off-platform contact on platforms that forbid it.

Rules 4 (hard-ad ratio, :func:`hard_ad_ratio_finding`) and 5 (originality, see
:mod:`fanloop.compliance.originality`) need the database and are computed elsewhere.

Dictionary hits come from one Aho-Corasick pass (:mod:`fanloop.compliance.dictionary`).
Per rule, overlapping hits resolve leftmost-longest (``全国首家`` wins over ``首家``); a hit
inside an exception phrase (or a workspace "allowed" term) found at that place is dropped.
A finding about something *missing* (ad label, health-food disclaimer) has the empty span
``0..0`` and ``matched == ""``.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db import models
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from fanloop.compliance import dictionary, privacy
from fanloop.compliance.dictionary import Hit, Matcher, Term, normalise


class Severity(models.TextChoices):
    BLOCK = "block", gettext_lazy("Block")
    WARN = "warn", gettext_lazy("Warning")
    INFO = "info", pgettext_lazy("finding severity", "Note")


class ProductKind(models.TextChoices):
    GENERAL = "general", gettext_lazy("General goods")
    COSMETICS = "cosmetics", gettext_lazy("Cosmetics")
    HEALTH_FOOD = "health_food", gettext_lazy("Health food")
    FOOD = "food", gettext_lazy("Food")
    MEDICAL = "medical", gettext_lazy("Drugs / medical devices")


RULES = (
    "absolute_terms",
    "medical_claims",
    "ad_label",
    "hard_ad_ratio",
    "originality",
    "privacy",
    "platform_traffic",
    "workspace_terms",
)
HARD_AD = "hard_ad"
TRAFFIC_PLATFORMS = frozenset({"xiaohongshu", "douyin", "kuaishou", "bilibili"})
HEALTH_FOOD_DISCLAIMER = "本品不能代替药物"  # also covers "本品不能代替药物治疗疾病"

# Labels that make a piece recognisable as an advertisement. 《互联网广告管理办法》第九条
# asks for a prominent "广告" on knowledge/experience/review posts that sell with a purchase
# link, so "广告" is accepted everywhere. Xiaohongshu's 蒲公英 cooperation notes carry the
# platform's own "品牌合作" tag; it is accepted there, with a note recommending "广告" too.
# Vague words ("合作", "恰饭", "赞助") are not accepted: they do not say "this is an ad".
AD_LABEL = "广告"
PLATFORM_AD_LABELS: dict[str, tuple[str, ...]] = {"xiaohongshu": ("品牌合作",)}

PLATFORM_RULES = {
    "xiaohongshu": "《小红书社区规范》",
    "douyin": "《抖音社区自律公约》",
    "kuaishou": "《快手社区管理规范》",
    "bilibili": "《哔哩哔哩社区公约》",
}

# Workspace categories map to the rule whose source they share; others are "workspace_terms".
CATEGORY_RULES = {
    "superlative_zui": "absolute_terms",
    "first_unique": "absolute_terms",
    "level_extreme": "absolute_terms",
    "absolute_claim": "absolute_terms",
    "authority": "absolute_terms",
    "inducement": "absolute_terms",
    "superstition": "absolute_terms",
    "disease_claim": "medical_claims",
    "cosmetic_efficacy": "medical_claims",
    "offplatform_contact": "platform_traffic",
}


@dataclass(frozen=True)
class WorkspaceTermSpec:
    term: str
    category: str = "custom"
    severity: str = Severity.BLOCK
    note: str = ""


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    start: int
    end: int
    matched: str
    category: str
    explanation: str
    source: str
    suggestion: str
    field: str = "body"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class CheckContext:
    platform: str | None = None
    purpose: str | None = None
    sponsored: bool = False
    product_kind: str = "general"
    special_cosmetic: bool = False
    extra_terms: tuple[WorkspaceTermSpec, ...] = ()
    allowed_terms: frozenset[str] = frozenset()


def _sources() -> dict[str, tuple[str, str]]:
    """category -> (explanation, source) in the active language."""
    return _sources_in(get_language())


@functools.lru_cache(maxsize=16)
def _sources_in(language: str | None) -> dict[str, tuple[str, str]]:
    """Built once per language (gettext per finding would dominate the check's cost)."""
    ad_law = "《中华人民共和国广告法》"
    absolute = (
        _(
            "Absolute or superlative wording is forbidden in advertising "
            "(terms such as 国家级, 最高级, 最佳)."
        ),
        ad_law + "第九条第三项",
    )
    return {
        "superlative_zui": absolute,
        "first_unique": absolute,
        "level_extreme": absolute,
        "absolute_claim": absolute,
        "authority": (
            _(
                "Claims of official endorsement or authority (state bodies, officials, "
                "驰名商标, 特供) may not be used in advertising."
            ),
            ad_law + "第九条第二项；《中华人民共和国商标法》第十四条第五款",
        ),
        "inducement": (
            _(
                "False urgency, prize bait or exaggerated sales claims mislead consumers "
                "about sales status and terms."
            ),
            ad_law + "第二十八条；《中华人民共和国反不正当竞争法》第八条",
        ),
        "superstition": (
            _("Advertising may not contain superstitious content."),
            ad_law + "第九条第八项",
        ),
        "disease_claim": (
            _(
                "Only medical, drug and medical-device ads may refer to treating disease "
                "or use medical terms."
            ),
            ad_law + "第十七条",
        ),
        "cosmetic_efficacy": (
            _(
                "This efficacy (whitening, spot removal, medical skin care...) may only be "
                "claimed by a registered special cosmetic, and cosmetics may not claim "
                "medical effects."
            ),
            "《化妆品监督管理条例》第十六条、第三十七条",
        ),
        "health_food_disclaimer": (
            _("Health-food advertising must state prominently “本品不能代替药物”."),
            ad_law + "第十八条",
        ),
        "ad_label": (
            _(
                "Advertising must be recognisable as such: label this hard ad / sponsored "
                "piece visibly with “广告”."
            ),
            ad_law + "第十四条；《互联网广告管理办法》（2023）第九条",
        ),
        "platform_traffic": (
            _(
                "Off-platform contact or traffic diversion is restricted by the platform's "
                "community rules."
            ),
            "、".join(PLATFORM_RULES.values()),
        ),
        "privacy": (
            _("Personal information should not be published without consent."),
            "《中华人民共和国个人信息保护法》第十三条、第二十八条",
        ),
    }


PRIVACY_LABELS = {
    "phone": gettext_lazy("Mobile phone number"),
    "id_card": gettext_lazy("Resident ID number"),
    "bank_card": gettext_lazy("Bank card number"),
    "address": gettext_lazy("Street address"),
}


@functools.lru_cache(maxsize=128)
def _workspace_matcher(
    extra_terms: tuple[WorkspaceTermSpec, ...], allowed_terms: frozenset[str]
) -> Matcher:
    terms = [
        Term(
            spec.term,
            CATEGORY_RULES.get(spec.category, "workspace_terms"),
            spec.category,
            spec.severity,
            "",
            spec.note,
        )
        for spec in extra_terms
        if spec.term.strip()
    ]
    return Matcher(terms, sorted(term for term in allowed_terms if term.strip()))


def _applies(term: Term, context: CheckContext) -> bool:
    if term.rule == "medical_claims":
        if term.category == "cosmetic_efficacy":
            return context.product_kind == ProductKind.COSMETICS and not context.special_cosmetic
        return context.product_kind != ProductKind.MEDICAL
    if term.rule == "platform_traffic":
        return context.platform in TRAFFIC_PLATFORMS
    return True


class _Cover:
    """Answers "does some exception span contain [start, end)?" in O(log n)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        self.starts = [start for start, _end in spans]
        self.max_end: list[int] = []
        best = -1
        for _start, end in spans:
            best = max(best, end)
            self.max_end.append(best)

    def covers(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.starts, start) - 1
        return index >= 0 and self.max_end[index] >= end


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Leftmost-longest, non-overlapping, per rule."""
    kept: list[Hit] = []
    last_end: dict[str, int] = {}
    for hit in sorted(hits, key=lambda h: (h[0], h[0] - h[1])):
        rule = hit[2].rule
        if hit[0] >= last_end.get(rule, 0):
            kept.append(hit)
            last_end[rule] = hit[1]
    return kept


def _term_finding(text: str, hit: Hit, field: str, sources: dict[str, tuple[str, str]]) -> Finding:
    start, end, term = hit
    if term.rule == "platform_traffic":
        explanation, source = sources["platform_traffic"]
    elif term.category in sources:
        explanation, source = sources[term.category]
    else:
        explanation = _("Banned by this workspace's term list.")
        source = _("Workspace term list")
    if term.note:
        explanation = f"{explanation} {term.note}"
    return Finding(
        rule=term.rule,
        severity=term.severity,
        start=start,
        end=end,
        matched=text[start:end],
        category=term.category,
        explanation=explanation,
        source=source,
        suggestion=term.suggestion,
        field=field,
    )


def _missing(rule: str, category: str, suggestion: str, field: str, **extra: str) -> Finding:
    explanation, source = _sources()[category]
    return Finding(
        rule=rule,
        severity=extra.get("severity", Severity.BLOCK),
        start=0,
        end=0,
        matched="",
        category=category,
        explanation=extra.get("explanation", explanation),
        source=source,
        suggestion=suggestion,
        field=field,
    )


def _label_findings(norm: str, context: CheckContext, field: str) -> list[Finding]:
    if context.purpose != HARD_AD and not context.sponsored:
        return []
    if AD_LABEL in norm:
        return []
    platform_labels = PLATFORM_AD_LABELS.get(context.platform or "", ())
    if any(label in norm for label in platform_labels):
        return [
            _missing(
                "ad_label",
                "ad_label",
                _("Add “广告” next to the platform label to be safe."),
                field,
                severity=Severity.INFO,
                explanation=_(
                    "The platform cooperation label is present; the law's wording asks for “广告”."
                ),
            )
        ]
    return [_missing("ad_label", "ad_label", _("Add the label “广告” at the start."), field)]


def check_text(
    text: str, context: CheckContext | None = None, *, field: str = "body"
) -> list[Finding]:
    """Every text-only rule's findings, sorted by start offset."""
    context = context or CheckContext()
    norm = normalise(text)
    hits, spans = dictionary.base_matcher().scan(norm)
    if context.extra_terms or context.allowed_terms:
        more_hits, allowed_spans = _workspace_matcher(
            context.extra_terms, frozenset(context.allowed_terms)
        ).scan(norm)
        hits.extend(more_hits)
        spans.extend(allowed_spans)
    cover = _Cover(spans)
    hits = [hit for hit in hits if _applies(hit[2], context) and not cover.covers(hit[0], hit[1])]
    sources = _sources()
    findings = [_term_finding(text, hit, field, sources) for hit in _resolve(hits)] if hits else []
    findings.extend(_label_findings(norm, context, field))
    if context.product_kind == ProductKind.HEALTH_FOOD and HEALTH_FOOD_DISCLAIMER not in norm:
        findings.append(
            _missing(
                "medical_claims",
                "health_food_disclaimer",
                _("Add “本品不能代替药物” prominently."),
                field,
            )
        )
    explanation, source = sources["privacy"]
    for start, end, category in privacy.scan(text):
        if cover.covers(start, end):
            continue
        findings.append(
            Finding(
                rule="privacy",
                severity=Severity.WARN,
                start=start,
                end=end,
                matched=text[start:end],
                category=category,
                explanation=f"{PRIVACY_LABELS[category]}: {explanation}",
                source=source,
                suggestion=_("Remove it or mask it (e.g. 138****0000)."),
                field=field,
            )
        )
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return findings


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(finding.severity == Severity.BLOCK for finding in findings)


def hard_ad_ratio_finding(
    count_hard_ads: int, count_total: int, cap_percent: int
) -> Finding | None:
    """A warning when hard ads make up more than ``cap_percent`` % of the content."""
    if count_total <= 0 or count_hard_ads * 100 <= cap_percent * count_total:
        return None
    percent = round(100 * count_hard_ads / count_total, 1)
    return Finding(
        rule="hard_ad_ratio",
        severity=Severity.WARN,
        start=0,
        end=0,
        matched="",
        category="hard_ad_ratio",
        explanation=_(
            "%(hard)d of %(total)d pieces (%(percent)s%%) are hard ads, above the cap of %(cap)d%%."
        )
        % {"hard": count_hard_ads, "total": count_total, "percent": percent, "cap": cap_percent},
        source=_("Workspace content plan (hard-ad cap)"),
        suggestion=_("Replace some hard ads with useful, non-promotional content."),
    )


def dictionary_version() -> str:
    return dictionary.load().version
