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

__all__ = ["RANK_RTOL", "check_rank", "lstsq", "qr_r", "r_checked"]

#: A column whose component outside the span of the previous columns is at most this fraction
#: of its length counts as collinear (exact collinearity leaves ~1e-15; correlated columns,
#: even at corr 0.98, leave 1e-2 or more).
RANK_RTOL = 1e-10


def qr_r(a: np.ndarray) -> np.ndarray:
    """The triangular factor ``R`` of the QR factorisation of ``a`` (n, k): its top
    ``min(n, k)`` rows.

    LAPACK ``geqrf`` runs in place on ``a`` when it is Fortran-ordered float64 (pass a
    scratch copy: it is overwritten) and ``Q`` is never formed; only the top rows are read
    back (``scipy.linalg.qr(mode="r")`` zeroes a copy of the whole n x k matrix for that).
    Append ``b`` as last columns to get ``Q'b`` in the last columns of ``R``.
    """
    (geqrf,) = linalg.get_lapack_funcs(("geqrf",), (a,))
    qr, _, _, info = geqrf(a, overwrite_a=True)
    if info != 0:  # pragma: no cover - only for invalid arguments
        raise ValueError(f"LAPACK geqrf failed (info={info})")
    return np.triu(qr[: min(a.shape)])


def _check_r(
    r: np.ndarray,
    norms: np.ndarray,
    *,
    what: str,
    fix: str,
    names: Sequence[str] | None,
) -> None:
    """The rank decision on ``R`` of a matrix whose columns have lengths ``norms``."""
    bad = np.flatnonzero(np.abs(np.diag(r)) <= RANK_RTOL * np.maximum(norms, 1e-300))
    if bad.size and names is not None:
        raise IdentificationError(
            f"is collinear with the other {what}", column=str(names[bad[0]]), fix=fix
        )
    if bad.size:
        raise IdentificationError(
            f"{what}: the columns are collinear or not identified", fix=fix
        )


def _check_rows(a: np.ndarray, *, what: str, fix: str) -> None:
    n, k = a.shape
    if n < k:
        raise IdentificationError(
            f"{what}: {n} usable rows for {k} coefficients", fix=fix
        )


def _column_norms(a: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->j", a, a))


def r_checked(
    a: np.ndarray,
    b: np.ndarray | None = None,
    *,
    what: str,
    fix: str,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """``R`` of the QR decomposition of ``[a | b]`` (``Q`` never formed), after checking that
    ``a`` (n, k) has n >= k and full column rank.

    The top-left k x k block is ``a``'s ``R``; the last columns of the top k rows are
    ``Q'b``. One Fortran-ordered copy is factorised in place (a fraction of the time and
    memory of :func:`numpy.linalg.qr`, which forms the n x k ``Q``).

    Raises
    ------
    IdentificationError
        Too few rows, or a column of ``a`` in the span of the columns before it (a zero
        column included). With ``names`` the message names it: ``column 'x': is collinear
        with the other <what>``.
    """
    _check_rows(a, what=what, fix=fix)
    n, k = a.shape
    m = 0 if b is None else (1 if b.ndim == 1 else b.shape[1])
    aug = np.empty((n, k + m), order="F")
    aug[:, :k] = a
    if b is not None:
        aug[:, k:] = b.reshape(n, m)
    r = qr_r(aug)
    del aug
    _check_r(r[:k, :k], _column_norms(a), what=what, fix=fix, names=names)
    return r


def check_rank(
    a: np.ndarray, *, what: str, fix: str, names: Sequence[str] | None = None
) -> None:
    """Raise as :func:`r_checked` unless ``a`` has full column rank."""
    r_checked(a, what=what, fix=fix, names=names)


def lstsq(
    a: np.ndarray,
    b: np.ndarray,
    *,
    what: str,
    fix: str,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """Least-squares coefficients of ``b`` (n,) or (n, m) on ``a`` (n, k), n > k, by QR.

    Raises as :func:`r_checked` (also when n == k: no residual is left).
    """
    if a.shape[0] <= a.shape[1]:
        raise IdentificationError(
            f"{what}: {a.shape[1]} columns and only {a.shape[0]} rows", fix=fix
        )
    k = a.shape[1]
    r = r_checked(a, b, what=what, fix=fix, names=names)
    coef = linalg.solve_triangular(r[:k, :k], r[:k, k:])
    return np.asarray(coef[:, 0] if b.ndim == 1 else coef, dtype=np.float64)
