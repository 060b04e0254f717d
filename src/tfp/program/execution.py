"""Physical and financial execution computed from raw records.

Every figure here is derived, never read: physical progress = achieved / target, budget
execution = devengado / PIM (PIA is shown but not used in the ratio, as in the PRODUCE
annex), product budgets are sums of their activities, product firm counts are unique firms
(a raw record, or counted in the register), indicator progress = value / target.
A zero target gives ``status = "no_target"`` and a missing percentage, never a division error.

References
----------
PRODUCE-OGEIEE (2021). *Reporte de seguimiento del PP 0093, año 2020*, Anexo "Ejecución de
metas físicas y financieras por producto y actividad" (the conventions were verified on it:
PERU_DOMAIN.md §5.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from tfp._literals import LANGS, Lang, validate_literal
from tfp.exceptions import SpecificationError
from tfp.program.framework import label
from tfp.program.records import ProgramRecords

__all__ = [
    "annex_table",
    "budget_execution",
    "display",
    "indicator_progress",
    "physical_progress",
    "product_totals",
    "year_on_year",
]

_BUDGET = ("pia", "pim", "devengado")


def _pct(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray) -> np.ndarray:
    """100 * num / den, NaN where den is zero or missing (no division warning)."""
    n = np.asarray(num, dtype=float)
    d = np.asarray(den, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = np.isfinite(d) & (d != 0) & np.isfinite(n)
    np.divide(n, d, out=out, where=ok)
    return out * 100.0


def _status(den: pd.Series | np.ndarray, missing: str) -> np.ndarray:
    d = np.asarray(den, dtype=float)
    return np.where(np.isfinite(d) & (d != 0), "ok", missing)


def _check_lang(lang: str) -> None:
    validate_literal(lang, LANGS, name="lang")


def physical_progress(
    records: ProgramRecords, *, level: Literal["all", "activity", "product"] = "all"
) -> pd.DataFrame:
    """Compute physical progress (achieved / target, in %) of products and activities.

    Parameters
    ----------
    records : ProgramRecords
    level : {'all', 'activity', 'product'}
        Which rows to return; ``'all'`` lists each product followed by its activities.

    Returns
    -------
    DataFrame
        Columns ``level, code, number, product, name, unit, target, achieved,
        physical_progress_pct, status``; ``status`` is ``"no_target"`` (and the percentage
        NaN) where the target is zero.

    Examples
    --------
    >>> from tfp.program import load_pp0093_2020
    >>> pp = physical_progress(load_pp0093_2020(), level="activity")
    >>> pp.set_index("number").loc["1.1", "physical_progress_pct"].round(1)
    np.float64(60.1)
    """
    if level not in ("all", "activity", "product"):
        raise SpecificationError(
            f"level={level!r} is not one of {{'all', 'activity', 'product'}}",
            fix="pass level='all', 'activity' or 'product'",
        )
    prod = records.products
    act = records.activities
    p = pd.DataFrame(
        {
            "level": "product",
            "code": prod["code"],
            "number": prod["number"].astype(str),
            "product": prod["code"],
            "name": prod["name"],
            "unit": prod["unit"],
            "target": prod["target"],
            "achieved": prod["achieved"],
        }
    )
    a = pd.DataFrame(
        {
            "level": "activity",
            "code": act["code"],
            "number": act["number"],
            "product": act["product"],
            "name": act["name"],
            "unit": act["unit"],
            "target": act["target"],
            "achieved": act["achieved"],
        }
    )
    out = _ordered(p, a, level)
    out["physical_progress_pct"] = _pct(out["achieved"], out["target"])
    out["status"] = _status(out["target"], "no_target")
    return out.reset_index(drop=True)


def _ordered(p: pd.DataFrame, a: pd.DataFrame, level: str) -> pd.DataFrame:
    """Products each followed by their activities (or one level only)."""
    if level == "product":
        return p.reset_index(drop=True)
    if level == "activity":
        return a.reset_index(drop=True)
    parts = []
    for code in p["code"]:
        parts.append(p[p["code"] == code])
        parts.append(a[a["product"] == code])
    return pd.concat(parts, ignore_index=True)


def budget_execution(records: ProgramRecords) -> pd.DataFrame:
    """Compute budget execution (devengado / PIM) by activity, product and programme.

    Product and total PIA, PIM and devengado are sums of the activities.

    Returns
    -------
    DataFrame
        Columns ``level, code, number, product, name, pia, pim, devengado, execution_pct,
        share_of_product_pct, share_of_total_pct, status``. ``share_of_product_pct`` is the
        activity's share of its product's devengado (100 for product rows);
        ``share_of_total_pct`` the share of the programme's devengado. ``status`` is
        ``"no_budget"`` where PIM is zero.
    """
    act = records.activities
    prod = records.products
    a = act[["code", "number", "product", "name", *_BUDGET]].assign(level="activity")
    sums = act.groupby("product", sort=False)[list(_BUDGET)].sum()
    p = pd.DataFrame(
        {
            "level": "product",
            "code": prod["code"],
            "number": prod["number"].astype(str),
            "product": prod["code"],
            "name": prod["name"],
        }
    )
    p = p.join(sums, on="code").fillna({b: 0.0 for b in _BUDGET})
    out = _ordered(p, a, "all")
    total = pd.DataFrame(
        {
            "level": ["total"],
            "code": [""],
            "number": [""],
            "product": [""],
            "name": ["TOTAL"],
            **{b: [float(act[b].sum())] for b in _BUDGET},
        }
    )
    out = pd.concat([out, total], ignore_index=True)
    out["execution_pct"] = _pct(out["devengado"], out["pim"])
    product_dev = out["product"].map(p.set_index("code")["devengado"])
    out["share_of_product_pct"] = np.where(
        out["level"] == "total", np.nan, _pct(out["devengado"], product_dev)
    )
    out["share_of_total_pct"] = _pct(
        out["devengado"], np.full(len(out), total["devengado"][0])
    )
    out["status"] = _status(out["pim"], "no_budget")
    columns = ["level", "code", "number", "product", "name", *_BUDGET]
    return out[
        [
            *columns,
            "execution_pct",
            "share_of_product_pct",
            "share_of_total_pct",
            "status",
        ]
    ]


def product_totals(records: ProgramRecords) -> pd.DataFrame:
    """Aggregate activities to products: budget sums and firm counts.

    Budgets add up; firms do not (a firm served by two activities is one firm). The product's
    ``achieved`` is its record of unique firms; ``activities_achieved`` is the plain sum over
    the activities that count towards the product (same unit), and ``overlap`` the difference.
    With a register, ``register_firms`` counts the unique firms served by those activities.

    Returns
    -------
    DataFrame
        Columns ``code, number, name, unit, target, achieved, physical_progress_pct,
        activities_target, activities_achieved, overlap, register_firms, n_activities, pia,
        pim, devengado, execution_pct``.
    """
    prod = records.products
    act = records.activities
    counting = act[act["counts_to_product"]]
    counting = counting[
        counting["unit"] == counting["product"].map(prod.set_index("code")["unit"])
    ]
    sums = act.groupby("product", sort=False)[list(_BUDGET)].sum()
    out = prod[["code", "number", "name", "unit", "target", "achieved"]].copy()
    out["physical_progress_pct"] = _pct(out["achieved"], out["target"])
    grouped = counting.groupby("product", sort=False)
    out["activities_target"] = out["code"].map(grouped["target"].sum()).fillna(0.0)
    out["activities_achieved"] = out["code"].map(grouped["achieved"].sum()).fillna(0.0)
    out["overlap"] = out["activities_achieved"] - out["achieved"]
    reg = records.register
    if reg is None:
        out["register_firms"] = np.nan
    else:
        served = reg[reg["activity"].isin(counting["code"])]
        served = served.assign(
            product=served["activity"].map(act.set_index("code")["product"])
        )
        n = served.groupby("product")["firm_id"].nunique()
        out["register_firms"] = out["code"].map(n).fillna(0).astype(float)
    out["n_activities"] = (
        out["code"].map(act.groupby("product").size()).fillna(0).astype(int)
    )
    out = out.join(sums, on="code").fillna({b: 0.0 for b in _BUDGET})
    out["execution_pct"] = _pct(out["devengado"], out["pim"])
    return out.reset_index(drop=True)


def indicator_progress(records: ProgramRecords) -> pd.DataFrame:
    """Compute performance-indicator values and progress (value / target, in %).

    The value is the recorded value or, when the records give a numerator and denominator,
    their ratio (times 100 for ``%`` indicators).

    Returns
    -------
    DataFrame
        Columns ``id, product, product_number, name, unit, target, value, numerator,
        denominator, progress_pct, gap, status`` where ``gap = value - target`` (in the
        indicator's unit, percentage points for ``%``).
    """
    ind = records.indicators
    prod = records.products.set_index("code")
    value = ind["value"].to_numpy(dtype=float).copy()
    ratio = ind["numerator"].notna() & ind["denominator"].notna()
    scale = np.where(ind["unit"].str.strip() == "%", 100.0, 1.0)
    r = ratio.to_numpy()
    value[r] = (ind["numerator"].to_numpy(float) / ind["denominator"].to_numpy(float))[
        r
    ] * scale[r]
    out = pd.DataFrame(
        {
            "id": ind["id"],
            "product": ind["product"],
            "product_number": ind["product"].map(prod["number"]).astype("Int64"),
            "name": ind["name"],
            "unit": ind["unit"],
            "target": ind["target"],
            "value": value,
            "numerator": ind["numerator"],
            "denominator": ind["denominator"],
        }
    )
    out["progress_pct"] = _pct(out["value"], out["target"])
    out["gap"] = out["value"] - out["target"]
    out["status"] = _status(out["target"], "no_target")
    return out


def annex_table(records: ProgramRecords, lang: Lang = "es") -> pd.DataFrame:
    """Reproduce the annex "Ejecución de metas físicas y financieras" with computed % columns.

    Rows follow the seed annex: each product, then its activities, then ``TOTAL``.

    Parameters
    ----------
    records : ProgramRecords
    lang : {'es', 'en'}
        Language of the ``label`` (``Producto 1`` / ``Product 1``), ``unit`` and ``status``
        text columns. Column names stay English snake_case; see :func:`display`.

    Returns
    -------
    DataFrame
        Columns ``level, label, code, number, name, responsible, unit, target, achieved,
        physical_progress_pct, pia, pim, devengado, execution_pct, status``.

    Examples
    --------
    >>> from tfp.program import load_pp0093_2020
    >>> t = annex_table(load_pp0093_2020())
    >>> t.loc[t["level"] == "total", "execution_pct"].round(1).item()
    97.3
    """
    _check_lang(lang)
    phys = physical_progress(records)
    bud = budget_execution(records).set_index(["level", "code"])
    resp = pd.concat(
        [
            records.products.set_index("code")["responsible"],
            records.activities.set_index("code")["responsible"],
        ]
    )
    key = list(zip(phys["level"], phys["code"], strict=True))
    out = phys.drop(columns=["product", "status"])
    picked = bud.reindex(pd.MultiIndex.from_tuples(key))
    for b in (*_BUDGET, "execution_pct"):
        out[b] = picked[b].to_numpy()
    out.insert(5, "responsible", out["code"].map(resp))
    total = bud.loc[[("total", "")]].reset_index()
    total_row = pd.DataFrame(
        {
            "level": ["total"],
            "code": [""],
            "number": [""],
            "name": [""],  # the label says TOTAL; printed once
            "responsible": [""],
            "unit": [""],
            "target": [np.nan],
            "achieved": [np.nan],
            "physical_progress_pct": [np.nan],
            **{b: total[b].to_numpy() for b in (*_BUDGET, "execution_pct")},
        }
    )
    out = pd.concat([out, total_row], ignore_index=True)
    word = {"product": label("product", lang), "activity": label("activity", lang)}
    out.insert(
        1,
        "label",
        [
            "TOTAL" if lv == "total" else f"{word[lv]} {num}"
            for lv, num in zip(out["level"], out["number"], strict=True)
        ],
    )
    status = np.where(
        out["level"] == "total",
        "",
        np.where(
            (out["target"] == 0) & out["target"].notna(), label("no_target", lang), ""
        ),
    )
    out["unit"] = [label(u, lang) if u else "" for u in out["unit"]]
    out["status"] = status
    return out


def year_on_year(
    current: ProgramRecords,
    previous: ProgramRecords,
    *,
    measures: Sequence[str] = ("achieved", "devengado"),
) -> pd.DataFrame:
    """Compare two years of records by product and activity code.

    Parameters
    ----------
    current, previous : ProgramRecords
    measures : sequence of {'target', 'achieved', 'pia', 'pim', 'devengado'}

    Returns
    -------
    DataFrame
        Long table with columns ``level, code, number, name, measure, previous, current,
        change, change_pct`` (``change_pct`` NaN where the previous value is zero; codes
        present in one year only have NaN for the other).
    """
    allowed = ("target", "achieved", "pia", "pim", "devengado")
    for m in measures:
        if m not in allowed:
            raise SpecificationError(
                f"measure {m!r} is not one of {set(allowed)}", fix=f"use {allowed}"
            )
    if current.year <= previous.year:
        raise SpecificationError(
            f"current year {current.year} is not after previous year {previous.year}",
            fix="pass the later records first",
        )

    def frame(rec: ProgramRecords) -> pd.DataFrame:
        phys = physical_progress(rec)[
            ["level", "code", "number", "name", "target", "achieved"]
        ]
        bud = budget_execution(rec)
        bud = bud[bud["level"] != "total"][["level", "code", *_BUDGET]]
        return phys.merge(bud, on=["level", "code"], how="left")

    cur, prev = frame(current), frame(previous)
    merged = cur.merge(
        prev, on=["level", "code"], how="outer", suffixes=("", "_prev"), sort=False
    )
    merged["number"] = merged["number"].fillna(merged["number_prev"])
    merged["name"] = merged["name"].fillna(merged["name_prev"])
    rows = []
    for m in measures:
        part = merged[["level", "code", "number", "name"]].copy()
        part["measure"] = m
        part["previous"] = merged[f"{m}_prev"].astype(float)
        part["current"] = merged[m].astype(float)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out["change"] = out["current"] - out["previous"]
    out["change_pct"] = _pct(out["change"], out["previous"])
    return out


def display(table: pd.DataFrame, lang: Lang = "es") -> pd.DataFrame:
    """Return a copy of a ``tfp.program`` table with display labels as column names.

    Examples
    --------
    >>> import pandas as pd
    >>> list(display(pd.DataFrame({"devengado": [1.0]}), "es").columns)
    ['Devengado']
    """
    _check_lang(lang)
    return table.rename(columns=lambda c: label(str(c), lang))
