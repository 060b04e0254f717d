"""Rendering of results: the :class:`Summary` of one estimate and the formats of tables.

Formatting only: every number shown is computed by the results objects.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from tfp._literals import validate_literal
from tfp.estimators.registry import REGISTRY

if TYPE_CHECKING:
    from tfp.results.production import ProductionResults

__all__ = ["TABLE_FORMATS", "Summary", "format_table", "summarise"]

#: Formats of :func:`format_table` and ``ResultsSet.table(fmt=...)``.
TABLE_FORMATS = ("frame", "text", "html", "latex", "markdown")

Rows = tuple[tuple[str, str], ...]


@dataclass(frozen=True, eq=False)
class Summary:
    """The summary of one estimate: ``str()`` gives the text, notebooks render the HTML.

    Attributes
    ----------
    title : str
        Method, form and output.
    sections : tuple of (str, tuple of (str, str))
        Headed blocks of (label, value) rows: the roles of the columns, the options in
        words, the sample with drops by reason, the inference and the search.
    coefficients : DataFrame
        One row per parameter: estimate, standard error, statistic, p-value and interval.
    diagnostics : tuple of str
        The diagnostics section: the checks of the estimate (how many passed, each check,
        the failures' problem and fix) and the estimator's notes (empty when there are none).
    """

    title: str
    sections: tuple[tuple[str, Rows], ...]
    coefficients: pd.DataFrame
    diagnostics: tuple[str, ...]

    def as_text(self) -> str:
        """Plain text (what ``print(results.summary())`` shows)."""
        body = self.coefficients.to_string(float_format=lambda v: f"{v:.4f}")
        width = max(len(body.splitlines()[0]), 40)
        label = max(len(k) for _, rows in self.sections for k, _ in rows)
        rule = "-" * width
        out = ["=" * width, self.title]
        for head, rows in self.sections:
            out += [rule, f"{head}:", *(f"  {k:<{label}} : {v}" for k, v in rows)]
        out += [rule, body]
        if self.diagnostics:
            out += [rule, "Diagnostics:", *(f"  - {d}" for d in self.diagnostics)]
        return "\n".join([*out, "=" * width])

    def as_html(self) -> str:
        """HTML (what a notebook shows)."""
        e = html.escape
        rows = "".join(
            f"<tr><th colspan='2' style='text-align:left'>{e(head)}</th></tr>"
            + "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in block)
            for head, block in self.sections
        )
        coef = self.coefficients.to_html(float_format=lambda v: f"{v:.4f}", border=0)
        diag = "".join(f"<li>{e(d)}</li>" for d in self.diagnostics)
        diag = f"<p>Diagnostics</p><ul>{diag}</ul>" if diag else ""
        return (
            f"<div><p><b>{e(self.title)}</b></p><table>{rows}</table>{coef}{diag}</div>"
        )

    def to_latex(self) -> str:
        """LaTeX: a table of the sections, the coefficient table and the diagnostics."""
        rows = {f"{head}: {k}": v for head, block in self.sections for k, v in block}
        parts = [
            pd.Series(rows, name="").to_frame().to_latex(escape=True),
            self.coefficients.to_latex(float_format="%.4f", escape=True),
        ]
        if self.diagnostics:
            diag = pd.DataFrame({"Diagnostics": self.diagnostics})
            parts.append(diag.to_latex(escape=True, index=False))
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()


def summarise(res: ProductionResults, level: float = 0.95) -> Summary:
    """The :class:`Summary` of ``res``, intervals at ``level``."""
    spec = res.spec
    record = REGISTRY.get(res.method)
    kind = "gross output" if spec.gross_output else "value added"
    title = f"{record.label if record else res.method} ({spec.form}, {kind})"
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
    sections = (
        ("Model", spec.role_rows()),
        ("Options", _options(res.options)),
        ("Sample", _sample(res)),
        ("Inference", _inference(res)),
        ("Estimation", _estimation(res)),
    )
    return Summary(title, tuple(s for s in sections if s[1]), coef, _diagnostics(res))


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


def _options(options: Any) -> Rows:
    """The options (``to_dict``: nested records as mappings) in words, field by field."""
    fields = options if isinstance(options, Mapping) else options.to_dict()
    return tuple((str(k).replace("_", " "), _words(v)) for k, v in fields.items())


def _sample(res: ProductionResults) -> Rows:
    dropped = ", ".join(
        f"{k.replace('_', ' ')} {v:,}" for k, v in res.dropped.items() if v
    )
    return (
        ("Observations", f"{res.nobs:,}"),
        ("Firms", f"{res.n_firms:,}"),
        ("Periods", f"{res.n_periods:,}"),
        ("Left out, by reason", dropped or "none"),
    )


def _inference(res: ProductionResults) -> Rows:
    inf, b = res.inference, res.bootstrap
    rows = [("Standard errors", inf.kind)]
    if inf.kind == "analytic":
        cov = f"clustered by {inf.cluster}" if inf.vcov == "cluster" else inf.vcov
        rows.append(("Covariance", str(cov)))
    if inf.kind == "bootstrap" and b is not None:
        rows.append(("Covariance", f"bootstrap, firms ({inf.cluster}) resampled"))
        fails = f"{b.failed} failed, {b.not_converged} not converged"
        rows.append(("Replicates", f"{b.reps} ({fails})"))
        seed = "injected indices" if b.injected else str(b.seed_entropy)
        rows.append(("Seed entropy", seed))
    if inf.kind != "none":
        dist = f"t ({inf.df} df)" if inf.distribution == "t" else "normal"
        rows.append(("Statistics", dist))
    return tuple(rows)


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
    if "r2" in res.first_stage:
        rows.append(("First-stage R2", f"{res.first_stage['r2']:.4f}"))
    try:
        rts = res.returns_to_scale()
    except Exception:  # a summary never fails on an optional line
        return tuple(rows)
    p = f" (Wald test of CRS p = {rts.p_value:.4f})" if rts.p_value is not None else ""
    return (*rows, ("Returns to scale", f"{rts.value:.4f}{p}"))


def _diagnostics(res: ProductionResults) -> tuple[str, ...]:
    """The diagnostics section: every check of :mod:`tfp.diagnostics` (the failed ones with
    their fix), then the estimator's notes, one per line."""
    return res.diagnostics.lines()


def format_table(frame: pd.DataFrame, fmt: str) -> Any:
    """``frame`` itself or as text, HTML, LaTeX or Markdown (see :data:`TABLE_FORMATS`)."""
    validate_literal(fmt, TABLE_FORMATS, name="fmt")
    if fmt == "frame":
        return frame
    if fmt == "text":
        return frame.to_string()
    if fmt == "html":
        return frame.to_html(border=0)
    if fmt == "latex":
        return frame.to_latex(escape=True)
    cells = [["", *map(str, frame.columns)]]
    cells += [[str(i), *map(str, r)] for i, r in zip(frame.index, frame.to_numpy())]
    lines = ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in cells]
    return "\n".join([lines[0], "|" + " --- |" * len(cells[0]), *lines[1:]])
