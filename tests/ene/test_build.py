"""build_panel: raw module files (4 formats, awkward cases) -> the known firm-year panel."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tfp.datasets.ene_raw import write_ene_2015
from tfp.ene import DROP_REASONS, MONEY_VARIABLES, build_panel
from tfp.exceptions import DataError, DroppedObservationsWarning, SpecificationError
from tfp.peru import deflate, ipc_lima

FORMATS = ("csv", "dta", "sav", "dbf")
#: deflation is one multiplication per value: float rounding only
EXACT = 1e-12
#: the generator rounds each money total to whole soles once
ROUNDING_SOLES = 0.5
#: value added = rounded gross output - rounded intermediate: two roundings
ROUNDING_VA = 1.0
#: monthly pay is rounded to whole soles per row; 12 months x 0.5 sol per paid worker
PAY_ROUNDING_PER_WORKER = 6.0


def _quiet_build(sources, **kw):
    return build_panel(sources, **kw)


def _dropped_set(frame: pd.DataFrame) -> set[tuple[int, str, str]]:
    return {
        (int(e), str(f), str(r))
        for e, f, r in frame[["edition", "firm_id", "reason"]].itertuples(index=False)
    }


@pytest.fixture(scope="module", params=FORMATS)
def awkward_build(request, sim_panel, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"ene_{request.param}")
    raw = write_ene_2015(sim_panel, tmp, fmt=request.param, awkward=True, seed=5)
    with pytest.warns(DroppedObservationsWarning, match=r"firm-years dropped"):
        out = build_panel(raw.sources, base_year=2015)
    return raw, out


def test_recovers_known_panel_exactly(awkward_build):
    raw, (data, _) = awkward_build
    exp = raw.expected
    assert data["firm_id"].astype(str).tolist() == exp["firm_id"].tolist()
    assert data["year"].tolist() == exp["year"].tolist()
    assert data["edition"].tolist() == exp["edition"].tolist()
    for name in MONEY_VARIABLES:
        np.testing.assert_array_equal(data[f"{name}_nominal"], exp[name], err_msg=name)
    for ours, theirs in (
        ("workers", "workers"),
        ("workers_skilled", "skilled_occupation"),
        ("workers_unskilled", "unskilled_occupation"),
    ):
        np.testing.assert_array_equal(data[ours], exp[theirs], err_msg=ours)
    for col in ("ciiu", "ubigeo", "sales_range"):
        assert data[col].astype(str).tolist() == exp[col].tolist(), col
    np.testing.assert_array_equal(data["weight"], exp["weight"])


def test_every_dropped_firm_has_its_reason(awkward_build):
    raw, (data, report) = awkward_build
    assert _dropped_set(report.dropped) == _dropped_set(raw.dropped)
    # the generator planted every reason
    planted = set(DROP_REASONS) - {"nonpositive_input", "nonpositive_weight"}
    assert set(report.dropped_counts) == planted
    assert (report.dropped["detail"] != "").all()
    firms = report.firms
    assert (
        firms["firms_read"] == firms["kept"] + firms[list(DROP_REASONS)].sum(axis=1)
    ).all()
    assert report.n_kept == len(data)
    non_numeric = report.dropped.loc[
        report.dropped["reason"] == "non_numeric", "detail"
    ]
    assert non_numeric.str.contains("M9P4_1='n.d.'").all()


def test_identical_duplicates_are_counted_not_dropped(awkward_build):
    _, (_, report) = awkward_build
    ident = report.files[report.files["module"] == "identification"]
    assert ident["duplicate_rows_removed"].sum() == 2
    assert (report.files["rows_used"] <= report.files["rows_read"]).all()


def test_zero_workers_in_a_category_are_kept(awkward_build):
    _, (data, _) = awkward_build
    zero = data["workers_unskilled"] == 0
    assert zero.sum() >= 2
    assert data.loc[zero, "log_workers_unskilled"].isna().all()
    assert (data.loc[zero, "workers"] > 0).all()


def test_blank_items_next_to_filled_ones_count_as_zero(awkward_build):
    _, (_, report) = awkward_build
    table = report.variables.set_index("variable")
    assert table.loc["sales", "n_blank_items_as_zero"] == 2


def test_matches_source_panel_up_to_survey_rounding(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path, fmt="csv")
    data, report = build_panel(raw.sources, base_year=2015)
    assert report.dropped_counts == {}
    src = sim_panel.sort_values(["firm_id", "year"]).reset_index(drop=True)
    assert len(data) == len(src)
    assert data["year"].tolist() == src["year"].tolist()
    for ours, theirs, tol in (
        ("sales", "sales_soles", ROUNDING_SOLES),
        ("intermediate", "materials_soles", ROUNDING_SOLES),
        ("capital", "capital_soles", ROUNDING_SOLES),
        ("investment", "investment_soles", 2 * ROUNDING_SOLES),
        ("value_added", "va_soles", ROUNDING_VA),
    ):
        diff = np.abs(data[f"{ours}_nominal"].to_numpy() - src[theirs].to_numpy())
        assert diff.max() <= tol, ours
    # firms with paid staff (rows 1-5) carry the panel's wage bill; the others (owners
    # and family only) have none
    bill = data["wage_bill_nominal"].to_numpy()
    paid = bill > 0
    assert paid.mean() > 0.5
    gap = np.abs(bill - src["wage_bill_soles"].to_numpy())[paid]
    assert (gap <= PAY_ROUNDING_PER_WORKER * data["workers"].to_numpy()[paid]).all()
    np.testing.assert_array_equal(data["weight"], np.round(src["weight"], 4))
    assert (
        data["size_class"].astype(str).tolist()
        == src["size_class"].astype(str).tolist()
    )


def test_deflation_to_base_year(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path, fmt="csv")
    d15, _ = build_panel(raw.sources, base_year=2015)
    d21, _ = build_panel(raw.sources, base_year=2021)
    expected = deflate(d15["value_added_nominal"], d15["year"], base_year=2015)
    np.testing.assert_allclose(d15["value_added"], expected, rtol=EXACT)
    ipc = ipc_lima(2015)
    ratio = (d21["capital"] / d15["capital"]).to_numpy()
    np.testing.assert_allclose(ratio, ipc[2021] / ipc[2015], rtol=EXACT)
    same_year = d15["year"] == 2015
    np.testing.assert_array_equal(
        d15.loc[same_year, "sales"], d15.loc[same_year, "sales_nominal"]
    )
    np.testing.assert_allclose(
        d15["log_value_added"], np.log(d15["value_added"]), rtol=EXACT
    )


def test_education_rule(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path, fmt="sav")
    data, report = build_panel(raw.sources, base_year=2015, skilled="education")
    np.testing.assert_array_equal(
        data["workers_skilled"], raw.expected["skilled_education"]
    )
    np.testing.assert_array_equal(
        data["workers_unskilled"], raw.expected["unskilled_education"]
    )
    assert not np.array_equal(
        raw.expected["skilled_education"], raw.expected["skilled_occupation"]
    )
    formula = report.variables.set_index("variable").loc["workers_skilled", "formula"]
    assert formula == "M3P2_1 + M3P2_2 + M3P2_4"
    assert report.skilled == "education"


def test_blank_large_economics_drops_every_medium_large_firm(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path, fmt="dta", blank_large_economics=True)
    large = sim_panel["size_class"].astype(str).isin(["medium", "large"])
    with pytest.warns(
        DroppedObservationsWarning, match=rf"missing_data: {large.sum()}"
    ):
        data, report = build_panel(raw.sources, base_year=2015)
    assert report.dropped_counts == {"missing_data": int(large.sum())}
    assert (data["sales_range"] != "medium_large").all()
    assert _dropped_set(report.dropped) == _dropped_set(raw.dropped)


def test_positive_can_require_both_kinds_of_labour(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path, fmt="csv", awkward=True, seed=5)
    with pytest.warns(DroppedObservationsWarning):
        loose, _ = build_panel(raw.sources, base_year=2015)
    with pytest.warns(DroppedObservationsWarning, match="nonpositive_input"):
        strict, rep = build_panel(
            raw.sources,
            base_year=2015,
            positive=("value_added", "capital", "workers_skilled", "workers_unskilled"),
        )
    zero = (loose["workers_skilled"] == 0) | (loose["workers_unskilled"] == 0)
    assert len(strict) == len(loose) - zero.sum()
    assert rep.dropped_counts["nonpositive_input"] == zero.sum()


def test_row_order_and_relabelling_do_not_matter(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path / "a", fmt="csv")
    base, _ = build_panel(raw.sources, base_year=2015)
    rng = np.random.default_rng(0)
    for folder in raw.sources.values():
        for path in folder.glob("*.csv"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
            df = df.iloc[rng.permutation(len(df))]
            df.to_csv(path, index=False)
    shuffled, _ = build_panel(raw.sources, base_year=2015)
    pd.testing.assert_frame_equal(base, shuffled)
    # editions given in another order, as strings or Paths
    reordered = {e: str(raw.sources[e]) for e in sorted(raw.sources, reverse=True)}
    again, _ = build_panel(reordered, base_year=2015)
    pd.testing.assert_frame_equal(base, again)


def test_module_paths_instead_of_folders(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path, fmt="dbf")
    folder = raw.sources[2016]
    files = {
        "identification": folder / "01_EMPRESA_IDENTIFICA.dbf",
        "labour": folder / "02_MODULO_I_II_III.dbf",
        "economic": folder / "05_MODULO_VII_VIII_IX.dbf",
        "assets": folder / "09_MODULO_IX_6.dbf",
    }
    a, _ = build_panel({2016: files}, base_year=2015)
    b, _ = build_panel({2016: folder}, base_year=2015)
    pd.testing.assert_frame_equal(a, b)


def test_generator_and_builder_leave_inputs_unchanged(sim_panel, tmp_path):
    before = sim_panel.copy()
    raw = write_ene_2015(sim_panel, tmp_path, fmt="csv")
    sources = dict(raw.sources)
    build_panel(sources, base_year=2015)
    pd.testing.assert_frame_equal(sim_panel, before)
    assert sources == raw.sources


def test_report_text_names_files_reasons_and_formulas(awkward_build):
    _, (_, report) = awkward_build
    text = str(report)
    assert "01_EMPRESA_IDENTIFICA" in text
    assert "sales = M9P4_1 + M9P4_4 + M9P4_5" in text
    assert re.search(r"dropped: .*interview_result", text)
    assert "constant soles of 2015" in text


# ---------------------------------------------------------------------------- errors


def _csv_sources(sim_panel, tmp_path):
    return write_ene_2015(sim_panel, tmp_path, fmt="csv").sources


def test_missing_column_names_file_and_column(sim_panel, tmp_path):
    sources = _csv_sources(sim_panel, tmp_path)
    path = sources[2017] / "05_MODULO_VII_VIII_IX.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="M9P5_9")
    df.to_csv(path, index=False)
    with pytest.raises(
        DataError, match=r"05_MODULO_VII_VIII_IX\.csv.*no column 'M9P5_9'"
    ):
        build_panel(sources, base_year=2015)


def test_missing_file_names_module_and_folder(sim_panel, tmp_path):
    sources = _csv_sources(sim_panel, tmp_path)
    (sources[2016] / "09_MODULO_IX_6.csv").unlink()
    with pytest.raises(
        DataError, match=r"no file for module 'assets' \(09_MODULO_IX_6"
    ):
        build_panel(sources, base_year=2015)


def test_two_files_for_one_module(sim_panel, tmp_path):
    sources = _csv_sources(sim_panel, tmp_path)
    src = sources[2016] / "02_MODULO_I_II_III.csv"
    (sources[2016] / "sub").mkdir()
    (sources[2016] / "sub" / "02_modulo_i_ii_iii.csv").write_bytes(src.read_bytes())
    with pytest.raises(DataError, match=r"several files for module 'labour'"):
        build_panel(sources, base_year=2015)


def test_corrupt_file_is_named(sim_panel, tmp_path):
    sources = _csv_sources(sim_panel, tmp_path)
    bad = sources[2016] / "02_MODULO_I_II_III.csv"
    bad.unlink()
    (sources[2016] / "02_MODULO_I_II_III.sav").write_bytes(b"not a spss file")
    with pytest.raises(DataError, match=r"cannot read file .*02_MODULO_I_II_III\.sav"):
        build_panel(sources, base_year=2015)


def test_text_in_numeric_column_can_raise(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path, fmt="dta", awkward=True, seed=5)
    with pytest.raises(DataError, match=r"column 'M9P4_1'.*'n\.d\.' is not a number"):
        build_panel(raw.sources, base_year=2015, on_bad_value="raise")


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match=r"source directory .* does not exist"):
        build_panel({2016: tmp_path / "nowhere"}, base_year=2015)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"skilled": "wages"}, r"skilled='wages' is not one of"),
        ({"on_bad_value": "ignore"}, r"on_bad_value='ignore' is not one of"),
        ({"positive": ("profit",)}, r"positive names \['profit'\]"),
        ({"layout": "ene2099"}, r"layout='ene2099' is not one of"),
        ({"layout": {2099: "ene2015"}}, r"no entry for editions"),
    ],
)
def test_bad_arguments(sim_panel, tmp_path, kwargs, match):
    sources = _csv_sources(sim_panel, tmp_path)
    with pytest.raises(SpecificationError, match=match):
        build_panel(sources, base_year=2015, **kwargs)


def test_bad_sources(tmp_path):
    with pytest.raises(SpecificationError, match="non-empty mapping"):
        build_panel({}, base_year=2015)
    with pytest.raises(SpecificationError, match="editions"):
        build_panel({"2016": tmp_path}, base_year=2015)
    with pytest.raises(SpecificationError, match="same reference year"):
        build_panel(
            {2016: tmp_path, 2017: tmp_path},
            base_year=2015,
            layout={
                2016: "ene2015",
                2017: {"base": "ene2015", "reference_year_offset": -2},
            },
        )
    with pytest.raises(SpecificationError, match=r"lacks modules \['assets'\]"):
        build_panel(
            {2016: {"identification": "a", "labour": "b", "economic": "c"}},
            base_year=2015,
        )


def test_generator_errors(sim_panel, tmp_path):
    with pytest.raises(SpecificationError, match=r"fmt='xlsx' is not one of"):
        write_ene_2015(sim_panel, tmp_path, fmt="xlsx")
    with pytest.raises(DataError, match=r"column 'weight': is missing"):
        write_ene_2015(sim_panel.drop(columns="weight"), tmp_path)


def test_notes_orphans_and_rows_without_id(sim_panel, tmp_path):
    sources = _csv_sources(sim_panel, tmp_path)
    folder = sources[2016]
    ident_path = folder / "01_EMPRESA_IDENTIFICA.csv"
    ident = pd.read_csv(ident_path, dtype=str, keep_default_na=False)
    orphan = ident["IRUC"].iloc[0]
    ident.loc[1, "FACTOR_EXP"] = ""
    ident = ident.iloc[1:]  # firm `orphan` is left only in the other modules
    ident.to_csv(ident_path, index=False)
    lab_path = folder / "02_MODULO_I_II_III.csv"
    lab = pd.read_csv(lab_path, dtype=str, keep_default_na=False)
    lab.loc[5, "M3P2_1"] = str(
        int(lab.loc[5, "M3P2_1"]) + 3
    )  # education total off by 3
    extra = lab.iloc[[0]].assign(IRUC="")
    pd.concat([lab, extra]).to_csv(lab_path, index=False)
    with pytest.warns(DroppedObservationsWarning, match=r"missing_module: 1"):
        _, report = build_panel(sources, base_year=2015, skilled="education")
    row = report.dropped.iloc[0]
    assert (row["firm_id"], row["reason"]) == (orphan, "missing_module")
    assert "identification" in row["detail"]
    files = report.files.set_index(["edition", "module"])
    assert files.loc[(2016, "labour"), "rows_without_id"] == 1
    notes = " ".join(report.notes)
    assert "1 kept firm(s) have no expansion factor (FACTOR_EXP)" in notes
    assert "education counts do not add up" in notes


def test_a_nonpositive_expansion_factor_is_dropped_by_reason(sim_panel, tmp_path):
    """A firm with FACTOR_EXP <= 0 represents no firm: it is dropped and counted (it was
    kept silently); a blank one is kept, with its note (previous test)."""
    sources = _csv_sources(sim_panel, tmp_path)
    ident_path = sources[2016] / "01_EMPRESA_IDENTIFICA.csv"
    ident = pd.read_csv(ident_path, dtype=str, keep_default_na=False)
    ident.loc[2, "FACTOR_EXP"] = "-3.5"
    ident.loc[4, "FACTOR_EXP"] = "0"
    ident.to_csv(ident_path, index=False)
    with pytest.warns(DroppedObservationsWarning, match="nonpositive_weight: 2"):
        data, report = build_panel(sources, base_year=2015)
    assert report.dropped_counts["nonpositive_weight"] == 2
    rows = report.dropped[report.dropped["reason"] == "nonpositive_weight"]
    assert set(rows["firm_id"]) == set(ident.loc[[2, 4], "IRUC"])
    assert sorted(rows["detail"]) == ["FACTOR_EXP=-3.5", "FACTOR_EXP=0"]
    assert (data["weight"] > 0).all()
    assert "nonpositive_weight 2" in str(report)


def test_base_year_must_be_an_integer(sim_panel, tmp_path):
    sources = _csv_sources(sim_panel, tmp_path)
    with pytest.raises(SpecificationError, match="base_year must be an integer"):
        build_panel(sources, base_year="2015")  # type: ignore[arg-type]
