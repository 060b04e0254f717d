"""Tests of the simulators in tfp.datasets: truth, moments, calibration, errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.datasets import (
    SEED_TFP_RATIOS,
    SimulatedPanel,
    SimulationTruth,
    acf_dgp,
    size_class_ratios,
    synthetic_ene,
)
from tfp.exceptions import DomainError, SpecificationError
from tfp.peru.size import size_class

# --- sizes (modest: every default test here runs in well under a second) -----------------
ACF_FIRMS = 1000  # ACF's own sample: 1,000 firms x 10 periods
ENE_FIRMS = 2000
CALIBRATION_FIRMS = 20_000  # 100,000 firm-years; ~0.6 s

# --- tolerances ------------------------------------------------------------------------
#: Identities computed two ways in floating point (sums of a few O(10) terms).
EXACT_RTOL = 1e-12
#: The following are 5 x the sd across 30 seeds at ACF_FIRMS (sd 0.0036, 0.0073, 0.0077);
#: a false failure has probability < 1e-6.
OMEGA_SD_ATOL = 0.018
RHO_ATOL = 0.037
ME_SHARE_ATOL = 0.04
#: 5 x sd across 10 seeds of the regression rho on synthetic_ene with ENE_FIRMS (sd 0.0067).
ENE_RHO_ATOL = 0.034
#: OLS labour coefficient on ACF DGP1: mean 0.944, sd 0.003 over 30 seeds; "far above 0.6"
#: is asserted as > 0.8, i.e. a bias of at least a third of the true value.
OLS_LABOUR_FLOOR = 0.8
#: y − ω on the inputs: an OLS with error ε only; allow 5 of its standard errors.
RECOVERY_SE = 5.0
#: Size-class TFP ratios at CALIBRATION_FIRMS (see synthetic_ene's docstring): across 20 seeds
#: mean (14.51, 50.68, 83.07), sd (0.47, 1.45, 2.9). Tolerance = the residual calibration
#: offset from the seed report's (14.0, 52.8, 79.6) plus 3 sd of sampling variation.
CALIBRATION_SD = {"micro": 0.47, "small": 1.45, "medium": 2.9}
CALIBRATION_OFFSET = {"micro": 0.51, "small": -2.12, "medium": 3.47}
CALIBRATION_ATOL = {
    c: abs(CALIBRATION_OFFSET[c]) + 3 * CALIBRATION_SD[c] for c in CALIBRATION_SD
}

ACF_COLUMNS = ["firm", "year", "y", "l", "k", "m", "m_true", "i", "exit"]
ENE_COLUMNS = [
    "firm_id", "year", "y", "k", "ls", "lu", "m", "inv", "va_soles", "sales_soles",
    "capital_soles", "materials_soles", "investment_soles", "workers_skilled",
    "workers_unskilled", "wage_bill_soles", "size_class", "exit", "ciiu", "ubigeo",
    "years_registered", "formal", "weight", "deflator",
]  # fmt: skip


def _ols(y: np.ndarray, *xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS with a constant via lstsq: (coefficients, classical standard errors)."""
    x = np.column_stack([np.ones(len(y)), *xs])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    s2 = resid @ resid / (len(y) - x.shape[1])
    se = np.sqrt(np.diag(s2 * np.linalg.inv(x.T @ x)))
    return coef, se


def _ar1_slope(omega: np.ndarray, firm: np.ndarray) -> float:
    """Slope of ω_t on ω_{t−1} within firms (rows sorted by firm and year)."""
    same = firm[1:] == firm[:-1]
    return float(np.polyfit(omega[:-1][same], omega[1:][same], 1)[0])


@pytest.fixture(scope="module")
def acf1() -> SimulatedPanel:
    return acf_dgp(design=1, n_firms=ACF_FIRMS, seed=20150601)


@pytest.fixture(scope="module")
def ene() -> SimulatedPanel:
    return synthetic_ene(n_firms=ENE_FIRMS, seed=93)


# --- acf_dgp -------------------------------------------------------------------------------


def test_acf_public_access_and_return_type(acf1: SimulatedPanel) -> None:
    assert tfp.datasets.acf_dgp is acf_dgp
    data, truth = acf1
    assert isinstance(acf1, SimulatedPanel)
    assert isinstance(truth, SimulationTruth)
    assert acf1.data is data
    assert truth.dgp == "acf-1"
    assert dict(truth.params) == {"l": 0.6, "k": 0.4}
    assert (truth.rho, truth.sigma_omega, truth.sigma_eps, truth.b) == (
        0.7,
        0.3,
        0.1,
        0.5,
    )


def test_acf_shape_dtypes_and_order(acf1: SimulatedPanel) -> None:
    data, _ = acf1
    assert list(data.columns) == ACF_COLUMNS
    assert data.shape == (ACF_FIRMS * 10, len(ACF_COLUMNS))
    assert isinstance(data.index, pd.RangeIndex)
    for col in ("firm", "year", "exit"):
        assert data[col].dtype == np.int64
    for col in ("y", "l", "k", "m", "m_true", "i"):
        assert data[col].dtype == np.float64
        assert np.isfinite(data[col]).all()
    assert (data["exit"] == 0).all()
    assert (
        data.groupby("firm")["year"]
        .apply(list)
        .map(lambda v: v == list(range(1, 11)))
        .all()
    )
    assert data["firm"].is_monotonic_increasing


@pytest.mark.parametrize("design", [1, 2, 3])
def test_acf_determinism_and_generator_seed(design: int) -> None:
    a, ta = acf_dgp(design, n_firms=50, seed=7)
    b, tb = acf_dgp(design, n_firms=50, seed=7)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(ta.omega, tb.omega)
    assert ta.seed_entropy == 7
    c, tc = acf_dgp(design, n_firms=50, seed=np.random.default_rng(7))
    assert tc.seed_entropy is None
    assert list(c.columns) == list(a.columns)
    d, _ = acf_dgp(design, n_firms=50, seed=8)
    assert not np.allclose(a["y"], d["y"])


@pytest.mark.parametrize("design", [1, 2, 3])
def test_acf_truth_aligned_and_identities(design: int) -> None:
    data, truth = acf_dgp(design, n_firms=200, seed=design)
    for s in (truth.omega, truth.epsilon):
        assert s.index.equals(data.index)
    np.testing.assert_allclose(
        data["y"] - truth.log_output_without_shock(data),
        truth.epsilon,
        rtol=0,
        atol=1e-12,
    )
    sigma_w, b, sigma_l = {
        1: (0.1, 0.5, 0.0),
        2: (0.0, 0.0, 0.37),
        3: (0.1, 0.5, 0.37),
    }[design]
    assert (truth.settings["sigma_w"], truth.b, truth.settings["sigma_l"]) == (
        sigma_w,
        b,
        sigma_l,
    )
    leontief = 0.6 * data["l"] + 0.4 * data["k"] + truth.omega
    if (
        sigma_l == 0.0
    ):  # l = l*: materials are exactly the Leontief function of (l, k, ω)
        np.testing.assert_allclose(data["m_true"], leontief, rtol=EXACT_RTOL)
    else:  # materials use optimal labour l*, so m* − 0.6 l − 0.4 k − ω = −0.6 × error
        gap = (data["m_true"] - leontief) / -0.6
        assert gap.std() == pytest.approx(sigma_l, rel=0.1)
    if sigma_w == 0.0:
        assert (truth.settings["log_wage"] == 0.0).all()


def test_acf_omega_moments(acf1: SimulatedPanel) -> None:
    data, truth = acf1
    omega = truth.omega.to_numpy()
    assert omega.std() == pytest.approx(0.3, abs=OMEGA_SD_ATOL)
    assert omega.mean() == pytest.approx(0.0, abs=OMEGA_SD_ATOL)
    assert _ar1_slope(omega, data["firm"].to_numpy()) == pytest.approx(
        0.7, abs=RHO_ATOL
    )
    assert truth.epsilon.std() == pytest.approx(0.1, abs=OMEGA_SD_ATOL / 3)


@pytest.mark.parametrize("share", [0.0, 0.1, 0.2, 0.5])
def test_acf_measurement_error_share_of_within_variance(share: float) -> None:
    data, truth = acf_dgp(1, n_firms=ACF_FIRMS, measurement_error=share, seed=11)
    m_true = data["m_true"].to_numpy()
    within = m_true - data.groupby("firm")["m_true"].transform("mean").to_numpy()
    v_within = within.var()
    assert truth.settings["m_true_within_variance"] == pytest.approx(
        v_within, rel=EXACT_RTOL
    )
    noise = (data["m"] - data["m_true"]).to_numpy()
    if share == 0.0:
        assert (noise == 0.0).all()
    else:
        assert noise.var() / v_within == pytest.approx(
            share, abs=ME_SHARE_ATOL * share / 0.5
        )


def test_acf_ols_has_upward_labour_bias(acf1: SimulatedPanel) -> None:
    data, _ = acf1
    coef, _ = _ols(data["y"].to_numpy(), data["l"].to_numpy(), data["k"].to_numpy())
    assert coef[1] > OLS_LABOUR_FLOOR  # truth 0.6
    assert coef[2] < 0.4  # capital biased down


#: prodest vignette Table 2 (REFERENCE.md, "ACF (2015) Monte Carlo design"): mean LP labour
#: coefficient over 1,000 draws of 1,000 firms x 10 periods, no measurement error. LP's labour
#: coefficient comes from its first stage alone, y = β_l l + φ(m, k) + ε.
PUBLISHED_LP_LABOUR = {1: -0.004, 2: 0.600, 3: 0.473}
#: 5 x the sd of that first-stage coefficient across 20 seeds at 1,000 firms
#: (sd 0.0045, 0.0034, 0.0024; our 20-seed means 0.002, 0.600, 0.474).
LP_LABOUR_ATOL = {1: 0.0225, 2: 0.017, 3: 0.012}


def _cubic(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Full cubic polynomial in two standardised variables (10 columns, with constant)."""
    x = (x - x.mean()) / x.std()
    z = (z - z.mean()) / z.std()
    return np.column_stack([x**i * z**j for i in range(4) for j in range(4 - i)])


@pytest.mark.reference
@pytest.mark.parametrize("design", [1, 2, 3])
def test_acf_lp_first_stage_matches_published_replication(design: int) -> None:
    data, _ = acf_dgp(design, n_firms=ACF_FIRMS, seed=300 + design)
    basis = _cubic(data["m"].to_numpy(), data["k"].to_numpy())
    x = np.column_stack([data["l"].to_numpy(), basis])
    coef, *_ = np.linalg.lstsq(x, data["y"].to_numpy(), rcond=None)
    assert coef[0] == pytest.approx(
        PUBLISHED_LP_LABOUR[design], abs=LP_LABOUR_ATOL[design]
    )


def test_acf_investment_policy_increasing_in_omega_and_adjustment_cost() -> None:
    data, truth = acf_dgp(1, n_firms=300, seed=5)
    log_inv_phi = truth.settings["log_inv_phi"].to_numpy()  # ln(1/φ_i)
    # i − ln(1/φ) is the same strictly increasing function of ω for every firm
    g = data["i"].to_numpy() - log_inv_phi
    order = np.argsort(truth.omega.to_numpy())
    assert np.all(np.diff(g[order]) > 0)
    # at equal ω, a lower adjustment cost (higher 1/φ) means one-for-one higher log investment
    coef, _ = _ols(data["i"].to_numpy(), g, log_inv_phi)
    np.testing.assert_allclose(coef[1:], [1.0, 1.0], rtol=1e-9)


def test_acf_capital_accumulation_law() -> None:
    data, _ = acf_dgp(2, n_firms=100, seed=9)
    k = data["k"].to_numpy().reshape(100, 10)
    inv = np.exp(data["i"].to_numpy().reshape(100, 10))
    np.testing.assert_allclose(
        np.exp(k[:, 1:]), 0.8 * np.exp(k[:, :-1]) + inv[:, :-1], rtol=EXACT_RTOL
    )


def test_acf_truth_is_immutable(acf1: SimulatedPanel) -> None:
    _, truth = acf1
    with pytest.raises(dataclasses.FrozenInstanceError):
        truth.rho = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError, match="read-only"):
        truth.params["l"] = 0.7  # type: ignore[index]
    assert not truth.omega.to_numpy().flags.writeable


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"design": 4}, "design=4 is not one of"),
        ({"design": True}, "design=True"),
        ({"n_firms": 0}, "n_firms must be at least 1"),
        ({"n_firms": 2.5}, "n_firms must be an integer"),
        ({"n_periods": 0}, "n_periods must be at least 1"),
        ({"measurement_error": -0.1}, "measurement_error=-0.1 is outside"),
        ({"measurement_error": float("nan")}, "measurement_error=nan"),
        ({"seed": "abc"}, "seed must be an int"),
        ({"seed": -1}, "seed must be non-negative"),
        ({"burn_in": -1}, "burn_in must be at least 0"),
    ],
)
def test_acf_errors(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(SpecificationError, match=match):
        acf_dgp(**kwargs)  # type: ignore[arg-type]


# --- synthetic_ene -------------------------------------------------------------------------


def test_ene_columns_dtypes_and_codes(ene: SimulatedPanel) -> None:
    data, truth = ene
    assert list(data.columns) == ENE_COLUMNS
    assert isinstance(data.index, pd.RangeIndex)
    assert truth.dgp == "synthetic-ene"
    assert dict(truth.params) == {"k": 0.262, "ls": 0.588, "lu": 0.166}
    # every year has exactly n_firms firms; the panel is unbalanced through entry and exit
    assert (data.groupby("year").size() == ENE_FIRMS).all()
    assert sorted(data["year"].unique()) == list(range(2015, 2020))
    per_firm = data.groupby("firm_id").size()
    assert per_firm.min() == 1 and per_firm.max() == 5 and (per_firm < 5).mean() > 0.2
    assert data[["firm_id", "year"]].duplicated().sum() == 0
    assert data.sort_values(["firm_id", "year"]).index.equals(data.index)
    assert data["firm_id"].str.fullmatch(r"\d{11}").all()
    assert data["ubigeo"].str.fullmatch(r"\d{6}").all()
    assert data["ciiu"].str.fullmatch(r"\d{4}").all()
    dept = data["ubigeo"].str[:2].astype(int)
    assert dept.between(1, 25).all()
    lima = (dept == 15).mean()
    assert 0.35 <= lima <= 0.45
    levels = [c for c in ENE_COLUMNS if c.endswith("_soles") or c.startswith("workers")]
    for col in ["y", "k", "ls", "lu", "m", "inv", "weight", "deflator", *levels]:
        assert data[col].dtype == np.float64, col
        assert np.isfinite(data[col]).all(), col
    for col in ("year", "exit", "years_registered"):
        assert data[col].dtype == np.int64
    assert data["formal"].dtype == bool
    assert isinstance(data["size_class"].dtype, pd.CategoricalDtype)
    assert list(data["size_class"].cat.categories) == [
        "micro",
        "small",
        "medium",
        "large",
    ]
    assert data["size_class"].cat.ordered
    # levels and logs agree
    np.testing.assert_allclose(
        np.log(data["workers_skilled"]), data["ls"], rtol=EXACT_RTOL
    )
    np.testing.assert_allclose(
        np.log(data["capital_soles"] / data["deflator"]), data["k"], rtol=EXACT_RTOL
    )
    np.testing.assert_allclose(
        data["sales_soles"], data["va_soles"] + data["materials_soles"], rtol=EXACT_RTOL
    )


def test_ene_size_classes_weights_and_registration(ene: SimulatedPanel) -> None:
    data, _ = ene
    # size classes agree with tfp.peru.size (Ley 30056, UIT of the same year)
    expected = size_class(data["sales_soles"], data["year"])
    assert (expected.astype(str) == data["size_class"].astype(str)).all()
    shares = data["size_class"].value_counts(normalize=True)
    assert shares["micro"] > shares["small"] > shares["large"] >= 0.03
    assert shares["medium"] > 0
    # expansion factor: highest for micro; sums to the population in every year
    weight = data.groupby("size_class", observed=True)["weight"].mean()
    assert weight["micro"] > max(weight["small"], weight["medium"], weight["large"])
    totals = data.groupby("year")["weight"].sum()
    np.testing.assert_allclose(totals, 1_836_848 + 60_702 + 2_034 + 9_245, rtol=1e-9)
    # years registered grow by one a year within a firm
    step = data.groupby("firm_id")["years_registered"].diff().dropna()
    assert (step == 1).all()


def test_ene_exit_flags_last_year_and_lower_omega(ene: SimulatedPanel) -> None:
    data, truth = ene
    last = data.groupby("firm_id")["year"].transform("max") == data["year"]
    # a firm that exits is not seen again; firms that leave before 2019 exited
    assert (data.loc[data["exit"] == 1].index.isin(data.index[last])).all()
    gone = last & (data["year"] < 2019)
    assert (data.loc[gone, "exit"] == 1).all()
    omega = truth.omega
    assert omega[data["exit"] == 1].mean() < omega[data["exit"] == 0].mean() - 0.5


def test_ene_determinism(ene: SimulatedPanel) -> None:
    data, truth = synthetic_ene(n_firms=ENE_FIRMS, seed=93)
    pd.testing.assert_frame_equal(data, ene.data)
    pd.testing.assert_series_equal(truth.omega, ene.truth.omega)
    other, _ = synthetic_ene(n_firms=ENE_FIRMS, seed=94)
    assert not data["y"].equals(other["y"])


def test_ene_truth_aligned_and_law_of_motion(ene: SimulatedPanel) -> None:
    data, truth = ene
    for s in (truth.omega, truth.epsilon):
        assert s.index.equals(data.index)
    np.testing.assert_allclose(
        data["y"] - truth.log_output_without_shock(data),
        truth.epsilon,
        rtol=0,
        atol=1e-12,
    )
    rho = _ar1_slope(truth.omega.to_numpy(), data["firm_id"].to_numpy())
    assert rho == pytest.approx(truth.rho, abs=ENE_RHO_ATOL)
    # left-skewed innovations (long lower tail of subsistence firms)
    z = (truth.omega.to_numpy() - truth.omega.mean()) / truth.omega.std()
    assert np.mean(z**3) < 0


def test_ene_proxies_are_strictly_increasing_in_omega(ene: SimulatedPanel) -> None:
    data, truth = ene
    omega, k = truth.omega.to_numpy(), data["k"].to_numpy()
    for proxy in ("m", "inv"):
        # an exact, strictly increasing function of (ω, k): linear, positive ω slope
        coef, se = _ols(data[proxy].to_numpy(), omega, k)
        assert coef[1] > 0.1
        assert np.max(se) < 1e-9
    # labour varies independently of (ω_t, k_t) through wages and ω_{t−b}
    for lab in ("ls", "lu"):
        coef, _ = _ols(data[lab].to_numpy(), omega, k)
        resid = (
            data[lab].to_numpy() - np.column_stack([np.ones(len(k)), omega, k]) @ coef
        )
        assert resid.std() > 0.2


def test_ene_ols_biased_and_truth_recovers_shares(ene: SimulatedPanel) -> None:
    data, truth = ene
    xs = (data["k"].to_numpy(), data["ls"].to_numpy(), data["lu"].to_numpy())
    beta = np.array(list(truth.params.values()))
    ols, _ = _ols(data["y"].to_numpy(), *xs)
    assert np.max(np.abs(ols[1:] - beta)) > 0.2
    clean, se = _ols((data["y"] - truth.omega).to_numpy(), *xs)
    assert np.all(np.abs(clean[1:] - beta) < RECOVERY_SE * se[1:])
    assert clean[0] == pytest.approx(truth.constant, abs=RECOVERY_SE * se[0])


def test_ene_calibration_to_seed_ratios() -> None:
    data, truth = synthetic_ene(n_firms=CALIBRATION_FIRMS, seed=2018)
    ratios = size_class_ratios(truth.omega, data["size_class"])
    assert ratios == pytest.approx(
        dict(truth.settings["achieved_tfp_ratios"]), rel=1e-12
    )
    assert (
        ratios["micro"] < ratios["small"] < ratios["medium"] < ratios["large"] == 100.0
    )
    for cls, atol in CALIBRATION_ATOL.items():
        assert ratios[cls] == pytest.approx(SEED_TFP_RATIOS[cls], abs=atol), cls


def test_ene_other_years_and_shares() -> None:
    data, truth = synthetic_ene(
        n_firms=300, years=[2020, 2021], seed=1, shares=(0.3, 0.4, 0.2)
    )
    assert sorted(data["year"].unique()) == [2020, 2021]
    assert dict(truth.params) == {"k": 0.3, "ls": 0.4, "lu": 0.2}
    np.testing.assert_allclose(
        data["y"] - truth.log_output_without_shock(data),
        truth.epsilon,
        rtol=0,
        atol=1e-12,
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_firms": 0}, SpecificationError, "n_firms must be at least 1"),
        ({"years": [2015, 2017]}, SpecificationError, "consecutive"),
        ({"years": []}, SpecificationError, "non-empty"),
        ({"years": ["2015"]}, SpecificationError, "integers"),
        ({"years": range(2008, 2011)}, DomainError, "outside the UIT table"),
        ({"shares": (0.3, 0.6)}, SpecificationError, "3 elements"),
        ({"shares": (0.3, 0.6, 1.2)}, SpecificationError, "shares\\[unskilled\\]"),
        ({"rho": 1.0}, SpecificationError, "rho=1.0 is outside"),
        ({"exit_rate": 0.0}, SpecificationError, "exit_rate=0.0 is outside"),
        ({"seed": 1.5}, SpecificationError, "seed must be an int"),
    ],
)
def test_ene_errors(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        synthetic_ene(**kwargs)  # type: ignore[arg-type]


# --- large sizes ---------------------------------------------------------------------------


@pytest.mark.slow
def test_million_firm_years() -> None:
    data, truth = synthetic_ene(n_firms=200_000, seed=1)
    assert len(data) == 1_000_000
    ratios = size_class_ratios(truth.omega, data["size_class"])
    # sd shrinks by sqrt(10) from CALIBRATION_FIRMS; the calibration offset stays
    for cls in CALIBRATION_SD:
        atol = abs(CALIBRATION_OFFSET[cls]) + 3 * CALIBRATION_SD[cls] / np.sqrt(10)
        assert ratios[cls] == pytest.approx(SEED_TFP_RATIOS[cls], abs=atol), cls
    acf, acf_truth = acf_dgp(1, n_firms=100_000, seed=2)
    assert len(acf) == 1_000_000
    omega = acf_truth.omega.to_numpy()
    assert omega.std() == pytest.approx(0.3, abs=OMEGA_SD_ATOL / 10)
    assert _ar1_slope(omega, acf["firm"].to_numpy()) == pytest.approx(
        0.7, abs=RHO_ATOL / 10
    )
