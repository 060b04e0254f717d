"""The report in a real browser (headless Chromium from Debian) and its PDF, read back.

Chromium is the system's (``/usr/bin/chromium``), driven over the DevTools protocol
(:mod:`tests.report.chromium`). Without it the browser tests are skipped, except in CI
(``CI`` set), where a missing browser is a failure: ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.report.chromium import A4_WIDTH_PX, Chromium, find_chromium
from tfp._labels import label

HTML = "reporte_pp0093.html"
PDF = "reporte_pp0093.pdf"
#: The page's print margins (@page in the report's stylesheet): 15 mm left and right.
PRINT_MARGIN_MM = 15.0
#: Printable width of an A4 page in CSS pixels.
PRINT_WIDTH_PX = int(A4_WIDTH_PX - 2 * PRINT_MARGIN_MM / 25.4 * 96)
#: Sub-pixel rounding of layout boxes.
LAYOUT_SLACK_PX = 1.0
SECTIONS = ("sec_productivity", "sec_population", "sec_products", "sec_findings")
SECTIONS += ("sec_annex", "sec_methods")

BINARY = find_chromium()


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    if BINARY is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium is not installed; CI must run apt-get install chromium"
            )
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with Chromium(BINARY) as b:
        yield b


def test_the_page_loads_with_every_image_and_no_error(
    browser: Chromium, es_run: tuple[Path, str]
) -> None:
    browser.load(es_run[0] / HTML)
    state = browser.evaluate(
        """({lang: document.documentElement.lang,
             images: Array.from(document.images).map(i => ({
                 ok: i.complete && i.naturalWidth > 0, alt: i.alt.trim().length})),
             tables: Array.from(document.querySelectorAll('table')).map(t =>
                 t.caption ? t.caption.textContent.trim().length : 0),
             title: document.title})"""
    )
    assert state["lang"] == "es"
    assert len(state["images"]) >= 9
    assert all(i["ok"] for i in state["images"]), state["images"]
    assert all(
        i["alt"] > 40 for i in state["images"]
    )  # alt text says what the chart shows
    assert state["tables"] and all(
        n > 0 for n in state["tables"]
    )  # every table a caption
    assert "PP" not in state["title"] or "0093" in state["title"]
    assert browser.console_errors() == []


def _too_wide(browser: Chromium) -> list[str]:
    return browser.evaluate(
        f"""(() => {{
            const limit = document.documentElement.clientWidth + {LAYOUT_SLACK_PX};
            const out = [];
            for (const el of document.querySelectorAll('body *')) {{
                const r = el.getBoundingClientRect();
                if (r.width > 0 && (r.right > limit || r.left < -{LAYOUT_SLACK_PX})) {{
                    out.push(el.tagName + '#' + (el.id || '') + ' ' + Math.round(r.right));
                }}
                if (el.scrollWidth > el.clientWidth + {LAYOUT_SLACK_PX}
                    && getComputedStyle(el).overflowX !== 'visible') {{
                    out.push('clipped ' + el.tagName + '#' + (el.id || ''));
                }}
            }}
            return out;
        }})()"""
    )


def test_nothing_is_wider_than_an_a4_page_in_print(
    browser: Chromium, es_run: tuple[Path, str]
) -> None:
    browser.load(es_run[0] / HTML, width=PRINT_WIDTH_PX, height=1100)
    browser.media("print")
    try:
        width = browser.evaluate("document.documentElement.clientWidth")
        assert width == PRINT_WIDTH_PX
        assert _too_wide(browser) == []
        assert browser.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    finally:
        browser.media("")  # no emulation: printing uses print media again


def test_printing_from_the_browser_starts_each_section_on_a_page(
    browser: Chromium, es_run: tuple[Path, str], tmp_path: Path
) -> None:
    browser.load(es_run[0] / HTML)
    browser.print_pdf(tmp_path / "printed.pdf")
    pages = [p.extract_text() for p in PdfReader(tmp_path / "printed.pdf").pages]
    assert len(pages) >= 8
    for n, key in enumerate(SECTIONS, start=1):
        title = f"{n}. {label(key, 'es', domain='text')}"
        starts = [i for i, text in enumerate(pages) if _words(text).startswith(title)]
        assert starts, title


def _words(text: str) -> str:
    """Text with its whitespace collapsed (justified lines are extracted with gaps)."""
    return " ".join(text.split())


# --------------------------------------------------------------------------------------
# the PDF the report writes (fpdf2)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_pages(es_run: tuple[Path, str]) -> list[str]:
    reader = PdfReader(es_run[0] / PDF)
    assert reader.metadata is not None and reader.metadata.title.startswith("Reporte")
    return [_words(p.extract_text()) for p in reader.pages]


def test_pdf_has_cover_contents_sections_and_page_numbers(pdf_pages: list[str]) -> None:
    n = len(pdf_pages)
    assert n >= 10
    cover = pdf_pages[0]
    assert "Reporte de seguimiento del Programa" in cover
    assert label("contents", "es", domain="text") in cover
    assert "SIMULADO" in cover
    for i, text in enumerate(pdf_pages, start=1):
        assert f"Página {i} de {n}" in text
    body = "\n".join(pdf_pages[1:])
    for n, key in enumerate(SECTIONS, start=1):
        title = f"{n}. {label(key, 'es', domain='text')}"
        assert title in body, title
        assert title in cover  # listed in the contents
    for words in ("Cuadro 1.", "Gráfico 1.", "Capital físico", "Trabajo calificado"):
        assert words in body


def test_pdf_tables_keep_numbers_whole(pdf_pages: list[str]) -> None:
    # the budget columns of the annex: amounts are never broken across lines
    body = "\n".join(pdf_pages)
    for amount in ("34,443,915", "35,381,999", "44,853,245"):
        assert amount in body, amount
