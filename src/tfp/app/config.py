"""What ``tfp report`` reads, estimates and writes: :class:`PipelineConfig` and its TOML file.

The config file's schema is one table, :data:`SCHEMA`: a :class:`Field` per key (its table,
type, allowed values) whose default is the :class:`PipelineConfig` attribute it sets. One
function, :func:`check`, validates a value against its field, whether the config was read
from a file or built in code; a mistake raises :class:`~tfp.exceptions.ConfigError` naming
the file, the line, the key, the problem and the fix. ``examples/pipeline.toml`` is a
documented example and ``docs/how-to/reporting-pipeline.md`` the reference.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tfp._literals import LANGS
from tfp.exceptions import ConfigError, TFPError

__all__ = [
    "ACF_OPTIONS",
    "DEFAULT_METHOD",
    "FORMATS",
    "METHODS",
    "SCHEMA",
    "Field",
    "PanelColumns",
    "PipelineConfig",
]

#: Estimators the report can use (their roles are those of :class:`PanelColumns`).
METHODS = ("acf", "lp", "op", "wrdg", "ols", "fe", "gnr")
#: The report's options of ACF (see :class:`PipelineConfig`).
ACF_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"markov_degree": 1, "extra_instruments": ("k",)}
)
#: The report's headline estimator, chosen by the Monte Carlo on the embedded panel's design
#: (:mod:`tfp.app.headline`; docs/explanation/headline-estimator.md): on that design LP has
#: the smallest error of the size-class TFP index and intervals that cover the truth.
DEFAULT_METHOD = "lp"
#: Files the report can write.
FORMATS = ("html", "pdf", "xlsx", "csv", "json")


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
        and ``time`` with :func:`tfp.peru.size_class` when the panel has no such column.
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
        cols = [self.time, self.output, *self.free, self.state, self.proxy, self.sales]
        cols += [
            self.value_added,
            *self.workers,
            *([self.weights] if self.weights else []),
        ]
        return tuple(dict.fromkeys(cols))

    def required(self) -> tuple[str, ...]:
        """Columns the panel must have (``size_class`` is optional)."""
        return tuple(dict.fromkeys([self.id, *self.numeric()]))


@dataclass(frozen=True)
class Field:
    """One key of the config file.

    Attributes
    ----------
    table, key : str
        Where it is written: ``[table]`` then ``key = value``.
    attr : str
        The :class:`PipelineConfig` attribute it sets (``columns.<name>``: a panel column).
    kind : {'str', 'int', 'names', 'path', 'dir', 'years', 'table'}
        What it holds: text, an integer, a name or a list of names, an existing file or
        directory, a directory to write, ``[first, last]`` years, a TOML table. Paths in the
        file are relative to the file.
    allowed : tuple of str
        The values a ``str`` (or each of ``names``) may take; empty: any.
    low : int or None
        The smallest allowed ``int``.
    optional : bool
        ``None`` is allowed (written ``""`` for a column).
    rule : callable or None
        A further condition: returns the problem with a value, or ``""``.
    fix : str
        How to write it.
    """

    table: str
    key: str
    attr: str
    kind: str
    allowed: tuple[str, ...] = ()
    low: int | None = None
    optional: bool = False
    rule: Callable[[Any], str] | None = None
    fix: str = ""


def _is_str(v: Any) -> bool:
    return isinstance(v, str) and v != ""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


#: kind -> (test of the attribute's value, what it must be)
_KINDS: Mapping[str, tuple[Callable[[Any], bool], str]] = {
    "str": (_is_str, "a non-empty string"),
    "int": (_is_int, "an integer"),
    "names": (
        lambda v: isinstance(v, tuple) and bool(v) and all(map(_is_str, v)),
        "a list of names",
    ),
    "path": (lambda v: isinstance(v, Path), "a path"),
    "dir": (lambda v: isinstance(v, Path), "a path"),
    "years": (lambda v: isinstance(v, tuple) and all(map(_is_int, v)), "years"),
    "table": (lambda v: isinstance(v, Mapping), "a table of key = value lines"),
}


def _consecutive(v: tuple[int, ...]) -> str:
    ok = len(v) >= 3 and all(b - a == 1 for a, b in itertools.pairwise(v))
    return "" if ok else "are not at least 3 consecutive years"


def _exists(v: Path) -> str:
    return "" if v.exists() else "does not exist"


_PATH_FIX = "give a path relative to the config file, or an absolute path"
_COLUMN_FIELDS = tuple(
    Field("panel", f.name, f"columns.{f.name}", "names", fix=f'{f.name} = ["<column>", ...]')
    if f.name in ("free", "workers")
    else Field("panel", f.name, f"columns.{f.name}", "str", optional=f.name == "weights", fix=f'{f.name} = "<column>"')
    for f in fields(PanelColumns)
)  # fmt: skip

#: The config file's keys, in the order of the reference table.
SCHEMA: tuple[Field, ...] = (
    Field("report", "lang", "lang", "str", allowed=LANGS, fix='lang = "es" or "en"'),
    Field("report", "out", "out", "dir", fix='out = "<directory>"'),
    Field("report", "formats", "formats", "names", allowed=FORMATS, fix=f"formats = {list(FORMATS)}"),
    Field("records", "path", "records", "path", optional=True, rule=_exists, fix=_PATH_FIX),
    Field("panel", "path", "panel", "path", optional=True, rule=_exists, fix=_PATH_FIX),
    *_COLUMN_FIELDS,
    Field("synthetic", "n_firms", "n_firms", "int", low=50),
    Field("synthetic", "years", "years", "years", rule=_consecutive, fix="years = [2015, 2019] (first and last)"),
    Field("synthetic", "seed", "panel_seed", "int", low=0),
    Field("estimation", "method", "method", "str", allowed=METHODS, fix='method = "lp" (or acf, op, wrdg, ols, fe, gnr)'),
    Field("estimation", "check", "check", "str", allowed=(*METHODS, "none"), optional=True, fix='check = "acf" (or another method, or "none")'),
    Field("estimation", "reps", "reps", "int", low=0, rule=lambda v: "gives no standard errors" * (v == 1), fix="reps = 0 (none) or >= 2"),
    Field("estimation", "seed", "seed", "int", low=0),
    Field("estimation", "n_jobs", "n_jobs", "int", rule=lambda v: "is zero" * (v == 0), fix="n_jobs = 1"),
    Field("estimation", "options", "options", "table", fix="[estimation.options] with the fields of the method's options class"),
)  # fmt: skip
_TABLES: Mapping[str, Mapping[str, Field]] = {
    t: {f.key: f for f in SCHEMA if f.table == t} for t in dict.fromkeys(f.table for f in SCHEMA)
}  # fmt: skip


def check(f: Field, value: Any) -> str:
    """Return what is wrong with ``value`` for field ``f`` (``""`` when nothing is)."""
    if value is None and f.optional:
        return ""
    ok, what = _KINDS[f.kind]
    shown = f"{f.key}={_shown(value)}"
    if not ok(value):
        return f"{shown} is not {what}"
    if f.allowed and not set(value if f.kind == "names" else [value]) <= set(f.allowed):
        kind = "a subset" if f.kind == "names" else "one"
        return f"{shown} is not {kind} of {list(f.allowed)}"
    if f.low is not None and value < f.low:
        return f"{shown} is not an integer >= {f.low}"
    problem = f.rule(value) if f.rule is not None else ""
    return f"{shown} {problem}" if problem else ""


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    return repr(str(value)) if isinstance(value, Path) else repr(value)


@dataclass(frozen=True)
class PipelineConfig:
    """What :func:`tfp.app.run` reads, estimates and writes. Every field has a working default.

    Attributes
    ----------
    records : Path or None
        Programme records: a directory, an Excel workbook (see :mod:`tfp.program.records`).
        ``None``: the embedded PP 0093 2020 records with the synthetic register
        (:func:`tfp.program.load_pp0093_2020`).
    panel : Path or None
        Firm panel (``.csv`` or ``.parquet``) with the columns of ``columns``. ``None``: the
        simulated ENE-like panel :func:`tfp.datasets.synthetic_ene` (``n_firms``, ``years``,
        ``panel_seed``).
    columns : PanelColumns
    n_firms : int, default 1000
        Firms per year of the simulated panel (moderate, for a run of well under a minute).
    years : tuple of int, default 2015–2019
    panel_seed : int, default 2020
    method : {'acf', 'lp', 'op', 'wrdg', 'ols', 'fe', 'gnr'}, default 'lp'
        Headline estimator of the factor shares (:data:`DEFAULT_METHOD`, chosen by a Monte
        Carlo on the embedded panel's design, :mod:`tfp.app.headline`).
    check : str or None
        Second estimator shown beside the headline, with its own bootstrap intervals; the
        report says when their intervals do not overlap. ``None`` (default): ACF when the
        headline is LP, LP otherwise; ``"none"``: no check.
    options : Mapping or None
        Keyword arguments of the method's options class (e.g. :class:`tfp.ACFOptions`; lists
        become tuples). ``None`` (default): :data:`ACF_OPTIONS` for ACF, the method's own
        defaults for any other method. The default ACF law of motion is an AR(1), which is how the embedded
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
    formats : tuple of {'html', 'pdf', 'xlsx', 'csv', 'json'}
        What to write (all by default).
    source : str or None
        The config file this was read from (for messages), ``None`` when built in code.

    Raises
    ------
    ConfigError
        A value that :data:`SCHEMA` does not allow, or options the method's options class
        rejects; the message names the key (and the file and line when read from a file).
    """

    records: Path | None = None
    panel: Path | None = None
    columns: PanelColumns = field(default_factory=PanelColumns)
    n_firms: int = 1000
    years: tuple[int, ...] = (2015, 2016, 2017, 2018, 2019)
    panel_seed: int = 2020
    method: str = DEFAULT_METHOD
    check: str | None = None
    options: Mapping[str, Any] | None = None
    reps: int = 49
    seed: int = 2020
    n_jobs: int = 1
    lang: str = "es"
    out: Path = Path("tfp-report")
    formats: tuple[str, ...] = FORMATS
    source: str | None = None

    def __post_init__(self) -> None:
        for name in ("method", "check"):  # any case, as everywhere a method is named
            if isinstance(getattr(self, name), str):
                object.__setattr__(self, name, getattr(self, name).strip().lower())
        for name in ("years", "formats"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("records", "panel", "out"):
            if isinstance(getattr(self, name), str):
                object.__setattr__(self, name, Path(getattr(self, name)))
        options = self.options
        if options is None:  # ACF's defaults for the report; other methods their own
            options = dict(ACF_OPTIONS) if self.method == "acf" else {}
        if self.check is None:
            object.__setattr__(self, "check", "acf" if self.method == "lp" else "lp")
        if isinstance(options, Mapping):
            object.__setattr__(self, "options", MappingProxyType(dict(options)))
        for f in SCHEMA:
            problem = check(f, self._value(f))
            if problem:
                raise self._error(f, problem)
        self.method_options()

    def _value(self, f: Field) -> Any:
        owner, _, name = f.attr.rpartition(".")
        return getattr(self.columns if owner else self, name)

    def _error(self, f: Field, problem: str, fix: str | None = None) -> ConfigError:
        low = f"integer >= {f.low}" if f.low is not None else _KINDS[f.kind][1]
        return ConfigError(
            problem,
            file=self.source,
            line=_key_line(self.source, f.table, f.key)
            or _key_line(self.source, f"{f.table}.{f.key}", None),  # a [table.key]
            key=f"{f.table}.{f.key}",
            fix=fix or f"write {f.fix or f'{f.key} = <{low}>'}",
        )

    def check_method(self) -> str | None:
        """The check estimator (None when :attr:`check` is ``"none"`` or the headline)."""
        return None if self.check in ("none", self.method) else self.check

    def check_options(self) -> Any:
        """The options of the check estimator: the report's ACF options, else defaults."""
        if self.check_method() != "acf":
            return None
        return _options_object("acf", ACF_OPTIONS)

    def method_options(self) -> Any:
        """The options object of :attr:`method` built from :attr:`options` (None if empty)."""
        if not self.options:
            return None
        try:
            return _options_object(self.method, self.options)
        except (TypeError, TFPError) as err:
            option = _TABLES["estimation"]["options"]
            cls = _options_class(self.method).__name__
            fix = f"use the fields of {cls}"
            raise self._error(option, f"estimation.options: {err}", fix) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> PipelineConfig:
        """Read a pipeline config file (TOML). Relative paths are relative to the file.

        Tables and keys (all optional; :data:`SCHEMA` lists them with their types)::

            [report]      lang = "es" | "en";  out = "dir";  formats = ["html", ...]
            [records]     path = "dir or workbook"
            [panel]       path = "panel.csv | .parquet";  id, time, output, free (list),
                          state, proxy, weights, sales, size_class, value_added,
                          workers (list)
            [synthetic]   n_firms, years = [first, last], seed  (when panel.path is absent)
            [estimation]  method, check, reps, seed, n_jobs
            [estimation.options]  keyword arguments of the method's options class

        Raises
        ------
        ConfigError
            Naming the file, the line and the key: a syntax error, an unknown table or key,
            a value of the wrong type or not allowed, a file that does not exist.
        """
        path = Path(path)
        where = str(path)
        if not path.is_file():
            fix = "pass the path of a TOML file such as examples/pipeline.toml"
            raise ConfigError("config file not found", file=where, fix=fix)
        text = path.read_text(encoding="utf-8")
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            m = re.search(r"line (\d+)", str(err))
            fix = "fix the syntax (key = value; strings in quotes; [table] headers)"
            raise ConfigError(
                f"not valid TOML ({err})",
                file=where,
                line=int(m.group(1)) if m else None,
                fix=fix,
            ) from None
        values: dict[str, Any] = {}
        for table, body in doc.items():
            keys = _TABLES.get(table)
            if keys is None or not isinstance(body, dict):
                problem = (
                    f"unknown table [{table}]"
                    if keys is None
                    else f"{table} is not a table"
                )
                raise ConfigError(
                    problem,
                    file=where,
                    line=_key_line(where, table, None),
                    key=table,
                    fix=f"use the tables {list(_TABLES)}, each a [table] header then key = value lines",
                )
            for key, raw in body.items():
                if key not in keys:
                    raise ConfigError(
                        f"unknown key {key!r} in [{table}]",
                        file=where,
                        key=f"{table}.{key}",
                        line=_key_line(where, table, key),
                        fix=f"use one of {list(keys)}",
                    )
                values[keys[key].attr] = _from_toml(
                    keys[key], raw, path.resolve().parent
                )
        columns = {k[8:]: v for k, v in values.items() if k.startswith("columns.")}
        kwargs = {k: v for k, v in values.items() if not k.startswith("columns.")}
        return cls(**kwargs, columns=PanelColumns(**columns), source=where)


def _options_class(method: str) -> type:
    from tfp import options as opts

    return next(
        c
        for c in map(opts.__dict__.get, opts.__all__)
        if isinstance(c, type) and method in getattr(c, "methods", ())
    )


def _options_object(method: str, options: Mapping[str, Any]) -> Any:
    """``options`` (lists become tuples) as the options class of ``method``."""
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()}
    return _options_class(method)(**kwargs)


def _from_toml(f: Field, raw: Any, base: Path) -> Any:
    """A value as the file writes it -> the attribute's value (checked later by :func:`check`)."""
    if f.kind in ("path", "dir") and isinstance(raw, str):
        return (base / raw).resolve() if f.kind == "path" else base / raw
    if f.kind == "names" and isinstance(raw, (str, list)):
        return (raw,) if isinstance(raw, str) else tuple(raw)
    if f.kind == "years" and isinstance(raw, list):
        pair = len(raw) == 2 and all(map(_is_int, raw))
        return tuple(range(raw[0], raw[1] + 1)) if pair else tuple(raw)
    return None if f.optional and raw == "" else raw


def _key_line(source: str | None, table: str, key: str | None) -> int | None:
    """Line (1-based) of ``key = ...`` inside ``[table]``; ``key=None``: the table's line."""
    try:
        lines = Path(source).read_text(encoding="utf-8").splitlines() if source else []
    except OSError:
        return None
    current = ""
    for i, line in enumerate(lines, start=1):
        header = re.match(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]", line)
        current = header.group(1) if header else current
        assigns = re.match(rf"^\s*{re.escape(key or table)}\s*=", line)
        if key is None and ((header and current == table) or assigns):
            return i
        if key is not None and assigns and current == table:
            return i
    return None
