"""The report's Excel workbook, for people: sheets and headers in the report's language.

A contents sheet first, then the indicators and one sheet per table of the report (empty
tables are left out), each with a bold header row that stays frozen, number formats
(thousands separators; one decimal for percentages and indices; three for elasticities),
coded cells written in words and column widths that fit their contents.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tfp._labels import CATALOGUE, label
from tfp._optional import require

if TYPE_CHECKING:
    from tfp.report.build import ReportContent

__all__ = ["write_workbook"]

_INT = "#,##0"
_ONE = "#,##0.0"
_THREE = "0.000"
_INT_COLUMNS = frozenset(
    ("n_obs", "n_firms", "firms_represented", "workers", "target", "achieved", "pia",
     "pim", "devengado", "activities_target", "activities_achieved", "overlap",
     "register_firms", "n_activities", "numerator", "denominator")
)  # fmt: skip
#: Columns whose codes are written in words (label domain of each).
_CODED = {
    "level": "column",
    "input": "input",
    "severity": "severity",
    "status": "column",
}
#: Columns left out of the workbook (machine keys that a label column already shows).
_DROP = {"findings": ("code",), "tfp_by_size": ("group",), "factor_shares": ("term",)}
_SUMMARY_FORMAT = {"year": "0", "execution_pct": _ONE, "targeted_pct": _ONE}


def _sheet_title(name: str, lang: str, used: set[str]) -> str:
    base = label(name, lang, domain="sheet")[:31]
    out, i = base, 2
    while out in used:
        out = f"{base[:28]} {i}"
        i += 1
    used.add(out)
    return out


def _display(name: str, df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table as people read it: words for codes, one label column, labelled headers."""
    other = "label_en" if lang == "es" else "label_es"
    drop = [c for c in (*_DROP.get(name, ()), other) if c in df.columns]
    if name.startswith("coverage_"):
        drop.append("group")
    out = df.drop(columns=drop)
    for col, domain in _CODED.items():
        if col in out.columns:
            known = CATALOGUE[domain]
            out[col] = [
                label(str(v), lang, domain=domain) if str(v) in known else v
                for v in out[col]
            ]
    if "unit" in out.columns:
        units = CATALOGUE["unit"]
        out["unit"] = [
            label(str(v), lang, domain="unit") if str(v) in units else v
            for v in out["unit"]
        ]
    if name == "targeting":
        out["group"] = [
            label(str(v), lang, domain="targeting_group") for v in df["group"]
        ]
    if name == "summary":
        out["figure"] = [label(str(v), lang, domain="figure") for v in df["figure"]]
    return out


def _format(name: str, column: str) -> str | None:
    if column == "year":
        return "0"
    if column in _INT_COLUMNS:
        return _INT
    if name == "factor_shares":
        return _THREE
    return _ONE


def _style_sheet(
    ws: Any, name: str, columns: list[str], rows: list[str] | None
) -> None:
    """Header style, frozen header row, number formats (by column; the ``value`` column by
    row through ``rows``) and column widths."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    head = PatternFill("solid", fgColor="E8F0F6")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = head
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
    ws.freeze_panes = "A2"
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        width = len(str(ws.cell(row=1, column=j).value or "")) * 0.6 + 2
        for i, cell in enumerate(ws[letter][1:], start=2):
            value = cell.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                by_row = rows is not None and column == "value"
                fmt = rows[i - 2] if by_row and rows else _format(name, column)
                cell.number_format = fmt or "General"
                shown = len(f"{value:,.3f}") if math.isfinite(value) else 3
            else:
                shown = len(str(value or ""))
                cell.alignment = Alignment(wrap_text=shown > 60, vertical="top")
            width = max(width, min(shown, 60) + 2)
        ws.column_dimensions[letter].width = min(width, 62)


def write_workbook(content: ReportContent, path: Path) -> None:
    """Write the workbook of ``content`` to ``path``."""
    lang = content.lang
    used: set[str] = set()
    sheets: list[tuple[str, str, pd.DataFrame, str]] = []  # (title, name, frame, about)
    ind = pd.DataFrame(
        [
            {k: i[k] for k in ("id", "name", "value", "unit", "year", "source")}
            for i in content.indicators
        ]
    )
    sheets.append((_sheet_title("indicators", lang, used), "indicators", ind, ""))
    for name, df in content.tables.items():
        if len(df) == 0:
            continue
        sheets.append(
            (_sheet_title(name, lang, used), name, _display(name, df, lang), "")
        )
    contents = pd.DataFrame(
        {
            "sheet": [title for title, *_ in sheets],
            "about": [
                label(name, lang, domain="sheet_about") for _, name, *_ in sheets
            ],
        }
    )
    title = _sheet_title("contents", lang, used)
    require("openpyxl", "report", what="the Excel report")
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for sheet, name, frame, _ in [(title, "contents", contents, ""), *sheets]:
            headers = {c: _header(name, str(c), lang, content) for c in frame.columns}
            frame.rename(columns=headers).to_excel(xw, sheet_name=sheet, index=False)
            formats = _row_formats(name, content)
            _style_sheet(xw.sheets[sheet], name, list(frame.columns), formats)


def _header(table: str, column: str, lang: str, content: ReportContent) -> str:
    """A column's header: the table's own words where the general label would be vague."""
    if table == "mype_labour" and column == "value":
        base = content.tables["mype_labour"].attrs.get("base_year") or ""
        return label("col_labour_value", lang, domain="text", base=base)
    if table == "mype_labour" and column == "workers":
        return label("col_workers_represented", lang, domain="text")
    if table == "mipyme_tfp" and column == "value":
        return label("value_tfp", lang)
    if column in CATALOGUE["sheet_column"]:
        return label(column, lang, domain="sheet_column")
    return label(column, lang)


def _row_formats(table: str, content: ReportContent) -> list[str] | None:
    """One number format per row, for the sheets whose rows hold different quantities."""
    if table == "summary":
        figures = content.tables["summary"]["figure"]
        return [_SUMMARY_FORMAT.get(str(f), _INT) for f in figures]
    if table == "indicators":
        return [
            _THREE if str(i["id"]).startswith("factor_share")
            else _INT if str(i["id"]) in ("firms_served", "pim", "devengado")
            else _ONE
            for i in content.indicators
        ]  # fmt: skip
    return None
