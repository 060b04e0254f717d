"""Tables of the PP 0093 report: outcome indicators, programme execution, coverage, indicators.

Every table is a DataFrame with English snake_case columns (what ``csv/<name>.csv`` holds);
display labels are applied only when rendering (:func:`column_label`). Nothing here estimates
or derives programme figures itself: it calls :mod:`tfp.productivity` and :mod:`tfp.program`
and arranges their output beside the figures PRODUCE published.

References
----------
PRODUCE-OGEIEE (2021). *Reporte de seguimiento del Programa Presupuestal 0093 "Desarrollo
Productivo de las Empresas", año 2020*. Lima: Ministerio de la Producción.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp.exceptions import TFPWarning

if TYPE_CHECKING:
    from tfp.program.checks import Finding
    from tfp.program.records import ProgrammeRecords
    from tfp.program.run import PanelColumns

__all__ = [
    "COLUMN_LABELS",
    "SEED_OUTCOMES",
    "column_label",
    "findings_table",
    "indicator_list",
    "outcome_tables",
    "programme_tables",
]

#: Outcome figures PRODUCE published in the 2020 follow-up report (seed text line numbers of
#: ``shared/seed/pp0093_reporte_seguimiento_2020.txt``). They come from the ENE 2015–2018/2019;
#: ours come from the panel the pipeline was given (by default a simulated one).
SEED_OUTCOMES: Mapping[str, Any] = MappingProxyType(
    {
        # factor shares, ENE 2015-2018 (lines 96-100)
        "share_capital": 0.262,
        "share_skilled": 0.588,
        "share_unskilled": 0.166,
        # TFP by size class, large = 100, ENE 2015-2018 (chart, lines 126-148)
        "tfp_index": MappingProxyType(
            {"micro": 14.0, "small": 52.8, "medium": 79.6, "large": 100.0}
        ),
        # MIPYME TFP 2019 = 1.13, -11.5 % on 2018 (lines 118-121)
        "mipyme_tfp": MappingProxyType({2019: 1.13}),
        "mipyme_tfp_growth_pct": MappingProxyType({2019: -11.5}),
        # MYPE labour productivity 44.8 (2018) -> 46.3 (2019), +3.4 % (lines 122-124); the
        # seed says "millones de soles", units not confirmed (PERU_DOMAIN.md 4.1)
        "mype_labour": MappingProxyType({2018: 44.8, 2019: 46.3}),
        "mype_labour_growth_pct": MappingProxyType({2019: 3.4}),
    }
)

#: Display labels of the columns of the report's own tables: name -> (es, en). Columns of the
#: ``tfp.program`` tables use :func:`tfp.program.label`.
COLUMN_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "term": ("Factor", "Input"),
        "input": ("Insumo", "Input"),
        "estimate": ("Estimado (tfp)", "Estimate (tfp)"),
        "std_error": ("Error estándar", "Standard error"),
        "conf_low": ("IC 95 % inf.", "95 % CI low"),
        "conf_high": ("IC 95 % sup.", "95 % CI high"),
        "truth": ("Valor verdadero (simulación)", "True value (simulation)"),
        "lp_estimate": ("Levinsohn-Petrin (control)", "Levinsohn-Petrin (check)"),
        "published": ("Publicado PRODUCE", "Published by PRODUCE"),
        "published_growth_pct": ("Var. % publicada", "Published % change"),
        "index": ("Índice (grande = 100)", "Index (large = 100)"),
        "year": ("Año", "Year"),
        "growth_pct": ("Var. % anual (tfp)", "Annual % change (tfp)"),
        "growth_conf_low_pct": ("IC 95 % inf. var. %", "95 % CI low, % change"),
        "growth_conf_high_pct": ("IC 95 % sup. var. %", "95 % CI high, % change"),
        "group": ("Grupo", "Group"),
        "label": ("Categoría", "Category"),
        "n_firms": ("N° de empresas", "Number of firms"),
        "n_obs": ("Observaciones", "Observations"),
        "workers": ("Trabajadores", "Workers"),
        "figure": ("Cifra", "Figure"),
        "id": ("Código", "ID"),
        "amount": ("Valor", "Value"),
        "severity": ("Severidad", "Severity"),
        "where": ("Dónde", "Where"),
        "message": ("Detalle", "Detail"),
        "code": ("Código", "Code"),
        "share_pct": ("% del total", "% of total"),
        "share_known_pct": ("% de conocidos", "% of known"),
        "reason": ("Motivo", "Reason"),
    }
)

_SIZE_LABELS = {
    "micro": ("Microempresa", "Micro"),
    "small": ("Pequeña empresa", "Small"),
    "medium": ("Mediana empresa", "Medium"),
    "large": ("Gran empresa", "Large"),
}


def column_label(name: str, lang: str) -> str:
    """Display label of a column in Spanish or English (unknown names unchanged)."""
    from tfp.program import label

    pair = COLUMN_LABELS.get(name)
    if pair is not None:
        return pair[0] if lang == "es" else pair[1]
    return label(name, lang)  # type: ignore[arg-type]


def _pct(x: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=float) * 100.0


def _quiet(fn: Any, *args: Any, notes: list[str], **kwargs: Any) -> Any:
    """Call ``fn``, turning tfp warnings into notes (they are shown in the report)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TFPWarning)
        out = fn(*args, **kwargs)
    for w in caught:
        if issubclass(w.category, TFPWarning):
            notes.append(f"{w.category.__name__}: {w.message}")
        else:  # not ours: let the caller's filters decide
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, source=w.source
            )
    return out


def outcome_tables(
    data: pd.DataFrame,
    results: Any,
    *,
    columns: PanelColumns,
    truth: Mapping[str, float] | None = None,
    cross_check: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Build the outcome-indicator tables of the report from estimated results.

    Parameters
    ----------
    data : DataFrame
        The firm panel the results were estimated on.
    results : ProductionResults
        Production-function estimates (their bootstrap draws, if any, give intervals).
    columns : PanelColumns
        Column names of the panel.
    truth : mapping, optional
        True elasticities when the panel is simulated.
    cross_check : mapping, optional
        Point estimates of other methods (``{"lp": {term: value}}``).

    Returns
    -------
    dict of DataFrame
        ``factor_shares`` (term, estimate, std_error, conf_low, conf_high, truth,
        lp_estimate, published), ``tfp_by_size`` (group, label_es, label_en, n_firms, index,
        conf_low, conf_high, published), ``mipyme_tfp`` (year, n_firms, value, growth_pct,
        growth_conf_low_pct, growth_conf_high_pct, published, published_growth_pct),
        ``mype_labour`` (year, n_firms, workers, value, growth_pct, published,
        published_growth_pct) and ``outcome_notes`` (note).
    """
    from tfp.productivity import MYPE, labour_productivity, tfp_aggregate, tfp_index

    notes: list[str] = []
    cols = columns
    # factor shares
    params = results.params
    tidy = results.tidy() if results.vcov is not None else None
    roles = {cols.state: "share_capital"}
    if len(cols.free) >= 1:
        roles[cols.free[0]] = "share_skilled"
    if len(cols.free) >= 2:
        roles[cols.free[1]] = "share_unskilled"
    lp = (cross_check or {}).get("lp", {})
    rows = []
    for term, est in params.items():
        t = str(term)
        rows.append(
            {
                "term": t,
                "estimate": float(est),
                "std_error": float(tidy.loc[term, "std_error"])
                if tidy is not None
                else np.nan,
                "conf_low": float(tidy.loc[term, "conf_low"])
                if tidy is not None
                else np.nan,
                "conf_high": float(tidy.loc[term, "conf_high"])
                if tidy is not None
                else np.nan,
                "truth": float(truth[t]) if truth and t in truth else np.nan,
                "lp_estimate": float(lp[t]) if t in lp else np.nan,
                "published": float(SEED_OUTCOMES[roles[t]]) if t in roles else np.nan,
            }
        )
    shares = pd.DataFrame(rows)
    rts = {
        "term": "rts",
        "estimate": float(shares["estimate"].sum()),
        "std_error": np.nan,
        "conf_low": np.nan,
        "conf_high": np.nan,
        "truth": float(shares["truth"].sum(min_count=len(shares))),
        "lp_estimate": float(shares["lp_estimate"].sum(min_count=len(shares))),
        "published": float(shares["published"].sum(min_count=len(shares))),
    }
    shares = pd.concat([shares, pd.DataFrame([rts])], ignore_index=True)

    weights = cols.weights
    by = cols.size_class
    size = _quiet(
        tfp_index,
        data,
        productivity=results,
        by=by,
        base="large",
        weights=weights,
        notes=notes,
    )
    keep = [
        c
        for c in (
            "group",
            "label_es",
            "label_en",
            "n_firms",
            "index",
            "conf_low",
            "conf_high",
        )
        if c in size.columns
    ]
    by_size = size[keep].copy()
    by_size["group"] = by_size["group"].astype(str)
    by_size["published"] = by_size["group"].map(dict(SEED_OUTCOMES["tfp_index"]))
    by_size = by_size.reset_index(drop=True)

    agg = _quiet(
        tfp_aggregate,
        data,
        productivity=results,
        time=cols.time,
        by=by,
        weights=weights,
        notes=notes,
    )
    mipyme = pd.DataFrame(
        {
            "year": agg["time"].astype(int).to_numpy(),
            "n_firms": agg["n_firms"].to_numpy(),
            "value": agg["value"].to_numpy(dtype=float),
            "growth_pct": _pct(agg["growth"]),
        }
    )
    if "growth_conf_low" in agg.columns:
        mipyme["growth_conf_low_pct"] = _pct(agg["growth_conf_low"])
        mipyme["growth_conf_high_pct"] = _pct(agg["growth_conf_high"])
    mipyme["published"] = mipyme["year"].map(dict(SEED_OUTCOMES["mipyme_tfp"]))
    mipyme["published_growth_pct"] = mipyme["year"].map(
        dict(SEED_OUTCOMES["mipyme_tfp_growth_pct"])
    )

    lab = _quiet(
        labour_productivity,
        data,
        value_added=cols.value_added,
        workers=list(cols.workers),
        time=cols.time,
        by=by,
        weights=weights,
        aggregates={"mype": MYPE},
        scale=1000.0,
        notes=notes,
    )
    lab = lab[lab["group"] == "mype"]
    mype = pd.DataFrame(
        {
            "year": lab["time"].astype(int).to_numpy(),
            "n_firms": lab["n_firms"].to_numpy(),
            "workers": lab["workers"].to_numpy(dtype=float),
            "value": lab["value"].to_numpy(dtype=float),
            "growth_pct": _pct(lab["growth"]),
        }
    )
    mype["published"] = mype["year"].map(dict(SEED_OUTCOMES["mype_labour"]))
    mype["published_growth_pct"] = mype["year"].map(
        dict(SEED_OUTCOMES["mype_labour_growth_pct"])
    )
    mype.attrs["base_year"] = lab.attrs.get("base_year")
    return {
        "factor_shares": shares,
        "tfp_by_size": by_size,
        "mipyme_tfp": mipyme,
        "mype_labour": mype,
        "outcome_notes": pd.DataFrame({"note": list(dict.fromkeys(notes))}),
    }


def programme_tables(
    records: ProgrammeRecords, *, lang: str = "es"
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
    from tfp import program as pg

    budget = pg.budget_execution(records)
    products = pg.product_totals(records)
    total = budget[budget["level"] == "total"].iloc[0]
    summary_rows: list[tuple[str, float]] = [
        ("year", float(records.year)),
        ("n_products", float(len(records.products))),
        ("n_activities", float(len(records.activities))),
        ("pia", float(total["pia"])),
        ("pim", float(total["pim"])),
        ("devengado", float(total["devengado"])),
        ("execution_pct", float(total["execution_pct"])),
    ]
    out: dict[str, pd.DataFrame] = {
        "annex": pg.annex_table(records, lang=lang),  # type: ignore[arg-type]
        "physical_progress": pg.physical_progress(records),
        "budget_execution": budget,
        "product_totals": products,
        "indicator_progress": pg.indicator_progress(records),
    }
    if records.register is not None:
        for by in ("natural_region", "department", "sector", "size_class", "unit"):
            out[f"coverage_{by}"] = pg.coverage(records, by=by, lang=lang)  # type: ignore[arg-type]
        targeting = pg.targeting_summary(records, lang=lang)  # type: ignore[arg-type]
        out["targeting"] = targeting
        n_served = int(records.register["firm_id"].nunique())
        target_row = targeting[targeting["group"] == "target"].iloc[0]
        summary_rows += [
            ("firms_served", float(n_served)),
            ("firms_targeted", float(target_row["n_firms"])),
            ("targeted_pct", float(target_row["share_pct"])),
        ]
    out["summary"] = pd.DataFrame(summary_rows, columns=["figure", "value"])
    # keep the summary first
    return {"summary": out.pop("summary"), **out}


def findings_table(findings: Sequence[Finding]) -> pd.DataFrame:
    """Tabulate the records' consistency findings (code, severity, where, message)."""
    from tfp.program import findings_frame

    return findings_frame(list(findings))


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def indicator_list(
    tables: Mapping[str, pd.DataFrame], *, records: ProgrammeRecords
) -> list[dict[str, Any]]:
    """List the report's indicators for downstream systems (``indicators.json``).

    Each entry: ``id, group, name, value, unit, year, source, table, row, column``; the
    value is the cell ``tables[table]`` at the row whose columns equal ``row`` (a mapping)
    and at ``column``, so consumers (and the tests) can trace it.
    """
    year = int(records.year)
    out: list[dict[str, Any]] = []

    def add(
        id_: str,
        group: str,
        name: str,
        table: str,
        row: dict[str, Any],
        column: str,
        unit: str,
        year_: int,
        source: str,
    ) -> None:
        df = tables[table]
        mask = np.ones(len(df), dtype=bool)
        for k, v in row.items():
            mask &= (df[k] == v).to_numpy()
        hits = np.flatnonzero(mask)
        if len(hits) != 1:
            return
        out.append(
            {
                "id": id_,
                "group": group,
                "name": name,
                "value": _num(df[column].iloc[hits[0]]),
                "unit": unit,
                "year": year_,
                "source": source,
                "table": table,
                "row": row,
                "column": column,
            }
        )

    est = "tfp estimate on the report's firm panel"
    for term in tables["factor_shares"]["term"]:
        add(
            f"factor_share.{term}",
            "outcome",
            f"Output elasticity of {term}" if term != "rts" else "Returns to scale",
            "factor_shares",
            {"term": term},
            "estimate",
            "elasticity",
            year,
            est,
        )
    for g in tables["tfp_by_size"]["group"]:
        add(
            f"tfp_index.{g}",
            "outcome",
            f"TFP index, {g} firms (large = 100)",
            "tfp_by_size",
            {"group": g},
            "index",
            "index",
            year,
            est,
        )
    for table, stem, name, unit in (
        ("mipyme_tfp", "mipyme_tfp", "MIPYME TFP", "tfp level"),
        (
            "mype_labour",
            "mype_labour_productivity",
            "MYPE labour productivity",
            "thousand soles per worker",
        ),
    ):
        for y in tables[table]["year"]:
            y = int(y)
            add(
                f"{stem}.{y}",
                "outcome",
                name,
                table,
                {"year": y},
                "value",
                unit,
                y,
                est,
            )
            add(
                f"{stem}_growth.{y}",
                "outcome",
                f"{name}, annual change",
                table,
                {"year": y},
                "growth_pct",
                "%",
                y,
                est,
            )
    rec = "tfp.program from the programme records"
    summary = tables["summary"]
    for fig, unit in (
        ("firms_served", "firms"),
        ("targeted_pct", "%"),
        ("pim", "soles"),
        ("devengado", "soles"),
        ("execution_pct", "%"),
    ):
        if fig in set(summary["figure"]):
            add(
                fig,
                "programme",
                fig,
                "summary",
                {"figure": fig},
                "value",
                unit,
                year,
                rec,
            )
    prods = tables["product_totals"]
    for code, number in zip(prods["code"], prods["number"], strict=True):
        for column, unit in (("physical_progress_pct", "%"), ("execution_pct", "%")):
            add(
                f"product.{number}.{column}",
                "programme",
                f"Product {number} {column}",
                "product_totals",
                {"code": code},
                column,
                unit,
                year,
                rec,
            )
    ind = tables["indicator_progress"]
    for id_, unit in zip(ind["id"], ind["unit"], strict=True):
        add(
            f"indicator.{id_}.value",
            "performance",
            str(ind.loc[ind["id"] == id_, "name"].iloc[0]),
            "indicator_progress",
            {"id": id_},
            "value",
            str(unit),
            year,
            rec,
        )
        add(
            f"indicator.{id_}.progress_pct",
            "performance",
            f"{id_} progress on target",
            "indicator_progress",
            {"id": id_},
            "progress_pct",
            "%",
            year,
            rec,
        )
    return out
