"""Kernel of the Olley–Pakes / Levinsohn–Petrin second-stage criterion.

For second-stage coefficients ``θ`` (and the first-stage free coefficients ``β_F``):
``ω = φ − X_F β_F − X_S θ``, ``ω₋ = φ₋ − X_F₋ β_F − X_S₋ θ``; the law of motion is the least
squares fit of ``ω`` on all monomials (exponent table ``exps``, constant first) of the
standardised ``v = (ω₋ − mean) / sd`` (and the fitted exit probability ``P`` when
``prob`` has a column); ``ξ = y − X_F β_F − X_S θ − H ĝ``. The criterion is ``ξ'ξ / N``
(least squares, ``z`` with no column) or ``m' W m`` with ``m = Z'ξ / N`` (GMM).

:func:`cf_criterion_nb` computes it in four row passes (mean and spread of ``ω₋``, the normal
equations of the law of motion, then ``ξ``), never building an ``N``-row array: NumPy builds
about fifteen. Cross products are blocked dot products as in :mod:`tfp._kernels.markov_nb`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tfp._kernels.markov_nb import CHUNK, _dot

#: ``cf_criterion_nb`` status: usable, ``ω₋`` without spread, or singular normal equations.
STATUS_OK = 0
STATUS_NO_SPREAD = 1
STATUS_SINGULAR = 2


@njit(cache=True, nogil=True)
def solve_small_nb(
    a: np.ndarray, b: np.ndarray
) -> tuple[bool, np.ndarray]:  # pragma: no cover - jitted
    """``a x = b`` by Gaussian elimination with partial pivoting (LAPACK ``getrf``'s rule);
    ``(False, zeros)`` when a pivot is exactly zero, where ``numpy.linalg.solve`` raises."""
    n = a.shape[0]
    lu = a.copy()
    x = b.copy()
    for k in range(n):
        piv = k
        best = abs(lu[k, k])
        for r in range(k + 1, n):
            if abs(lu[r, k]) > best:
                best = abs(lu[r, k])
                piv = r
        if best == 0.0:
            return False, np.zeros(n)
        if piv != k:
            for c in range(n):
                t = lu[k, c]
                lu[k, c] = lu[piv, c]
                lu[piv, c] = t
            t = x[k]
            x[k] = x[piv]
            x[piv] = t
        for r in range(k + 1, n):
            f = lu[r, k] / lu[k, k]
            lu[r, k] = f
            for c in range(k + 1, n):
                lu[r, c] -= f * lu[k, c]
            x[r] -= f * x[k]
    for k in range(n - 1, -1, -1):
        s = x[k]
        for c in range(k + 1, n):
            s -= lu[k, c] * x[c]
        x[k] = s / lu[k, k]
    return True, x


@njit(cache=True, nogil=True)
def _block(
    s: int,
    m: int,
    phi: np.ndarray,
    phil: np.ndarray,
    y: np.ndarray,
    xf: np.ndarray,
    xfl: np.ndarray,
    xs: np.ndarray,
    xsl: np.ndarray,
    beta_f: np.ndarray,
    theta: np.ndarray,
    buf: np.ndarray,
) -> None:  # pragma: no cover - jitted
    """Rows ``s..s+m-1``: line 0 of ``buf`` = ``ω``, line 1 = ``ω₋``, line 2 =
    ``y − X_F β_F − X_S θ`` (same operation order as the NumPy twin's matrix products)."""
    for c in range(m):
        i = s + c
        f = 0.0
        fl = 0.0
        for j in range(xf.shape[1]):
            f += xf[i, j] * beta_f[j]
            fl += xfl[i, j] * beta_f[j]
        t = 0.0
        tl = 0.0
        for j in range(xs.shape[1]):
            t += xs[i, j] * theta[j]
            tl += xsl[i, j] * theta[j]
        buf[0, c] = phi[i] - f - t
        buf[1, c] = phil[i] - fl - tl
        buf[2, c] = y[i] - f - t


@njit(cache=True, nogil=True)
def _basis(
    s: int,
    m: int,
    prob: np.ndarray,
    exps: np.ndarray,
    centre: float,
    spread: float,
    buf: np.ndarray,
    first: int,
) -> None:  # pragma: no cover - jitted
    """Lines ``first..first+len(exps)-1`` of ``buf``: the monomials of ``(v, P)`` (the
    products in :func:`tfp._kernels.poly_nb.poly_basis_nb`'s order); ``v`` from line 1."""
    for c in range(m):
        v = (buf[1, c] - centre) / spread
        for k in range(exps.shape[0]):
            acc = 1.0
            for _ in range(exps[k, 0]):
                acc *= v
            if exps.shape[1] > 1:
                pv = prob[s + c, 0]
                for _ in range(exps[k, 1]):
                    acc *= pv
            buf[first + k, c] = acc


@njit(cache=True, nogil=True)
def cf_criterion_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    y: np.ndarray,
    xf: np.ndarray,
    xfl: np.ndarray,
    xs: np.ndarray,
    xsl: np.ndarray,
    prob: np.ndarray,
    z: np.ndarray,
    w: np.ndarray,
    beta_f: np.ndarray,
    theta: np.ndarray,
    exps: np.ndarray,
) -> tuple[int, float, np.ndarray]:  # pragma: no cover - jitted
    """Return ``(status, criterion, ĝ)``; ``criterion`` is ``inf`` unless ``status`` is
    :data:`STATUS_OK` (``ĝ``: law-of-motion coefficients in ``v``)."""
    n = phi.shape[0]
    nh = exps.shape[0]
    q = z.shape[1]
    buf = np.empty((3 + nh, CHUNK))
    # passes 1-2: mean and spread of ω₋ (two passes, as numpy.std)
    total = 0.0
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _block(s, m, phi, phil, y, xf, xfl, xs, xsl, beta_f, theta, buf)
        for c in range(m):
            total += buf[1, c]
    centre = total / n
    ss = 0.0
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _block(s, m, phi, phil, y, xf, xfl, xs, xsl, beta_f, theta, buf)
        for c in range(m):
            d = buf[1, c] - centre
            ss += d * d
    spread = np.sqrt(ss / n)
    if not (np.isfinite(spread) and spread > 0.0):
        return STATUS_NO_SPREAD, np.inf, np.zeros(nh)
    # pass 3: normal equations H'H g = H'ω
    hh = np.zeros((nh, nh))
    hw = np.zeros(nh)
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _block(s, m, phi, phil, y, xf, xfl, xs, xsl, beta_f, theta, buf)
        _basis(s, m, prob, exps, centre, spread, buf, 3)
        for a in range(nh):
            hw[a] += _dot(buf[3 + a], buf[0], m)
            for b in range(a, nh):
                hh[a, b] += _dot(buf[3 + a], buf[3 + b], m)
    for a in range(nh):
        for b in range(a):
            hh[a, b] = hh[b, a]
    ok, g = solve_small_nb(hh, hw)
    if not ok:
        return STATUS_SINGULAR, np.inf, np.zeros(nh)
    # pass 4: ξ = y − X_F β_F − X_S θ − H g, then ξ'ξ/N or m'Wm
    ssr = 0.0
    zxi = np.zeros(q)
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _block(s, m, phi, phil, y, xf, xfl, xs, xsl, beta_f, theta, buf)
        _basis(s, m, prob, exps, centre, spread, buf, 3)
        for c in range(m):
            fit = 0.0
            for a in range(nh):
                fit += buf[3 + a, c] * g[a]
            buf[2, c] -= fit
        if q == 0:
            ssr += _dot(buf[2], buf[2], m)
        else:
            for r in range(q):
                for c in range(m):
                    buf[0, c] = z[s + c, r]
                zxi[r] += _dot(buf[0], buf[2], m)
    if q == 0:
        val = ssr / n
    else:
        val = 0.0
        for r in range(q):
            t = 0.0
            for c in range(q):
                t += w[r, c] * (zxi[c] / n)
            val += (zxi[r] / n) * t
    if not np.isfinite(val):
        return STATUS_OK, np.inf, g
    return STATUS_OK, val, g
