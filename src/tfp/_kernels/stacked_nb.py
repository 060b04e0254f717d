"""Kernel of the OP/LP second stage of the stacked estimating equations.

One serial pass over the second-stage rows (no threads: sums do not depend on a thread
count). Row ``i`` has the standardised lagged productivity ``v`` (and the fitted exit
probability ``P`` with the exit correction), the law-of-motion basis ``H = poly(v[, P])``
with coefficients ``g``, ``r = ω − Hg`` and ``ξ = ỹ − Hg``. The moment blocks are, in order,

* value added (``gm`` given, ``z`` empty): ``F = ξ D̃`` (n_θ), ``Hr`` (h), ``M = H ⊗ D̃ −
  r H_v ⊗ x_{S,t−1}`` (h·n_θ) with ``D̃ = −x_S + h_ω x_{S,t−1} − H G``;
* gross output (``z`` given): ``Z ξ`` (q), ``H r`` (h).

The kernel returns their per-firm sums, the *left factors* of each moment on the
derivatives of ``ω`` (own row), ``ω_{t−1}`` (lagged row), ``ỹ`` (own row) and ``P`` (lagged
row, times ``f(X_e α)``) scattered to those rows, the Jacobian in ``θ`` and in ``g``, and
``Σ Hξ``, ``H'H`` (the blocks in ``G`` are Kronecker products of these). The readable
specification is the NumPy twin :func:`tfp._kernels.reference.cf_second_stage_np`.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def _ipow(x: float, k: int) -> float:  # pragma: no cover - jitted
    out = 1.0
    for _ in range(k):
        out *= x
    return out


@njit(cache=True, nogil=True)
def cf_second_stage_nb(
    v: np.ndarray,
    p: np.ndarray,
    exps: np.ndarray,
    spread: float,
    g: np.ndarray,
    gm: np.ndarray,
    omega: np.ndarray,
    ytil: np.ndarray,
    xs: np.ndarray,
    xs_l: np.ndarray,
    z: np.ndarray,
    dens: np.ndarray,
    cur: np.ndarray,
    prev: np.ndarray,
    firm: np.ndarray,
    n_rows: int,
    n_firms: int,
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:  # pragma: no cover - jitted
    """Return ``(moments, scat_w, scat_y, scat_p, j_theta, j_g, sum_hxi, hh)``.

    ``moments`` (n_firms, m); ``scat_w``/``scat_y``/``scat_p`` (n_rows, m): left factors on
    ``ω`` and ``ω_{t−1}``, on ``ỹ``, on ``P`` (times ``dens``); ``j_theta`` (m, n_θ);
    ``j_g`` (m, h); ``sum_hxi`` (h,); ``hh`` (h, h). ``p`` and ``dens`` are ignored unless
    ``exps`` has two columns; value added when ``z`` has no column.
    """
    n2 = v.shape[0]
    h = exps.shape[0]
    two = exps.shape[1] == 2
    nt = xs.shape[1]
    q = z.shape[1]
    va = q == 0
    m = nt + h + h * nt if va else q + h
    mom = np.zeros((n_firms, m))
    scat_w = np.zeros((n_rows, m))
    scat_y = np.zeros((n_rows, m))
    scat_p = np.zeros((n_rows, m) if two else (0, m))
    j_theta = np.zeros((m, nt))
    j_g = np.zeros((m, h))
    sum_hxi = np.zeros(h)
    hh = np.zeros((h, h))
    hm = np.empty(h)
    hv = np.empty(h)
    hvv = np.empty(h)
    hp = np.zeros(h)
    hvp = np.zeros(h)
    dt = np.empty(nt)
    hvg = np.empty(nt)
    hpg = np.empty(nt)
    lw = np.empty(m)
    lwl = np.empty(m)
    ly = np.empty(m)
    lp = np.empty(m)
    row = np.empty(m)
    for i in range(n2):
        vi = v[i]
        pi = p[i] if two else 0.0
        for a in range(h):
            e0 = exps[a, 0]
            e1 = exps[a, 1] if two else 0
            pw = _ipow(pi, e1)
            hm[a] = _ipow(vi, e0) * pw
            hv[a] = e0 * _ipow(vi, e0 - 1) * pw / spread if e0 > 0 else 0.0
            hvv[a] = (
                e0 * (e0 - 1) * _ipow(vi, e0 - 2) * pw / (spread * spread)
                if e0 > 1
                else 0.0
            )
            if two:
                pd = e1 * _ipow(pi, e1 - 1) if e1 > 0 else 0.0
                hp[a] = _ipow(vi, e0) * pd
                hvp[a] = e0 * _ipow(vi, e0 - 1) * pd / spread if e0 > 0 else 0.0
        hg = 0.0
        h_w = 0.0
        h_pg = 0.0
        hvv_g = 0.0
        hvp_g = 0.0
        for a in range(h):
            hg += hm[a] * g[a]
            h_w += hv[a] * g[a]
            h_pg += hp[a] * g[a]
            hvv_g += hvv[a] * g[a]
            hvp_g += hvp[a] * g[a]
        r3 = omega[i] - hg
        xi = ytil[i] - hg
        for a in range(h):
            sum_hxi[a] += hm[a] * xi
            for b in range(h):
                hh[a, b] += hm[a] * hm[b]
        if va:
            for j in range(nt):
                s_h = 0.0
                s_v = 0.0
                s_p = 0.0
                for a in range(h):
                    s_h += hm[a] * gm[a, j]
                    s_v += hv[a] * gm[a, j]
                    s_p += hp[a] * gm[a, j]
                dt[j] = -xs[i, j] + h_w * xs_l[i, j] - s_h
                hvg[j] = s_v
                hpg[j] = s_p
            for j in range(nt):  # F = ξ D̃
                row[j] = dt[j] * xi
                lw[j] = 0.0
                lwl[j] = -dt[j] * h_w + xi * (xs_l[i, j] * hvv_g - hvg[j])
                ly[j] = dt[j]
                lp[j] = -dt[j] * h_pg + xi * (xs_l[i, j] * hvp_g - hpg[j])
                for b in range(h):
                    j_g[j, b] += -dt[j] * hm[b] + xi * xs_l[i, j] * hv[b]
            base = nt
        else:
            for c in range(q):  # Z ξ
                zc = z[i, c]
                row[c] = zc * xi
                lw[c] = 0.0
                lwl[c] = -zc * h_w
                ly[c] = zc
                lp[c] = -zc * h_pg
                for b in range(h):
                    j_g[c, b] -= zc * hm[b]
            base = q
        for a in range(h):  # the law of motion H r
            k = base + a
            row[k] = hm[a] * r3
            lw[k] = hm[a]
            lwl[k] = hv[a] * r3 - hm[a] * h_w
            ly[k] = 0.0
            lp[k] = hp[a] * r3 - hm[a] * h_pg
            for b in range(h):
                j_g[k, b] -= hm[a] * hm[b]
        if va:  # M = H ⊗ D̃ − r H_v ⊗ x_{S,t−1}
            for a in range(h):
                for j in range(nt):
                    k = nt + h + a * nt + j
                    xl = xs_l[i, j]
                    row[k] = hm[a] * dt[j] - r3 * hv[a] * xl
                    lw[k] = -hv[a] * xl
                    lwl[k] = (
                        hv[a] * dt[j]
                        + hm[a] * (xl * hvv_g - hvg[j])
                        + hv[a] * xl * h_w
                        - r3 * hvv[a] * xl
                    )
                    ly[k] = 0.0
                    lp[k] = (
                        hp[a] * dt[j]
                        + hm[a] * (xl * hvp_g - hpg[j])
                        + hv[a] * xl * h_pg
                        - r3 * hvp[a] * xl
                    )
                    for b in range(h):
                        j_g[k, b] += hm[a] * xl * hv[b] + hv[a] * xl * hm[b]
        f = firm[i]
        ci = cur[i]
        li = prev[i]
        di = dens[i] if two else 0.0
        for k in range(m):
            mom[f, k] += row[k]
            scat_w[ci, k] += lw[k]
            scat_w[li, k] += lwl[k]
            scat_y[ci, k] += ly[k]
            if two:
                scat_p[li, k] += lp[k] * di
            for j in range(nt):
                j_theta[k, j] -= (lw[k] + ly[k]) * xs[i, j] + lwl[k] * xs_l[i, j]
    return mom, scat_w, scat_y, scat_p, j_theta, j_g, sum_hxi, hh


@njit(cache=True, nogil=True)
def first_stage_sums_nb(
    a: np.ndarray,
    e: np.ndarray,
    firm: np.ndarray,
    n_firms: int,
    left: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - jitted
    """One pass over the first-stage regressors ``a`` (n, p): the per-firm sums of
    ``e_i a_i`` (n_firms, p) and ``left' a`` (m, p) for per-row left factors ``left`` (n, m).
    """
    n, p = a.shape
    m = left.shape[1]
    sums = np.zeros((n_firms, p))
    cross = np.zeros((m, p))
    for i in range(n):
        f = firm[i]
        ei = e[i]
        for j in range(p):
            aij = a[i, j]
            sums[f, j] += ei * aij
            for k in range(m):
                cross[k, j] += left[i, k] * aij
    return sums, cross
