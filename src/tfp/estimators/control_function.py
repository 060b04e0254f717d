"""Control-function estimators: Olley–Pakes (``"op"``) and Levinsohn–Petrin (``"lp"``).

Both share one two-step procedure on a validated :class:`~tfp.panel.Panel`:

1. **First stage.** OLS of log output on the production terms that involve a free input
   (linearly), the controls (linearly) and a full polynomial in (state, flexible, proxy). Its
   fitted value is ``phi``; the free-term coefficients are final.
2. **Second stage.** For the remaining (state and flexible) coefficients θ, productivity is
   ω_t = phi_t − β_F·x_F − θ·x_S and the law of motion ω_t = g(ω_{t−1}) + ξ_t is the OLS fit
   of ω_t on a polynomial in ω_{t−1} (and the fitted exit probability with the attrition
   correction), solved in closed form inside the criterion. The criterion is the mean of the
   squared residuals ``y − β_F·x_F − θ·x_S − g(ω_{t−1})`` (value added; prodest's ``gOPLP``
   returns their sum, i.e. N times this value) or, in gross output, the GMM quadratic form
   of those residuals with instruments (state terms, lagged flexible terms).

Everything is arrays; lags come from ``panel.lag_index`` (a gap in a firm's years breaks the
lag). ``Fit.vcov`` is None: standard errors come from the firm-cluster bootstrap.

References
----------
Olley, G. S., & Pakes, A. (1996). The dynamics of productivity in the telecommunications
equipment industry. *Econometrica*, 64(6), 1263–1297. https://doi.org/10.2307/2171831

Levinsohn, J., & Petrin, A. (2003). Estimating production functions using inputs to control
for unobservables. *Review of Economic Studies*, 70(2), 317–341.
https://doi.org/10.1111/1467-937X.00246

Rovigatti, G., & Mollisi, V. (2018). Theory and practice of total-factor productivity
estimation: The control function approach using Stata. *Stata Journal*, 18(3), 618–662.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import Any

import numpy as np
from scipy import linalg, special
from scipy.optimize import OptimizeResult

from tfp._frozen import FrozenDict
from tfp._kernels.control_nb import cf_criterion_nb, cf_nelder_mead_nb
from tfp.estimators.base import Fit
from tfp.exceptions import ConvergenceWarning, IdentificationError, SpecificationError
from tfp.numerics.inference import qr_r
from tfp.numerics.optimize import minimize_multistart, sobol_starts
from tfp.numerics.poly import exponent_table, poly_basis, poly_names
from tfp.options.control_function import LPOptions, OPOptions, _ControlFunctionOptions
from tfp.panel import Panel
from tfp.spec import ProductionSpec, term_matrix

__all__ = ["fit_lp", "fit_op"]

#: Newton iterations stop when the largest step in the binary-model coefficients is below
#: this: far below any change that moves fitted probabilities at double precision.
BINARY_STEP_TOL = 1e-10
#: Newton iterations allowed for the survival model (it converges in < 15 on real data).
BINARY_MAX_ITER = 200
#: Relative tolerance of the rank checks of the first stage and the Markov regression: a
#: singular value below this fraction of the largest one counts as collinearity.
RANK_RTOL = 1e-10
#: Screening of starts on a firm subsample for large samples (``screen_nobs``): at most this
#: many subsample minima are polished on the full sample, those whose criterion is within
#: ``SCREEN_NOISE · var(ξ) · max(q, 1) / n`` of the best (differences of that order are
#: sampling noise of the subsample criterion).
SCREEN_KEEP = 3
SCREEN_NOISE = 10.0

#: Second-stage end points closer than this (relative, see ``minimize_multistart``) are one
#: minimum: the least-squares criterion is flat to rounding noise within ~1e-6 of its minimum
#: (curvature ~1 in the elasticities), while distinct minima lie orders of magnitude apart.
MERGE_TOL = 1e-4

#: SciPy's Nelder–Mead messages, by status (0 converged, 2 iteration limit).
_NM_MESSAGES = {
    0: "Optimization terminated successfully.",
    2: "Maximum number of iterations has been exceeded.",
}


# ---------------------------------------------------------------------------------------
# public entry points
# ---------------------------------------------------------------------------------------
def fit_op(panel: Panel, spec: ProductionSpec, options: OPOptions) -> Fit:
    """Estimate a production function by Olley & Pakes (1996), investment as the proxy.

    Parameters
    ----------
    panel : Panel
        Validated panel holding ``spec.columns()``.
    spec : ProductionSpec
        Roles; ``spec.proxy`` (investment) is required.
    options : OPOptions
        Tuning; see :class:`~tfp.options.control_function.OPOptions` for the defaults.

    Returns
    -------
    Fit
        ``params`` in ``spec.terms`` order then control coefficients; ``phi`` = first-stage
        fit; ``extra['markov']`` the law-of-motion coefficients at the estimate (names in
        ``extra['markov_names']``); ``objective``/``objective_fn`` the second-stage criterion;
        ``vcov`` None.

    Raises
    ------
    SpecificationError
        No proxy, wrong options, or the exit correction without an exit indicator.
    IdentificationError
        A proxy without variation, collinear first-stage regressors, too few rows with lags,
        no exit in the sample (exit correction).

    References
    ----------
    Olley, G. S., & Pakes, A. (1996). *Econometrica*, 64(6), 1263–1297.
    https://doi.org/10.2307/2171831
    """
    _check_options(options, OPOptions, "op")
    return _fit(panel, spec, options, method="op")


def fit_lp(panel: Panel, spec: ProductionSpec, options: LPOptions) -> Fit:
    """Estimate a production function by Levinsohn & Petrin (2003), an intermediate input as proxy.

    Parameters
    ----------
    panel : Panel
        Validated panel holding ``spec.columns()``.
    spec : ProductionSpec
        Roles; ``spec.proxy`` (materials, electricity) is required.
    options : LPOptions
        Tuning; see :class:`~tfp.options.control_function.LPOptions` for the defaults.

    Returns
    -------
    Fit
        As :func:`fit_op`.

    Raises
    ------
    SpecificationError, IdentificationError
        As :func:`fit_op`.

    References
    ----------
    Levinsohn, J., & Petrin, A. (2003). *Review of Economic Studies*, 70(2), 317–341.
    https://doi.org/10.1111/1467-937X.00246
    """
    _check_options(options, LPOptions, "lp")
    return _fit(panel, spec, options, method="lp")


# ---------------------------------------------------------------------------------------
# second-stage data and criterion (module level, so partials of them pickle)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Stage2:
    """Arrays of the second stage, rows = the second-stage sample (current and lagged)."""

    phi: np.ndarray  # first-stage fit net of controls (when netted), current
    phi_lag: np.ndarray  # same, at t-1
    y: np.ndarray  # output net of controls (when netted)
    xf: np.ndarray  # free terms, current (n, n_F)
    xf_lag: np.ndarray  # free terms at t-1
    xs: np.ndarray  # second-stage terms, current (n, n_S)
    xs_lag: np.ndarray  # second-stage terms at t-1
    prob: np.ndarray  # fitted exit probability (n, 0 or 1)
    z: np.ndarray  # GMM instruments (n, n_S), empty (n, 0) for least squares
    w: np.ndarray  # GMM weight (n_S, n_S)
    markov_degree: int
    f_index: tuple[int, ...]  # positions of free terms in spec.terms
    s_index: tuple[int, ...]  # positions of second-stage terms in spec.terms


def _residuals(
    theta: np.ndarray, beta_f: np.ndarray, d: _Stage2
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return (ξ+ε residuals, Markov coefficients), or None when g is not identified.

    The polynomial is built in the standardised ω_{t−1} (same span as in ω_{t−1} itself, so
    the same fit), which keeps the normal equations well conditioned; the returned
    coefficients are those of the raw ω_{t−1} polynomial.
    """
    xs_theta = d.xs @ theta
    omega = d.phi - d.xf @ beta_f - xs_theta
    omega_lag = d.phi_lag - d.xf_lag @ beta_f - d.xs_lag @ theta
    centre = float(omega_lag.mean())
    spread = float(omega_lag.std())
    if not (np.isfinite(spread) and spread > 0.0):
        return None
    h = _markov_basis((omega_lag - centre) / spread, d.prob, d.markov_degree)
    try:
        g = np.linalg.solve(h.T @ h, h.T @ omega)
    except np.linalg.LinAlgError:
        return None
    xi = d.y - d.xf @ beta_f - xs_theta - h @ g
    return xi, omega_lag


def _criterion(theta: np.ndarray, beta_f: np.ndarray, d: _Stage2) -> float:
    """Second-stage criterion at second-stage coefficients ``theta`` (inf if undefined):
    :func:`_residuals` and the quadratic form in one numba call (no N-row temporaries)."""
    args = (
        *_kernel_data(d, beta_f),
        np.ascontiguousarray(theta, dtype=np.float64),
        exponent_table(1 + d.prob.shape[1], d.markov_degree),
    )
    _, val, _ = cf_criterion_nb(*args)
    return float(val)


def _kernel_data(d: _Stage2, beta_f: np.ndarray) -> tuple[Any, ...]:
    """The second-stage arrays in the order of the control_nb kernels' arguments."""
    return (
        d.phi,
        d.phi_lag,
        d.y,
        d.xf,
        d.xf_lag,
        d.xs,
        d.xs_lag,
        d.prob,
        d.z,
        d.w,
        np.ascontiguousarray(beta_f, dtype=np.float64),
    )


def _nelder_mead(
    x0: np.ndarray, options: dict[str, Any], beta_f: np.ndarray, d: _Stage2
) -> OptimizeResult | None:
    """SciPy's Nelder–Mead on :func:`_criterion`, compiled (:func:`cf_nelder_mead_nb`: the
    same points, without SciPy's per-step overhead); None for the adaptive variant."""
    if options.get("adaptive") or "xatol" not in options:
        return None
    args = (
        *_kernel_data(d, beta_f),
        exponent_table(1 + d.prob.shape[1], d.markov_degree),
        np.ascontiguousarray(x0, dtype=np.float64),
        float(options["xatol"]),
        float(options["fatol"]),
        int(options["maxiter"]),
    )
    x, fun, nit, nfev, status = cf_nelder_mead_nb(*args)
    return OptimizeResult(
        x=x,
        fun=fun,
        nit=nit,
        nfev=nfev,
        status=status,
        success=status == 0,
        message=_NM_MESSAGES[status],
    )


def _noise_margin(theta: np.ndarray, beta_f: np.ndarray, d: _Stage2) -> float:
    """Criterion differences below this are sampling noise: ``SCREEN_NOISE · var(ξ) · max(q,
    1) / n`` (least squares: the mean squared residual is itself var(ξ))."""
    out = _residuals(theta, beta_f, d)
    var = float(np.var(out[0])) if out is not None else 0.0
    return SCREEN_NOISE * var * max(d.z.shape[1], 1) / max(d.phi.shape[0], 1)


def _screen(
    d: _Stage2,
    beta_f: np.ndarray,
    firm: np.ndarray,
    starts: np.ndarray,
    options: _ControlFunctionOptions,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Run every start on a subsample of firms (every k-th firm code) and return the distinct
    minima within sampling noise of the best (at most ``SCREEN_KEEP``) as full-sample starts."""
    assert options.screen_nobs is not None
    k = int(np.ceil(firm.shape[0] / options.screen_nobs))
    rows = np.flatnonzero(firm % k == 0)

    def take(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a[rows])

    sub = dataclasses.replace(
        d,
        phi=take(d.phi),
        phi_lag=take(d.phi_lag),
        y=take(d.y),
        xf=take(d.xf),
        xf_lag=take(d.xf_lag),
        xs=take(d.xs),
        xs_lag=take(d.xs_lag),
        prob=take(d.prob),
        z=take(d.z),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, conv = minimize_multistart(
            functools.partial(_criterion, beta_f=beta_f, d=sub),
            starts,
            optimizer=options.optimizer,
            merge_tol=MERGE_TOL,
            native=functools.partial(_nelder_mead, beta_f=beta_f, d=sub),
        )
    minima = list(conv.local_minima)
    margin = _noise_margin(np.asarray(minima[0].params), beta_f, sub) if minima else 0.0
    found = [
        np.asarray(m.params, dtype=np.float64)
        for m in minima
        if m.objective <= minima[0].objective + margin
    ][:SCREEN_KEEP]
    record = {
        "nobs": int(rows.shape[0]),
        "every_kth_firm": k,
        "n_starts": int(starts.shape[0]),
        "convergence": conv,
    }
    return (np.vstack(found) if found else starts), record


def _objective_at_beta(beta: np.ndarray, d: _Stage2) -> float:
    """The criterion at production-term coefficients ``beta`` (``spec.terms`` order)."""
    beta = np.asarray(beta, dtype=np.float64).reshape(-1)
    n_terms = len(d.f_index) + len(d.s_index)
    if beta.shape[0] != n_terms:
        raise SpecificationError(
            f"beta has {beta.shape[0]} values, the specification has {n_terms} terms",
            fix="pass one coefficient per term of spec.terms, in that order",
        )
    return _criterion(beta[list(d.s_index)], beta[list(d.f_index)], d)


def _markov_basis(omega_lag: np.ndarray, prob: np.ndarray, degree: int) -> np.ndarray:
    if prob.shape[1] == 0:
        return poly_basis(omega_lag[:, None], degree)
    return poly_basis(np.column_stack([omega_lag, prob[:, 0]]), degree)


# ---------------------------------------------------------------------------------------
# the estimator
# ---------------------------------------------------------------------------------------
def _check_options(options: object, cls: type, method: str) -> None:
    if not isinstance(options, cls):
        raise SpecificationError(
            f"options of type {type(options).__name__} are not for method {method!r}",
            fix=f"pass tfp.options.{cls.__name__}(...) or leave options=None",
        )


def _term_inputs(inputs: tuple[str, ...], form: str) -> list[tuple[int, ...]]:
    """For each production term (``spec.terms`` order), the input positions it multiplies."""
    out: list[tuple[int, ...]] = [(j,) for j in range(len(inputs))]
    if form == "translog":
        out.extend(combinations_with_replacement(range(len(inputs)), 2))
    return out


def _fit(
    panel: Panel, spec: ProductionSpec, options: _ControlFunctionOptions, *, method: str
) -> Fit:
    if not spec.proxy:
        raise SpecificationError(
            f"method {method!r} needs a proxy variable and none was given",
            fix="pass proxy='inv' (investment, OP) or proxy='m' (an intermediate input, LP)",
        )
    if not spec.state:
        raise SpecificationError(
            f"method {method!r} needs at least one state input (capital)",
            fix="pass state='k'",
        )
    if options.log_proxy:
        both = [p for p in spec.proxy if p in spec.inputs]
        if both:
            raise SpecificationError(
                "log_proxy=True takes logs of the proxy, but this proxy is also a production "
                "input, which must already be in logs",
                column=both[0],
                fix="pass the input in logs and set log_proxy=False",
            )
    n_all = panel.nobs

    # ---- rows usable at all: proxies that can be logged -----------------------------------
    proxy_raw = panel.matrix(spec.proxy)
    if options.log_proxy:
        usable = np.all(proxy_raw > 0, axis=1)
        proxy_vals = np.full_like(proxy_raw, np.nan)
        proxy_vals[usable] = np.log(proxy_raw[usable])
    else:
        usable = np.ones(n_all, dtype=bool)
        proxy_vals = proxy_raw
    n_nonpos = int((~usable).sum())
    work = panel.subset(usable, {"nonpositive_proxy": n_nonpos}) if n_nonpos else panel
    rows = np.flatnonzero(usable)  # work row i is panel row rows[i]
    proxy_w = np.ascontiguousarray(proxy_vals[rows])
    for j, name in enumerate(spec.proxy):
        col = proxy_w[:, j]
        if col.size == 0 or np.ptp(col) == 0.0:
            raise IdentificationError(
                "the proxy has no variation in the sample"
                + (" (after dropping non-positive values)" if n_nonpos else ""),
                column=name,
                fix="use a proxy that varies across firms and years (investment for OP, "
                "materials or electricity for LP)",
            )

    # ---- production terms -----------------------------------------------------------------
    inputs = spec.inputs
    x_inputs = work.matrix(inputs)
    terms_x = term_matrix(x_inputs, inputs, spec.form)
    term_inp = _term_inputs(inputs, spec.form)
    free_pos = set(range(len(spec.free)))
    f_index = tuple(i for i, t in enumerate(term_inp) if free_pos.intersection(t))
    s_index = tuple(i for i, t in enumerate(term_inp) if not free_pos.intersection(t))
    if not s_index:
        raise SpecificationError(
            "every production term involves a free input; nothing is left for the second stage",
            fix="name the capital stock as a state input",
        )
    xf = np.ascontiguousarray(terms_x[:, list(f_index)])
    xs = np.ascontiguousarray(terms_x[:, list(s_index)])

    # ---- controls and time dummies --------------------------------------------------------
    c_names = list(spec.control)
    c_cols = [work[c] for c in spec.control]
    if options.time_dummies:
        periods = np.unique(work.time)
        for t in periods[1:]:
            c_names.append(f"{spec.time}={int(t)}")
            c_cols.append((work.time == t).astype(np.float64))
    xc = np.column_stack(c_cols) if c_cols else np.empty((work.nobs, 0))

    # ---- first stage ------------------------------------------------------------------------
    # a proxy that is also a flexible input is already in the polynomial once
    poly_vars = list(dict.fromkeys([*spec.state, *spec.flexible]))
    own = [j for j, p in enumerate(spec.proxy) if p not in poly_vars]
    poly_x = np.ascontiguousarray(
        np.column_stack([work.matrix(poly_vars), proxy_w[:, own]])
    )
    poly_all_names = [*poly_vars, *(spec.proxy[j] for j in own)]
    basis_names = poly_names(poly_all_names, options.poly_degree)
    y = work[spec.output]
    reg = np.column_stack(
        [xf, xc, poly_basis(poly_x, options.poly_degree)]
    )  # the basis lives only inside reg: one (n, p) matrix, not two
    del poly_x
    n_lead = xf.shape[1] + xc.shape[1]  # reg[:, n_lead:] is the polynomial basis
    reg_names = [*(spec.terms[i] for i in f_index), *c_names, *basis_names]
    coef, fitted = _first_stage(y, reg, reg_names, len(basis_names))
    beta_f = coef[: len(f_index)]
    gamma = coef[len(f_index) : len(f_index) + xc.shape[1]]
    ssr = float(np.sum((y - fitted) ** 2))
    tss = float(np.sum((y - y.mean()) ** 2))
    if options.net_controls and xc.shape[1]:
        shift = xc @ gamma
        phi_net = fitted - shift
        y_net = y - shift
    else:
        phi_net = fitted
        y_net = np.asarray(y, dtype=np.float64)

    # ---- lags, sample ---------------------------------------------------------------------
    lag = work.lag_index(1)
    reasons = work.lag_reasons(1)
    in_s = lag >= 0
    cur = np.flatnonzero(in_s)
    prev = lag[cur]

    # ---- exit correction ------------------------------------------------------------------
    extra: dict[str, object] = {}
    if options.exit_correction:
        exit_vec, source = _exit_indicator(panel, spec, options, rows)
        p_hat, surv = _survival(
            exit_vec[cur],
            reg[prev, n_lead:],
            options.survival_model,
            spec.exit or "exit",
        )
        prob = p_hat[:, None]
        extra["exit_source"] = source
        extra["survival_model"] = options.survival_model
        extra["survival_coef"] = surv
        extra["survival_names"] = tuple(f"lag({n})" for n in basis_names)
    else:
        prob = np.empty((cur.size, 0))

    markov_names = poly_names(
        ["omega_lag", "p_exit"] if prob.shape[1] else ["omega_lag"],
        options.markov_degree,
    )
    n_params = len(s_index) + len(markov_names)
    if cur.size <= n_params:
        raise IdentificationError(
            f"only {cur.size} rows have the previous period observed, not enough for "
            f"{len(s_index)} second-stage and {len(markov_names)} law-of-motion coefficients",
            column=spec.time,
            fix="use a longer panel, fewer gaps or a lower markov_degree",
        )

    # ---- second-stage data ----------------------------------------------------------------
    if spec.flexible:
        flex_pos = {inputs.index(f) for f in spec.flexible}
        x_inst = x_inputs.copy()
        lagged_inputs = np.full_like(x_inputs, np.nan)
        lagged_inputs[cur] = x_inputs[prev]
        for j in flex_pos:
            x_inst[:, j] = lagged_inputs[:, j]
        z_full = term_matrix(x_inst, inputs, spec.form)[:, list(s_index)]
        z = np.ascontiguousarray(z_full[cur])
        zz = z.T @ z / cur.size
        w = _inverse(
            zz, "the second-stage instruments (state and lagged flexible terms)"
        )
    else:
        z = np.empty((cur.size, 0))
        w = np.empty((0, 0))
    d = _Stage2(
        phi=np.ascontiguousarray(phi_net[cur]),
        phi_lag=np.ascontiguousarray(phi_net[prev]),
        y=np.ascontiguousarray(y_net[cur]),
        xf=np.ascontiguousarray(xf[cur]),
        xf_lag=np.ascontiguousarray(xf[prev]),
        xs=np.ascontiguousarray(xs[cur]),
        xs_lag=np.ascontiguousarray(xs[prev]),
        prob=np.ascontiguousarray(prob),
        z=z,
        w=w,
        markov_degree=options.markov_degree,
        f_index=f_index,
        s_index=s_index,
    )

    # ---- starts and minimisation ----------------------------------------------------------
    center = _start(
        options, basis_names, poly_all_names, term_inp, s_index, inputs, coef, reg
    )
    n_more = options.optimizer.n_starts - 1
    starts = [center[None, :]]
    if n_more > 0 and options.start_spread > 0:
        starts.append(sobol_starts(center, options.start_spread, n_more, seed=0))
    fun = functools.partial(_criterion, beta_f=beta_f, d=d)
    start_set = np.vstack(starts)
    screening = None
    if (
        options.screen_nobs is not None
        and cur.size > options.screen_nobs
        and start_set.shape[0] > 1
    ):
        start_set, screening = _screen(
            d, beta_f, np.asarray(work.firm)[cur], start_set, options
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        theta, conv = minimize_multistart(
            fun,
            start_set,
            optimizer=options.optimizer,
            merge_tol=MERGE_TOL,
            native=functools.partial(_nelder_mead, beta_f=beta_f, d=d),
        )
    # recorded on the results (and re-emitted once by tfp.estimate), not lost
    diagnostics = tuple(
        str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)
    )
    res = _residuals(theta, beta_f, d)
    if res is None or not np.isfinite(conv.objective):
        raise IdentificationError(
            "the law of motion of productivity is not identified at the estimate "
            "(singular Markov regression)",
            fix="lower markov_degree or check for degenerate inputs",
        )
    xi, omega_lag = res
    h_raw = _markov_basis(omega_lag, d.prob, d.markov_degree)
    omega_now = d.phi - d.xf @ beta_f - d.xs @ theta
    g = np.linalg.lstsq(h_raw, omega_now, rcond=None)[0]

    # ---- assemble -------------------------------------------------------------------------
    beta = np.empty(len(spec.terms))
    beta[list(f_index)] = beta_f
    beta[list(s_index)] = theta
    params = np.concatenate([beta, gamma])
    names = (*spec.terms, *c_names)

    sample = np.zeros(n_all, dtype=bool)
    sample[rows[cur]] = True
    dropped: dict[str, int] = {}
    if n_nonpos:
        dropped["nonpositive_proxy"] = n_nonpos
    n_first = int((reasons == 1).sum())
    n_gap = int((reasons == 2).sum())
    if n_first:
        dropped["first_period_lag"] = n_first
    if n_gap:
        dropped["gap"] = n_gap

    phi_out = np.full(n_all, np.nan)
    phi_out[rows] = phi_net
    extra.update(
        markov=g,
        markov_names=markov_names,
        criterion="gmm" if spec.flexible else "least-squares",
        second_stage_terms=tuple(spec.terms[i] for i in s_index),
        first_stage_terms=tuple(spec.terms[i] for i in f_index),
        residuals=xi,
        controls_in_phi=not (options.net_controls and xc.shape[1] > 0),
        screening=screening,
    )
    first_stage = {
        "terms": tuple(reg_names),
        "coef": coef,
        "ssr": ssr,
        "r2": 1.0 - ssr / tss if tss > 0 else float("nan"),
        "nobs": int(work.nobs),
    }
    return Fit(
        params=params,
        names=tuple(names),
        vcov=None,
        sample=sample,
        convergence=conv,
        objective=float(conv.objective),
        objective_fn=functools.partial(_objective_at_beta, d=d),
        phi=phi_out,
        dropped=FrozenDict(dropped),
        first_stage=FrozenDict(first_stage),
        se_kind="normal",
        df_resid=None,
        extra=FrozenDict(extra),
        diagnostics=diagnostics,
    )


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _first_stage(
    y: np.ndarray, reg: np.ndarray, names: Sequence[str], n_poly: int
) -> tuple[np.ndarray, np.ndarray]:
    """OLS by a QR decomposition, with a rank check that names the collinear regressor.

    ``|R_jj|`` is the norm of column j's residual on the columns before it, so the first j
    with ``|R_jj| <= RANK_RTOL * ||x_j||`` is the first regressor in the span of the others.
    """
    n, p = reg.shape
    if n <= p:
        raise IdentificationError(
            f"the first stage has {p} regressors and only {n} rows",
            fix="lower poly_degree or use more data",
        )
    # the polynomial (the last n_poly columns) goes first, so that a collinear free input
    # or control, the columns a user can change, is the one named
    order = np.r_[np.arange(p - n_poly, p), np.arange(p - n_poly)]
    # QR of [reg (reordered) | y]: R's last column is Q'y, so Q itself is never formed
    # (LAPACK geqrf alone, in place on one Fortran-ordered copy: a quarter of the time and
    # two n x p matrices less than numpy's qr + Q'y)
    a = np.empty((n, p + 1), order="F")
    a[:, :n_poly] = reg[:, p - n_poly :]
    a[:, n_poly:p] = reg[:, : p - n_poly]
    a[:, p] = y
    norms = np.sqrt(np.einsum("ij,ij->j", a[:, :p], a[:, :p]))
    r_aug = qr_r(a)
    del a
    r = r_aug[:p, :p]
    bad = np.flatnonzero(np.abs(np.diag(r)) <= RANK_RTOL * np.maximum(norms, 1e-300))
    if bad.size:
        raise IdentificationError(
            "is collinear with the other first-stage regressors (free inputs, controls and "
            "the polynomial in state and proxy)",
            column=str(names[int(order[bad[0]])]),
            fix="drop the column, or lower poly_degree",
        )
    coef = np.empty(p)
    coef[order] = linalg.solve_triangular(r, r_aug[:p, p])
    return coef, reg @ coef


def _inverse(a: np.ndarray, what: str) -> np.ndarray:
    s = np.linalg.svd(a, compute_uv=False)
    if s.size and s[-1] <= RANK_RTOL * s[0]:
        raise IdentificationError(
            f"{what} are collinear",
            fix="check that the inputs vary across firms and years",
        )
    return np.linalg.inv(a)


def _start(
    options: _ControlFunctionOptions,
    basis_names: Sequence[str],
    poly_vars: Sequence[str],
    term_inp: list[tuple[int, ...]],
    s_index: tuple[int, ...],
    inputs: tuple[str, ...],
    coef: np.ndarray,
    reg: np.ndarray,
) -> np.ndarray:
    """First start: ``options.start`` or the first-stage coefficients of the terms' monomials."""
    n_s = len(s_index)
    if options.start is not None:
        if len(options.start) != n_s:
            raise SpecificationError(
                f"start has {len(options.start)} values, the second stage has {n_s} "
                "coefficients (terms without a free input, in spec.terms order)",
                fix=f"pass {n_s} starting values or start=None",
            )
        return np.asarray(options.start, dtype=np.float64)
    table = exponent_table(len(poly_vars), options.poly_degree)
    offset = reg.shape[1] - len(basis_names)
    out = np.zeros(n_s)
    for k, ti in enumerate(s_index):
        e = np.zeros(len(poly_vars), dtype=np.int64)
        for j in term_inp[ti]:
            e[list(poly_vars).index(inputs[j])] += 1
        hit = np.flatnonzero(np.all(table == e, axis=1))
        if hit.size:
            out[k] = coef[offset + int(hit[0])]
    return out


def _exit_indicator(
    panel: Panel,
    spec: ProductionSpec,
    options: _ControlFunctionOptions,
    rows: np.ndarray,
) -> tuple[np.ndarray, str]:
    """The exit indicator on the working rows, and where it came from."""
    if options.exit_rule == "column":
        if spec.exit is None:
            raise SpecificationError(
                "exit_correction=True needs an exit indicator and the spec has no exit column",
                fix="pass exit='column' (1 in the period the firm exits), or "
                "exit_rule='last-period' to build it from the panel as prodest does",
            )
        vals = panel[spec.exit]
        bad = ~np.isin(vals, (0.0, 1.0))
        if bad.any():
            raise IdentificationError(
                f"must be 0/1; found {vals[bad][0]!r} in {int(bad.sum())} row(s)",
                column=spec.exit,
                fix="code the exit indicator as 1 in the firm's exit period and 0 otherwise",
            )
        return np.ascontiguousarray(vals[rows]), "column"
    # prodest: a firm's last observed period, when it is not the panel's last period
    last = np.ones(panel.nobs, dtype=bool)
    last[:-1] = panel.firm[1:] != panel.firm[:-1]
    exit_all = (last & (panel.time != panel.time.max())).astype(np.float64)
    return np.ascontiguousarray(exit_all[rows]), "last-period"


def _survival(
    exit_vec: np.ndarray, x: np.ndarray, model: str, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Fit P(exit_t = 1 | lagged polynomial) by maximum likelihood; return (P̂, coefficients)."""
    share = float(exit_vec.mean()) if exit_vec.size else 0.0
    if share in (0.0, 1.0):
        raise IdentificationError(
            "no firm exits (or every firm exits) among the rows with a lag, so the "
            "survival probability of the attrition correction is not identified",
            column=name,
            fix="check the exit indicator or set exit_correction=False",
        )
    beta, converged = _binary_mle(exit_vec, x, model)
    if not converged:
        raise IdentificationError(
            f"the {model} of exit did not converge (likely perfect separation)",
            column=name,
            fix="lower poly_degree, or set exit_correction=False",
        )
    eta = x @ beta
    p = special.ndtr(eta) if model == "probit" else special.expit(eta)
    return p, beta


def _binary_mle(y: np.ndarray, x: np.ndarray, model: str) -> tuple[np.ndarray, bool]:
    """Newton–Raphson with step halving for a probit or logit log-likelihood."""
    beta = np.zeros(x.shape[1])
    q = 2.0 * y - 1.0

    def loglik(b: np.ndarray) -> float:
        eta = q * (x @ b)
        if model == "probit":
            return float(np.sum(special.log_ndtr(eta)))
        return float(-np.sum(np.logaddexp(0.0, -eta)))

    ll = loglik(beta)
    for _ in range(BINARY_MAX_ITER):
        eta = x @ beta
        if model == "probit":
            qe = q * eta
            lam = q * np.exp(
                -0.5 * qe**2 - 0.5 * np.log(2 * np.pi) - special.log_ndtr(qe)
            )
            grad = x.T @ lam
            wgt = lam * (lam + eta)
        else:
            p = special.expit(eta)
            grad = x.T @ (y - p)
            wgt = p * (1.0 - p)
        hess = (x * wgt[:, None]).T @ x
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return beta, False
        t = 1.0
        while True:
            cand = beta + t * step
            ll_new = loglik(cand)
            if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * abs(ll):
                break
            t *= 0.5
            if t < 1e-12:
                return beta, False
        beta, ll = cand, ll_new
        if np.max(np.abs(t * step)) < BINARY_STEP_TOL:
            return beta, True
    return beta, False


def bootstrap_options(
    options: _ControlFunctionOptions, params: np.ndarray, spec: ProductionSpec
) -> _ControlFunctionOptions:
    """Options for bootstrap replicates: one start, at the point estimate.

    Standard practice (and prodest's): each replicate's second stage starts from the full-sample
    estimate of the second-stage coefficients (terms without a free input), with one start.
    """
    term_inp = _term_inputs(spec.inputs, spec.form)
    n_free = len(spec.free)
    second = [
        float(params[i])
        for i, ti in enumerate(term_inp)
        if not any(j < n_free for j in ti)
    ]
    return dataclasses.replace(
        options,
        start=tuple(second),
        optimizer=dataclasses.replace(options.optimizer, n_starts=1),
    )
