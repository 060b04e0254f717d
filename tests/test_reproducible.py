"""Reproducible by default: ``se="auto"`` is the analytic covariance where it is valid
(issue 19) and otherwise bootstraps with a fixed, recorded seed."""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import pandas as pd
import pytest

import tfp
from tfp.api import AUTO_BOOTSTRAP_SEED
from tfp.exceptions import TFPWarning

ROLES = {
    "output": "y",
    "free": "l",
    "state": "k",
    "proxy": "m",
    "id": "firm",
    "time": "year",
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return tfp.datasets.acf_dgp(design=2, n_firms=40, seed=9).data


# three Nelder-Mead iterations: the estimate is not a solution of LP's estimating
# equations, so se="auto" cannot use the analytic covariance and bootstraps
STOPPED_EARLY = tfp.LPOptions(
    optimizer=tfp.Optimizer("nelder-mead", maxiter=3, n_starts=1), start=(0.2,)
)


def _auto(data: pd.DataFrame, **kwargs: Any) -> tfp.ProductionResults:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)  # 40 firms: not the subject here
        return tfp.estimate(data, method="lp", **ROLES, **kwargs)


def test_two_identical_analytic_calls_give_identical_results(
    data: pd.DataFrame,
) -> None:
    a, b = _auto(data), _auto(data)
    assert a.bootstrap is None and a.se_type.startswith("analytic (stacked two-step")
    pd.testing.assert_series_equal(a.std_errors, b.std_errors)


def test_two_identical_calls_give_identical_results(data: pd.DataFrame) -> None:
    a, b = _auto(data, options=STOPPED_EARLY), _auto(data, options=STOPPED_EARLY)
    assert a.bootstrap is not None and b.bootstrap is not None
    pd.testing.assert_frame_equal(a.bootstrap.params, b.bootstrap.params)
    pd.testing.assert_series_equal(a.std_errors, b.std_errors)
    assert a.bootstrap.seed_entropy == AUTO_BOOTSTRAP_SEED
    assert f"seed {AUTO_BOOTSTRAP_SEED}" in a.se_type
    assert re.search(rf"Seed entropy\s*: {AUTO_BOOTSTRAP_SEED}\n", str(a.summary()))
    boot = json.loads(json.dumps(a.to_dict()))["bootstrap"]
    assert boot["seed_entropy"] == str(AUTO_BOOTSTRAP_SEED) and not boot["injected"]


def test_an_explicit_unseeded_bootstrap_still_records_its_fresh_seed(
    data: pd.DataFrame,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        res = tfp.estimate(data, method="lp", se=tfp.Bootstrap(reps=3), **ROLES)
    assert res.bootstrap is not None
    assert f"seed {res.bootstrap.seed_entropy}" in res.se_type


def test_estimate_by_auto_is_reproducible(data: pd.DataFrame) -> None:
    """Also the fallback of se="auto" for a specification without analytic covariance
    (prodest's stacked IV: closed form, so the 199 replicates are quick)."""
    grouped = data.assign(g=data["firm"] % 2)
    options = tfp.WooldridgeIVOptions.prodest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        a = tfp.estimate_by(grouped, by="g", method="wrdg-iv", options=options, **ROLES)
        b = tfp.estimate_by(grouped, by="g", method="wrdg-iv", options=options, **ROLES)
    for k in a:
        pd.testing.assert_series_equal(a[k].std_errors, b[k].std_errors)
        assert a[k].bootstrap is not None
        assert a[k].bootstrap.seed_entropy == AUTO_BOOTSTRAP_SEED
