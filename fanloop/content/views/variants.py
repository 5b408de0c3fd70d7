"""The variant editor: save, live check, transitions, comments, versions and diffs."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.content import diffs, platform_rules, queries, services, workflow
from fanloop.content.forms import CommentForm, TransitionForm, VariantForm, local_input
from fanloop.content.models import (
    MediaAsset,
    Variant,
    VariantComment,
    VariantState,
)
from fanloop.content.views.studio import actor, report, report_form, studio_view
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest

MEDIA_PICKER_LIMIT = 200
# Transitions that show a comment box; approve also shows the override reason.
WITH_NOTE = {"approve", "request_changes", "mark_failed", "submit"}


@dataclass
class Count:
    """A field's length the way the platform counts it, against its limit (if known)."""

    field: str
    label: str
    actual: int
    limit: float | None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.actual > self.limit


@dataclass
class Panel:
    """What the check panel shows, from the saved variant or from unsaved copy."""

    title: str
    body: str
    findings: list[dict[str, Any]]
    rule_problems: list[dict[str, Any]]
    originality: float | None
    similar: list[Any] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    live: bool = False

    @property
    def blocking(self) -> int:
        return sum(1 for f in self.findings if f.get("severity") == "block")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.get("severity") == "warn")


def _counts(variant: Variant, title: str, body: str, topics: list[str]) -> list[Count]:
    try:
        rules = platform_rules.rules_for(variant.platform, variant.item.content_type)
    except ValueError:
        return []
    return [
        Count(
            "title",
            _("Title"),
            platform_rules.text_length(variant.platform, title),
            rules.title_max.value,
        ),
        Count(
            "body",
            _("Body"),
            platform_rules.text_length(variant.platform, body),
            rules.body_max.value,
        ),
        Count("topics", _("Topics"), len(topics), rules.topics_max.value),
    ]


# Findings that need history (not just the text) are shown as stored at the last save.
HISTORY_RULES = frozenset({"originality", "hard_ad_ratio"})


def saved_panel(variant: Variant) -> Panel:
    # Stored findings carry their explanations in the language of whoever saved; the text
    # rules take milliseconds, so they are re-run to speak the reader's language.
    media = [link.asset for link in variant.media_links.select_related("asset")]
    fresh = services.check_copy(
        variant,
        title=variant.title,
        body=variant.body,
        topics=list(variant.topics),
        mentions=list(variant.mentions),
        media=media,
        cover=variant.cover,
        link=variant.link,
        with_originality=False,
    )
    kept = [f for f in variant.findings or [] if f.get("rule") in HISTORY_RULES]
    return Panel(
        title=variant.title,
        body=variant.body,
        findings=fresh.findings + kept,
        rule_problems=fresh.rule_problems,
        originality=variant.originality,
        counts=_counts(variant, variant.title, variant.body, list(variant.topics)),
    )


def _assets(request: WorkspaceRequest) -> list[MediaAsset]:
    return list(queries.media(request.workspace)[:MEDIA_PICKER_LIMIT])


def _comment_rows(variant: Variant) -> list[dict[str, Any]]:
    """Comments in thread order, each with its depth (replies under their parent)."""
    comments = list(
        VariantComment.objects.filter(variant=variant)
        .select_related("author")
        .prefetch_related("mentioned")
    )
    children: dict[int | None, list[VariantComment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    rows: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for comment in children.get(parent, []):
            rows.append({"comment": comment, "indent": f"ms-{min(depth * 2, 5)}"})
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return rows


def _transitions(request: WorkspaceRequest, variant: Variant) -> list[dict[str, Any]]:
    step = services.current_step(variant)
    result = []
    for option in workflow.available(variant.state):
        if option.name in {"approve", "request_changes"}:
            if not services.can_review(request.role, step):
                continue
        elif not allowed(request.role, option.action):
            continue
        result.append(
            {
                "name": option.name,
                "label": option.label,
                "note": option.name in WITH_NOTE,
                "needs_note": option.needs_note,
                "override": option.name == "approve" and bool(variant.blocking_findings),
                "schedule": option.name in {"schedule", "retry"},
            }
        )
    return result


def detail_context(
    request: WorkspaceRequest,
    variant: Variant,
    *,
    form: VariantForm | None = None,
    panel: Panel | None = None,
) -> dict[str, Any]:
    workspace = request.workspace
    can_edit = (
        allowed(request.role, Action.CONTENT_EDIT) and variant.state in workflow.EDITABLE_STATES
    )
    assets = _assets(request)
    form = form or VariantForm(variant=variant, assets=assets)
    transitions = _transitions(request, variant)
    slots: list[Any] = []
    if any(t["schedule"] for t in transitions):
        slots = services.suggested_slots(workspace, variant.platform)
    selected = {str(pk) for pk in form["media_ids"].value() or []}
    return {
        "variant": variant,
        "item": variant.item,
        "form": form,
        "media_choices": [
            {"asset": asset, "checked": str(asset.pk) in selected} for asset in assets
        ],
        "panel": panel or saved_panel(variant),
        "can_edit": can_edit,
        "can_delete": allowed(request.role, Action.CONTENT_EDIT)
        and variant.state not in {VariantState.SCHEDULED, VariantState.PUBLISHED},
        "transitions": transitions,
        "transition_form": TransitionForm(),
        "planned_local": local_input(variant.planned_at),
        "slots": [{"value": local_input(slot), "when": slot} for slot in slots],
        "step": services.current_step(variant),
        "steps": services.steps_of(workspace),
        "decisions": variant.decisions.select_related("reviewer"),
        "state_changes": variant.state_changes.select_related("actor"),
        "comments": _comment_rows(variant),
        "comment_form": CommentForm(auto_id="comment_%s"),
        "versions": list(queries.versions(variant)),
        "nav": "content",
    }


@studio_view(Action.WORKSPACE_VIEW)
def variant_detail(request: WorkspaceRequest, item_pk: int, pk: int) -> HttpResponse:
    variant = queries.variant(request.workspace, item_pk, pk)
    return render_page(request, "content/variant.html", detail_context(request, variant))


def _back(variant: Variant, anchor: str = "") -> HttpResponseBase:
    url = reverse("variant_detail", args=[variant.workspace.slug, variant.item_id, variant.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_POST
@studio_view(Action.CONTENT_EDIT)
def variant_save(request: WorkspaceRequest, item_pk: int, pk: int) -> HttpResponseBase:
    variant = queries.variant(request.workspace, item_pk, pk)
    form = VariantForm(request.POST, variant=variant, assets=_assets(request))
    if form.is_valid():
        state_before = variant.state
        version_before = variant.version
        try:
            saved = services.update_variant(
                actor=actor(request),
                variant=variant,
                data=form.copy_data(),
                expected_version=form.cleaned_data["expected_version"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if saved.version != version_before:
                messages.success(request, _("Saved as version %(n)d.") % {"n": saved.version})
            else:
                messages.success(request, _("Saved."))
            if saved.state != state_before:
                messages.warning(
                    request,
                    _("The copy changed, so the variant is %(state)s again.")
                    % {"state": saved.get_state_display()},
                )
            return _back(saved)
    return render_page(
        request,
        "content/variant.html",
        detail_context(request, variant, form=form),
        status=400,
    )


@require_POST
@studio_view(Action.WORKSPACE_VIEW)
def variant_check(request: WorkspaceRequest, item_pk: int, pk: int) -> HttpResponse:
    """The live check: the copy as typed, checked but never saved (nothing is written)."""
    variant = queries.variant(request.workspace, item_pk, pk)
    form = VariantForm(request.POST, variant=variant, assets=_assets(request))
    form.is_valid()  # use whatever is valid; a bad date must not stop the check
    args = form.check_args()
    # The check reads; should anything in it write (settings defaults, caches in the
    # database), the savepoint is rolled back so the live check leaves no trace.
    with transaction.atomic():
        result = services.check_copy(variant, **args)
        transaction.set_rollback(True)
    panel = Panel(
        title=args["title"],
        body=args["body"],
        findings=list(result.findings),
        rule_problems=list(result.rule_problems),
        originality=result.originality,
        similar=list(result.similar),
        counts=_counts(variant, args["title"], args["body"], args["topics"]),
        live=True,
    )
    response = render(request, "content/_check_panel.html", {"variant": variant, "panel": panel})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@studio_view(Action.WORKSPACE_VIEW)
def variant_transition(
    request: WorkspaceRequest, item_pk: int, pk: int, name: str
) -> HttpResponseBase:
    variant = queries.variant(request.workspace, item_pk, pk)
    if name not in workflow.BY_NAME:
        raise Http404("No such transition")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        report_form(request, form)
        return render_page(
            request, "content/variant.html", detail_context(request, variant), status=400
        )
    data = form.cleaned_data
    try:
        moved, warnings = services.transition(
            actor=actor(request),
            variant=variant,
            name=name,
            note=data["note"],
            override_reason=data["override_reason"],
            planned_at=data["planned_at"],
        )
    except ValidationError as exc:
        report(request, exc)
        variant = queries.variant(request.workspace, item_pk, pk)
        return render_page(
            request, "content/variant.html", detail_context(request, variant), status=400
        )
    for warning in warnings:
        messages.warning(request, warning)
    messages.success(
        request,
        _("%(step)s: the variant is now %(state)s.")
        % {"step": workflow.BY_NAME[name].label, "state": moved.get_state_display()},
    )
    return _back(moved)


@require_POST
@studio_view(Action.WORKSPACE_VIEW)
def variant_comment(request: WorkspaceRequest, item_pk: int, pk: int) -> HttpResponseBase:
    variant = queries.variant(request.workspace, item_pk, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        report_form(request, form)
        return _back(variant, "comments")
    parent = None
    if form.cleaned_data["parent"]:
        parent = VariantComment.objects.filter(
            variant=variant, pk=form.cleaned_data["parent"]
        ).first()
        if parent is None:
            raise Http404("No such comment")
    try:
        services.add_comment(
            actor=actor(request), variant=variant, body=form.cleaned_data["body"], parent=parent
        )
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Comment added."))
    return _back(variant, "comments")


@require_POST
@studio_view(Action.CONTENT_EDIT)
def variant_delete(request: WorkspaceRequest, item_pk: int, pk: int) -> HttpResponseBase:
    variant = queries.variant(request.workspace, item_pk, pk)
    try:
        services.delete_variant(actor=actor(request), variant=variant)
    except ValidationError as exc:
        report(request, exc)
        return _back(variant)
    messages.success(request, _("Variant deleted."))
    return redirect("content_item", request.workspace.slug, item_pk)


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@studio_view(Action.WORKSPACE_VIEW)
def variant_diff(request: WorkspaceRequest, item_pk: int, pk: int) -> HttpResponse:
    variant = queries.variant(request.workspace, item_pk, pk)
    versions = list(queries.versions(variant))
    numbers = sorted(v.number for v in versions)
    to_number = _number(request.GET.get("to")) or (numbers[-1] if numbers else None)
    from_number = _number(request.GET.get("from"))
    if from_number is None and to_number is not None:
        earlier = [n for n in numbers if n < to_number]
        from_number = earlier[-1] if earlier else to_number
    changes: list[diffs.FieldDiff] = []
    old = new = None
    if to_number is not None and from_number is not None:
        old = queries.version(variant, from_number)
        new = queries.version(variant, to_number)
        changes = diffs.diff_versions(old, new)
    return render_page(
        request,
        "content/variant_diff.html",
        {
            "variant": variant,
            "item": variant.item,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": changes,
            "now": timezone.now(),
            "nav": "content",
        },
    )
