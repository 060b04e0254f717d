"""TFP index: hand-computed statistics, bases, growth, weights, NaN counting, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from tfp import peru
from tfp.exceptions import (
    DataError,
    DroppedObservationsWarning,
    SpecificationError,
    TFPWarning,
)
from tfp.productivity import tfp_aggregate, tfp_index

#: closed-form hand computations vs the implementation: only float rounding separates them
EXACT = 1e-12


@pytest.fixture
def cells() -> pd.DataFrame:
    """Group A: TFP levels 1 and 2 (expansion 1, 3; size 2, 1); B: levels 4 and 4."""
    return pd.DataFrame(
        {
            "grp": ["A", "A", "B", "B"],
            "omega": [0.0, math.log(2.0), math.log(4.0), math.log(4.0)],
            "f": [1.0, 3.0, 1.0, 1.0],
            "va": [2.0, 1.0, 1.0, 1.0],
        },
        index=[10, 11, 12, 13],
    )


def _row(table: pd.DataFrame, group: str, time: int | None = None) -> pd.Series:
    sel = table["group"] == group
    if time is not None:
        sel &= table["time"] == time
    assert sel.sum() == 1
    return table[sel].iloc[0]


@pytest.mark.parametrize(
    ("stat", "weights", "shares", "expected_a"),
    [
        ("mean", None, None, 1.5),  # (1 + 2) / 2
        ("mean", "f", None, 1.75),  # (1*1 + 3*2) / 4
        ("geometric", None, None, math.sqrt(2.0)),  # exp((0 + ln2) / 2)
        ("geometric", "f", None, 2.0**0.75),  # exp((0 + 3 ln2) / 4)
        ("weighted", None, "va", 4.0 / 3.0),  # shares 2/3, 1/3
        ("weighted", "f", "va", 1.6),  # f*s = 2, 3 -> shares 0.4, 0.6
    ],
)
def test_statistics_by_hand(cells, stat, weights, shares, expected_a):
    t = tfp_index(
        cells,
        productivity="omega",
        by="grp",
        base="B",
        stat=stat,
        weights=weights,
        shares=shares,
    )
    a, b = _row(t, "A"), _row(t, "B")
    assert a["value"] == pytest.approx(expected_a, rel=EXACT)
    assert b["value"] == pytest.approx(4.0, rel=EXACT)
    assert a["index"] == pytest.approx(100 * expected_a / 4.0, rel=EXACT)
    assert b["index"] == pytest.approx(100.0, rel=EXACT)
    assert t.attrs["stat"] == stat


def test_cov_term_is_weighted_minus_mean(cells):
    t = tfp_index(
        cells, productivity="omega", by="grp", base="B", shares="va", weights="f"
    )
    a = _row(t, "A")
    assert a["mean"] == pytest.approx(1.75, rel=EXACT)
    assert a["weighted_mean"] == pytest.approx(1.6, rel=EXACT)
    assert a["cov_term"] == pytest.approx(-0.15, rel=1e-10)
    assert a["n_obs"] == 2 and a["sum_weights"] == 4.0
    assert pd.isna(a["n_firms"])  # no firm column: firms are not counted
    assert list(t.columns[:9]) == [
        "group", "time", "n_obs", "n_firms", "sum_weights", "mean", "geometric_mean", "weighted_mean", "cov_term",
    ]  # fmt: skip


def test_level_input_equals_log_input(cells):
    lv = cells.assign(tfp=np.exp(cells["omega"]))
    a = tfp_index(cells, productivity="omega", by="grp", base="B")
    b = tfp_index(lv, productivity="tfp", by="grp", base="B", log=False)
    pd.testing.assert_series_equal(a["index"], b["index"], rtol=EXACT)


def test_series_input_and_data_not_mutated(cells):
    before = cells.copy()
    s = cells["omega"].rename("x")
    t = tfp_index(cells, productivity=s, by="grp", base="B")
    assert _row(t, "A")["index"] == pytest.approx(37.5, rel=EXACT)
    pd.testing.assert_frame_equal(cells, before)


@pytest.fixture
def years() -> pd.DataFrame:
    # A: levels 1, 2 in 2015 (mean 1.5), 3, 3 in 2016 (mean 3); B: 4 in 2015, 5 in 2016
    return pd.DataFrame(
        {
            "grp": ["A", "A", "B", "A", "A", "B"],
            "year": [2015, 2015, 2015, 2016, 2016, 2016],
            "omega": np.log([1.0, 2.0, 4.0, 3.0, 3.0, 5.0]),
        }
    )


def test_base_group_per_year_and_growth(years):
    t = tfp_index(years, productivity="omega", by="grp", base="B", time="year")
    assert _row(t, "A", 2015)["index"] == pytest.approx(37.5, rel=EXACT)
    assert _row(t, "A", 2016)["index"] == pytest.approx(60.0, rel=EXACT)
    assert _row(t, "A", 2016)["growth"] == pytest.approx(1.0, rel=EXACT)  # 3 / 1.5 - 1
    assert _row(t, "B", 2016)["growth"] == pytest.approx(0.25, rel=EXACT)
    assert np.isnan(_row(t, "A", 2015)["growth"])


def test_base_year(years):
    t = tfp_index(
        years, productivity="omega", by="grp", base=None, time="year", base_time=2015
    )
    assert _row(t, "A", 2015)["index"] == pytest.approx(100.0, rel=EXACT)
    assert _row(t, "A", 2016)["index"] == pytest.approx(200.0, rel=EXACT)
    assert _row(t, "B", 2016)["index"] == pytest.approx(125.0, rel=EXACT)


def test_base_group_and_year_single_reference(years):
    t = tfp_index(
        years, productivity="omega", by="grp", base="B", time="year", base_time=2015
    )
    assert _row(t, "A", 2016)["index"] == pytest.approx(75.0, rel=EXACT)  # 3 / 4
    assert _row(t, "B", 2016)["index"] == pytest.approx(125.0, rel=EXACT)


def test_empty_group_periods_keep_their_row_and_warn(years):
    """Issue 14: a non-base group without firms in a period used to vanish from the table
    without a word; now its row is kept with NaN and a warning names it, as the base
    group's empty periods are (both directions: a complete panel is quiet)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = tfp_index(years, productivity="omega", by="grp", base="B", time="year")
    assert len(full) == 4
    extra = pd.DataFrame({"grp": ["C"], "year": [2016], "omega": [0.0]})
    gap = pd.concat([years, extra], ignore_index=True)
    with pytest.warns(
        TFPWarning, match=r"1 group-period cell\(s\) have no firms \(C in 2015\)"
    ):
        t = tfp_index(gap, productivity="omega", by="grp", base="B", time="year")
    row = _row(t, "C", 2015)
    assert row["n_obs"] == 0 and row["sum_weights"] == 0
    assert np.isnan(row["mean"]) and np.isnan(row["index"])
    assert _row(t, "C", 2016)["index"] == pytest.approx(20.0, rel=EXACT)  # 1 / 5
    assert len(t) == 6
    no_base = years[~((years["grp"] == "B") & (years["year"] == 2016))]
    with pytest.warns(
        TFPWarning, match=r"base group has no firms in period\(s\) \[2016\]"
    ):
        t = tfp_index(no_base, productivity="omega", by="grp", base="B", time="year")
    assert np.isnan(_row(t, "B", 2016)["mean"]) and np.isnan(
        _row(t, "A", 2016)["index"]
    )


def test_growth_not_across_gaps():
    df = pd.DataFrame({"g": ["A", "A"], "year": [2015, 2017], "omega": [0.0, 1.0]})
    t = tfp_index(
        df, productivity="omega", by="g", base=None, time="year", base_time=2015
    )
    assert t["growth"].isna().all()
    assert _row(t, "A", 2017)["index"] == pytest.approx(100 * math.e, rel=EXACT)


def test_size_class_order_and_labels():
    df = pd.DataFrame(
        {
            "size_class": ["large", "micro", "small", "medium"],
            "omega": [1.0, 0.0, 0.5, 0.8],
        }
    )
    t = tfp_index(df, productivity="omega")
    assert t["group"].tolist() == ["micro", "small", "medium", "large"]
    assert t["label_es"].tolist() == ["Micro", "Pequeña", "Mediana", "Grande"]
    assert t["label_en"].tolist() == ["Micro", "Small", "Medium", "Large"]
    assert _row(t, "micro")["index"] == pytest.approx(100 * math.exp(-1.0), rel=EXACT)


def _sales_panel() -> pd.DataFrame:
    # UIT 2019 = 4,200 soles: 150 UIT = 630,000; 1,700 UIT = 7,140,000; 2,300 UIT = 9,660,000
    return pd.DataFrame(
        {
            "sales_soles": [630_000.0, 630_001.0, 9_660_001.0],
            "year": [2019, 2019, 2019],
            "omega": [0.0, 1.0, 2.0],
        }
    )


def test_size_class_is_a_grouping_column_added_where_peru_is_known():
    df = _sales_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecation on the new path
        sized = df.assign(size_class=peru.size_class(df["sales_soles"], df["year"]))
        t = tfp_index(sized, productivity="omega", time="year")
    assert t["group"].tolist() == ["micro", "small", "large"]
    assert _row(t, "small")["index"] == pytest.approx(100 * math.exp(-1.0), rel=EXACT)
    with pytest.raises(DataError, match="size_class"):
        tfp_index(df, productivity="omega")  # no column, nothing to derive it from


@pytest.mark.parametrize(
    "legacy", [{}, {"sales": "sales_soles"}, {"sales": "sales_soles", "uit_offset": 0}]
)
def test_size_derivation_inside_is_deprecated_but_still_works(legacy):
    df = _sales_panel()
    sized = df.assign(size_class=peru.size_class(df["sales_soles"], df["year"]))
    new = tfp_index(sized, productivity="omega", time="year")
    with pytest.warns(FutureWarning, match=r"tfp\.peru\.size_class"):
        old = tfp_index(df, productivity="omega", time="year", **legacy)
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(TypeError, match="salse"):
        tfp_index(df, productivity="omega", time="year", salse="sales_soles")


def test_invariant_to_row_order_and_constant(cells):
    base = tfp_index(
        cells,
        productivity="omega",
        by="grp",
        base="B",
        weights="f",
        shares="va",
        stat="weighted",
    )
    perm = cells.sample(frac=1.0, random_state=3)
    shuffled = tfp_index(
        perm,
        productivity="omega",
        by="grp",
        base="B",
        weights="f",
        shares="va",
        stat="weighted",
    )
    pd.testing.assert_series_equal(base["index"], shuffled["index"], rtol=EXACT)
    shifted = tfp_index(
        cells.assign(omega=cells["omega"] + 3.7),
        productivity="omega",
        by="grp",
        base="B",
    )
    plain = tfp_index(cells, productivity="omega", by="grp", base="B")
    pd.testing.assert_series_equal(plain["index"], shifted["index"], rtol=1e-10)


def test_relabelling_groups_changes_nothing(cells):
    relab = cells.assign(grp=cells["grp"].map({"A": "zz", "B": "aa"}))
    a = tfp_index(cells, productivity="omega", by="grp", base="B")
    b = tfp_index(relab, productivity="omega", by="grp", base="aa")
    assert _row(a, "A")["index"] == pytest.approx(_row(b, "zz")["index"], rel=EXACT)


def test_weights_direction():
    """Up-weighting the low-productivity micro firms lowers the MIPYME aggregate; giving
    output shares to the more productive firms raises it (positive covariance)."""
    df = pd.DataFrame(
        {
            "size_class": ["micro", "micro", "medium", "medium"],
            "year": [2019] * 4,
            "omega": np.log([1.0, 1.0, 3.0, 3.0]),
            "f_up_micro": [10.0, 10.0, 1.0, 1.0],
            "va": [1.0, 1.0, 5.0, 5.0],
        }
    )
    plain = tfp_aggregate(df, productivity="omega", time="year")["value"].iloc[0]
    survey = tfp_aggregate(df, productivity="omega", time="year", weights="f_up_micro")[
        "value"
    ].iloc[0]
    output = tfp_aggregate(
        df, productivity="omega", time="year", shares="va", stat="weighted"
    )
    assert plain == pytest.approx(2.0, rel=EXACT)
    assert survey == pytest.approx((20 + 6) / 22, rel=EXACT)
    assert survey < plain < output["value"].iloc[0]
    assert output["cov_term"].iloc[0] > 0


def test_aggregate_mipyme_excludes_large_and_growth():
    df = pd.DataFrame(
        {
            "size_class": ["micro", "large", "small", "micro", "large", "small"],
            "year": [2018, 2018, 2018, 2019, 2019, 2019],
            "omega": np.log([1.0, 50.0, 3.0, 1.0, 60.0, 2.0]),
        }
    )
    t = tfp_aggregate(df, productivity="omega", time="year", base_time=2018)
    assert t["group"].tolist() == ["mipyme", "mipyme"]
    assert t["label_es"].iloc[0] == "MIPYME"
    assert t["value"].tolist() == pytest.approx([2.0, 1.5], rel=EXACT)
    assert t["growth"].iloc[1] == pytest.approx(-0.25, rel=EXACT)
    assert t["index"].tolist() == pytest.approx([100.0, 75.0], rel=EXACT)
    assert t.attrs["excluded"] == 2
    mype = tfp_aggregate(
        df, productivity="omega", time="year", groups=("micro",), name="mype"
    )
    assert mype["value"].tolist() == pytest.approx([1.0, 1.0], rel=EXACT)


def test_nan_rows_are_counted_not_silent(cells):
    dirty = pd.concat(
        [
            cells,
            pd.DataFrame(
                {
                    "grp": ["A", None, "B"],
                    "omega": [np.nan, 1.0, 1.0],
                    "f": [1.0, 1.0, np.nan],
                    "va": [1.0] * 3,
                },
                index=[20, 21, 22],
            ),
        ]
    )
    with pytest.warns(
        DroppedObservationsWarning,
        match=r"3 of 7 rows.*missing_productivity: 1.*missing_group: 1.*missing_weight: 1",
    ):
        t = tfp_index(dirty, productivity="omega", by="grp", base="B", weights="f")
    assert t.attrs["dropped"] == {
        "missing_productivity": 1,
        "missing_group": 1,
        "missing_weight": 1,
    }
    clean = tfp_index(cells, productivity="omega", by="grp", base="B", weights="f")
    pd.testing.assert_series_equal(t["index"], clean["index"], rtol=EXACT)


def test_nonpositive_levels_counted(cells):
    lv = cells.assign(tfp=[1.0, 2.0, 4.0, 0.0])
    with pytest.warns(DroppedObservationsWarning, match="nonpositive_productivity: 1"):
        t = tfp_index(lv, productivity="tfp", by="grp", base="B", log=False)
    assert _row(t, "B")["n_obs"] == 1


def test_misaligned_series_is_counted(cells):
    s = pd.Series([0.0, 1.0, 2.0], index=[10, 12, 13])  # row 11 has no productivity
    with pytest.warns(DroppedObservationsWarning, match="missing_productivity: 1"):
        t = tfp_index(cells, productivity=s, by="grp", base="B")
    assert _row(t, "A")["n_obs"] == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"by": "nope"}, DataError, r"column 'nope'.*not in the data.*'grp'"),
        (
            {"base": "C"},
            SpecificationError,
            r"base group 'C' is not among the groups present.*\['A', 'B'\]",
        ),
        ({"stat": "median"}, SpecificationError, r"stat='median' is not one of"),
        ({"stat": "weighted"}, SpecificationError, r"needs shares="),
        ({"weights": "neg"}, DataError, r"column 'neg'.*negative"),
        (
            {"productivity": 3.0},
            SpecificationError,
            r"productivity must be a column name",
        ),
        ({"productivity": "missing_col"}, DataError, r"column 'missing_col'"),
        ({"base": None}, SpecificationError, r"needs a reference"),
        ({"base_time": 2015}, SpecificationError, r"needs the period column"),
        ({"level": 95}, SpecificationError, r"level=95"),
        ({"productivity": pd.Series([1.0], index=[99])}, DataError, r"no label"),
    ],
)
def test_errors(cells, kwargs, error, match):
    df = cells.assign(neg=[1.0, -1.0, 1.0, 1.0])
    args = {"productivity": "omega", "by": "grp", "base": "B", **kwargs}
    with pytest.raises(error, match=match):
        tfp_index(df, **args)


def test_base_time_absent_lists_periods(years):
    with pytest.raises(
        SpecificationError,
        match=r"base_time=2010 is not among the periods present: \[2015, 2016\]",
    ):
        tfp_index(
            years,
            productivity="omega",
            by="grp",
            base=None,
            time="year",
            base_time=2010,
        )


def test_aggregate_unknown_group(years):
    with pytest.raises(
        SpecificationError, match=r"group .huge. of the aggregate.*\['A', 'B'\]"
    ):
        tfp_aggregate(
            years, productivity="omega", by="grp", time="year", groups=("A", "huge")
        )


def test_size_class_needs_sales_or_column(cells):
    with pytest.raises(DataError, match="size_class"):
        tfp_index(cells, productivity="omega")
