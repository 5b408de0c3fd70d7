"""A/B test pages: the list, the design form with its live sample-size calculator, and
an experiment's results with its life-cycle actions."""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.analytics.experiments import results, services
from fanloop.analytics.forms_experiments import (
    CalculatorForm,
    DecideForm,
    ExperimentForm,
    VariantForm,
)
from fanloop.analytics.models import Experiment, ExperimentStatus, ExperimentVariant
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view

NAV = "analytics"


def _experiment(request: WorkspaceRequest, pk: int) -> Experiment:
    # Another workspace's experiment is "not found", never "forbidden".
    return get_object_or_404(Experiment, pk=pk, workspace=request.workspace)


def _can_manage(request: WorkspaceRequest) -> bool:
    return allowed(request.role, Action.ANALYTICS_MANAGE)


@workspace_local_view(Action.ANALYTICS_VIEW)
def experiment_list(request: WorkspaceRequest) -> HttpResponse:
    experiments = (
        Experiment.objects.filter(workspace=request.workspace)
        .select_related("campaign", "winner")
        .order_by("-created_at", "-id")
    )
    return render_page(
        request,
        "analytics/experiments.html",
        {"experiments": experiments, "can_manage": _can_manage(request), "nav": NAV},
    )


def _calculation(request: WorkspaceRequest, form: CalculatorForm) -> dict[str, Any]:
    """The calculator's answer for a bound form: N per variant and days at the traffic."""
    if not form.is_valid():
        return {"calc_error": _("Fill in the baseline rate and the effect to see the sample size.")}
    data = form.cleaned_data
    try:
        per_variant = services.planned_sample(
            baseline_rate=data["baseline_rate"],
            mde=data["mde"],
            mde_kind=data["mde_kind"],
            alpha=data["alpha"],
            power=data["power"],
        )
    except ValueError:
        return {"calc_error": _("The baseline plus this effect must stay below 100%.")}
    variant_count = data.get("variant_count") or 2
    per_day: float | None = data.get("daily_traffic")
    estimated = per_day is None
    if per_day is None:
        per_day = results.daily_traffic(request.workspace, data["primary_metric"])
    return {
        "per_variant": per_variant,
        "variant_count": variant_count,
        "per_day": round(per_day) if per_day else None,
        "traffic_estimated": estimated,
        "days": results.days_needed(per_variant, variant_count, per_day),
    }


@workspace_local_view(Action.ANALYTICS_VIEW)
def experiment_calculator(request: WorkspaceRequest) -> HttpResponse:
    form = CalculatorForm(request.GET)
    return render_page(
        request,
        "analytics/experiments_calculator.html",
        _calculation(request, form),
        fragment="calculator",
    )


@workspace_local_view(Action.ANALYTICS_MANAGE)
def experiment_new(request: WorkspaceRequest) -> HttpResponse:
    form = ExperimentForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            experiment = services.create_experiment(
                actor=acting_user(request),
                workspace=request.workspace,
                data=form.design(),
                variants=form.variants(),
            )
        except ValidationError as exc:
            apply_validation_error(form, _variant_errors(exc))
        else:
            messages.success(request, _("Experiment created as a draft."))
            return redirect("experiment_detail", request.workspace.slug, experiment.pk)
    calc = _calculation(request, CalculatorForm(request.POST)) if request.method == "POST" else {}
    return render_page(
        request,
        "analytics/experiments_form.html",
        {"form": form, "nav": NAV, **calc},
        status=400 if form.errors else 200,
    )


def _variant_errors(exc: ValidationError) -> ValidationError:
    # Variant field errors have no field of the same name on the design form.
    if hasattr(exc, "error_dict"):
        return ValidationError(
            [message for messages_ in exc.message_dict.values() for message in messages_]
        )
    return exc


def _detail_context(request: WorkspaceRequest, experiment: Experiment) -> dict[str, Any]:
    result = None
    if experiment.status == ExperimentStatus.DECIDED and experiment.decision_snapshot:
        snapshot: dict[str, Any] | None = experiment.decision_snapshot
    else:
        snapshot = None
        if experiment.status != ExperimentStatus.DRAFT:
            result = results.compute(experiment).as_dict()
    shown = snapshot or result
    chart = None
    if shown:
        chart = {
            "names": [row["name"] for row in shown["variants"] if not row["is_control"]],
            "low": [_pct(row["ci_low"]) for row in shown["variants"] if not row["is_control"]],
            "high": [_pct(row["ci_high"]) for row in shown["variants"] if not row["is_control"]],
            "diff": [_pct(row["diff"]) for row in shown["variants"] if not row["is_control"]],
            "label": _("Difference vs control (percentage points)"),
        }
    actions = services.allowed_actions(experiment)
    return {
        "rows": [_display(row) for row in shown["variants"]] if shown else [],
        "experiment": experiment,
        "variants": experiment.variants.select_related("link", "content_variant"),
        "results": shown,
        "is_snapshot": snapshot is not None,
        "chart_json": json.dumps(chart, ensure_ascii=False) if chart else "",
        "can_manage": _can_manage(request),
        "can_start": "start" in actions,
        "can_stop": "stop" in actions,
        "can_decide": "decide" in actions,
        "problems": services.design_problems(experiment)
        if experiment.status == ExperimentStatus.DRAFT
        else [],
        "variant_form": VariantForm(workspace=request.workspace),
        "decide_form": DecideForm(experiment=experiment),
        "nav": NAV,
    }


def _fmt(value: float | None, scale: float = 100, places: int = 2, sign: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value * scale:+.{places}f}" if sign else f"{value * scale:.{places}f}"


def _display(row: dict[str, Any]) -> dict[str, Any]:
    """One results row as the table shows it: rates and differences in percent."""
    p_value = row["p_value"]
    return {
        **row,
        "rate_pct": _fmt(row["rate"]),
        "diff_pp": _fmt(row["diff"], sign=True),
        "ci": "—"
        if row["ci_low"] is None
        else f"[{_fmt(row['ci_low'], sign=True)}, {_fmt(row['ci_high'], sign=True)}]",
        "lift_pct": _fmt(row["lift"], scale=1, places=1, sign=True),
        "p": "—" if p_value is None else ("<0.001" if p_value < 0.001 else f"{p_value:.3f}"),
        "prob_best_pct": _fmt(row["prob_best"], places=1),
    }


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


@workspace_local_view(Action.ANALYTICS_VIEW)
def experiment_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    experiment = _experiment(request, pk)
    return render_page(
        request, "analytics/experiments_detail.html", _detail_context(request, experiment)
    )


def _back(request: WorkspaceRequest, experiment: Experiment) -> HttpResponse:
    return redirect("experiment_detail", request.workspace.slug, experiment.pk)


def _report(request: WorkspaceRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def variant_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    experiment = _experiment(request, pk)
    form = VariantForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            services.add_variant(
                actor=acting_user(request), experiment=experiment, data=form.cleaned_data
            )
        except ValidationError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Variant added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return _back(request, experiment)


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def variant_remove(request: WorkspaceRequest, pk: int, variant_pk: int) -> HttpResponse:
    experiment = _experiment(request, pk)
    variant = get_object_or_404(ExperimentVariant, pk=variant_pk, experiment=experiment)
    try:
        services.remove_variant(actor=acting_user(request), variant=variant)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Variant removed."))
    return _back(request, experiment)


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def experiment_start(request: WorkspaceRequest, pk: int) -> HttpResponse:
    experiment = _experiment(request, pk)
    try:
        services.start_experiment(actor=acting_user(request), experiment=experiment)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Experiment started."))
    return _back(request, experiment)


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def experiment_stop(request: WorkspaceRequest, pk: int) -> HttpResponse:
    experiment = _experiment(request, pk)
    try:
        services.stop_experiment(actor=acting_user(request), experiment=experiment)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Experiment stopped."))
    return _back(request, experiment)


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def experiment_decide(request: WorkspaceRequest, pk: int) -> HttpResponse:
    experiment = _experiment(request, pk)
    form = DecideForm(request.POST, experiment=experiment)
    if form.is_valid():
        try:
            services.declare_winner(
                actor=acting_user(request),
                experiment=experiment,
                winner=form.cleaned_data["winner"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Decision recorded."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return _back(request, experiment)
