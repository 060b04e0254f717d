"""The OP/LP second-stage kernel agrees with its NumPy twin (``nojit``: also without JIT)."""

from __future__ import annotations

import numpy as np
import pytest

from tfp._kernels import reference
from tfp._kernels.stacked_nb import cf_second_stage_nb, first_stage_sums_nb
from tfp.numerics.poly import exponent_table

# Kernel vs twin: the same sums in another order (loops vs BLAS and np.add.at) over a few
# hundred well-scaled rows, so agreement is to rounding.
RTOL_KERNEL = 1e-12

pytestmark = pytest.mark.nojit


def _inputs(exit_on: bool, gross: bool, seed: int) -> tuple[object, ...]:
    rng = np.random.default_rng(seed)
    n1, n_firms, nt, q = 300, 60, 2, 2
    firm_all = np.sort(rng.integers(0, n_firms, n1))
    cur = np.flatnonzero(np.r_[False, firm_all[1:] == firm_all[:-1]])
    prev = cur - 1
    n2 = cur.size
    exps = np.ascontiguousarray(exponent_table(2 if exit_on else 1, 3), dtype=np.int64)
    h = exps.shape[0]
    return (
        rng.normal(size=n2),
        rng.uniform(0.05, 0.3, n2),
        exps,
        0.7,
        rng.normal(size=h),
        rng.normal(size=(h, nt)) * 0.1,
        rng.normal(size=n2),
        rng.normal(size=n2),
        rng.normal(size=(n2, nt)),
        rng.normal(size=(n2, nt)),
        rng.normal(size=(n2, q)) if gross else np.empty((n2, 0)),
        rng.uniform(0.1, 0.4, n2),
        cur.astype(np.int64),
        prev.astype(np.int64),
        firm_all[cur].astype(np.int64),
        n1,
        n_firms,
    )


@pytest.mark.parametrize("exit_on", [False, True])
@pytest.mark.parametrize("gross", [False, True])
def test_cf_second_stage_matches_reference(exit_on: bool, gross: bool) -> None:
    args = _inputs(exit_on, gross, seed=3)
    got = cf_second_stage_nb(*args)  # type: ignore[arg-type]
    want = reference.cf_second_stage_np(*args)  # type: ignore[arg-type]
    assert len(got) == len(want) == 8
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        scale = max(float(np.abs(w).max()) if w.size else 0.0, 1.0)
        np.testing.assert_allclose(g, w, rtol=RTOL_KERNEL, atol=RTOL_KERNEL * scale)


def test_first_stage_sums_matches_reference() -> None:
    rng = np.random.default_rng(8)
    n, p, m, n_firms = 400, 7, 5, 50
    a = rng.normal(size=(n, p))
    e = rng.normal(size=n)
    firm = np.sort(rng.integers(0, n_firms, n)).astype(np.int64)
    left = rng.normal(size=(n, m))
    got = first_stage_sums_nb(a, e, firm, n_firms, left)
    want = reference.first_stage_sums_np(a, e, firm, n_firms, left)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=RTOL_KERNEL, atol=RTOL_KERNEL * 10)
