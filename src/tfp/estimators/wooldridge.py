"""Linear Wooldridge-type estimators: joint GMM (``wrdg``), stacked 2SLS (``wrdg-iv``) and the
Robinson-Wooldridge single-equation IV (``rob``).

All three replace productivity by a polynomial ``h`` in the state inputs and proxies (no
constant) and instrument the free inputs by their one-period lag. Lags are gap-aware
(:meth:`tfp.panel.Panel.lag_index`): a row whose firm is not observed in ``t - 1`` cannot be
used and is counted under ``first_period_lag`` or ``gap``. Everything is closed form, so
``fit`` is deterministic and fast (the firm bootstrap re-runs it).

Each ``fit_*`` takes the validated panel (holding ``spec.columns()``), the roles (``proxy``
and ``state`` needed; value added only) and its options, and returns a
:class:`~tfp.estimators.fit.Fit` with ``params`` = terms, controls, ``const``. They raise
:class:`~tfp.exceptions.SpecificationError` without a proxy or state input or with a flexible
input, and :class:`~tfp.exceptions.IdentificationError` for a proxy or input without
variation, no usable lags or collinear regressors.

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
from tfp.panel import Panel, lag_drops
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
    spec.require(method, "proxy", "state")
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
    sample = idx >= 0
    dropped = lag_drops(panel.lag_reasons(1))
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
            f"no row has a one-period lag ({dropped.get('first_period_lag', 0)} first "
            f"periods, {dropped.get('gap', 0)} gaps)",
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


#: The fix offered when a Wooldridge design is not identified.
_FIX = "lower poly_degree, drop collinear inputs or controls, or use a longer panel"


def _estimate(
    y: np.ndarray,
    x: np.ndarray,
    z: np.ndarray,
    scores: Any,
    firm: np.ndarray,
    *,
    what: str,
    vcov: str,
    dof: int,
    steps: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, int, float]]:
    """Linear GMM with weight ``(Z'Z/n)^+`` (``n = len(y)``; ``steps=2``: then the efficient
    weight), its firm-clustered (``scores(u)``: per-row moment contributions) or classical
    covariance (residual variance ``u'u / dof``) and Hansen's J. Returns the coefficients,
    covariance, weight and ``(J, df, p)``."""
    n = y.shape[0]
    w = np.linalg.pinv(z.T @ z / n)
    check_identified(x, z, w, what, _FIX)
    theta = gmm(y, x, z, w)
    s = cluster_meat(scores(y - x @ theta), firm)
    j, jdf, jp, theta2 = hansen_j(y, x, z, s)
    if steps == 2:
        theta, w = theta2, np.linalg.pinv(s / n)
        s = cluster_meat(scores(y - x @ theta), firm)
    u = y - x @ theta
    zx = z.T @ x
    if vcov == "cluster":
        return theta, sandwich(zx, w, s), w, (j, jdf, jp)
    if dof <= 0:
        raise IdentificationError(
            f"{what}: {n} usable rows for {x.shape[1]} coefficients leave no residual "
            "degrees of freedom",
            fix="use a longer panel or a lower poly_degree",
        )
    return theta, classical_vcov(zx, z, float(u @ u) / dof), w, (j, jdf, jp)


def _result(
    spec: ProductionSpec,
    b: _Blocks,
    theta: np.ndarray,
    vcov: np.ndarray | None,
    order: list[int],
    beta: slice,
    prof: ProfiledGMM | None,
    **fields: Any,
) -> Fit:
    """The :class:`Fit` of the coefficients ``theta[order]`` (terms, controls, ``const``),
    its criterion profiled at the production coefficients ``theta[beta]`` (if ``prof``)."""
    obj = None if prof is None else profiled_criterion(theta[beta], prof)
    return Fit(
        params=theta[order],
        names=(*spec.terms, *spec.control, "const"),
        vcov=None if vcov is None else vcov[np.ix_(order, order)],
        sample=b.sample,
        convergence=Convergence.closed_form(float("nan") if obj is None else obj),
        objective=obj,
        objective_fn=None
        if prof is None
        else partial(profiled_criterion, problem=prof),
        dropped=b.dropped,
        **fields,
    )


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

    ``details``: :class:`Wooldridge` (J test, every coefficient, instruments, steps);
    ``phi``: fitted equation 1.
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

    def scores(u: np.ndarray) -> np.ndarray:
        return np.hstack([z1 * u[:n, None], z2 * u[n:, None]])

    theta, vcov, w, (j, jdf, jp) = _estimate(
        y, x, z, scores, b.firm, what="wrdg", vcov=options.vcov, dof=2 * n,
        steps=options.steps,
    )  # fmt: skip
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
    details = Wooldridge(theta.copy(), names_all, j, jdf, jp, l1 + l2, options.steps)
    inference = Inference.analytic(options.vcov, spec.id)
    phi = _phi(panel, b, x1 @ theta)
    return _result(spec, b, theta, vcov, list(range(k)), slice(0, nt), prof,
                   phi=phi, inference=inference, details=details)  # fmt: skip


# ---- wrdg-iv: stacked 2SLS ---------------------------------------------------------------
def fit_iv(panel: Panel, spec: ProductionSpec, options: WooldridgeIVOptions) -> Fit:
    """Wooldridge (2009) as one 2SLS on the stacked level and Markov equations.

    Rows of equation 1 ``(1, 0, T, C, H)`` over rows of equation 2 ``(1, 1, T, C, H_{t-1})``,
    all coefficients shared except the equation-2 intercept (unit-slope Markov process);
    instruments replace the free inputs in ``T`` by their lags. See
    :class:`~tfp.options.wooldridge.WooldridgeIVOptions` for the prodest variant.

    ``details``: :class:`Wooldridge` with the equation-2 intercept ``markov_drift`` (NaN
    without one) and, for the ordinary 2SLS (``instrument_constant=True``), the J test.
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
    diagnostics: tuple[str, ...] = ()
    j_stat: float | None = None
    j_df: int | None = None
    j_p: float | None = None
    if options.instrument_constant:
        z = np.hstack([*e0, slopes_z, const])

        def scores(u: np.ndarray) -> np.ndarray:
            sc = z * u[:, None]
            return sc[:n] + sc[n:]

        theta, vc, w, (j_stat, j_df, j_p) = _estimate(
            y, x, z, scores, b.firm, what="wrdg-iv", vcov=options.vcov, dof=2 * n
        )
        vcov: np.ndarray | None = vc
        ne = len(e0)
        prof = ProfiledGMM(
            y=y,
            x_beta=x[:, ne : ne + nt],
            x_rest=np.hstack([x[:, :ne], x[:, ne + nt :]]),
            z=z,
            w=w,
            n=2 * n,
        )
    else:
        # R prodest: project the regressors (without constant) on instruments without a
        # constant, then regress output on a constant and the projections.
        xs = x[:, :-1]
        z = np.hstack([*e0, slopes_z])
        check_rank(z, what="wrdg-iv instruments", fix=_FIX)
        xhat = z @ np.linalg.lstsq(z, xs, rcond=None)[0]
        d = np.hstack([xhat, const])
        check_rank(d, what="wrdg-iv", fix=_FIX)
        theta = np.linalg.lstsq(d, y, rcond=None)[0]
        vcov, prof = None, None
        diagnostics = (
            "wrdg-iv with instrument_constant=False (R prodest's convention) has no "
            "analytic covariance; standard errors come from the bootstrap",
        )
    ne = len(e0)
    beta = theta[ne : ne + nt]
    delta = theta[ne + nt : ne + nt + nc]
    lam = theta[ne + nt + nc : -1]
    order = [*range(ne, ne + nt + nc), theta.shape[0] - 1]
    fitted1 = theta[-1] + b.terms @ beta + b.controls @ delta + b.h @ lam
    names = (*spec.terms, *spec.control, "const", *(f"h:{m}" for m in b.h_names))
    drift = float(theta[0]) if ne else float("nan")
    all_coef = np.concatenate([theta[order], lam])
    details = Wooldridge(all_coef, names, j_stat, j_df, j_p, markov_drift=drift)
    inference = None if vcov is None else Inference.analytic(options.vcov, spec.id)
    return _result(spec, b, theta, vcov, order, slice(ne, ne + nt), prof,
                   phi=_phi(panel, b, fitted1), inference=inference, details=details,
                   diagnostics=diagnostics)  # fmt: skip


# ---- rob: Robinson-Wooldridge IV ---------------------------------------------------------
def fit_rob(panel: Panel, spec: ProductionSpec, options: RobinsonOptions) -> Fit:
    """Robinson-Wooldridge IV: equation 2 of Wooldridge (2009) alone, by 2SLS.

    ``y = a + T b + C d + H_{t-1} l + u`` with instruments ``(1, T*, C, H_{t-1})``, where
    ``T*`` replaces the free inputs in the terms by their lags.

    ``details``: :class:`Wooldridge` (Hansen J, every coefficient).

    References
    ----------
    Robinson, P. M. (1988). Root-N-consistent semiparametric regression. *Econometrica*,
    56(4), 931-954.
    """
    b = _blocks(panel, spec, options.poly_degree, "rob")
    n = b.y.shape[0]
    nt, nc = b.terms.shape[1], b.controls.shape[1]
    one = np.ones((n, 1))
    x = np.hstack([b.terms, b.controls, one, b.h_lag])
    z = np.hstack([b.terms_iv, b.controls, one, b.h_lag])
    kx = x.shape[1]
    theta, vcov, w, (j, jdf, jp) = _estimate(
        b.y, x, z, lambda u: z * u[:, None], b.firm, what="rob", vcov=options.vcov,
        dof=n - kx,
    )  # fmt: skip
    k = nt + nc + 1
    prof = ProfiledGMM(y=b.y, x_beta=x[:, :nt], x_rest=x[:, nt:], z=z, w=w, n=n)
    dist = "t" if options.vcov == "classical" else "normal"
    inference = Inference.analytic(options.vcov, spec.id, dist, int(n - kx))
    names = (*spec.terms, *spec.control, "const", *(f"h_lag:{m}" for m in b.h_names))
    details = Wooldridge(theta.copy(), names, j, jdf, jp)
    fitted = _phi(panel, b, x @ theta)  # the IV equation's fitted output
    return _result(spec, b, theta, vcov, list(range(k)), slice(0, nt), prof,
                   fitted=fitted, inference=inference, details=details)  # fmt: skip
