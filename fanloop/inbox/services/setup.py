"""How a workspace runs its inbox. SLA settings, rules, teams and webhooks are the
admin's; tags and saved replies belong to the operators who use them."""

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.models import ChannelAccount
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform
from fanloop.core.services import role_of
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.models import (
    AssignmentRule,
    InboxSettings,
    OperatorPresence,
    SavedReply,
    Tag,
    Team,
    WebhookEndpoint,
)
from fanloop.inbox.services.actions import _require

SETTINGS_FIELDS = (
    "business_hours",
    "holidays",
    "extra_workdays",
    "default_reply_minutes",
    "platform_reply_minutes",
    "reply_rate_target",
    "crisis_z_threshold",
    "crisis_min_negative",
)
RULE_FIELDS = (
    "name",
    "position",
    "active",
    "platforms",
    "keywords",
    "sentiment",
    "intents",
    "vip_only",
    "assign_to_id",
    "team_id",
    "round_robin",
)


def settings_for(workspace: Workspace) -> InboxSettings:
    found, _created = InboxSettings.objects.get_or_create(workspace=workspace)
    return found


def _iso_dates(values: Iterable[Any], field: str) -> list[str]:
    from datetime import date

    cleaned = []
    for value in values:
        try:
            cleaned.append(date.fromisoformat(str(value).strip()).isoformat())
        except ValueError as error:
            raise ValidationError(
                {field: _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}}
            ) from error
    return sorted(set(cleaned))


def update_settings(*, actor: Any, workspace: Workspace, **fields: Any) -> InboxSettings:
    from fanloop.inbox.business_hours import validate_business_hours, validate_calendar_dates

    _require(actor, workspace, Action.WORKSPACE_UPDATE)
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown settings: %(names)s") % {"names": ", ".join(unknown)})
    errors: dict[str, str] = {}
    if "business_hours" in fields:
        try:
            validate_business_hours(fields["business_hours"])
        except ValidationError as error:
            errors["business_hours"] = "; ".join(error.messages)
    for name in ("holidays", "extra_workdays"):
        if name in fields:
            try:
                fields[name] = _iso_dates(fields[name], name)
            except ValidationError as error:
                errors[name] = "; ".join(error.messages)
    if "default_reply_minutes" in fields and not 1 <= int(fields["default_reply_minutes"]) <= 10080:
        errors["default_reply_minutes"] = _("Between 1 minute and 7 days.")
    targets = fields.get("platform_reply_minutes")
    if targets is not None:
        bad = [p for p, minutes in targets.items() if p not in Platform.values or int(minutes) < 1]
        if bad:
            errors["platform_reply_minutes"] = _("Check the targets of: %(names)s") % {
                "names": ", ".join(bad)
            }
    if "reply_rate_target" in fields and not 0 < float(fields["reply_rate_target"]) <= 1:
        errors["reply_rate_target"] = _("A share between 0 and 1, e.g. 0.8 for 80%.")
    if "crisis_z_threshold" in fields and float(fields["crisis_z_threshold"]) <= 0:
        errors["crisis_z_threshold"] = _("Must be above zero.")
    if not errors and ("holidays" in fields or "extra_workdays" in fields):
        current = settings_for(workspace)
        try:
            validate_calendar_dates(
                fields.get("holidays", current.holidays),
                fields.get("extra_workdays", current.extra_workdays),
            )
        except ValidationError as error:
            errors["holidays"] = "; ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = settings_for(workspace)
        before = audit.snapshot(current, SETTINGS_FIELDS)
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()
        audit.record(
            actor=actor,
            workspace=workspace,
            action="inbox.settings",
            obj=current,
            changes=audit.diff(before, audit.snapshot(current, SETTINGS_FIELDS)),
        )
    return current


# Assignment rules ----------------------------------------------------------------------


def _rule_problems(workspace: Workspace, fields: dict[str, Any]) -> dict[str, str]:
    errors = {}
    if not str(fields.get("name", "")).strip():
        errors["name"] = _("Give the rule a name.")
    bad = [p for p in fields.get("platforms", []) if p not in Platform.values]
    if bad:
        errors["platforms"] = _("Unknown platforms: %(names)s") % {"names": ", ".join(bad)}
    if fields.get("sentiment") and fields["sentiment"] not in Sentiment.values:
        errors["sentiment"] = _("Unknown sentiment.")
    bad = [i for i in fields.get("intents", []) if i not in Intent.values]
    if bad:
        errors["intents"] = _("Unknown intents: %(names)s") % {"names": ", ".join(bad)}
    user = fields.get("assign_to")
    if user is not None:
        from fanloop.core.permissions import allowed

        if not allowed(role_of(user, workspace), Action.INBOX_REPLY):
            errors["assign_to"] = _("%(name)s cannot answer fans in this workspace.") % {
                "name": user
            }
    team = fields.get("team")
    if team is not None and team.workspace_id != workspace.pk:
        errors["team"] = _("That team is not in this workspace.")
    if fields.get("round_robin") and user is not None:
        errors["round_robin"] = _("Choose either one person or round robin, not both.")
    return errors


def save_rule(
    *,
    actor: Any,
    workspace: Workspace,
    rule: AssignmentRule | None = None,
    accounts: Sequence[ChannelAccount] | None = None,
    **fields: Any,
) -> AssignmentRule:
    _require(actor, workspace, Action.WORKSPACE_UPDATE)
    if rule is not None and rule.workspace_id != workspace.pk:
        raise ValidationError(_("That rule is not in this workspace."))
    merged = {
        "name": rule.name if rule else "",
        "platforms": rule.platforms if rule else [],
        "intents": rule.intents if rule else [],
        **fields,
    }
    merged["keywords"] = [w.strip() for w in merged.get("keywords", []) if str(w).strip()]
    if "keywords" in fields:
        fields["keywords"] = merged["keywords"]
    errors = _rule_problems(workspace, merged)
    if accounts is not None and any(a.workspace_id != workspace.pk for a in accounts):
        errors["accounts"] = _("Those accounts are not all in this workspace.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.snapshot(rule, RULE_FIELDS) if rule else {}
        if rule is None:
            last = AssignmentRule.objects.filter(workspace=workspace).aggregate(Max("position"))
            rule = AssignmentRule(workspace=workspace, position=(last["position__max"] or 0) + 1)
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.save()
        if accounts is not None:
            rule.accounts.set(accounts)
        audit.record(
            actor=actor,
            workspace=workspace,
            action="inbox.rule_saved",
            obj=rule,
            changes=audit.diff(before, audit.snapshot(rule, RULE_FIELDS)),
        )
    return rule


def move_rule(*, actor: Any, rule: AssignmentRule, offset: int) -> AssignmentRule:
    """Move a rule up (-1) or down (+1); order decides which rule wins."""
    _require(actor, rule.workspace, Action.WORKSPACE_UPDATE)
    with transaction.atomic():
        rules = list(AssignmentRule.objects.select_for_update().filter(workspace=rule.workspace))
        index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        other = index + offset
        if not 0 <= other < len(rules):
            return rule
        rules[index], rules[other] = rules[other], rules[index]
        for position, each in enumerate(rules, start=1):
            each.position = position
        AssignmentRule.objects.bulk_update(rules, ["position"])
        audit.record(
            actor=actor,
            workspace=rule.workspace,
            action="inbox.rule_moved",
            obj=rule,
            changes={"position": (index + 1, other + 1)},
        )
    rule.refresh_from_db()
    return rule


def _delete(
    actor: Any, workspace: Workspace, obj: Model, action: str, fields: Sequence[str]
) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            workspace=workspace,
            action=action,
            obj=obj,
            changes=audit.deleted(obj, fields),
        )
        obj.delete()


def delete_rule(*, actor: Any, rule: AssignmentRule) -> None:
    _require(actor, rule.workspace, Action.WORKSPACE_UPDATE)
    _delete(actor, rule.workspace, rule, "inbox.rule_deleted", ("name",))


# Teams, tags, saved replies ------------------------------------------------------------


def save_team(
    *,
    actor: Any,
    workspace: Workspace,
    name: str,
    members: Sequence[User],
    team: Team | None = None,
) -> Team:
    _require(actor, workspace, Action.WORKSPACE_UPDATE)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    outsiders = [m for m in members if role_of(m, workspace) is None]
    if outsiders:
        raise ValidationError({"members": _("Only workspace members can join a team.")})
    try:
        with transaction.atomic():
            before = audit.snapshot(team, ("name",)) if team else {}
            team = team or Team(workspace=workspace)
            team.name = name
            team.save()
            team.members.set(members)
            audit.record(
                actor=actor,
                workspace=workspace,
                action="inbox.team_saved",
                obj=team,
                changes={
                    **audit.diff(before, audit.snapshot(team, ("name",))),
                    "members": (None, sorted(m.username for m in members)),
                },
            )
    except IntegrityError as error:
        raise ValidationError({"name": _("There is already a team with that name.")}) from error
    return team


def delete_team(*, actor: Any, team: Team) -> None:
    _require(actor, team.workspace, Action.WORKSPACE_UPDATE)
    _delete(actor, team.workspace, team, "inbox.team_deleted", ("name",))


def save_tag(
    *, actor: Any, workspace: Workspace, name: str, color: str = "secondary", tag: Tag | None = None
) -> Tag:
    _require(actor, workspace)
    name = name.strip()
    if not name or len(name) > 50:
        raise ValidationError({"name": _("A tag needs a name of up to 50 characters.")})
    try:
        with transaction.atomic():
            before = audit.snapshot(tag, ("name", "color")) if tag else {}
            tag = tag or Tag(workspace=workspace)
            tag.name, tag.color = name, color or "secondary"
            tag.save()
            audit.record(
                actor=actor,
                workspace=workspace,
                action="inbox.tag_saved",
                obj=tag,
                changes=audit.diff(before, audit.snapshot(tag, ("name", "color"))),
            )
    except IntegrityError as error:
        raise ValidationError({"name": _("There is already a tag with that name.")}) from error
    return tag


def delete_tag(*, actor: Any, tag: Tag) -> None:
    _require(actor, tag.workspace)
    _delete(actor, tag.workspace, tag, "inbox.tag_deleted", ("name",))


def save_saved_reply(
    *,
    actor: Any,
    workspace: Workspace,
    title: str,
    body: str,
    platform: str = "",
    saved_reply: SavedReply | None = None,
) -> SavedReply:
    _require(actor, workspace)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the saved reply a title.")
    if not body.strip():
        errors["body"] = _("Write the reply's text.")
    if platform and platform not in Platform.values:
        errors["platform"] = _("Unknown platform.")
    if errors:
        raise ValidationError(errors)
    fields = ("title", "body", "platform")
    with transaction.atomic():
        before = audit.snapshot(saved_reply, fields) if saved_reply else {}
        saved_reply = saved_reply or SavedReply(workspace=workspace, created_by=actor)
        saved_reply.title, saved_reply.body, saved_reply.platform = (
            title.strip()[:100],
            body.strip(),
            platform,
        )
        saved_reply.save()
        audit.record(
            actor=actor,
            workspace=workspace,
            action="inbox.saved_reply_saved",
            obj=saved_reply,
            changes=audit.diff(before, audit.snapshot(saved_reply, fields)),
        )
    return saved_reply


def delete_saved_reply(*, actor: Any, saved_reply: SavedReply) -> None:
    _require(actor, saved_reply.workspace)
    _delete(actor, saved_reply.workspace, saved_reply, "inbox.saved_reply_deleted", ("title",))


# Webhooks ------------------------------------------------------------------------------


def create_webhook(*, actor: Any, workspace: Workspace, name: str) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret, which is shown this once and stored encrypted."""
    _require(actor, workspace, Action.WORKSPACE_UPDATE)
    if not name.strip():
        raise ValidationError({"name": _("Name the webhook after what sends to it.")})
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            workspace=workspace,
            name=name.strip()[:100],
            token=secrets.token_urlsafe(18),
            secret=secret,
        )
        audit.record(
            actor=actor,
            workspace=workspace,
            action="inbox.webhook_created",
            obj=endpoint,
            changes={"name": (None, endpoint.name), "secret": (None, "••••")},
        )
    return endpoint, secret


def rotate_webhook_secret(*, actor: Any, endpoint: WebhookEndpoint) -> str:
    _require(actor, endpoint.workspace, Action.WORKSPACE_UPDATE)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint.secret = secret
        endpoint.save(update_fields=["secret"])
        audit.record(
            actor=actor,
            workspace=endpoint.workspace,
            action="inbox.webhook_rotated",
            obj=endpoint,
            changes={"secret": ("••••", "••••")},
        )
    return secret


def delete_webhook(*, actor: Any, endpoint: WebhookEndpoint) -> None:
    _require(actor, endpoint.workspace, Action.WORKSPACE_UPDATE)
    _delete(actor, endpoint.workspace, endpoint, "inbox.webhook_deleted", ("name",))


# Presence ------------------------------------------------------------------------------


def heartbeat(
    *, user: User, workspace: Workspace, available: bool | None = None
) -> OperatorPresence:
    """The operator is at the inbox now (and optionally switched available/away)."""
    presence, _created = OperatorPresence.objects.get_or_create(workspace=workspace, user=user)
    presence.last_seen_at = timezone.now()
    fields = ["last_seen_at"]
    if available is not None and presence.available != available:
        presence.available = available
        fields.append("available")
        audit.record(
            actor=user,
            workspace=workspace,
            action="inbox.presence",
            obj=presence,
            changes={"available": (not available, available)},
        )
    presence.save(update_fields=fields)
    return presence
