"""The report's content: outcome tables from the estimates, programme tables from the records,
and the list of indicators for downstream systems.

Every table is a DataFrame with English snake_case columns (what ``csv/<name>.csv`` holds);
:mod:`tfp.report` only formats them. The outcome tables put tfp's figures beside those PRODUCE
published (:func:`tfp.program.published_outcomes`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tfp import program as pg
from tfp.app.config import PanelColumns
from tfp.app.estimation import Estimation, collect_warnings
from tfp.productivity import MYPE, labour_productivity, tfp_aggregate, tfp_index
from tfp.report.build import ProductSection

__all__ = ["indicator_list", "outcome_tables", "product_sections", "program_tables"]

#: Published factor shares by the role of the input (state, first and second free input).
_SHARE_ROLES = ("capital", "skilled_labour", "unskilled_labour")


def outcome_tables(
    data: pd.DataFrame,
    est: Estimation,
    *,
    columns: PanelColumns,
    truth: Mapping[str, float] | None = None,
    published: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Build the outcome-indicator tables of the report from the estimates.

    Returns
    -------
    dict of DataFrame
        ``factor_shares`` (term, estimate, std_error, conf_low, conf_high, truth,
        lp_estimate, published; last row ``rts``, the returns to scale),
        ``tfp_by_size`` (group, label_es, label_en, n_firms, index, conf_low, conf_high,
        published), ``mipyme_tfp`` (year, n_firms, value, growth_pct, growth_conf_low_pct,
        growth_conf_high_pct, published, published_growth_pct), ``mype_labour`` (year,
        n_firms, workers, value, growth_pct, published, published_growth_pct) and
        ``outcome_notes`` (note).
    """
    pub = pg.published_outcomes() if published is None else published
    notes: list[str] = []
    tables = {
        "factor_shares": _factor_shares(est, columns, truth or {}, _figures(pub, "factor_share")),
        "tfp_by_size": _tfp_by_size(data, est, columns, _figures(pub, "tfp_index"), notes),
        "mipyme_tfp": _mipyme_tfp(data, est, columns, pub, notes),
        "mype_labour": _mype_labour(data, columns, pub, notes),
    }  # fmt: skip
    return tables | {
        "outcome_notes": pd.DataFrame({"note": list(dict.fromkeys(notes))})
    }


def _figures(
    pub: pd.DataFrame, indicator: str, *, years: bool = False
) -> dict[Any, float]:
    rows = pub[pub["indicator"] == indicator]
    groups = rows["group"].astype(int) if years else rows["group"]
    return dict(zip(groups, rows["value"].astype(float), strict=True))


def _factor_shares(
    est: Estimation,
    cols: PanelColumns,
    truth: Mapping[str, float],
    published: Mapping[str, float],
) -> pd.DataFrame:
    res, check = est.results, est.check
    tidy = res.tidy() if res.vcov is not None else pd.DataFrame(index=res.params.index)
    roles = dict(zip((cols.state, *cols.free), _SHARE_ROLES, strict=False))
    lp = {} if check is None else {str(k): float(v) for k, v in check.params.items()}
    rows = [
        {
            "term": str(term),
            "estimate": float(value),
            **{
                c: float(tidy[c].get(term, np.nan)) if c in tidy else np.nan
                for c in ("std_error", "conf_low", "conf_high")
            },
            "truth": float(truth.get(str(term), np.nan)),
            "lp_estimate": lp.get(str(term), np.nan),
            "published": published.get(roles.get(str(term), ""), np.nan),
        }
        for term, value in res.params.items()
    ]
    shares = pd.DataFrame(rows)
    rts = {"term": "rts", "estimate": res.returns_to_scale().value}
    rts |= {c: np.nan for c in ("std_error", "conf_low", "conf_high")}
    rts["truth"] = shares["truth"].sum(min_count=len(shares))
    rts["lp_estimate"] = np.nan if check is None else check.returns_to_scale().value
    rts["published"] = shares["published"].sum(min_count=len(shares))
    return pd.concat([shares, pd.DataFrame([rts])], ignore_index=True)


def _tfp_by_size(
    data: pd.DataFrame,
    est: Estimation,
    cols: PanelColumns,
    published: Mapping[str, float],
    notes: list[str],
) -> pd.DataFrame:
    size = collect_warnings(
        tfp_index, data, productivity=est.results, by=cols.size_class, base="large",
        weights=cols.weights, notes=notes,
    )  # fmt: skip
    keep = [
        "group",
        "label_es",
        "label_en",
        "n_firms",
        "index",
        "conf_low",
        "conf_high",
    ]
    out = size[[c for c in keep if c in size.columns]].copy()
    out["group"] = out["group"].astype(str)
    out["published"] = out["group"].map(published)
    return out.reset_index(drop=True)


def _pct(x: pd.Series) -> np.ndarray:
    return np.asarray(x, dtype=float) * 100.0


def _mipyme_tfp(
    data: pd.DataFrame,
    est: Estimation,
    cols: PanelColumns,
    pub: pd.DataFrame,
    notes: list[str],
) -> pd.DataFrame:
    agg = collect_warnings(
        tfp_aggregate, data, productivity=est.results, time=cols.time, by=cols.size_class,
        weights=cols.weights, notes=notes,
    )  # fmt: skip
    out = pd.DataFrame(
        {
            "year": agg["time"].astype(int).to_numpy(),
            "n_firms": agg["n_firms"].to_numpy(),
            "value": agg["value"].to_numpy(dtype=float),
            "growth_pct": _pct(agg["growth"]),
        }
    )
    if "growth_conf_low" in agg.columns:
        out["growth_conf_low_pct"] = _pct(agg["growth_conf_low"])
        out["growth_conf_high_pct"] = _pct(agg["growth_conf_high"])
    return _with_published(out, pub, "mipyme_tfp")


def _mype_labour(
    data: pd.DataFrame, cols: PanelColumns, pub: pd.DataFrame, notes: list[str]
) -> pd.DataFrame:
    lab = collect_warnings(
        labour_productivity, data, value_added=cols.value_added, workers=list(cols.workers),
        time=cols.time, by=cols.size_class, weights=cols.weights, aggregates={"mype": MYPE},
        scale=1000.0, notes=notes,
    )  # fmt: skip
    lab = lab[lab["group"] == "mype"]
    out = pd.DataFrame(
        {
            "year": lab["time"].astype(int).to_numpy(),
            "n_firms": lab["n_firms"].to_numpy(),
            "workers": lab["workers"].to_numpy(dtype=float),
            "value": lab["value"].to_numpy(dtype=float),
            "growth_pct": _pct(lab["growth"]),
        }
    )
    out = _with_published(out, pub, "mype_labour")
    out.attrs["base_year"] = lab.attrs.get("base_year")
    return out


def _with_published(out: pd.DataFrame, pub: pd.DataFrame, name: str) -> pd.DataFrame:
    out["published"] = out["year"].map(_figures(pub, name, years=True))
    growth = _figures(pub, f"{name}_growth_pct", years=True)
    out["published_growth_pct"] = out["year"].map(growth)
    return out


def program_tables(
    records: pg.ProgramRecords, *, lang: str = "es"
) -> dict[str, pd.DataFrame]:
    """Build the programme tables: summary, annex, execution, indicators, coverage.

    Returns
    -------
    dict of DataFrame
        ``summary`` (figure, value), ``annex`` (:func:`tfp.program.annex_table`),
        ``physical_progress``, ``budget_execution``, ``product_totals``,
        ``indicator_progress`` and, when the records have a register, ``coverage_<by>``
        for natural region, department, sector, size class and serving unit, and
        ``targeting`` (:func:`tfp.program.targeting_summary`).
    """
    budget = pg.budget_execution(records)
    total = budget[budget["level"] == "total"].iloc[0]
    summary = [("year", records.year), ("n_products", len(records.products))]
    summary += [("n_activities", len(records.activities))]
    summary += [(k, total[k]) for k in ("pia", "pim", "devengado", "execution_pct")]
    out: dict[str, pd.DataFrame] = {
        "annex": pg.annex_table(records, lang=lang),  # type: ignore[arg-type]
        "physical_progress": pg.physical_progress(records),
        "budget_execution": budget,
        "product_totals": pg.product_totals(records),
        "indicator_progress": pg.indicator_progress(records),
    }
    if records.register is not None:
        for by in ("natural_region", "department", "sector", "size_class", "unit"):
            out[f"coverage_{by}"] = pg.coverage(records, by=by, lang=lang)  # type: ignore[arg-type]
        out["targeting"] = pg.targeting_summary(records, lang=lang)  # type: ignore[arg-type]
        target = out["targeting"][out["targeting"]["group"] == "target"].iloc[0]
        summary += [("firms_served", records.register["firm_id"].nunique())]
        summary += [("firms_targeted", target["n_firms"])]
        summary += [("targeted_pct", target["share_pct"])]
    rows = [(k, float(v)) for k, v in summary]
    return {"summary": pd.DataFrame(rows, columns=["figure", "value"]), **out}


def product_sections(
    records: pg.ProgramRecords, tables: Mapping[str, pd.DataFrame]
) -> tuple[ProductSection, ...]:
    """Each product's rows of the annex (product and its activities) and its indicators."""
    annex, ind = tables["annex"], tables["indicator_progress"]
    acts = records.activities
    out = []
    for _, p in records.products.iterrows():
        codes = [p["code"], *acts.loc[acts["product"] == p["code"], "code"]]
        part = annex[annex["code"].isin(codes) & (annex["level"] != "total")]
        indicators = ind[ind["product"] == p["code"]]
        out.append(ProductSection(str(p["number"]), str(p["name"]), part, indicators))
    return tuple(out)


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


#: The column that identifies a row of each table the indicators point into.
_ROW_KEY = {"factor_shares": "term", "tfp_by_size": "group", "mipyme_tfp": "year"}
_ROW_KEY |= {"mype_labour": "year", "summary": "figure", "product_totals": "code"}
_ROW_KEY |= {"indicator_progress": "id"}
_SOURCE = {
    "outcome": "tfp estimate on the report's firm panel",
    "programme": "tfp.program from the programme records",
    "performance": "tfp.program from the programme records",
}
#: Outcomes by year: table, id stem, name, unit.
_YEARLY = (
    ("mipyme_tfp", "mipyme_tfp", "MIPYME TFP", "tfp level"),
    ("mype_labour", "mype_labour_productivity", "MYPE labour productivity", "thousand soles per worker"),
)  # fmt: skip
#: Programme figures of the summary table and their units.
_SUMMARY = {"firms_served": "firms", "targeted_pct": "%", "pim": "soles"}
_SUMMARY |= {"devengado": "soles", "execution_pct": "%"}


def indicator_list(
    tables: Mapping[str, pd.DataFrame], *, year: int
) -> list[dict[str, Any]]:
    """List the report's indicators for downstream systems (``indicators.json``).

    Each entry: ``id, group, name, value, unit, year, source, table, row, column``; the
    value is the cell ``tables[table]`` at the row whose columns equal ``row`` (a mapping)
    and at ``column``, so consumers (and the tests) can trace it. ``year`` is the records'
    year (outcomes by year carry their own).
    """
    out: list[dict[str, Any]] = []

    def add(
        id_: str, group: str, name: str, at: tuple[str, Any, str], unit: str
    ) -> None:
        table, key, column = at
        df, row = tables[table], {_ROW_KEY[table]: key}
        hits = np.flatnonzero((df[_ROW_KEY[table]] == key).to_numpy())
        if len(hits) != 1:  # a row that is missing or repeated is left out
            return
        when = key if _ROW_KEY[table] == "year" else year
        value = _num(df[column].iloc[hits[0]])
        out.append({"id": id_, "group": group, "name": name, "value": value})
        out[-1] |= {"unit": unit, "year": when, "source": _SOURCE[group]}
        out[-1] |= {"table": table, "row": row, "column": column}

    for t in tables["factor_shares"]["term"]:
        name = "Returns to scale" if t == "rts" else f"Output elasticity of {t}"
        add(
            f"factor_share.{t}",
            "outcome",
            name,
            ("factor_shares", t, "estimate"),
            "elasticity",
        )
    for g in tables["tfp_by_size"]["group"]:
        name = f"TFP index, {g} firms (large = 100)"
        add(f"tfp_index.{g}", "outcome", name, ("tfp_by_size", g, "index"), "index")
    for table, stem, name, unit in _YEARLY:
        for y in map(int, tables[table]["year"]):
            add(f"{stem}.{y}", "outcome", name, (table, y, "value"), unit)
            growth = f"{name}, annual change"
            add(f"{stem}_growth.{y}", "outcome", growth, (table, y, "growth_pct"), "%")
    for fig in (f for f in _SUMMARY if f in set(tables["summary"]["figure"])):
        add(fig, "programme", fig, ("summary", fig, "value"), _SUMMARY[fig])
    prods = tables["product_totals"]
    for code, n in zip(prods["code"], prods["number"], strict=True):
        for col in ("physical_progress_pct", "execution_pct"):
            at = ("product_totals", code, col)
            add(f"product.{n}.{col}", "programme", f"Product {n} {col}", at, "%")
    ind = tables["indicator_progress"]
    for i, name, unit in zip(ind["id"], ind["name"], ind["unit"], strict=True):
        at = ("indicator_progress", i, "value")
        add(f"indicator.{i}.value", "performance", str(name), at, str(unit))
        at = ("indicator_progress", i, "progress_pct")
        add(
            f"indicator.{i}.progress_pct",
            "performance",
            f"{i} progress on target",
            at,
            "%",
        )
    return out
