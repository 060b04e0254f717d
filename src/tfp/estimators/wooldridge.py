"""Linear Wooldridge-type estimators: joint GMM (``wrdg``), stacked 2SLS (``wrdg-iv``) and the
Robinson-Wooldridge single-equation IV (``rob``).

All three replace productivity by a polynomial ``h`` in the state inputs and proxies (no
constant) and instrument the free inputs by their one-period lag. Lags are gap-aware
(:meth:`tfp.panel.Panel.lag_index`): a row whose firm is not observed in ``t - 1`` cannot be
used and is counted under ``first_period_lag`` or ``gap``. Everything is closed form, so
``fit`` is deterministic and fast (the firm bootstrap re-runs it).

References
----------
Wooldridge, J. M. (2009). On estimating firm-level production functions using proxy
variables to control for unobservables. *Economics Letters*, 104(3), 112-114.
https://doi.org/10.1016/j.econlet.2009.04.026
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from tfp.estimators.fit import Details, Fit
from tfp.exceptions import IdentificationError, SpecificationError
from tfp.numerics.inference import Inference, cluster_meat
from tfp.numerics.linalg import check_rank
from tfp.numerics.linear_gmm import (
    ProfiledGMM,
    check_identified,
    classical_vcov,
    gmm,
    hansen_j,
    profiled_criterion,
    sandwich,
)
from tfp.numerics.optimize import Convergence
from tfp.numerics.poly import poly_basis, poly_names
from tfp.options.wooldridge import (
    RobinsonOptions,
    WooldridgeIVOptions,
    WooldridgeOptions,
)
from tfp.panel import Panel
from tfp.spec import ProductionSpec, term_matrix

__all__ = ["Wooldridge", "fit_gmm", "fit_iv", "fit_rob"]


@dataclass(frozen=True, eq=False)
class Wooldridge(Details):
    """Wooldridge-type outputs: every coefficient (nuisance included) with its name, Hansen's
    J test of the over-identifying restrictions (None where not computed), the instruments
    and steps of ``wrdg`` and the equation-2 intercept of ``wrdg-iv``."""

    coef_all: np.ndarray
    coef_names: tuple[str, ...]
    j_stat: float | None = None
    j_df: int | None = None
    j_pvalue: float | None = None
    n_instruments: int | None = None
    steps: int | None = None
    markov_drift: float | None = None


# ---- data blocks -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Blocks:
    """Arrays of the estimation sample (rows whose one-period lag exists)."""

    sample: np.ndarray  # bool over panel rows
    dropped: dict[str, int]
    firm: np.ndarray  # firm codes of sample rows (non-decreasing)
    y: np.ndarray
    terms: np.ndarray  # production terms
    terms_iv: np.ndarray  # terms with free inputs replaced by their lag
    controls: np.ndarray
    h: np.ndarray  # polynomial in (state, proxy), current
    h_lag: np.ndarray  # same polynomial in the lagged variables
    h_names: tuple[str, ...]


def _check_spec(spec: ProductionSpec, method: str) -> None:
    if not spec.proxy:
        raise SpecificationError(
            f"method {method!r} needs a proxy role (e.g. materials or electricity) and none "
            "was given",
            fix="pass proxy='column' to tfp.estimate",
        )
    if not spec.state:
        raise SpecificationError(
            f"method {method!r} needs at least one state input (capital) and the state role "
            "is empty",
            fix="pass state='k'",
        )
    if spec.flexible:
        raise SpecificationError(
            f"method {method!r} is implemented for value added; the flexible role "
            f"({', '.join(spec.flexible)}) is not supported",
            fix="use method='gnr' for gross output, or drop flexible and use value added",
        )


def _blocks(panel: Panel, spec: ProductionSpec, degree: int, method: str) -> _Blocks:
    _check_spec(spec, method)
    for p in spec.proxy:
        v = panel[p]
        if v.size == 0 or np.ptp(v) == 0.0:
            raise IdentificationError(
                "the proxy does not vary, so it cannot stand in for productivity",
                column=p,
                fix="choose a proxy that varies across firms and years",
            )
    idx = panel.lag_index(1)
    reasons = panel.lag_reasons(1)
    sample = idx >= 0
    dropped = {
        "first_period_lag": int((reasons == 1).sum()),
        "gap": int((reasons == 2).sum()),
    }
    rows = np.flatnonzero(sample)
    lag_rows = idx[rows]
    free_n = len(spec.free)
    x_all = panel.matrix(spec.inputs)
    x = x_all[rows]
    x_iv = x.copy()
    x_iv[:, :free_n] = x_all[lag_rows, :free_n]
    hv = list(spec.state) + list(spec.proxy)
    hx_all = panel.matrix(hv)
    h = poly_basis(hx_all[rows], degree, include_constant=False)
    h_lag = poly_basis(hx_all[lag_rows], degree, include_constant=False)
    blocks = _Blocks(
        sample=sample,
        dropped=dropped,
        firm=np.ascontiguousarray(panel.firm[rows]),
        y=np.ascontiguousarray(panel[spec.output][rows]),
        terms=term_matrix(x, spec.inputs, spec.form),
        terms_iv=term_matrix(x_iv, spec.inputs, spec.form),
        controls=panel.matrix(spec.control)[rows],
        h=h,
        h_lag=h_lag,
        h_names=poly_names(hv, degree, include_constant=False),
    )
    n = rows.shape[0]
    if n == 0:
        raise IdentificationError(
            f"no row has a one-period lag ({dropped['first_period_lag']} first periods, "
            f"{dropped['gap']} gaps)",
            column=spec.time,
            fix="use a panel with firms observed in consecutive periods",
        )
    for j, name in enumerate((*spec.inputs,)):
        if np.ptp(x[:, j]) == 0.0:
            raise IdentificationError(
                "the input does not vary in the estimation sample",
                column=name,
                fix="drop it from the specification or use a sample where it varies",
            )
    return blocks


def _zz_inv(z: np.ndarray, n: int) -> np.ndarray:
    return np.linalg.pinv(z.T @ z / n)


def _phi(panel: Panel, b: _Blocks, fitted: np.ndarray) -> np.ndarray:
    out = np.full(panel.nobs, np.nan)
    out[b.sample] = fitted
    return out


# ---- wrdg: joint GMM on the two equations ------------------------------------------------
def fit_gmm(panel: Panel, spec: ProductionSpec, options: WooldridgeOptions) -> Fit:
    """Wooldridge (2009) by one-step GMM on the level and Markov equations jointly.

    Equation 1: ``y = a1 + T b + C d + H l1 + e`` with instruments ``(1, T, C, H)``;
    equation 2: ``y = a1 + T b + C d + a2 + H_{t-1} l2 + u`` with instruments
    ``(1, T*, C, H_{t-1})`` (``T*``: terms with the free inputs lagged). ``H`` columns equal
    to a production term (the linear state terms) are left out of equation 1. Weight
    ``blockdiag(Z1'Z1, Z2'Z2)^{-1}`` (or the efficient one with ``steps=2``).

    Parameters
    ----------
    panel : Panel
        Validated panel holding ``spec.columns()``.
    spec : ProductionSpec
        Roles; needs ``proxy`` and ``state``; value added only.
    options : WooldridgeOptions
        Polynomial degree, steps and covariance (see its docstring).

    Returns
    -------
    Fit
        ``params``: terms, controls, ``const``. ``details``: :class:`Wooldridge` (J test,
        every coefficient, instruments, steps). ``phi``: fitted equation 1.

    Raises
    ------
    SpecificationError
        No proxy or state input, or a flexible input.
    IdentificationError
        A proxy or input without variation, no usable lags, or collinear regressors.

    References
    ----------
    Wooldridge, J. M. (2009). *Economics Letters*, 104(3), 112-114.
    https://doi.org/10.1016/j.econlet.2009.04.026
    """
    b = _blocks(panel, spec, options.poly_degree, "wrdg")
    n = b.y.shape[0]
    term_names = set(spec.terms)
    keep_h = [j for j, nm in enumerate(b.h_names) if nm not in term_names]
    h1 = b.h[:, keep_h]
    nt, nc, nh1, nh2 = (
        b.terms.shape[1],
        b.controls.shape[1],
        h1.shape[1],
        b.h_lag.shape[1],
    )
    one, zero = np.ones((n, 1)), np.zeros((n, 1))
    x1 = np.hstack([b.terms, b.controls, one, h1, zero, np.zeros((n, nh2))])
    x2 = np.hstack([b.terms, b.controls, one, np.zeros((n, nh1)), one, b.h_lag])
    z1 = np.hstack([one, b.terms, b.controls, h1])
    z2 = np.hstack([one, b.terms_iv, b.controls, b.h_lag])
    l1, l2 = z1.shape[1], z2.shape[1]
    x = np.vstack([x1, x2])
    z = np.zeros((2 * n, l1 + l2))
    z[:n, :l1] = z1
    z[n:, l1:] = z2
    y = np.concatenate([b.y, b.y])
    fix = "lower poly_degree, drop collinear inputs or controls, or use a longer panel"
    w1 = _zz_inv(z, 2 * n)
    check_identified(x, z, w1, "wrdg", fix)
    theta = gmm(y, x, z, w1)
    u = y - x @ theta
    obs_scores = np.hstack([z1 * u[:n, None], z2 * u[n:, None]])
    s = cluster_meat(obs_scores, b.firm)
    j, jdf, jp, theta2 = hansen_j(y, x, z, s)
    w = w1
    if options.steps == 2:
        theta, w = theta2, np.linalg.pinv(s / (2 * n))
        u = y - x @ theta
        obs_scores = np.hstack([z1 * u[:n, None], z2 * u[n:, None]])
        s = cluster_meat(obs_scores, b.firm)
    zx = z.T @ x
    if options.vcov == "cluster":
        vcov = sandwich(zx, w, s)
    else:
        sigma2 = float(u @ u) / (2 * n)
        vcov = classical_vcov(zx, z, sigma2)
    k = nt + nc + 1
    names_all = (
        *spec.terms,
        *spec.control,
        "const",
        *(f"h:{b.h_names[j_]}" for j_ in keep_h),
        "const_eq2",
        *(f"h_lag:{nm}" for nm in b.h_names),
    )
    prof = ProfiledGMM(y=y, x_beta=x[:, :nt], x_rest=x[:, nt:], z=z, w=w, n=2 * n)
    obj = profiled_criterion(theta[:nt], prof)
    return Fit(
        params=theta[:k].copy(),
        names=(*spec.terms, *spec.control, "const"),
        vcov=vcov[:k, :k].copy(),
        sample=b.sample,
        convergence=Convergence.closed_form(obj),
        objective=obj,
        objective_fn=partial(profiled_criterion, problem=prof),
        phi=_phi(panel, b, x1 @ theta),
        dropped=b.dropped,
        inference=Inference.analytic(options.vcov, spec.id),
        details=Wooldridge(
            theta.copy(),
            names_all,
            j,
            jdf,
            jp,
            n_instruments=l1 + l2,
            steps=options.steps,
        ),
    )


# ---- wrdg-iv: stacked 2SLS ---------------------------------------------------------------
def fit_iv(panel: Panel, spec: ProductionSpec, options: WooldridgeIVOptions) -> Fit:
    """Wooldridge (2009) as one 2SLS on the stacked level and Markov equations.

    Rows of equation 1 ``(1, 0, T, C, H)`` over rows of equation 2 ``(1, 1, T, C, H_{t-1})``,
    all coefficients shared except the equation-2 intercept (unit-slope Markov process);
    instruments replace the free inputs in ``T`` by their lags. See
    :class:`~tfp.options.wooldridge.WooldridgeIVOptions` for the prodest variant.

    Parameters
    ----------
    panel : Panel
        Validated panel holding ``spec.columns()``.
    spec : ProductionSpec
        Roles; needs ``proxy`` and ``state``; value added only.
    options : WooldridgeIVOptions
        Polynomial degree, intercept handling and covariance.

    Returns
    -------
    Fit
        ``params``: terms, controls, ``const``. ``details``: :class:`Wooldridge` with the
        equation-2 intercept ``markov_drift`` (NaN without one) and, for the ordinary 2SLS
        (``instrument_constant=True``), the Hansen J test.

    Raises
    ------
    SpecificationError
        No proxy or state input, or a flexible input.
    IdentificationError
        A proxy or input without variation, no usable lags, or collinear regressors.

    References
    ----------
    Wooldridge, J. M. (2009). *Economics Letters*, 104(3), 112-114.
    https://doi.org/10.1016/j.econlet.2009.04.026
    """
    b = _blocks(panel, spec, options.poly_degree, "wrdg-iv")
    n = b.y.shape[0]
    nt, nc = b.terms.shape[1], b.controls.shape[1]
    one, zero = np.ones((n, 1)), np.zeros((n, 1))
    e0 = [np.vstack([zero, one])] if options.eq2_intercept else []
    slopes_x = np.vstack(
        [
            np.hstack([b.terms, b.controls, b.h]),
            np.hstack([b.terms, b.controls, b.h_lag]),
        ]
    )
    slopes_z = np.vstack(
        [
            np.hstack([b.terms_iv, b.controls, b.h]),
            np.hstack([b.terms_iv, b.controls, b.h_lag]),
        ]
    )
    const = np.ones((2 * n, 1))
    x = np.hstack([*e0, slopes_x, const])  # constant last while building
    y = np.concatenate([b.y, b.y])
    fix = "lower poly_degree, drop collinear inputs or controls, or use a longer panel"
    diagnostics: tuple[str, ...] = ()
    j_stat: float | None = None
    j_df: int | None = None
    j_p: float | None = None
    if options.instrument_constant:
        z = np.hstack([*e0, slopes_z, const])
        w = _zz_inv(z, 2 * n)
        check_identified(x, z, w, "wrdg-iv", fix)
        theta = gmm(y, x, z, w)
        u = y - x @ theta
        sc = z * u[:, None]
        s = cluster_meat(sc[:n] + sc[n:], b.firm)
        zx = z.T @ x
        if options.vcov == "cluster":
            vcov: np.ndarray | None = sandwich(zx, w, s)
        else:
            vcov = classical_vcov(zx, z, float(u @ u) / (2 * n))
        j_stat, j_df, j_p, _ = hansen_j(y, x, z, s)
        ne = len(e0)
        prof = ProfiledGMM(
            y=y,
            x_beta=x[:, ne : ne + nt],
            x_rest=np.hstack([x[:, :ne], x[:, ne + nt :]]),
            z=z,
            w=w,
            n=2 * n,
        )
        obj: float | None = profiled_criterion(theta[ne : ne + nt], prof)
        objective_fn: Any = partial(profiled_criterion, problem=prof)
    else:
        # R prodest: project the regressors (without constant) on instruments without a
        # constant, then regress output on a constant and the projections.
        xs = x[:, :-1]
        z = np.hstack([*e0, slopes_z])
        check_rank(z, what="wrdg-iv instruments", fix=fix)
        xhat = z @ np.linalg.lstsq(z, xs, rcond=None)[0]
        d = np.hstack([xhat, const])
        check_rank(d, what="wrdg-iv", fix=fix)
        theta = np.linalg.lstsq(d, y, rcond=None)[0]
        vcov = None
        obj, objective_fn = None, None
        diagnostics = (
            "wrdg-iv with instrument_constant=False (R prodest's convention) has no "
            "analytic covariance; standard errors come from the bootstrap",
        )
    ne = len(e0)
    beta = theta[ne : ne + nt]
    delta = theta[ne + nt : ne + nt + nc]
    lam = theta[ne + nt + nc : -1]
    a1 = theta[-1]
    order = [*range(ne, ne + nt + nc), theta.shape[0] - 1]
    params = theta[order]
    if vcov is not None:
        vcov = vcov[np.ix_(order, order)].copy()
    fitted1 = a1 + b.terms @ beta + b.controls @ delta + b.h @ lam
    names = (*spec.terms, *spec.control, "const", *(f"h:{m}" for m in b.h_names))
    drift = float(theta[0]) if ne else float("nan")
    return Fit(
        params=params,
        names=(*spec.terms, *spec.control, "const"),
        vcov=vcov,
        sample=b.sample,
        convergence=Convergence.closed_form(float("nan") if obj is None else obj),
        objective=obj,
        objective_fn=objective_fn,
        phi=_phi(panel, b, fitted1),
        dropped=b.dropped,
        inference=None if vcov is None else Inference.analytic(options.vcov, spec.id),
        details=Wooldridge(
            np.concatenate([params, lam]),
            names,
            j_stat,
            j_df,
            j_p,
            markov_drift=drift,
        ),
        diagnostics=diagnostics,
    )


# ---- rob: Robinson-Wooldridge IV ---------------------------------------------------------
def fit_rob(panel: Panel, spec: ProductionSpec, options: RobinsonOptions) -> Fit:
    """Robinson-Wooldridge IV: equation 2 of Wooldridge (2009) alone, by 2SLS.

    ``y = a + T b + C d + H_{t-1} l + u`` with instruments ``(1, T*, C, H_{t-1})``, where
    ``T*`` replaces the free inputs in the terms by their lags.

    Parameters
    ----------
    panel : Panel
        Validated panel holding ``spec.columns()``.
    spec : ProductionSpec
        Roles; needs ``proxy`` and ``state``; value added only.
    options : RobinsonOptions
        Polynomial degree and covariance.

    Returns
    -------
    Fit
        ``params``: terms, controls, ``const``; ``details``: :class:`Wooldridge` (Hansen J,
        every coefficient).

    Raises
    ------
    SpecificationError
        No proxy or state input, or a flexible input.
    IdentificationError
        A proxy or input without variation, no usable lags, or collinear regressors.

    References
    ----------
    Wooldridge, J. M. (2009). *Economics Letters*, 104(3), 112-114.
    https://doi.org/10.1016/j.econlet.2009.04.026

    Robinson, P. M. (1988). Root-N-consistent semiparametric regression. *Econometrica*,
    56(4), 931-954.
    """
    b = _blocks(panel, spec, options.poly_degree, "rob")
    n = b.y.shape[0]
    nt, nc = b.terms.shape[1], b.controls.shape[1]
    one = np.ones((n, 1))
    x = np.hstack([b.terms, b.controls, one, b.h_lag])
    z = np.hstack([b.terms_iv, b.controls, one, b.h_lag])
    fix = "lower poly_degree, drop collinear inputs or controls, or use a longer panel"
    w = _zz_inv(z, n)
    check_identified(x, z, w, "rob", fix)
    theta = gmm(b.y, x, z, w)
    u = b.y - x @ theta
    s = cluster_meat(z * u[:, None], b.firm)
    zx = z.T @ x
    kx = x.shape[1]
    if options.vcov == "cluster":
        vcov = sandwich(zx, w, s)
    else:
        if n <= kx:
            raise IdentificationError(
                f"rob: {n} usable rows for {kx} coefficients leave no residual degrees of "
                "freedom",
                fix="use a longer panel or a lower poly_degree",
            )
        vcov = classical_vcov(zx, z, float(u @ u) / (n - kx))
    j, jdf, jp, _ = hansen_j(b.y, x, z, s)
    k = nt + nc + 1
    prof = ProfiledGMM(y=b.y, x_beta=x[:, :nt], x_rest=x[:, nt:], z=z, w=w, n=n)
    obj = profiled_criterion(theta[:nt], prof)
    return Fit(
        params=theta[:k].copy(),
        names=(*spec.terms, *spec.control, "const"),
        vcov=vcov[:k, :k].copy(),
        sample=b.sample,
        convergence=Convergence.closed_form(obj),
        objective=obj,
        objective_fn=partial(profiled_criterion, problem=prof),
        dropped=b.dropped,
        inference=Inference.analytic(
            options.vcov,
            spec.id,
            "t" if options.vcov == "classical" else "normal",
            int(n - kx),
        ),
        details=Wooldridge(
            theta.copy(),
            (*spec.terms, *spec.control, "const", *(f"h_lag:{m}" for m in b.h_names)),
            j,
            jdf,
            jp,
        ),
    )
