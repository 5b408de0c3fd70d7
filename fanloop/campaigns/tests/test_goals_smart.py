"""SMART validation: a goal that cannot be measured is refused with a clear reason."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fanloop.campaigns import services
from fanloop.campaigns.models import Goal

pytestmark = pytest.mark.django_db

GOOD = {
    "goal_type": "sales",
    "metric": "orders",
    "baseline": Decimal(100),
    "target": Decimal(5000),
    "deadline": date(2026, 11, 11),
}


def refused(marketer, campaign, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        services.save_item(actor=marketer, campaign=campaign, kind="goal", data={**GOOD, **changes})
    assert not Goal.objects.filter(campaign=campaign).exists()
    return error.value.message_dict


def test_a_measurable_goal_is_saved(marketer, campaign):
    goal = services.save_item(actor=marketer, campaign=campaign, kind="goal", data=GOOD)
    assert Goal.objects.get(pk=goal.pk).target == Decimal(5000)


def test_metric_must_come_from_the_catalogue(marketer, campaign):
    assert "metric" in refused(marketer, campaign, metric="vibes")
    assert "metric" in refused(marketer, campaign, metric="")


def test_target_is_required_and_must_move_from_the_baseline(marketer, campaign):
    assert "target" in refused(marketer, campaign, target=None)
    assert "target" in refused(marketer, campaign, target=Decimal(100))


def test_direction_follows_the_metric(marketer, campaign):
    assert "target" in refused(marketer, campaign, target=Decimal(50))
    # negative-comment share should go down
    assert "target" in refused(
        marketer, campaign, metric="negative_share", baseline=Decimal(5), target=Decimal(8)
    )
    goal = services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="goal",
        data={**GOOD, "metric": "negative_share", "baseline": Decimal(8), "target": Decimal(5)},
    )
    assert goal.pk


def test_percentages_stay_between_0_and_100(marketer, campaign):
    assert "target" in refused(
        marketer, campaign, metric="ctr", baseline=Decimal(1), target=Decimal(120)
    )


def test_deadline_must_fall_inside_the_campaign(marketer, campaign):
    assert "deadline" in refused(marketer, campaign, deadline=date(2026, 12, 1))
    assert "deadline" in refused(marketer, campaign, deadline=date(2026, 10, 19))
    assert "deadline" in refused(marketer, campaign, deadline=None)


def test_scoped_goals_name_their_scope(marketer, campaign):
    assert "scope_value" in refused(marketer, campaign, scope="kol", scope_value="")
    assert "scope_value" in refused(marketer, campaign, scope="platform", scope_value="myspace")
    goal = services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="goal",
        data={**GOOD, "scope": "platform", "scope_value": "douyin"},
    )
    assert goal.scope_value == "douyin"


def test_unknown_fields_are_refused(marketer, campaign):
    assert "workspace" in refused(marketer, campaign, workspace=None)


def test_moving_campaign_dates_cannot_strand_a_goal(marketer, campaign):
    services.save_item(actor=marketer, campaign=campaign, kind="goal", data=GOOD)
    with pytest.raises(ValidationError) as error:
        services.update_campaign(
            actor=marketer, campaign=campaign, data={"end_date": date(2026, 11, 1)}
        )
    assert "end_date" in error.value.message_dict
    campaign.refresh_from_db()
    assert campaign.end_date == date(2026, 11, 12)
