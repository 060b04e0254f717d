"""NumPy twins of the numba kernels, one per kernel with the same signature and result.

They are the readable specification of each kernel and the reference in its tests.
"""

from __future__ import annotations

import numpy as np


def lag_index_np(firm: np.ndarray, time: np.ndarray, k: int) -> np.ndarray:
    """NumPy twin of :func:`tfp._kernels.panel_nb.lag_index_nb`."""
    n = firm.shape[0]
    if k == 0:
        return np.arange(n, dtype=np.int64)
    # rows are sorted by (firm, time) with unique pairs: a merge on (firm, time - k) finds them.
    order_time = time.astype(np.int64)
    target = order_time - k
    # encode (firm, time) pairs as one sortable key per row
    span = int(order_time.max() - order_time.min()) + abs(k) + 1 if n else 1
    base = int(order_time.min()) - abs(k) if n else 0
    code = firm.astype(np.int64) * span + (order_time - base)
    code_target = firm.astype(np.int64) * span + (target - base)
    pos = np.searchsorted(code, code_target)
    pos_clipped = np.minimum(pos, max(n - 1, 0))
    found = (pos < n) & (code[pos_clipped] == code_target)
    return np.where(found, pos_clipped, -1).astype(np.int64)


def poly_basis_np(x: np.ndarray, exponents: np.ndarray) -> np.ndarray:
    """NumPy twin of :func:`tfp._kernels.poly_nb.poly_basis_nb`."""
    n = x.shape[0]
    out = np.ones((n, exponents.shape[0]), dtype=np.float64)
    for c in range(exponents.shape[0]):
        for j in range(x.shape[1]):
            for _ in range(int(exponents[c, j])):
                out[:, c] = out[:, c] * x[:, j]
    return out


def resample_rows_np(
    firm_start: np.ndarray, firm_count: np.ndarray, draw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.resample_nb.resample_rows_nb`."""
    counts = firm_count[draw]
    codes = np.repeat(np.arange(draw.shape[0], dtype=np.int64), counts)
    starts = np.repeat(firm_start[draw], counts)
    offsets = np.arange(codes.shape[0], dtype=np.int64) - np.repeat(
        np.cumsum(counts) - counts, counts
    )
    return (starts + offsets).astype(np.int64), codes


def _markov_h(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    degree: int,
    centre: float,
    scale: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = phi - x @ beta
    v = ((phil - xl @ beta) - centre) / scale
    powers = v[:, None] ** np.arange(degree + 1)[None, :]
    return w, v, np.column_stack([powers, cl])


def lag_centre_scale_np(
    phil: np.ndarray, xl: np.ndarray, beta: np.ndarray
) -> tuple[float, float]:
    """NumPy twin of :func:`tfp._kernels.markov_nb.lag_centre_scale_nb`."""
    if phil.shape[0] == 0:
        return 0.0, 0.0
    wl = phil - xl @ beta
    return float(wl.mean()), float(wl.std())


def markov_gram_np(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    degree: int,
    centre: float,
    scale: float,
) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.markov_nb.markov_gram_nb`."""
    w, _, h = _markov_h(phi, phil, x, xl, cl, beta, degree, centre, scale)
    return h.T @ h, h.T @ w


def markov_moments_np(
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.markov_nb.markov_moments_nb`."""
    w, v, h = _markov_h(phi, phil, x, xl, cl, beta, degree, centre, scale)
    xi = w - h @ rho
    q, p, nh = z.shape[1], x.shape[1], h.shape[1]
    if not grad:
        return (
            z.T @ xi,
            np.zeros((q, p)),
            np.zeros((nh, p)),
            np.zeros((q, nh)),
            np.zeros((nh, p)),
        )
    k = np.arange(1, degree + 1)
    gp = (k * rho[1 : degree + 1] * v[:, None] ** (k - 1)[None, :]).sum(axis=1) / scale
    a = -x + xl * gp[:, None]
    e = np.zeros((nh, p))
    for kk in range(1, degree + 1):
        e[kk] = -(kk * v ** (kk - 1) * xi / scale) @ xl
    return z.T @ xi, z.T @ a, h.T @ a, z.T @ h, e


def markov_xi_np(
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
) -> np.ndarray:
    """NumPy twin of :func:`tfp._kernels.markov_nb.markov_xi_nb`."""
    w, _, h = _markov_h(phi, phil, x, xl, cl, beta, degree, centre, scale)
    return w - h @ rho


def cf_second_stage_np(
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
]:
    """NumPy twin of :func:`tfp._kernels.stacked_nb.cf_second_stage_nb`."""
    n2 = v.shape[0]
    two = exps.shape[1] == 2
    u = np.column_stack([v, p]) if two else v[:, None]

    def basis(wrt: tuple[int, ...]) -> np.ndarray:
        e = np.array(exps, dtype=np.int64, copy=True)
        mult = np.ones(e.shape[0])
        for j in wrt:
            mult *= e[:, j]
            e[:, j] = np.maximum(e[:, j] - 1, 0)
        scale = spread ** sum(1 for j in wrt if j == 0)
        return poly_basis_np(u, e) * mult[None, :] / scale

    hmat, hv, hvv = basis(()), basis((0,)), basis((0, 0))
    zero = np.zeros_like(hmat)
    hp = basis((1,)) if two else zero
    hvp = basis((0, 1)) if two else zero
    h = hmat.shape[1]
    nt = xs.shape[1]
    h_w, h_pg, hvv_g, hvp_g = hv @ g, hp @ g, hvv @ g, hvp @ g
    r3 = omega - hmat @ g
    xi = ytil - hmat @ g

    def o(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a[:, :, None] * b[:, None, :]).reshape(n2, -1)

    if z.shape[1] == 0:
        dt = -xs + h_w[:, None] * xs_l - hmat @ gm
        hv_g, hp_g = hv @ gm, hp @ gm
        o_hv_xs = o(hv, xs_l)
        rows = np.hstack(
            [dt * xi[:, None], hmat * r3[:, None], o(hmat, dt) - r3[:, None] * o_hv_xs]
        )
        lw = np.hstack([np.zeros((n2, nt)), hmat, -o_hv_xs])
        lwl = np.hstack(
            [
                -dt * h_w[:, None] + xi[:, None] * (xs_l * hvv_g[:, None] - hv_g),
                hv * r3[:, None] - hmat * h_w[:, None],
                o(hv, dt)
                + o(hmat, xs_l * hvv_g[:, None] - hv_g)
                + o_hv_xs * h_w[:, None]
                - o(hvv * r3[:, None], xs_l),
            ]
        )
        ly = np.hstack([dt, np.zeros((n2, h + h * nt))])
        lp = np.hstack(
            [
                -dt * h_pg[:, None] + xi[:, None] * (xs_l * hvp_g[:, None] - hp_g),
                hp * r3[:, None] - hmat * h_pg[:, None],
                o(hp, dt)
                + o(hmat, xs_l * hvp_g[:, None] - hp_g)
                + o_hv_xs * h_pg[:, None]
                - o(hvp * r3[:, None], xs_l),
            ]
        )
        j_g = np.vstack(
            [
                -(dt.T @ hmat) + (xs_l * xi[:, None]).T @ hv,
                -(hmat.T @ hmat),
                o(hmat, xs_l).T @ hv + o_hv_xs.T @ hmat,
            ]
        )
    else:
        rows = np.hstack([z * xi[:, None], hmat * r3[:, None]])
        lw = np.hstack([np.zeros_like(z), hmat])
        lwl = np.hstack([-z * h_w[:, None], hv * r3[:, None] - hmat * h_w[:, None]])
        ly = np.hstack([z, np.zeros_like(hmat)])
        lp = np.hstack([-z * h_pg[:, None], hp * r3[:, None] - hmat * h_pg[:, None]])
        j_g = np.vstack([-(z.T @ hmat), -(hmat.T @ hmat)])
    m = rows.shape[1]
    mom = np.zeros((n_firms, m))
    np.add.at(mom, firm, rows)
    scat_w = np.zeros((n_rows, m))
    np.add.at(scat_w, cur, lw)
    np.add.at(scat_w, prev, lwl)
    scat_y = np.zeros((n_rows, m))
    np.add.at(scat_y, cur, ly)
    scat_p = np.zeros((n_rows, m) if two else (0, m))
    if two:
        np.add.at(scat_p, prev, lp * dens[:, None])
    j_theta = -((lw + ly).T @ xs) - lwl.T @ xs_l
    return mom, scat_w, scat_y, scat_p, j_theta, j_g, hmat.T @ xi, hmat.T @ hmat


def first_stage_sums_np(
    a: np.ndarray,
    e: np.ndarray,
    firm: np.ndarray,
    n_firms: int,
    left: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.stacked_nb.first_stage_sums_nb`."""
    sums = np.zeros((n_firms, a.shape[1]))
    np.add.at(sums, firm, a * e[:, None])
    return sums, left.T @ a


def markov_rho_np(
    hh: np.ndarray, hw: np.ndarray, rcond: float
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.markov_nb.markov_rho_nb`."""
    h = hh.shape[0]
    if not np.all(np.isfinite(hh)):
        return 1, np.zeros(h), np.eye(h), np.ones(h)
    scale = np.sqrt(np.diag(hh))
    if np.any(scale == 0):
        return 2, np.zeros(h), np.eye(h), np.ones(h)
    hs = hh / np.outer(scale, scale)
    sv = np.linalg.svd(hs, compute_uv=False)
    if sv[-1] / sv[0] < rcond:
        return 3, np.zeros(h), hs, scale
    return 0, np.linalg.solve(hs, hw / scale) / scale, hs, scale


def markov_eval_np(
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
) -> tuple[int, float, np.ndarray, np.ndarray, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.markov_nb.markov_eval_nb`."""
    n, p, q = phi.shape[0], x.shape[1], z.shape[1]
    centre, scale = 0.0, 1.0
    if standardize:
        centre, scale = lag_centre_scale_np(phil, xl, beta)
        if not (scale > 0.0 and np.isfinite(scale)):
            scale = 1.0
    hh, hw = markov_gram_np(phi, phil, x, xl, cl, beta, degree, centre, scale)
    status, rho, hs, dscale = markov_rho_np(hh, hw, rcond)
    if status != 0:
        return status, float("inf"), np.zeros(q), np.zeros((q, p)), rho
    zxi, za, ha, zh, e = markov_moments_np(
        phi, phil, x, xl, cl, z, beta, rho, degree, centre, scale, jac
    )
    g = zxi / n
    val = float(g @ weight @ g)
    if not jac:
        return 0, val, g, np.zeros((q, p)), rho
    sol = np.linalg.solve(hs, (ha + e) / dscale[:, None]) / dscale[:, None]
    return 0, val, g, (za - zh @ sol) / n, rho


def solve_small_np(a: np.ndarray, b: np.ndarray) -> tuple[bool, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.control_nb.solve_small_nb`."""
    try:
        return True, np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        return False, np.zeros(a.shape[0])


def _cf_law_np(
    phi: np.ndarray,
    phil: np.ndarray,
    xf: np.ndarray,
    xfl: np.ndarray,
    xs: np.ndarray,
    xsl: np.ndarray,
    prob: np.ndarray,
    beta_f: np.ndarray,
    theta: np.ndarray,
    exps: np.ndarray,
) -> tuple[int, np.ndarray, np.ndarray, float, np.ndarray, np.ndarray, np.ndarray]:
    """``(status, X_F β_F + X_S θ, ω, sd of ω₋, (v, P) columns, H, ĝ)`` of the control_nb
    kernels' law of motion (status 1: ``ω₋`` without spread, 2: singular normal equations;
    the arrays after the status are then empty)."""
    fitted = xf @ beta_f + xs @ theta
    omega = phi - fitted
    omega_lag = phil - xfl @ beta_f - xsl @ theta
    centre = float(omega_lag.mean())
    spread = float(omega_lag.std())
    empty = np.zeros(0)
    if not (np.isfinite(spread) and spread > 0.0):
        return 1, empty, empty, spread, empty, empty, empty
    v = (omega_lag - centre) / spread
    cols = v[:, None] if prob.shape[1] == 0 else np.column_stack([v, prob[:, 0]])
    h = poly_basis_np(np.ascontiguousarray(cols), exps)
    ok, g = solve_small_np(h.T @ h, h.T @ omega)
    if not ok:
        return 2, empty, empty, spread, empty, empty, empty
    return 0, fitted, omega, spread, cols, h, g


def cf_criterion_np(
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
) -> tuple[int, float, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.control_nb.cf_criterion_nb`."""
    status, fitted, _, _, _, h, g = _cf_law_np(
        phi, phil, xf, xfl, xs, xsl, prob, beta_f, theta, exps
    )
    if status != 0:
        return status, float("inf"), np.zeros(exps.shape[0])
    xi = y - fitted - h @ g
    n = xi.shape[0]
    if z.shape[1] == 0:
        val = float(xi @ xi) / n
    else:
        m = z.T @ xi / n
        val = float(m @ w @ m)
    return 0, (val if np.isfinite(val) else float("inf")), g


def cf_gradient_np(
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
) -> tuple[int, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.control_nb.cf_gradient_nb`."""
    status, fitted, omega, spread, cols, h, g = _cf_law_np(
        phi, phil, xf, xfl, xs, xsl, prob, beta_f, theta, exps
    )
    if status != 0:
        return status, np.zeros(xs.shape[1])
    # ∂H/∂v: k v^(k-1) (times the power of P), column by column
    dh = np.zeros_like(h)
    for k, e in enumerate(exps):
        if e[0] > 0:
            lower = e.copy()
            lower[0] -= 1
            dh[:, k] = e[0] * np.prod(cols ** lower[None, :], axis=1)
    e_res = omega - h @ g
    xi = y - fitted - h @ g
    n = xi.shape[0]
    t = xi if z.shape[1] == 0 else z @ (w @ (z.T @ xi / n))
    ok, u = solve_small_np(h.T @ h, h.T @ t)
    if not ok:
        return 2, np.zeros(xs.shape[1])
    t_res = t - h @ u
    c2 = (t_res * (dh @ g) + e_res * (dh @ u)) / spread
    return 0, (c2 @ xsl - t_res @ xs) * (2.0 / n)


def cf_nelder_mead_np(
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
) -> tuple[np.ndarray, float, int, int, int]:
    """NumPy twin of :func:`tfp._kernels.control_nb.cf_nelder_mead_nb` (SciPy's loop)."""
    args = (phi, phil, y, xf, xfl, xs, xsl, prob, z, w, beta_f)

    def f(theta: np.ndarray) -> float:
        return cf_criterion_np(*args, np.ascontiguousarray(theta), exps)[1]

    n = x0.shape[0]
    sim = np.empty((n + 1, n))
    sim[0] = x0
    for k in range(n):
        v = np.array(x0, copy=True)
        v[k] = (1 + 0.05) * v[k] if v[k] != 0 else 0.00025
        sim[k + 1] = v
    fsim = np.array([f(s) for s in sim])
    nfev = n + 1
    order = np.argsort(fsim, kind="stable")
    sim, fsim = sim[order], fsim[order]
    it = 1
    while it < maxiter:
        if (
            np.max(np.abs(sim[1:] - sim[0])) <= xatol
            and np.max(np.abs(fsim[0] - fsim[1:])) <= fatol
        ):
            break
        xbar = np.add.reduce(sim[:-1], 0) / n
        xr = 2 * xbar - sim[-1]
        fxr = f(xr)
        nfev += 1
        shrink = False
        if fxr < fsim[0]:
            xe = 3 * xbar - 2 * sim[-1]
            fxe = f(xe)
            nfev += 1
            sim[-1], fsim[-1] = (xe, fxe) if fxe < fxr else (xr, fxr)
        elif fxr < fsim[-2]:
            sim[-1], fsim[-1] = xr, fxr
        elif fxr < fsim[-1]:
            xc = 1.5 * xbar - 0.5 * sim[-1]
            fxc = f(xc)
            nfev += 1
            if fxc <= fxr:
                sim[-1], fsim[-1] = xc, fxc
            else:
                shrink = True
        else:
            xcc = 0.5 * xbar + 0.5 * sim[-1]
            fxcc = f(xcc)
            nfev += 1
            if fxcc < fsim[-1]:
                sim[-1], fsim[-1] = xcc, fxcc
            else:
                shrink = True
        if shrink:
            for j in range(1, n + 1):
                sim[j] = sim[0] + 0.5 * (sim[j] - sim[0])
                fsim[j] = f(sim[j])
                nfev += 1
        it += 1
        order = np.argsort(fsim, kind="stable")
        sim, fsim = sim[order], fsim[order]
    return sim[0].copy(), float(np.min(fsim)), it, nfev, 2 if it >= maxiter else 0


def markov_bfgs_np(
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
) -> tuple[np.ndarray, float, int, int, int]:
    """Twin of :func:`tfp._kernels.bfgs_nb.markov_bfgs_nb`: SciPy's BFGS itself."""
    from scipy.optimize import minimize

    eye = np.eye(z.shape[1])

    def crit(u: np.ndarray) -> tuple[float, np.ndarray]:
        status, val, g, jac, _ = markov_eval_np(
            phi,
            phil,
            x,
            xl,
            cl,
            z,
            eye if root else amat,
            t @ u,
            degree,
            standardize,
            rcond,
            True,
        )
        if status != 0:
            return float("inf"), np.zeros(u.shape[0])
        if root:
            m = amat @ g
            f = float(m @ m) * scale
            grad = ((2.0 * ((amat @ jac).T @ m)) @ t) * scale
        else:
            f = val * scale
            grad = ((2.0 * (jac.T @ (amat @ g))) @ t) * scale
        if not (np.isfinite(f) and np.all(np.isfinite(grad))):
            return float("inf"), np.zeros(u.shape[0])
        return f, grad

    r = minimize(
        crit,
        u0,
        jac=True,
        method="BFGS",
        options={"gtol": gtol, "xrtol": xrtol, "maxiter": maxiter},
    )
    return np.asarray(r.x), float(r.fun), int(r.nit), int(r.nfev), int(r.status)
