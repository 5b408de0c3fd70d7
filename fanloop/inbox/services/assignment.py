"""Assignment rules: tried in order, the first whose conditions all match assigns the
conversation, and the conversation remembers which rule did it and why."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.core.models import Membership, User
from fanloop.core.permissions import Action, allowed
from fanloop.core.platforms import Platform
from fanloop.core.services import role_of
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.models import AssignmentRule, Message, OperatorPresence, Thread

# Seen within this long and not marked away: online for round robin.
PRESENCE_WINDOW = timedelta(minutes=10)


def conditions(rule: AssignmentRule) -> list[str]:
    """Each condition of the rule in words, for the rule list and the thread's reason."""
    parts = []
    if rule.platforms:
        names = ", ".join(str(Platform(p).label) for p in rule.platforms if p in Platform.values)
        parts.append(_("platform is %(names)s") % {"names": names})
    accounts = [account.display_name for account in rule.accounts.all()]
    if accounts:
        parts.append(_("account is %(names)s") % {"names": ", ".join(accounts)})
    if rule.keywords:
        parts.append(_("text mentions %(words)s") % {"words": " / ".join(rule.keywords)})
    if rule.sentiment:
        parts.append(_("sentiment is %(value)s") % {"value": Sentiment(rule.sentiment).label})
    if rule.intents:
        names = ", ".join(str(Intent(i).label) for i in rule.intents if i in Intent.values)
        parts.append(_("intent is %(names)s") % {"names": names})
    if rule.vip_only:
        parts.append(_("the fan is a VIP"))
    return parts


def target(rule: AssignmentRule) -> str:
    if rule.round_robin:
        pool = rule.team.name if rule.team else _("all operators")
        return _("round robin among online members of %(pool)s") % {"pool": pool}
    if rule.assign_to is not None:
        return _("assign to %(name)s") % {"name": rule.assign_to}
    if rule.team is not None:
        return _("assign to team %(name)s") % {"name": rule.team}
    return _("leave unassigned")


def explain(rule: AssignmentRule) -> str:
    found = conditions(rule)
    when = "; ".join(found) if found else _("any message")
    return _("When %(when)s: %(then)s.") % {"when": when, "then": target(rule)}


def matches(rule: AssignmentRule, thread: Thread, message: Message) -> bool:
    if rule.platforms and thread.platform not in rule.platforms:
        return False
    account_ids = {account.pk for account in rule.accounts.all()}
    if account_ids and thread.account_id not in account_ids:
        return False
    if rule.keywords:
        text = message.text.lower()
        if not any(word.lower() in text for word in rule.keywords if word):
            return False
    if rule.sentiment and message.sentiment != rule.sentiment:
        return False
    if rule.intents and message.intent not in rule.intents:
        return False
    return not (rule.vip_only and not thread.is_vip)


def _can_answer(user: User, thread: Thread) -> bool:
    return allowed(role_of(user, thread.workspace), Action.INBOX_REPLY)


def online_pool(rule: AssignmentRule) -> list[User]:
    """Who round robin may pick: the team's members (or every member allowed to answer
    fans), online now, in a stable order."""
    if rule.team is not None:
        candidates = list(rule.team.members.all())
    else:
        memberships = Membership.objects.filter(workspace_id=rule.workspace_id).select_related(
            "user"
        )
        candidates = [m.user for m in memberships if allowed(m.role, Action.INBOX_REPLY)]
    online = set(
        OperatorPresence.objects.filter(
            workspace_id=rule.workspace_id,
            available=True,
            last_seen_at__gte=timezone.now() - PRESENCE_WINDOW,
        ).values_list("user_id", flat=True)
    )
    return sorted((user for user in candidates if user.pk in online), key=lambda user: user.pk)


def _next_in_turn(rule: AssignmentRule, pool: list[User]) -> User:
    after = rule.last_assigned_id or 0
    for user in pool:
        if user.pk > after:
            return user
    return pool[0]


def assign_by_rules(thread: Thread, message: Message) -> AssignmentRule | None:
    """Apply the first matching rule to a conversation nobody holds yet."""
    rules = AssignmentRule.objects.filter(workspace_id=thread.workspace_id, active=True)
    for rule in rules.select_related("team", "assign_to").prefetch_related("accounts"):
        if not matches(rule, thread, message):
            continue
        assignee: User | None = None
        note = ""
        if rule.round_robin:
            pool = online_pool(rule)
            if pool:
                assignee = _next_in_turn(rule, pool)
                note = _("round robin among %(count)s online") % {"count": len(pool)}
            else:
                note = _("nobody was online for round robin")
        elif rule.assign_to is not None and _can_answer(rule.assign_to, thread):
            assignee = rule.assign_to
        thread.assignee = assignee
        thread.team = rule.team
        thread.assigned_by_rule = rule
        found = conditions(rule)
        reason = _("Rule “%(rule)s” matched (%(when)s)") % {
            "rule": rule.name,
            "when": "; ".join(found) if found else _("any message"),
        }
        thread.assignment_reason = (f"{reason}: {note}" if note else reason)[:300]
        thread.save(update_fields=["assignee", "team", "assigned_by_rule", "assignment_reason"])
        AssignmentRule.objects.filter(pk=rule.pk).update(
            matched_count=F("matched_count") + 1,
            last_assigned=assignee if assignee is not None else F("last_assigned"),
        )
        return rule
    return None
