"""Text and HTML rendering of results and comparison tables (formatting only, no computation)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp._literals import validate_literal

if TYPE_CHECKING:
    from tfp.results import ProductionResults, ResultsSet

__all__ = ["comparison_table", "results_html", "results_text"]

METHOD_LABELS = {
    "ols": "OLS",
    "fe": "Fixed effects",
    "wrdg": "Wooldridge (GMM)",
    "wrdg-iv": "Wooldridge (IV)",
    "rob": "Robinson-Wooldridge",
    "cost-share": "Cost shares",
    "op": "Olley-Pakes",
    "lp": "Levinsohn-Petrin",
    "acf": "Ackerberg-Caves-Frazer",
    "gnr": "Gandhi-Navarro-Rivers",
}


def _header(res: ProductionResults) -> list[tuple[str, str]]:
    spec = res.spec
    rows = [
        ("Method", METHOD_LABELS.get(res.method, res.method)),
        (
            "Form",
            f"{spec.form}, {'gross output' if spec.gross_output else 'value added'}",
        ),
        ("Output", spec.output),
        ("Observations", f"{res.nobs:,}"),
        ("Firms", f"{res.n_firms:,}"),
        ("Periods", f"{res.n_periods:,}"),
        ("Inference", res.se_type),
    ]
    if res.dropped:
        rows.append(
            ("Dropped", ", ".join(f"{k} {v:,}" for k, v in res.dropped.items()))
        )
    if res.objective is not None and res.convergence.method != "closed form":
        conv = res.convergence
        rows.append(("Criterion", f"{res.objective:.6g}"))
        rows.append(
            (
                "Convergence",
                f"{'yes' if conv.converged else 'NO'} ({conv.method}; {conv.n_starts_at_min}/{conv.n_starts} "
                f"starts at the minimum; {len(conv.local_minima)} distinct minima)",
            )
        )
    if res.bootstrap is not None and res.bootstrap.failed:
        rows.append(
            ("Failed replicates", f"{res.bootstrap.failed} of {res.bootstrap.reps}")
        )
    try:
        rts = res.returns_to_scale()
        txt = f"{rts.value:.4f}"
        if rts.p_value is not None:
            txt += f" (Wald test of CRS p = {rts.p_value:.4f})"
        rows.append(("Returns to scale", txt))
    except Exception:
        pass
    return rows


def results_text(res: ProductionResults, level: float = 0.95) -> str:
    """Plain-text summary of one results object."""
    head = _header(res)
    width = max(len(k) for k, _ in head)
    lines = [f"{k:<{width}} : {v}" for k, v in head]
    tidy = res.tidy(level)
    table = tidy.rename(
        columns={
            "estimate": "coef",
            "std_error": "std err",
            "statistic": "z" if res.inference.distribution != "t" else "t",
            "p_value": "P>|t|" if res.inference.distribution == "t" else "P>|z|",
            "conf_low": f"[{(1 - level) / 2:.3f}",
            "conf_high": f"{1 - (1 - level) / 2:.3f}]",
        }
    )
    body = table.to_string(float_format=lambda v: f"{v:.4f}")
    rule = "=" * max(len(body.splitlines()[0]), 40)
    out = [rule, *lines, "-" * len(rule), body, rule]
    if res.diagnostics:
        out += ["Diagnostics:", *[f"  - {d}" for d in res.diagnostics]]
    return "\n".join(out)


def results_html(res: ProductionResults) -> str:
    """HTML summary (used by ``_repr_html_`` in notebooks)."""
    head = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in _header(res)
    )
    table = res.tidy().to_html(float_format=lambda v: f"{v:.4f}", border=0)
    diag = ""
    if res.diagnostics:
        diag = (
            "<ul>"
            + "".join(f"<li>{html.escape(d)}</li>" for d in res.diagnostics)
            + "</ul>"
        )
    return f"<div><table>{head}</table>{table}{diag}</div>"


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def comparison_table(
    rs: ResultsSet,
    *,
    stat: str = "std_error",
    stars: bool = False,
    digits: int = 3,
    fmt: str = "frame",
    terms: Sequence[str] | None = None,
) -> Any:
    """Side-by-side table: estimate over its standard error / t / CI, plus N, firms and RTS."""
    validate_literal(stat, ("std_error", "tstat", "ci"), name="stat")
    validate_literal(fmt, ("frame", "text", "html", "latex", "markdown"), name="fmt")
    if terms is None:
        seen: dict[str, None] = {}
        for r in rs.values():
            for t in r.spec.terms:
                seen[t] = None
        terms = list(seen)
    cols: dict[str, list[str]] = {}
    index: list[str] = []
    for t in terms:
        index += [t, ""]
    index += ["N", "Firms", "Returns to scale", "Inference"]
    for label, r in rs.items():
        col: list[str] = []
        ci = r.conf_int() if stat == "ci" else None
        for t in terms:
            if t not in r.params.index:
                col += ["", ""]
                continue
            est = f"{r.params[t]:.{digits}f}"
            if stars:
                est += _stars(float(r.pvalues[t]))
            se = float(r.std_errors[t])
            if not np.isfinite(se):
                below = ""
            elif stat == "std_error":
                below = f"({se:.{digits}f})"
            elif stat == "tstat":
                below = f"({float(r.tstats[t]):.2f})"
            else:
                assert ci is not None
                lo = float(ci["lower"].to_numpy()[list(ci.index).index(t)])
                hi = float(ci["upper"].to_numpy()[list(ci.index).index(t)])
                below = f"[{lo:.{digits}f}, {hi:.{digits}f}]"
            col += [est, below]
        try:
            rts = f"{r.returns_to_scale().value:.{digits}f}"
        except Exception:
            rts = ""
        col += [f"{r.nobs:,}", f"{r.n_firms:,}", rts, r.se_type.split(" (")[0]]
        cols[METHOD_LABELS.get(label, label) if label in METHOD_LABELS else label] = col
    frame = pd.DataFrame(cols, index=index)
    if fmt == "frame":
        return frame
    if fmt == "text":
        return frame.to_string()
    if fmt == "html":
        return frame.to_html(border=0)
    if fmt == "latex":
        return frame.to_latex()
    return frame.to_markdown() if hasattr(frame, "to_markdown") else frame.to_string()
