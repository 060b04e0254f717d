"""Unit invariance helpers (:mod:`tfp.numerics.units`): exact maps between centred and raw
production terms."""

from __future__ import annotations

import numpy as np
import pytest

from tfp.numerics.poly import term_exponents
from tfp.numerics.units import centring_map, raw_coefficients, standardise
from tfp.spec import term_matrix

# An exact algebraic identity evaluated in floating point on values of order 10.
IDENTITY_RTOL = 1e-10


@pytest.mark.parametrize("form", ["cobb-douglas", "translog"])
def test_term_exponents_match_term_matrix(form: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    e = term_exponents(3, form)
    np.testing.assert_allclose(
        np.prod(x[:, None, :] ** e[None, :, :], axis=2),
        term_matrix(x, ("a", "b", "c"), form),
        rtol=1e-14,
    )


@pytest.mark.parametrize("form", ["cobb-douglas", "translog"])
def test_centring_map_reproduces_the_same_function(form: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(12.0, 1.5, size=(50, 3))  # logs of amounts in soles
    mu = x.mean(axis=0)
    inputs = ("a", "b", "c")
    c = rng.normal(size=len(term_exponents(3, form)))
    a, a0 = centring_map(term_exponents(3, form), mu)
    lhs = term_matrix(x - mu, inputs, form) @ c
    rhs = a0 @ c + term_matrix(x, inputs, form) @ (a @ c)
    np.testing.assert_allclose(lhs, rhs, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL)
    assert np.allclose(np.diag(a), 1.0)


def test_raw_coefficients_maps_values_and_covariance() -> None:
    a = np.array([[1.0, -2.0], [0.0, 1.0]])
    a0 = np.array([-3.0, 9.0])
    coef = np.array([0.5, 0.1, 2.0, 7.0])  # two terms, a control, the intercept
    v = np.diag([0.01, 0.02, 0.03, 0.04])
    out, vout = raw_coefficients(coef, a, a0, const=3, vcov=v, const_from=([2], [1.5]))
    jac = np.eye(4)
    jac[:2, :2] = a
    jac[3, :2] += a0
    jac[3, 2] += 1.5
    np.testing.assert_allclose(out, jac @ coef)
    assert vout is not None
    np.testing.assert_allclose(vout, jac @ v @ jac.T)


def test_standardise() -> None:
    v = np.column_stack([np.arange(10.0), np.full(10, 3.0)])
    z, mean, sd = standardise(v)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-15)
    assert z[:, 0].std() == pytest.approx(1.0)
    assert sd[1] == 1.0 and mean[1] == 3.0  # no spread: only centred


def test_newton_polish_reaches_the_minimum_and_refuses_long_steps() -> None:
    from tfp.numerics.units import newton_polish

    def q(t: np.ndarray) -> float:
        return float((t[0] - 0.3) ** 2 + 2.0 * (t[1] + 0.1) ** 2 + (t[0] - 0.3) ** 4)

    near = np.array([0.3 + 4e-7, -0.1 - 3e-7])  # where a simplex with xtol 1e-6 stops
    theta, value = newton_polish(q, near)
    np.testing.assert_allclose(theta, [0.3, -0.1], atol=1e-10)
    assert value <= q(near)
    far = np.array([5.0, 5.0])  # not a converged search: left alone
    np.testing.assert_array_equal(newton_polish(q, far)[0], far)


def test_newton_polish_with_the_gradient_sees_through_a_noisy_criterion() -> None:
    """A criterion evaluated with cancellation is flat to its rounding noise near the
    minimum (ACF: ~1e-11 relative); its analytic gradient is not, so the polish with it
    reaches the minimum where the criterion alone cannot tell the points apart."""
    from tfp.numerics.units import newton_polish

    rng = np.random.default_rng(0)
    curv = np.array([0.02, 0.3])  # a flat direction, as in ACF's criterion

    def noisy(t: np.ndarray) -> float:
        return float(7.7e-5 + 0.5 * curv @ (t - 0.5) ** 2 + rng.normal(0, 1e-15))

    def grad(t: np.ndarray) -> np.ndarray:
        return curv * (t - 0.5)

    near = np.array([0.5 + 7e-8, 0.5 - 4e-8])  # where BFGS stopped at "precision loss"
    theta, _ = newton_polish(noisy, near, grad)
    np.testing.assert_allclose(theta, [0.5, 0.5], atol=1e-12)
    far = np.array([5.0, 5.0])
    np.testing.assert_array_equal(newton_polish(noisy, far, grad)[0], far)
