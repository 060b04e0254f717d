"""SciPy's BFGS, compiled, on the concentrated Markov GMM criterion.

:func:`markov_bfgs_nb` minimises ``Q(u) = scale · g(Tu)' A g(Tu)``, with ``g`` the moments of
:func:`tfp._kernels.markov_nb.markov_eval_nb` (``T = I, A = W, scale = 1``: the ACF
criterion; GNR searches in a rescaled ``u``). It is ``scipy.optimize.minimize(method="BFGS",
jac=True)`` of SciPy 1.17 transcribed: the same initial step, the same line searches
(MINPACK-2's ``dcsrch``/``dcstep`` with ``c1 = 1e-4``, ``c2 = 0.9``, ``xtol = 1e-14``, and
the Wolfe search with zoom as the fallback), the same inverse-Hessian update and the same
stopping tests (``gtol`` on the largest gradient element, ``xrtol`` on the step). The only
differences are the order of a few additions in small matrix products, so it follows SciPy's
path to rounding, ending where SciPy ends; what it saves is SciPy's Python bookkeeping, which
costs more than the criterion itself on a few thousand rows (bootstrap replicates).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tfp._kernels.markov_nb import STATUS_OK, markov_eval_nb

#: ``markov_bfgs_nb`` status, as SciPy's: converged, iteration limit, precision loss (no
#: line search found a step), NaN.
BFGS_OK = 0
BFGS_MAXITER = 1
BFGS_PRECISION_LOSS = 2
BFGS_NAN = 3

_FG = 1
_CONVERGED = 2
_WARNING = 3
_ERROR = 4


@njit(cache=True, nogil=True)
def _criterion(
    u: np.ndarray, prob: tuple, amat: np.ndarray, t: np.ndarray, scale: float
) -> tuple[float, np.ndarray]:  # pragma: no cover - jitted
    """``(Q(u), ∇Q(u))``; ``(inf, 0)`` where the law of motion is singular or Q not finite.

    ``root`` (in ``prob``) false: ``Q = scale · g'Ag`` (``A`` the GMM weight); true:
    ``Q = scale · ‖Ag‖²`` (``A`` a root of the weight), each computed as the Python
    criteria it replaces compute it.
    """
    phi, phil, x, xl, cl, z, degree, standardize, rcond, root, eye = prob
    c = t @ u
    status, val, g, jac, _ = markov_eval_nb(
        phi,
        phil,
        x,
        xl,
        cl,
        z,
        eye if root else amat,
        c,
        degree,
        standardize,
        rcond,
        True,
    )
    if status != STATUS_OK:
        return np.inf, np.zeros(u.shape[0])
    if root:
        m = amat @ g
        jm = amat @ jac
        f = float(m @ m) * scale
        grad = ((2.0 * (jm.T @ m)) @ t) * scale
    else:
        f = val * scale
        grad = ((2.0 * (jac.T @ (amat @ g))) @ t) * scale
    if not np.isfinite(f):
        return np.inf, np.zeros(u.shape[0])
    for j in range(grad.shape[0]):
        if not np.isfinite(grad[j]):
            return np.inf, np.zeros(u.shape[0])
    return f, grad


@njit(cache=True, nogil=True)
def _dcstep(
    stx: float,
    fx: float,
    dx: float,
    sty: float,
    fy: float,
    dy: float,
    stp: float,
    fp: float,
    dp: float,
    brackt: bool,
    stpmin: float,
    stpmax: float,
) -> tuple[float, float, float, float, float, float, float, bool]:  # pragma: no cover
    """MINPACK-2 ``dcstep`` (SciPy's ``_dcsrch.dcstep``): the safeguarded step."""
    sgnd = np.sign(dp) * np.sign(dx)
    if fp > fx:
        theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt((theta / s) ** 2 - (dx / s) * (dp / s))
        if stp < stx:
            gamma *= -1
        p = (gamma - dx) + theta
        q = ((gamma - dx) + gamma) + dp
        r = p / q
        stpc = stx + r * (stp - stx)
        stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx)
        if abs(stpc - stx) <= abs(stpq - stx):
            stpf = stpc
        else:
            stpf = stpc + (stpq - stpc) / 2.0
        brackt = True
    elif sgnd < 0.0:
        theta = 3 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt((theta / s) ** 2 - (dx / s) * (dp / s))
        if stp > stx:
            gamma *= -1
        p = (gamma - dp) + theta
        q = ((gamma - dp) + gamma) + dx
        r = p / q
        stpc = stp + r * (stx - stp)
        stpq = stp + (dp / (dp - dx)) * (stx - stp)
        if abs(stpc - stp) > abs(stpq - stp):
            stpf = stpc
        else:
            stpf = stpq
        brackt = True
    elif abs(dp) < abs(dx):
        theta = 3 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt(max(0.0, (theta / s) ** 2 - (dx / s) * (dp / s)))
        if stp > stx:
            gamma = -gamma
        p = (gamma - dp) + theta
        q = (gamma + (dx - dp)) + gamma
        r = p / q
        if r < 0 and gamma != 0:
            stpc = stp + r * (stx - stp)
        elif stp > stx:
            stpc = stpmax
        else:
            stpc = stpmin
        stpq = stp + (dp / (dp - dx)) * (stx - stp)
        if brackt:
            if abs(stpc - stp) < abs(stpq - stp):
                stpf = stpc
            else:
                stpf = stpq
            if stp > stx:
                stpf = min(stp + 0.66 * (sty - stp), stpf)
            else:
                stpf = max(stp + 0.66 * (sty - stp), stpf)
        else:
            if abs(stpc - stp) > abs(stpq - stp):
                stpf = stpc
            else:
                stpf = stpq
            stpf = min(max(stpf, stpmin), stpmax)
    else:
        if brackt:
            theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp
            s = max(abs(theta), abs(dy), abs(dp))
            gamma = s * np.sqrt((theta / s) ** 2 - (dy / s) * (dp / s))
            if stp > sty:
                gamma = -gamma
            p = (gamma - dp) + theta
            q = ((gamma - dp) + gamma) + dy
            r = p / q
            stpc = stp + r * (sty - stp)
            stpf = stpc
        elif stp > stx:
            stpf = stpmax
        else:
            stpf = stpmin
    if fp > fx:
        sty = stp
        fy = fp
        dy = dp
    else:
        if sgnd < 0:
            sty = stx
            fy = fx
            dy = dx
        stx = stp
        fx = fp
        dx = dp
    return stx, fx, dx, sty, fy, dy, stpf, brackt


@njit(cache=True, nogil=True)
def _wolfe1(
    xk: np.ndarray,
    pk: np.ndarray,
    old_fval: float,
    old_old_fval: float,
    derphi0: float,
    prob: tuple,
    amat: np.ndarray,
    t: np.ndarray,
    scale: float,
) -> tuple[bool, float, float, np.ndarray, int]:  # pragma: no cover - jitted
    """``line_search_wolfe1`` (``scalar_search_wolfe1`` + ``DCSRCH``), ``amin = 1e-100``,
    ``amax = 1e100``, ``xtol = 1e-14``: ``(found, step, f, gradient, evaluations)``."""
    ftol = 1e-4
    gtol = 0.9
    xtol = 1e-14
    stpmin = 1e-100
    stpmax = 1e100
    phi0 = old_fval
    if derphi0 != 0:
        alpha1 = min(1.0, 1.01 * 2 * (phi0 - old_old_fval) / derphi0)
        if alpha1 < 0:
            alpha1 = 1.0
    else:
        alpha1 = 1.0
    nfev = 0
    gval = np.zeros(xk.shape[0])
    # DCSRCH, task START
    stp = alpha1
    f = phi0
    g = derphi0
    if stp < stpmin or stp > stpmax or g >= 0:
        return False, stp, phi0, gval, nfev
    brackt = False
    stage = 1
    finit = f
    ginit = g
    gtest = ftol * ginit
    width = stpmax - stpmin
    width1 = width / 0.5
    stx = 0.0
    fx = finit
    gx = ginit
    sty = 0.0
    fy = finit
    gy = ginit
    stmin = 0.0
    stmax = stp + 4.0 * stp
    for _ in range(100):
        # task FG: evaluate at stp
        f, gval = _criterion(xk + stp * pk, prob, amat, t, scale)
        nfev += 1
        g = float(gval @ pk)
        ftest = finit + stp * gtest
        if stage == 1 and f <= ftest and g >= 0:
            stage = 2
        task = _FG
        if brackt and (stp <= stmin or stp >= stmax):
            task = _WARNING
        if brackt and stmax - stmin <= xtol * stmax:
            task = _WARNING
        if stp == stpmax and f <= ftest and g <= gtest:
            task = _WARNING
        if stp == stpmin and (f > ftest or g >= gtest):
            task = _WARNING
        if f <= ftest and abs(g) <= gtol * -ginit:
            task = _CONVERGED
        if task == _WARNING:
            return False, stp, f, gval, nfev
        if task == _CONVERGED:
            return True, stp, f, gval, nfev
        if stage == 1 and f <= fx and f > ftest:
            fm = f - stp * gtest
            fxm = fx - stx * gtest
            fym = fy - sty * gtest
            gm = g - gtest
            gxm = gx - gtest
            gym = gy - gtest
            stx, fxm, gxm, sty, fym, gym, stp, brackt = _dcstep(
                stx, fxm, gxm, sty, fym, gym, stp, fm, gm, brackt, stmin, stmax
            )
            fx = fxm + stx * gtest
            fy = fym + sty * gtest
            gx = gxm + gtest
            gy = gym + gtest
        else:
            stx, fx, gx, sty, fy, gy, stp, brackt = _dcstep(
                stx, fx, gx, sty, fy, gy, stp, f, g, brackt, stmin, stmax
            )
        if brackt:
            if abs(sty - stx) >= 0.66 * width1:
                stp = stx + 0.5 * (sty - stx)
            width1 = width
            width = abs(sty - stx)
        if brackt:
            stmin = min(stx, sty)
            stmax = max(stx, sty)
        else:
            stmin = stp + 1.1 * (stp - stx)
            stmax = stp + 4.0 * (stp - stx)
        stp = min(max(stp, stpmin), stpmax)
        if (brackt and (stp <= stmin or stp >= stmax)) or (
            brackt and stmax - stmin <= xtol * stmax
        ):
            stp = stx
        if not np.isfinite(stp):
            return False, stp, f, gval, nfev
    return False, stp, f, gval, nfev


@njit(cache=True, nogil=True)
def _cubicmin(
    a: float, fa: float, fpa: float, b: float, fb: float, c: float, fc: float
) -> float:  # pragma: no cover - jitted
    """Minimiser of the cubic through the three points, or NaN (SciPy's ``_cubicmin``)."""
    cc = fpa
    db = b - a
    dc = c - a
    denom = (db * dc) ** 2 * (db - dc)
    if denom == 0.0:
        return np.nan
    r0 = fb - fa - cc * db
    r1 = fc - fa - cc * dc
    aa = (dc**2 * r0 + (-(db**2)) * r1) / denom
    bb = ((-(dc**3)) * r0 + db**3 * r1) / denom
    radical = bb * bb - 3 * aa * cc
    if radical < 0 or aa == 0.0:
        return np.nan
    xmin = a + (-bb + np.sqrt(radical)) / (3 * aa)
    return xmin if np.isfinite(xmin) else np.nan


@njit(cache=True, nogil=True)
def _quadmin(
    a: float, fa: float, fpa: float, b: float, fb: float
) -> float:  # pragma: no cover - jitted
    """Minimiser of the quadratic through the points, or NaN (SciPy's ``_quadmin``)."""
    d = fa
    c = fpa
    db = b - a * 1.0
    if db == 0.0:
        return np.nan
    bb = (fb - d - c * db) / (db * db)
    if bb == 0.0:
        return np.nan
    xmin = a - c / (2.0 * bb)
    return xmin if np.isfinite(xmin) else np.nan


@njit(cache=True, nogil=True)
def _wolfe2(
    xk: np.ndarray,
    pk: np.ndarray,
    old_fval: float,
    old_old_fval: float,
    derphi0: float,
    prob: tuple,
    amat: np.ndarray,
    t: np.ndarray,
    scale: float,
) -> tuple[bool, float, float, np.ndarray, int]:  # pragma: no cover - jitted
    """``line_search_wolfe2`` with ``amax = 1e100`` (SciPy's fallback): ``(found, step, f,
    gradient at the step, evaluations)``."""
    c1 = 1e-4
    c2 = 0.9
    amax = 1e100
    phi0 = old_fval
    nfev = 0
    gval = np.zeros(xk.shape[0])
    alpha0 = 0.0
    if derphi0 != 0:
        alpha1 = min(1.0, 1.01 * 2 * (phi0 - old_old_fval) / derphi0)
    else:
        alpha1 = 1.0
    if alpha1 < 0:
        alpha1 = 1.0
    alpha1 = min(alpha1, amax)
    phi_a1, gval = _criterion(xk + alpha1 * pk, prob, amat, t, scale)
    nfev += 1
    phi_a0 = phi0
    derphi_a0 = derphi0
    for i in range(10):
        if alpha1 == 0 or alpha0 > amax:
            return False, 0.0, phi0, gval, nfev
        if (phi_a1 > phi0 + c1 * alpha1 * derphi0) or ((phi_a1 >= phi_a0) and i > 0):
            return _zoom(
                alpha0,
                alpha1,
                phi_a0,
                phi_a1,
                derphi_a0,
                phi0,
                derphi0,
                xk,
                pk,
                prob,
                amat,
                t,
                scale,
                nfev,
            )
        derphi_a1 = float(gval @ pk)  # gradient at alpha1 (evaluated with phi)
        if abs(derphi_a1) <= -c2 * derphi0:
            return True, alpha1, phi_a1, gval, nfev
        if derphi_a1 >= 0:
            return _zoom(
                alpha1,
                alpha0,
                phi_a1,
                phi_a0,
                derphi_a1,
                phi0,
                derphi0,
                xk,
                pk,
                prob,
                amat,
                t,
                scale,
                nfev,
            )
        alpha2 = min(2 * alpha1, amax)
        alpha0 = alpha1
        alpha1 = alpha2
        phi_a0 = phi_a1
        phi_a1, gval = _criterion(xk + alpha1 * pk, prob, amat, t, scale)
        nfev += 1
        derphi_a0 = derphi_a1
    # SciPy accepts the last step tried (with a LineSearchWarning)
    return True, alpha1, phi_a1, gval, nfev


@njit(cache=True, nogil=True)
def _zoom(
    a_lo: float,
    a_hi: float,
    phi_lo: float,
    phi_hi: float,
    derphi_lo: float,
    phi0: float,
    derphi0: float,
    xk: np.ndarray,
    pk: np.ndarray,
    prob: tuple,
    amat: np.ndarray,
    t: np.ndarray,
    scale: float,
    nfev: int,
) -> tuple[bool, float, float, np.ndarray, int]:  # pragma: no cover - jitted
    """SciPy's ``_zoom``: cubic, then quadratic, then bisection inside the bracket."""
    c1 = 1e-4
    c2 = 0.9
    delta1 = 0.2
    delta2 = 0.1
    phi_rec = phi0
    a_rec = 0.0
    i = 0
    a_j = np.nan
    cchk = 0.0
    while True:
        dalpha = a_hi - a_lo
        if dalpha < 0:
            a, b = a_hi, a_lo
        else:
            a, b = a_lo, a_hi
        if i > 0:
            cchk = delta1 * dalpha
            a_j = _cubicmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi, a_rec, phi_rec)
        if i == 0 or np.isnan(a_j) or (a_j > b - cchk) or (a_j < a + cchk):
            qchk = delta2 * dalpha
            a_j = _quadmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi)
            if np.isnan(a_j) or (a_j > b - qchk) or (a_j < a + qchk):
                a_j = a_lo + 0.5 * dalpha
        phi_aj, gval = _criterion(xk + a_j * pk, prob, amat, t, scale)
        nfev += 1
        if (phi_aj > phi0 + c1 * a_j * derphi0) or (phi_aj >= phi_lo):
            phi_rec = phi_hi
            a_rec = a_hi
            a_hi = a_j
            phi_hi = phi_aj
        else:
            derphi_aj = float(gval @ pk)
            if abs(derphi_aj) <= -c2 * derphi0:
                return True, a_j, phi_aj, gval, nfev
            if derphi_aj * (a_hi - a_lo) >= 0:
                phi_rec = phi_hi
                a_rec = a_hi
                a_hi = a_lo
                phi_hi = phi_lo
            else:
                phi_rec = phi_lo
                a_rec = a_lo
            a_lo = a_j
            phi_lo = phi_aj
            derphi_lo = derphi_aj
        i += 1
        if i > 10:
            return False, a_j, phi_aj, gval, nfev


@njit(cache=True, nogil=True)
def markov_bfgs_nb(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    z: np.ndarray,
    degree: int,
    standardize: bool,
    rcond: float,
    amat: np.ndarray,
    root: bool,
    t: np.ndarray,
    scale: float,
    u0: np.ndarray,
    gtol: float,
    xrtol: float,
    maxiter: int,
) -> tuple[np.ndarray, float, int, int, int]:  # pragma: no cover - jitted
    """Minimise ``scale · g(Tu)' A g(Tu)`` (``root``: ``scale · ‖A g(Tu)‖²``) from ``u0`` by
    SciPy's BFGS.

    Returns ``(u, Q(u), iterations, evaluations, status)``, status as SciPy's (see the
    ``BFGS_*`` constants).
    """
    prob = (
        phi,
        phil,
        x,
        xl,
        cl,
        z,
        degree,
        standardize,
        rcond,
        root,
        np.eye(z.shape[1]),
    )
    n = u0.shape[0]
    xk = u0.copy()
    old_fval, gfk = _criterion(xk, prob, amat, t, scale)
    nfev = 1
    k = 0
    hk = np.eye(n)
    old_old_fval = old_fval + np.sqrt(float(gfk @ gfk)) / 2
    warnflag = 0
    gnorm = np.max(np.abs(gfk))
    while gnorm > gtol and k < maxiter:
        pk = -(hk @ gfk)
        derphi0 = float(gfk @ pk)
        found, alpha_k, fnew, gfkp1, ne = _wolfe1(
            xk, pk, old_fval, old_old_fval, derphi0, prob, amat, t, scale
        )
        nfev += ne
        if not found:
            found, alpha_k, fnew, gfkp1, ne = _wolfe2(
                xk, pk, old_fval, old_old_fval, derphi0, prob, amat, t, scale
            )
            nfev += ne
        if not found:
            warnflag = BFGS_PRECISION_LOSS
            break
        old_old_fval = old_fval
        old_fval = fnew
        sk = alpha_k * pk
        xkp1 = xk + sk
        xk = xkp1
        yk = gfkp1 - gfk
        gfk = gfkp1
        k += 1
        gnorm = np.max(np.abs(gfk))
        if gnorm <= gtol:
            break
        if alpha_k * np.sqrt(float(pk @ pk)) <= xrtol * (
            xrtol + np.sqrt(float(xk @ xk))
        ):
            break
        if not np.isfinite(old_fval):
            warnflag = BFGS_PRECISION_LOSS
            break
        rhok_inv = float(yk @ sk)
        rhok = 1000.0 if rhok_inv == 0.0 else 1.0 / rhok_inv
        a1 = np.eye(n) - np.outer(sk, yk) * rhok
        a2 = np.eye(n) - np.outer(yk, sk) * rhok
        hk = a1 @ (hk @ a2) + rhok * np.outer(sk, sk)
    if warnflag == 0:
        if k >= maxiter:
            warnflag = BFGS_MAXITER
        elif np.isnan(gnorm) or np.isnan(old_fval) or np.any(np.isnan(xk)):
            warnflag = BFGS_NAN
    return xk, old_fval, k, nfev, warnflag
