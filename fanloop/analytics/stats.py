"""Statistics for A/B tests, as pure functions over plain numbers.

Each function reproduces a reference implementation (named in its docstring) so the
numbers a team sees equal what an analyst gets from statsmodels or scipy; the tests
compare them. The product does not import scipy, statsmodels or pandas: the normal
distribution comes from :mod:`statistics`, the chi-square tail from our own incomplete
gamma function, the Bayesian draws from numpy.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

ALTERNATIVES = ("two-sided", "larger", "smaller")
SRM_THRESHOLD = 0.001
DEFAULT_DRAWS = 100_000
DEFAULT_SEED = 20240607

_NORMAL = NormalDist()


def norm_cdf(z: float) -> float:
    return _NORMAL.cdf(z)


def norm_ppf(q: float) -> float:
    return _NORMAL.inv_cdf(q)


def norm_sf(z: float) -> float:
    # 1 - cdf(z) loses every digit once cdf rounds to 1.0 (z > ~8); erfc keeps tiny
    # p-values exact, as scipy's norm.sf does.
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _check_counts(x: int, n: int, label: str) -> None:
    if n <= 0:
        raise ValueError(f"{label}: the number of trials must be positive, got {n}")
    if x < 0 or x > n:
        raise ValueError(f"{label}: successes must be between 0 and {n}, got {x}")


def _p_value(z: float, alternative: str) -> float:
    if alternative == "two-sided":
        return min(1.0, 2.0 * norm_sf(abs(z)))
    if alternative == "larger":
        return norm_sf(z)
    if alternative == "smaller":
        return norm_cdf(z)
    raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}, got {alternative!r}")


def two_proportion_ztest(
    x1: int, n1: int, x2: int, n2: int, alternative: str = "two-sided"
) -> tuple[float, float]:
    """z statistic and p-value for H0: p1 == p2, with the pooled standard error.

    Same as ``statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2],
    alternative=alternative)``: z = (p1 - p2) / SE, so "larger" tests p1 > p2.

    When every trial failed (or every trial succeeded) in both groups the pooled SE is 0;
    statsmodels then answers nan (0/0). We answer z = 0, p = 1: the two observed rates
    are identical, so there is no evidence of a difference.
    """
    _check_counts(x1, n1, "group 1")
    _check_counts(x2, n2, "group 2")
    if alternative not in ALTERNATIVES:
        raise ValueError(
            f"alternative must be one of {', '.join(ALTERNATIVES)}, got {alternative!r}"
        )
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (p1 - p2) / se
    return z, _p_value(z, alternative)


def diff_confint(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> tuple[float, float]:
    """Two-sided (1 - alpha) confidence interval of p2 - p1 (group 2 minus group 1, e.g.
    variant minus control), unpooled Wald.

    Same as ``statsmodels.stats.proportion.confint_proportions_2indep(x2, n2, x1, n1,
    method="wald", compare="diff", alpha=alpha)`` (note the order: statsmodels reports
    its first group minus its second).
    """
    _check_counts(x1, n1, "group 1")
    _check_counts(x2, n2, "group 2")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    p1, p2 = x1 / n1, x2 / n2
    half = norm_ppf(1 - alpha / 2) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    diff = p2 - p1
    return diff - half, diff + half


# Sample size --------------------------------------------------------------------------------


def cohens_h(p_new: float, p_base: float) -> float:
    """Effect size for two proportions (arcsine transform), as statsmodels'
    ``proportion_effectsize(p_new, p_base)``."""
    return 2 * math.asin(math.sqrt(p_new)) - 2 * math.asin(math.sqrt(p_base))


def target_rate(baseline_rate: float, mde: float, relative: bool) -> float:
    """The rate the test should be able to detect. ``mde`` is absolute (0.01 = one
    percentage point up) unless ``relative`` (0.1 = 10 % above the baseline)."""
    return baseline_rate * (1 + mde) if relative else baseline_rate + mde


def _power(h: float, n1: float, alpha: float, two_sided: bool) -> float:
    # statsmodels NormalIndPower with ratio 1: effective nobs n1 * n2 / (n1 + n2) = n1 / 2.
    shift = abs(h) * math.sqrt(n1 / 2)
    if two_sided:
        crit = norm_ppf(1 - alpha / 2)
        return norm_sf(crit - shift) + norm_cdf(-crit - shift)
    return norm_sf(norm_ppf(1 - alpha) - shift)


def sample_size_exact(
    baseline_rate: float,
    mde: float,
    *,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    two_sided: bool = True,
) -> float:
    """Trials per variant (not rounded) for a two-sample test of proportions to reach
    ``power`` at level ``alpha``; see :func:`sample_size_per_variant`."""
    if not 0 < baseline_rate < 1:
        raise ValueError("the baseline rate must be between 0 and 1 (exclusive)")
    if mde <= 0:
        raise ValueError("the minimum detectable effect must be positive")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must be between 0 and 1 (exclusive)")
    target = target_rate(baseline_rate, mde, relative)
    if not 0 < target < 1:
        raise ValueError("baseline plus the minimum detectable effect must stay below 100%")
    h = cohens_h(target, baseline_rate)
    alpha_tail = alpha / 2 if two_sided else alpha
    if power <= alpha_tail:
        raise ValueError("power must exceed the significance level")
    # The one-tail closed form is the start; the two-sided power also counts the far
    # tail (as statsmodels does), so refine by bisection on the exact power curve.
    guess = 2 * ((norm_ppf(1 - alpha_tail) + norm_ppf(power)) / h) ** 2
    low, high = guess / 2, guess * 2
    while _power(h, low, alpha, two_sided) > power:
        low /= 2
    for _ in range(200):
        mid = (low + high) / 2
        if _power(h, mid, alpha, two_sided) < power:
            low = mid
        else:
            high = mid
        if high - low <= 1e-9 * high:
            break
    return (low + high) / 2


def sample_size_per_variant(
    baseline_rate: float,
    mde: float,
    *,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    two_sided: bool = True,
) -> int:
    """Minimum trials per variant (rounded up) to detect ``baseline_rate`` →
    :func:`target_rate` with the given power.

    Rates are fractions (0.02 = 2 %). ``mde`` is absolute unless ``relative``. The effect
    size is Cohen's h (arcsine, statsmodels ``proportion_effectsize``) and the solution
    equals ``NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power,
    ratio=1, alternative="two-sided" or "larger")`` rounded up.
    """
    exact = sample_size_exact(
        baseline_rate, mde, relative=relative, alpha=alpha, power=power, two_sided=two_sided
    )
    # Bisection noise must not push an exact integer (e.g. 400.0000000001) up by one.
    return max(2, math.ceil(exact - 1e-6))


# Bayesian probability to be best ----------------------------------------------------------------


def prob_best(
    successes: Sequence[int],
    trials: Sequence[int],
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> list[float]:
    """P(each variant has the highest true rate) under Beta(1 + x, 1 + n - x) posteriors
    (uniform prior), estimated from ``draws`` Monte Carlo samples with a fixed ``seed`` so
    a page shows the same number on every load."""
    if len(successes) != len(trials) or not successes:
        raise ValueError("give successes and trials for each variant")
    for x, n in zip(successes, trials, strict=True):
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"successes must be between 0 and trials, got {x} of {n}")
    rng = np.random.default_rng(seed)
    samples = np.column_stack(
        [rng.beta(1 + x, 1 + n - x, size=draws) for x, n in zip(successes, trials, strict=True)]
    )
    winners = np.argmax(samples, axis=1)
    counts = np.bincount(winners, minlength=len(successes))
    return [float(count) / draws for count in counts]


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


EXACT_TERMS_LIMIT = 200_000


def prob_b_beats_a(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
    """Exact P(p_B > p_A) for Beta(1 + x, 1 + n - x) posteriors (Evan Miller's closed
    form, a sum of x_B + 1 terms); for counts too large to sum, the normal approximation
    of the two posteriors, which is then accurate to far better than a percent."""
    for x, n in ((x_a, n_a), (x_b, n_b)):
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"successes must be between 0 and trials, got {x} of {n}")
    alpha_a, beta_a = 1 + x_a, 1 + n_a - x_a
    alpha_b, beta_b = 1 + x_b, 1 + n_b - x_b
    if alpha_b > EXACT_TERMS_LIMIT and alpha_a > EXACT_TERMS_LIMIT:
        return _prob_normal(alpha_a, beta_a, alpha_b, beta_b)
    if alpha_b > alpha_a:
        # P(B > A) = 1 - P(A > B) for continuous posteriors; sum over the shorter side.
        return 1.0 - _evan_miller(alpha_b, beta_b, alpha_a, beta_a)
    return _evan_miller(alpha_a, beta_a, alpha_b, beta_b)


def _evan_miller(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    base = _log_beta(alpha_a, beta_a)
    total = 0.0
    for i in range(alpha_b):
        total += math.exp(
            _log_beta(alpha_a + i, beta_a + beta_b)
            - math.log(beta_b + i)
            - _log_beta(1 + i, beta_b)
            - base
        )
    return min(1.0, max(0.0, total))


def _prob_normal(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    def moments(a: int, b: int) -> tuple[float, float]:
        mean = a / (a + b)
        return mean, a * b / ((a + b) ** 2 * (a + b + 1))

    mean_a, var_a = moments(alpha_a, beta_a)
    mean_b, var_b = moments(alpha_b, beta_b)
    return norm_cdf((mean_b - mean_a) / math.sqrt(var_a + var_b))


# Sample-ratio mismatch ----------------------------------------------------------------------


def _upper_gamma_regularized(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a): the series for P below a + 1, Lentz's continued fraction
    for Q above (Numerical Recipes §6.2), each where it converges fast."""
    if x <= 0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(10_000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return math.exp(log_prefix) * h


def chi2_sf(statistic: float, df: int) -> float:
    """Survival function of the chi-square distribution (as scipy.stats.chi2.sf)."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if statistic <= 0:
        return 1.0
    if df == 1:
        return math.erfc(math.sqrt(statistic / 2))
    return _upper_gamma_regularized(df / 2, statistic / 2)


@dataclass(frozen=True)
class SrmResult:
    statistic: float
    p_value: float
    expected: list[float]
    mismatch: bool


def srm_check(
    observed: Sequence[int], planned_split: Sequence[float], threshold: float = SRM_THRESHOLD
) -> SrmResult:
    """Sample-ratio mismatch: does the traffic each variant got fit the planned split?

    Chi-square goodness of fit with k - 1 degrees of freedom, the same statistic and
    p-value as ``scipy.stats.chisquare(observed, expected)``; a mismatch when p <
    ``threshold`` (0.001), which means assignment or tracking is broken and the
    comparison cannot be trusted.
    """
    if len(observed) != len(planned_split) or len(observed) < 2:
        raise ValueError("give an observed count and a planned share for each of 2+ variants")
    if any(share <= 0 for share in planned_split):
        raise ValueError("every planned share must be positive")
    if any(count < 0 for count in observed):
        raise ValueError("observed counts cannot be negative")
    total = sum(observed)
    share_sum = float(sum(planned_split))
    expected = [total * share / share_sum for share in planned_split]
    if total == 0:
        return SrmResult(0.0, 1.0, expected, False)
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    p_value = chi2_sf(statistic, len(observed) - 1)
    return SrmResult(statistic, p_value, expected, p_value < threshold)
