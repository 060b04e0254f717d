"""Several results side by side: :class:`ResultsSet` and its comparison table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tfp._frozen import FrozenDict
from tfp._literals import validate_literal
from tfp.estimators.registry import REGISTRY
from tfp.results.production import ProductionResults
from tfp.results.summary import TABLE_FORMATS, format_table

__all__ = ["ResultsSet"]


class ResultsSet(Mapping[str, ProductionResults]):
    """Several results side by side (ordered mapping label → results).

    ``params`` is a terms × models DataFrame; :meth:`table` builds the comparison table
    economists paste into papers.
    """

    def __init__(self, results: Mapping[str, ProductionResults]) -> None:
        self._results = FrozenDict(dict(results))

    def __getitem__(self, key: str) -> ProductionResults:
        return self._results[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._results)

    def __len__(self) -> int:
        return len(self._results)

    @property
    def params(self) -> pd.DataFrame:
        """Estimates, one column per model (terms in first-seen order)."""
        return pd.DataFrame({k: r.params for k, r in self._results.items()})

    def table(
        self,
        stat: str = "std_error",
        *,
        stars: bool = False,
        digits: int = 3,
        fmt: str = "frame",
        terms: Sequence[str] | None = None,
    ) -> Any:
        """The comparison table: the output on top, each estimate over its standard error,
        t or interval, then N, firms, returns to scale and the inference of each model (the
        layout of linearmodels' ``compare()`` and pyfixest's ``etable``). Formatted tables
        end with a note on what the parentheses hold and, with ``stars``, the levels.

        Parameters
        ----------
        stat : {'std_error', 'tstat', 'ci'}
            What goes under each estimate (in parentheses/brackets).
        stars : bool
            Append significance stars (* 10%, ** 5%, *** 1%).
        digits : int
            Decimals.
        fmt : {'frame', 'text', 'html', 'latex', 'markdown'}
            Return a DataFrame or a formatted string (every format is written by tfp: no
            jinja2 or tabulate needed).
        terms : sequence of str, optional
            Rows to show (default: the production terms of every model).
        """
        validate_literal(stat, ("std_error", "tstat", "ci"), name="stat")
        validate_literal(fmt, TABLE_FORMATS, name="fmt")
        if terms is None:
            terms = list(dict.fromkeys(t for r in self.values() for t in r.spec.terms))
        index = ["Output", *(x for t in terms for x in (t, ""))]
        index += ["N", "Firms", "Returns to scale", "Inference"]
        cols = {}
        for label, r in self.items():
            name = REGISTRY[label].label if label in REGISTRY else label
            cols[name] = [
                r.spec.output,
                *_cells(r, terms, stat, stars, digits),
                *_footer(r, digits),
            ]
        below = {"std_error": "Standard errors", "tstat": "t statistics"}
        notes = [
            f"{below[stat]} in parentheses."
            if stat in below
            else "Confidence intervals (95%) in brackets."
        ]
        if stars:
            notes.append("* p < 0.1, ** p < 0.05, *** p < 0.01.")
        return format_table(pd.DataFrame(cols, index=index), fmt, notes)

    def __str__(self) -> str:
        return str(self.table(fmt="text"))

    def _repr_html_(self) -> str:
        return str(self.table(fmt="html"))


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def _cells(
    r: ProductionResults, terms: Sequence[str], stat: str, stars: bool, digits: int
) -> list[str]:
    """Estimate and the line under it, for each term (blank when the model lacks it)."""
    ci = r.conf_int() if stat == "ci" else None
    out: list[str] = []
    for t in terms:
        if t not in r.params.index:
            out += ["", ""]
            continue
        est = f"{r.params[t]:.{digits}f}" + (
            _stars(float(r.pvalues[t])) if stars else ""
        )
        se = float(r.std_errors[t])
        if not np.isfinite(se):
            below = ""
        elif stat == "std_error":
            below = f"({se:.{digits}f})"
        elif stat == "tstat":
            below = f"({float(r.tstats[t]):.2f})"
        else:
            assert ci is not None
            lo, hi = ci.loc[t, ["lower", "upper"]].to_numpy(dtype=np.float64)
            below = f"[{lo:.{digits}f}, {hi:.{digits}f}]"
        out += [est, below]
    return out


def _footer(r: ProductionResults, digits: int) -> list[str]:
    try:
        rts = f"{r.returns_to_scale().value:.{digits}f}"
    except Exception:  # a table never fails on an optional line
        rts = ""
    return [f"{r.nobs:,}", f"{r.n_firms:,}", rts, r.se_type]
