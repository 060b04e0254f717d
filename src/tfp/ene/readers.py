"""Read INEI module files (.sav, .dta, .dbf, .csv) into raw DataFrames, and parse their cells.

Readers return the file's columns as stored (numbers stay numbers, text stays text), with
column names upper-cased; parsing to numbers and codes is done column by column with
:func:`to_number` and :func:`to_code` so that a bad cell can be reported with its file,
column and firm.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tfp._optional import require
from tfp.exceptions import DataError, MissingExtraError

__all__ = [
    "FORMATS",
    "find_module_file",
    "read_module",
    "resolve_columns",
    "to_code",
    "to_number",
]

#: Supported extensions and the library that reads them.
FORMATS: dict[str, str] = {
    ".sav": "pyreadstat",
    ".dta": "pandas",
    ".dbf": "dbfread",
    ".csv": "pandas",
}
#: dBase field names are at most 10 characters; longer layout names are matched on these.
DBF_NAME_LENGTH = 10
#: Text that means "no value" in exported survey files (Stata's ".", blanks).
_MISSING_TEXT = frozenset({"", ".", "NA", "NAN", "N/A"})


def find_module_file(directory: Path, stem: str, *, module: str) -> Path:
    """The one file under ``directory`` (searched recursively) whose stem is ``stem``.

    Matching ignores case; any extension in :data:`FORMATS` counts.

    Raises
    ------
    DataError
        If no file or several files match.
    """
    if not directory.is_dir():
        raise DataError(
            f"source directory {str(directory)!r} does not exist",
            fix="pass the folder holding the unzipped module files",
        )
    want = stem.lower()
    hits = sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and p.suffix.lower() in FORMATS and p.stem.lower() == want
    )
    if not hits:
        raise DataError(
            f"no file for module {module!r} ({stem}.sav/.dta/.dbf/.csv) under "
            f"{str(directory)!r}",
            fix="unzip the module there, or map the module to its path in sources",
        )
    if len(hits) > 1:
        raise DataError(
            f"several files for module {module!r} under {str(directory)!r}: "
            f"{[str(h) for h in hits]}",
            fix="keep one format per module, or map the module to one path in sources",
        )
    return hits[0]


def _read_csv(path: Path) -> pd.DataFrame:
    for encoding in ("utf-8", "latin-1"):
        try:
            return pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding=encoding
            )
        except UnicodeDecodeError:
            continue
    raise DataError(  # pragma: no cover - latin-1 decodes any byte
        f"file {str(path)!r} is neither UTF-8 nor Latin-1 text",
        fix="re-export the file as UTF-8 CSV",
    )


def _read_dbf(path: Path) -> pd.DataFrame:
    dbf = require("dbfread", "ene", what="reading .dbf files")
    table = dbf.DBF(
        str(path), encoding="latin-1", char_decode_errors="replace", load=True
    )
    return pd.DataFrame(list(table.records), columns=list(table.field_names))


def read_module(path: Path) -> pd.DataFrame:
    """Read one module file with the library of its extension (:data:`FORMATS`).

    Value labels are not applied (codes stay codes). Column names are upper-cased.

    Raises
    ------
    DataError
        Unknown extension, or the file cannot be read (the message names it).
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DataError(
            f"file {str(path)!r} has an unsupported extension {suffix!r}",
            fix=f"convert it to one of {sorted(FORMATS)}",
        )
    try:
        if suffix == ".csv":
            df = _read_csv(path)
        elif suffix == ".dta":
            df = pd.read_stata(path, convert_categoricals=False)
        elif suffix == ".sav":
            pyreadstat = require("pyreadstat", "ene", what="reading .sav files")
            df, _ = pyreadstat.read_sav(str(path), apply_value_formats=False)
        else:
            df = _read_dbf(path)
    except (DataError, MissingExtraError):
        raise
    except Exception as exc:  # each library raises its own parse errors
        raise DataError(
            f"cannot read file {str(path)!r} as {suffix} ({type(exc).__name__}: {exc})",
            fix="check that the file is complete and of the type its extension says",
        ) from exc
    df.columns = pd.Index([str(c).strip().upper() for c in df.columns])
    return df


def resolve_columns(
    df: pd.DataFrame, wanted: Sequence[str], *, path: Path, module: str
) -> dict[str, str]:
    """Map each wanted column name to the file's column (case-insensitive).

    In a .dbf file a name longer than :data:`DBF_NAME_LENGTH` characters is also matched on
    its first 10 characters, since dBase truncates field names (``C1RESULTFINAL`` is stored
    as ``C1RESULTFI``).

    Raises
    ------
    DataError
        If a column is missing (the message names the file, the column and similar names).
    """
    present = set(df.columns)
    dbf = path.suffix.lower() == ".dbf"
    out: dict[str, str] = {}
    for name in wanted:
        key = name.upper()
        if key in present:
            out[name] = key
        elif dbf and key[:DBF_NAME_LENGTH] in present:
            out[name] = key[:DBF_NAME_LENGTH]
        else:
            prefix = key.split("_")[0]
            similar = sorted(c for c in present if c.startswith(prefix))[:8]
            raise DataError(
                f"file {str(path)!r} (module {module!r}) has no column {name!r}"
                + (f"; similar columns: {similar}" if similar else ""),
                column=name,
                fix="check the edition's layout (tfp.ene.load_layout) or the file",
            )
    return out


def to_number(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column to float64; return ``(numbers, bad)``.

    Numeric columns are taken as they are. Text is stripped; empty cells, ``"."`` and
    ``"NA"`` are missing (NaN); other text that is not a plain number (``"1500"``,
    ``" 1500.0 "``, ``"-3"``) is NaN and flagged in ``bad``. Decimal commas and thousands
    separators are not guessed: such cells are flagged.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=np.float64), np.zeros(len(values), dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        arr = pd.to_numeric(values, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        return arr, np.zeros(len(values), dtype=bool)
    obj = values.astype(object).to_numpy()
    out = np.full(len(obj), np.nan)
    bad = np.zeros(len(obj), dtype=bool)
    for i, v in enumerate(obj):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
            v, bool
        ):
            out[i] = float(v)
            continue
        text = str(v).strip()
        if text.upper() in _MISSING_TEXT:
            continue
        try:
            number = float(text)
        except ValueError:
            bad[i] = True
            continue
        if not np.isfinite(number):
            bad[i] = True
            continue
        out[i] = number
    return out, bad


def to_code(values: pd.Series, width: int) -> np.ndarray:
    """Codes as zero-padded strings (object array; None where missing).

    Whole numbers (``15``, ``15.0``, ``"15"``) are padded to ``width`` digits (no padding
    when ``width`` is 0); other text is kept stripped.
    """
    obj = values.astype(object).to_numpy()
    out = np.empty(len(obj), dtype=object)
    for i, v in enumerate(obj):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            out[i] = None
            continue
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            text = str(int(v))
        elif isinstance(v, bytes):
            text = v.decode("latin-1").strip()
        else:
            text = str(v).strip()
            if text.endswith(".0") and text[:-2].isdigit():
                text = text[:-2]
        if text.upper() in _MISSING_TEXT:
            out[i] = None
        elif width and text.isdigit():
            out[i] = text.zfill(width)
        else:
            out[i] = text
    return out
