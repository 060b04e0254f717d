"""The concentrated-Markov GMM kernels (``tfp._kernels.markov_nb``) against their NumPy twins.

Marked ``nojit``: CI also runs these with NUMBA_DISABLE_JIT=1.
"""

from __future__ import annotations

import numpy as np
import pytest

from tfp._kernels import markov_nb, reference

# Kernel vs twin: the same arithmetic, sums in another order (blocks of rows, SIMD lanes vs
# NumPy's pairwise sums): agreement to rounding.
RTOL_KERNEL = 1e-12

# Analytic Jacobian vs central differences of the moments (step 1e-6: truncation ~1e-12,
# rounding ~1e-10 relative).
JAC_RTOL = 1e-6

pytestmark = pytest.mark.nojit


def _problem(seed: int, n: int, p: int, q: int, nc: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    xl = 0.8 * x + 0.3 * rng.normal(size=(n, p))
    omega_l = rng.normal(size=n)
    omega = 0.2 + 0.7 * omega_l + 0.1 * omega_l**2 + 0.3 * rng.normal(size=n)
    beta = np.linspace(0.6, 0.2, p)
    phi = omega + x @ beta
    phil = omega_l + xl @ beta
    cl = rng.normal(size=(n, nc))
    z = np.column_stack([xl[:, :q], x[:, : max(q - p, 0)]])[:, :q]
    return phi, phil, x, xl, np.ascontiguousarray(cl), np.ascontiguousarray(z)


def _close(a: np.ndarray, b: np.ndarray) -> None:
    b = np.asarray(b, dtype=np.float64)
    np.testing.assert_allclose(
        a, b, rtol=RTOL_KERNEL, atol=RTOL_KERNEL * np.abs(b).max(initial=1.0)
    )


SHAPES = [
    # (n, p, q, n_controls, degree): n not a multiple of the block size, ACF-like shapes,
    # a Markov control, more instruments than parameters.
    (1_037, 2, 2, 0, 3),
    (2_600, 3, 3, 0, 3),
    (777, 2, 3, 1, 2),
    (5, 1, 1, 0, 1),
]


@pytest.mark.parametrize(("n", "p", "q", "nc", "degree"), SHAPES)
@pytest.mark.parametrize("centre_scale", [(0.0, 1.0), (0.3, 1.7)])
def test_pieces_match_twins(
    n: int, p: int, q: int, nc: int, degree: int, centre_scale: tuple[float, float]
) -> None:
    phi, phil, x, xl, cl, z = _problem(n, n, p, q, nc)
    beta = np.linspace(0.5, 0.3, p)
    centre, scale = centre_scale
    args = (phi, phil, x, xl, cl)
    hh1, hw1 = markov_nb.markov_gram_nb(*args, beta, degree, centre, scale)
    hh2, hw2 = reference.markov_gram_np(*args, beta, degree, centre, scale)
    _close(hh1, hh2)
    _close(hw1, hw2)
    rho = np.linalg.solve(hh2, hw2)
    for grad in (True, False):
        out1 = markov_nb.markov_moments_nb(
            *args, z, beta, rho, degree, centre, scale, grad
        )
        out2 = reference.markov_moments_np(
            *args, z, beta, rho, degree, centre, scale, grad
        )
        for a1, a2 in zip(out1, out2, strict=True):
            _close(a1, a2)
    _close(
        markov_nb.markov_xi_nb(*args, beta, rho, degree, centre, scale),
        reference.markov_xi_np(*args, beta, rho, degree, centre, scale),
    )
    m1 = markov_nb.lag_centre_scale_nb(phil, xl, beta)
    m2 = reference.lag_centre_scale_np(phil, xl, beta)
    _close(np.array(m1), np.array(m2))


@pytest.mark.parametrize(("n", "p", "q", "nc", "degree"), SHAPES)
@pytest.mark.parametrize("standardize", [False, True])
def test_fused_evaluation_matches_twin_and_finite_differences(
    n: int, p: int, q: int, nc: int, degree: int, standardize: bool
) -> None:
    phi, phil, x, xl, cl, z = _problem(n + 1, n, p, q, nc)
    rng = np.random.default_rng(n)
    a = rng.normal(size=(q, q))
    weight = a @ a.T + q * np.eye(q)
    beta = np.linspace(0.5, 0.3, p)
    args = (phi, phil, x, xl, cl, z, weight)
    s1, v1, g1, j1, r1 = markov_nb.markov_eval_nb(
        *args, beta, degree, standardize, 1e-13, True
    )
    s2, v2, g2, j2, r2 = reference.markov_eval_np(
        *args, beta, degree, standardize, 1e-13, True
    )
    assert s1 == s2 == markov_nb.STATUS_OK
    _close(np.array([v1]), np.array([v2]))
    for a1, a2 in ((g1, g2), (j1, j2), (r1, r2)):
        _close(a1, a2)
    assert v1 == pytest.approx(float(g1 @ weight @ g1), rel=1e-14)
    # the Jacobian is the derivative of the moments (centre/scale move with beta but
    # span the same regressors, so they do not enter it)
    h = 1e-6
    for j in range(p):
        e = np.zeros(p)
        e[j] = h
        gp = markov_nb.markov_eval_nb(
            *args, beta + e, degree, standardize, 1e-13, False
        )
        gm = markov_nb.markov_eval_nb(
            *args, beta - e, degree, standardize, 1e-13, False
        )
        fd = (gp[2] - gm[2]) / (2 * h)
        np.testing.assert_allclose(
            j1[:, j], fd, rtol=JAC_RTOL, atol=JAC_RTOL * np.abs(fd).max()
        )


def test_standardisation_does_not_change_the_innovations() -> None:
    """Any centre and scale of ω₋ span the same law-of-motion regressors."""
    phi, phil, x, xl, cl, z = _problem(3, 900, 2, 2, 0)
    beta = np.array([0.55, 0.35])
    w = np.eye(2)
    raw = markov_nb.markov_eval_nb(
        phi, phil, x, xl, cl, z, w, beta, 3, False, 1e-13, True
    )
    std = markov_nb.markov_eval_nb(
        phi, phil, x, xl, cl, z, w, beta, 3, True, 1e-13, True
    )
    np.testing.assert_allclose(std[2], raw[2], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(std[3], raw[3], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("mutate", "status"),
    [
        ("nan", markov_nb.STATUS_NOT_FINITE),
        ("zero_control", markov_nb.STATUS_ZERO_COLUMN),
        ("collinear_control", markov_nb.STATUS_SINGULAR),
    ],
)
def test_unusable_law_of_motion_is_a_status(mutate: str, status: int) -> None:
    phi, phil, x, xl, cl, z = _problem(4, 300, 2, 2, 1)
    if mutate == "nan":
        phil = phil.copy()
        phil[7] = np.nan
    elif mutate == "zero_control":
        cl = np.zeros_like(cl)
    else:
        cl = np.ones_like(cl)  # the same column as the constant
    beta = np.array([0.5, 0.3])
    for kernel in (markov_nb.markov_eval_nb, reference.markov_eval_np):
        s, v, g, jac, _ = kernel(
            phi, phil, x, xl, cl, z, np.eye(2), beta, 2, False, 1e-13, True
        )
        assert s == status
        assert v == np.inf
        assert not g.any() and not jac.any()
