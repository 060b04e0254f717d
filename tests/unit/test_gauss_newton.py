"""Levenberg–Marquardt polish of GMM quadratic forms (``tfp.numerics.gauss_newton``)."""

from __future__ import annotations

import numpy as np
import pytest

from tfp.exceptions import SpecificationError
from tfp.numerics.gauss_newton import PolishResult, levenberg_marquardt
from tfp.numerics.optimize import minimize_multistart
from tfp.options import Optimizer

# At an exact root the criterion ends at the rounding floor of (1e-16)^2-sized moments.
ROOT_FLOOR = 1e-28
# Linear least squares: the polish and lstsq agree to rounding.
LINEAR_RTOL = 1e-10


def _root_problem(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """m(x) = (x0² − 2, x0·x1 − 1): root (√2, 1/√2)."""
    m = np.array([x[0] ** 2 - 2.0, x[0] * x[1] - 1.0])
    jac = np.array([[2.0 * x[0], 0.0], [x[1], x[0]]])
    return m, jac


def test_root_is_reached_quadratically() -> None:
    res = levenberg_marquardt(_root_problem, np.array([1.3, 0.8]))
    assert res.converged
    np.testing.assert_allclose(res.x, [np.sqrt(2.0), 1.0 / np.sqrt(2.0)], rtol=1e-14)
    assert res.fun <= ROOT_FLOOR
    assert res.n_evals <= 8  # Newton on m(x) = 0: a handful of steps


def test_weighted_linear_least_squares_is_one_step() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 3))
    b = rng.normal(size=6)
    c = rng.normal(size=(6, 6))
    w = c @ c.T + np.eye(6)

    def moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return a @ x - b, a

    res = levenberg_marquardt(moments, np.zeros(3), weight=w)
    exact = np.linalg.solve(a.T @ w @ a, a.T @ w @ b)
    np.testing.assert_allclose(res.x, exact, rtol=LINEAR_RTOL)
    r = a @ exact - b
    assert res.fun == pytest.approx(float(r @ w @ r), rel=LINEAR_RTOL)
    assert res.converged


def test_never_ends_above_its_start_and_counts_evaluations() -> None:
    """Rosenbrock as residuals (10(x1 − x0²), 1 − x0), from far away."""
    calls = []

    def moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(1)
        return (
            np.array([10.0 * (x[1] - x[0] ** 2), 1.0 - x[0]]),
            np.array([[-20.0 * x[0], 10.0], [-1.0, 0.0]]),
        )

    x0 = np.array([-1.2, 1.0])
    m0, _ = moments(x0)
    res = levenberg_marquardt(moments, x0)
    assert res.fun <= float(m0 @ m0)
    assert res.n_evals == len(calls) - 1
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-8)


def test_undefined_start() -> None:
    res = levenberg_marquardt(lambda x: None, np.array([1.0]))
    assert not res.converged and res.fun == np.inf and res.n_evals == 1


def test_undefined_region_is_stepped_around() -> None:
    """Where the moments are undefined (None), the step is damped until it is defined."""

    def moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if x[0] > 1.05:
            return None
        return np.array([x[0] - 2.0]), np.array([[1.0]])

    res = levenberg_marquardt(moments, np.array([0.0]))
    assert res.fun < 4.0  # moved downhill
    assert res.x[0] <= 1.05


def test_multistart_polish_lowers_the_criterion() -> None:
    def fun(x: np.ndarray) -> float:
        m, _ = _root_problem(x)
        return float(m @ m)

    def polish(x: np.ndarray) -> PolishResult:
        return levenberg_marquardt(_root_problem, x)

    opt = Optimizer("nelder-mead", xtol=1e-4, ftol=1e-8, n_starts=2)
    starts = np.array([[1.0, 1.0], [2.0, 0.4]])
    _, plain = minimize_multistart(fun, starts, optimizer=opt, merge_tol=1e-2)
    x, polished = minimize_multistart(
        fun, starts, optimizer=opt, polish=polish, merge_tol=1e-2
    )
    assert polished.objective <= plain.objective
    assert polished.objective <= ROOT_FLOOR
    assert polished.n_evals_total > plain.n_evals_total
    assert "Levenberg-Marquardt" in polished.message
    x2, only = minimize_multistart(
        fun, starts, optimizer=opt, polish=polish, search=False
    )
    np.testing.assert_allclose(x2, x, rtol=1e-12)
    assert only.n_evals_total < plain.n_evals_total
    with pytest.raises(SpecificationError, match="search=False needs a polish"):
        minimize_multistart(fun, starts, optimizer=opt, search=False)
