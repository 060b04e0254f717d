"""Render and write the PP 0093 report: self-contained HTML, Excel workbook, CSVs and JSON.

The HTML follows the sections of PRODUCE-OGEIEE's follow-up report (productivity of the
MIPYME with the size chart, population served, each product with its physical progress,
budget execution and indicators, findings, annex table) and embeds every chart as a
``data:image/png;base64`` image, so the single file opens anywhere. It only formats the
content the application computed (:class:`ReportContent`, built by :func:`tfp.app.run`) and
the charts of :mod:`tfp.report.plots`.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tfp.report.plots import CHART_TITLES
from tfp.report.tables import column_label

__all__ = [
    "TEXT",
    "Heading",
    "ProductSection",
    "ReportContent",
    "render_html",
    "write_report",
]

#: File names inside the output directory.
HTML_NAME = "reporte_pp0093.html"
XLSX_NAME = "reporte_pp0093.xlsx"
JSON_NAME = "indicadores.json"
CSV_DIR = "csv"

#: Headings and sentences of the report: key -> {lang: text}.
TEXT: Mapping[str, Mapping[str, str]] = {
    "title": {
        "es": "Reporte de seguimiento del Programa Presupuestal {programme} «{name}», año {year}",
        "en": "Monitoring report of budget programme {programme} “{name}”, year {year}",
    },
    "subtitle": {
        "es": "Resultado final: {final}. Resultado específico: {specific}.",
        "en": "Final result: {final}. Specific result: {specific}.",
    },
    "contents": {"es": "Contenido", "en": "Contents"},
    "sec_productivity": {
        "es": "Productividad de las MIPYME",
        "en": "Productivity of MIPYME (micro, small and medium firms)",
    },
    "sec_population": {"es": "Población atendida", "en": "Population served"},
    "sec_products": {
        "es": "Productos: avance físico, ejecución presupuestal e indicadores",
        "en": "Products: physical progress, budget execution and indicators",
    },
    "sec_findings": {"es": "Hallazgos de consistencia", "en": "Consistency findings"},
    "sec_annex": {
        "es": "Anexo: ejecución de metas físicas y financieras por producto y actividad",
        "en": "Annex: physical and financial execution by product and activity",
    },
    "sec_methods": {"es": "Nota metodológica", "en": "Methods note"},
    "banner_sim": {
        "es": "Los indicadores de resultado de este reporte (PTF y productividad del trabajo) se calcularon con un panel de empresas SIMULADO, parecido a la ENE, incluido en tfp; no son cifras oficiales. Las cifras publicadas por PRODUCE se muestran al lado, rotuladas como tales.",
        "en": "The outcome indicators in this report (TFP and labour productivity) were computed on a SIMULATED ENE-like firm panel shipped with tfp; they are not official figures. PRODUCE's published figures are shown beside them, labelled as such.",
    },
    "prod_intro": {
        "es": "La PTF se mide con una función de producción Cobb-Douglas del valor agregado en capital, trabajo calificado y no calificado, estimada con {method}. El índice compara la PTF media de cada tamaño de empresa con la de las grandes empresas (= 100).",
        "en": "TFP is measured with a Cobb-Douglas value-added production function in capital, skilled and unskilled labour, estimated with {method}. The index compares the mean TFP of each firm size with that of large firms (= 100).",
    },
    "shares_caption": {
        "es": "Participación de los factores (elasticidades del producto)",
        "en": "Factor shares (output elasticities)",
    },
    "size_caption": {
        "es": "Índice de PTF por tamaño de empresa (gran empresa = 100)",
        "en": "TFP index by firm size (large firms = 100)",
    },
    "mipyme_caption": {"es": "PTF de las MIPYME por año", "en": "MIPYME TFP by year"},
    "mipyme_note": {
        "es": "PRODUCE publica una PTF MIPYME de 1.13 en 2019 (−11.5 % respecto a 2018) sin indicar su normalización; el nivel de tfp está en unidades de la función estimada (incluye la constante), por lo que se comparan las variaciones.",
        "en": "PRODUCE publishes a MIPYME TFP of 1.13 in 2019 (−11.5 % on 2018) without stating its normalisation; tfp's level is in units of the estimated function (it includes the constant), so compare the changes.",
    },
    "labour_caption": {
        "es": "Productividad del trabajo de las MYPE (miles de soles de {base} por trabajador)",
        "en": "MYPE labour productivity (thousand soles of {base} per worker)",
    },
    "labour_note": {
        "es": "PRODUCE publica 44.8 (2018) y 46.3 (2019), +3.4 %, «millones de soles» según el texto; la unidad no está confirmada (probablemente miles de soles por trabajador).",
        "en": "PRODUCE publishes 44.8 (2018) and 46.3 (2019), +3.4 %, “millions of soles” per its text; the unit is not confirmed (probably thousand soles per worker).",
    },
    "served": {"es": "Empresas atendidas", "en": "Firms served"},
    "targeted": {
        "es": "Empresas focalizadas",
        "en": "Firms inside the targeting criteria",
    },
    "execution": {
        "es": "Ejecución presupuestal (devengado / PIM)",
        "en": "Budget execution (devengado / PIM)",
    },
    "devengado": {"es": "Devengado", "en": "Accrued spending"},
    "no_register": {
        "es": "Los registros no incluyen el padrón de empresas atendidas.",
        "en": "The records have no register of firms served.",
    },
    "coverage_caption": {
        "es": "Empresas atendidas por {by}",
        "en": "Firms served by {by}",
    },
    "by_natural_region": {"es": "región natural", "en": "natural region"},
    "by_department": {"es": "departamento", "en": "department"},
    "by_sector": {"es": "sector económico", "en": "economic sector"},
    "by_size_class": {"es": "tamaño de empresa", "en": "firm size"},
    "by_unit": {"es": "dirección general o entidad", "en": "serving unit"},
    "targeting_caption": {
        "es": "Focalización: empresas dentro de los criterios y motivos de exclusión",
        "en": "Targeting: firms inside the criteria and reasons for exclusion",
    },
    "product_caption": {
        "es": "Producto {n}: avance físico y ejecución presupuestal",
        "en": "Product {n}: physical progress and budget execution",
    },
    "indicators_caption": {
        "es": "Indicadores de desempeño del producto {n}",
        "en": "Performance indicators of product {n}",
    },
    "no_indicators": {
        "es": "El producto no tiene indicadores de desempeño en los registros.",
        "en": "The product has no performance indicator in the records.",
    },
    "overview": {
        "es": "Resumen de todos los productos",
        "en": "Overview of all products",
    },
    "findings_none": {
        "es": "Los registros no presentan contradicciones.",
        "en": "The records contain no contradictions.",
    },
    "findings_intro": {
        "es": "Contradicciones entre las cifras de los registros (se muestran, no se corrigen):",
        "en": "Contradictions between figures of the records (shown, not corrected):",
    },
    "notes_caption": {
        "es": "Avisos de la estimación y del cálculo de indicadores",
        "en": "Warnings from the estimation and the indicators",
    },
    "annex_caption": {
        "es": "Ejecución de metas físicas y financieras",
        "en": "Physical and financial execution",
    },
    "implausible": {
        "es": "ATENCIÓN: las participaciones estimadas no son plausibles (fuera de los rangos habituales o con rendimientos a escala lejos de 1); los índices de PTF que dependen de ellas no son confiables. Compare con la columna Levinsohn-Petrin y revise las opciones del estimador (ver Hallazgos).",
        "en": "WARNING: the estimated factor shares are implausible (outside the usual ranges, or returns to scale far from 1); the TFP indices built on them are not reliable. Compare with the Levinsohn-Petrin column and check the estimator's options (see Findings).",
    },
    "footer": {
        "es": "Generado con tfp {version}. Fuente de los registros: {source}. Las cifras derivadas (porcentajes, sumas) se calculan a partir de los registros.",
        "en": "Generated with tfp {version}. Source of the records: {source}. Derived figures (percentages, sums) are computed from the records.",
    },
    "figure": {"es": "Gráfico", "en": "Chart"},
    "summary_caption": {"es": "Cifras principales", "en": "Key figures"},
}

_METHOD_NAMES = {
    "acf": "Ackerberg-Caves-Frazer (ACF, 2015)",
    "lp": "Levinsohn-Petrin (LP, 2003)",
    "op": "Olley-Pakes (OP, 1996)",
    "wrdg": "Wooldridge (2009)",
    "ols": "OLS",
    "fe": "fixed effects",
    "gnr": "Gandhi-Navarro-Rivers (2020)",
}

_SUMMARY_LABELS = {
    "year": ("Año", "Year"),
    "n_products": ("Productos", "Products"),
    "n_activities": ("Actividades", "Activities"),
    "pia": ("PIA (S/)", "Initial budget, PIA (S/)"),
    "pim": ("PIM (S/)", "Modified budget, PIM (S/)"),
    "devengado": ("Devengado (S/)", "Accrued spending (S/)"),
    "execution_pct": ("% ejecución (devengado / PIM)", "% execution (devengado / PIM)"),
    "firms_served": ("Empresas atendidas", "Firms served"),
    "firms_targeted": ("Empresas focalizadas", "Firms inside the targeting criteria"),
    "targeted_pct": ("% focalizadas", "% inside the targeting criteria"),
}


#: Key figures shown as tiles above the summary table, with their format.
_KPIS = {"firms_served": "{:,.0f}", "targeted_pct": "{:.1f} %"}
_KPIS |= {"devengado": "S/ {:,.0f}", "execution_pct": "{:.1f} %"}


def _t(key: str, lang: str, **kw: Any) -> str:
    return TEXT[key][lang].format(**kw)


@dataclass(frozen=True)
class Heading:
    """The programme the report is about (from its records' results chain)."""

    programme: str
    name: str
    year: int
    final_result: str
    specific_result: str
    source: str
    has_register: bool


@dataclass(frozen=True)
class ProductSection:
    """One product's part of the report: its annex rows and its performance indicators."""

    number: str
    name: str
    annex: pd.DataFrame
    indicators: pd.DataFrame


@dataclass(frozen=True)
class ReportContent:
    """Everything the writers need, computed by the application (:func:`tfp.app.run`)."""

    heading: Heading
    tables: Mapping[str, pd.DataFrame]
    figures: Mapping[str, bytes]
    products: tuple[ProductSection, ...]
    indicators: tuple[Mapping[str, Any], ...]
    findings: tuple[Any, ...]
    notes: tuple[str, ...]
    method: str
    lang: str
    simulated: bool = True
    implausible: bool = False
    methods_note: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------------------

_INT_COLUMNS = {
    "target",
    "achieved",
    "n_firms",
    "pia",
    "pim",
    "devengado",
    "activities_target",
    "activities_achieved",
    "overlap",
    "register_firms",
    "n_activities",
    "year",
    "numerator",
    "denominator",
    "workers",
}
_THREE = {
    "estimate",
    "std_error",
    "conf_low",
    "conf_high",
    "truth",
    "lp_estimate",
    "value_3",
}


def _fmt(
    value: Any, column: str, three: frozenset[str] | set[str] = _THREE
) -> tuple[str, bool]:
    """Format one cell; returns (text, is_numeric)."""
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or value is pd.NA
    ):
        return "", False
    if isinstance(value, (bool, np.bool_)):
        return str(value), False
    if isinstance(value, (int, np.integer)):
        return (f"{int(value)}" if column == "year" else f"{int(value):,}"), True
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            return "", False
        if column == "year":
            return f"{int(v)}", True
        if column == "workers" or (column in _INT_COLUMNS and v == round(v)):
            return f"{v:,.0f}", True
        if column in three:
            return f"{v:.3f}", True
        return f"{v:,.1f}", True
    return str(value), False


def _table_html(
    df: pd.DataFrame,
    *,
    table_id: str,
    caption: str,
    lang: str,
    columns: Sequence[str] | None = None,
    row_class: str | None = None,
    three: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> str:
    three_set = _THREE | set(three)
    cols = list(columns) if columns is not None else list(df.columns)
    cols = [c for c in cols if c in df.columns]
    head = "".join(
        f'<th scope="col">{html.escape((labels or {}).get(c) or column_label(c, lang))}</th>'
        for c in cols
    )
    body = []
    for _, row in df.iterrows():
        cls = ""
        if row_class and row_class in df.columns:
            cls = f' class="level-{html.escape(str(row[row_class]))}"'
        cells = []
        for c in cols:
            text, num = _fmt(row[c], c, three_set)
            cells.append(
                f'<td class="num">{html.escape(text)}</td>'
                if num
                else f"<td>{html.escape(text)}</td>"
            )
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return (
        f'<div class="tw"><table id="{html.escape(table_id)}">'
        f"<caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _figure_html(name: str, png: bytes, lang: str) -> str:
    title = CHART_TITLES[name][0 if lang == "es" else 1]
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="fig-{name}"><img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(title, quote=True)}">'
        f"<figcaption>{html.escape(_t('figure', lang))}: {html.escape(title)}</figcaption>"
        f"</figure>"
    )


def _p(text: str, cls: str | None = None) -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<p{c}>{html.escape(text)}</p>"


# --------------------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------------------


def _productivity(c: ReportContent, fig: Mapping[str, str]) -> list[str]:
    lang, T = c.lang, c.tables
    value = {"value": "Valor (tfp)" if lang == "es" else "Value (tfp)"}
    out = [_p(_t("implausible", lang), "note")] if c.implausible else []
    method = _METHOD_NAMES.get(c.method, c.method)
    out.append(_p(_t("prod_intro", lang, method=method)))
    out.append(
        _table_html(
            T["factor_shares"],
            table_id="tab-factor-shares",
            caption=_t("shares_caption", lang),
            lang=lang,
            three=("published",),
        )
    )
    out += [fig["tfp_by_size"]] if "tfp_by_size" in fig else []
    out.append(
        _table_html(
            T["tfp_by_size"].rename(columns={f"label_{lang}": "label"}),
            table_id="tab-tfp-by-size",
            caption=_t("size_caption", lang),
            lang=lang,
            columns=["label", "n_firms", "index", "conf_low", "conf_high", "published"],
        )
    )
    out += [fig["mipyme_growth"]] if "mipyme_growth" in fig else []
    out.append(
        _table_html(
            T["mipyme_tfp"],
            table_id="tab-mipyme-tfp",
            three=("published",),
            labels=value,
            caption=_t("mipyme_caption", lang),
            lang=lang,
        )
    )
    out.append(_p(_t("mipyme_note", lang)))
    out += [fig["mype_labour"]] if "mype_labour" in fig else []
    base = T["mype_labour"].attrs.get("base_year") or ""
    out.append(
        _table_html(
            T["mype_labour"],
            table_id="tab-mype-labour",
            labels=value,
            caption=_t("labour_caption", lang, base=base),
            lang=lang,
        )
    )
    return [*out, _p(_t("labour_note", lang))]


def _population(c: ReportContent, fig: Mapping[str, str]) -> list[str]:
    lang, T = c.lang, c.tables
    i = 0 if lang == "es" else 1
    summary = T["summary"]
    vals = dict(zip(summary["figure"], summary["value"], strict=True))
    kpis = [
        f'<div class="kpi"><div class="v">{html.escape(fmt.format(vals[key]))}</div>'
        f"<div>{html.escape(_SUMMARY_LABELS[key][i])}</div></div>"
        for key, fmt in _KPIS.items()
        if key in vals
    ]
    shown = [
        f"{v:.0f}"
        if f == "year"
        else (f"{v:.1f}" if f.endswith("_pct") else f"{v:,.0f}")
        for f, v in vals.items()
    ]
    labels = [_SUMMARY_LABELS.get(f, (f, f))[i] for f in vals]
    out = [f'<div class="kpis">{"".join(kpis)}</div>']
    out.append(
        _table_html(
            pd.DataFrame({"figure": labels, "amount": shown}),
            table_id="tab-summary",
            caption=_t("summary_caption", lang),
            lang=lang,
        )
    )
    out += [] if c.heading.has_register else [_p(_t("no_register", lang))]
    for by in ("natural_region", "size_class", "department", "sector", "unit"):
        name = f"coverage_{by}"
        if name not in T:
            continue
        out += [fig[name]] if name in fig else []
        out.append(
            _table_html(
                T[name],
                table_id=f"tab-{name.replace('_', '-')}",
                caption=_t("coverage_caption", lang, by=_t(f"by_{by}", lang)),
                lang=lang,
                columns=["label", "n_firms", "share_pct", "share_known_pct"],
            )
        )
    if "targeting" in T:
        tg = T["targeting"]
        out.append(
            _table_html(
                tg[tg["group"] != "reason"],
                table_id="tab-targeting",
                caption=_t("targeting_caption", lang),
                lang=lang,
                columns=["reason", "n_firms", "share_pct"],
            )
        )
    return out


def _products(c: ReportContent, fig: Mapping[str, str]) -> list[str]:
    lang = c.lang
    out = [f"<h3>{html.escape(_t('overview', lang))}</h3>"]
    out += [fig[n] for n in ("physical_progress", "budget", "indicators") if n in fig]
    for p in c.products:
        n = int(p.number)
        out.append(f"<h3>{html.escape(p.number)}. {html.escape(p.name)}</h3>")
        out.append(
            _table_html(
                p.annex,
                table_id=f"tab-product-{n}",
                caption=_t("product_caption", lang, n=n),
                lang=lang,
                columns=[
                    "label",
                    "name",
                    "responsible",
                    "unit",
                    "target",
                    "achieved",
                    "physical_progress_pct",
                    "pim",
                    "devengado",
                    "execution_pct",
                ],
                row_class="level",
            )
        )
        if not len(p.indicators):
            out.append(_p(_t("no_indicators", lang)))
            continue
        out.append(
            _table_html(
                p.indicators,
                table_id=f"tab-indicators-{n}",
                labels={
                    "target": "Meta anual" if lang == "es" else "Annual target",
                    "name": column_label("indicator", lang),
                },
                caption=_t("indicators_caption", lang, n=n),
                lang=lang,
                columns=["id", "name", "unit", "target", "value", "progress_pct"],
            )
        )
    return out


def _findings(c: ReportContent) -> list[str]:
    lang, ft = c.lang, c.tables["findings"]
    if not len(ft):
        out = [_p(_t("findings_none", lang))]
    else:
        table = _table_html(
            ft, table_id="tab-findings", caption=_t("sec_findings", lang), lang=lang
        )
        out = [_p(_t("findings_intro", lang)), table]
    if c.notes:
        out.append(f"<h3>{html.escape(_t('notes_caption', lang))}</h3>")
        items = "".join(f"<li>{html.escape(n)}</li>" for n in c.notes)
        out.append(f"<ul>{items}</ul>")
    return out


def _annex(c: ReportContent) -> list[str]:
    table = _table_html(
        c.tables["annex"],
        table_id="tab-annex",
        caption=_t("annex_caption", c.lang),
        lang=c.lang,
        columns=[
            "label",
            "code",
            "name",
            "responsible",
            "unit",
            "target",
            "achieved",
            "physical_progress_pct",
            "pia",
            "pim",
            "devengado",
            "execution_pct",
            "status",
        ],
        row_class="level",
    )
    return [table]


def _sections(c: ReportContent) -> list[dict[str, Any]]:
    from markupsafe import Markup

    fig = {k: _figure_html(k, v, c.lang) for k, v in c.figures.items()}
    methods = "".join(f"<li>{html.escape(m)}</li>" for m in c.methods_note)
    sections = [
        ("productividad", "sec_productivity", _productivity(c, fig)),
        ("poblacion", "sec_population", _population(c, fig)),
        ("productos", "sec_products", _products(c, fig)),
        ("hallazgos", "sec_findings", _findings(c)),
        ("anexo", "sec_annex", _annex(c)),
        ("metodos", "sec_methods", [f"<ul>{methods}</ul>"]),
    ]
    return [
        {"id": sid, "title": _t(key, c.lang), "blocks": [Markup(b) for b in blocks]}
        for sid, key, blocks in sections
    ]


def render_html(content: ReportContent) -> str:
    """Render the self-contained HTML report (charts embedded as base64 PNG)."""
    import jinja2

    from tfp._version import __version__

    lang = content.lang
    h = content.heading
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("tfp.report") / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    template = env.get_template("report.html.j2")
    return template.render(
        lang=lang,
        version=__version__,
        title=_t("title", lang, programme=h.programme, name=h.name, year=h.year),
        subtitle=_t("subtitle", lang, final=h.final_result, specific=h.specific_result),
        banner=_t("banner_sim", lang) if content.simulated else "",
        t={"contents": _t("contents", lang)},
        sections=_sections(content),
        footer=_t("footer", lang, version=__version__, source=h.source),
    )


def _sheet_name(name: str, used: set[str]) -> str:
    base = name[:31]
    out, i = base, 2
    while out in used:
        suffix = f"_{i}"
        out = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(out)
    return out


def _json_safe(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if math.isfinite(v) else None
    if isinstance(x, (np.bool_,)):
        return bool(x)
    return x


def write_report(
    content: ReportContent, directory: Path, *, formats: Sequence[str]
) -> dict[str, Path]:
    """Write the report files into ``directory`` (which must exist); return their paths."""
    from tfp._version import __version__

    paths: dict[str, Path] = {}
    tables = content.tables
    if "csv" in formats:
        d = directory / CSV_DIR
        d.mkdir()
        for name, df in tables.items():
            df.to_csv(d / f"{name}.csv", index=False, encoding="utf-8")
        paths["csv"] = d
    if "json" in formats:
        h = content.heading
        doc = {
            "programme": h.programme,
            "programme_name": h.name,
            "year": int(h.year),
            "lang": content.lang,
            "method": content.method,
            "simulated_panel": content.simulated,
            "generated_by": f"tfp {__version__}",
            "indicators": [dict(i) for i in content.indicators],
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "where": f.where,
                    "message": f.message,
                }
                for f in content.findings
            ],
        }
        p = directory / JSON_NAME
        p.write_text(
            json.dumps(_json_safe(doc), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        paths["json"] = p
    if "xlsx" in formats:
        p = directory / XLSX_NAME
        used: set[str] = set()
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            ind = pd.DataFrame(
                [
                    dict(i, row=json.dumps(_json_safe(i["row"]), ensure_ascii=False))
                    for i in content.indicators
                ]
            )
            ind.to_excel(xw, sheet_name=_sheet_name("indicators", used), index=False)
            for name, df in tables.items():
                disp = df.rename(
                    columns=lambda col: column_label(str(col), content.lang)
                )
                disp = disp.loc[:, ~disp.columns.duplicated()]
                disp.to_excel(xw, sheet_name=_sheet_name(name, used), index=False)
        paths["xlsx"] = p
    if "html" in formats:
        p = directory / HTML_NAME
        p.write_text(render_html(content), encoding="utf-8")
        paths["html"] = p
    return paths
