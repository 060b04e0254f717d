"""Kernel of the Olley–Pakes / Levinsohn–Petrin second-stage criterion.

For second-stage coefficients ``θ`` (and the first-stage free coefficients ``β_F``):
``ω = φ − X_F β_F − X_S θ``, ``ω₋ = φ₋ − X_F₋ β_F − X_S₋ θ``; the law of motion is the least
squares fit of ``ω`` on all monomials (exponent table ``exps``, constant first) of the
standardised ``v = (ω₋ − mean) / sd`` (and the fitted exit probability ``P`` when
``prob`` has a column); ``ξ = y − X_F β_F − X_S θ − H ĝ``. The criterion is ``ξ'ξ / N``
(least squares, ``z`` with no column) or ``m' W m`` with ``m = Z'ξ / N`` (GMM).

:func:`cf_criterion_nb` computes it in four passes over the rows (``ω``, ``ω₋`` and
``y − X_F β_F − X_S θ`` into three ``N``-row buffers; the spread of ``ω₋``; the normal
equations of the law of motion; ``ξ``), one quantity at a time so that the loops
vectorise; NumPy builds about fifteen ``N``-row temporaries. Cross products are blocked dot
products as in :mod:`tfp._kernels.markov_nb`.
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
def _basis(
    s: int,
    m: int,
    omega_lag: np.ndarray,
    prob: np.ndarray,
    exps: np.ndarray,
    centre: float,
    spread: float,
    buf: np.ndarray,
    first: int,
) -> None:  # pragma: no cover - jitted
    """Lines ``first..first+len(exps)-1`` of ``buf``: the monomials of ``(v, P)`` on rows
    ``s..s+m-1`` (the products in :func:`tfp._kernels.poly_nb.poly_basis_nb`'s order)."""
    for c in range(m):
        buf[0, c] = (omega_lag[s + c] - centre) / spread
    for k in range(exps.shape[0]):
        for c in range(m):
            buf[first + k, c] = 1.0
        for _ in range(exps[k, 0]):
            for c in range(m):
                buf[first + k, c] *= buf[0, c]
        if exps.shape[1] > 1:
            for _ in range(exps[k, 1]):
                for c in range(m):
                    buf[first + k, c] *= prob[s + c, 0]


@njit(cache=True, nogil=True)
def _omegas(
    phi: np.ndarray,
    phil: np.ndarray,
    y: np.ndarray,
    xf: np.ndarray,
    xfl: np.ndarray,
    xs: np.ndarray,
    xsl: np.ndarray,
    beta_f: np.ndarray,
    theta: np.ndarray,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, float, float
]:  # pragma: no cover - jitted
    """``(ω, ω₋, r = y − X_F β_F − X_S θ, mean of ω₋, spread of ω₋)`` in two passes over
    the rows (one quantity at a time, so that the loops vectorise)."""
    n = phi.shape[0]
    f = np.zeros(n)
    fl = np.zeros(n)
    for j in range(xf.shape[1]):
        bj = beta_f[j]
        for i in range(n):
            f[i] += xf[i, j] * bj
            fl[i] += xfl[i, j] * bj
    t = np.zeros(n)
    tl = np.zeros(n)
    for j in range(xs.shape[1]):
        tj = theta[j]
        for i in range(n):
            t[i] += xs[i, j] * tj
            tl[i] += xsl[i, j] * tj
    omega = f  # reuse the buffers: ω, ω₋, r
    omega_lag = fl
    resid = t
    total = 0.0
    for i in range(n):
        ft = f[i]
        tt = t[i]
        omega[i] = phi[i] - ft - tt
        resid[i] = y[i] - ft - tt
        omega_lag[i] = phil[i] - fl[i] - tl[i]
        total += omega_lag[i]
    # the spread of ω₋ about its mean (two passes, as numpy.std)
    centre = total / n
    ss = 0.0
    for i in range(n):
        d = omega_lag[i] - centre
        ss += d * d
    return omega, omega_lag, resid, centre, np.sqrt(ss / n)


@njit(cache=True, nogil=True)
def _normal_equations(
    omega: np.ndarray,
    omega_lag: np.ndarray,
    prob: np.ndarray,
    exps: np.ndarray,
    centre: float,
    spread: float,
    buf: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - jitted
    """``(H'H, H'ω)`` of the law of motion (``buf``: line 0 ``v``, lines 1..nh ``H``,
    line nh+1 ``ω``)."""
    n = omega.shape[0]
    nh = exps.shape[0]
    hh = np.zeros((nh, nh))
    hw = np.zeros(nh)
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _basis(s, m, omega_lag, prob, exps, centre, spread, buf, 1)
        for c in range(m):
            buf[nh + 1, c] = omega[s + c]
        for a in range(nh):
            hw[a] += _dot(buf, 1 + a, nh + 1, m)
            for b in range(a, nh):
                hh[a, b] += _dot(buf, 1 + a, 1 + b, m)
    for a in range(nh):
        for b in range(a):
            hh[a, b] = hh[b, a]
    return hh, hw


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
    # passes 1-2: ω, ω₋, r = y − X_F β_F − X_S θ and the spread of ω₋
    omega, omega_lag, resid, centre, spread = _omegas(
        phi, phil, y, xf, xfl, xs, xsl, beta_f, theta
    )
    if not (np.isfinite(spread) and spread > 0.0):
        return STATUS_NO_SPREAD, np.inf, np.zeros(nh)
    # pass 3: normal equations H'H g = H'ω
    buf = np.empty((2 + nh, CHUNK))  # line 0: v, lines 1..nh: H, line nh+1: ω
    hh, hw = _normal_equations(omega, omega_lag, prob, exps, centre, spread, buf)
    ok, g = solve_small_nb(hh, hw)
    if not ok:
        return STATUS_SINGULAR, np.inf, np.zeros(nh)
    # pass 4: ξ = r − H g (into r), then ξ'ξ/N or m'Wm with m = Z'ξ/N
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _basis(s, m, omega_lag, prob, exps, centre, spread, buf, 1)
        for a in range(nh):
            ga = g[a]
            for c in range(m):
                resid[s + c] -= buf[1 + a, c] * ga
    if q == 0:
        val = _dot(resid.reshape(1, n), 0, 0, n) / n
    else:
        zxi = np.zeros(q)
        pair = np.empty((2, n))
        pair[1] = resid
        for r in range(q):
            for i in range(n):
                pair[0, i] = z[i, r]
            zxi[r] = _dot(pair, 0, 1, n)
        val = 0.0
        for r in range(q):
            acc = 0.0
            for c in range(q):
                acc += w[r, c] * (zxi[c] / n)
            val += (zxi[r] / n) * acc
    if not np.isfinite(val):
        return STATUS_OK, np.inf, g
    return STATUS_OK, val, g


@njit(cache=True, nogil=True)
def cf_gradient_nb(
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
) -> tuple[int, np.ndarray]:  # pragma: no cover - jitted
    """Return ``(status, ∇_θ criterion)`` of :func:`cf_criterion_nb` (zeros unless
    ``status`` is :data:`STATUS_OK`).

    With ``e = ω − Hĝ`` (the law of motion's residual), ``ξ = r − Hĝ``, ``t = ξ`` (least
    squares) or ``t = Z W m`` (GMM), ``u = (H'H)⁻¹H't`` and ``∂H/∂v`` the derivative of the
    monomials in ``v`` (the centre and spread of ``ω₋`` held fixed: the fit depends on the
    span of ``H`` only), the gradient is
    ``(2/N) Σ_i [−(t − Hu)_i X_S,ij + ((t − Hu)_i (∂H/∂v ĝ)_i + e_i (∂H/∂v u)_i) X_S₋,ij / sd]``.
    Five passes over the rows; NumPy builds about thirty ``N``-row temporaries.
    """
    n = phi.shape[0]
    nh = exps.shape[0]
    q = z.shape[1]
    p = xs.shape[1]
    grad = np.zeros(p)
    omega, omega_lag, resid, centre, spread = _omegas(
        phi, phil, y, xf, xfl, xs, xsl, beta_f, theta
    )
    if not (np.isfinite(spread) and spread > 0.0):
        return STATUS_NO_SPREAD, grad
    # line 0: v, lines 1..nh: H, line nh+1: ω (normal equations) then ∂H/∂v from nh+1 on
    buf = np.empty((2 + 2 * nh, CHUNK))
    hh, hw = _normal_equations(omega, omega_lag, prob, exps, centre, spread, buf)
    ok, g = solve_small_nb(hh, hw)
    if not ok:
        return STATUS_SINGULAR, grad
    # pass 4: e = ω − Hĝ (into ω), ξ = r − Hĝ (into r); H'ξ, or Z'ξ and H'Z
    hxi = np.zeros(nh)
    zxi = np.zeros(q)
    hz = np.zeros((nh, q))
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _basis(s, m, omega_lag, prob, exps, centre, spread, buf, 1)
        for c in range(m):
            hg = 0.0
            for a in range(nh):
                hg += buf[1 + a, c] * g[a]
            omega[s + c] -= hg
            resid[s + c] -= hg
        if q == 0:
            for a in range(nh):
                acc = 0.0
                for c in range(m):
                    acc += buf[1 + a, c] * resid[s + c]
                hxi[a] += acc
        else:
            for r in range(q):
                acc = 0.0
                for c in range(m):
                    acc += z[s + c, r] * resid[s + c]
                zxi[r] += acc
                for a in range(nh):
                    acc = 0.0
                    for c in range(m):
                        acc += buf[1 + a, c] * z[s + c, r]
                    hz[a, r] += acc
    wm = np.zeros(q)
    for r in range(q):
        for c in range(q):
            wm[r] += w[r, c] * (zxi[c] / n)
    ht = hxi.copy()
    if q > 0:
        for a in range(nh):
            ht[a] = 0.0
            for r in range(q):
                ht[a] += hz[a, r] * wm[r]
    ok, u = solve_small_nb(hh, ht)
    if not ok:
        return STATUS_SINGULAR, grad
    # pass 5: the gradient, row by row
    d0 = nh + 1  # ∂H/∂v lines
    for s in range(0, n, CHUNK):
        m = min(CHUNK, n - s)
        _basis(s, m, omega_lag, prob, exps, centre, spread, buf, 1)
        for k in range(nh):
            e0 = exps[k, 0]
            for c in range(m):
                buf[d0 + k, c] = float(e0)
            if e0 == 0:
                continue
            for _ in range(e0 - 1):
                for c in range(m):
                    buf[d0 + k, c] *= buf[0, c]
            if exps.shape[1] > 1:
                for _ in range(exps[k, 1]):
                    for c in range(m):
                        buf[d0 + k, c] *= prob[s + c, 0]
        for c in range(m):
            i = s + c
            if q == 0:
                ti = resid[i]
            else:
                ti = 0.0
                for r in range(q):
                    ti += z[i, r] * wm[r]
            hu = 0.0
            dhg = 0.0
            dhu = 0.0
            for a in range(nh):
                hu += buf[1 + a, c] * u[a]
                dhg += buf[d0 + a, c] * g[a]
                dhu += buf[d0 + a, c] * u[a]
            tr = ti - hu
            c2 = (tr * dhg + omega[i] * dhu) / spread
            for j in range(p):
                grad[j] += c2 * xsl[i, j] - tr * xs[i, j]
    for j in range(p):
        grad[j] *= 2.0 / n
    return STATUS_OK, grad


@njit(cache=True, nogil=True)
def _sort_simplex(
    sim: np.ndarray, fsim: np.ndarray
) -> None:  # pragma: no cover - jitted
    """Order the vertices by criterion, in place: a stable insertion sort (NumPy's
    ``argsort`` sorts arrays this short by insertion too, so ties keep their order)."""
    for i in range(1, fsim.shape[0]):
        f = fsim[i]
        row = sim[i].copy()
        j = i - 1
        while j >= 0 and fsim[j] > f:
            fsim[j + 1] = fsim[j]
            sim[j + 1] = sim[j]
            j -= 1
        fsim[j + 1] = f
        sim[j + 1] = row


@njit(cache=True, nogil=True)
def cf_nelder_mead_nb(
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
    exps: np.ndarray,
    x0: np.ndarray,
    xatol: float,
    fatol: float,
    maxiter: int,
) -> tuple[np.ndarray, float, int, int, int]:  # pragma: no cover - jitted
    """Minimise :func:`cf_criterion_nb` over ``θ`` from ``x0`` by Nelder–Mead.

    SciPy's ``minimize(method="Nelder-Mead")`` step for step (``adaptive=False``, no
    bounds, ``maxiter`` iterations, no evaluation limit): the same initial simplex (5 % of
    each nonzero coordinate, 0.00025 for a zero), coefficients (reflection 1, expansion 2,
    contraction 0.5, shrink 0.5), the same order of tests and the same stopping rule, so it
    visits the same points. Returns ``(x, f(x), iterations, evaluations, status)`` with
    status 0 (converged) or 2 (``maxiter`` reached).
    """
    args = (phi, phil, y, xf, xfl, xs, xsl, prob, z, w, beta_f)
    n = x0.shape[0]
    sim = np.empty((n + 1, n))
    sim[0] = x0
    for k in range(n):
        v = x0.copy()
        v[k] = (1.0 + 0.05) * v[k] if v[k] != 0 else 0.00025
        sim[k + 1] = v
    fsim = np.empty(n + 1)
    for k in range(n + 1):
        fsim[k] = cf_criterion_nb(*args, sim[k].copy(), exps)[1]
    nfev = n + 1
    _sort_simplex(sim, fsim)
    it = 1
    xbar = np.empty(n)
    while it < maxiter:
        # converged: every vertex within xatol of the best, every criterion within fatol
        xmax = 0.0
        for j in range(1, n + 1):
            for k in range(n):
                d = abs(sim[j, k] - sim[0, k])
                if d > xmax:
                    xmax = d
        fmax = 0.0
        for j in range(1, n + 1):
            d = abs(fsim[0] - fsim[j])
            if not d <= fmax:  # a NaN (inf - inf) propagates as in numpy.max
                fmax = d
        if xmax <= xatol and fmax <= fatol:
            break
        for k in range(n):
            t = 0.0
            for j in range(n):
                t += sim[j, k]
            xbar[k] = t / n
        xr = 2.0 * xbar - sim[n]
        fxr = cf_criterion_nb(*args, xr, exps)[1]
        nfev += 1
        shrink = False
        if fxr < fsim[0]:
            xe = 3.0 * xbar - 2.0 * sim[n]
            fxe = cf_criterion_nb(*args, xe, exps)[1]
            nfev += 1
            if fxe < fxr:
                sim[n] = xe
                fsim[n] = fxe
            else:
                sim[n] = xr
                fsim[n] = fxr
        elif fxr < fsim[n - 1]:
            sim[n] = xr
            fsim[n] = fxr
        elif fxr < fsim[n]:
            xc = 1.5 * xbar - 0.5 * sim[n]
            fxc = cf_criterion_nb(*args, xc, exps)[1]
            nfev += 1
            if fxc <= fxr:
                sim[n] = xc
                fsim[n] = fxc
            else:
                shrink = True
        else:
            xcc = 0.5 * xbar + 0.5 * sim[n]
            fxcc = cf_criterion_nb(*args, xcc, exps)[1]
            nfev += 1
            if fxcc < fsim[n]:
                sim[n] = xcc
                fsim[n] = fxcc
            else:
                shrink = True
        if shrink:
            for j in range(1, n + 1):
                sim[j] = sim[0] + 0.5 * (sim[j] - sim[0])
                fsim[j] = cf_criterion_nb(*args, sim[j].copy(), exps)[1]
                nfev += 1
        it += 1
        _sort_simplex(sim, fsim)
    fbest = fsim[0]
    for j in range(1, n + 1):
        if fsim[j] < fbest:
            fbest = fsim[j]
    return sim[0].copy(), fbest, it, nfev, 2 if it >= maxiter else 0
