"""Unit invariance: centred production terms and standardised polynomial bases.

Money in soles, thousands or millions adds a constant to each log. A full polynomial (with a
constant) in shifted variables spans the same functions, so an estimator is unit invariant
when it works on a basis whose columns do not depend on the origin of the logs and maps its
coefficients back at the end. These helpers give

* :func:`centring_map`: the exact map from coefficients on terms of inputs centred at ``mu``
  to coefficients on the raw terms (and the shift of the constant);
* :func:`standardise`: columns centred at their mean and scaled by their standard deviation,
  the variables a polynomial basis is built from;
* :func:`newton_polish`: a few Newton steps from where a derivative-free search stopped, so
  that the estimate is the minimum itself and not a point within the search's tolerance of it
  (which depends on rounding, and so on the units of the logs).

Estimators optimise and take rank decisions in the centred coordinates (well conditioned
whatever the units, and the same numbers for any shift) and report coefficients in the raw
ones, ``elasticity = beta_j + 2 beta_jj x_j + sum_i beta_ij x_i``.
"""

from __future__ import annotations

from collections.abc import Callable
from math import comb

import numpy as np

from tfp.numerics.identification import numerical_hessian

__all__ = ["centring_map", "newton_polish", "raw_coefficients", "standardise"]


def centring_map(
    exponents: np.ndarray, mu: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Map coefficients on centred terms to coefficients on raw terms.

    With ``c`` the coefficients on the terms ``prod_j (x_j - mu_j)^{e_tj}`` and ``b`` those
    on the raw terms ``prod_j x_j^{e_tj}``,

    ``sum_t c_t prod_j (x_j - mu_j)^{e_tj} = a0'c + sum_s b_s prod_j x_j^{e_sj}``

    with ``b = A c``: ``A[s, t] = prod_j C(e_tj, e_sj) (-mu_j)^{e_tj - e_sj}`` when
    ``e_s <= e_t`` (else 0) and ``a0_t = prod_j (-mu_j)^{e_tj}`` (binomial theorem).

    Parameters
    ----------
    exponents : ndarray of int, shape (p, n_inputs)
        Monomial of each term; every non-constant monomial that divides a term must itself be
        a term (true of Cobb-Douglas and translog).
    mu : ndarray, shape (n_inputs,)
        Centre of each input.

    Returns
    -------
    A : ndarray, shape (p, p)
        ``b = A c`` (unit diagonal; invertible).
    a0 : ndarray, shape (p,)
        The constant gains ``a0 @ c``.
    """
    e = np.asarray(exponents, dtype=np.int64)
    mu = np.asarray(mu, dtype=np.float64)
    p = e.shape[0]
    index = {tuple(int(v) for v in row): i for i, row in enumerate(e)}
    a = np.zeros((p, p))
    a0 = np.zeros(p)
    for t in range(p):
        for sub in np.ndindex(*(int(v) + 1 for v in e[t])):
            f = np.asarray(sub, dtype=np.int64)
            w = 1.0
            for j in range(e.shape[1]):
                w *= comb(int(e[t, j]), int(f[j])) * (-mu[j]) ** int(e[t, j] - f[j])
            if not f.any():
                a0[t] += w
                continue
            s = index.get(tuple(int(v) for v in f))
            if s is None:
                raise ValueError(
                    f"term {e[t].tolist()} has the monomial {f.tolist()}, which is not a term"
                )
            a[s, t] += w
    return a, a0


def standardise(
    v: np.ndarray, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns of ``v`` centred at their mean and divided by their standard deviation.

    Parameters
    ----------
    v : ndarray, shape (n, k)
        Variables.
    rows : ndarray of bool or int, optional
        Rows whose mean and standard deviation are used (default: all).

    Returns
    -------
    z : ndarray, shape (n, k)
        ``(v - mean) / sd``; a column with zero spread is only centred.
    mean, sd : ndarray, shape (k,)
        The centre and scale used (``sd`` is 1 for a column without spread).
    """
    v = np.asarray(v, dtype=np.float64)
    if v.ndim == 1:
        v = v[:, None]
    ref = v if rows is None else v[rows]
    mean = ref.mean(axis=0) if ref.shape[0] else np.zeros(v.shape[1])
    sd = ref.std(axis=0) if ref.shape[0] else np.ones(v.shape[1])
    sd = np.where(sd > 0, sd, 1.0)
    return np.ascontiguousarray((v - mean) / sd), mean, sd


def raw_coefficients(
    coef: np.ndarray,
    a: np.ndarray,
    a0: np.ndarray,
    *,
    const: int | None,
    vcov: np.ndarray | None = None,
    const_from: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Coefficients (and covariance) on raw terms from those on centred terms.

    ``coef[:p]`` are centred-term coefficients (``p = a.shape[0]``), mapped by ``A``; the
    entry ``const`` (the intercept, if any) gains ``a0 @ coef[:p]`` and, with
    ``const_from = (positions, weights)``, ``weights @ coef[positions]`` (e.g. the value at
    the raw origin of a standardised polynomial without constant); other entries are kept.
    The covariance goes through the same (linear) map.
    """
    coef = np.asarray(coef, dtype=np.float64)
    p = a.shape[0]
    jac = np.eye(coef.shape[0])
    jac[:p, :p] = a
    if const is not None:
        jac[const, :p] += a0
        if const_from is not None:
            jac[const, np.asarray(const_from[0], dtype=np.int64)] += const_from[1]
    out = jac @ coef
    if vcov is None:
        return out, None
    v = jac @ np.asarray(vcov, dtype=np.float64) @ jac.T
    return out, (v + v.T) / 2.0


#: Relative step of the central differences of :func:`newton_polish`'s gradient (truncation
#: error O(h²) ~1e-10, rounding O(eps/h) ~1e-11 for criteria of order one).
POLISH_STEP = 1e-5
#: Newton steps at most; each is kept only if the criterion does not rise.
POLISH_ITER = 3
#: A Newton step longer than this (relative to ``1 + |θ|``) is not a polish of a converged
#: search: it is refused.
POLISH_RADIUS = 1e-3


def newton_polish(
    fun: Callable[[np.ndarray], float],
    at: np.ndarray,
    grad: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, float]:
    """Newton steps on a smooth criterion from a converged search's end point.

    Without ``grad``: gradient and Hessian by central differences of ``fun``, and a step is
    kept only if it does not raise the criterion. With the analytic gradient ``grad``: the
    Hessian by central differences of it, and a step is kept only if it shrinks the
    gradient (a criterion evaluated with cancellation is flat to its rounding noise near the
    minimum, its gradient is not). Either way a step must be short (``POLISH_RADIUS``).
    A search stops anywhere within its tolerance of the minimum, at a point that depends on
    rounding (row order, the origin of the logs); the polished point is the minimum to ~1e-9
    whatever the path.

    Returns
    -------
    theta : ndarray
        The polished point (``at`` if no step was kept).
    value : float
        The criterion there.
    """
    theta = np.asarray(at, dtype=np.float64).copy()
    f0 = float(fun(theta))
    if not np.isfinite(f0) or theta.size == 0:
        return theta, f0
    g0 = None if grad is None else np.asarray(grad(theta), dtype=np.float64)
    for _ in range(POLISH_ITER):
        h = POLISH_STEP * np.maximum(1.0, np.abs(theta))
        eye = np.diag(h)
        if grad is None or g0 is None:
            g = np.array(
                [(float(fun(theta + e)) - float(fun(theta - e))) / (2.0 * e[i])
                 for i, e in enumerate(eye)]
            )  # fmt: skip
            hess = numerical_hessian(fun, theta)
        else:
            g = g0
            cols = [
                (grad(theta + e) - grad(theta - e)) / (2.0 * e[i])
                for i, e in enumerate(eye)
            ]
            hess = np.column_stack(cols)
            hess = (hess + hess.T) / 2.0
        try:
            step = np.linalg.solve(hess, g)
        except np.linalg.LinAlgError:
            break
        size = float(np.max(np.abs(step)))
        if not np.all(np.isfinite(step)) or size > POLISH_RADIUS * (
            1.0 + float(np.max(np.abs(theta)))
        ):
            break
        cand = theta - step
        fc = float(fun(cand))
        if grad is None or g0 is None:
            if not fc <= f0:
                break
        else:
            gc = np.asarray(grad(cand), dtype=np.float64)
            if not (np.isfinite(fc) and np.linalg.norm(gc) < np.linalg.norm(g0)):
                break
            g0 = gc
        theta, f0 = cand, fc
        if size <= 1e-12 * (1.0 + float(np.max(np.abs(theta)))):
            break
    return theta, f0
