"""Rank-checked least squares: one rank decision for every design matrix in the package.

Rank is decided on the column-scaled matrix: column ``j`` is collinear when the part of it
outside the span of the columns before it (``|R_jj|`` of a QR decomposition) is at most
:data:`RANK_RTOL` of its length ``||a_j||``. The decision depends on the directions of the
columns only, not on their units, so adding a large constant to a log input (capital in soles
around 13 instead of around 0) never makes a full-rank design look collinear.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import linalg

from tfp.exceptions import IdentificationError

__all__ = ["RANK_RTOL", "check_rank", "lstsq", "qr_checked"]

#: A column whose component outside the span of the previous columns is at most this fraction
#: of its length counts as collinear (exact collinearity leaves ~1e-15; correlated columns,
#: even at corr 0.98, leave 1e-2 or more).
RANK_RTOL = 1e-10


def qr_checked(
    a: np.ndarray, *, what: str, fix: str, names: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``Q, R`` of ``a`` (n, k), after checking that n >= k and that ``a`` has full column rank.

    Raises
    ------
    IdentificationError
        Too few rows, or a column in the span of the columns before it (a zero column
        included). With ``names`` the message names it: ``column 'x': is collinear with the
        other <what>``.
    """
    n, k = a.shape
    if n < k:
        raise IdentificationError(
            f"{what}: {n} usable rows for {k} coefficients", fix=fix
        )
    q, r = np.linalg.qr(a)
    norms = np.sqrt(np.einsum("ij,ij->j", a, a))
    bad = np.flatnonzero(np.abs(np.diag(r)) <= RANK_RTOL * np.maximum(norms, 1e-300))
    if bad.size and names is not None:
        raise IdentificationError(
            f"is collinear with the other {what}", column=str(names[bad[0]]), fix=fix
        )
    if bad.size:
        raise IdentificationError(
            f"{what}: the columns are collinear or not identified", fix=fix
        )
    return q, r


def check_rank(
    a: np.ndarray, *, what: str, fix: str, names: Sequence[str] | None = None
) -> None:
    """Raise as :func:`qr_checked` unless ``a`` has full column rank."""
    qr_checked(a, what=what, fix=fix, names=names)


def lstsq(
    a: np.ndarray,
    b: np.ndarray,
    *,
    what: str,
    fix: str,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """Least-squares coefficients of ``b`` (n,) or (n, m) on ``a`` (n, k), n > k, by QR.

    Raises as :func:`qr_checked` (also when n == k: no residual is left).
    """
    if a.shape[0] <= a.shape[1]:
        raise IdentificationError(
            f"{what}: {a.shape[1]} columns and only {a.shape[0]} rows", fix=fix
        )
    q, r = qr_checked(a, what=what, fix=fix, names=names)
    return np.asarray(linalg.solve_triangular(r, q.T @ b), dtype=np.float64)
