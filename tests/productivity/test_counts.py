"""What each count counts: rows (firm-years), distinct firms, firms represented.

Hand counts on a small panel where one firm changes size class and one appears in a single
year, so the three counts differ; and the same counts on a simulated panel against pandas.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.datasets import synthetic_ene
from tfp.exceptions import DroppedObservationsWarning
from tfp.productivity import labour_productivity, tfp_aggregate, tfp_index
from tfp.program import coverage, load_pp0093_2020


@pytest.fixture
def panel() -> pd.DataFrame:
    #   firm  2018    2019     weight   firm B is micro in 2018 and small in 2019;
    #   A     micro   micro    10       firm D is only observed in 2019
    #   B     micro   small     5
    #   C     small   small     2
    #   D     -       large     1
    #   E     large   large     1
    rows = [
        ("A", 2018, "micro", 0.0, 10.0), ("A", 2019, "micro", 0.1, 10.0),
        ("B", 2018, "micro", 0.2, 5.0), ("B", 2019, "small", 0.3, 5.0),
        ("C", 2018, "small", 0.5, 2.0), ("C", 2019, "small", 0.6, 2.0),
        ("D", 2019, "large", 1.0, 1.0),
        ("E", 2018, "large", 1.1, 1.0), ("E", 2019, "large", 1.2, 1.0),
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["firm", "year", "size_class", "omega", "w"])
    return df.assign(va=1000.0 * (1 + np.arange(len(df))), workers=2.0)


def _counts(t: pd.DataFrame, *key: str) -> dict[object, tuple[int, int, float]]:
    idx = t.set_index(list(key))
    return {
        k: (int(r["n_obs"]), int(r["n_firms"]), float(r["sum_weights"]))
        for k, r in idx.iterrows()
    }


def test_pooled_index_counts_firm_years_and_distinct_firms(panel):
    t = tfp_index(panel, productivity="omega", weights="w", id="firm")
    # (rows, distinct firms, firm-years represented)
    assert _counts(t, "group") == {
        "micro": (3, 2, 25.0),  # A 2018, A 2019, B 2018
        "small": (3, 2, 9.0),  # B 2019, C 2018, C 2019
        "large": (3, 2, 3.0),  # D 2019, E 2018, E 2019
    }
    assert t.attrs["id"] == "firm"


def test_yearly_index_counts(panel):
    t = tfp_index(panel, productivity="omega", weights="w", id="firm", time="year")
    assert _counts(t, "group", "time") == {
        ("micro", 2018): (2, 2, 15.0),
        ("micro", 2019): (1, 1, 10.0),
        ("small", 2018): (1, 1, 2.0),
        ("small", 2019): (2, 2, 7.0),
        ("large", 2018): (1, 1, 1.0),
        ("large", 2019): (2, 2, 2.0),
    }


def test_aggregate_counts_firms_of_the_year(panel):
    t = tfp_aggregate(panel, productivity="omega", time="year", weights="w", id="firm")
    # MIPYME: A, B, C in both years (B changes class inside the aggregate)
    assert _counts(t, "time") == {2018: (3, 3, 17.0), 2019: (3, 3, 17.0)}


def test_without_a_firm_column_firms_are_not_counted(panel):
    t = tfp_index(panel, productivity="omega", weights="w")
    assert t["n_obs"].tolist() == [3, 3, 3]
    assert t["n_firms"].isna().all() and t.attrs["id"] is None


def test_rows_without_a_firm_are_counted_and_left_out(panel):
    holed = panel.assign(firm=panel["firm"].where(panel.index != 0))
    with pytest.warns(DroppedObservationsWarning, match="missing_id: 1"):
        t = tfp_index(holed, productivity="omega", weights="w", id="firm")
    assert _counts(t, "group")["micro"] == (2, 2, 15.0)


def test_labour_productivity_counts(panel):
    t = labour_productivity(
        panel,
        value_added="va",
        workers="workers",
        deflate=False,
        weights="w",
        id="firm",
    )
    t = t[t["group"].isin(["micro", "mype"])]
    assert _counts(t, "group", "time") == {
        ("micro", 2018): (2, 2, 15.0),
        ("micro", 2019): (1, 1, 10.0),
        ("mype", 2018): (3, 3, 17.0),  # A, B, C
        ("mype", 2019): (3, 3, 17.0),
    }
    # workers are expanded: sum of weight x workers (2 each)
    mype = t.set_index(["group", "time"]).loc[("mype", 2018)]
    assert mype["workers"] == pytest.approx(2.0 * 17.0)


def test_index_counts_firms_of_the_results_sample():
    sim = synthetic_ene(n_firms=200, seed=3)
    data = sim.data
    res = tfp.estimate(
        data, method="lp", output="y", free=["ls", "lu"], state="k", proxy="m",
        id="firm_id", time="year", se="none",
    )  # fmt: skip
    t = tfp_index(data, productivity=res, weights="weight").set_index("group")
    used = data[res.productivity().notna().to_numpy()]
    by_size = used.groupby("size_class", observed=True)
    assert t["n_obs"].to_dict() == by_size.size().to_dict()
    assert t["n_firms"].astype(int).to_dict() == by_size["firm_id"].nunique().to_dict()
    assert (t["n_firms"] < t["n_obs"]).all()  # pooled over five years
    assert t.attrs["id"] == "firm_id"


def test_coverage_counts_distinct_firms_served():
    records = load_pp0093_2020()
    reg = records.register
    assert reg is not None
    template = reg.iloc[[0]].reset_index(drop=True)
    # F1 is served twice by ITP and once by DGPAR; F2 once by ITP; F3 once by DGPAR
    rows = [
        ("F1", "ITP"),
        ("F1", "ITP"),
        ("F1", "DGPAR"),
        ("F2", "ITP"),
        ("F3", "DGPAR"),
    ]
    small = pd.concat([template] * len(rows), ignore_index=True)
    small["firm_id"] = pd.array([r[0] for r in rows], dtype="string")
    small["unit"] = pd.array([r[1] for r in rows], dtype="string")
    small["service"] = pd.array([f"s{i}" for i in range(len(rows))], dtype="string")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small register contradicts the records
        cov = coverage(records.replace(register=small), by="unit")
    assert dict(zip(cov["group"], cov["n_firms"], strict=True)) == {
        "ITP": 2,
        "DGPAR": 2,
    }
    assert cov["share_pct"].tolist() == pytest.approx([200 / 3, 200 / 3])
