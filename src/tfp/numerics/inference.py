"""How standard errors were computed (:class:`Inference`) and the covariance estimators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import linalg, stats

from tfp.exceptions import IdentificationError
from tfp.numerics.linalg import r_checked

__all__ = ["Inference", "cluster_meat", "cluster_sums", "ols_vcov", "solve_ols"]


@dataclass(frozen=True)
class Inference:
    """How the covariance of an estimate was computed, and how to test with it.

    Attributes
    ----------
    kind : {'analytic', 'bootstrap', 'none'}
        Source of the covariance.
    vcov : str or None
        Analytic covariance estimator: ``'cluster'``, ``'robust'``, ``'classical'`` or
        ``'stacked'`` (the firm-clustered sandwich of a two-step estimator's stacked
        estimating equations, :mod:`tfp.numerics.stacked`); None otherwise.
    cluster : str or None
        Column whose values are the clusters (analytic ``'cluster'`` and ``'stacked'``) or
        the resampling unit (bootstrap); None otherwise.
    distribution : {'normal', 't'}
        Reference distribution of statistics built from the covariance (t statistics, and
        delta-method quantities such as returns to scale).
    df : int or None
        Degrees of freedom of the t distribution (residual degrees of freedom).
    reps, seed_entropy : int or None
        Bootstrap replicates and the entropy of their root seed.
    note : str or None
        Why this inference and not another, when ``se="auto"`` could not use the analytic
        covariance (e.g. ``"analytic not used: ..."``); appended to :attr:`label`.
    """

    kind: str = "none"
    vcov: str | None = None
    cluster: str | None = None
    distribution: str = "normal"
    df: int | None = None
    reps: int | None = None
    seed_entropy: int | None = None
    note: str | None = None

    @classmethod
    def analytic(
        cls,
        vcov: str,
        cluster: str,
        distribution: str = "normal",
        df: int | None = None,
    ) -> Inference:
        """An analytic covariance (``cluster`` is kept only for a clustered one)."""
        keep = cluster if vcov in ("cluster", "stacked") else None
        return cls("analytic", vcov, keep, distribution, df)

    @property
    def label(self) -> str:
        """``'analytic (cluster by id)'``, ``'analytic (stacked two-step, cluster by id)'``,
        ``'bootstrap (199 reps, cluster by id, seed 93)'`` (no seed with injected indices),
        ``'none'``; a :attr:`note` follows a semicolon inside the brackets."""
        note = f"; {self.note}" if self.note else ""
        if self.kind == "analytic":
            by = {
                "cluster": f"cluster by {self.cluster}",
                "stacked": f"stacked two-step, cluster by {self.cluster}",
            }.get(str(self.vcov), str(self.vcov))
            return f"analytic ({by}{note})"
        if self.kind == "bootstrap":
            seed = "" if self.seed_entropy is None else f", seed {self.seed_entropy}"
            return (
                f"bootstrap ({self.reps} reps, cluster by {self.cluster}{seed}{note})"
            )
        return self.kind

    def _dist(self) -> Any:
        return (
            stats.t(self.df) if self.distribution == "t" and self.df else stats.norm()
        )

    def critical_value(self, level: float) -> float:
        """Two-sided critical value at confidence ``level``."""
        return float(self._dist().ppf(0.5 + level / 2))

    def p_values(self, statistics: np.ndarray) -> np.ndarray:
        """Two-sided p-values of ``statistics``."""
        return np.asarray(2 * self._dist().sf(np.abs(statistics)), dtype=np.float64)


def cluster_sums(scores: np.ndarray, firm: np.ndarray) -> np.ndarray:
    """Sum rows of ``scores`` (n, k) within each firm; ``firm`` sorted, codes 0..G-1."""
    if scores.shape[0] == 0:
        return np.zeros((0, scores.shape[1]))
    starts = np.flatnonzero(np.r_[True, firm[1:] != firm[:-1]])
    return np.add.reduceat(scores, starts, axis=0)


def cluster_meat(scores: np.ndarray, firm: np.ndarray) -> np.ndarray:
    """``Σ_g s_g s_g'`` of the per-firm sums ``s_g`` of ``scores`` (``firm`` sorted)."""
    sums = cluster_sums(scores, firm)
    return sums.T @ sums


def solve_ols(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares ``b = (X'X)^-1 X'y`` via QR, rank-checked (:mod:`tfp.numerics.linalg`).

    Returns ``(b, xtx_inv)``. A constant input beside the intercept is named as such.
    """
    n, k = x.shape
    if n <= k:
        raise IdentificationError(
            f"{n} observations for {k} coefficients",
            fix="use a longer panel, fewer terms or fewer controls",
        )
    constant = [c for c in range(k) if np.ptp(x[:, c]) == 0]
    if len(constant) > 1:  # the intercept and a constant input: name the input
        raise IdentificationError(
            "does not vary in the estimation sample, so it is collinear with the constant",
            column=next(names[c] for c in constant if names[c] != "const"),
            fix="drop it from the specification or use a sample where it varies",
        )
    # R of [X | y]: its last column is Q'y, so Q is never formed
    r_aug = r_checked(
        x,
        y,
        what="regressors",
        fix="drop a redundant input or control, or check for a constant column",
        names=names,
    )
    r = r_aug[:k, :k]
    b = linalg.solve_triangular(r, r_aug[:k, k])
    r_inv = linalg.solve_triangular(r, np.eye(k))
    return b, r_inv @ r_inv.T


def ols_vcov(
    x: np.ndarray,
    resid: np.ndarray,
    xtx_inv: np.ndarray,
    firm: np.ndarray,
    *,
    kind: str,
    df_resid: int,
) -> np.ndarray:
    """Covariance of OLS coefficients: ``cluster`` (by firm, CR1), ``robust`` (HC1) or ``classical``."""
    n = x.shape[0]
    if kind == "classical":
        s2 = float(resid @ resid) / df_resid
        return s2 * xtx_inv
    scores = x * resid[:, None]
    if kind == "robust":
        meat = scores.T @ scores
        factor = n / df_resid
    else:
        sums = cluster_sums(scores, firm)
        g = sums.shape[0]
        meat = sums.T @ sums
        factor = (g / (g - 1)) * ((n - 1) / df_resid) if g > 1 else np.nan
    v = xtx_inv @ meat @ xtx_inv * factor
    return 0.5 * (v + v.T)
