"""Monte Carlo runner for the control-function estimators on the ACF (2015) designs.

:func:`run_montecarlo` simulates ``n_draws`` panels of one cell (design × measurement error)
with :func:`tfp.datasets.acf_dgp`, estimates each with every requested method through
:func:`tfp.estimate`, and returns one row per (draw, method, term). :func:`summarise` turns
those rows into mean, bias, sd, RMSE and (with a bootstrap) the coverage of the 95 %
intervals, per cell, method and term.

Seeds. Draw ``r`` of the cell ``(design, measurement_error)`` uses the stream
``SeedSequence(seed, spawn_key=(design, round(1000 · measurement_error), r))``, i.e. child
``r`` of ``SeedSequence(seed, spawn_key=(design, round(1000 · measurement_error))).spawn(…)``.
Any draw of any cell can therefore be re-run on its own (``first_draw=r, n_draws=1``), more
draws extend a run without changing the earlier ones, and the result does not depend on
``n_jobs``. The panel and the bootstrap seed of a draw both come from its stream, and every
method sees the same panel (common random numbers across methods).

It sits in the estimation layer, above :func:`tfp.estimate` and the simulators of
:mod:`tfp.datasets` it combines (it moved here from ``tfp.datasets.montecarlo``).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tfp._checks import check_level, check_n_jobs
from tfp._literals import Method, validate_literal
from tfp.api import estimate
from tfp.datasets._common import SimulationTruth, check_count, check_float
from tfp.datasets.simulate import ACF_DESIGNS, acf_dgp, gnr_dgp
from tfp.estimators.registry import check_methods, method_keys
from tfp.exceptions import SpecificationError, TFPError
from tfp.options._base import Bootstrap, MethodOptions

__all__ = [
    "COVERAGE_CELLS",
    "DRAW_COLUMNS",
    "METHODS",
    "draw_seed",
    "run_montecarlo",
    "summarise",
]

#: Methods the runner accepts: each is estimated with ``free="l", state="k", proxy="m"``
#: (the proxy is ignored by OLS and FE); ``gnr`` runs on the gross-output design
#: (``design="gnr"``, :func:`tfp.datasets.gnr_dgp`) with ``flexible="m", share="s"``.
METHODS: tuple[Method, ...] = ("acf", "lp", "op", "ols", "fe", "wrdg", "gnr")

#: The gross-output design of :func:`tfp.datasets.gnr_dgp` (``design="gnr"``); its draws use
#: 0 as the design element of the spawn key (the ACF designs are 1–3).
GNR_DESIGN = "gnr"

#: Columns of the per-draw frame returned by :func:`run_montecarlo`, in order.
DRAW_COLUMNS: tuple[str, ...] = (
    "design",
    "measurement_error",
    "method",
    "draw",
    "term",
    "estimate",
    "std_error",
    "conf_low",
    "conf_high",
    "converged",
    "n_warnings",
    "boot_failed",
    "error",
    "seconds",
)

_ROLES: dict[str, Any] = dict(output="y", free="l", state="k", id="firm", time="year")
#: Proxy column of each method (``i`` = log investment for OP, ``m`` = materials otherwise).
_PROXY = {
    "acf": "m",
    "lp": "m",
    "op": "i",
    "wrdg": "m",
    "ols": None,
    "fe": None,
    "gnr": None,
}
_GNR_ROLES: dict[str, Any] = {"flexible": "m", "share": "s"}

_ACF_TRUTH: dict[str, float] = {"l": 0.6, "k": 0.4}

#: The cells of the analytic-standard-error Monte Carlo (issue 19), by name:
#: ``(design, method, n_firms, dgp_options, truth)``. ACF on the ACF (2015) DGP 1–3, LP on
#: DGP2, OP on DGP2 with a valid investment proxy (investment a function of ω alone, and a
#: capital shock so capital varies beyond ω's history), GNR on :func:`gnr_dgp`.
COVERAGE_CELLS: dict[
    str, tuple[int | str, str, int, dict[str, float], dict[str, float]]
] = {
    "acf-dgp1": (1, "acf", 1000, {}, _ACF_TRUTH),
    "acf-dgp2": (2, "acf", 1000, {}, _ACF_TRUTH),
    "acf-dgp3": (3, "acf", 1000, {}, _ACF_TRUTH),
    "lp-dgp2": (2, "lp", 1000, {}, _ACF_TRUTH),
    "op-dgp2-investment": (
        2,
        "op",
        1000,
        {"investment_cost_sd": 0.0, "capital_shock_sd": 0.3},
        _ACF_TRUTH,
    ),
    "gnr-gross-output": ("gnr", "gnr", 500, {}, {"l": 0.2, "k": 0.25, "m": 0.5}),
}


def _me_code(measurement_error: float) -> int:
    """The measurement-error share in thousandths, the second element of the spawn key."""
    return round(1000 * measurement_error)


def draw_seed(
    seed: int, design: int | str, measurement_error: float, draw: int
) -> np.random.SeedSequence:
    """The seed sequence of one draw of one cell.

    Parameters
    ----------
    seed : int
        Root entropy of the whole study.
    design : {1, 2, 3, 'gnr'}
        ACF design, or the gross-output design (spawn-key element 0).
    measurement_error : float
        Measurement-error share of the cell.
    draw : int
        Draw number (0-based).

    Returns
    -------
    numpy.random.SeedSequence
        ``SeedSequence(seed, spawn_key=(design, round(1000 · measurement_error), draw))``, which
        equals child ``draw`` of the cell's ``SeedSequence(seed, spawn_key=(design, code))``.
    """
    code = 0 if design == GNR_DESIGN else int(design)
    return np.random.SeedSequence(
        seed, spawn_key=(code, _me_code(measurement_error), int(draw))
    )


def _check_methods(methods: str | Sequence[str]) -> tuple[str, ...]:
    out = check_methods([methods] if isinstance(methods, str) else methods)
    for m in out:
        validate_literal(m, METHODS, name="method")  # the runner's subset
    return tuple(out)


def _one_draw(
    design: int | str,
    measurement_error: float,
    methods: tuple[str, ...],
    draw: int,
    n_firms: int,
    n_periods: int,
    seed: int,
    bootstrap: Bootstrap | None,
    options: Mapping[str, MethodOptions],
    level: float,
    analytic: bool = False,
    dgp_options: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Simulate draw ``draw`` of the cell and estimate it with every method."""
    ss = draw_seed(seed, design, measurement_error, draw)
    data_ss, boot_ss = ss.spawn(2)
    if design == GNR_DESIGN:
        data, truth = gnr_dgp(
            n_firms=n_firms, n_periods=n_periods, seed=np.random.default_rng(data_ss)
        )
    else:
        data, truth = acf_dgp(
            design=int(design),
            n_firms=n_firms,
            n_periods=n_periods,
            measurement_error=measurement_error,
            seed=np.random.default_rng(data_ss),
            **dict(dgp_options or {}),
        )
    boot_seed = int(boot_ss.generate_state(1, dtype=np.uint32)[0])
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows: list[dict[str, Any]] = []
    for method in methods:
        se: Any = "analytic" if analytic else "none"
        if bootstrap is not None:
            se = Bootstrap(reps=bootstrap.reps, seed=boot_seed, n_jobs=bootstrap.n_jobs)
        roles = {**_ROLES, **(_GNR_ROLES if method == "gnr" else {})}
        start = time.perf_counter()
        base = {"design": design, "measurement_error": measurement_error,
                "method": method, "draw": draw}  # fmt: skip
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = estimate(
                    data, method=method, proxy=_PROXY[method],
                    options=options.get(method), se=se, **roles,
                )  # fmt: skip
        except (TFPError, np.linalg.LinAlgError, FloatingPointError) as exc:
            failed = {"estimate": np.nan, "converged": False, "n_warnings": 0,
                      "error": f"{type(exc).__name__}: {exc}"}  # fmt: skip
            seconds = time.perf_counter() - start
            rows += [_row(base, t, seconds, **failed) for t in truth.params]
            continue
        seconds = time.perf_counter() - start
        ok = {"converged": bool(res.convergence.converged), "n_warnings": len(caught)}
        boot = res.bootstrap
        ci = res.conf_int(level) if boot is not None else None
        for term in res.spec.terms:
            est = float(res.params[term])
            row = _row(base, str(term), seconds, estimate=est, **ok)
            if boot is not None and ci is not None:
                lo, hi = ci.loc[term, ["lower", "upper"]].to_numpy(dtype=np.float64)
                row.update(std_error=float(res.std_errors[term]), conf_low=float(lo),
                           conf_high=float(hi), boot_failed=int(boot.failed))  # fmt: skip
            elif analytic and res.vcov is not None:  # Wald interval
                se_t = float(res.std_errors[term])
                row.update(std_error=se_t, conf_low=est - z * se_t,
                           conf_high=est + z * se_t)  # fmt: skip
            rows.append(row)
    return rows


def _row(
    base: dict[str, Any], term: str, seconds: float, **values: Any
) -> dict[str, Any]:
    """One row of :data:`DRAW_COLUMNS`: NaN statistics and no failure unless ``values``."""
    blank = {"std_error": np.nan, "conf_low": np.nan, "conf_high": np.nan,
             "boot_failed": 0, "error": ""}  # fmt: skip
    return {**base, "term": term, **blank, **values, "seconds": seconds}


def run_montecarlo(
    design: int | str,
    measurement_error: float = 0.0,
    methods: str | Sequence[str] = ("acf", "lp"),
    n_draws: int = 200,
    n_firms: int = 1000,
    seed: int = 0,
    bootstrap: Bootstrap | None = None,
    n_jobs: int = 1,
    *,
    n_periods: int = 10,
    first_draw: int = 0,
    options: Mapping[str, MethodOptions] | None = None,
    level: float = 0.95,
    analytic: bool = False,
    dgp_options: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Run one Monte Carlo cell: simulate ACF-design panels and estimate them.

    Parameters
    ----------
    design : {1, 2, 3, 'gnr'}
        ACF (2015) design of :func:`tfp.datasets.acf_dgp`, or ``'gnr'``: the gross-output
        design of :func:`tfp.datasets.gnr_dgp` (method ``gnr`` only, no measurement error).
    measurement_error : float, default 0.0
        Measurement-error variance in the proxy ``m`` as a share of its within-firm
        variance (ACF use 0, 0.1, 0.2, 0.5), in [0, 10].
    methods : str or sequence of str, default ('acf', 'lp')
        Methods from :data:`METHODS`, estimated with ``output="y", free="l", state="k"`` and
        proxy ``m`` (``i`` for OP).
    n_draws : int, default 200
        Number of simulated panels.
    n_firms : int, default 1000
        Firms per panel (ACF and prodest use 1,000).
    seed : int, default 0
        Root entropy; see the module docstring for how each draw's stream is derived.
    bootstrap : Bootstrap or None, default None
        When given, each fit gets a firm-cluster bootstrap with ``bootstrap.reps``
        replicates (its ``seed`` is ignored: each draw derives its own from its stream), and
        the frame holds bootstrap standard errors and percentile intervals.
    n_jobs : int, default 1
        Draws run in parallel with joblib (``-1`` = all cores); results are identical for
        any value.
    n_periods : int, default 10
        Periods kept per firm.
    first_draw : int, default 0
        Number of the first draw: ``first_draw=r, n_draws=1`` re-runs draw ``r`` alone.
    options : mapping of method to options, optional
        Options per method (``tfp.ACFOptions(...)``, ``tfp.LPOptions(...)``); methods not
        listed use their defaults.
    level : float, default 0.95
        Level of the intervals.
    analytic : bool, default False
        Each fit with ``se="analytic"``: the frame holds the analytic standard errors and
        Wald intervals (estimate ± z · se). Not together with ``bootstrap``.
    dgp_options : mapping, optional
        Extra keywords of :func:`tfp.datasets.acf_dgp`, e.g. ``{"investment_cost_sd": 0.0}``
        (investment a valid OP proxy).

    Returns
    -------
    pandas.DataFrame
        One row per (draw, method, production term; an intercept is left out), columns
        :data:`DRAW_COLUMNS`: ``estimate``;
        ``std_error``, ``conf_low``, ``conf_high`` and ``boot_failed`` (failed replicates)
        with a bootstrap, the analytic standard error and Wald interval with
        ``analytic=True``, else NaN and 0; ``converged`` (the optimizer's flag, True for
        closed-form methods); ``n_warnings`` (warnings the fit emitted, e.g. dropped first
        periods or set-aside local minima; they are recorded here, not re-emitted);
        ``error`` (the message when the fit raised, then ``estimate`` is NaN and the draw is
        counted as failed by :func:`summarise`, never dropped); ``seconds`` (wall time of
        the fit, bootstrap included).

    Raises
    ------
    SpecificationError
        If the design, a count, the measurement error, a method or ``level`` is invalid.

    References
    ----------
    Ackerberg, D. A., Caves, K. and Frazer, G. (2015). "Identification properties of recent
    production function estimators." *Econometrica* 83(6), 2411–2451, Section 4.
    https://doi.org/10.3982/ECTA13408

    Rovigatti, G. and Mollisi, V. (2018). "Theory and practice of total-factor productivity
    estimation: The control function approach using Stata." *Stata Journal* 18(3), 618–662
    (the prodest Monte Carlo on this design).

    Examples
    --------
    >>> draws = run_montecarlo(design=2, methods="lp", n_draws=2, n_firms=200, seed=1)
    >>> draws[["draw", "term"]].to_numpy().tolist()
    [[0, 'l'], [0, 'k'], [1, 'l'], [1, 'k']]
    """
    if isinstance(design, bool) or (design not in ACF_DESIGNS and design != GNR_DESIGN):
        raise SpecificationError(
            f"design={design!r} is not one of {{1, 2, 3, 'gnr'}}",
            fix="pass design=1, 2 or 3 (ACF) or 'gnr' (gross output)",
        )
    me = check_float(measurement_error, "measurement_error", low=0.0, high=10.0)
    meths = _check_methods(methods)
    if (design == GNR_DESIGN) != (meths == ("gnr",)) or (
        design == GNR_DESIGN and (me or dgp_options)
    ):
        raise SpecificationError(
            f"design={design!r} with methods={meths!r}: the gross-output design is "
            "estimated by GNR alone, without measurement error or dgp_options, and GNR "
            "needs that design",
            fix="pass design='gnr', methods='gnr', or an ACF design with the other methods",
        )
    if analytic and bootstrap is not None:
        raise SpecificationError(
            "analytic=True and a bootstrap were both given",
            fix="pass one of them (or neither, for point estimates only)",
        )
    n_draws = check_count(n_draws, "n_draws", 1)
    n_firms = check_count(n_firms, "n_firms", 2)
    n_periods = check_count(n_periods, "n_periods", 3)
    first_draw = check_count(first_draw, "first_draw", 0)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SpecificationError(
            f"seed={seed!r} must be a non-negative integer",
            fix="pass an int such as seed=2015",
        )
    if bootstrap is not None and not isinstance(bootstrap, Bootstrap):
        raise SpecificationError(
            f"bootstrap must be a tfp.Bootstrap or None, got {type(bootstrap).__name__}",
            fix="pass tfp.Bootstrap(reps=99)",
        )
    n_jobs = check_n_jobs(n_jobs)
    level = check_level(level)
    opts: dict[str, MethodOptions] = method_keys(dict(options or {}))
    for m, o in opts.items():
        if m not in meths:
            raise SpecificationError(
                f"options are given for method {m!r}, which is not in methods={meths!r}",
                fix="add the method or drop its options",
            )
        o.check_method(m)
    kwargs: dict[str, Any] = {
        "design": design if design == GNR_DESIGN else int(design),
        "measurement_error": me,
        "methods": meths,
        "n_firms": n_firms,
        "n_periods": n_periods,
        "seed": int(seed),
        "bootstrap": bootstrap,
        "options": opts,
        "level": level,
        "analytic": bool(analytic),
        "dgp_options": dict(dgp_options or {}),
    }
    draws = range(first_draw, first_draw + n_draws)
    if n_jobs == 1:
        parts = [_one_draw(draw=r, **kwargs) for r in draws]
    else:
        from joblib import Parallel, delayed

        parts = Parallel(n_jobs=n_jobs)(
            delayed(_one_draw)(draw=r, **kwargs) for r in draws
        )
    frame = pd.DataFrame([row for part in parts for row in part])
    frame = frame.reindex(columns=list(DRAW_COLUMNS))
    frame["method"] = frame["method"].astype(object)
    frame["term"] = frame["term"].astype(object)
    frame["error"] = frame["error"].astype(object)
    return frame.reset_index(drop=True)


_KEYS = ["design", "measurement_error", "method", "term"]


def summarise(
    draws: pd.DataFrame, truth: Mapping[str, float] | SimulationTruth
) -> pd.DataFrame:
    """Summarise Monte Carlo draws by cell, method and term.

    Parameters
    ----------
    draws : pandas.DataFrame
        Rows from :func:`run_montecarlo` (several cells may be concatenated).
    truth : mapping of term to true value, or SimulationTruth
        The true parameters (``{"l": 0.6, "k": 0.4}`` in the ACF designs, or
        ``acf_dgp(...).truth``).

    Returns
    -------
    pandas.DataFrame
        Index (``design``, ``measurement_error``, ``method``, ``term``); columns ``truth``,
        ``n_draws`` (draws run), ``n_failed`` (fits that raised), ``n_not_converged``,
        ``mean``, ``bias`` (mean − truth), ``sd`` (across draws, ddof 1), ``rmse``,
        ``mc_se`` (Monte Carlo standard error of the mean, sd/√n), ``median``; with
        bootstrap intervals also ``coverage`` (share of percentile intervals that contain the
        truth), ``coverage_normal`` (same for estimate ± z·bootstrap se) and
        ``mean_std_error``, else those are NaN. Statistics use the draws whose fit
        succeeded; failed fits are counted in ``n_failed``.

    Raises
    ------
    SpecificationError
        If ``draws`` lacks a column of :data:`DRAW_COLUMNS` or ``truth`` misses a term.
    """
    missing = [c for c in DRAW_COLUMNS if c not in draws.columns]
    if missing:
        raise SpecificationError(
            f"draws lacks columns {missing}",
            fix="pass the DataFrame returned by run_montecarlo",
        )
    params = truth.params if isinstance(truth, SimulationTruth) else truth
    terms = sorted(set(draws["term"]))
    absent = [t for t in terms if t not in params]
    if absent:
        raise SpecificationError(
            f"truth has no value for term(s) {absent}",
            fix="pass a mapping with every estimated term, e.g. {'l': 0.6, 'k': 0.4}",
        )
    z = 1.959963984540054  # 97.5 % normal quantile, for the normal-interval coverage
    out = []
    for key, g in draws.groupby(_KEYS, sort=True):
        true = float(params[str(key[3])])
        err = g["error"].astype(object)  # all-NaN (float) when read back from a CSV
        ok = g[err.isna() | (err == "")]
        est = ok["estimate"].to_numpy(dtype=np.float64)
        n = est.size
        sd = float(est.std(ddof=1)) if n > 1 else np.nan
        lo = ok["conf_low"].to_numpy(dtype=np.float64)
        hi = ok["conf_high"].to_numpy(dtype=np.float64)
        se = ok["std_error"].to_numpy(dtype=np.float64)
        has_ci = n > 0 and bool(np.isfinite(lo).all() and np.isfinite(hi).all())
        has_se = n > 0 and bool(np.isfinite(se).all())
        out.append(
            {
                **dict(zip(_KEYS, key, strict=True)),
                "truth": true,
                "n_draws": len(g),
                "n_failed": len(g) - n,
                "n_not_converged": int((~ok["converged"].astype(bool)).sum()),
                "mean": float(est.mean()) if n else np.nan,
                "bias": float(est.mean()) - true if n else np.nan,
                "sd": sd,
                "rmse": float(np.sqrt(np.mean((est - true) ** 2))) if n else np.nan,
                "mc_se": sd / np.sqrt(n) if n > 1 else np.nan,
                "median": float(np.median(est)) if n else np.nan,
                "coverage": float(np.mean((lo <= true) & (true <= hi)))
                if has_ci
                else np.nan,
                "coverage_normal": float(
                    np.mean(np.abs(est - true) <= z * se) if has_se else np.nan
                ),
                "mean_std_error": float(se.mean()) if has_se else np.nan,
            }
        )
    return pd.DataFrame(out).set_index(_KEYS)
