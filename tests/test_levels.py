"""Levels in, logs inside: ``tfp.estimate(..., levels=...)``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.exceptions import DroppedObservationsWarning, SpecificationError, TFPWarning

# The same estimator on the same numbers: log(exp(x)) differs from x by one rounding.
SAME_RTOL = 1e-9
# A numerical search (ACF's BFGS stops at gradient 1e-10) started from points that differ by
# rounding ends within ~1e-7 of the same minimum: the unit-invariance tolerance.
SEARCH_ATOL = 1e-6

ROLES = {"output": "y", "free": "l", "state": "k", "id": "firm", "time": "year"}


@pytest.fixture(scope="module")
def logs() -> pd.DataFrame:
    df, _ = tfp.datasets.acf_dgp(design=2, n_firms=200, seed=2)
    return df


@pytest.fixture(scope="module")
def levels(logs: pd.DataFrame) -> pd.DataFrame:
    """The same panel in levels: output and capital in soles, labour in workers."""
    return logs.assign(
        y=np.exp(logs["y"] + np.log(1e6)),
        k=np.exp(logs["k"] + np.log(1e6)),
        l=np.exp(logs["l"]),
        m=np.exp(logs["m"] + np.log(1e6)),
    )


def _quiet(data: pd.DataFrame, **kw: object) -> tfp.ProductionResults:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        return tfp.estimate(data, se="none", **{**ROLES, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["ols", "lp", "acf"])
def test_levels_give_the_estimate_of_the_logs(
    logs: pd.DataFrame, levels: pd.DataFrame, method: str
) -> None:
    proxy = {} if method == "ols" else {"proxy": "m"}
    a = _quiet(logs, method=method, **proxy)
    b = _quiet(levels, method=method, levels=True, **proxy)
    np.testing.assert_allclose(
        b.params[["l", "k"]],
        a.params[["l", "k"]],
        rtol=SAME_RTOL,
        atol=SEARCH_ATOL if method == "acf" else 0.0,
    )
    assert b.spec.levels == ("y", "l", "k", *(("m",) if proxy else ()))
    assert b.spec.roles()["levels"] == list(b.spec.levels)
    # the data are never touched, and productivity is in logs
    assert (levels["k"] > 1e3).all()
    omega = b.productivity() - a.productivity()
    np.testing.assert_allclose(omega - omega.mean(), 0.0, atol=1e-7)


def test_named_columns_only(logs: pd.DataFrame) -> None:
    mixed = logs.assign(k=np.exp(logs["k"]))
    a = _quiet(logs, method="ols")
    b = _quiet(mixed, method="ols", levels="k")
    np.testing.assert_allclose(b.params, a.params, rtol=SAME_RTOL)
    assert b.spec.levels == ("k",)
    again = _quiet(mixed, method="ols", **{**b.spec.roles(), "levels": ["k"]})
    np.testing.assert_allclose(again.params, b.params, rtol=0)


def test_nonpositive_values_are_dropped_counted_and_warned(
    levels: pd.DataFrame,
) -> None:
    bad = levels.copy()
    bad.loc[[0, 5, 7], "k"] = 0.0
    bad.loc[9, "y"] = -3.0
    with pytest.warns(DroppedObservationsWarning, match="nonpositive: 4"):
        res = tfp.estimate(bad, method="ols", levels=True, se="none", **ROLES)
    assert res.dropped["nonpositive"] == 4
    assert not res.sample.loc[[0, 5, 7, 9]].any()


def test_levels_must_name_role_columns(levels: pd.DataFrame) -> None:
    with pytest.raises(SpecificationError, match="column 'year': is named in levels"):
        tfp.estimate(levels, method="ols", levels=["year"], **ROLES)
    with pytest.raises(SpecificationError, match="levels must be True, False"):
        tfp.estimate(levels, method="ols", levels=1, **ROLES)  # type: ignore[arg-type]


def test_levels_through_estimate_many_and_estimate_by(
    logs: pd.DataFrame, levels: pd.DataFrame
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        many = tfp.estimate_many(
            levels, methods=["ols", "fe"], levels=True, se="none", **ROLES
        )
        by = tfp.estimate_by(
            levels.assign(g=levels["firm"] % 2),
            by="g",
            method="ols",
            levels=True,
            se="none",
            **ROLES,
        )
        ref = tfp.estimate_by(
            logs.assign(g=logs["firm"] % 2), by="g", method="ols", se="none", **ROLES
        )
    assert many["ols"].spec.levels == ("y", "l", "k")
    for k in ref:
        np.testing.assert_allclose(
            by[k].params[["l", "k"]], ref[k].params[["l", "k"]], rtol=SAME_RTOL
        )
