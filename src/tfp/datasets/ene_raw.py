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
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tfp._literals import validate_literal
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
    root = Path(directory)
    rng = np.random.default_rng(seed)
    n = len(data)
    years = data["year"].to_numpy(dtype=np.int64)
    edition = years + _OFFSET
    firm = np.array([str(v) for v in data["firm_id"]], dtype=object)

    # ---- economic block (module IX) -------------------------------------------------
    sales = np.round(data["sales_soles"].to_numpy(dtype=np.float64)).astype(np.int64)
    mat = np.round(data["materials_soles"].to_numpy(dtype=np.float64)).astype(np.int64)
    p = _split(
        sales,
        np.column_stack(
            [rng.uniform(0.6, 0.9, n), rng.uniform(0, 0.1, n), np.zeros(n)]
        ),
    )
    m9p4 = {1: p[:, 0], 3: p[:, 0].copy(), 4: p[:, 1], 5: p[:, 2]}
    for k in (2, 6, 7):
        m9p4[k] = rng.integers(0, 100_000, n)
    q = _split(mat, np.column_stack([rng.uniform(0.5, 0.9, n), np.zeros(n)]))
    m9p5 = {1: q[:, 0], 9: q[:, 1]}
    for k in range(2, 9):
        m9p5[k] = rng.integers(0, 50_000, n)

    # ---- fixed assets (long) --------------------------------------------------------
    cap = np.round(data["capital_soles"].to_numpy(dtype=np.float64)).astype(np.int64)
    inv = np.round(data["investment_soles"].to_numpy(dtype=np.float64)).astype(np.int64)
    disp = np.round(cap * rng.uniform(0, 0.02, n)).astype(np.int64)
    gross = inv + disp
    new = np.round(0.7 * gross).astype(np.int64)
    used = gross - new
    shares = rng.dirichlet([2.0, 3.0, 1.0], n)
    begin_r, new_r, used_r, disp_r = (_split(x, shares) for x in (cap, new, used, disp))
    dep_r = np.round(0.1 * begin_r).astype(np.int64)
    end_r = begin_r + new_r + used_r - disp_r - dep_r

    # ---- labour (module III) --------------------------------------------------------
    ns = np.round(data["workers_skilled"].to_numpy(dtype=np.float64)).astype(np.int64)
    nu = np.round(data["workers_unskilled"].to_numpy(dtype=np.float64)).astype(np.int64)
    ns = np.where(ns + nu == 0, 1, ns)

    # ---- identification ---------------------------------------------------------------
    ubigeo = np.array([str(u) for u in data["ubigeo"]], dtype=object)
    ciiu = np.array([str(c) for c in data["ciiu"]], dtype=object)
    stratum = np.array([_STRATUM[str(s)] for s in data["size_class"]], dtype=np.int64)
    result = np.where(rng.random(n) < 0.9, 1, 2)
    weight = np.round(data["weight"].to_numpy(dtype=np.float64), 4)

    # ---- awkward cases ------------------------------------------------------------------
    reason = np.full(n, "", dtype=object)
    no_labour = np.zeros(n, dtype=bool)
    no_assets = np.zeros(n, dtype=bool)
    dup_ident = np.zeros(n, dtype=bool)
    dup_conflict = np.zeros(n, dtype=bool)
    not_a_number = np.zeros(n, dtype=bool)
    blank_econ = np.zeros(n, dtype=bool)
    blank_item = np.zeros(n, dtype=bool)
    order = rng.permutation(n)
    cursor = 0

    def take(k: int, eligible: np.ndarray | None = None) -> np.ndarray:
        nonlocal cursor
        mask = np.zeros(n, dtype=bool)
        if eligible is None:
            picks = order[cursor : cursor + k]
            cursor += len(picks)
        else:
            free = order[cursor:]
            picks = free[eligible[free]][:k]
            # move the picked ones out of the pool
            rest = np.setdiff1d(order[cursor:], picks, assume_unique=True)
            order[cursor:] = np.concatenate([picks, rest])
            cursor += len(picks)
        mask[picks] = True
        return mask

    if blank_large_economics:
        blank_econ |= stratum == 3
        reason[blank_econ] = "missing_data"
    if awkward:
        pool_ok = reason == ""
        sel = take(3, pool_ok)
        result[sel] = 3
        blank_econ |= sel
        reason[sel] = "interview_result"
        sel = take(2, reason == "")
        no_labour |= sel
        reason[sel] = "missing_module"
        sel = take(2, reason == "")
        no_assets |= sel
        reason[sel] = "missing_module"
        dup_ident |= take(2, reason == "")
        sel = take(1, reason == "")
        dup_conflict |= sel
        reason[sel] = "duplicate_id"
        sel = take(1, reason == "")
        not_a_number |= sel
        reason[sel] = "non_numeric"
        sel = take(2, (reason == "") & (stratum == 3))
        blank_econ |= sel
        reason[sel] = "missing_data"
        sel = take(1, reason == "")
        m9p5[1] = np.where(sel, sales + 1000 - m9p5[9], m9p5[1])
        mat = m9p5[1] + m9p5[9]
        reason[sel] = "nonpositive_output"
        blank_item |= take(2, reason == "")
        m9p4[1] = np.where(blank_item, m9p4[1] + m9p4[4], m9p4[1])
        m9p4[3] = np.where(blank_item, m9p4[3] + m9p4[4], m9p4[3])
        m9p4[4] = np.where(blank_item, 0, m9p4[4])
        sel = take(2, reason == "")
        ns = np.where(sel, np.maximum(ns, 1), ns)
        nu = np.where(sel, 0, nu)

    occ_s = rng.multinomial(ns, [0.15, 0.45, 0.15, 0.25])  # rows 1, 2, 4, 7
    occ_u = rng.multinomial(
        nu, [0.5, 0.2, 0.15, 0.05, 0.05, 0.05]
    )  # 3, 5, 8, 9, 10, 11
    a = {
        1: occ_s[:, 0], 2: occ_s[:, 1], 4: occ_s[:, 2], 7: occ_s[:, 3],
        3: occ_u[:, 0], 5: occ_u[:, 1], 8: occ_u[:, 2], 9: occ_u[:, 3],
        10: occ_u[:, 4], 11: occ_u[:, 5],
    }  # fmt: skip
    a[6] = a[1] + a[2] + a[3] + a[4] + a[5]
    a[12] = a[7] + a[8] + a[9] + a[10] + a[11]
    a[13] = rng.integers(0, 5, n)
    total = a[6] + a[12]
    edu_s = np.clip(np.round(0.8 * ns + 0.1 * nu).astype(np.int64), 0, total)
    edu_u = total - edu_s
    es = rng.multinomial(edu_s, [0.1, 0.6, 0.3])  # 1, 2, 4
    eu = rng.multinomial(edu_u, [0.1, 0.1, 0.6, 0.2])  # 3, 5, 6, 7
    m3p2 = {1: es[:, 0], 2: es[:, 1], 4: es[:, 2], 3: eu[:, 0], 5: eu[:, 1]}
    m3p2.update({6: eu[:, 2], 7: eu[:, 3], 8: total})
    paid_s = a[1] + a[2] + a[4]
    paid_u = a[3] + a[5]
    bill = data["wage_bill_soles"].to_numpy(dtype=np.float64)
    denom = 12.0 * (2.0 * paid_s + paid_u)
    w = np.divide(bill, denom, out=np.zeros(n), where=denom > 0)
    pay = {r: np.round((2.0 if r in (1, 2, 4) else 1.0) * w) for r in range(1, 6)}
    wage_bill = sum(12 * a[r] * pay[r] for r in range(1, 6))

    # ---- expected results -------------------------------------------------------------
    value_added = m9p4[3] + m9p4[4] + m9p4[5] - mat
    expected = pd.DataFrame(
        {
            "firm_id": firm,
            "year": years,
            "edition": edition,
            "sales": (m9p4[1] + m9p4[4] + m9p4[5]).astype(np.float64),
            "gross_output": (m9p4[3] + m9p4[4] + m9p4[5]).astype(np.float64),
            "intermediate": mat.astype(np.float64),
            "value_added": value_added.astype(np.float64),
            "capital": begin_r.sum(axis=1).astype(np.float64),
            "capital_end": end_r.sum(axis=1).astype(np.float64),
            "investment": (new_r + used_r - disp_r).sum(axis=1).astype(np.float64),
            "wage_bill": np.asarray(wage_bill, dtype=np.float64),
            "workers": total.astype(np.float64),
            "skilled_occupation": ns.astype(np.float64),
            "unskilled_occupation": nu.astype(np.float64),
            "skilled_education": edu_s.astype(np.float64),
            "unskilled_education": edu_u.astype(np.float64),
            "ciiu": ciiu,
            "ubigeo": ubigeo,
            "sales_range": np.array(
                [{1: "micro", 2: "small", 3: "medium_large"}[s] for s in stratum],
                dtype=object,
            ),
            "weight": weight,
        }
    )
    kept = reason == ""
    expected_kept = (
        expected.loc[kept]
        .sort_values(["firm_id", "year"], kind="stable")
        .reset_index(drop=True)
    )
    dropped = (
        pd.DataFrame(
            {
                "edition": edition[~kept],
                "year": years[~kept],
                "firm_id": firm[~kept],
                "reason": reason[~kept],
            }
        )
        .sort_values(["edition", "firm_id"], kind="stable")
        .reset_index(drop=True)
    )

    # ---- tables per module -----------------------------------------------------------
    ident = pd.DataFrame(
        {
            "IRUC": firm,
            "CCDD": [u[:2] for u in ubigeo],
            "CCPP": [u[2:4] for u in ubigeo],
            "CCDI": [u[4:6] for u in ubigeo],
            "C2": [""] * n,
            "C14_COD": ciiu,
            "C20": stratum,
            "C1RESULTFINAL": result,
            "FACTOR_EXP": weight,
        }
    )
    if awkward:  # codes stored as numbers, leading zeros lost
        ident["CCDD"] = np.array([int(c) for c in ident["CCDD"]], dtype=np.int64)
        ident["C14_COD"] = np.array([int(c) for c in ciiu], dtype=np.int64)
    labour_cols: dict[str, Any] = {"IRUC": firm}
    for r in range(1, 14):
        labour_cols[f"M3P1_{r}A"] = a[r]
        men = rng.binomial(a[r], 0.6)
        labour_cols[f"M3P1_{r}B"] = men
        labour_cols[f"M3P1_{r}C"] = a[r] - men
        if r <= 5:
            labour_cols[f"M3P1_{r}D"] = np.where(a[r] > 0, pay[r], np.nan)
    for k in range(1, 9):
        labour_cols[f"M3P2_{k}"] = m3p2[k]
    labour = pd.DataFrame(labour_cols)
    econ_cols: dict[str, Any] = {"IRUC": firm}
    for k in range(1, 8):
        econ_cols[f"M9P4_{k}"] = m9p4[k].astype(np.float64)
    for k in range(1, 10):
        econ_cols[f"M9P5_{k}"] = m9p5[k].astype(np.float64)
    econ = pd.DataFrame(econ_cols)
    econ.loc[blank_econ, [c for c in econ.columns if c != "IRUC"]] = np.nan
    econ.loc[blank_item, "M9P4_4"] = np.nan
    if awkward:  # a numeric item stored as text, padded, with one unusable cell
        text = np.array(
            ["" if np.isnan(v) else f" {int(v)} " for v in econ["M9P4_1"]], dtype=object
        )
        text[not_a_number] = "n.d."
        econ["M9P4_1"] = text
    asset_frames = []
    for r in range(4):
        if r < 3:
            cols = [begin_r[:, r], new_r[:, r], used_r[:, r], disp_r[:, r], end_r[:, r]]
        else:
            cols = [x.sum(axis=1) for x in (begin_r, new_r, used_r, disp_r, end_r)]
        frame = pd.DataFrame({"IRUC": firm, "M9P6_ID": np.full(n, r + 1)})
        for j, c in enumerate(cols, start=1):
            frame[f"M9P6_{j}"] = c
        frame["_row"] = np.arange(n)
        asset_frames.append(frame)
    assets = pd.concat(asset_frames).sort_values(["_row", "M9P6_ID"], kind="stable")

    sources: dict[int, Path] = {}
    for e in np.unique(edition).tolist():
        in_e = edition == e
        folder = root / f"ENE{e}"
        folder.mkdir(parents=True, exist_ok=True)
        ident_e = ident.loc[in_e]
        ident_e = pd.concat([ident_e, ident.loc[in_e & dup_ident]])
        econ_e = econ.loc[in_e]
        clash = econ.loc[in_e & dup_conflict].copy()
        if len(clash):
            col = "M9P5_1"
            clash[col] = clash[col].astype(np.float64) + 1.0
        econ_e = pd.concat([econ_e, clash])
        labour_e = labour.loc[in_e & ~no_labour]
        keep_rows = np.isin(assets["_row"], np.flatnonzero(in_e & ~no_assets))
        assets_e = assets.loc[keep_rows].drop(columns="_row")
        stems = {m: str(ENE_2015["modules"][m]["file"]) for m in ENE_2015["modules"]}
        for module, table in (
            ("identification", ident_e),
            ("labour", labour_e),
            ("economic", econ_e),
            ("assets", assets_e),
        ):
            _write(table.reset_index(drop=True), folder / f"{stems[module]}.{fmt}", fmt)
        sources[int(e)] = folder
    return RawENE(sources, expected_kept, dropped)


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
        import pyreadstat

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
