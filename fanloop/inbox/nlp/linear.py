"""Logistic regression on sparse rows, trained with numpy only.

Rows are kept as CSR arrays (``indptr``, ``indices``); every feature present in a row
counts once (binary features: a word repeated ten times in a long review is not ten
times the evidence). Both the binary and the softmax model are fitted by L-BFGS, and
both take a *prior*: the L2 penalty pulls the weights towards it rather than towards
zero, which is what lets a retrain on a handful of operator corrections move the
model only where the corrections say, keeping everything the base model learned.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Rows:
    indptr: NDArray[np.int64]
    indices: NDArray[np.int64]

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def row_of(self) -> NDArray[np.int64]:
        return np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.indptr))

    @classmethod
    def from_lists(cls, rows: Sequence[Sequence[int]]) -> "Rows":
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        flat = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
        return cls(indptr, flat)


def row_sums(rows: Rows, values: FloatArray) -> FloatArray:
    """``X @ values`` for a vector, or for a matrix of one column per class."""
    picked = values[rows.indices]
    if values.ndim == 1:
        return np.bincount(rows.row_of, weights=picked, minlength=rows.n)
    out = np.zeros((rows.n, values.shape[1]))
    np.add.at(out, rows.row_of, picked)
    return out


def _lbfgs(
    fun: Callable[[FloatArray], tuple[float, FloatArray]],
    x0: FloatArray,
    iterations: int,
    memory: int = 10,
) -> FloatArray:
    x = x0.copy()
    f, g = fun(x)
    s_hist: list[FloatArray] = []
    y_hist: list[FloatArray] = []
    for _ in range(iterations):
        q = g.copy()
        alphas = []
        for s, y in zip(reversed(s_hist), reversed(y_hist), strict=True):
            rho = 1.0 / float(y @ s)
            a = rho * float(s @ q)
            alphas.append((rho, a))
            q -= a * y
        if s_hist:
            q *= float(s_hist[-1] @ y_hist[-1]) / float(y_hist[-1] @ y_hist[-1])
        for (s, y), (rho, a) in zip(
            zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True
        ):
            b = rho * float(y @ q)
            q += s * (a - b)
        direction = -q
        slope = float(g @ direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            s_hist.clear()
            y_hist.clear()
            direction = -g
            slope = -float(g @ g)
        step = 1.0 if s_hist else 1.0 / max(1.0, float(np.abs(g).max()))
        while True:
            x_new = x + step * direction
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_vec, y_vec = x_new - x, g_new - g
        if float(s_vec @ y_vec) > 1e-10:
            s_hist.append(s_vec)
            y_hist.append(y_vec)
            if len(s_hist) > memory:
                s_hist.pop(0)
                y_hist.pop(0)
        converged = abs(f - f_new) <= 1e-7 * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if converged:
            break
    return x


def fit_binary(
    rows: Rows,
    targets: FloatArray,
    sample_weight: FloatArray,
    n_features: int,
    l2: float | FloatArray,
    prior: FloatArray | None = None,
    prior_bias: float = 0.0,
    iterations: int = 200,
    fit_bias: bool = True,
) -> tuple[FloatArray, float]:
    """Weights and bias minimising weighted log-loss + 1/2 * sum(l2 * (w - prior)^2).

    ``l2`` is one number or one per feature.
    ``targets`` may be soft (0.5 teaches "no polarity"). With ``fit_bias=False`` the
    bias stays at ``prior_bias``: a few corrections must move the features they
    contain, not the unpenalised bias that every message shares.
    """
    w0 = np.zeros(n_features) if prior is None else prior.astype(np.float64)
    row_of = rows.row_of

    def fun(params: FloatArray) -> tuple[float, FloatArray]:
        w, b = params[:-1], params[-1]
        margin = np.bincount(row_of, weights=w[rows.indices], minlength=rows.n) + b
        p = 1.0 / (1.0 + np.exp(-margin))
        eps = 1e-12
        loss = -(targets * np.log(p + eps) + (1 - targets) * np.log(1 - p + eps))
        d = w - w0
        f = float(sample_weight @ loss) + 0.5 * float((l2 * d) @ d)
        residual = (p - targets) * sample_weight
        grad = np.empty_like(params)
        grad[:-1] = np.bincount(rows.indices, weights=residual[row_of], minlength=n_features)
        grad[:-1] += l2 * d
        grad[-1] = residual.sum() if fit_bias else 0.0
        return f, grad

    start = np.append(w0, prior_bias)
    params = _lbfgs(fun, start, iterations)
    return params[:-1], float(params[-1])


def fit_softmax(
    rows: Rows,
    labels: NDArray[np.int64],
    sample_weight: FloatArray,
    n_features: int,
    n_classes: int,
    l2: float | FloatArray,
    prior: FloatArray | None = None,
    prior_bias: FloatArray | None = None,
    iterations: int = 300,
    fit_bias: bool = True,
) -> tuple[FloatArray, FloatArray]:
    """A (features x classes) weight matrix and class biases, same penalty as above."""
    w0 = np.zeros((n_features, n_classes)) if prior is None else prior.astype(np.float64)
    b0 = np.zeros(n_classes) if prior_bias is None else prior_bias.astype(np.float64)
    row_of = rows.row_of
    onehot = np.zeros((rows.n, n_classes))
    onehot[np.arange(rows.n), labels] = 1.0

    def fun(params: FloatArray) -> tuple[float, FloatArray]:
        w = params[: n_features * n_classes].reshape(n_features, n_classes)
        b = params[n_features * n_classes :]
        z = row_sums(rows, w) + b
        z -= z.max(axis=1, keepdims=True)
        ez = np.exp(z)
        p = ez / ez.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(rows.n), labels] + 1e-12)
        d = w - w0
        penalty = l2 if np.ndim(l2) == 0 else np.asarray(l2)[:, None]
        f = float(sample_weight @ loss) + 0.5 * float((penalty * d * d).sum())
        residual = (p - onehot) * sample_weight[:, None]
        gw = np.zeros((n_features, n_classes))
        np.add.at(gw, rows.indices, residual[row_of])
        gw += penalty * d
        gb = residual.sum(axis=0) if fit_bias else np.zeros(n_classes)
        return f, np.concatenate([gw.ravel(), gb])

    start = np.concatenate([w0.ravel(), b0])
    params = _lbfgs(fun, start, iterations)
    w = params[: n_features * n_classes].reshape(n_features, n_classes)
    return w, params[n_features * n_classes :]


def binary_precision(
    rows: Rows, weights: FloatArray, bias: float, sample_weight: FloatArray, l2: float
) -> FloatArray:
    """Diagonal of the loss's Hessian at the fitted weights: how firmly the training
    data pins each weight (a Laplace approximation of its posterior precision)."""
    p = 1.0 / (1.0 + np.exp(-(row_sums(rows, weights) + bias)))
    curvature = sample_weight * p * (1 - p)
    return np.bincount(rows.indices, weights=curvature[rows.row_of], minlength=len(weights)) + l2


def softmax_precision(
    rows: Rows, weights: FloatArray, bias: FloatArray, sample_weight: FloatArray, l2: float
) -> FloatArray:
    """The same per feature for the softmax model, summed over classes."""
    z = row_sums(rows, weights) + bias
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    curvature = sample_weight * (p * (1 - p)).sum(axis=1)
    n = weights.shape[0]
    return np.bincount(rows.indices, weights=curvature[rows.row_of], minlength=n) + l2
