"""Reply-time targets and the periodic breach flagging."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from fanloop.core.models import AuditEntry, Notification
from fanloop.core.permissions import Role
from fanloop.inbox import sla, tasks
from fanloop.inbox.models import Direction, InboxSettings, Message, Team
from fanloop.inbox.tests.sla_factories import make_message, make_thread

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 9, 29, 15, tzinfo=SHANGHAI)  # a Monday afternoon


def test_target_is_the_platform_override_else_the_default():
    settings = InboxSettings(default_reply_minutes=120, platform_reply_minutes={"weibo": 60})
    assert sla.reply_target_minutes(settings, "weibo") == 60
    assert sla.reply_target_minutes(settings, "douyin") == 120


@pytest.mark.parametrize("bad", ["30", 0, -5, True, None, 1.5])
def test_unusable_overrides_fall_back_to_the_default(bad):
    settings = InboxSettings(default_reply_minutes=90, platform_reply_minutes={"weibo": bad})
    assert sla.reply_target_minutes(settings, "weibo") == 90


def test_due_time_counts_business_minutes_of_the_platforms_target():
    given = InboxSettings(default_reply_minutes=120, platform_reply_minutes={"weibo": 60})
    received = datetime(2025, 9, 26, 17, 30, tzinfo=SHANGHAI)  # Friday
    # Weibo: 30 min on Friday, 30 on Monday. Douyin: 30 + 90.
    assert sla.due_at(given, SHANGHAI, "weibo", received) == datetime(
        2025, 9, 29, 9, 30, tzinfo=SHANGHAI
    )
    assert sla.due_at(given, SHANGHAI, "douyin", received) == datetime(
        2025, 9, 29, 10, 30, tzinfo=SHANGHAI
    )


def test_response_seconds_skip_the_night():
    given = InboxSettings()
    received = datetime(2025, 9, 29, 17, 30, tzinfo=SHANGHAI)
    replied = datetime(2025, 9, 30, 9, 15, tzinfo=SHANGHAI)
    assert sla.response_seconds(given, SHANGHAI, received, replied) == 45 * 60


@pytest.fixture
def people(workspace, member_with_role, admin_user):
    return {
        "admin": admin_user,
        "operator": member_with_role(Role.OPERATOR),
        "analyst": member_with_role(Role.ANALYST),
    }


def overdue(thread, **fields):
    sent = NOW - timedelta(hours=5)
    fields.setdefault("reply_due_at", NOW - timedelta(hours=3))
    return make_message(thread, at=sent, **fields)


def notes_of(user):
    return list(Notification.objects.filter(user=user))


def test_breaches_are_flagged_once_and_the_owner_told_once_per_thread(
    workspace, other_workspace, people
):
    # Given overdue and not-yet-due messages in several threads.
    mine = make_thread(workspace, at=NOW, assignee=people["analyst"])
    first, second = overdue(mine), overdue(mine)
    unowned = make_thread(workspace, at=NOW)
    lonely = overdue(unowned)
    answered = overdue(make_thread(workspace, at=NOW), responded_at=NOW - timedelta(hours=4))
    later = overdue(make_thread(workspace, at=NOW), reply_due_at=NOW + timedelta(minutes=5))
    hidden = overdue(make_thread(workspace, at=NOW), hidden=True)
    no_need = overdue(make_thread(workspace, at=NOW), needs_reply=False)
    no_due = overdue(make_thread(workspace, at=NOW), reply_due_at=None)
    ours = make_message(
        make_thread(workspace, at=NOW),
        at=NOW - timedelta(hours=5),
        direction=Direction.OUTBOUND,
        reply_due_at=NOW - timedelta(hours=3),
    )
    theirs = overdue(make_thread(other_workspace, at=NOW))

    # When the job runs.
    flagged = sla.flag_breaches(now=NOW)

    # Then exactly the overdue, unanswered, visible fan messages are flagged.
    assert flagged == 4
    breached = set(Message.objects.filter(sla_breached=True).values_list("pk", flat=True))
    assert breached == {first.pk, second.pk, lonely.pk, theirs.pk}
    for untouched in (answered, later, hidden, no_need, no_due, ours):
        untouched.refresh_from_db()
        assert not untouched.sla_breached
    # The assignee hears once for their thread; the unowned one goes to operators only.
    assert len(notes_of(people["analyst"])) == 1
    assert "waited past the target" in notes_of(people["analyst"])[0].text
    assert len(notes_of(people["operator"])) == 1
    assert notes_of(people["admin"]) == []
    # Workspace B has no operators: its admin hears, and only about B.
    owner_b = other_workspace.memberships.get().user
    assert [n.workspace_id for n in notes_of(owner_b)] == [other_workspace.pk]
    audits = AuditEntry.objects.filter(workspace=workspace, action="inbox.sla_breached")
    assert sorted(a.object_id for a in audits) == sorted([str(mine.pk), str(unowned.pk)])

    # When it runs again, nothing new is flagged and nobody is told twice.
    assert sla.flag_breaches(now=NOW + timedelta(minutes=1)) == 0
    assert Notification.objects.count() == 3
    assert AuditEntry.objects.filter(action="inbox.sla_breached").count() == 3


def test_a_new_breach_in_the_same_thread_is_a_new_notice(workspace, people):
    thread = make_thread(workspace, at=NOW, assignee=people["operator"])
    overdue(thread)
    assert sla.flag_breaches(now=NOW) == 1
    overdue(thread, reply_due_at=NOW + timedelta(minutes=30))
    assert sla.flag_breaches(now=NOW + timedelta(minutes=31)) == 1
    assert len(notes_of(people["operator"])) == 2


def test_team_members_hear_about_their_teams_unassigned_thread(workspace, people, make_user):
    outsider = make_user("not-a-member")
    team = Team.objects.create(workspace=workspace, name="After-sales")
    team.members.add(people["analyst"], outsider)
    overdue(make_thread(workspace, at=NOW, team=team))
    sla.flag_breaches(now=NOW)
    assert len(notes_of(people["analyst"])) == 1
    assert notes_of(outsider) == []  # not in the workspace: never told about it
    assert notes_of(people["operator"]) == []


def test_an_assignee_who_left_the_workspace_is_not_told(workspace, people, make_user):
    gone = make_user("gone")
    overdue(make_thread(workspace, at=NOW, assignee=gone))
    sla.flag_breaches(now=NOW)
    assert notes_of(gone) == []
    assert len(notes_of(people["operator"])) == 1


def test_the_periodic_jobs_run_through_the_task_backend(workspace, people, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    now = timezone.now()
    thread = make_thread(workspace, at=now)
    make_message(thread, at=now - timedelta(hours=3), reply_due_at=now - timedelta(hours=1))
    assert tasks.flag_sla_breaches.enqueue().return_value == {"flagged": 1}
    assert tasks.flag_sla_breaches.enqueue().return_value == {"flagged": 0}
    assert tasks.evaluate_crisis_alerts.enqueue().return_value == {"raised": 0}
