"""Delta-method confidence intervals of productivity statistics from an analytic covariance.

When the estimation results carry an analytic covariance (``se="analytic"``, or ``"auto"``
where it is valid) and no bootstrap draws, a statistic of log TFP (an index by group and
period, its growth, its level) gets the Wald interval ``stat ± z · se`` with
``se² = ∇' V ∇``, ``V`` the covariance of the production-term coefficients and ``∇`` the
gradient of the statistic in them. As in the bootstrap intervals
(:mod:`tfp.productivity.uncertainty`), productivity is ``ω = φ − Xβ`` on the same rows with
the first-stage fit ``φ`` held fixed, so the interval covers the estimation uncertainty of
``β`` only (and not the survey's sampling error of the group statistics).

The gradient is taken by central differences in the ``k`` production-term coefficients
(``2k`` evaluations of the table): ``ω`` is linear in ``β`` and every statistic (means of
``exp ω``, share-weighted means, ratios to a base cell, growth rates) is smooth in it, so the
difference quotient with a step of ``1e-5`` (relative) is exact to about ``1e-10``, far below
any standard error. This is a derivative of a cheap closed-form table in a handful of
parameters, not of the estimating equations (whose Jacobian is analytic).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats as _stats

from tfp.exceptions import SpecificationError
from tfp.productivity._common import ResultsLike, replicate_productivity
from tfp.productivity.uncertainty import ReplicateIntervals

__all__ = ["DELTA_NOTE", "delta_available", "delta_cells"]

#: What the intervals cover; stored in the table's ``attrs['interval']``.
DELTA_NOTE = (
    "Delta-method (Wald) interval from the analytic covariance of the production-function "
    "parameters: productivity is re-evaluated at nearby parameters on the same firms, with "
    "the first-stage fit held fixed, as the bootstrap intervals do. It covers the estimation "
    "uncertainty of the parameters only; the survey's sampling error of the group "
    "statistics is not included."
)

#: Relative step of the central differences in the production-term coefficients.
STEP = 1e-5


def delta_available(results: ResultsLike) -> bool:
    """True when ``results`` has an analytic covariance and productivity at other
    parameters is defined (not GNR, whose productivity is not ``φ − Xβ``)."""
    se_type = str(getattr(results, "se_type", ""))
    if getattr(results, "vcov", None) is None or not se_type.startswith("analytic"):
        return False
    try:
        results.productivity(kind="log", params=results.params)  # type: ignore[attr-defined]
    except SpecificationError:
        return False
    return True


def delta_cells(
    results: ResultsLike,
    data: pd.DataFrame,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    keep: np.ndarray,
    shape: tuple[int, int],
    level: float,
) -> ReplicateIntervals:
    """Wald intervals of ``statistic`` (of log TFP on the kept rows), shape ``shape``.

    The same contract as :func:`tfp.productivity.uncertainty.bootstrap_cells`; cells whose
    statistic or gradient is not finite get NaN bounds.
    """
    params: pd.Series = results.params  # type: ignore[attr-defined]
    terms = list(results.spec.terms)  # type: ignore[attr-defined]
    vcov = results.vcov.loc[terms, terms].to_numpy()  # type: ignore[attr-defined]
    at = replicate_productivity(results, data)
    centre = np.asarray(statistic(at(params)[keep]), dtype=np.float64).reshape(shape)
    grads = []
    for term in terms:
        h = STEP * max(1.0, abs(float(params[term])))
        up, down = params.copy(), params.copy()
        up[term] += h
        down[term] -= h
        hi = np.asarray(statistic(at(up)[keep]), dtype=np.float64).reshape(shape)
        lo = np.asarray(statistic(at(down)[keep]), dtype=np.float64).reshape(shape)
        grads.append((hi - lo) / (2.0 * h))
    g = np.stack(grads, axis=-1)  # (n_stats, n_cells, k)
    var = np.einsum("sck,kl,scl->sc", g, vcov, g)
    se = np.sqrt(np.clip(var, 0.0, None))
    z = float(_stats.norm.ppf(0.5 + level / 2.0))
    return ReplicateIntervals(centre - z * se, centre + z * se, 0, 0)
