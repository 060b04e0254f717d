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
