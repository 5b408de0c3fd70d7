"""Compliance pages: the term dictionary with the workspace's own terms, and a text checker."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.compliance import dictionary, services
from fanloop.compliance.engine import CheckContext, has_blocking
from fanloop.compliance.forms import CheckForm, DictionaryFilterForm, TermForm
from fanloop.compliance.highlight import highlight
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, workspace_view


def _terms_page(request: WorkspaceRequest, form: TermForm, status: int = 200) -> HttpResponse:
    shipped = dictionary.load()
    search = DictionaryFilterForm(request.GET or None, categories=shipped.categories())
    rows = list(shipped.terms)
    if search.is_valid():
        category = search.cleaned_data["category"]
        text = search.cleaned_data["q"].strip().lower()
        if category:
            rows = [row for row in rows if row.category == category]
        if text:
            rows = [row for row in rows if text in row.key or text in row.suggestion.lower()]
    context = {
        "search": search,
        "rows": rows,
        "version": shipped.version,
        "total": len(shipped.terms),
        "own_terms": services.terms(request.workspace),
        "form": form,
        "nav": "content",
    }
    return render_page(request, "compliance/terms.html", context, status=status)


@workspace_view(Action.WORKSPACE_VIEW)
def terms(request: WorkspaceRequest) -> HttpResponse:
    return _terms_page(request, TermForm(initial={"category": "custom"}))


@require_POST
@workspace_view(Action.CONTENT_REVIEW)
def term_add(request: WorkspaceRequest) -> HttpResponseBase:
    form = TermForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_term(
                actor=request.user,
                workspace=request.workspace,
                term=data["term"],
                kind=data["kind"],
                category=data["category"],
                severity=data["severity"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Term added."))
            return redirect("compliance_terms", slug=request.workspace.slug)
    return _terms_page(request, form, status=400)


@require_POST
@workspace_view(Action.CONTENT_REVIEW)
def term_remove(request: WorkspaceRequest, term_id: int) -> HttpResponseBase:
    try:
        services.remove_term(actor=request.user, workspace=request.workspace, term_id=term_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Term removed."))
    return redirect("compliance_terms", slug=request.workspace.slug)


@workspace_view(Action.WORKSPACE_VIEW)
def check(request: WorkspaceRequest) -> HttpResponse:
    form = CheckForm(request.POST or None)
    context: dict[str, object] = {"form": form, "nav": "content"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        findings = services.check_for_workspace(
            request.workspace,
            data["text"],
            CheckContext(
                platform=data["platform"] or None,
                purpose=data["purpose"] or None,
                sponsored=data["sponsored"],
                product_kind=data["product_kind"],
                special_cosmetic=data["special_cosmetic"],
            ),
        )
        context.update(
            {
                "checked": True,
                "findings": findings,
                "blocking": has_blocking(findings),
                "highlighted": highlight(data["text"], findings),
            }
        )
    status = 400 if form.errors else 200
    return render_page(request, "compliance/check.html", context, status=status)
