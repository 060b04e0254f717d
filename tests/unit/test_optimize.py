"""Tests of the multi-start optimizer and the Sobol start sets."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from tfp.exceptions import ConvergenceError, ConvergenceWarning, SpecificationError
from tfp.numerics.optimize import (
    Convergence,
    LocalMinimum,
    minimize_multistart,
    near_minima,
    noise_margin,
    screen_starts,
    sobol_starts,
)
from tfp.options import Optimizer

# Nelder-Mead with xtol 1e-8 locates a smooth minimum to ~1e-6 in the parameters.
ATOL_MIN = 1e-5


def quad(x: np.ndarray) -> float:
    return float((x[0] - 1.0) ** 2 + 2.0 * (x[1] + 0.5) ** 2)


def quad_grad(x: np.ndarray) -> np.ndarray:
    return np.array([2.0 * (x[0] - 1.0), 4.0 * (x[1] + 0.5)])


def double_well(x: np.ndarray) -> float:
    # minima at x = -1 (criterion 0) and x = +1 (criterion 0.3)
    return float((x[0] ** 2 - 1.0) ** 2 + 0.15 * (x[0] + 1.0))


def symmetric_well(x: np.ndarray) -> float:
    # two exactly tied minima at x = -1 and x = +1
    return float((x[0] ** 2 - 1.0) ** 2)


def test_single_minimum_all_methods() -> None:
    starts = sobol_starts([0.0, 0.0], 2.0, 4)
    for method in ("nelder-mead", "bfgs", "l-bfgs-b", "powell"):
        x, conv = minimize_multistart(
            quad, starts, optimizer=Optimizer(method), jac=quad_grad
        )
        np.testing.assert_allclose(x, [1.0, -0.5], atol=ATOL_MIN)
        assert conv.converged
        assert conv.n_starts == 4
        assert conv.n_starts_at_min == 4, method
        assert len(conv.local_minima) == 1
        assert conv.n_evals_total >= conv.n_evals > 0
        assert conv.method == method
        assert conv.objective == pytest.approx(quad(x))


def test_two_minima_keeps_lowest_and_warns_with_gap() -> None:
    starts = np.array([[0.9], [1.2], [-0.8]])
    with pytest.warns(
        ConvergenceWarning, match=r"2 different local minima.*higher by 0\.3"
    ):
        x, conv = minimize_multistart(
            double_well, starts, optimizer=Optimizer("nelder-mead"), merge_tol=1e-4
        )
    assert x[0] < 0
    assert conv.n_starts_at_min == 1
    assert [m.n_starts for m in conv.local_minima] == [1, 2]
    assert conv.local_minima[0].objective < conv.local_minima[1].objective
    assert conv.start_params == (-0.8,)


def test_strict_raises() -> None:
    starts = np.array([[0.9], [-0.8]])
    with pytest.raises(ConvergenceError, match="different local minima"):
        minimize_multistart(
            double_well,
            starts,
            optimizer=Optimizer("nelder-mead", strict=True),
            merge_tol=1e-4,
        )
    with pytest.raises(ConvergenceError, match="did not converge"):
        minimize_multistart(
            quad,
            [[5.0, 5.0]],
            optimizer=Optimizer("nelder-mead", maxiter=3, strict=True),
        )


def test_not_converged_warns() -> None:
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        _, conv = minimize_multistart(
            quad, [[5.0, 5.0]], optimizer=Optimizer("nelder-mead", maxiter=3)
        )
    assert not conv.converged


def test_order_of_starts_does_not_matter() -> None:
    starts = np.array([[0.7], [-0.6], [1.4], [-1.3]])
    results = []
    for perm in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]):
        with pytest.warns(ConvergenceWarning):
            x, conv = minimize_multistart(
                symmetric_well,
                starts[perm],
                optimizer=Optimizer("bfgs"),
                merge_tol=1e-4,
            )
        results.append((x.tolist(), conv.local_minima, conv.start_params))
    assert results[0] == results[1] == results[2]
    # exact tie: the lexicographically smallest parameters win
    assert results[0][0][0] < 0


def test_nonfinite_starts_and_failures() -> None:
    def bad(x: np.ndarray) -> float:
        return float("nan")

    with pytest.raises(ConvergenceError, match="not finite"):
        minimize_multistart(bad, [[0.0]], optimizer=Optimizer())
    with pytest.raises(SpecificationError, match="NaN"):
        minimize_multistart(quad, [[np.nan, 0.0]], optimizer=Optimizer())
    with pytest.raises(SpecificationError, match="non-empty"):
        minimize_multistart(quad, np.empty((0, 2)), optimizer=Optimizer())
    with pytest.raises(SpecificationError, match="Optimizer"):
        minimize_multistart(quad, [[0.0, 0.0]], optimizer="bfgs")  # type: ignore[arg-type]


def test_sobol_starts_deterministic_prefix_and_box() -> None:
    a = sobol_starts([0.5, -1.0, 2.0], [0.1, 0.2, 0.0], 5, seed=3)
    b = sobol_starts([0.5, -1.0, 2.0], [0.1, 0.2, 0.0], 8, seed=3)
    assert a.shape == (5, 3)
    np.testing.assert_array_equal(a, b[:5])
    np.testing.assert_array_equal(
        a, sobol_starts([0.5, -1.0, 2.0], [0.1, 0.2, 0.0], 5, seed=3)
    )
    assert not np.array_equal(
        a, sobol_starts([0.5, -1.0, 2.0], [0.1, 0.2, 0.0], 5, seed=4)
    )
    assert np.all(np.abs(a[:, 0] - 0.5) <= 0.1) and np.all(np.abs(a[:, 1] + 1.0) <= 0.2)
    np.testing.assert_array_equal(a[:, 2], 2.0)
    assert sobol_starts([0.0], 1.0, 0).shape == (0, 1)
    with pytest.raises(SpecificationError, match="non-negative"):
        sobol_starts([0.0], -1.0, 3)
    with pytest.raises(SpecificationError, match="n="):
        sobol_starts([0.0], 1.0, -1)


def test_convergence_record_is_frozen_and_picklable() -> None:
    _, conv = minimize_multistart(
        quad, [[0.0, 0.0]], optimizer=Optimizer("bfgs"), jac=quad_grad
    )
    with pytest.raises(AttributeError):
        conv.objective = 0.0  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(conv)) == conv


def test_screening_keeps_the_minima_within_noise_of_the_best() -> None:
    def minimum(objective: float, x: float) -> LocalMinimum:
        return LocalMinimum(objective=objective, params=(x,), n_starts=1)

    conv = Convergence(
        converged=True, n_iter=1, n_evals=1, objective=1.0, message="", start_params=(0.0,),
        elapsed=0.0, local_minima=(minimum(1.0, 0.1), minimum(1.5, 0.2), minimum(9.0, 0.3)),
    )  # fmt: skip
    near = near_minima(conv, lambda x: 1.0)
    assert [float(x[0]) for x in near] == [0.1, 0.2]
    assert [
        float(x[0]) for x in near_minima(conv, lambda x: 1.0, lambda x: x[0] > 0.15)
    ] == [0.2]
    # noise margin: 10 · var · max(df, 1) / n, and 0 without residuals
    resid = np.array([1.0, -1.0, 1.0, -1.0])
    assert noise_margin(resid, 0) == noise_margin(resid, 1) == 10.0 * 1.0 / 4
    assert noise_margin(None, 3) == 0.0
    firm = np.repeat(np.arange(10), 3)  # 30 rows
    starts = np.arange(8.0).reshape(4, 2)
    seen: list[np.ndarray] = []

    def search(rows: np.ndarray) -> tuple[Convergence, list[np.ndarray]]:
        seen.append(rows)
        return conv, [starts[2], starts[0]]

    out, record = screen_starts(firm, starts, 10, search)
    np.testing.assert_array_equal(seen[0], np.flatnonzero(firm % 3 == 0))
    assert record is not None and (record.every_kth_firm, record.nobs) == (3, 12)
    np.testing.assert_array_equal(out, starts[[2, 0]])
    assert screen_starts(firm, starts, 30, search) == (
        starts,
        None,
    )  # small: unscreened
