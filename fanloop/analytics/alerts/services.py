"""The one write path of early warnings: rules (create, update, delete), evaluation
(raise, refresh, auto-resolve) and people's acknowledge/resolve. Every write is audited.

Who may act on an alert: ANALYTICS_MANAGE (admins, analysts) for every alert; for the
inbox kinds (SLA breaches, negative spikes) also INBOX_REPLY (operators), since they are
the ones answering the fans. Managing rules is ANALYTICS_MANAGE only.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.analytics.alerts import delivery, rules
from fanloop.analytics.kpis import KPIS
from fanloop.analytics.models.alerts import (
    INBOX_KINDS,
    KPI_KINDS,
    Alert,
    AlertRule,
    AlertStatus,
    BaselineMethod,
    Comparator,
    Direction,
    Resolution,
    RuleKind,
    ScopeKind,
    Severity,
    WebhookFormat,
)
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.outbound import private_address_reason
from fanloop.core.permissions import Action, Role, allowed
from fanloop.core.services import require_action, role_of

RULE_FIELDS = (
    "name",
    "kind",
    "kpi",
    "scope_kind",
    "campaign",
    "platform",
    "partner",
    "link",
    "goal",
    "window_days",
    "comparator",
    "direction",
    "baseline_method",
    "baseline_periods",
    "threshold",
    "min_sample",
    "severity",
    "notify_roles",
    "email_roles",
    "email_addresses",
    "webhook_format",
    "enabled",
    "cooldown_minutes",
)
EDITABLE = set(RULE_FIELDS) | {"webhook_url"}
ALERT_FIELDS = ("status", "acknowledged_by", "resolved_by", "resolution")
MAX_WINDOW_DAYS = 90
MAX_BASELINE_PERIODS = 12


# Rules -----------------------------------------------------------------------------------


def _rule_snapshot(rule: AlertRule) -> dict[str, Any]:
    values = audit.snapshot(rule, RULE_FIELDS)
    # The URL carries the robot's secret key: the audit log shows only that it changed.
    values["webhook_url"] = delivery.mask_url(rule.webhook_url) if rule.webhook_url else ""
    return values


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({"threshold": _("Enter a number.")}) from exc


def _validate(rule: AlertRule) -> None:
    errors: dict[str, str] = {}
    workspace_id = rule.workspace_id
    if not rule.name.strip():
        errors["name"] = _("Give the rule a name.")
    if rule.kind not in RuleKind.values:
        errors["kind"] = _("Choose what the rule watches.")
    if rule.scope_kind not in ScopeKind.values:
        errors["scope_kind"] = _("Choose a scope.")
    scope_needs = {
        ScopeKind.CAMPAIGN: ("campaign", rule.campaign),
        ScopeKind.PARTNER: ("partner", rule.partner),
        ScopeKind.LINK: ("link", rule.link),
    }
    if rule.scope_kind in scope_needs:
        name, obj = scope_needs[ScopeKind(rule.scope_kind)]
        if obj is None:
            errors[name] = _("Choose the %(what)s this rule watches.") % {"what": _(name)}
        elif obj.workspace_id != workspace_id:
            errors[name] = _("Not found in this workspace.")
    if rule.scope_kind == ScopeKind.PLATFORM and not rule.platform:
        errors["platform"] = _("Choose the platform this rule watches.")
    # Only the dimension the scope names is kept, so a stale choice cannot narrow it.
    if rule.scope_kind != ScopeKind.CAMPAIGN and rule.kind != RuleKind.GOAL_OFF_PACE:
        rule.campaign = None
    if rule.scope_kind != ScopeKind.PLATFORM:
        rule.platform = ""
    if rule.scope_kind != ScopeKind.PARTNER:
        rule.partner = None
    if rule.scope_kind != ScopeKind.LINK:
        rule.link = None
    if rule.kind in KPI_KINDS:
        if rule.kpi not in KPIS:
            errors["kpi"] = _("Choose a KPI.")
        if rule.threshold is None:
            errors["threshold"] = _("Enter the value that triggers the alert.")
        elif rule.kind != RuleKind.THRESHOLD and rule.threshold <= 0:
            errors["threshold"] = _("Enter a positive amount of change.")
    else:
        rule.kpi = ""
    if not 1 <= rule.window_days <= MAX_WINDOW_DAYS:
        errors["window_days"] = _("Choose a window between 1 and %(n)s days.") % {
            "n": MAX_WINDOW_DAYS
        }
    if rule.comparator not in Comparator.values:
        errors["comparator"] = _("Choose a comparison.")
    if rule.direction not in Direction.values:
        errors["direction"] = _("Choose a direction.")
    if rule.baseline_method not in BaselineMethod.values:
        errors["baseline_method"] = _("Choose a baseline method.")
    if rule.kind == RuleKind.BASELINE and not (
        rules.MIN_BASELINE_PERIODS <= rule.baseline_periods <= MAX_BASELINE_PERIODS
    ):
        errors["baseline_periods"] = _("Use between %(a)s and %(b)s earlier periods.") % {
            "a": rules.MIN_BASELINE_PERIODS,
            "b": MAX_BASELINE_PERIODS,
        }
    if rule.kind == RuleKind.GOAL_OFF_PACE:
        if rule.scope_kind != ScopeKind.CAMPAIGN:
            errors["scope_kind"] = _("Goals belong to a campaign: choose the campaign scope.")
        if rule.goal is not None and rule.goal.campaign_id != rule.campaign_id:
            errors["goal"] = _("This goal is not one of the chosen campaign's.")
    else:
        rule.goal = None
    if rule.kind == RuleKind.SLA_BREACH and (rule.threshold is None or rule.threshold < 0):
        errors["threshold"] = _("Enter how many missed replies trigger the alert.")
    if rule.kind in INBOX_KINDS and rule.scope_kind in {ScopeKind.PARTNER, ScopeKind.LINK}:
        errors["scope_kind"] = _(
            "Inbox messages are not tied to partners or links: choose the workspace, a "
            "campaign or a platform."
        )
    if rule.severity not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    for name in ("notify_roles", "email_roles"):
        roles = getattr(rule, name)
        if not isinstance(roles, list) or any(role not in Role.values for role in roles):
            errors[name] = _("Unknown role.")
    addresses = delivery.split_addresses(rule.email_addresses)
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            errors["email_addresses"] = _("%(address)s is not an email address.") % {
                "address": address
            }
            break
    rule.email_addresses = "\n".join(addresses)
    if rule.webhook_url:
        try:
            URLValidator(schemes=["https", "http"])(rule.webhook_url)
        except ValidationError:
            errors["webhook_url"] = _("Enter a full https:// address.")
        else:
            if reason := private_address_reason(rule.webhook_url):
                errors["webhook_url"] = reason
    if rule.webhook_format not in WebhookFormat.values:
        errors["webhook_format"] = _("Choose a webhook format.")
    if errors:
        raise ValidationError(errors)


def _apply(rule: AlertRule, fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    for name, value in fields.items():
        if name == "threshold":
            value = _decimal(value)
        elif isinstance(value, str) and name != "email_addresses":
            value = value.strip()
        setattr(rule, name, value)


@transaction.atomic
def create_rule(*, actor: User, workspace: Workspace, **fields: Any) -> AlertRule:
    require_action(actor, workspace, Action.ANALYTICS_MANAGE)
    rule = AlertRule(workspace=workspace, created_by=actor)
    _apply(rule, fields)
    _validate(rule)
    rule.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="analytics.alert_rule_create",
        obj=rule,
        changes={name: (None, value) for name, value in _rule_snapshot(rule).items()},
    )
    return rule


@transaction.atomic
def update_rule(*, actor: User, rule: AlertRule, **fields: Any) -> AlertRule:
    require_action(actor, rule.workspace, Action.ANALYTICS_MANAGE)
    rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
    before = _rule_snapshot(rule)
    _apply(rule, fields)
    _validate(rule)
    rule.updated_at = timezone.now()
    rule.save()
    changes = audit.diff(before, _rule_snapshot(rule))
    if changes:
        audit.record(
            actor=actor,
            workspace=rule.workspace,
            action="analytics.alert_rule_update",
            obj=rule,
            changes=changes,
        )
    if not rule.enabled:
        # A rule nobody watches any more should not leave alerts that never clear.
        for alert in Alert.objects.filter(rule=rule).exclude(status=AlertStatus.RESOLVED):
            _close(alert, actor=actor, resolution=Resolution.RULE_CHANGED, now=rule.updated_at)
    return rule


@transaction.atomic
def delete_rule(*, actor: User, rule: AlertRule) -> None:
    require_action(actor, rule.workspace, Action.ANALYTICS_MANAGE)
    audit.record(
        actor=actor,
        workspace=rule.workspace,
        action="analytics.alert_rule_delete",
        obj=rule,
        changes={name: (value, None) for name, value in _rule_snapshot(rule).items()},
    )
    rule.delete()


def send_test(*, actor: User, rule: AlertRule) -> delivery.AttemptResult:
    """Send a sample alert to the rule's webhook now and say what came back."""
    require_action(actor, rule.workspace, Action.ANALYTICS_MANAGE)
    if not rule.webhook_url:
        raise ValidationError({"webhook_url": _("This rule has no webhook to test.")})
    result = delivery.send_test_webhook(rule)
    audit.record(
        actor=actor,
        workspace=rule.workspace,
        action="analytics.alert_rule_test_webhook",
        obj=rule,
        changes={"result": (None, "ok" if result.ok else result.error[:200])},
    )
    return result


# Evaluation ------------------------------------------------------------------------------


@dataclass
class Outcome:
    raised: int = 0
    refreshed: int = 0
    resolved: int = 0
    skipped: int = 0


def _open_alert(rule: AlertRule, key: str) -> Alert | None:
    return (
        Alert.objects.select_for_update()
        .filter(rule=rule, dedup_key=key)
        .exclude(status=AlertStatus.RESOLVED)
        .first()
    )


def _refresh(alert: Alert, finding: rules.Finding, now: datetime) -> None:
    alert.title = finding.title[:300] or alert.title
    alert.value = finding.value
    alert.expected = finding.expected
    alert.evidence = finding.evidence
    alert.last_seen = now
    alert.evaluations += 1
    alert.save(update_fields=["title", "value", "expected", "evidence", "last_seen", "evaluations"])


def _cooling_down(rule: AlertRule, key: str, now: datetime) -> bool:
    if not rule.cooldown_minutes:
        return False
    return Alert.objects.filter(
        rule=rule,
        dedup_key=key,
        status=AlertStatus.RESOLVED,
        resolved_at__gt=now - timedelta(minutes=rule.cooldown_minutes),
    ).exists()


def _raise_or_refresh(rule: AlertRule, finding: rules.Finding, now: datetime) -> str:
    """'raised', 'refreshed' or 'skipped' (cooling down after a recent resolve)."""
    with transaction.atomic():
        existing = _open_alert(rule, finding.key)
        if existing is not None:
            _refresh(existing, finding, now)
            return "refreshed"
        if _cooling_down(rule, finding.key, now):
            return "skipped"
        alert = Alert(
            rule=rule,
            workspace_id=rule.workspace_id,
            dedup_key=finding.key,
            severity=rule.severity,
            title=finding.title[:300],
            value=finding.value,
            expected=finding.expected,
            evidence=finding.evidence,
            campaign_id=finding.campaign_id,
            first_seen=now,
            last_seen=now,
        )
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:
            # Another evaluation opened it a moment ago: refresh that one instead.
            existing = _open_alert(rule, finding.key)
            if existing is None:
                raise
            _refresh(existing, finding, now)
            return "refreshed"
        audit.record(
            actor=None,
            workspace=rule.workspace,
            action="analytics.alert_raised",
            obj=alert,
            changes={
                "rule": (None, rule.name),
                "value": (None, str(alert.value) if alert.value is not None else None),
                "expected": (None, str(alert.expected) if alert.expected is not None else None),
            },
        )
        delivery.plan(alert, rule, now)
    return "raised"


def _close(alert: Alert, *, actor: User | None, resolution: str, now: datetime) -> None:
    before = audit.snapshot(alert, ALERT_FIELDS)
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = now
    alert.resolved_by = actor
    alert.resolution = resolution
    alert.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    audit.record(
        actor=actor,
        workspace=alert.workspace,
        action="analytics.alert_resolve"
        if resolution == Resolution.MANUAL
        else "analytics.alert_auto_resolve",
        obj=alert,
        changes=audit.diff(before, audit.snapshot(alert, ALERT_FIELDS)),
    )


def _auto_resolve(rule: AlertRule, key: str, now: datetime) -> bool:
    with transaction.atomic():
        alert = _open_alert(rule, key)
        if alert is None:
            return False
        _close(alert, actor=None, resolution=Resolution.AUTO, now=now)
    return True


def evaluate_rule(rule: AlertRule, *, now: datetime | None = None) -> Outcome:
    """Evaluate one rule now: raise new alerts, refresh open ones, resolve cleared ones.
    A system write (the job or a manager's "evaluate now"); audited as such."""
    now = now or timezone.now()
    outcome = Outcome()
    if not rule.enabled:
        return outcome
    evaluation = rules.evaluate(rule, now)
    seen: set[str] = set()
    for finding in evaluation.findings:
        seen.add(finding.key)
        if finding.breached:
            result = _raise_or_refresh(rule, finding, now)
            setattr(outcome, result, getattr(outcome, result) + 1)
        elif finding.breached is False:
            outcome.resolved += int(_auto_resolve(rule, finding.key, now))
    if evaluation.dynamic_keys:
        gone = (
            Alert.objects.filter(rule=rule)
            .exclude(status=AlertStatus.RESOLVED)
            .exclude(dedup_key__in=seen)
            .values_list("dedup_key", flat=True)
        )
        for key in list(gone):
            outcome.resolved += int(_auto_resolve(rule, key, now))
    AlertRule.objects.filter(pk=rule.pk).update(
        last_evaluated_at=now, last_evaluation_note=evaluation.note[:300]
    )
    return outcome


def evaluate_workspace(workspace: Workspace, *, now: datetime | None = None) -> Outcome:
    total = Outcome()
    for rule in AlertRule.objects.filter(workspace=workspace, enabled=True).select_related(
        "workspace", "campaign", "partner", "link", "goal", "goal__campaign"
    ):
        outcome = evaluate_rule(rule, now=now)
        for name in ("raised", "refreshed", "resolved", "skipped"):
            setattr(total, name, getattr(total, name) + getattr(outcome, name))
    return total


def evaluate_now(*, actor: User, rule: AlertRule) -> Outcome:
    """A manager's "evaluate now" button: the same evaluation, permission-checked."""
    require_action(actor, rule.workspace, Action.ANALYTICS_MANAGE)
    return evaluate_rule(rule)


# People acting on alerts -----------------------------------------------------------------


def may_act(role: str | None, alert: Alert) -> bool:
    if allowed(role, Action.ANALYTICS_MANAGE):
        return True
    return alert.rule.kind in INBOX_KINDS and allowed(role, Action.INBOX_REPLY)


def _require_act(actor: User, alert: Alert) -> None:
    if not may_act(role_of(actor, alert.workspace), alert):
        raise PermissionDenied(_("Your role does not allow acting on this alert."))


@transaction.atomic
def acknowledge(*, actor: User, alert: Alert) -> Alert:
    _require_act(actor, alert)
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.status != AlertStatus.ACTIVE:
        raise ValidationError(_("Only an active alert can be acknowledged."))
    before = audit.snapshot(locked, ALERT_FIELDS)
    locked.status = AlertStatus.ACKNOWLEDGED
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit.record(
        actor=actor,
        workspace=locked.workspace,
        action="analytics.alert_acknowledge",
        obj=locked,
        changes=audit.diff(before, audit.snapshot(locked, ALERT_FIELDS)),
    )
    return locked


@transaction.atomic
def resolve(*, actor: User, alert: Alert) -> Alert:
    _require_act(actor, alert)
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.status == AlertStatus.RESOLVED:
        raise ValidationError(_("This alert is already resolved."))
    _close(locked, actor=actor, resolution=Resolution.MANUAL, now=timezone.now())
    return locked
