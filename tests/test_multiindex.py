"""Panels whose firm and period are index levels (linearmodels' convention)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.exceptions import DataError, TFPWarning

ROLES = {"output": "y", "free": "l", "state": "k", "id": "firm", "time": "year"}


@pytest.fixture(scope="module")
def flat() -> pd.DataFrame:
    return tfp.datasets.acf_dgp(design=2, n_firms=120, seed=5).data


def test_id_and_time_are_read_from_the_index(flat: pd.DataFrame) -> None:
    indexed = flat.set_index(["firm", "year"])
    a = tfp.estimate(flat, method="ols", **ROLES)
    b = tfp.estimate(indexed, method="ols", **ROLES)
    pd.testing.assert_series_equal(a.params, b.params, check_exact=True)
    assert b.sample.index.equals(indexed.index)
    np.testing.assert_array_equal(
        b.productivity().to_numpy(), a.productivity().to_numpy()
    )


def test_one_level_and_one_column(flat: pd.DataFrame) -> None:
    half = flat.set_index("firm")
    b = tfp.estimate(half, method="ols", **ROLES)
    a = tfp.estimate(flat, method="ols", **ROLES)
    pd.testing.assert_series_equal(a.params, b.params, check_exact=True)


def test_the_message_names_the_index_levels(flat: pd.DataFrame) -> None:
    indexed = flat.set_index(["firm", "year"])
    with pytest.raises(
        DataError, match=r"column 'id': .*index levels are \['firm', 'year'\]"
    ):
        tfp.estimate(indexed, method="ols", **{**ROLES, "id": "id"})
    with pytest.raises(DataError, match=r"'l' is an index level.*reset_index"):
        tfp.estimate(flat.set_index("l"), method="ols", **ROLES)


def test_estimate_by_with_an_indexed_panel(flat: pd.DataFrame) -> None:
    data = flat.assign(g=flat["firm"] % 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)  # 60 firms per group
        a = tfp.estimate_by(data, by="g", method="ols", **ROLES)
        b = tfp.estimate_by(
            data.set_index(["firm", "year"]), by="g", method="ols", **ROLES
        )
    for k in a:
        pd.testing.assert_series_equal(a[k].params, b[k].params, check_exact=True)
