"""The OP/LP second-stage criterion kernel (``tfp._kernels.control_nb``) against its twin.

Marked ``nojit``: CI also runs these with NUMBA_DISABLE_JIT=1.
"""

from __future__ import annotations

import numpy as np
import pytest

from tfp._kernels import control_nb, reference
from tfp.numerics.poly import exponent_table

# Kernel vs twin: the same arithmetic, sums in another order: agreement to rounding.
RTOL_KERNEL = 1e-12
# Analytic gradient vs central differences with step 1e-6: truncation ~1e-12, rounding of
# the criterion over the step ~1e-10, against gradients of order 1e-2 to 1.
RTOL_GRADIENT = 1e-6

pytestmark = pytest.mark.nojit


def _stage2(seed: int, n: int, n_f: int, n_s: int, exit_prob: bool, n_z: int) -> dict:
    rng = np.random.default_rng(seed)
    xf = rng.normal(size=(n, n_f))
    xs = rng.normal(size=(n, n_s))
    xfl = 0.8 * xf + 0.2 * rng.normal(size=(n, n_f))
    xsl = 0.9 * xs + 0.1 * rng.normal(size=(n, n_s))
    om_l = rng.normal(size=n)
    om = 0.1 + 0.8 * om_l + 0.2 * rng.normal(size=n)
    bf = np.linspace(0.5, 0.3, n_f)
    bs = np.linspace(0.3, 0.1, n_s)
    phi = om + xf @ bf + xs @ bs
    return {
        "phi": phi,
        "phil": om_l + xfl @ bf + xsl @ bs,
        "y": phi + 0.1 * rng.normal(size=n),
        "xf": xf,
        "xfl": xfl,
        "xs": xs,
        "xsl": xsl,
        # a centred column stands in for the exit probability (the kernel only sees a
        # column; a polynomial in [-1, 1] keeps the normal equations well conditioned)
        "prob": rng.uniform(-1.0, 1.0, size=(n, 1 if exit_prob else 0)),
        "z": np.ascontiguousarray(np.column_stack([xs, xsl])[:, :n_z]),
        "w": np.eye(n_z),
        "beta_f": bf,
    }


CASES = [
    # (n, free, second-stage, exit probability, instruments, Markov degree)
    (1_333, 1, 1, False, 0, 3),  # OP/LP value added, least squares
    (2_001, 2, 1, True, 0, 3),  # with the exit correction
    (777, 1, 2, False, 2, 2),  # gross output: GMM
    (7, 1, 1, False, 0, 1),
]


@pytest.mark.parametrize(("n", "n_f", "n_s", "exit_prob", "n_z", "degree"), CASES)
def test_criterion_matches_twin(
    n: int, n_f: int, n_s: int, exit_prob: bool, n_z: int, degree: int
) -> None:
    d = _stage2(n, n, n_f, n_s, exit_prob, n_z)
    exps = np.ascontiguousarray(exponent_table(1 + int(exit_prob), degree))
    for theta in (np.full(n_s, 0.25), np.linspace(-0.5, 0.9, n_s)):
        args = (*d.values(), theta, exps)
        s1, v1, g1 = control_nb.cf_criterion_nb(*args)
        s2, v2, g2 = reference.cf_criterion_np(*args)
        assert s1 == s2 == control_nb.STATUS_OK
        assert v1 == pytest.approx(v2, rel=RTOL_KERNEL)
        np.testing.assert_allclose(
            g1, g2, rtol=RTOL_KERNEL, atol=RTOL_KERNEL * np.abs(g2).max()
        )


def test_degenerate_law_of_motion_is_a_status() -> None:
    d = _stage2(1, 200, 1, 1, False, 0)
    exps = np.ascontiguousarray(exponent_table(1, 3))
    flat = dict(
        d, phil=np.full(200, 2.0), xfl=np.zeros((200, 1)), xsl=np.zeros((200, 1))
    )
    for kernel in (control_nb.cf_criterion_nb, reference.cf_criterion_np):
        s, v, _ = kernel(*flat.values(), np.array([0.3]), exps)
        assert s == control_nb.STATUS_NO_SPREAD and v == np.inf
    # two identical columns in the law of motion: exactly singular normal equations
    d2 = dict(d, prob=np.ones((200, 1)))
    exps2 = np.ascontiguousarray(exponent_table(2, 1))
    for kernel in (control_nb.cf_criterion_nb, reference.cf_criterion_np):
        s, v, _ = kernel(*d2.values(), np.array([0.3]), exps2)
        assert s == control_nb.STATUS_SINGULAR and v == np.inf


def test_small_solve_matches_lapack() -> None:
    rng = np.random.default_rng(3)
    for k in (1, 4, 10):
        a = rng.normal(size=(k, k))
        b = rng.normal(size=k)
        ok, x = control_nb.solve_small_nb(a, b)
        assert ok
        np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-10)
    ok, x = control_nb.solve_small_nb(np.zeros((3, 3)), np.ones(3))
    assert not ok and not x.any()


@pytest.mark.parametrize(("n", "n_f", "n_s", "exit_prob", "n_z", "degree"), CASES[:3])
def test_nelder_mead_matches_twin_and_scipy(
    n: int, n_f: int, n_s: int, exit_prob: bool, n_z: int, degree: int
) -> None:
    """The compiled Nelder–Mead visits SciPy's points: same end, criterion and counts."""
    from scipy.optimize import minimize

    d = _stage2(n, n, n_f, n_s, exit_prob, n_z)
    exps = np.ascontiguousarray(exponent_table(1 + int(exit_prob), degree))
    x0 = np.full(n_s, 0.05)
    args = (*d.values(), exps, x0, 1e-6, 1e-12, 400)
    x1, f1, it1, nf1, s1 = control_nb.cf_nelder_mead_nb(*args)
    x2, f2, it2, nf2, s2 = reference.cf_nelder_mead_np(*args)
    assert (it1, nf1, s1) == (it2, nf2, s2)
    np.testing.assert_allclose(x1, x2, rtol=1e-9, atol=1e-12)
    assert f1 == pytest.approx(f2, rel=RTOL_KERNEL)
    res = minimize(
        lambda t: reference.cf_criterion_np(*d.values(), np.asarray(t), exps)[1],
        x0,
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": 1e-12, "maxiter": 400, "adaptive": False},
    )
    assert (res.nit, res.nfev) == (it2, nf2)
    np.testing.assert_array_equal(res.x, x2)
    assert res.fun == f2


@pytest.mark.parametrize(("n", "n_f", "n_s", "exit_prob", "n_z", "degree"), CASES[:3])
def test_gradient_matches_central_differences(
    n: int, n_f: int, n_s: int, exit_prob: bool, n_z: int, degree: int
) -> None:
    """The analytic gradient the OP/LP Newton polish steps on is the criterion's."""
    from tfp.estimators.control_function import _criterion, _gradient, _Stage2

    d = _stage2(n, n, n_f, n_s, exit_prob, n_z)
    stage = _Stage2(
        phi=d["phi"], phi_lag=d["phil"], y=d["y"], xf=d["xf"], xf_lag=d["xfl"],
        xs=d["xs"], xs_lag=d["xsl"], prob=d["prob"], z=d["z"], w=d["w"],
        markov_degree=degree, f_index=tuple(range(n_f)),
        s_index=tuple(range(n_f, n_f + n_s)),
    )  # fmt: skip
    bf = d["beta_f"]
    for theta in (np.full(n_s, 0.6), np.linspace(-0.5, 0.9, n_s)):  # off the minimum
        numeric = np.array(
            [
                (_criterion(theta + e, bf, stage) - _criterion(theta - e, bf, stage))
                / 2e-6
                for e in np.eye(n_s) * 1e-6
            ]
        )
        analytic = _gradient(theta, bf, stage)
        np.testing.assert_allclose(
            analytic, numeric, rtol=0, atol=RTOL_GRADIENT * np.abs(numeric).max()
        )


@pytest.mark.parametrize(("n", "n_f", "n_s", "exit_prob", "n_z", "degree"), CASES)
def test_gradient_kernel_matches_twin(
    n: int, n_f: int, n_s: int, exit_prob: bool, n_z: int, degree: int
) -> None:
    """The compiled gradient (the OP/LP Newton polish) and its NumPy twin, off the minimum."""
    d = _stage2(n, n, n_f, n_s, exit_prob, n_z)
    exps = np.ascontiguousarray(exponent_table(1 + int(exit_prob), degree))
    for theta in (np.full(n_s, 0.6), np.linspace(-0.5, 0.9, n_s)):
        args = (*d.values(), theta, exps)
        s1, g1 = control_nb.cf_gradient_nb(*args)
        s2, g2 = reference.cf_gradient_np(*args)
        assert s1 == s2 == control_nb.STATUS_OK
        np.testing.assert_allclose(
            g1, g2, rtol=RTOL_KERNEL, atol=RTOL_KERNEL * np.abs(g2).max()
        )


def test_gradient_kernel_degenerate_is_a_status() -> None:
    d = _stage2(1, 200, 1, 1, False, 0)
    exps = np.ascontiguousarray(exponent_table(1, 3))
    flat = dict(
        d, phil=np.full(200, 2.0), xfl=np.zeros((200, 1)), xsl=np.zeros((200, 1))
    )
    d2 = dict(d, prob=np.ones((200, 1)))
    exps2 = np.ascontiguousarray(exponent_table(2, 1))
    for kernel in (control_nb.cf_gradient_nb, reference.cf_gradient_np):
        s, g = kernel(*flat.values(), np.array([0.3]), exps)
        assert s == control_nb.STATUS_NO_SPREAD and not g.any()
        s, g = kernel(*d2.values(), np.array([0.3]), exps2)
        assert s == control_nb.STATUS_SINGULAR and not g.any()
