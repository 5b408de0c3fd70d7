"""Early-warning pages: alerts (active first, filters, evidence, acknowledge/resolve by
HTMX) and rules (list, form with a live explanation, test delivery, evaluate now).

Everyone may look (ANALYTICS_VIEW); rules are ANALYTICS_MANAGE; acting on an alert is
ANALYTICS_MANAGE or, for inbox kinds, INBOX_REPLY (services.may_act decides).
"""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.analytics.alerts import delivery, rules, services
from fanloop.analytics.forms_alerts import AlertFilterForm, AlertRuleForm
from fanloop.analytics.models.alerts import Alert, AlertRule, AlertStatus, RuleKind, Severity
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view

STATUS_CSS = {
    AlertStatus.ACTIVE: "text-bg-danger",
    AlertStatus.ACKNOWLEDGED: "text-bg-warning",
    AlertStatus.RESOLVED: "text-bg-secondary",
}
SEVERITY_CSS = {
    Severity.INFO: "text-bg-info",
    Severity.WARNING: "text-bg-warning",
    Severity.CRITICAL: "text-bg-danger",
}
ACTIONS = {"acknowledge": services.acknowledge, "resolve": services.resolve}


def _alerts(request: WorkspaceRequest) -> QuerySet[Alert]:
    return Alert.objects.filter(workspace=request.workspace).select_related(
        "rule", "campaign", "acknowledged_by", "resolved_by"
    )


def _alert(request: WorkspaceRequest, pk: int) -> Alert:
    return get_object_or_404(_alerts(request), pk=pk)


def _rule(request: WorkspaceRequest, pk: int) -> AlertRule:
    return get_object_or_404(AlertRule.objects.filter(workspace=request.workspace), pk=pk)


def _decorate(alert: Alert, role: str) -> Alert:
    alert.status_css = STATUS_CSS.get(AlertStatus(alert.status), "")  # type: ignore[attr-defined]
    alert.severity_css = SEVERITY_CSS.get(Severity(alert.severity), "")  # type: ignore[attr-defined]
    alert.can_act = services.may_act(role, alert)  # type: ignore[attr-defined]
    return alert


@workspace_local_view(Action.ANALYTICS_VIEW)
def alert_list(request: WorkspaceRequest) -> HttpResponse:
    form = AlertFilterForm(request.GET or None, workspace=request.workspace)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = _alerts(request)
    status = filters.get("status") or ""
    if status == "":
        rows = rows.exclude(status=AlertStatus.RESOLVED)
    elif status != "all":
        rows = rows.filter(status=status)
    if filters.get("severity"):
        rows = rows.filter(severity=filters["severity"])
    if filters.get("kind"):
        rows = rows.filter(rule__kind=filters["kind"])
    if filters.get("rule"):
        rows = rows.filter(rule=filters["rule"])
    # Active first (nobody has taken them), then acknowledged, then resolved; newest first.
    rows = rows.annotate(
        rank=Case(
            When(status=AlertStatus.ACTIVE, then=Value(0)),
            When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "-last_seen", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for alert in page:
        _decorate(alert, request.role)
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "analytics/alerts.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": allowed(request.role, Action.ANALYTICS_MANAGE),
            "nav": "analytics",
        },
    )


def _evidence_rows(alert: Alert) -> list[tuple[str, str]]:
    rows = []
    for key, value in alert.evidence.items():
        if key == "links" or isinstance(value, list | dict):
            continue
        rows.append((key.replace("_", " "), "—" if value is None else str(value)))
    return rows


@workspace_local_view(Action.ANALYTICS_VIEW)
def alert_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    alert = _decorate(_alert(request, pk), request.role)
    baseline = alert.evidence.get("baseline_periods") or []
    return render_page(
        request,
        "analytics/alerts_detail.html",
        {
            "alert": alert,
            "evidence_rows": _evidence_rows(alert),
            "evidence_json": json.dumps(alert.evidence, ensure_ascii=False, indent=2),
            "links": alert.evidence.get("links") or {},
            "baseline": baseline,
            "deliveries": alert.deliveries.prefetch_related("log"),
            "explanation": rules.explain(alert.rule),
            "nav": "analytics",
        },
    )


@require_POST
@workspace_local_view(Action.ANALYTICS_VIEW)
def alert_action(request: WorkspaceRequest, pk: int, action: str) -> HttpResponseBase:
    service = ACTIONS.get(action)
    if service is None:
        raise Http404("No such action")
    alert = _alert(request, pk)
    error = ""
    try:
        # The service checks the role (PermissionDenied: 403) and audits.
        alert = service(actor=acting_user(request), alert=alert)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if getattr(request, "htmx", False):
        alert = _decorate(_alert(request, pk), request.role)
        return render_page(
            request,
            "analytics/alerts_status.html",
            {"alert": alert, "error": error},
            fragment="status",
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Alert acknowledged.") if action == "acknowledge" else _("Alert resolved.")
        )
    return redirect("analytics_alert", request.workspace.slug, pk)


# Rules -----------------------------------------------------------------------------------


@workspace_local_view(Action.ANALYTICS_VIEW)
def rule_list(request: WorkspaceRequest) -> HttpResponse:
    rows = AlertRule.objects.filter(workspace=request.workspace).select_related(
        "campaign", "partner", "link", "goal", "workspace"
    )
    items = [
        {
            "rule": rule,
            "explanation": rules.explain(rule),
            "webhook": delivery.mask_url(rule.webhook_url),
            "open": rule.alerts.exclude(status=AlertStatus.RESOLVED).count(),
        }
        for rule in rows
    ]
    return render_page(
        request,
        "analytics/alerts_rules.html",
        {
            "items": items,
            "can_manage": allowed(request.role, Action.ANALYTICS_MANAGE),
            "nav": "analytics",
        },
    )


def _form_page(
    request: WorkspaceRequest, form: AlertRuleForm, rule: AlertRule | None, status: int = 200
) -> HttpResponse:
    return render_page(
        request,
        "analytics/alerts_rule_form.html",
        {
            "form": form,
            "rule": rule,
            "explanation": _explain_form(request, form),
            "kinds": {kind.value: kind.label for kind in RuleKind},
            "nav": "analytics",
        },
        status=status,
    )


def _explain_form(request: WorkspaceRequest, form: AlertRuleForm) -> str:
    if not form.is_bound:
        return rules.explain(form.rule) if form.rule else ""
    form.is_valid()
    data: dict[str, Any] = {
        key: value
        for key, value in getattr(form, "cleaned_data", {}).items()
        if key not in {"webhook_url", "clear_webhook"} and value not in (None, "")
    }
    preview = AlertRule(workspace=request.workspace)
    for key, value in data.items():
        setattr(preview, key, value)
    try:
        return rules.explain(preview)
    except (ValueError, KeyError, TypeError):
        return ""


def _save(request: WorkspaceRequest, rule: AlertRule | None) -> HttpResponseBase:
    form = AlertRuleForm(request.POST or None, workspace=request.workspace, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                rule = services.create_rule(
                    actor=acting_user(request),
                    workspace=request.workspace,
                    **form.service_fields(),
                )
            else:
                rule = services.update_rule(
                    actor=acting_user(request), rule=rule, **form.service_fields()
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("analytics_alert_rules", request.workspace.slug)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, rule, status=status)


@workspace_local_view(Action.ANALYTICS_MANAGE)
def rule_new(request: WorkspaceRequest) -> HttpResponseBase:
    return _save(request, None)


@workspace_local_view(Action.ANALYTICS_MANAGE)
def rule_edit(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    return _save(request, _rule(request, pk))


@workspace_local_view(Action.ANALYTICS_MANAGE)
def rule_explain(request: WorkspaceRequest) -> HttpResponse:
    """The live "what this rule does" sentence for the form (HTMX, GET, no write)."""
    form = AlertRuleForm(request.GET, workspace=request.workspace)
    text = _explain_form(request, form)
    return render(request, "analytics/alerts_rule_form.html#explanation", {"explanation": text})


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def rule_delete(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    services.delete_rule(actor=acting_user(request), rule=_rule(request, pk))
    messages.success(request, _("Rule deleted."))
    return redirect("analytics_alert_rules", request.workspace.slug)


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def rule_test_webhook(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    rule = _rule(request, pk)
    try:
        result = services.send_test(actor=acting_user(request), rule=rule)
    except ValidationError as exc:
        ok, text = False, " ".join(exc.messages)
    else:
        ok = result.ok
        text = (
            _("Test message delivered.")
            if ok
            else _("Delivery failed: %(error)s") % {"error": result.error}
        )
    if getattr(request, "htmx", False):
        css = "text-success" if ok else "text-danger"
        return HttpResponse(f'<span class="{css}" data-testid="test-result">{_esc(text)}</span>')
    (messages.success if ok else messages.error)(request, text)
    return redirect("analytics_alert_rules", request.workspace.slug)


def _esc(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


@require_POST
@workspace_local_view(Action.ANALYTICS_MANAGE)
def rule_evaluate(request: WorkspaceRequest, pk: int) -> HttpResponseBase:
    try:
        outcome = services.evaluate_now(actor=acting_user(request), rule=_rule(request, pk))
    except PermissionDenied:
        raise
    messages.success(
        request,
        _("Evaluated: %(raised)s raised, %(refreshed)s still active, %(resolved)s resolved.")
        % {"raised": outcome.raised, "refreshed": outcome.refreshed, "resolved": outcome.resolved},
    )
    return redirect("analytics_alert_rules", request.workspace.slug)
