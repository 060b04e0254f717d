"""UIT (Unidad Impositiva Tributaria) by year, 2010–2026.

Source: ``shared/domain/PERU_DOMAIN.md`` §1. Legal basis: Norma XV, Título Preliminar, TUO del
Código Tributario; set yearly by Decreto Supremo of the MEF, valid 1 January–31 December
(e.g. 2019 DS 298-2018-EF, 2020 DS 380-2019-EF, 2021 DS 392-2020-EF, 2023 DS 309-2022-EF,
2024 DS 309-2023-EF, 2026 DS 301-2025-EF). Values for years whose decree number was not found
are confirmed by at least two public sources listed in that file.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from tfp.exceptions import DomainError

__all__ = ["UIT_SOLES", "uit", "uit_series"]

#: UIT in soles by year (read-only).
UIT_SOLES = MappingProxyType(
    {
        2010: 3600,
        2011: 3600,
        2012: 3650,
        2013: 3700,
        2014: 3800,
        2015: 3850,
        2016: 3950,
        2017: 4050,
        2018: 4150,
        2019: 4200,
        2020: 4300,
        2021: 4400,
        2022: 4600,
        2023: 4950,
        2024: 5150,
        2025: 5350,
        2026: 5500,
    }
)
_FIRST, _LAST = min(UIT_SOLES), max(UIT_SOLES)


def uit(year: int) -> int:
    """Return the UIT in soles for ``year``.

    Raises
    ------
    DomainError
        If ``year`` is outside 2010–2026, with the covered range in the message.

    Examples
    --------
    >>> uit(2019)
    4200
    """
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise DomainError(
            f"year must be an integer, got {year!r}",
            fix=f"pass a year in {_FIRST}–{_LAST}",
        ) from None
    if y != year or y not in UIT_SOLES:
        raise DomainError(
            f"no UIT for year {year!r}; the sourced table covers {_FIRST}–{_LAST}",
            fix=f"pass a year in {_FIRST}–{_LAST}, or convert with your own UIT value",
        )
    return int(UIT_SOLES[y])


def uit_series(years: pd.Series | np.ndarray, *, column: str = "year") -> np.ndarray:
    """Vectorised :func:`uit` for an array of years (float64), raising on any year outside."""
    arr = np.asarray(years)
    try:
        yrs = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise DomainError(
            "years must be numeric", column=column, fix="convert the year column to int"
        ) from None
    missing = np.isnan(yrs)
    if missing.any():
        raise DomainError(
            f"{int(missing.sum())} year(s) are missing, so no UIT applies to them",
            column=column,
            fix="fill or drop the rows without a year first",
        )
    bad = ~np.isin(yrs, np.fromiter(UIT_SOLES.keys(), dtype=np.float64))
    if bad.any():
        example = float(yrs[bad][0])
        raise DomainError(
            f"{int(bad.sum())} year(s) outside the UIT table ({_FIRST}–{_LAST}), "
            f"e.g. {example:g}",
            column=column,
            fix=f"keep years in {_FIRST}–{_LAST}, or convert with your own UIT value",
        )
    table = np.zeros(_LAST - _FIRST + 1)
    for k, v in UIT_SOLES.items():
        table[k - _FIRST] = v
    return table[yrs.astype(np.int64) - _FIRST]
