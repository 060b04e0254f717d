"""The designs of the analytic-SE Monte Carlo (issue 19): ``gnr_dgp``, ``acf_dgp``'s valid
OP investment proxy, and ``run_montecarlo``'s analytic intervals and gross-output cell."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.datasets import acf_dgp, gnr_dgp
from tfp.exceptions import SpecificationError
from tfp.montecarlo import run_montecarlo, summarise

# identities of the simulators hold to rounding
EXACT = 1e-10
# one GNR fit on 5,000 firm-years: per-panel sd of the elasticities <= 0.02 (200-draw
# Monte Carlo), so 0.05 is 2.5 sd
GNR_ATOL = 0.05
# OP on 10,000 firm-years of the valid-proxy design: per-panel sd 0.003 (l), 0.009 (k)
OP_ATOL = 0.03


def test_gnr_dgp_shapes_and_identities() -> None:
    data, truth = gnr_dgp(n_firms=80, n_periods=6, seed=3)
    assert list(data.columns) == ["firm", "year", "y", "k", "l", "m", "s"]
    assert len(data) == 480 and isinstance(data.index, pd.RangeIndex)
    assert dict(truth.params) == {"k": 0.25, "l": 0.2, "m": 0.5}
    eps = truth.epsilon.to_numpy()
    # output and the share equation (GNR eq. 11)
    y = 0.25 * data["k"] + 0.2 * data["l"] + 0.5 * data["m"] + truth.omega + eps
    np.testing.assert_allclose(data["y"], y, rtol=EXACT)
    np.testing.assert_allclose(data["s"], np.log(0.5) + 0.005 - eps, rtol=EXACT)
    # deterministic in the seed
    again, _ = gnr_dgp(n_firms=80, n_periods=6, seed=3)
    pd.testing.assert_frame_equal(data, again)


def test_gnr_dgp_gnr_recovers_the_truth() -> None:
    data, truth = gnr_dgp(n_firms=500, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tfp.exceptions.TFPWarning)
        res = tfp.estimate(
            data, method="gnr", output="y", free="l", state="k", flexible="m",
            share="s", id="firm", time="year", se="none",
        )  # fmt: skip
    for name, value in truth.params.items():
        assert res.params[name] == pytest.approx(value, abs=GNR_ATOL)


def test_acf_dgp_valid_investment_proxy() -> None:
    data, truth = acf_dgp(
        2, n_firms=1000, seed=5, investment_cost_sd=0.0, capital_shock_sd=0.3
    )
    # investment is one strictly increasing function of ω for every firm
    order = np.argsort(truth.omega.to_numpy())
    assert np.all(np.diff(data["i"].to_numpy()[order]) > 0)
    res = tfp.estimate(
        data, method="op", output="y", free="l", state="k", proxy="i", id="firm",
        time="year", se="none",
    )  # fmt: skip
    assert res.params["l"] == pytest.approx(0.6, abs=OP_ATOL)
    assert res.params["k"] == pytest.approx(0.4, abs=OP_ATOL)


def test_acf_dgp_defaults_unchanged_by_the_new_options() -> None:
    a, _ = acf_dgp(1, n_firms=30, seed=2)
    b, _ = acf_dgp(1, n_firms=30, seed=2, investment_cost_sd=0.6, capital_shock_sd=0.0)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"investment_cost_sd": -1.0}, "investment_cost_sd"),
        ({"capital_shock_sd": float("nan")}, "capital_shock_sd"),
    ],
)
def test_acf_dgp_option_errors(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(SpecificationError, match=match):
        acf_dgp(1, n_firms=10, **kwargs)


def test_run_montecarlo_analytic_wald_intervals_and_gnr_cell() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = run_montecarlo(
            2, methods="lp", n_draws=2, n_firms=100, seed=1, analytic=True
        )
    z = 1.959963984540054
    np.testing.assert_allclose(
        frame["conf_high"] - frame["estimate"], z * frame["std_error"], rtol=EXACT
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gnr = run_montecarlo("gnr", methods="gnr", n_draws=1, n_firms=100, seed=1)
    assert sorted(gnr["term"]) == ["k", "l", "m"]
    assert set(gnr["design"]) == {"gnr"}
    summary = summarise(gnr, {"l": 0.2, "k": 0.25, "m": 0.5})
    assert summary["n_failed"].sum() == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"design": "gnr", "methods": "acf"}, "gross-output design"),
        ({"design": 2, "methods": "gnr"}, "gross-output design"),
        ({"design": "gnr", "methods": "gnr", "measurement_error": 0.1}, "gross-output"),
        ({"design": 2, "methods": "lp", "analytic": True, "bootstrap": tfp.Bootstrap(reps=2)}, "analytic=True and a bootstrap"),
        ({"design": "dgp2", "methods": "lp"}, "is not one of"),
    ],
)  # fmt: skip
def test_run_montecarlo_option_errors(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(SpecificationError, match=match):
        run_montecarlo(n_draws=1, n_firms=10, **kwargs)  # type: ignore[arg-type]
