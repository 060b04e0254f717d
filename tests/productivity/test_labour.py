"""Labour productivity by size class and year: hand values, aggregates, deflation, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.exceptions import DroppedObservationsWarning, SpecificationError
from tfp.productivity import labour_productivity

#: hand computations vs implementation: float rounding only
EXACT = 1e-12


@pytest.fixture
def firms() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "size_class": ["micro", "micro", "small", "medium", "large"] * 2,
            "year": [2018] * 5 + [2019] * 5,
            "va": [10.0, 30.0, 100.0, 400.0, 5000.0, 12.0, 30.0, 120.0, 400.0, 5000.0],
            "ls": [0.0, 1.0, 2.0, 5.0, 20.0, 0.0, 1.0, 2.0, 5.0, 20.0],
            "lu": [1.0, 1.0, 3.0, 5.0, 30.0, 1.0, 1.0, 3.0, 5.0, 30.0],
            "f": [4.0, 1.0, 2.0, 1.0, 1.0, 4.0, 1.0, 2.0, 1.0, 1.0],
        }
    )


def _row(t: pd.DataFrame, group: str, year: int) -> pd.Series:
    return t[(t["group"] == group) & (t["time"] == year)].iloc[0]


def test_ratio_and_mean_by_hand(firms):
    t = labour_productivity(
        firms, value_added="va", workers=["ls", "lu"], deflate=False
    )
    micro = _row(t, "micro", 2018)
    assert micro["ratio"] == pytest.approx(40 / 3, rel=EXACT)  # (10 + 30) / (1 + 2)
    assert micro["mean"] == pytest.approx((10 + 15) / 2, rel=EXACT)
    mype = _row(t, "mype", 2018)  # micro + small: (10 + 30 + 100) / (1 + 2 + 5)
    assert mype["ratio"] == pytest.approx(140 / 8, rel=EXACT)
    mipyme = _row(t, "mipyme", 2018)  # + medium
    assert mipyme["ratio"] == pytest.approx(540 / 18, rel=EXACT)
    assert _row(t, "micro", 2019)["growth"] == pytest.approx(42 / 40 - 1, rel=EXACT)
    assert t["group"].tolist()[:4] == ["micro", "micro", "small", "small"]
    assert _row(t, "mype", 2018)["label_es"] == "MYPE"
    assert _row(t, "small", 2018)["label_es"] == "Pequeña"


def test_expansion_weights_and_scale(firms):
    t = labour_productivity(
        firms,
        value_added="va",
        workers=["ls", "lu"],
        deflate=False,
        weights="f",
        scale=1000.0,
    )
    micro = _row(t, "micro", 2018)
    # (4*10 + 30) / (4*1 + 2) = 70 / 6 soles per worker, in thousands
    assert micro["value"] == pytest.approx(70 / 6 / 1000, rel=EXACT)
    assert micro["sum_weights"] == 5.0
    m = labour_productivity(
        firms,
        value_added="va",
        workers=["ls", "lu"],
        deflate=False,
        weights="f",
        stat="mean",
    )
    assert _row(m, "micro", 2018)["value"] == pytest.approx(
        (4 * 10 + 15) / 5, rel=EXACT
    )


def test_deflated_with_ipc(firms):
    t = labour_productivity(
        firms, value_added="va", workers=["ls", "lu"], base_year=2021
    )
    real = np.asarray(
        tfp.peru.deflate(np.array([10.0, 30.0]), np.array([2018, 2018]), base_year=2021)
    )
    assert _row(t, "micro", 2018)["value_added"] == pytest.approx(real.sum(), rel=EXACT)
    assert t.attrs["deflated"] is True and t.attrs["base_year"] == 2021


def test_nonpositive_workers_counted(firms):
    bad = firms.assign(lu=firms["lu"].where(firms.index != 0, 0.0))
    with pytest.warns(DroppedObservationsWarning, match="nonpositive_workers: 1"):
        t = labour_productivity(
            bad, value_added="va", workers=["ls", "lu"], deflate=False
        )
    assert _row(t, "micro", 2018)["n_obs"] == 1


def test_errors(firms):
    with pytest.raises(SpecificationError, match="stat='median' is not one of"):
        labour_productivity(
            firms, value_added="va", workers="ls", stat="median", deflate=False
        )
    with pytest.raises(SpecificationError, match="scale=0"):
        labour_productivity(
            firms, value_added="va", workers="ls", scale=0, deflate=False
        )
    with pytest.raises(tfp.exceptions.DataError, match="column 'workers'"):
        labour_productivity(firms, value_added="va", workers="workers", deflate=False)
