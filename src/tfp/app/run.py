"""``tfp report`` as a function: :func:`run` reads, estimates, builds the content, writes.

1. read the programme records (the embedded 2020 records by default, or the files a
   :class:`~tfp.app.PipelineConfig` names) and check them (:func:`tfp.program.check_records`);
2. read the firm panel (a CSV/Parquet ENE-like panel, or the embedded simulated one) and
   estimate the factor shares (:func:`tfp.estimate`, ACF by default, firm-cluster bootstrap);
3. compute the outcome indicators (:mod:`tfp.productivity`), the programme's tables
   (:mod:`tfp.program`) and the charts (:mod:`tfp.report.plots`);
4. hand them to :mod:`tfp.report`, which writes everything into a temporary directory that
   replaces ``out`` only when every file is written, so a failed run leaves ``out`` as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from tfp._labels import label
from tfp._optional import require_extra
from tfp.app.config import DEFAULT_METHOD, PipelineConfig
from tfp.app.estimation import Check, Estimation, Note, estimate_shares
from tfp.app.headline import EVIDENCE
from tfp.app.inputs import FirmPanel, load_panel, load_records
from tfp.app.outcomes import (
    indicator_list,
    outcome_tables,
    product_sections,
    program_tables,
)
from tfp.exceptions import ConfigError
from tfp.options import options_in_words
from tfp.program import Finding, ProgramRecords, check_records, findings_frame
from tfp.report import build, plots

__all__ = ["STEPS", "ProgramReport", "run"]

#: Progress callback: ``(step, completed, total)``; ``step`` is a name of :data:`STEPS`.
Progress = Callable[[str, int, int], None]

#: The steps of a run, as reported to the progress callback (then ``"done"``).
STEPS = ("records", "panel", "estimation", "productivity", "tables", "charts", "write")


@dataclass(frozen=True)
class ProgramReport:
    """What :func:`run` produced. Read-only.

    Attributes
    ----------
    config : PipelineConfig
        The configuration that was run (resolved defaults).
    tables : Mapping[str, DataFrame]
        Every table of the report (machine names, English snake_case columns), as written to
        ``csv/<name>.csv``. Each access returns the stored frame; copy before changing it.
    figures : Mapping[str, bytes]
        PNG images of the charts, as embedded in the HTML.
    indicators : tuple of dict
        The indicators of ``indicators.json``: ``id, group, name, value, unit, year,
        source, table, row, column`` (``table``/``row``/``column`` locate the value in
        ``tables``).
    findings : tuple of Finding
        Contradictions in the records (:func:`tfp.program.check_records`).
    notes : tuple of str
        Warnings of the estimation and of the indicators, in the report's language.
    method : str
        The estimator used.
    paths : Mapping[str, Path]
        Files written (``html``, ``xlsx``, ``json``, ``csv`` directory), inside ``out``.
    elapsed : float
        Seconds the run took.
    """

    config: PipelineConfig
    tables: Mapping[str, pd.DataFrame]
    figures: Mapping[str, bytes]
    indicators: tuple[Mapping[str, Any], ...]
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    method: str
    paths: Mapping[str, Path]
    elapsed: float

    def __repr__(self) -> str:
        return (
            f"ProgramReport(method={self.method!r}, tables={len(self.tables)}, "
            f"figures={len(self.figures)}, indicators={len(self.indicators)}, "
            f"findings={len(self.findings)}, out={str(self.config.out)!r})"
        )


def run(
    config: PipelineConfig | str | Path | None = None,
    *,
    out: str | Path | None = None,
    lang: str | None = None,
    progress: Progress | None = None,
) -> ProgramReport:
    """Run the PP 0093 reporting pipeline and write the report.

    Parameters
    ----------
    config : PipelineConfig, path of a TOML file, or None
        ``None`` runs on the embedded data: the 2020 records transcribed from PRODUCE's
        follow-up report and a simulated ENE-like panel.
    out : path, optional
        Overrides ``config.out``.
    lang : {'es', 'en'}, optional
        Overrides ``config.lang``.
    progress : callable, optional
        Called as ``progress(step, completed, total)`` at each step (the CLI draws a bar).

    Returns
    -------
    ProgramReport
        ``paths`` names the files written: ``reporte_pp0093.html``, ``.pdf``, ``.xlsx``,
        ``indicadores.json`` and ``csv/`` in Spanish; ``report_pp0093.*`` and
        ``indicators.json`` in English (CSV files keep machine names in any language).

    Raises
    ------
    ConfigError
        A mistake in the config (file, line, key). Nothing is written.
    RecordsError
        Bad records, naming file, row and column. Nothing is written.
    TFPError
        Any other bad input (a panel column, an option of the method). Nothing is written.

    Examples
    --------
    >>> import tfp.app, tempfile
    >>> rep = tfp.app.run(out=tempfile.mkdtemp(), lang="en")  # doctest: +SKIP
    >>> sorted(rep.paths)  # doctest: +SKIP
    ['csv', 'html', 'json', 'pdf', 'xlsx']
    """
    t0 = time.perf_counter()
    require_extra("report", what="the report")  # before any work: fail at once
    cfg = _resolve(config, out=out, lang=lang)
    step = _stepper(progress)
    step("records")
    records = load_records(cfg)
    findings = tuple(check_records(records))
    step("panel")
    panel = load_panel(cfg)
    step("estimation")
    t_est = time.perf_counter()
    est = estimate_shares(panel.data, cfg)
    t_est = time.perf_counter() - t_est
    step("productivity")
    found: list[Note] = list(est.notes)
    outcome = outcome_tables(
        panel.data, est, columns=cfg.columns, truth=panel.truth, notes=found
    )
    step("tables")
    tables = {**outcome, **program_tables(records, lang=cfg.lang)}
    tables["findings"] = findings_frame(list(findings), lang=cfg.lang)
    notes = tuple(dict.fromkeys(n.text(cfg.lang) for n in found))
    step("charts")
    simulated = cfg.panel is None
    figures = plots.report_figures(tables, lang=cfg.lang, simulated=simulated)
    step("write")
    content = build.ReportContent(
        heading=_heading(records),
        tables=MappingProxyType(tables),
        figures=MappingProxyType(figures),
        products=product_sections(records, tables),
        indicators=tuple(indicator_list(tables, year=records.year, lang=cfg.lang)),
        findings=findings,
        notes=notes,
        method=cfg.method,
        lang=cfg.lang,
        simulated=simulated,
        implausible=est.implausible,
        methods_note=_methods_note(cfg, records, est, panel, t_est),
        check_method=cfg.check_method() if est.check is not None else None,
        disagreement=tuple(
            label(_input_key(cfg, t), cfg.lang, domain="input")
            for t in est.disagreement
        ),
        diagnostics=diagnostic_lines(est.checks, cfg.lang, _subjects(cfg)),
    )
    paths = _write_atomically(cfg, content)
    step("done")
    return ProgramReport(
        config=cfg,
        tables=content.tables,
        figures=content.figures,
        indicators=tuple(MappingProxyType(i) for i in content.indicators),
        findings=findings,
        notes=notes,
        method=cfg.method,
        paths=MappingProxyType(paths),
        elapsed=time.perf_counter() - t0,
    )


def _resolve(
    config: PipelineConfig | str | Path | None,
    *,
    out: str | Path | None,
    lang: str | None,
) -> PipelineConfig:
    """The config to run: as given, read from a file, or the default; with overrides."""
    if config is None:
        cfg = PipelineConfig()
    elif isinstance(config, PipelineConfig):
        cfg = config
    else:
        cfg = PipelineConfig.from_toml(config)
    overrides: dict[str, Any] = {
        "out": None if out is None else Path(out),
        "lang": lang,
    }
    return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})


def _stepper(progress: Progress | None) -> Callable[[str], None]:
    def step(name: str) -> None:
        if progress is not None:
            done = len(STEPS) if name == "done" else STEPS.index(name)
            progress(name, done, len(STEPS))

    return step


def _heading(records: ProgramRecords) -> build.Heading:
    fw = records.framework
    return build.Heading(
        programme=fw.programme,
        name=fw.name,
        year=records.year,
        final_result=fw.final_result,
        specific_result=fw.specific_result,
        source=records.source,
        has_register=records.register is not None,
    )


def _input_key(cfg: PipelineConfig, term: str) -> str:
    """The ``input`` label key of a term of the production function."""
    roles = dict(zip((cfg.columns.state, *cfg.columns.free), _INPUTS, strict=False))
    return roles.get(term, term)


_INPUTS = ("capital", "skilled_labour", "unskilled_labour")


def _subjects(cfg: PipelineConfig) -> dict[str, str]:
    """The ``input`` label key of each column a diagnostic may concern."""
    cols = cfg.columns
    keys = {cols.output: "output", cols.proxy: "proxy"}
    return keys | {t: _input_key(cfg, t) for t in (cols.state, *cols.free)}


def diagnostic_lines(
    checks: tuple[Check, ...], lang: str, subjects: Mapping[str, str] | None = None
) -> tuple[tuple[str, str, str], ...]:
    """Each check as ``(sentence, status, status text)`` in ``lang`` (the methods note).

    Written against :class:`~tfp.app.estimation.Check` only: a check whose name has no
    sentence in the ``diagnostic`` label domain is shown with its name, value and threshold.
    ``subjects`` maps a check's subject (a column) to its ``input`` label key, so that the
    reader sees "Capital físico", not the column's name.
    """
    subjects = subjects or {}
    out = []
    for c in checks:
        key = subjects.get(c.subject)
        fields = {
            "value": c.value,
            "threshold": c.threshold or "",
            "message": c.message,
            "subject": c.subject if key is None else label(key, lang, domain="input"),
        }
        key = c.name if c.name in _DIAGNOSTIC_KEYS else "other"
        text = label(key, lang, domain="diagnostic", name=c.name, **fields)
        out.append((text, c.status, label(c.status, lang, domain="status")))
    return tuple(out)


_DIAGNOSTIC_KEYS = frozenset(
    ("convergence", "elasticity", "returns_to_scale", "weak_instruments",
     "kleibergen_paap", "hansen_j", "precision", "competing_minima",
     "functional_dependence", "obs_per_parameter", "firms", "state_within", "levels",
     "at_start", "bootstrap", "estimator_notice")
)  # fmt: skip


def _methods_note(
    cfg: PipelineConfig,
    records: ProgramRecords,
    est: Estimation,
    panel: FirmPanel,
    seconds: float,
) -> tuple[str, ...]:
    """The choices behind the numbers, in words, in the report's language."""
    res, lang = est.results, cfg.lang

    def say(key: str, **fields: Any) -> str:
        return label(key, lang, domain="methods", **fields)

    def name(method: str) -> str:
        return label(method, lang, domain="method")

    src = dict(panel.source)
    lines = [say(f"panel_{src.pop('kind')}", **src)]
    lines.append(
        say(
            "estimator",
            method=name(cfg.method),
            nobs=res.nobs,
            n_firms=res.n_firms,
            seconds=seconds,
        )
    )
    if cfg.method == DEFAULT_METHOD:
        short = cfg.method.upper()
        lines.append(
            say("why_default", method=name(cfg.method), short=short, **EVIDENCE)
        )
    else:
        lines.append(say("why_config", method=name(cfg.method)))
    lines.append(
        say(
            "options",
            method=name(cfg.method),
            options=options_in_words(res.options, lang),
        )
    )
    if est.check is not None and cfg.check_method() is not None:
        check = name(str(cfg.check_method()))
        lines.append(
            say(
                "check", method=check, options=options_in_words(est.check.options, lang)
            )
        )
    if cfg.reps:
        lines.append(say("bootstrap", reps=cfg.reps, seed=cfg.seed))
    else:
        lines.append(say("no_bootstrap"))
    weights = "weighted" if cfg.columns.weights else "unweighted"
    lines.append(say(f"index_{weights}"))
    lines.append(say(f"labour_{weights}"))
    lines.append(say("published"))
    lines.append(say("records", source=records.source.rstrip(". ")))
    return (*lines, *([say("config", source=cfg.source)] if cfg.source else []))


def _write_atomically(
    cfg: PipelineConfig, content: build.ReportContent
) -> dict[str, Path]:
    """Write into a temporary sibling of ``out``, then move the files into ``out``."""
    out = cfg.out.resolve()
    if out.exists() and not out.is_dir():
        raise ConfigError(
            f"the output path {str(out)!r} exists and is not a directory",
            key="report.out",
            fix="pass --out a directory",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it 0700; the user's umask decides
    try:
        written = build.write_report(content, tmp, formats=cfg.formats)
        if not out.exists():
            os.replace(tmp, out)
        else:
            for name in sorted(os.listdir(tmp)):
                target = out / name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                os.replace(tmp / name, target)
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {k: out / Path(v).relative_to(tmp) for k, v in written.items()}


def _umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
