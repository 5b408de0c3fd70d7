"""The one write path for workspace terms, and checks that merge them into the engine."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fanloop.compliance import engine
from fanloop.compliance.engine import CheckContext, Finding, Severity, WorkspaceTermSpec
from fanloop.compliance.models import TermKind, WorkspaceTerm
from fanloop.core import audit
from fanloop.core.models import Workspace
from fanloop.core.permissions import Action
from fanloop.core.services import require_action

TERM_FIELDS = ("term", "kind", "category", "severity", "note")
TERM_MAX = 60


def _validate(term: str, kind: str, category: str, severity: str, note: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not term:
        errors["term"] = _("Enter a term.")
    elif len(term) > TERM_MAX:
        errors["term"] = _("A term has at most %(max)d characters.") % {"max": TERM_MAX}
    if kind not in TermKind.values:
        errors["kind"] = _("Unknown kind %(kind)s. Choose one of: %(kinds)s.") % {
            "kind": kind,
            "kinds": ", ".join(TermKind.values),
        }
    if severity not in Severity.values:
        errors["severity"] = _("Unknown severity %(severity)s. Choose one of: %(all)s.") % {
            "severity": severity,
            "all": ", ".join(Severity.values),
        }
    if len(category) > 40:
        errors["category"] = _("A category has at most 40 characters.")
    if len(note) > 200:
        errors["note"] = _("A note has at most 200 characters.")
    return errors


def add_term(
    *,
    actor: Any,
    workspace: Workspace,
    term: str,
    kind: str,
    category: str = "custom",
    severity: str = Severity.BLOCK,
    note: str = "",
) -> WorkspaceTerm:
    """Add a banned term, or mark a term as allowed, for ``workspace``."""
    require_action(actor, workspace, Action.CONTENT_REVIEW)
    term = (term or "").strip()
    category = (category or "").strip() or "custom"
    note = (note or "").strip()
    errors = _validate(term, kind, category, severity, note)
    if errors:
        raise ValidationError(errors)
    if WorkspaceTerm.objects.filter(workspace=workspace, term=term, kind=kind).exists():
        raise ValidationError({"term": _("This term is already on the list.")})
    try:
        with transaction.atomic():
            obj = WorkspaceTerm.objects.create(
                workspace=workspace,
                term=term,
                kind=kind,
                category=category,
                severity=severity,
                note=note,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit.record(
                actor=actor,
                workspace=workspace,
                action="compliance.term_added",
                obj=obj,
                changes=audit.created(obj, TERM_FIELDS),
            )
    except IntegrityError as exc:  # a concurrent add of the same term
        raise ValidationError({"term": _("This term is already on the list.")}) from exc
    return obj


@transaction.atomic
def remove_term(*, actor: Any, workspace: Workspace, term_id: int) -> None:
    require_action(actor, workspace, Action.CONTENT_REVIEW)
    obj = WorkspaceTerm.objects.filter(workspace=workspace, pk=term_id).first()
    if obj is None:
        raise ValidationError({"term": _("No such term in this workspace.")})
    audit.record(
        actor=actor,
        workspace=workspace,
        action="compliance.term_removed",
        obj=obj,
        changes=audit.deleted(obj, TERM_FIELDS),
    )
    obj.delete()


def terms(workspace: Workspace) -> list[WorkspaceTerm]:
    return list(WorkspaceTerm.objects.filter(workspace=workspace).select_related("created_by"))


def context_terms(
    workspace: Workspace,
) -> tuple[tuple[WorkspaceTermSpec, ...], frozenset[str]]:
    """The workspace's banned terms (as engine specs) and allowed terms."""
    extra: list[WorkspaceTermSpec] = []
    allowed: set[str] = set()
    rows = WorkspaceTerm.objects.filter(workspace=workspace).order_by("term", "kind")
    for row in rows.values_list("term", "kind", "category", "severity", "note"):
        term, kind, category, severity, note = row
        if kind == TermKind.ALLOWED:
            allowed.add(term)
        else:
            extra.append(WorkspaceTermSpec(term, category or "custom", severity, note))
    return tuple(extra), frozenset(allowed)


def check_for_workspace(
    workspace: Workspace, text: str, context: CheckContext | None = None, field: str = "body"
) -> list[Finding]:
    """:func:`engine.check_text` with the workspace's own banned and allowed terms merged in."""
    context = context or CheckContext()
    extra, allowed = context_terms(workspace)
    merged = CheckContext(
        platform=context.platform,
        purpose=context.purpose,
        sponsored=context.sponsored,
        product_kind=context.product_kind,
        special_cosmetic=context.special_cosmetic,
        extra_terms=tuple(context.extra_terms) + extra,
        allowed_terms=frozenset(context.allowed_terms) | allowed,
    )
    return engine.check_text(text, merged, field=field)
