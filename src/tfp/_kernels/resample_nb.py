"""Bootstrap resample expansion: drawn firms -> panel rows, with fresh firm codes."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def resample_rows_nb(
    firm_start: np.ndarray, firm_count: np.ndarray, draw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - jitted
    """Rows of the drawn firms, in draw order, and the new firm code (draw position) of each.

    ``firm_start[g]``/``firm_count[g]``: first row and row count of firm ``g`` in a
    (firm, time)-sorted panel. ``draw``: firm codes drawn with replacement.
    """
    total = 0
    for p in range(draw.shape[0]):
        total += firm_count[draw[p]]
    rows = np.empty(total, dtype=np.int64)
    codes = np.empty(total, dtype=np.int64)
    pos = 0
    for p in range(draw.shape[0]):
        g = draw[p]
        s = firm_start[g]
        for r in range(firm_count[g]):
            rows[pos] = s + r
            codes[pos] = p
            pos += 1
    return rows, codes
