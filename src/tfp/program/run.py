"""The PP 0093 reporting pipeline: records + firm panel -> HTML, Excel, CSV and JSON report.

:func:`run` is what ``tfp report`` does, for a pipeline that imports the library:

1. read the programme records (the embedded 2020 records by default, or the files a
   :class:`PipelineConfig` names) and check them (:func:`tfp.program.check_records`);
2. read the firm panel (a CSV/Parquet ENE-like panel, or the embedded simulated one,
   :func:`tfp.datasets.synthetic_ene`) and estimate the factor shares
   (:func:`tfp.estimate`, ACF by default, with a firm-cluster bootstrap);
3. compute the outcome indicators (:mod:`tfp.productivity`: TFP index by size class with
   large firms = 100, MIPYME TFP by year, MYPE labour productivity by year), the programme's
   execution tables (:mod:`tfp.program`) and the charts;
4. write everything into a temporary directory and move it into ``out`` only when every
   step has succeeded, so a failed run leaves ``out`` as it was.

Config file (TOML) schema: see :meth:`PipelineConfig.from_toml` and
``docs/how-to/reporting-pipeline.md``; ``examples/pipeline.toml`` is a documented example.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
import time
import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from tfp._literals import LANGS, validate_literal
from tfp.exceptions import RecordsError, TFPError
from tfp.program.checks import Finding, check_records
from tfp.program.records import ProgrammeRecords, read_records

__all__ = ["PanelColumns", "PipelineConfig", "ProgrammeReport", "run"]

#: Progress callback: ``(step, completed, total)``; ``step`` is a short description.
Progress = Callable[[str, int, int], None]

_METHODS = ("acf", "lp", "op", "wrdg", "ols", "fe", "gnr")
_FORMATS = ("html", "xlsx", "csv", "json")
_STEPS = (
    "records",
    "panel",
    "estimation",
    "productivity",
    "tables",
    "charts",
    "write",
)


@dataclass(frozen=True)
class PanelColumns:
    """Column names of the firm panel (defaults: those of :func:`tfp.datasets.synthetic_ene`).

    Attributes
    ----------
    id, time : str
        Firm identifier and year.
    output : str
        Log real value added.
    free : tuple of str
        Log skilled and unskilled labour (free inputs).
    state : str
        Log capital.
    proxy : str
        Log materials (the LP/ACF proxy).
    weights : str or None
        Survey expansion factor (ENE ``Factor_exp``); ``None`` counts every firm once.
    sales : str
        Annual sales in soles (size classes by Ley 30056 when ``size_class`` is absent).
    size_class : str
        Size-class column (``micro``/``small``/``medium``/``large``); derived from ``sales``
        when the panel has no such column.
    value_added : str
        Nominal value added in soles (labour productivity).
    workers : tuple of str
        Worker counts, summed (labour productivity).
    """

    id: str = "firm_id"
    time: str = "year"
    output: str = "y"
    free: tuple[str, ...] = ("ls", "lu")
    state: str = "k"
    proxy: str = "m"
    weights: str | None = "weight"
    sales: str = "sales_soles"
    size_class: str = "size_class"
    value_added: str = "va_soles"
    workers: tuple[str, ...] = ("workers_skilled", "workers_unskilled")

    def numeric(self) -> tuple[str, ...]:
        """Columns that must be numeric."""
        cols = [
            self.time,
            self.output,
            *self.free,
            self.state,
            self.proxy,
            self.sales,
            self.value_added,
            *self.workers,
        ]
        if self.weights is not None:
            cols.append(self.weights)
        return tuple(dict.fromkeys(cols))

    def required(self) -> tuple[str, ...]:
        """Columns the panel must have (``size_class`` is optional)."""
        return tuple(dict.fromkeys([self.id, *self.numeric()]))


@dataclass(frozen=True)
class PipelineConfig:
    """What :func:`run` reads, estimates and writes. Every field has a working default.

    Attributes
    ----------
    records : Path or None
        Programme records: a directory, an Excel workbook (see :mod:`tfp.program.records`).
        ``None``: the embedded PP 0093 2020 records with the synthetic register
        (:func:`tfp.datasets.pp0093.load_pp0093_2020`).
    panel : Path or None
        Firm panel (``.csv`` or ``.parquet``) with the columns of ``columns``. ``None``: the
        simulated ENE-like panel :func:`tfp.datasets.synthetic_ene` (``n_firms``, ``years``,
        ``panel_seed``).
    columns : PanelColumns
    n_firms : int, default 1000
        Firms per year of the simulated panel (moderate, for a run of well under a minute).
    years : tuple of int, default 2015–2019
    panel_seed : int, default 2020
    method : {'acf', 'lp', 'op', 'wrdg', 'ols', 'fe', 'gnr'}, default 'acf'
        Estimator of the factor shares. ACF falls back to LP only when ACF is not available
        in the installed tfp (the report says so).
    options : Mapping, default ``{"markov_degree": 1, "extra_instruments": ("k",)}``
        Keyword arguments of the method's options class (here :class:`tfp.ACFOptions`; lists
        become tuples). The default law of motion is an AR(1), which is how the embedded
        simulated panel's productivity evolves, and lagged capital is an extra instrument
        (Kim, Luo & Su 2019), which keeps bootstrap replicates away from the spurious ACF
        minima: without it, 15 of 49 replicates of the default run ended more than 0.5 away
        from the estimate. ``{}`` uses the method's own defaults.
    reps : int, default 49
        Firm-cluster bootstrap replicates (0: no standard errors or intervals).
    seed : int, default 2020
        Bootstrap seed.
    n_jobs : int, default 1
        Bootstrap workers (results do not depend on it).
    lang : {'es', 'en'}, default 'es'
        Language of the report (Spanish: the report's readers).
    out : Path, default ``tfp-report``
        Output directory.
    formats : tuple of {'html', 'xlsx', 'csv', 'json'}
        What to write.
    source : str or None
        The config file this was read from (for messages), ``None`` when built in code.
    """

    records: Path | None = None
    panel: Path | None = None
    columns: PanelColumns = field(default_factory=PanelColumns)
    n_firms: int = 1000
    years: tuple[int, ...] = (2015, 2016, 2017, 2018, 2019)
    panel_seed: int = 2020
    method: str = "acf"
    options: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType(
            {"markov_degree": 1, "extra_instruments": ("k",)}
        )
    )
    reps: int = 49
    seed: int = 2020
    n_jobs: int = 1
    lang: str = "es"
    out: Path = Path("tfp-report")
    formats: tuple[str, ...] = _FORMATS
    source: str | None = None

    def __post_init__(self) -> None:
        where = self.source

        def bad(key: str, problem: str, fix: str) -> RecordsError:
            return RecordsError(
                problem,
                file=where,
                row=_line_of(where, key),
                column=key,
                fix=fix,
            )

        if self.method not in _METHODS:
            raise bad(
                "method",
                f"method={self.method!r} is not one of {set(_METHODS)}",
                'use method = "acf" (or lp, op, wrdg, ols, fe, gnr)',
            )
        if self.lang not in LANGS:
            raise bad(
                "lang",
                f"lang={self.lang!r} is not one of {{'es', 'en'}}",
                'use lang = "es" or "en"',
            )
        for name, low in (("n_firms", 50), ("reps", 0), ("seed", 0), ("panel_seed", 0)):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < low:
                raise bad(
                    name,
                    f"{name}={v!r} is not an integer >= {low}",
                    f"use {name} = <integer >= {low}>",
                )
        if self.reps == 1:
            raise bad(
                "reps", "reps=1 gives no standard errors", "use reps = 0 (none) or >= 2"
            )
        if not isinstance(self.n_jobs, int) or self.n_jobs == 0:
            raise bad(
                "n_jobs",
                f"n_jobs={self.n_jobs!r} is not a non-zero integer",
                "use n_jobs = 1",
            )
        years = tuple(self.years)
        if len(years) < 3 or any(b - a != 1 for a, b in itertools.pairwise(years)):
            raise bad(
                "years",
                f"years={list(years)} are not at least 3 consecutive years",
                "use e.g. years = [2015, 2019] (first and last)",
            )
        bad_fmt = [f for f in self.formats if f not in _FORMATS]
        if bad_fmt or not self.formats:
            raise bad(
                "formats",
                f"formats={list(self.formats)} must be a non-empty subset of {list(_FORMATS)}",
                f"use formats = {list(_FORMATS)}",
            )
        object.__setattr__(self, "years", years)
        object.__setattr__(self, "formats", tuple(self.formats))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "out", Path(self.out))

    @classmethod
    def from_toml(cls, path: str | Path) -> PipelineConfig:
        """Read a pipeline config file (TOML). Relative paths are relative to the file.

        Tables and keys (all optional)::

            [report]      lang = "es" | "en";  out = "dir";  formats = ["html", ...]
            [records]     path = "dir or workbook"
            [panel]       path = "panel.csv | .parquet";  id, time, output, free (list),
                          state, proxy, weights, sales, size_class, value_added,
                          workers (list)
            [synthetic]   n_firms, years = [first, last], seed  (when panel.path is absent)
            [estimation]  method, reps, seed, n_jobs
            [estimation.options]  keyword arguments of the method's options class

        Raises
        ------
        RecordsError
            Naming the file, the line and the key: a syntax error, an unknown table or key,
            a value of the wrong type, a file that does not exist.
        """
        path = Path(path)
        where = str(path)
        if not path.is_file():
            raise RecordsError(
                "config file not found",
                file=where,
                fix="pass the path of a TOML file such as examples/pipeline.toml",
            )
        text = path.read_text(encoding="utf-8")
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            m = re.search(r"line (\d+)", str(err))
            raise RecordsError(
                f"not valid TOML ({err})",
                file=where,
                row=int(m.group(1)) if m else None,
                fix="fix the syntax (key = value; strings in quotes; [table] headers)",
            ) from None
        allowed: dict[str, tuple[str, ...]] = {
            "report": ("lang", "out", "formats"),
            "records": ("path",),
            "panel": ("path", *(f.name for f in fields(PanelColumns))),
            "synthetic": ("n_firms", "years", "seed"),
            "estimation": ("method", "reps", "seed", "n_jobs", "options"),
        }
        for table, body in doc.items():
            if table not in allowed:
                raise RecordsError(
                    f"unknown table [{table}]",
                    file=where,
                    row=_find_line(text, rf"^\s*\[\s*{re.escape(table)}\s*\]"),
                    column=table,
                    fix=f"use the tables {list(allowed)}",
                )
            if not isinstance(body, dict):
                raise RecordsError(
                    f"{table} must be a table ([{table}])",
                    file=where,
                    row=_find_line(text, rf"^\s*{re.escape(table)}\s*="),
                    column=table,
                    fix=f"write [{table}] followed by key = value lines",
                )
            for key in body:
                if key not in allowed[table]:
                    raise RecordsError(
                        f"unknown key {key!r} in [{table}]",
                        file=where,
                        row=_key_line(text, table, key),
                        column=f"{table}.{key}",
                        fix=f"use one of {list(allowed[table])}",
                    )

        def get(
            table: str, key: str, kind: type | tuple[type, ...], default: Any
        ) -> Any:
            body = doc.get(table, {})
            if key not in body:
                return default
            v = body[key]
            ok = isinstance(v, kind) and not (isinstance(v, bool) and kind is not bool)
            if isinstance(kind, tuple) and isinstance(v, bool) and bool not in kind:
                ok = False
            if not ok:
                names = (
                    kind.__name__
                    if isinstance(kind, type)
                    else " or ".join(k.__name__ for k in kind)
                )
                raise RecordsError(
                    f"{table}.{key} = {v!r} is not a {names}",
                    file=where,
                    row=_key_line(text, table, key),
                    column=f"{table}.{key}",
                    fix=f"give {table}.{key} a {names}",
                )
            return v

        def strings(table: str, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
            v = get(table, key, (list, str), None)
            if v is None:
                return default
            items = [v] if isinstance(v, str) else v
            if not items or not all(isinstance(s, str) and s for s in items):
                raise RecordsError(
                    f"{table}.{key} = {v!r} is not a list of column names",
                    file=where,
                    row=_key_line(text, table, key),
                    column=f"{table}.{key}",
                    fix=f'write {key} = ["name1", "name2"]',
                )
            return tuple(items)

        base = path.resolve().parent

        def file_path(table: str, must_exist: bool = True) -> Path | None:
            p = get(table, "path", str, None)
            if p is None:
                return None
            full = (base / p).resolve()
            if must_exist and not full.exists():
                raise RecordsError(
                    f"{table}.path {p!r} does not exist (looked for {str(full)!r})",
                    file=where,
                    row=_key_line(text, table, "path"),
                    column=f"{table}.path",
                    fix="give a path relative to the config file, or an absolute path",
                )
            return full

        d = PanelColumns()
        weights = get("panel", "weights", str, d.weights)
        columns = PanelColumns(
            id=get("panel", "id", str, d.id),
            time=get("panel", "time", str, d.time),
            output=get("panel", "output", str, d.output),
            free=strings("panel", "free", d.free),
            state=get("panel", "state", str, d.state),
            proxy=get("panel", "proxy", str, d.proxy),
            weights=weights or None,
            sales=get("panel", "sales", str, d.sales),
            size_class=get("panel", "size_class", str, d.size_class),
            value_added=get("panel", "value_added", str, d.value_added),
            workers=strings("panel", "workers", d.workers),
        )
        years_v = get("synthetic", "years", list, None)
        years = cls.years
        if years_v is not None:
            if len(years_v) != 2 or not all(isinstance(y, int) for y in years_v):
                raise RecordsError(
                    f"synthetic.years = {years_v!r} is not [first, last]",
                    file=where,
                    row=_key_line(text, "synthetic", "years"),
                    column="synthetic.years",
                    fix="write years = [2015, 2019]",
                )
            years = tuple(range(int(years_v[0]), int(years_v[1]) + 1))
        out = get("report", "out", str, None)
        options = get("estimation", "options", dict, {})
        return cls(
            records=file_path("records"),
            panel=file_path("panel"),
            columns=columns,
            n_firms=get("synthetic", "n_firms", int, cls.n_firms),
            years=years,
            panel_seed=get("synthetic", "seed", int, cls.panel_seed),
            method=get("estimation", "method", str, cls.method),
            options=options,
            reps=get("estimation", "reps", int, cls.reps),
            seed=get("estimation", "seed", int, cls.seed),
            n_jobs=get("estimation", "n_jobs", int, cls.n_jobs),
            lang=get("report", "lang", str, cls.lang),
            out=(base / out) if out is not None else cls.out,
            formats=strings("report", "formats", _FORMATS),
            source=where,
        )


def _find_line(text: str, pattern: str) -> int | None:
    rx = re.compile(pattern)
    for i, line in enumerate(text.splitlines(), start=1):
        if rx.search(line):
            return i
    return None


def _key_line(text: str, table: str, key: str) -> int | None:
    """Line of ``key = ...`` inside ``[table]`` (1-based), or None."""
    current = ""
    head = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]")
    assign = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i, line in enumerate(text.splitlines(), start=1):
        m = head.match(line)
        if m:
            current = m.group(1)
            continue
        if current == table and assign.match(line):
            return i
    return None


def _line_of(source: str | None, key: str) -> int | None:
    """Line of a config key in the source file (any table), for messages."""
    if source is None:
        return None
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError:
        return None
    return _find_line(text, rf"^\s*{re.escape(key)}\s*=")


@dataclass(frozen=True)
class ProgrammeReport:
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
        Method notes (estimator, bootstrap, sample; fallback when it happened).
    method : str
        The estimator actually used.
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
            f"ProgrammeReport(method={self.method!r}, tables={len(self.tables)}, "
            f"figures={len(self.figures)}, indicators={len(self.indicators)}, "
            f"findings={len(self.findings)}, out={str(self.config.out)!r})"
        )


def _noop(step: str, completed: int, total: int) -> None:
    return None


def run(
    config: PipelineConfig | str | Path | None = None,
    *,
    out: str | Path | None = None,
    lang: str | None = None,
    progress: Progress | None = None,
) -> ProgrammeReport:
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
    ProgrammeReport

    Raises
    ------
    RecordsError
        Bad records or config, naming file, row and column. Nothing is written.
    TFPError
        Any other bad input (a panel column, an option of the method). Nothing is written.

    Examples
    --------
    >>> import tfp.program, tempfile
    >>> rep = tfp.program.run(out=tempfile.mkdtemp(), lang="en")  # doctest: +SKIP
    >>> sorted(rep.paths)  # doctest: +SKIP
    ['csv', 'html', 'json', 'xlsx']
    """
    t0 = time.perf_counter()
    if config is None:
        cfg = PipelineConfig()
    elif isinstance(config, PipelineConfig):
        cfg = config
    else:
        cfg = PipelineConfig.from_toml(config)
    overrides: dict[str, Any] = {}
    if out is not None:
        overrides["out"] = Path(out)
    if lang is not None:
        validate_literal(lang, LANGS, name="lang")
        overrides["lang"] = lang
    if overrides:
        cfg = replace(cfg, **overrides)
    report = progress or _noop
    total = len(_STEPS)

    def step(i: int) -> None:
        report(_STEPS[i], i, total)

    from tfp.report import build, plots, tables

    step(0)
    records = _load_records(cfg)
    findings = tuple(check_records(records))
    step(1)
    data, truth, panel_note = _load_panel(cfg)
    step(2)
    t_est = time.perf_counter()
    estimation = _estimate(data, cfg)
    t_est = time.perf_counter() - t_est
    step(3)
    outcome = tables.outcome_tables(
        data,
        estimation.results,
        columns=cfg.columns,
        truth=truth,
        cross_check=estimation.cross_check,
    )
    step(4)
    prog = tables.programme_tables(records, lang=cfg.lang)
    all_tables = {**outcome, **prog, "findings": tables.findings_table(findings)}
    indicators = tables.indicator_list(all_tables, records=records)
    notes = (panel_note, *estimation.notes)
    step(5)
    simulated = cfg.panel is None
    figures = plots.report_figures(all_tables, lang=cfg.lang, simulated=simulated)
    step(6)
    content = build.ReportContent(
        records=records,
        tables=MappingProxyType(all_tables),
        figures=MappingProxyType(figures),
        indicators=tuple(indicators),
        findings=findings,
        notes=notes,
        method=estimation.method,
        lang=cfg.lang,
        config_source=cfg.source,
        simulated=simulated,
        methods_note=_methods_note(cfg, records, estimation, panel_note, t_est),
    )
    paths = _write_atomically(cfg, content, build)
    report("done", total, total)
    return ProgrammeReport(
        config=cfg,
        tables=MappingProxyType(all_tables),
        figures=MappingProxyType(figures),
        indicators=tuple(MappingProxyType(i) for i in indicators),
        findings=findings,
        notes=notes,
        method=estimation.method,
        paths=MappingProxyType(paths),
        elapsed=time.perf_counter() - t0,
    )


# --------------------------------------------------------------------------------------
# steps
# --------------------------------------------------------------------------------------


def _load_records(cfg: PipelineConfig) -> ProgrammeRecords:
    if cfg.records is None:
        from tfp.datasets.pp0093 import load_pp0093_2020

        return load_pp0093_2020()
    return read_records(cfg.records)


def _load_panel(
    cfg: PipelineConfig,
) -> tuple[pd.DataFrame, Mapping[str, float] | None, str]:
    """The firm panel, the true shares when simulated, and a note on where it came from."""
    cols = cfg.columns
    if cfg.panel is None:
        from tfp.datasets import synthetic_ene

        sim = synthetic_ene(n_firms=cfg.n_firms, years=cfg.years, seed=cfg.panel_seed)
        note = (
            f"synthetic_ene(n_firms={cfg.n_firms}, years={cfg.years[0]}-{cfg.years[-1]}, "
            f"seed={cfg.panel_seed})"
        )
        return sim.data, dict(sim.truth.params), note
    path = cfg.panel
    where = str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            data = pd.read_csv(path, dtype={cols.id: str})
        except (
            pd.errors.ParserError,
            UnicodeDecodeError,
            pd.errors.EmptyDataError,
        ) as err:
            raise RecordsError(
                f"cannot read the panel as CSV ({err})",
                file=where,
                fix="save it as UTF-8 CSV with a header row",
            ) from None
    elif suffix in (".parquet", ".pq"):
        try:
            data = pd.read_parquet(path)
        except ImportError:
            raise RecordsError(
                "reading Parquet needs pyarrow, which is not installed",
                file=where,
                fix="pip install pyarrow, or save the panel as CSV",
            ) from None
    else:
        raise RecordsError(
            f"unknown panel format {suffix!r}",
            file=where,
            fix="use a .csv or .parquet file",
        )
    _check_panel(data, cols, where)
    return data, None, f"{path.name} ({len(data):,} rows)"


def _check_panel(data: pd.DataFrame, cols: PanelColumns, where: str) -> None:
    """Every required column is present and numeric where it must be; name file/row/column."""
    for c in cols.required():
        if c not in data.columns:
            raise RecordsError(
                f"the panel has no column {c!r} (columns: {list(map(str, data.columns))[:12]})",
                file=where,
                row=1,
                column=c,
                fix="rename the column or name it in the [panel] table of the config",
            )
    for c in cols.numeric():
        s = data[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            continue
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna() & s.notna() & (s.astype(str).str.strip() != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise RecordsError(
                f"{s.iloc[i]!r} is not a number",
                file=where,
                row=i + 2,
                column=c,
                fix="use plain numbers (no thousands separators or currency symbols)",
            )


@dataclass(frozen=True)
class _Estimation:
    results: Any
    method: str
    notes: tuple[str, ...]
    cross_check: Mapping[str, Mapping[str, float]]


def _estimate(data: pd.DataFrame, cfg: PipelineConfig) -> _Estimation:
    import tfp
    from tfp.estimators.registry import REGISTRY

    cols = cfg.columns
    method = cfg.method
    notes: list[str] = []
    if method == "acf" and "acf" not in REGISTRY:
        method = "lp"
        notes.append("fallback")
    roles: dict[str, Any] = {
        "output": cols.output,
        "free": list(cols.free),
        "state": cols.state,
        "id": cols.id,
        "time": cols.time,
    }
    if method in ("acf", "lp", "op", "wrdg", "gnr"):
        roles["proxy"] = cols.proxy
    options = None
    if cfg.options:
        cls = REGISTRY[method].options
        name = cls.__name__
        try:
            options = cls(
                **{
                    k: tuple(v) if isinstance(v, list) else v
                    for k, v in cfg.options.items()
                }
            )
        except TypeError as err:
            raise RecordsError(
                f"estimation.options: {err}",
                file=cfg.source,
                row=_line_of(cfg.source, next(iter(cfg.options))),
                column="estimation.options",
                fix=f"use the fields of {name}",
            ) from None
    se: Any = (
        "none"
        if cfg.reps == 0
        else tfp.Bootstrap(reps=cfg.reps, seed=cfg.seed, n_jobs=cfg.n_jobs)
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = tfp.estimate(data, method=method, options=options, se=se, **roles)
    for w in caught:
        if issubclass(w.category, tfp.exceptions.TFPWarning):
            notes.append(f"{w.category.__name__}: {w.message}")
        else:  # not ours: hand it back to the caller's filters
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, source=w.source
            )
    cross: dict[str, dict[str, float]] = {}
    if method != "lp":
        # a cheap point-estimate cross-check with Levinsohn-Petrin (no bootstrap)
        lp_roles = {**roles, "proxy": cols.proxy}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lp = tfp.estimate(data, method="lp", se="none", **lp_roles)
            cross["lp"] = {str(k): float(v) for k, v in lp.params.items()}
        except TFPError as err:  # the cross-check is optional; say why it is missing
            notes.append(f"LP cross-check not computed: {err}")
    implausible = _implausible(res.params)
    if implausible:
        notes.insert(0 if "fallback" not in notes else 1, "implausible")
        notes.append(implausible)
    return _Estimation(res, method, tuple(notes), MappingProxyType(cross))


#: Output elasticities of a value-added Cobb-Douglas outside this range, or returns to scale
#: outside ``PLAUSIBLE_RTS``, are flagged in the report: firm-level estimates in the literature
#: (and PRODUCE's 0.262/0.588/0.166) lie well inside them.
PLAUSIBLE_ELASTICITY = (-0.05, 1.2)
PLAUSIBLE_RTS = (0.5, 1.5)


def _implausible(params: pd.Series) -> str:
    """A message when the estimated shares are implausible, else ''."""
    values = {str(k): float(v) for k, v in params.items()}
    rts = sum(values.values())
    lo, hi = PLAUSIBLE_ELASTICITY
    bad = {k: v for k, v in values.items() if not (lo <= v <= hi)}
    if bad or not (PLAUSIBLE_RTS[0] <= rts <= PLAUSIBLE_RTS[1]):
        shown = ", ".join(f"{k} = {v:.3f}" for k, v in values.items())
        return (
            f"implausible factor shares ({shown}; returns to scale {rts:.3f}): the TFP "
            "indicators built on them are not reliable; compare the Levinsohn-Petrin "
            "column and check the estimator's options"
        )
    return ""


def _methods_note(
    cfg: PipelineConfig,
    records: ProgrammeRecords,
    est: _Estimation,
    panel_note: str,
    seconds: float,
) -> tuple[str, ...]:
    """The choices behind the numbers, in the report's language."""
    res = est.results
    cols = cfg.columns
    es = cfg.lang == "es"
    boot = (
        (
            f"bootstrap por empresa, {cfg.reps} réplicas, semilla {cfg.seed}"
            if es
            else f"firm-cluster bootstrap, {cfg.reps} replicates, seed {cfg.seed}"
        )
        if cfg.reps
        else (
            "sin errores estándar (reps = 0)" if es else "no standard errors (reps = 0)"
        )
    )
    opts = (
        repr(res.options) if getattr(res, "options", None) is not None else "defaults"
    )
    fallback = "fallback" in est.notes
    lines = [
        (f"Panel de empresas: {panel_note}." if es else f"Firm panel: {panel_note}."),
        (
            f"Estimador: {est.method}{' (ACF no disponible: LP)' if fallback else ''}; producto {cols.output} (log valor agregado real), "
            f"insumos libres {', '.join(cols.free)}, estado {cols.state}, proxy {cols.proxy}; {boot}; "
            f"{res.nobs:,} observaciones de {res.n_firms:,} empresas; {seconds:.1f} s."
            if es
            else f"Estimator: {est.method}{' (ACF unavailable: LP)' if fallback else ''}; output {cols.output} (log real value added), "
            f"free inputs {', '.join(cols.free)}, state {cols.state}, proxy {cols.proxy}; {boot}; "
            f"{res.nobs:,} observations of {res.n_firms:,} firms; {seconds:.1f} s."
        ),
        (f"Opciones del estimador: {opts}." if es else f"Estimator options: {opts}."),
        (
            "Índice de PTF: media de los niveles exp(ω) de cada tamaño (Ley 30056, ventas en UIT del año) "
            f"ponderada por el factor de expansión '{cols.weights}', relativa a la gran empresa (= 100); "
            "intervalos del 95 % por percentiles de las réplicas bootstrap. Productividad del trabajo: "
            "valor agregado real (IPC Lima) por trabajador (calificado + no calificado) de las MYPE."
            if es
            else "TFP index: mean of TFP levels exp(ω) of each size class (Ley 30056, sales in UIT of the year) "
            f"weighted by the expansion factor '{cols.weights}', relative to large firms (= 100); "
            "95 % intervals from bootstrap replicate percentiles. Labour productivity: real value added "
            "(IPC Lima) per worker (skilled + unskilled) of MYPE."
        ),
        (
            "Cifras publicadas: PRODUCE-OGEIEE, Reporte de seguimiento del PP 0093 2020, sección «Productividad de las MIPYME» (ENE 2015–2019)."
            if es
            else "Published figures: PRODUCE-OGEIEE, PP 0093 2020 follow-up report, section “Productividad de las MIPYME” (ENE 2015–2019)."
        ),
        (
            f"Registros del programa: {records.source}"
            if es
            else f"Programme records: {records.source}"
        ),
    ]
    if cfg.source:
        lines.append(
            f"Configuración: {cfg.source}" if es else f"Configuration: {cfg.source}"
        )
    return tuple(lines)


def _write_atomically(cfg: PipelineConfig, content: Any, build: Any) -> dict[str, Path]:
    """Write into a temporary sibling of ``out``, then move the files into ``out``."""
    out = cfg.out.resolve()
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    try:
        written = build.write_report(content, tmp, formats=cfg.formats)
        if not out.exists():
            os.replace(tmp, out)
        else:
            if not out.is_dir():
                raise RecordsError(
                    "the output path exists and is not a directory",
                    file=str(out),
                    fix="pass --out a directory",
                )
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
