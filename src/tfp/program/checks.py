"""Consistency checks that report contradictions in programme records instead of hiding them.

:func:`check_records` returns one :class:`Finding` per contradiction; it never changes the
records. A published figure "follows from its inputs" when the figure recomputed from the raw
records rounds to it at the precision it was printed with (``decimals`` in the published
table): ``|computed - published| <= 0.5 * 10**-decimals``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from tfp._labels import label
from tfp._literals import LANGS, validate_literal
from tfp.program.execution import (
    budget_execution,
    indicator_progress,
    physical_progress,
    product_totals,
)
from tfp.program.records import ProgramRecords

__all__ = ["CHECKS", "Finding", "check_records", "finding_sentence", "findings_frame"]

# Slack for binary floating point when comparing a recomputed figure with a printed one:
# the printed figure is a decimal, the recomputed one a float with ~1e-16 relative error.
FLOAT_SLACK = 1e-9
# Budgets are whole soles in the annex; a sum that differs by less than half a sol is the same
# printed amount.
AMOUNT_TOLERANCE = 0.5

#: Check codes and what each one means.
CHECKS = MappingProxyType(
    {
        "budget_sum_mismatch": "a printed product or total budget is not the sum of activities",
        "devengado_above_pim": "an activity spent (devengado) more than its modified budget",
        "activity_above_product": "an activity served more firms than its product",
        "product_above_activities": "a product served more unique firms than its activities",
        "product_target_mismatch": "a product's target is not the sum of its activities'",
        "published_mismatch": "a printed figure does not follow from the records",
        "register_count_mismatch": "the register's firm count differs from the records",
    }
)

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One contradiction found in the records.

    Attributes
    ----------
    code : str
        One of :data:`CHECKS`.
    severity : {'error', 'warning'}
        ``error``: two inputs contradict each other; ``warning``: unusual but possible.
    message : str
        What is wrong, with the numbers.
    where : str
        The record concerned, e.g. ``"activity 4.1 (5005087)"`` or ``"indicator P1-1"``.
    values : Mapping
        The numbers involved (read-only).
    """

    code: str
    severity: Severity
    message: str
    where: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def __str__(self) -> str:
        return f"[{self.severity}] {self.code} at {self.where}: {self.message}"

    def sentence(self, lang: str = "es") -> str:
        """The finding as a sentence for readers, in ``lang`` (see :func:`finding_sentence`)."""
        return finding_sentence(self, lang)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            Finding,
            (self.code, self.severity, self.message, self.where, dict(self.values)),
        )


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (typed loosely, for messages and comparisons)."""
    return [{str(k): v for k, v in row.items()} for row in df.to_dict("records")]


def _where(level: str, number: Any, code: str) -> str:
    if level == "total":
        return "total"
    if level == "indicator":
        return f"indicator {code}"
    return f"{level} {number} ({code})"


def _fmt(x: float, decimals: int = 0) -> str:
    return f"{x:,.{max(decimals, 0)}f}"


def _consistent(computed: float, published: float, decimals: int) -> bool:
    if not np.isfinite(computed):
        return False
    half = 0.5 * 10.0 ** (-decimals)
    return abs(computed - published) <= half + FLOAT_SLACK * max(1.0, abs(published))


def check_records(records: ProgramRecords) -> list[Finding]:
    """Check programme records for contradictions between their inputs.

    Checks (codes in :data:`CHECKS`): printed product/total budgets against the sums of their
    activities; devengado above PIM; an activity serving more firms than its product (for
    activities counted towards the product, in the product's unit); a product with more unique
    firms than the sum of its activities; a product target different from the sum of its
    activities' targets (warning); every printed figure in ``records.published`` against the
    figure recomputed from the records (counts and amounts exactly, percentages to the printed
    precision); and, with a register, unique firms per activity and product against the
    records.

    Parameters
    ----------
    records : ProgramRecords

    Returns
    -------
    list of Finding
        Empty when nothing contradicts. Order: by check, then programme order.

    Examples
    --------
    >>> from tfp.program import load_pp0093_2020
    >>> [f.where for f in check_records(load_pp0093_2020())]
    ['activity 4.1 (5005087)', 'indicator P1-1']
    """
    findings: list[Finding] = []
    findings += _budget_sums(records)
    findings += _devengado_above_pim(records)
    findings += _firm_counts(records)
    findings += _published(records)
    findings += _register_counts(records)
    return findings


def findings_frame(findings: list[Finding], lang: str | None = None) -> pd.DataFrame:
    """Tabulate findings: columns ``code, severity, where, message``.

    With ``lang`` (``'es'`` or ``'en'``), ``where`` names the record in that language and
    ``message`` is the sentence of :func:`finding_sentence`; without it, both are the
    findings' own (English) text.
    """
    if lang is not None:
        validate_literal(lang, LANGS, name="lang")
    return pd.DataFrame(
        {
            "code": [f.code for f in findings],
            "severity": [f.severity for f in findings],
            "where": [
                f.where if lang is None else _where_text(f.where, lang)
                for f in findings
            ],
            "message": [
                f.message if lang is None else f.sentence(lang) for f in findings
            ],
        },
        columns=["code", "severity", "where", "message"],
    )


def _where_text(where: str, lang: str) -> str:
    """``where`` (as :func:`_where` writes it) in ``lang``: "Actividad 4.1 (5005087)"."""
    level, _, rest = where.partition(" ")
    if level not in ("activity", "product", "indicator", "total"):
        return where
    word = label("total" if level == "total" else level, lang)
    return f"{word} {rest}".strip()


def _source_text(source: str, lang: str) -> str:
    """Where the published report prints a figure, for readers (the records' ``source``)."""
    for kind in ("annex", "indicator table", "text"):
        if source.startswith(kind):
            return label(kind.replace(" ", "_"), lang, domain="finding_source")
    return source


def _number(x: float, decimals: int) -> str:
    return "—" if not np.isfinite(x) else _fmt(x, decimals)


def finding_sentence(finding: Finding, lang: str = "es") -> str:
    """Describe a finding in a sentence for readers of the report, in ``lang``.

    The sentence names the record, the figure (in words), the two numbers that contradict
    each other and, for printed figures, where the published report prints them. Codes and
    column names are not shown.

    Examples
    --------
    >>> f = Finding("devengado_above_pim", "error", "...", "activity 4.1 (5005087)",
    ...             {"pim": 100.0, "devengado": 120.0})
    >>> finding_sentence(f, "en")
    'Activity 4.1 (5005087): accrued spending (S/ 120) exceeds the modified budget (S/ 100).'
    """
    validate_literal(lang, LANGS, name="lang")
    v = dict(finding.values)
    where = _where_text(finding.where, lang)
    fields: dict[str, str] = {}
    if finding.code == "published_mismatch":
        decimals = int(v.get("decimals", 0))
        measure = str(v.get("measure", ""))
        more = (
            2 if measure.endswith("pct") or finding.where.startswith("indicator") else 0
        )
        unit = " %" if measure.endswith("pct") else ""
        money = "S/ " if measure in ("pia", "pim", "devengado") else ""
        fields = {
            "measure": label(measure, lang, domain="finding_measure"),
            "published": money + _number(float(v["published"]), decimals) + unit,
            "computed": money + _number(float(v["computed"]), decimals + more) + unit,
            "source": _source_text(str(v.get("source", "")), lang),
        }
    elif finding.code == "budget_sum_mismatch":
        fields = {
            "measure": label(str(v["measure"]), lang, domain="finding_measure"),
            "published": "S/ " + _number(float(v["published"]), 0),
            "computed": "S/ " + _number(float(v["computed"]), 0),
        }
    else:
        fields = {k: _number(float(x), 0) for k, x in v.items() if _is_number(x)}
    if finding.code not in CHECKS:
        return f"{where}: {finding.message}"
    text = label(finding.code, lang, domain="finding", **fields)
    return f"{where}: {text}"


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(
        x, bool
    )


def _budget_sums(records: ProgramRecords) -> list[Finding]:
    pub = records.published
    if pub is None:
        return []
    bud = budget_execution(records)
    bud = bud[bud["level"] != "activity"].set_index(["level", "code"])
    out = []
    rows = pub[
        pub["level"].isin(["product", "total"])
        & pub["measure"].isin(["pia", "pim", "devengado"])
    ]
    for r in _rows(rows):
        code = "" if pd.isna(r["code"]) or r["level"] == "total" else str(r["code"])
        computed = float(bud.loc[(r["level"], code), r["measure"]])
        if abs(computed - r["value"]) > AMOUNT_TOLERANCE:
            number = bud.loc[(r["level"], code), "number"]
            out.append(
                Finding(
                    "budget_sum_mismatch",
                    "error",
                    f"{r['measure'].upper()} printed as S/ {_fmt(r['value'])} but its activities "
                    f"add up to S/ {_fmt(computed)} (difference {_fmt(r['value'] - computed)})"
                    + (f"; source: {r['source']}" if not pd.isna(r["source"]) else ""),
                    _where(r["level"], number, code),
                    {
                        "measure": r["measure"],
                        "published": r["value"],
                        "computed": computed,
                    },
                )
            )
    return out


def _devengado_above_pim(records: ProgramRecords) -> list[Finding]:
    act = records.activities
    out = []
    for r in _rows(act[act["devengado"] > act["pim"]]):
        out.append(
            Finding(
                "devengado_above_pim",
                "error",
                f"devengado S/ {_fmt(r['devengado'])} exceeds the PIM S/ {_fmt(r['pim'])}",
                _where("activity", r["number"], r["code"]),
                {"pim": r["pim"], "devengado": r["devengado"]},
            )
        )
    return out


def _firm_counts(records: ProgramRecords) -> list[Finding]:
    prod = records.products.set_index("code")
    act = records.activities
    out = []
    same_unit = act["unit"].to_numpy() == act["product"].map(prod["unit"]).to_numpy()
    counting = act[act["counts_to_product"].to_numpy() & same_unit]
    for r in _rows(counting):
        p_achieved = float(prod.loc[r["product"], "achieved"])
        if r["achieved"] > p_achieved:
            out.append(
                Finding(
                    "activity_above_product",
                    "error",
                    f"activity served {_fmt(r['achieved'])} but its product "
                    f"{prod.loc[r['product'], 'number']} served {_fmt(p_achieved)} unique firms",
                    _where("activity", r["number"], r["code"]),
                    {
                        "activity_achieved": r["achieved"],
                        "product_achieved": p_achieved,
                    },
                )
            )
    totals = product_totals(records)
    has_counting = totals["code"].isin(counting["product"])
    for r in _rows(totals[has_counting]):
        if r["achieved"] > r["activities_achieved"]:
            out.append(
                Finding(
                    "product_above_activities",
                    "error",
                    f"product served {_fmt(r['achieved'])} unique firms but its activities add up "
                    f"to only {_fmt(r['activities_achieved'])}",
                    _where("product", r["number"], r["code"]),
                    {
                        "achieved": r["achieved"],
                        "activities_achieved": r["activities_achieved"],
                    },
                )
            )
        if r["target"] != r["activities_target"]:
            out.append(
                Finding(
                    "product_target_mismatch",
                    "warning",
                    f"product target {_fmt(r['target'])} differs from the sum of its activities' "
                    f"targets {_fmt(r['activities_target'])}",
                    _where("product", r["number"], r["code"]),
                    {
                        "target": r["target"],
                        "activities_target": r["activities_target"],
                    },
                )
            )
    return out


def _computed_figures(records: ProgramRecords) -> dict[tuple[str, str, str], float]:
    """Every figure a report could print, recomputed: (level, code, measure) -> value."""
    figures: dict[tuple[str, str, str], float] = {}
    phys = physical_progress(records)
    for r in _rows(phys):
        figures[(r["level"], r["code"], "target")] = r["target"]
        figures[(r["level"], r["code"], "achieved")] = r["achieved"]
        figures[(r["level"], r["code"], "physical_progress_pct")] = r[
            "physical_progress_pct"
        ]
    for r in _rows(budget_execution(records)):
        level, code = r["level"], ("" if r["level"] == "total" else r["code"])
        for m in ("pia", "pim", "devengado", "execution_pct"):
            figures[(level, code, m)] = r[m]
    for r in _rows(indicator_progress(records)):
        figures[("indicator", r["id"], "value")] = r["value"]
        figures[("indicator", r["id"], "progress_pct")] = r["progress_pct"]
        figures[("indicator", r["id"], "target")] = r["target"]
    return figures


def _published(records: ProgramRecords) -> list[Finding]:
    pub = records.published
    if pub is None:
        return []
    figures = _computed_figures(records)
    numbers = dict(
        zip(
            zip(
                *(physical_progress(records)[c] for c in ("level", "code")), strict=True
            ),
            physical_progress(records)["number"],
            strict=True,
        )
    )
    out = []
    for r in _rows(pub):
        level = str(r["level"])
        code = "" if level == "total" or pd.isna(r["code"]) else str(r["code"])
        measure = str(r["measure"])
        if level in ("product", "total") and measure in ("pia", "pim", "devengado"):
            continue  # reported by the budget-sum check
        key = (level, code, measure)
        if key not in figures:
            continue
        computed = float(figures[key])
        decimals = int(r["decimals"])
        if _consistent(computed, float(r["value"]), decimals):
            continue
        source = "" if pd.isna(r["source"]) else f" ({r['source']})"
        shown = (
            "not computable (zero target)"
            if not np.isfinite(computed)
            else _fmt(
                computed,
                decimals + 2 if measure.endswith("pct") or level == "indicator" else 0,
            )
        )
        out.append(
            Finding(
                "published_mismatch",
                "error",
                f"{measure} printed as {_fmt(float(r['value']), decimals)}{source} but the "
                f"records give {shown}",
                _where(level, numbers.get((level, code), ""), code),
                {
                    "measure": measure,
                    "published": float(r["value"]),
                    "decimals": decimals,
                    "computed": computed,
                    "source": "" if pd.isna(r["source"]) else str(r["source"]),
                },
            )
        )
    return out


def _register_counts(records: ProgramRecords) -> list[Finding]:
    reg = records.register
    if reg is None:
        return []
    act = records.activities
    out = []
    firms = act[act["unit"] == "firms"]
    n = reg.groupby("activity")["firm_id"].nunique()
    for r in _rows(firms):
        got = float(n.get(r["code"], 0))
        if got != r["achieved"]:
            out.append(
                Finding(
                    "register_count_mismatch",
                    "error",
                    f"the register lists {_fmt(got)} unique firms but the records say "
                    f"{_fmt(r['achieved'])}",
                    _where("activity", r["number"], r["code"]),
                    {"register_firms": got, "achieved": r["achieved"]},
                )
            )
    totals = product_totals(records)
    for r in _rows(totals[totals["unit"] == "firms"]):
        if r["register_firms"] != r["achieved"]:
            out.append(
                Finding(
                    "register_count_mismatch",
                    "error",
                    f"the register lists {_fmt(r['register_firms'])} unique firms for the "
                    f"product's activities but the records say {_fmt(r['achieved'])}",
                    _where("product", r["number"], r["code"]),
                    {"register_firms": r["register_firms"], "achieved": r["achieved"]},
                )
            )
    return out
