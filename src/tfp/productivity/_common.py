"""Shared input handling of the productivity layer: columns, productivity sources, groups.

Everything here turns user input into aligned NumPy arrays and *counts* every row it leaves
out by reason; the public functions report those counts (a warning and ``DataFrame.attrs``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from tfp._labels import CATALOGUE, labels
from tfp.exceptions import DataError, SpecificationError
from tfp.panel import warn_dropped as panel_warn_dropped

__all__ = [
    "AGGREGATE_LABELS",
    "SIZE_ORDER",
    "Grouping",
    "ResultsLike",
    "check_frame",
    "column",
    "count_drop",
    "distinct_per_cell",
    "firm_codes",
    "group_labels",
    "make_grouping",
    "numeric_column",
    "productivity_from",
    "removed_size_keywords",
    "warn_dropped",
]

#: Size classes of Ley 30056 in their natural order (plain-string columns are ordered so).
SIZE_ORDER: tuple[str, ...] = ("micro", "small", "medium", "large")

#: Display labels of the aggregates the programme reports (es, en).
AGGREGATE_LABELS: Mapping[str, tuple[str, str]] = CATALOGUE["aggregate"]


@runtime_checkable
class ResultsLike(Protocol):
    """What the productivity layer needs from estimation results (``ProductionResults``)."""

    def productivity(
        self, kind: str = ..., include_shock: bool = ..., params: Any = ...
    ) -> Any:
        """Return log productivity aligned to the data index."""
        ...


def check_frame(data: object) -> pd.DataFrame:
    """Return ``data`` if it is a DataFrame, else raise DataError."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"data must be a pandas DataFrame, got {type(data).__name__}",
            fix="pass a DataFrame with one row per firm and period",
        )
    return data


def column(data: pd.DataFrame, name: object, *, role: str) -> pd.Series:
    """Return column ``name`` of ``data`` or raise DataError listing the columns present."""
    if not isinstance(name, str):
        raise SpecificationError(
            f"{role} must be a column name (str), got {type(name).__name__}",
            fix=f"pass {role}='<column>'",
        )
    if name not in data.columns:
        shown = ", ".join(repr(c) for c in list(data.columns)[:25])
        raise DataError(
            f"{role} column is not in the data",
            column=name,
            fix=f"name one of the data's columns ({shown})",
        )
    col = data[name]
    if isinstance(col, pd.DataFrame):
        raise DataError(
            "appears more than once in the data", column=name, fix="rename it"
        )
    return col


def numeric_column(data: pd.DataFrame, name: object, *, role: str) -> np.ndarray:
    """Return column ``name`` as float64 (NaN for missing); non-numeric raises DataError."""
    col = column(data, name, role=role)
    if pd.api.types.is_bool_dtype(col.dtype) or not pd.api.types.is_numeric_dtype(
        col.dtype
    ):
        raise DataError(
            f"{role} column must be numeric, got dtype {col.dtype}",
            column=str(name),
            fix=f"convert it, e.g. data[{name!r}] = pd.to_numeric(data[{name!r}], errors='coerce')",
        )
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def count_drop(
    keep: np.ndarray, bad: np.ndarray, reason: str, dropped: dict[str, int]
) -> None:
    """Mark rows ``bad`` (among those still kept) as dropped for ``reason``; update in place."""
    newly = bad & keep
    n = int(newly.sum())
    if n:
        dropped[reason] = dropped.get(reason, 0) + n
    keep &= ~newly


def firm_codes(
    data: pd.DataFrame, id: str | None, results: object = None
) -> tuple[np.ndarray | None, str | None]:
    """Integer codes of the firm of each row (-1 where missing), and the column's name.

    ``id`` names the firm column; when it is None and ``results`` are estimation results
    whose spec names a firm column present in ``data``, that column is used. Without either
    the firms cannot be told apart: ``(None, None)``.
    """
    name = id
    if name is None and results is not None:
        candidate = getattr(getattr(results, "spec", None), "id", None)
        if isinstance(candidate, str) and candidate in data.columns:
            name = candidate
    if name is None:
        return None, None
    codes, _ = pd.factorize(column(data, name, role="id"), use_na_sentinel=True)
    return codes.astype(np.int64), name


def distinct_per_cell(cell: np.ndarray, firm: np.ndarray, n_cells: int) -> np.ndarray:
    """Number of distinct firms (codes >= 0) in each cell ``0 .. n_cells - 1``."""
    ok = firm >= 0
    if not ok.any():
        return np.zeros(n_cells, dtype=np.int64)
    pairs = np.unique(np.stack([cell[ok], firm[ok]]), axis=1)
    return np.bincount(pairs[0], minlength=n_cells).astype(np.int64)


def warn_dropped(dropped: Mapping[str, int], n_input: int, *, what: str) -> None:
    """:func:`tfp.panel.warn_dropped` for a table of this layer (counts in its attrs)."""
    panel_warn_dropped(
        dropped, n_input, stacklevel=4, what=what, see="the table's attrs['dropped']"
    )


def _align(values: object, data: pd.DataFrame, *, what: str) -> np.ndarray:
    """Align a productivity Series (or array) to ``data``'s rows; NaN where absent."""
    if isinstance(values, pd.Series):
        if values.index.equals(data.index):
            out = values
        else:
            if not data.index.is_unique or not values.index.is_unique:
                raise DataError(
                    f"{what} is a Series whose index differs from the data's and one of the "
                    "two indexes has duplicates, so rows cannot be matched",
                    fix="pass a Series with exactly the data's index "
                    "(e.g. results.productivity() on the same data)",
                )
            out = values.reindex(data.index)
            if out.notna().sum() == 0 and values.notna().any():
                raise DataError(
                    f"no label of the {what} Series's index is in the data's index",
                    fix="pass productivity computed on this data (same index), "
                    "or reset both indexes consistently",
                )
        if not pd.api.types.is_numeric_dtype(out.dtype) or pd.api.types.is_bool_dtype(
            out.dtype
        ):
            raise DataError(
                f"{what} must be numeric, got dtype {out.dtype}",
                fix="pass log productivity as floats",
            )
        return out.to_numpy(dtype=np.float64, na_value=np.nan)
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.shape[0] != len(data):
        raise DataError(
            f"{what} has shape {arr.shape}, the data has {len(data)} rows",
            fix="pass one value per row of the data (a Series aligned to its index)",
        )
    return arr


def productivity_from(
    data: pd.DataFrame, productivity: object, *, log: bool = True
) -> tuple[np.ndarray, ResultsLike | None, str]:
    """Resolve ``productivity`` to log TFP per row of ``data``.

    Parameters
    ----------
    data : DataFrame
    productivity : str, Series, array or results object
        A column name, a Series aligned to ``data`` (by index), or estimation results with a
        ``productivity(kind="log")`` method.
    log : bool
        Whether a column/Series holds log TFP (``True``) or TFP levels (``False``). Results
        objects are always asked for logs.

    Returns
    -------
    omega : ndarray
        Log TFP (NaN where missing; ``-inf``/NaN never silently: levels <= 0 become NaN and
        are counted by the caller via :func:`nonpositive_levels`).
    results : results object or None
    source : str
        Description for the table's attrs.
    """
    if isinstance(productivity, str):
        values = numeric_column(data, productivity, role="productivity")
        source = f"column {productivity!r}"
        results = None
    elif isinstance(productivity, ResultsLike) and not isinstance(
        productivity, (pd.Series, np.ndarray)
    ):
        values = _align(
            productivity.productivity(kind="log"), data, what="productivity"
        )
        return values, productivity, f"{type(productivity).__name__}.productivity()"
    elif isinstance(productivity, (pd.Series, np.ndarray, list)):
        values = _align(productivity, data, what="productivity")
        source = "Series" if isinstance(productivity, pd.Series) else "array"
        results = None
    else:
        raise SpecificationError(
            f"productivity must be a column name, a Series aligned to the data, or estimation "
            f"results, got {type(productivity).__name__}",
            fix="pass productivity='omega', productivity=results.productivity(), "
            "or productivity=results",
        )
    if not log:
        # levels: log of positive values; -inf marks non-positive levels, NaN stays missing
        positive = values > 0
        logged = np.log(np.where(positive, values, 1.0))
        values = np.where(positive, logged, np.where(np.isnan(values), np.nan, -np.inf))
    return values, results, source


def replicate_productivity(
    results: ResultsLike, data: pd.DataFrame
) -> Callable[[pd.Series], np.ndarray]:
    """Return ``params -> log TFP aligned to data`` for a results object."""

    def at(params: pd.Series) -> np.ndarray:
        return _align(
            results.productivity(kind="log", params=params),
            data,
            what="replicate productivity",
        )

    return at


@dataclass(frozen=True)
class Grouping:
    """Integer codes of groups and periods for the kept rows."""

    codes: np.ndarray  # group code per row (-1 where missing)
    groups: tuple[Any, ...]  # group value per code, in display order
    times: np.ndarray  # time per row (int64; 0 where missing)
    time_missing: np.ndarray  # bool per row
    has_time: bool
    by: str | None


def _group_codes(values: pd.Series) -> tuple[np.ndarray, tuple[Any, ...]]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = list(values.cat.categories)
        raw = values.cat.codes.to_numpy().astype(np.int64)
        present = [i for i in range(len(cats)) if np.any(raw == i)]
        remap = np.full(len(cats) + 1, -1, dtype=np.int64)
        for new, old in enumerate(present):
            remap[old] = new
        codes = np.where(raw >= 0, remap[raw], -1)
        return codes, tuple(cats[i] for i in present)
    uniq = set(values.dropna().tolist())
    if uniq and uniq <= set(SIZE_ORDER):
        groups = tuple(g for g in SIZE_ORDER if g in uniq)
        lookup = {g: i for i, g in enumerate(groups)}
        codes = values.map(lookup).fillna(-1).to_numpy(dtype=np.int64)
        return codes, groups
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(values.astype(str), sort=True)
    return codes.astype(np.int64), tuple(uniques)


def make_grouping(data: pd.DataFrame, *, by: str | None, time: str | None) -> Grouping:
    """Group codes from the grouping column ``by`` and the period column ``time``."""
    if time is not None:
        tcol = column(data, time, role="time")
        if pd.api.types.is_bool_dtype(tcol.dtype) or not pd.api.types.is_numeric_dtype(
            tcol.dtype
        ):
            raise DataError(
                f"the time column must be integer-like (years), got dtype {tcol.dtype}",
                column=time,
                fix=f"convert it, e.g. data[{time!r}] = data[{time!r}].astype(int)",
            )
        t = tcol.to_numpy(dtype=np.float64, na_value=np.nan)
        t_missing = ~np.isfinite(t)
        fin = t[~t_missing]
        if fin.size and np.any(fin != np.round(fin)):
            raise DataError(
                "the time column must hold whole numbers (years)",
                column=time,
                fix="use integer periods such as the year",
            )
        times = np.where(t_missing, 0, t).astype(np.int64)
    else:
        times = np.zeros(len(data), dtype=np.int64)
        t_missing = np.zeros(len(data), dtype=bool)

    if by is None:
        codes = np.zeros(len(data), dtype=np.int64)
        return Grouping(codes, ("all",), times, t_missing, time is not None, None)
    codes, groups = _group_codes(column(data, by, role="by"))
    return Grouping(codes, groups, times, t_missing, time is not None, by)


def removed_size_keywords(
    data: pd.DataFrame, *, by: str | None, time: str | None, legacy: Mapping[str, Any]
) -> pd.DataFrame:
    """One release of grace for ``sales=``/``uit_offset=`` and the size class derived here.

    The Ley 30056 rule is Peru's and is applied where Peru is known
    (:func:`tfp.peru.size_class`); until the next release a missing ``size_class`` column is
    still derived from sales and the year, with a FutureWarning.
    """
    unknown = sorted(set(legacy) - {"sales", "uit_offset"})
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {unknown}")
    sales = legacy.get("sales", "sales_soles")
    derive = by == "size_class" and by not in data.columns
    if not legacy and not (derive and sales in data.columns and time is not None):
        return data
    warnings.warn(
        "productivity functions no longer derive size classes (sales=, uit_offset= are "
        "deprecated and go in the next release): add the column first, e.g. "
        "data.assign(size_class=tfp.peru.size_class(data['sales_soles'], data['year']))",
        FutureWarning,
        stacklevel=3,
    )
    if not derive:
        return data
    if sales not in data.columns or time is None:
        raise DataError(
            f"by='size_class' needs a 'size_class' column (sales {sales!r} and time= for "
            "the deprecated derivation)",
            column="size_class",
            fix="add it with tfp.peru.size_class(data['sales_soles'], data['year'])",
        )
    from tfp.peru import size_class

    values = pd.Series(numeric_column(data, sales, role="sales"), index=data.index)
    years = column(data, time, role="time")
    offset = int(legacy.get("uit_offset", 0))
    return data.assign(size_class=size_class(values, years, uit_offset=offset))


def group_labels(
    groups: tuple[Any, ...], by: str | None
) -> tuple[list[str], list[str]]:
    """Spanish and English display labels of the groups (size classes and aggregates are in
    the label catalogue; any other group is its own label)."""
    if by is None:
        groups = ("all",)
    out = []
    for lang in ("es", "en"):
        named = labels("size", lang) | labels("aggregate", lang)
        out.append(
            [named.get(g, str(g)) if isinstance(g, str) else str(g) for g in groups]
        )
    return out[0], out[1]
