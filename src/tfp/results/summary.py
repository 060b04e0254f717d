"""Rendering of results: the :class:`Summary` of one estimate and the formats of tables.

Formatting only: every number shown is computed by the results objects. The layout follows
linearmodels' results summaries (a block of key facts over the parameter table) and, for
comparison tables, linearmodels' ``compare()`` and pyfixest's ``etable`` (output on top,
each estimate over its standard error, sample and inference at the foot, a note saying
what is in parentheses). Every format is written here: text, HTML and Markdown with pandas
or plain strings, LaTeX by :func:`latex_tabular` (``booktabs`` rules), so no format needs
jinja2 or tabulate.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from tfp._literals import validate_literal
from tfp.estimators.registry import REGISTRY
from tfp.options import options_in_words

if TYPE_CHECKING:
    from tfp.numerics.inference import Inference
    from tfp.results.production import ProductionResults

__all__ = [
    "TABLE_FORMATS",
    "Summary",
    "format_table",
    "latex_escape",
    "latex_tabular",
    "summarise",
]

#: Formats of :func:`format_table` and ``ResultsSet.table(fmt=...)``.
TABLE_FORMATS = ("frame", "text", "html", "latex", "markdown")

#: Width of the text summary: long option values wrap to it.
TEXT_WIDTH = 78

Rows = tuple[tuple[str, str], ...]


@dataclass(frozen=True, eq=False, repr=False)
class Summary:
    """The summary of one estimate: ``str()`` gives the text, notebooks render the HTML.

    Attributes
    ----------
    title : str
        Method, form and output.
    header : tuple of (str, str)
        Key facts, shown in two columns over the rest (as linearmodels does): output,
        estimator and method code, form, standard errors, sample size, returns to scale.
    sections : tuple of (str, tuple of (str, str))
        Headed blocks of (label, value) rows: the roles of the columns (with what the method
        takes the proxy for), the options in words, the sample with drops by reason, the
        inference (covariance, bootstrap replicates and seed, intervals) and the search.
    coefficients : DataFrame
        One row per parameter: estimate, standard error, statistic, p-value and interval.
    diagnostics : tuple of str
        The diagnostics section: the checks of the estimate (how many passed, each check,
        the failures' problem and fix) and the estimator's notes (empty when there are none).
    """

    title: str
    header: Rows
    sections: tuple[tuple[str, Rows], ...]
    coefficients: pd.DataFrame
    diagnostics: tuple[str, ...]

    def as_text(self) -> str:
        """Plain text (what ``print(results.summary())`` shows), long values wrapped at
        :data:`TEXT_WIDTH` characters."""
        body = self.coefficients.to_string(float_format=lambda v: f"{v:.4f}")
        top = _two_columns(self.header)
        label = max(len(k) for _, rows in self.sections for k, _ in rows)
        room = max(TEXT_WIDTH - label - 5, 20)
        blocks = [
            [f"{head}:", *(x for k, v in rows for x in _wrapped(k, v, label, room))]
            for head, rows in self.sections
        ]
        lines = [*top, *body.splitlines(), *(x for b in blocks for x in b)]
        width = max(40, *(len(x) for x in lines))
        rule = "-" * width
        out = ["=" * width, self.title.center(width).rstrip(), "=" * width, *top]
        for block in blocks:
            out += [rule, *block]
        out += ["=" * width, "Parameter estimates".center(width).rstrip(), rule, body]
        if self.diagnostics:
            out += [rule, "Diagnostics:"]
            for d in self.diagnostics:  # long messages wrap under their first word
                out += textwrap.wrap(
                    d,
                    TEXT_WIDTH,
                    initial_indent="  - ",
                    subsequent_indent="      ",
                    break_on_hyphens=False,
                )
        return "\n".join([*out, "=" * width])

    def as_html(self) -> str:
        """HTML (what a notebook shows)."""
        e = html.escape
        pairs = _pairs(self.header)
        top = "".join(
            "<tr>"
            + "".join(
                f"<th style='text-align:left'>{e(k)}</th><td style='text-align:left'>"
                f"{e(v)}</td>"
                for k, v in pair
            )
            + "</tr>"
            for pair in pairs
        )
        rows = "".join(
            f"<tr><th colspan='2' style='text-align:left'>{e(head)}</th></tr>"
            + "".join(
                f"<tr><td style='text-align:left'>{e(k)}</td>"
                f"<td style='text-align:left'>{e(v)}</td></tr>"
                for k, v in block
            )
            for head, block in self.sections
        )
        coef = self.coefficients.to_html(float_format=lambda v: f"{v:.4f}", border=0)
        diag = "".join(f"<li>{e(d)}</li>" for d in self.diagnostics)
        diag = f"<p>Diagnostics</p><ul>{diag}</ul>" if diag else ""
        return (
            f"<div><p><b>{e(self.title)}</b></p><table>{top}</table>{coef}"
            f"<details><summary>Model, options, sample, inference</summary>"
            f"<table>{rows}</table></details>{diag}</div>"
        )

    def to_latex(self) -> str:
        """LaTeX: the key facts, the coefficient table, the sections and the diagnostics
        (``tabular`` environments with ``booktabs`` rules)."""
        top = latex_tabular(
            [[k for kv in pair for k in kv] for pair in _pairs(self.header, fill=True)],
            align="llll",
        )
        rows: list[list[str]] = []
        breaks: list[int] = []
        for head, block in self.sections:
            breaks.append(len(rows))
            rows.append(
                [f"\\multicolumn{{2}}{{l}}{{\\textit{{{latex_escape(head)}}}}}"]
            )
            rows += [[k, v] for k, v in block]
        parts = [
            top,
            self.coefficients_latex(),
            latex_tabular(rows, align="ll", rules=breaks[1:], raw=set(breaks)),
        ]
        if self.diagnostics:
            parts.append(
                latex_tabular(
                    [[d] for d in self.diagnostics],
                    header=["Diagnostics"],
                    align="p{0.9\\linewidth}",
                )
            )
        return "\n".join(parts)

    def coefficients_latex(self) -> str:
        """LaTeX of the coefficient table alone."""
        return frame_latex(self.coefficients, float_format="{:.4f}")

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()


def _wrapped(key: str, value: str, label: int, room: int) -> list[str]:
    """``  key : value`` with the value wrapped to ``room`` characters, aligned."""
    parts = textwrap.wrap(value, room, break_on_hyphens=False) or [""]
    pad = " " * (label + 5)
    return [f"  {key:<{label}} : {parts[0]}", *(pad + x for x in parts[1:])]


def _pairs(rows: Rows, fill: bool = False) -> list[list[tuple[str, str]]]:
    """Rows split into a left and a right column, paired line by line."""
    half = (len(rows) + 1) // 2
    left, right = list(rows[:half]), list(rows[half:])
    out = []
    for i, row in enumerate(left):
        pair = [row]
        if i < len(right):
            pair.append(right[i])
        elif fill:
            pair.append(("", ""))
        out.append(pair)
    return out


def _two_columns(rows: Rows) -> list[str]:
    pairs = _pairs(rows)
    half = (len(rows) + 1) // 2
    lk = max((len(k) for k, _ in rows[:half]), default=0) + 1
    lv = max((len(v) for _, v in rows[:half]), default=0)
    rk = max((len(k) for k, _ in rows[half:]), default=0) + 1
    out = []
    for pair in pairs:
        (k, v), *rest = pair
        line = f"{k + ':':<{lk}} {v:<{lv}}"
        if rest:
            k2, v2 = rest[0]
            line += f"   {k2 + ':':<{rk}} {v2}"
        out.append(line.rstrip())
    return out


def summarise(res: ProductionResults, level: float = 0.95) -> Summary:
    """The :class:`Summary` of ``res``, intervals at ``level``."""
    spec = res.spec
    record = REGISTRY.get(res.method)
    label = record.label if record else res.method
    kind = "gross output" if spec.gross_output else "value added"
    title = f"{label} ({spec.form}, {kind})"
    t = res.inference.distribution == "t"
    coef = res.tidy(level).rename(
        columns={
            "estimate": "coef",
            "std_error": "std err",
            "statistic": "t" if t else "z",
            "p_value": "P>|t|" if t else "P>|z|",
            "conf_low": f"[{(1 - level) / 2:.3f}",
            "conf_high": f"{1 - (1 - level) / 2:.3f}]",
        }
    )
    inf = res.inference
    se = f"{inf.kind} ({inf.reps} reps)" if inf.kind == "bootstrap" else res.se_type
    header = (
        ("Output", f"{spec.output} (log {kind})"),
        ("Estimator", label),
        ("Method", repr(res.method)),
        ("Form", spec.form),
        ("Statistics", _distribution(inf)),
        ("Observations", f"{res.nobs:,}"),
        ("Firms", f"{res.n_firms:,}"),
        ("Periods", f"{res.n_periods:,}"),
        ("Std. errors", se),
        ("Returns to scale", _rts(res)),
    )
    sections = (
        ("Model", _roles(res)),
        ("Options", _in_words(res.options) + _options(res.options)),
        ("Sample", _sample(res)),
        ("Inference", _inference(res, level)),
        ("Estimation", _estimation(res)),
    )
    return Summary(
        title, header, tuple(s for s in sections if s[1]), coef, _diagnostics(res)
    )


_DEMAND = "intermediate input: its demand, inverted, controls for productivity"
_POLY = "in the polynomial that stands in for productivity"
#: What each method takes the proxy column for (OP and LP on the same column differ).
PROXY_ROLES = {
    "op": "investment: the investment policy, inverted, controls for productivity",
    "lp": _DEMAND,
    "acf": _DEMAND,
    "wrdg": _POLY,
    "wrdg-iv": _POLY,
    "rob": _POLY,
}


def _roles(res: ProductionResults) -> Rows:
    """The roles of the columns; the proxy says what this method takes it for."""
    meaning = PROXY_ROLES.get(res.method, "")
    return tuple(
        (k, f"{v} ({meaning})" if k == "proxy" and meaning else v)
        for k, v in res.spec.role_rows()
    )


def _words(value: Any) -> str:
    """An option value in words: yes/no, none, lists and nested records spelt out."""
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "none"}[value]
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return ", ".join(_words(v) for v in value) or "none"
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {v}" for k, v in _options(value)) or "none"
    return str(value)


def _in_words(options: Any) -> Rows:
    """The phrase of :func:`~tfp.options.options_in_words`, when it has something to say."""
    words = options_in_words(options)
    return (("in words", words),) if words else ()


def _options(options: Any) -> Rows:
    """The options (``to_dict``: nested records as mappings) in words, field by field."""
    fields = options if isinstance(options, Mapping) else options.to_dict()
    return tuple((str(k).replace("_", " "), _words(v)) for k, v in fields.items())


def _sample(res: ProductionResults) -> Rows:
    dropped = ", ".join(
        f"{k.replace('_', ' ')} {v:,}" for k, v in res.dropped.items() if v
    )
    return (
        ("Rows in the data", f"{len(res.sample):,}"),
        ("Rows estimated", f"{res.nobs:,}"),
        ("Left out, by reason", dropped or "none"),
    )


def _inference(res: ProductionResults, level: float) -> Rows:
    inf, b = res.inference, res.bootstrap
    rows = [("Standard errors", inf.kind)]
    if inf.kind == "analytic":
        cov = {
            "cluster": f"clustered by {inf.cluster}",
            "stacked": "sandwich of the stacked two-step estimating equations, "
            f"clustered by {inf.cluster}",
        }.get(str(inf.vcov), str(inf.vcov))
        rows.append(("Covariance", cov))
    if inf.kind == "bootstrap" and b is not None:
        rows.append(("Covariance", f"bootstrap, firms ({inf.cluster}) resampled"))
        fails = f"{b.failed} failed, {b.not_converged} not converged"
        rows.append(("Replicates", f"{b.reps} ({fails})"))
        seed = "injected indices" if b.injected else str(b.seed_entropy)
        rows.append(("Seed entropy", seed))
    if inf.note:
        rows.append(("Why", inf.note))
    if inf.kind != "none":
        rows.append(("Statistics", _distribution(inf)))
        if b is not None:
            rows.append(("Intervals", "percentiles of the bootstrap replicates"))
        else:
            q = inf.critical_value(level)
            rows.append(("Intervals", f"coef +/- {q:.3f} x std err"))
    return tuple(rows)


def _distribution(inf: Inference) -> str:
    if inf.kind == "none":
        return "none"
    return f"t ({inf.df} df)" if inf.distribution == "t" else "normal"


def _estimation(res: ProductionResults) -> Rows:
    rows = []
    conv = res.convergence
    if res.objective is not None and conv.method != "closed form":
        rows += [
            ("Criterion", f"{res.objective:.6g}"),
            (
                "Convergence",
                f"{'yes' if conv.converged else 'NO'} ({conv.method}; "
                f"{conv.n_starts_at_min}/{conv.n_starts} starts at the minimum; "
                f"{len(conv.local_minima)} distinct minima)",
            ),
        ]
    elif conv.method == "closed form":
        rows.append(("Convergence", "closed form"))
    if "r2" in res.first_stage:
        rows.append(("First-stage R2", f"{res.first_stage['r2']:.4f}"))
    return tuple(rows)


def _rts(res: ProductionResults) -> str:
    try:
        rts = res.returns_to_scale()
    except Exception:  # a summary never fails on an optional line
        return "n/a"
    p = f" (CRS p = {rts.p_value:.4f})" if rts.p_value is not None else ""
    return f"{rts.value:.4f}{p}"


def _diagnostics(res: ProductionResults) -> tuple[str, ...]:
    """The diagnostics section: every check of :mod:`tfp.diagnostics` (the failed ones with
    their fix), then the estimator's notes, one per line."""
    return res.diagnostics.lines()


# ---- formats ---------------------------------------------------------------------------
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: object) -> str:
    """``text`` with LaTeX's special characters escaped."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))


def latex_tabular(
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] | None = None,
    align: str | None = None,
    rules: Sequence[int] = (),
    raw: set[int] | frozenset[int] = frozenset(),
) -> str:
    """A ``tabular`` with ``booktabs`` rules (``\\toprule``, ``\\midrule``, ``\\bottomrule``).

    Parameters
    ----------
    rows : sequence of sequences of str
        Cells, escaped here (rows whose number is in ``raw`` are written as given).
    header : sequence of str, optional
        Column heads, over a ``\\midrule``.
    align : str, optional
        Column alignment (default ``l`` then ``r`` for every further column).
    rules : sequence of int
        Row numbers to put a ``\\midrule`` before.
    """
    n_cols = max([len(r) for r in rows] + [len(header or ())] + [1])
    align = align or "l" + "r" * (n_cols - 1)
    out = [f"\\begin{{tabular}}{{{align}}}", "\\toprule"]
    if header is not None:
        out += [" & ".join(latex_escape(h) for h in header) + " \\\\", "\\midrule"]
    for i, row in enumerate(rows):
        if i in rules:
            out.append("\\midrule")
        cells = list(row) if i in raw else [latex_escape(c) for c in row]
        out.append(" & ".join(cells) + " \\\\")
    out += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(out) + "\n"


def frame_latex(
    frame: pd.DataFrame,
    *,
    float_format: str = "{}",
    notes: Sequence[str] = (),
) -> str:
    """``frame`` as a :func:`latex_tabular` (index first), ``notes`` under the rule."""

    def cell(v: Any) -> str:
        return float_format.format(v) if isinstance(v, float) else str(v)

    rows = [[str(i), *map(cell, r)] for i, r in zip(frame.index, frame.to_numpy())]
    header = [str(frame.index.name or ""), *map(str, frame.columns)]
    text = latex_tabular(rows, header=header)
    if notes:
        foot = "".join(
            f"\\multicolumn{{{len(header)}}}{{l}}{{\\footnotesize "
            f"{latex_escape(n)}}} \\\\\n"
            for n in notes
        )
        text = text.replace("\\end{tabular}\n", foot + "\\end{tabular}\n")
    return text


def format_table(frame: pd.DataFrame, fmt: str, notes: Sequence[str] = ()) -> Any:
    """``frame`` itself or as text, HTML, LaTeX or Markdown (see :data:`TABLE_FORMATS`),
    with ``notes`` (what the cells hold, significance levels) under the formatted table."""
    validate_literal(fmt, TABLE_FORMATS, name="fmt")
    if fmt == "frame":
        return frame
    if fmt == "text":
        return "\n".join([frame.to_string(), *notes])
    if fmt == "html":
        foot = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in notes)
        return frame.to_html(border=0) + foot
    if fmt == "latex":
        return frame_latex(frame, notes=notes)
    cells = [["", *map(str, frame.columns)]]
    cells += [[str(i), *map(str, r)] for i, r in zip(frame.index, frame.to_numpy())]
    lines = ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in cells]
    table = [lines[0], "|" + " --- |" * len(cells[0]), *lines[1:]]
    return "\n".join([*table, *(["", *notes] if notes else [])])
