"""Build a firm-year panel from ENE module files: read, check, construct, deflate, pool, report.

See :func:`build_panel`. Every firm read is either in the panel or in ``report.dropped`` with
its reason; every constructed variable is listed in ``report.variables`` with its formula.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tfp._frozen import FrozenDict
from tfp._literals import validate_literal
from tfp.ene.layouts import MODULES, Formula, Layout, load_layout
from tfp.ene.readers import (
    find_module_file,
    read_module,
    resolve_columns,
    to_code,
    to_number,
)
from tfp.exceptions import DataError, DroppedObservationsWarning, SpecificationError
from tfp.peru.deflators import deflate, ipc_lima
from tfp.peru.geo import department, natural_region
from tfp.peru.sectors import produce_sector
from tfp.peru.size import size_class

__all__ = [
    "DEFAULT_POSITIVE",
    "DROP_REASONS",
    "MONEY_VARIABLES",
    "BuildReport",
    "ENEPanel",
    "build_panel",
]

#: Why a firm can be left out, in the order they are checked (the first that applies wins;
#: a firm absent from the identification module is ``missing_module`` before its interview
#: result can be checked).
DROP_REASONS: tuple[str, ...] = (
    "duplicate_id",  # a module has two different rows for the firm
    "interview_result",  # interview result not among the layout's usable codes
    "missing_module",  # the firm has no row in a module
    "non_numeric",  # text that is not a number in a column a formula uses
    "missing_data",  # a variable that must be positive is missing (an empty block)
    "nonpositive_output",  # sales, gross output or value added <= 0
    "nonpositive_input",  # capital, intermediate consumption or workers <= 0
    "nonpositive_weight",  # expansion factor <= 0 (a blank one is kept, with a note)
)
#: Variables in soles: deflated to ``base_year`` (nominal copies keep ``_nominal``).
MONEY_VARIABLES: tuple[str, ...] = (
    "sales",
    "gross_output",
    "intermediate",
    "value_added",
    "capital",
    "capital_end",
    "investment",
    "wage_bill",
)
_OUTPUTS = frozenset({"sales", "gross_output", "value_added"})
#: Variables that must be present and > 0 for a firm to be kept (default of ``positive``).
DEFAULT_POSITIVE: tuple[str, ...] = (
    "gross_output",
    "value_added",
    "intermediate",
    "capital",
    "workers",
)
_LOGGED = (
    "value_added",
    "gross_output",
    "sales",
    "intermediate",
    "capital",
    "investment",
    "workers",
    "workers_skilled",
    "workers_unskilled",
)
_SKILL_RULES = ("occupation", "education")


@dataclass(frozen=True)
class BuildReport:
    """What :func:`build_panel` did.

    Attributes
    ----------
    base_year : int
        Year of the constant soles.
    skilled : str
        Rule that split workers into skilled and unskilled.
    positive : tuple of str
        Variables required to be present and > 0.
    layouts : Mapping[int, str]
        Edition → name of the layout used.
    files : DataFrame
        One row per edition and module: ``edition, module, path, format, rows_read,
        rows_without_id, duplicate_rows_removed, rows_used``.
    firms : DataFrame
        One row per edition: ``edition, year, firms_read, kept`` and one column per reason
        of :data:`DROP_REASONS` (counts of firms).
    dropped : DataFrame
        One row per dropped firm: ``edition, year, firm_id, reason, detail``.
    variables : DataFrame
        One row per output variable: ``variable, formula, module, status, note, unit,
        n_blank_items_as_zero`` (firms where some but not all terms were blank and counted
        as 0, summed over editions).
    notes : tuple of str
        Other facts worth knowing (missing weights, education totals that differ from the
        workers total, codes that map to no sector or region).
    """

    base_year: int
    skilled: str
    positive: tuple[str, ...]
    layouts: Mapping[int, str]
    files: pd.DataFrame = field(repr=False)
    firms: pd.DataFrame = field(repr=False)
    dropped: pd.DataFrame = field(repr=False)
    variables: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()

    @property
    def dropped_counts(self) -> dict[str, int]:
        """Dropped firm-years by reason (reasons with none are omitted)."""
        counts = self.dropped["reason"].value_counts()
        return {r: int(counts[r]) for r in DROP_REASONS if r in counts.index}

    @property
    def n_kept(self) -> int:
        """Firm-years in the panel."""
        return int(self.firms["kept"].sum())

    def __str__(self) -> str:
        lines = [
            f"ENE panel build: {len(self.layouts)} edition(s), skilled={self.skilled!r}, "
            f"constant soles of {self.base_year} (IPC Lima)",
            "rows read per module:",
        ]
        for f in self.files.to_dict("records"):
            extra = []
            if f["duplicate_rows_removed"]:
                extra.append(
                    f"{f['duplicate_rows_removed']} identical duplicate rows removed"
                )
            if f["rows_without_id"]:
                extra.append(f"{f['rows_without_id']} rows without id")
            tail = f" ({'; '.join(extra)})" if extra else ""
            lines.append(
                f"  {f['edition']} {f['module']:<14} {f['rows_read']:>7} rows  "
                f"{Path(str(f['path'])).name}{tail}"
            )
        lines.append("firms kept and dropped per edition:")
        for r in self.firms.to_dict("records"):
            reasons = ", ".join(f"{k} {r[k]}" for k in DROP_REASONS if r[k])
            lines.append(
                f"  {r['edition']} (year {r['year']}): read {r['firms_read']}, kept "
                f"{r['kept']}" + (f"; dropped: {reasons}" if reasons else "")
            )
        lines.append("variables:")
        for v in self.variables.to_dict("records"):
            lines.append(f"  {v['variable']} = {v['formula']}  [{v['status']}]")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


class ENEPanel(NamedTuple):
    """The pooled firm-year panel and the report of its build; unpacks as ``data, report``."""

    data: pd.DataFrame
    report: BuildReport


@dataclass
class _Edition:
    """Intermediate results of one edition."""

    frame: pd.DataFrame
    dropped: list[dict[str, Any]]
    files: list[dict[str, Any]]
    firms_read: int
    partial: dict[str, int]
    notes: list[str]


def _layouts_by_edition(layout: Any, editions: Sequence[int]) -> dict[int, Layout]:
    if (
        isinstance(layout, Mapping)
        and layout
        and all(
            isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in layout
        )
    ):
        missing = [e for e in editions if e not in layout]
        if missing:
            raise SpecificationError(
                f"layout has no entry for editions {missing}",
                fix="give a layout for every edition in sources, or one layout for all",
            )
        return {e: load_layout(layout[e]) for e in editions}
    one = load_layout(layout)
    return dict.fromkeys(editions, one)


def _module_paths(edition: int, source: Any, lay: Layout) -> dict[str, Path]:
    if isinstance(source, Mapping):
        unknown = set(source) - set(MODULES)
        if unknown:
            raise SpecificationError(
                f"sources[{edition}] names unknown modules {sorted(unknown)}",
                fix=f"modules are {list(MODULES)}",
            )
        missing = [m for m in MODULES if m not in source]
        if missing:
            raise SpecificationError(
                f"sources[{edition}] lacks modules {missing}",
                fix="map every module to its file, or pass the edition's folder",
            )
        paths = {m: Path(source[m]) for m in MODULES}
        for m, p in paths.items():
            if not p.is_file():
                raise DataError(
                    f"file {str(p)!r} for module {m!r} of edition {edition} does not exist",
                    fix="check the path",
                )
        return paths
    if isinstance(source, (str, Path)):
        directory = Path(source)
        return {
            m: find_module_file(directory, lay.modules[m].file, module=m)
            for m in MODULES
        }
    raise SpecificationError(
        f"sources[{edition}] must be a folder or a mapping module -> file, got "
        f"{type(source).__name__}",
        fix="pass {2016: 'ene2016/'} or {2016: {'identification': '...', ...}}",
    )


def _evaluate(
    formula: Formula, lookup: Mapping[str, np.ndarray], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Value of ``formula`` and a mask of rows where some but not all terms were missing."""
    total = np.zeros(n)
    any_present = np.zeros(n, dtype=bool)
    any_missing = np.zeros(n, dtype=bool)
    for coef, factors in formula.terms:
        term = np.full(n, coef)
        zero = np.zeros(n, dtype=bool)
        for f in factors:
            term = term * lookup[f]
            zero |= lookup[f] == 0
        # a zero factor makes the term 0 even when another factor is blank
        # (0 workers x blank pay = 0)
        term = np.where(zero, 0.0, term)
        present = ~np.isnan(term)
        total += np.where(present, term, 0.0)
        any_present |= present
        any_missing |= ~present
    return np.where(any_present, total, np.nan), any_present & any_missing


@dataclass
class _Modules:
    """What the module files of one edition hold, before any firm is judged."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    conflicts: dict[str, str] = field(default_factory=dict)  # firm -> detail
    bad: dict[str, str] = field(default_factory=dict)  # firm -> detail
    ids: dict[str, None] = field(default_factory=dict)  # every firm read, in order


class _Drops:
    """The first reason (and its detail) for which each firm of an edition is dropped."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, "", dtype=object)
        self.detail = np.full(n, "", dtype=object)

    def mark(self, mask: np.ndarray, why: str, text: np.ndarray | str) -> None:
        new = mask & (self.reason == "")
        self.reason[new] = why
        self.detail[new] = text[new] if isinstance(text, np.ndarray) else text


def _read_edition(
    edition: int,
    paths: Mapping[str, Path],
    lay: Layout,
    *,
    skilled: str,
    positive: Sequence[str],
    on_bad_value: str,
) -> _Edition:
    mods = _Modules()
    for m in MODULES:
        _read_module_file(mods, m, paths[m], lay, edition, on_bad_value=on_bad_value)
    universe = pd.Index(list(mods.ids), dtype=object)
    drops = _Drops(len(universe))
    ident = _mark_unusable(drops, universe, mods, lay, paths)
    values, partial = _construct(
        lay, mods.tables, universe, skilled, drops.reason == ""
    )
    _mark_bad_values(drops, values, positive)
    _mark_bad_weights(drops, ident, lay)
    keep = drops.reason == ""
    year = edition + lay.reference_year_offset
    frame = _firm_years(universe, values, ident, lay, year, edition)
    frame = frame.loc[keep].reset_index(drop=True)
    ids = universe.to_numpy(dtype=object)
    dropped = [
        {"edition": edition, "year": year, "firm_id": str(ids[i])}
        | {"reason": str(drops.reason[i]), "detail": str(drops.detail[i])}
        for i in np.flatnonzero(~keep)
    ]
    notes = _notes(edition, values, frame, lay, skilled=skilled, keep=keep)
    return _Edition(frame, dropped, mods.files, len(universe), partial, notes)


def _read_module_file(
    mods: _Modules, m: str, path: Path, lay: Layout, edition: int, *, on_bad_value: str
) -> None:
    """Read one module file: ids, exact duplicates removed, conflicting rows and bad cells."""
    spec = lay.modules[m]
    raw = read_module(path)
    wanted = [lay.id, *lay.columns(m)]
    if spec.long_key is not None:
        wanted.append(spec.long_key)
    cols = resolve_columns(raw, wanted, path=path, module=m)
    sub = raw[[cols[w] for w in wanted]].copy()
    sub.columns = pd.Index(wanted)
    ids = to_code(sub[lay.id], lay.id_width)
    no_id = np.array([i is None for i in ids], dtype=bool)
    sub = sub.loc[~no_id]
    sub[lay.id] = ids[~no_id]
    before = len(sub)
    sub = sub.loc[~sub.astype(str).duplicated()]
    key = [lay.id] if spec.long_key is None else [lay.id, spec.long_key]
    clash = sub.astype(str).duplicated(subset=key, keep=False).to_numpy()
    for fid in pd.unique(sub.loc[clash, lay.id]):
        detail = f"module {m!r} ({path.name}) has different rows for this id"
        mods.conflicts.setdefault(str(fid), detail)
    mods.files.append(
        {
            "edition": edition,
            "module": m,
            "path": str(path),
            "format": path.suffix.lower().lstrip("."),
            "rows_read": len(raw),
            "rows_without_id": int(no_id.sum()),
            "duplicate_rows_removed": before - len(sub),
            "rows_used": len(sub),
        }
    )
    ids_m = sub[lay.id].to_numpy(dtype=object)
    mods.ids |= dict.fromkeys(map(str, ids_m))
    if m == "identification":
        mods.tables[m] = sub.loc[~clash].set_index(lay.id)
        return
    numeric: dict[str, np.ndarray] = {}
    for c in lay.columns(m):
        numeric[c], flags = to_number(sub[c])
        cells = sub[c].to_numpy(dtype=object)
        for pos in np.flatnonzero(flags):
            fid = str(ids_m[pos])
            if on_bad_value == "raise":
                raise DataError(
                    f"file {str(path)!r}, {lay.id} {fid!r}: value "
                    f"{cells[pos]!r} is not a number",
                    column=c,
                    fix="correct the cell, or pass on_bad_value='drop' to drop "
                    "the firm (it is listed in report.dropped)",
                )
            mods.bad.setdefault(fid, f"{c}={str(cells[pos]).strip()!r} in {path.name}")
    frame = pd.DataFrame(numeric, index=pd.Index(ids_m, name=lay.id))
    if spec.long_key is None:
        mods.tables[m] = frame.loc[~clash]
        return
    keyv, keybad = to_number(sub[spec.long_key])
    keep = np.isin(keyv, np.asarray(spec.long_rows, dtype=np.float64))
    frame = frame.loc[keep & ~keybad].groupby(level=0, sort=False).sum(min_count=1)
    mods.tables[m] = frame.loc[~frame.index.isin(list(mods.conflicts))]


def _mark_unusable(
    drops: _Drops,
    universe: pd.Index,
    mods: _Modules,
    lay: Layout,
    paths: Mapping[str, Path],
) -> pd.DataFrame:
    """Drop firms with conflicting rows, an unusable interview, a missing module or a bad
    cell; return the identification rows of every firm."""
    texts = [mods.conflicts.get(f, "") for f in universe]
    drops.mark(
        universe.isin(list(mods.conflicts)),
        "duplicate_id",
        np.array(texts, dtype=object),
    )
    ident = mods.tables["identification"].reindex(universe)
    in_ident = universe.isin(mods.tables["identification"].index)
    drops.mark(~in_ident, "missing_module", "no row in module 'identification'")
    field_name = lay.identification["result"]
    result, _ = to_number(ident[field_name])
    usable = np.isin(result, np.asarray(lay.usable_results, dtype=np.float64))
    shown = [
        f"{field_name}=" + ("missing" if np.isnan(v) else f"{v:g}") for v in result
    ]
    drops.mark(~usable, "interview_result", np.array(shown, dtype=object))
    for m in MODULES[1:]:
        present = universe.isin(mods.tables[m].index)
        drops.mark(
            ~present, "missing_module", f"no row in module {m!r} ({paths[m].name})"
        )
    texts = [mods.bad.get(f, "") for f in universe]
    drops.mark(
        universe.isin(list(mods.bad)), "non_numeric", np.array(texts, dtype=object)
    )
    return ident


def _construct(
    lay: Layout,
    tables: Mapping[str, pd.DataFrame],
    universe: pd.Index,
    skilled: str,
    ok_rows: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Every variable of the layout, by its formula; and how many usable firms had blanks."""
    n = len(universe)
    lookups = {m: tables[m].reindex(universe) for m in MODULES[1:]}
    values: dict[str, np.ndarray] = {}
    partial: dict[str, int] = {}
    for v in lay.variables.values():
        if v.module == "derived":
            source: Mapping[str, np.ndarray] = values
        else:
            frame = lookups[v.module]
            source = {c: frame[c].to_numpy(dtype=np.float64) for c in v.formula.names}
        values[v.name], part = _evaluate(v.formula, source, n)
        partial[v.name] = int((part & ok_rows).sum())
    for kind in ("skilled", "unskilled"):
        values[f"workers_{kind}"] = values[f"{kind}_{skilled}"]
        partial[f"workers_{kind}"] = partial[f"{kind}_{skilled}"]
    return values, partial


def _mark_bad_values(
    drops: _Drops, values: Mapping[str, np.ndarray], positive: Sequence[str]
) -> None:
    """Drop firms with a blank or non-positive value in a variable that must be positive."""
    unknown = [p for p in positive if p not in values]
    if unknown:
        raise SpecificationError(
            f"positive names {unknown}, which the layout does not construct",
            fix=f"choose among {sorted(values)}",
        )
    n = len(drops.reason)
    miss = np.zeros(n, dtype=bool)
    miss_text = np.full(n, "", dtype=object)
    for p in positive:
        hole = np.isnan(values[p])
        miss_text[hole & ~miss] = f"{p} is blank (all its items are empty)"
        miss |= hole
    drops.mark(miss, "missing_data", miss_text)
    for kind, group in (
        ("nonpositive_output", [p for p in positive if p in _OUTPUTS]),
        ("nonpositive_input", [p for p in positive if p not in _OUTPUTS]),
    ):
        nonpos = np.zeros(n, dtype=bool)
        text = np.full(n, "", dtype=object)
        for p in group:
            with np.errstate(invalid="ignore"):
                le0 = values[p] <= 0
            text[le0 & ~nonpos] = [f"{p}={x:g}" for x in values[p][le0 & ~nonpos]]
            nonpos |= le0
        drops.mark(nonpos, kind, text)


def _mark_bad_weights(drops: _Drops, ident: pd.DataFrame, lay: Layout) -> None:
    """Drop firms whose expansion factor is zero or negative: such a firm represents no firm
    of the population, and a weighted mean with it is not a mean."""
    column = lay.identification["weight"]
    weight = to_number(ident[column])[0]
    with np.errstate(invalid="ignore"):
        bad = weight <= 0
    text = np.full(bad.shape[0], "", dtype=object)
    text[bad] = [f"{column}={w:g}" for w in weight[bad]]
    drops.mark(bad, "nonpositive_weight", text)


def _firm_years(
    universe: pd.Index,
    values: Mapping[str, np.ndarray],
    ident: pd.DataFrame,
    lay: Layout,
    year: int,
    edition: int,
) -> pd.DataFrame:
    """One row per firm read: the constructed variables and the identification codes."""
    n = len(universe)
    stratum, _ = to_number(ident[lay.identification["sales_range"]])
    ranges = [lay.sales_ranges.get(int(s)) if np.isfinite(s) else None for s in stratum]
    codes = {
        f: to_code(ident[lay.identification[f]], w)
        for f, w in (("department", 2), ("province", 2), ("district", 2), ("ciiu", 4))
    }
    parts = zip(codes["department"], codes["province"], codes["district"], strict=True)
    ubigeo = [None if None in (a, b, c) else f"{a}{b}{c}" for a, b, c in parts]
    out: dict[str, Any] = {
        "firm_id": universe.to_numpy(dtype=object),
        "year": np.full(n, year, dtype=np.int64),
        "edition": np.full(n, edition, dtype=np.int64),
    }
    for name in (*MONEY_VARIABLES, "workers", "workers_skilled", "workers_unskilled"):
        out[name] = values[name]
    out |= {"ciiu": codes["ciiu"], "ubigeo": np.array(ubigeo, dtype=object)}
    out["sales_range"] = np.array(ranges, dtype=object)
    out["weight"] = to_number(ident[lay.identification["weight"]])[0]
    return pd.DataFrame(out)


def _notes(
    edition: int,
    values: Mapping[str, np.ndarray],
    frame: pd.DataFrame,
    lay: Layout,
    *,
    skilled: str,
    keep: np.ndarray,
) -> list[str]:
    """What the user should know about the kept firms (``frame``) of an edition."""
    notes: list[str] = []
    if skilled == "education":
        total = values["skilled_education"] + values["unskilled_education"]
        differ = keep & ~np.isclose(total, values["workers"], rtol=0.0, atol=0.5)
        if differ.any():
            notes.append(
                f"edition {edition}: in {int(differ.sum())} kept firm(s) the education "
                "counts do not add up to the workers total (the split uses the "
                "education counts as reported)"
            )
    no_weight = int(frame["weight"].isna().sum())
    if no_weight:
        notes.append(
            f"edition {edition}: {no_weight} kept firm(s) have "
            f"no expansion factor ({lay.identification['weight']})"
        )
    return notes


def build_panel(
    sources: Mapping[int, str | Path | Mapping[str, str | Path]],
    *,
    layout: Any = "ene2015",
    base_year: int,
    skilled: str = "occupation",
    positive: Sequence[str] = DEFAULT_POSITIVE,
    on_bad_value: str = "drop",
) -> ENEPanel:
    """Build a firm × reference-year panel from ENE module files, with a report of the build.

    For each edition the four modules of the layout are read (``.sav`` with pyreadstat,
    ``.dta`` and ``.csv`` with pandas, ``.dbf`` with dbfread), firms are checked in the order
    of :data:`DROP_REASONS`, the layout's variables are constructed per firm, money is
    deflated to constant soles of ``base_year`` with IPC Lima (:func:`tfp.peru.deflate`),
    and editions are pooled into one panel keyed by ``firm_id`` (``IRUC``) and ``year``, the
    reference year (edition + ``reference_year_offset``: the ENE of year t describes t − 1).

    Parameters
    ----------
    sources : Mapping[int, folder or Mapping[str, path]]
        Edition (survey year) → the folder holding its module files (searched recursively by
        the layout's file stems, any supported extension) or a mapping module → file for the
        modules ``identification``, ``labour``, ``economic``, ``assets``.
    layout : str, path, mapping or Layout, or Mapping[int, any of those]
        Edition layout (:func:`tfp.ene.load_layout`), one for all editions or one per edition.
        Default: the ENE 2015 layout.
    base_year : int
        Year of the constant soles (within the IPC Lima series, 2007–2022).
    skilled : {'occupation', 'education'}
        How workers are split (both are documented choices; PRODUCE's rule is not public).
        ``'occupation'``: executives, employees and owners are skilled; manual workers
        (obreros), unpaid family, interns, fee-based and commission staff are not.
        ``'education'``: completed higher (university, postgraduate) or technical education
        is skilled; the rest is not. Formulas in ``report.variables``.
    positive : sequence of str
        Variables that must be present and > 0 for a firm-year to be kept (default:
        gross output, value added, intermediate consumption, capital, workers). Add
        ``"workers_skilled"``, ``"workers_unskilled"`` to keep only firms with both kinds of
        labour (needed to take logs of both).
    on_bad_value : {'drop', 'raise'}
        Text that is not a number in a column a formula uses: drop the firm (reason
        ``non_numeric``, the cell in ``detail``) or raise :class:`~tfp.exceptions.DataError`.
        Numbers stored as text (``" 1500 "``) and blanks or ``"."`` (missing) are read in
        either case.

    Returns
    -------
    ENEPanel
        ``data``: one row per kept firm and year, sorted by (``firm_id``, ``year``), with
        ``firm_id, year, edition``; money in constant soles (``sales, gross_output,
        intermediate, value_added, capital, capital_end, investment, wage_bill``) and nominal
        (``*_nominal``); ``workers, workers_skilled, workers_unskilled``; ``ciiu, sector,
        ubigeo, department, region`` (natural region, mapping A), ``sales_range`` (the
        survey's stratum), ``size_class`` (Ley 30056 from nominal sales and the UIT of the
        reference year), ``weight`` (expansion factor); and logs ``log_<x>`` of value added,
        gross output, sales, intermediate, capital, investment and the three worker counts
        (NaN where the level is not positive). ``report``: :class:`BuildReport`.

    Raises
    ------
    DataError
        A folder, file or column is missing or unreadable (the message names it), or a cell
        is not a number and ``on_bad_value='raise'``.
    SpecificationError
        Bad arguments or layout; two editions with the same reference year.
    DomainError
        A reference year or ``base_year`` outside the IPC Lima or UIT tables.

    Warns
    -----
    DroppedObservationsWarning
        When firms are dropped; counts by reason (the firms are in ``report.dropped``).

    Notes
    -----
    A formula whose items are all blank gives a missing value (an empty questionnaire
    block); blank items next to filled ones count as 0 (``report.variables`` counts such
    firms). Identical duplicate rows are removed and counted; an id with two different rows
    in a module is dropped (``duplicate_id``). Stocks and flows are deflated with the same
    annual-average IPC Lima: the only deflator with a sourced series in tfp (PERU_DOMAIN.md
    §7); pass nominal values (``*_nominal``) to your own deflators if you have better ones.

    References
    ----------
    INEI/PRODUCE, Encuesta Nacional de Empresas 2015, microdata modules 972–980; variable
    construction of E. Tolentino's ENE-ET do-files; PERU_DOMAIN.md §3.

    Examples
    --------
    >>> import tempfile, warnings
    >>> from tfp.datasets import synthetic_ene
    >>> from tfp.datasets.ene_raw import write_ene_2015
    >>> sim = synthetic_ene(n_firms=50, years=range(2015, 2017), seed=1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     raw = write_ene_2015(sim.data, tmp)
    ...     data, report = build_panel(raw.sources, base_year=2015)
    >>> len(data), report.dropped_counts
    (100, {})
    """
    if not isinstance(sources, Mapping) or not sources:
        raise SpecificationError(
            "sources must be a non-empty mapping edition -> folder (or module files)",
            fix="pass e.g. {2016: 'data/ENE2016', 2017: 'data/ENE2017'}",
        )
    editions = []
    for e in sources:
        if isinstance(e, bool) or not isinstance(e, (int, np.integer)):
            raise SpecificationError(
                f"sources keys must be editions (survey years as int), got {e!r}",
                fix="pass e.g. {2016: 'data/ENE2016'}",
            )
        editions.append(int(e))
    if isinstance(base_year, bool) or not isinstance(base_year, (int, np.integer)):
        raise SpecificationError(
            f"base_year must be an integer year, got {base_year!r}",
            fix="pass e.g. base_year=2019",
        )
    base = int(base_year)
    validate_literal(skilled, _SKILL_RULES, name="skilled")
    validate_literal(on_bad_value, ("drop", "raise"), name="on_bad_value")
    if isinstance(positive, str):
        positive = (positive,)
    if not isinstance(positive, Sequence) or not all(
        isinstance(p, str) for p in positive
    ):
        raise SpecificationError(
            f"positive must be a variable name or a list of them, got {positive!r}",
            fix=f"pass e.g. positive={DEFAULT_POSITIVE!r}, or positive=() to keep every level",
        )
    positive = tuple(positive)
    ipc_lima(
        base
    )  # DomainError for a base year outside the deflator now, not after reading
    layouts = _layouts_by_edition(layout, editions)
    years = {e: e + layouts[e].reference_year_offset for e in editions}
    if len(set(years.values())) < len(years):
        raise SpecificationError(
            f"two editions describe the same reference year: {years}",
            fix="pass each edition once, with its own layout offset",
        )

    parts = [
        _read_edition(
            e,
            _module_paths(e, sources[e], layouts[e]),
            layouts[e],
            skilled=skilled,
            positive=positive,
            on_bad_value=on_bad_value,
        )
        for e in sorted(editions)
    ]
    data = pd.concat([p.frame for p in parts], ignore_index=True)
    data = data.sort_values(["firm_id", "year"], kind="stable").reset_index(drop=True)
    data = _finish(data, base)

    dropped = pd.DataFrame(
        [d for p in parts for d in p.dropped],
        columns=["edition", "year", "firm_id", "reason", "detail"],
    )
    firms_rows = []
    for e, p in zip(sorted(editions), parts):
        counts = {r: 0 for r in DROP_REASONS}
        for d in p.dropped:
            counts[d["reason"]] += 1
        firms_rows.append(
            {
                "edition": e,
                "year": years[e],
                "firms_read": p.firms_read,
                "kept": len(p.frame),
                **counts,
            }
        )
    notes = [n for p in parts for n in p.notes]
    notes.extend(_code_notes(data))
    report = BuildReport(
        base_year=base,
        skilled=skilled,
        positive=positive,
        layouts=FrozenDict({e: layouts[e].name for e in sorted(editions)}),
        files=pd.DataFrame([f for p in parts for f in p.files]),
        firms=pd.DataFrame(firms_rows),
        dropped=dropped,
        variables=_variables_table(layouts, parts, skilled),
        notes=tuple(notes),
    )
    if len(dropped):
        counts = report.dropped_counts
        total = sum(p.firms_read for p in parts)
        warnings.warn(
            f"ENE build: {len(dropped)} of {total} firm-years dropped ("
            + ", ".join(f"{k}: {v}" for k, v in counts.items())
            + "); see report.dropped for each firm and its reason",
            DroppedObservationsWarning,
            stacklevel=2,
        )
    return ENEPanel(data, report)


def _finish(data: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Deflate, add sector, geography, size class and logs; fix column order and dtypes."""
    year = data["year"].to_numpy(dtype=np.float64)
    out: dict[str, Any] = {
        "firm_id": pd.Series(data["firm_id"].to_numpy(dtype=object), dtype="string"),
        "year": data["year"].to_numpy(dtype=np.int64),
        "edition": data["edition"].to_numpy(dtype=np.int64),
    }
    for name in MONEY_VARIABLES:
        nominal = data[name].to_numpy(dtype=np.float64)
        out[name] = np.asarray(deflate(nominal, year, base_year=base_year))
    for name in MONEY_VARIABLES:
        out[f"{name}_nominal"] = data[name].to_numpy(dtype=np.float64)
    for name in ("workers", "workers_skilled", "workers_unskilled"):
        out[name] = data[name].to_numpy(dtype=np.float64)
    ciiu = pd.Series(data["ciiu"].to_numpy(dtype=object), dtype=object)
    ubigeo = pd.Series(data["ubigeo"].to_numpy(dtype=object), dtype=object)
    out["ciiu"] = ciiu.astype("string")
    out["sector"] = produce_sector(ciiu).to_numpy()
    out["ubigeo"] = ubigeo.astype("string")
    out["department"] = department(ubigeo).to_numpy()
    out["region"] = natural_region(ubigeo).to_numpy()
    out["sales_range"] = pd.Series(
        data["sales_range"].to_numpy(dtype=object), dtype="string"
    )
    sales = data["sales"].to_numpy(dtype=np.float64)
    sales_ok = np.where(sales >= 0, sales, np.nan)
    out["size_class"] = size_class(sales_ok, year).to_numpy() if len(data) else []
    out["weight"] = data["weight"].to_numpy(dtype=np.float64)
    frame = pd.DataFrame(out)
    for name in _LOGGED:
        level = frame[name].to_numpy(dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            frame[f"log_{name}"] = np.where(level > 0, np.log(level), np.nan)
    return frame


def _code_notes(data: pd.DataFrame) -> list[str]:
    notes = []
    for col, what in (("sector", "CIIU code"), ("department", "ubigeo")):
        n_bad = int(data[col].isna().sum())
        if n_bad:
            notes.append(
                f"{n_bad} kept firm-year(s) have a missing or invalid {what}, so "
                f"{col} is missing"
            )
    return notes


def _variables_table(
    layouts: Mapping[int, Layout], parts: Sequence[_Edition], skilled: str
) -> pd.DataFrame:
    first = next(iter(layouts.values()))
    rows = []
    renamed = {
        "workers_skilled": f"skilled_{skilled}",
        "workers_unskilled": f"unskilled_{skilled}",
    }
    names = [*MONEY_VARIABLES, "workers", "workers_skilled", "workers_unskilled"]
    for name in names:
        spec = first.variables[renamed.get(name, name)]
        distinct = {
            lay.variables[renamed.get(name, name)].formula.text
            for lay in layouts.values()
        }
        formula = (
            spec.formula.text if len(distinct) == 1 else " | ".join(sorted(distinct))
        )
        if spec.module == "assets":
            m = first.modules["assets"]
            formula += f"  (summed over {m.long_key} in {list(m.long_rows)})"
        rows.append(
            {
                "variable": name,
                "formula": formula,
                "module": spec.module,
                "status": spec.status,
                "note": spec.note
                + (f" (skilled={skilled!r})" if name in renamed else ""),
                "unit": (
                    "soles (constant base_year; *_nominal: current)"
                    if name in MONEY_VARIABLES
                    else "persons"
                ),
                "n_blank_items_as_zero": sum(
                    p.partial[renamed.get(name, name)] for p in parts
                ),
            }
        )
    return pd.DataFrame(rows)
