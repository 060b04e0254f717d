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

from tfp.estimators.fit import Details, Fit, identification_wanted
from tfp.exceptions import IdentificationError, SpecificationError
from tfp.numerics.identification import (
    IdentificationStats,
    WeakInstruments,
    kleibergen_paap_f,
    r_squared,
    sanderson_windmeijer_f,
)
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
from tfp.numerics.poly import poly_basis, poly_names, term_exponents
from tfp.numerics.units import centring_map, raw_coefficients, standardise
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
    terms: np.ndarray  # production terms (of centred inputs when ``centred``)
    terms_iv: np.ndarray  # terms with free inputs replaced by their lag
    terms_raw: np.ndarray  # production terms of the inputs as given
    controls: np.ndarray
    h: np.ndarray  # polynomial in (state, proxy), current
    h_lag: np.ndarray  # same polynomial in the lagged variables
    h_names: tuple[str, ...]
    a_map: np.ndarray  # raw term coefficients = a_map @ centred ones
    a0: np.ndarray  # the intercept gains a0 @ centred term coefficients
    h0: np.ndarray  # h at the raw origin (the intercept gains h0 @ h's coefficients)


def _check_spec(spec: ProductionSpec, method: str) -> None:
    spec.require(method, "proxy", "state")
    if spec.flexible:
        raise SpecificationError(
            f"method {method!r} is implemented for value added; the flexible role "
            f"({', '.join(spec.flexible)}) is not supported",
            fix="use method='gnr' for gross output, or drop flexible and use value added",
        )


def _blocks(
    panel: Panel,
    spec: ProductionSpec,
    degree: int,
    method: str,
    *,
    centred: bool = True,
) -> _Blocks:
    """The estimation arrays. With ``centred`` (every unit-invariant variant), the polynomial
    ``h`` is built from the standardised (state, proxy) and the production terms from inputs
    centred at their sample means (:mod:`tfp.numerics.units`): the same column spaces, so the
    same fit, but well conditioned whatever the units; ``a_map``/``a0`` map the coefficients
    back to the raw terms. Without it (prodest's conventions, which are not unit invariant)
    everything is raw."""
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
    mu = np.zeros(x.shape[1])
    origin = np.zeros((1, len(hv)))
    if centred:
        hx_all, h_mean, h_sd = standardise(hx_all)
        origin = -h_mean[None, :] / h_sd
        if rows.size:
            mu = x.mean(axis=0)
    a_map, a0 = centring_map(term_exponents(x.shape[1], spec.form), mu)
    h = poly_basis(hx_all[rows], degree, include_constant=False)
    h_lag = poly_basis(hx_all[lag_rows], degree, include_constant=False)
    blocks = _Blocks(
        sample=sample,
        dropped=dropped,
        firm=np.ascontiguousarray(panel.firm[rows]),
        y=np.ascontiguousarray(panel[spec.output][rows]),
        terms=term_matrix(x - mu, spec.inputs, spec.form),
        terms_iv=term_matrix(x_iv - mu, spec.inputs, spec.form),
        terms_raw=term_matrix(x, spec.inputs, spec.form),
        controls=panel.matrix(spec.control)[rows],
        h=h,
        h_lag=h_lag,
        h_names=poly_names(hv, degree, include_constant=False),
        a_map=a_map,
        a0=a0,
        h0=poly_basis(origin, degree, include_constant=False)[0],
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


def _raw(
    b: _Blocks,
    theta: np.ndarray,
    vcov: np.ndarray | None,
    order: list[int],
    h_at: np.ndarray,
    h0: np.ndarray,
    a0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Coefficients on the raw terms from ``theta`` of the centred design: ``theta[order]``
    is (terms, controls, ``const``, then the rest); the intercept gains the value at the raw
    origin of the centred terms (``a0``, default ``b.a0``) and of ``h`` (coefficients at
    positions ``h_at`` of the reordered vector, ``h0`` its monomials there). Returns every
    coefficient in that order and the covariance of the first ``len(terms) + len(controls)
    + 1``."""
    k = b.terms.shape[1] + b.controls.shape[1] + 1
    coef, v = raw_coefficients(
        theta[order],
        b.a_map,
        b.a0 if a0 is None else a0,
        const=k - 1,
        vcov=None if vcov is None else vcov[np.ix_(order, order)],
        const_from=(h_at, h0),
    )
    return coef, None if v is None else v[:k, :k]


def _result(
    spec: ProductionSpec,
    b: _Blocks,
    coef: np.ndarray,
    vcov: np.ndarray | None,
    prof: ProfiledGMM | None,
    **fields: Any,
) -> Fit:
    """The :class:`Fit` of the raw coefficients ``coef`` (terms, controls, ``const``, then
    nuisance ones), its criterion profiled at the production coefficients (if ``prof``,
    whose ``x_beta`` holds the raw terms)."""
    k = len(spec.terms) + len(spec.control) + 1
    obj = None if prof is None else profiled_criterion(coef[: len(spec.terms)], prof)
    return Fit(
        params=coef[:k].copy(),
        names=(*spec.terms, *spec.control, "const"),
        vcov=vcov,
        sample=b.sample,
        convergence=Convergence.closed_form(float("nan") if obj is None else obj),
        objective=obj,
        objective_fn=None
        if prof is None
        else partial(profiled_criterion, problem=prof),
        dropped=b.dropped,
        **fields,
    )


def _strength(
    b: _Blocks, spec: ProductionSpec, *, stacked: bool = False
) -> WeakInstruments:
    """First-stage strength of the lagged free inputs as instruments of the free terms: in
    the Markov equation (``wrdg``, ``rob``) or in the stacked system (``wrdg-iv``)."""
    exps = term_exponents(len(spec.inputs), spec.form)
    free = exps[:, : len(spec.free)].any(axis=1)
    f, s = np.flatnonzero(free), np.flatnonzero(~free)
    n = b.y.shape[0]
    if stacked:
        endog = np.vstack([b.terms[:, f], b.terms[:, f]])
        instr = np.vstack([b.terms_iv[:, f], b.terms_iv[:, f]])
        eq2 = np.r_[np.zeros(n), np.ones(n)][:, None]
        exog = np.hstack(
            [
                np.ones((2 * n, 1)),
                eq2,
                np.vstack([b.terms[:, s], b.terms[:, s]]),
                np.vstack([b.controls, b.controls]),
                np.vstack([b.h, b.h_lag]),
            ]
        )
        firm = np.concatenate([b.firm, b.firm])
    else:
        endog, instr, firm = b.terms[:, f], b.terms_iv[:, f], b.firm
        exog = np.hstack([np.ones((n, 1)), b.terms[:, s], b.controls, b.h_lag])
    names = tuple(spec.terms[i] for i in f)
    return WeakInstruments(
        endog=names,
        instruments=tuple(f"{t} (lagged free inputs)" for t in names),
        kp_f=kleibergen_paap_f(endog, instr, exog, firm),
        sw_f=tuple(float(v) for v in sanderson_windmeijer_f(endog, instr, exog, firm)),
    )


def _level_dependence(
    b: _Blocks, spec: ProductionSpec, x_free: np.ndarray
) -> tuple[tuple[str, float], ...]:
    """R² of each free input on (1, controls, h(state, proxy)): the level equation uses the
    free inputs as their own instruments beside h, as LP's first stage does."""
    basis = np.hstack([np.ones((x_free.shape[0], 1)), b.controls, b.h])
    return tuple(
        (name, float(r2))
        for name, r2 in zip(spec.free, r_squared(x_free, basis), strict=True)
    )


def _instrument_dependence(
    b: _Blocks, spec: ProductionSpec, x_free_lag: np.ndarray
) -> tuple[tuple[str, float], ...]:
    """R² of each lagged free input (the excluded instrument of the Markov equation) on that
    equation's exogenous regressors (1, state terms, controls, h(state, proxy) lagged): near
    1, the instrument's identifying variation is a sliver left by the lagged polynomial, the
    functional dependence of ACF (2015) one period back."""
    exps = term_exponents(len(spec.inputs), spec.form)
    s = np.flatnonzero(~exps[:, : len(spec.free)].any(axis=1))
    basis = np.hstack(
        [np.ones((x_free_lag.shape[0], 1)), b.terms[:, s], b.controls, b.h_lag]
    )
    return tuple(
        (f"{name}_lag", float(r2))
        for name, r2 in zip(spec.free, r_squared(x_free_lag, basis), strict=True)
    )


def _lagged_free(panel: Panel, spec: ProductionSpec, b: _Blocks) -> np.ndarray:
    idx = panel.lag_index(1)
    return panel.matrix(spec.free)[idx[b.sample]]


def _phi(panel: Panel, b: _Blocks, fitted: np.ndarray) -> np.ndarray:
    out = np.full(panel.nobs, np.nan)
    out[b.sample] = fitted
    return out


# ---- wrdg: joint GMM on the two equations ------------------------------------------------
def fit_gmm(panel: Panel, spec: ProductionSpec, options: WooldridgeOptions) -> Fit:
    """Wooldridge (2009) by one-step GMM on the level and Markov equations jointly.

    Equation 1: ``y = a1 + T_F b_F + C d + H l1 + e`` with instruments ``(1, T_F, C, H)``,
    ``T_F`` the terms with a free input (the state inputs' own terms are monomials of ``H``,
    which absorbs them); equation 2: ``y = a1 + T b + C d + a2 + H_{t-1} l2 + u`` with
    instruments ``(1, T*, C, H_{t-1})`` (``T*``: terms with the free inputs lagged), which
    alone identifies the state coefficients. ``options.shared_state_terms`` is prodest's
    variant (those terms in equation 1 with the coefficients of equation 2, ``H`` without
    them; not unit invariant). Weight ``blockdiag(Z1'Z1, Z2'Z2)^{-1}`` (or the efficient one
    with ``steps=2``). Computed on centred terms and a standardised ``H`` (the same fit in any
    money units); coefficients are reported on the raw terms, and ``coef_all``'s ``h``
    coefficients are those of the standardised monomials.

    ``details``: :class:`Wooldridge` (J test, every coefficient, instruments, steps);
    ``phi``: fitted equation 1.
    """
    shared = options.shared_state_terms
    b = _blocks(panel, spec, options.poly_degree, "wrdg", centred=not shared)
    n = b.y.shape[0]
    if shared:  # prodest: h loses the monomials that are production terms
        keep_h = [j for j, nm in enumerate(b.h_names) if nm not in set(spec.terms)]
        in_level = list(range(len(spec.terms)))
    else:  # h is whole; terms that are monomials of h enter equation 2 only
        keep_h = list(range(len(b.h_names)))
        in_level = [i for i, t in enumerate(spec.terms) if t not in set(b.h_names)]
    out_level = [i for i in range(len(spec.terms)) if i not in in_level]
    h1 = b.h[:, keep_h]
    nt, nc, nh1, nh2 = (
        b.terms.shape[1],
        b.controls.shape[1],
        h1.shape[1],
        b.h_lag.shape[1],
    )
    one, zero = np.ones((n, 1)), np.zeros((n, 1))
    t1 = b.terms.copy()
    t1[:, out_level] = 0.0
    x1 = np.hstack([t1, b.controls, one, h1, zero, np.zeros((n, nh2))])
    x2 = np.hstack([b.terms, b.controls, one, np.zeros((n, nh1)), one, b.h_lag])
    z1 = np.hstack([one, b.terms[:, in_level], b.controls, h1])
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
    # the intercept is equation 1's: the value at the raw origin of its centred terms and h
    a0_level = b.a0.copy()
    a0_level[out_level] = 0.0
    coef, vcov_k = _raw(
        b, theta, vcov, list(range(theta.shape[0])), np.arange(k, k + nh1),
        b.h0[keep_h], a0_level,
    )  # fmt: skip
    t1_raw = b.terms_raw.copy()
    t1_raw[:, out_level] = 0.0
    prof = ProfiledGMM(
        y=y, x_beta=np.vstack([t1_raw, b.terms_raw]), x_rest=x[:, nt:], z=z, w=w,
        n=2 * n,
    )  # fmt: skip
    details = Wooldridge(coef, names_all, j, jdf, jp, l1 + l2, options.steps)
    inference = Inference.analytic(options.vcov, spec.id)
    phi = _phi(panel, b, x1 @ theta)
    identification = (
        IdentificationStats(
            instruments=_strength(b, spec),
            dependence=(
                *_level_dependence(b, spec, panel.matrix(spec.free)[b.sample]),
                *_instrument_dependence(b, spec, _lagged_free(panel, spec, b)),
            ),
        )
        if identification_wanted()
        else None
    )
    return _result(spec, b, coef, vcov_k, prof, phi=phi, inference=inference,
                   details=details, identification=identification)  # fmt: skip


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
    # prodest's projection (instrument_constant=False) is not shift invariant: kept raw
    b = _blocks(
        panel, spec, options.poly_degree, "wrdg-iv", centred=options.instrument_constant
    )
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
            x_beta=np.vstack([b.terms_raw, b.terms_raw]),
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
    nh = b.h.shape[1]
    fitted1 = theta[-1] + np.hstack([b.terms, b.controls, b.h]) @ theta[ne:-1]
    # terms, controls, const, then h's coefficients
    order = [
        *range(ne, ne + nt + nc),
        theta.shape[0] - 1,
        *range(ne + nt + nc, ne + nt + nc + nh),
    ]
    coef, vcov_k = _raw(
        b, theta, vcov, order, np.arange(nt + nc + 1, nt + nc + 1 + nh), b.h0
    )
    names = (*spec.terms, *spec.control, "const", *(f"h:{m}" for m in b.h_names))
    drift = float(theta[0]) if ne else float("nan")
    details = Wooldridge(coef, names, j_stat, j_df, j_p, markov_drift=drift)
    inference = None if vcov is None else Inference.analytic(options.vcov, spec.id)
    identification = (
        IdentificationStats(
            instruments=_strength(b, spec, stacked=True),
            dependence=_instrument_dependence(b, spec, _lagged_free(panel, spec, b)),
        )
        if identification_wanted()
        else None
    )
    return _result(spec, b, coef, vcov_k, prof, phi=_phi(panel, b, fitted1),
                   inference=inference, details=details, diagnostics=diagnostics,
                   identification=identification)  # fmt: skip


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
    coef, vcov_k = _raw(b, theta, vcov, list(range(kx)), np.arange(k, kx), b.h0)
    prof = ProfiledGMM(y=b.y, x_beta=b.terms_raw, x_rest=x[:, nt:], z=z, w=w, n=n)
    dist = "t" if options.vcov == "classical" else "normal"
    inference = Inference.analytic(options.vcov, spec.id, dist, int(n - kx))
    names = (*spec.terms, *spec.control, "const", *(f"h_lag:{m}" for m in b.h_names))
    details = Wooldridge(coef, names, j, jdf, jp)
    identification = (
        IdentificationStats(
            instruments=_strength(b, spec),
            dependence=_instrument_dependence(b, spec, _lagged_free(panel, spec, b)),
        )
        if identification_wanted()
        else None
    )
    fitted = _phi(panel, b, x @ theta)  # the IV equation's fitted output
    return _result(spec, b, coef, vcov_k, prof, fitted=fitted, inference=inference,
                   details=details, identification=identification)  # fmt: skip
