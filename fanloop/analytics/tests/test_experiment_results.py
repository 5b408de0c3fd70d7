"""Running results from hand-built rollup rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanloop.analytics import stats
from fanloop.analytics.experiments import results, services
from fanloop.analytics.models import DailyFact, Experiment
from fanloop.analytics.tests.experiment_fixtures import add_facts, make_experiment


def _running(actor, workspace, **design) -> Experiment:
    experiment = make_experiment(actor, workspace, **design)
    return services.start_experiment(actor=actor, experiment=experiment)


def _today(experiment: Experiment):
    return timezone.localtime(timezone.now(), experiment.workspace.zoneinfo).date()


def test_ctr_results_equal_the_statistics_on_the_same_counts(admin_user, workspace) -> None:
    # Given a running CTR test and two days of facts per variant
    experiment = _running(admin_user, workspace, mde="50")
    today = _today(experiment)
    add_facts(experiment, today, {"A": (6000, 120), "B": (6000, 170)})
    add_facts(experiment, today, {"A": (4000, 80), "B": (4000, 110)})
    # (a fact before the start does not count)
    add_facts(experiment, today - timedelta(days=3), {"A": (99999, 5)})
    # When the results are computed
    result = results.compute(experiment)
    control, variant = result.variants
    # Then trials are exposures and successes unique clicks (not raw clicks)
    assert (control.trials, control.successes) == (10_000, 200)
    assert (variant.trials, variant.successes) == (10_000, 280)
    z, p = stats.two_proportion_ztest(280, 10_000, 200, 10_000)
    low, high = stats.diff_confint(200, 10_000, 280, 10_000, 0.05)
    assert variant.z == pytest.approx(z)
    assert variant.p_value == pytest.approx(p)
    assert (variant.ci_low, variant.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert variant.lift == pytest.approx(40.0)
    assert variant.prob_best == pytest.approx(
        stats.prob_b_beats_a(200, 10_000, 280, 10_000), abs=0.005
    )
    assert not result.srm
    assert result.enough_data
    assert result.verdict_code == "winner"
    assert result.verdict == "B beats A (p<0.001)"


def test_not_enough_data_names_the_needed_sample(admin_user, workspace) -> None:
    experiment = _running(admin_user, workspace)
    add_facts(experiment, _today(experiment), {"A": (500, 10), "B": (500, 14)})
    result = results.compute(experiment)
    assert result.verdict_code == "not_enough_data"
    needed = f"{experiment.planned_sample_per_variant:,}"
    assert result.verdict == f"Not enough data yet (needs {needed} per variant)."


def test_no_significant_difference(admin_user, workspace) -> None:
    experiment = _running(admin_user, workspace, mde="50")
    add_facts(experiment, _today(experiment), {"A": (20_000, 400), "B": (20_000, 410)})
    result = results.compute(experiment)
    assert result.verdict_code == "no_difference"
    assert result.verdict == "No significant difference."


def test_srm_flagged_on_55_45_traffic_of_a_50_50_plan(admin_user, workspace) -> None:
    experiment = _running(admin_user, workspace)
    add_facts(experiment, _today(experiment), {"A": (55_000, 1100), "B": (45_000, 900)})
    result = results.compute(experiment)
    assert result.srm
    assert result.srm_p_value < 0.001
    assert result.srm_expected == [50_000, 50_000]


def test_conversion_rate_is_orders_over_unique_clicks(admin_user, workspace) -> None:
    experiment = _running(admin_user, workspace, primary_metric="conversion_rate")
    add_facts(experiment, _today(experiment), {"A": (800, 16), "B": (820, 30)}, "conversion_rate")
    control, variant = results.compute(experiment).variants
    assert (control.trials, control.successes) == (800, 16)
    assert (variant.trials, variant.successes) == (820, 30)


def test_engagement_rate_is_engagements_over_exposure(admin_user, workspace) -> None:
    experiment = _running(admin_user, workspace, primary_metric="engagement_rate")
    add_facts(experiment, _today(experiment), {"A": (3000, 90), "B": (3000, 75)}, "engagement_rate")
    control = results.compute(experiment).variants[0]
    assert (control.trials, control.successes) == (3000, 90)


def test_other_workspaces_facts_never_count(admin_user, workspace, other_workspace) -> None:
    experiment = _running(admin_user, workspace)
    variant = experiment.variants.get(name="A")
    # a row of another workspace pointing (wrongly) at our link must not leak in
    DailyFact.objects.create(
        workspace=other_workspace, day=_today(experiment), link=variant.link, unique_clicks=50
    )
    result = results.compute(experiment)
    assert result.variants[0].successes == 0
    assert result.verdict_code == "no_data"


def test_draft_has_no_results(admin_user, workspace) -> None:
    with pytest.raises(ValueError, match="draft"):
        results.compute(make_experiment(admin_user, workspace))


def test_days_needed_at_current_traffic() -> None:
    assert results.days_needed(10_000, 2, 1_000.0) == 20
    assert results.days_needed(10_000, 2, None) is None
