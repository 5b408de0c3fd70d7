"""Group events: planned, done with outcome notes, or cancelled; audited; role-checked."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fanloop.community.models import GroupEvent
from fanloop.community.services import events
from fanloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

START = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)


def data(**extra):
    return {"kind": "qa", "title": "防晒答疑", "starts_at": START, **extra}


def test_an_event_is_planned_then_done_with_its_outcome(operator, group):
    event = events.create_event(
        actor=operator, group=group, data=data(host=operator, materials="https://x.cn/doc")
    )
    assert event.status == "planned"

    events.update_event(
        actor=operator,
        event=event,
        data={"status": "done", "outcome_notes": "42 人参与", "participants": 42},
    )

    event.refresh_from_db()
    assert (event.status, event.outcome_notes, event.participants) == ("done", "42 人参与", 42)
    actions = list(
        AuditEntry.objects.filter(
            object_id=str(event.pk), object_type="community.groupevent"
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == ["community.event_create", "community.event_update"]
    update = AuditEntry.objects.get(action="community.event_update")
    assert update.changes["status"] == ["planned", "done"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"title": " "}, "title"),
        ({"kind": "giveaway"}, "kind"),
        ({"status": "maybe"}, "status"),
        ({"ends_at": START - timedelta(hours=1)}, "ends_at"),
    ],
)
def test_bad_events_are_refused(operator, group, extra, field):
    with pytest.raises(ValidationError) as caught:
        events.create_event(actor=operator, group=group, data=data(**extra))

    assert field in caught.value.message_dict
    assert not GroupEvent.objects.exists()


def test_the_host_must_be_in_the_workspace(operator, group, make_user):
    with pytest.raises(ValidationError):
        events.create_event(actor=operator, group=group, data=data(host=make_user("stranger")))


def test_a_viewer_cannot_plan_or_delete(viewer, operator, group):
    event = events.create_event(actor=operator, group=group, data=data())

    with pytest.raises(PermissionDenied):
        events.create_event(actor=viewer, group=group, data=data())
    with pytest.raises(PermissionDenied):
        events.delete_event(actor=viewer, event=event)
    events.delete_event(actor=operator, event=event)

    assert not GroupEvent.objects.exists()
    assert AuditEntry.objects.filter(action="community.event_delete").exists()


def test_event_pages(client_for, operator, viewer, group):
    slug = group.workspace.slug
    client = client_for(operator)
    new = reverse("community_event_new", args=[slug, group.pk])

    assert client_for(viewer).get(new).status_code == 403
    bad = client.post(
        new, {"kind": "live", "title": "", "starts_at": "2025-07-01T20:00", "status": "planned"}
    )
    assert bad.status_code == 400
    response = client.post(
        new,
        {
            "kind": "live",
            "title": "新品直播",
            "starts_at": "2025-07-01T20:00",
            "ends_at": "2025-07-01T22:00",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    event = GroupEvent.objects.get()
    # Typed in the team's wall-clock time (Asia/Shanghai).
    assert event.starts_at == datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    listing = client_for(viewer).get(
        reverse("community_group_tab", args=[slug, group.pk, "events"])
    )
    assert "新品直播" in listing.content.decode()
    edit = reverse("community_event_edit", args=[slug, group.pk, event.pk])
    assert b"2025-07-01T20:00" in client.get(edit).content
    client.post(
        edit,
        {
            "kind": "live",
            "title": "新品直播",
            "starts_at": "2025-07-01T20:00",
            "status": "cancelled",
        },
    )
    event.refresh_from_db()
    assert event.status == "cancelled"
    client.post(reverse("community_event_delete", args=[slug, group.pk, event.pk]))
    assert not GroupEvent.objects.exists()
