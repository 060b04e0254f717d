"""Control-function estimators: Olley–Pakes (``"op"``) and Levinsohn–Petrin (``"lp"``).

Both share one two-step procedure on a validated :class:`~tfp.panel.Panel`:

1. **First stage.** OLS of log output on the production terms that involve a free input
   (linearly), the controls (linearly) and a full polynomial in (state, flexible, proxy). Its
   fitted value is ``phi``; the free-term coefficients are final.
2. **Second stage.** For the remaining (state and flexible) coefficients θ, productivity is
   ω_t = phi_t − β_F·x_F − θ·x_S and the law of motion ω_t = g(ω_{t−1}) + ξ_t is the OLS fit
   of ω_t on a polynomial in ω_{t−1} (and the fitted exit probability with the attrition
   correction), solved in closed form inside the criterion (the criterion:
   :class:`~tfp.options.control_function.OPOptions`, Notes).

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
from typing import Any

import numpy as np
from scipy import special
from scipy.optimize import OptimizeResult

from tfp._frozen import FrozenDict
from tfp._kernels.control_nb import (
    STATUS_OK,
    cf_criterion_nb,
    cf_gradient_nb,
    cf_nelder_mead_nb,
)
from tfp.estimators.fit import Details, Fit, identification_wanted
from tfp.exceptions import ConvergenceWarning, IdentificationError, SpecificationError
from tfp.numerics.identification import (
    IdentificationStats,
    criterion_precision,
    mean_elasticity_jacobian,
    r_squared,
)
from tfp.numerics.linalg import check_rank, lstsq
from tfp.numerics.optimize import (
    Convergence,
    Screening,
    minimize_multistart,
    near_minima,
    noise_margin,
    screen_starts,
    sobol_starts,
)
from tfp.numerics.poly import exponent_table, poly_basis, poly_names, term_exponents
from tfp.numerics.units import centring_map, newton_polish, standardise
from tfp.options._base import check_options
from tfp.options.control_function import LPOptions, OPOptions, _ControlFunctionOptions
from tfp.panel import Panel, check_binary, lag_drops
from tfp.spec import ProductionSpec, term_inputs, term_matrix

__all__ = ["ControlFunction", "fit_lp", "fit_op"]

#: Newton iterations stop when the largest step in the binary-model coefficients is below
#: this: far below any change that moves fitted probabilities at double precision.
BINARY_STEP_TOL = 1e-10
#: Newton iterations allowed for the survival model (it converges in < 15 on real data).
BINARY_MAX_ITER = 200
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
        fit; ``details``: :class:`ControlFunction` (law of motion at the estimate, screening,
        survival model); ``objective``/``objective_fn`` the second-stage criterion;
        ``vcov`` None.

    Raises
    ------
    SpecificationError
        No proxy, wrong options, or the exit correction without an exit indicator.
    IdentificationError
        A proxy without variation, collinear first-stage regressors, too few rows with lags,
        no exit in the sample (exit correction).
    """
    check_options(options, OPOptions, "op")
    return _fit(panel, spec, options, method="op")


def fit_lp(panel: Panel, spec: ProductionSpec, options: LPOptions) -> Fit:
    """Levinsohn & Petrin (2003): as :func:`fit_op`, with an intermediate input (materials,
    electricity) as the proxy and :class:`~tfp.options.control_function.LPOptions`."""
    check_options(options, LPOptions, "lp")
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


def _gradient(theta: np.ndarray, beta_f: np.ndarray, d: _Stage2) -> np.ndarray:
    """Analytic gradient of :func:`_criterion` in ``theta`` (zeros where it is undefined),
    in one numba call (:func:`tfp._kernels.control_nb.cf_gradient_nb`, whose docstring has
    the formula).

    ``ξ = ε + e`` with ``ε = y − φ`` fixed and ``e = M_H ω`` the residual of the law of
    motion; the fit depends on the span of ``H`` only, so the centre and spread of ``ω₋``
    are held fixed. A sum over rows with no cancellation between two criteria, so Newton's
    method on it finds the minimum to rounding precision (central differences of the
    criterion resolve it only to ~1e-10, rounding of the criterion over a step of 1e-5)."""
    args = (
        *_kernel_data(d, beta_f),
        np.ascontiguousarray(theta, dtype=np.float64),
        exponent_table(1 + d.prob.shape[1], d.markov_degree),
    )
    status, grad = cf_gradient_nb(*args)
    if status != STATUS_OK:
        return np.zeros(np.asarray(theta).shape[0])
    return np.asarray(grad, dtype=np.float64)


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
    """Criterion differences below this are sampling noise (q moments of the GMM criterion;
    see :data:`tfp.numerics.optimize.SCREEN_NOISE`)."""
    out = _residuals(theta, beta_f, d)
    return noise_margin(None if out is None else out[0], d.z.shape[1])


def _screen_search(
    rows: np.ndarray,
    d: _Stage2,
    beta_f: np.ndarray,
    starts: np.ndarray,
    options: _ControlFunctionOptions,
) -> tuple[Convergence, list[np.ndarray]]:
    """Every start on the subsample ``rows`` (:func:`~tfp.numerics.optimize.screen_starts`)."""
    rowwise = ("phi", "phi_lag", "y", "xf", "xf_lag", "xs", "xs_lag", "prob", "z")
    taken: dict[str, Any] = {
        f: np.ascontiguousarray(getattr(d, f)[rows]) for f in rowwise
    }
    sub = dataclasses.replace(d, **taken)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, conv = minimize_multistart(
            functools.partial(_criterion, beta_f=beta_f, d=sub),
            starts,
            optimizer=options.optimizer,
            merge_tol=MERGE_TOL,
            native=functools.partial(_nelder_mead, beta_f=beta_f, d=sub),
        )
    return conv, near_minima(
        conv, functools.partial(_noise_margin, beta_f=beta_f, d=sub)
    )


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


def _objective_at_raw(beta: np.ndarray, d: _Stage2, a_inv: np.ndarray) -> float:
    """The criterion at raw production-term coefficients (``d`` holds centred terms)."""
    beta = np.asarray(beta, dtype=np.float64).reshape(-1)
    if beta.shape[0] != a_inv.shape[0]:
        return _objective_at_beta(beta, d)  # raises with the right message
    return _objective_at_beta(a_inv @ beta, d)


def _raw_convergence(
    conv: Any, a_map: np.ndarray, beta_c: np.ndarray, s_index: tuple[int, ...]
) -> Any:
    """The search record with its second-stage points in raw coefficients."""

    def raw(theta: tuple[float, ...]) -> tuple[float, ...]:
        b = beta_c.copy()
        b[list(s_index)] = theta
        return tuple(float(v) for v in (a_map @ b)[list(s_index)])

    return dataclasses.replace(
        conv,
        start_params=raw(conv.start_params),
        local_minima=tuple(
            dataclasses.replace(m, params=raw(m.params)) for m in conv.local_minima
        ),
    )


def _markov_basis(omega_lag: np.ndarray, prob: np.ndarray, degree: int) -> np.ndarray:
    if prob.shape[1] == 0:
        return poly_basis(omega_lag[:, None], degree)
    return poly_basis(np.column_stack([omega_lag, prob[:, 0]]), degree)


# ---------------------------------------------------------------------------------------
# the estimator
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ControlFunction(Details):
    """OP and LP outputs.

    ``markov``: law-of-motion coefficients at the estimate, named ``markov_names``;
    ``criterion``: ``"least-squares"`` (value added) or ``"gmm"`` (gross output);
    ``second_stage_terms``/``first_stage_terms``: the terms each stage estimates;
    ``residuals``: second-stage residuals; ``controls_in_phi``: controls stay in ``phi``;
    ``screening``: the subsample screening of starts (large samples); with the exit
    correction, ``exit_source`` (``"column"`` or ``"last-period"``), ``survival_model`` and
    its coefficients ``survival_coef`` named ``survival_names``.
    """

    markov: np.ndarray
    markov_names: tuple[str, ...]
    criterion: str
    second_stage_terms: tuple[str, ...]
    first_stage_terms: tuple[str, ...]
    residuals: np.ndarray
    controls_in_phi: bool
    screening: Screening | None = None
    exit_source: str | None = None
    survival_model: str | None = None
    survival_coef: np.ndarray | None = None
    survival_names: tuple[str, ...] | None = None


def _fit(
    panel: Panel, spec: ProductionSpec, options: _ControlFunctionOptions, *, method: str
) -> Fit:
    """The two steps of OP and LP (module docstring), as named steps."""
    _check_roles(spec, options, method)
    work, rows, proxy_w = _usable_rows(panel, spec, options)
    fs = _first_stage(work, spec, options, proxy_w)
    lag = work.lag_index(1)
    cur = np.flatnonzero(lag >= 0)
    prev = lag[cur]
    survival: dict[str, Any] = {}
    prob = np.empty((cur.size, 0))
    if options.exit_correction:
        exit_vec, source = _exit_indicator(panel, spec, options, rows)
        p_hat, surv = _survival(
            exit_vec[cur], fs.reg[prev, fs.n_lead :], options.survival_model,
            spec.exit or "exit",
        )  # fmt: skip
        prob = p_hat[:, None]
        lagged = tuple(f"lag({n})" for n in fs.reg_names[fs.n_lead :])
        survival = {"exit_source": source, "survival_model": options.survival_model,
                    "survival_coef": surv, "survival_names": lagged}  # fmt: skip
    d = _stage2(work, spec, options, fs, cur, prev, prob)
    theta, conv, diagnostics, screening = _second_stage(
        d, fs, spec, options, np.asarray(work.firm)[cur]
    )
    res = _residuals(theta, fs.beta_f, d)
    if res is None or not np.isfinite(conv.objective):
        raise IdentificationError(
            "the law of motion of productivity is not identified at the estimate "
            "(singular Markov regression)",
            fix="lower markov_degree or check for degenerate inputs",
        )
    xi, omega_lag = res
    identification = (
        _identification(
            d,
            theta,
            fs.beta_f,
            conv,
            (work.matrix(spec.inputs) - fs.mu)[cur],  # the parametrisation of theta
            spec,
            r_squared(work.matrix(spec.free), fs.reg[:, len(fs.f_index) :]),
            xi,
        )
        if identification_wanted()
        else None
    )
    beta_c = np.empty(len(spec.terms))
    beta_c[list(fs.f_index)] = fs.beta_f
    beta_c[list(fs.s_index)] = theta
    # productivity of the raw parametrisation: omega_c + a0 @ beta_c
    shift = float(fs.a0 @ beta_c)
    h_raw = _markov_basis(omega_lag + shift, d.prob, d.markov_degree)
    omega_now = d.phi - d.xf @ fs.beta_f - d.xs @ theta + shift
    beta = fs.a_map @ beta_c
    sample = np.zeros(panel.nobs, dtype=bool)
    sample[rows[cur]] = True
    phi_out = np.full(panel.nobs, np.nan)
    phi_out[rows] = fs.phi
    details = ControlFunction(
        markov=np.linalg.lstsq(h_raw, omega_now, rcond=None)[0],
        markov_names=_markov_names(prob, options),
        criterion="gmm" if spec.flexible else "least-squares",
        second_stage_terms=tuple(spec.terms[i] for i in fs.s_index),
        first_stage_terms=tuple(spec.terms[i] for i in fs.f_index),
        residuals=xi,
        controls_in_phi=not fs.netted,
        screening=screening,
        **survival,
    )
    return Fit(
        params=np.concatenate([beta, fs.gamma]),
        names=(*spec.terms, *fs.c_names),
        vcov=None,
        sample=sample,
        convergence=_raw_convergence(conv, fs.a_map, beta_c, fs.s_index),
        objective=float(conv.objective),
        objective_fn=functools.partial(
            _objective_at_raw, d=d, a_inv=np.linalg.inv(fs.a_map)
        ),
        phi=phi_out,
        dropped=FrozenDict(
            {"nonpositive_proxy": panel.nobs - work.nobs} if work is not panel else {},
            **lag_drops(work.lag_reasons(1)),
        ),
        first_stage=FrozenDict(
            terms=fs.reg_names,
            coef=fs.coef,
            ssr=fs.ssr,
            r2=1.0 - fs.ssr / fs.tss if fs.tss > 0 else float("nan"),
            nobs=int(work.nobs),
        ),
        details=details,
        diagnostics=diagnostics,
        identification=identification,
    )


def _check_roles(
    spec: ProductionSpec, options: _ControlFunctionOptions, method: str
) -> None:
    spec.require(method, "proxy", "state")
    both = [p for p in spec.proxy if p in spec.inputs]
    if options.log_proxy and both:
        raise SpecificationError(
            "log_proxy=True takes logs of the proxy, but this proxy is also a production "
            "input, which must already be in logs",
            column=both[0],
            fix="pass the input in logs and set log_proxy=False",
        )


def _usable_rows(
    panel: Panel, spec: ProductionSpec, options: _ControlFunctionOptions
) -> tuple[Panel, np.ndarray, np.ndarray]:
    """The working panel (rows whose proxies can be logged), its rows in ``panel`` and the
    proxies on it (logged with ``log_proxy``)."""
    proxy_raw = panel.matrix(spec.proxy)
    if options.log_proxy:
        usable = np.all(proxy_raw > 0, axis=1)
        proxy_vals = np.full_like(proxy_raw, np.nan)
        proxy_vals[usable] = np.log(proxy_raw[usable])
    else:
        usable = np.ones(panel.nobs, dtype=bool)
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
    return work, rows, proxy_w


@dataclass(frozen=True, eq=False)
class _Design:
    """The first stage's regressors on the working rows (before any fit)."""

    f_index: tuple[int, ...]  # positions of the terms with a free input in spec.terms
    s_index: tuple[int, ...]  # positions of the second-stage terms
    xf: np.ndarray  # free terms
    xs: np.ndarray  # second-stage terms
    c_names: tuple[str, ...]  # controls and period dummies
    xc: np.ndarray  # their columns
    reg: np.ndarray  # [xf, controls, polynomial basis]
    reg_names: tuple[str, ...]
    poly_names: tuple[str, ...]  # variables of the polynomial
    n_basis: int  # columns of the polynomial basis (the last of reg)
    mu: np.ndarray  # centre of each input: the terms are of inputs centred there
    a_map: np.ndarray  # raw term coefficients = a_map @ centred ones
    a0: np.ndarray  # productivity of the raw parametrisation = centred one + a0 @ beta
    poly_sd: np.ndarray  # scale of each polynomial variable (1 when not standardised)

    @property
    def n_lead(self) -> int:
        """``reg[:, n_lead:]`` is the polynomial basis."""
        return len(self.f_index) + len(self.c_names)


@dataclass(frozen=True, eq=False)
class _FirstStage(_Design):
    """The first stage on the working rows: its regressors (:class:`_Design`) and the fit."""

    coef: np.ndarray
    phi: np.ndarray  # fitted output, net of the controls when netted
    y: np.ndarray  # output, net of the controls when netted
    ssr: float
    tss: float
    netted: bool  # the controls were subtracted from phi and y

    @property
    def beta_f(self) -> np.ndarray:
        return self.coef[: len(self.f_index)]

    @property
    def gamma(self) -> np.ndarray:
        return self.coef[len(self.f_index) : self.n_lead]


def _first_stage_design(
    work: Panel,
    spec: ProductionSpec,
    options: _ControlFunctionOptions,
    proxy_w: np.ndarray,
) -> _Design:
    """The free terms, the controls (and period dummies) and a full polynomial in (state,
    flexible, proxy): the first stage's regressors (also the analytic covariance's)."""
    x_inputs = work.matrix(spec.inputs)
    # unit invariance: terms of inputs centred at their means (raw terms = a_map @ centred)
    mu = x_inputs.mean(axis=0) if options.unit_invariant else np.zeros(len(spec.inputs))
    a_map, a0 = centring_map(term_exponents(len(spec.inputs), spec.form), mu)
    terms_x = term_matrix(x_inputs - mu, spec.inputs, spec.form)
    free_pos = set(range(len(spec.free)))
    term_inp = term_inputs(len(spec.inputs), spec.form)
    f_index = tuple(i for i, t in enumerate(term_inp) if free_pos.intersection(t))
    s_index = tuple(i for i, t in enumerate(term_inp) if not free_pos.intersection(t))
    if not s_index:
        raise SpecificationError(
            "every production term involves a free input; nothing is left for the second stage",
            fix="name the capital stock as a state input",
        )
    xf = np.ascontiguousarray(terms_x[:, list(f_index)])
    c_names = list(spec.control)
    c_cols = [work[c] for c in spec.control]
    if options.time_dummies:
        dummies, names = work.period_dummies()
        c_names += names
        c_cols += list(dummies.T)
    xc = np.column_stack(c_cols) if c_cols else np.empty((work.nobs, 0))
    # a proxy that is also a flexible input is already in the polynomial once
    poly_vars = list(dict.fromkeys([*spec.state, *spec.flexible]))
    own = [j for j, p in enumerate(spec.proxy) if p not in poly_vars]
    poly_x = np.column_stack([work.matrix(poly_vars), proxy_w[:, own]])
    poly_all = (*poly_vars, *(spec.proxy[j] for j in own))
    basis_names = poly_names(poly_all, options.poly_degree)
    poly_sd = np.ones(poly_x.shape[1])
    if options.unit_invariant:  # the same span, well conditioned whatever the units
        poly_x, _, poly_sd = standardise(poly_x)
    # the basis lives only inside reg: one (n, p) matrix, not two
    reg = np.column_stack(
        [xf, xc, poly_basis(np.ascontiguousarray(poly_x), options.poly_degree)]
    )
    return _Design(
        f_index=f_index,
        s_index=s_index,
        xf=xf,
        xs=np.ascontiguousarray(terms_x[:, list(s_index)]),
        c_names=tuple(c_names),
        xc=xc,
        reg=reg,
        reg_names=(*(spec.terms[i] for i in f_index), *c_names, *basis_names),
        poly_names=poly_all,
        n_basis=len(basis_names),
        mu=mu,
        a_map=a_map,
        a0=a0,
        poly_sd=poly_sd,
    )


def _first_stage(
    work: Panel,
    spec: ProductionSpec,
    options: _ControlFunctionOptions,
    proxy_w: np.ndarray,
) -> _FirstStage:
    """OLS of output on the first stage's regressors (:func:`_first_stage_design`); the
    free-term coefficients are final."""
    des = _first_stage_design(work, spec, options, proxy_w)
    y = work[spec.output]
    coef, fitted = _ols(y, des.reg, des.reg_names, des.n_basis)
    xc = des.xc
    netted = bool(options.net_controls and xc.shape[1])
    n_f = len(des.f_index)
    shift = xc @ coef[n_f : n_f + xc.shape[1]] if netted else None
    return _FirstStage(
        **{f.name: getattr(des, f.name) for f in dataclasses.fields(des)},
        coef=coef,
        phi=fitted if shift is None else fitted - shift,
        y=np.asarray(y, dtype=np.float64) if shift is None else y - shift,
        ssr=float(np.sum((y - fitted) ** 2)),
        tss=float(np.sum((y - y.mean()) ** 2)),
        netted=netted,
    )


def _markov_names(
    prob: np.ndarray, options: _ControlFunctionOptions
) -> tuple[str, ...]:
    names = ["omega_lag", "p_exit"] if prob.shape[1] else ["omega_lag"]
    return poly_names(names, options.markov_degree)


def _stage2(
    work: Panel,
    spec: ProductionSpec,
    options: _ControlFunctionOptions,
    fs: _FirstStage,
    cur: np.ndarray,
    prev: np.ndarray,
    prob: np.ndarray,
) -> _Stage2:
    """The second-stage arrays on the rows ``cur`` with a lag at ``prev``; in gross output
    the GMM instruments (state terms, lagged flexible terms) and their one-step weight."""
    n_markov = len(_markov_names(prob, options))
    if cur.size <= len(fs.s_index) + n_markov:
        raise IdentificationError(
            f"only {cur.size} rows have the previous period observed, not enough for "
            f"{len(fs.s_index)} second-stage and {n_markov} law-of-motion coefficients",
            column=spec.time,
            fix="use a longer panel, fewer gaps or a lower markov_degree",
        )
    z: np.ndarray = np.empty((cur.size, 0))
    w: np.ndarray = np.empty((0, 0))
    if spec.flexible:
        z, w = _gross_output_instruments(work, spec, fs.s_index, cur, prev)
    return _Stage2(
        phi=np.ascontiguousarray(fs.phi[cur]),
        phi_lag=np.ascontiguousarray(fs.phi[prev]),
        y=np.ascontiguousarray(fs.y[cur]),
        xf=np.ascontiguousarray(fs.xf[cur]),
        xf_lag=np.ascontiguousarray(fs.xf[prev]),
        xs=np.ascontiguousarray(fs.xs[cur]),
        xs_lag=np.ascontiguousarray(fs.xs[prev]),
        prob=np.ascontiguousarray(prob),
        z=z,
        w=w,
        markov_degree=options.markov_degree,
        f_index=fs.f_index,
        s_index=fs.s_index,
    )


def _gross_output_instruments(
    work: Panel,
    spec: ProductionSpec,
    s_index: Sequence[int],
    cur: np.ndarray,
    prev: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Gross output's GMM instruments (state terms, lagged flexible terms) on the rows
    ``cur`` with a lag at ``prev``, and their one-step weight ``(Z'Z/n)^{-1}``."""
    x_inputs = work.matrix(spec.inputs)
    x_inst = x_inputs.copy()
    lagged_inputs = np.full_like(x_inputs, np.nan)
    lagged_inputs[cur] = x_inputs[prev]
    for j in {spec.inputs.index(f) for f in spec.flexible}:
        x_inst[:, j] = lagged_inputs[:, j]
    z_full = term_matrix(x_inst, spec.inputs, spec.form)[:, list(s_index)]
    z = np.ascontiguousarray(z_full[cur])
    check_rank(
        z,
        what="second-stage instruments (state and lagged flexible terms)",
        fix="check that the inputs vary across firms and years",
    )
    return z, np.linalg.inv(z.T @ z / cur.size)


def _second_stage(
    d: _Stage2,
    fs: _FirstStage,
    spec: ProductionSpec,
    options: _ControlFunctionOptions,
    firm: np.ndarray,
) -> tuple[np.ndarray, Convergence, tuple[str, ...], Screening | None]:
    """Minimise the second-stage criterion from the start set (screened on a subsample of
    firms in large samples); ConvergenceWarnings are kept as diagnostics."""
    center = _start(options, fs, spec)
    n_more = options.optimizer.n_starts - 1
    starts = [center[None, :]]
    if n_more > 0 and options.start_spread > 0:
        starts.append(sobol_starts(center, options.start_spread, n_more, seed=0))
    start_set = np.vstack(starts)
    search = functools.partial(
        _screen_search, d=d, beta_f=fs.beta_f, starts=start_set, options=options
    )
    start_set, screening = screen_starts(firm, start_set, options.screen_nobs, search)
    fun = functools.partial(_criterion, beta_f=fs.beta_f, d=d)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        theta, conv = minimize_multistart(
            fun,
            start_set,
            optimizer=options.optimizer,
            merge_tol=MERGE_TOL,
            native=functools.partial(_nelder_mead, beta_f=fs.beta_f, d=d),
        )
    # the minimum itself, not where the simplex stopped (that depends on rounding), by
    # Newton steps on the analytic gradient (precise to rounding, whatever the row order)
    theta, polished = newton_polish(
        fun, theta, functools.partial(_gradient, beta_f=fs.beta_f, d=d)
    )
    if polished < conv.objective:
        conv = dataclasses.replace(conv, objective=polished)
    # recorded on the results (and re-emitted once by tfp.estimate), not lost
    diagnostics = tuple(
        str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)
    )
    return theta, conv, diagnostics, screening


# ---------------------------------------------------------------------------------------
# helpers
def _identification(
    d: _Stage2,
    theta: np.ndarray,
    beta_f: np.ndarray,
    conv: Any,
    x_use: np.ndarray,
    spec: ProductionSpec,
    free_r2: np.ndarray,
    xi: np.ndarray,
) -> IdentificationStats:
    """Curvature of the second-stage criterion, competing minima and the functional
    dependence of the free inputs on the first-stage polynomial (ACF 2015); ``xi`` are the
    second-stage residuals at ``theta``."""
    n = xi.shape[0]
    # noise of the criterion: sigma²/n (mean squared residual, or GMM with (Z'Z/N)^-1)
    sigma2 = float(xi @ xi) / n if d.z.shape[1] == 0 else float(np.var(xi))
    jac = mean_elasticity_jacobian(x_use, term_exponents(x_use.shape[1], spec.form))
    fun = functools.partial(_criterion, beta_f=beta_f, d=d)
    precision = criterion_precision(
        fun, theta, sigma2 / n, jac[:, list(d.s_index)], spec.inputs
    )
    margin = noise_margin(xi, d.z.shape[1])  # _noise_margin, residuals at hand
    competing = []
    for params in near_minima(conv, lambda _: margin)[1:]:
        b = np.empty(jac.shape[1])
        b[list(d.f_index)] = beta_f
        b[list(d.s_index)] = params
        competing.append(tuple(float(v) for v in jac @ b))
    return IdentificationStats(
        precision=precision,
        dependence=tuple(
            (name, float(r2)) for name, r2 in zip(spec.free, free_r2, strict=True)
        ),
        competing=tuple(competing),
    )


# ---------------------------------------------------------------------------------------
def _ols(
    y: np.ndarray, reg: np.ndarray, names: Sequence[str], n_poly: int
) -> tuple[np.ndarray, np.ndarray]:
    """OLS with the shared rank check, which names the first collinear regressor.

    The polynomial (the last ``n_poly`` columns) goes first, so that a collinear free input
    or control, the columns a user can change, is the one named.
    """
    p = reg.shape[1]
    order = np.r_[np.arange(p - n_poly, p), np.arange(p - n_poly)]
    coef = np.empty(p)
    coef[order] = lstsq(
        np.ascontiguousarray(reg[:, order]),
        y,
        what="first-stage regressors (free inputs, controls and the polynomial in "
        "state and proxy)",
        fix="drop the column, or lower poly_degree",
        names=[names[i] for i in order],
    )
    return coef, reg @ coef


def _start(
    options: _ControlFunctionOptions, fs: _FirstStage, spec: ProductionSpec
) -> np.ndarray:
    """First start, in the centred terms' coefficients: ``options.start`` (raw) or the
    first-stage coefficients of the terms' monomials (at the sample means when the
    polynomial is standardised)."""
    n_s = len(fs.s_index)
    if options.start is not None:
        if len(options.start) != n_s:
            raise SpecificationError(
                f"start has {len(options.start)} values, the second stage has {n_s} "
                "coefficients (terms without a free input, in spec.terms order)",
                fix=f"pass {n_s} starting values or start=None",
            )
        # raw -> centred: raw_s = A_sf b_f + A_ss theta
        sf, ss = np.ix_(fs.s_index, fs.f_index), np.ix_(fs.s_index, fs.s_index)
        raw = np.asarray(options.start, dtype=np.float64)
        return np.linalg.solve(fs.a_map[ss], raw - fs.a_map[sf] @ fs.beta_f)
    poly_vars = list(fs.poly_names)
    table = exponent_table(len(poly_vars), options.poly_degree)
    term_inp = term_inputs(len(spec.inputs), spec.form)
    out = np.zeros(n_s)
    for k, ti in enumerate(fs.s_index):
        e = np.zeros(len(poly_vars), dtype=np.int64)
        for j in term_inp[ti]:
            e[poly_vars.index(spec.inputs[j])] += 1
        hit = np.flatnonzero(np.all(table == e, axis=1))
        if hit.size:  # coefficient of a standardised monomial -> of the centred term
            out[k] = fs.coef[fs.n_lead + int(hit[0])] / np.prod(fs.poly_sd**e)
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
        check_binary(panel[spec.exit], spec.exit)
        return np.ascontiguousarray(panel[spec.exit][rows]), "column"
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
    term_inp = term_inputs(len(spec.inputs), spec.form)
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
