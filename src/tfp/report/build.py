"""Write the PP 0093 report: HTML page, PDF, Excel workbook, CSVs and JSON.

The report follows the sections of PRODUCE-OGEIEE's follow-up report (productivity of the
MIPYME, population served, each product with its physical progress, budget execution and
indicators, findings, annex, methods). It only formats the content the application computed
(:class:`ReportContent`, built by :func:`tfp.app.run`): :func:`tfp.report.document.build_document`
lays it out once, and the writers (:mod:`tfp.report.html`, :mod:`tfp.report.pdf`,
:mod:`tfp.report.excel`) put it on the page. File names follow the report's language
(:data:`FILE_NAMES`); CSV files keep machine names, like their columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tfp._json import json_safe
from tfp._labels import labels
from tfp._literals import LANGS
from tfp.report.document import build_document

__all__ = [
    "FILE_NAMES",
    "Heading",
    "ProductSection",
    "ReportContent",
    "render_html",
    "write_report",
]

#: File names inside the output directory, by language (the label catalogue's ``file``
#: domain; the CSV directory keeps one name).
FILE_NAMES: Mapping[str, Mapping[str, str]] = {
    lang: labels("file", lang) for lang in LANGS
}


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
    """Everything the writers need, computed by the application (:func:`tfp.app.run`).

    Texts (``notes``, ``methods_note``, ``disagreement``: the inputs' names,
    ``diagnostics``: ``(sentence, status, status text)``) are already in ``lang``.
    """

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
    check_method: str | None = None
    disagreement: tuple[str, ...] = ()
    diagnostics: tuple[tuple[str, str, str], ...] = ()


def render_html(content: ReportContent) -> str:
    """Render the self-contained HTML report (charts embedded as base64 PNG)."""
    from tfp.report.html import render_html as _render

    return _render(build_document(content))


def write_report(
    content: ReportContent, directory: Path, *, formats: Sequence[str]
) -> dict[str, Path]:
    """Write the report files into ``directory`` (which must exist); return their paths.

    ``formats``: any of ``html``, ``pdf``, ``xlsx``, ``csv``, ``json``. Names are those of
    :data:`FILE_NAMES` for the content's language.
    """
    from tfp._version import __version__

    names = FILE_NAMES[content.lang]
    paths: dict[str, Path] = {}
    tables = content.tables
    if "csv" in formats:
        d = directory / names["csv"]
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
            "check_method": content.check_method,
            "simulated_panel": content.simulated,
            "generated_by": f"tfp {__version__}",
            "indicators": [dict(i) for i in content.indicators],
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "where": f.where,
                    "message": f.sentence(content.lang),
                }
                for f in content.findings
            ],
            "notes": list(content.notes),
        }
        p = directory / names["json"]
        p.write_text(
            json.dumps(json_safe(doc), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        paths["json"] = p
    document = build_document(content) if {"html", "pdf"} & set(formats) else None
    if "xlsx" in formats:
        from tfp.report.excel import write_workbook

        p = directory / names["xlsx"]
        write_workbook(content, p)
        paths["xlsx"] = p
    if "html" in formats and document is not None:
        from tfp.report.html import render_html as _render

        p = directory / names["html"]
        p.write_text(_render(document), encoding="utf-8")
        paths["html"] = p
    if "pdf" in formats and document is not None:
        from tfp.report.pdf import write_pdf

        p = directory / names["pdf"]
        write_pdf(document, p)
        paths["pdf"] = p
    return paths
