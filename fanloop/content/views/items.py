"""Content items: the list, new item (optionally from a template), the item page, the
review queue."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.content import queries, services
from fanloop.content.forms import AddVariantForm, ItemFilterForm, ItemForm
from fanloop.content.models import ContentItem, ContentTemplate, VariantState
from fanloop.content.views.studio import actor, report, report_form, studio_view
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest

PAGE_SIZE = 25


@studio_view(Action.WORKSPACE_VIEW)
def content_list(request: WorkspaceRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET or None, workspace=request.workspace)
    found = queries.items(request.workspace, **form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "content/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav": "content"},
    )


def _template_from(request: WorkspaceRequest) -> ContentTemplate | None:
    raw = request.GET.get("template", "")
    if not raw.isdigit():
        return None
    return queries.templates(request.workspace).filter(pk=int(raw)).first()


@studio_view(Action.CONTENT_EDIT)
def content_new(request: WorkspaceRequest) -> HttpResponse:
    template = _template_from(request) if request.method != "POST" else None
    form = ItemForm(
        request.POST or None,
        workspace=request.workspace,
        template=template,
        initial={"owner": actor(request).pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            item = services.create_item(
                actor=actor(request),
                workspace=request.workspace,
                data=data,
                platforms=list(form.cleaned_data["platforms"]),
                template=form.cleaned_data["template"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Content created."))
            return redirect("content_item", request.workspace.slug, item.pk)
    return render_page(
        request,
        "content/item_form.html",
        {"form": form, "creating": True, "template": template, "nav": "content"},
        status=400 if form.errors else 200,
    )


@studio_view(Action.CONTENT_EDIT)
def content_item_edit(request: WorkspaceRequest, item_pk: int) -> HttpResponse:
    item = queries.item(request.workspace, item_pk)
    form = ItemForm(request.POST or None, workspace=request.workspace, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(actor=actor(request), item=item, data=form.service_data())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Content saved."))
            return redirect("content_item", request.workspace.slug, item.pk)
    return render_page(
        request,
        "content/item_form.html",
        {"form": form, "creating": False, "item": item, "nav": "content"},
        status=400 if form.errors else 200,
    )


def _item_context(request: WorkspaceRequest, item: ContentItem) -> dict[str, Any]:
    variants = list(item.variants.all())
    can_edit = allowed(request.role, Action.CONTENT_EDIT)
    add_form = AddVariantForm(item=item) if can_edit else None
    return {
        "item": item,
        "variants": variants,
        "add_form": add_form,
        "can_edit": can_edit,
        "nav": "content",
    }


@studio_view(Action.WORKSPACE_VIEW)
def content_item(request: WorkspaceRequest, item_pk: int) -> HttpResponse:
    item = queries.item(request.workspace, item_pk)
    return render_page(request, "content/item.html", _item_context(request, item))


@require_POST
@studio_view(Action.CONTENT_EDIT)
def content_variant_add(request: WorkspaceRequest, item_pk: int) -> HttpResponseBase:
    item = queries.item(request.workspace, item_pk)
    form = AddVariantForm(request.POST, item=item)
    if not form.is_valid():
        report_form(request, form)
        return redirect("content_item", request.workspace.slug, item.pk)
    try:
        variant = services.add_variant(
            actor=actor(request), item=item, platform=form.cleaned_data["platform"]
        )
    except ValidationError as exc:
        report(request, exc)
        return redirect("content_item", request.workspace.slug, item.pk)
    messages.success(request, _("Variant added."))
    return redirect("variant_detail", request.workspace.slug, item.pk, variant.pk)


@studio_view(Action.WORKSPACE_VIEW)
def review_queue(request: WorkspaceRequest) -> HttpResponse:
    steps = services.steps_of(request.workspace)
    rows = []
    found = queries.review_queue(request.workspace).annotate(
        waiting_since=Max(
            "state_changes__created_at",
            filter=Q(state_changes__to_state=VariantState.IN_REVIEW),
        )
    )
    for variant in found:
        step = steps[min(variant.review_step, len(steps) - 1)] if steps else None
        rows.append(
            {
                "variant": variant,
                "step": step,
                "waiting_since": getattr(variant, "waiting_since", None) or variant.updated_at,
                "blocking": len(variant.blocking_findings),
                "mine": services.can_review(request.role, step),
            }
        )
    mine = sum(1 for row in rows if row["mine"])
    return render_page(
        request,
        "content/review_queue.html",
        {"rows": rows, "mine": mine, "steps": steps, "nav": "content"},
    )
