"""tfp.panel: validation, drops by reason, gap-aware lags, mapping back, no mutation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp.exceptions import DataError, DroppedObservationsWarning, PanelStructureError
from tfp.panel import make_panel


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "firm": ["b", "a", "a", "a", "b", "c"],
            "year": [2001, 2001, 2003, 2002, 2003, 2005],
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "x": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        },
        index=[10, 11, 12, 13, 14, 15],
    )


def test_sorted_by_firm_and_time_with_string_ids() -> None:
    p = make_panel(_frame(), id="firm", time="year", columns=["y"])
    assert list(p.firm_ids()) == ["a", "a", "a", "b", "b", "c"]
    assert list(p.time) == [2001, 2002, 2003, 2001, 2003, 2005]
    assert list(p.index) == [11, 13, 12, 10, 14, 15]
    assert p.n_firms == 3 and p.nobs == 6 and p.n_periods == 4


def test_lags_are_gap_aware() -> None:
    p = make_panel(_frame(), id="firm", time="year", columns=["y"])
    lag = p.lag("y")
    # a: 2001 none, 2002 <- 2001 (2.0), 2003 <- 2002 (4.0); b: 2001 none, 2003 gap; c: single
    np.testing.assert_array_equal(lag, [np.nan, 2.0, 4.0, np.nan, np.nan, np.nan])
    assert list(p.lag_reasons()) == [1, 0, 0, 1, 2, 1]
    lead = p.lag("y", -1)
    np.testing.assert_array_equal(lead, [4.0, 3.0, np.nan, np.nan, np.nan, np.nan])
    lag2 = p.lag("y", 2)
    np.testing.assert_array_equal(lag2, [np.nan, np.nan, 2.0, np.nan, 1.0, np.nan])


def test_missing_values_dropped_by_reason_with_warning() -> None:
    df = _frame()
    df.loc[13, "y"] = np.nan
    df.loc[15, "x"] = np.inf
    with pytest.warns(DroppedObservationsWarning, match="missing: 2"):
        p = make_panel(df, id="firm", time="year", columns=["y", "x"])
    assert dict(p.dropped) == {"missing": 2}
    # dropping 2002 of firm a breaks a's lag in 2003: a gap, not a silent bridge
    assert list(p.lag_reasons()) == [1, 2, 1, 2]


def test_nonpositive_levels_dropped_by_reason() -> None:
    df = _frame()
    df.loc[10, "x"] = 0.0
    with pytest.warns(DroppedObservationsWarning, match="nonpositive: 1"):
        p = make_panel(df, id="firm", time="year", columns=["x"], positive=["x"])
    assert p.dropped["nonpositive"] == 1


def test_missing_keys_counted() -> None:
    df = _frame()
    df["year"] = df["year"].astype(float)
    df.loc[15, "year"] = np.nan
    with pytest.warns(DroppedObservationsWarning, match="missing_key: 1"):
        p = make_panel(df, id="firm", time="year", columns=["y"])
    assert p.nobs == 5


def test_input_never_mutated() -> None:
    df = _frame()
    df.loc[13, "y"] = np.nan
    before = df.copy(deep=True)
    with pytest.warns(DroppedObservationsWarning):
        make_panel(df, id="firm", time="year", columns=["y", "x"], positive=["x"])
    pd.testing.assert_frame_equal(df, before)


def test_to_series_maps_back_to_caller_index() -> None:
    df = _frame()
    p = make_panel(df, id="firm", time="year", columns=["y"])
    s = p.to_series(p["y"] * 2)
    pd.testing.assert_series_equal(s, df["y"] * 2, check_names=False)
    assert p.sample_mask().all()


def test_duplicates_raise_with_keys() -> None:
    df = _frame()
    df.loc[15, ["firm", "year"]] = ["a", 2001]
    with pytest.raises(
        PanelStructureError, match=r"share an \(id, time\) pair.*\('a', 2001\)"
    ):
        make_panel(df, id="firm", time="year", columns=["y"])


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (
            lambda d: d.assign(y=d["y"].astype(str).where(d.index != 12, "n/a")),
            DataError,
            "column 'y': is not numeric.*'n/a'",
        ),
        (
            lambda d: d.assign(year=d["year"] + 0.5),
            PanelStructureError,
            "whole numbers",
        ),
        (
            lambda d: d.assign(year=d["year"].astype(str)),
            PanelStructureError,
            "integer-like",
        ),
        (lambda d: d.drop(columns="x"), DataError, "column 'x': is not in the data"),
    ],
)
def test_bad_input_errors(change, error, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        make_panel(change(_frame()), id="firm", time="year", columns=["y", "x"])


def test_not_a_dataframe() -> None:
    with pytest.raises(DataError, match="must be a pandas DataFrame"):
        make_panel({"a": [1]}, id="a", time="b")  # type: ignore[arg-type]


def test_single_period_firms_and_unsorted_input_fine() -> None:
    df = _frame().sample(frac=1.0, random_state=3)
    p1 = make_panel(df, id="firm", time="year", columns=["y"])
    p2 = make_panel(_frame(), id="firm", time="year", columns=["y"])
    np.testing.assert_array_equal(p1["y"], p2["y"])
    assert p1.lag_reasons()[-1] == 1  # firm c, seen once: first period, no lag


def test_arrays_are_read_only() -> None:
    p = make_panel(_frame(), id="firm", time="year", columns=["y"])
    with pytest.raises(ValueError, match="read-only"):
        p["y"][0] = 1.0
    with pytest.raises(TypeError, match="read-only"):
        p.values["z"] = np.zeros(6)  # type: ignore[index]


def test_sorted_input_takes_the_fast_path_to_the_same_panel() -> None:
    """Data already sorted by (id, time) skip the sort; the panel is the sorted one."""
    df = _frame()
    sorted_df = df.sort_values(["firm", "year"])
    p1 = make_panel(df, id="firm", time="year", columns=["y"])
    p2 = make_panel(sorted_df, id="firm", time="year", columns=["y"])
    np.testing.assert_array_equal(p1.firm, p2.firm)
    np.testing.assert_array_equal(p1.time, p2.time)
    np.testing.assert_array_equal(p1.index, p2.index)
    np.testing.assert_array_equal(p1["y"], p2["y"])


def test_firm_with_every_row_dropped_gets_no_code() -> None:
    df = _frame()
    df.loc[df["firm"] == "b", "y"] = np.nan  # both rows of firm b go
    with pytest.warns(DroppedObservationsWarning):
        p = make_panel(df, id="firm", time="year", columns=["y"])
    assert list(p.firm_labels) == ["a", "c"]
    assert p.firm.tolist() == [0, 0, 0, 1]
    assert p.n_firms == 2


def test_duplicates_among_rows_dropped_later_still_raise() -> None:
    """A duplicated (id, time) pair is a structural error even when one of the rows would
    be dropped for a missing value (on sorted and unsorted input)."""
    df = _frame()
    df.loc[15, ["firm", "year", "y"]] = ["a", 2001, np.nan]
    for frame in (df, df.sort_values(["firm", "year"])):
        with pytest.raises(PanelStructureError, match=r"2 rows share"):
            make_panel(frame, id="firm", time="year", columns=["y"])
