"""The report as an A4 PDF, the form in which PRODUCE publishes it (fpdf2, pure Python).

It lays out a :class:`tfp.report.document.Document`: a cover with the title, the data note
and the contents (with page numbers), then each section on a new page, with a running head,
page numbers ("Página 3 de 24"), numbered tables that fit the page width (columns sized to
their numbers, text wrapped, header rows repeated on a new page), charts with captions, and
bookmarks. The font is DejaVu Sans, which matplotlib ships, so nothing outside the Python
packages is needed: no browser, no system library.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from tfp._optional import require
from tfp.report.document import (
    Block,
    Document,
    Figure,
    Heading,
    Items,
    KeyFigures,
    Paragraph,
    Table,
)

__all__ = ["write_pdf"]

_BLUE = (31, 95, 139)
_GOLD = (200, 160, 60)
_RED = (176, 58, 46)
_GREY = (102, 102, 102)
_HEAD_FILL = (232, 240, 246)
_ROW_FILL = (243, 246, 249)
_STATUS = {
    "ok": ((227, 241, 229), (29, 107, 44)),
    "warn": ((255, 243, 214), (122, 90, 0)),
}
_STATUS |= {"fail": ((251, 236, 235), (155, 44, 34))}
_FONT = "dejavu"
#: Chart width on the page (mm): the PNGs are 7 in wide, so about 1.4 x their print size.
_FIGURE_WIDTH = 165.0
#: Space (mm) a table caption needs below it before a page break is better.
_KEEP_WITH_CAPTION = 45.0
#: The smallest font (pt) a table may shrink to so that its numbers fit the page.
_SMALLEST_FONT = 6.0


def _breakable(text: str) -> str:
    """Text that may break after a slash ("DGPAR/DGAAMI"): a zero-width space follows it."""
    return text.replace("/", "/\u200b")


def _fonts() -> dict[str, Path]:
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {
        "": ttf / "DejaVuSans.ttf",
        "B": ttf / "DejaVuSans-Bold.ttf",
        "I": ttf / "DejaVuSans-Oblique.ttf",
        "BI": ttf / "DejaVuSans-BoldOblique.ttf",
    }


def _pdf_class() -> Any:
    from fpdf import FPDF

    class ReportPDF(FPDF):
        doc: Document

        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font(_FONT, "", 7.5)
            self.set_text_color(*_GREY)
            self.cell(self.epw / 2, 5, self.doc.running_title)
            if self.doc.banner:
                self.set_text_color(*_GOLD)
                self.cell(self.epw / 2, 5, self.doc.texts["simulated_tag"], align="R")
            self.ln(5.5)
            self.set_draw_color(200, 200, 200)
            self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
            self.ln(4)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(_FONT, "", 7.5)
            self.set_text_color(*_GREY)
            t = self.doc.texts
            text = f"{t['page']} {self.page_no()} {t['of']} {{nb}}"
            self.cell(0, 5, text, align="C")
            self.set_text_color(0, 0, 0)

    return ReportPDF


class _Writer:
    def __init__(self, doc: Document) -> None:
        from fpdf import FontFace

        self.FontFace = FontFace
        self.doc = doc
        pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
        pdf.doc = doc
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(True, margin=18)
        for style, path in _fonts().items():
            pdf.add_font(_FONT, style, str(path))
        pdf.set_title(doc.title)
        pdf.set_lang(doc.lang)
        pdf.set_creator(f"tfp {doc.version}")
        pdf.set_author("PRODUCE-OGEIEE / tfp")
        pdf.set_subject(doc.subtitle)
        self.pdf = pdf

    # -- primitives ----------------------------------------------------------------------

    def text(self, text: str, size: float = 9.5, style: str = "", color: Any = None, h: float = 4.8, align: str = "L") -> None:  # fmt: skip
        pdf = self.pdf
        pdf.set_font(_FONT, style, size)
        pdf.set_text_color(*(color or (0, 0, 0)))
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(0, h, text, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

    def boxed(self, text: str, fill: Any, bar: Any, size: float = 9.0) -> None:
        pdf = self.pdf
        pdf.set_font(_FONT, "", size)
        lines = pdf.multi_cell(pdf.epw - 6, 4.6, text, dry_run=True, output="LINES")
        height = 4.6 * len(lines) + 4
        self.room(height + 2)
        x, y = pdf.l_margin, pdf.y
        pdf.set_fill_color(*fill)
        pdf.rect(x, y, pdf.epw, height, style="F")
        pdf.set_fill_color(*bar)
        pdf.rect(x, y, 1.2, height, style="F")
        pdf.set_xy(x + 4, y + 2)
        pdf.multi_cell(pdf.epw - 6, 4.6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(y + height + 3)

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` mm are left on this one."""
        if self.pdf.y + height > self.pdf.page_break_trigger:
            self.pdf.add_page()

    # -- blocks --------------------------------------------------------------------------

    def paragraph(self, p: Paragraph) -> None:
        if p.kind == "alert":
            self.boxed(p.text, (251, 236, 235), _RED)
        elif p.kind == "note":
            self.text(p.text, size=8.5, style="I", color=(68, 68, 68), h=4.3, align="J")
            self.pdf.ln(2.5)
        else:
            self.text(p.text, align="J")
            self.pdf.ln(2.5)

    def heading(self, h: Heading) -> None:
        self.room(_KEEP_WITH_CAPTION + 16)  # the heading, and what follows it
        self.pdf.ln(2)
        self.pdf.start_section(h.text, level=1, strict=False)
        self.text(h.text, size=11, style="B", color=(51, 51, 51), h=5.5)
        self.pdf.ln(1.5)

    def figure(self, f: Figure) -> None:
        from PIL import Image

        pdf = self.pdf
        with Image.open(io.BytesIO(f.png)) as im:
            w_px, h_px = im.size
        width = min(_FIGURE_WIDTH, pdf.epw)
        height = width * h_px / w_px
        self.room(height + 10)
        x = pdf.l_margin + (pdf.epw - width) / 2
        pdf.image(io.BytesIO(f.png), x=x, w=width, alt_text=f.alt)
        pdf.ln(1)
        self.text(f.caption, size=8, color=(68, 68, 68), h=4)
        pdf.ln(4)

    def widths(self, t: Table, size: float) -> tuple[list[float], bool]:
        """Column widths (mm): numbers never wrap, text columns share what is left.

        The flag says whether every column gets what it needs (its widest number or word)
        at this font size.
        """
        pdf = self.pdf
        # product and total rows are bold, the widest face: measure every cell in it
        bold = "B" if {"product", "total"} & set(t.kinds) else ""
        pdf.set_font(_FONT, bold, size)
        pad = 3.4  # the cell's padding (2 x 1.1 mm), its borders and rounding
        n = len(t.header)
        need = []
        for j in range(n):
            cells = [r[j] for r in t.rows]
            if cells and all(c.numeric or not c.text for c in cells):
                w = max(pdf.get_string_width(c.text) for c in cells) + pad
            else:
                words = [w for c in cells for w in _breakable(c.text).split()] or [""]
                w = max(pdf.get_string_width(w) for w in words) + pad
            pdf.set_font(_FONT, "B", size)
            head = max(
                (pdf.get_string_width(w) for w in t.header[j].split()), default=0
            )
            pdf.set_font(_FONT, bold, size)
            need.append(max(w, head + pad))
        if sum(need) > pdf.epw:
            return [w * pdf.epw / sum(need) for w in need], False
        weights = list(t.widths) if len(t.widths) == n else [1.0] * n
        total = sum(weights)
        out = [max(need[j], pdf.epw * weights[j] / total) for j in range(n)]
        excess = sum(out) - pdf.epw
        if excess > 0:  # take it from the columns above their need, in proportion
            slack = [out[j] - need[j] for j in range(n)]
            room = sum(slack)
            if room > 0:
                out = [out[j] - excess * slack[j] / room for j in range(n)]
        return out, True

    def table(self, t: Table) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        size = 7.0 if t.small else 8.0
        widths, fits = self.widths(t, size)
        while not fits and size > _SMALLEST_FONT:
            size -= 0.5
            widths, fits = self.widths(t, size)
        self.room(_KEEP_WITH_CAPTION)
        self.text(t.caption, size=8.5, style="B", h=4.5)
        pdf.ln(1)
        pdf.set_font(_FONT, "", size)
        bold = FontFace(emphasis="BOLD", fill_color=_ROW_FILL)
        head = FontFace(emphasis="BOLD", fill_color=_HEAD_FILL, size_pt=size)
        pdf.set_draw_color(190, 190, 190)
        pdf.set_fill_color(255, 255, 255)
        total = min(sum(widths), pdf.epw)
        with pdf.table(
            col_widths=tuple(widths),
            width=total,
            align="LEFT",
            line_height=size * 0.5,
            padding=(0.8, 1.1, 0.8, 1.1),
            headings_style=head,
            repeat_headings=1,
            text_align="LEFT",
        ) as tab:
            row = tab.row()
            for h in t.header:
                row.cell(h, align="C")
            for i, cells in enumerate(t.rows):
                kind = t.kinds[i] if t.kinds else ""
                row = tab.row(style=bold if kind in ("product", "total") else None)
                for c in cells:
                    text = c.text if c.numeric else _breakable(c.text)
                    row.cell(text, align="R" if c.numeric else "L")
        pdf.ln(4)

    def items(self, it: Items) -> None:
        pdf = self.pdf
        for i, text in enumerate(it.items):
            pdf.set_font(_FONT, "", 9)
            self.room(10)
            if it.status:
                status, shown = it.status[i]
                fill, color = _STATUS.get(status, _STATUS["warn"])
                pdf.set_font(_FONT, "B", 7)
                pdf.set_fill_color(*fill)
                pdf.set_text_color(*color)
                pdf.cell(19, 4.6, shown, align="C", fill=True)
                pdf.set_text_color(0, 0, 0)
                pdf.set_x(pdf.l_margin + 21)
                pdf.set_font(_FONT, "", 9)
                pdf.multi_cell(
                    pdf.epw - 21, 4.6, text, align="L", new_x="LMARGIN", new_y="NEXT"
                )
            else:
                pdf.cell(4, 4.6, "•")
                pdf.multi_cell(
                    pdf.epw - 4, 4.6, text, align="J", new_x="LMARGIN", new_y="NEXT"
                )
            pdf.ln(1.2)
        pdf.ln(2)

    def key_figures(self, k: KeyFigures) -> None:
        pdf = self.pdf
        n = max(len(k.items), 1)
        gap = 3.0
        w = (pdf.epw - gap * (n - 1)) / n
        self.room(22)
        y = pdf.y
        for i, (value, what) in enumerate(k.items):
            x = pdf.l_margin + i * (w + gap)
            pdf.set_draw_color(200, 200, 200)
            pdf.rect(x, y, w, 18)
            pdf.set_xy(x + 2, y + 2)
            pdf.set_font(_FONT, "B", 12)
            pdf.set_text_color(*_BLUE)
            pdf.cell(w - 4, 6, value)
            pdf.set_xy(x + 2, y + 9)
            pdf.set_font(_FONT, "", 7.5)
            pdf.set_text_color(0, 0, 0)
            pdf.multi_cell(w - 4, 3.5, what, align="L")
        pdf.set_y(y + 22)

    def block(self, b: Block) -> None:
        if isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Figure):
            self.figure(b)
        elif isinstance(b, Heading):
            self.heading(b)
        elif isinstance(b, Items):
            self.items(b)
        elif isinstance(b, KeyFigures):
            self.key_figures(b)
        else:
            self.paragraph(b)

    # -- the document --------------------------------------------------------------------

    def cover(self) -> None:
        pdf, doc = self.pdf, self.doc
        pdf.add_page()
        pdf.set_fill_color(*_BLUE)
        pdf.rect(0, 0, pdf.w, 9, style="F")
        pdf.set_y(26)
        self.text("PRODUCE · OGEIEE", size=9, style="B", color=_GREY)
        pdf.ln(3)
        self.text(doc.title, size=19, style="B", color=_BLUE, h=8.5)
        pdf.ln(2)
        pdf.set_draw_color(*_BLUE)
        pdf.set_line_width(0.8)
        pdf.line(pdf.l_margin, pdf.y, pdf.w - pdf.r_margin, pdf.y)
        pdf.set_line_width(0.2)
        pdf.ln(5)
        self.text(doc.subtitle, size=10, h=5.2)
        pdf.ln(2)
        self.text(f"{doc.texts['generated']} {doc.version}", size=8.5, color=_GREY)
        pdf.ln(5)
        if doc.banner:
            self.boxed(doc.banner, (255, 247, 224), _GOLD)
        if doc.highlights.items:
            pdf.ln(2)
            self.text(doc.texts["highlights"], size=12, style="B", color=_BLUE, h=6)
            pdf.ln(1.5)
            self.key_figures(doc.highlights)
        pdf.ln(2)
        pdf.insert_toc_placeholder(self._contents, pages=1)

    def _contents(self, pdf: Any, outline: list[Any]) -> None:
        self.text(self.doc.texts["contents"], size=14, style="B", color=_BLUE, h=7)
        pdf.ln(3)
        for entry in outline:
            if entry.level > 1:
                continue
            top = entry.level == 0
            pdf.set_font(_FONT, "B" if top else "", 10 if top else 8.5)
            indent = 0 if top else 6
            page = str(entry.page_number)
            width = pdf.epw - indent - 12
            pdf.set_x(pdf.l_margin + indent)
            link = pdf.add_link(page=entry.page_number)
            h = 5.6 if top else 4.8
            pdf.multi_cell(
                width, h, entry.name, link=link, align="L", new_x="RIGHT", new_y="LAST"
            )
            pdf.cell(12, h, page, align="R", new_x="LMARGIN", new_y="NEXT")

    def write(self, path: Path) -> None:
        pdf, doc = self.pdf, self.doc
        self.cover()  # the contents' placeholder has started page 2
        for i, s in enumerate(doc.sections):
            if i:
                pdf.add_page()
            pdf.start_section(s.title, level=0)
            self.text(s.title, size=15, style="B", color=_BLUE, h=7)
            pdf.set_draw_color(200, 200, 200)
            pdf.line(pdf.l_margin, pdf.y + 1, pdf.w - pdf.r_margin, pdf.y + 1)
            pdf.ln(5)
            for b in s.blocks:
                self.block(b)
        pdf.ln(4)
        self.room(20)
        self.text(doc.footer, size=7.5, color=_GREY, h=3.8)
        pdf.output(str(path))


def write_pdf(doc: Document, path: Path) -> None:
    """Write ``doc`` as an A4 PDF at ``path``."""
    require("fpdf", "report", what="the PDF report")
    _Writer(doc).write(Path(path))
