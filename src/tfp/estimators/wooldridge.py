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
from scipy import stats

from tfp.estimators.base import Convergence, Fit
from tfp.exceptions import IdentificationError, SpecificationError
from tfp.numerics.identification import (
    IdentificationStats,
    WeakInstruments,
    kleibergen_paap_f,
    r_squared,
    sanderson_windmeijer_f,
)
from tfp.numerics.poly import poly_basis, poly_names, term_exponents
from tfp.numerics.units import centring_map, raw_coefficients, standardise
from tfp.options.wooldridge import (
    RobinsonOptions,
    WooldridgeIVOptions,
    WooldridgeOptions,
)
from tfp.panel import Panel
from tfp.spec import ProductionSpec, term_matrix

__all__ = ["fit_gmm", "fit_iv", "fit_rob"]

#: Smallest eigenvalue, relative to the largest, of a column-scaled Gram matrix that counts
#: as full rank (a singular-value ratio of 1e-6: exact collinearity gives ~1e-16).
_GRAM_RTOL = 1e-12


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


# ---- linear GMM algebra ------------------------------------------------------------------
def _check_rank(gram: np.ndarray, n_rows: int, what: str, fix: str) -> None:
    """Raise unless the (k, k) Gram matrix ``A'A`` of a design ``A`` has full rank ``k``."""
    k = gram.shape[0]
    if n_rows < k:
        raise IdentificationError(
            f"{what}: {n_rows} usable rows for {k} coefficients", fix=fix
        )
    d = np.sqrt(np.abs(np.diag(gram)))
    if np.any(d == 0.0):
        raise IdentificationError(
            f"{what}: a regressor or instrument is identically zero in the sample",
            fix=fix,
        )
    ev = np.linalg.eigvalsh(gram / np.outer(d, d))
    if ev[0] <= _GRAM_RTOL * ev[-1]:
        raise IdentificationError(
            f"{what}: the regressors are collinear or not identified by the instruments",
            fix=fix,
        )


def _check_design(
    x: np.ndarray, z: np.ndarray, w: np.ndarray, what: str, fix: str
) -> None:
    """Full column rank of the instruments and of the projected regressors."""
    _check_rank(z.T @ z, z.shape[0], f"{what} instruments", fix)
    zx = z.T @ x
    _check_rank(zx.T @ w @ zx, x.shape[0], what, fix)


def _gmm(y: np.ndarray, x: np.ndarray, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Linear GMM ``argmin (Z'(y - Xb))' W (Z'(y - Xb))``."""
    zx = z.T @ x
    a = zx.T @ w @ zx
    return np.linalg.solve(a, zx.T @ w @ (z.T @ y))


def _cluster_scores(scores: np.ndarray, firm: np.ndarray) -> np.ndarray:
    """Sum rows of ``scores`` within firms (``firm`` sorted non-decreasing)."""
    starts = np.flatnonzero(np.r_[True, firm[1:] != firm[:-1]])
    return np.add.reduceat(scores, starts, axis=0)


def _sandwich(zx: np.ndarray, w: np.ndarray, s: np.ndarray) -> np.ndarray:
    a_inv = np.linalg.inv(zx.T @ w @ zx)
    b = zx.T @ w @ s @ w @ zx
    v = a_inv @ b @ a_inv
    return (v + v.T) / 2.0


def _hansen_j(
    y: np.ndarray, x: np.ndarray, z: np.ndarray, s: np.ndarray
) -> tuple[float, int, float, np.ndarray]:
    """Hansen J with the efficient weight ``S^{-1}`` at the two-step estimate."""
    w2 = np.linalg.pinv(s)
    b2 = _gmm(y, x, z, w2)
    g = z.T @ (y - x @ b2)
    df = int(z.shape[1] - x.shape[1])
    j = (
        float(g @ w2 @ g) if df > 0 else 0.0
    )  # exactly identified: J is 0 up to rounding
    p = float(stats.chi2.sf(j, df)) if df > 0 else float("nan")
    return j, df, p, b2


@dataclass(frozen=True)
class _Profile:
    """Data of a linear GMM criterion with the non-production coefficients concentrated out."""

    y: np.ndarray
    x_beta: np.ndarray  # columns of the production terms
    x_rest: np.ndarray  # every other column
    z: np.ndarray
    w: np.ndarray  # weight for the moment means Z'u / n
    n: int


def _profile_objective(beta: Any, problem: _Profile) -> float:
    """``ḡ' W ḡ`` at production coefficients ``beta``, minimised over the rest."""
    b = np.asarray(beta, dtype=np.float64).ravel()
    k = problem.x_beta.shape[1]
    if b.shape[0] != k:
        raise SpecificationError(
            f"objective_fn takes {k} production-term coefficients, got {b.shape[0]}",
            fix="pass one value per term, in spec.terms order",
        )
    r = problem.y - problem.x_beta @ b
    if problem.x_rest.shape[1]:
        r = r - problem.x_rest @ _gmm(r, problem.x_rest, problem.z, problem.w)
    g = problem.z.T @ r / problem.n
    return float(g @ problem.w @ g)


def _zz_inv(z: np.ndarray, n: int) -> np.ndarray:
    return np.linalg.pinv(z.T @ z / n)


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
        ``params``: terms, controls, ``const``. ``extra``: ``j_stat``, ``j_df``,
        ``j_pvalue``, ``coef_all``/``coef_names`` (every coefficient, nuisance included),
        ``n_instruments``. ``phi``: fitted equation 1.

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
    fix = "lower poly_degree, drop collinear inputs or controls, or use a longer panel"
    w1 = _zz_inv(z, 2 * n)
    _check_design(x, z, w1, "wrdg", fix)
    theta = _gmm(y, x, z, w1)
    u = y - x @ theta
    obs_scores = np.hstack([z1 * u[:n, None], z2 * u[n:, None]])
    s = _cluster_scores(obs_scores, b.firm)
    s = s.T @ s
    j, jdf, jp, theta2 = _hansen_j(y, x, z, s)
    w = w1
    if options.steps == 2:
        theta, w = theta2, np.linalg.pinv(s / (2 * n))
        u = y - x @ theta
        obs_scores = np.hstack([z1 * u[:n, None], z2 * u[n:, None]])
        s = _cluster_scores(obs_scores, b.firm)
        s = s.T @ s
    zx = z.T @ x
    if options.vcov == "cluster":
        vcov = _sandwich(zx, w, s)
    else:
        sigma2 = float(u @ u) / (2 * n)
        vcov = sigma2 * np.linalg.inv(zx.T @ np.linalg.pinv(z.T @ z) @ zx)
        vcov = (vcov + vcov.T) / 2.0
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
    coef, vcov_raw = raw_coefficients(
        theta,
        b.a_map,
        a0_level,
        const=k - 1,
        vcov=vcov,
        const_from=(np.arange(k, k + nh1), b.h0[keep_h]),
    )
    assert vcov_raw is not None
    params, vcov_k = coef[:k], vcov_raw[:k, :k]
    t1_raw = b.terms_raw.copy()
    t1_raw[:, out_level] = 0.0
    prof = _Profile(
        y=y,
        x_beta=np.vstack([t1_raw, b.terms_raw]),
        x_rest=x[:, nt:],
        z=z,
        w=w,
        n=2 * n,
    )
    obj = _profile_objective(params[:nt], prof)
    return Fit(
        params=params,
        names=(*spec.terms, *spec.control, "const"),
        vcov=vcov_k,
        sample=b.sample,
        convergence=Convergence.closed_form(obj),
        objective=obj,
        objective_fn=partial(_profile_objective, problem=prof),
        phi=_phi(panel, b, x1 @ theta),
        dropped=b.dropped,
        se_kind="normal",
        extra={
            "j_stat": j,
            "j_df": jdf,
            "j_pvalue": jp,
            "coef_all": coef,
            "coef_names": names_all,
            "n_instruments": l1 + l2,
            "steps": options.steps,
        },
        identification=IdentificationStats(
            instruments=_strength(b, spec),
            dependence=(
                *_level_dependence(b, spec, panel.matrix(spec.free)[b.sample]),
                *_instrument_dependence(b, spec, _lagged_free(panel, spec, b)),
            ),
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
        ``params``: terms, controls, ``const``. ``extra``: ``markov_drift`` (the equation-2
        intercept, NaN without one), ``coef_all``/``coef_names``, and for the ordinary 2SLS
        (``instrument_constant=True``) the Hansen J test ``j_stat``, ``j_df``, ``j_pvalue``.

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
    b = _blocks(
        panel,
        spec,
        options.poly_degree,
        "wrdg-iv",
        centred=options.instrument_constant,  # prodest's projection is not shift invariant
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
    fix = "lower poly_degree, drop collinear inputs or controls, or use a longer panel"
    diagnostics: tuple[str, ...] = ()
    extra: dict[str, Any] = {}
    if options.instrument_constant:
        z = np.hstack([*e0, slopes_z, const])
        w = _zz_inv(z, 2 * n)
        _check_design(x, z, w, "wrdg-iv", fix)
        theta = _gmm(y, x, z, w)
        u = y - x @ theta
        sc = z * u[:, None]
        s = _cluster_scores(sc[:n] + sc[n:], b.firm)
        s = s.T @ s
        zx = z.T @ x
        if options.vcov == "cluster":
            vcov: np.ndarray | None = _sandwich(zx, w, s)
        else:
            v = (
                float(u @ u)
                / (2 * n)
                * np.linalg.inv(zx.T @ np.linalg.pinv(z.T @ z) @ zx)
            )
            vcov = (v + v.T) / 2.0
        j, jdf, jp, _ = _hansen_j(y, x, z, s)
        extra.update(j_stat=j, j_df=jdf, j_pvalue=jp)
        ne = len(e0)
        prof: _Profile | None = _Profile(
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
        _check_rank(z.T @ z, 2 * n, "wrdg-iv instruments", fix)
        xhat = z @ np.linalg.lstsq(z, xs, rcond=None)[0]
        d = np.hstack([xhat, const])
        _check_rank(d.T @ d, 2 * n, "wrdg-iv", fix)
        theta = np.linalg.lstsq(d, y, rcond=None)[0]
        vcov = None
        prof = None
        diagnostics = (
            "wrdg-iv with instrument_constant=False (R prodest's convention) has no "
            "analytic covariance; standard errors come from the bootstrap",
        )
    ne = len(e0)
    lam = theta[ne + nt + nc : -1]
    fitted1 = theta[-1] + np.hstack([b.terms, b.controls, b.h]) @ theta[ne:-1]
    nh = lam.shape[0]
    order = [
        *range(ne, ne + nt + nc),
        theta.shape[0] - 1,
        *range(ne + nt + nc, ne + nt + nc + nh),
    ]
    coef, vcov = raw_coefficients(
        theta[order],
        b.a_map,
        b.a0,
        const=nt + nc,
        vcov=None if vcov is None else vcov[np.ix_(order, order)],
        const_from=(np.arange(nt + nc + 1, nt + nc + 1 + nh), b.h0),
    )
    params = coef[: nt + nc + 1]
    if vcov is not None:
        vcov = vcov[: nt + nc + 1, : nt + nc + 1]
    obj = None if prof is None else _profile_objective(params[:nt], prof)
    objective_fn = None if prof is None else partial(_profile_objective, problem=prof)
    extra.update(
        markov_drift=float(theta[0]) if ne else float("nan"),
        coef_all=coef,
        coef_names=(
            *spec.terms,
            *spec.control,
            "const",
            *(f"h:{m}" for m in b.h_names),
        ),
    )
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
        se_kind="normal",
        extra=extra,
        diagnostics=diagnostics,
        identification=IdentificationStats(
            instruments=_strength(b, spec, stacked=True),
            dependence=_instrument_dependence(b, spec, _lagged_free(panel, spec, b)),
        ),
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
        ``params``: terms, controls, ``const``; ``extra``: Hansen J (``j_stat``, ``j_df``,
        ``j_pvalue``), ``coef_all``/``coef_names``.

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
    _check_design(x, z, w, "rob", fix)
    theta = _gmm(b.y, x, z, w)
    u = b.y - x @ theta
    s = _cluster_scores(z * u[:, None], b.firm)
    s = s.T @ s
    zx = z.T @ x
    kx = x.shape[1]
    if options.vcov == "cluster":
        vcov = _sandwich(zx, w, s)
    else:
        if n <= kx:
            raise IdentificationError(
                f"rob: {n} usable rows for {kx} coefficients leave no residual degrees of "
                "freedom",
                fix="use a longer panel or a lower poly_degree",
            )
        v = float(u @ u) / (n - kx) * np.linalg.inv(zx.T @ np.linalg.pinv(z.T @ z) @ zx)
        vcov = (v + v.T) / 2.0
    j, jdf, jp, _ = _hansen_j(b.y, x, z, s)
    k = nt + nc + 1
    coef, vcov_raw = raw_coefficients(
        theta,
        b.a_map,
        b.a0,
        const=k - 1,
        vcov=vcov,
        const_from=(np.arange(k, theta.shape[0]), b.h0),
    )
    assert vcov_raw is not None
    params, vcov_k = coef[:k], vcov_raw[:k, :k]
    prof = _Profile(y=b.y, x_beta=b.terms_raw, x_rest=x[:, nt:], z=z, w=w, n=n)
    obj = _profile_objective(params[:nt], prof)
    return Fit(
        params=params,
        names=(*spec.terms, *spec.control, "const"),
        vcov=vcov_k,
        sample=b.sample,
        convergence=Convergence.closed_form(obj),
        objective=obj,
        objective_fn=partial(_profile_objective, problem=prof),
        dropped=b.dropped,
        se_kind="t" if options.vcov == "classical" else "normal",
        df_resid=int(n - kx),
        extra={
            "j_stat": j,
            "j_df": jdf,
            "j_pvalue": jp,
            "coef_all": coef,
            "coef_names": (
                *spec.terms,
                *spec.control,
                "const",
                *(f"h_lag:{m}" for m in b.h_names),
            ),
        },
        identification=IdentificationStats(
            instruments=_strength(b, spec),
            dependence=_instrument_dependence(b, spec, _lagged_free(panel, spec, b)),
        ),
    )
