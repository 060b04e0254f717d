"""The application's estimation step: the headline estimate, a check estimate, their
agreement, the headline's diagnostics as typed checks, and notes for the report.

Notes are typed (:class:`Note`: a catalogue key and its fields) so the report writes them in
its language; :func:`diagnostic_checks` is the one place that reads a result's diagnostics.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from tfp._labels import label
from tfp.api import estimate
from tfp.app.config import PipelineConfig
from tfp.exceptions import (
    BootstrapFailureWarning,
    ConvergenceWarning,
    DroppedObservationsWarning,
    TFPError,
    TFPWarning,
    UnreliableEstimateWarning,
)
from tfp.options import Bootstrap
from tfp.results import ProductionResults

__all__ = [
    "PLAUSIBLE_ELASTICITY",
    "PLAUSIBLE_RTS",
    "Check",
    "Estimation",
    "Note",
    "diagnostic_checks",
    "disagreement",
    "estimate_shares",
]

#: Mean output elasticities outside this range, or returns to scale outside
#: ``PLAUSIBLE_RTS``, are flagged in the report: firm-level estimates in the literature (and
#: PRODUCE's 0.262/0.588/0.166) lie well inside them.
PLAUSIBLE_ELASTICITY = (-0.05, 1.2)
PLAUSIBLE_RTS = (0.5, 1.5)

T = TypeVar("T")


@dataclass(frozen=True)
class Note:
    """A note for the report's readers: a key of the ``note`` label domain and its fields.

    :meth:`text` writes it in a language; the fields are numbers or catalogue keys, so
    nothing in it is fixed in English.
    """

    key: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def text(self, lang: str) -> str:
        """The note in ``lang``."""
        fields = dict(self.fields)
        if self.key == "dropped":
            reasons = fields.pop("reasons")
            fields["reasons"] = ", ".join(
                f"{label(r, lang, domain='drop_reason')}: {n:,}"
                for r, n in reasons.items()
            )
            fields["what"] = label(fields["what"], lang, domain="note_what")
        return label(self.key, lang, domain="note", **fields)


@dataclass(frozen=True)
class Check:
    """One diagnostic check of an estimate, as the report shows it.

    The fields follow the typed diagnostics record of the estimation layer
    (:class:`tfp.diagnostics.Check`); :func:`diagnostic_checks` fills them from a result.

    Attributes
    ----------
    name : str
        A key of the ``diagnostic`` label domain (its text in Spanish and English).
    status : {'ok', 'warn', 'fail'}
    value : float, str or None
        What was measured (a number, or the estimates shown).
    threshold : str or None
        The bound it is compared with, as text (``"0.5–1.5"``).
    message, fix : str
        The estimation layer's own text (English), kept for logs and the JSON file.
    subject : str
        The input, term or column the check concerns ('' for the whole estimate).
    """

    name: str
    status: str
    value: float | str | None = None
    threshold: str | None = None
    message: str = ""
    fix: str = ""
    subject: str = ""


@dataclass(frozen=True)
class Estimation:
    """The estimated production function and what the report says about it.

    Attributes
    ----------
    results : ProductionResults
        The headline estimate (``cfg.method``).
    check : ProductionResults or None
        The check estimate (``cfg.check_method()``), bootstrapped with the same seed.
    notes : tuple of Note
        Estimation warnings, a missing check, implausible shares.
    implausible : bool
        The shares are outside :data:`PLAUSIBLE_ELASTICITY` / :data:`PLAUSIBLE_RTS`.
    disagreement : tuple of str
        Terms whose 95 % intervals of the headline and the check do not overlap.
    checks : tuple of Check
        The headline's diagnostics (:func:`diagnostic_checks`).
    """

    results: ProductionResults
    check: ProductionResults | None
    notes: tuple[Note, ...]
    implausible: bool
    disagreement: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()


def collect_warnings(
    fn: Callable[..., T], *args: Any, notes: list[Note], **kwargs: Any
) -> T:
    """Call ``fn``, turning tfp warnings into ``notes`` (the report shows them).

    Dropped rows are not noted here: the caller notes them from the counts on the result
    (``dropped`` or ``attrs['dropped']``), in the report's language.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TFPWarning)
        out = fn(*args, **kwargs)
    for w in caught:
        if issubclass(
            w.category, DroppedObservationsWarning | UnreliableEstimateWarning
        ):
            continue  # counted, or shown in the report's language among the diagnostics
        if issubclass(w.category, TFPWarning):
            notes.append(_warning_note(w.category, str(w.message)))
        else:  # not ours: let the caller's filters decide
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, source=w.source
            )
    return out


def _warning_note(category: type, message: str) -> Note:
    if issubclass(category, ConvergenceWarning):
        return Note("convergence", {"message": message})
    if issubclass(category, BootstrapFailureWarning):
        return Note("bootstrap_failed", {"message": message})
    return Note("warning", {"message": message})


def dropped_note(what: str, dropped: Mapping[str, int], n_input: int) -> Note | None:
    """A note of the rows left out of ``what`` (a ``note_what`` key), or None."""
    total = int(sum(dropped.values()))
    if not total:
        return None
    reasons = {str(k): int(v) for k, v in dropped.items() if v}
    return Note(
        "dropped", {"what": what, "n": total, "total": n_input, "reasons": reasons}
    )


def estimate_shares(data: pd.DataFrame, cfg: PipelineConfig) -> Estimation:
    """Estimate the production function the config asks for, and its check estimate."""
    cols = cfg.columns
    roles: dict[str, Any] = {"output": cols.output, "free": list(cols.free)}
    roles |= {"state": cols.state, "id": cols.id, "time": cols.time}
    se: Any = "none"
    if cfg.reps:
        se = Bootstrap(reps=cfg.reps, seed=cfg.seed, n_jobs=cfg.n_jobs)
    notes: list[Note] = []
    res = collect_warnings(
        estimate,
        data,
        method=cfg.method,
        options=cfg.method_options(),
        se=se,
        notes=notes,
        **roles,
        **_proxy(cfg.method, cols.proxy),
    )
    note = dropped_note("estimation", res.dropped, len(data))
    notes += [note] if note else []
    check = None
    method = cfg.check_method()
    if method is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check = estimate(
                    data,
                    method=method,
                    options=cfg.check_options(),
                    se=se,
                    **roles,
                    **_proxy(method, cols.proxy),
                )
        except TFPError as err:  # the check is optional; say why it is missing
            notes.append(Note("no_check", {"method": method, "message": str(err)}))
    problem = implausible(res)
    notes += [Note("implausible")] if problem else []
    return Estimation(
        res,
        check,
        tuple(notes),
        bool(problem),
        disagreement(res, check),
        diagnostic_checks(res),
    )


def _proxy(method: str, proxy: str) -> dict[str, Any]:
    return {"proxy": proxy} if method in ("acf", "lp", "op", "wrdg", "gnr") else {}


def disagreement(
    results: ProductionResults, check: ProductionResults | None, level: float = 0.95
) -> tuple[str, ...]:
    """Terms whose ``level`` intervals of ``results`` and ``check`` do not overlap."""
    if check is None or (results.vcov is None and results.bootstrap is None):
        return ()
    if check.vcov is None and check.bootstrap is None:
        return ()
    a, b = results.conf_int(level), check.conf_int(level)
    out = []
    for term in a.index.intersection(b.index):
        lo_a, hi_a = a.loc[term, "lower"], a.loc[term, "upper"]
        lo_b, hi_b = b.loc[term, "lower"], b.loc[term, "upper"]
        if np.isfinite([lo_a, hi_a, lo_b, hi_b]).all() and (hi_a < lo_b or hi_b < lo_a):
            out.append(str(term))
    return tuple(out)


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
        "indicators built on them are not reliable; compare the check estimator's "
        "column and check the estimator's options"
    )


def diagnostic_checks(results: ProductionResults) -> tuple[Check, ...]:
    """The diagnostics of ``results`` as typed checks (the report's methods note).

    This adapter is the only reader of a result's diagnostics: the convergence of the
    search, every judged check of the typed record ``results.diagnostics``
    (:mod:`tfp.diagnostics`: plausibility, identification strength, sample, inputs, search),
    the bootstrap's failed replicates, then each of the estimator's notes as an
    ``estimator_notice``.
    """
    out: list[Check] = []
    conv = results.convergence
    if conv is not None and conv.method != "closed form":
        out.append(
            Check(
                "convergence",
                "ok" if conv.converged else "fail",
                f"{conv.n_starts_at_min}/{conv.n_starts}",
                message=str(conv.message),
            )
        )
    out += [
        Check(
            c.name,
            "ok" if c.passed else "fail",
            c.value,
            _threshold(c.bounds),
            c.problem,
            c.fix,
            c.subject,
        )
        for c in results.diagnostics.checks
        if c.passed is not None
    ]
    boot = results.bootstrap
    if boot is not None:
        failed = int(boot.failed)
        status = "ok" if failed == 0 else "warn"
        out.append(Check("bootstrap", status, f"{failed}/{boot.reps}"))
    out += [
        Check("estimator_notice", "warn", None, message=d) for d in results.diagnostics
    ]
    return tuple(out)


def _threshold(bounds: tuple[float, float]) -> str:
    """A check's bounds as text: ``0 – 1.2``, ``≥ 10``, ``≤ 0.95`` (minus signs typeset)."""
    lo, hi = bounds
    if np.isinf(lo):
        text = f"≤ {hi:.3g}"
    elif np.isinf(hi):
        text = f"≥ {lo:.3g}"
    elif lo == hi:
        text = f"{lo:.3g}"
    else:
        text = f"{lo:.3g} – {hi:.3g}"
    return text.replace("-", "−")
