"""What every estimator returns: :class:`Fit` (arrays only) and :class:`Convergence`.

Each estimator module exposes ``fit(panel, spec, options) -> Fit``. It computes on the
validated :class:`~tfp.panel.Panel` (sorted by firm and time, read-only float64 arrays) and
never sees a DataFrame; :mod:`tfp.api` attaches labels and builds the public results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tfp.numerics.identification import IdentificationStats

__all__ = ["Convergence", "Fit", "LocalMinimum"]


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


@dataclass(frozen=True, eq=False)
class Fit:
    """An estimator's output on a panel: arrays only, in panel row order.

    Attributes
    ----------
    params : ndarray, shape (p,)
        Production-function terms first (in ``spec.terms`` order), then any nuisance
        coefficients the method reports (controls, ``const``), named in ``names``.
    names : tuple of str
        Names of ``params``.
    vcov : ndarray (p, p) or None
        Analytic covariance, or None when the method has none (bootstrap fills it later).
    sample : ndarray of bool, shape (panel.nobs,)
        Rows of the panel used in the final (second) stage.
    convergence : Convergence
        Optimisation record (``Convergence.closed_form()`` for closed forms).
    objective : float or None
        The criterion at ``params`` (None for closed forms without one).
    objective_fn : callable or None
        ``objective_fn(beta) -> float``: the same criterion at other values of the
        production-term coefficients ``beta`` (length ``len(spec.terms)``, in ``spec.terms``
        order); nuisance parameters are concentrated out or fixed as the method documents.
        Used to compare with other packages' estimates. Must be picklable: use
        ``functools.partial`` of a module-level function, never a lambda or closure.
    phi : ndarray or None, shape (panel.nobs,)
        First-stage fitted output (NaN where not computed); productivity without the
        transitory shock is ``phi - X·beta``.
    dropped : Mapping[str, int]
        Panel rows left out of ``sample``, by reason (see :data:`tfp.panel.DROP_REASONS`).
    first_stage : Mapping[str, Any]
        First-stage summary (``r2``, ``terms``, ``ssr`` …), empty if none.
    se_kind : str
        Distribution of the analytic statistics: ``"t"`` or ``"normal"``.
    df_resid : int or None
        Residual degrees of freedom for t statistics.
    extra : Mapping[str, Any]
        Method-specific outputs (J statistic, Markov coefficients, per-observation
        elasticities for GNR …), documented by each estimator.
    diagnostics : tuple of str
        Non-fatal issues, also emitted as warnings by the api.
    identification : IdentificationStats or None
        What only the estimator can compute about its identification (instrument strength,
        curvature of its criterion, competing minima, functional dependence); read by
        :func:`tfp.diagnostics.diagnose`.
    """

    params: np.ndarray
    names: tuple[str, ...]
    vcov: np.ndarray | None
    sample: np.ndarray
    convergence: Convergence
    objective: float | None = None
    objective_fn: Callable[[np.ndarray], float] | None = None
    phi: np.ndarray | None = None
    dropped: Mapping[str, int] = field(default_factory=dict)
    first_stage: Mapping[str, Any] = field(default_factory=dict)
    se_kind: str = "normal"
    df_resid: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    diagnostics: tuple[str, ...] = ()
    identification: IdentificationStats | None = None
