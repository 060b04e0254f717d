"""PP 0093 targeting ("focalización"): which served firms belong to the programme's population.

Source: PRODUCE-OGEIEE, PP 0093 Reporte de seguimiento 2020
(``shared/seed/pp0093_reporte_seguimiento_2020.txt``, box "Criterios de focalización de las
empresas a ser atendidas por el PP0093"), summarised in ``shared/domain/PERU_DOMAIN.md`` §2.2:

1. "Ser formales (registradas [en] la SUNAT)";
2. "Tener por lo menos dos años en el registro de SUNAT";
3. "Ventas anuales desde 13 hasta 2,300 UIT" (both bounds inclusive: "desde … hasta").

In 2020 focalized firms were 7.7 % of the 28,510 firms served (seed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tfp._checks import check_int
from tfp._labels import labels as _labels
from tfp._literals import validate_literal
from tfp.exceptions import DataError
from tfp.peru.size import (
    LANGS,
    ArrayInput,
    _as_float,
    _check_nonnegative,
    _common_index,
    _input_name,
    _uit_soles,
)

__all__ = ["MIN_YEARS_REGISTERED", "TARGETING_REASONS", "TARGET_SALES_UIT", "targeting"]

#: Minimum years in the SUNAT registry (seed: "por lo menos dos años").
MIN_YEARS_REGISTERED = 2.0
#: Inclusive sales range in UIT (seed: "desde 13 hasta 2,300 UIT").
TARGET_SALES_UIT = (13.0, 2300.0)

#: Reason texts by language, in the order criteria are checked (from the label catalogue).
TARGETING_REASONS: dict[str, dict[str, str]] = {
    lang: _labels("targeting", lang) for lang in LANGS
}
_REASON_ORDER = ("formal", "registered_2y", "sales_low", "sales_high", "missing")


def _as_flag(x: ArrayInput, name: str, n: int) -> np.ndarray:
    """Boolean-like input (bool, 0/1, nullable boolean) as float64 1/0/NaN."""
    v = _as_float(x, name, n)
    ok = ~np.isnan(v)
    bad = ok & (v != 0) & (v != 1)
    if bad.any():
        raise DataError(
            f"must be True/False or 1/0, found {v[bad][0]!r} ({int(bad.sum())} value(s))",
            column=name,
            fix=f"map it to booleans first, e.g. {name} == 1; missing values may stay NaN",
        )
    return v


def targeting(
    formal: ArrayInput,
    years_registered: ArrayInput,
    sales_soles: ArrayInput,
    year: ArrayInput,
    *,
    uit_offset: int = 0,
    lang: str = "es",
) -> pd.DataFrame:
    """Check the PP 0093 targeting criteria for each firm.

    Parameters
    ----------
    formal : bool, array-like or Series
        Registered with SUNAT (True/False or 1/0; NaN = unknown).
    years_registered : scalar, array-like or Series
        Years since registration in SUNAT's registry (NaN = unknown).
    sales_soles : scalar, array-like or Series
        Annual sales in nominal soles of ``year`` (NaN = unknown).
    year : int, array-like or Series
        Fiscal year of the sales, used for the UIT (see :func:`tfp.peru.size_class`).
    uit_offset : {0, 1}
        0 = UIT of ``year`` (default), 1 = UIT of ``year + 1``.
    lang : {'es', 'en'}
        Language of ``reason``.

    Returns
    -------
    DataFrame
        Index of the Series inputs (else a RangeIndex) and columns

        - ``formal`` (bool): registered with SUNAT;
        - ``registered_2y`` (bool): at least 2 years in the registry;
        - ``sales_13_2300`` (bool): 13 ≤ sales / UIT ≤ 2 300;
        - ``target`` (bool): all three;
        - ``reason`` (str): ``""`` for targeted firms, else every failed criterion in the
          order above joined by ``"; "`` (e.g. ``"no formal; ventas menores a 13 UIT"``),
          with ``"sin información"`` / ``"missing data"`` last when an input needed for a
          criterion is missing. A criterion whose input is missing is False, so such a firm
          is never targeted.

    Raises
    ------
    DataError
        If ``formal`` is not boolean-like, or years registered or sales are negative.
    DomainError
        If a year is outside the UIT table.

    References
    ----------
    PRODUCE-OGEIEE (2021), PP 0093 Reporte de seguimiento 2020, "Criterios de focalización";
    PERU_DOMAIN.md §2.2.

    Examples
    --------
    >>> targeting([True, False], [3, 5], [100_000, 100_000], 2020)["reason"].tolist()
    ['', 'no formal']
    """
    validate_literal(lang, LANGS, name="lang")
    uit_offset = check_int(uit_offset, name="uit_offset", low=0, high=1)
    names = [
        _input_name(formal, "formal"),
        _input_name(years_registered, "years_registered"),
        _input_name(sales_soles, "sales_soles"),
        _input_name(year, "year"),
    ]
    index = _common_index(
        list(zip(names, (formal, years_registered, sales_soles, year), strict=True))
    )
    n = len(index)
    f = _as_flag(formal, names[0], n)
    reg = _as_float(years_registered, names[1], n)
    sales = _as_float(sales_soles, names[2], n)
    yrs = _as_float(year, names[3], n)
    _check_nonnegative(reg, names[1], index, "years registered")
    _check_nonnegative(sales, names[2], index, "sales")
    yrs = np.where(np.isnan(sales), np.nan, yrs)  # the year only matters with sales
    u = _uit_soles(yrs, uit_offset, names[3])
    low, high = TARGET_SALES_UIT

    miss_formal = np.isnan(f)
    miss_reg = np.isnan(reg)
    miss_sales = np.isnan(sales) | np.isnan(u)
    with np.errstate(invalid="ignore"):
        ok_formal = f == 1
        ok_reg = reg >= MIN_YEARS_REGISTERED
        below = sales < low * u
        above = sales > high * u
    ok_sales = ~miss_sales & ~below & ~above
    target = ok_formal & ok_reg & ok_sales

    flags = (
        (~miss_formal & ~ok_formal).astype(np.int64)
        | ((~miss_reg & ~ok_reg).astype(np.int64) << 1)
        | ((~miss_sales & below).astype(np.int64) << 2)
        | ((~miss_sales & above).astype(np.int64) << 3)
        | ((miss_formal | miss_reg | miss_sales).astype(np.int64) << 4)
    )
    texts = TARGETING_REASONS[lang]
    table = np.array(
        [
            "; ".join(
                texts[k] for bit, k in enumerate(_REASON_ORDER) if code >> bit & 1
            )
            for code in range(1 << len(_REASON_ORDER))
        ],
        dtype=object,
    )
    reason = table[flags]
    return pd.DataFrame(
        {
            "formal": ok_formal,
            "registered_2y": ok_reg,
            "sales_13_2300": ok_sales,
            "target": target,
            "reason": pd.array(reason, dtype="str"),
        },
        index=index,
    )
