"""Write raw ENE module files in the 2015 layout from a known firm panel (for tests and demos).

:func:`write_ene_2015` turns a firm-year panel such as :func:`tfp.datasets.synthetic_ene`'s
into the four module files INEI publishes per edition (identification, module III labour,
module IX economic block, long-format fixed assets), in one of the formats INEI uses, and
returns what :func:`tfp.ene.build_panel` should recover from them: the panel in whole soles
and whole persons (as a questionnaire records it) and the list of firms that should be
dropped, with their reasons. With ``awkward=True`` it plants the cases real files contain.
"""

from __future__ import annotations

import datetime as _dt
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tfp._literals import validate_literal
from tfp._optional import require
from tfp.ene.layouts import ENE_2015
from tfp.exceptions import DataError, SpecificationError

__all__ = ["FORMATS", "RawENE", "write_dbf", "write_ene_2015"]

#: Output formats and the library that writes them (dBase III by :func:`write_dbf`).
FORMATS: tuple[str, ...] = ("csv", "dta", "sav", "dbf")
_NEEDED = (
    "firm_id",
    "year",
    "sales_soles",
    "materials_soles",
    "capital_soles",
    "investment_soles",
    "workers_skilled",
    "workers_unskilled",
    "wage_bill_soles",
    "ciiu",
    "ubigeo",
    "size_class",
    "weight",
)
_STRATUM = {"micro": 1, "small": 2, "medium": 3, "large": 3}
#: Reference-year → survey-year offset of ENE (the survey of year t describes t − 1).
_OFFSET = -int(ENE_2015["reference_year_offset"])
#: dBase III numeric fields hold at most this many characters.
_DBF_MAX_NUMERIC = 19
#: Fixed file date written in dBase headers, so that files are reproducible.
_DBF_DATE = _dt.date(2015, 12, 31)


class RawENE(NamedTuple):
    """Files written by :func:`write_ene_2015` and what a correct build recovers from them.

    Attributes
    ----------
    sources : dict[int, Path]
        Edition → folder, ready for ``tfp.ene.build_panel(sources, ...)``.
    expected : DataFrame
        Kept firm-years in nominal soles and persons, sorted by (``firm_id``, ``year``):
        ``firm_id, year, edition, sales, gross_output, intermediate, value_added, capital,
        capital_end, investment, wage_bill, workers, skilled_occupation,
        unskilled_occupation, skilled_education, unskilled_education, ciiu, ubigeo,
        sales_range, weight``.
    dropped : DataFrame
        Firm-years that must be dropped: ``edition, year, firm_id, reason``.
    """

    sources: dict[int, Path]
    expected: pd.DataFrame
    dropped: pd.DataFrame


def _split(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split non-negative integer totals into integer parts with the given row shares."""
    parts = np.floor(total[:, None] * shares[:, :-1]).astype(np.int64)
    last = total - parts.sum(axis=1)
    return np.column_stack([parts, last])


def _check_panel(panel: Any) -> pd.DataFrame:
    data = getattr(panel, "data", panel)
    if not isinstance(data, pd.DataFrame):
        raise SpecificationError(
            f"panel must be a DataFrame or a SimulatedPanel, got {type(panel).__name__}",
            fix="pass tfp.datasets.synthetic_ene(...) or its .data",
        )
    for c in _NEEDED:
        if c not in data.columns:
            raise DataError(
                "is missing from the panel",
                column=c,
                fix=f"pass a panel with the columns of tfp.datasets.synthetic_ene: {list(_NEEDED)}",
            )
    if data.duplicated(["firm_id", "year"]).any():
        raise DataError(
            "has duplicate (firm_id, year) pairs",
            column="firm_id",
            fix="pass one row per firm and year",
        )
    return data


def write_ene_2015(
    panel: Any,
    directory: str | Path,
    fmt: str = "csv",
    *,
    awkward: bool = False,
    blank_large_economics: bool = False,
    seed: int = 0,
) -> RawENE:
    """Write one ENE edition per panel year as raw module files in the ENE 2015 layout.

    Each year t of ``panel`` becomes edition t + 1 in ``directory/ENE<t+1>/`` with the files
    ``01_EMPRESA_IDENTIFICA``, ``02_MODULO_I_II_III``, ``05_MODULO_VII_VIII_IX`` and
    ``09_MODULO_IX_6`` (long format, rows 1–4) of :data:`tfp.ene.ENE_2015`.

    Money is rounded to whole soles and workers to whole persons, then split into the
    questionnaire's items so that the layout's recipes give back the rounded totals:
    sales = M9P4_1 + M9P4_4 + M9P4_5 (M9P4_3 = M9P4_1: production equals sales, the panel
    has no inventories), intermediate consumption = M9P5_1 + M9P5_9 (= ``materials_soles``),
    opening capital (``capital_soles``) and investment (new + used − disposals,
    = ``investment_soles``) split over asset rows 1–3 with row 4 their total, closing
    capital = opening + investment − 10 % depreciation. Skilled workers go to executives,
    employees and owners, unskilled to manual workers, family, interns, fee-based and
    commission staff; a firm with no workers gets one owner. Education counts put about
    80 % of skilled and 10 % of unskilled workers in completed higher/technical education.
    Monthly pay (``M3P1_*D``) is set so that 12 × Σ workers × pay ≈ ``wage_bill_soles``
    (skilled paid twice the unskilled). Unused items (M9P4_2, _6, _7, M9P5_2–_8, M3P1_13*)
    hold random values, so a wrong recipe shows up.

    Parameters
    ----------
    panel : DataFrame or SimulatedPanel
        Firm-year rows with the columns of :func:`tfp.datasets.synthetic_ene`.
    directory : str or Path
        Where the edition folders are created.
    fmt : {'csv', 'dta', 'sav', 'dbf'}
        File format (pandas, pandas, pyreadstat, :func:`write_dbf`).
    awkward : bool
        Plant the awkward cases of real files, a few firms each: interview results 3
        (dropped), firms missing the labour or the assets module (dropped), an identical
        duplicate identification row (kept once) and a conflicting duplicate economic row
        (dropped), M9P4_1 stored as text with spaces and one ``"n.d."`` (dropped), blank
        items next to filled ones (kept, blanks count 0), firms with no unskilled workers
        (kept), medium/large firms with an empty economic block (dropped), negative value
        added (dropped), codes stored as numbers without leading zeros (read back padded).
    blank_large_economics : bool
        Leave the economic block (M9P4_*, M9P5_*) of every medium/large firm (C20 = 3)
        empty, as in the public ENE 2015 file (PERU_DOMAIN.md §3.1); they are dropped.
    seed : int
        Seed of the item splits and of the choice of awkward firms.

    Returns
    -------
    RawENE
        ``sources``, ``expected`` and ``dropped`` (see :class:`RawENE`).

    Raises
    ------
    DataError
        A needed column is missing or (firm_id, year) pairs repeat.
    SpecificationError
        Unknown ``fmt``.

    Examples
    --------
    >>> import tempfile
    >>> from tfp.datasets import synthetic_ene
    >>> sim = synthetic_ene(n_firms=20, years=range(2015, 2017), seed=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     raw = write_ene_2015(sim, tmp, fmt="dbf")
    ...     sorted(raw.sources), len(raw.expected)
    ([2016, 2017], 40)
    """
    validate_literal(fmt, FORMATS, name="fmt")
    data = _check_panel(panel)
    rng = np.random.default_rng(seed)  # the steps draw from it in this order
    rows = _Rows.of(data)
    _economic_items(rows, data, rng)
    _asset_items(rows, data, rng)
    _identification(rows, data, rng)
    _plant_cases(rows, rng, awkward=awkward, blank_large=blank_large_economics)
    _labour_items(rows, data, rng)
    expected, dropped = _expectations(rows)
    tables = _module_tables(rows, rng, awkward=awkward)
    return RawENE(
        _write_editions(rows, tables, Path(directory), fmt), expected, dropped
    )


@dataclass
class _Rows:
    """The questionnaire items of every firm-year, filled in by the steps of
    :func:`write_ene_2015` (module IX, assets, identification, labour) and the cases planted."""

    firm: np.ndarray
    years: np.ndarray
    edition: np.ndarray
    items: dict[str, Any] = field(default_factory=dict)
    reason: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    flags: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, data: pd.DataFrame) -> _Rows:
        years = data["year"].to_numpy(dtype=np.int64)
        firm = np.array([str(v) for v in data["firm_id"]], dtype=object)
        rows = cls(firm, years, years + _OFFSET)
        rows.reason = np.full(len(data), "", dtype=object)
        flags = ("no_labour", "no_assets", "dup_ident", "dup_conflict", "not_a_number")
        rows.flags = {k: np.zeros(len(data), dtype=bool) for k in flags}
        rows.flags |= {
            k: np.zeros(len(data), dtype=bool) for k in ("blank_econ", "blank_item")
        }
        return rows

    @property
    def n(self) -> int:
        return len(self.firm)


def _whole(data: pd.DataFrame, column: str) -> np.ndarray:
    return np.round(data[column].to_numpy(dtype=np.float64)).astype(np.int64)


def _economic_items(rows: _Rows, data: pd.DataFrame, rng: np.random.Generator) -> None:
    """Module IX: sales and intermediate consumption split into their items."""
    n, sales, mat = rows.n, _whole(data, "sales_soles"), _whole(data, "materials_soles")
    split = np.column_stack(
        [rng.uniform(0.6, 0.9, n), rng.uniform(0, 0.1, n), np.zeros(n)]
    )
    p = _split(sales, split)
    m9p4 = {1: p[:, 0], 3: p[:, 0].copy(), 4: p[:, 1], 5: p[:, 2]}
    for k in (2, 6, 7):
        m9p4[k] = rng.integers(0, 100_000, n)
    q = _split(mat, np.column_stack([rng.uniform(0.5, 0.9, n), np.zeros(n)]))
    m9p5 = {1: q[:, 0], 9: q[:, 1]}
    for k in range(2, 9):
        m9p5[k] = rng.integers(0, 50_000, n)
    rows.items |= {"sales": sales, "mat": mat, "m9p4": m9p4, "m9p5": m9p5}


def _asset_items(rows: _Rows, data: pd.DataFrame, rng: np.random.Generator) -> None:
    """Module IX.6: opening capital, new and used investment, disposals over asset rows 1-3."""
    cap, inv = _whole(data, "capital_soles"), _whole(data, "investment_soles")
    disp = np.round(cap * rng.uniform(0, 0.02, rows.n)).astype(np.int64)
    gross = inv + disp
    new = np.round(0.7 * gross).astype(np.int64)
    shares = rng.dirichlet([2.0, 3.0, 1.0], rows.n)
    begin, new_r, used, disp_r = (
        _split(x, shares) for x in (cap, new, gross - new, disp)
    )
    end = begin + new_r + used - disp_r - np.round(0.1 * begin).astype(np.int64)
    rows.items["assets"] = {"begin": begin, "new": new_r, "used": used, "disp": disp_r}
    rows.items["assets"]["end"] = end


def _identification(rows: _Rows, data: pd.DataFrame, rng: np.random.Generator) -> None:
    """Identification: ubigeo, CIIU, sales stratum (C20), interview result, expansion factor."""
    ns, nu = _whole(data, "workers_skilled"), _whole(data, "workers_unskilled")
    rows.items |= {"ns": np.where(ns + nu == 0, 1, ns), "nu": nu}
    rows.items["ubigeo"] = np.array([str(u) for u in data["ubigeo"]], dtype=object)
    rows.items["ciiu"] = np.array([str(c) for c in data["ciiu"]], dtype=object)
    stratum = [_STRATUM[str(s)] for s in data["size_class"]]
    rows.items["stratum"] = np.array(stratum, dtype=np.int64)
    rows.items["result"] = np.where(rng.random(rows.n) < 0.9, 1, 2)
    rows.items["weight"] = np.round(data["weight"].to_numpy(dtype=np.float64), 4)


def _plant_cases(
    rows: _Rows, rng: np.random.Generator, *, awkward: bool, blank_large: bool
) -> None:
    """Mark the firm-years that real files get wrong, and why a build must drop them."""
    it, flags, reason, n = rows.items, rows.flags, rows.reason, rows.n
    order = rng.permutation(n)
    cursor = 0

    def take(k: int, eligible: np.ndarray) -> np.ndarray:
        nonlocal cursor
        free = order[cursor:]
        picks = free[eligible[free]][:k]
        # move the picked ones out of the pool
        rest = np.setdiff1d(order[cursor:], picks, assume_unique=True)
        order[cursor:] = np.concatenate([picks, rest])
        cursor += len(picks)
        mask = np.zeros(n, dtype=bool)
        mask[picks] = True
        return mask

    if blank_large:
        flags["blank_econ"] |= it["stratum"] == 3
        reason[flags["blank_econ"]] = "missing_data"
    if not awkward:
        return
    for k, flag, why in (
        (3, "blank_econ", "interview_result"),
        (2, "no_labour", "missing_module"),
        (2, "no_assets", "missing_module"),
    ):
        sel = take(k, reason == "")
        flags[flag] |= sel
        reason[sel] = why
        if why == "interview_result":
            it["result"][sel] = 3
    flags["dup_ident"] |= take(2, reason == "")
    for flag, why in (
        ("dup_conflict", "duplicate_id"),
        ("not_a_number", "non_numeric"),
    ):
        sel = take(1, reason == "")
        flags[flag] |= sel
        reason[sel] = why
    sel = take(2, (reason == "") & (it["stratum"] == 3))
    flags["blank_econ"] |= sel
    reason[sel] = "missing_data"
    m9p4, m9p5 = it["m9p4"], it["m9p5"]
    sel = take(1, reason == "")
    m9p5[1] = np.where(sel, it["sales"] + 1000 - m9p5[9], m9p5[1])
    it["mat"] = m9p5[1] + m9p5[9]
    reason[sel] = "nonpositive_output"
    blank = flags["blank_item"] | take(2, reason == "")
    flags["blank_item"] = blank
    m9p4[1] = np.where(blank, m9p4[1] + m9p4[4], m9p4[1])
    m9p4[3] = np.where(blank, m9p4[3] + m9p4[4], m9p4[3])
    m9p4[4] = np.where(blank, 0, m9p4[4])
    sel = take(2, reason == "")
    it["ns"] = np.where(sel, np.maximum(it["ns"], 1), it["ns"])
    it["nu"] = np.where(sel, 0, it["nu"])


def _labour_items(rows: _Rows, data: pd.DataFrame, rng: np.random.Generator) -> None:
    """Module III: workers by occupation and education, monthly pay."""
    it, n = rows.items, rows.n
    ns, nu = it["ns"], it["nu"]
    occ_s = rng.multinomial(ns, [0.15, 0.45, 0.15, 0.25])  # rows 1, 2, 4, 7
    occ_u = rng.multinomial(
        nu, [0.5, 0.2, 0.15, 0.05, 0.05, 0.05]
    )  # 3, 5, 8, 9, 10, 11
    a = dict(zip((1, 2, 4, 7), occ_s.T, strict=True))
    a |= dict(zip((3, 5, 8, 9, 10, 11), occ_u.T, strict=True))
    a[6] = a[1] + a[2] + a[3] + a[4] + a[5]
    a[12] = a[7] + a[8] + a[9] + a[10] + a[11]
    a[13] = rng.integers(0, 5, n)
    total = a[6] + a[12]
    edu_s = np.clip(np.round(0.8 * ns + 0.1 * nu).astype(np.int64), 0, total)
    es = rng.multinomial(edu_s, [0.1, 0.6, 0.3])  # 1, 2, 4
    eu = rng.multinomial(total - edu_s, [0.1, 0.1, 0.6, 0.2])  # 3, 5, 6, 7
    m3p2 = {1: es[:, 0], 2: es[:, 1], 4: es[:, 2], 3: eu[:, 0], 5: eu[:, 1]}
    m3p2.update({6: eu[:, 2], 7: eu[:, 3], 8: total})
    bill = data["wage_bill_soles"].to_numpy(dtype=np.float64)
    denom = 12.0 * (2.0 * (a[1] + a[2] + a[4]) + (a[3] + a[5]))
    w = np.divide(bill, denom, out=np.zeros(n), where=denom > 0)
    pay = {r: np.round((2.0 if r in (1, 2, 4) else 1.0) * w) for r in range(1, 6)}
    it |= {"a": a, "m3p2": m3p2, "pay": pay, "total": total, "edu_s": edu_s}
    it["wage_bill"] = sum(12 * a[r] * pay[r] for r in range(1, 6))


def _expectations(rows: _Rows) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a correct build recovers (kept firm-years) and what it drops, with the reason."""
    it, assets, kept = rows.items, rows.items["assets"], rows.reason == ""
    m9p4 = it["m9p4"]
    ranges = {1: "micro", 2: "small", 3: "medium_large"}
    expected = pd.DataFrame(
        {
            "firm_id": rows.firm,
            "year": rows.years,
            "edition": rows.edition,
            "sales": (m9p4[1] + m9p4[4] + m9p4[5]).astype(np.float64),
            "gross_output": (m9p4[3] + m9p4[4] + m9p4[5]).astype(np.float64),
            "intermediate": it["mat"].astype(np.float64),
            "value_added": (m9p4[3] + m9p4[4] + m9p4[5] - it["mat"]).astype(np.float64),
            "capital": assets["begin"].sum(axis=1).astype(np.float64),
            "capital_end": assets["end"].sum(axis=1).astype(np.float64),
            "investment": (assets["new"] + assets["used"] - assets["disp"])
            .sum(axis=1)
            .astype(np.float64),
            "wage_bill": np.asarray(it["wage_bill"], dtype=np.float64),
            "workers": it["total"].astype(np.float64),
            "skilled_occupation": it["ns"].astype(np.float64),
            "unskilled_occupation": it["nu"].astype(np.float64),
            "skilled_education": it["edu_s"].astype(np.float64),
            "unskilled_education": (it["total"] - it["edu_s"]).astype(np.float64),
            "ciiu": it["ciiu"],
            "ubigeo": it["ubigeo"],
            "sales_range": np.array([ranges[s] for s in it["stratum"]], dtype=object),
            "weight": it["weight"],
        }
    )
    expected = expected.loc[kept].sort_values(["firm_id", "year"], kind="stable")
    dropped = pd.DataFrame(
        {
            "edition": rows.edition[~kept],
            "year": rows.years[~kept],
            "firm_id": rows.firm[~kept],
            "reason": rows.reason[~kept],
        }
    ).sort_values(["edition", "firm_id"], kind="stable")
    return expected.reset_index(drop=True), dropped.reset_index(drop=True)


def _module_tables(
    rows: _Rows, rng: np.random.Generator, *, awkward: bool
) -> dict[str, pd.DataFrame]:
    """The four module tables of all editions (identification, labour, economic, assets)."""
    it, firm, n = rows.items, rows.firm, rows.n
    ubigeo, ciiu = it["ubigeo"], it["ciiu"]
    ident = pd.DataFrame(
        {
            "IRUC": firm,
            "CCDD": [u[:2] for u in ubigeo],
            "CCPP": [u[2:4] for u in ubigeo],
            "CCDI": [u[4:6] for u in ubigeo],
            "C2": [""] * n,
            "C14_COD": ciiu,
            "C20": it["stratum"],
            "C1RESULTFINAL": it["result"],
            "FACTOR_EXP": it["weight"],
        }
    )
    if awkward:  # codes stored as numbers, leading zeros lost
        ident["CCDD"] = np.array([int(c) for c in ident["CCDD"]], dtype=np.int64)
        ident["C14_COD"] = np.array([int(c) for c in ciiu], dtype=np.int64)
    a, pay = it["a"], it["pay"]
    labour_cols: dict[str, Any] = {"IRUC": firm}
    for r in range(1, 14):
        labour_cols[f"M3P1_{r}A"] = a[r]
        men = rng.binomial(a[r], 0.6)
        labour_cols[f"M3P1_{r}B"] = men
        labour_cols[f"M3P1_{r}C"] = a[r] - men
        if r <= 5:
            labour_cols[f"M3P1_{r}D"] = np.where(a[r] > 0, pay[r], np.nan)
    for k in range(1, 9):
        labour_cols[f"M3P2_{k}"] = it["m3p2"][k]
    econ_cols: dict[str, Any] = {"IRUC": firm}
    for k in range(1, 8):
        econ_cols[f"M9P4_{k}"] = it["m9p4"][k].astype(np.float64)
    for k in range(1, 10):
        econ_cols[f"M9P5_{k}"] = it["m9p5"][k].astype(np.float64)
    econ = pd.DataFrame(econ_cols)
    econ.loc[rows.flags["blank_econ"], [c for c in econ.columns if c != "IRUC"]] = (
        np.nan
    )
    econ.loc[rows.flags["blank_item"], "M9P4_4"] = np.nan
    if awkward:  # a numeric item stored as text, padded, with one unusable cell
        text = np.array(
            ["" if np.isnan(v) else f" {int(v)} " for v in econ["M9P4_1"]], dtype=object
        )
        text[rows.flags["not_a_number"]] = "n.d."
        econ["M9P4_1"] = text
    parts = ("begin", "new", "used", "disp", "end")
    asset_frames = []
    for r in range(4):
        frame = pd.DataFrame({"IRUC": firm, "M9P6_ID": np.full(n, r + 1)})
        for j, part in enumerate(parts, start=1):
            x = it["assets"][part]
            frame[f"M9P6_{j}"] = x[:, r] if r < 3 else x.sum(axis=1)
        frame["_row"] = np.arange(n)
        asset_frames.append(frame)
    assets = pd.concat(asset_frames).sort_values(["_row", "M9P6_ID"], kind="stable")
    return {"identification": ident, "labour": pd.DataFrame(labour_cols)} | {
        "economic": econ,
        "assets": assets,
    }


def _write_editions(
    rows: _Rows, tables: dict[str, pd.DataFrame], root: Path, fmt: str
) -> dict[int, Path]:
    """One folder per edition with its four module files (and the planted duplicates)."""
    flags, edition = rows.flags, rows.edition
    ident, econ, assets = tables["identification"], tables["economic"], tables["assets"]
    stems = {m: str(ENE_2015["modules"][m]["file"]) for m in ENE_2015["modules"]}
    sources: dict[int, Path] = {}
    for e in np.unique(edition).tolist():
        in_e = edition == e
        folder = root / f"ENE{e}"
        folder.mkdir(parents=True, exist_ok=True)
        clash = econ.loc[in_e & flags["dup_conflict"]].copy()
        clash["M9P5_1"] = clash["M9P5_1"].astype(np.float64) + 1.0
        keep_rows = np.isin(assets["_row"], np.flatnonzero(in_e & ~flags["no_assets"]))
        per_module = {
            "identification": pd.concat(
                [ident.loc[in_e], ident.loc[in_e & flags["dup_ident"]]]
            ),
            "labour": tables["labour"].loc[in_e & ~flags["no_labour"]],
            "economic": pd.concat([econ.loc[in_e], clash]),
            "assets": assets.loc[keep_rows].drop(columns="_row"),
        }
        for module, table in per_module.items():
            _write(table.reset_index(drop=True), folder / f"{stems[module]}.{fmt}", fmt)
        sources[int(e)] = folder
    return sources


def _write(table: pd.DataFrame, path: Path, fmt: str) -> None:
    out = table.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c].dtype):
            out[c] = out[c].astype(object).astype(str).astype(object)
    if fmt == "csv":
        out.to_csv(path, index=False)
    elif fmt == "dta":
        out.to_stata(path, write_index=False, version=118)
    elif fmt == "sav":
        pyreadstat = require("pyreadstat", "ene", what="writing .sav files")
        pyreadstat.write_sav(out, str(path))
    else:
        write_dbf(out, path)


def write_dbf(table: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame as a dBase III file (``.dbf``), the format of INEI's DBF downloads.

    Numeric columns become ``N`` fields (0 decimals when every value is whole, else 4;
    NaN is blank); other columns become ``C`` fields (Latin-1). Names are upper-cased and
    cut to 10 characters, as dBase requires (``C1RESULTFINAL`` → ``C1RESULTFI``).

    Raises
    ------
    DataError
        A number too wide for a dBase numeric field, duplicate names after cutting, or text
        that Latin-1 cannot encode.
    """
    fields: list[tuple[bytes, bytes, int, int]] = []
    cells: list[list[bytes]] = []
    seen: set[str] = set()
    for col in table.columns:
        name = str(col).upper()[:10]
        if name in seen:
            raise DataError(
                "two columns have the same dBase name after cutting to 10 characters",
                column=str(col),
                fix="rename the columns",
            )
        seen.add(name)
        s = table[col]
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(
            s.dtype
        ):
            v = s.to_numpy(dtype=np.float64, na_value=np.nan)
            finite = v[np.isfinite(v)]
            dec = 0 if np.all(finite == np.round(finite)) else 4
            text = [b"" if not np.isfinite(x) else f"{x:.{dec}f}".encode() for x in v]
            kind = b"N"
            width = max([len(t) for t in text] + [1])
            if width > _DBF_MAX_NUMERIC:
                raise DataError(
                    f"a value needs {width} characters; dBase numeric fields hold "
                    f"{_DBF_MAX_NUMERIC}",
                    column=str(col),
                    fix="scale the column or write another format",
                )
            text = [t.rjust(width) for t in text]
        else:
            try:
                text = [
                    ("" if x is None else str(x)).encode("latin-1")
                    for x in s.astype(object)
                ]
            except UnicodeEncodeError as exc:
                raise DataError(
                    f"text cannot be written as Latin-1 ({exc})",
                    column=str(col),
                    fix="replace the characters",
                ) from exc
            kind = b"C"
            dec = 0
            width = min(max([len(t) for t in text] + [1]), 254)
            text = [t[:width].ljust(width) for t in text]
        fields.append((name.encode("ascii"), kind, width, dec))
        cells.append(text)
    n_rec = len(table)
    header_len = 32 + 32 * len(fields) + 1
    record_len = 1 + sum(f[2] for f in fields)
    d = _DBF_DATE
    header = struct.pack(
        "<BBBBIHH20x",
        0x03,
        d.year - 1900,
        d.month,
        d.day,
        n_rec,
        header_len,
        record_len,
    )
    desc = b"".join(
        struct.pack("<11sc4xBB14x", name, kind, width, dec)
        for name, kind, width, dec in fields
    )
    rows = [b" " + b"".join(col[i] for col in cells) for i in range(n_rec)]
    with open(path, "wb") as fh:
        fh.write(header + desc + b"\r" + b"".join(rows) + b"\x1a")
