"""Validated firm-year panels: the single entry from a DataFrame to estimation arrays.

:func:`make_panel` checks the columns, drops unusable rows *by reason* (never silently),
sorts by (firm, time) without touching the caller's frame, and returns a :class:`Panel`
whose arrays are read-only float64/int64 and whose rows map back to the caller's index.
Lags and leads are gap-aware: a lag exists only when the firm is observed in ``t - 1``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from tfp._frames import as_pandas
from tfp._frozen import FrozenDict
from tfp._kernels.panel_nb import lag_index_nb
from tfp.exceptions import (
    DataError,
    DroppedObservationsWarning,
    PanelStructureError,
    SpecificationError,
)

__all__ = [
    "DROP_REASONS",
    "Panel",
    "key_column",
    "lag_drops",
    "make_panel",
    "numeric_matrix",
]

#: Reasons a row can leave a sample, in the order they are applied.
DROP_REASONS: tuple[str, ...] = (
    "missing_key",  # id or time missing
    "missing",  # a used column is NaN or infinite
    "nonpositive",  # a level that is logged is <= 0
    "first_period_lag",  # a lag is needed and the firm's first observed period has none
    "gap",  # a lag is needed and the firm was not observed in t-1 (gap in its years)
    "no_lead",  # a lead is needed and the firm is not observed in t+1
    "nonpositive_proxy",  # a proxy that must be positive is not
    "singleton",  # a firm with one observation in a within (FE) estimator
)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def lag_drops(reasons: np.ndarray) -> dict[str, int]:
    """Rows without the lag they need, by reason, from :meth:`Panel.lag_reasons` codes
    (``first_period_lag`` for 1, ``gap`` for 2); reasons without rows are left out."""
    counts = {
        "first_period_lag": int((reasons == 1).sum()),
        "gap": int((reasons == 2).sum()),
    }
    return {k: v for k, v in counts.items() if v}


@dataclass(frozen=True, eq=False)
class Panel:
    """A validated firm-year panel, sorted by (firm, time), with read-only arrays.

    Attributes
    ----------
    id, time_name : str
        Names of the id and time columns in the caller's data.
    index : pandas.Index
        The caller's index labels of the kept rows, in panel order.
    rows : ndarray of int64, shape (nobs,)
        Positions of the kept rows in the caller's frame, in panel order.
    firm : ndarray of int64, shape (nobs,)
        Firm codes ``0 .. n_firms - 1``, non-decreasing.
    time : ndarray of int64, shape (nobs,)
        Time periods, increasing within each firm.
    values : Mapping[str, ndarray of float64]
        The requested columns in panel order.
    firm_labels : ndarray
        The caller's id for each firm code.
    n_input : int
        Rows in the caller's data.
    input_index : pandas.Index
        The caller's whole index (results are mapped back onto it).
    dropped : Mapping[str, int]
        Rows left out, by reason (see :data:`DROP_REASONS`).
    """

    id: str
    time_name: str
    index: pd.Index
    rows: np.ndarray
    firm: np.ndarray
    time: np.ndarray
    values: Mapping[str, np.ndarray]
    firm_labels: np.ndarray
    n_input: int
    input_index: pd.Index = field(repr=False)
    dropped: Mapping[str, int] = field(default_factory=dict)

    # ---- sizes --------------------------------------------------------------------------
    @property
    def nobs(self) -> int:
        """Number of rows in the panel."""
        return int(self.firm.shape[0])

    @property
    def n_firms(self) -> int:
        """Number of distinct firms in the panel (codes are sorted: count the changes)."""
        f = self.firm
        return int(f.shape[0] and 1 + np.count_nonzero(f[1:] != f[:-1]))

    @property
    def n_periods(self) -> int:
        """Number of distinct periods in the panel."""
        return int(np.unique(self.time).shape[0])

    # ---- access -------------------------------------------------------------------------
    def __getitem__(self, name: str) -> np.ndarray:
        """Return column ``name`` as a read-only float64 array in panel order."""
        try:
            return self.values[name]
        except KeyError:
            raise SpecificationError(
                "is not one of the panel's columns",
                column=name,
                fix=f"request it in make_panel(columns=...); available: {sorted(self.values)}",
            ) from None

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        """Stack columns ``names`` into a C-contiguous (nobs, len(names)) float64 matrix."""
        if len(names) == 0:
            return np.empty((self.nobs, 0))
        return np.ascontiguousarray(np.column_stack([self[n] for n in names]))

    # ---- lags and leads -----------------------------------------------------------------
    def lag_index(self, k: int = 1) -> np.ndarray:
        """Position of each row's firm at ``t - k`` (``-1`` if unobserved); ``k < 0`` leads."""
        return lag_index_nb(self.firm, self.time, int(k))

    def lag(self, x: np.ndarray | str, k: int = 1) -> np.ndarray:
        """Gap-aware lag of ``x`` (a column name or an array in panel order); NaN if missing."""
        arr = self[x] if isinstance(x, str) else np.asarray(x, dtype=np.float64)
        idx = self.lag_index(k)
        out = np.full(arr.shape, np.nan, dtype=np.float64)
        ok = idx >= 0
        out[ok] = arr[idx[ok]]
        return out

    def lag_reasons(self, k: int = 1) -> np.ndarray:
        """For each row, why its lag is missing: 0 present, 1 first period of firm, 2 gap."""
        idx = self.lag_index(k)
        first = np.ones(self.nobs, dtype=bool)
        if self.nobs:
            first[1:] = self.firm[1:] != self.firm[:-1]
        return np.where(idx >= 0, 0, np.where(first, 1, 2)).astype(np.int64)

    def period_dummies(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """One dummy per period except the first, named ``year=2002`` etc. after the time
        column."""
        periods = np.unique(self.time)[1:]
        names = tuple(f"{self.time_name}={p}" for p in periods)
        if not names:
            return np.empty((self.nobs, 0)), ()
        return np.column_stack(
            [(self.time == p).astype(np.float64) for p in periods]
        ), names

    # ---- subsets and mapping back -------------------------------------------------------
    def subset(
        self, keep: np.ndarray, reasons: Mapping[str, int] | None = None
    ) -> Panel:
        """Return a new panel with the rows where ``keep`` is true; add ``reasons`` to dropped.

        Firm codes are re-numbered so they stay ``0 .. n_firms - 1``.
        """
        keep = np.asarray(keep, dtype=bool)
        n_out = int((~keep).sum())
        dropped = dict(self.dropped)
        if reasons is not None:
            if sum(reasons.values()) != n_out:
                raise AssertionError(  # internal consistency, not user input
                    f"drop reasons {dict(reasons)} do not add up to {n_out} rows"
                )
            for key, val in reasons.items():
                if val:
                    dropped[key] = dropped.get(key, 0) + int(val)
        elif n_out:
            raise AssertionError("rows dropped without a reason")
        firm_kept = self.firm[keep]
        used, new_codes = np.unique(firm_kept, return_inverse=True)
        return Panel(
            id=self.id,
            time_name=self.time_name,
            index=self.index[keep],
            rows=_readonly(self.rows[keep]),
            firm=_readonly(new_codes.astype(np.int64)),
            time=_readonly(self.time[keep]),
            values=FrozenDict({k: _readonly(v[keep]) for k, v in self.values.items()}),
            firm_labels=self.firm_labels[used],
            n_input=self.n_input,
            input_index=self.input_index,
            dropped=FrozenDict(dropped),
        )

    def logged(self, names: Sequence[str]) -> Panel:
        """A new panel whose columns ``names`` hold their natural logs (values must be > 0:
        build the panel with ``positive=names`` so that other rows are dropped by reason)."""
        if not names:
            return self
        values = dict(self.values)
        for name in names:
            v = self[name]
            if np.any(~(v > 0)):
                raise AssertionError(f"column {name!r} has non-positive values")
            values[name] = _readonly(np.log(v))
        return replace(self, values=FrozenDict(values))

    def to_series(self, x: np.ndarray, name: str | None = None) -> pd.Series:
        """Put panel-ordered values back on the caller's index (NaN for rows not in the panel)."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape[0] != self.nobs:
            raise AssertionError("array length does not match the panel")
        out = np.full(self.n_input, np.nan)
        out[self.rows] = x
        return pd.Series(out, index=self.input_index, name=name)

    def sample_mask(self) -> pd.Series:
        """Boolean Series on the caller's index: True for rows in the panel."""
        out = np.zeros(self.n_input, dtype=bool)
        out[self.rows] = True
        return pd.Series(out, index=self.input_index, name="sample")

    def firm_ids(self) -> np.ndarray:
        """The caller's id of every row, in panel order."""
        return self.firm_labels[self.firm]

    def frame(self) -> pd.DataFrame:
        """A DataFrame view of the panel (id, time and the columns), indexed like the caller."""
        df = pd.DataFrame(dict(self.values), index=self.index)
        df.insert(0, self.time_name, self.time)
        df.insert(0, self.id, self.firm_ids())
        return df


def check_frame(data: object) -> pd.DataFrame:
    """``data`` if it is a pandas DataFrame; a polars, pyarrow … frame read into a new pandas
    one (:func:`tfp._frames.as_pandas`); else a DataError."""
    return as_pandas(data)


def check_columns(data: pd.DataFrame, names: Iterable[str]) -> None:
    """Raise a DataError naming the first of ``names`` that is not a column of ``data``."""
    for name in names:
        if name not in data.columns:
            available = ", ".join(repr(c) for c in list(data.columns)[:20])
            levels = [n for n in data.index.names if n is not None]
            where = (
                f"; {name!r} is an index level, which tfp reads only for id and time: "
                f"reset it with data.reset_index({name!r})"
                if name in levels
                else ""
            )
            raise DataError(
                "is not in the data" + where,
                column=str(name),
                fix=f"name one of the data's columns ({available})",
            )


def numeric_matrix(data: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """Columns ``names`` of ``data`` as a float64 (n, k) matrix (NaN for missing values); a
    DataError names a missing or non-numeric column."""
    check_columns(data, names)
    cols = [_numeric_column(data, c) for c in names]
    return np.column_stack(cols) if cols else np.empty((len(data), 0))


def key_column(data: pd.DataFrame, name: str, role: str) -> pd.Series:
    """The id or time key: a column, or else a level of the data's index (linearmodels'
    (entity, time) MultiIndex convention), aligned to ``data``'s index; ``role`` (``"id"``,
    ``"time"``) names it in the error when it is neither."""
    if name in data.columns:
        return _single_column(data, name)
    levels = [n for n in data.index.names if n is not None]
    if name in levels:
        return pd.Series(data.index.get_level_values(name), index=data.index, name=name)
    available = ", ".join(repr(c) for c in list(data.columns)[:20])
    in_index = f"; the index levels are {levels}" if levels else ""
    raise DataError(
        f"is not in the data: neither a column nor a level of the index{in_index}",
        column=str(name),
        fix=f"name the {role} column (one of {available}) or an index level",
    )


def _single_column(data: pd.DataFrame, name: str) -> pd.Series:
    col = data[name]
    if isinstance(col, pd.DataFrame):
        raise DataError(
            "appears more than once in the data",
            column=name,
            fix="rename the duplicated columns",
        )
    return col


def _numeric_column(data: pd.DataFrame, name: str) -> np.ndarray:
    col = _single_column(data, name)
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    if not pd.api.types.is_numeric_dtype(col.dtype):
        converted = pd.to_numeric(col, errors="coerce")
        bad = col[converted.isna() & col.notna()]
        if not len(bad):
            raise DataError(
                f"holds numbers stored as text (dtype {col.dtype})",
                column=name,
                fix=f"convert it first: data[{name!r}] = pd.to_numeric(data[{name!r}])",
            )
        example = repr(bad.iloc[0])
        raise DataError(
            f"is not numeric (dtype {col.dtype}); {len(bad)} value(s) are not numbers, "
            f"e.g. {example} at index {bad.index[0]!r}",
            column=name,
            fix=f"convert it first, e.g. data[{name!r}] = pd.to_numeric(data[{name!r}], errors='coerce'), "
            "and decide what to do with the values that are not numbers",
        )
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _time_codes(data: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (time as int64 with 0 where missing, missing mask)."""
    col = key_column(data, name, "time")
    if not (
        pd.api.types.is_numeric_dtype(col.dtype)
        and not pd.api.types.is_bool_dtype(col.dtype)
    ):
        raise PanelStructureError(
            f"the time column must be integer-like (years or periods), got dtype {col.dtype}",
            column=name,
            fix=f"convert it, e.g. data[{name!r}] = data[{name!r}].astype(int)",
        )
    t = col.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = ~np.isfinite(t)
    fin = t[~missing]
    if fin.size and np.any(fin != np.round(fin)):
        bad = fin[fin != np.round(fin)][0]
        raise PanelStructureError(
            f"the time column must hold whole numbers; found {bad!r}",
            column=name,
            fix="use integer periods (e.g. the year); lags are defined on consecutive integers",
        )
    out = np.where(missing, 0, t).astype(np.int64)
    return out, missing


def _factorize_ids(ids: np.ndarray) -> tuple[np.ndarray, Any]:
    """Firm codes 0..G-1 in sorted id order, and the ids (mixed, unorderable id types are
    ordered by their text)."""
    try:
        codes, labels = pd.factorize(pd.Series(ids), sort=True)
    except TypeError:  # mixed, unorderable id types: order by their text
        codes, labels = pd.factorize(pd.Series(ids).astype(str), sort=True)
        first_label = pd.Series(ids).groupby(codes).first()
        labels = pd.Index(first_label.to_numpy())
    return codes.astype(np.int64), labels


def _raise_duplicates(
    ids: pd.Series, t: np.ndarray, missing_key: np.ndarray, id: str, time: str
) -> NoReturn:
    """Raise PanelStructureError naming the first rows that share an (id, time) pair."""
    keys = pd.DataFrame({"i": ids.to_numpy(), "t": t})[~missing_key]
    dup = keys.duplicated(keep=False)
    first = keys[dup].iloc[:3]
    shown = ", ".join(f"({r.i!r}, {r.t})" for r in first.itertuples())
    raise PanelStructureError(
        f"{int(dup.sum())} rows share an (id, time) pair with another row, e.g. {shown}",
        column=f"{id}, {time}",
        fix="keep one row per firm and period (aggregate or drop duplicates) "
        "or check that id and time name the right columns",
    )


def make_panel(
    data: pd.DataFrame,
    *,
    id: str,
    time: str,
    columns: Sequence[str] = (),
    positive: Sequence[str] = (),
    optional: Sequence[str] = (),
    warn: bool = True,
) -> Panel:
    """Validate ``data`` and return a sorted, read-only :class:`Panel`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per firm and period. It is never modified.
    id : str
        Firm identifier column; any hashable values (strings included). A level of the data's
        index is used when no column has this name (linearmodels' (entity, time) MultiIndex).
    time : str
        Period column (or index level); integer-like (e.g. the year).
    columns : sequence of str
        Numeric columns to carry; rows with a NaN or infinite value in any of them are dropped
        (reason ``"missing"``).
    positive : sequence of str
        Columns (a subset of ``columns``) that must be strictly positive, e.g. levels that will be
        logged; other rows are dropped (reason ``"nonpositive"``).
    optional : sequence of str
        Numeric columns carried as they are, NaN allowed (nothing is dropped for them).
    warn : bool
        Emit a :class:`~tfp.exceptions.DroppedObservationsWarning` with counts when rows are dropped.

    Returns
    -------
    Panel

    Raises
    ------
    DataError
        A column is missing or not numeric.
    PanelStructureError
        Duplicate (id, time) pairs or a non-integer time column.
    """
    data = check_frame(data)
    columns = list(dict.fromkeys(columns))
    optional = [c for c in dict.fromkeys(optional) if c not in columns]
    for p in positive:
        if p not in columns:
            raise SpecificationError(
                f"positive column {p!r} must also be listed in columns",
                column=p,
                fix="add it to columns",
            )
    if id == time:
        raise SpecificationError(
            "the same column is named as id and time",
            column=id,
            fix="name two different columns",
        )
    ids = key_column(data, id, "id")
    key_column(data, time, "time")
    check_columns(data, [*columns, *optional])
    n_input = len(data)

    t, t_missing = _time_codes(data, time)
    id_missing = ids.isna().to_numpy()
    missing_key = t_missing | id_missing

    # firm codes of the rows with valid keys, and their (firm, time) order; data already
    # sorted by id and time (the usual layout) need no sort. Duplicate (id, time) pairs are
    # then adjacent.
    valid = np.flatnonzero(~missing_key)
    codes_v, labels_v = _factorize_ids(ids.to_numpy()[valid])
    t_v = t[valid]
    same_firm = codes_v[1:] == codes_v[:-1]
    presorted = bool(
        np.all((codes_v[1:] > codes_v[:-1]) | (same_firm & (t_v[1:] > t_v[:-1])))
    )
    if presorted:
        order_v = np.arange(valid.shape[0])
    else:
        order_v = np.lexsort((t_v, codes_v))
        cs, ts = codes_v[order_v], t_v[order_v]
        if np.any((cs[1:] == cs[:-1]) & (ts[1:] == ts[:-1])):
            _raise_duplicates(ids, t, missing_key, id, time)

    vals = {c: _numeric_column(data, c) for c in columns}
    opt_vals = {c: _numeric_column(data, c) for c in optional}

    reasons: dict[str, int] = {}
    keep = ~missing_key
    reasons["missing_key"] = int(missing_key.sum())
    miss = np.zeros(n_input, dtype=bool)
    for c in columns:
        miss |= ~np.isfinite(vals[c])
    miss &= keep
    reasons["missing"] = int(miss.sum())
    keep &= ~miss
    nonpos = np.zeros(n_input, dtype=bool)
    for c in positive:
        with np.errstate(invalid="ignore"):
            nonpos |= ~(vals[c] > 0)
    nonpos &= keep
    reasons["nonpositive"] = int(nonpos.sum())
    keep &= ~nonpos

    # kept rows in (firm, time) order; firms are re-coded 0..G-1 over the kept rows only
    rows = valid[order_v]
    in_sample = keep[rows]
    rows = rows[in_sample]
    codes_k = codes_v[order_v][in_sample]
    present = np.bincount(codes_k, minlength=len(labels_v)) > 0
    codes_sorted = (np.cumsum(present) - 1)[codes_k].astype(np.int64)
    labels = np.asarray(labels_v, dtype=object)[present]
    # every row kept, already in order (the usual layout): copies instead of gathers
    identity = presorted and rows.shape[0] == n_input

    def take(a: np.ndarray) -> np.ndarray:
        return _readonly(a.copy() if identity else a[rows])

    dropped = {k: v for k, v in reasons.items() if v}
    panel = Panel(
        id=id,
        time_name=time,
        index=data.index if identity else data.index[rows],
        rows=_readonly(rows.astype(np.int64)),
        firm=_readonly(codes_sorted),
        time=take(t),
        values=FrozenDict(
            {
                **{c: take(vals[c]) for c in columns},
                **{c: take(opt_vals[c]) for c in optional},
            }
        ),
        firm_labels=np.asarray(labels, dtype=object),
        n_input=n_input,
        input_index=data.index,
        dropped=FrozenDict(dropped),
    )
    if warn and dropped:
        warn_dropped(dropped, n_input)
    return panel


def check_binary(values: np.ndarray, column: str) -> None:
    """Raise a DataError unless ``values`` (an indicator such as ``exit``) are all 0 or 1."""
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        raise DataError(
            f"the exit indicator must be 0 or 1; {int(bad.sum())} row(s) hold other values, "
            f"e.g. {float(values[bad][0]):g}",
            column=column,
            fix="code it 1 in the period the firm exits (or its last period) and 0 otherwise",
        )


def warn_dropped(
    dropped: Mapping[str, int],
    n_input: int,
    *,
    stacklevel: int = 3,
    what: str = "sample",
    see: str = "results.dropped and results.sample",
) -> None:
    """Emit one DroppedObservationsWarning listing the counts by reason (nothing if none).

    ``what`` names what the rows were left out of and ``see`` where the counts are kept
    (the productivity layer passes its table and ``attrs['dropped']``).
    """
    total = sum(dropped.values())
    if not total:
        return
    detail = ", ".join(f"{k}: {v}" for k, v in dropped.items() if v)
    warnings.warn(
        f"{total} of {n_input} rows left out of the {what} ({detail}); see {see}",
        DroppedObservationsWarning,
        stacklevel=stacklevel,
    )
