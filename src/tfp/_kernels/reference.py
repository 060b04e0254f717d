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


def _acf_h(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    degree: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = phi - x @ beta
    wl = phil - xl @ beta
    powers = wl[:, None] ** np.arange(degree + 1)[None, :]
    return w, wl, np.column_stack([powers, cl])


def acf_gram_np(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    degree: int,
) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.gmm_nb.acf_gram_nb`."""
    w, _, h = _acf_h(phi, phil, x, xl, cl, beta, degree)
    return h.T @ h, h.T @ w


def acf_moments_np(
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NumPy twin of :func:`tfp._kernels.gmm_nb.acf_moments_nb`."""
    w, wl, h = _acf_h(phi, phil, x, xl, cl, beta, degree)
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
    gp = (k * rho[1 : degree + 1] * wl[:, None] ** (k - 1)[None, :]).sum(axis=1)
    a = -x + xl * gp[:, None]
    e = np.zeros((nh, p))
    for kk in range(1, degree + 1):
        e[kk] = -(kk * wl ** (kk - 1) * xi) @ xl
    return z.T @ xi, z.T @ a, h.T @ a, z.T @ h, e


def acf_xi_np(
    phi: np.ndarray,
    phil: np.ndarray,
    x: np.ndarray,
    xl: np.ndarray,
    cl: np.ndarray,
    beta: np.ndarray,
    rho: np.ndarray,
    degree: int,
) -> np.ndarray:
    """NumPy twin of :func:`tfp._kernels.gmm_nb.acf_xi_nb`."""
    w, _, h = _acf_h(phi, phil, x, xl, cl, beta, degree)
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
