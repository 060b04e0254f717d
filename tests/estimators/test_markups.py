"""DLW markups: arithmetic on constructed cases, the GNR identity, group summaries, errors."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.exceptions import (
    ConvergenceWarning,
    DataError,
    DroppedObservationsWarning,
    SpecificationError,
)
from tfp.productivity.markups import dlw_markup, markup_summary

# Pure arithmetic: exp/log round trips only.
ARITH_RTOL = 1e-12


class _Results:
    """The two public members markups() reads, on constructed numbers (Cobb-Douglas ACF-like)."""

    def __init__(self, theta: float, y: pd.Series, phi: pd.Series) -> None:
        self.method = "acf"
        self.spec = SimpleNamespace(flexible=("m",), share=None)
        self.extra: dict[str, object] = {}
        self.first_stage = {"r2": 0.9}
        self._theta = theta
        self._y, self._phi = y, phi

    def elasticities(self) -> pd.DataFrame:
        return pd.DataFrame({"l": 0.3, "m": self._theta}, index=self._y.index)

    def productivity(self, include_shock: bool = False) -> pd.Series:
        return (self._y if include_shock else self._phi) - 1.0


def test_dlw_arithmetic_on_constructed_case() -> None:
    idx = pd.Index([10, 20, 30])
    y = pd.Series([1.0, 2.0, 3.0], index=idx)
    eps = pd.Series([0.1, -0.2, 0.0], index=idx)
    res = _Results(0.6, y, y - eps)
    share = pd.Series(np.log([0.5, 0.4, 0.6]), index=idx)
    mu = tfp.markups(res, share=share)
    expected = 0.6 / (np.array([0.5, 0.4, 0.6]) * np.exp(eps.to_numpy()))
    np.testing.assert_allclose(mu.to_numpy(), expected, rtol=ARITH_RTOL)
    assert mu.name == "markup" and mu.index.equals(idx)
    raw = tfp.markups(res, share=share, correct_for_first_stage=False)
    np.testing.assert_allclose(
        raw.to_numpy(), 0.6 / np.array([0.5, 0.4, 0.6]), rtol=ARITH_RTOL
    )
    lvl = tfp.markups(res, share=np.exp(share.to_numpy()), share_kind="level")
    np.testing.assert_allclose(lvl.to_numpy(), expected, rtol=ARITH_RTOL)


def test_share_series_is_aligned_by_index() -> None:
    idx = pd.Index(["a", "b", "c"])
    y = pd.Series([1.0, 2.0, 3.0], index=idx)
    res = _Results(0.5, y, y)
    share = pd.Series(np.log([0.25, 0.5, 0.5]), index=["c", "a", "b"])  # other order
    mu = tfp.markups(res, share=share)
    np.testing.assert_allclose(
        mu.loc[["a", "b", "c"]].to_numpy(), [1.0, 1.0, 2.0], rtol=ARITH_RTOL
    )


def test_errors() -> None:
    idx = pd.RangeIndex(3)
    y = pd.Series([1.0, 2.0, 3.0], index=idx)
    res = _Results(0.5, y, y)
    with pytest.raises(DataError, match="not positive"):
        dlw_markup([0.5], [0.0], share_kind="level")
    with pytest.raises(DataError, match="shape"):
        tfp.markups(res, share=np.zeros(2))
    with pytest.raises(SpecificationError, match="not an input"):
        tfp.markups(res, flexible="k", share=np.zeros(3))
    with pytest.raises(SpecificationError, match="no revenue share"):
        tfp.markups(res)
    with pytest.raises(SpecificationError, match="share_kind"):
        tfp.markups(res, share=np.zeros(3), share_kind="ratio")
    res.first_stage = {}
    with pytest.raises(SpecificationError, match="no first stage"):
        tfp.markups(res, share=np.zeros(3))
    assert (
        tfp.markups(res, share=np.zeros(3), correct_for_first_stage=False).notna().all()
    )


def test_summary_by_group_and_weights() -> None:
    mu = pd.Series([1.0, 2.0, 3.0, 4.0, np.nan], index=list("abcde"))
    size = pd.Series(
        ["micro", "micro", "small", "small", "small"], index=mu.index, name="size"
    )
    w = pd.Series([1.0, 3.0, 1.0, 1.0, 5.0], index=mu.index)
    t = markup_summary(mu, size, weights=w)
    assert list(t.index) == ["micro", "small"]
    assert t.loc["micro", "n"] == 2 and t.loc["small", "n"] == 2  # NaN row not counted
    assert t.loc["micro", "mean"] == pytest.approx(1.5)
    assert t.loc["micro", "weighted_mean"] == pytest.approx((1 + 6) / 4)
    overall = markup_summary(mu)
    assert overall.loc["all", "n"] == 4 and overall.loc[
        "all", "median"
    ] == pytest.approx(2.5)
    year = pd.Series([1, 2, 1, 2, 1], index=mu.index, name="year")
    two = markup_summary(mu, [size, year])
    assert two.index.names == ["size", "year"] and len(two) == 4
    with pytest.raises(DataError, match="not indexed like"):
        markup_summary(mu, size.reset_index(drop=True))


def _gnr_sim(n_firms: int = 150, n_periods: int = 6, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_firms):
        omega, k = rng.normal(1.0, 0.3), rng.normal(3.0, 0.7)
        for t in range(n_periods):
            prev = omega
            omega = 0.2 + 0.8 * prev + rng.normal(0, 0.15)
            k = 0.8 * k + 0.6 + 0.3 * prev + rng.normal(0, 0.3)
            m = (np.log(0.5) + 0.3 * k + omega) / 0.5
            eps = rng.normal(0, 0.1)
            rows.append(
                (i, t, 0.3 * k + 0.5 * m + omega + eps, k, m, np.log(0.5) - eps)
            )
    return pd.DataFrame(rows, columns=["id", "t", "y", "k", "m", "s"])


def test_gnr_markup_is_one_over_e_with_the_correction() -> None:
    df = _gnr_sim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedObservationsWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = tfp.estimate(
            df,
            method="gnr",
            output="y",
            state="k",
            flexible="m",
            share="s",
            id="id",
            time="t",
            se="none",
        )
    mu = tfp.markups(res)
    ok = mu.notna()
    assert ok.sum() == res.nobs
    np.testing.assert_allclose(mu[ok], 1.0 / res.details.stage1["E"], rtol=1e-10)
    # without the correction the markup is 1/(E e^ε): its log varies like the share residual
    raw = tfp.markups(res, correct_for_first_stage=False, data=df, share="s")
    assert np.std(np.log(raw[ok])) > 0.05
    assert np.median(raw[ok]) == pytest.approx(1.0, abs=0.05)
