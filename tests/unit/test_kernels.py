"""Every numba kernel agrees with its NumPy twin in ``tfp._kernels.reference``.

Marked ``nojit``: CI also runs these with NUMBA_DISABLE_JIT=1 so the kernels' Python bodies
are exercised (coverage) and still agree.
"""

from __future__ import annotations

import numpy as np
import pytest

from tfp._kernels import reference
from tfp._kernels.panel_nb import lag_index_nb
from tfp._kernels.poly_nb import poly_basis_nb
from tfp._kernels.resample_nb import resample_rows_nb
from tfp.numerics.poly import exponent_table

# Kernel vs twin: same arithmetic in the same order, so agreement is to rounding.
RTOL_KERNEL = 1e-12

pytestmark = pytest.mark.nojit


def _sorted_panel(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    firms, times = [], []
    for f in range(60):
        t = np.sort(
            rng.choice(np.arange(2000, 2015), size=rng.integers(1, 10), replace=False)
        )
        firms += [f] * len(t)
        times += list(t)
    return np.asarray(firms, dtype=np.int64), np.asarray(times, dtype=np.int64)


@pytest.mark.parametrize("k", [1, 2, 3, -1, -2, 0])
@pytest.mark.parametrize("seed", [0, 1])
def test_lag_index_matches_reference(k: int, seed: int) -> None:
    firm, time = _sorted_panel(seed)
    np.testing.assert_array_equal(
        lag_index_nb(firm, time, k), reference.lag_index_np(firm, time, k)
    )


def test_lag_index_brute_force() -> None:
    firm, time = _sorted_panel(5)
    got = lag_index_nb(firm, time, 1)
    for i in range(firm.shape[0]):
        match = np.flatnonzero((firm == firm[i]) & (time == time[i] - 1))
        assert got[i] == (match[0] if match.size else -1)


@pytest.mark.parametrize(("p", "degree"), [(1, 3), (2, 2), (3, 3)])
def test_poly_basis_matches_reference(p: int, degree: int) -> None:
    x = np.random.default_rng(p).normal(size=(200, p))
    e = np.ascontiguousarray(exponent_table(p, degree))
    np.testing.assert_allclose(
        poly_basis_nb(x, e), reference.poly_basis_np(x, e), rtol=RTOL_KERNEL
    )


def test_resample_rows_matches_reference() -> None:
    counts = np.array([3, 1, 4, 2], dtype=np.int64)
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    draw = np.array([2, 2, 0, 3], dtype=np.int64)
    rows, codes = resample_rows_nb(starts, counts, draw)
    r_rows, r_codes = reference.resample_rows_np(starts, counts, draw)
    np.testing.assert_array_equal(rows, r_rows)
    np.testing.assert_array_equal(codes, r_codes)
    np.testing.assert_array_equal(rows, [4, 5, 6, 7, 4, 5, 6, 7, 0, 1, 2, 8, 9])
    np.testing.assert_array_equal(codes, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3])


def test_every_kernel_has_a_numpy_twin() -> None:
    import importlib
    import inspect
    import pkgutil

    import tfp._kernels

    kernels = [
        name
        for mod in pkgutil.iter_modules(tfp._kernels.__path__)
        if mod.name.endswith("_nb")
        for name, _ in inspect.getmembers(
            importlib.import_module(f"tfp._kernels.{mod.name}")
        )
        if name.endswith("_nb")
    ]
    assert len(kernels) >= 6
    missing = [
        k for k in kernels if not callable(getattr(reference, k[:-3] + "_np", None))
    ]
    assert not missing, f"kernels without a NumPy twin in reference.py: {missing}"
    assert not [n for n in dir(reference) if n.endswith("_nb")]  # twins are named *_np
