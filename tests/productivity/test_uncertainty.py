"""Bootstrap intervals recomputed from every replicate's parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.exceptions import BootstrapFailureWarning
from tfp.productivity import INTERVAL_NOTE, tfp_aggregate, tfp_index

#: the table's quantiles vs a hand recomputation from the same replicates: rounding only
EXACT = 1e-10


@pytest.fixture(scope="module")
def results(panel):
    return tfp.estimate(
        panel, method="ols", output="y", free="l", state="k", id="id", time="year",
        se=tfp.Bootstrap(reps=19, seed=3),
    )  # fmt: skip


def _hand_index(omega: pd.Series, panel: pd.DataFrame, group: str, year: int) -> float:
    lv = np.exp(omega)
    g = lv[(panel["size_class"] == group) & (panel["year"] == year)].mean()
    b = lv[(panel["size_class"] == "large") & (panel["year"] == year)].mean()
    return 100 * g / b


def test_interval_from_each_replicate(panel, results):
    t = tfp_index(panel, productivity=results, time="year")
    assert {"conf_low", "conf_high", "growth_conf_low", "growth_conf_high"} <= set(
        t.columns
    )
    assert t.attrs["interval"] == INTERVAL_NOTE and t.attrs["n_reps"] == 19
    row = t[(t["group"] == "micro") & (t["time"] == 2018)].iloc[0]
    assert row["index"] == pytest.approx(
        _hand_index(results.productivity(), panel, "micro", 2018), rel=EXACT
    )
    draws = [
        _hand_index(results.productivity(params=p), panel, "micro", 2018)
        for _, p in results.bootstrap.params.iterrows()
    ]
    assert row["conf_low"] == pytest.approx(np.quantile(draws, 0.025), rel=EXACT)
    assert row["conf_high"] == pytest.approx(np.quantile(draws, 0.975), rel=EXACT)
    assert row["conf_low"] < row["index"] < row["conf_high"]
    large = t[t["group"] == "large"]
    assert np.allclose(large[["index", "conf_low", "conf_high"]].to_numpy(), 100.0)


def test_aggregate_growth_interval(panel, results):
    t = tfp_aggregate(
        panel, productivity=results, time="year", groups=("micro", "small")
    )
    assert (
        t["growth_conf_low"].iloc[1]
        <= t["growth"].iloc[1]
        <= t["growth_conf_high"].iloc[1]
    )
    assert np.isnan(t["growth_conf_low"].iloc[0])
    assert (t["value_conf_low"] <= t["value"]).all() and (
        t["value"] <= t["value_conf_high"]
    ).all()


def test_series_input_has_no_interval(panel, results):
    t = tfp_index(panel, productivity=results.productivity(), time="year")
    assert "conf_low" not in t.columns and "interval" not in t.attrs


class _Draws:
    def __init__(self, params: pd.DataFrame) -> None:
        self.params = params
        self.failed = int(params.isna().any(axis=1).sum())


class _Results:
    """The part of the results contract the productivity layer uses (productivity, bootstrap)."""

    def __init__(self, data: pd.DataFrame, draws: pd.DataFrame) -> None:
        self.data = data
        self.bootstrap = _Draws(draws)

    def productivity(self, kind="log", include_shock=False, params=None):
        b = 0.5 if params is None else float(params["x"])
        return self.data["y"] - b * self.data["x"]


def test_failed_replicates_counted():
    data = pd.DataFrame(
        {
            "g": ["a", "a", "b", "b"],
            "y": [1.0, 2.0, 3.0, 4.0],
            "x": [1.0, 2.0, 1.0, 0.0],
        }
    )
    draws = pd.DataFrame({"x": [0.4, np.nan, 0.5, 0.6]})
    with pytest.warns(BootstrapFailureWarning, match="1 of 4 bootstrap replicates"):
        t = tfp_index(data, productivity=_Results(data, draws), by="g", base="b")
    assert t.attrs["n_reps"] == 3 and t.attrs["n_reps_failed"] == 1
    a = t[t["group"] == "a"].iloc[0]

    def idx(b: float) -> float:
        om = data["y"] - b * data["x"]
        return 100 * np.exp(om[:2]).mean() / np.exp(om[2:]).mean()

    assert a["conf_low"] == pytest.approx(
        np.quantile([idx(0.4), idx(0.5), idx(0.6)], 0.025), rel=EXACT
    )
