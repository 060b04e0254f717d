"""Charts of the PP 0093 report as PNG bytes (matplotlib Figure on an Agg canvas, no pyplot).

Each ``chart_*`` function takes a table built by :mod:`tfp.app.outcomes` and returns a
:class:`matplotlib.figure.Figure`; :func:`report_figures` draws all the charts the tables
allow and returns ``{name: png_bytes}``, ready to embed as ``data:image/png;base64``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tfp._labels import CATALOGUE, labels
from tfp._optional import require

__all__ = [
    "CHART_TITLES",
    "chart_budget",
    "chart_coverage",
    "chart_indicators",
    "chart_labour",
    "chart_mipyme_growth",
    "chart_progress",
    "chart_tfp_by_size",
    "png",
    "report_figures",
]

_OURS = "#1f5f8b"
_SEED = "#c8a03c"
_GREY = "#8c8c8c"

#: Chart titles: name -> (es, en) (the label catalogue's): the figures' captions (the
#: images carry no title of their own, so the caption is not printed twice).
CHART_TITLES = CATALOGUE["chart"]


def _figure(size: tuple[float, float]) -> Any:
    what = "the report's charts"
    agg = require("matplotlib.backends.backend_agg", "report", what=what)
    figure = require("matplotlib.figure", "report", what=what)

    fig = figure.Figure(figsize=size, dpi=100)
    agg.FigureCanvasAgg(fig)
    return fig


def png(fig: Any) -> bytes:
    """Render a Figure to PNG bytes (no timestamp or software metadata: reproducible)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def _legend(ax: Any) -> None:
    """The legend in one row below the axes, clear of the data (and of matplotlib's timed
    ``loc="best"`` search, which warns when a loaded machine makes it slow)."""
    ax.legend(
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=3,
        frameon=False,
    )


def _bar_labels(
    ax: Any, bars: Any, fmt: str = "{:.1f}", err: np.ndarray | None = None
) -> None:
    """Value labels beyond the end of each bar and of its error bar (never across it)."""
    for i, b in enumerate(bars):
        h = b.get_height()
        if not np.isfinite(h):
            continue
        reach = 0.0 if err is None else float(err[1 if h >= 0 else 0][i])
        end = h + reach if h >= 0 else h - reach
        ax.annotate(
            fmt.format(h),
            (b.get_x() + b.get_width() / 2, end),
            xytext=(0, 3 if h >= 0 else -3),
            textcoords="offset points",
            ha="center",
            va="bottom" if h >= 0 else "top",
            fontsize=8,
        )


def _headroom(ax: Any, top: float, bottom: float = 0.0) -> None:
    """Room above (and below) the bars for their labels."""
    span = max(top - min(bottom, 0.0), 1e-9)
    ax.set_ylim(
        min(bottom, 0.0) - (0.1 * span if bottom < 0 else 0.0), top + 0.1 * span
    )


def chart_tfp_by_size(
    table: pd.DataFrame, *, lang: str = "es", simulated: bool = True
) -> Any:
    """Bars of the TFP index by size class, ours beside PRODUCE's published chart."""
    w = labels("chart_word", lang)
    fig = _figure((7.0, 4.2))
    ax = fig.add_subplot()
    x = np.arange(len(table))
    ours = table["index"].to_numpy(dtype=float)
    seed = table["published"].to_numpy(dtype=float)
    err = None
    if {"conf_low", "conf_high"} <= set(table.columns):
        lo = table["conf_low"].to_numpy(dtype=float)
        hi = table["conf_high"].to_numpy(dtype=float)
        err = np.vstack([np.maximum(ours - lo, 0), np.maximum(hi - ours, 0)])
        err = np.where(np.isfinite(err), err, 0.0)
    b1 = ax.bar(
        x - 0.2,
        ours,
        0.4,
        yerr=err,
        capsize=3,
        color=_OURS,
        label=w["ours_sim"] if simulated else w["ours"],
    )
    b2 = ax.bar(x + 0.2, seed, 0.4, color=_SEED, label=w["seed"])
    _bar_labels(ax, b1, err=err)
    _bar_labels(ax, b2)
    tops = ours + (0 if err is None else err[1])
    _headroom(ax, float(np.nanmax(np.concatenate([tops, seed]))))
    ax.set_xticks(x, table[f"label_{lang}"].astype(str).tolist())
    ax.axhline(100.0, color=_GREY, linewidth=0.8, linestyle="--")
    ax.set_ylabel(w["index"])
    _legend(ax)
    fig.tight_layout()
    return fig


def chart_mipyme_growth(
    table: pd.DataFrame, *, lang: str = "es", simulated: bool = True
) -> Any:
    """Bars of the yearly % change of MIPYME TFP, with the published change as markers."""
    w = labels("chart_word", lang)
    t = table.dropna(subset=["growth_pct"])
    fig = _figure((7.0, 3.8))
    ax = fig.add_subplot()
    x = t["year"].to_numpy(dtype=float)
    g = t["growth_pct"].to_numpy(dtype=float)
    err = None
    if {"growth_conf_low_pct", "growth_conf_high_pct"} <= set(t.columns):
        err = np.vstack(
            [
                np.maximum(g - t["growth_conf_low_pct"].to_numpy(float), 0),
                np.maximum(t["growth_conf_high_pct"].to_numpy(float) - g, 0),
            ]
        )
        err = np.where(np.isfinite(err), err, 0.0)
    bars = ax.bar(
        x,
        g,
        0.6,
        yerr=err,
        capsize=3,
        color=_OURS,
        label=w["ours_sim"] if simulated else w["ours"],
    )
    _bar_labels(ax, bars, err=err)
    up = g + (0 if err is None else err[1])
    down = g - (0 if err is None else err[0])
    pub = table.dropna(subset=["published_growth_pct"])
    marks = pub["published_growth_pct"].to_numpy(float)
    _headroom(
        ax,
        float(np.nanmax(np.concatenate([up, marks, [0.0]]))),
        float(np.nanmin(np.concatenate([down, marks, [0.0]]))),
    )
    if len(pub):
        ax.scatter(
            pub["year"].to_numpy(float),
            pub["published_growth_pct"].to_numpy(float),
            color=_SEED,
            marker="D",
            s=50,
            zorder=3,
            label=w["seed"],
        )
    ax.axhline(0.0, color=_GREY, linewidth=0.8)
    ax.set_xticks(x, [str(int(v)) for v in x])
    ax.set_xlabel(w["year"])
    ax.set_ylabel(w["pct"])
    _legend(ax)
    fig.tight_layout()
    return fig


def chart_labour(
    table: pd.DataFrame, *, lang: str = "es", simulated: bool = True
) -> Any:
    """Lines of MYPE labour productivity by year: ours and the published figures."""
    w = labels("chart_word", lang)
    fig = _figure((7.0, 3.8))
    ax = fig.add_subplot()
    ax.plot(
        table["year"].to_numpy(float),
        table["value"].to_numpy(float),
        marker="o",
        color=_OURS,
        label=w["ours_sim"] if simulated else w["ours"],
    )
    pub = table.dropna(subset=["published"])
    if len(pub):
        ax.plot(
            pub["year"].to_numpy(float),
            pub["published"].to_numpy(float),
            marker="D",
            color=_SEED,
            label=w["seed"],
        )
    ax.set_xticks(table["year"].to_numpy(float), [str(int(v)) for v in table["year"]])
    ax.set_xlabel(w["year"])
    ax.set_ylabel(w["per_worker"])
    _legend(ax)
    fig.tight_layout()
    return fig


def chart_progress(table: pd.DataFrame, *, lang: str = "es") -> Any:
    """Horizontal bars of physical progress (%) of each activity; 100 % marked."""
    w = labels("chart_word", lang)
    act = table[table["level"] == "activity"].iloc[::-1]
    fig = _figure((7.0, 0.45 * len(act) + 1.2))
    ax = fig.add_subplot()
    y = np.arange(len(act))
    vals = act["physical_progress_pct"].to_numpy(dtype=float)
    shown = np.where(np.isfinite(vals), vals, 0.0)
    ax.barh(y, shown, color=_OURS)
    for yi, v in zip(y, vals):
        ax.annotate(
            f"{v:.1f} %" if np.isfinite(v) else w["no_target"],
            (0 if not np.isfinite(v) else v, yi),
            va="center",
            fontsize=8,
            xytext=(3, 0),
            textcoords="offset points",
        )
    ax.axvline(100.0, color=_GREY, linewidth=0.8, linestyle="--")
    ax.set_yticks(y, [f"{w['activity']} {n}" for n in act["number"]])
    ax.set_xlabel(w["pct"])
    ax.set_xlim(0, max(110.0, float(np.nanmax(shown)) * 1.15))
    fig.tight_layout()
    return fig


def chart_budget(table: pd.DataFrame, *, lang: str = "es") -> Any:
    """Grouped bars of PIA, PIM and devengado by product, in millions of soles."""
    w = labels("chart_word", lang)
    p = table[table["level"] == "product"]
    fig = _figure((7.0, 4.0))
    ax = fig.add_subplot()
    x = np.arange(len(p))
    for i, (col, color) in enumerate(
        (("pia", "#9bbcd6"), ("pim", "#4f86b0"), ("devengado", _OURS))
    ):
        bars = ax.bar(
            x + (i - 1) * 0.27,
            p[col].to_numpy(float) / 1e6,
            0.27,
            color=color,
            label=w[col],
        )
        if col == "devengado":
            _bar_labels(ax, bars)
    _headroom(
        ax, float(np.nanmax(p[["pia", "pim", "devengado"]].to_numpy(float))) / 1e6
    )
    ax.set_xticks(x, [f"{w['product']} {n}" for n in p["number"]])
    _legend(ax)
    fig.tight_layout()
    return fig


def chart_indicators(table: pd.DataFrame, *, lang: str = "es") -> Any:
    """Bars of each performance indicator's value beside its target."""
    w = labels("chart_word", lang)
    fig = _figure((7.0, 3.8))
    ax = fig.add_subplot()
    x = np.arange(len(table))
    b1 = ax.bar(
        x - 0.2, table["target"].to_numpy(float), 0.4, color=_SEED, label=w["target"]
    )
    b2 = ax.bar(
        x + 0.2, table["value"].to_numpy(float), 0.4, color=_OURS, label=w["value"]
    )
    _bar_labels(ax, b1)
    _bar_labels(ax, b2)
    values = np.concatenate(
        [table["target"].to_numpy(float), table["value"].to_numpy(float)]
    )
    _headroom(ax, float(np.nanmax(values)))
    ax.set_xticks(x, table["id"].astype(str).tolist())
    ax.set_ylabel(w["pct"])
    _legend(ax)
    fig.tight_layout()
    return fig


def chart_coverage(
    table: pd.DataFrame,
    name: str,
    *,
    lang: str = "es",
    top: int = 25,
    keep_order: bool = False,
) -> Any:
    """Horizontal bars of firms served by group (largest first unless ``keep_order``)."""
    w = labels("chart_word", lang)
    t = table if keep_order else table.sort_values("n_firms", ascending=False)
    t = t.head(top).iloc[::-1]
    fig = _figure((7.0, 0.28 * len(t) + 1.4))
    ax = fig.add_subplot()
    y = np.arange(len(t))
    bars = ax.barh(y, t["n_firms"].to_numpy(float), color=_OURS)
    for b, n in zip(bars, t["n_firms"]):
        ax.annotate(
            f"{int(n):,}",
            (b.get_width(), b.get_y() + b.get_height() / 2),
            va="center",
            fontsize=7,
            xytext=(3, 0),
            textcoords="offset points",
        )
    ax.set_yticks(y, t["label"].astype(str).tolist(), fontsize=8)
    ax.set_xlabel(w["firms"])
    ax.set_xlim(0, float(t["n_firms"].max()) * 1.15 if len(t) else 1.0)
    fig.tight_layout()
    return fig


def report_figures(
    tables: Mapping[str, pd.DataFrame], *, lang: str = "es", simulated: bool = True
) -> dict[str, bytes]:
    """Draw every chart the tables allow; return ``{name: png_bytes}`` in report order."""
    figs: dict[str, Any] = {}
    if "tfp_by_size" in tables:
        figs["tfp_by_size"] = chart_tfp_by_size(
            tables["tfp_by_size"], lang=lang, simulated=simulated
        )
    if "mipyme_tfp" in tables:
        figs["mipyme_growth"] = chart_mipyme_growth(
            tables["mipyme_tfp"], lang=lang, simulated=simulated
        )
    if "mype_labour" in tables:
        figs["mype_labour"] = chart_labour(
            tables["mype_labour"], lang=lang, simulated=simulated
        )
    for name in (
        "coverage_natural_region",
        "coverage_size_class",
        "coverage_department",
    ):
        if name in tables:
            t = tables[name]
            if name == "coverage_size_class":
                t = t[t["group"] != "missing"]
            figs[name] = chart_coverage(
                t, name, lang=lang, keep_order=name != "coverage_department"
            )
    figs["physical_progress"] = chart_progress(tables["physical_progress"], lang=lang)
    figs["budget"] = chart_budget(tables["budget_execution"], lang=lang)
    if len(tables["indicator_progress"]):
        figs["indicators"] = chart_indicators(tables["indicator_progress"], lang=lang)
    return {k: png(f) for k, f in figs.items()}
