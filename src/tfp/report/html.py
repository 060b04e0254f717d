"""The report as one self-contained HTML page (charts embedded), printable on A4.

It lays out a :class:`tfp.report.document.Document`; the stylesheet in
``templates/report.html.j2`` has a print part: A4 pages with margins, each section on a new
page, tables that wrap inside the page width (header rows repeated), charts kept whole.
"""

from __future__ import annotations

import base64
import html
from importlib.resources import files

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

__all__ = ["KEEP_ROWS", "render_html"]

#: Tables with at most this many rows are not split across printed pages.
KEEP_ROWS = 20


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _breakable(text: str) -> str:
    """Escaped text that may break after a slash ("DGPAR/DGAAMI") in a narrow column."""
    return _e(text).replace("/", "/<wbr>")


def _table(t: Table) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in t.header)
    body = []
    for i, row in enumerate(t.rows):
        kind = t.kinds[i] if t.kinds else ""
        cls = f' class="level-{_e(kind)}"' if kind else ""
        cells = "".join(
            f'<td class="num">{_e(c.text)}</td>'
            if c.numeric
            else f"<td>{_e(c.text)}</td>"
            for c in row
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    small = " small" if t.small else ""
    small += " keep" if len(t.rows) <= KEEP_ROWS else ""
    return (
        f'<table id="{_e(t.id)}" class="data{small}"><caption>{_e(t.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _figure(f: Figure) -> str:
    data = base64.b64encode(f.png).decode("ascii")
    return (
        f'<figure id="{_e(f.id)}"><img src="data:image/png;base64,{data}" alt="{_e(f.alt)}">'
        f"<figcaption>{_e(f.caption)}</figcaption></figure>"
    )


def _block(b: Block) -> str:
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Figure):
        return _figure(b)
    if isinstance(b, Heading):
        ident = f' id="{_e(b.id)}"' if b.id else ""
        return f"<h3{ident}>{_e(b.text)}</h3>"
    if isinstance(b, Items):
        if b.status:
            items = "".join(
                f'<li><span class="status {_e(s)}">{_e(shown)}</span> {_e(text)}</li>'
                for text, (s, shown) in zip(b.items, b.status, strict=True)
            )
            return f'<ul class="checks">{items}</ul>'
        return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in b.items) + "</ul>"
    if isinstance(b, KeyFigures):
        tiles = "".join(
            f'<div class="kpi"><div class="v">{_e(v)}</div><div>{_e(k)}</div></div>'
            for v, k in b.items
        )
        return f'<div class="kpis">{tiles}</div>'
    assert isinstance(b, Paragraph)
    role = ' role="alert"' if b.kind == "alert" else ""
    cls = f' class="{b.kind}"' if b.kind else ""
    return f"<p{cls}{role}>{_e(b.text)}</p>"


def render_html(doc: Document) -> str:
    """Render the self-contained HTML report."""
    jinja2 = require("jinja2", "report", what="the HTML report")
    Markup = require("markupsafe", "report", what="the HTML report").Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("tfp.report") / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    sections = [
        {
            "id": s.id,
            "title": s.title,
            "blocks": [Markup(_block(b)) for b in s.blocks],
        }
        for s in doc.sections
    ]
    return env.get_template("report.html.j2").render(
        doc=doc, sections=sections, t=doc.texts
    )
