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
from tfp._labels import label
from tfp.app.config import PanelColumns
from tfp.app.estimation import Estimation, Note, collect_warnings, dropped_note
from tfp.productivity import MYPE, labour_productivity, tfp_aggregate, tfp_index
from tfp.report.build import ProductSection

__all__ = ["indicator_list", "outcome_tables", "product_sections", "program_tables"]

#: Published factor shares by the role of the input (state, first and second free input);
#: also the ``input`` key of the factor-shares table (labels "Capital físico", ...).
_SHARE_ROLES = ("capital", "skilled_labour", "unskilled_labour")


def outcome_tables(
    data: pd.DataFrame,
    est: Estimation,
    *,
    columns: PanelColumns,
    truth: Mapping[str, float] | None = None,
    published: pd.DataFrame | None = None,
    notes: list[Note] | None = None,
) -> dict[str, pd.DataFrame]:
    """Build the outcome-indicator tables of the report from the estimates.

    Counts come from the functions that compute the indicators: ``n_obs`` rows (firm-years
    when years are pooled), ``n_firms`` distinct firms, ``firms_represented`` the firms the
    rows stand for (sum of the expansion factors).

    Returns
    -------
    dict of DataFrame
        ``factor_shares`` (term, input, estimate, std_error, conf_low, conf_high,
        check_estimate, check_conf_low, check_conf_high, truth, published; last row
        ``rts``, the returns to scale of each estimate: ``results.returns_to_scale()``),
        ``tfp_by_size`` (group, label_es, label_en, n_obs, n_firms, index, conf_low,
        conf_high, published; pooled years), ``mipyme_tfp`` (year, n_firms, value,
        growth_pct, growth_conf_low_pct, growth_conf_high_pct, published,
        published_growth_pct) and ``mype_labour`` (year, n_firms, firms_represented,
        workers, value, growth_pct, published, published_growth_pct). Warnings and rows left
        out are appended to ``notes`` (when given) as :class:`~tfp.app.estimation.Note`.
    """
    pub = pg.published_outcomes() if published is None else published
    found: list[Note] = []
    tables = {
        "factor_shares": _factor_shares(est, columns, truth or {}, _figures(pub, "factor_share")),
        "tfp_by_size": _tfp_by_size(data, est, columns, _figures(pub, "tfp_index"), found),
        "mipyme_tfp": _mipyme_tfp(data, est, columns, pub, found),
        "mype_labour": _mype_labour(data, columns, pub, found),
    }  # fmt: skip
    if notes is not None:
        notes += [n for i, n in enumerate(found) if n not in found[:i]]
    return tables


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
    roles = dict(zip((cols.state, *cols.free), _SHARE_ROLES, strict=False))
    ours, theirs = _tidy(res), _tidy(check)
    rows = [
        {
            "term": str(term),
            "input": roles.get(str(term), str(term)),
            **{c: float(ours.loc[term, c]) for c in ours.columns},
            **{
                f"check_{c}": float(theirs[c].get(term, np.nan))
                for c in ("estimate", "conf_low", "conf_high")
            },
            "truth": float(truth.get(str(term), np.nan)),
            "published": published.get(roles.get(str(term), ""), np.nan),
        }
        for term in res.params.index
    ]
    shares = pd.DataFrame(rows)
    rts = {"term": "rts", "input": "rts", "estimate": res.returns_to_scale().value}
    rts |= {c: np.nan for c in ("std_error", "conf_low", "conf_high")}
    rts["check_estimate"] = np.nan if check is None else check.returns_to_scale().value
    rts |= {"check_conf_low": np.nan, "check_conf_high": np.nan}
    rts["truth"] = shares["truth"].sum(min_count=len(shares))
    rts["published"] = shares["published"].sum(min_count=len(shares))
    return pd.concat([shares, pd.DataFrame([rts])], ignore_index=True)


def _tidy(res: Any) -> pd.DataFrame:
    """estimate, std_error, conf_low, conf_high by term (NaN without inference)."""
    cols = ["estimate", "std_error", "conf_low", "conf_high"]
    if res is None:
        return pd.DataFrame(columns=cols, dtype=float)
    if res.vcov is None and res.bootstrap is None:
        out = pd.DataFrame(np.nan, index=res.params.index, columns=cols)
        out["estimate"] = res.params
        return out
    return res.tidy()[cols]


def _tfp_by_size(
    data: pd.DataFrame,
    est: Estimation,
    cols: PanelColumns,
    published: Mapping[str, float],
    notes: list[Note],
) -> pd.DataFrame:
    size = collect_warnings(
        tfp_index, data, productivity=est.results, by=cols.size_class, base="large",
        weights=cols.weights, id=cols.id, notes=notes,
    )  # fmt: skip
    _note_dropped(notes, "tfp_index", size, data)
    keep = [
        "group",
        "label_es",
        "label_en",
        "n_obs",
        "n_firms",
        "index",
        "conf_low",
        "conf_high",
    ]
    out = size[[c for c in keep if c in size.columns]].copy()
    out["group"] = out["group"].astype(str)
    out["published"] = out["group"].map(published)
    out["n_firms"] = out["n_firms"].astype("int64")
    return out.reset_index(drop=True)


def _note_dropped(
    notes: list[Note], what: str, table: pd.DataFrame, data: pd.DataFrame
) -> None:
    note = dropped_note(what, table.attrs.get("dropped", {}), len(data))
    notes += [note] if note else []


def _pct(x: pd.Series) -> np.ndarray:
    return np.asarray(x, dtype=float) * 100.0


def _mipyme_tfp(
    data: pd.DataFrame,
    est: Estimation,
    cols: PanelColumns,
    pub: pd.DataFrame,
    notes: list[Note],
) -> pd.DataFrame:
    agg = collect_warnings(
        tfp_aggregate, data, productivity=est.results, time=cols.time, by=cols.size_class,
        weights=cols.weights, id=cols.id, notes=notes,
    )  # fmt: skip
    out = pd.DataFrame(
        {
            "year": agg["time"].astype(int).to_numpy(),
            "n_firms": agg["n_firms"].to_numpy(dtype=np.int64),
            "value": agg["value"].to_numpy(dtype=float),
            "growth_pct": _pct(agg["growth"]),
        }
    )
    if "growth_conf_low" in agg.columns:
        out["growth_conf_low_pct"] = _pct(agg["growth_conf_low"])
        out["growth_conf_high_pct"] = _pct(agg["growth_conf_high"])
    return _with_published(out, pub, "mipyme_tfp")


def _mype_labour(
    data: pd.DataFrame, cols: PanelColumns, pub: pd.DataFrame, notes: list[Note]
) -> pd.DataFrame:
    lab = collect_warnings(
        labour_productivity, data, value_added=cols.value_added, workers=list(cols.workers),
        time=cols.time, by=cols.size_class, weights=cols.weights, aggregates={"mype": MYPE},
        scale=1000.0, id=cols.id, notes=notes,
    )  # fmt: skip
    _note_dropped(notes, "labour_productivity", lab, data)
    lab = lab[lab["group"] == "mype"]
    out = pd.DataFrame(
        {
            "year": lab["time"].astype(int).to_numpy(),
            "n_firms": lab["n_firms"].to_numpy(dtype=np.int64),
            "firms_represented": lab["sum_weights"].to_numpy(dtype=float),
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
#: Outcomes by year: table, id stem, name key (``indicator`` labels), unit key.
_YEARLY = (
    ("mipyme_tfp", "mipyme_tfp", "mipyme_tfp", "tfp_level"),
    ("mype_labour", "mype_labour_productivity", "mype_labour", "thousand_soles_per_worker"),
)  # fmt: skip
#: Programme figures of the summary table and their unit keys.
_SUMMARY = {"firms_served": "firms", "targeted_pct": "pct", "pim": "soles"}
_SUMMARY |= {"devengado": "soles", "execution_pct": "pct"}


def indicator_list(
    tables: Mapping[str, pd.DataFrame], *, year: int, lang: str = "es"
) -> list[dict[str, Any]]:
    """List the report's indicators for downstream systems (``indicators.json``).

    Each entry: ``id, group, name, value, unit, year, source, table, row, column``; the
    value is the cell ``tables[table]`` at the row whose columns equal ``row`` (a mapping)
    and at ``column``, so consumers (and the tests) can trace it. ``id``, ``group`` and the
    locating keys are stable machine names; ``name``, ``unit`` and ``source`` are written in
    ``lang``. ``year`` is the records' year (outcomes by year carry their own).
    """
    out: list[dict[str, Any]] = []

    def say(key: str, domain: str = "indicator", **fields: Any) -> str:
        return label(key, lang, domain=domain, **fields)

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
        out[-1] |= {
            "unit": unit,
            "year": when,
            "source": say(group, "indicator_source"),
        }
        out[-1] |= {"table": table, "row": row, "column": column}

    shares = tables["factor_shares"]
    for t, key in zip(shares["term"], shares["input"], strict=True):
        name = (
            say("rts")
            if t == "rts"
            else say("elasticity", input=label(key, lang, domain="input"))
        )
        unit = say("rts" if t == "rts" else "elasticity", "indicator_unit")
        add(
            f"factor_share.{t}", "outcome", name, ("factor_shares", t, "estimate"), unit
        )
    size = tables["tfp_by_size"]
    for g, shown in zip(size["group"], size[f"label_{lang}"], strict=True):
        name = say("tfp_index", size=shown)
        unit = say("index", "indicator_unit")
        add(f"tfp_index.{g}", "outcome", name, ("tfp_by_size", g, "index"), unit)
    for table, stem, key, unit in _YEARLY:
        for y in map(int, tables[table]["year"]):
            name, growth = say(key), say("growth", name=say(key))
            add(
                f"{stem}.{y}",
                "outcome",
                name,
                (table, y, "value"),
                say(unit, "indicator_unit"),
            )
            pct = say("pct", "indicator_unit")
            add(f"{stem}_growth.{y}", "outcome", growth, (table, y, "growth_pct"), pct)
    for fig in (f for f in _SUMMARY if f in set(tables["summary"]["figure"])):
        name = label(fig, lang, domain="figure")
        unit = say(_SUMMARY[fig], "indicator_unit")
        add(fig, "programme", name, ("summary", fig, "value"), unit)
    prods = tables["product_totals"]
    pct = say("pct", "indicator_unit")
    for code, n in zip(prods["code"], prods["number"], strict=True):
        for col in ("physical_progress_pct", "execution_pct"):
            at = ("product_totals", code, col)
            add(f"product.{n}.{col}", "programme", say(col, n=n), at, pct)
    ind = tables["indicator_progress"]
    for i, name, unit in zip(ind["id"], ind["name"], ind["unit"], strict=True):
        at = ("indicator_progress", i, "value")
        unit = pct if unit == "%" else str(unit)
        add(f"indicator.{i}.value", "performance", str(name), at, unit)
        at = ("indicator_progress", i, "progress_pct")
        add(
            f"indicator.{i}.progress_pct", "performance", say("progress", id=i), at, pct
        )
    return out
