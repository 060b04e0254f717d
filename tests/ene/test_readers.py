"""Cell parsing and the dBase III writer/reader pair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp.datasets.ene_raw import write_dbf
from tfp.ene.readers import read_module, resolve_columns, to_code, to_number
from tfp.exceptions import DataError


def test_to_number_reads_text_numbers_and_flags_the_rest():
    s = pd.Series([" 1500 ", "1500.0", "-3", "", ".", "NA", "n.d.", "1,5", None, 7])
    values, bad = to_number(s)
    np.testing.assert_array_equal(
        values, [1500, 1500, -3, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 7]
    )
    assert bad.tolist() == [False] * 6 + [True, True, False, False]


def test_to_number_numeric_columns_pass_through():
    values, bad = to_number(pd.Series([1, 2, None], dtype="Int64"))
    np.testing.assert_array_equal(values, [1.0, 2.0, np.nan])
    assert not bad.any()


def test_to_code_pads_numbers_and_keeps_text():
    s = pd.Series([15, "15", 7.0, "07", " 4711 ", 111, "", None, "ABC"])
    assert to_code(s, 2).tolist()[:4] == ["15", "15", "07", "07"]
    assert to_code(s, 4).tolist()[4:] == ["4711", "0111", None, None, "ABC"]


def test_dbf_round_trip_with_long_names(tmp_path):
    df = pd.DataFrame(
        {
            "IRUC": ["00000000001", "00000000002", "00000000003"],
            "C1RESULTFINAL": [1, 2, 3],
            "FACTOR_EXP": [12.3456, 0.5, np.nan],
            "TEXTO": ["Lima", "Áncash", ""],
        }
    )
    path = tmp_path / "t.dbf"
    write_dbf(df, path)
    back = read_module(path)
    assert list(back.columns) == ["IRUC", "C1RESULTFI", "FACTOR_EXP", "TEXTO"]
    cols = resolve_columns(back, ["IRUC", "C1RESULTFINAL"], path=path, module="m")
    assert cols == {"IRUC": "IRUC", "C1RESULTFINAL": "C1RESULTFI"}
    assert back["IRUC"].tolist() == df["IRUC"].tolist()
    np.testing.assert_array_equal(to_number(back["C1RESULTFI"])[0], [1, 2, 3])
    np.testing.assert_array_equal(
        to_number(back["FACTOR_EXP"])[0], [12.3456, 0.5, np.nan]
    )
    assert back["TEXTO"].tolist() == ["Lima", "Áncash", ""]


def test_dbf_writer_errors(tmp_path):
    with pytest.raises(DataError, match="same dBase name"):
        write_dbf(
            pd.DataFrame({"ABCDEFGHIJ1": [1], "ABCDEFGHIJ2": [2]}), tmp_path / "a.dbf"
        )
    with pytest.raises(DataError, match="dBase numeric fields hold 19"):
        write_dbf(pd.DataFrame({"X": [1e25]}), tmp_path / "b.dbf")


def test_unsupported_extension(tmp_path):
    path = tmp_path / "m.xlsx"
    path.write_bytes(b"")
    with pytest.raises(DataError, match="unsupported extension '.xlsx'"):
        read_module(path)


def test_missing_column_lists_similar(tmp_path):
    df = pd.DataFrame({"IRUC": ["1"], "M9P4_1": [1], "M9P4_2": [2]})
    with pytest.raises(
        DataError, match=r"no column 'M9P4_9'; similar columns: \['M9P4_1', 'M9P4_2'\]"
    ):
        resolve_columns(df, ["M9P4_9"], path=tmp_path / "x.csv", module="economic")
