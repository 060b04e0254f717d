"""Identification statistics (:mod:`tfp.numerics.identification`) against other libraries.

The Kleibergen-Paap rk Wald F and the Cragg-Donald F are checked against linearmodels 7.1
(``linearmodels.iv.common``), the Sanderson-Windmeijer conditional F against its definition
built from linearmodels' 2SLS and a statsmodels clustered Wald test (the "replication by
hand" of ivreg2's statistic), R² against statsmodels OLS, and the curvature precision against
the closed-form OLS covariance.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from linearmodels.iv import IV2SLS
from linearmodels.iv.common import cragg_donald_f
from linearmodels.iv.common import kleibergen_paap_f as lm_kp_f

from tfp.numerics.identification import (
    Precision,
    covariance_precision,
    criterion_precision,
    curvature_precision,
    kleibergen_paap_f,
    mean_elasticity_jacobian,
    numerical_hessian,
    r_squared,
    sanderson_windmeijer_f,
    within_share,
)

# Closed form against another implementation of the same closed form (GUIDE §9).
CLOSED_FORM_RTOL = 1e-8
# Central differences with step 1e-4 on a smooth criterion: O(h²) truncation, ~1e-8.
HESSIAN_RTOL = 1e-6
# criterion_precision finds the square of a width to WIDTH_RTOL (1e-6) relative.
WIDTH_RTOL = 1e-6


def _iv_data(m: int, n_instr: int, strength: float, seed: int = 0, n: int = 900):
    """A clustered first stage: 150 clusters of 6, ``m`` endogenous, ``n_instr`` instruments."""
    rng = np.random.default_rng(seed)
    clusters = np.repeat(np.arange(n // 6), 6)
    z = rng.normal(size=(n, n_instr)) + rng.normal(size=(n // 6, 1))[clusters]
    w = np.column_stack([np.ones(n), rng.normal(size=n)])
    pi = strength * rng.normal(size=(n_instr, m))
    u = rng.normal(size=(n, m)) * (1 + np.abs(z[:, :1]))  # heteroskedastic
    x = (
        z @ pi
        + w @ rng.normal(size=(2, m))
        + u
        + rng.normal(size=(n // 6, m))[clusters]
    )
    return x, z, w, clusters


@pytest.mark.parametrize(("m", "n_instr"), [(1, 1), (1, 3), (2, 2), (2, 4), (3, 3)])
@pytest.mark.parametrize("strength", [0.05, 0.5])
def test_kleibergen_paap_f_matches_linearmodels(m, n_instr, strength):
    x, z, w, cl = _iv_data(m, n_instr, strength)
    ours = kleibergen_paap_f(x, z, w, cl)
    theirs = lm_kp_f(x, z, w, cov_type="clustered", cov_config={"clusters": cl})
    assert ours == pytest.approx(theirs, rel=CLOSED_FORM_RTOL)
    assert kleibergen_paap_f(x, z, w) == pytest.approx(
        cragg_donald_f(x, z, w), rel=CLOSED_FORM_RTOL
    )


def _sw_by_hand(x, z, w, cl, j):
    """ivreg2's SW F by hand: 2SLS of x_j on the other endogenous regressors, then the
    clustered Wald test of the instruments in the regression of its residual on (W, Z)."""
    m, n_instr = x.shape[1], z.shape[1]
    others = np.delete(x, j, axis=1)
    if others.shape[1]:
        res = IV2SLS(x[:, j], w, others, z).fit(cov_type="unadjusted")
        eps = np.asarray(res.resids)
    else:
        eps = x[:, j] - w @ np.linalg.lstsq(w, x[:, j], rcond=None)[0]
    reg = np.column_stack([w, z])
    ols = sm.OLS(eps, reg)
    fit = ols.fit(cov_type="cluster", cov_kwds={"groups": cl})
    r = np.zeros((n_instr, reg.shape[1]))
    r[:, w.shape[1] :] = np.eye(n_instr)
    f = float(np.squeeze(fit.f_test(r).fvalue))
    return f * n_instr / (n_instr - m + 1)


@pytest.mark.parametrize(("m", "n_instr"), [(2, 2), (2, 4), (3, 3)])
def test_sanderson_windmeijer_matches_its_definition(m, n_instr):
    x, z, w, cl = _iv_data(m, n_instr, 0.3, seed=4)
    ours = sanderson_windmeijer_f(x, z, w, cl)
    assert ours.shape == (m,)
    for j in range(m):
        assert ours[j] == pytest.approx(
            _sw_by_hand(x, z, w, cl, j), rel=CLOSED_FORM_RTOL
        )


@pytest.mark.parametrize("clustered", [True, False])
def test_sanderson_windmeijer_with_one_regressor_is_kleibergen_paap(clustered):
    x, z, w, cl = _iv_data(1, 3, 0.2, seed=2)
    c = cl if clustered else None
    np.testing.assert_allclose(
        sanderson_windmeijer_f(x, z, w, c),
        [kleibergen_paap_f(x, z, w, c)],
        rtol=CLOSED_FORM_RTOL,
    )


def test_weak_instruments_give_small_statistics():
    weak = sanderson_windmeijer_f(*_iv_data(2, 2, 0.0, seed=1))
    strong = sanderson_windmeijer_f(*_iv_data(2, 2, 1.0, seed=1))
    assert np.all(weak < 5) and np.all(strong > 50)


def test_statistics_not_defined_are_nan():
    x, z, w, cl = _iv_data(2, 2, 0.5)
    assert np.isnan(kleibergen_paap_f(x, z[:, :1], w, cl))  # fewer instruments
    assert np.isnan(sanderson_windmeijer_f(x, z[:, :1], w, cl)).all()
    assert np.isnan(kleibergen_paap_f(x[:, :0], z, w, cl))


def test_r_squared_matches_statsmodels():
    rng = np.random.default_rng(3)
    basis = np.column_stack([np.ones(500), rng.normal(size=(500, 4))])
    x = np.column_stack(
        [
            basis[:, 1:] @ [1.0, 0.5, 0.0, 0.2] + rng.normal(size=500),
            rng.normal(size=500),
        ]
    )
    ours = r_squared(x, basis)
    for j in range(2):
        assert ours[j] == pytest.approx(
            sm.OLS(x[:, j], basis).fit().rsquared, rel=CLOSED_FORM_RTOL
        )
    assert np.isnan(r_squared(np.ones((500, 1)), basis)[0])


def test_within_share():
    groups = np.repeat(np.arange(50), 4)
    between = np.repeat(np.arange(50.0), 4)
    assert within_share(between, groups) == pytest.approx(0.0, abs=1e-15)
    within = np.tile([1.0, -1.0, 2.0, -2.0], 50)
    assert within_share(within, groups) == pytest.approx(1.0)
    mixed = between + within
    expected = (within**2).sum() / ((mixed - mixed.mean()) ** 2).sum()
    assert within_share(mixed, groups) == pytest.approx(expected, rel=1e-12)
    assert np.isnan(within_share(np.ones(200), groups))


def test_numerical_hessian_of_a_quadratic():
    a = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 0.5]])
    b = np.array([1.0, -2.0, 0.5])

    def f(t):
        return float(t @ a @ t + b @ t)

    np.testing.assert_allclose(
        numerical_hessian(f, np.array([0.4, -3.0, 10.0])),
        2 * a,
        rtol=HESSIAN_RTOL,
        atol=HESSIAN_RTOL,
    )


def test_curvature_precision_is_the_ols_covariance():
    """For Q(b) = mean squared residual, 2 (sigma²/n) H^{-1} is sigma² (X'X)^{-1}."""
    rng = np.random.default_rng(5)
    n = 400
    x = np.column_stack([rng.normal(size=n), rng.normal(size=n) + 3.0])
    y = x @ [0.6, 0.4] + rng.normal(scale=0.5, size=n)
    b = np.linalg.lstsq(x, y, rcond=None)[0]

    def q(t):
        r = y - x @ t
        return float(r @ r) / n

    sigma2 = q(b)
    prec = curvature_precision(
        numerical_hessian(q, b), sigma2 / n, np.eye(2), ("l", "k")
    )
    closed = covariance_precision(sigma2 * np.linalg.inv(x.T @ x), ("l", "k"))
    assert prec.sd == pytest.approx(closed.sd, rel=HESSIAN_RTOL)
    np.testing.assert_allclose(prec.direction, closed.direction, atol=1e-6)
    assert prec.source == "curvature" and closed.source == "covariance"


def test_a_flat_criterion_has_infinite_sd_and_names_its_direction():
    def q(t):  # flat along l - k
        return float((t[0] + t[1] - 1.0) ** 2)

    prec = curvature_precision(
        numerical_hessian(q, np.array([0.5, 0.5])), 1e-4, np.eye(2), ("l", "k")
    )
    assert prec.sd == np.inf
    np.testing.assert_allclose(np.abs(prec.direction), [2**-0.5, 2**-0.5], atol=1e-6)
    assert prec.describe() == "0.71·l - 0.71·k"


def test_precision_describe():
    assert Precision(1.0, (0.0, 1.0), ("l", "k"), "covariance").describe() == "k"
    text = Precision(1.0, (0.8, -0.6), ("l", "k"), "covariance").describe()
    assert text == "0.80·l - 0.60·k"


def test_mean_elasticity_jacobian_is_the_translog_formula():
    from tfp.spec import elasticity_matrix

    rng = np.random.default_rng(7)
    x = rng.normal(2.0, 1.0, size=(50, 2))
    exps = np.array([[1, 0], [0, 1], [2, 0], [1, 1], [0, 2]])
    jac = mean_elasticity_jacobian(x, exps)
    for t in range(5):
        unit = np.zeros(5)
        unit[t] = 1.0
        expected = elasticity_matrix(x, unit, ("l", "k"), "translog").mean(axis=0)
        np.testing.assert_allclose(jac[:, t], expected, rtol=1e-12)


class _Counted:
    """A criterion that counts its evaluations."""

    def __init__(self, fun):
        self.fun, self.n = fun, 0

    def __call__(self, x):
        self.n += 1
        return self.fun(np.asarray(x, dtype=np.float64))


@pytest.mark.parametrize("curvature", [None, "exact"])
def test_criterion_precision_of_a_quadratic_is_its_sd(curvature):
    """Q = (b - b0)' A (b - b0): the width along the flattest direction is sqrt(noise/λ_min)
    with λ_min the smallest eigenvalue of A, found in a few evaluations per side."""
    a = np.array([[3.0, 1.0], [1.0, 0.5]])
    b0 = np.array([0.6, 0.4])
    q = _Counted(lambda b: float((b - b0) @ a @ (b - b0)))
    noise = 1e-6
    prec = criterion_precision(
        q, b0, noise, np.eye(2), ("l", "k"),
        curvature=None if curvature is None else 2.0 * a,
    )  # fmt: skip
    values, vectors = np.linalg.eigh(a)
    assert prec.sd == pytest.approx(np.sqrt(noise / values[0]), rel=WIDTH_RTOL)
    np.testing.assert_allclose(np.abs(prec.direction), np.abs(vectors[:, 0]), atol=1e-6)
    # 2 directions x 2 sides; bisection took ~32 evaluations a side
    assert q.n <= (9 if curvature is None else 0) + 1 + 4 * 6


def test_criterion_precision_measures_an_asymmetric_rise():
    """Q = t² + 2t³: the rise to the noise is slower on the negative side, and the width
    is there (the quadratic model would say sqrt(noise) on both)."""
    noise = 1e-2
    q = _Counted(lambda b: float(b[0] ** 2 + 2.0 * b[0] ** 3))
    prec = criterion_precision(q, np.zeros(1), noise, np.eye(1), ("k",))
    roots = np.roots([-2.0, 1.0, 0.0, -noise])  # t² - 2t³ = noise, t > 0
    expected = min(r.real for r in roots if abs(r.imag) < 1e-12 and r.real > 0)
    assert prec.sd == pytest.approx(expected, rel=WIDTH_RTOL)
    assert q.n <= 3 + 1 + 2 * 8


@pytest.mark.parametrize("curvature", [None, np.zeros((1, 1))])
def test_criterion_precision_of_a_quartic_is_measured_not_modelled(curvature):
    """Q = t⁴ has no curvature at its minimum: the criterion itself gives the width
    noise^(1/4) (flat Hessian given, or the tiny one of central differences)."""
    noise = 1e-4
    q = lambda b: float(b[0] ** 4)  # noqa: E731
    prec = criterion_precision(
        q, np.zeros(1), noise, np.eye(1), ("k",), curvature=curvature
    )
    assert prec.sd == pytest.approx(noise**0.25, rel=WIDTH_RTOL)


def test_criterion_precision_flat_and_non_finite():
    flat = criterion_precision(lambda b: 0.0, np.zeros(1), 1e-4, np.eye(1), ("k",))
    assert flat.sd == np.inf

    def walled(b):  # a wall (non-finite criterion) at |t| = 1e-3, t² rises to 1 at 1
        return float(b[0] ** 2) if abs(b[0]) < 1e-3 else float("inf")

    prec = criterion_precision(walled, np.zeros(1), 1.0, np.eye(1), ("k",))
    assert prec.sd == pytest.approx(1e-3, rel=1e-6)  # a non-finite criterion is a rise
