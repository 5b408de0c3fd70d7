"""The A/B test statistics equal statsmodels' and scipy's on the same numbers."""

import ast
import math
from pathlib import Path

import pytest
import scipy.stats
from scipy import integrate
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)

from fanloop.analytics import stats

COUNTS = [
    (120, 1000, 150, 1000),  # ordinary
    (0, 500, 7, 480),  # zero successes on one side
    (30, 600, 30, 600),  # equal rates
    (1, 3, 2, 4),  # tiny n
    (4_900, 100_000, 5_150, 100_000),  # large n, small rates
    (999, 1000, 990, 1000),  # near one
]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), COUNTS)
@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_ztest_matches_statsmodels(x1: int, n1: int, x2: int, n2: int, alternative: str) -> None:
    # Given two groups' counts, when tested, then z and p equal statsmodels' pooled z-test
    z, p = stats.two_proportion_ztest(x1, n1, x2, n2, alternative=alternative)
    ref_z, ref_p = proportions_ztest([x1, x2], [n1, n2], alternative=alternative)
    assert z == pytest.approx(ref_z, rel=1e-12, abs=1e-12)
    assert p == pytest.approx(ref_p, rel=1e-9, abs=1e-15)


def test_ztest_with_no_successes_anywhere_is_no_evidence() -> None:
    # statsmodels answers nan (0/0); we say "identical rates, no evidence"
    with pytest.warns(RuntimeWarning):
        ref = proportions_ztest([0, 0], [100, 100])
    assert all(math.isnan(v) for v in ref)
    assert stats.two_proportion_ztest(0, 100, 0, 100) == (0.0, 1.0)
    assert stats.two_proportion_ztest(50, 50, 80, 80) == (0.0, 1.0)


def test_ztest_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="trials must be positive"):
        stats.two_proportion_ztest(0, 0, 1, 10)
    with pytest.raises(ValueError, match="between 0 and 10"):
        stats.two_proportion_ztest(11, 10, 1, 10)
    with pytest.raises(ValueError, match="alternative"):
        stats.two_proportion_ztest(1, 10, 1, 10, alternative="bigger")


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), COUNTS)
@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.1])
def test_diff_confint_matches_statsmodels_wald(
    x1: int, n1: int, x2: int, n2: int, alpha: float
) -> None:
    # The interval is of p2 - p1 (variant minus control); statsmodels reports first - second
    low, high = stats.diff_confint(x1, n1, x2, n2, alpha)
    ref_low, ref_high = confint_proportions_2indep(
        x2, n2, x1, n1, method="wald", compare="diff", alpha=alpha
    )
    assert low == pytest.approx(ref_low, rel=1e-9, abs=1e-12)
    assert high == pytest.approx(ref_high, rel=1e-9, abs=1e-12)
    assert low <= x2 / n2 - x1 / n1 <= high


DESIGNS = [
    # baseline, mde, relative, alpha, power, two-sided
    (0.02, 0.10, True, 0.05, 0.8, True),
    (0.02, 0.005, False, 0.05, 0.8, True),
    (0.10, 0.01, False, 0.05, 0.9, True),
    (0.50, 0.05, False, 0.01, 0.8, False),
    (0.30, 0.50, False, 0.05, 0.8, True),  # huge effect, tiny n
    (0.001, 1.0, True, 0.1, 0.95, True),  # rare events
]


@pytest.mark.parametrize(("baseline", "mde", "relative", "alpha", "power", "two_sided"), DESIGNS)
def test_sample_size_matches_statsmodels_solve_power(
    baseline: float, mde: float, relative: bool, alpha: float, power: float, two_sided: bool
) -> None:
    target = baseline * (1 + mde) if relative else baseline + mde
    h = proportion_effectsize(target, baseline)
    ref = NormalIndPower().solve_power(
        effect_size=h,
        alpha=alpha,
        power=power,
        ratio=1,
        alternative="two-sided" if two_sided else "larger",
    )
    exact = stats.sample_size_exact(
        baseline, mde, relative=relative, alpha=alpha, power=power, two_sided=two_sided
    )
    assert exact == pytest.approx(ref, rel=1e-7)
    rounded = stats.sample_size_per_variant(
        baseline, mde, relative=relative, alpha=alpha, power=power, two_sided=two_sided
    )
    assert rounded == max(2, math.ceil(ref))


def test_relative_and_absolute_effects_mean_the_same_target() -> None:
    # 10 % relative on a 2 % baseline is the same as +0.2 percentage points
    relative = stats.sample_size_per_variant(0.02, 0.10, relative=True)
    absolute = stats.sample_size_per_variant(0.02, 0.002, relative=False)
    assert relative == absolute


def test_sample_size_refuses_impossible_designs() -> None:
    with pytest.raises(ValueError, match="below 100%"):
        stats.sample_size_per_variant(0.9, 0.2)
    with pytest.raises(ValueError, match="positive"):
        stats.sample_size_per_variant(0.1, 0)
    with pytest.raises(ValueError, match="baseline"):
        stats.sample_size_per_variant(0, 0.1)


def _beta_integral(xa: int, na: int, xb: int, nb: int) -> float:
    a = scipy.stats.beta(1 + xa, 1 + na - xa)
    b = scipy.stats.beta(1 + xb, 1 + nb - xb)
    value, _error = integrate.quad(
        lambda t: b.pdf(t) * a.cdf(t), 0, 1, limit=500, points=[a.mean(), b.mean()]
    )
    return value


BAYES = [
    (10, 100, 15, 100),
    (0, 10, 0, 10),
    (200, 10_000, 260, 10_000),
    (5, 20, 1, 20),
    (0, 3, 3, 3),
    (480, 10_000, 520, 10_000),
]


@pytest.mark.parametrize(("xa", "na", "xb", "nb"), BAYES)
def test_prob_best_matches_beta_integration(xa: int, na: int, xb: int, nb: int) -> None:
    reference = _beta_integral(xa, na, xb, nb)
    exact = stats.prob_b_beats_a(xa, na, xb, nb)
    assert exact == pytest.approx(reference, abs=1e-6)
    monte_carlo = stats.prob_best([xa, xb], [na, nb])
    assert monte_carlo[1] == pytest.approx(reference, abs=0.005)
    assert sum(monte_carlo) == pytest.approx(1.0)


def test_prob_best_is_repeatable_and_covers_many_variants() -> None:
    first = stats.prob_best([50, 60, 70], [1000, 1000, 1000])
    assert first == stats.prob_best([50, 60, 70], [1000, 1000, 1000])
    assert first[2] > first[1] > first[0]
    assert sum(first) == pytest.approx(1.0)


def test_prob_b_beats_a_for_huge_counts_uses_the_normal_limit() -> None:
    reference = _beta_integral(300_000, 1_000_000, 301_000, 1_000_000)
    assert stats.prob_b_beats_a(300_000, 1_000_000, 301_000, 1_000_000) == pytest.approx(
        reference, abs=1e-4
    )


SRM = [
    ([5500, 4500], [50, 50]),
    ([100, 110, 90], [1, 1, 1]),
    ([10, 12, 30, 4, 8], [20, 20, 20, 20, 20]),
    ([1000, 1001], [50, 50]),
    ([3000, 2000, 5000], [30, 20, 50]),
    ([40, 60], [50, 50]),
    ([5000, 5000, 5000, 5100], [25, 25, 25, 25]),
    ([7, 0, 3], [40, 30, 30]),
]


@pytest.mark.parametrize(("observed", "split"), SRM)
def test_srm_matches_scipy_chisquare(observed: list[int], split: list[int]) -> None:
    result = stats.srm_check(observed, split)
    total = sum(observed)
    expected = [total * share / sum(split) for share in split]
    ref = scipy.stats.chisquare(observed, expected)
    assert result.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
    assert result.mismatch == (ref.pvalue < 0.001)


@pytest.mark.parametrize("df", [1, 2, 3, 5, 10, 30])
@pytest.mark.parametrize("statistic", [0.01, 0.5, 2.0, 7.5, 25.0, 80.0])
def test_chi2_sf_matches_scipy(df: int, statistic: float) -> None:
    assert stats.chi2_sf(statistic, df) == pytest.approx(
        scipy.stats.chi2.sf(statistic, df), rel=1e-9, abs=1e-300
    )


def test_srm_flags_a_55_45_split_of_a_50_50_plan() -> None:
    assert stats.srm_check([5500, 4500], [50, 50]).mismatch
    assert not stats.srm_check([5010, 4990], [50, 50]).mismatch
    assert not stats.srm_check([0, 0], [50, 50]).mismatch


def test_product_code_does_not_import_scipy_or_statsmodels() -> None:
    from fanloop.analytics.experiments import results, services

    for module in (stats, results, services):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        assert not imported & {"scipy", "statsmodels", "pandas"}, module.__name__
