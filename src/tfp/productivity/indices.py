"""TFP indices by group and year (base group = 100 or base year = 100) and aggregates.

Notation. In a cell (group ``g``, period ``t``) with firms ``i``, let ``omega_i`` be log TFP,
``P_i = exp(omega_i)`` the TFP level, ``f_i`` the survey expansion factor (1 when
``weights=None``) and ``s_i`` the size measure used for shares (output or employment; only
when ``shares=`` is given). Every statistic is a population estimate under ``f``:

================  =====================================================================
column            formula
================  =====================================================================
``mean``          ``sum f_i P_i / sum f_i`` (mean of TFP levels)
``geometric_mean`` ``exp(sum f_i omega_i / sum f_i)`` (exp of the mean of log TFP)
``weighted_mean`` ``sum theta_i P_i`` with ``theta_i = f_i s_i / sum f_j s_j`` (output- or
                  employment-share weighted mean; Olley–Pakes aggregate)
``cov_term``      ``weighted_mean - mean = sum_i (theta_i - f_i / sum f) (P_i - mean)``
                  (Olley–Pakes covariance between share and productivity)
``value``         the statistic chosen by ``stat`` ('mean', 'geometric' or 'weighted')
``index``         ``100 * value / value_ref`` with the reference cell set by ``base`` and
                  ``base_time``
``growth``        ``value_{g,t} / value_{g,t-1} - 1`` (NaN when ``t-1`` is not observed)
================  =====================================================================

The choice of statistic changes the numbers: the mean of levels is pulled up by a few very
productive firms (by ``exp(sigma^2/2)`` under log-normality), the geometric mean is not, and
share weighting moves the aggregate towards the large firms of each group. PRODUCE does not
publish its choice (PERU_DOMAIN.md §4.2); the inferred reconstruction (§4.3) is the
expansion-factor weighted ``mean`` relative to large firms, which is the default here apart
from the weights, which must be named explicitly (``weights='weight'``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tfp._literals import validate_literal
from tfp.exceptions import SpecificationError, TFPWarning
from tfp.productivity._common import (
    SIZE_ORDER,
    Grouping,
    ResultsLike,
    check_frame,
    count_drop,
    distinct_per_cell,
    firm_codes,
    group_labels,
    make_grouping,
    numeric_column,
    productivity_from,
    removed_size_keywords,
    warn_dropped,
)
from tfp.productivity.delta import DELTA_NOTE, delta_available, delta_cells
from tfp.productivity.uncertainty import INTERVAL_NOTE, bootstrap_cells

__all__ = ["STATS", "tfp_aggregate", "tfp_index"]

#: Statistics a TFP index can be computed from (see the module docstring for formulas).
STATS: tuple[str, ...] = ("mean", "geometric", "weighted")

_STAT_COLUMN = {
    "mean": "mean",
    "geometric": "geometric_mean",
    "weighted": "weighted_mean",
}


@dataclass(frozen=True)
class _Cells:
    """The cells (group, period) of the kept rows."""

    keep: np.ndarray  # bool per data row
    cell: np.ndarray  # cell code per kept row
    cell_group: np.ndarray  # group code per cell
    cell_time: np.ndarray  # period per cell
    f: np.ndarray  # expansion factor per kept row
    s: np.ndarray | None  # size measure per kept row
    n_cells: int
    firm: np.ndarray | None = None  # firm code per kept row (None: firms not known)


def cell_statistics(omega: np.ndarray, cells: _Cells) -> dict[str, np.ndarray]:
    """Per-cell statistics of log TFP ``omega`` (kept rows only); formulas in the module doc."""
    c, f, n = cells.cell, cells.f, cells.n_cells
    level = np.exp(omega)
    sum_f = np.bincount(c, weights=f, minlength=n)
    mean = np.bincount(c, weights=f * level, minlength=n) / sum_f
    geometric = np.exp(np.bincount(c, weights=f * omega, minlength=n) / sum_f)
    if cells.s is not None:
        fs = f * cells.s
        sum_fs = np.bincount(c, weights=fs, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            weighted = np.bincount(c, weights=fs * level, minlength=n) / sum_fs
    else:
        weighted = np.full(n, np.nan)
    return {
        "mean": mean,
        "geometric_mean": geometric,
        "weighted_mean": weighted,
        "cov_term": weighted - mean,
    }


def _grid(
    values: np.ndarray, cells: _Cells, n_groups: int, times: np.ndarray
) -> np.ndarray:
    grid = np.full((n_groups, times.shape[0]), np.nan)
    grid[cells.cell_group, np.searchsorted(times, cells.cell_time)] = values
    return grid


def index_and_growth(
    values: np.ndarray,
    cells: _Cells,
    n_groups: int,
    base_code: int | None,
    base_time: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Index (reference cell = 100) and growth on the previous period, per cell."""
    times = np.unique(cells.cell_time)
    grid = _grid(values, cells, n_groups, times)
    with np.errstate(invalid="ignore", divide="ignore"):
        if base_code is not None and base_time is None:
            index = 100.0 * grid / grid[base_code][None, :]
        elif base_code is None and base_time is not None:
            j = int(np.searchsorted(times, base_time))
            index = 100.0 * grid / grid[:, j][:, None]
        elif base_code is not None and base_time is not None:
            j = int(np.searchsorted(times, base_time))
            index = 100.0 * grid / grid[base_code, j]
        else:
            index = np.full_like(grid, np.nan)
        growth = np.full_like(grid, np.nan)
        if times.shape[0] > 1:
            consecutive = np.diff(times) == 1
            ratio = grid[:, 1:] / grid[:, :-1] - 1.0
            growth[:, 1:] = np.where(consecutive[None, :], ratio, np.nan)
    cols = np.searchsorted(times, cells.cell_time)
    return index[cells.cell_group, cols], growth[cells.cell_group, cols]


def _prepare(
    data: pd.DataFrame,
    omega: np.ndarray,
    grouping: Grouping,
    *,
    weights: str | None,
    shares: str | None,
    dropped: dict[str, int],
    extra_keep: np.ndarray | None = None,
    firm: np.ndarray | None = None,
) -> _Cells:
    n = len(data)
    keep = np.ones(n, dtype=bool) if extra_keep is None else extra_keep.copy()
    count_drop(
        keep, np.isnan(omega) | np.isposinf(omega), "missing_productivity", dropped
    )
    if firm is not None:
        count_drop(keep, firm < 0, "missing_id", dropped)
    count_drop(keep, np.isneginf(omega), "nonpositive_productivity", dropped)
    count_drop(keep, grouping.codes < 0, "missing_group", dropped)
    count_drop(keep, grouping.time_missing, "missing_time", dropped)
    f = np.ones(n)
    if weights is not None:
        f = numeric_column(data, weights, role="weights")
        count_drop(keep, ~np.isfinite(f), "missing_weight", dropped)
        with np.errstate(invalid="ignore"):
            if np.any(keep & (f < 0)):
                from tfp.exceptions import DataError

                raise DataError(
                    f"{int((keep & (f < 0)).sum())} expansion factors are negative",
                    column=weights,
                    fix="expansion factors count the firms each row represents; fix or drop "
                    "the negative ones",
                )
            count_drop(keep, f == 0, "zero_weight", dropped)
    s = None
    if shares is not None:
        s = numeric_column(data, shares, role="shares")
        count_drop(keep, ~np.isfinite(s), "missing_share", dropped)
        with np.errstate(invalid="ignore"):
            count_drop(keep, s < 0, "negative_share", dropped)
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        from tfp.exceptions import DataError

        raise DataError(
            f"no row is usable (dropped by reason: {dropped})",
            fix="check the productivity, group, time, weights and shares columns",
        )
    g = grouping.codes[rows]
    t = grouping.times[rows]
    key = pd.MultiIndex.from_arrays([g, t])
    cell_codes, uniques = pd.factorize(key, sort=True)
    cell_group = np.asarray(uniques.get_level_values(0), dtype=np.int64)
    cell_time = np.asarray(uniques.get_level_values(1), dtype=np.int64)
    return _Cells(
        keep=keep,
        cell=cell_codes.astype(np.int64),
        cell_group=cell_group,
        cell_time=cell_time,
        f=f[rows],
        s=None if s is None else s[rows],
        n_cells=int(cell_group.shape[0]),
        firm=None if firm is None else firm[rows],
    )


def _find_group(groups: Sequence[Any], base: object, by: str | None) -> int:
    for i, g in enumerate(groups):
        if g == base:
            return i
    raise SpecificationError(
        f"base group {base!r} is not among the groups present in column {by!r}: "
        f"{list(groups)}",
        column=by,
        fix="pass base= one of the groups present, base=None with base_time=<year>, "
        "or check the data's group column",
    )


def _table(
    data: pd.DataFrame,
    omega: np.ndarray,
    results: ResultsLike | None,
    grouping: Grouping,
    cells: _Cells,
    *,
    stat: str,
    base_code: int | None,
    base_time: int | None,
    level: float,
    value_name: str,
    attrs: dict[str, Any],
) -> pd.DataFrame:
    kept = omega[cells.keep]
    stats = cell_statistics(kept, cells)
    value = stats[_STAT_COLUMN[stat]]
    n_groups = len(grouping.groups)
    index, growth = index_and_growth(value, cells, n_groups, base_code, base_time)
    es, en = group_labels(grouping.groups, grouping.by)
    n_obs = np.bincount(cells.cell, minlength=cells.n_cells).astype(np.int64)
    n_firms = pd.array(
        [pd.NA] * cells.n_cells
        if cells.firm is None
        else distinct_per_cell(cells.cell, cells.firm, cells.n_cells),
        dtype="Int64",
    )
    sum_f = np.bincount(cells.cell, weights=cells.f, minlength=cells.n_cells)
    out = pd.DataFrame(
        {
            "group": pd.Series(
                [grouping.groups[g] for g in cells.cell_group], dtype=object
            ),
            "time": pd.array(
                cells.cell_time if grouping.has_time else [pd.NA] * cells.n_cells,
                dtype="Int64",
            ),
            "n_obs": n_obs,
            "n_firms": n_firms,
            "sum_weights": sum_f,
            "mean": stats["mean"],
            "geometric_mean": stats["geometric_mean"],
            "weighted_mean": stats["weighted_mean"],
            "cov_term": stats["cov_term"],
            "stat": stat,
            value_name: value,
            "index": index,
            "growth": growth,
            "label_es": [es[g] for g in cells.cell_group],
            "label_en": [en[g] for g in cells.cell_group],
        }
    )
    if base_code is None and base_time is None:
        out = out.drop(columns="index")
    if not grouping.has_time:
        out = out.drop(columns="growth")
    statistic = partial(
        _replicate,
        cells=cells,
        n_groups=n_groups,
        stat=stat,
        base_code=base_code,
        base_time=base_time,
    )
    boot = results is not None and getattr(results, "bootstrap", None) is not None
    ci = None
    if results is not None and (boot or delta_available(results)):
        ci = (bootstrap_cells if boot else delta_cells)(
            results,
            data,
            statistic,
            keep=cells.keep,
            shape=(3, cells.n_cells),
            level=level,
        )
        attrs["interval"] = INTERVAL_NOTE if boot else DELTA_NOTE
        if boot:
            attrs["n_reps"] = ci.n_used
            attrs["n_reps_failed"] = ci.n_failed
    if ci is not None:
        if "index" in out.columns:
            out["conf_low"], out["conf_high"] = ci.low[0], ci.high[0]
        out[f"{value_name}_conf_low"], out[f"{value_name}_conf_high"] = (
            ci.low[2],
            ci.high[2],
        )
        if "growth" in out.columns:
            out["growth_conf_low"], out["growth_conf_high"] = ci.low[1], ci.high[1]
        attrs["level"] = level
    if grouping.has_time:
        out = _empty_cells(out, grouping, cells, base_code)
    if base_code is not None and "index" in out.columns:
        missing_ref = out["index"].isna() & out[value_name].notna()
        if missing_ref.any():
            times = sorted({int(t) for t in out.loc[missing_ref, "time"].dropna()})
            warnings.warn(
                f"the base group has no firms in period(s) {times}; the index is NaN there "
                "(and the base group's rows are kept with NaN)",
                TFPWarning,
                stacklevel=3,
            )
    out = out.sort_values(["group", "time"], key=_sort_key(grouping)).reset_index(
        drop=True
    )
    out.attrs.update(attrs)
    return out


def _empty_cells(
    out: pd.DataFrame, grouping: Grouping, cells: _Cells, base_code: int | None
) -> pd.DataFrame:
    """``out`` with a row of NaN (no firms, weight 0) for every group without firms in a
    period in which others have some, and a warning naming the non-base ones (the base
    group's own warning says where the index is NaN)."""
    times = np.unique(cells.cell_time).tolist()
    have = set(zip(cells.cell_group.tolist(), cells.cell_time.tolist(), strict=True))
    missing = [
        (g, t) for g in range(len(grouping.groups)) for t in times if (g, t) not in have
    ]
    if not missing:
        return out
    es, en = group_labels(grouping.groups, grouping.by)
    codes = [g for g, _ in missing]
    rows = pd.DataFrame(
        {
            "group": pd.Series([grouping.groups[g] for g in codes], dtype=object),
            "time": pd.array([t for _, t in missing], dtype="Int64"),
            "n_obs": np.zeros(len(missing), dtype=np.int64),
            "n_firms": pd.array(
                [pd.NA if cells.firm is None else 0] * len(missing), dtype="Int64"
            ),
            "sum_weights": np.zeros(len(missing)),
            "stat": out["stat"].iloc[0],
            "label_es": [es[g] for g in codes],
            "label_en": [en[g] for g in codes],
        }
    )
    others = sorted(
        {(str(grouping.groups[g]), int(t)) for g, t in missing if g != base_code}
    )
    if others:
        shown = ", ".join(f"{g} in {t}" for g, t in others)
        warnings.warn(
            f"{len(others)} group-period cell(s) have no firms ({shown}); their rows are "
            "kept with NaN",
            TFPWarning,
            stacklevel=4,
        )
    return pd.concat([out, rows], ignore_index=True)[out.columns]


def _sort_key(grouping: Grouping) -> Any:
    order = {g: i for i, g in enumerate(grouping.groups)}

    def key(col: pd.Series) -> pd.Series:
        if col.name == "group":
            return col.map(order)
        return col

    return key


def _replicate(
    omega_kept: np.ndarray,
    cells: _Cells,
    n_groups: int,
    stat: str,
    base_code: int | None,
    base_time: int | None,
) -> np.ndarray:
    value = cell_statistics(omega_kept, cells)[_STAT_COLUMN[stat]]
    index, growth = index_and_growth(value, cells, n_groups, base_code, base_time)
    return np.vstack([index, growth, value])


def _check_common(stat: str, shares: str | None, level: float) -> None:
    validate_literal(stat, STATS, name="stat")
    if stat == "weighted" and shares is None:
        raise SpecificationError(
            "stat='weighted' needs shares=, the column whose shares weight the firms",
            fix="pass shares='va_soles' (output shares) or shares='<workers column>' "
            "(employment shares), or use stat='mean' / 'geometric'",
        )
    if not (isinstance(level, float) and 0.0 < level < 1.0):
        raise SpecificationError(
            f"level={level!r} must be a float strictly between 0 and 1",
            fix="pass e.g. level=0.95",
        )


def tfp_index(
    data: pd.DataFrame,
    *,
    productivity: str | pd.Series | ResultsLike,
    by: str | None = "size_class",
    base: object = "large",
    time: str | None = None,
    base_time: int | None = None,
    weights: str | None = None,
    shares: str | None = None,
    stat: str = "mean",
    log: bool = True,
    level: float = 0.95,
    id: str | None = None,
    **legacy: Any,
) -> pd.DataFrame:
    """Compute a TFP index by group (and period) relative to a base group or a base period.

    Parameters
    ----------
    data : pandas.DataFrame
        Firm-year rows; never modified.
    productivity : str, pandas.Series or results
        Log TFP: a column of ``data``, a Series aligned to ``data``'s index (e.g. from
        :func:`tfp.productivity.calibrated` or ``results.productivity()``), or estimation
        results (their ``productivity(kind="log")`` is used, and their bootstrap draws, or
        else their analytic covariance (delta method, :mod:`tfp.productivity.delta`), give
        confidence intervals).
    by : str or None, default "size_class"
        Grouping column (size class, sector, department, region, ...); add a Ley 30056 size
        class first with :func:`tfp.peru.size_class`. ``None``: all firms form one group.
    base : object or None, default "large"
        Group whose statistic is 100 in each period. ``None`` to use ``base_time`` only.
    time : str or None
        Period column; ``None`` pools all rows.
    base_time : int or None
        Period that is 100 (for each group when ``base=None``; for the base group when
        both are given, a single reference cell).
    weights : str or None
        Survey expansion factors (ENE ``Factor_exp``), one per row; ``None`` counts every firm
        once. Negative weights raise; zero weights are counted and left out.
    shares : str or None
        Size measure for ``weighted_mean``: an output level (e.g. ``'va_soles'``) for output
        shares or a workers column for employment shares (shares are computed within each
        cell, times the expansion factors).
    stat : {'mean', 'geometric', 'weighted'}, default 'mean'
        Which statistic the index is computed from (formulas in :mod:`tfp.productivity.indices`).
    log : bool, default True
        Whether a column/Series ``productivity`` holds log TFP (True) or TFP levels.
    level : float, default 0.95
        Confidence level of the intervals (bootstrap or delta method).
    id : str or None
        Firm identifier column, to count distinct firms (``n_firms``); rows without one are
        counted and left out. ``None``: the results' firm column when ``productivity`` is
        estimation results, else firms are not counted (``n_firms`` is missing).
    **legacy
        ``sales=``, ``uit_offset=``: deprecated (FutureWarning), removed in the next release.

    Returns
    -------
    pandas.DataFrame
        One row per group and period with columns ``group, time, n_obs`` (rows used: firm-years
        when periods are pooled), ``n_firms`` (distinct firms; ``<NA>`` without a firm
        column), ``sum_weights`` (sum of the expansion factors: the firm-years, or with
        ``time`` the firms of the period, that the rows represent), ``mean,
        geometric_mean, weighted_mean, cov_term, stat, value, index, growth, label_es,
        label_en``; with bootstrap draws or an analytic covariance also ``conf_low,
        conf_high`` (index), ``value_conf_low, value_conf_high`` and ``growth_conf_low,
        growth_conf_high``. ``attrs`` records ``stat, weights, shares, base, base_time,
        productivity, dropped`` and, with intervals, ``interval`` (what they cover),
        ``level`` and (bootstrap) ``n_reps``, ``n_reps_failed``.

    Raises
    ------
    DataError
        A named column is missing or not numeric, or weights are negative.
    SpecificationError
        Unknown ``stat``, base group or base period not present (the message lists those
        present), or ``stat='weighted'`` without ``shares``.

    Warns
    -----
    DroppedObservationsWarning
        Rows without productivity, group, period, weight or share, counted by reason.

    References
    ----------
    Olley, G. S., & Pakes, A. (1996). The dynamics of productivity in the
    telecommunications equipment industry. *Econometrica*, 64(6), 1263–1297.

    Examples
    --------
    >>> import pandas as pd
    >>> from tfp.productivity import tfp_index
    >>> df = pd.DataFrame({"size": ["small", "small", "large"], "omega": [0.0, 0.0, 1.0]})
    >>> t = tfp_index(df, productivity="omega", by="size", base="large")
    >>> t[["group", "index"]].round(1).to_dict("list")
    {'group': ['small', 'large'], 'index': [36.8, 100.0]}
    """
    data = removed_size_keywords(check_frame(data), by=by, time=time, legacy=legacy)
    _check_common(stat, shares, level)
    if by is None and base is not None:
        raise SpecificationError(
            f"base={base!r} needs a grouping, but by=None",
            fix="pass by='<group column>' or base=None with base_time=<period>",
        )
    if base is None and base_time is None:
        raise SpecificationError(
            "the index needs a reference: base (a group) or base_time (a period)",
            fix="pass base='large' (default) or base=None, base_time=<year>",
        )
    if base_time is not None and time is None:
        raise SpecificationError(
            f"base_time={base_time!r} needs the period column",
            fix="pass time='<year column>'",
        )
    omega, results, source = productivity_from(data, productivity, log=log)
    firm, id_name = firm_codes(data, id, results)
    grouping = make_grouping(data, by=by, time=time)
    dropped: dict[str, int] = {}
    cells = _prepare(
        data,
        omega,
        grouping,
        weights=weights,
        shares=shares,
        dropped=dropped,
        firm=firm,
    )
    warn_dropped(dropped, len(data), what="TFP index")
    base_code = None
    if base is not None:
        present = sorted(set(cells.cell_group.tolist()))
        base_code = _find_group([grouping.groups[i] for i in present], base, by)
        base_code = present[base_code]
    _check_base_time(base_time, cells.cell_time, time)
    attrs = {
        "stat": stat,
        "weights": weights,
        "shares": shares,
        "base": base,
        "base_time": base_time,
        "by": by,
        "id": id_name,
        "productivity": source,
        "dropped": dict(dropped),
    }
    return _table(
        data,
        omega,
        results,
        grouping,
        cells,
        stat=stat,
        base_code=base_code,
        base_time=None if base_time is None else int(base_time),
        level=level,
        value_name="value",
        attrs=attrs,
    )


#: Size classes of the MIPYME aggregate (Ley 30056: micro, small and medium firms).
MIPYME: tuple[str, ...] = ("micro", "small", "medium")
#: Size classes of the MYPE aggregate (micro and small firms).
MYPE: tuple[str, ...] = ("micro", "small")


def tfp_aggregate(
    data: pd.DataFrame,
    *,
    productivity: str | pd.Series | ResultsLike,
    time: str,
    groups: Sequence[object] = MIPYME,
    by: str = "size_class",
    name: str = "mipyme",
    weights: str | None = None,
    shares: str | None = None,
    stat: str = "mean",
    base_time: int | None = None,
    log: bool = True,
    level: float = 0.95,
    id: str | None = None,
    **legacy: Any,
) -> pd.DataFrame:
    """Compute the aggregate TFP level of a set of groups (MIPYME by default) per period.

    The programme reports "la PTF de las MIPYME fue 1.13, una reducción de 11.5 % respecto a
    2018": this is ``value`` (the chosen statistic over all micro, small and medium firms of
    the year) and ``growth`` (on the previous year). Its normalisation is not published;
    ``value`` here is in TFP units of ``productivity`` (it contains the production
    function's constant for estimated or calibrated TFP), so compare growth rates or use
    ``base_time`` for an index.

    Parameters
    ----------
    data, productivity, weights, shares, stat, log, level, id, **legacy
        As in :func:`tfp_index`.
    time : str
        Period column.
    groups : sequence, default ("micro", "small", "medium")
        Values of ``by`` that form the aggregate (:data:`MYPE` for micro and small firms).
    by : str, default "size_class"
        Grouping column.
    name : str, default "mipyme"
        Value of the ``group`` column; 'mipyme', 'mype' and 'all' get Spanish and English
        labels.
    base_time : int or None
        Period that is 100 in the ``index`` column (no ``index`` column when None).

    Returns
    -------
    pandas.DataFrame
        One row per period: the columns of :func:`tfp_index` (``value`` is the aggregate
        level); rows of other groups are excluded and counted in ``attrs['excluded']``.

    Raises
    ------
    SpecificationError
        A requested group is not present and is not a size class, or none is present (the
        message lists the groups present).
    """
    data = removed_size_keywords(check_frame(data), by=by, time=time, legacy=legacy)
    _check_common(stat, shares, level)
    if isinstance(groups, str) or len(groups) == 0:
        raise SpecificationError(
            f"groups must be a non-empty sequence of group values, got {groups!r}",
            fix="pass e.g. groups=('micro', 'small', 'medium')",
        )
    omega, results, source = productivity_from(data, productivity, log=log)
    firm, id_name = firm_codes(data, id, results)
    grouping = make_grouping(data, by=by, time=time)
    member = np.zeros(len(grouping.groups), dtype=bool)
    for g in groups:
        if g in grouping.groups:
            member[grouping.groups.index(g)] = True
        elif g not in SIZE_ORDER:  # a size class may be absent; anything else is a typo
            raise SpecificationError(
                f"group {g!r} of the aggregate is not among the groups present in column "
                f"{by!r}: {list(grouping.groups)}",
                column=by,
                fix="list groups present in the data (size classes: micro, small, medium, large)",
            )
    if not member.any():
        raise SpecificationError(
            f"none of the aggregate's groups {list(groups)} is present in column {by!r}: "
            f"{list(grouping.groups)}",
            column=by,
            fix="list groups present in the data",
        )
    in_agg = np.where(grouping.codes >= 0, member[np.maximum(grouping.codes, 0)], False)
    in_agg_known = in_agg | (grouping.codes < 0)
    excluded = int((~in_agg_known).sum())
    agg = Grouping(
        codes=np.where(in_agg, 0, np.where(grouping.codes < 0, -1, 0)).astype(np.int64),
        groups=(name,),
        times=grouping.times,
        time_missing=grouping.time_missing,
        has_time=True,
        by="aggregate",
    )
    dropped: dict[str, int] = {}
    cells = _prepare(
        data,
        omega,
        agg,
        weights=weights,
        shares=shares,
        dropped=dropped,
        extra_keep=in_agg_known,
        firm=firm,
    )
    warn_dropped(dropped, len(data) - excluded, what=f"{name} aggregate")
    _check_base_time(base_time, cells.cell_time, time)
    attrs = {
        "stat": stat,
        "weights": weights,
        "shares": shares,
        "groups": tuple(groups),
        "id": id_name,
        "base_time": base_time,
        "productivity": source,
        "dropped": dict(dropped),
        "excluded": excluded,
    }
    return _table(
        data,
        omega,
        results,
        agg,
        cells,
        stat=stat,
        base_code=None,
        base_time=None if base_time is None else int(base_time),
        level=level,
        value_name="value",
        attrs=attrs,
    )


def _check_base_time(
    base_time: int | None, cell_time: np.ndarray, time: str | None
) -> None:
    """Raise unless ``base_time`` is None or one of the periods of the cells."""
    if base_time is None:
        return
    times = np.unique(cell_time)
    if isinstance(base_time, bool) or not isinstance(base_time, (int, np.integer)):
        raise SpecificationError(
            f"base_time must be a whole-number period, got {base_time!r}",
            column=time,
            fix=f"pass one of the periods present: {times.tolist()}",
        )
    if int(base_time) not in set(times.tolist()):
        raise SpecificationError(
            f"base_time={base_time!r} is not among the periods present: {times.tolist()}",
            column=time,
            fix="pass one of the periods present",
        )
