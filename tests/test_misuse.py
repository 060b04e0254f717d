"""Misuse through the public API: every bad input gives a tfp exception that names the column,
the problem and the fix, or works correctly; results stay on the caller's index; the caller's
data are never modified.

Found by a review that called every method with the inputs an economist gets wrong; each test
below failed before the fix it guards (bare ``RuntimeWarning``/``TypeError``/``ValueError``,
a message naming the wrong column, or a spurious error on usable data).
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tfp
from tests.packaging.core_smoke import ROLES, method_roles, panel
from tfp.estimators.gnr import share_regression
from tfp.exceptions import (
    DomainError,
    IdentificationError,
    RecordsError,
    SpecificationError,
    TFPWarning,
)
from tfp.peru import uit_series
from tfp.productivity import melitz_polanec, tfp_index

# Same rows in another order, dtype or labelling: only the order of floating-point sums
# changes, so estimates agree to rounding noise.
SAME_DATA_ATOL = 1e-8

_method_roles = method_roles
METHODS = list(_method_roles())


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """ACF (2015) design 1, 60 firms x 10 years, with a log share and cost columns."""
    return panel(n_firms=60)


def _estimate(df: pd.DataFrame, method: str, **kw: Any) -> tfp.ProductionResults:
    args = {**ROLES, **_method_roles()[method], "se": "none", **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        return tfp.estimate(df, method=method, **args)


@pytest.fixture(scope="module")
def fits(data: pd.DataFrame) -> dict[str, tfp.ProductionResults]:
    return {m: _estimate(data, m) for m in METHODS}


# ---- empty samples ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS)
def test_data_without_rows(data: pd.DataFrame, method: str) -> None:
    # before: ACF and GNR leaked numpy RuntimeWarnings ("Mean of empty slice"); the others
    # blamed the proxy or the cost columns
    with pytest.raises(IdentificationError, match="the data have no rows"):
        _estimate(data.iloc[:0], method)


@pytest.mark.parametrize("method", METHODS)
def test_no_usable_row_lists_the_drop_reasons(data: pd.DataFrame, method: str) -> None:
    with pytest.raises(
        IdentificationError,
        match=r"none of the 600 rows is usable \(left out by reason: \{'missing': 600\}\)",
    ):
        _estimate(data.assign(y=np.nan), method)


# ---- constant inputs are named -----------------------------------------------------------
@pytest.mark.parametrize("col", ["l", "k"])
def test_ols_constant_input_names_the_input(data: pd.DataFrame, col: str) -> None:
    # before: "column 'const': the regressors are perfectly collinear (problem at 'const')"
    with pytest.raises(
        IdentificationError, match=f"column '{col}': does not vary in the estimation"
    ):
        _estimate(data.assign(**{col: 1.0}), "ols")


@pytest.mark.parametrize("col", ["l", "k", "m"])
def test_gnr_constant_input_names_the_input(data: pd.DataFrame, col: str) -> None:
    # before: "an input of the share regression does not vary" (no column)
    with pytest.raises(
        IdentificationError, match=f"column '{col}': the input does not"
    ):
        _estimate(data.assign(**{col: 1.0}), "gnr")


# ---- GNR's rank check: correlated inputs are not collinear -----------------------------
def test_gnr_runs_on_correlated_but_full_rank_inputs(data: pd.DataFrame) -> None:
    # corr(l, m) = 0.98 in ACF's DGP1: the degree-3 basis has condition number ~3e3, far
    # from singular, but the old check (Gram eigenvalues at 1e-6, i.e. singular values at
    # 1e-3 of the largest) called it collinear
    x = data[["l", "k", "m"]].to_numpy()
    fit = share_regression(x, data["s"].to_numpy(), 3)
    assert fit.converged
    res = _estimate(data, "gnr")
    assert np.isfinite(res.params).all()


def test_gnr_exactly_collinear_inputs_still_raise(data: pd.DataFrame) -> None:
    x = data[["l", "k"]].to_numpy()
    x = np.column_stack([x, x[:, 0] + x[:, 1]])  # m = l + k exactly
    with pytest.raises(IdentificationError, match="collinear"):
        share_regression(x, data["s"].to_numpy(), 1)


# ---- estimate_many argument checks -------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"methods": "ols"}, r"methods must be a list of method codes, got 'ols'"),
        ({"methods": []}, "methods is empty"),
        ({"methods": ["ols", "ols"]}, r"methods names \['ols'\] more than once"),
        (
            {"methods": ["ols"], "options": tfp.OLSOptions()},
            "options must be a mapping",
        ),
        ({"methods": ["ols"], "method": "ols"}, r"not method="),
        (
            {"methods": ["ols"], "outptu": "y"},
            r"unknown role keyword\(s\) \['outptu'\]",
        ),
        ({"methods": ["ols"], "se": {"fe": "none"}}, "given for 'fe', which is not in"),
        (
            {"methods": ["ols"], "roles_by_method": {"ols": {"proxi": "m"}}},
            r"unknown role keyword\(s\) \['proxi'\]",
        ),
    ],
)
def test_estimate_many_bad_arguments(
    data: pd.DataFrame, kwargs: dict[str, Any], match: str
) -> None:
    roles = {k: v for k, v in ROLES.items() if k not in kwargs}
    if "outptu" in kwargs:
        roles.pop("output")
    with pytest.raises(SpecificationError, match=match):
        tfp.estimate_many(data, **roles, **kwargs)


# FE on ACF's DGP1 gives a negative capital coefficient (the checks rightly warn); the
# subject is the se mapping
@pytest.mark.filterwarnings("ignore::tfp.exceptions.UnreliableEstimateWarning")
def test_estimate_many_se_mapping_per_method(data: pd.DataFrame) -> None:
    out = tfp.estimate_many(data, methods=["ols", "fe"], se={"ols": "none"}, **ROLES)
    assert out["ols"].vcov is None
    assert out["fe"].vcov is not None


# ---- productivity-layer arguments ---------------------------------------------------------
def test_melitz_polanec_pairs_must_be_period_pairs(data: pd.DataFrame) -> None:
    df = data.assign(va=1.0)
    kw: dict[str, Any] = {
        "productivity": "l",
        "id": "firm",
        "time": "year",
        "shares": "va",
    }
    # before: ValueError "not enough values to unpack"
    with pytest.raises(SpecificationError, match="pairs must be a list of"):
        melitz_polanec(df, pairs="2-3", **kw)
    with pytest.raises(SpecificationError, match=r"got \(2, 3, 4\)"):
        melitz_polanec(df, pairs=[(2, 3, 4)], **kw)
    with pytest.raises(SpecificationError, match=r"got \('a', 'b'\)"):
        melitz_polanec(df, pairs=[("a", "b")], **kw)
    ok = melitz_polanec(df, pairs=[(2, 3)], **kw)
    assert len(ok) == 1


def test_tfp_index_base_time_must_be_a_period() -> None:
    df = pd.DataFrame(
        {"omega": [0.0, 1.0, 0.5, 2.0], "g": ["a", "b", "a", "b"], "year": [1, 1, 2, 2]}
    )
    # before: ValueError from int('x')
    with pytest.raises(SpecificationError, match="base_time must be a whole-number"):
        tfp_index(
            df, productivity="omega", by="g", base=None, time="year", base_time="x"
        )
    out = tfp_index(
        df, productivity="omega", by="g", base=None, time="year", base_time=1
    )
    assert set(out["time"]) == {1, 2}


def test_uit_series_missing_year_is_called_missing() -> None:
    # before: "1 year(s) outside the UIT table (2010–2026), e.g. np.float64(nan)" and a fix
    # naming a parameter uit_year that does not exist
    with pytest.raises(DomainError, match=r"1 year\(s\) are missing") as err:
        uit_series(pd.Series([2020.0, np.nan]))
    assert "uit_year" not in str(err.value)
    with pytest.raises(
        DomainError, match=r"outside the UIT table \(2010–2026\), e\.g\. 1990"
    ):
        uit_series(np.array([1990, 2020]))


# ---- the caller's data: dtypes, ids, index, order ----------------------------------------
def _variants(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    shuffled = df.sample(frac=1.0, random_state=7)
    out = {
        "nullable dtypes": df.assign(
            firm=df["firm"].astype("Int64"),
            year=df["year"].astype("Int64"),
            **{c: df[c].astype("Float64") for c in ("y", "l", "k", "m", "i", "s")},
        ),
        "string ids": df.assign(firm=("f" + df["firm"].astype(str)).astype("string")),
        "categorical ids": df.assign(firm=df["firm"].astype("category")),
        "huge ids": df.assign(firm=df["firm"].astype(np.uint64) + np.uint64(2**63)),
        "multiindex": df.set_index(["firm", "year"], drop=False),
        "shuffled": shuffled,
    }
    return out


@pytest.mark.parametrize("method", METHODS)
def test_same_estimate_under_dtypes_ids_and_order(
    data: pd.DataFrame, fits: dict[str, Any], method: str
) -> None:
    base = fits[method]
    for name, df in _variants(data).items():
        before = copy.deepcopy(df)
        res = _estimate(df, method)
        np.testing.assert_allclose(
            res.params.to_numpy(),
            base.params.to_numpy(),
            atol=SAME_DATA_ATOL,
            err_msg=name,
        )
        pd.testing.assert_frame_equal(df, before)  # never mutated
        omega = res.productivity()
        assert omega.index.equals(df.index), name


@pytest.mark.parametrize("method", METHODS)
def test_non_unique_index_keeps_rows_in_place(
    data: pd.DataFrame, fits: dict[str, Any], method: str
) -> None:
    df = data.copy()
    df.index = pd.Index(np.arange(len(df)) // 3)  # every label three times
    res = _estimate(df, method)
    assert res.productivity().index.equals(df.index)
    assert res.sample.index.equals(df.index)
    np.testing.assert_allclose(
        res.productivity().to_numpy(),
        fits[method].productivity().to_numpy(),
        atol=SAME_DATA_ATOL,
    )
    np.testing.assert_array_equal(res.sample.to_numpy(), fits[method].sample.to_numpy())


@pytest.mark.parametrize("method", METHODS)
def test_missing_values_are_counted_not_hidden(data: pd.DataFrame, method: str) -> None:
    df = data.copy()
    df.loc[[3, 50, 51], "k"] = np.nan
    df.loc[[7], "y"] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        res = tfp.estimate(
            df, method=method, **ROLES, **_method_roles()[method], se="none"
        )
    assert res.dropped["missing"] == 4
    assert not res.sample.iloc[[3, 50, 51, 7]].any()
    assert res.nobs + sum(res.dropped.values()) == len(df)


@pytest.mark.parametrize(
    ("mutate", "error", "match"),
    [
        (lambda d: d.drop(columns="k"), "DataError", "column 'k': is not in the data"),
        (
            lambda d: d.assign(k=d["k"].astype(object).where(d.index != 3, "abc")),
            "DataError",
            "column 'k': is not numeric",
        ),
        (
            lambda d: pd.concat([d, d.iloc[:1]]),
            "PanelStructureError",
            "share an \\(id, time\\) pair",
        ),
        (
            lambda d: d.assign(year=d["year"] + 0.5),
            "PanelStructureError",
            "column 'year': the time column must hold whole numbers",
        ),
        (
            lambda d: d.assign(year=d["year"].astype(str)),
            "PanelStructureError",
            "column 'year': the time column must be integer-like",
        ),
    ],
)
@pytest.mark.parametrize("method", METHODS)
def test_bad_columns_raise_tfp_errors(
    data: pd.DataFrame, method: str, mutate: Any, error: str, match: str
) -> None:
    with pytest.raises(getattr(tfp.exceptions, error), match=match):
        _estimate(mutate(data), method)


@pytest.mark.parametrize(
    "method", [m for m in METHODS if m not in {"ols", "fe", "cost-share"}]
)
def test_single_period_is_an_identification_error(
    data: pd.DataFrame, method: str
) -> None:
    with pytest.raises(IdentificationError):
        _estimate(data[data["year"] == 1], method)


@pytest.mark.parametrize("method", ["wrdg", "wrdg-iv", "rob", "op", "lp", "acf"])
def test_proxy_without_variation(data: pd.DataFrame, method: str) -> None:
    proxy = _method_roles()[method]["proxy"]
    with pytest.raises(IdentificationError, match=f"column '{proxy}'"):
        _estimate(data.assign(**{proxy: 0.0}), method)


@pytest.mark.parametrize("method", METHODS)
def test_options_of_another_method(data: pd.DataFrame, method: str) -> None:
    other = tfp.ACFOptions() if method != "acf" else tfp.OLSOptions()
    with pytest.raises(SpecificationError, match=f"not '{method}'"):
        _estimate(data, method, options=other)
    with pytest.raises(SpecificationError, match="options must be an options object"):
        _estimate(data, method, options="fast")


# ---- programme records and ENE files -----------------------------------------------------
def test_read_records_rejects_non_paths_and_corrupt_workbooks(tmp_path: Path) -> None:
    # before: TypeError from pathlib, and ValueError from pandas' Excel reader
    with pytest.raises(RecordsError, match="source must be a path or a mapping"):
        tfp.program.read_records(5)  # type: ignore[arg-type]
    book = tmp_path / "records.xlsx"
    book.write_text("not a workbook")
    with pytest.raises(RecordsError, match="cannot be read as an Excel workbook"):
        tfp.program.read_records(book)


def test_ene_build_panel_checks_arguments_before_reading(tmp_path: Path) -> None:
    empty = tmp_path / "ene2015"
    empty.mkdir()
    # before: TypeError "'int' object is not iterable"
    with pytest.raises(SpecificationError, match="positive must be a variable name"):
        tfp.ene.build_panel({2015: empty}, base_year=2015, positive=3)  # type: ignore[arg-type]
    # before: a complaint about the missing module files hid the bad base year
    with pytest.raises(DomainError, match="base_year=1900 is outside the IPC Lima"):
        tfp.ene.build_panel({2015: empty}, base_year=1900)


# ---- results are immutable and their arguments validated --------------------------------
def test_results_values_cannot_be_assigned(data: pd.DataFrame) -> None:
    boot = tfp.Bootstrap(reps=2, seed=1)
    res = _estimate(data, "ols", se=boot)
    before = res.params.copy()
    # before: the assignment went through and silently changed the estimate
    with pytest.raises(ValueError, match="read-only"):
        res.params["l"] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        res.vcov.iloc[0, 0] = 0.0  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="read-only"):
        res.sample.iloc[0] = False
    with pytest.raises(ValueError, match="read-only"):
        res.bootstrap.params.iloc[0, 0] = 0.0  # type: ignore[union-attr]
    pd.testing.assert_series_equal(res.params, before)
    # copies stay writable for the user's own work
    mine = res.params.copy()
    mine["l"] = 5.0
    assert res.params["l"] == before["l"]


def test_results_arguments_are_validated(fits: dict[str, Any]) -> None:
    res = fits["acf"]
    # before: TypeError from a comparison and ValueError from float()
    with pytest.raises(SpecificationError, match="level='a' must be a number in"):
        res.conf_int(level="a")
    with pytest.raises(SpecificationError, match="params must be numbers"):
        res.objective_at("abc")
    with pytest.raises(SpecificationError, match="params must be numbers"):
        res.objective_at({"l": "x", "k": 0.3})


@pytest.mark.parametrize("kind", ["column", "series", "list"])
def test_markups_text_share_is_a_data_error(
    data: pd.DataFrame, fits: dict[str, Any], kind: str
) -> None:
    df = data.assign(txt="abc")
    share: Any = {
        "column": "txt",
        "series": df["txt"].rename("txt"),
        "list": ["abc"] * len(df),
    }[kind]
    # before: bare ValueError from pd.to_numeric / numpy
    with pytest.raises(tfp.exceptions.DataError, match="share"):
        tfp.markups(fits["acf"], flexible="l", data=df, share=share)


@pytest.mark.parametrize("nominal", [-1, 1.5, np.nan, True])
def test_gnr_nominal_must_be_two_column_names(nominal: object) -> None:
    # before: TypeError "'int' object is not iterable"
    with pytest.raises(SpecificationError, match="must be two different column names"):
        tfp.GNROptions(nominal=nominal)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["op", "lp"])
def test_exit_indicator_must_be_zero_or_one(data: pd.DataFrame, method: str) -> None:
    opts = (tfp.OPOptions if method == "op" else tfp.LPOptions)(exit_correction=True)
    leaver = data["firm"] % 3 == 0  # 20 firms leave after year 6
    df = data[~leaver | (data["year"] <= 6)]
    df = df.assign(exit=((df["firm"] % 3 == 0) & (df["year"] == 6)).astype(int))
    res = _estimate(df, method, exit="exit", options=opts)
    assert np.isfinite(res.params).all()
    # before: "no firm exits (or every firm exits)", which hid the coding problem
    with pytest.raises(
        tfp.exceptions.DataError,
        match=r"column 'exit': the exit indicator must be 0 or 1; 20 row\(s\)",
    ):
        _estimate(df.assign(exit=2 * df["exit"]), method, exit="exit", options=opts)
