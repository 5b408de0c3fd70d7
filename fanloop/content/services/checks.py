"""Everything checked on a variant: platform rules, the compliance engine, originality.

Runs on every save, again before approval and before scheduling, so what a reviewer
sees is what the rules say about the copy as it stands.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from fanloop.compliance import originality as originality_index
from fanloop.compliance.engine import CheckContext, Finding, hard_ad_ratio_finding
from fanloop.compliance.services import check_for_workspace
from fanloop.content import platform_rules
from fanloop.content.models import MediaAsset, Purpose, Variant
from fanloop.content.services.common import content_settings
from fanloop.content.workflow import PLANNED_STATES


@dataclass
class CheckResult:
    findings: list[dict[str, object]] = field(default_factory=list)
    rule_problems: list[dict[str, object]] = field(default_factory=list)
    originality: float | None = None
    similar: list[originality_index.SimilarPiece] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict[str, object]]:
        return [f for f in self.findings if f.get("severity") == "block"]

    @property
    def rule_errors(self) -> list[dict[str, object]]:
        return [p for p in self.rule_problems if p.get("severity") == "error"]


def check_context(variant: Variant) -> CheckContext:
    item = variant.item
    return CheckContext(
        platform=variant.platform,
        purpose=item.purpose,
        sponsored=item.sponsored,
        product_kind=item.product_kind,
        special_cosmetic=item.special_cosmetic,
    )


def _media_info(asset: MediaAsset) -> platform_rules.MediaInfo:
    return platform_rules.MediaInfo(
        kind=asset.kind,
        width=asset.width,
        height=asset.height,
        duration_seconds=asset.duration_seconds,
    )


def variant_key(variant: Variant) -> str:
    return f"variant:{variant.pk}"


def variant_label(variant: Variant) -> str:
    return f"{variant.item.title} · {variant.get_platform_display()}"[:200]


def _is_missing(finding: Finding) -> bool:
    return finding.start == finding.end == 0 and not finding.matched


def _merge_missing(title: list[Finding], body: list[Finding]) -> list[Finding]:
    """Something required (an ad label, a disclaimer) may be in the title or the body:
    it is missing only when neither has it, and then it is reported once, on the body."""
    in_title = {(f.rule, f.category) for f in title if _is_missing(f)}
    kept_body = [f for f in body if not _is_missing(f) or (f.rule, f.category) in in_title]
    return [f for f in title if not _is_missing(f)] + kept_body


def check_copy(
    variant: Variant,
    *,
    title: str,
    body: str,
    topics: list[str],
    mentions: list[str],
    media: list[MediaAsset],
    cover: MediaAsset | None,
    link: str,
    with_originality: bool = True,
) -> CheckResult:
    """Check copy that may not be saved yet (the editor's live check uses this)."""
    context = check_context(variant)
    findings = _merge_missing(
        check_for_workspace(variant.workspace, title, context, field="title"),
        check_for_workspace(variant.workspace, body, context, field="body"),
    )
    result = CheckResult()
    if with_originality and body.strip():
        settings_row = content_settings(variant.workspace)
        siblings = [f"variant:{pk}" for pk in variant.item.variants.values_list("pk", flat=True)]
        found = originality_index.check_originality(
            variant.workspace, body, exclude_keys=[*siblings, variant_key(variant)]
        )
        result.originality = found.originality
        result.similar = found.similar
        finding = originality_index.originality_finding(
            found, settings_row.originality_min_percent, text_length=len(body)
        )
        if finding is not None:
            findings.append(finding)
    result.findings = [f.as_dict() for f in findings]
    problems = platform_rules.check_variant(
        variant.platform,
        title=title,
        body=body,
        topics=topics,
        mentions=mentions,
        media=[_media_info(asset) for asset in media],
        cover=_media_info(cover) if cover is not None else None,
        link=link,
        content_type=variant.item.content_type,
    )
    result.rule_problems = [
        {
            "field": p.field,
            "code": p.code,
            "severity": p.severity,
            "message": str(p.message),
            "limit": p.limit,
            "actual": p.actual,
        }
        for p in problems
    ]
    return result


def run_checks(variant: Variant) -> CheckResult:
    """Check the saved variant and keep its text in the originality index."""
    media = [link.asset for link in variant.media_links.select_related("asset")]
    result = check_copy(
        variant,
        title=variant.title,
        body=variant.body,
        topics=list(variant.topics),
        mentions=list(variant.mentions),
        media=media,
        cover=variant.cover,
        link=variant.link,
    )
    if variant.body.strip():
        originality_index.index_text(
            variant.workspace,
            variant_key(variant),
            variant.body,
            variant_label(variant),
            created_at=variant.created_at,
        )
    return result


def week_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday in the workspace's calendar (local time)."""
    local = timezone.localtime(moment)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=local.weekday()
    )
    return start, start + timedelta(days=7)


def hard_ad_share(variant: Variant, planned_at: datetime) -> tuple[int, int]:
    """(hard ads, all) planned on the variant's platform in planned_at's week, counting it.

    Channel accounts come with the publishing issue; until then the platform stands in
    for the account (one account per platform and workspace).
    """
    start, end = week_bounds(planned_at)
    week = (
        Variant.objects.filter(
            workspace=variant.workspace,
            platform=variant.platform,
            state__in=PLANNED_STATES,
            planned_at__gte=start,
            planned_at__lt=end,
        )
        .exclude(pk=variant.pk)
        .select_related("item")
    )
    total = 1
    hard = 1 if variant.item.purpose == Purpose.HARD_AD else 0
    for other in week:
        total += 1
        hard += other.item.purpose == Purpose.HARD_AD
    return hard, total


def hard_ad_warning(variant: Variant, planned_at: datetime) -> dict[str, object] | None:
    if variant.item.purpose != Purpose.HARD_AD:
        return None
    hard, total = hard_ad_share(variant, planned_at)
    cap = content_settings(variant.workspace).hard_ad_cap_percent
    finding = hard_ad_ratio_finding(hard, total, cap)
    return finding.as_dict() if finding is not None else None
