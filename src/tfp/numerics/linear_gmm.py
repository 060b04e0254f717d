"""Linear GMM: the estimator, its identification check, covariances and Hansen's J test.

For moments ``E[Z'(y − Xb)] = 0`` and a weight ``W``: ``b = (X'ZWZ'X)^{-1} X'ZWZ'y``, the
sandwich covariance ``A^{-1} X'ZWSWZ'X A^{-1}`` with ``A = X'ZWZ'X`` and ``S`` the (clustered)
covariance of the moment sums, and Hansen's J at the efficient weight ``S^{-1}``.

References
----------
Hansen, L. P. (1982). Large sample properties of generalized method of moments estimators.
*Econometrica*, 50(4), 1029–1054. https://doi.org/10.2307/1912775
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import linalg, stats

from tfp.exceptions import SpecificationError
from tfp.numerics.linalg import check_rank

__all__ = [
    "ProfiledGMM",
    "check_identified",
    "classical_vcov",
    "gmm",
    "hansen_j",
    "profiled_criterion",
    "sandwich",
]


def check_identified(
    x: np.ndarray, z: np.ndarray, w: np.ndarray, what: str, fix: str
) -> None:
    """Raise IdentificationError unless the instruments have full column rank and identify
    every coefficient (``W^{1/2} Z'X`` of full column rank; ``W`` positive definite)."""
    check_rank(z, what=f"{what} instruments", fix=fix)
    check_rank(linalg.cholesky(w) @ (z.T @ x), what=what, fix=fix)  # W = U'U


def gmm(y: np.ndarray, x: np.ndarray, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Linear GMM ``argmin (Z'(y - Xb))' W (Z'(y - Xb))``."""
    zx = z.T @ x
    a = zx.T @ w @ zx
    return np.linalg.solve(a, zx.T @ w @ (z.T @ y))


def sandwich(zx: np.ndarray, w: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Covariance of linear GMM with weight ``w`` and moment-sum covariance ``s``."""
    a_inv = np.linalg.inv(zx.T @ w @ zx)
    b = zx.T @ w @ s @ w @ zx
    v = a_inv @ b @ a_inv
    return (v + v.T) / 2.0


def classical_vcov(zx: np.ndarray, z: np.ndarray, sigma2: float) -> np.ndarray:
    """Homoskedastic 2SLS covariance ``σ² (X'Z (Z'Z)^{-1} Z'X)^{-1}``."""
    v = sigma2 * np.linalg.inv(zx.T @ np.linalg.pinv(z.T @ z) @ zx)
    return (v + v.T) / 2.0


def hansen_j(
    y: np.ndarray, x: np.ndarray, z: np.ndarray, s: np.ndarray
) -> tuple[float, int, float, np.ndarray]:
    """Hansen's J, its degrees of freedom and p-value, and the two-step estimate at the
    efficient weight ``S^{-1}`` (J is 0 when exactly identified)."""
    w2 = np.linalg.pinv(s)
    b2 = gmm(y, x, z, w2)
    g = z.T @ (y - x @ b2)
    df = int(z.shape[1] - x.shape[1])
    j = float(g @ w2 @ g) if df > 0 else 0.0
    p = float(stats.chi2.sf(j, df)) if df > 0 else float("nan")
    return j, df, p, b2


@dataclass(frozen=True)
class ProfiledGMM:
    """A linear GMM criterion with every coefficient but ``beta`` concentrated out."""

    y: np.ndarray
    x_beta: np.ndarray  # columns of the coefficients kept (production terms)
    x_rest: np.ndarray  # every other column
    z: np.ndarray
    w: np.ndarray  # weight for the moment means Z'u / n
    n: int


def profiled_criterion(beta: Any, problem: ProfiledGMM) -> float:
    """``ḡ' W ḡ`` at ``beta``, minimised over the other coefficients."""
    b = np.asarray(beta, dtype=np.float64).ravel()
    k = problem.x_beta.shape[1]
    if b.shape[0] != k:
        raise SpecificationError(
            f"objective_fn takes {k} production-term coefficients, got {b.shape[0]}",
            fix="pass one value per term, in spec.terms order",
        )
    r = problem.y - problem.x_beta @ b
    if problem.x_rest.shape[1]:
        r = r - problem.x_rest @ gmm(r, problem.x_rest, problem.z, problem.w)
    g = problem.z.T @ r / problem.n
    return float(g @ problem.w @ g)
