"""GNR against published numbers of R gnrprod 1.1.2 and Julia GNRProdEst.jl.

Provenance (../shared/data/REFERENCE.md):

- gnrprod 1.1.2 (CRAN, github.com/cran/gnrprod commit 64ea3d9), README, R 4.2.2:
  ``gnrprod(output="RGO", fixed=c("L","K"), flex="RI", share="share", id="id", time="year",
  data=colombian)`` on ``gnrprod_colombian.csv``: elasticities L 0.2332, K 0.1124, RI 0.6793;
  first-stage SSR 315.1547; second-stage objective 0.002222 (BFGS, stopped early). With
  Nelder-Mead and tighter tolerances the same objective gives L 0.21-0.23, K 0.111-0.118.
- GNRProdEst.jl README (M. Trunschke), ``gnrprodest!(data=GNR_data_500.csv, output=:yg,
  flexible_input=:i, fixed_inputs=:k, ln_share_flex_y=:si, id=:id, time=:time)`` on
  ``gnr_sim_500.csv``: first-stage γ' constant 0.67590, mean elasticities k 0.28670,
  i 0.62627; integration constant (k, k², k³) = (0.38825, -0.02485, 0.00247), k elasticity
  min 0.27269 / max 0.38782. Truth of the simulation: k 0.25, i 0.65.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests.conftest import load_shared_csv
from tfp.estimators.gnr import fit
from tfp.exceptions import ConvergenceWarning
from tfp.options.gnr import GNROptions
from tfp.panel import make_panel
from tfp.spec import ProductionSpec

pytestmark = pytest.mark.reference

# Acceptance tolerance on gnrprod's deterministic first-stage mean RI elasticity (0.6793,
# printed to 4 decimals): rounding plus gnrprod's early Gauss-Newton stop.
RI_ATOL = 5e-4
# gnrprod's SSR stops at reltol 1e-5 in the coefficients; 0.1% covers that, not more.
SSR_RTOL = 1e-3
# Julia's printed mean elasticities have 5 decimals; the acceptance tolerance of issue 7.
JULIA_ATOL = 3e-3
# README coefficients are printed to 5 decimals: the per-observation extremes computed from
# them carry an error of ~1e-4 (cubic terms times k^2 ≈ 25).
PRINTED_COEF_ATOL = 5e-4
# An exact root of the just-identified moment system: criterion below this.
ROOT_TOL = 1e-12

GNRPROD = {
    "L": 0.2332,
    "K": 0.1124,
    "RI": 0.6793,
    "ssr": 315.1547,
    "objective": 0.002222,
}
JULIA = {"k": 0.28670, "i": 0.62627, "const": 0.67590}
TRUTH = {"k": 0.25, "i": 0.65}


@pytest.fixture(scope="module")
def colombian_fit():  # type: ignore[no-untyped-def]
    df = load_shared_csv("gnrprod_colombian.csv")
    spec = ProductionSpec(
        output="RGO",
        free=("L",),
        state=("K",),
        flexible=("RI",),
        share="share",
        id="id",
        time="year",
    )
    panel = make_panel(df, id="id", time="year", columns=spec.columns())
    return fit(panel, spec, GNROptions.gnrprod())


@pytest.fixture(scope="module")
def sim_fit():  # type: ignore[no-untyped-def]
    df = load_shared_csv("gnr_sim_500.csv")
    spec = ProductionSpec(
        output="yg",
        free=(),
        state=("k",),
        flexible=("i",),
        share="si",
        id="id",
        time="time",
    )
    panel = make_panel(df, id="id", time="time", columns=spec.columns())
    with warnings.catch_warnings():
        # the Sobol starts find a second, much worse local minimum on this data (reported in
        # fit.convergence.local_minima); the lowest criterion is kept
        warnings.simplefilter("ignore", ConvergenceWarning)
        return df, fit(panel, spec, GNROptions())


def test_colombian_stage1_matches_gnrprod(colombian_fit) -> None:  # type: ignore[no-untyped-def]
    f = colombian_fit
    ri = dict(zip(f.names, f.params, strict=True))["RI"]
    assert ri == pytest.approx(GNRPROD["RI"], abs=RI_ATOL)
    assert f.details.stage1["ssr"] == pytest.approx(GNRPROD["ssr"], rel=SSR_RTOL)
    # a true NLS minimum is not above gnrprod's early stop
    assert f.details.stage1["ssr"] <= GNRPROD["ssr"] + 1e-4


def test_colombian_stage2_criterion_at_least_as_low_as_gnrprod(colombian_fit) -> None:  # type: ignore[no-untyped-def]
    f = colombian_fit
    assert f.objective <= GNRPROD["objective"]
    assert f.objective < ROOT_TOL
    assert f.objective == pytest.approx(
        f.objective_fn(np.asarray(f.details.integral_coef))
    )
    p = dict(zip(f.names, f.params, strict=True))
    # REFERENCE.md: tighter optimisers of the same criterion give L 0.21-0.23, K 0.111-0.118
    assert 0.21 <= p["L"] <= 0.23
    assert 0.111 <= p["K"] <= 0.118
    assert f.convergence.converged
    assert f.convergence.n_starts_at_min == f.convergence.n_starts
    # gnrprod lags across gaps: only the firms' first rows leave the second stage
    assert dict(f.dropped) == {"first_period_lag": 912}
    assert int(f.sample.sum()) == 6187 - 912


def test_colombian_gap_aware_lags_drop_the_31_gaps() -> None:
    df = load_shared_csv("gnrprod_colombian.csv")
    spec = ProductionSpec(
        output="RGO",
        free=("L",),
        state=("K",),
        flexible=("RI",),
        share="share",
        id="id",
        time="year",
    )
    panel = make_panel(df, id="id", time="year", columns=spec.columns())
    f = fit(panel, spec, GNROptions())
    assert dict(f.dropped) == {"first_period_lag": 912, "gap": 31}
    assert f.objective < ROOT_TOL


def test_sim500_stage1_and_flexible_elasticity_match_julia(sim_fit) -> None:  # type: ignore[no-untyped-def]
    _, f = sim_fit
    p = dict(zip(f.names, f.params, strict=True))
    assert f.details.stage1["coef"][0] == pytest.approx(JULIA["const"], abs=1e-5)
    assert p["i"] == pytest.approx(JULIA["i"], abs=JULIA_ATOL)
    assert abs(p["i"] - TRUTH["i"]) < 0.03  # truth 0.65 beside Julia's 0.62627
    assert int(f.sample.sum()) == 14500


def test_sim500_elasticity_formula_reproduces_julia_at_its_coefficients(
    sim_fit,
) -> None:  # type: ignore[no-untyped-def]
    df, f = sim_fit
    k = df["k"].to_numpy()
    c_hat = np.asarray(f.details.integral_coef)  # terms k, k^2, k^3
    assert f.details.integral_terms == ("k", "k^2", "k^3")

    def d_c(c: np.ndarray) -> np.ndarray:
        return c[0] + 2 * c[1] * k + 3 * c[2] * k**2

    el_k = np.asarray(f.elasticities)[:, 0]
    at_julia = el_k - d_c(c_hat) + d_c(np.array([0.38825, -0.02485, 0.00247]))
    assert at_julia.min() == pytest.approx(0.27269, abs=PRINTED_COEF_ATOL)
    assert at_julia.max() == pytest.approx(0.38782, abs=PRINTED_COEF_ATOL)


@pytest.mark.xfail(
    strict=True,
    reason="GNRProdEst.jl's Nelder-Mead stops where the criterion is ~7e-5; the exact root "
    "of the same moments (criterion < 1e-12) has mean k elasticity 0.2788, nearer the truth "
    "0.25 than Julia's 0.2867 (see test_sim500_julia_point_is_not_a_minimum)",
)
def test_sim500_fixed_elasticity_matches_julia(sim_fit) -> None:  # type: ignore[no-untyped-def]
    _, f = sim_fit
    p = dict(zip(f.names, f.params, strict=True))
    assert p["k"] == pytest.approx(JULIA["k"], abs=JULIA_ATOL)


def test_sim500_julia_point_is_not_a_minimum(sim_fit) -> None:  # type: ignore[no-untyped-def]
    _, f = sim_fit
    p = dict(zip(f.names, f.params, strict=True))
    ours = f.objective
    theirs = f.objective_fn(np.array([0.38825, -0.02485, 0.00247]))
    assert ours < ROOT_TOL < theirs
    assert abs(p["k"] - TRUTH["k"]) < abs(JULIA["k"] - TRUTH["k"])
