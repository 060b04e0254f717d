"""Coverage of 95 % Wald intervals from the analytic (stacked two-step) covariance
(``-m montecarlo``; issue 19).

The same cells, seeds and draws as ``benchmarks/coverage_analytic.py`` (root seed 2015, 200
draws per cell), whose output is ``docs/explanation/montecarlo_coverage_analytic.csv``: ACF
on the ACF (2015) DGP 1–3, LP on DGP2, OP on DGP2 with a valid investment proxy
(``investment_cost_sd=0, capital_shock_sd=0.3``), GNR on ``tfp.datasets.gnr_dgp``, all
without measurement error. Run with
``nice -n 10 .venv/bin/python -m pytest tests/montecarlo/test_mc_analytic.py -m montecarlo``.

Asserted per cell and term: the coverage of estimate ± 1.96 s.e. lies in [0.92, 0.98], and so
does its coverage of the Monte Carlo mean of the estimates (the interval's calibration
without the estimator's finite-sample bias).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tfp.montecarlo import COVERAGE_CELLS, run_montecarlo, summarise

pytestmark = pytest.mark.montecarlo

SEED = 2015  # as benchmarks/coverage_analytic.py
N_DRAWS = 200  # issue 19: at least 200 draws per cell
# Issue 19's band for nominal 95 % intervals. With 200 draws a correct interval's coverage
# has Monte Carlo sd sqrt(.95 · .05 / 200) = 0.015, so the band is ± 2 sd.
COVERAGE_BAND = (0.92, 0.98)
Z = 1.959963984540054

CELLS = COVERAGE_CELLS

#: (cell, term) whose coverage of the truth is outside the band for a documented reason
BIASED: dict[tuple[str, str], str] = {
    ("acf-dgp3", "l"): (
        "ACF's finite-sample bias on DGP3 (mean 0.596, −0.68 Monte Carlo sd; the "
        "published prodest mean is 0.593): a correctly scaled interval then covers ~0.90; "
        "the analytic s.e. equals the Monte Carlo sd (0.0055) and covers the mean"
    ),
    ("acf-dgp3", "k"): (
        "ACF's finite-sample bias on DGP3 (mean 0.405, +0.34 Monte Carlo sd; prodest "
        "0.409) with an s.e. 6 % below the Monte Carlo sd: coverage ~0.915"
    ),
    ("gnr-gross-output", "m"): (
        "the flexible input's elasticity (sd 0.0008 across draws): the analytic s.e. "
        "(mean 0.00071) is 10 % below the Monte Carlo sd (0.00079, itself +-5 % Monte Carlo "
        "error), coverage 0.900 (of the mean: 0.920). The firm bootstrap agrees with the "
        "analytic s.e. (299 replicates on draws 0-5: sd 0.00071 on average), so the gap is "
        "shared by both first-order approximations; not explained yet"
    ),
}

_RUNS: dict[str, pd.DataFrame] = {}


def _draws(cell: str) -> pd.DataFrame:
    if cell not in _RUNS:
        design, method, firms, dgp_options, _ = CELLS[cell]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _RUNS[cell] = run_montecarlo(
                design,
                methods=method,
                n_draws=N_DRAWS,
                n_firms=firms,
                seed=SEED,
                analytic=True,
                dgp_options=dgp_options or None,
            )
    return _RUNS[cell]


def _params() -> list[Any]:
    out = []
    for cell, (*_, truth) in CELLS.items():
        for term in truth:
            reason = BIASED.get((cell, term))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(cell, term, marks=marks, id=f"{cell}-{term}"))
    return out


@pytest.mark.parametrize(("cell", "term"), _params())
def test_wald_coverage_of_the_truth(cell: str, term: str) -> None:
    frame = _draws(cell)
    summary = summarise(frame, CELLS[cell][4])
    row = summary.xs(term, level="term").iloc[0]
    assert row["n_failed"] == 0
    lo, hi = COVERAGE_BAND
    assert lo <= row["coverage_normal"] <= hi


@pytest.mark.parametrize(
    ("cell", "term"),
    [(c, t) for c, v in CELLS.items() for t in v[4]],
    ids=[f"{c}-{t}" for c, v in CELLS.items() for t in v[4]],
)
def test_wald_coverage_of_the_mean(cell: str, term: str) -> None:
    # the standard error alone: intervals around each estimate cover the mean of the
    # estimates in 92-98 % of the draws
    g = _draws(cell)
    g = g[g["term"] == term]
    est = g["estimate"].to_numpy(dtype=float)
    se = g["std_error"].to_numpy(dtype=float)
    assert np.all(np.isfinite(se))
    covered = float(np.mean(np.abs(est - est.mean()) <= Z * se))
    lo, hi = COVERAGE_BAND
    assert lo <= covered <= hi
