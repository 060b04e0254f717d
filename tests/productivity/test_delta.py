"""Delta-method intervals of TFP indices from an analytic covariance (issue 19)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.productivity import tfp_index
from tfp.productivity.delta import DELTA_NOTE, delta_cells

# The gradient by central differences of a statistic linear in β is exact to rounding.
RTOL_LINEAR = 1e-7


@pytest.fixture(scope="module")
def results(panel: pd.DataFrame) -> tfp.ProductionResults:
    return tfp.estimate(
        panel, method="ols", output="y", free="l", state="k", id="id", time="year",
        se="analytic",
    )  # fmt: skip


def test_delta_se_of_a_linear_statistic_is_exact(panel, results) -> None:
    # the mean of log TFP over the rows is linear in β: its variance is g'Vg exactly
    keep = np.ones(len(panel), dtype=bool)
    ci = delta_cells(
        results,
        panel,
        lambda om: np.array([[om.mean()]]),
        keep=keep,
        shape=(1, 1),
        level=0.95,
    )
    g = -panel[["l", "k"]].mean().to_numpy()
    v = results.vcov.loc[["l", "k"], ["l", "k"]].to_numpy()
    se = np.sqrt(g @ v @ g)
    half = (ci.high - ci.low)[0, 0] / 2
    assert half == pytest.approx(1.959963984540054 * se, rel=RTOL_LINEAR)


def test_index_gets_delta_intervals_without_draws(panel, results) -> None:
    t = tfp_index(panel, productivity=results, time="year")
    assert t.attrs["interval"] == DELTA_NOTE and t.attrs["level"] == 0.95
    assert "n_reps" not in t.attrs
    rows = t[t["group"] != "large"]
    assert np.all(rows["conf_low"] < rows["index"])
    assert np.all(rows["index"] < rows["conf_high"])
    # the base group is 100 by construction, with no uncertainty
    large = t[t["group"] == "large"]
    assert np.allclose(large[["index", "conf_low", "conf_high"]].to_numpy(), 100.0)
    # wider at 99 % than at 90 %
    wide = tfp_index(panel, productivity=results, time="year", level=0.99)
    narrow = tfp_index(panel, productivity=results, time="year", level=0.90)
    assert np.all(
        (wide["conf_high"] - wide["conf_low"])[rows.index]
        > (narrow["conf_high"] - narrow["conf_low"])[rows.index]
    )


def test_delta_is_close_to_the_bootstrap(panel, results) -> None:
    # same estimand (β's uncertainty, productivity on the same rows): the half-widths agree
    boot = results.with_bootstrap(tfp.Bootstrap(reps=199, seed=11))
    a = tfp_index(panel, productivity=results, time="year")
    b = tfp_index(panel, productivity=boot, time="year")
    rows = a["group"] != "large"
    ratio = (a["conf_high"] - a["conf_low"])[rows] / (b["conf_high"] - b["conf_low"])[
        rows
    ]
    # 199 replicates: the percentile interval's width has ~6 % Monte Carlo error
    assert np.all(np.abs(ratio - 1) < 0.25)


def test_no_interval_without_covariance_or_where_productivity_is_fixed(panel) -> None:
    none = tfp.estimate(
        panel, method="ols", output="y", free="l", state="k", id="id", time="year",
        se="none",
    )  # fmt: skip
    t = tfp_index(panel, productivity=none, time="year")
    assert "conf_low" not in t.columns and "interval" not in t.attrs


def test_gnr_results_give_no_delta_interval() -> None:
    # GNR's productivity is not φ − Xβ at other parameters: no interval, no error
    data = tfp.datasets.gnr_dgp(n_firms=60, seed=4).data
    data["size_class"] = np.where(data["firm"] % 2 == 0, "large", "small")
    with warnings.catch_warnings():  # local minima of a small sample: not the subject
        warnings.simplefilter("ignore", tfp.exceptions.ConvergenceWarning)
        warnings.simplefilter("ignore", tfp.exceptions.UnreliableEstimateWarning)
        res = tfp.estimate(
            data, method="gnr", output="y", free="l", state="k", flexible="m",
            share="s", id="firm", time="year", se="analytic",
        )  # fmt: skip
    assert res.vcov is not None  # a covariance, yet no delta-method interval
    t = tfp_index(data, productivity=res, time="year")
    assert "conf_low" not in t.columns
