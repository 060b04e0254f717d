"""GMM kernels of the concentrated Ackerberg–Caves–Frazer criterion.

Notation (one row per firm-year with a lag): ``ω = φ − Xβ``, ``ω₋ = φ₋ − X₋β`` and the law-of-
motion regressors ``H = [1, ω₋, ω₋², …, ω₋^d, C₋]``. The Markov coefficients ``ρ`` solve
``(H'H) ρ = H'ω`` (done by the caller) and ``ξ = ω − Hρ``. The kernels make one serial pass
each over the rows (no threads, so sums do not depend on a thread count).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def _fill_row(
    i: int,
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    degree: int,
    row: np.ndarray,
) -> tuple[float, float]:  # pragma: no cover - jitted
    """Row ``i``: write ``H_i = [1, ω₋, …, ω₋^d, C₋]`` into ``row``; return ``(ω, ω₋)``."""
    w = phi[i]
    wl = phil[i]
    for j in range(x.shape[1]):
        w -= x[i, j] * beta[j]
        wl -= xl[i, j] * beta[j]
    row[0] = 1.0
    v = 1.0
    for k in range(1, degree + 1):
        v *= wl
        row[k] = v
    for c in range(cl.shape[1]):
        row[1 + degree + c] = cl[i, c]
    return w, wl


@njit(cache=True, nogil=True)
def acf_gram_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    degree: int,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - jitted
    """Return ``H'H`` (h, h) and ``H'ω`` (h,) at ``beta``."""
    n = phi.shape[0]
    nc = cl.shape[1]
    h = 1 + degree + nc
    hh = np.zeros((h, h))
    hw = np.zeros(h)
    row = np.empty(h)
    for i in range(n):
        w, _ = _fill_row(i, phi, phil, x, xl, cl, beta, degree, row)
        for a in range(h):
            ra = row[a]
            hw[a] += ra * w
            for b in range(a, h):
                hh[a, b] += ra * row[b]
    for a in range(h):
        for b in range(a):
            hh[a, b] = hh[b, a]
    return hh, hw


@njit(cache=True, nogil=True)
def acf_moments_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    z: np.ndarray,
    beta: np.ndarray,
    rho: np.ndarray,
    degree: int,
    grad: bool,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:  # pragma: no cover
    """Return ``Z'ξ`` and, when ``grad``, the pieces of its derivative in ``β``.

    With ``a = −X + X₋ ⊙ g'(ω₋)`` (``g'`` the derivative of the Markov polynomial), the
    outputs are ``Z'ξ`` (q,), ``Z'a`` (q, p), ``H'a`` (h, p), ``Z'H`` (q, h) and ``E`` (h, p)
    with ``E[k, j] = −Σ k ω₋^{k−1} X₋_j ξ`` for the power rows ``k = 1..d`` (zero elsewhere).
    Without ``grad`` the last four are zero.
    """
    n = phi.shape[0]
    p = x.shape[1]
    nc = cl.shape[1]
    q = z.shape[1]
    h = 1 + degree + nc
    zxi = np.zeros(q)
    za = np.zeros((q, p))
    ha = np.zeros((h, p))
    zh = np.zeros((q, h))
    e = np.zeros((h, p))
    row = np.empty(h)
    arow = np.empty(p)
    for i in range(n):
        w, wl = _fill_row(i, phi, phil, x, xl, cl, beta, degree, row)
        fit = 0.0
        for a in range(h):
            fit += row[a] * rho[a]
        xi = w - fit
        for r in range(q):
            zxi[r] += z[i, r] * xi
        if grad:
            # g'(ω₋) = Σ_k k ρ_k ω₋^{k−1}
            gp = 0.0
            v = 1.0
            for k in range(1, degree + 1):
                gp += k * rho[k] * v
                v *= wl
            for j in range(p):
                arow[j] = -x[i, j] + xl[i, j] * gp
            for r in range(q):
                zr = z[i, r]
                for j in range(p):
                    za[r, j] += zr * arow[j]
                for a in range(h):
                    zh[r, a] += zr * row[a]
            for a in range(h):
                ra = row[a]
                for j in range(p):
                    ha[a, j] += ra * arow[j]
            v = 1.0
            for k in range(1, degree + 1):
                t = -k * v * xi
                for j in range(p):
                    e[k, j] += t * xl[i, j]
                v *= wl
    return zxi, za, ha, zh, e


@njit(cache=True, nogil=True)
def acf_xi_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    rho: np.ndarray,
    degree: int,
) -> np.ndarray:  # pragma: no cover - jitted
    """Return the innovations ``ξ = ω − Hρ`` (n,) at ``beta`` and ``rho``."""
    n = phi.shape[0]
    nc = cl.shape[1]
    out = np.empty(n)
    row = np.empty(1 + degree + nc)
    for i in range(n):
        w, _ = _fill_row(i, phi, phil, x, xl, cl, beta, degree, row)
        fit = 0.0
        for a in range(row.shape[0]):
            fit += row[a] * rho[a]
        out[i] = w - fit
    return out
