"""The one write path for costs: entries typed by hand, cost files, and the mirror of
campaign budget actuals.

* Manual entries and file imports need ``BUDGET_EDIT`` (admin, marketing).
* A cost file (CSV or Excel) has the columns 日期/date, 类别/category, 金额/amount (yuan),
  and optionally 活动/campaign (id or name), 平台/platform, 合作方/partner (a partner's
  name), 编号/external_ref and 备注/note. Re-importing a file replaces, never adds: rows
  are keyed by their external_ref, or — without one — by their content.
* :func:`sync_budget_costs` mirrors every ``campaigns.BudgetSpend`` into a CostEntry with
  source ``budget``, so money entered in a campaign budget is not typed twice. Mirrored
  entries are edited in the budget, not here.
* Coupon costs (cost per use × attributed orders using the code) are computed by the
  rollup, never stored here, so they are not counted twice.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fanloop.analytics.rollups import mark_dirty
from fanloop.campaigns.models import BudgetSpend, Campaign
from fanloop.campaigns.models.budget import BudgetCategory
from fanloop.channels.imports.profiles import header_stem, normalise_header
from fanloop.channels.imports.reader import HEADER_SCAN_ROWS, FileProblem, open_table
from fanloop.core import audit
from fanloop.core.jobs import job
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform
from fanloop.core.services import require_action
from fanloop.tracking.models import CostCategory, CostEntry, CostSource, Partner
from fanloop.tracking.order_profiles import RowError, parse_fen, text_of

COST_FIELDS = ("day", "category", "amount_fen", "campaign", "platform", "partner", "note")
MAX_AMOUNT_FEN = 10**13  # a hundred billion yuan: anything larger is a typo

BUDGET_CATEGORY: dict[str, str] = {
    BudgetCategory.CONTENT_PRODUCTION: CostCategory.PRODUCTION,
    BudgetCategory.ADS_SEARCH: CostCategory.AD_SPEND,
    BudgetCategory.ADS_SOCIAL: CostCategory.AD_SPEND,
    BudgetCategory.ADS_ECOMMERCE: CostCategory.AD_SPEND,
    BudgetCategory.ADS_APP: CostCategory.AD_SPEND,
    BudgetCategory.KOL: CostCategory.KOL_FEE,
    BudgetCategory.PRIZES: CostCategory.PRIZES,
}

CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    ("广告", CostCategory.AD_SPEND),
    ("投放", CostCategory.AD_SPEND),
    ("推广", CostCategory.AD_SPEND),
    ("ad", CostCategory.AD_SPEND),
    ("kol", CostCategory.KOL_FEE),
    ("达人", CostCategory.KOL_FEE),
    ("博主", CostCategory.KOL_FEE),
    ("红人", CostCategory.KOL_FEE),
    ("奖品", CostCategory.PRIZES),
    ("抽奖", CostCategory.PRIZES),
    ("礼品", CostCategory.PRIZES),
    ("prize", CostCategory.PRIZES),
    ("优惠券", CostCategory.COUPONS),
    ("券", CostCategory.COUPONS),
    ("coupon", CostCategory.COUPONS),
    ("制作", CostCategory.PRODUCTION),
    ("拍摄", CostCategory.PRODUCTION),
    ("production", CostCategory.PRODUCTION),
    ("其他", CostCategory.OTHER),
    ("其它", CostCategory.OTHER),
)
PLATFORM_WORDS: tuple[tuple[str, str], ...] = (
    ("企业微信", Platform.WECOM),
    ("公众号", Platform.WECHAT_OA),
    ("微信", Platform.WECHAT_OA),
    ("微博", Platform.WEIBO),
    ("抖音", Platform.DOUYIN),
    ("巨量", Platform.DOUYIN),
    ("小红书", Platform.XIAOHONGSHU),
    ("b站", Platform.BILIBILI),
    ("哔哩", Platform.BILIBILI),
    ("知乎", Platform.ZHIHU),
    ("快手", Platform.KUAISHOU),
    ("淘宝", Platform.TAOBAO),
    ("天猫", Platform.TAOBAO),
    ("京东", Platform.JD),
    ("拼多多", Platform.PINDUODUO),
    ("有赞", Platform.YOUZAN),
    ("线下", Platform.OFFLINE),
)
COLUMNS: dict[str, tuple[str, ...]] = {
    "day": ("日期", "date", "day", "花费日期", "消耗日期"),
    "category": ("类别", "category", "费用类别", "成本类别"),
    "amount": ("金额", "amount", "金额(元)", "花费", "消耗", "花费(元)"),
    "campaign": ("活动", "campaign", "活动名称", "活动ID"),
    "platform": ("平台", "platform", "渠道"),
    "partner": ("合作方", "partner", "达人", "KOL"),
    "external_ref": ("编号", "external_ref", "参考号", "单号", "流水号"),
    "note": ("备注", "note", "说明"),
}
REQUIRED_COLUMNS = ("day", "category", "amount")


# Parsing values --------------------------------------------------------------------------


def parse_category(value: Any) -> str:
    text = text_of(value)
    folded = text.casefold()
    if folded in CostCategory.values:
        return folded
    for choice, label in CostCategory.choices:
        if folded == str(label).casefold():
            return choice
    for word, category in CATEGORY_WORDS:
        if word in folded:
            return category
    raise RowError(
        _("Unknown cost category “%(value)s”. Use one of: %(all)s.")
        % {"value": text, "all": ", ".join(CostCategory.values)}
    )


def parse_platform(value: Any) -> str:
    text = text_of(value)
    folded = text.casefold()
    if not folded:
        return ""
    if folded in Platform.values:
        return folded
    for choice, label in Platform.choices:
        if folded == str(label).casefold():
            return choice
    for word, platform in PLATFORM_WORDS:
        if word in folded:
            return platform
    raise RowError(_("Unknown platform “%(value)s”.") % {"value": text})


def parse_day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = text_of(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(_("“%(value)s” is not a date such as 2024-05-01.") % {"value": text})


def _campaign(workspace: Workspace, value: Any) -> Campaign | None:
    text = text_of(value)
    if not text:
        return None
    found = Campaign.objects.filter(workspace=workspace, name=text).first()
    if found is None and text.isdigit():
        found = Campaign.objects.filter(workspace=workspace, pk=int(text)).first()
    if found is None:
        raise RowError(_("No campaign “%(value)s” in this workspace.") % {"value": text})
    return found


def _partner(workspace: Workspace, value: Any) -> Partner | None:
    text = text_of(value)
    if not text:
        return None
    found = Partner.objects.filter(workspace=workspace, name=text).first()
    if found is None:
        raise RowError(_("No partner named “%(value)s”; add the partner first.") % {"value": text})
    return found


# Manual entries --------------------------------------------------------------------------


def _validate(
    workspace: Workspace,
    *,
    category: str,
    amount_fen: int,
    campaign: Campaign | None,
    platform: str,
    partner: Partner | None,
) -> None:
    errors: dict[str, str] = {}
    if category not in CostCategory.values:
        errors["category"] = _("Choose a cost category.")
    if not amount_fen:
        errors["amount_fen"] = _("Enter an amount other than zero.")
    elif abs(amount_fen) > MAX_AMOUNT_FEN:
        errors["amount_fen"] = _("That amount is too large.")
    if campaign is not None and campaign.workspace_id != workspace.pk:
        errors["campaign"] = _("That campaign is not in this workspace.")
    if partner is not None and partner.workspace_id != workspace.pk:
        errors["partner"] = _("That partner is not in this workspace.")
    if platform and platform not in Platform.values:
        errors["platform"] = _("Unknown platform.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_cost(
    *,
    actor: User,
    workspace: Workspace,
    day: date,
    category: str,
    amount_fen: int,
    campaign: Campaign | None = None,
    platform: str = "",
    partner: Partner | None = None,
    note: str = "",
) -> CostEntry:
    require_action(actor, workspace, Action.BUDGET_EDIT)
    _validate(
        workspace,
        category=category,
        amount_fen=amount_fen,
        campaign=campaign,
        platform=platform,
        partner=partner,
    )
    entry = CostEntry.objects.create(
        workspace=workspace,
        day=day,
        category=category,
        amount_fen=amount_fen,
        campaign=campaign,
        platform=platform,
        partner=partner,
        note=note.strip()[:300],
        source=CostSource.MANUAL,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        workspace=workspace,
        action="tracking.cost_created",
        obj=entry,
        changes=audit.created(entry, COST_FIELDS),
    )
    mark_dirty([(workspace.pk, day)])
    return entry


def _editable(entry: CostEntry) -> None:
    if entry.source == CostSource.BUDGET:
        raise ValidationError(
            _("This cost mirrors a campaign budget actual; change it in the campaign's budget.")
        )


@transaction.atomic
def update_cost(*, actor: User, entry: CostEntry, **changes: Any) -> CostEntry:
    workspace = entry.workspace
    require_action(actor, workspace, Action.BUDGET_EDIT)
    _editable(entry)
    unknown = set(changes) - set(COST_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    old_day = entry.day
    before = audit.snapshot(entry, COST_FIELDS)
    for name, value in changes.items():
        setattr(entry, name, value)
    _validate(
        workspace,
        category=entry.category,
        amount_fen=entry.amount_fen,
        campaign=entry.campaign,
        platform=entry.platform,
        partner=entry.partner,
    )
    entry.note = entry.note.strip()[:300]
    entry.save()
    after = audit.snapshot(entry, COST_FIELDS)
    audit.record(
        actor=actor,
        workspace=workspace,
        action="tracking.cost_updated",
        obj=entry,
        changes=audit.diff(before, after),
    )
    mark_dirty([(workspace.pk, old_day), (workspace.pk, entry.day)])
    return entry


@transaction.atomic
def delete_cost(*, actor: User, entry: CostEntry) -> None:
    workspace = entry.workspace
    require_action(actor, workspace, Action.BUDGET_EDIT)
    _editable(entry)
    audit.record(
        actor=actor,
        workspace=workspace,
        action="tracking.cost_deleted",
        obj=entry,
        changes=audit.deleted(entry, COST_FIELDS),
    )
    day = entry.day
    entry.delete()
    mark_dirty([(workspace.pk, day)])


# File import -----------------------------------------------------------------------------


@dataclass
class CostImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows_total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def _header_index(headers: list[str]) -> dict[str, int]:
    norms = [normalise_header(h) for h in headers]
    index: dict[str, int] = {}
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            target = normalise_header(alias)
            for i, norm in enumerate(norms):
                if i in index.values():
                    continue
                if norm == target or header_stem(norm) == header_stem(target):
                    index[name] = i
                    break
            if name in index:
                break
    return index


def _row_ref(values: dict[str, Any], seen: Counter[str]) -> str:
    """A stable key for a row without a reference: its content and how many identical
    rows came before it, so two identical spends in one file stay two."""
    content = "|".join(
        str(values[k] if not hasattr(values[k], "pk") else values[k].pk)
        for k in ("day", "category", "amount_fen", "campaign", "platform", "partner", "note")
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:40]
    seen[digest] += 1
    return f"row:{digest}:{seen[digest]}"


def import_costs(
    *, actor: User | None, workspace: Workspace, data: bytes, file_name: str
) -> CostImportResult:
    """Import a cost file; bad rows are reported and skipped, the rest written at once."""
    if actor is not None:
        require_action(actor, workspace, Action.BUDGET_EDIT)
    table = open_table(data, file_name)
    scanned = list(itertools.islice(table.rows, HEADER_SCAN_ROWS))
    best: tuple[int, dict[str, int]] | None = None
    for position, (_number, row) in enumerate(scanned):
        index = _header_index([text_of(c) for c in row])
        if index and (best is None or len(index) > len(best[1])):
            best = (position, index)
    if best is None or any(c not in best[1] for c in REQUIRED_COLUMNS):
        headers = [text_of(c) for c in scanned[best[0] if best else 0][1]] if scanned else []
        missing = [c for c in REQUIRED_COLUMNS if best is None or c not in best[1]]
        raise FileProblem(
            _("Required columns are missing: %(missing)s. The file's headers are: %(headers)s.")
            % {
                "missing": "、".join(f"{COLUMNS[c][0]} ({c})" for c in missing),
                "headers": "、".join(h for h in headers if h) or _("nothing"),
            }
        )
    position, index = best
    result = CostImportResult()
    parsed: list[tuple[str, dict[str, Any]]] = []
    seen: Counter[str] = Counter()

    def cell(cells: list[Any], name: str) -> Any:
        at = index.get(name)
        return cells[at] if at is not None and at < len(cells) else None

    for number, raw in itertools.chain(scanned[position + 1 :], table.rows):
        cells = list(raw)
        if not any(text_of(c) for c in cells):
            continue
        result.rows_total += 1
        try:
            amount = parse_fen(cell(cells, "amount"))
            if not amount:
                raise RowError(_("The amount is empty or zero."))
            if abs(amount) > MAX_AMOUNT_FEN:
                raise RowError(_("That amount is too large."))
            values = {
                "day": parse_day(cell(cells, "day")),
                "category": parse_category(cell(cells, "category")),
                "amount_fen": amount,
                "campaign": _campaign(workspace, cell(cells, "campaign")),
                "platform": parse_platform(cell(cells, "platform")),
                "partner": _partner(workspace, cell(cells, "partner")),
                "note": text_of(cell(cells, "note"))[:300],
            }
        except RowError as problem:
            result.errors.append({"row": number, "reason": str(problem)})
            continue
        ref = text_of(cell(cells, "external_ref"))[:120] or _row_ref(values, seen)
        parsed.append((ref, values))
    days: set[date] = set()
    with transaction.atomic():
        existing = {
            e.external_ref: e
            for e in CostEntry.objects.filter(
                workspace=workspace, external_ref__in=[ref for ref, _v in parsed]
            )
        }
        for ref, values in parsed:
            entry = existing.get(ref)
            if entry is None:
                entry = CostEntry.objects.create(
                    workspace=workspace,
                    source=CostSource.IMPORT,
                    external_ref=ref,
                    created_by=actor,
                    **values,
                )
                existing[ref] = entry
                result.created += 1
                days.add(entry.day)
                continue
            if all(getattr(entry, k) == v for k, v in values.items()):
                result.unchanged += 1
                continue
            days.add(entry.day)
            for k, v in values.items():
                setattr(entry, k, v)
            entry.save()
            days.add(entry.day)
            result.updated += 1
        audit.record(
            actor=actor,
            workspace=workspace,
            action="tracking.cost_import",
            obj=workspace,
            changes={
                "file_name": (None, file_name[:200]),
                "created": (None, result.created),
                "updated": (None, result.updated),
                "unchanged": (None, result.unchanged),
                "rows_failed": (None, len(result.errors)),
            },
        )
        mark_dirty((workspace.pk, d) for d in days)
    return result


# Budget mirror ---------------------------------------------------------------------------


@transaction.atomic
def sync_budget_costs(workspace: Workspace) -> dict[str, int]:
    """Make the workspace's ``budget`` cost entries equal its campaigns' budget actuals."""
    spends = BudgetSpend.objects.filter(line__campaign__workspace=workspace).select_related(
        "line", "line__campaign"
    )
    mirrors = {
        e.budget_spend_id: e
        for e in CostEntry.objects.filter(workspace=workspace, source=CostSource.BUDGET)
    }
    counts = {"created": 0, "updated": 0, "deleted": 0}
    days: set[date] = set()
    for spend in spends:
        values = {
            "day": spend.spent_on,
            "category": BUDGET_CATEGORY.get(spend.line.category, CostCategory.OTHER),
            "amount_fen": spend.amount_fen,
            "campaign_id": spend.line.campaign_id,
            "note": (spend.note or spend.line.description or str(spend.line))[:300],
        }
        entry = mirrors.pop(spend.pk, None)
        if entry is None:
            CostEntry.objects.create(
                workspace=workspace,
                source=CostSource.BUDGET,
                budget_spend=spend,
                created_by_id=spend.created_by_id,
                **values,
            )
            counts["created"] += 1
            days.add(spend.spent_on)
            continue
        if all(getattr(entry, k) == v for k, v in values.items()):
            continue
        days.add(entry.day)
        for k, v in values.items():
            setattr(entry, k, v)
        entry.save()
        days.add(entry.day)
        counts["updated"] += 1
    for orphan in mirrors.values():  # the spend is gone (or the entry lost its link)
        days.add(orphan.day)
        orphan.delete()
        counts["deleted"] += 1
    if any(counts.values()):
        audit.record(
            actor=None,
            workspace=workspace,
            action="tracking.budget_costs_synced",
            obj=workspace,
            changes={k: (None, v) for k, v in counts.items()},
        )
        mark_dirty((workspace.pk, d) for d in days)
    return counts


@job(max_attempts=1)
def sync_all_budget_costs() -> dict[str, int]:
    """The periodic job: mirror budget actuals of every workspace."""
    totals: Counter[str] = Counter()
    for workspace in Workspace.objects.all():
        totals.update(sync_budget_costs(workspace))
    return dict(totals)
