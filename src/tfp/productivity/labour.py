"""Labour productivity (real value added per worker) by size class and year, with aggregates.

PP 0093 reports the *Índice de productividad del trabajo*: "Productividad del trabajo MYPE:
44.8 (2018) → 46.3 (2019), +3.4 %" (seed report; PERU_DOMAIN.md §4.1; units not stated,
probably thousands of soles per worker). Notation for a cell (group ``g``, year ``t``):
real value added ``VA_i`` (nominal soles deflated to ``base_year`` with
:func:`tfp.peru.deflate`), workers ``L_i`` and expansion factor ``f_i`` (1 without weights).

===========  ===========================================================================
column       formula
===========  ===========================================================================
``ratio``    ``sum f_i VA_i / sum f_i L_i``: value added per worker of the group as a whole
             (the employment-weighted mean of firm VA per worker)
``mean``     ``sum f_i (VA_i / L_i) / sum f_i``: mean over firms of VA per worker
``value``    the chosen statistic divided by ``scale``
``growth``   ``value_{g,t} / value_{g,t-1} - 1`` (NaN when ``t-1`` is absent)
===========  ===========================================================================

The two differ a lot: small firms with few workers and high VA per worker weigh as much as
large ones in ``mean``. PRODUCE's choice is not published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tfp._literals import validate_literal
from tfp.exceptions import SpecificationError
from tfp.productivity._common import (
    check_frame,
    count_drop,
    firm_codes,
    group_labels,
    make_grouping,
    numeric_column,
    removed_size_keywords,
    warn_dropped,
)
from tfp.productivity.indices import MIPYME, MYPE

__all__ = ["LABOUR_STATS", "labour_productivity"]

#: Statistics of labour productivity (see the module docstring).
LABOUR_STATS: tuple[str, ...] = ("ratio", "mean")


def _cells(
    codes: np.ndarray,
    t: np.ndarray,
    va: np.ndarray,
    workers: np.ndarray,
    f: np.ndarray,
    firm: np.ndarray | None,
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "g": codes,
            "time": t,
            "firm": np.zeros(len(codes), dtype=np.int64) if firm is None else firm,
            "f": f,
            "fva": f * va,
            "fl": f * workers,
            "fvl": f * va / workers,
        }
    )
    cells = frame.groupby(["g", "time"], sort=True).agg(
        n_obs=("f", "size"),
        n_firms=("firm", "nunique"),
        sum_weights=("f", "sum"),
        value_added=("fva", "sum"),
        workers=("fl", "sum"),
        fvl=("fvl", "sum"),
    )
    cells["ratio"] = cells["value_added"] / cells["workers"]
    cells["mean"] = cells["fvl"] / cells["sum_weights"]
    if firm is None:
        cells["n_firms"] = pd.NA
    return cells.drop(columns="fvl").reset_index()


def labour_productivity(
    data: pd.DataFrame,
    *,
    value_added: str = "va_soles",
    workers: str | Sequence[str] = ("workers_skilled", "workers_unskilled"),
    time: str = "year",
    by: str | None = "size_class",
    deflate: bool = True,
    base_year: int = 2021,
    weights: str | None = None,
    stat: str = "ratio",
    aggregates: Mapping[str, Sequence[object]] | None = None,
    scale: float = 1.0,
    id: str | None = None,
    **legacy: Any,
) -> pd.DataFrame:
    """Compute real value added per worker by group and year, with MYPE/MIPYME aggregates.

    Parameters
    ----------
    data : pandas.DataFrame
        Firm-year rows; never modified.
    value_added : str, default "va_soles"
        Nominal value added in soles (may be negative).
    workers : str or sequence of str
        Worker columns, summed (e.g. skilled and unskilled workers). Rows with zero or
        negative workers are counted and left out.
    time : str, default "year"
        Year column (also the deflator's year).
    by : str or None, default "size_class"
        Grouping column (add a size class with :func:`tfp.peru.size_class`).
    deflate : bool, default True
        Deflate value added to soles of ``base_year`` with :func:`tfp.peru.deflate` (IPC
        Lima); ``False`` keeps nominal soles.
    base_year : int, default 2021
        Base year of the deflator.
    weights : str or None
        Survey expansion factors; ``None`` counts every firm once.
    stat : {'ratio', 'mean'}, default 'ratio'
        Statistic reported in ``value`` (formulas in the module docstring).
    aggregates : mapping of str to sequence, optional
        Extra rows that pool groups; default ``{'mype': MYPE, 'mipyme': MIPYME}`` when
        ``by='size_class'`` and none otherwise. Groups absent from the data are ignored.
    scale : float, default 1.0
        Divide ``value`` by this (1000 for thousands of soles per worker).
    id : str or None
        Firm identifier column, to count distinct firms (``n_firms``); rows without one are
        counted and left out. ``None``: ``n_firms`` is missing.
    **legacy
        ``sales=``, ``uit_offset=``: deprecated (FutureWarning), removed in the next release.

    Returns
    -------
    pandas.DataFrame
        Columns ``group, time, n_obs, n_firms, sum_weights, value_added, workers, ratio,
        mean, stat, value, growth, label_es, label_en``; the groups first (in their order),
        then the aggregates. ``n_obs`` counts the rows used, ``n_firms`` the distinct firms
        (``<NA>`` without ``id``), ``sum_weights`` the firms they represent (the sum of the
        expansion factors); ``value_added`` and ``workers`` are expansion-weighted totals;
        ``attrs`` records the choices and the dropped counts.

    Raises
    ------
    DataError
        A column is missing or not numeric.
    DomainError
        A year outside the deflator's range (from :func:`tfp.peru.deflate`).
    SpecificationError
        Unknown ``stat`` or a non-positive ``scale``.
    """
    data = removed_size_keywords(check_frame(data), by=by, time=time, legacy=legacy)
    validate_literal(stat, LABOUR_STATS, name="stat")
    if not (isinstance(scale, (int, float)) and scale > 0):
        raise SpecificationError(
            f"scale={scale!r} must be a positive number", fix="pass e.g. scale=1000"
        )
    worker_cols = [workers] if isinstance(workers, str) else list(workers)
    if not worker_cols:
        raise SpecificationError(
            "workers names no column",
            fix="pass workers='<column>' or a list of columns",
        )
    va = numeric_column(data, value_added, role="value_added")
    lab = np.zeros(len(data))
    for c in worker_cols:
        lab = lab + numeric_column(data, c, role="workers")
    grouping = make_grouping(data, by=by, time=time)
    f = (
        np.ones(len(data))
        if weights is None
        else numeric_column(data, weights, role="weights")
    )
    keep = np.ones(len(data), dtype=bool)
    dropped: dict[str, int] = {}
    firm, _ = firm_codes(data, id)
    if firm is not None:
        count_drop(keep, firm < 0, "missing_id", dropped)
    count_drop(keep, ~np.isfinite(va), "missing_value_added", dropped)
    count_drop(keep, ~np.isfinite(lab), "missing_workers", dropped)
    with np.errstate(invalid="ignore"):
        count_drop(keep, lab <= 0, "nonpositive_workers", dropped)
    count_drop(keep, grouping.codes < 0, "missing_group", dropped)
    count_drop(keep, grouping.time_missing, "missing_time", dropped)
    count_drop(keep, ~np.isfinite(f), "missing_weight", dropped)
    with np.errstate(invalid="ignore"):
        count_drop(keep, f <= 0, "nonpositive_weight", dropped)
    warn_dropped(dropped, len(data), what="labour productivity")
    years = grouping.times[keep]
    va_k = va[keep]
    if deflate:
        from tfp.peru import deflate as _deflate

        va_k = np.asarray(_deflate(va_k, years, base_year=base_year), dtype=np.float64)
    codes = grouping.codes[keep]
    es, en = group_labels(grouping.groups, grouping.by)
    firm_k = None if firm is None else firm[keep]
    base = _cells(codes, years, va_k, lab[keep], f[keep], firm_k)
    base["group"] = [grouping.groups[g] for g in base["g"]]
    base["label_es"] = [es[g] for g in base["g"]]
    base["label_en"] = [en[g] for g in base["g"]]
    parts = [base]
    if aggregates is None:
        aggregates = {"mype": MYPE, "mipyme": MIPYME} if by == "size_class" else {}
    for name, members in aggregates.items():
        member_codes = [i for i, g in enumerate(grouping.groups) if g in set(members)]
        in_agg = np.isin(codes, member_codes)
        if not in_agg.any():
            continue
        agg = _cells(
            np.zeros(int(in_agg.sum()), dtype=np.int64),
            years[in_agg],
            va_k[in_agg],
            lab[keep][in_agg],
            f[keep][in_agg],
            None if firm_k is None else firm_k[in_agg],
        )
        agg["group"] = name
        a_es, a_en = group_labels((name,), "aggregate")
        agg["label_es"], agg["label_en"] = a_es[0], a_en[0]
        agg["g"] = len(grouping.groups) + len(parts)
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    out["stat"] = stat
    out["value"] = out[stat] / float(scale)
    prev = out[["g", "time", "value"]].copy()
    prev["time"] = prev["time"] + 1
    merged = out[["g", "time"]].merge(prev, on=["g", "time"], how="left")
    out["growth"] = out["value"] / merged["value"].to_numpy() - 1.0
    out = out.sort_values(["g", "time"]).reset_index(drop=True)
    out["time"] = out["time"].astype("Int64")
    cols = [
        "group", "time", "n_obs", "n_firms", "sum_weights", "value_added", "workers", "ratio",
        "mean", "stat", "value", "growth", "label_es", "label_en",
    ]  # fmt: skip
    out = out[cols]
    out["n_firms"] = out["n_firms"].astype("Int64")
    out.attrs.update(
        {
            "stat": stat,
            "weights": weights,
            "deflated": deflate,
            "base_year": base_year if deflate else None,
            "scale": scale,
            "id": id,
            "aggregates": {k: tuple(v) for k, v in aggregates.items()},
            "dropped": dropped,
        }
    )
    return out
