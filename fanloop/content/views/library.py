"""Content templates (list, create, edit, delete, use) and the content settings page
(review steps and thresholds, admins only)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.content import queries, services
from fanloop.content.forms import ReviewStepFormSet, TemplateForm, ThresholdsForm
from fanloop.content.models import ContentSettings
from fanloop.content.views.studio import actor, report, studio_view
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest

# Templates --------------------------------------------------------------------------------


@studio_view(Action.WORKSPACE_VIEW)
def content_templates(request: WorkspaceRequest) -> HttpResponse:
    return render_page(
        request,
        "content/templates.html",
        {
            "templates": queries.templates(request.workspace),
            "can_edit": allowed(request.role, Action.CONTENT_EDIT),
            "nav": "content",
        },
    )


@studio_view(Action.CONTENT_EDIT)
def content_template_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    template = queries.template(request.workspace, pk) if pk is not None else None
    form = TemplateForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_template(
                actor=actor(request),
                workspace=request.workspace,
                data=form.service_data(),
                template=template,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("content_templates", request.workspace.slug)
    return render_page(
        request,
        "content/template_form.html",
        {"form": form, "template": template, "nav": "content"},
        status=400 if form.errors else 200,
    )


@require_POST
@studio_view(Action.CONTENT_EDIT)
def content_template_delete(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    template = queries.template(request.workspace, pk)
    name = template.name
    try:
        services.delete_template(actor=actor(request), template=template)
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Template %(name)s deleted.") % {"name": name})
    return redirect("content_templates", request.workspace.slug)


# Settings ---------------------------------------------------------------------------------


def _steps_initial(request: WorkspaceRequest) -> list[dict[str, Any]]:
    return [{"name": s.name, "role": s.role} for s in services.steps_of(request.workspace)]


def _settings_row(request: WorkspaceRequest) -> ContentSettings:
    row = ContentSettings.objects.filter(workspace=request.workspace).first()
    # Unsaved defaults until the first change: a GET writes nothing.
    return row or ContentSettings(workspace=request.workspace)


def _steps_from(formset: BaseFormSet) -> list[dict[str, str]]:
    steps = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("remove"):
            continue
        name = (data.get("name") or "").strip()
        if not name:
            continue  # a blank row is no step
        steps.append({"name": name, "role": data.get("role") or ""})
    return steps


@studio_view(Action.WORKSPACE_UPDATE)
def content_settings(request: WorkspaceRequest) -> HttpResponse:
    row = _settings_row(request)
    section = request.POST.get("section", "") if request.method == "POST" else ""
    steps = ReviewStepFormSet(
        request.POST if section == "steps" else None,
        prefix="steps",
        initial=[*_steps_initial(request), {"name": "", "role": ""}],
    )
    thresholds = ThresholdsForm(request.POST if section == "thresholds" else None, row=row)
    step_errors: list[str] = []
    status = 200
    if section == "steps":
        if steps.is_valid():
            rows = _steps_from(steps)
            if "add" in request.POST:
                # Another blank row; nothing is saved until "Save steps".
                steps = ReviewStepFormSet(prefix="steps", initial=[*rows, {"name": "", "role": ""}])
            else:
                try:
                    services.set_review_steps(
                        actor=actor(request), workspace=request.workspace, steps=rows
                    )
                except ValidationError as exc:
                    step_errors = exc.messages
                    status = 400
                else:
                    messages.success(
                        request,
                        _("Review steps saved.")
                        if rows
                        else _("Review steps removed: content is approved on submission."),
                    )
                    return redirect("content_settings", request.workspace.slug)
        else:
            status = 400
    elif section == "thresholds":
        if thresholds.is_valid():
            try:
                services.update_content_settings(
                    actor=actor(request),
                    workspace=request.workspace,
                    data=dict(thresholds.cleaned_data),
                )
            except ValidationError as exc:
                apply_validation_error(thresholds, exc)
                status = 400
            else:
                messages.success(request, _("Thresholds saved."))
                return redirect("content_settings", request.workspace.slug)
        else:
            status = 400
    return render_page(
        request,
        "content/settings.html",
        {
            "steps": steps,
            "step_errors": step_errors,
            "thresholds": thresholds,
            "nav": "content",
        },
        status=status,
    )
