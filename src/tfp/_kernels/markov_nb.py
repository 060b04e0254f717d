"""Kernels of the concentrated Markov GMM criterion, with a standardised law of motion.

Notation (one row per firm-year with a lag): ``ω = φ − Xβ``, ``ω₋ = φ₋ − X₋β``,
``v = (ω₋ − centre) / scale`` and the law-of-motion regressors ``H = [1, v, v², …, v^d, C₋]``.
``centre = 0, scale = 1`` is the raw polynomial in ``ω₋`` (ACF); GNR standardises ``ω₋``
(``standardize=True``: mean and standard deviation of ``ω₋`` at ``β``). Any ``centre`` and
``scale`` span the same regressors, so ``ξ = ω − Hρ̂`` does not depend on them.

:func:`markov_eval_nb` evaluates the whole criterion in one call: a pass for ``H'H`` and
``H'ω``, the small solve for ``ρ̂``, a pass for the moments ``g = Z'ξ/N`` and their Jacobian
``∂g/∂β``, and ``Q = g'Wg``. The other kernels are its pieces.

**How the sums run.** A row pass writes each row's values (``H``, ``ξ``, …) into a block of
:data:`CHUNK` rows, one contiguous line per quantity, and every cross product is then a dot
product of two lines (:func:`_dot`), added to its total once per block. The dot products may
be reassociated (``fastmath={"reassoc", "contract"}``) so that they run in SIMD lanes: the
order of the additions is fixed by the compiled code for the machine's vector width, never by
a thread count (the passes are serial), so a result is reproducible on a machine and agrees
with the NumPy twins (pairwise sums) to rounding. Writing every row's products straight into
the totals instead costs a load and a store per product and row (3–5× slower).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: ``markov_eval_nb`` status codes: the law-of-motion Gram matrix ``H'H`` at ``β`` is
#: usable, or it is not finite, has a zero column, or is singular (reciprocal condition
#: number below the caller's ``rcond``).
STATUS_OK = 0
STATUS_NOT_FINITE = 1
STATUS_ZERO_COLUMN = 2
STATUS_SINGULAR = 3

#: Rows per block of the cross-product passes: the block's lines (about 20 quantities) stay
#: in the level-1/level-2 cache.
CHUNK = 264


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dot(buf: np.ndarray, i: int, j: int, m: int) -> float:  # pragma: no cover - jitted
    """``Σ_{c<m} buf[i, c] buf[j, c]``, vectorised (reassociation and contraction are the
    only fast-math flags). Lines are addressed by index, not sliced: a slice is an array
    view whose reference count numba updates atomically, which costs more than the sum."""
    s = 0.0
    for c in range(m):
        s += buf[i, c] * buf[j, c]
    return s


@njit(cache=True, nogil=True)
def _fill_block(
    s: int,
    m: int,
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    degree: int,
    centre: float,
    scale: float,
    buf: np.ndarray,
    ih: int,
    iw: int,
    iv: int,
) -> None:  # pragma: no cover - jitted
    """Rows ``s..s+m-1``: lines ``ih..ih+h-1`` of ``buf`` get ``H = [1, v, …, v^d, C₋]``, line
    ``iw`` gets ``ω`` and line ``iv`` gets ``v``, one quantity at a time (the loops run
    along the rows, so they vectorise)."""
    for c in range(m):
        buf[iw, c] = phi[s + c]
        buf[iv, c] = phil[s + c]
    for j in range(x.shape[1]):
        bj = beta[j]
        for c in range(m):
            buf[iw, c] -= x[s + c, j] * bj
            buf[iv, c] -= xl[s + c, j] * bj
    for c in range(m):
        buf[iv, c] = (buf[iv, c] - centre) / scale
        buf[ih, c] = 1.0
    for k in range(1, degree + 1):
        for c in range(m):
            buf[ih + k, c] = buf[ih + k - 1, c] * buf[iv, c]
    for cc in range(cl.shape[1]):
        for c in range(m):
            buf[ih + 1 + degree + cc, c] = cl[s + c, cc]


@njit(cache=True, nogil=True)
def lag_centre_scale_nb(
    phil: np.ndarray, xl: np.ndarray, beta: np.ndarray
) -> tuple[float, float]:  # pragma: no cover - jitted
    """Mean and standard deviation (``ddof=0``, two passes) of ``ω₋ = φ₋ − X₋β``."""
    n = phil.shape[0]
    if n == 0:
        return 0.0, 0.0
    total = 0.0
    for i in range(n):
        wl = phil[i]
        for j in range(xl.shape[1]):
            wl -= xl[i, j] * beta[j]
        total += wl
    mean = total / n
    ss = 0.0
    for i in range(n):
        wl = phil[i]
        for j in range(xl.shape[1]):
            wl -= xl[i, j] * beta[j]
        d = wl - mean
        ss += d * d
    return mean, np.sqrt(ss / n)


@njit(cache=True, nogil=True)
def markov_gram_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    degree: int,
    centre: float,
    scale: float,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - jitted
    """Return ``H'H`` (h, h) and ``H'ω`` (h,) at ``beta``."""
    n = phi.shape[0]
    h = 1 + degree + cl.shape[1]
    hh = np.zeros((h, h))
    hw = np.zeros(h)
    buf = np.empty((h + 2, CHUNK))  # lines 0..h-1: H, line h: ω, line h+1: v
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _fill_block(
            s, m, phi, phil, x, xl, cl, beta, degree, centre, scale, buf, 0, h, h + 1
        )
        for a in range(h):
            hw[a] += _dot(buf, a, h, m)
            for b in range(a, h):
                hh[a, b] += _dot(buf, a, b, m)
    for a in range(h):
        for b in range(a):
            hh[a, b] = hh[b, a]
    return hh, hw


@njit(cache=True, nogil=True)
def markov_moments_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    z: np.ndarray,
    beta: np.ndarray,
    rho: np.ndarray,
    degree: int,
    centre: float,
    scale: float,
    grad: bool,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:  # pragma: no cover - jitted
    """Return ``Z'ξ`` and, when ``grad``, the pieces of its derivative in ``β``.

    With ``a = −X + X₋ ⊙ g'(v)/scale`` (``g'`` the derivative of the Markov polynomial in
    ``v``), the outputs are ``Z'ξ`` (q,), ``Z'a`` (q, p), ``H'a`` (h, p), ``Z'H`` (q, h) and
    ``E`` (h, p) with ``E[k, j] = −Σ k v^{k−1} X₋_j ξ / scale`` for the power rows ``k = 1..d``
    (zero elsewhere). Without ``grad`` the last four are zero.
    """
    n = phi.shape[0]
    p = x.shape[1]
    q = z.shape[1]
    h = 1 + degree + cl.shape[1]
    zxi = np.zeros(q)
    za = np.zeros((q, p))
    ha = np.zeros((h, p))
    zh = np.zeros((q, h))
    e = np.zeros((h, p))
    # block lines: Z (q) | H (h) | a (p) | X₋ (p) | f_k = −k v^{k−1} ξ / scale (d) | ξ | ω | v
    iz, ih, ia, il, i_f = 0, q, q + h, q + h + p, q + h + 2 * p
    ixi = i_f + degree
    iw = ixi + 1
    iv = ixi + 2
    buf = np.empty((iv + 1, CHUNK))
    gp = np.empty(CHUNK)
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _fill_block(
            s, m, phi, phil, x, xl, cl, beta, degree, centre, scale, buf, ih, iw, iv
        )
        for c in range(m):
            buf[ixi, c] = buf[iw, c]
        for a in range(h):
            ra = rho[a]
            for c in range(m):
                buf[ixi, c] -= buf[ih + a, c] * ra
        for r in range(q):
            for c in range(m):
                buf[iz + r, c] = z[s + c, r]
        if grad:
            # g'(v) / scale = Σ_k k ρ_k v^{k−1} / scale; f_k = −k v^{k−1} ξ / scale
            for c in range(m):
                gp[c] = 0.0
            for k in range(1, degree + 1):
                kr = k * rho[k]
                for c in range(m):
                    pw = buf[ih + k - 1, c]
                    gp[c] += kr * pw
                    buf[i_f + k - 1, c] = -k * pw * buf[ixi, c] / scale
            for j in range(p):
                for c in range(m):
                    xlj = xl[s + c, j]
                    buf[ia + j, c] = -x[s + c, j] + xlj * (gp[c] / scale)
                    buf[il + j, c] = xlj
        for r in range(q):
            zxi[r] += _dot(buf, iz + r, ixi, m)
        if grad:
            for r in range(q):
                for j in range(p):
                    za[r, j] += _dot(buf, iz + r, ia + j, m)
                for a in range(h):
                    zh[r, a] += _dot(buf, iz + r, ih + a, m)
            for a in range(h):
                for j in range(p):
                    ha[a, j] += _dot(buf, ih + a, ia + j, m)
            for k in range(1, degree + 1):
                for j in range(p):
                    e[k, j] += _dot(buf, i_f + k - 1, il + j, m)
    return zxi, za, ha, zh, e


@njit(cache=True, nogil=True)
def markov_xi_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    rho: np.ndarray,
    degree: int,
    centre: float,
    scale: float,
) -> np.ndarray:  # pragma: no cover - jitted
    """Return the innovations ``ξ = ω − Hρ`` (n,) at ``beta`` and ``rho``."""
    n = phi.shape[0]
    h = 1 + degree + cl.shape[1]
    out = np.empty(n)
    buf = np.empty((h + 2, CHUNK))  # H | ω | v
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _fill_block(
            s, m, phi, phil, x, xl, cl, beta, degree, centre, scale, buf, 0, h, h + 1
        )
        for c in range(m):
            out[s + c] = buf[h, c]
        for a in range(h):
            ra = rho[a]
            for c in range(m):
                out[s + c] -= buf[a, c] * ra
    return out


@njit(cache=True, nogil=True)
def markov_rho_nb(
    hh: np.ndarray, hw: np.ndarray, rcond: float
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - jitted
    """Solve ``(H'H) ρ = H'ω`` through the column-equilibrated Gram matrix.

    Returns ``(status, ρ, D⁻¹H'HD⁻¹, D)`` with ``D`` the column norms of ``H``; ``status`` is
    not :data:`STATUS_OK` (and ``ρ`` is zeros) when ``H'H`` is not finite, has a zero column or
    its equilibrated form has a reciprocal condition number below ``rcond``.
    """
    h = hh.shape[0]
    rho = np.zeros(h)
    scale = np.ones(h)
    hs = np.eye(h)
    for a in range(h):
        for b in range(h):
            if not np.isfinite(hh[a, b]):
                return STATUS_NOT_FINITE, rho, hs, scale
    for a in range(h):
        scale[a] = np.sqrt(hh[a, a])
        if scale[a] == 0.0:
            return STATUS_ZERO_COLUMN, rho, hs, np.ones(h)
    for a in range(h):
        for b in range(h):
            hs[a, b] = hh[a, b] / (scale[a] * scale[b])
    sv = np.linalg.svd(hs)[1]  # descending; sv[0] >= 1 (unit diagonal)
    if sv[h - 1] / sv[0] < rcond:
        return STATUS_SINGULAR, rho, hs, scale
    rho = np.linalg.solve(hs, hw / scale) / scale
    return STATUS_OK, rho, hs, scale


@njit(cache=True, nogil=True)
def markov_eval_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    z: np.ndarray,
    weight: np.ndarray,
    beta: np.ndarray,
    degree: int,
    standardize: bool,
    rcond: float,
    jac: bool,
) -> tuple[int, float, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - jitted
    """The concentrated Markov GMM criterion at ``beta`` in one call.

    Returns ``(status, Q, g, G, ρ)``: ``g = Z'ξ/N`` (q,), ``Q = g'Wg``, ``G = ∂g/∂β`` (q, p;
    zeros unless ``jac``) and the Markov coefficients ``ρ`` (in ``v``). With
    ``Z'∂ξ = Z'a − Z'H (H'H)⁻¹ (H'a + E)`` (pieces from :func:`markov_moments_nb`). When
    ``status`` is not :data:`STATUS_OK`, ``Q`` is ``inf`` and the arrays are zeros.
    """
    n = phi.shape[0]
    p = x.shape[1]
    q = z.shape[1]
    centre = 0.0
    scale = 1.0
    if standardize:
        centre, scale = lag_centre_scale_nb(phil, xl, beta)
        if not (scale > 0.0 and np.isfinite(scale)):
            scale = 1.0
    hh, hw = markov_gram_nb(phi, phil, x, xl, cl, beta, degree, centre, scale)
    status, rho, hs, dscale = markov_rho_nb(hh, hw, rcond)
    g = np.zeros(q)
    gj = np.zeros((q, p))
    if status != STATUS_OK:
        return status, np.inf, g, gj, rho
    zxi, za, ha, zh, e = markov_moments_nb(
        phi, phil, x, xl, cl, z, beta, rho, degree, centre, scale, jac
    )
    for r in range(q):
        g[r] = zxi[r] / n
    val = 0.0
    for r in range(q):
        s = 0.0
        for c in range(q):
            s += weight[r, c] * g[c]
        val += g[r] * s
    if jac:
        h = hh.shape[0]
        rhs = np.empty((h, p))
        for a in range(h):
            for j in range(p):
                rhs[a, j] = (ha[a, j] + e[a, j]) / dscale[a]
        sol = np.linalg.solve(hs, rhs)
        for a in range(h):
            for j in range(p):
                sol[a, j] /= dscale[a]
        for r in range(q):
            for j in range(p):
                s = za[r, j]
                for a in range(h):
                    s -= zh[r, a] * sol[a, j]
                gj[r, j] = s / n
    return STATUS_OK, val, g, gj, rho
