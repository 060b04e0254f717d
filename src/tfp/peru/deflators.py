"""Consumer-price deflator: IPC Lima Metropolitana (INEI), annual averages from monthly changes.

Source
------
INEI, Compendio Estadístico, table 22.3 "Lima Metropolitana: variación porcentual mensual del
índice de precios promedio al consumidor", 2007–July 2023, transcribed in
``shared/domain/ipc_lima_monthly.txt`` (PERU_DOMAIN.md §7.1) and shipped as
``tfp/peru/data/ipc_lima_monthly.txt`` (provenance in its header and ``data/README.md``).

Construction (DERIVED, as in PERU_DOMAIN §7.1): the monthly index is chained from the monthly
percentage changes, ``I_m = I_{m-1} (1 + v_m / 100)`` with December 2006 = 100; the annual
index is the mean of the twelve monthly levels of a year, rebased so that ``base_year`` = 100.
Only complete years are kept, so the series covers 2007–2022 (2023 has January–July only).
INEI changed the IPC base in 2022 (Dec 2021 = 100); monthly *changes* chain across the change.
The inputs are rounded to 0.01 pp, so derived annual rates carry about ±0.02 pp of rounding
error (PERU_DOMAIN reports agreement with official Dec/Dec rates 2021 6.43 and 2022 8.46 and
with an independent annual-average series to ≤ 0.02 pp).
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np
import pandas as pd

from tfp._checks import check_int
from tfp.exceptions import DataError, DomainError
from tfp.peru.size import ArrayInput, _as_float, _common_index, _input_name

__all__ = ["deflate", "ipc_lima", "ipc_lima_monthly"]

_FILE = "ipc_lima_monthly.txt"


@functools.cache
def _monthly_changes() -> pd.Series:
    """Monthly % changes from the packaged file, indexed by monthly Period (read once)."""
    text = (
        resources.files("tfp.peru").joinpath("data", _FILE).read_text(encoding="utf-8")
    )
    values: list[float] = []
    periods: list[pd.Period] = []
    expected_year: int | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        year = int(fields[0])
        months = [float(f.replace(",", ".")) for f in fields[1:]]
        if (expected_year is not None and year != expected_year) or not 1 <= len(
            months
        ) <= 12:
            raise DataError(  # pragma: no cover - guards the packaged file
                f"{_FILE} line {lineno}: expected year {expected_year} with 1-12 months, "
                f"got {year} with {len(months)}",
                fix="restore the packaged file from the tfp distribution",
            )
        expected_year = year + 1
        for m, v in enumerate(months, start=1):
            periods.append(pd.Period(year=year, month=m, freq="M"))
            values.append(v)
    return pd.Series(values, index=pd.PeriodIndex(periods), name="ipc_lima_pct_change")


@functools.cache
def _annual_levels() -> pd.Series:
    """Annual-average index (Dec 2006 = 100), complete years only."""
    changes = _monthly_changes()
    level = 100.0 * np.cumprod(1.0 + changes.to_numpy() / 100.0)
    years = pd.PeriodIndex(changes.index).year
    df = pd.DataFrame({"year": years, "level": level})
    grouped = df.groupby("year")["level"]
    complete = grouped.size() == 12
    return grouped.mean()[complete]


def _check_base(base_year: int, levels: pd.Series) -> int:
    base = check_int(base_year, name="base_year")
    first, last = int(levels.index.min()), int(levels.index.max())
    if base not in levels.index:
        raise DomainError(
            f"base_year={base} is outside the IPC Lima annual series ({first}–{last})",
            fix=f"pass a base_year in {first}–{last}",
        )
    return base


def ipc_lima_monthly(base_year: int = 2021) -> pd.Series:
    """Monthly IPC Lima Metropolitana index, January 2007 – July 2023.

    Parameters
    ----------
    base_year : int
        The average of this year's twelve months is 100 (2007–2022).

    Returns
    -------
    Series
        Index levels by monthly ``Period``, named ``ipc_lima``.
    """
    levels = _annual_levels()
    base = _check_base(base_year, levels)
    changes = _monthly_changes()
    level = 100.0 * np.cumprod(1.0 + changes.to_numpy() / 100.0)
    return pd.Series(
        level / levels[base] * 100.0, index=changes.index.copy(), name="ipc_lima"
    )


def ipc_lima(base_year: int = 2021) -> pd.Series:
    """Annual-average IPC Lima Metropolitana, base_year = 100, 2007–2022.

    Parameters
    ----------
    base_year : int
        Year whose annual average is 100 (default 2021, the last year of INEI's 2009 base).

    Returns
    -------
    Series
        Index by year (int), float64, named ``ipc_lima``.

    Raises
    ------
    DomainError
        If ``base_year`` is outside 2007–2022.

    References
    ----------
    INEI, Compendio Estadístico, table 22.3 (monthly % changes of the IPC, Lima
    Metropolitana); PERU_DOMAIN.md §7.1. See the module docstring for the construction.

    Examples
    --------
    >>> round(float(ipc_lima(2010)[2022]), 2)
    148.14
    """
    levels = _annual_levels()
    base = _check_base(base_year, levels)
    out = levels / levels[base] * 100.0
    out.index = pd.Index(out.index.astype(np.int64), name="year")
    out.name = "ipc_lima"
    return out


def deflate(
    values: ArrayInput, years: ArrayInput, base_year: int = 2021
) -> pd.Series | np.ndarray:
    """Convert nominal soles of each year to constant soles of ``base_year`` (IPC Lima).

    ``real = nominal × IPC[base_year] / IPC[year]`` with annual-average IPC Lima
    Metropolitana (:func:`ipc_lima`).

    Parameters
    ----------
    values : scalar, array-like or Series
        Nominal amounts in soles; NaN stays NaN (negative amounts, e.g. losses, are allowed).
    years : int, array-like or Series
        Year of each amount; NaN gives NaN.
    base_year : int
        Year of the constant soles (default 2021).

    Returns
    -------
    Series or ndarray
        A Series (index of the Series input, named like ``values``) if ``values`` or
        ``years`` is a Series, else a float64 ndarray.

    Raises
    ------
    DomainError
        If a year or ``base_year`` is outside the series (2007–2022), or a year is not whole.
    DataError
        If values are not numeric, or inputs differ in length or index.

    Examples
    --------
    >>> float(deflate(100.0, 2021, base_year=2021)[0])
    100.0
    """
    index_ = ipc_lima(base_year)
    v_name = _input_name(values, "values")
    y_name = _input_name(years, "years")
    index = _common_index([(v_name, values), (y_name, years)])
    n = len(index)
    v = _as_float(values, v_name, n)
    y = _as_float(years, y_name, n)
    first, last = int(index_.index.min()), int(index_.index.max())
    ok = ~np.isnan(y)
    yy = y[ok]
    if yy.size and np.any(yy != np.round(yy)):
        raise DomainError(
            f"years must be whole numbers, found {yy[yy != np.round(yy)][0]!r}",
            column=y_name,
            fix="pass calendar years",
        )
    outside = (yy < first) | (yy > last)
    if outside.any():
        raise DomainError(
            f"{int(outside.sum())} year(s) are outside the IPC Lima annual series "
            f"({first}–{last}), e.g. {int(yy[outside][0])}",
            column=y_name,
            fix=f"keep years in {first}–{last}, or deflate those years with another index",
        )
    table = index_.to_numpy()
    factor = np.full(n, np.nan)
    factor[ok] = 100.0 / table[(yy - first).astype(np.int64)]
    real = v * factor
    if isinstance(values, pd.Series) or isinstance(years, pd.Series):
        name = values.name if isinstance(values, pd.Series) else None
        return pd.Series(real, index=index, name=name)
    return real
