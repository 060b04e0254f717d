"""Yearly programme records: schema, readers and the immutable :class:`ProgramRecords`.

Schema
------
One year of a programme is a set of tables. Each can be a CSV file (UTF-8, header row), a
sheet of an Excel workbook, or a YAML list of mappings. Only raw figures are inputs; every
percentage, sum and share is computed by ``tfp.program``.

``programme`` (YAML mapping, or an Excel sheet with columns ``key``, ``value``)
    ``programme`` (code), ``name``, ``year``, ``final_result``, ``specific_result``,
    ``outcome_indicators`` (list, or ``;``-separated text), ``source``.
``products`` (required)
    ``code``, ``number`` (int), ``name``, ``responsible`` (``/``-separated units), ``unit``
    (``Empresas``/``firms`` or ``Acciones``/``actions``), ``target`` and ``achieved``
    (physical target and achievement; for firms, *unique* firms served).
``activities`` (required)
    ``code``, ``number`` (e.g. ``1.1``), ``product`` (product code), ``name``,
    ``responsible``, ``unit``, ``counts_to_product`` (bool, default true), ``target``,
    ``achieved``, ``pia``, ``pim``, ``devengado`` (soles).
``indicators`` (required)
    ``id``, ``product``, ``name``, ``unit`` (``%`` for percentages), ``target``, and either
    ``value`` or ``numerator`` and ``denominator`` (value = numerator / denominator, times 100
    when the unit is ``%``).
``register`` (optional; firms served)
    One row per firm and activity (and service): ``firm_id``, ``activity`` (activity code),
    ``unit`` (serving unit, e.g. ``ITP``), ``service``, ``ubigeo`` (department, province or
    district code), ``ciiu`` (CIIU Rev.4 class or division), ``sales_soles``, ``workers``,
    ``registration_date`` (SUNAT registration, ``YYYY-MM-DD``), ``formal`` (bool). Firm
    attributes must agree on every row of a firm.
``published`` (optional; figures the report prints, used only by the checks)
    ``level`` (``activity``, ``product``, ``indicator`` or ``total``), ``code``, ``measure``
    (``target``, ``achieved``, ``physical_progress_pct``, ``pia``, ``pim``, ``devengado``,
    ``execution_pct``, ``value``, ``progress_pct``), ``value``, ``decimals`` (the precision
    it was printed with), ``source``.

Missing values are empty cells. Numbers are plain (``1234.5``): no currency symbols and no
thousands separators. Errors name the file, the row (as a spreadsheet shows it: the header
is row 1; in YAML lists the item number) and the column.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tfp.exceptions import RecordsError
from tfp.program.framework import Activity, Framework, Indicator, Product

__all__ = [
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "SCHEMAS",
    "ColumnSpec",
    "ProgramRecords",
    "read_records",
]

REQUIRED_TABLES = ("products", "activities", "indicators")
OPTIONAL_TABLES = ("register", "published")
_EXTENSIONS = (".csv", ".xlsx", ".xlsm", ".xls", ".yaml", ".yml")
PUBLISHED_LEVELS = ("activity", "product", "indicator", "total")
PUBLISHED_MEASURES = (
    "target",
    "achieved",
    "physical_progress_pct",
    "pia",
    "pim",
    "devengado",
    "execution_pct",
    "value",
    "progress_pct",
)
_BUDGET_MEASURES = ("pia", "pim", "devengado", "execution_pct")
_LEVEL_MEASURES = {
    "activity": ("target", "achieved", "physical_progress_pct", *_BUDGET_MEASURES),
    "product": ("target", "achieved", "physical_progress_pct", *_BUDGET_MEASURES),
    "indicator": ("target", "value", "progress_pct"),
    "total": _BUDGET_MEASURES,
}
_PROGRAMME_KEYS = ("programme", "name", "final_result", "specific_result")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a record table.

    Attributes
    ----------
    name : str
    kind : {'code', 'text', 'int', 'count', 'amount', 'real', 'bool', 'date', 'unit'}
        ``count`` and ``amount`` are non-negative numbers; ``code`` is an identifier kept as
        text (``5005078.0`` from a spreadsheet becomes ``"5005078"``).
    required : bool
        Whether the column must be present.
    nonnull : bool
        Whether every row needs a value.
    """

    name: str
    kind: str
    required: bool = True
    nonnull: bool = True


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (typed loosely, for messages and comparisons)."""
    return [{str(k): v for k, v in row.items()} for row in df.to_dict("records")]


def _c(
    name: str, kind: str, required: bool = True, nonnull: bool | None = None
) -> ColumnSpec:
    return ColumnSpec(name, kind, required, required if nonnull is None else nonnull)


#: Column specifications of each table (see the module docstring).
SCHEMAS: Mapping[str, tuple[ColumnSpec, ...]] = {
    "products": (
        _c("code", "code"),
        _c("number", "int"),
        _c("name", "text"),
        _c("responsible", "text"),
        _c("unit", "unit"),
        _c("target", "count"),
        _c("achieved", "count"),
    ),
    "activities": (
        _c("code", "code"),
        _c("number", "code"),
        _c("product", "code"),
        _c("name", "text"),
        _c("responsible", "text"),
        _c("unit", "unit"),
        _c("counts_to_product", "bool", required=False),
        _c("target", "count"),
        _c("achieved", "count"),
        _c("pia", "amount"),
        _c("pim", "amount"),
        _c("devengado", "amount"),
    ),
    "indicators": (
        _c("id", "code"),
        _c("product", "code"),
        _c("name", "text"),
        _c("unit", "text"),
        _c("target", "real"),
        _c("value", "real", required=False),
        _c("numerator", "amount", required=False),
        _c("denominator", "amount", required=False),
    ),
    "register": (
        _c("firm_id", "code"),
        _c("activity", "code"),
        _c("unit", "code", required=False),
        _c("service", "text", required=False),
        _c("ubigeo", "code", nonnull=False),
        _c("ciiu", "code", required=False),
        _c("sales_soles", "amount", required=False),
        _c("workers", "count", required=False),
        _c("registration_date", "date", required=False),
        _c("formal", "bool", required=False),
    ),
    "published": (
        _c("level", "code"),
        _c("code", "code", nonnull=False),
        _c("measure", "code"),
        _c("value", "real"),
        _c("decimals", "int"),
        _c("source", "text", required=False),
    ),
}

_FIRM_ATTRIBUTES = (
    "ubigeo",
    "ciiu",
    "sales_soles",
    "workers",
    "registration_date",
    "formal",
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TRUE = {"true", "1", "yes", "si", "sí", "y", "s", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_UNITS = {
    "empresas": "firms",
    "firms": "firms",
    "acciones": "actions",
    "actions": "actions",
}


# --------------------------------------------------------------------------------------
# cell parsing
# --------------------------------------------------------------------------------------


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


def _parse_cell(v: Any, spec: ColumnSpec, file: str, row: int) -> Any:
    """Convert one cell to its kind, raising :class:`RecordsError` naming file/row/column."""

    def fail(problem: str, fix: str) -> RecordsError:
        return RecordsError(problem, file=file, row=row, column=spec.name, fix=fix)

    kind = spec.kind
    if kind in ("int", "count", "amount", "real"):
        if isinstance(v, (bool, datetime, date)):
            raise fail(f"{v!r} is not a number", "write a plain number")
        if isinstance(v, (int, float, np.integer, np.floating)):
            x = float(v)
            if not np.isfinite(x):
                raise fail(f"{v!r} is not a finite number", "write a finite number")
        else:
            s = str(v).strip()
            if not _NUMBER.match(s):
                raise fail(
                    f"text {s!r} in a numeric column",
                    "write a plain number such as 1234.5, without currency symbols, "
                    "thousands separators or words",
                )
            x = float(s)
        if kind in ("int", "count") and x != np.floor(x):
            raise fail(f"{v!r} is not a whole number", "write a whole number")
        if kind in ("count", "amount") and x < 0:
            raise fail(
                f"negative value {v!r}", "amounts and counts must be zero or positive"
            )
        return int(x) if kind == "int" else x
    if kind == "bool":
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, float, np.integer, np.floating)) and float(v) in (
            0.0,
            1.0,
        ):
            return bool(v)
        s = str(v).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise fail(
            f"{v!r} is not a yes/no value", "write true or false (or 1/0, sí/no)"
        )
    if kind == "date":
        if isinstance(v, (datetime, date, pd.Timestamp)):
            return pd.Timestamp(v)
        s = str(v).strip()
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", s):
            raise fail(f"{s!r} is not a date", "write dates as YYYY-MM-DD")
        try:
            return pd.Timestamp(s)
        except ValueError:
            raise fail(
                f"{s!r} is not a valid date", "write dates as YYYY-MM-DD"
            ) from None
    if kind == "unit":
        s = str(v).strip().lower()
        if s not in _UNITS:
            raise fail(
                f"unknown unit of measure {v!r}",
                "use one of 'Empresas', 'Acciones' (or 'firms', 'actions')",
            )
        return _UNITS[s]
    if kind == "code":
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()
    return str(v).strip()


def _normalise_ubigeo(code: str) -> str:
    """Zero-pad ubigeo codes that lost their leading zero (``10101`` -> ``010101``)."""
    return code.zfill(len(code) + 1) if code.isdigit() and len(code) % 2 == 1 else code


def _parse_table(
    raw: pd.DataFrame, table: str, file: str, rows: np.ndarray
) -> pd.DataFrame:
    """Check the columns of a raw (object) table and convert every cell."""
    raw = raw.rename(columns=lambda c: str(c).strip())
    dupes = raw.columns[raw.columns.duplicated()]
    if len(dupes):
        raise RecordsError(
            "column appears twice", file=file, column=str(dupes[0]), fix="keep one copy"
        )
    out: dict[str, Any] = {}
    n = len(raw)
    for spec in SCHEMAS[table]:
        if spec.name not in raw.columns:
            if spec.required:
                raise RecordsError(
                    f"required column missing from the {table} table",
                    file=file,
                    column=spec.name,
                    fix=f"add a {spec.name!r} column (see tfp.program.records for the schema)",
                )
            values: list[Any] = [None] * n
        else:
            values = list(raw[spec.name].to_numpy(dtype=object))
        parsed: list[Any] = []
        for i, v in enumerate(values):
            if _is_missing(v):
                if spec.nonnull:
                    raise RecordsError(
                        "missing value",
                        file=file,
                        row=int(rows[i]),
                        column=spec.name,
                        fix=f"fill in {spec.name!r} on every row",
                    )
                parsed.append(None)
            else:
                parsed.append(_parse_cell(v, spec, file, int(rows[i])))
        out[spec.name] = _to_series(parsed, spec)
    df = pd.DataFrame(out)
    if table == "activities":
        df["counts_to_product"] = df["counts_to_product"].fillna(True).astype(bool)
    if table == "register":
        df["ubigeo"] = df["ubigeo"].map(_normalise_ubigeo, na_action="ignore")
        df["ciiu"] = df["ciiu"].map(
            lambda s: s.zfill(4) if s.isdigit() and len(s) == 3 else s,
            na_action="ignore",
        )
    return df


def _to_series(values: list[Any], spec: ColumnSpec) -> pd.Series:
    if spec.kind in ("count", "amount", "real"):
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if spec.kind == "int":
        return pd.Series(values, dtype="Int64")
    if spec.kind == "bool":
        return pd.Series(values, dtype="boolean")
    if spec.kind == "date":
        return pd.Series(
            pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]"
        )
    return pd.Series(values, dtype="string")


# --------------------------------------------------------------------------------------
# file reading
# --------------------------------------------------------------------------------------


def _read_raw(path: Path, table: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Read one table as object cells; return (frame, source row numbers, file label)."""
    file = str(path)
    if not path.is_file():
        raise RecordsError(
            f"the {table} file does not exist",
            file=file,
            fix="check the path or directory",
        )
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
            df = df.astype(object)
            return df, np.arange(len(df)) + 2, file
        if suffix in (".xlsx", ".xlsm", ".xls"):
            with pd.ExcelFile(path) as book:
                sheets = book.sheet_names
                sheet = table if table in sheets else sheets[0]
                df = pd.read_excel(book, sheet_name=sheet, dtype=object)
            return df, np.arange(len(df)) + 2, f"{file}[{sheet}]"
        if suffix in (".yaml", ".yml"):
            data = _load_yaml(path)
            if isinstance(data, Mapping) and table in data:
                data = data[table]
            if not isinstance(data, list) or not all(
                isinstance(d, Mapping) for d in data
            ):
                raise RecordsError(
                    f"the {table} YAML file is not a list of records",
                    file=file,
                    fix="write one mapping (column: value) per row, as a YAML list",
                )
            return (
                pd.DataFrame(list(data), dtype=object),
                np.arange(len(data)) + 1,
                file,
            )
    except RecordsError:
        raise
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError, OSError) as exc:
        raise RecordsError(
            f"cannot read the {table} table ({exc})",
            file=file,
            fix="save it as UTF-8 CSV, an Excel workbook or a YAML list",
        ) from exc
    raise RecordsError(
        f"unsupported file type {suffix!r} for the {table} table",
        file=file,
        fix=f"use one of {', '.join(_EXTENSIONS)}",
    )


def _load_yaml(path: Path) -> Any:
    import yaml

    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise RecordsError(
            f"invalid YAML ({exc})", file=str(path), fix="fix the YAML syntax"
        ) from exc


def _read_programme(path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise RecordsError(
            "the programme file does not exist", file=str(path), fix="check the path"
        )
    if suffix in (".yaml", ".yml"):
        data = _load_yaml(path)
        if not isinstance(data, Mapping):
            raise RecordsError(
                "the programme file is not a mapping",
                file=str(path),
                fix="write 'key: value' lines (programme, name, year, final_result, ...)",
            )
        return dict(data)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raw, _rows_read, file = _read_raw(path, "programme")
        if not {"key", "value"} <= set(map(str, raw.columns)):
            raise RecordsError(
                "the programme sheet needs columns 'key' and 'value'",
                file=file,
                column="key",
                fix="write one row per programme field",
            )
        return {
            str(k).strip(): v for k, v in zip(raw["key"], raw["value"], strict=True)
        }
    raise RecordsError(
        f"unsupported file type {suffix!r} for the programme description",
        file=str(path),
        fix="use a YAML file (programme.yaml) or an Excel sheet 'programme'",
    )


def _find_in_dir(directory: Path, name: str) -> Path | None:
    hits = [directory / f"{name}{ext}" for ext in (*_EXTENSIONS,)]
    hits = [h for h in hits if h.is_file()]
    if len(hits) > 1:
        raise RecordsError(
            f"more than one file for the {name} table: {', '.join(h.name for h in hits)}",
            file=str(directory),
            fix="keep one file per table",
        )
    return hits[0] if hits else None


def read_records(
    source: str | Path | Mapping[str, str | Path],
    *,
    year: int | None = None,
) -> ProgramRecords:
    """Read one year of programme records and validate them.

    Parameters
    ----------
    source : path or mapping
        A directory holding ``programme.yaml`` and one file per table (``products``,
        ``activities``, ``indicators``, optionally ``register``, ``published``; each
        ``.csv``, ``.xlsx`` or ``.yaml``); an Excel workbook with one sheet per table (and a
        ``programme`` sheet of ``key``/``value`` rows); or a mapping of table name (including
        ``"programme"``) to file path.
    year : int, optional
        The year of the records; required when the programme description has no ``year``.
        When both are given they must agree.

    Returns
    -------
    ProgramRecords

    Raises
    ------
    RecordsError
        Naming file, row and column, for a missing file or column, text in a numeric
        column, a negative amount, an unknown product or activity code, a duplicated
        product, activity, indicator or firm, or firm attributes that disagree between rows.
        Nothing is returned half-read.

    Examples
    --------
    >>> from tfp.datasets.pp0093 import data_dir
    >>> rec = read_records(data_dir())
    >>> rec.year, len(rec.activities)
    (2020, 11)
    """
    files: dict[str, Path] = {}
    if isinstance(source, Mapping):
        unknown = set(source) - {"programme", *REQUIRED_TABLES, *OPTIONAL_TABLES}
        if unknown:
            raise RecordsError(
                f"unknown table name(s) {sorted(unknown)}",
                fix=f"use {('programme', *REQUIRED_TABLES, *OPTIONAL_TABLES)}",
            )
        files = {k: Path(v) for k, v in source.items()}
    else:
        if not isinstance(source, str | PathLike):
            raise RecordsError(
                f"source must be a path or a mapping of table name to path, got "
                f"{type(source).__name__}",
                fix="pass the directory of the year's files, a workbook, or a mapping of files",
            )
        path = Path(source)
        if path.is_dir():
            for name in ("programme", *REQUIRED_TABLES, *OPTIONAL_TABLES):
                hit = _find_in_dir(path, name)
                if hit is not None:
                    files[name] = hit
        elif path.suffix.lower() in (".xlsx", ".xlsm", ".xls") and path.is_file():
            try:
                with pd.ExcelFile(path) as book:
                    sheets = book.sheet_names
            except (ValueError, OSError, zipfile.BadZipFile) as exc:
                raise RecordsError(
                    f"cannot be read as an Excel workbook ({exc})",
                    file=str(path),
                    fix="save it again from Excel as .xlsx, or pass the directory of CSV files",
                ) from exc
            files = {
                s: path
                for s in sheets
                if s in ("programme", *REQUIRED_TABLES, *OPTIONAL_TABLES)
            }
        else:
            raise RecordsError(
                "not a directory or an Excel workbook",
                file=str(path),
                fix="pass the directory of the year's files, a workbook, or a mapping of files",
            )
    for name in ("programme", *REQUIRED_TABLES):
        if name not in files:
            raise RecordsError(
                f"no {name} table found",
                file=str(source) if not isinstance(source, Mapping) else None,
                fix=f"add a {name} file (e.g. {name}.{'yaml' if name == 'programme' else 'csv'})",
            )
    programme = _read_programme(files["programme"])
    raw: dict[str, tuple[pd.DataFrame, np.ndarray, str]] = {}
    for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
        if name in files:
            raw[name] = _read_raw(files[name], name)
    return _build(programme, raw, year=year, programme_file=str(files["programme"]))


def _build(
    programme: Mapping[str, Any],
    raw: Mapping[str, tuple[pd.DataFrame, np.ndarray, str]],
    *,
    year: int | None,
    programme_file: str,
) -> ProgramRecords:
    """Parse and cross-validate raw tables; the single path into :class:`ProgramRecords`."""
    tables = {
        name: _parse_table(frame, name, file, rows)
        for name, (frame, rows, file) in raw.items()
    }
    files = {name: file for name, (_, _, file) in raw.items()}
    rows = {name: r for name, (_, r, _) in raw.items()}
    year = _resolve_year(programme, year, programme_file)
    for key in _PROGRAMME_KEYS:
        if _is_missing(programme.get(key)):
            raise RecordsError(
                f"programme field {key!r} is missing",
                file=programme_file,
                column=key,
                fix=f"add '{key}: ...' to the programme description",
            )
    _cross_validate(tables, files, rows)
    framework = _framework(programme, tables)
    source = (
        "" if _is_missing(programme.get("source")) else str(programme["source"]).strip()
    )
    return ProgramRecords._create(framework, year, source, tables, files)


def _resolve_year(programme: Mapping[str, Any], year: int | None, file: str) -> int:
    given = programme.get("year")
    if _is_missing(given) and year is None:
        raise RecordsError(
            "the records' year is not given",
            file=file,
            column="year",
            fix="add 'year: 2020' to the programme description or pass year=",
        )
    try:
        y_file = None if _is_missing(given) else int(str(given).strip())
    except ValueError:
        raise RecordsError(
            f"year {given!r} is not a whole number",
            file=file,
            column="year",
            fix="write e.g. 2020",
        ) from None
    if year is not None and y_file is not None and int(year) != y_file:
        raise RecordsError(
            f"year={year} disagrees with year {y_file} in the programme description",
            file=file,
            column="year",
            fix="pass the year the files are for, or omit year=",
        )
    return int(year) if year is not None else int(y_file)  # type: ignore[arg-type]


def _duplicate(df: pd.DataFrame, keys: list[str]) -> tuple[int, int] | None:
    """Positions of the first occurrence of the first repeated key and of its repeat."""
    if df.empty:
        return None
    group = df.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    repeated = pd.Series(group).duplicated().to_numpy()
    if not repeated.any():
        return None
    j = int(np.flatnonzero(repeated)[0])
    i = int(np.flatnonzero(group == group[j])[0])
    return i, j


def _cross_validate(
    tables: Mapping[str, pd.DataFrame],
    files: Mapping[str, str],
    rows: Mapping[str, np.ndarray],
) -> None:
    def dup_error(table: str, keys: list[str], what: str, fix: str) -> None:
        hit = _duplicate(tables[table], keys)
        if hit is not None:
            i, j = hit
            value = ", ".join(str(tables[table][k].iloc[j]) for k in keys)
            raise RecordsError(
                f"duplicate {what} {value!r} (also on row {int(rows[table][i])})",
                file=files[table],
                row=int(rows[table][j]),
                column=keys[0],
                fix=fix,
            )

    def unknown(
        table: str, column: str, known: set[str], what: str, mask: Any = None
    ) -> None:
        col = tables[table][column]
        bad = ~col.isin(list(known)) & col.notna()
        if mask is not None:
            bad &= mask
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise RecordsError(
                f"unknown {what} code {col.iloc[i]!r}",
                file=files[table],
                row=int(rows[table][i]),
                column=column,
                fix=f"use one of the codes in the {what} table: {sorted(known)}",
            )

    dup_error("products", ["code"], "product", "list each product once")
    dup_error("products", ["number"], "product number", "number the products 1, 2, ...")
    dup_error("activities", ["code"], "activity", "list each activity once")
    dup_error(
        "activities", ["number"], "activity number", "number the activities uniquely"
    )
    dup_error("indicators", ["id"], "indicator", "give each indicator its own id")
    products = set(tables["products"]["code"])
    activities = set(tables["activities"]["code"])
    unknown("activities", "product", products, "product")
    unknown("indicators", "product", products, "product")
    ind = tables["indicators"]
    has_value = ind["value"].notna()
    has_ratio = ind["numerator"].notna() & ind["denominator"].notna()
    bad = ~(has_value | has_ratio) | (
        has_value & (ind["numerator"].notna() | ind["denominator"].notna())
    )
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise RecordsError(
            "give either 'value' or both 'numerator' and 'denominator'",
            file=files["indicators"],
            row=int(rows["indicators"][i]),
            column="value",
            fix="fill in the indicator value, or its numerator and denominator, not both",
        )
    zero_den = has_ratio & (ind["denominator"] == 0)
    if zero_den.any():
        i = int(np.flatnonzero(zero_den.to_numpy())[0])
        raise RecordsError(
            "denominator is zero",
            file=files["indicators"],
            row=int(rows["indicators"][i]),
            column="denominator",
            fix="give the population the indicator is measured on",
        )
    if "register" in tables:
        reg = tables["register"]
        unknown("register", "activity", activities, "activity")
        dup_error(
            "register",
            ["firm_id", "activity", "service"],
            "firm (same firm, activity and service)",
            "list each firm once per activity and service",
        )
        _check_firm_attributes(reg, files["register"], rows["register"])
        _check_register_codes(reg, files["register"], rows["register"])
    if "published" in tables:
        pub = tables["published"]
        for column, allowed in (
            ("level", PUBLISHED_LEVELS),
            ("measure", PUBLISHED_MEASURES),
        ):
            bad = ~pub[column].isin(list(allowed))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise RecordsError(
                    f"{pub[column].iloc[i]!r} is not one of {set(allowed)}",
                    file=files["published"],
                    row=int(rows["published"][i]),
                    column=column,
                    fix=f"use one of {', '.join(allowed)}",
                )
        for level, allowed_measures in _LEVEL_MEASURES.items():
            bad = (pub["level"] == level) & ~pub["measure"].isin(list(allowed_measures))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise RecordsError(
                    f"measure {pub['measure'].iloc[i]!r} does not apply to level {level!r}",
                    file=files["published"],
                    row=int(rows["published"][i]),
                    column="measure",
                    fix=f"for {level} rows use one of {', '.join(allowed_measures)}",
                )
        unknown("published", "code", activities, "activity", pub["level"] == "activity")
        unknown("published", "code", products, "product", pub["level"] == "product")
        unknown(
            "published",
            "code",
            set(ind["id"]),
            "indicator",
            pub["level"] == "indicator",
        )
        dup_error(
            "published",
            ["level", "code", "measure", "source"],
            "published figure",
            "list each printed figure once per source",
        )


def _check_firm_attributes(reg: pd.DataFrame, file: str, rows: np.ndarray) -> None:
    """Every row of a firm must carry the same firm attributes."""
    if reg.empty:
        return
    for column in _FIRM_ATTRIBUTES:
        col = reg[column].astype(object).where(reg[column].notna(), "<missing>")
        n = col.groupby(reg["firm_id"].to_numpy()).nunique()
        if (n > 1).any():
            firm = n.index[n.to_numpy() > 1][0]
            pos = np.flatnonzero((reg["firm_id"] == firm).to_numpy())
            first = col.iloc[pos[0]]
            j = next(p for p in pos if col.iloc[p] != first)
            raise RecordsError(
                f"duplicate firm {firm!r} with a different {column} "
                f"({col.iloc[j]!r} here, {first!r} on row {int(rows[pos[0]])})",
                file=file,
                row=int(rows[j]),
                column=column,
                fix="give each firm one id and the same attributes on all its rows",
            )


def _check_register_codes(reg: pd.DataFrame, file: str, rows: np.ndarray) -> None:
    """Ubigeo and CIIU codes must be valid where given (missing is allowed)."""
    from tfp import peru

    checks = (
        ("ubigeo", peru.department, "a 2-, 4- or 6-digit ubigeo of departments 01-25"),
        (
            "ciiu",
            peru.ciiu_section,
            "a CIIU Rev.4 class (4 digits) or division (2 digits)",
        ),
    )
    for column, lookup, what in checks:
        given = reg[column].notna().to_numpy()
        if not given.any():
            continue
        mapped = lookup(reg[column].astype(object)).notna().to_numpy()
        bad = given & ~mapped
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise RecordsError(
                f"invalid code {reg[column].iloc[i]!r}",
                file=file,
                row=int(rows[i]),
                column=column,
                fix=f"write {what}, or leave the cell empty if unknown",
            )


def _split_units(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in str(text).split("/") if s.strip())


def _framework(
    programme: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]
) -> Framework:
    outcomes = programme.get("outcome_indicators") or ()
    if isinstance(outcomes, str):
        outcomes = [s.strip() for s in outcomes.split(";") if s.strip()]
    p, a, i = tables["products"], tables["activities"], tables["indicators"]
    return Framework(
        programme=str(programme["programme"]).strip(),
        name=str(programme["name"]).strip(),
        final_result=str(programme["final_result"]).strip(),
        specific_result=str(programme["specific_result"]).strip(),
        outcome_indicators=tuple(str(o) for o in outcomes),
        products=tuple(
            Product(
                r["code"],
                int(r["number"]),
                r["name"],
                _split_units(r["responsible"]),
                r["unit"],
            )
            for r in _rows(p)
        ),
        activities=tuple(
            Activity(
                r["code"],
                r["number"],
                r["product"],
                r["name"],
                _split_units(r["responsible"]),
                r["unit"],
                bool(r["counts_to_product"]),
            )
            for r in _rows(a)
        ),
        indicators=tuple(
            Indicator(r["id"], r["product"], r["name"], r["unit"]) for r in _rows(i)
        ),
    )


# --------------------------------------------------------------------------------------
# the records object
# --------------------------------------------------------------------------------------


class ProgramRecords:
    """One year of programme records, validated and read-only.

    Build with :func:`read_records` or :meth:`from_frames`; derive figures with the
    functions of :mod:`tfp.program` (they never store derived figures here).

    Attributes
    ----------
    framework : Framework
        The results chain (products, activities, indicators).
    year : int
    source : str
        Where the records come from.
    products, activities, indicators : DataFrame
        Raw yearly figures (see the module docstring for the columns).
    register : DataFrame or None
        Firms served, one row per firm and activity (and service).
    published : DataFrame or None
        Figures the report prints, for :func:`tfp.program.check_records`.
    files : Mapping[str, str]
        The file (or label) each table was read from, used in messages.

    Notes
    -----
    Tables are returned as copy-on-write copies: changing them never changes the records.
    Use :meth:`replace` to get new records with some tables changed.
    """

    __slots__ = ("_files", "_framework", "_source", "_tables", "_year")

    _framework: Framework
    _year: int
    _source: str
    _tables: Mapping[str, pd.DataFrame]
    _files: Mapping[str, str]

    def __init__(self) -> None:
        raise TypeError(
            "build ProgramRecords with tfp.program.read_records() or "
            "ProgramRecords.from_frames()"
        )

    @classmethod
    def _create(
        cls,
        framework: Framework,
        year: int,
        source: str,
        tables: Mapping[str, pd.DataFrame],
        files: Mapping[str, str],
    ) -> ProgramRecords:
        obj = object.__new__(cls)
        object.__setattr__(obj, "_framework", framework)
        object.__setattr__(obj, "_year", int(year))
        object.__setattr__(obj, "_source", source)
        object.__setattr__(obj, "_tables", {k: v.copy() for k, v in tables.items()})
        object.__setattr__(obj, "_files", dict(files))
        return obj

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            "ProgramRecords is read-only; use .replace(...) for new records"
        )

    def __delattr__(self, name: str) -> None:
        raise AttributeError("ProgramRecords is read-only")

    @classmethod
    def from_frames(
        cls,
        *,
        programme: Mapping[str, Any],
        products: pd.DataFrame,
        activities: pd.DataFrame,
        indicators: pd.DataFrame,
        register: pd.DataFrame | None = None,
        published: pd.DataFrame | None = None,
        year: int | None = None,
    ) -> ProgramRecords:
        """Build records from DataFrames with the same schema and checks as the files.

        Errors name the table as ``<activities>`` and the row as its position plus 2 (as if
        it had a header row, like a CSV file).
        """
        frames = {
            "products": products,
            "activities": activities,
            "indicators": indicators,
            "register": register,
            "published": published,
        }
        raw = {
            name: (
                df.reset_index(drop=True).astype(object),
                np.arange(len(df)) + 2,
                f"<{name}>",
            )
            for name, df in frames.items()
            if df is not None
        }
        return _build(programme, raw, year=year, programme_file="<programme>")

    def replace(self, **tables: pd.DataFrame | None) -> ProgramRecords:
        """Return new records with some tables replaced (re-validated); ``None`` drops one.

        Examples
        --------
        >>> from tfp.program import load_pp0093_2020
        >>> rec = load_pp0093_2020()
        >>> act = rec.activities
        >>> act.loc[act["number"] == "4.1", "achieved"] = 27758
        >>> rec.replace(activities=act).activities["achieved"].max()
        np.float64(27758.0)
        """
        unknown = set(tables) - {*REQUIRED_TABLES, *OPTIONAL_TABLES}
        if unknown:
            raise TypeError(f"unknown table(s) {sorted(unknown)}")
        current: dict[str, pd.DataFrame | None] = {
            k: self._export(v) for k, v in self._tables.items()
        }
        current.update(tables)
        return ProgramRecords.from_frames(
            programme=self.programme_fields(),
            year=self._year,
            products=current["products"],  # type: ignore[arg-type]
            activities=current["activities"],  # type: ignore[arg-type]
            indicators=current["indicators"],  # type: ignore[arg-type]
            register=current.get("register"),
            published=current.get("published"),
        )

    @staticmethod
    def _export(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        if "unit" in out.columns and out["unit"].isin(["firms", "actions"]).all():
            out["unit"] = out["unit"].astype(object)
        return out

    def programme_fields(self) -> dict[str, Any]:
        """The programme description as a mapping (the inverse of ``programme.yaml``)."""
        f = self._framework
        return {
            "programme": f.programme,
            "name": f.name,
            "year": self._year,
            "final_result": f.final_result,
            "specific_result": f.specific_result,
            "outcome_indicators": list(f.outcome_indicators),
            "source": self._source,
        }

    @property
    def framework(self) -> Framework:
        """The results chain."""
        return self._framework

    @property
    def year(self) -> int:
        """The year of the records."""
        return self._year

    @property
    def source(self) -> str:
        """Where the records come from."""
        return self._source

    @property
    def files(self) -> Mapping[str, str]:
        """File (or label) of each table."""
        return dict(self._files)

    def _table(self, name: str) -> pd.DataFrame:
        return self._tables[name].copy(deep=False)

    @property
    def products(self) -> pd.DataFrame:
        """Products: code, number, name, responsible, unit, target, achieved."""
        return self._table("products")

    @property
    def activities(self) -> pd.DataFrame:
        """Activities: code, number, product, ..., target, achieved, pia, pim, devengado."""
        return self._table("activities")

    @property
    def indicators(self) -> pd.DataFrame:
        """Indicators: id, product, name, unit, target, value, numerator, denominator."""
        return self._table("indicators")

    @property
    def register(self) -> pd.DataFrame | None:
        """Firms served (one row per firm and activity/service), or None."""
        return self._table("register") if "register" in self._tables else None

    @property
    def published(self) -> pd.DataFrame | None:
        """Figures the report prints, or None."""
        return self._table("published") if "published" in self._tables else None

    def __repr__(self) -> str:
        reg = self._tables.get("register")
        n_firms = (
            "no register" if reg is None else f"{reg['firm_id'].nunique():,} firms"
        )
        return (
            f"ProgramRecords(programme={self._framework.programme!r}, year={self._year}, "
            f"products={len(self._tables['products'])}, "
            f"activities={len(self._tables['activities'])}, "
            f"indicators={len(self._tables['indicators'])}, {n_firms})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            ProgramRecords._create,
            (
                self._framework,
                self._year,
                self._source,
                dict(self._tables),
                dict(self._files),
            ),
        )


def __getattr__(name: str) -> Any:
    """``ProgrammeRecords``: the old spelling of :class:`ProgramRecords`, for one release."""
    if name == "ProgrammeRecords":
        warnings.warn(
            "ProgrammeRecords is now ProgramRecords (the spelling of the tfp.program "
            "package); the old name goes in the next release",
            FutureWarning,
            stacklevel=2,
        )
        return ProgramRecords
    raise AttributeError(f"module 'tfp.program' has no attribute {name!r}")
