"""Covariance estimators and test statistics shared by the estimators."""

from __future__ import annotations

import numpy as np
from scipy import linalg

from tfp.exceptions import IdentificationError

__all__ = ["cluster_sums", "ols_vcov", "qr_r", "solve_ols"]


def cluster_sums(scores: np.ndarray, firm: np.ndarray) -> np.ndarray:
    """Sum rows of ``scores`` (n, k) within each firm; ``firm`` sorted, codes 0..G-1."""
    if scores.shape[0] == 0:
        return np.zeros((0, scores.shape[1]))
    starts = np.flatnonzero(np.r_[True, firm[1:] != firm[:-1]])
    return np.add.reduceat(scores, starts, axis=0)


def qr_r(a: np.ndarray) -> np.ndarray:
    """The triangular factor ``R`` (k, k) of the QR factorisation of a tall ``a`` (n, k).

    LAPACK ``geqrf`` runs in place on ``a`` when it is Fortran-ordered float64 (pass a
    scratch copy: it is overwritten) and ``Q`` is never formed; only the top k rows are read
    back (``scipy.linalg.qr(mode="r")`` zeroes a copy of the whole n x k matrix for that).
    Append ``y`` as a last column to get ``Q'y`` in the last column of ``R``.
    """
    (geqrf,) = linalg.get_lapack_funcs(("geqrf",), (a,))
    qr, _, _, info = geqrf(a, overwrite_a=True)
    if info != 0:  # pragma: no cover - only for invalid arguments
        raise ValueError(f"LAPACK geqrf failed (info={info})")
    k = a.shape[1]
    return np.triu(qr[: min(k, a.shape[0])])


def solve_ols(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares ``b = (X'X)^-1 X'y`` via QR; raise IdentificationError if X is rank deficient.

    Returns ``(b, xtx_inv)``.
    """
    n, k = x.shape
    if n <= k:
        raise IdentificationError(
            f"{n} observations for {k} coefficients",
            fix="use a longer panel, fewer terms or fewer controls",
        )
    # R of [X | y] (scipy, in place on one Fortran-ordered copy): its last column is Q'y,
    # so Q is never formed (a quarter of numpy's qr + Q'y time, one n x k matrix less)
    a = np.empty((n, k + 1), order="F")
    a[:, :k] = x
    a[:, k] = y
    r_aug = qr_r(a)
    del a
    r = r_aug[:k, :k]
    diag = np.abs(np.diag(r))
    tol = diag.max() * max(n, k) * np.finfo(float).eps if diag.size else 0.0
    if diag.size and diag.min() <= tol:
        j = int(np.argmin(diag))
        constant = [c for c in range(k) if np.ptp(x[:, c]) == 0]
        if len(constant) > 1:  # the intercept and a constant input: name the input
            j = next(
                (c for c in constant if names is None or names[c] != "const"),
                constant[-1],
            )
            who = names[j] if names is not None and j < len(names) else f"column {j}"
            raise IdentificationError(
                "does not vary in the estimation sample, so it is collinear with the "
                "constant",
                column=who if names is not None else None,
                fix="drop it from the specification or use a sample where it varies",
            )
        who = names[j] if names is not None and j < len(names) else f"column {j}"
        raise IdentificationError(
            f"the regressors are perfectly collinear (problem at {who!r})",
            column=who if names is not None else None,
            fix="drop a redundant input or control, or check for a constant column",
        )
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
