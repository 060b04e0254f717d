"""Olley–Pakes and Melitz–Polanec decompositions: hand cases and exact identities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp.exceptions import (
    DroppedObservationsWarning,
    PanelStructureError,
    SpecificationError,
)
from tfp.productivity import melitz_polanec, olley_pakes

#: components computed from their own definitions add up to the aggregate up to rounding
IDENTITY = 1e-12


def test_olley_pakes_by_hand():
    df = pd.DataFrame({"omega": [1.0, 2.0, 4.0], "va": [1.0, 1.0, 2.0]})
    t = olley_pakes(df, productivity="omega", shares="va")
    # shares 1/4, 1/4, 1/2 -> aggregate 0.25 + 0.5 + 2 = 2.75; mean 7/3
    assert t["aggregate"].iloc[0] == pytest.approx(2.75, rel=IDENTITY)
    assert t["mean"].iloc[0] == pytest.approx(7 / 3, rel=IDENTITY)
    assert t["cov_term"].iloc[0] == pytest.approx(2.75 - 7 / 3, rel=1e-10)


def test_olley_pakes_level_kind_and_weights():
    df = pd.DataFrame({"omega": np.log([1.0, 3.0]), "va": [1.0, 1.0], "f": [3.0, 1.0]})
    t = olley_pakes(df, productivity="omega", shares="va", weights="f", kind="level")
    # population mean (3*1 + 3)/4 = 1.5; shares f*s = 3, 1 -> aggregate 0.75 + 0.75 = 1.5
    assert t["mean"].iloc[0] == pytest.approx(1.5, rel=IDENTITY)
    assert t["aggregate"].iloc[0] == pytest.approx(1.5, rel=IDENTITY)
    assert t["cov_term"].iloc[0] == pytest.approx(0.0, abs=IDENTITY)


def _random_panel(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for firm in range(60):
        start = int(rng.integers(2015, 2018))
        end = int(rng.integers(start, 2020))
        for year in range(start, end + 1):
            rows.append((f"F{firm:03d}", year))
    df = pd.DataFrame(rows, columns=["firm", "year"])
    df["omega"] = rng.normal(size=len(df))
    df["va"] = rng.lognormal(size=len(df)) * np.exp(df["omega"])
    df["f"] = rng.uniform(1, 5, size=len(df))
    df["sector"] = rng.choice(["C", "G"], size=len(df))
    return df


@pytest.mark.parametrize("kind", ["log", "level"])
@pytest.mark.parametrize("weights", [None, "f"])
def test_identities_exact(kind, weights):
    df = _random_panel(1)
    op = olley_pakes(
        df,
        productivity="omega",
        shares="va",
        time="year",
        by="sector",
        weights=weights,
        kind=kind,
    )
    np.testing.assert_allclose(
        op["aggregate"], op["mean"] + op["cov_term"], rtol=IDENTITY, atol=IDENTITY
    )
    mp = melitz_polanec(
        df,
        productivity="omega",
        id="firm",
        time="year",
        shares="va",
        by="sector",
        weights=weights,
        kind=kind,
    )
    total = mp["survivors_mean"] + mp["survivors_cov"] + mp["entrants"] + mp["exiters"]
    np.testing.assert_allclose(total, mp["change"], rtol=IDENTITY, atol=IDENTITY)
    assert (mp["n_entrants"] > 0).any() and (mp["n_exiters"] > 0).any()
    # the end points of MP are the OP aggregates of the same group and year
    merged = mp.merge(op, left_on=["group", "time_to"], right_on=["group", "time"])
    np.testing.assert_allclose(
        merged["aggregate_to"], merged["aggregate"], rtol=IDENTITY
    )


def test_melitz_polanec_by_hand():
    # 2018: A (phi 1, s 1), B (phi 2, s 1), X exits (phi 0, s 2)
    # 2019: A (phi 2, s 1), B (phi 2, s 3), E enters (phi 4, s 4)
    df = pd.DataFrame(
        {
            "id": ["A", "B", "X", "A", "B", "E"],
            "year": [2018, 2018, 2018, 2019, 2019, 2019],
            "omega": [1.0, 2.0, 0.0, 2.0, 2.0, 4.0],
            "va": [1.0, 1.0, 2.0, 1.0, 3.0, 4.0],
        }
    )
    r = melitz_polanec(
        df, productivity="omega", id="id", time="year", shares="va"
    ).iloc[0]
    phi1 = (1 * 1 + 2 * 1 + 0 * 2) / 4  # 0.75
    phi2 = (2 * 1 + 2 * 3 + 4 * 4) / 8  # 3.0
    assert r["change"] == pytest.approx(phi2 - phi1, rel=IDENTITY)
    assert r["survivors_mean"] == pytest.approx(2.0 - 1.5, rel=IDENTITY)
    # survivors' share-weighted means: 2018 (1+2)/2 = 1.5, 2019 (2+6)/4 = 2 -> cov change 0
    assert r["survivors_cov"] == pytest.approx(0.0, abs=IDENTITY)
    assert r["entrants"] == pytest.approx(0.5 * (4.0 - 2.0), rel=IDENTITY)  # s_E2 = 4/8
    assert r["exiters"] == pytest.approx(0.5 * (1.5 - 0.0), rel=IDENTITY)  # s_X1 = 2/4
    assert (r["n_survivors"], r["n_entrants"], r["n_exiters"]) == (2, 1, 1)


def test_melitz_polanec_pairs_and_errors():
    df = _random_panel(2)
    mp = melitz_polanec(
        df,
        productivity="omega",
        id="firm",
        time="year",
        shares="va",
        pairs=[(2015, 2019)],
    )
    assert mp[["time_from", "time_to"]].values.tolist() == [[2015, 2019]]
    with pytest.raises(
        SpecificationError, match=r"period 2030 of pair \(2015, 2030\) is not among"
    ):
        melitz_polanec(
            df,
            productivity="omega",
            id="firm",
            time="year",
            shares="va",
            pairs=[(2015, 2030)],
        )
    dup = pd.concat([df, df.iloc[:1]])
    dup.index = range(len(dup))
    with pytest.raises(PanelStructureError, match=r"repeat an \(id, time\) pair"):
        melitz_polanec(dup, productivity="omega", id="firm", time="year", shares="va")
    with pytest.raises(SpecificationError, match=r"kind='logs' is not one of"):
        olley_pakes(df, productivity="omega", shares="va", kind="logs")


def test_missing_shares_counted():
    df = pd.DataFrame({"omega": [1.0, 2.0, 3.0], "va": [1.0, np.nan, -1.0]})
    with pytest.warns(
        DroppedObservationsWarning, match=r"missing_share: 1.*negative_share: 1"
    ):
        t = olley_pakes(df, productivity="omega", shares="va")
    assert t["n_firms"].iloc[0] == 1
