"""tfp.peru IPC Lima deflator (PERU_DOMAIN §7.1), checked by hand and against published figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp.exceptions import DataError, DomainError, SpecificationError
from tfp.peru import deflate, ipc_lima, ipc_lima_monthly

# Published index values are rounded to 2 decimals (PERU_DOMAIN §7.1 table).
ROUNDED_2DP = 0.005 + 1e-9
# PERU_DOMAIN: monthly inputs rounded to 0.01 pp give about ±0.02 pp on derived annual rates.
RATE_ROUNDING_PP = 0.02
# Hand computation repeats the same arithmetic in another order.
HAND_RTOL = 1e-12

# Monthly % changes typed from INEI Compendio table 22.3 (as in ipc_lima_monthly.txt).
MONTHS_2007 = [0.01, 0.26, 0.35, 0.18, 0.49, 0.47, 0.48, 0.14, 0.61, 0.31, 0.11, 0.45]
MONTHS_2008 = [0.22, 0.91, 1.04, 0.15, 0.37, 0.77, 0.56, 0.59, 0.57, 0.61, 0.31, 0.36]


def _hand_annual_ratio() -> float:
    """Average 2008 level over average 2007 level, Dec 2006 = 1, step by step."""
    level = 1.0
    levels = []
    for v in MONTHS_2007 + MONTHS_2008:
        level = level * (1 + v / 100)
        levels.append(level)
    avg_2007 = sum(levels[:12]) / 12
    avg_2008 = sum(levels[12:]) / 12
    return avg_2008 / avg_2007


def test_hand_computation_2007_2008() -> None:
    s = ipc_lima(base_year=2007)
    assert s[2007] == pytest.approx(100.0, rel=HAND_RTOL)
    assert s[2008] == pytest.approx(100.0 * _hand_annual_ratio(), rel=HAND_RTOL)
    # about 5.78 % (PERU_DOMAIN "Var. % promedio anual" 2008)
    assert (s[2008] / s[2007] - 1) * 100 == pytest.approx(5.78, abs=ROUNDED_2DP)
    # deflate: 1,000 soles of 2008 in soles of 2007
    assert deflate(1000.0, 2008, base_year=2007)[0] == pytest.approx(
        1000.0 / _hand_annual_ratio(), rel=HAND_RTOL
    )


def test_series_shape_and_base() -> None:
    s = ipc_lima()
    assert s.index.tolist() == list(range(2007, 2023))  # 2023 has only Jan-Jul
    assert s.name == "ipc_lima"
    assert s[2021] == 100.0
    assert (s.diff().dropna() > 0).all()


# PERU_DOMAIN §7.1 "Índice promedio anual, 2010 = 100 (derived)".
DOMAIN_INDEX_2010 = {
    2008: 95.67, 2009: 98.49, 2010: 100.00, 2011: 103.37, 2012: 107.14, 2013: 110.15,
    2014: 113.72, 2015: 117.74, 2016: 121.96, 2017: 125.37, 2018: 127.01, 2019: 129.72,
    2020: 132.08, 2021: 137.33, 2022: 148.14,
}  # fmt: skip


def test_matches_domain_table() -> None:
    s = ipc_lima(2010)
    for year, value in DOMAIN_INDEX_2010.items():
        assert s[year] == pytest.approx(value, abs=ROUNDED_2DP), year


# Independent annual-average inflation: d_IPC in EduTole/Econometria-Aplicad L4/BD_Deflactores.dta
# as quoted in PERU_DOMAIN §7.1 (different source, same INEI index).
EDUTOLE_D_IPC = {
    2008: 5.79, 2009: 2.94, 2010: 1.53, 2011: 3.37, 2012: 3.66, 2013: 2.81, 2014: 3.25,
    2015: 3.55, 2016: 3.59, 2017: 2.80, 2018: 1.32,
}  # fmt: skip


def test_matches_independent_annual_inflation() -> None:
    rates = ipc_lima().pct_change() * 100
    for year, value in EDUTOLE_D_IPC.items():
        assert rates[year] == pytest.approx(value, abs=RATE_ROUNDING_PP), year


@pytest.mark.parametrize(("year", "official"), [(2021, 6.43), (2022, 8.46)])
def test_december_rates_match_official(year: int, official: float) -> None:
    """Official Dec/Dec IPC Lima inflation (elcomercio.pe, microfinanzas.pe; PERU_DOMAIN §7.1)."""
    m = ipc_lima_monthly()
    dec = m.loc[f"{year}-12"] / m.loc[f"{year - 1}-12"]
    assert (dec - 1) * 100 == pytest.approx(official, abs=RATE_ROUNDING_PP)


def test_monthly_series() -> None:
    m = ipc_lima_monthly(base_year=2015)
    assert m.index[0] == pd.Period("2007-01", freq="M")
    assert m.index[-1] == pd.Period("2023-07", freq="M")
    assert len(m) == 16 * 12 + 7
    mean_2015 = m[pd.PeriodIndex(m.index).year == 2015].mean()
    assert mean_2015 == pytest.approx(100.0, rel=HAND_RTOL)


def test_deflate_series_and_arrays() -> None:
    s = ipc_lima(2021)
    values = pd.Series(
        [100.0, 200.0, np.nan, -50.0], index=["a", "b", "c", "d"], name="va"
    )
    years = pd.Series([2021, 2015, 2015, 2022], index=values.index)
    out = deflate(values, years)
    assert isinstance(out, pd.Series)
    assert out.index.equals(values.index)
    assert out.name == "va"
    expected = [100.0, 200.0 * 100 / s[2015], np.nan, -50.0 * 100 / s[2022]]
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=HAND_RTOL)
    arr = deflate(np.array([100.0, 100.0]), np.array([2010, np.nan]), base_year=2010)
    assert isinstance(arr, np.ndarray)
    assert arr[0] == 100.0
    assert np.isnan(arr[1])
    # values unchanged (no mutation)
    assert values.tolist()[:2] == [100.0, 200.0]


def test_deflate_round_trip_base_change() -> None:
    """Rebasing commutes: constant 2010 soles → constant 2021 soles by the index ratio."""
    v = np.array([1e6, 2e6, 3e6])
    y = np.array([2012, 2017, 2022])
    to_2010 = deflate(v, y, base_year=2010)
    to_2021 = deflate(v, y, base_year=2021)
    s = ipc_lima(2010)
    np.testing.assert_allclose(to_2021, to_2010 * s[2021] / 100, rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: deflate([1.0], [2006]),
            DomainError,
            r"column 'years'.*\(2007–2022\).*2006",
        ),
        (
            lambda: deflate([1.0], [2023]),
            DomainError,
            r"outside the IPC Lima annual series",
        ),
        (lambda: deflate([1.0], [2020.5]), DomainError, "whole numbers"),
        (
            lambda: deflate([1.0], [2020], base_year=2030),
            DomainError,
            r"base_year=2030.*2007–2022",
        ),
        (lambda: ipc_lima(base_year=2005), DomainError, r"2007–2022"),
        (
            lambda: ipc_lima(base_year=2020.0),  # type: ignore[arg-type]
            SpecificationError,
            "base_year must be an integer",
        ),
        (lambda: deflate(["x"], [2020]), DataError, "column 'values': is not numeric"),
        (lambda: deflate([1.0, 2.0], [2020]), DataError, "has 1 values"),
    ],
)
def test_errors(call: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
