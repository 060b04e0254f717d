"""What every estimator returns: :class:`Fit` (arrays only) with its method's :class:`Details`.

Each estimator module exposes ``fit(panel, spec, options) -> Fit``. It computes on the
validated :class:`~tfp.panel.Panel` (sorted by firm and time, read-only float64 arrays) and
never sees a DataFrame; :mod:`tfp.api` attaches labels and builds the public results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tfp.numerics.identification import IdentificationStats
from tfp.numerics.inference import Inference
from tfp.numerics.optimize import Convergence

__all__ = ["Details", "Fit", "identification_wanted", "without_identification"]

#: Whether estimators compute :attr:`Fit.identification` (the statistics behind the
#: diagnostics). Bootstrap replicates keep only their parameters, so they switch it off.
_IDENTIFICATION: ContextVar[bool] = ContextVar("tfp_identification", default=True)


def identification_wanted() -> bool:
    """True unless inside :func:`without_identification` (estimators ask before computing
    the identification statistics of :attr:`Fit.identification`)."""
    return _IDENTIFICATION.get()


@contextmanager
def without_identification() -> Iterator[None]:
    """Fits inside this block skip the identification statistics (``identification=None``).

    Used by bootstrap replicates: only their parameters are kept, and the statistics (the
    criterion's curvature, the functional-dependence R², instrument strength) cost up to a
    fifth of an OP/LP fit. The estimates are the same.
    """
    token = _IDENTIFICATION.set(False)
    try:
        yield
    finally:
        _IDENTIFICATION.reset(token)


@dataclass(frozen=True, eq=False)
class Details:
    """Base of the typed method-specific outputs on ``Fit.details``: each estimator module
    defines its own record (J test, law-of-motion coefficients, screening …)."""


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
    inference : Inference or None
        How ``vcov`` was computed (estimator, clusters, t or normal statistics); None
        without an analytic covariance.
    objective_names : tuple of str or None
        Names of ``objective_fn``'s argument when it is not ``spec.terms`` (GNR: the
        integration-constant coefficients).
    fitted : ndarray or None, shape (panel.nobs,)
        Fitted log output of a single-equation estimator (OLS, FE with the firm effects,
        Robinson-Wooldridge), NaN outside ``sample``; None where fitted output is ``phi``
        (a first stage) or not defined (cost shares).
    omega, epsilon : ndarray (panel.nobs,) or None
        Log productivity and output shock when productivity is not ``phi - X·beta`` at the
        reported ``params`` (GNR); NaN outside the rows used.
    elasticities : ndarray (panel.nobs, n_inputs) or None
        The method's own per-observation output elasticities (GNR), else None (derived from
        ``params``).
    details : Details or None
        Method-specific outputs, a typed record documented by each estimator.
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
    fitted: np.ndarray | None = None
    dropped: Mapping[str, int] = field(default_factory=dict)
    first_stage: Mapping[str, Any] = field(default_factory=dict)
    inference: Inference | None = None
    objective_names: tuple[str, ...] | None = None
    omega: np.ndarray | None = None
    epsilon: np.ndarray | None = None
    elasticities: np.ndarray | None = None
    details: Details | None = None
    diagnostics: tuple[str, ...] = ()
    identification: IdentificationStats | None = None
