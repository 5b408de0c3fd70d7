"""Reply-time targets (SLAs) in business time, and flagging the messages that missed them."""

import logging
from collections.abc import Iterable
from datetime import datetime, tzinfo

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from fanloop.core import audit
from fanloop.core.models import Membership, User, Workspace
from fanloop.core.notifications import notify
from fanloop.core.permissions import Role
from fanloop.inbox.business_hours import add_business_seconds, business_seconds, calendar_for
from fanloop.inbox.models import Direction, InboxSettings, Message, Thread

log = logging.getLogger(__name__)


def settings_or_default(workspace: Workspace) -> InboxSettings:
    """The workspace's inbox settings, or unsaved defaults: reads never create rows."""
    found = InboxSettings.objects.filter(workspace=workspace).first()
    return found if found is not None else InboxSettings(workspace=workspace)


def reply_target_minutes(settings: InboxSettings, platform: str) -> int:
    """The platform's override when set to a positive whole number, else the default."""
    override_minutes = (settings.platform_reply_minutes or {}).get(str(platform))
    if type(override_minutes) is int and override_minutes > 0:
        return override_minutes
    return int(settings.default_reply_minutes)


def due_at(settings: InboxSettings, tz: tzinfo, platform: str, received: datetime) -> datetime:
    """When a fan message received at ``received`` must be answered by."""
    minutes = reply_target_minutes(settings, platform)
    return add_business_seconds(calendar_for(settings, tz), received, minutes * 60)


def response_seconds(
    settings: InboxSettings, tz: tzinfo, received: datetime, responded: datetime
) -> int:
    """Business seconds a reply took: what ``Message.response_business_seconds`` stores."""
    return business_seconds(calendar_for(settings, tz), received, responded)


def overdue_messages(now: datetime) -> QuerySet[Message]:
    """Fan messages past their reply time with no reply yet and not flagged already."""
    return Message.objects.filter(
        direction=Direction.INBOUND,
        needs_reply=True,
        responded_at__isnull=True,
        hidden=False,
        sla_breached=False,
        reply_due_at__isnull=False,
        reply_due_at__lte=now,
    )


def people_to_tell(thread: Thread, *, roles: Iterable[str] = (Role.OPERATOR,)) -> list[User]:
    """The assignee; else the team's members; else the workspace's operators (admins
    when there are none), so an unowned breach still reaches someone."""
    members = Membership.objects.filter(workspace_id=thread.workspace_id).select_related("user")
    if thread.assignee_id is not None and members.filter(user_id=thread.assignee_id).exists():
        return [thread.assignee] if thread.assignee is not None else []
    if thread.team is not None:
        in_team = [m.user for m in members.filter(user__in=thread.team.members.all())]
        if in_team:
            return in_team
    for wanted in (tuple(roles), (Role.ADMIN,)):
        users = [m.user for m in members.filter(role__in=wanted, user__is_active=True)]
        if users:
            return users
    return []


def thread_url(thread: Thread) -> str:
    """The thread's page in the inbox; the inbox list when the page is not routed yet."""
    slug = thread.workspace.slug
    for name, args in (("inbox_thread", [slug, thread.pk]), ("inbox", [slug])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return ""


def flag_breaches(now: datetime | None = None) -> int:
    """Mark overdue, unanswered fan messages ``sla_breached`` and tell the thread's owner
    once per thread. Returns how many messages this run flagged.

    The UPDATE only touches rows still unflagged, and each thread is settled in its own
    transaction, so two runs at once never flag or notify the same message twice and a
    failure on one thread leaves the others flagged.
    """
    now = now or timezone.now()
    thread_ids = list(
        overdue_messages(now).order_by().values_list("thread_id", flat=True).distinct()
    )
    flagged = 0
    for thread_id in thread_ids:
        with transaction.atomic():
            count = overdue_messages(now).filter(thread_id=thread_id).update(sla_breached=True)
            if not count:
                continue  # another run got there first
            flagged += count
            thread = Thread.objects.select_related(
                "workspace", "assignee", "team", "author", "account"
            ).get(pk=thread_id)
            _announce(thread, count)
    return flagged


def _announce(thread: Thread, count: int) -> None:
    workspace = thread.workspace
    recipients = people_to_tell(thread)
    # Stored text is data: written in the product's language, not the visitor's.
    with override(django_settings.LANGUAGE_CODE):
        text = _("Reply time missed: %(author)s has waited past the target (%(platform)s).") % {
            "author": thread.author,
            "platform": thread.get_platform_display(),
        }
    notify(users=recipients, workspace=workspace, text=text, url=thread_url(thread))
    audit.record(
        actor=None,
        workspace=workspace,
        action="inbox.sla_breached",
        obj=thread,
        changes={"breached_messages": (None, count)},
    )
