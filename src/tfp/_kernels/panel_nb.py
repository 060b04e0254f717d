"""Panel kernels: gap-aware lag and lead positions on a (firm, time)-sorted panel."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def lag_index_nb(
    firm: np.ndarray, time: np.ndarray, k: int
) -> np.ndarray:  # pragma: no cover - jitted
    """Position of the same firm's row at ``time - k`` (``k`` may be negative for leads), or -1.

    ``firm`` and ``time`` must be sorted by (firm, time) with unique pairs.
    """
    n = firm.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        target = time[i] - k
        if k > 0:
            j = i - 1
            while j >= 0 and firm[j] == firm[i] and time[j] > target:
                j -= 1
            if j >= 0 and firm[j] == firm[i] and time[j] == target:
                out[i] = j
        elif k < 0:
            j = i + 1
            while j < n and firm[j] == firm[i] and time[j] < target:
                j += 1
            if j < n and firm[j] == firm[i] and time[j] == target:
                out[i] = j
        else:
            out[i] = i
    return out
