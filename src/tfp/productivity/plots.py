"""Charts of the programme report's productivity section (matplotlib, Agg canvas).

The figures are built with :class:`matplotlib.figure.Figure` on an Agg canvas, never through
``pyplot``, so nothing global is touched and they render without a display. Each helper
takes a table from this package and returns the Figure (save it with ``fig.savefig``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tfp._labels import labels
from tfp._literals import validate_literal
from tfp._optional import require
from tfp.exceptions import SpecificationError

__all__ = ["plot_index_by_group", "plot_over_time"]


def _figure(figsize: tuple[float, float]) -> Any:
    agg = require("matplotlib.backends.backend_agg", "plot", what="plotting")
    fig = require("matplotlib.figure", "plot", what="plotting").Figure(figsize=figsize)
    agg.FigureCanvasAgg(fig)
    return fig


def _need(table: pd.DataFrame, cols: list[str], helper: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise SpecificationError(
            f"{helper} takes a table (DataFrame) from tfp.productivity, "
            f"got {type(table).__name__}",
            fix="pass the result of tfp_index / tfp_aggregate / labour_productivity",
        )
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise SpecificationError(
            f"{helper} needs the columns {missing}, which the table does not have",
            fix="pass a table from tfp_index (with base=...) or name another value column",
        )


def plot_index_by_group(
    table: pd.DataFrame,
    *,
    time: int | None = None,
    lang: str = "es",
    title: str | None = None,
) -> Any:
    """Draw the TFP index by group as bars, with the base group at 100.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`tfp.productivity.tfp_index` with a base group.
    time : int, optional
        Period to draw when the table has several; required then.
    lang : {'es', 'en'}, default 'es'
        Language of labels and titles.
    title : str, optional
        Overrides the default title.

    Returns
    -------
    matplotlib.figure.Figure
        Bars with their values written on top and, when the table has ``conf_low`` and
        ``conf_high``, error bars.
    """
    validate_literal(lang, ("es", "en"), name="lang")
    _need(table, ["group", "time", "index", f"label_{lang}"], "plot_index_by_group")
    times = table["time"].dropna().unique()
    sub = table
    if time is not None:
        sub = table[table["time"] == time]
        if sub.empty:
            raise SpecificationError(
                f"time={time!r} is not in the table; periods present: {sorted(times.tolist())}",
                fix="pass one of the periods present",
            )
    elif len(times) > 1:
        raise SpecificationError(
            f"the table has several periods {sorted(times.tolist())}",
            fix="pass time=<period> or compute the index with time=None (pooled)",
        )
    text = labels("plot", lang)
    fig = _figure((6.0, 4.0))
    ax = fig.add_subplot()
    x = np.arange(len(sub))
    heights = sub["index"].to_numpy(dtype=float)
    err = None
    if {"conf_low", "conf_high"} <= set(sub.columns):
        err = np.vstack(
            [
                heights - sub["conf_low"].to_numpy(float),
                sub["conf_high"].to_numpy(float) - heights,
            ]
        )
    ax.bar(x, heights, yerr=err, color="#1f5f8b", capsize=4)
    for xi, h in zip(x, heights):
        if np.isfinite(h):
            ax.annotate(f"{h:.1f}", (xi, h), ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, sub[f"label_{lang}"].astype(str).tolist())
    ax.axhline(100.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_ylabel(text["index_y"])
    base = table.attrs.get("base")
    base_label = str(base)
    if base is not None:
        rows = table[table["group"] == base]
        if not rows.empty:
            base_label = str(rows[f"label_{lang}"].iloc[0])
    ax.set_title(title or text["index_title"].format(base=base_label))
    fig.tight_layout()
    return fig


def plot_over_time(
    table: pd.DataFrame,
    *,
    value: str = "index",
    lang: str = "es",
    title: str | None = None,
    ylabel: str | None = None,
) -> Any:
    """Draw a statistic over the years, one line per group, with its band when present.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`~tfp.productivity.tfp_index` (with ``time``),
        :func:`~tfp.productivity.tfp_aggregate` or
        :func:`~tfp.productivity.labour_productivity`.
    value : str, default "index"
        Column to draw (``'value'`` for levels; ``'growth'`` for growth rates).
    lang : {'es', 'en'}, default 'es'
    title, ylabel : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    validate_literal(lang, ("es", "en"), name="lang")
    _need(table, ["group", "time", value, f"label_{lang}"], "plot_over_time")
    if table["time"].isna().all():
        raise SpecificationError(
            "the table has no periods (it was computed with time=None)",
            fix="compute it with time='<year column>'",
        )
    text = labels("plot", lang)
    lo, hi = {
        "index": ("conf_low", "conf_high"),
    }.get(value, (f"{value}_conf_low", f"{value}_conf_high"))
    fig = _figure((6.5, 4.0))
    ax = fig.add_subplot()
    for _, rows in table.groupby("group", sort=False):
        rows = rows.sort_values("time")
        t = rows["time"].to_numpy(dtype=float)
        ax.plot(
            t,
            rows[value].to_numpy(dtype=float),
            marker="o",
            label=rows[f"label_{lang}"].iloc[0],
        )
        if lo in rows.columns and hi in rows.columns:
            ax.fill_between(
                t,
                rows[lo].to_numpy(dtype=float),
                rows[hi].to_numpy(dtype=float),
                alpha=0.2,
            )
    ax.set_xlabel(text["time_x"])
    ax.set_ylabel(ylabel or value)
    ax.set_xticks(sorted(set(table["time"].dropna().astype(int).tolist())))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(title or text["time_title"])
    fig.tight_layout()
    return fig
