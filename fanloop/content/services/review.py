"""Moving variants through review and publishing; threaded comments with @mentions."""

import re
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.content import hooks, workflow
from fanloop.content.models import (
    ContentSettings,
    Decision,
    ReviewDecision,
    ReviewStep,
    Variant,
    VariantComment,
    VariantState,
    VariantStateChange,
)
from fanloop.content.services.checks import check_copy, hard_ad_warning, run_checks
from fanloop.content.services.common import content_settings, require
from fanloop.core import audit, notifications
from fanloop.core.models import Membership, User, Workspace
from fanloop.core.permissions import Action, Role

S = VariantState


def variant_url(variant: Variant) -> str:
    return reverse("variant_detail", args=[variant.workspace.slug, variant.item_id, variant.pk])


def steps_of(workspace: Workspace) -> list[ReviewStep]:
    return list(ReviewStep.objects.filter(workspace=workspace).order_by("position"))


def current_step(variant: Variant) -> ReviewStep | None:
    steps = steps_of(variant.workspace)
    if variant.state != S.IN_REVIEW or not steps:
        return None
    return steps[min(variant.review_step, len(steps) - 1)]


def can_review(role: str | None, step: ReviewStep | None) -> bool:
    """Admins review any step; otherwise the step's role, which must hold content.review
    or be the step's named role (e.g. a marketing content lead)."""
    if role is None:
        return False
    return role == Role.ADMIN or (step is not None and role == step.role)


def notify_reviewers(variant: Variant) -> None:
    step = current_step(variant)
    if step is None:
        return
    reviewers = [
        m.user
        for m in Membership.objects.filter(
            workspace=variant.workspace, role=step.role
        ).select_related("user")
    ]
    notifications.notify(
        users=reviewers,
        workspace=variant.workspace,
        text=_("Review needed (%(step)s): %(variant)s") % {"step": step.name, "variant": variant},
        url=variant_url(variant),
    )


def _notify_owner(variant: Variant, text: str, actor: User) -> None:
    owner = variant.item.owner
    if owner is not None and owner.pk != actor.pk:
        notifications.notify(
            users=[owner], workspace=variant.workspace, text=text, url=variant_url(variant)
        )


def _move(variant: Variant, target: str, actor: User, note: str, name: str) -> None:
    before = variant.state
    variant.state = target
    variant.updated_at = timezone.now()
    variant.save()
    VariantStateChange.objects.create(
        variant=variant, from_state=before, to_state=target, actor=actor, note=note
    )
    audit.record(
        actor=actor,
        workspace=variant.workspace,
        action=f"content.variant_{name}",
        obj=variant,
        changes={"state": (before, target), **({"note": (None, note)} if note else {})},
    )


def _refresh_checks(variant: Variant) -> None:
    result = run_checks(variant)
    variant.findings = result.findings
    variant.rule_problems = result.rule_problems
    variant.originality = result.originality
    variant.checked_at = timezone.now()


def _describe_blocking(findings: list[dict[str, object]]) -> list[str]:
    return [
        _("%(rule)s: “%(text)s”") % {"rule": f.get("rule"), "text": f.get("matched") or "—"}
        for f in findings
        if f.get("severity") == "block"
    ]


def _blocking_problems(variant: Variant) -> list[str]:
    return _describe_blocking(variant.findings)


def _rule_errors(variant: Variant) -> list[str]:
    return [str(p["message"]) for p in variant.rule_problems if p.get("severity") == "error"]


@transaction.atomic
def transition(
    *,
    actor: User,
    variant: Variant,
    name: str,
    note: str = "",
    override_reason: str = "",
    planned_at: datetime | None = None,
) -> tuple[Variant, list[str]]:
    """Take the named transition; returns the variant and any warnings for the caller."""
    step_def = workflow.BY_NAME.get(name)
    if step_def is None:
        raise ValidationError({"transition": _("Unknown transition %(name)s.") % {"name": name}})
    variant = (
        Variant.objects.select_for_update(of=("self",))
        .select_related("item", "workspace", "item__owner")
        .get(pk=variant.pk)
    )
    workspace = variant.workspace
    # Review decisions belong to the role each review step names (checked below), so a
    # marketing content lead can review without holding content.review everywhere.
    role = (
        require(actor, workspace, Action.WORKSPACE_VIEW)
        if name in {"approve", "request_changes"}
        else require(actor, workspace, step_def.action)
    )
    if variant.state not in step_def.sources:
        raise ValidationError(
            {
                "transition": _("A %(state)s variant cannot do “%(step)s”.")
                % {"state": variant.get_state_display(), "step": step_def.label}
            }
        )
    note = note.strip()
    if step_def.needs_note and not note:
        raise ValidationError({"note": _("Say why.")})
    warnings: list[str] = []
    if name == "submit":
        _submit(variant, actor, note)
    elif name == "approve":
        _approve(variant, actor, role, note, override_reason.strip())
    elif name == "request_changes":
        step = current_step(variant)
        if not can_review(role, step):
            raise PermissionDenied(_("This review step belongs to another role."))
        _record_decision(variant, step, actor, Decision.REQUEST_CHANGES, note, "")
        variant.review_step = 0
        _move(variant, S.CHANGES_REQUESTED, actor, note, name)
        _notify_owner(variant, _("Changes requested: %(v)s") % {"v": variant}, actor)
    elif name in {"schedule", "retry"}:
        warnings = _schedule(variant, actor, planned_at, name)
    else:
        if name == "mark_failed":
            variant.failure = note
        _move(variant, step_def.target, actor, note, name)
        if name == "unschedule":
            hooks.schedule_changed(variant, "unscheduled")
        if name == "mark_published":
            variant.published_at = timezone.now()
            variant.save(update_fields=["published_at"])
    return variant, warnings


def _submit(variant: Variant, actor: User, note: str) -> None:
    _refresh_checks(variant)
    errors = _rule_errors(variant)
    if errors:
        raise ValidationError({"transition": errors})
    if not steps_of(variant.workspace):
        # No review configured: submission is approval, but the law still applies.
        blocking = _blocking_problems(variant)
        if blocking:
            raise ValidationError(
                {
                    "transition": [
                        _(
                            "Blocking compliance findings; fix them, or add a review step "
                            "so a reviewer can override with a reason."
                        ),
                        *blocking,
                    ]
                }
            )
        variant.review_step = 0
        _move(variant, S.APPROVED, actor, note or _("No review steps: approved."), "submit")
        return
    variant.review_step = 0
    _move(variant, S.IN_REVIEW, actor, note, "submit")
    notify_reviewers(variant)


def _record_decision(
    variant: Variant,
    step: ReviewStep | None,
    actor: User,
    decision: str,
    comment: str,
    override_reason: str,
) -> ReviewDecision:
    return ReviewDecision.objects.create(
        variant=variant,
        version=variant.version,
        step_position=step.position if step else 0,
        step_name=step.name if step else "",
        decision=decision,
        comment=comment,
        override_reason=override_reason,
        reviewer=actor,
    )


def _approve(variant: Variant, actor: User, role: str, note: str, override_reason: str) -> None:
    step = current_step(variant)
    if not can_review(role, step):
        raise PermissionDenied(_("This review step belongs to another role."))
    _refresh_checks(variant)
    errors = _rule_errors(variant)
    if errors:
        raise ValidationError({"transition": errors})
    blocking = _blocking_problems(variant)
    if blocking and not override_reason:
        raise ValidationError(
            {
                "override_reason": [
                    _(
                        "Blocking compliance findings stop approval. Fix them, or write why "
                        "they may be overridden."
                    ),
                    *blocking,
                ]
            }
        )
    _record_decision(
        variant, step, actor, Decision.APPROVE, note, override_reason if blocking else ""
    )
    if blocking:
        variant.compliance_override = override_reason
        audit.record(
            actor=actor,
            workspace=variant.workspace,
            action="content.compliance_override",
            obj=variant,
            changes={"override_reason": (None, override_reason), "findings": (None, blocking)},
        )
    steps = steps_of(variant.workspace)
    if variant.review_step + 1 < len(steps):
        variant.review_step += 1
        variant.save()
        VariantStateChange.objects.create(
            variant=variant,
            from_state=S.IN_REVIEW,
            to_state=S.IN_REVIEW,
            actor=actor,
            note=_("%(step)s approved") % {"step": step.name if step else ""},
        )
        audit.record(
            actor=actor,
            workspace=variant.workspace,
            action="content.variant_approve_step",
            obj=variant,
            changes={"review_step": (variant.review_step - 1, variant.review_step)},
        )
        notify_reviewers(variant)
        return
    _move(variant, S.APPROVED, actor, note, "approve")
    _notify_owner(variant, _("Approved: %(v)s") % {"v": variant}, actor)


def _schedule(variant: Variant, actor: User, planned_at: datetime | None, name: str) -> list[str]:
    from fanloop.content.services.scheduling import slot_problems

    when = planned_at or variant.planned_at
    if when is None:
        raise ValidationError({"planned_at": _("Choose when to publish.")})
    problems = slot_problems(variant, when)
    if problems:
        raise ValidationError({"planned_at": problems})
    _refresh_checks(variant)
    if _blocking_problems(variant) and not variant.compliance_override:
        raise ValidationError({"transition": _blocking_problems(variant)})
    variant.planned_at = when
    warning = hard_ad_warning(variant, when)
    _move(variant, S.SCHEDULED, actor, "", name)
    hooks.schedule_changed(variant, "scheduled")
    return [str(warning["explanation"])] if warning else []


def publish_problems(variant: Variant) -> list[str]:
    """Checked again right before publishing (the dispatcher calls this): the rules or the
    workspace's terms may have changed since approval. Empty means it may go out.

    Read-only and lock-free: it sits on the publishing hot path, and originality (a
    warning, indexed at save time) cannot block, so only the text rules are re-run.
    """
    variant = Variant.objects.select_related("item", "workspace", "cover").get(pk=variant.pk)
    if variant.state != S.SCHEDULED:
        return [
            _("Only scheduled variants are published; this one is %(state)s.")
            % {"state": variant.get_state_display()}
        ]
    result = check_copy(
        variant,
        title=variant.title,
        body=variant.body,
        topics=list(variant.topics),
        mentions=list(variant.mentions),
        media=[link.asset for link in variant.media_links.select_related("asset")],
        cover=variant.cover,
        link=variant.link,
        with_originality=False,
    )
    problems = [str(p["message"]) for p in result.rule_errors]
    if not variant.compliance_override:
        problems += _describe_blocking(result.findings)
    return problems


@transaction.atomic
def record_publish_outcome(
    *,
    variant: Variant,
    published: bool,
    url: str = "",
    published_at: datetime | None = None,
    error: str = "",
    actor: User | None = None,
) -> Variant:
    """Publishing (a worker, or an operator for assisted posts) reports what happened.

    ``actor`` None means the publishing worker; a person's permission was checked by
    the publishing service that calls this.
    """
    variant = Variant.objects.select_for_update(of=("self",)).get(pk=variant.pk)
    target = S.PUBLISHED if published else S.FAILED
    if variant.state == target:
        return variant  # reported twice: once is enough
    if variant.state not in {S.SCHEDULED, S.FAILED}:
        raise ValidationError(
            {
                "transition": _("A %(state)s variant cannot be marked %(target)s.")
                % {"state": variant.get_state_display(), "target": S(target).label}
            }
        )
    before = variant.state
    variant.state = target
    if published:
        variant.published_url = url[:500]
        variant.published_at = published_at or timezone.now()
        variant.failure = ""
    else:
        variant.failure = error
    variant.updated_at = timezone.now()
    variant.save()
    VariantStateChange.objects.create(
        variant=variant, from_state=before, to_state=target, actor=actor, note=(url or error)[:300]
    )
    audit.record(
        actor=actor,
        workspace=variant.workspace,
        action="content.variant_published" if published else "content.variant_failed",
        obj=variant,
        changes={"state": (before, target), "url": (None, url) if url else (None, error[:300])},
    )
    return variant


# Comments -------------------------------------------------------------------------------

MENTION = re.compile(r"@([\w.\-]+)")


@transaction.atomic
def add_comment(
    *, actor: User, variant: Variant, body: str, parent: VariantComment | None = None
) -> VariantComment:
    """Anyone in the workspace may discuss; @username notifies that member."""
    require(actor, variant.workspace, Action.WORKSPACE_VIEW)
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Write a comment.")})
    if len(text) > 5000:
        raise ValidationError({"body": _("Keep comments under 5,000 characters.")})
    if parent is not None and parent.variant_id != variant.pk:
        raise ValidationError({"parent": _("Reply to a comment on this variant.")})
    names = set(MENTION.findall(text))
    members = list(
        User.objects.filter(memberships__workspace=variant.workspace, username__in=names).distinct()
    )
    unknown = names - {user.username for user in members}
    if unknown:
        raise ValidationError(
            {
                "body": _("Not members of this workspace: %(names)s")
                % {"names": ", ".join(sorted(unknown))}
            }
        )
    comment = VariantComment.objects.create(variant=variant, parent=parent, author=actor, body=text)
    comment.mentioned.set(members)
    to_tell = [user for user in members if user.pk != actor.pk]
    if parent is not None and parent.author is not None and parent.author_id != actor.pk:
        to_tell.append(parent.author)
    notifications.notify(
        users=to_tell,
        workspace=variant.workspace,
        text=_("%(who)s on %(v)s: %(text)s") % {"who": actor, "v": variant, "text": text[:120]},
        url=variant_url(variant),
    )
    audit.record(
        actor=actor,
        workspace=variant.workspace,
        action="content.comment_add",
        obj=comment,
        changes={"variant": (None, str(variant)), "body": (None, text)},
    )
    return comment


# Review steps and thresholds ------------------------------------------------------------


@transaction.atomic
def set_review_steps(
    *, actor: User, workspace: Workspace, steps: list[dict[str, Any]]
) -> list[ReviewStep]:
    """Replace the review chain; an empty list means content needs no review."""
    require(actor, workspace, Action.WORKSPACE_UPDATE)
    errors: list[str] = []
    clean: list[tuple[str, str]] = []
    for index, raw in enumerate(steps, start=1):
        name = str(raw.get("name", "")).strip()
        role = str(raw.get("role", ""))
        if not name:
            errors.append(_("Step %(n)d needs a name.") % {"n": index})
        if role not in Role.values or role == Role.VIEWER:
            errors.append(_("Step %(n)d needs a reviewing role.") % {"n": index})
        clean.append((name[:80], role))
    if len(clean) > 5:
        errors.append(_("At most 5 review steps."))
    if errors:
        raise ValidationError({"steps": errors})
    before = [f"{s.name} ({s.role})" for s in steps_of(workspace)]
    in_review = Variant.objects.filter(workspace=workspace, state=S.IN_REVIEW)
    if in_review.exists() and len(clean) != len(before):
        # Keep in-flight reviews coherent: they restart at the first step.
        in_review.update(review_step=0)
    ReviewStep.objects.filter(workspace=workspace).delete()
    created = [
        ReviewStep.objects.create(workspace=workspace, position=i, name=name, role=role)
        for i, (name, role) in enumerate(clean)
    ]
    audit.record(
        actor=actor,
        workspace=workspace,
        action="content.review_steps",
        obj=workspace,
        changes={"review_steps": (before, [f"{s.name} ({s.role})" for s in created])},
    )
    return created


@transaction.atomic
def update_content_settings(
    *, actor: User, workspace: Workspace, data: dict[str, Any]
) -> ContentSettings:
    require(actor, workspace, Action.WORKSPACE_UPDATE)
    row = content_settings(workspace)
    fields = ("hard_ad_cap_percent", "originality_min_percent", "best_time_min_posts")
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    before = audit.snapshot(row, fields)
    errors: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, int) or isinstance(value, bool):
            errors[key] = _("Give a whole number.")
        elif key != "best_time_min_posts" and not 0 <= value <= 100:
            errors[key] = _("Give a percentage from 0 to 100.")
        elif key == "best_time_min_posts" and not 1 <= value <= 1000:
            errors[key] = _("Give a number from 1 to 1,000.")
    if errors:
        raise ValidationError(errors)
    for key, value in data.items():
        setattr(row, key, value)
    row.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="content.settings_update",
        obj=workspace,
        changes=audit.diff(before, audit.snapshot(row, fields)),
    )
    return row
