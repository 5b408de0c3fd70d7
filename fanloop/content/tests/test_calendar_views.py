"""The publishing calendar: month, week and list views, filters, drag to reschedule and
bulk actions, with workspace isolation and role checks."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fanloop.campaigns import services as campaign_services
from fanloop.content import services
from fanloop.content.models import Variant, VariantState
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
S = VariantState
CLEAN_BODY = "春季新品上市，欢迎来店里看看"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def day() -> date:
    """A day well in the future, early enough in its month that day + 2 is the same month."""
    candidate = timezone.localdate() + timedelta(days=20)
    return candidate.replace(day=min(candidate.day, 20))


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def author(member_with_role):
    return member_with_role(Role.CONTENT)


@pytest.fixture
def plan(author, workspace):
    """A variant planned at ``when``; approved unless ``approve`` is false."""

    def make(
        title: str,
        when: datetime,
        *,
        platform: str = "weibo",
        approve: bool = True,
        actor=None,
        space=None,
        **item_data,
    ) -> Variant:
        actor = actor or author
        item = services.create_item(
            actor=actor,
            workspace=space or workspace,
            data={"title": title, "content_type": "image_text", "purpose": "product_intro"}
            | item_data,
            platforms=[platform],
        )
        variant = services.update_variant(
            actor=actor,
            variant=item.variants.get(),
            data={"body": CLEAN_BODY, "planned_at": when},
        )
        if approve:
            variant, _warnings = services.transition(actor=actor, variant=variant, name="submit")
            assert variant.state == S.APPROVED
        return variant

    return make


def get(client, workspace, **params):
    return client.get(reverse("calendar", args=[workspace.slug]), params)


def move(client, workspace, variant, when: str, **query):
    url = reverse("calendar_move", args=[workspace.slug])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(
        url, {"variant": variant.pk, "planned_at": when}, headers={"HX-Request": "true"}
    )


def month_titles(response) -> list[str]:
    return [
        card.variant.item.title
        for week in response.context["weeks"]
        for slot in week
        for card in slot.cards
    ]


# Views -----------------------------------------------------------------------------------


def test_month_view_shows_this_workspaces_variants_in_range(
    client_for, operator, plan, day, other_workspace
):
    # given a variant in the month, one three months later and one in another workspace
    plan("本月上新", local(day, 20, 30))
    plan("下季度", local(day + timedelta(days=95), 12))
    zed = other_workspace.memberships.get().user
    plan("别家的", local(day, 20), actor=zed, space=other_workspace)

    # when the operator opens the month
    response = get(client_for(operator), operator.memberships.get().workspace, date=day)

    # then only the first is there, on its day, with its time, platform and state
    assert response.status_code == 200
    assert month_titles(response) == ["本月上新"]
    slot = next(s for week in response.context["weeks"] for s in week if s.day == day)
    assert [c.variant.item.title for c in slot.cards] == ["本月上新"]
    html = response.content.decode()
    assert "本月上新" in html
    assert "20:30" in html
    assert "Weibo" in html
    assert "别家的" not in html
    assert "下季度" not in html
    assert 'draggable="true"' in html
    assert response.context["nav"] == "calendar"


def test_every_view_renders_as_page_and_fragment(client_for, operator, plan, day, workspace):
    plan("三视图", local(day, 9))
    client = client_for(operator)
    for view in ("month", "week", "list"):
        full = get(client, workspace, view=view, date=day)
        part = client.get(
            reverse("calendar", args=[workspace.slug]),
            {"view": view, "date": day},
            headers={"HX-Request": "true"},
        )
        assert full.status_code == part.status_code == 200
        assert "<html" in full.content.decode()
        assert "<html" not in part.content.decode()
        assert "三视图" in part.content.decode()


def test_week_view_puts_cards_in_their_hour(client_for, operator, plan, day, workspace):
    # given one variant at 14:30 that week, one at 03:00 and one the week after
    plan("下午", local(day, 14, 30))
    plan("凌晨", local(day, 3), platform="wecom")
    plan("下周", local(day + timedelta(days=7), 14, 30), platform="zhihu")

    response = get(client_for(operator), workspace, view="week", date=day)

    rows = dict(response.context["hour_rows"])
    in_slot = [(slot.day, c.variant.item.title) for slot in rows["14:00"] for c in slot.cards]
    assert in_slot == [(day, "下午")]
    early = [c.variant.item.title for slot in response.context["early_row"] for c in slot.cards]
    assert early == ["凌晨"]
    assert "下周" not in response.content.decode()
    assert f'data-testid="slot-{day.isoformat()}-14"' in response.content.decode()


def test_list_view_lists_the_month(client_for, operator, plan, day, workspace):
    plan("本月", local(day, 10))
    plan("下月", local(day + timedelta(days=40), 10))
    response = get(client_for(operator), workspace, view="list", date=day)
    titles = [card.variant.item.title for card, _result in response.context["rows"]]
    assert titles == ["本月"]
    assert 'name="variant"' in response.content.decode()


def test_filters_by_platform_state_owner_and_campaign(
    client_for, operator, author, admin_user, plan, day, workspace
):
    # given variants differing in platform, state, owner and campaign
    campaign = campaign_services.create_campaign(
        actor=admin_user,
        workspace=workspace,
        data={
            "name": "春季",
            "start_date": day - timedelta(days=5),
            "end_date": day + timedelta(days=5),
        },
    )
    plan("微博", local(day, 10))
    plan("抖音草稿", local(day, 11), platform="douyin", approve=False)
    plan("活动内", local(day, 12), platform="zhihu", campaign=campaign)
    plan("管理员的", local(day, 13), platform="wecom", actor=admin_user)
    client = client_for(operator)

    def titles(**filters):
        return sorted(month_titles(get(client, workspace, date=day, **filters)))

    assert titles(platform="douyin") == ["抖音草稿"]
    assert titles(state="draft") == ["抖音草稿"]
    assert titles(campaign=campaign.pk) == ["活动内"]
    assert titles(owner=admin_user.pk) == ["管理员的"]
    assert titles(owner=author.pk, state="approved") == ["微博", "活动内"]
    # an unknown filter value is ignored rather than failing the page
    assert len(titles(platform="myspace")) == 4


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "2026-13-40", "soon"])
def test_odd_dates_fall_back_to_today(raw, client_for, operator, workspace):
    response = get(client_for(operator), workspace, date=raw)
    assert response.status_code == 200
    assert response.context["anchor"] == timezone.localdate()


def test_a_campaign_of_another_workspace_shows_nothing(
    client_for, operator, plan, day, workspace, other_workspace
):
    zed = other_workspace.memberships.get().user
    theirs = campaign_services.create_campaign(
        actor=zed,
        workspace=other_workspace,
        data={"name": "别家活动", "start_date": day, "end_date": day + timedelta(days=3)},
    )
    plan("我们的", local(day, 10))
    plan("别家的", local(day, 10), actor=zed, space=other_workspace, campaign=theirs)

    response = get(client_for(operator), workspace, date=day, campaign=theirs.pk)

    assert response.status_code == 200
    assert month_titles(response) == []
    assert "别家活动" not in response.content.decode()


def test_a_non_member_cannot_see_the_calendar(client_for, other_workspace, workspace):
    zed = other_workspace.memberships.get().user
    response = client_for(zed).get(reverse("calendar", args=[workspace.slug]))
    assert response.status_code == 404


def test_viewers_see_cards_they_cannot_drag(client_for, member_with_role, plan, day, workspace):
    plan("只读", local(day, 10))
    response = get(client_for(member_with_role(Role.VIEWER)), workspace, date=day)
    html = response.content.decode()
    assert "只读" in html
    assert 'draggable="true"' not in html
    assert response.context["bulk_actions"] == []


# Move ------------------------------------------------------------------------------------


def test_an_approved_variant_moves_and_keeps_an_audit_trail(
    client_for, operator, plan, day, workspace
):
    # given an approved variant at 20:30
    variant = plan("拖一拖", local(day, 20, 30))
    target = day + timedelta(days=2)

    # when the operator drops it two days later (the browser sends local time, no offset)
    response = move(client_for(operator), workspace, variant, f"{target}T20:30", date=day)

    # then it is there, the calendar fragment says so, and the move is audited
    assert response.status_code == 200
    variant.refresh_from_db()
    assert variant.planned_at == local(target, 20, 30)
    html = response.content.decode()
    assert 'id="calendar"' in html
    assert "<html" not in html
    assert "Moved" in html
    assert f"{target} 20:30" in html
    slot = next(s for week in response.context["weeks"] for s in week if s.day == target)
    assert [c.variant.pk for c in slot.cards] == [variant.pk]
    entry = AuditEntry.objects.get(action="content.variant_reschedule", object_id=str(variant.pk))
    assert entry.actor == operator


def test_a_scheduled_variant_moves_too(client_for, operator, plan, day, workspace):
    variant = plan("已排期", local(day, 9))
    services.transition(actor=operator, variant=variant, name="schedule")
    response = move(client_for(operator), workspace, variant, local(day, 18).isoformat())
    variant.refresh_from_db()
    assert response.status_code == 200
    assert variant.planned_at == local(day, 18)
    assert variant.state == S.SCHEDULED


def test_a_draft_is_refused_and_unchanged(client_for, operator, plan, day, workspace):
    draft = plan("草稿", local(day, 10), approve=False)
    response = move(client_for(operator), workspace, draft, f"{day + timedelta(days=1)}T10:00")
    draft.refresh_from_db()
    assert response.status_code == 200
    assert draft.planned_at == local(day, 10)
    html = response.content.decode()
    assert "was not moved" in html
    assert "Only approved or scheduled variants can be moved; this one is Draft." in html
    assert not AuditEntry.objects.filter(action="content.variant_reschedule").exists()


def test_a_past_slot_is_refused(client_for, operator, plan, day, workspace):
    variant = plan("过去", local(day, 10))
    yesterday = timezone.localdate() - timedelta(days=1)
    response = move(client_for(operator), workspace, variant, f"{yesterday}T10:00")
    variant.refresh_from_db()
    assert variant.planned_at == local(day, 10)
    assert "That time has passed" in response.content.decode()


def test_a_slot_outside_the_campaign_is_refused(
    client_for, operator, admin_user, plan, day, workspace
):
    campaign = campaign_services.create_campaign(
        actor=admin_user,
        workspace=workspace,
        data={"name": "短活动", "start_date": day, "end_date": day + timedelta(days=1)},
    )
    variant = plan("活动稿", local(day, 10), campaign=campaign)
    response = move(client_for(operator), workspace, variant, f"{day + timedelta(days=3)}T10:00")
    variant.refresh_from_db()
    assert variant.planned_at == local(day, 10)
    assert "is outside it" in response.content.decode()


def test_a_nonsense_time_is_refused(client_for, operator, plan, day, workspace):
    variant = plan("乱填", local(day, 10))
    response = move(client_for(operator), workspace, variant, "next tuesday")
    variant.refresh_from_db()
    assert variant.planned_at == local(day, 10)
    assert "Give a valid date and time" in response.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTENT, Role.ANALYST])
def test_roles_without_publish_cannot_move(
    role, client_for, member_with_role, author, plan, day, workspace
):
    variant = plan("不许动", local(day, 10))
    user = author if role == Role.CONTENT else member_with_role(role)
    response = move(client_for(user), workspace, variant, f"{day + timedelta(days=1)}T10:00")
    variant.refresh_from_db()
    assert response.status_code == 403
    assert variant.planned_at == local(day, 10)


def test_another_workspaces_variant_cannot_be_moved(
    client_for, operator, plan, day, workspace, other_workspace
):
    zed = other_workspace.memberships.get().user
    theirs = plan("别家的", local(day, 10), actor=zed, space=other_workspace)
    response = move(client_for(operator), workspace, theirs, f"{day + timedelta(days=1)}T10:00")
    theirs.refresh_from_db()
    assert response.status_code == 404
    assert theirs.planned_at == local(day, 10)


# Bulk ------------------------------------------------------------------------------------


def bulk(client, workspace, action, variants, **query):
    url = reverse("calendar_bulk", args=[workspace.slug]) + "?view=list"
    for key, value in query.items():
        url += f"&{key}={value}"
    return client.post(
        url,
        {"action": action, "variant": [v.pk for v in variants]},
        headers={"HX-Request": "true"},
    )


def test_bulk_schedule_reports_each_row(client_for, operator, plan, day, workspace):
    # given two approved variants and a draft
    first = plan("甲稿", local(day, 10))
    second = plan("乙稿", local(day, 11), platform="wecom")
    draft = plan("草稿", local(day, 12), platform="zhihu", approve=False)

    # when the operator schedules all three
    response = bulk(client_for(operator), workspace, "schedule", [first, second, draft], date=day)

    # then the approved ones are scheduled at their time; the draft is refused with the reason
    assert response.status_code == 200
    states = {v.pk: v.state for v in Variant.objects.filter(pk__in=[first.pk, second.pk, draft.pk])}
    assert states == {first.pk: S.SCHEDULED, second.pk: S.SCHEDULED, draft.pk: S.DRAFT}
    first.refresh_from_db()
    assert first.planned_at == local(day, 10)
    html = response.content.decode()
    assert "Schedule: 2 done, 1 refused." in html
    assert "A Draft variant cannot do “Schedule”." in html
    results = {card.variant.pk: result for card, result in response.context["rows"]}
    assert results[first.pk].ok
    assert results[second.pk].ok
    assert not results[draft.pk].ok
    assert results[draft.pk].messages == ["A Draft variant cannot do “Schedule”."]


def test_bulk_schedule_refuses_a_past_time_per_row(client_for, operator, plan, day, workspace):
    ok = plan("未来", local(day, 10))
    stale = plan("过期", local(day, 11), platform="wecom")
    Variant.objects.filter(pk=stale.pk).update(planned_at=timezone.now() - timedelta(hours=2))
    response = bulk(client_for(operator), workspace, "schedule", [ok, stale], date=day)
    ok.refresh_from_db()
    stale.refresh_from_db()
    assert (ok.state, stale.state) == (S.SCHEDULED, S.APPROVED)
    assert "That time has passed" in response.content.decode()


def test_bulk_unschedule(client_for, operator, plan, day, workspace):
    scheduled = plan("已排", local(day, 10))
    services.transition(actor=operator, variant=scheduled, name="schedule")
    approved = plan("未排", local(day, 11), platform="wecom")
    response = bulk(client_for(operator), workspace, "unschedule", [scheduled, approved], date=day)
    scheduled.refresh_from_db()
    approved.refresh_from_db()
    assert (scheduled.state, approved.state) == (S.APPROVED, S.APPROVED)
    assert "Unschedule: 1 done, 1 refused." in response.content.decode()


def test_bulk_archive_needs_content_rights(
    client_for, operator, admin_user, plan, day, workspace, other_workspace
):
    mine = plan("归档", local(day, 10))
    zed = other_workspace.memberships.get().user
    theirs = plan("别家的", local(day, 10), actor=zed, space=other_workspace)
    # an operator may not archive at all
    assert bulk(client_for(operator), workspace, "archive", [mine]).status_code == 403
    # an admin archives this workspace's variant; the other workspace's id is reported unknown
    response = bulk(client_for(admin_user), workspace, "archive", [mine, theirs], date=day)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == (S.ARCHIVED, S.APPROVED)
    html = response.content.decode()
    assert "1 done, 1 refused" in html
    assert "no such variant in this workspace" in html


def test_bulk_without_choices_explains(client_for, operator, workspace, plan, day):
    client = client_for(operator)
    assert "Tick at least one variant." in bulk(client, workspace, "schedule", []).content.decode()
    variant = plan("随便", local(day, 10))
    assert "Choose an action." in bulk(client, workspace, "explode", [variant]).content.decode()
