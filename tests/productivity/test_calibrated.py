"""Calibrated Cobb-Douglas TFP (PRODUCE's way): hand values, levels vs logs, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tfp.exceptions import DataError, DroppedObservationsWarning, SpecificationError
from tfp.productivity import PRODUCE_SHARES_ENE_2015_2018, calibrated

#: closed form y - sum a x vs implementation: float rounding only
EXACT = 1e-12


@pytest.fixture
def levels() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Y": [100.0, 50.0, 80.0],
            "K": [10.0, 20.0, 5.0],
            "Ls": [2.0, 1.0, 4.0],
            "Lu": [3.0, 1.0, 1.0],
        },
        index=["a", "b", "c"],
    )


def test_hand_values_levels(levels):
    shares = {"K": 0.262, "Ls": 0.588, "Lu": 0.166}
    out = calibrated(levels, output="Y", inputs=shares, log=False)
    expected = [
        math.log(100 / (10**0.262 * 2**0.588 * 3**0.166)),
        math.log(50 / (20**0.262 * 1**0.588 * 1**0.166)),
        math.log(80 / (5**0.262 * 4**0.588 * 1**0.166)),
    ]
    assert out.tolist() == pytest.approx(expected, rel=EXACT)
    assert out.index.tolist() == ["a", "b", "c"]
    assert out.name == "omega"


def test_logs_equal_levels(levels):
    logs = np.log(levels)
    shares = {"K": 0.3, "Ls": 0.5, "Lu": 0.2}
    a = calibrated(levels, output="Y", inputs=shares, log=False)
    b = calibrated(logs, output="Y", inputs=shares, log=True)
    pd.testing.assert_series_equal(a, b, rtol=EXACT)


def test_produce_shares_are_published_values():
    assert dict(PRODUCE_SHARES_ENE_2015_2018) == {
        "capital": 0.262, "skilled_labour": 0.588, "unskilled_labour": 0.166,
    }  # fmt: skip
    assert sum(PRODUCE_SHARES_ENE_2015_2018.values()) == pytest.approx(1.016)


def test_missing_and_nonpositive_counted(levels):
    bad = levels.copy()
    bad.loc["a", "K"] = np.nan
    bad.loc["b", "Lu"] = 0.0
    before = bad.copy()
    with pytest.warns(
        DroppedObservationsWarning, match=r"2 of 3 rows.*missing: 1.*nonpositive: 1"
    ):
        out = calibrated(bad, output="Y", inputs={"K": 0.3, "Lu": 0.5}, log=False)
    assert out.isna().tolist() == [True, True, False]
    assert out.attrs["dropped"] == {"missing": 1, "nonpositive": 1}
    pd.testing.assert_frame_equal(bad, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"inputs": {}}, SpecificationError, "non-empty mapping"),
        (
            {"inputs": {"Y": 0.3}},
            SpecificationError,
            r"column 'Y'.*both as output and as an input",
        ),
        (
            {"inputs": {"K": "0.3"}},
            SpecificationError,
            r"share of input 'K' must be a number",
        ),
        (
            {"inputs": {"K": float("nan")}},
            SpecificationError,
            r"share of input 'K' is nan",
        ),
        ({"inputs": {"X": 0.3}}, DataError, r"column 'X'.*not in the data"),
        ({"output": "nope", "inputs": {"K": 0.3}}, DataError, r"column 'nope'"),
    ],
)
def test_errors(levels, kwargs, error, match):
    args = {"output": "Y", **kwargs}
    with pytest.raises(error, match=match):
        calibrated(levels, **args)


def test_text_column_is_a_data_error(levels):
    df = levels.assign(K=["1", "2", "x"])
    with pytest.raises(DataError, match=r"column 'K'.*numeric"):
        calibrated(df, output="Y", inputs={"K": 0.3})
