"""A/B test services: design, variants, the life cycle and the recorded decision."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.analytics import stats
from fanloop.analytics.experiments import services
from fanloop.analytics.models import Experiment, ExperimentStatus, ExperimentVariant
from fanloop.analytics.tests.experiment_fixtures import (
    DESIGN,
    make_experiment,
    make_link,
    make_post,
)
from fanloop.core.models import AuditEntry


def test_create_computes_the_planned_sample_and_audits(admin_user, workspace) -> None:
    # Given a design with a 2 % baseline and a 20 % relative effect, when created
    experiment = make_experiment(admin_user, workspace)
    # then it is a draft with two variants and the power analysis' sample size
    assert experiment.status == ExperimentStatus.DRAFT
    assert experiment.planned_sample_per_variant == stats.sample_size_per_variant(
        0.02, 0.2, relative=True, alpha=0.05, power=0.8
    )
    assert [v.name for v in experiment.variants.all()] == ["A", "B"]
    actions = set(AuditEntry.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"experiment.create", "experiment.variant_add"} <= actions


def test_bad_design_is_refused_with_field_errors_and_nothing_written(admin_user, workspace) -> None:
    bad = {**DESIGN, "name": " ", "baseline_rate": "120", "mde": "-1", "power": "0.2"}
    with pytest.raises(ValidationError) as caught:
        services.create_experiment(actor=admin_user, workspace=workspace, data=bad)
    assert {"name", "baseline_rate", "mde", "power"} <= set(caught.value.message_dict)
    assert not Experiment.objects.exists()


def test_an_effect_past_100_percent_is_refused(admin_user, workspace) -> None:
    data = {**DESIGN, "baseline_rate": "90", "mde": "20", "mde_kind": "absolute"}
    with pytest.raises(ValidationError) as caught:
        services.create_experiment(actor=admin_user, workspace=workspace, data=data)
    assert "mde" in caught.value.message_dict


@pytest.mark.parametrize("role", ["marketing", "content", "operator", "viewer"])
def test_only_admins_and_analysts_manage_experiments(member_with_role, workspace, role) -> None:
    with pytest.raises(PermissionDenied):
        make_experiment(member_with_role(role), workspace)
    assert make_experiment(member_with_role("analyst"), workspace).pk


def test_a_link_from_another_workspace_is_refused(admin_user, workspace, other_workspace) -> None:
    experiment = make_experiment(admin_user, workspace)
    foreign_link = make_link(other_workspace, "foreign")
    foreign_post = make_post(other_workspace, "foreign")
    with pytest.raises(ValidationError) as caught:
        services.add_variant(
            actor=admin_user,
            experiment=experiment,
            data={"name": "C", "planned_share": 10, "link": foreign_link},
        )
    assert "link" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.add_variant(
            actor=admin_user,
            experiment=experiment,
            data={"name": "C", "planned_share": 10, "content_variant": foreign_post},
        )
    assert "content_variant" in caught.value.message_dict
    assert experiment.variants.count() == 2


def test_variant_rules_duplicate_name_second_control_bad_share(admin_user, workspace) -> None:
    experiment = make_experiment(admin_user, workspace)
    link = make_link(workspace, "extra")
    cases = [
        ({"name": "a", "planned_share": 10, "link": link}, "name"),
        ({"name": "C", "planned_share": 10, "link": link, "is_control": True}, "is_control"),
        ({"name": "C", "planned_share": 0, "link": link}, "planned_share"),
        ({"name": "C", "planned_share": 10}, "link"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.add_variant(actor=admin_user, experiment=experiment, data=data)
        assert field in caught.value.message_dict
    assert experiment.variants.count() == 2


def test_start_needs_splits_summing_to_100(admin_user, workspace) -> None:
    experiment = make_experiment(admin_user, workspace, shares=(50, 40))
    with pytest.raises(ValidationError, match="add up to 100%; it adds up to 90%"):
        services.start_experiment(actor=admin_user, experiment=experiment)
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT
    assert experiment.started_at is None


def test_start_needs_two_variants_and_a_control(admin_user, workspace) -> None:
    experiment = make_experiment(admin_user, workspace, shares=(50, 50))
    control = experiment.variants.get(name="A")
    services.remove_variant(actor=admin_user, variant=control)
    with pytest.raises(ValidationError) as caught:
        services.start_experiment(actor=admin_user, experiment=experiment)
    text = " ".join(caught.value.messages)
    assert "at least two variants" in text
    assert "exactly one variant as the control" in text


def test_ctr_variant_without_a_link_cannot_start(admin_user, workspace) -> None:
    experiment = make_experiment(admin_user, workspace, shares=(50,))
    services.add_variant(
        actor=admin_user,
        experiment=experiment,
        data={"name": "B", "planned_share": 50, "content_variant": make_post(workspace, "B")},
    )
    with pytest.raises(ValidationError, match="Variant B needs a tracking link"):
        services.start_experiment(actor=admin_user, experiment=experiment)


def test_life_cycle_and_refused_transitions(admin_user, workspace) -> None:
    experiment = make_experiment(admin_user, workspace)
    assert services.allowed_actions(experiment) == {"start"}
    with pytest.raises(ValidationError, match="cannot stop an experiment that is draft"):
        services.stop_experiment(actor=admin_user, experiment=experiment)
    experiment = services.start_experiment(actor=admin_user, experiment=experiment)
    assert experiment.status == ExperimentStatus.RUNNING
    assert experiment.started_at is not None
    # variants are frozen once running
    with pytest.raises(ValidationError, match="only change while the experiment is a draft"):
        services.add_variant(
            actor=admin_user,
            experiment=experiment,
            data={"name": "C", "planned_share": 10, "link": make_link(workspace, "late")},
        )
    with pytest.raises(ValidationError, match="cannot start an experiment that is running"):
        services.start_experiment(actor=admin_user, experiment=experiment)
    experiment = services.stop_experiment(actor=admin_user, experiment=experiment)
    assert experiment.status == ExperimentStatus.STOPPED
    assert experiment.ended_at is not None
    assert services.allowed_actions(experiment) == {"decide"}
    actions = list(
        AuditEntry.objects.filter(action__in=["experiment.start", "experiment.stop"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["experiment.start", "experiment.stop"]


def test_declare_winner_records_an_immutable_decision(admin_user, workspace) -> None:
    experiment = make_experiment(admin_user, workspace)
    experiment = services.start_experiment(actor=admin_user, experiment=experiment)
    winner = experiment.variants.get(name="B")
    with pytest.raises(ValidationError) as caught:
        services.declare_winner(actor=admin_user, experiment=experiment, winner=winner, reason="")
    assert "reason" in caught.value.message_dict
    experiment = services.declare_winner(
        actor=admin_user, experiment=experiment, winner=winner, reason="Cleaner cover"
    )
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DECIDED
    assert experiment.winner == winner
    assert experiment.decided_by == admin_user
    assert experiment.decided_at is not None
    assert experiment.ended_at is not None
    snapshot = experiment.decision_snapshot
    assert snapshot is not None
    assert [row["name"] for row in snapshot["variants"]] == ["A", "B"]
    assert snapshot["verdict_code"] == "no_data"
    entry = AuditEntry.objects.get(action="experiment.decide")
    assert entry.changes["decision_reason"] == [None, "Cleaner cover"]
    # no second decision through the services
    with pytest.raises(ValidationError, match="cannot declare a winner for an experiment"):
        services.declare_winner(
            actor=admin_user, experiment=experiment, winner=winner, reason="again"
        )
    # and not even by saving the row directly
    experiment.decision_snapshot = {"verdict": "rewritten"}
    with pytest.raises(ValidationError, match="cannot be changed"):
        experiment.save()
    experiment.refresh_from_db()
    assert experiment.decision_snapshot == snapshot


def test_winner_must_belong_to_the_experiment(admin_user, workspace) -> None:
    first = services.start_experiment(
        actor=admin_user, experiment=make_experiment(admin_user, workspace)
    )
    second = make_experiment(admin_user, workspace, name="Other")
    stranger = ExperimentVariant.objects.get(experiment=second, name="B")
    with pytest.raises(ValidationError) as caught:
        services.declare_winner(actor=admin_user, experiment=first, winner=stranger, reason="x")
    assert "winner" in caught.value.message_dict
    first.refresh_from_db()
    assert first.status == ExperimentStatus.RUNNING
