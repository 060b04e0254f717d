"""Statistics of identification strength, as pure functions on arrays.

These are the numbers behind :mod:`tfp.diagnostics` (which compares them with thresholds and
warns). Each is a function of arrays only:

* :func:`kleibergen_paap_f`: the Kleibergen-Paap (2006) rk Wald F statistic of the first
  stage of a linear IV model, cluster-robust (the Cragg-Donald F without clusters);
* :func:`sanderson_windmeijer_f`: the conditional first-stage F of each endogenous regressor
  (Sanderson & Windmeijer 2016), the weak-instrument statistic with several endogenous
  regressors; with one it equals the Kleibergen-Paap F;
* :func:`r_squared`: R² of each column on a basis (functional dependence of a free input on
  the first-stage polynomial, Ackerberg, Caves & Frazer 2015);
* :func:`criterion_precision`: how far the estimate can move along its flattest direction
  before the criterion rises by its sampling noise (the curvature at the minimum picks the
  direction, the criterion itself measures the distance, so identification that comes only
  from higher-order terms is measured right); :func:`curvature_precision` is its quadratic
  approximation and :func:`covariance_precision` the same summary of a covariance matrix;
* :func:`within_share`: share of a variable's variance that is within groups (firms).

:class:`IdentificationStats` is the typed record an estimator fills with the statistics only
it can compute (its instruments, its criterion, its first-stage polynomial).

References
----------
Kleibergen, F., & Paap, R. (2006). Generalized reduced rank tests using the singular value
decomposition. *Journal of Econometrics*, 133(1), 97-126.

Sanderson, E., & Windmeijer, F. (2016). A weak instrument F-test in linear IV models with
multiple endogenous variables. *Journal of Econometrics*, 190(2), 212-221.

Baum, C. F., Schaffer, M. E., & Stillman, S. (2007). Enhanced routines for instrumental
variables/GMM estimation and testing. *Stata Journal*, 7(4), 465-506 (the small-sample
scaling of the rk Wald F used by ``ivreg2``).

Ackerberg, D. A., Caves, K., & Frazer, G. (2015). Identification properties of recent
production function estimators. *Econometrica*, 83(6), 2411-2451.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

__all__ = [
    "IdentificationStats",
    "Precision",
    "WeakInstruments",
    "covariance_precision",
    "criterion_precision",
    "curvature_precision",
    "kleibergen_paap_f",
    "mean_elasticity_jacobian",
    "numerical_hessian",
    "r_squared",
    "sanderson_windmeijer_f",
    "within_share",
]

#: Relative step of the central differences of :func:`numerical_hessian`: the truncation
#: error is O(h²) and the rounding error O(eps·|f| / h²); 1e-4 balances them for criteria
#: whose curvature is of order one in elasticity units (errors ~1e-8 relative).
HESSIAN_STEP = 1e-4

#: An eigenvalue of a curvature matrix at most this fraction of the largest counts as zero
#: (a direction in which the criterion is flat to rounding).
FLAT_RTOL = 1e-12

#: Longest move (elasticity units) searched along a direction by :func:`criterion_precision`:
#: a criterion that has not risen by its noise this far out is flat (the plausible range of
#: an elasticity is about 1).
WIDTH_MAX = 10.0

#: Relative precision of a width found by :func:`criterion_precision` (of its square, the
#: variable of the root finder): a standard deviation is read to three digits, and the
#: rounding of a least-squares criterion over 10^6 rows (~1e-13 of its value, ~1e-7 of a rise
#: by its noise) makes finer digits noise that costs evaluations to chase.
WIDTH_RTOL = 1e-6

#: Bisection steps at most while the rise is bracketed by a point where the criterion is not
#: finite (a root finder needs finite values at both ends).
WIDTH_BISECTIONS = 30

#: A trial move past the rise is aimed this factor beyond where the quadratic through the
#: origin and the last trial reaches the noise (the quadratic model is nearly exact close to
#: the minimum, so the next trial usually brackets the rise).
WIDTH_OVERSHOOT = 1.01


def _c(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def _partial_out(a: np.ndarray, exog: np.ndarray) -> np.ndarray:
    """Residuals of the columns of ``a`` on ``exog`` (least squares; ``a`` if no exog)."""
    if exog.shape[1] == 0:
        return a
    coef = np.linalg.lstsq(exog, a, rcond=None)[0]
    return a - exog @ coef


def _score_cov(scores: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
    """``(1/n) Σ_g s_g s_g'`` of the rows of ``scores`` summed within clusters (no
    small-sample factor), or ``(1/n) Σ_i s_i s_i'`` without clusters."""
    n = scores.shape[0]
    if clusters is not None:
        _, codes = np.unique(np.asarray(clusters), return_inverse=True)
        sums = np.zeros((int(codes.max()) + 1, scores.shape[1]))
        np.add.at(sums, codes, scores)
        scores = sums
    return scores.T @ scores / n


def _rk_scale(n: int, n_instr: int, n_exog: int, clusters: np.ndarray | None) -> float:
    """ivreg2's small-sample scaling of the rk Wald statistic into an F (Baum et al. 2007)."""
    dof = n - n_instr - n_exog
    if clusters is None:
        return dof / n
    g = int(np.unique(np.asarray(clusters)).shape[0])
    return dof * (g - 1) / g / (n - 1)


def _inv_sqrt_upper(q: np.ndarray) -> np.ndarray:
    """``R^{-1}`` with ``R`` the upper Cholesky factor of ``q`` (``R'R = q``)."""
    r = np.linalg.cholesky(q).T
    return np.linalg.solve(r, np.eye(q.shape[0]))


def kleibergen_paap_f(
    endog: np.ndarray,
    instr: np.ndarray,
    exog: np.ndarray,
    clusters: np.ndarray | None = None,
) -> float:
    r"""Kleibergen-Paap rk Wald F statistic of the first stage (Cragg-Donald F without clusters).

    The endogenous regressors and excluded instruments are partialled on the exogenous
    regressors; ``Θ = Q_zz^{-1/2}' Q_zx Q_xx^{-1/2}`` is the matrix of canonical correlations
    and ``Θ = U S V'``. The rk statistic tests that the smallest singular value is zero:
    ``W = n λ' V_λ^{-1} λ`` with ``λ = U_⊥' Θ V_⊥`` and ``V_λ`` its cluster-robust covariance
    built from the first-stage residual scores. The F form is
    ``W (n - L - c)(G - 1) / (G (n - 1)) / L`` (``L`` excluded instruments, ``c`` exogenous
    regressors, ``G`` clusters), as ``ivreg2`` reports it; without clusters the statistic is
    the Cragg-Donald ``(n - L - c)/L · r²_min / (1 - r²_min)``.

    Parameters
    ----------
    endog : ndarray, shape (n, m)
        Endogenous regressors.
    instr : ndarray, shape (n, L)
        Excluded instruments, ``L >= m``.
    exog : ndarray, shape (n, c)
        Exogenous regressors (include the constant).
    clusters : ndarray, shape (n,), optional
        Cluster labels (firms); None for homoskedastic errors.

    Returns
    -------
    float
        The statistic; NaN when it is not defined (no endogenous regressor, fewer instruments
        than endogenous regressors, collinear columns after partialling out, or an exact fit).
    """
    x = _partial_out(_c(endog), _c(exog))
    z = _partial_out(_c(instr), _c(exog))
    n, n_instr = z.shape
    m = x.shape[1]
    if m == 0 or n_instr < m:
        return float("nan")
    try:
        irqzz = _inv_sqrt_upper(z.T @ z / n)
        irqxx = _inv_sqrt_upper(x.T @ x / n)
    except np.linalg.LinAlgError:
        return float("nan")
    qzx = z.T @ x / n
    theta = irqzz.T @ qzx @ irqxx
    u, s, vt = np.linalg.svd(theta, full_matrices=True)
    r2 = float(s[-1]) ** 2
    if not 1.0 - r2 > 64 * np.finfo(float).eps:
        return float("nan")
    n_exog = _c(exog).shape[1]
    if clusters is None:
        return (n - n_instr - n_exog) * r2 / (1.0 - r2) / n_instr
    pihat = irqzz @ (irqzz.T @ qzx)  # (Z'Z)^{-1} Z'X
    resid = x - z @ pihat
    scores = np.column_stack([resid[:, [j]] * z for j in range(m)])
    shat = _score_cov(scores, clusters)
    transform = np.kron(irqxx.T, irqzz.T)
    vtheta = transform @ shat @ transform.T
    left, right = u[:, m - 1 :], vt.T[:, m - 1 :]
    select = np.kron(right.T, left.T)
    lam = select @ theta.ravel(order="F")
    vlam = select @ vtheta @ select.T
    vlam = (vlam + vlam.T) / 2.0
    values, vectors = np.linalg.eigh(vlam)
    keep = values > values.max() * np.finfo(float).eps * vlam.shape[0]
    if not keep.any():
        return float("nan")
    coef = vectors[:, keep].T @ lam
    wald = n * float(np.sum(coef**2 / values[keep]))
    return wald * _rk_scale(n, n_instr, n_exog, clusters) / n_instr


def sanderson_windmeijer_f(
    endog: np.ndarray,
    instr: np.ndarray,
    exog: np.ndarray,
    clusters: np.ndarray | None = None,
) -> np.ndarray:
    r"""Conditional first-stage F statistic of each endogenous regressor.

    For regressor ``j``: ``x_j`` is regressed by 2SLS on the other endogenous regressors with
    the instruments (all partialled on ``exog``), and ``F_{j|-j}`` is the Wald statistic of the
    instruments in the regression of that 2SLS residual on them, divided by ``L - m + 1`` and
    scaled as :func:`kleibergen_paap_f` (cluster-robust with clusters; homoskedastic
    without). Compare it with the Stock-Yogo critical value for one endogenous regressor and
    ``L - m + 1`` instruments (Sanderson & Windmeijer 2016, section 4). With one endogenous
    regressor it is the Kleibergen-Paap (or Cragg-Donald) F.

    Parameters
    ----------
    endog, instr, exog, clusters
        As :func:`kleibergen_paap_f`.

    Returns
    -------
    ndarray, shape (m,)
        One statistic per endogenous regressor (NaN where not defined).
    """
    x = _partial_out(_c(endog), _c(exog))
    z = _partial_out(_c(instr), _c(exog))
    n, n_instr = z.shape
    m = x.shape[1]
    out = np.full(m, np.nan)
    if m == 0 or n_instr < m:
        return out
    n_exog = _c(exog).shape[1]
    zz = z.T @ z
    try:
        zz_inv = np.linalg.inv(zz)
    except np.linalg.LinAlgError:
        return out
    df_num = n_instr - m + 1
    scale = _rk_scale(n, n_instr, n_exog, clusters)
    for j in range(m):
        xj = x[:, j]
        others = np.delete(x, j, axis=1)
        if others.shape[1]:
            zo = z.T @ others
            a = zo.T @ zz_inv @ zo
            try:
                delta = np.linalg.solve(a, zo.T @ zz_inv @ (z.T @ xj))
            except np.linalg.LinAlgError:
                continue
            eps = xj - others @ delta
        else:
            eps = xj
        pi = zz_inv @ (z.T @ eps)
        v = eps - z @ pi
        if clusters is None:
            sigma2 = float(v @ v) / n
            meat = sigma2 * zz / n
        else:
            meat = _score_cov(z * v[:, None], clusters)
        # Wald of pi with covariance (Z'Z/n)^{-1} meat (Z'Z/n)^{-1} / n
        g = z.T @ eps / n
        try:
            wald = n * float(g @ np.linalg.solve(meat, g))
        except np.linalg.LinAlgError:
            continue
        out[j] = wald * scale / df_num
    return out


def r_squared(x: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Centred R² of each column of ``x`` regressed on ``basis`` (which should hold a constant).

    Returns NaN for a column without variation.
    """
    x = _c(x)
    resid = _partial_out(x, _c(basis))
    tss = ((x - x.mean(axis=0)) ** 2).sum(axis=0)
    rss = (resid**2).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tss > 0, 1.0 - rss / np.where(tss > 0, tss, 1.0), np.nan)


def mean_elasticity_jacobian(x: np.ndarray, exponents: np.ndarray) -> np.ndarray:
    """Derivative of the mean output elasticities with respect to the term coefficients.

    With ``f(x) = Σ_t b_t Π_j x_j^{e_tj}``, the elasticity of input ``i`` is
    ``∂f/∂x_i = Σ_t b_t e_ti x^{e_t - 1_i}`` (inputs in logs), linear in ``b``.

    Parameters
    ----------
    x : ndarray, shape (n, k)
        Inputs (logs) over the rows the means are taken on.
    exponents : ndarray of int, shape (p, k)
        Monomial of each term.

    Returns
    -------
    ndarray, shape (k, p)
        ``J[i, t] = mean_rows(e_ti x^{e_t - 1_i})``.
    """
    x = _c(x)
    e = np.asarray(exponents, dtype=np.int64)
    out = np.zeros((x.shape[1], e.shape[0]))
    for t in range(e.shape[0]):
        for i in range(x.shape[1]):
            if e[t, i] == 0:
                continue
            d = e[t].copy()
            d[i] -= 1
            used = d > 0  # x^0 = 1: a constant's mean is 1, and a factor 1 is exact
            if not used.any():
                out[i, t] = float(e[t, i])
                continue
            out[i, t] = e[t, i] * float(np.mean(np.prod(x[:, used] ** d[used], axis=1)))
    return out


def within_share(x: np.ndarray, groups: np.ndarray) -> float:
    """Share of the variance of ``x`` that is within groups: ``Σ (x - x̄_g)² / Σ (x - x̄)²``.

    NaN when ``x`` does not vary.
    """
    x = np.asarray(x, dtype=np.float64)
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    counts = np.bincount(codes).astype(np.float64)
    means = np.bincount(codes, weights=x) / counts
    within = float(((x - means[codes]) ** 2).sum())
    total = float(((x - x.mean()) ** 2).sum())
    return within / total if total > 0 else float("nan")


def numerical_hessian(
    fun: Callable[[np.ndarray], float],
    at: np.ndarray,
    step: float = HESSIAN_STEP,
) -> np.ndarray:
    """Hessian of ``fun`` at ``at`` by central differences (steps ``step · max(1, |at_i|)``).

    Returns a symmetric (p, p) matrix; entries are ``inf`` where ``fun`` is not finite.
    """
    x0 = np.asarray(at, dtype=np.float64).ravel()
    p = x0.shape[0]
    h = step * np.maximum(1.0, np.abs(x0))
    f0 = float(fun(x0))
    out = np.empty((p, p))

    def f(d: np.ndarray) -> float:
        return float(fun(x0 + d))

    for i in range(p):
        ei = np.zeros(p)
        ei[i] = h[i]
        out[i, i] = (f(ei) - 2.0 * f0 + f(-ei)) / h[i] ** 2
        for j in range(i):
            ej = np.zeros(p)
            ej[j] = h[j]
            val = (f(ei + ej) - f(ei - ej) - f(-ei + ej) + f(-ei - ej)) / (
                4.0 * h[i] * h[j]
            )
            out[i, j] = out[j, i] = val
    out[~np.isfinite(out)] = np.inf
    return out


@dataclass(frozen=True)
class Precision:
    """How well the data pin down the estimate: the standard deviation of the reported
    quantities (mean output elasticities) along their least determined direction.

    Attributes
    ----------
    sd : float
        ``sqrt`` of the largest eigenvalue of their covariance (``inf`` when the criterion is
        flat in some direction).
    direction : tuple of float
        The unit eigenvector (largest component positive), one entry per name.
    names : tuple of str
        The reported quantities (the inputs).
    source : str
        ``"curvature"`` (criterion Hessian) or ``"covariance"`` (the analytic covariance).
    """

    sd: float
    direction: tuple[float, ...]
    names: tuple[str, ...]
    source: str

    def describe(self, digits: int = 2) -> str:
        """The direction as a readable combination, e.g. ``0.71·l - 0.71·k``."""
        parts = [
            (v, n)
            for v, n in zip(self.direction, self.names, strict=True)
            if abs(v) >= 0.1
        ]
        if len(parts) == 1:
            return parts[0][1]
        text = ""
        for i, (v, n) in enumerate(parts):
            sign = "-" if v < 0 else ("+" if i else "")
            text += f" {sign} " if i else sign
            text += f"{abs(v):.{digits}f}·{n}"
        return text.strip()


def _oriented(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    if norm == 0.0 or not np.isfinite(norm):
        return v
    v = v / norm
    return -v if v[int(np.argmax(np.abs(v)))] < 0 else v


def covariance_precision(
    cov: np.ndarray, names: Sequence[str], source: str = "covariance"
) -> Precision:
    """The :class:`Precision` of a covariance matrix of the reported quantities."""
    v = np.asarray(cov, dtype=np.float64)
    v = (v + v.T) / 2.0
    if not np.all(np.isfinite(v)):
        bad = np.flatnonzero(~np.isfinite(np.diag(v)))
        d = np.zeros(v.shape[0])
        d[bad[0] if bad.size else 0] = 1.0
        return Precision(float("inf"), tuple(d.tolist()), tuple(names), source)
    values, vectors = np.linalg.eigh(v)
    sd = float(np.sqrt(max(values[-1], 0.0)))
    return Precision(
        sd, tuple(_oriented(vectors[:, -1]).tolist()), tuple(names), source
    )


def curvature_precision(
    hessian: np.ndarray,
    noise: float,
    jac: np.ndarray,
    names: Sequence[str],
) -> Precision:
    r"""The :class:`Precision` implied by a criterion's curvature at its minimum.

    A criterion ``Q`` whose sampling noise is ``noise`` (``σ²/n`` for a mean of squared
    residuals or a GMM criterion with weight ``(Z'Z/n)^{-1}``; ``1/n`` with the efficient
    weight) has, near its minimum, ``cov(θ̂) ≈ 2 · noise · H^{-1}`` (``H`` its Hessian); the
    reported quantities ``J θ`` then have covariance ``J cov J'``. A direction in which
    ``H`` is flat (eigenvalue ``<= FLAT_RTOL`` of the largest, or negative) has infinite
    standard deviation.

    Parameters
    ----------
    hessian : ndarray, shape (p, p)
        Hessian of the criterion in the optimised parameters.
    noise : float
        The criterion's sampling noise scale.
    jac : ndarray, shape (k, p)
        Derivative of the reported quantities with respect to the parameters.
    names : sequence of str
        Names of the reported quantities.
    """
    h = np.asarray(hessian, dtype=np.float64)
    j = np.asarray(jac, dtype=np.float64)
    if not np.all(np.isfinite(h)):
        bad = int(np.flatnonzero(~np.isfinite(np.diag(h)) | np.isnan(np.diag(h)))[0])
        e = np.zeros(h.shape[0])
        e[bad] = 1.0
        return Precision(
            float("inf"), tuple(_oriented(j @ e).tolist()), tuple(names), "curvature"
        )
    h = (h + h.T) / 2.0
    values, vectors = np.linalg.eigh(h)
    top = max(float(values[-1]), 0.0)
    if values[0] <= FLAT_RTOL * top or top == 0.0:
        flat = _oriented(j @ vectors[:, 0])
        if np.linalg.norm(flat) > 0:
            return Precision(
                float("inf"), tuple(flat.tolist()), tuple(names), "curvature"
            )
    inv = (vectors / np.where(values > 0, values, np.inf)) @ vectors.T
    cov = 2.0 * float(noise) * (j @ inv @ j.T)
    return covariance_precision(cov, names, source="curvature")


def _rise_width(
    fun: Callable[[np.ndarray], float],
    x0: np.ndarray,
    q0: float,
    noise: float,
    d: np.ndarray,
    t0: float,
) -> float:
    """Smallest ``t > 0`` with ``fun(x0 + t d) - q0 >= noise`` (``inf`` beyond WIDTH_MAX); a
    non-finite criterion counts as a rise.

    The rise is bracketed by trial moves from ``t0`` (each aimed where the quadratic through
    the origin and the last trial reaches the noise, never more than twice as far), then
    found by Brent's method in ``s = t²``, in which the rise is nearly linear: a handful of
    criterion evaluations where bisection took thirty.
    """
    memo: dict[float, float] = {0.0: 0.0}  # s = t² -> rise

    def rise(s: float) -> float:
        if s not in memo:
            v = float(fun(x0 + np.sqrt(s) * d))
            memo[s] = v - q0 if np.isfinite(v) else np.inf
        return memo[s]

    lo, t = 0.0, float(np.clip(t0, 1e-6, WIDTH_MAX))
    while rise(t * t) < noise:
        if t >= WIDTH_MAX:
            return float("inf")
        lo, r = t, memo[t * t]
        aim = t * np.sqrt(noise / r) * WIDTH_OVERSHOOT if r > 0 else 2.0 * t
        t = float(min(aim, 2.0 * t, WIDTH_MAX))
    hi = t
    for _ in range(WIDTH_BISECTIONS):
        if np.isfinite(memo[hi * hi]):
            break
        mid = 0.5 * (lo + hi)
        if rise(mid * mid) >= noise:
            hi = mid
        else:
            lo = mid
    if not np.isfinite(memo[hi * hi]):
        return hi
    if memo[hi * hi] == noise:
        return hi
    s = brentq(
        lambda s: rise(s) - noise,
        lo * lo,
        hi * hi,
        xtol=float(np.finfo(float).tiny),
        rtol=WIDTH_RTOL,
    )
    return float(np.sqrt(s))


def criterion_precision(
    fun: Callable[[np.ndarray], float],
    at: np.ndarray,
    noise: float,
    jac: np.ndarray,
    names: Sequence[str],
    *,
    curvature: np.ndarray | None = None,
) -> Precision:
    r"""How far the reported quantities can move before the criterion rises by its noise.

    The curvature ``H`` at the minimum (``numerical_hessian`` unless given) gives the
    quadratic model ``cov(θ̂) = 2 · noise · H^{-1}`` and, through ``J``, the principal
    directions of the reported quantities (and the directions in which ``H`` is flat). Along
    each, the parameters move the cheapest way (``d = cov J' (J cov J')^+ e``, so ``J d = e``
    is a unit move of the reported quantities), and the criterion itself is evaluated to find
    the move ``w`` at which it has risen by ``noise``. For a quadratic criterion ``w`` is the
    standard deviation along ``e``; where identification comes only from higher-order terms
    (a singular Jacobian of the moments) the quadratic model would overstate it and ``w``
    does not. The largest ``w`` and its direction are returned (``inf`` when the criterion
    has not risen within ``WIDTH_MAX``).

    Parameters
    ----------
    fun : callable
        The criterion in the optimised parameters.
    at : ndarray, shape (p,)
        Its minimum.
    noise : float
        The criterion's sampling noise scale (see :func:`curvature_precision`).
    jac : ndarray, shape (k, p)
        Derivative of the reported quantities with respect to the parameters.
    names : sequence of str
        Names of the reported quantities.
    curvature : ndarray, shape (p, p), optional
        The Hessian of ``fun`` at ``at`` (e.g. ``2 G'WG`` from an analytic Jacobian).
    """
    x0 = np.asarray(at, dtype=np.float64).ravel()
    j = np.asarray(jac, dtype=np.float64)
    q0 = float(fun(x0))
    h = numerical_hessian(fun, x0) if curvature is None else np.asarray(curvature)
    h = np.where(np.isfinite(h), h, 0.0)
    h = (h + h.T) / 2.0
    values, vectors = np.linalg.eigh(h)
    top = max(float(values[-1]), 0.0)
    flat = values <= FLAT_RTOL * top if top > 0 else np.ones(values.shape, dtype=bool)
    candidates: list[tuple[np.ndarray, np.ndarray, float]] = []
    for v in vectors[:, flat].T:
        e = j @ v
        size = float(np.linalg.norm(e))
        if size > 1e-12:
            candidates.append((v / size, e / size, 1.0))
    keep = ~flat
    cov = 2.0 * float(noise) * (vectors[:, keep] / values[keep]) @ vectors[:, keep].T
    ve = j @ cov @ j.T
    ve = (ve + ve.T) / 2.0
    ev, evec = np.linalg.eigh(ve)
    ve_pinv = np.linalg.pinv(ve, hermitian=True)
    for lam, e in zip(ev, evec.T, strict=True):
        if lam <= FLAT_RTOL * max(float(ev[-1]), 0.0) or lam <= 0:
            continue
        d = cov @ j.T @ ve_pinv @ e
        candidates.append((d, e, float(np.sqrt(lam))))
    if not candidates:
        return covariance_precision(np.zeros((j.shape[0],) * 2), names, "curvature")
    widths = [
        max(
            _rise_width(fun, x0, q0, noise, d, t0),
            _rise_width(fun, x0, q0, noise, -d, t0),
        )
        for d, _, t0 in candidates
    ]
    best = int(np.argmax(widths))
    return Precision(
        float(widths[best]),
        tuple(_oriented(candidates[best][1]).tolist()),
        tuple(names),
        "curvature",
    )


@dataclass(frozen=True)
class WeakInstruments:
    """First-stage strength of a linear IV/GMM estimator.

    Attributes
    ----------
    endog : tuple of str
        The endogenous production terms.
    instruments : tuple of str
        The excluded instruments.
    kp_f : float
        Kleibergen-Paap rk Wald F (firm-clustered).
    sw_f : tuple of float
        Sanderson-Windmeijer conditional F of each endogenous term (equal to ``kp_f`` with
        one).
    """

    endog: tuple[str, ...]
    instruments: tuple[str, ...]
    kp_f: float
    sw_f: tuple[float, ...]


@dataclass(frozen=True)
class IdentificationStats:
    """What an estimator reports about its own identification (all optional).

    Attributes
    ----------
    precision : Precision or None
        Standard deviation of the mean elasticities along their least determined direction,
        from the curvature of the criterion at the estimate.
    instruments : WeakInstruments or None
        First-stage strength (linear IV/GMM estimators).
    dependence : tuple of (str, float)
        R² of each free input on the polynomial that stands in for productivity in a stage
        where the free input is its own instrument (OP/LP first stage, Wooldridge's level
        equation): near 1, the free input is a function of it (Ackerberg, Caves & Frazer 2015).
    competing : tuple of tuple of float
        Mean elasticities (one per input) of other admissible minima whose criterion is
        within sampling noise of the estimate's.
    """

    precision: Precision | None = None
    instruments: WeakInstruments | None = None
    dependence: tuple[tuple[str, float], ...] = ()
    competing: tuple[tuple[float, ...], ...] = ()
