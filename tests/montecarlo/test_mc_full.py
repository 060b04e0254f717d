"""Full Monte Carlo of ACF and LP on the ACF (2015) designs (``-m montecarlo``).

Measured: 24 passed in 1,129 s on two shared cores (2026-11-28).

The same runner, seeds and draws as ``benchmarks/montecarlo.py`` (seed 2015, 200 draws of
1,000 firms × 10 years per cell), so the numbers these tests check are the ones in
``docs/explanation/montecarlo_table.csv`` and ``montecarlo_coverage.csv``. Run with
``.venv/bin/python -m pytest tests/montecarlo/test_mc_full.py -m montecarlo -p no:cacheprovider``.

What is asserted:

* ACF without measurement error is unbiased: |mean bias| < 0.02 in every design (GUIDE §9),
  and so is LP in DGP2, where it is consistent (ACF 2015, section 4);
* 95 % firm-bootstrap percentile intervals of ACF (DGP1, no measurement error) cover the
  truth in 90–98 % of the draws;
* where the literature documents misspecification, only the documented ordering: LP's
  labour coefficient is biased down under DGP1 (functional dependence; prodest −0.004) and
  DGP3 (prodest 0.473), more than ACF's; measurement error in the proxy raises the labour
  coefficient of both estimators and their error where they are consistent without it
  (ACF 2015, section 4.3; prodest Table 2 with error 0.5: ACF 0.668/0.357, LP
  0.876/0.195).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.datasets import synthetic_ene
from tfp.exceptions import TFPWarning
from tfp.montecarlo import run_montecarlo, summarise

pytestmark = pytest.mark.montecarlo

TRUTH = {"l": 0.6, "k": 0.4}
SEED = 2015  # as benchmarks/montecarlo.py
N_DRAWS = 200  # issue 4: at least 200 draws per cell
N_FIRMS = 1000  # ACF (2015) and prodest's design
DESIGNS = (1, 2, 3)
MEASUREMENT_ERRORS = (0.0, 0.1, 0.2, 0.5)
# Unbiasedness bound of GUIDE §9; the Monte Carlo standard error of a cell mean is
# sd/sqrt(200) <= 0.0015 here, so the bound is not eaten by simulation noise.
BIAS_ATOL = 0.02
# Coverage band of GUIDE §9 for nominal 95 % intervals. With 200 draws a correct interval's
# coverage has sd sqrt(.95·.05/200) = 0.015, so [0.90, 0.98] is about -3.3 / +2 sd.
COVERAGE_BAND = (0.90, 0.98)
BOOT_REPS = 99
# ENE-like panel: mean of ENE_DRAWS ACF estimates within 0.02 of each share (issue 4); the
# per-panel sd is <= 0.02 at this size, so the Monte Carlo se of the mean is <= 0.0045.
ENE_DRAWS = 20
ENE_ATOL = 0.02


def _row(table: pd.DataFrame, *key: object) -> dict[str, float]:
    """One summary row (design, measurement error, method, term) as floats."""
    frame: Any = table
    return {str(k): float(v) for k, v in frame.loc[key].items()}


@pytest.fixture(scope="module")
def draws() -> pd.DataFrame:
    return pd.concat(
        [
            run_montecarlo(
                design, me, ("acf", "lp"), n_draws=N_DRAWS, n_firms=N_FIRMS, seed=SEED
            )
            for design in DESIGNS
            for me in MEASUREMENT_ERRORS
        ],
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def table(draws: pd.DataFrame) -> pd.DataFrame:
    return summarise(draws, TRUTH)


def _joint_rmse(table: pd.DataFrame, design: int, me: float, method: str) -> float:
    return math.hypot(
        _row(table, design, me, method, "l")["rmse"],
        _row(table, design, me, method, "k")["rmse"],
    )


def test_every_cell_ran_every_draw(table: pd.DataFrame) -> None:
    assert (table["n_draws"] == N_DRAWS).all()
    assert (table["n_failed"] == 0).all(), table[table["n_failed"] > 0]


@pytest.mark.parametrize(
    ("design", "method"), [(1, "acf"), (2, "acf"), (3, "acf"), (2, "lp")]
)
@pytest.mark.parametrize("term", ["l", "k"])
def test_consistent_cells_are_unbiased(
    table: pd.DataFrame, design: int, method: str, term: str
) -> None:
    assert abs(_row(table, design, 0.0, method, term)["bias"]) < BIAS_ATOL


@pytest.mark.parametrize("design", [1, 3])
def test_lp_labour_biased_down_where_misspecified(
    table: pd.DataFrame, design: int
) -> None:
    lp = _row(table, design, 0.0, "lp", "l")
    acf = _row(table, design, 0.0, "acf", "l")
    assert lp["bias"] < -BIAS_ATOL
    assert abs(lp["bias"]) > abs(acf["bias"])
    assert _joint_rmse(table, design, 0.0, "lp") > _joint_rmse(
        table, design, 0.0, "acf"
    )


def test_lp_labour_near_zero_under_dgp1(table: pd.DataFrame) -> None:
    # with Leontief materials and no optimisation error, m = 0.6 l + 0.4 k + ω, so y = m + ε:
    # the first-stage polynomial in (k, m) takes all of output and β_l ≈ 0 (prodest: -0.004);
    # the second stage then loads labour's share on capital (prodest: 1.099)
    assert abs(_row(table, 1, 0.0, "lp", "l")["mean"]) < 0.1
    assert _row(table, 1, 0.0, "lp", "k")["mean"] > 0.9


@pytest.mark.parametrize("design", DESIGNS)
def test_measurement_error_raises_acf_labour_and_error(
    table: pd.DataFrame, design: int
) -> None:
    assert (
        _row(table, design, 0.5, "acf", "l")["mean"]
        > _row(table, design, 0.0, "acf", "l")["mean"]
    )
    assert _joint_rmse(table, design, 0.5, "acf") > _joint_rmse(
        table, design, 0.0, "acf"
    )


@pytest.mark.parametrize("design", [2, 3])
def test_measurement_error_raises_lp_labour(table: pd.DataFrame, design: int) -> None:
    assert (
        _row(table, design, 0.5, "lp", "l")["mean"]
        > _row(table, design, 0.0, "lp", "l")["mean"]
    )


def test_measurement_error_raises_lp_error_where_lp_is_consistent(
    table: pd.DataFrame,
) -> None:
    # only DGP2: under DGP3 LP's labour coefficient is biased down without error, and the
    # upward bias from the error offsets it, so its RMSE can fall (ours: 0.23 -> 0.08)
    assert _joint_rmse(table, 2, 0.5, "lp") > _joint_rmse(table, 2, 0.0, "lp")


def test_measurement_error_lifts_lp_labour_above_truth_under_dgp1(
    table: pd.DataFrame,
) -> None:
    # the noise in m breaks the functional dependence; prodest reports 0.876 at error 0.5
    assert _row(table, 1, 0.5, "lp", "l")["mean"] > TRUTH["l"]


# With measurement error 0.5 the exactly identified ACF criterion has a second exact root with
# a negative capital elasticity (about l 2.2, k -1.3 in DGP1; criteria both numerically zero);
# the lowest-criterion rule picked it in about 30% (DGP1) and 27% (DGP2) of draws until
# ACFOptions(nonnegative=True), now the default, set inadmissible minima aside.
@pytest.mark.parametrize("design", [1, 2])
def test_acf_with_measurement_error_never_returns_negative_capital(
    draws: pd.DataFrame, design: int
) -> None:
    cell = draws[
        (draws["design"] == design)
        & (draws["measurement_error"] == 0.5)
        & (draws["method"] == "acf")
        & (draws["term"] == "k")
    ]
    assert len(cell) == N_DRAWS
    assert (cell["estimate"] > 0).all()


@pytest.fixture(scope="module")
def coverage() -> pd.DataFrame:
    draws = run_montecarlo(
        1,
        0.0,
        "acf",
        n_draws=N_DRAWS,
        n_firms=N_FIRMS,
        seed=SEED,
        bootstrap=tfp.Bootstrap(reps=BOOT_REPS),
    )
    return summarise(draws, TRUTH)


@pytest.mark.parametrize("term", ["l", "k"])
def test_acf_bootstrap_coverage(coverage: pd.DataFrame, term: str) -> None:
    row = _row(coverage, 1, 0.0, "acf", term)
    assert row["n_failed"] == 0
    assert COVERAGE_BAND[0] <= row["coverage"] <= COVERAGE_BAND[1]
    assert abs(row["bias"]) < BIAS_ATOL


def test_acf_recovers_ene_shares_on_average_and_ols_does_not() -> None:
    shares = ["ls", "lu", "k"]
    roles = dict(
        output="y", free=("ls", "lu"), state="k", id="firm_id", time="year", se="none"
    )
    acf_est, ols_est = [], []
    true = np.zeros(3)
    for seed in range(ENE_DRAWS):
        data, truth = synthetic_ene(n_firms=10_000, years=range(2010, 2020), seed=seed)
        true = np.array([truth.params[c] for c in shares])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TFPWarning)  # multi-start diagnostics
            acf = tfp.estimate(data, method="acf", proxy="m", **roles)
        ols = tfp.estimate(data, method="ols", **roles)
        acf_est.append(acf.params[shares].to_numpy())
        ols_est.append(ols.params[shares].to_numpy())
    np.testing.assert_allclose(np.mean(acf_est, axis=0), true, atol=ENE_ATOL)
    assert (np.abs(np.mean(ols_est, axis=0) - true) > ENE_ATOL).all()
