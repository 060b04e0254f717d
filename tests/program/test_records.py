"""Reading records: schema, file formats, errors naming file/row/column, immutability."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest

import tfp.program as prog
from tfp.datasets.pp0093 import data_dir
from tfp.exceptions import RecordsError

TABLES = ("products", "activities", "indicators", "published")


@pytest.fixture
def year_dir(tmp_path: Path) -> Path:
    """A writable copy of the embedded 2020 records."""
    target = tmp_path / "pp0093_2020"
    shutil.copytree(data_dir(), target)
    return target


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` counts like a spreadsheet (header = row 1)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row - 2, column] = value
    df.to_csv(path, index=False)


def test_read_directory_and_mapping_agree(
    year_dir: Path, records: prog.ProgramRecords
) -> None:
    from_dir = prog.read_records(year_dir)
    mapping = {name: year_dir / f"{name}.csv" for name in TABLES}
    mapping["programme"] = year_dir / "programme.yaml"
    from_map = prog.read_records(mapping)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(from_dir, name), getattr(from_map, name))
        pd.testing.assert_frame_equal(getattr(from_dir, name), getattr(records, name))
    assert from_dir.year == 2020
    assert from_dir.framework == records.framework
    assert "Consulta Amigable del MEF" in from_dir.source


def test_read_excel_workbook(
    year_dir: Path, tmp_path: Path, records: prog.ProgramRecords
) -> None:
    book = tmp_path / "pp0093_2020.xlsx"
    fields = records.programme_fields()
    fields["outcome_indicators"] = "; ".join(fields["outcome_indicators"])
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"key": list(fields), "value": list(fields.values())}).to_excel(
            writer, sheet_name="programme", index=False
        )
        for name in TABLES:
            pd.read_csv(year_dir / f"{name}.csv", dtype=str).to_excel(
                writer, sheet_name=name, index=False
            )
    from_xlsx = prog.read_records(book)
    assert from_xlsx.framework == records.framework
    pd.testing.assert_frame_equal(
        prog.annex_table(from_xlsx), prog.annex_table(records), check_dtype=False
    )


def test_read_yaml_table(year_dir: Path, records: prog.ProgramRecords) -> None:
    import yaml

    ind = pd.read_csv(year_dir / "indicators.csv", dtype=str, keep_default_na=False)
    (year_dir / "indicators.csv").unlink()
    rows = [{k: v for k, v in r.items() if v != ""} for r in ind.to_dict("records")]
    (year_dir / "indicators.yaml").write_text(yaml.safe_dump(rows, allow_unicode=True))
    rec = prog.read_records(year_dir)
    pd.testing.assert_frame_equal(rec.indicators, records.indicators)


def _raises(
    source: object, *, file: str, row: int | None, column: str, match: str
) -> RecordsError:
    with pytest.raises(RecordsError, match=match) as info:
        prog.read_records(source)  # type: ignore[arg-type]
    err = info.value
    assert err.file is not None and err.file.endswith(file)
    assert err.row == row
    assert err.column == column
    assert file in str(err) and column in str(err)
    if row is not None:
        assert f"row {row}" in str(err)
    return err


def test_missing_column(year_dir: Path) -> None:
    df = pd.read_csv(year_dir / "activities.csv", dtype=str)
    df.drop(columns="pim").to_csv(year_dir / "activities.csv", index=False)
    _raises(
        year_dir,
        file="activities.csv",
        row=None,
        column="pim",
        match="required column missing",
    )


def test_text_in_numeric_field(year_dir: Path) -> None:
    _edit_csv(year_dir / "activities.csv", 4, "devengado", "S/ 152,690")
    _raises(
        year_dir,
        file="activities.csv",
        row=4,
        column="devengado",
        match="text 'S/ 152,690'",
    )


def test_negative_amount(year_dir: Path) -> None:
    _edit_csv(year_dir / "activities.csv", 6, "pia", "-5")
    _raises(
        year_dir, file="activities.csv", row=6, column="pia", match="negative value"
    )


def test_missing_value(year_dir: Path) -> None:
    _edit_csv(year_dir / "products.csv", 3, "achieved", "")
    _raises(
        year_dir, file="products.csv", row=3, column="achieved", match="missing value"
    )


def test_unknown_product_code(year_dir: Path) -> None:
    _edit_csv(year_dir / "activities.csv", 5, "product", "3000999")
    _raises(
        year_dir,
        file="activities.csv",
        row=5,
        column="product",
        match="unknown product code '3000999'",
    )


def test_unknown_activity_code_in_published(year_dir: Path) -> None:
    _edit_csv(year_dir / "published.csv", 7, "code", "5009999")
    _raises(
        year_dir,
        file="published.csv",
        row=7,
        column="code",
        match="unknown activity code '5009999'",
    )


def test_measure_must_fit_level(year_dir: Path) -> None:
    _edit_csv(year_dir / "published.csv", 2, "measure", "value")
    _raises(
        year_dir,
        file="published.csv",
        row=2,
        column="measure",
        match="measure 'value' does not apply to level 'product'",
    )


def test_duplicate_activity(year_dir: Path) -> None:
    _edit_csv(year_dir / "activities.csv", 3, "code", "5005078")
    _raises(
        year_dir,
        file="activities.csv",
        row=3,
        column="code",
        match=r"duplicate activity '5005078' \(also on row 2\)",
    )


def test_unknown_unit_and_bad_bool(year_dir: Path) -> None:
    _edit_csv(year_dir / "activities.csv", 2, "unit", "Personas")
    _raises(
        year_dir,
        file="activities.csv",
        row=2,
        column="unit",
        match="unknown unit of measure",
    )


def test_indicator_needs_value_or_ratio(year_dir: Path) -> None:
    _edit_csv(year_dir / "indicators.csv", 2, "value", "")
    _raises(
        year_dir,
        file="indicators.csv",
        row=2,
        column="value",
        match="either 'value' or both",
    )


def test_missing_table_and_unsupported_source(year_dir: Path, tmp_path: Path) -> None:
    (year_dir / "indicators.csv").unlink()
    with pytest.raises(RecordsError, match="no indicators table found"):
        prog.read_records(year_dir)
    with pytest.raises(RecordsError, match="not a directory or an Excel workbook"):
        prog.read_records(tmp_path / "nothing.txt")
    with pytest.raises(RecordsError, match="unknown table name"):
        prog.read_records({"budget": tmp_path / "x.csv"})


def test_year_must_agree(year_dir: Path) -> None:
    with pytest.raises(RecordsError, match="year=2019 disagrees with year 2020"):
        prog.read_records(year_dir, year=2019)


# --- register -------------------------------------------------------------------------

REGISTER = """firm_id,activity,unit,service,ubigeo,ciiu,sales_soles,workers,registration_date,formal
A1,5005078,PNTE,capacitación,150101,4711,100000,3,2010-05-01,true
A1,5005083,PNTE,feria,150101,4711,100000,3,2010-05-01,true
A2,5005078,PNTE,capacitación,40101,1520,,,,
"""


def _with_register(year_dir: Path, text: str) -> Path:
    (year_dir / "register.csv").write_text(text, encoding="utf-8")
    return year_dir


def test_register_reads_and_pads_codes(year_dir: Path) -> None:
    rec = prog.read_records(_with_register(year_dir, REGISTER))
    reg = rec.register
    assert reg is not None
    assert reg["ubigeo"].tolist() == ["150101", "150101", "040101"]
    assert reg["formal"].isna().tolist() == [False, False, True]
    cov = prog.coverage(rec, by="department")
    served = cov[cov["n_firms"] > 0]
    assert dict(zip(served["label"], served["n_firms"], strict=True)) == {
        "Arequipa": 1,
        "Lima": 1,
    }
    assert len(cov) == 25  # every department is listed, served or not


@pytest.mark.parametrize(
    ("row", "column", "value", "match"),
    [
        (3, "activity", "5009999", "unknown activity code '5009999'"),
        (2, "workers", "tres", "text 'tres' in a numeric column"),
        (2, "sales_soles", "-1", "negative value"),
        (2, "registration_date", "01/05/2010", "is not a date"),
        (2, "formal", "quizás", "is not a yes/no value"),
        (4, "ubigeo", "990101", "invalid code '990101'"),
        (4, "ciiu", "ABCD", "invalid code 'ABCD'"),
    ],
)
def test_register_bad_cells(
    year_dir: Path, row: int, column: str, value: str, match: str
) -> None:
    _with_register(year_dir, REGISTER)
    _edit_csv(year_dir / "register.csv", row, column, value)
    _raises(year_dir, file="register.csv", row=row, column=column, match=match)


def test_duplicate_firm_with_conflicting_attributes(year_dir: Path) -> None:
    _with_register(year_dir, REGISTER)
    _edit_csv(year_dir / "register.csv", 3, "ubigeo", "130101")
    _raises(
        year_dir,
        file="register.csv",
        row=3,
        column="ubigeo",
        match=r"duplicate firm 'A1' with a different ubigeo .*row 2",
    )


def test_duplicate_firm_row(year_dir: Path) -> None:
    _with_register(year_dir, REGISTER + REGISTER.splitlines()[1] + "\n")
    _raises(
        year_dir,
        file="register.csv",
        row=5,
        column="firm_id",
        match=r"duplicate firm .*'A1, 5005078, capacitación' \(also on row 2\)",
    )


def test_from_frames_reports_table_and_row(records: prog.ProgramRecords) -> None:
    act = records.activities.astype(object)
    act.loc[2, "pim"] = "n/d"
    with pytest.raises(
        RecordsError, match=r"column 'pim': file '<activities>', row 4: text 'n/d'"
    ) as info:
        records.replace(activities=act)
    assert (info.value.file, info.value.row, info.value.column) == (
        "<activities>",
        4,
        "pim",
    )


# --- immutability -----------------------------------------------------------------------


def test_records_are_read_only(records: prog.ProgramRecords) -> None:
    with pytest.raises(AttributeError, match="read-only"):
        records.year = 2021  # type: ignore[misc]
    with pytest.raises(TypeError, match="read_records"):
        prog.ProgramRecords()
    act = records.activities
    act.loc[:, "pim"] = 0.0
    assert records.activities["pim"].sum() == 35_381_999
    fw = records.framework
    with pytest.raises(AttributeError):
        fw.name = "x"  # type: ignore[misc]


def test_reading_does_not_modify_input_frames(records: prog.ProgramRecords) -> None:
    act = records.activities
    before = act.copy()
    records.replace(activities=act)
    pd.testing.assert_frame_equal(act, before)


def test_records_pickle_round_trip(records: prog.ProgramRecords) -> None:
    again = pickle.loads(pickle.dumps(records))
    assert again.framework == records.framework
    pd.testing.assert_frame_equal(again.activities, records.activities)
    assert repr(again) == repr(records)


def test_framework_lookups(records: prog.ProgramRecords) -> None:
    fw = records.framework
    assert fw.activity("5005087").number == "4.1"
    assert fw.product("3000670").responsible == ("DGPAR", "DGAAMI")
    assert [a.number for a in fw.activities_of("3000670")] == ["3.1", "3.2", "3.3"]
    assert not fw.activity("5005086").counts_to_product
    assert fw.activity("5006051").unit == "actions"
    assert len(fw.outcome_indicators) == 3
    assert "Resultado final" in str(fw)
    with pytest.raises(KeyError):
        fw.activity("0")


def test_embedded_loader_lives_with_the_programme() -> None:
    """The records loader moved up from tfp.datasets (which must not import tfp.program)."""
    import tfp.datasets

    assert isinstance(prog.load_pp0093_2020(register=False), prog.ProgramRecords)
    with pytest.raises(
        AttributeError, match=r"moved to tfp\.program\.load_pp0093_2020"
    ):
        tfp.datasets.load_pp0093_2020


def test_published_outcomes_are_the_seed_figures_with_their_source() -> None:
    # seed report text lines 96-124 and chart lines 126-148
    pub = prog.published_outcomes().set_index(["indicator", "group"])["value"]
    assert pub["factor_share"].to_dict() == {
        "capital": 0.262,
        "skilled_labour": 0.588,
        "unskilled_labour": 0.166,
    }
    assert pub[("tfp_index", "micro")] == 14.0 and pub[("mipyme_tfp", "2019")] == 1.13
    assert pub[("mype_labour_growth_pct", "2019")] == 3.4
    assert prog.published_outcomes()["source"].str.contains("lines").all()


def test_old_class_spelling_is_a_deprecated_alias() -> None:
    with pytest.warns(FutureWarning, match="ProgramRecords"):
        old = prog.ProgrammeRecords
    assert old is prog.ProgramRecords
    with pytest.warns(FutureWarning):
        from tfp.program.records import ProgrammeRecords  # noqa: F401
    with pytest.raises(AttributeError):
        prog.ProgramRecordz
