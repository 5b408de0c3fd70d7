"""The demo seeds two fan groups with realistic history, once, deterministically."""

import pytest

from fanloop.community.models import (
    FanGroup,
    GroupDay,
    GroupEvent,
    MemberSpell,
    ModerationFlag,
)
from fanloop.core import demo
from fanloop.core.models import Notification

pytestmark = pytest.mark.django_db


def test_demo_seeds_two_groups_with_members_activity_events_and_flags():
    result = demo.seed(only={"campaigns", "community"})

    groups = FanGroup.objects.filter(workspace=result.workspace)
    assert groups.count() == 2
    welfare = groups.get(name="青柑福利群 · 1群")
    vip = groups.get(name="青柑VIP会员群")
    assert 60 <= welfare.members.count() <= 200
    assert 60 <= vip.members.count() <= 200
    # Some members left, and some came back (more stays than members).
    assert welfare.members.filter(left_at__isnull=False).exists()
    assert MemberSpell.objects.filter(group=welfare).count() > welfare.members.count()
    days = GroupDay.objects.filter(group=welfare)
    assert days.count() >= 28
    assert all(d.dau <= d.members for d in days)
    # Weekends are busier in the perks group.
    weekend = [d.dau for d in days if d.day.weekday() >= 5 and d.dau]
    weekday = [d.dau for d in days if d.day.weekday() in (0, 1, 3) and d.dau]
    assert sum(weekend) / len(weekend) > sum(weekday) / len(weekday)
    assert days.last().health is not None
    assert GroupEvent.objects.filter(group=welfare, status="done").exclude(outcome_notes="")
    assert GroupEvent.objects.filter(group=welfare, status="planned").exists()
    flags = ModerationFlag.objects.filter(group=welfare)
    assert 2 <= flags.count() <= 5
    notes = Notification.objects.filter(user=welfare.owner, text__startswith="Flagged message")
    assert notes.count() == flags.count()
    rules = {reason["rule"] for flag in flags for reason in flag.reasons}
    assert rules >= {"medical_claims", "privacy", "negative_sentiment"}


def test_seeding_again_adds_nothing():
    demo.seed(only={"campaigns", "community"})
    counts = (FanGroup.objects.count(), MemberSpell.objects.count(), ModerationFlag.objects.count())

    demo.seed(only={"campaigns", "community"})

    assert (
        FanGroup.objects.count(),
        MemberSpell.objects.count(),
        ModerationFlag.objects.count(),
    ) == counts
