"""Polynomial basis kernel: monomials of the columns of X given an exponent table."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, parallel=False)
def poly_basis_nb(
    x: np.ndarray, exponents: np.ndarray
) -> np.ndarray:  # pragma: no cover - jitted
    """B[i, m] = prod_j x[i, j] ** exponents[m, j]; exact integer powers, no logs."""
    n, p = x.shape
    m = exponents.shape[0]
    out = np.empty((n, m), dtype=np.float64)
    for c in prange(m):
        for i in range(n):
            v = 1.0
            for j in range(p):
                e = exponents[c, j]
                xv = x[i, j]
                for _ in range(e):
                    v *= xv
            out[i, c] = v
    return out
