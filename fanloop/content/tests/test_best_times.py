"""Best time to post: seed defaults without history, engagement history once there is
enough of it, the heat-map page and the week view's hints."""

import json
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fanloop.content import services
from fanloop.content.models import TARGET_PLATFORM_CHOICES
from fanloop.content.services import PostEngagement
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
PLATFORM = "xiaohongshu"
TUESDAY, EVENING = 1, 21


def _tuesday_evening(weeks_ago: int) -> datetime:
    today = timezone.localdate()
    tuesday = today - timedelta(days=(today.weekday() - TUESDAY) % 7 + 7 * weeks_ago)
    return timezone.make_aware(datetime.combine(tuesday, time(EVENING, 5)))


@pytest.fixture
def engagement_history():
    """A source with 40 posts on Xiaohongshu: 32 strong on Tuesday 21:00, the rest weak."""

    def source(workspace, platform):
        if platform != PLATFORM:
            return []
        strong = [PostEngagement(_tuesday_evening(i % 8), 1000, 120) for i in range(32)]
        weak = [
            PostEngagement(_tuesday_evening(i) - timedelta(days=1, hours=9), 1000, 10)
            for i in range(8)
        ]
        return strong + weak

    services.register_engagement_source(source)
    yield source
    services.unregister_engagement_source(source)


def test_without_history_the_seed_defaults_apply(workspace):
    # given no engagement source at all
    # when best times are asked for
    best = services.best_times(workspace, PLATFORM)
    # then noon and evening are suggested, and it says so
    assert best.from_history is False
    assert best.posts == 0
    assert best.min_posts == 30
    assert {hour for _day, hour in best.suggestions} == {12, 20}
    assert best.suggestions[:2] == [(0, 12), (0, 20)]


def test_with_enough_history_the_best_cell_comes_first(workspace, engagement_history):
    best = services.best_times(workspace, PLATFORM)
    assert best.from_history is True
    assert best.posts == 40
    assert best.suggestions[0] == (TUESDAY, EVENING)
    assert best.grid[TUESDAY][EVENING] == 12.0
    # other platforms have no history of their own
    assert services.best_times(workspace, "weibo").from_history is False


def test_too_little_history_still_uses_defaults(workspace, admin_user, engagement_history):
    services.update_content_settings(
        actor=admin_user, workspace=workspace, data={"best_time_min_posts": 41}
    )
    best = services.best_times(workspace, PLATFORM)
    assert best.from_history is False
    assert (best.posts, best.min_posts) == (40, 41)


def test_page_states_the_rule_without_history(client_for, member_with_role, workspace):
    viewer = member_with_role(Role.VIEWER)
    response = client_for(viewer).get(
        reverse("best_times", args=[workspace.slug]), {"platform": PLATFORM}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "at least 30 published posts with metrics; it has 0" in html
    assert "12:00 · 20:00 every day" in html
    assert 'data-calendar-chart="best-times"' not in html
    assert response.context["nav"] == "calendar"
    # every target platform can be picked
    for value, _label in TARGET_PLATFORM_CHOICES:
        assert f'value="{value}"' in html


def test_page_renders_the_heat_map_from_history(
    client_for, member_with_role, workspace, engagement_history
):
    response = client_for(member_with_role(Role.ANALYST)).get(
        reverse("best_times", args=[workspace.slug]), {"platform": PLATFORM}
    )
    html = response.content.decode()
    assert 'data-calendar-chart="best-times"' in html
    chart = json.loads(response.context["chart_json"])
    assert [EVENING, TUESDAY, 12.0] in chart["cells"]
    assert chart["max"] == 12.0
    assert len(chart["days"]) == 7
    assert len(chart["hours"]) == 24
    assert response.context["suggestions"][0][1] == "21:00"
    assert "From history: 40 published posts" in html


def test_unknown_platform_falls_back_to_the_first(client_for, admin_user, workspace):
    response = client_for(admin_user).get(
        reverse("best_times", args=[workspace.slug]), {"platform": "myspace"}
    )
    assert response.status_code == 200
    assert response.context["platform"] == TARGET_PLATFORM_CHOICES[0][0]


def test_week_view_highlights_the_best_slots(client_for, admin_user, workspace, engagement_history):
    tuesday = _tuesday_evening(0).date() + timedelta(days=7)
    response = client_for(admin_user).get(
        reverse("calendar", args=[workspace.slug]),
        {"view": "week", "date": tuesday.isoformat(), "platform": PLATFORM},
    )
    best = [
        (slot.day, slot.hour)
        for _label, slots in response.context["hour_rows"]
        for slot in slots
        if slot.best
    ]
    assert (tuesday, EVENING) in best
    assert len(best) <= 5


def test_week_view_shows_seed_hints_for_a_platform_without_history(
    client_for, admin_user, workspace
):
    response = client_for(admin_user).get(
        reverse("calendar", args=[workspace.slug]), {"view": "week", "platform": "weibo"}
    )
    best = {
        (slot.day.weekday(), slot.hour)
        for _label, slots in response.context["hour_rows"]
        for slot in slots
        if slot.best
    }
    assert best == {(day, hour) for day in range(7) for hour in (12, 20)}
    # without a platform filter there is nothing to highlight
    plain = client_for(admin_user).get(reverse("calendar", args=[workspace.slug]), {"view": "week"})
    assert 'data-best="1"' not in plain.content.decode()
