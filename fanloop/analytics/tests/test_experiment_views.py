"""A/B test pages: roles, workspace isolation, the calculator and the decision flow."""

import pytest
from django.urls import reverse
from django.utils import timezone

from fanloop.analytics import stats
from fanloop.analytics.experiments import services
from fanloop.analytics.models import Experiment, ExperimentStatus
from fanloop.analytics.tests.experiment_fixtures import (
    DESIGN,
    add_facts,
    make_experiment,
    make_link,
    make_post,
)


def test_list_and_detail_are_open_to_viewers_but_not_their_buttons(
    member_with_role, workspace, admin_user, client_for
) -> None:
    experiment = make_experiment(admin_user, workspace)
    viewer = client_for(member_with_role("viewer"))
    page = viewer.get(reverse("experiments", args=[workspace.slug]))
    assert page.status_code == 200
    assert "Cover test" in page.content.decode()
    assert 'data-testid="new-experiment"' not in page.content.decode()
    detail = viewer.get(reverse("experiment_detail", args=[workspace.slug, experiment.pk]))
    assert detail.status_code == 200
    assert 'data-testid="start"' not in detail.content.decode()
    # and posting is refused
    response = viewer.post(reverse("experiment_start", args=[workspace.slug, experiment.pk]))
    assert response.status_code == 403
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT


def test_another_workspace_cannot_see_or_touch_an_experiment(
    admin_user, workspace, other_workspace, client_for
) -> None:
    experiment = make_experiment(admin_user, workspace)
    outsider = other_workspace.memberships.get().user
    client = client_for(outsider)
    # through their own workspace's URL: not found
    url = reverse("experiment_detail", args=[other_workspace.slug, experiment.pk])
    assert client.get(url).status_code == 404
    start = reverse("experiment_start", args=[other_workspace.slug, experiment.pk])
    assert client.post(start).status_code == 404
    # through ours: not a member
    assert client.get(reverse("experiments", args=[workspace.slug])).status_code in {403, 404}
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT


def test_calculator_returns_the_sample_size_and_days(admin_user, workspace, client_for) -> None:
    client = client_for(admin_user)
    url = reverse("experiment_calculator", args=[workspace.slug])
    params = {
        "primary_metric": "ctr",
        "baseline_rate": "2",
        "mde": "10",
        "mde_kind": "relative",
        "alpha": "0.05",
        "power": "0.8",
        "variant_count": "2",
        "daily_traffic": "5000",
    }
    response = client.get(url, params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    n = stats.sample_size_per_variant(0.02, 0.1, relative=True)
    days = -(-n * 2 // 5000)
    text = response.content.decode()
    assert f"{n} per variant" in text
    assert f"about {days} days at your traffic" in text
    assert "<html" not in text
    bad = client.get(url, {**params, "baseline_rate": "95", "mde": "10", "mde_kind": "absolute"})
    assert "must stay below 100%" in bad.content.decode()


def test_create_form_makes_a_draft_with_two_variants(admin_user, workspace, client_for) -> None:
    client = client_for(admin_user)
    post_a, post_b = make_post(workspace, "A"), make_post(workspace, "B")
    link_a, link_b = make_link(workspace, "la", post_a), make_link(workspace, "lb", post_b)
    data = {
        **DESIGN,
        "a_link": link_a.pk,
        "a_post": post_a.pk,
        "a_share": 50,
        "b_link": link_b.pk,
        "b_post": post_b.pk,
        "b_share": 50,
    }
    response = client.post(reverse("experiment_new", args=[workspace.slug]), data)
    assert response.status_code == 302
    experiment = Experiment.objects.get(workspace=workspace)
    assert experiment.variants.count() == 2
    assert experiment.variants.get(is_control=True).link == link_a


def test_create_form_refuses_a_link_of_another_workspace(
    admin_user, workspace, other_workspace, client_for
) -> None:
    client = client_for(admin_user)
    foreign = make_link(other_workspace, "foreign-link")
    data = {**DESIGN, "a_link": foreign.pk, "a_share": 50, "b_share": 50}
    response = client.post(reverse("experiment_new", args=[workspace.slug]), data)
    assert response.status_code == 400
    assert not Experiment.objects.exists()


def test_declare_winner_flow(member_with_role, workspace, client_for) -> None:
    analyst = member_with_role("analyst")
    client = client_for(analyst)
    experiment = make_experiment(analyst, workspace, mde="50")
    base = [workspace.slug, experiment.pk]
    assert client.post(reverse("experiment_start", args=base)).status_code == 302
    today = timezone.localtime(timezone.now(), workspace.zoneinfo).date()
    add_facts(experiment, today, {"A": (55_000, 1100), "B": (45_000, 1300)})
    page = client.get(reverse("experiment_detail", args=base)).content.decode()
    assert 'data-testid="srm-warning"' in page
    assert "B beats A (p&lt;0.001)" in page
    assert 'data-experiment-chart="ci"' in page
    assert client.post(reverse("experiment_stop", args=base)).status_code == 302
    winner = experiment.variants.get(name="B")
    response = client.post(
        reverse("experiment_decide", args=base), {"winner": winner.pk, "reason": "Clear lift"}
    )
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DECIDED
    assert experiment.winner == winner
    assert experiment.decision_snapshot is not None
    assert experiment.decision_snapshot["verdict"] == "B beats A (p<0.001)"
    # later data does not change what the page shows for a decided test
    add_facts(experiment, today, {"A": (1, 1)})
    page = client.get(reverse("experiment_detail", args=base)).content.decode()
    assert 'data-testid="decision"' in page
    assert "Clear lift" in page
    assert "55000" in page


@pytest.mark.parametrize("role", ["marketing", "viewer"])
def test_roles_without_manage_cannot_create(member_with_role, workspace, client_for, role) -> None:
    client = client_for(member_with_role(role))
    assert client.get(reverse("experiment_new", args=[workspace.slug])).status_code == 403
    assert client.post(reverse("experiment_new", args=[workspace.slug]), DESIGN).status_code == 403
    assert not Experiment.objects.exists()


def test_variant_add_and_remove_while_draft(admin_user, workspace, client_for) -> None:
    client = client_for(admin_user)
    experiment = make_experiment(admin_user, workspace, shares=(40, 30))
    base = [workspace.slug, experiment.pk]
    link = make_link(workspace, "c-link", make_post(workspace, "C"))
    response = client.post(
        reverse("experiment_variant_add", args=base),
        {"name": "C", "planned_share": 30, "link": link.pk},
    )
    assert response.status_code == 302
    assert experiment.variants.count() == 3
    services.start_experiment(actor=admin_user, experiment=experiment)
    variant = experiment.variants.get(name="C")
    client.post(reverse("experiment_variant_remove", args=[*base, variant.pk]))
    assert experiment.variants.count() == 3
