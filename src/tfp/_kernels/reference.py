"""NumPy twins of the numba kernels, one per kernel with the same signature and result.

They are the readable specification of each kernel and the reference in its tests.
"""

from __future__ import annotations

import numpy as np


def lag_index_nb(firm: np.ndarray, time: np.ndarray, k: int) -> np.ndarray:
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


def poly_basis_nb(x: np.ndarray, exponents: np.ndarray) -> np.ndarray:
    """NumPy twin of :func:`tfp._kernels.poly_nb.poly_basis_nb`."""
    n = x.shape[0]
    out = np.ones((n, exponents.shape[0]), dtype=np.float64)
    for c in range(exponents.shape[0]):
        for j in range(x.shape[1]):
            for _ in range(int(exponents[c, j])):
                out[:, c] = out[:, c] * x[:, j]
    return out
