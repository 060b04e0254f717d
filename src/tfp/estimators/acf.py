"""Ackerberg–Caves–Frazer (2015) two-stage estimator with a multi-start GMM second stage.

First stage: ``y`` on a full polynomial in (free, state, flexible, proxy) plus controls and
(optionally) period dummies; ``φ`` is the polynomial part of the fit (controls and dummies are
netted out). Second stage: with ``ω(β) = φ − Xβ`` (``X`` the production terms), the law of
motion ``ω_t = g(ω_{t−1}, c_{t−1}) + ξ_t`` is concentrated out by least squares and the GMM
criterion ``Q(β) = g(β)' W g(β)``, ``g = Z'ξ/N``, is minimised from a deterministic start set
with its analytic gradient (:mod:`tfp.numerics.markov_gmm`). The lowest criterion wins; minima that
look like the spurious solution of Kim, Luo & Su (2019) (returns to scale near zero, i.e.
``ω ≈ φ``) are only reported when nothing else was found.

References
----------
Ackerberg, D. A., Caves, K., & Frazer, G. (2015). Identification properties of recent
production function estimators. *Econometrica* 83(6), 2411–2451.

Kim, K., Luo, Y., & Su, Y. (2019). A robust approach to estimating production functions:
Replication of the ACF procedure. *Journal of Applied Econometrics* 34(4), 514–516.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from functools import partial
from math import comb
from typing import Any

import numpy as np

from tfp.estimators.fit import Details, Fit, identification_wanted
from tfp.exceptions import ConvergenceWarning, IdentificationError, SpecificationError
from tfp.numerics.identification import (
    IdentificationStats,
    criterion_precision,
    mean_elasticity_jacobian,
)
from tfp.numerics.linalg import check_rank
from tfp.numerics.markov_gmm import (
    MarkovGMM,
    markov_bfgs,
    markov_criterion,
    markov_criterion_and_grad,
    markov_polish,
    weight_two_step,
)
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
from tfp.numerics.units import centring_map, newton_polish
from tfp.options._base import check_options
from tfp.options.acf import ACFOptions
from tfp.panel import Panel, lag_drops
from tfp.spec import (
    ProductionSpec,
    elasticity_matrix,
    term_inputs,
    term_matrix,
    term_names,
)

__all__ = ["ACF", "ACFData", "acf_problem", "fit"]

# End points of different starts closer than this (relative, per coordinate) are one minimum:
# BFGS stops within ~1e-6 of a minimum of a criterion this flat.
MERGE_TOL = 1e-4

# Translog second-order terms get this fraction of start_spread in the Sobol box (their
# coefficients are an order of magnitude smaller than the first-order ones).
SECOND_ORDER_SPREAD = 0.1

#: Bootstrap replicates stop at gradient norm sqrt(1e-14) = 1e-7: replicate estimates then
#: agree with a 1e-20 stop to ~1e-6, far below any bootstrap standard error (chilean: bootstrap
#: SEs equal to 4 digits, 18 % less time).
REPLICATE_FTOL = 1e-14
#: Multi-start gradient searches stop at gradient sqrt(1e-10) = 1e-5 and hand over to the
#: Levenberg-Marquardt polish (which converges to the minimum at machine precision in a few
#: evaluations): BFGS's path, and so the basin each start ends in, is the same up to there;
#: 22 % fewer evaluations at 48,000 rows with three inputs. Single starts (bootstrap
#: replicates) keep their own tolerance.
SEARCH_FTOL = 1e-10


def _noise_margin(problem: MarkovGMM, beta: np.ndarray) -> float:
    """Criterion differences below this are sampling noise (q − p over-identifying
    restrictions; see :data:`tfp.numerics.optimize.SCREEN_NOISE`)."""
    try:
        xi = problem.xi(np.asarray(beta, dtype=np.float64))
    except IdentificationError:
        xi = None
    return noise_margin(xi, problem.z.shape[1] - problem.x.shape[1])


@dataclass(frozen=True)
class _FirstStage:
    phi: np.ndarray
    start_terms: (
        np.ndarray
    )  # coefficient of each term's monomial, expanded at the centre
    r2: float
    ssr: float
    names: tuple[str, ...]
    control_coefs: dict[str, float]


def _check(panel: Panel, spec: ProductionSpec, options: ACFOptions) -> None:
    check_options(options, ACFOptions, "acf")
    spec.require("acf", "proxy")
    if options.start is not None and len(options.start) != len(spec.terms):
        raise SpecificationError(
            f"ACFOptions.start has {len(options.start)} values but the production function "
            f"has {len(spec.terms)} terms {spec.terms}",
            fix="pass one starting value per term, in that order",
        )
    for name in (*options.extra_instruments, *options.markov_controls):
        panel[name]  # raises SpecificationError naming the column when absent


def _term_coefficient(
    target: np.ndarray,
    exps: np.ndarray,
    coefs: np.ndarray,
    mu: np.ndarray,
    sd: np.ndarray,
    centre: np.ndarray,
) -> float:
    """Coefficient of ``Π_j (x_j − centre_j)^target_j`` in ``Σ_m c_m Π_j ((x_j − μ_j)/σ_j)^e_mj``
    (binomial expansion of ``x − μ = (x − centre) + (centre − μ)``)."""
    total = 0.0
    for m in range(exps.shape[0]):
        e = exps[m]
        if np.any(target > e):
            continue
        term = coefs[m]
        for j in range(e.shape[0]):
            if e[j]:
                term *= comb(int(e[j]), int(target[j])) * (centre[j] - mu[j]) ** int(
                    e[j] - target[j]
                )
                term /= sd[j] ** int(e[j])
        total += term
    return float(total)


def _first_stage_design(
    panel: Panel, spec: ProductionSpec, options: ACFOptions
) -> tuple[np.ndarray, int, tuple[str, ...], np.ndarray, np.ndarray, list[str]]:
    """First-stage regressors ``a = [basis, controls, period dummies]`` and what names them:
    ``(a, number of basis columns, polynomial variables, their means and sds, extra names)``."""
    poly_vars = tuple(
        dict.fromkeys((*spec.free, *spec.state, *spec.flexible, *spec.proxy))
    )
    v = panel.matrix(poly_vars)
    mu = v.mean(axis=0)
    sd = v.std(axis=0)
    for j, name in enumerate(poly_vars):
        if not sd[j] > 0:
            raise IdentificationError(
                "has no variation in the estimation sample",
                column=name,
                fix="drop it from the specification or use a sample where it varies",
            )
    basis = poly_basis((v - mu) / sd, options.poly_degree, include_constant=True)
    extra_cols: list[np.ndarray] = []
    extra_names: list[str] = []
    for c in spec.control:
        extra_cols.append(panel[c])
        extra_names.append(c)
    if options.time_dummies:
        dummies, names = panel.period_dummies()
        extra_cols += list(dummies.T)
        extra_names += names
    a = basis if not extra_cols else np.column_stack([basis, *extra_cols])
    return a, basis.shape[1], poly_vars, mu, sd, extra_names


def _first_stage(
    panel: Panel,
    spec: ProductionSpec,
    options: ACFOptions,
    y: np.ndarray,
    centre: dict[str, float],
) -> _FirstStage:
    """The first stage; ``centre`` gives the point (per input) at which the polynomial's
    coefficients on the production terms are read for the start set."""
    a, nb, poly_vars, mu, sd, extra_names = _first_stage_design(panel, spec, options)
    names = (*poly_names(poly_vars, options.poly_degree), *extra_names)
    check_rank(
        a,
        what="first-stage regressors (the polynomial, controls and period dummies)",
        fix="drop the column, or lower poly_degree",
        names=names,
    )
    # normal equations of the column-equilibrated regressors, scaled after the products
    # (no n x m temporaries: a*a and a/scale cost more than the Gram matrix itself)
    gram_raw = a.T @ a
    scale = np.sqrt(np.diag(gram_raw)).copy()
    scale[scale == 0] = 1.0
    gram = gram_raw / np.outer(scale, scale)
    coef_s = np.linalg.lstsq(gram, (a.T @ y) / scale, rcond=1e-13)[0]
    coef = coef_s / scale
    fitted = a @ coef
    resid = y - fitted
    ssr = float(resid @ resid)
    sst = float(((y - y.mean()) ** 2).sum())
    phi = np.ascontiguousarray(a[:, :nb]) @ coef[:nb]
    exps = exponent_table(len(poly_vars), options.poly_degree, include_constant=True)
    pos = {name: i for i, name in enumerate(poly_vars)}
    targets: list[np.ndarray] = []
    for term in term_inputs(len(spec.inputs), spec.form):
        t = np.zeros(len(poly_vars), dtype=np.int64)
        for j in term:
            t[pos[spec.inputs[j]]] += 1
        targets.append(t)
    point = np.array(
        [centre.get(name, m) for name, m in zip(poly_vars, mu, strict=True)]
    )
    start = np.array(
        [_term_coefficient(t, exps, coef[:nb], mu, sd, point) for t in targets]
    )
    return _FirstStage(
        phi=phi,
        start_terms=start,
        r2=1.0 - ssr / sst if sst > 0 else float("nan"),
        ssr=ssr,
        names=names,
        control_coefs={
            k: float(c) for k, c in zip(extra_names, coef[nb:], strict=True)
        },
    )


def _instrument_matrix(
    panel: Panel,
    spec: ProductionSpec,
    options: ACFOptions,
    xin: np.ndarray,
    use: np.ndarray,
    lag: np.ndarray,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """``state_t``, ``free_{t−1}``, ``flexible_{t−1}`` (translog: their terms) + extra lags."""
    inputs = spec.inputs
    lagged = set(spec.free) | set(spec.flexible)
    cols = [
        xin[lag, j] if name in lagged else xin[use, j] for j, name in enumerate(inputs)
    ]
    dated = np.column_stack(cols)
    dnames = tuple(f"{n}_lag" if n in lagged else n for n in inputs)
    if options.unit_invariant:
        # centred, so that the weight (Z'Z/N)^{-1} and the moment scores do not depend on
        # the origin of the logs (the innovations have mean zero: the roots are the same)
        dated = dated - dated.mean(axis=0)
    z = term_matrix(dated, dnames, spec.form)
    znames = list(term_names(dnames, spec.form))
    if options.extra_instruments:
        extra = panel.matrix(options.extra_instruments)[lag]
        if options.unit_invariant:
            extra = extra - extra.mean(axis=0)
        z = np.column_stack([z, extra])
        znames.extend(f"{n}_lag" for n in options.extra_instruments)
    return np.ascontiguousarray(z), tuple(znames)


def _mean_elasticities(
    beta: np.ndarray, xin_use: np.ndarray, spec: ProductionSpec
) -> np.ndarray:
    """Mean output elasticity of each input over the second-stage rows."""
    e = elasticity_matrix(xin_use, beta, spec.inputs, spec.form)
    return np.asarray(e).mean(axis=0)


def _rts(beta: np.ndarray, xin_use: np.ndarray, spec: ProductionSpec) -> float:
    return float(_mean_elasticities(beta, xin_use, spec).sum())


@dataclass(frozen=True, eq=False)
class ACFData:
    """What :func:`fit` needs besides the second-stage problem (:func:`acf_problem`)."""

    use: np.ndarray  # bool (panel.nobs,): rows with the firm's previous period
    dropped: dict[str, int]
    first_stage: _FirstStage
    x_in_use: np.ndarray  # inputs on the used rows, centred (``unit_invariant``)
    ols: np.ndarray  # OLS coefficients of the production terms (a start)
    instruments: tuple[str, ...]
    a_map: np.ndarray  # raw term coefficients = a_map @ the problem's (centred) ones
    a0: np.ndarray  # productivity of the raw coefficients = centred one + a0 @ c


def acf_problem(
    panel: Panel, spec: ProductionSpec, options: ACFOptions
) -> tuple[MarkovGMM, ACFData]:
    """Build the one-step second-stage problem (:class:`~tfp.numerics.markov_gmm.MarkovGMM`,
    rows with a lag) and the :class:`ACFData` :func:`fit` needs besides it.

    With ``options.unit_invariant`` the problem is in the centred parametrisation
    (:mod:`tfp.numerics.units`): its terms are those of the inputs centred at their sample
    means, so that its coefficients ``c`` are the raw ones ``A c`` (``ACFData.a_map``), and
    the instruments are centred: the same criterion whatever the units of the logs.
    """
    _check(panel, spec, options)
    y = np.asarray(panel[spec.output])
    xin_raw = panel.matrix(spec.inputs)
    mu = xin_raw.mean(axis=0) if options.unit_invariant else np.zeros(xin_raw.shape[1])
    xin = xin_raw - mu
    x = term_matrix(xin, spec.inputs, spec.form)
    a_map, a0 = centring_map(term_exponents(len(spec.inputs), spec.form), mu)
    fs = _first_stage(
        panel, spec, options, y, dict(zip(spec.inputs, mu.tolist(), strict=True))
    )
    lag_all = panel.lag_index(1)
    use = lag_all >= 0
    lag = lag_all[use]
    n_use = int(use.sum())
    h = 1 + options.markov_degree + len(options.markov_controls)
    if n_use < x.shape[1] + h + 2:
        raise IdentificationError(
            f"only {n_use} rows have the firm's previous period, too few for "
            f"{x.shape[1]} production terms and {h} law-of-motion coefficients",
            fix="use a longer panel (consecutive years) or fewer terms",
        )
    z, znames = _instrument_matrix(panel, spec, options, xin_raw, use, lag)
    cl = (
        panel.matrix(options.markov_controls)[lag]
        if options.markov_controls
        else np.empty((n_use, 0))
    )
    problem = MarkovGMM.build(
        fs.phi[use], fs.phi[lag], x[use], x[lag], cl, z, options.markov_degree
    )
    ones = np.ones((y.shape[0], 1))
    ols = np.linalg.lstsq(np.column_stack([ones, x]), y, rcond=None)[0][1:]
    dropped = lag_drops(panel.lag_reasons(1))
    return problem, ACFData(use, dropped, fs, xin[use], ols, znames, a_map, a0)


def _start_set(
    spec: ProductionSpec,
    options: ACFOptions,
    ols: np.ndarray,
    fs_start: np.ndarray,
    user_start: np.ndarray | None = None,
) -> np.ndarray:
    """The deterministic start set documented in :class:`~tfp.options.acf.ACFOptions`, in
    the centred parametrisation (``user_start``: ``options.start`` mapped into it)."""
    n = options.optimizer.n_starts
    n_terms = len(spec.terms)
    n_inputs = len(spec.inputs)
    rows: list[np.ndarray] = []
    if user_start is not None:
        rows.append(np.asarray(user_start, dtype=np.float64))
    equal = np.zeros(n_terms)
    equal[:n_inputs] = 1.0 / n_inputs
    rows.extend([ols, fs_start, equal])
    rows = rows[:n]
    n_more = n - len(rows)
    if n_more > 0:
        spread = np.full(n_terms, options.start_spread)
        spread[n_inputs:] *= SECOND_ORDER_SPREAD
        box_center = np.zeros(n_terms)
        box_center[:n_inputs] = 0.5
        box_half = np.zeros(n_terms)
        box_half[:n_inputs] = 0.5
        box_half[n_inputs:] = options.start_spread * SECOND_ORDER_SPREAD
        n_box = (n_more + 1) // 2  # alternately in the plausible box and around OLS
        box = sobol_starts(box_center, box_half, n_box, seed=0)
        around = sobol_starts(ols, spread, n_more - n_box, seed=0)
        rows += [(around if i % 2 else box)[i // 2] for i in range(n_more)]
    return np.vstack(rows)


def _run(
    problem: MarkovGMM,
    starts: np.ndarray,
    options: ACFOptions,
    accept: Any,
    diagnostics: list[str],
    label: str,
    notes: list[str],
    polish_only: bool = False,
) -> tuple[np.ndarray, Convergence, list[np.ndarray]]:
    """Search from ``starts``; ConvergenceWarnings become diagnostics (when the best start
    did not converge or another acceptable minimum is within sampling noise of the best, so
    that the data hardly tell them apart) or notes. Returns the estimate, the search record
    and the acceptable minima within noise of the best (:func:`near_minima`).

    Every search end is polished by Levenberg–Marquardt with the kernel's Jacobian
    (``polish_only``: the starts are already next to minima, polish alone)."""
    gradient = options.optimizer.uses_gradient
    if gradient:
        fun: Any = partial(markov_criterion_and_grad, problem=problem)
        jac: Any = True
    else:
        fun = partial(markov_criterion, problem=problem)
        jac = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        beta, conv = minimize_multistart(
            fun,
            starts,
            optimizer=(
                replace(
                    options.optimizer, ftol=max(options.optimizer.ftol, SEARCH_FTOL)
                )
                if gradient and starts.shape[0] > 1
                else options.optimizer
            ),
            jac=jac,
            merge_tol=MERGE_TOL,
            accept=accept,
            polish=partial(
                markov_polish, problem=problem, gtol=options.optimizer.ftol**0.5
            ),
            search=not polish_only,
            native=(
                partial(markov_bfgs, problem=problem)
                if options.optimizer.method == "bfgs"
                else None
            ),
        )
    near = near_minima(conv, partial(_noise_margin, problem), accept)
    worrying = not conv.converged or len(near) > 1
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            (diagnostics if worrying else notes).append(f"{label}: {w.message}")
        else:  # pragma: no cover - re-emit anything unexpected
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return beta, conv, near


def _accept(
    b: np.ndarray,
    problem: MarkovGMM,
    x_use: np.ndarray,
    spec: ProductionSpec,
    options: ACFOptions,
) -> bool:
    """False for a spurious ACF solution (Kim, Luo & Su 2019): returns to scale below
    ``options.spurious_rts`` or a law of motion explaining less than ``spurious_r2``; and,
    with ``options.nonnegative``, for a negative mean output elasticity."""
    if options.spurious_rts > 0 and _rts(b, x_use, spec) < options.spurious_rts:
        return False
    if options.nonnegative and _mean_elasticities(b, x_use, spec).min() < 0:
        return False
    return options.spurious_r2 <= 0 or _markov_r2(b, problem) >= options.spurious_r2


def _memoised(fn: Any) -> Any:
    """``fn(beta)`` computed once per distinct coefficient vector: the acceptance rule is
    asked again about the same minima at each step of the search's bookkeeping, and at
    10^6 rows each answer costs two passes over the data."""
    cache: dict[tuple[float, ...], bool] = {}

    def call(beta: np.ndarray) -> bool:
        key = tuple(np.asarray(beta, dtype=np.float64).tolist())
        if key not in cache:
            cache[key] = bool(fn(np.asarray(key, dtype=np.float64)))
        return cache[key]

    return call


def _markov_r2(beta: np.ndarray, problem: MarkovGMM) -> float:
    """Share of the variance of ``ω(β)`` explained by the law of motion (0 if singular)."""
    b = np.asarray(beta, dtype=np.float64)
    if problem.markov(b) is None:
        return 0.0
    omega = problem.phi - problem.x @ b
    var = float(omega.var())
    return 1.0 - float(problem.xi(b).var()) / var if var > 0 else 0.0


@dataclass(frozen=True, eq=False)
class ACF(Details):
    """ACF outputs.

    ``markov``: law-of-motion coefficients by name; ``instruments``: their names; ``weight``
    (and ``weight_matrix``, the final ``W``, which the analytic covariance uses);
    ``rts``: returns to scale at the estimate; ``starts``: the start set searched;
    ``notes``: what the search set aside (the diagnostics, which become warnings, are kept for
    what can change the answer); ``spurious_minima``: criterion and coefficients of the
    minima flagged as spurious; ``j_stat``/``j_df`` and ``step1_convergence`` (two-step);
    ``screening`` (large samples).
    """

    markov: dict[str, float]
    instruments: tuple[str, ...]
    weight: str
    weight_matrix: np.ndarray
    rts: float
    starts: tuple[tuple[float, ...], ...]
    notes: tuple[str, ...]
    spurious_minima: tuple[tuple[float, tuple[float, ...]], ...]
    j_stat: float | None = None
    j_df: int | None = None
    step1_convergence: Convergence | None = None
    screening: Screening | None = None


def fit(panel: Panel, spec: ProductionSpec, options: ACFOptions) -> Fit:
    """Estimate the production function by Ackerberg–Caves–Frazer (2015).

    Parameters
    ----------
    panel : Panel
        Validated panel holding ``spec.columns()`` and ``options.columns()``.
    spec : ProductionSpec
        Roles and functional form; ``spec.proxy`` is required. Gross output when
        ``spec.flexible`` is given (the flexible inputs enter the production function and are
        instrumented by their lags).
    options : ACFOptions
        See :class:`~tfp.options.acf.ACFOptions` (defaults documented there).

    Returns
    -------
    Fit
        ``params`` are the production-term coefficients (``spec.terms``); ``vcov`` is None
        (use the bootstrap); ``objective_fn(beta)`` evaluates the minimised criterion (with the
        final weight matrix) at other coefficients; ``phi`` is the first-stage fit;
        ``details``: :class:`ACF`.

    Raises
    ------
    SpecificationError
        No proxy, or ``options.start`` of the wrong length, or a named column is absent.
    IdentificationError
        Too few rows with a lag, an input or proxy without variation, collinear instruments.
    ConvergenceError
        With ``Optimizer(strict=True)``, when starts disagree or the best did not converge.
    """
    problem, data = acf_problem(panel, spec, options)
    fs, x_use = data.first_stage, data.x_in_use
    accept = _memoised(
        partial(_accept, problem=problem, x_use=x_use, spec=spec, options=options)
    )
    a_map = data.a_map
    user_start = (
        None
        if options.start is None
        else np.linalg.solve(a_map, np.asarray(options.start, dtype=np.float64))
    )
    starts = _start_set(spec, options, data.ols, fs.start_terms, user_start)

    def search(rows: np.ndarray) -> tuple[Convergence, list[np.ndarray]]:
        """The start set on the subsample ``rows``, with the full-sample weight."""
        a = problem
        sub = MarkovGMM.build(
            a.phi[rows], a.phil[rows], a.x[rows], a.xl[rows], a.cl[rows], a.z[rows],
            a.degree, weight=a.weight,
        )  # fmt: skip
        ok = _memoised(
            partial(_accept, problem=sub, x_use=x_use[rows], spec=spec, options=options)
        )
        notes: list[str] = []
        _, conv, near = _run(sub, starts, options, ok, notes, "screening", notes)
        return conv, near

    firm_use = np.asarray(panel.firm)[data.use]
    screened, screening = screen_starts(firm_use, starts, options.screen_nobs, search)
    diagnostics: list[str] = []
    notes: list[str] = []
    beta, conv, _ = _run(
        problem,
        screened,
        options,
        accept,
        diagnostics,
        "one-step",
        notes,
        # the screened starts are subsample minima: the full-sample minima are next to them
        polish_only=screened is not starts,
    )
    step1, final, j_stat, j_df = conv, problem, None, None
    if options.weight == "two-step":
        final = problem.with_weight(weight_two_step(problem.z, problem.xi(beta)))
        seeds = [beta] + [
            np.asarray(m.params)
            for m in conv.local_minima[1:]
            if accept(np.asarray(m.params))
        ]
        beta, conv, _ = _run(
            final, np.vstack(seeds), options, accept, diagnostics, "two-step", notes
        )
        j_df = problem.z.shape[1] - beta.shape[0]
    # the minimum itself, not where the search stopped (that depends on rounding: the order
    # of the rows, the units of the logs)
    beta, _ = newton_polish(
        partial(markov_criterion, problem=final),
        beta,
        lambda b: markov_criterion_and_grad(b, final)[1],
    )
    if j_df is not None:
        j_stat = float(final.nobs * markov_criterion(beta, final))
    identification = (
        _identification(
            final,
            beta,
            conv,
            accept,
            x_use,
            spec,
            two_step=options.weight == "two-step",
        )
        if identification_wanted()
        else None
    )
    spurious = _set_aside(
        beta, conv, final, x_use, spec, options, accept, diagnostics, notes, a_map
    )
    rts = _rts(beta, x_use, spec)
    markov = final.markov(beta)
    if markov is None:
        raise IdentificationError(
            "the law-of-motion regressors are collinear at the estimate",
            fix="lower markov_degree",
        )
    # report in the raw parametrisation: coefficients, law of motion, minima (the criterion
    # is evaluated on the centred problem, well conditioned whatever the units)
    rho = _shift_markov(markov[0], float(data.a0 @ beta), options.markov_degree)
    beta = a_map @ beta
    conv = _raw_convergence(conv, a_map)
    step1 = _raw_convergence(step1, a_map)
    mnames = (
        *poly_names(["omega_lag"], options.markov_degree),
        *[f"{c}_lag" for c in options.markov_controls],
    )
    a_inv = np.linalg.inv(a_map)
    objective = float(_raw_criterion(beta, final, a_inv))
    if conv.objective != objective:
        conv = replace(conv, objective=objective)
    details = ACF(
        markov=dict(zip(mnames, (float(r) for r in rho), strict=True)),
        instruments=data.instruments,
        weight=options.weight,
        weight_matrix=final.weight,
        rts=rts,
        starts=tuple(tuple(float(v) for v in s) for s in screened @ a_map.T),
        notes=tuple(notes),
        spurious_minima=spurious,
        j_stat=j_stat,
        j_df=j_df,
        step1_convergence=step1 if options.weight == "two-step" else None,
        screening=screening,
    )
    return Fit(
        params=np.asarray(beta, dtype=np.float64),
        names=spec.terms,
        vcov=None,
        sample=np.asarray(data.use, dtype=bool),
        convergence=conv,
        objective=objective,
        objective_fn=partial(_raw_criterion, problem=final, a_inv=a_inv),
        phi=np.asarray(fs.phi, dtype=np.float64),
        dropped=data.dropped,
        first_stage={
            "r2": fs.r2,
            "ssr": fs.ssr,
            "terms": fs.names,
            "nobs": int(panel.nobs),
            "controls": fs.control_coefs,
        },
        details=details,
        diagnostics=tuple(diagnostics),
        identification=identification,
    )


def _set_aside(
    beta: np.ndarray,
    conv: Convergence,
    final: MarkovGMM,
    x_use: np.ndarray,
    spec: ProductionSpec,
    options: ACFOptions,
    accept: Any,
    diagnostics: list[str],
    notes: list[str],
    a_map: np.ndarray,
) -> tuple[tuple[float, tuple[float, ...]], ...]:
    """The minima set aside as spurious (in raw coefficients); a diagnostic when the
    estimate itself looks spurious, else a note listing them."""
    spurious = tuple(
        (m.objective, _to_raw(a_map, m.params))
        for m in conv.local_minima
        if not accept(np.asarray(m.params))
    )
    if not accept(beta):
        elas = np.round(_mean_elasticities(beta, x_use, spec), 3).tolist()
        diagnostics.append(
            f"the estimate (mean elasticities {elas}, returns to scale "
            f"{_rts(beta, x_use, spec):.3g}, law-of-motion R2 {_markov_r2(beta, final):.3g}) "
            "looks like a spurious or inadmissible ACF solution (Kim, Luo & Su 2019; negative "
            "elasticity) and no other minimum was found; try other starts or instruments"
        )
    elif spurious:
        notes.append(
            f"{len(spurious)} local minimum(a) that look like a spurious ACF solution "
            f"(returns to scale < {options.spurious_rts}, law-of-motion R2 < "
            f"{options.spurious_r2}"
            + (", or a negative mean elasticity" if options.nonnegative else "")
            + ") were set aside; lowest criterion among them "
            f"{min(s[0] for s in spurious):.6g}: "
            + "; ".join(str(np.round(s[1], 4).tolist()) for s in spurious)
        )
    return spurious


def _identification(
    problem: MarkovGMM,
    beta: np.ndarray,
    conv: Convergence,
    accept: Any,
    x_use: np.ndarray,
    spec: ProductionSpec,
    *,
    two_step: bool,
) -> IdentificationStats:
    """Curvature of the criterion at the estimate and the admissible minima within sampling
    noise of it (other exact roots, in just-identified problems)."""
    try:
        xi = problem.xi(np.asarray(beta, dtype=np.float64))
    except IdentificationError:
        return IdentificationStats()
    # noise of the criterion: var(xi)/n with (Z'Z/N)^-1, 1/n with the efficient weight
    noise = (1.0 if two_step else float(np.var(xi))) / problem.nobs
    jac = mean_elasticity_jacobian(x_use, term_exponents(x_use.shape[1], spec.form))
    # curvature 2 G'WG from the kernel's Jacobian of the moments (Gauss–Newton: the Hessian
    # at an exact root, one evaluation instead of central differences' 1 + 2p²)
    moments = problem.moments(np.asarray(beta, dtype=np.float64))
    precision = criterion_precision(
        partial(markov_criterion, problem=problem),
        beta,
        noise,
        jac,
        spec.inputs,
        curvature=None
        if moments is None
        else 2.0 * moments[1].T @ problem.weight @ moments[1],
    )
    near = near_minima(conv, partial(_noise_margin, problem), accept)
    competing = tuple(tuple(float(v) for v in jac @ b) for b in near[1:])
    return IdentificationStats(precision=precision, competing=competing)


def _raw_criterion(beta: np.ndarray, problem: MarkovGMM, a_inv: np.ndarray) -> float:
    """The criterion at raw production-term coefficients (``problem`` has centred terms)."""
    b = np.asarray(beta, dtype=np.float64).ravel()
    return markov_criterion(a_inv @ b if b.shape[0] == a_inv.shape[0] else b, problem)


def _shift_markov(rho: np.ndarray, shift: float, degree: int) -> np.ndarray:
    """Law of motion of ``ω + shift`` from that of ``ω``: ``g(x) = Σ_k ρ_k x^k`` (then linear
    shifters) becomes ``shift + Σ_k ρ_k (x - shift)^k`` (binomial expansion)."""
    out = np.array(rho, dtype=np.float64, copy=True)
    poly = np.zeros(degree + 1)
    for k in range(degree + 1):
        for j in range(k + 1):
            poly[j] += rho[k] * comb(k, j) * (-shift) ** (k - j)
    poly[0] += shift
    out[: degree + 1] = poly
    return out


def _to_raw(a_map: np.ndarray, params: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(float(v) for v in a_map @ np.asarray(params, dtype=np.float64))


def _raw_convergence(conv: Convergence, a_map: np.ndarray) -> Convergence:
    """A search record of the centred problem with its points in raw coefficients."""
    return replace(
        conv,
        start_params=_to_raw(a_map, conv.start_params),
        local_minima=tuple(
            replace(m, params=_to_raw(a_map, m.params)) for m in conv.local_minima
        ),
    )


def bootstrap_options(
    options: ACFOptions, params: np.ndarray, spec: ProductionSpec
) -> ACFOptions:
    """Options for bootstrap replicates: one start, at the full-sample estimate.

    The replicate criterion is searched from the point estimate (as prodest does); the
    spurious-solution guards stay on, so a replicate that falls into the spurious root is
    reported as not converged rather than silently accepted.
    """
    n = len(spec.terms)
    return replace(
        options,
        start=tuple(float(v) for v in np.asarray(params, dtype=np.float64)[:n]),
        optimizer=replace(
            options.optimizer,
            n_starts=1,
            ftol=max(options.optimizer.ftol, REPLICATE_FTOL),
        ),
    )
