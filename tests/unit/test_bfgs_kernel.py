"""The compiled BFGS (``tfp._kernels.bfgs_nb``) against its twin, SciPy's BFGS itself.

Marked ``nojit``: CI also runs these with NUMBA_DISABLE_JIT=1.
"""

from __future__ import annotations

import numpy as np
import pytest

from tfp._kernels import bfgs_nb, reference
from tfp.numerics.markov_gmm import RCOND_SINGULAR

pytestmark = pytest.mark.nojit

# Same path as SciPy: the same iterations and evaluations, end points to rounding.
X_ATOL = 1e-9
# At a flat non-root minimum the line searches end on rounding noise (SciPy itself reports
# "precision loss" there): the end points agree to the width of the flat bottom.
FLAT_ATOL = 1e-5


def _problem(seed: int, n: int = 3000) -> tuple[np.ndarray, ...]:
    """An ACF-like just-identified problem (two coefficients, two instruments)."""
    rng = np.random.default_rng(seed)
    xl = rng.normal(size=(n, 2))
    x = 0.7 * xl + 0.5 * rng.normal(size=(n, 2))
    om_l = rng.normal(size=n)
    om = 0.1 + 0.7 * om_l + 0.05 * om_l**2 + 0.3 * rng.normal(size=n)
    beta = np.array([0.6, 0.3])
    z = np.ascontiguousarray(np.column_stack([xl[:, 0], x[:, 1]]))
    return om + x @ beta, om_l + xl @ beta, x, xl, np.empty((n, 0)), z


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("root", [False, True])
def test_bfgs_follows_scipy(seed: int, root: bool) -> None:
    phi, phil, x, xl, cl, z = _problem(seed)
    rng = np.random.default_rng(seed + 10)
    a = rng.normal(size=(2, 2))
    amat = a @ a.T + np.eye(2)
    t = np.array([[1.0, 0.2], [0.0, 0.8]])  # a linear reparametrisation c = T u
    u0 = np.array([0.2, 0.2])
    args = (phi, phil, x, xl, cl, z, 2, root, RCOND_SINGULAR, amat, root, t, 1.7)
    u1, f1, it1, ne1, s1 = bfgs_nb.markov_bfgs_nb(*args, u0.copy(), 1e-9, 1e-12, 500)
    u2, f2, it2, ne2, s2 = reference.markov_bfgs_np(*args, u0.copy(), 1e-9, 1e-12, 500)
    assert f1 == pytest.approx(f2, rel=1e-9, abs=1e-20)
    if f2 < 1e-20:  # a root: the same steps all the way
        assert (it1, ne1, s1) == (it2, ne2, s2)
        np.testing.assert_allclose(u1, u2, rtol=0.0, atol=X_ATOL)
    else:  # a flat local minimum: the last steps are rounding noise on either side
        np.testing.assert_allclose(u1, u2, rtol=0.0, atol=FLAT_ATOL)


def test_bfgs_reports_scipy_status_codes() -> None:
    phi, phil, x, xl, cl, z = _problem(3)
    args = (phi, phil, x, xl, cl, z, 2, False, RCOND_SINGULAR, np.eye(2), False)
    out = bfgs_nb.markov_bfgs_nb(
        *args, np.eye(2), 1.0, np.array([0.2, 0.2]), 1e-9, 0.0, 2
    )
    assert out[2] == 2 and out[4] == bfgs_nb.BFGS_MAXITER
    ref = reference.markov_bfgs_np(
        *args, np.eye(2), 1.0, np.array([0.2, 0.2]), 1e-9, 0.0, 2
    )
    assert ref[4] == bfgs_nb.BFGS_MAXITER
