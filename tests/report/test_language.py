"""The report speaks one language: no English in the Spanish report, no Spanish in the English.

Everything a reader sees is checked: the HTML page (text, alt text, title), the PDF, the
workbook (sheet names, headers, text cells) and the labels of ``indicators.json``. The word
lists below are maintained by hand: words of one language that are not words of the other
(``capital``, ``total`` and ``error`` are both). The English report keeps what the records
and the published report name in Spanish (the programme, its products, activities and
indicators, departments, citations in «quotes»): those are taken out before the check.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

import tfp
from tfp.program import load_pp0093_2020

#: English words that are not Spanish words.
ENGLISH = frozenset(
    """the and of with for from firm firms estimate estimated estimates printed records
    warning labour growth published rows sample check options default defaults physical
    budget achieved target targets share shares value values mismatch line source data
    simulated report page table chart which this that are is not by on to size large small
    medium workers worker year years progress activity product products indicator
    indicators findings finding methods note skilled unskilled index elasticity returns
    scale served firm-years spending accrued weighted unweighted intervals interval
    observations distinct represented contents generated key figures figure change annual
    left out because level over below above missing""".split()  # noqa: SIM905
)
#: Spanish words that are not English words.
SPANISH = frozenset(
    """de del la las los el y en con por para según empresas empresa cuadro gráfico año
    años producto productos actividad actividades meta metas avance página tamaño trabajo
    datos registros publicado publicada hallazgo hallazgos variación índice estimador
    elasticidad rendimientos focalizadas atendidas sin información nota fuente valor cifra
    cifras ejecución presupuestal físico calificado trabajadores muestra representadas
    distintas observaciones contenido generado grande pequeña mediana""".split()  # noqa: SIM905
)
#: Names and codes that are the same in both reports (kept out of the word check).
SHARED = frozenset("tfp PTF MIPYME MYPE PRODUCE OGEIEE ENE UIT PIA PIM IC".split())  # noqa: SIM905
#: Tokens of code that must never reach a reader: snake_case names and factor codes.
CODE = re.compile(r"\b(?:[a-z]+_[a-z_]+|ls|lu|rts|lp_estimate|nan|None|NaN)\b")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)

FILES = {
    "es": ("reporte_pp0093.html", "reporte_pp0093.pdf", "reporte_pp0093.xlsx", "indicadores.json"),
    "en": ("report_pp0093.html", "report_pp0093.pdf", "report_pp0093.xlsx", "indicators.json"),
}  # fmt: skip


class _Visible(HTMLParser):
    """Text a reader sees or hears: text nodes (not style), alt text and the title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for key, value in attrs:
            if key in ("alt", "aria-label", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_text(path: Path) -> str:
    p = _Visible()
    p.feed(path.read_text(encoding="utf-8"))
    return " ".join(p.parts)


def _pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    # a line may break after a slash (a zero-width space there): join it back
    return re.sub(r"/\s+", "/", text.replace("\u200b", ""))


def _xlsx_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    parts = list(wb.sheetnames)
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        parts += header
        keep = [i for i, h in enumerate(header) if h not in ("Código", "Code")]  # ids
        for row in rows[1:]:
            parts += [str(row[i]) for i in keep if isinstance(row[i], str)]
    wb.close()
    return " ".join(parts)


def _json_text(path: Path) -> str:
    doc = json.loads(path.read_text(encoding="utf-8"))
    parts = [i[k] for i in doc["indicators"] for k in ("name", "unit", "source")]
    parts += [f["message"] for f in doc["findings"]] + doc["notes"]
    return " ".join(parts)


def _record_names() -> list[str]:
    """What the records and the published report name in Spanish, longest first."""
    r = load_pp0093_2020()
    fw = r.framework
    names = [fw.name, fw.final_result, fw.specific_result, r.source.rstrip(". ")]
    for t in (r.products, r.activities, r.indicators):
        names += [str(v) for v in t["name"]]
    names += [str(v) for v in r.products["responsible"]]
    names += [
        str(v) for v in tfp.peru.department_name(pd.Series(list(tfp.peru.DEPARTMENTS)))
    ]
    return sorted(set(names), key=len, reverse=True)


def _words(text: str, lang: str) -> set[str]:
    text = " ".join(text.split())  # lines of the PDF break names anywhere
    if lang == "en":
        for name in _record_names():
            text = text.replace(" ".join(name.split()), " ")
        text = re.sub(r"«[^»]*»", " ", text)  # citations of Spanish titles
    return {w for w in WORD.findall(text) if w not in SHARED}


@pytest.fixture(scope="module")
def texts(
    es_run: tuple[Path, str], en_run: tuple[Path, str]
) -> dict[tuple[str, str], str]:
    out = {}
    for lang, (run_dir, _) in (("es", es_run), ("en", en_run)):
        html, pdf, xlsx, jsn = (run_dir / name for name in FILES[lang])
        out[(lang, "html")] = _html_text(html)
        out[(lang, "pdf")] = _pdf_text(pdf)
        out[(lang, "xlsx")] = _xlsx_text(xlsx)
        out[(lang, "json")] = _json_text(jsn)
    return out


@pytest.mark.parametrize("part", ["html", "pdf", "xlsx", "json"])
def test_spanish_report_has_no_english(
    texts: dict[tuple[str, str], str], part: str
) -> None:
    text = texts[("es", part)]
    found = {w for w in _words(text, "es") if w.lower() in ENGLISH}
    assert found == set(), sorted(found)
    assert CODE.findall(text) == []


@pytest.mark.parametrize("part", ["html", "pdf", "xlsx", "json"])
def test_english_report_has_no_spanish(
    texts: dict[tuple[str, str], str], part: str
) -> None:
    text = texts[("en", part)]
    found = {w for w in _words(text, "en") if w.lower() in SPANISH}
    assert found == set(), sorted(found)
    assert CODE.findall(text) == []


def test_the_word_lists_catch_what_they_must() -> None:
    # both directions: a sentence of each language is caught by the other's list
    english = "Firms served by size (firms with sales data)"
    spanish = "Empresas atendidas por tamaño (empresas con información de ventas)"
    assert {w.lower() for w in _words(english, "es")} & ENGLISH
    assert {w.lower() for w in _words(spanish, "en")} & SPANISH
    assert not ({w.lower() for w in _words(spanish, "es")} & ENGLISH)
    assert CODE.findall("achieved printed as 27,758; published_mismatch; ls")
