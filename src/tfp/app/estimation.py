"""The application's estimation step: the factor shares, a Levinsohn-Petrin cross-check, and a
plausibility flag on the shares; warnings become notes shown in the report."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from tfp.api import estimate
from tfp.app.config import PipelineConfig
from tfp.exceptions import TFPError, TFPWarning
from tfp.options import Bootstrap
from tfp.results import ProductionResults

__all__ = ["PLAUSIBLE_ELASTICITY", "PLAUSIBLE_RTS", "Estimation", "estimate_shares"]

#: Mean output elasticities outside this range, or returns to scale outside
#: ``PLAUSIBLE_RTS``, are flagged in the report: firm-level estimates in the literature (and
#: PRODUCE's 0.262/0.588/0.166) lie well inside them.
PLAUSIBLE_ELASTICITY = (-0.05, 1.2)
PLAUSIBLE_RTS = (0.5, 1.5)

T = TypeVar("T")


@dataclass(frozen=True)
class Estimation:
    """The estimated production function and what the report says about it.

    Attributes
    ----------
    results : ProductionResults
        The headline estimate (``cfg.method``).
    check : ProductionResults or None
        Levinsohn-Petrin point estimates (no bootstrap) when the headline is another method.
    notes : tuple of str
        Estimation warnings, a missing cross-check, implausible shares.
    implausible : bool
        The shares are outside :data:`PLAUSIBLE_ELASTICITY` / :data:`PLAUSIBLE_RTS`.
    """

    results: ProductionResults
    check: ProductionResults | None
    notes: tuple[str, ...]
    implausible: bool


def collect_warnings(
    fn: Callable[..., T], *args: Any, notes: list[str], **kwargs: Any
) -> T:
    """Call ``fn``, turning tfp warnings into ``notes`` (the report shows them)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TFPWarning)
        out = fn(*args, **kwargs)
    for w in caught:
        if issubclass(w.category, TFPWarning):
            notes.append(f"{w.category.__name__}: {w.message}")
        else:  # not ours: let the caller's filters decide
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, source=w.source
            )
    return out


def estimate_shares(data: pd.DataFrame, cfg: PipelineConfig) -> Estimation:
    """Estimate the production function the config asks for, and its LP cross-check."""
    cols = cfg.columns
    roles: dict[str, Any] = {"output": cols.output, "free": list(cols.free)}
    roles |= {"state": cols.state, "id": cols.id, "time": cols.time}
    proxy: dict[str, Any] = {"proxy": cols.proxy}
    se: Any = "none"
    if cfg.reps:
        se = Bootstrap(reps=cfg.reps, seed=cfg.seed, n_jobs=cfg.n_jobs)
    notes: list[str] = []
    res = collect_warnings(
        estimate,
        data,
        method=cfg.method,
        options=cfg.method_options(),
        se=se,
        notes=notes,
        **roles,
        **(proxy if cfg.method in ("acf", "lp", "op", "wrdg", "gnr") else {}),
    )
    check = None
    if cfg.method != "lp":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check = estimate(data, method="lp", se="none", **roles, **proxy)
        except TFPError as err:  # the cross-check is optional; say why it is missing
            notes.append(f"LP cross-check not computed: {err}")
    problem = implausible(res)
    return Estimation(res, check, (*notes, *[problem] * bool(problem)), bool(problem))


def implausible(results: ProductionResults) -> str:
    """A message when the estimated shares are implausible, else ``""``."""
    shares = results.elasticities().mean()
    rts = results.returns_to_scale().value
    lo, hi = PLAUSIBLE_ELASTICITY
    if shares.between(lo, hi).all() and PLAUSIBLE_RTS[0] <= rts <= PLAUSIBLE_RTS[1]:
        return ""
    shown = ", ".join(f"{k} = {v:.3f}" for k, v in shares.items())
    return (
        f"implausible factor shares ({shown}; returns to scale {rts:.3f}): the TFP "
        "indicators built on them are not reliable; compare the Levinsohn-Petrin "
        "column and check the estimator's options"
    )
