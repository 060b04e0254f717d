"""The report as a document: sections of formatted blocks, written once for every format.

:func:`build_document` turns the content the application computed
(:class:`tfp.report.build.ReportContent`) into a :class:`Document`: sections of paragraphs,
notes, tables whose cells are already text (numbers formatted as the reader sees them),
charts with their alt text and key figures. The HTML (:mod:`tfp.report.html`) and PDF
(:mod:`tfp.report.pdf`) writers only lay it out, so both say the same thing in the same
words. Every text comes from the label catalogue (:mod:`tfp._labels`) in the report's
language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from tfp._labels import label

if TYPE_CHECKING:
    from tfp.report.build import ReportContent

__all__ = [
    "Cell",
    "Document",
    "Figure",
    "Heading",
    "Items",
    "KeyFigures",
    "Paragraph",
    "Section",
    "Table",
    "build_document",
    "fmt_number",
]


# --------------------------------------------------------------------------------------
# blocks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: its text and whether it is a number (aligned right)."""

    text: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a numbered caption; ``kinds`` marks product and total rows (bold)."""

    id: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    kinds: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()  # relative column widths (PDF)
    small: bool = False  # a smaller font (wide tables)


@dataclass(frozen=True)
class Figure:
    """A chart: PNG bytes, its numbered caption and its alt text (what it shows, in words)."""

    id: str
    png: bytes
    caption: str
    alt: str


@dataclass(frozen=True)
class Paragraph:
    """Text; ``kind`` is ``""`` (plain), ``"note"`` (a remark) or ``"alert"`` (a warning)."""

    text: str
    kind: str = ""


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section."""

    text: str
    id: str = ""


@dataclass(frozen=True)
class Items:
    """A bulleted list; each item may carry a status (``ok``/``warn``/``fail``) and its text."""

    items: tuple[str, ...]
    status: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class KeyFigures:
    """Key figures shown as tiles: (value, what it is)."""

    items: tuple[tuple[str, str], ...]


Block = Paragraph | Heading | Table | Figure | Items | KeyFigures


@dataclass(frozen=True)
class Section:
    """A numbered section of the report."""

    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """The whole report in one language."""

    lang: str
    title: str
    subtitle: str
    banner: str
    sections: tuple[Section, ...]
    footer: str
    running_title: str
    version: str
    texts: Mapping[str, str] = field(default_factory=dict)
    highlights: KeyFigures = KeyFigures(())


# --------------------------------------------------------------------------------------
# number formats (one place; the Excel writer uses the same kinds)
# --------------------------------------------------------------------------------------


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return bool(math.isnan(float(v)))
    except (TypeError, ValueError):
        return False


def fmt_number(v: Any, kind: str) -> str:
    """Format one number as the reader sees it.

    ``kind``: ``int`` (thousands separators), ``money`` (the same), ``share`` (3 decimals), ``dec2`` (2),
    ``index``, ``pct`` and ``dec1`` (1 decimal), ``year``. Missing values are empty.
    """
    if _missing(v):
        return ""
    x = float(v)
    if not math.isfinite(x):
        return ""
    if kind == "year":
        return f"{int(x)}"
    if kind in ("int", "money"):
        return f"{x:,.0f}"
    if kind == "share":
        return f"{x:.3f}".replace("-", "−")
    if kind == "dec2":
        return f"{x:,.2f}".replace("-", "−")
    return f"{x:,.1f}".replace("-", "−")


def _interval(lo: Any, hi: Any, kind: str) -> str:
    if _missing(lo) or _missing(hi):
        return ""
    return f"{fmt_number(lo, kind)} – {fmt_number(hi, kind)}"


# --------------------------------------------------------------------------------------
# tables from DataFrames
# --------------------------------------------------------------------------------------

#: A column of a displayed table: header, cell of a row, numeric, relative width.
Column = tuple[str, Callable[[Mapping[str, Any]], str], bool, float]


def _num(col: str, kind: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda r: fmt_number(r.get(col), kind)


def _txt(col: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda r: "" if _missing(r.get(col)) else str(r.get(col))


def _ci(lo: str, hi: str, kind: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda r: _interval(r.get(lo), r.get(hi), kind)


class _Builder:
    """Numbers tables and charts in order and keeps the language at hand."""

    def __init__(self, content: ReportContent) -> None:
        self.c = content
        self.lang = content.lang
        self.n_tables = 0
        self.n_figures = 0

    def t(self, key: str, **kw: Any) -> str:
        return label(key, self.lang, domain="text", **kw)

    def col(self, key: str) -> str:
        return label(key, self.lang)

    def table(
        self,
        df: pd.DataFrame,
        columns: Sequence[Column],
        *,
        id: str,
        caption: str,
        kinds: str | None = None,
        small: bool = False,
    ) -> Table:
        self.n_tables += 1
        records: list[dict[str, Any]] = [
            {str(k): v for k, v in r.items()} for r in df.to_dict("records")
        ]
        rows = tuple(
            tuple(Cell(fn(r), numeric) for _, fn, numeric, _ in columns)
            for r in records
        )
        kind = tuple(str(r.get(kinds, "")) for r in records) if kinds else ()
        return Table(
            id=id,
            caption=f"{self.t('table')} {self.n_tables}. {caption}",
            header=tuple(h for h, *_ in columns),
            rows=rows,
            kinds=kind,
            widths=tuple(w for *_, w in columns),
            small=small,
        )

    def figure(self, name: str, alt: str) -> list[Block]:
        png = self.c.figures.get(name)
        if png is None:
            return []
        self.n_figures += 1
        title = label(name, self.lang, domain="chart")
        caption = f"{self.t('figure')} {self.n_figures}. {title}"
        return [
            Figure(id=f"fig-{name}", png=png, caption=caption, alt=f"{title}. {alt}")
        ]


# --------------------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------------------


def _method_name(method: str, lang: str) -> str:
    return label(method, lang, domain="method")


def _short(method: str) -> str:
    return {
        "acf": "ACF",
        "lp": "LP",
        "op": "OP",
        "wrdg": "Wooldridge",
        "gnr": "GNR",
    }.get(method, method.upper())


def _series(pairs: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"{a}: {b}" for a, b in pairs if b)


def _productivity(b: _Builder) -> list[Block]:
    c, lang, T = b.c, b.lang, b.c.tables
    out: list[Block] = []
    if c.implausible:
        out.append(Paragraph(b.t("implausible"), "alert"))
    out.append(Paragraph(b.t("prod_intro", method=_method_name(c.method, lang))))
    if c.disagreement and c.check_method:
        out.append(
            Paragraph(
                b.t(
                    "disagreement",
                    method=_short(c.method),
                    check=_short(c.check_method),
                    inputs=", ".join(c.disagreement),
                ),
                "alert",
            )
        )
    elif c.check_method:
        out.append(
            Paragraph(
                b.t("agreement", method=_short(c.method), check=_short(c.check_method)),
                "note",
            )
        )
    shares = T["factor_shares"]
    m, k = _short(c.method), _short(c.check_method or "")
    cols: list[Column] = [
        (
            b.col("term"),
            lambda r: label(str(r["input"]), lang, domain="input"),
            False,
            2.2,
        ),
        (b.t("col_estimate", method=m), _num("estimate", "share"), True, 1.0),
        (b.col("std_error"), _num("std_error", "share"), True, 1.0),
        (b.t("col_ci"), _ci("conf_low", "conf_high", "share"), True, 1.5),
    ]
    if c.check_method:
        cols += [
            (b.t("col_check", method=k), _num("check_estimate", "share"), True, 1.0),
            (b.t("col_check_ci", method=k), _ci("check_conf_low", "check_conf_high", "share"), True, 1.5),
        ]  # fmt: skip
    if shares["truth"].notna().any():
        cols.append((b.col("truth"), _num("truth", "share"), True, 1.1))
    cols.append((b.col("published"), _num("published", "share"), True, 1.0))
    out.append(
        b.table(shares, cols, id="tab-factor-shares", caption=b.t("shares_caption"))
    )
    out.append(Paragraph(b.t("shares_note"), "note"))

    size = T["tfp_by_size"]
    name = f"label_{lang}"
    alt = _series(
        [
            (str(r[name]), b.t("alt_pair", ours=fmt_number(r["index"], "index"), pub=fmt_number(r["published"], "index")))
            for r in size.to_dict("records")
        ]
    )  # fmt: skip
    out += b.figure("tfp_by_size", b.t("alt_size", values=alt))
    cols = [
        (b.t("col_size"), _txt(name), False, 1.6),
        (b.t("col_distinct_firms"), _num("n_firms", "int"), True, 1.2),
        (b.t("col_firm_years"), _num("n_obs", "int"), True, 1.3),
        (b.col("index"), _num("index", "index"), True, 1.1),
        (b.t("col_ci"), _ci("conf_low", "conf_high", "index"), True, 1.3),
        (b.col("published"), _num("published", "index"), True, 1.1),
    ]
    out.append(b.table(size, cols, id="tab-tfp-by-size", caption=b.t("size_caption")))
    out.append(Paragraph(b.t("size_note"), "note"))

    mip = T["mipyme_tfp"]
    alt = _series(
        [(fmt_number(r["year"], "year"), fmt_number(r["growth_pct"], "pct")) for r in mip.to_dict("records")]
    )  # fmt: skip
    out += b.figure("mipyme_growth", b.t("alt_growth", values=alt))
    cols = [
        (b.col("year"), _num("year", "year"), True, 0.8),
        (b.t("col_firms_sample"), _num("n_firms", "int"), True, 1.1),
        (b.col("value_tfp"), _num("value", "dec1"), True, 1.0),
        (b.col("growth_pct"), _num("growth_pct", "pct"), True, 1.1),
        (b.t("col_ci_growth"), _ci("growth_conf_low_pct", "growth_conf_high_pct", "pct"), True, 1.5),
        (b.col("published"), _num("published", "dec2"), True, 1.0),
        (b.col("published_growth_pct"), _num("published_growth_pct", "pct"), True, 1.1),
    ]  # fmt: skip
    out.append(b.table(mip, cols, id="tab-mipyme-tfp", caption=b.t("mipyme_caption")))
    out.append(Paragraph(b.t("mipyme_note"), "note"))

    lab = T["mype_labour"]
    alt = _series(
        [(fmt_number(r["year"], "year"), fmt_number(r["value"], "dec1")) for r in lab.to_dict("records")]
    )  # fmt: skip
    out += b.figure("mype_labour", b.t("alt_labour", values=alt))
    base = lab.attrs.get("base_year") or ""
    cols = [
        (b.col("year"), _num("year", "year"), True, 0.8),
        (b.t("col_firms_sample"), _num("n_firms", "int"), True, 1.1),
        (b.t("col_firms_represented"), _num("firms_represented", "int"), True, 1.3),
        (b.t("col_workers_represented"), _num("workers", "int"), True, 1.4),
        (b.t("col_labour_value", base=base), _num("value", "dec1"), True, 1.4),
        (b.col("growth_pct"), _num("growth_pct", "pct"), True, 1.0),
        (b.col("published"), _num("published", "dec1"), True, 1.0),
        (b.col("published_growth_pct"), _num("published_growth_pct", "pct"), True, 1.0),
    ]
    caption = b.t("labour_caption", base=base)
    out.append(b.table(lab, cols, id="tab-mype-labour", caption=caption))
    out.append(Paragraph(b.t("labour_note"), "note"))
    return out


_KPIS = {"firms_served": "int", "targeted_pct": "pct", "devengado": "money"}
_KPIS |= {"execution_pct": "pct"}


def _figure_value(key: str, v: Any) -> str:
    if key == "year":
        return fmt_number(v, "year")
    if key.endswith("_pct"):
        return f"{fmt_number(v, 'pct')} %"
    if key in ("pia", "pim", "devengado"):
        return f"S/ {fmt_number(v, 'money')}"
    return fmt_number(v, "int")


def _population(b: _Builder) -> list[Block]:
    c, lang, T = b.c, b.lang, b.c.tables
    summary = T["summary"]
    vals = dict(zip(summary["figure"], summary["value"], strict=True))
    tiles = tuple(
        (_figure_value(k, vals[k]), label(k, lang, domain="figure"))
        for k in _KPIS
        if k in vals
    )
    out: list[Block] = [KeyFigures(tiles)]
    frame = pd.DataFrame(
        {"figure": [label(f, lang, domain="figure") for f in vals],
         "value": [_figure_value(f, v) for f, v in vals.items()]}
    )  # fmt: skip
    cols: list[Column] = [
        (b.col("figure"), _txt("figure"), False, 3.0),
        (b.col("amount"), _txt("value"), True, 1.5),
    ]
    out.append(b.table(frame, cols, id="tab-summary", caption=b.t("summary_caption")))
    if not c.heading.has_register:
        out.append(Paragraph(b.t("no_register")))
    for by in ("natural_region", "size_class", "department", "sector", "unit"):
        name = f"coverage_{by}"
        if name not in T:
            continue
        tab = T[name]
        alt = _series(
            [(str(r["label"]), fmt_number(r["n_firms"], "int")) for r in tab.to_dict("records")]
        )  # fmt: skip
        out += b.figure(name, b.t("alt_coverage", values=alt))
        cols = [
            (b.col("label"), _txt("label"), False, 2.4),
            (b.t("col_firms_served"), _num("n_firms", "int"), True, 1.2),
            (b.col("share_pct"), _num("share_pct", "pct"), True, 1.0),
            (b.col("share_known_pct"), _num("share_known_pct", "pct"), True, 1.2),
        ]
        caption = b.t("coverage_caption", by=b.t(f"by_{by}"))
        out.append(
            b.table(tab, cols, id=f"tab-{name.replace('_', '-')}", caption=caption)
        )
    if "targeting" in T:
        tg = T["targeting"]
        tg = tg[tg["group"] != "reason"]
        cols = [
            (b.t("col_criterion"), _txt("reason"), False, 2.6),
            (b.t("col_firms_served"), _num("n_firms", "int"), True, 1.2),
            (b.col("share_pct"), _num("share_pct", "pct"), True, 1.0),
        ]
        out.append(
            b.table(tg, cols, id="tab-targeting", caption=b.t("targeting_caption"))
        )
        out.append(Paragraph(b.t("targeting_note"), "note"))
    return out


def _row_name(r: Mapping[str, Any]) -> str:
    name = "" if _missing(r.get("name")) else str(r["name"])
    return f"{r['label']}: {name}" if name else str(r["label"])


def _products(b: _Builder) -> list[Block]:
    c, T = b.c, b.c.tables
    out: list[Block] = [Heading(b.t("overview"))]
    phys = T["physical_progress"]
    acts = phys[phys["level"] == "activity"]
    alt = _series(
        [(f"{b.t('activity_short')} {r['number']}", fmt_number(r["physical_progress_pct"], "pct") or b.col("no_target"))
         for r in acts.to_dict("records")]
    )  # fmt: skip
    out += b.figure("physical_progress", b.t("alt_progress", values=alt))
    bud = T["budget_execution"]
    prods = bud[bud["level"] == "product"]
    alt = _series(
        [(f"{b.col('product')} {r['number']}", b.t("alt_budget_pair", pim=fmt_number(r["pim"] / 1e6, "dec1"), dev=fmt_number(r["devengado"] / 1e6, "dec1")))
         for r in prods.to_dict("records")]
    )  # fmt: skip
    out += b.figure("budget", b.t("alt_budget", values=alt))
    ind = T["indicator_progress"]
    alt = _series(
        [(str(r["id"]), b.t("alt_indicator_pair", value=fmt_number(r["value"], "dec1"), target=fmt_number(r["target"], "dec1")))
         for r in ind.to_dict("records")]
    )  # fmt: skip
    out += b.figure("indicators", b.t("alt_indicators", values=alt))
    for p in c.products:
        n = int(p.number)
        out.append(
            Heading(f"{b.col('product')} {p.number}. {p.name}", id=f"producto-{n}")
        )
        cols: list[Column] = [
            (b.col("name"), _row_name, False, 4.2),
            (b.col("responsible"), _txt("responsible"), False, 1.3),
            (b.col("unit"), _txt("unit"), False, 1.1),
            (b.t("col_target"), _num("target", "int"), True, 0.9),
            (b.col("achieved"), _num("achieved", "int"), True, 0.9),
            (b.t("col_progress"), _num("physical_progress_pct", "pct"), True, 0.9),
            (b.col("pim"), _num("pim", "money"), True, 1.2),
            (b.t("col_devengado"), _num("devengado", "money"), True, 1.2),
            (b.t("col_execution"), _num("execution_pct", "pct"), True, 0.9),
        ]
        caption = b.t("product_caption", n=n)
        out.append(
            b.table(
                p.annex,
                cols,
                id=f"tab-product-{n}",
                caption=caption,
                kinds="level",
                small=True,
            )
        )
        if not len(p.indicators):
            out.append(Paragraph(b.t("no_indicators"), "note"))
            continue
        cols = [
            (b.col("id"), _txt("id"), False, 0.8),
            (b.col("indicator"), _txt("name"), False, 4.0),
            (b.col("unit"), _txt("unit"), False, 0.7),
            (b.col("annual_target"), _num("target", "dec1"), True, 0.9),
            (b.col("value"), _num("value", "dec1"), True, 0.9),
            (b.col("progress_pct"), _num("progress_pct", "pct"), True, 0.9),
        ]
        caption = b.t("indicators_caption", n=n)
        out.append(
            b.table(p.indicators, cols, id=f"tab-indicators-{n}", caption=caption)
        )
    return out


def _findings(b: _Builder) -> list[Block]:
    c, lang = b.c, b.lang
    ft = c.tables["findings"]
    out: list[Block] = []
    if not len(ft):
        out.append(Paragraph(b.t("findings_none")))
    else:
        out.append(Paragraph(b.t("findings_intro")))
        cols: list[Column] = [
            (b.col("finding"), _txt("message"), False, 5.0),
            (b.col("severity"), lambda r: label(str(r["severity"]), lang, domain="severity"), False, 0.8),
        ]  # fmt: skip
        out.append(
            b.table(ft, cols, id="tab-findings", caption=b.t("findings_caption"))
        )
    if c.notes:
        out.append(Heading(b.t("notes_caption")))
        out.append(Items(tuple(c.notes)))
    return out


def _annex(b: _Builder) -> list[Block]:
    annex = b.c.tables["annex"]
    out: list[Block] = [Paragraph(b.t("annex_intro"))]
    cols: list[Column] = [
        (b.col("name"), _row_name, False, 4.6),
        (b.col("code"), _txt("code"), False, 1.0),
        (b.col("responsible"), _txt("responsible"), False, 1.3),
        (b.col("unit"), _txt("unit"), False, 1.0),
        (b.t("col_target"), _num("target", "int"), True, 0.9),
        (b.col("achieved"), _num("achieved", "int"), True, 0.9),
        (b.t("col_progress"), _num("physical_progress_pct", "pct"), True, 0.9),
        (b.col("status"), _txt("status"), False, 0.8),
    ]
    physical = annex[annex["level"] != "total"]
    out.append(
        b.table(physical, cols, id="tab-annex-physical", caption=b.t("annex_physical"), kinds="level", small=True)
    )  # fmt: skip
    cols = [
        (b.col("name"), lambda r: str(r["label"]), False, 1.6),
        (b.col("code"), _txt("code"), False, 1.0),
        (b.col("pia"), _num("pia", "money"), True, 1.2),
        (b.col("pim"), _num("pim", "money"), True, 1.2),
        (b.t("col_devengado"), _num("devengado", "money"), True, 1.2),
        (b.t("col_execution"), _num("execution_pct", "pct"), True, 0.9),
    ]
    out.append(
        b.table(
            annex,
            cols,
            id="tab-annex-budget",
            caption=b.t("annex_budget"),
            kinds="level",
        )
    )
    return out


def _methods(b: _Builder) -> list[Block]:
    c = b.c
    out: list[Block] = [Items(tuple(c.methods_note))]
    if c.diagnostics:
        out.append(Heading(label("diagnostics", b.lang, domain="methods")))
        out.append(
            Items(
                tuple(text for text, _, _ in c.diagnostics),
                tuple((status, shown) for _, status, shown in c.diagnostics),
            )
        )
    return out


#: Sections in the order of PRODUCE-OGEIEE's follow-up report: (id, title key, builder).
SECTIONS: tuple[tuple[str, str, Callable[[_Builder], list[Block]]], ...] = (
    ("productividad", "sec_productivity", _productivity),
    ("poblacion", "sec_population", _population),
    ("productos", "sec_products", _products),
    ("hallazgos", "sec_findings", _findings),
    ("anexo", "sec_annex", _annex),
    ("metodos", "sec_methods", _methods),
)


def _highlights(b: _Builder) -> KeyFigures:
    """The cover's key figures: micro firms' TFP, the MIPYME's change, firms served, spending."""
    T, out = b.c.tables, []
    size = T["tfp_by_size"].set_index("group")
    if "micro" in size.index:
        out.append((fmt_number(size.loc["micro", "index"], "index"), b.t("hl_micro")))
    growth = T["mipyme_tfp"].dropna(subset=["growth_pct"])
    if len(growth):
        last = growth.iloc[-1]
        year = fmt_number(last["year"], "year")
        out.append(
            (f"{fmt_number(last['growth_pct'], 'pct')} %", b.t("hl_growth", year=year))
        )
    vals = dict(zip(T["summary"]["figure"], T["summary"]["value"], strict=True))
    for key in ("firms_served", "execution_pct"):
        if key in vals:
            out.append(
                (_figure_value(key, vals[key]), label(key, b.lang, domain="figure"))
            )
    return KeyFigures(tuple(out))


def build_document(content: ReportContent) -> Document:
    """Lay out the report's content as a :class:`Document` in its language."""
    from tfp._version import __version__

    b = _Builder(content)
    h = content.heading
    sections = tuple(
        Section(sid, f"{i}. {b.t(key)}", tuple(fn(b)))
        for i, (sid, key, fn) in enumerate(SECTIONS, start=1)
    )
    words = [
        "contents",
        "page",
        "of",
        "generated",
        "simulated_tag",
        "figure",
        "table",
        "highlights",
    ]
    return Document(
        lang=content.lang,
        title=b.t("title", programme=h.programme, name=h.name, year=h.year),
        subtitle=b.t("subtitle", final=h.final_result, specific=h.specific_result),
        banner=b.t("banner_sim") if content.simulated else "",
        sections=sections,
        footer=b.t("footer", version=__version__, source=h.source.rstrip(". ")),
        running_title=b.t("running_title", programme=h.programme, year=h.year),
        version=__version__,
        texts={w: b.t(w) for w in words},
        highlights=_highlights(b),
    )
