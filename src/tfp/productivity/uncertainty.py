"""Bootstrap confidence intervals of productivity statistics, recomputed per replicate.

When estimation results carry bootstrap draws (``results.bootstrap.params``, replicates ×
parameters), every statistic is recomputed from each replicate's parameters: productivity
is re-evaluated with ``results.productivity(kind="log", params=theta_r)`` on the same rows,
the whole table (index, growth, level) is rebuilt, and the interval is the percentile
interval of the replicate values (Efron 1979). No delta-method shortcut is used, so the
non-linear maps (exp, ratios to a base cell) are carried exactly.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tfp.exceptions import BootstrapFailureWarning
from tfp.productivity._common import ResultsLike, replicate_productivity

__all__ = [
    "INTERVAL_NOTE",
    "ReplicateIntervals",
    "bootstrap_cells",
    "percentile_interval",
]

#: What the intervals cover; stored in the table's ``attrs['interval']``.
INTERVAL_NOTE = (
    "Percentile bootstrap interval: productivity is recomputed at each bootstrap replicate's "
    "production-function parameters (firm-cluster resampling of the estimator) on the same "
    "firms and, when given, the same expansion factors. It covers the estimation uncertainty "
    "of the parameters only; the survey's sampling error of the group statistics (which the "
    "expansion factors do not remove) is not included."
)


@dataclass(frozen=True)
class ReplicateIntervals:
    """Lower and upper bounds per statistic row and cell, with replicate counts."""

    low: np.ndarray  # (n_stats, n_cells)
    high: np.ndarray
    n_used: int
    n_failed: int


def percentile_interval(
    draws: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0 of ``draws`` ignoring NaN (cells NaN if all are NaN)."""
    alpha = (1.0 - level) / 2.0
    low = np.full(draws.shape[1:], np.nan)
    high = np.full(draws.shape[1:], np.nan)
    finite = np.isfinite(draws).any(axis=0)
    if finite.any():
        sub = draws[:, finite]
        low[finite] = np.nanquantile(sub, alpha, axis=0)
        high[finite] = np.nanquantile(sub, 1.0 - alpha, axis=0)
    return low, high


def bootstrap_cells(
    results: ResultsLike,
    data: pd.DataFrame,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    keep: np.ndarray,
    shape: tuple[int, int],
    level: float,
) -> ReplicateIntervals:
    """Recompute ``statistic`` (of log TFP on the kept rows) at every replicate's parameters.

    ``statistic`` receives the replicate's log TFP of the rows where ``keep`` is true and
    returns an array of ``shape`` (n_stats, n_cells). Replicates whose parameters are not finite are counted as failed,
    and so are those whose productivity cannot be computed on some kept row.
    """
    boot = results.bootstrap  # type: ignore[attr-defined]
    params = boot.params
    if not isinstance(params, pd.DataFrame):
        params = pd.DataFrame(params)
    at = replicate_productivity(results, data)
    draws = []
    failed = 0
    for r in range(params.shape[0]):
        theta = params.iloc[r]
        if not np.all(np.isfinite(theta.to_numpy(dtype=np.float64))):
            failed += 1
            continue
        omega = at(theta)[keep]
        values = statistic(omega)
        if not np.any(np.isfinite(values)):
            failed += 1
            continue
        draws.append(values)
    if failed:
        warnings.warn(
            f"{failed} of {params.shape[0]} bootstrap replicates gave no productivity "
            "(non-finite parameters) and are left out of the intervals",
            BootstrapFailureWarning,
            stacklevel=4,
        )
    if not draws:
        nan = np.full(shape, np.nan)
        return ReplicateIntervals(nan, nan, 0, failed)
    stacked = np.stack(draws)
    low, high = percentile_interval(stacked, level)
    return ReplicateIntervals(low, high, len(draws), failed)
