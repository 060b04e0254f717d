"""Who the programme served: coverage of the register by place, sector, size and targeting.

Counts are unique firms. A firm served by several activities or units counts once in each
of those groups, so shares by activity, product, unit or service can add up to more than
100 %. Firm attributes are classified with :mod:`tfp.peru` (departments and natural regions
from the ubigeo, PRODUCE sectors from the CIIU, Ley 30056 size classes and the seed's
sub-strata from sales, worker bands, and the PP 0093 targeting criteria).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from tfp import peru
from tfp._labels import label as _label
from tfp._literals import LANGS, Lang, validate_literal
from tfp.exceptions import RecordsError, SpecificationError
from tfp.program.framework import label
from tfp.program.records import ProgramRecords

__all__ = ["COVERAGE_BY", "coverage", "firm_profile", "targeting_summary"]

#: Groupings accepted by :func:`coverage`.
COVERAGE_BY = (
    "department",
    "natural_region",
    "sector",
    "size_class",
    "size_stratum",
    "worker_band",
    "target",
    "activity",
    "product",
    "unit",
    "service",
)
_FIRM_LEVEL = COVERAGE_BY[:7]
_DAYS_PER_YEAR = 365.25


def _register(records: ProgramRecords) -> pd.DataFrame:
    reg = records.register
    if reg is None:
        raise RecordsError(
            "the records have no register of firms served",
            fix="add a register table (see tfp.program.records) or use records.replace(register=...)",
        )
    return reg


def firm_profile(
    records: ProgramRecords,
    *,
    mapping: Literal["A", "B"] = "A",
    uit_offset: int = 0,
    lang: Lang = "es",
) -> pd.DataFrame:
    """Classify every firm of the register (one row per firm).

    Parameters
    ----------
    records : ProgramRecords
        Records with a register.
    mapping : {'A', 'B'}
        Department to natural-region mapping (:func:`tfp.peru.natural_region`).
    uit_offset : {0, 1}
        Which year's UIT classifies the sales (:func:`tfp.peru.size_class`); sales are taken
        to be of the records' year.
    lang : {'es', 'en'}
        Language of the targeting ``reason``.

    Returns
    -------
    DataFrame
        Index ``firm_id``; columns ``ubigeo, department, department_name, natural_region,
        ciiu, sector, sales_soles, size_class, size_stratum, workers, worker_band,
        registration_date, years_registered, formal, registered_2y, sales_13_2300, target,
        reason, n_activities``. ``years_registered`` is measured at 31 December of the
        records' year.
    """
    validate_literal(lang, LANGS, name="lang")
    reg = _register(records)
    firms = reg.drop_duplicates("firm_id").set_index("firm_id")
    n_act = reg.groupby("firm_id")["activity"].nunique()
    out = pd.DataFrame(index=firms.index)
    out["ubigeo"] = firms["ubigeo"]
    dept = peru.department(firms["ubigeo"])
    out["department"] = dept
    out["department_name"] = peru.department_name(dept)
    out["natural_region"] = peru.natural_region(dept, mapping=mapping)
    out["ciiu"] = firms["ciiu"]
    out["sector"] = peru.produce_sector(firms["ciiu"])
    sales = firms["sales_soles"].astype(float)
    year = pd.Series(float(records.year), index=firms.index)
    out["sales_soles"] = sales
    out["size_class"] = peru.size_class(sales, year, uit_offset=uit_offset)
    out["size_stratum"] = peru.size_stratum(sales, year, uit_offset=uit_offset)
    out["workers"] = firms["workers"].astype(float)
    out["worker_band"] = peru.worker_band(out["workers"])
    out["registration_date"] = firms["registration_date"]
    end = pd.Timestamp(f"{records.year}-12-31")
    days = (end - firms["registration_date"]).dt.days.astype(float)
    out["years_registered"] = days / _DAYS_PER_YEAR
    formal = firms["formal"].astype("boolean").astype("Float64").astype(float)
    flags = peru.targeting(
        formal.rename("formal"),
        out["years_registered"],
        sales.rename("sales_soles"),
        year,
        uit_offset=uit_offset,
        lang=lang,
    )
    out["formal"] = firms["formal"]
    for column in ("registered_2y", "sales_13_2300", "target", "reason"):
        out[column] = flags[column].to_numpy()
    out["n_activities"] = n_act.reindex(out.index).astype(int)
    return out


def coverage(
    records: ProgramRecords,
    by: str = "department",
    *,
    lang: Lang = "es",
    mapping: Literal["A", "B"] = "A",
    uit_offset: int = 0,
) -> pd.DataFrame:
    """Count unique firms served by group.

    Parameters
    ----------
    records : ProgramRecords
        Records with a register.
    by : {'department', 'natural_region', 'sector', 'size_class', 'size_stratum', \
'worker_band', 'target', 'activity', 'product', 'unit', 'service'}
        The grouping.
    lang : {'es', 'en'}
        Language of ``label``.
    mapping, uit_offset
        As in :func:`firm_profile`.

    Returns
    -------
    DataFrame
        Columns ``group, label, n_firms, share_pct, share_known_pct``: ``share_pct`` is the
        share of all firms served, ``share_known_pct`` the share of firms whose group is
        known (the base the seed uses for size classes). Firms with an unknown group are one
        row with ``group = "missing"``; for ``by="product"`` these are firms served only by
        activities that do not count towards a product (e.g. difusión).

    Examples
    --------
    >>> from tfp.program import load_pp0093_2020
    >>> cov = coverage(load_pp0093_2020(), by="natural_region")
    >>> cov["n_firms"].sum()
    np.int64(28510)
    """
    if by not in COVERAGE_BY:
        raise SpecificationError(
            f"by={by!r} is not one of {set(COVERAGE_BY)}",
            fix=f"use one of {COVERAGE_BY}",
        )
    validate_literal(lang, LANGS, name="lang")
    reg = _register(records)
    n_total = int(reg["firm_id"].nunique())
    if by in _FIRM_LEVEL:
        prof = firm_profile(records, mapping=mapping, uit_offset=uit_offset, lang=lang)
        groups = prof[by]
        if by == "target":
            groups = groups.map({True: "target", False: "not_target"})
        counts = groups.value_counts(dropna=True, sort=False)
        if isinstance(groups.dtype, pd.CategoricalDtype):
            counts = counts.reindex(groups.cat.categories, fill_value=0)
        else:
            counts = counts.sort_values(ascending=False, kind="stable")
        n_missing = int(groups.isna().sum())
        n_known = n_total - n_missing
        labels = _labels(by, counts.index, lang)
    else:
        key = by
        frame = reg
        if by == "product":
            act = records.activities.set_index("code")
            counting = act[act["counts_to_product"]]
            frame = reg[reg["activity"].isin(counting.index)]
            frame = frame.assign(product=frame["activity"].map(counting["product"]))
        counts = frame.groupby(key)["firm_id"].nunique()
        n_known = int(frame.loc[frame[key].notna(), "firm_id"].nunique())
        n_missing = n_total - n_known
        counts = _programme_order(records, by, counts)
        labels = _labels(by, counts.index, lang, records)
    out = pd.DataFrame(
        {
            "group": [str(g) for g in counts.index],
            "label": labels,
            "n_firms": counts.to_numpy(dtype=np.int64),
        }
    )
    if n_missing:
        out = pd.concat(
            [
                out,
                pd.DataFrame(
                    {
                        "group": ["missing"],
                        "label": [_missing_label(by, lang)],
                        "n_firms": [n_missing],
                    }
                ),
            ],
            ignore_index=True,
        )
    out["share_pct"] = out["n_firms"] / n_total * 100.0
    out["share_known_pct"] = np.where(
        out["group"] == "missing", np.nan, out["n_firms"] / max(n_known, 1) * 100.0
    )
    out["n_firms"] = out["n_firms"].astype(np.int64)
    return out


def _missing_label(by: str, lang: Lang) -> str:
    if by == "product":
        return _label("no_product", lang, domain="coverage")
    return label("missing", lang)


def _programme_order(records: ProgramRecords, by: str, counts: pd.Series) -> pd.Series:
    if by == "activity":
        order = [a.code for a in records.framework.activities if a.code in counts.index]
        return counts.reindex(order)
    if by == "product":
        order = [p.code for p in records.framework.products if p.code in counts.index]
        return counts.reindex(order)
    return counts.sort_values(ascending=False, kind="stable")


def _labels(
    by: str, groups: pd.Index, lang: Lang, records: ProgramRecords | None = None
) -> list[str]:
    if by == "department":
        return [
            str(v) for v in peru.department_name(pd.Series(list(groups), dtype=object))
        ]
    if by in ("size_class", "size_stratum", "worker_band"):
        return [
            str(v)
            for v in peru.size_label(pd.Series(list(groups), dtype=object), lang=lang)
        ]
    if by == "sector" and lang == "en":
        return [
            peru.SECTORS_EN[peru.SECTORS.index(g)] if g in peru.SECTORS else g
            for g in groups
        ]
    if by == "target":
        return [_label(g, lang, domain="coverage") for g in groups]
    if by == "activity" and records is not None:
        fw = records.framework
        return [f"{label('activity', lang)} {fw.activity(g).number}" for g in groups]
    if by == "product" and records is not None:
        fw = records.framework
        return [f"{label('product', lang)} {fw.product(g).number}" for g in groups]
    return [str(g) for g in groups]


def targeting_summary(
    records: ProgramRecords,
    *,
    lang: Lang = "es",
    uit_offset: int = 0,
) -> pd.DataFrame:
    """Share of firms served inside the PP 0093 targeting criteria, and why the rest are not.

    The criteria (:func:`tfp.peru.targeting`): formal, at least two years registered with
    SUNAT (at 31 December of the records' year) and annual sales from 13 to 2,300 UIT.

    Returns
    -------
    DataFrame
        Columns ``group, reason, n_firms, share_pct``. The first row (``group = "target"``)
        counts firms inside the criteria; the next ``group = "criterion"`` rows count firms
        failing each criterion (a firm can fail several); the last ``group = "reason"`` rows
        count firms by their full reason text, as :func:`tfp.peru.targeting` gives it.

    Examples
    --------
    >>> from tfp.program import load_pp0093_2020
    >>> s = targeting_summary(load_pp0093_2020())
    >>> round(s.loc[s["group"] == "target", "share_pct"].item(), 1)
    7.7
    """
    prof = firm_profile(records, uit_offset=uit_offset, lang=lang)
    n = len(prof)
    word = _label("targeted_firms", lang, domain="coverage")
    rows = [("target", word, int(prof["target"].sum()))]
    reasons = peru.TARGETING_REASONS[lang]
    sales = prof["sales_soles"]
    uit = float(peru.uit(records.year + uit_offset))
    crit = {
        "formal": prof["formal"].astype("boolean").eq(False).fillna(False),
        "registered_2y": prof["years_registered"] < peru.MIN_YEARS_REGISTERED,
        "sales_low": sales < peru.TARGET_SALES_UIT[0] * uit,
        "sales_high": sales > peru.TARGET_SALES_UIT[1] * uit,
        "missing": prof["formal"].isna()
        | prof["years_registered"].isna()
        | sales.isna(),
    }
    for key, mask in crit.items():
        rows.append(
            ("criterion", reasons[key], int(np.asarray(mask, dtype=bool).sum()))
        )
    by_reason = prof.loc[~prof["target"], "reason"].value_counts()
    rows += [("reason", str(r), int(c)) for r, c in by_reason.items()]
    out = pd.DataFrame(rows, columns=["group", "reason", "n_firms"])
    out["share_pct"] = out["n_firms"] / n * 100.0
    return out
