"""OLS and FE: closed forms vs brute force (lstsq, LSDV, statsmodels), reference numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import tfp
from tests.conftest import load_shared_csv
from tfp.exceptions import DroppedObservationsWarning

# Closed form vs closed form computed another way (QR vs statsmodels' pinv): rounding only.
RTOL_CLOSED_FORM = 1e-8
# prodest's vignette prints 3 decimals.
ATOL_PRINTED_3DP = 5e-4

CHILEAN_ROLES = {
    "output": "Y",
    "free": ["fX1", "fX2"],
    "state": "sX",
    "id": "idvar",
    "time": "timevar",
}


def _panel(seed: int = 0, n_firms: int = 80, n_periods: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    firm = np.repeat(np.arange(n_firms), n_periods)
    year = np.tile(np.arange(2010, 2010 + n_periods), n_firms)
    alpha = rng.normal(size=n_firms)[firm]
    l = rng.normal(size=firm.size) + 0.5 * alpha
    k = rng.normal(size=firm.size) + 0.3 * alpha
    y = 1.0 + 0.6 * l + 0.3 * k + alpha + rng.normal(scale=0.2, size=firm.size)
    return pd.DataFrame({"firm": firm, "year": year, "y": y, "l": l, "k": k})


@pytest.mark.reference
def test_ols_matches_prodest_chilean() -> None:
    """prodest 1.0.1 vignette Table 1, OLS ``Y ~ fX1 + fX2 + sX`` on chilean (REFERENCE.md)."""
    df = load_shared_csv("prodest_chilean.csv")
    res = tfp.estimate(df, method="ols", **CHILEAN_ROLES)
    np.testing.assert_allclose(
        res.params[["fX1", "fX2", "sX"]], [0.458, 0.365, 0.321], atol=ATOL_PRINTED_3DP
    )
    assert res.nobs == 2544 and res.n_firms == 497


def test_ols_equals_statsmodels_cluster() -> None:
    df = _panel()
    res = tfp.estimate(
        df, method="ols", output="y", free="l", state="k", id="firm", time="year"
    )
    ref = sm.OLS(df["y"], sm.add_constant(df[["l", "k"]])).fit(
        cov_type="cluster", cov_kwds={"groups": df["firm"]}
    )
    np.testing.assert_allclose(
        res.params[["l", "k", "const"]],
        ref.params[["l", "k", "const"]],
        rtol=RTOL_CLOSED_FORM,
    )
    np.testing.assert_allclose(
        res.std_errors[["l", "k", "const"]],
        ref.bse[["l", "k", "const"]],
        rtol=RTOL_CLOSED_FORM,
    )
    assert res.se_type == "analytic (cluster by firm)"


@pytest.mark.parametrize("vcov", ["robust", "classical"])
def test_ols_other_covariances(vcov: str) -> None:
    df = _panel(1)
    res = tfp.estimate(
        df,
        method="ols",
        output="y",
        free="l",
        state="k",
        id="firm",
        time="year",
        options=tfp.OLSOptions(vcov=vcov),
    )
    cov_type = "HC1" if vcov == "robust" else "nonrobust"
    ref = sm.OLS(df["y"], sm.add_constant(df[["l", "k"]])).fit(cov_type=cov_type)
    np.testing.assert_allclose(
        res.std_errors[["l", "k", "const"]],
        ref.bse[["l", "k", "const"]],
        rtol=RTOL_CLOSED_FORM,
    )


def test_fe_equals_lsdv() -> None:
    df = _panel(2)
    res = tfp.estimate(
        df, method="fe", output="y", free="l", state="k", id="firm", time="year"
    )
    dummies = pd.get_dummies(df["firm"], prefix="f", dtype=float)
    lsdv = sm.OLS(df["y"], pd.concat([df[["l", "k"]], dummies], axis=1)).fit()
    np.testing.assert_allclose(
        res.params[["l", "k"]], lsdv.params[["l", "k"]], rtol=RTOL_CLOSED_FORM
    )
    # FE removes the firm effect: close to the truth, OLS is not
    ols = tfp.estimate(
        df, method="ols", output="y", free="l", state="k", id="firm", time="year"
    )
    assert abs(res.params["l"] - 0.6) < 0.05 < abs(ols.params["l"] - 0.6)


def test_fe_time_effects_equal_two_way_lsdv() -> None:
    df = _panel(3)
    res = tfp.estimate(
        df,
        method="fe",
        output="y",
        free="l",
        state="k",
        id="firm",
        time="year",
        options=tfp.FEOptions(time_effects=True),
    )
    d = pd.concat(
        [
            df[["l", "k"]],
            pd.get_dummies(df["firm"], prefix="f", dtype=float),
            pd.get_dummies(df["year"], prefix="y", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    lsdv = sm.OLS(df["y"], d).fit()
    np.testing.assert_allclose(
        res.params[["l", "k"]], lsdv.params[["l", "k"]], rtol=RTOL_CLOSED_FORM
    )
    assert "year=2011" in res.params.index


def test_fe_drops_singletons_with_count() -> None:
    df = pd.concat(
        [
            _panel(4),
            pd.DataFrame(
                {"firm": [999], "year": [2010], "y": [1.0], "l": [0.0], "k": [0.0]}
            ),
        ]
    )
    df = df.reset_index(drop=True)
    with pytest.warns(DroppedObservationsWarning, match="singleton: 1"):
        res = tfp.estimate(
            df, method="fe", output="y", free="l", state="k", id="firm", time="year"
        )
    assert res.dropped["singleton"] == 1
    assert not res.sample.iloc[-1] and res.sample.iloc[:-1].all()


def test_translog_terms_and_elasticities() -> None:
    df = _panel(5)
    res = tfp.estimate(
        df,
        method="ols",
        output="y",
        free="l",
        state="k",
        id="firm",
        time="year",
        form="translog",
    )
    assert list(res.params.index[:5]) == ["l", "k", "l^2", "l:k", "k^2"]
    el = res.elasticities()
    b = res.params
    expected_l = b["l"] + 2 * b["l^2"] * df["l"] + b["l:k"] * df["k"]
    np.testing.assert_allclose(el["l"], expected_l, rtol=RTOL_CLOSED_FORM)
    rts = res.returns_to_scale()
    np.testing.assert_allclose(
        rts.value, (el["l"] + el["k"]).mean(), rtol=RTOL_CLOSED_FORM
    )
    assert rts.p_value is not None and 0 <= rts.p_value <= 1


def test_controls_and_time_effects_in_ols() -> None:
    df = _panel(6).assign(exporter=lambda d: (d["firm"] % 2).astype(float))
    res = tfp.estimate(
        df,
        method="ols",
        output="y",
        free="l",
        state="k",
        control="exporter",
        id="firm",
        time="year",
        options=tfp.OLSOptions(time_effects=True),
    )
    assert {"exporter", "year=2011", "const"} <= set(res.params.index)
    x = sm.add_constant(
        pd.concat(
            [
                df[["l", "k", "exporter"]],
                pd.get_dummies(df["year"], drop_first=True, dtype=float),
            ],
            axis=1,
        )
    )
    ref = sm.OLS(df["y"], x).fit()
    np.testing.assert_allclose(
        res.params[["l", "k", "exporter"]],
        ref.params[["l", "k", "exporter"]],
        rtol=RTOL_CLOSED_FORM,
    )
