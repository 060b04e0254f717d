"""The stacked two-step sandwich (``tfp.numerics.stacked``) against brute-force formulas.

The stage-by-stage influence recursion must equal the textbook sandwich of the whole stack,
``(AJ)^{-1} A Ω A' (AJ)^{-T}`` with the full (block lower-triangular) Jacobian, the full
selection and the firm-clustered ``Ω``, built here with dense matrices.
"""

from __future__ import annotations

import numpy as np
import pytest

from tfp.exceptions import IdentificationError
from tfp.numerics.poly import exponent_table, poly_basis, poly_derivative_basis
from tfp.numerics.stacked import (
    ReportedCovariance,
    StackedStage,
    concentrated_gmm_selection,
    firm_sums,
    orthonormalizing_map,
    stacked_covariance,
)

# Recursion vs dense sandwich: the same linear algebra in another order (solves of 2-5
# dimensional systems with condition numbers < 1e3), so agreement is to rounding.
RTOL_ALGEBRA = 1e-10
# Nested central differences of a cubic with step 1e-4: truncation ~1e-8 (zero for the
# first derivative of a cubic's quadratic terms) and rounding ~1e-16/1e-8 = 1e-8.
STEP_FD = 1e-4
# a Cholesky factor of a Gram matrix with condition ~1e12 is accurate to ~1e-16·1e12 in the
# orthogonality of the new basis; 1e-3 is far from the 1 of a failed orthonormalisation
RTOL_ORTHO = 1e-3
RTOL_FD = 1e-6


def _panel(n_firms: int = 80, seed: int = 0) -> tuple[np.ndarray, np.random.Generator]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 7, n_firms)
    return np.repeat(np.arange(n_firms), sizes), rng


def test_firm_sums_adds_within_firms_and_leaves_absent_firms_at_zero() -> None:
    firm = np.array([0, 0, 2, 2, 2, 3])
    scores = np.arange(12.0).reshape(6, 2)
    out = firm_sums(scores, firm, 5)
    expected = np.array([[2.0, 4.0], [0.0, 0.0], [18.0, 21.0], [10.0, 11.0], [0, 0]])
    np.testing.assert_array_equal(out, expected)


def _two_step_ols() -> tuple[list[StackedStage], np.ndarray, np.ndarray]:
    """Generated regressor: x̂ = Zπ (stage 1), y on (1, x̂) (stage 2); returns the stages,
    the dense Jacobian and the dense per-firm scores."""
    firm, rng = _panel()
    n, g = firm.size, int(firm.max()) + 1
    z = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    x = z @ [0.5, 1.0, -0.7] + rng.normal(size=n) + 0.3 * rng.normal(size=g)[firm]
    pi = np.linalg.lstsq(z, x, rcond=None)[0]
    xhat = z @ pi
    d = np.column_stack([np.ones(n), xhat])
    y = d @ [1.0, 2.0] + rng.normal(size=n) + 0.5 * rng.normal(size=g)[firm]
    b = np.linalg.lstsq(d, y, rcond=None)[0]
    e1 = x - z @ pi
    e2 = y - d @ b
    psi1 = firm_sums(z * e1[:, None], firm, g)
    psi2 = firm_sums(d * e2[:, None], firm, g)
    j11 = -(z.T @ z)
    # ∂/∂π Σ d e2 with d = (1, Zπ): Σ [0; z'] e2 − Σ d (b_1 z)'
    j21 = -(d.T @ (b[1] * z))
    j21[1] += z.T @ e2
    j22 = -(d.T @ d)
    stages = [
        StackedStage("first", psi1, [j11]),
        StackedStage("second", psi2, [j21, j22]),
    ]
    jac = np.block([[j11, np.zeros((3, 2))], [j21, j22]])
    return stages, jac, np.hstack([psi1, psi2])


def test_recursion_equals_dense_sandwich_of_a_generated_regressor() -> None:
    stages, jac, psi = _two_step_ols()
    cov = stacked_covariance(stages)
    g = psi.shape[0]
    jinv = np.linalg.inv(jac)
    dense = jinv @ (psi.T @ psi) @ jinv.T * g / (g - 1)
    np.testing.assert_allclose(cov.vcov, dense, rtol=RTOL_ALGEBRA, atol=1e-14)
    # the exact solution: the Newton step of the whole system is zero
    np.testing.assert_allclose(cov.newton_step, 0.0, atol=1e-10)
    assert cov.offsets == (0, 3, 5)
    assert cov.n_clusters == g


def test_first_stage_uncertainty_matters_and_is_carried() -> None:
    # ignoring the first stage (naive second-stage sandwich) gives another answer
    stages, _, _ = _two_step_ols()
    cov = stacked_covariance(stages)
    naive = stacked_covariance(
        [StackedStage("second", stages[1].scores, [stages[1].jacobian[1]])]
    )
    assert not np.allclose(cov.vcov[3:, 3:], naive.vcov, rtol=0.01)


def test_selection_equals_dense_gmm_sandwich() -> None:
    # an over-identified linear GMM stage (4 instruments, 2 coefficients b) with a nuisance c
    # concentrated out by its own normal equations, against the dense formula
    firm, rng = _panel(seed=3)
    n, g = firm.size, int(firm.max()) + 1
    z = rng.normal(size=(n, 4))
    x = z[:, :2] + 0.5 * rng.normal(size=(n, 2))
    h = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = x @ [1.0, -1.0] + h @ [0.2, 0.3] + rng.normal(size=n)
    w = np.linalg.inv(z.T @ z / n)
    m_h = np.eye(n) - h @ np.linalg.solve(h.T @ h, h.T)
    xt, yt = m_h @ x, m_h @ y
    b = np.linalg.solve(xt.T @ z @ w @ z.T @ xt, xt.T @ z @ w @ z.T @ yt)
    c = np.linalg.solve(h.T @ h, h.T @ (y - x @ b))
    e = y - x @ b - h @ c
    scores = firm_sums(np.hstack([z * e[:, None], h * e[:, None]]), firm, g)
    jac = -(np.vstack([z.T, h.T]) @ np.hstack([x, h]))
    sel = concentrated_gmm_selection(
        jac[:4, :2], jac[:4, 2:], jac[4:, :2], jac[4:, 2:], w
    )
    cov = stacked_covariance([StackedStage("gmm", scores, [jac], sel)])
    aj = np.linalg.inv(sel @ jac)
    dense = aj @ sel @ (scores.T @ scores) @ sel.T @ aj.T * g / (g - 1)
    np.testing.assert_allclose(cov.vcov, dense, rtol=RTOL_ALGEBRA)
    # the estimate solves the selected equations
    assert np.abs(cov.newton_step).max() < 1e-10


def test_reported_covariance_takes_positions_and_measures_the_step() -> None:
    stages, _, _ = _two_step_ols()
    cov = stacked_covariance(stages)
    rep = ReportedCovariance.take(cov, [4, 3])
    np.testing.assert_array_equal(rep.vcov, cov.vcov[np.ix_([4, 3], [4, 3])])
    assert rep.step_ratio < 1e-8
    # moved away from the solution by 0.5 standard errors: the step says so
    shifted = [
        stages[0],
        StackedStage(
            "second",
            stages[1].scores
            + (stages[1].jacobian[1] @ np.array([0.0, 1.0]))
            * (0.5 * np.sqrt(cov.vcov[4, 4]))
            / stages[1].scores.shape[0],
            stages[1].jacobian,
        ),
    ]
    ratio = ReportedCovariance.take(stacked_covariance(shifted), [4]).step_ratio
    # (the shift also enters the uncentred meat, by 0.25/G of the variance: 0.2 %)
    assert ratio == pytest.approx(0.5, rel=0.01)


def test_singular_stage_raises_identification_error() -> None:
    stages, _, _ = _two_step_ols()
    bad = StackedStage(
        "second stage", stages[1].scores, [stages[1].jacobian[0], np.ones((2, 2))]
    )
    with pytest.raises(IdentificationError, match="second stage are singular"):
        stacked_covariance([stages[0], bad])


@pytest.mark.parametrize("wrt", [(), (0,), (1,), (0, 0), (0, 1)])
def test_poly_derivative_basis_matches_finite_differences(wrt: tuple[int, ...]) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 2))
    exps = exponent_table(2, 3)
    c = rng.normal(size=exps.shape[0])
    got = poly_derivative_basis(x, exps, wrt) @ c

    def value(xx: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
        if not order:
            return np.asarray(poly_basis(xx, 3) @ c)
        up, down = xx.copy(), xx.copy()
        up[:, order[-1]] += STEP_FD
        down[:, order[-1]] -= STEP_FD
        return (value(up, order[:-1]) - value(down, order[:-1])) / (2 * STEP_FD)

    np.testing.assert_allclose(got, value(x, wrt), rtol=RTOL_FD, atol=RTOL_FD)


def test_poly_derivative_basis_mixed_order_does_not_matter() -> None:
    x = np.random.default_rng(4).normal(size=(30, 3))
    exps = exponent_table(3, 4)
    np.testing.assert_array_equal(
        poly_derivative_basis(x, exps, (0, 2, 2)),
        poly_derivative_basis(x, exps, (2, 0, 2)),
    )


@pytest.mark.parametrize("degree", [2, 3, 4])
def test_orthonormalizing_map_gives_orthonormal_columns(degree: int) -> None:
    # raw monomials of log capital-like values (mean 8): condition numbers up to ~1e12
    rng = np.random.default_rng(5)
    x = np.column_stack([8 + rng.normal(size=500), 3 + rng.normal(size=500)])
    a = poly_basis(x, degree)
    t = orthonormalizing_map(a)
    q = a @ t / np.sqrt(a.shape[0])
    np.testing.assert_allclose(q.T @ q, np.eye(a.shape[1]), atol=RTOL_ORTHO)
