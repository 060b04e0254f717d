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

from tfp._labels import label
from tfp._optional import require

__all__ = [
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

#: Columns of the annex table (each product's table leaves out code, PIA and status).
_ANNEX_COLUMNS = ["label", "code", "name", "responsible", "unit", "target", "achieved"]
_ANNEX_COLUMNS += ["physical_progress_pct", "pia", "pim", "devengado", "execution_pct"]
_ANNEX_COLUMNS += ["status"]
#: Key figures shown as tiles above the summary table, with their format.
_KPIS = {"firms_served": "{:,.0f}", "targeted_pct": "{:.1f} %"}
_KPIS |= {"devengado": "S/ {:,.0f}", "execution_pct": "{:.1f} %"}


def _t(key: str, lang: str, **kw: Any) -> str:
    return label(key, lang, domain="text", **kw)


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
        f'<th scope="col">{html.escape((labels or {}).get(c) or label(c, lang))}</th>'
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
    title = label(name, lang, domain="chart")
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
    value = {"value": label("value_tfp", lang)}
    out = [_p(_t("implausible", lang), "note")] if c.implausible else []
    method = label(c.method, lang, domain="method")
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
    summary = T["summary"]
    vals = dict(zip(summary["figure"], summary["value"], strict=True))
    kpis = [
        f'<div class="kpi"><div class="v">{html.escape(fmt.format(vals[key]))}</div>'
        f"<div>{html.escape(label(key, lang, domain='figure'))}</div></div>"
        for key, fmt in _KPIS.items()
        if key in vals
    ]
    shown = [
        f"{v:.0f}"
        if f == "year"
        else (f"{v:.1f}" if f.endswith("_pct") else f"{v:,.0f}")
        for f, v in vals.items()
    ]
    labels = [label(f, lang, domain="figure") for f in vals]
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
                    c for c in _ANNEX_COLUMNS if c not in ("code", "pia", "status")
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
                    "target": label("annual_target", lang),
                    "name": label("indicator", lang),
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
        columns=_ANNEX_COLUMNS,
        row_class="level",
    )
    return [table]


def _sections(c: ReportContent) -> list[dict[str, Any]]:
    Markup = require("markupsafe", "report", what="the HTML report").Markup

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
    jinja2 = require("jinja2", "report", what="the HTML report")

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
        require("openpyxl", "report", what="the Excel report")
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            ind = pd.DataFrame(
                [
                    dict(i, row=json.dumps(_json_safe(i["row"]), ensure_ascii=False))
                    for i in content.indicators
                ]
            )
            ind.to_excel(xw, sheet_name=_sheet_name("indicators", used), index=False)
            for name, df in tables.items():
                disp = df.rename(columns=lambda col: label(str(col), content.lang))
                disp = disp.loc[:, ~disp.columns.duplicated()]
                disp.to_excel(xw, sheet_name=_sheet_name(name, used), index=False)
        paths["xlsx"] = p
    if "html" in formats:
        p = directory / HTML_NAME
        p.write_text(render_html(content), encoding="utf-8")
        paths["html"] = p
    return paths
