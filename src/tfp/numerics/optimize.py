"""Deterministic multi-start minimisation and quasi-random start sets.

:func:`minimize_multistart` runs :func:`scipy.optimize.minimize` (configured by an
:class:`Optimizer`) from every row of a start matrix, keeps the lowest criterion and records
what happened in a :class:`Convergence`: how many starts reached the minimum and which other
local minima were found. The answer does not depend on the order of the starts: ties in the
criterion are broken lexicographically on the (rounded) parameters, and end points are merged
into minima after sorting them by an order-free key.

:func:`sobol_starts` gives a deterministic set of scrambled Sobol points around a centre;
:func:`screen_starts` tries a start set on a subsample of firms first (large samples), keeping
the minima that :func:`near_minima` finds within sampling noise (:func:`noise_margin`) of the
best.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize as _opt
from scipy.stats import qmc

from tfp._checks import check_bool, check_int, check_real
from tfp._literals import validate_literal
from tfp.exceptions import ConvergenceError, ConvergenceWarning, SpecificationError
from tfp.numerics.gauss_newton import PolishResult

__all__ = [
    "Convergence",
    "LocalMinimum",
    "Optimizer",
    "Screening",
    "minimize_multistart",
    "near_minima",
    "noise_margin",
    "scipy_options",
    "screen_starts",
    "sobol_starts",
]

# Criteria within this relative distance of the lowest are ties (broken on the parameters):
# floating-point noise of the same criterion evaluated at the same point from other starts.
TIE_RTOL = 1e-10

# Decimals used to round parameters for the lexicographic tie-break: differences below 1e-9
# are numerical noise between starts that reached the same point.
TIE_DECIMALS = 9

_SCIPY_NAMES = {
    "nelder-mead": "Nelder-Mead",
    "bfgs": "BFGS",
    "l-bfgs-b": "L-BFGS-B",
    "trust-constr": "trust-constr",
    "powell": "Powell",
}
OPTIMIZERS = tuple(_SCIPY_NAMES)


@dataclass(frozen=True)
class Optimizer:
    """How a GMM criterion is minimised.

    Parameters
    ----------
    method : {'nelder-mead', 'bfgs', 'l-bfgs-b', 'trust-constr', 'powell'}
        SciPy method used from every start.
    xtol, ftol : float
        Tolerances on parameters and criterion.
    maxiter : int
        Iterations allowed per start.
    n_starts : int
        Starts of the multi-start search (the deterministic start set of each method, then
        Sobol points, up to this number).
    strict : bool
        Raise :class:`~tfp.exceptions.ConvergenceError` instead of warning when the best start
        did not converge.
    """

    method: str = "nelder-mead"
    xtol: float = 1e-8
    ftol: float = 1e-12
    maxiter: int = 5000
    n_starts: int = 8
    strict: bool = False

    def __post_init__(self) -> None:
        validate_literal(self.method, OPTIMIZERS, name="Optimizer.method")
        check_real(self.xtol, name="Optimizer.xtol", low=0.0, low_open=True)
        check_real(self.ftol, name="Optimizer.ftol", low=0.0, low_open=True)
        check_int(self.maxiter, name="Optimizer.maxiter", low=1)
        check_int(self.n_starts, name="Optimizer.n_starts", low=1)
        check_bool(self.strict, name="Optimizer.strict")

    @property
    def uses_gradient(self) -> bool:
        """The method takes a gradient (``jac``)."""
        return self.method in ("bfgs", "l-bfgs-b", "trust-constr")


@dataclass(frozen=True)
class LocalMinimum:
    """One distinct local minimum found by a multi-start search."""

    objective: float
    params: tuple[float, ...]
    n_starts: int  # how many starts ended here


@dataclass(frozen=True)
class Convergence:
    """Record of a numerical optimisation.

    Attributes
    ----------
    converged : bool
        The best start met the optimizer's tolerance.
    n_iter, n_evals : int
        Iterations and criterion evaluations of the best start (summed over starts in
        ``n_evals_total``).
    objective : float
        Criterion at the estimate.
    message : str
        The optimizer's message for the best start.
    start_params : tuple of float
        Where the best start began.
    elapsed : float
        Seconds spent in the whole search.
    method : str
        Optimizer used.
    n_starts : int
        Starts tried.
    n_starts_at_min : int
        Starts that reached the reported minimum (within the tolerance used to merge minima).
    local_minima : tuple of LocalMinimum
        The distinct minima found, best first.
    """

    converged: bool
    n_iter: int
    n_evals: int
    objective: float
    message: str
    start_params: tuple[float, ...]
    elapsed: float
    method: str = ""
    n_starts: int = 1
    n_starts_at_min: int = 1
    n_evals_total: int = 0
    local_minima: tuple[LocalMinimum, ...] = ()

    @classmethod
    def closed_form(cls, objective: float = float("nan")) -> Convergence:
        """The record of an estimator with a closed-form solution."""
        return cls(
            converged=True,
            n_iter=0,
            n_evals=0,
            objective=objective,
            message="closed form",
            start_params=(),
            elapsed=0.0,
            method="closed form",
            n_starts=0,
            n_starts_at_min=0,
        )


def scipy_options(optimizer: Optimizer) -> tuple[str, dict[str, Any]]:
    """Translate an :class:`Optimizer` into SciPy's method name and options.

    Parameters
    ----------
    optimizer : Optimizer
        The requested optimizer.

    Returns
    -------
    method : str
        Name for :func:`scipy.optimize.minimize`.
    options : dict
        ``options`` for :func:`scipy.optimize.minimize`: ``xtol`` and ``ftol`` mapped onto each
        method's own tolerance names (Nelder-Mead ``xatol``/``fatol``; BFGS ``gtol``/``xrtol``;
        L-BFGS-B ``ftol``/``gtol``; Powell ``xtol``/``ftol``; trust-constr ``xtol``/``gtol``).
    """
    m = optimizer.method
    opts: dict[str, Any] = {"maxiter": optimizer.maxiter}
    if m == "nelder-mead":
        opts.update(xatol=optimizer.xtol, fatol=optimizer.ftol, adaptive=False)
    elif m == "bfgs":
        opts.update(gtol=optimizer.ftol**0.5, xrtol=optimizer.xtol)
    elif m == "l-bfgs-b":
        opts.update(ftol=optimizer.ftol, gtol=optimizer.ftol**0.5)
    elif m == "powell":
        opts.update(xtol=optimizer.xtol, ftol=optimizer.ftol)
    elif m == "trust-constr":
        opts.update(xtol=optimizer.xtol, gtol=optimizer.ftol**0.5)
    return _SCIPY_NAMES[m], opts


@dataclass(frozen=True)
class _End:
    """Where one start ended."""

    order: int
    x: np.ndarray
    fun: float
    success: bool
    nit: int
    nfev: int
    message: str
    start: np.ndarray

    def key(self) -> tuple[Any, ...]:
        """Order-free sort key: criterion, then rounded parameters, then exact parameters."""
        return (
            self.fun,
            tuple(np.round(self.x, TIE_DECIMALS).tolist()),
            tuple(self.x.tolist()),
            tuple(self.start.tolist()),
        )


def _same_point(a: np.ndarray, b: np.ndarray, merge_tol: float) -> bool:
    scale = 1.0 + max(
        float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0))
    )
    return bool(np.max(np.abs(a - b), initial=0.0) <= merge_tol * scale)


def _run_one(
    fun: Callable[..., float],
    x0: np.ndarray,
    kwargs: dict[str, Any],
    order: int,
    *,
    polish: Callable[[np.ndarray], PolishResult] | None = None,
    search: bool = True,
    native: Callable[[np.ndarray, dict[str, Any]], Any] | None = None,
) -> _End:
    """One start: ``native(x0, options)`` or else ``scipy.optimize.minimize(fun, x0,
    **kwargs)``, then ``polish`` from its end (only ``polish`` when ``search`` is False)."""
    if not search:
        assert polish is not None
        p = polish(np.asarray(x0, dtype=np.float64))
        return _End(
            order=order,
            x=np.asarray(p.x, dtype=np.float64),
            fun=p.fun if np.isfinite(p.fun) else float("inf"),
            success=p.converged and bool(np.isfinite(p.fun)),
            nit=p.n_iter,
            nfev=p.n_evals,
            message=f"Levenberg-Marquardt: {p.message}",
            start=np.asarray(x0, dtype=np.float64).copy(),
        )
    kwargs = {**kwargs, "options": dict(kwargs["options"])}
    res = (
        native(np.asarray(x0, dtype=np.float64), kwargs["options"]) if native else None
    )
    if res is None:
        with warnings.catch_warnings():
            # SciPy's own RuntimeWarnings/OptimizeWarnings are summarised in the
            # Convergence record.
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", _opt.OptimizeWarning)
            res = _opt.minimize(fun, x0, **kwargs)
    x = np.asarray(res.x, dtype=np.float64).reshape(-1)
    f = float(np.asarray(res.fun).reshape(-1)[0]) if np.size(res.fun) else float("nan")
    success = bool(res.success) and bool(np.isfinite(f))
    nit = int(getattr(res, "nit", 0) or 0)
    nfev = int(getattr(res, "nfev", 0) or 0)
    message = str(getattr(res, "message", ""))
    if polish is not None and np.isfinite(f):
        p = polish(x)
        nit += p.n_iter
        nfev += p.n_evals
        if p.fun <= f:  # every accepted step lowered the criterion; never worse
            x, f = np.asarray(p.x, dtype=np.float64), float(p.fun)
            success = p.converged
            message = f"{message} Levenberg-Marquardt polish: {p.message}."
    return _End(
        order=order,
        x=x,
        fun=f if np.isfinite(f) else float("inf"),
        success=success,
        nit=nit,
        nfev=nfev,
        message=message,
        start=np.asarray(x0, dtype=np.float64).copy(),
    )


def minimize_multistart(
    fun: Callable[..., float],
    starts: np.ndarray | Sequence[Sequence[float]],
    *,
    optimizer: Optimizer,
    jac: Callable[..., np.ndarray] | bool | None = None,
    bounds: Sequence[tuple[float | None, float | None]] | None = None,
    merge_tol: float = 1e-6,
    accept: Callable[[np.ndarray], bool] | None = None,
    polish: Callable[[np.ndarray], PolishResult] | None = None,
    search: bool = True,
    native: Callable[[np.ndarray, dict[str, Any]], Any] | None = None,
) -> tuple[np.ndarray, Convergence]:
    """Minimise ``fun`` from several starts and keep the lowest criterion.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float`` (or ``(float, gradient)`` when ``jac=True``). Non-finite values
        mark a start as failed.
    starts : array_like, shape (n_starts, p)
        Starting points, one per row (a 1-d array is a single start). Every row is run, in
        order; the result does not depend on that order.
    optimizer : Optimizer
        Method and tolerances (see :func:`scipy_options`); ``optimizer.strict`` turns the
        warnings below into :class:`~tfp.exceptions.ConvergenceError`.
    jac : callable or bool, optional
        Gradient, passed to gradient-based methods (``bfgs``, ``l-bfgs-b``, ``trust-constr``)
        and ignored by the others.
    bounds : sequence of (low, high), optional
        Box constraints for the methods that accept them.
    merge_tol : float
        End points whose parameters differ by at most ``merge_tol * (1 + max|x|)`` in every
        coordinate are the same local minimum.
    accept : callable, optional
        ``accept(x) -> bool``: end points it rejects (e.g. a known spurious solution) are
        only reported when no start ended at an accepted point; they stay in
        ``local_minima`` after the reported minimum.
    polish : callable, optional
        ``polish(x) -> PolishResult``, run from where each start's search ended (e.g. a
        Levenberg–Marquardt polish of a GMM criterion,
        :func:`tfp.numerics.gauss_newton.levenberg_marquardt`). Its end replaces the
        search's when its criterion is not higher, and its convergence test then decides
        ``converged``; its evaluations are counted.
    search : bool
        ``False`` (with ``polish``): no SciPy search; every start goes straight to the
        polish. For starts already next to a minimum (e.g. the minima of a subsample).
    native : callable, optional
        ``native(x0, options) -> OptimizeResult | None``: a compiled implementation of the
        same method on the same criterion (e.g.
        :func:`tfp._kernels.control_nb.cf_nelder_mead_nb`, SciPy's Nelder–Mead step for
        step), called with ``x0`` and the SciPy options of :func:`scipy_options`; ``None``
        falls back to :func:`scipy.optimize.minimize`.

    Returns
    -------
    x : ndarray, shape (p,)
        The parameters with the lowest criterion. Criteria within a relative
        :data:`TIE_RTOL` of the lowest are ties, broken by the lexicographically smallest
        parameters rounded to :data:`TIE_DECIMALS` decimals.
    convergence : Convergence
        Record of the best start (``converged``, ``n_iter``, ``n_evals``, ``message``,
        ``start_params``), of the whole search (``n_evals_total``, ``elapsed``, ``n_starts``)
        and of the minima found (``n_starts_at_min``, ``local_minima`` best first).

    Raises
    ------
    ConvergenceError
        Every start failed; or, with ``optimizer.strict``, the best start did not converge or
        starts ended at different minima.

    Warns
    -----
    ConvergenceWarning
        The best start did not converge, or the starts ended at different local minima (the
        message gives the gap between the criterion at the best and at the next minimum).
    """
    if not isinstance(optimizer, Optimizer):
        raise SpecificationError(
            f"optimizer must be an Optimizer, got {type(optimizer).__name__}",
            fix="pass tfp.options.Optimizer(...)",
        )
    s = np.asarray(starts, dtype=np.float64)
    if s.ndim == 1:
        s = s[None, :]
    if s.ndim != 2 or s.shape[0] == 0 or s.shape[1] == 0:
        raise SpecificationError(
            f"starts must be a non-empty (n_starts, n_params) matrix, got shape {s.shape}",
            fix="pass one starting point per row",
        )
    if not np.all(np.isfinite(s)):
        raise SpecificationError(
            "starts contain NaN or infinite values", fix="pass finite starting points"
        )
    if not search and polish is None:
        raise SpecificationError(
            "search=False needs a polish", fix="pass polish=... or search=True"
        )
    if not (np.isfinite(merge_tol) and merge_tol >= 0):
        raise SpecificationError(
            f"merge_tol={merge_tol} must be finite and >= 0", fix="pass e.g. 1e-6"
        )

    method, options = scipy_options(optimizer)
    kwargs: dict[str, Any] = {"method": method, "options": options}
    if jac is not None and optimizer.uses_gradient:
        kwargs["jac"] = jac
    if bounds is not None and optimizer.method != "bfgs":  # BFGS takes no bounds
        kwargs["bounds"] = bounds
    t0 = time.perf_counter()
    ends = [
        _run_one(
            fun,
            s[i].copy(),
            kwargs,
            i,
            polish=polish,
            search=search,
            native=native,
        )
        for i in range(s.shape[0])
    ]
    elapsed = time.perf_counter() - t0
    n_total = sum(e.nfev for e in ends)

    ok = [e for e in ends if np.isfinite(e.fun)]
    if not ok:
        raise ConvergenceError(
            f"the criterion was not finite at the end of any of the {len(ends)} starts",
            fix="check the data for degenerate columns or pass other starting values",
        )
    accepted = [e for e in ok if accept is None or accept(e.x)]
    pool = accepted if accepted else ok
    fmin = min(e.fun for e in pool)
    tie = TIE_RTOL * abs(fmin)
    tied = sorted((e for e in pool if e.fun <= fmin + tie), key=lambda e: e.key()[1:])
    best = tied[0]
    n_rejected_ends = len(ok) - len(accepted) if accepted else 0

    # Merge end points into minima, visiting them in an order-free sequence (best first).
    clusters: list[list[_End]] = [[best]]
    for e in sorted((e for e in ok if e is not best), key=_End.key):
        for c in clusters:
            if _same_point(c[0].x, e.x, merge_tol):
                c.append(e)
                break
        else:
            clusters.append([e])
    minima = tuple(
        LocalMinimum(
            objective=float(c[0].fun),
            params=tuple(float(v) for v in c[0].x),
            n_starts=len(c),
        )
        for c in clusters
    )
    n_failed = len(ends) - len(ok)

    conv = Convergence(
        converged=best.success,
        n_iter=best.nit,
        n_evals=best.nfev,
        objective=float(best.fun),
        message=best.message,
        start_params=tuple(float(v) for v in best.start),
        elapsed=float(elapsed),
        method=optimizer.method,
        n_starts=len(ends),
        n_starts_at_min=len(clusters[0]),
        n_evals_total=int(n_total),
        local_minima=minima,
    )

    problems = []
    if not best.success:
        problems.append(
            f"the best of {len(ends)} starts did not converge ({best.message})"
        )
    if len(minima) > 1:
        gap = minima[1].objective - minima[0].objective
        rel = "higher" if gap >= 0 else "lower (rejected by the acceptance rule)"
        problems.append(
            f"the {len(ends)} starts ended at {len(minima)} different local minima; "
            f"{len(clusters[0])} reached the reported criterion {minima[0].objective:.6g}, "
            f"the next minimum is {rel} by {abs(gap):.3g}"
        )
    if n_failed:
        problems.append(f"{n_failed} start(s) ended at a non-finite criterion")
    if n_rejected_ends:
        problems.append(
            f"{n_rejected_ends} start(s) ended at points rejected by the acceptance rule"
        )
    if problems:
        text = "; ".join(problems)
        if optimizer.strict:
            raise ConvergenceError(
                text,
                fix="raise Optimizer.maxiter, change the starts or set strict=False",
            )
        warnings.warn(
            text + ". The lowest criterion is reported.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return best.x.copy(), conv


def sobol_starts(
    center: np.ndarray | Sequence[float] | float,
    scale: np.ndarray | Sequence[float] | float,
    n: int,
    seed: int = 0,
) -> np.ndarray:
    """Deterministic scrambled Sobol points in the box ``center ± scale``.

    Parameters
    ----------
    center : array_like, shape (p,)
        Centre of the box.
    scale : float or array_like, shape (p,)
        Half-width of the box in each coordinate (non-negative).
    n : int
        Number of points (>= 0). The first ``n`` points of a scrambled sequence of
        ``2**ceil(log2 n)`` points are returned, so any ``n`` is allowed and a smaller ``n`` is
        a prefix of a larger one with the same seed.
    seed : int
        Seed of the scrambling; the same seed always gives the same points.

    Returns
    -------
    ndarray, shape (n, p)

    References
    ----------
    Sobol', I. M. (1967). On the distribution of points in a cube and the approximate
    evaluation of integrals. *USSR Computational Mathematics and Mathematical Physics* 7(4).
    """
    c = np.atleast_1d(np.asarray(center, dtype=np.float64))
    if c.ndim != 1 or c.size == 0 or not np.all(np.isfinite(c)):
        raise SpecificationError(
            "center must be a non-empty finite vector", fix="pass the start centre"
        )
    sc = np.broadcast_to(np.asarray(scale, dtype=np.float64), c.shape)
    if not np.all(np.isfinite(sc)) or np.any(sc < 0):
        raise SpecificationError(
            "scale must be finite and non-negative", fix="pass half-widths >= 0"
        )
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise SpecificationError(
            f"n={n!r} must be a non-negative integer", fix="pass n >= 0"
        )
    if n == 0:
        return np.empty((0, c.size))
    m = max(0, int(np.ceil(np.log2(n))))
    u = qmc.Sobol(
        d=c.size, scramble=True, seed=np.random.default_rng(seed)
    ).random_base2(m)[:n]
    return np.ascontiguousarray(c + sc * (2.0 * u - 1.0))


#: Screening keeps at most this many subsample minima as the starts of the full sample.
SCREEN_KEEP = 3
#: Two minima compete when their criteria differ by less than the sampling noise of the
#: criterion, ``SCREEN_NOISE · var(ξ) · max(df, 1) / n`` (ξ the residuals, n rows, df the
#: over-identifying restrictions of a GMM criterion: ``n · criterion / var(ξ)`` is then of the
#: order of a χ²(df); a least-squares criterion is itself of the order var(ξ)).
SCREEN_NOISE = 10.0


@dataclass(frozen=True)
class Screening:
    """Record of a subsample screening of starts (:func:`screen_starts`).

    Attributes
    ----------
    nobs : int
        Rows of the subsample.
    every_kth_firm : int
        The subsample holds the firms whose code is a multiple of this.
    n_starts : int
        Starts screened.
    convergence : Convergence
        The subsample search.
    """

    nobs: int
    every_kth_firm: int
    n_starts: int
    convergence: Convergence


def noise_margin(resid: np.ndarray | None, df: int) -> float:
    """Criterion differences below this are sampling noise (see :data:`SCREEN_NOISE`); 0
    when the residuals are not defined (None)."""
    var = float(np.var(resid)) if resid is not None else 0.0
    n = resid.shape[0] if resid is not None else 0
    return SCREEN_NOISE * var * max(df, 1) / max(n, 1)


def near_minima(
    conv: Convergence,
    margin: Callable[[np.ndarray], float],
    accept: Callable[[np.ndarray], bool] | None = None,
) -> list[np.ndarray]:
    """Parameters of the distinct minima of a search (those ``accept`` takes) whose criterion
    is within ``margin(best)`` of the best, best first."""
    ok = [
        (np.asarray(m.params, dtype=np.float64), m.objective)
        for m in conv.local_minima
        if accept is None or accept(np.asarray(m.params, dtype=np.float64))
    ]
    if not ok:
        return []
    bound = ok[0][1] + margin(ok[0][0])
    return [x for x, f in ok if f <= bound]


def screen_starts(
    firm: np.ndarray,
    starts: np.ndarray,
    target_nobs: int | None,
    search: Callable[[np.ndarray], tuple[Convergence, list[np.ndarray]]],
) -> tuple[np.ndarray, Screening | None]:
    """Screen a start set on a subsample of firms when the sample is large.

    With more than ``target_nobs`` rows and more than one start, ``search(rows)`` runs every
    start on the rows of every k-th firm code (``k = ceil(n / target_nobs)``; ``firm`` gives
    each row's firm code) and returns its record and the minima that compete with the best
    (:func:`near_minima`). At most :data:`SCREEN_KEEP` of them start the full-sample search
    (every start when none). Otherwise ``starts`` are returned unscreened, with no record.
    """
    if target_nobs is None or firm.shape[0] <= target_nobs or starts.shape[0] <= 1:
        return starts, None
    k = int(np.ceil(firm.shape[0] / target_nobs))
    rows = np.flatnonzero(firm % k == 0)
    conv, found = search(rows)
    found = found[:SCREEN_KEEP]
    record = Screening(int(rows.shape[0]), k, int(starts.shape[0]), conv)
    return (np.vstack(found) if found else starts), record
