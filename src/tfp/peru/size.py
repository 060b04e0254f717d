"""Firm size by annual sales in UIT (Ley 30056), the seed's sub-strata, and worker bands.

Sources
-------
``shared/domain/PERU_DOMAIN.md`` §2.1 (legal definitions) and §2.2 (seed sub-strata), and the
PP 0093 follow-up report 2020 (PRODUCE-OGEIEE, ``shared/seed/pp0093_reporte_seguimiento_2020.txt``,
sections "Tamaño empresarial" and "Trabajadores").

- Ley 30056 (El Peruano, 2 Jul 2013), consolidated in the TUO approved by DS 013-2013-PRODUCE
  (El Peruano, 28 Dec 2013), art. 5: microempresa "ventas anuales hasta el monto máximo de 150
  UIT"; pequeña empresa "superiores a 150 UIT y hasta el monto máximo de 1 700 UIT"; mediana
  empresa "superiores a 1 700 UIT y hasta el monto máximo de 2 300 UIT". Sales only; the worker
  limit of Ley 28015 / DL 1086 was removed.
- Gran empresa: "ventas anuales mayores a 2 300 UIT" (PRODUCE-OGEIEE statistical convention,
  table note in "Concentración sectorial y territorial de las MIPYME 2017").
- "hasta" is an inclusive upper bound, so the classes are (0, 150], (150, 1 700], (1 700, 2 300],
  (2 300, ∞) UIT.

The UIT comes from :mod:`tfp.peru.uit` (PERU_DOMAIN §1). Which year's UIT applies to the sales of
fiscal year *t* is not documented by PRODUCE (PERU_DOMAIN §1.1, "open convention question"):
``uit_offset=0`` (the UIT of *t*, the default) or ``uit_offset=1`` (the UIT of *t + 1*, the
survey year of the ENE, which asks in year *t + 1* about year *t*).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from tfp._checks import check_int
from tfp._labels import labels as _labels
from tfp._literals import LANGS, validate_literal
from tfp.exceptions import DataError, DomainError, SpecificationError
from tfp.peru.uit import UIT_SOLES

__all__ = [
    "SIZE_CLASSES",
    "SIZE_STRATA",
    "WORKER_BANDS",
    "SizeThresholds",
    "sales_in_uit",
    "size_class",
    "size_label",
    "size_stratum",
    "worker_band",
]

Lang = Literal["es", "en"]

#: Size-class codes (ordered categories), smallest first.
SIZE_CLASSES: tuple[str, ...] = ("micro", "small", "medium", "large")

#: Sub-strata codes of the seed report (ordered categories), smallest first.
SIZE_STRATA: tuple[str, ...] = (
    "micro_below_2uit",
    "micro_subsistence",
    "micro_accumulation",
    "small_lower",
    "small_upper",
    "medium",
    "large",
)

#: Worker-count bands (ordered categories), smallest first.
WORKER_BANDS: tuple[str, ...] = ("1-4", "5-10", "11-50", "51+")

_UIT_FIRST, _UIT_LAST = min(UIT_SOLES), max(UIT_SOLES)
_UIT_TABLE = np.array(
    [UIT_SOLES.get(y, np.nan) for y in range(_UIT_FIRST, _UIT_LAST + 1)],
    dtype=np.float64,
)


# ---------------------------------------------------------------------------------------------
# thresholds


@dataclass(frozen=True)
class SizeThresholds:
    """Upper bounds of the micro, small and medium classes, in UIT of annual sales.

    Bounds are inclusive ("hasta"): a firm is micro if sales ≤ ``micro`` UIT, small if
    ``micro`` < sales ≤ ``small``, medium if ``small`` < sales ≤ ``medium`` and large above.

    Parameters
    ----------
    micro, small, medium : float
        Upper bounds in UIT; positive and strictly increasing.
    name : str
        Short name of the table the bounds come from.
    citation : str
        Legal or statistical source of the bounds.

    References
    ----------
    Ley 30056 (2013), art. 11 amending art. 5 of the Ley MYPE; TUO de la Ley de Impulso al
    Desarrollo Productivo y al Crecimiento Empresarial, DS 013-2013-PRODUCE, art. 5. Gran empresa
    (> 2 300 UIT): PRODUCE-OGEIEE statistical convention. See ``PERU_DOMAIN.md`` §2.1.

    Examples
    --------
    >>> SizeThresholds.from_table("ley30056").bounds
    (150.0, 1700.0, 2300.0)
    """

    micro: float = 150.0
    small: float = 1700.0
    medium: float = 2300.0
    name: str = "ley30056"
    citation: str = (
        "Ley 30056 (El Peruano, 2 Jul 2013); TUO DS 013-2013-PRODUCE (El Peruano, 28 Dec 2013), "
        "art. 5: micro <= 150 UIT, pequeña > 150 to <= 1,700 UIT, mediana > 1,700 to <= 2,300 UIT "
        "of annual sales; gran empresa > 2,300 UIT (PRODUCE-OGEIEE statistical convention)"
    )

    def __post_init__(self) -> None:
        vals = []
        for field in ("micro", "small", "medium"):
            v = getattr(self, field)
            if isinstance(v, bool) or not isinstance(
                v, int | float | np.integer | np.floating
            ):
                raise SpecificationError(
                    f"SizeThresholds.{field} must be a number of UIT, got {v!r}",
                    fix="pass the upper bound in UIT, e.g. 150",
                )
            v = float(v)
            if not np.isfinite(v) or v <= 0:
                raise SpecificationError(
                    f"SizeThresholds.{field}={v} must be positive and finite",
                    fix="pass the upper bound in UIT, e.g. 150",
                )
            object.__setattr__(self, field, v)
            vals.append(v)
        if not vals[0] < vals[1] < vals[2]:
            raise SpecificationError(
                f"SizeThresholds bounds must increase (micro < small < medium), got {tuple(vals)}",
                fix="order the upper bounds, e.g. (150, 1700, 2300)",
            )

    @property
    def bounds(self) -> tuple[float, float, float]:
        """The three upper bounds ``(micro, small, medium)`` in UIT."""
        return (self.micro, self.small, self.medium)

    @classmethod
    def from_table(cls, name: str = "ley30056") -> SizeThresholds:
        """Return the thresholds of a named, sourced table.

        Parameters
        ----------
        name : {'ley30056'}
            ``'ley30056'``: Ley 30056 / TUO DS 013-2013-PRODUCE art. 5 (150, 1 700, 2 300 UIT),
            in force since July 2013.
        """
        validate_literal(name, tuple(SIZE_THRESHOLD_TABLES), name="name")
        return SIZE_THRESHOLD_TABLES[name]


#: Sourced threshold tables by name (read-only).
SIZE_THRESHOLD_TABLES = MappingProxyType({"ley30056": SizeThresholds()})


# ---------------------------------------------------------------------------------------------
# input handling shared by the tfp.peru lookups


#: Anything accepted as a column: a scalar, a sequence, a NumPy array or a Series.
ArrayInput = Any


def _input_name(x: object, default: str) -> str:
    if isinstance(x, pd.Series) and x.name is not None:
        return str(x.name)
    return default


def _common_index(inputs: Sequence[tuple[str, ArrayInput]]) -> pd.Index:
    """Index of the result: that of the Series inputs (which must agree), else a RangeIndex."""
    index: pd.Index | None = None
    index_owner = ""
    n: int | None = None
    n_owner = ""
    for name, x in inputs:
        if isinstance(x, pd.DataFrame):
            raise DataError(
                f"expected one column, got a DataFrame with columns {list(x.columns)[:5]}",
                column=name,
                fix=f"pass a single column, e.g. data[{name!r}]",
            )
        if np.ndim(x) == 0:
            continue
        length = len(x)
        if n is not None and length != n:
            raise DataError(
                f"has {length} values but {n_owner!r} has {n}",
                column=name,
                fix="pass inputs of equal length (columns of the same DataFrame)",
            )
        n, n_owner = length, name
        if isinstance(x, pd.Series):
            if index is not None and not x.index.equals(index):
                raise DataError(
                    f"its index differs from the index of {index_owner!r}",
                    column=name,
                    fix="pass columns of the same DataFrame, or align them first (Series.align)",
                )
            index, index_owner = x.index, name
    if index is not None:
        return index
    return pd.RangeIndex(1 if n is None else n)


def _as_float(x: ArrayInput, name: str, n: int) -> np.ndarray:
    """Numeric input (scalar, array or Series) as a float64 array of length ``n``; NaN = missing."""
    if np.ndim(x) == 0:
        if isinstance(x, int | float | np.integer | np.floating) and not isinstance(
            x, bool | np.bool_
        ):
            return np.full(n, float(x))
        s = pd.Series([x] * n)
    else:
        s = x if isinstance(x, pd.Series) else pd.Series(np.asarray(x))
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    if not pd.api.types.is_numeric_dtype(s.dtype):
        converted = pd.to_numeric(s, errors="coerce")
        bad = s[converted.isna() & s.notna()]
        if len(bad):
            raise DataError(
                f"is not numeric; {len(bad)} value(s) are not numbers, e.g. {bad.iloc[0]!r}",
                column=name,
                fix="convert it first with pd.to_numeric and decide what the non-numbers mean",
            )
        s = converted
    out = s.to_numpy(dtype=np.float64, na_value=np.nan)
    if out.ndim != 1:
        raise DataError(
            f"must be one-dimensional, got shape {out.shape}",
            column=name,
            fix="pass a single column",
        )
    return out


def _check_nonnegative(
    values: np.ndarray, name: str, index: pd.Index, what: str
) -> None:
    with np.errstate(invalid="ignore"):
        bad = (values < 0) | np.isinf(values)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{int(bad.sum())} value(s) are negative or infinite, e.g. {float(values[pos])!r} at index "
            f"{index[pos]!r}; {what} cannot be negative",
            column=name,
            fix="correct or set those values to NaN (they are then left unclassified)",
        )


def _uit_soles(year: np.ndarray, uit_offset: int, name: str) -> np.ndarray:
    """UIT in soles applying to each sales year (``year + uit_offset``); NaN where year is NaN."""
    ok = ~np.isnan(year)
    y = year[ok]
    if y.size and np.any(y != np.round(y)):
        bad = y[y != np.round(y)][0]
        raise DomainError(
            f"years must be whole numbers, found {bad!r}",
            column=name,
            fix="pass calendar years",
        )
    uy = y + uit_offset
    outside = (uy < _UIT_FIRST) | (uy > _UIT_LAST)
    if outside.any():
        example = int(y[outside][0])
        shift = (
            f" (UIT year {example + uit_offset} with uit_offset={uit_offset})"
            if uit_offset
            else ""
        )
        raise DomainError(
            f"{int(outside.sum())} year(s) have no UIT, e.g. {example}{shift}; the sourced UIT "
            f"table covers {_UIT_FIRST}–{_UIT_LAST}",
            column=name,
            fix=f"keep sales years in {_UIT_FIRST - uit_offset}–{_UIT_LAST - uit_offset} for "
            f"uit_offset={uit_offset}",
        )
    out = np.full(year.shape, np.nan)
    out[ok] = _UIT_TABLE[(uy - _UIT_FIRST).astype(np.int64)]
    return out


def _sales_and_uit(
    sales_soles: ArrayInput, year: ArrayInput, uit_offset: int
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    uit_offset = check_int(uit_offset, name="uit_offset", low=0, high=1)
    s_name = _input_name(sales_soles, "sales_soles")
    y_name = _input_name(year, "year")
    index = _common_index([(s_name, sales_soles), (y_name, year)])
    n = len(index)
    sales = _as_float(sales_soles, s_name, n)
    years = _as_float(year, y_name, n)
    _check_nonnegative(sales, s_name, index, "sales")
    u = _uit_soles(years, uit_offset, y_name)
    return sales, u, index


def _categorical(
    codes: np.ndarray,
    categories: Sequence[str],
    index: pd.Index,
    name: str,
    ordered: bool = True,
) -> pd.Series:
    dtype = pd.CategoricalDtype(list(categories), ordered=ordered)
    cat = pd.Categorical.from_codes(codes, dtype=dtype)
    return pd.Series(cat, index=index, name=name)


# ---------------------------------------------------------------------------------------------
# public functions


def sales_in_uit(
    sales_soles: ArrayInput, year: ArrayInput, *, uit_offset: int = 0
) -> pd.Series:
    """Express annual sales in UIT of the applicable year.

    Parameters
    ----------
    sales_soles : scalar, array-like or Series
        Annual sales in nominal soles of ``year``; NaN stays NaN.
    year : int, array-like or Series
        Fiscal year of the sales.
    uit_offset : {0, 1}
        Which year's UIT to use: 0 = UIT of ``year`` (default), 1 = UIT of ``year + 1`` (the
        ENE survey year). See the module docstring.

    Returns
    -------
    Series
        Sales divided by the UIT, float64, named ``sales_uit``.
    """
    sales, u, index = _sales_and_uit(sales_soles, year, uit_offset)
    return pd.Series(sales / u, index=index, name="sales_uit")


def size_class(
    sales_soles: ArrayInput,
    year: ArrayInput,
    *,
    uit_offset: int = 0,
    thresholds: SizeThresholds | None = None,
) -> pd.Series:
    """Classify firms as micro, small, medium or large by annual sales (Ley 30056).

    Parameters
    ----------
    sales_soles : scalar, array-like or Series
        Annual sales in nominal soles of ``year``. NaN gives a NaN class; negative values raise.
    year : int, array-like or Series
        Fiscal year of the sales (broadcast when a scalar).
    uit_offset : {0, 1}
        Which year's UIT applies to sales of year *t*: 0 = UIT of *t* (default), 1 = UIT of
        *t + 1* (the ENE survey year). PRODUCE's convention is not documented (PERU_DOMAIN §1.1).
    thresholds : SizeThresholds, optional
        Upper bounds in UIT; default ``SizeThresholds.from_table("ley30056")`` = (150, 1 700,
        2 300).

    Returns
    -------
    Series
        Ordered categorical ``micro < small < medium < large`` named ``size_class``, with the
        index of the Series input (a RangeIndex otherwise). Upper bounds are inclusive: exactly
        150 UIT is micro, one sol more is small.

    Raises
    ------
    DataError
        If sales are negative, infinite or not numeric, or inputs differ in length or index.
    DomainError
        If a year (plus ``uit_offset``) is outside the UIT table (2010–2026) or not whole.

    References
    ----------
    Ley 30056 and TUO DS 013-2013-PRODUCE art. 5; PERU_DOMAIN.md §2.1.

    Examples
    --------
    >>> size_class([645_000, 645_001], 2020).tolist()
    ['micro', 'small']
    """
    th = SizeThresholds.from_table() if thresholds is None else thresholds
    if not isinstance(th, SizeThresholds):
        raise SpecificationError(
            f"thresholds must be a SizeThresholds, got {type(th).__name__}",
            fix='pass SizeThresholds.from_table("ley30056") or SizeThresholds(micro=..., ...)',
        )
    sales, u, index = _sales_and_uit(sales_soles, year, uit_offset)
    with np.errstate(invalid="ignore"):
        codes = (
            (sales > th.micro * u).astype(np.int8)
            + (sales > th.small * u).astype(np.int8)
            + (sales > th.medium * u).astype(np.int8)
        )
    codes[np.isnan(sales) | np.isnan(u)] = -1
    return _categorical(codes, SIZE_CLASSES, index, "size_class")


#: Lower-exclusive upper bounds (in UIT) of the sub-strata; the first bound is exclusive.
_STRATUM_BOUNDS = (2.0, 13.0, 150.0, 300.0, 1700.0, 2300.0)


def size_stratum(
    sales_soles: ArrayInput, year: ArrayInput, *, uit_offset: int = 0
) -> pd.Series:
    """Classify firms into the sales sub-strata used by the PP 0093 follow-up report.

    Strata (sales in UIT of the applicable year):

    ========================  ===================  =========================================
    code                      sales / UIT          seed wording
    ========================  ===================  =========================================
    ``micro_below_2uit``      [0, 2)               "ventas menores a 2 UIT"
    ``micro_subsistence``     [2, 13]              "subsistencia … ventas entre 0 y 13 UIT"
    ``micro_accumulation``    (13, 150]            rest of micro (Ley 30056)
    ``small_lower``           (150, 300]           "pequeñas … con ventas de 150 a 300 UIT"
    ``small_upper``           (300, 1 700]         rest of small
    ``medium``                (1 700, 2 300]       Ley 30056
    ``large``                 > 2 300              PRODUCE convention
    ========================  ===================  =========================================

    Boundary conventions (chosen; the seed gives no legal text, PERU_DOMAIN §2.2):

    - 2 UIT is exclusive because the seed says "menores a 2 UIT".
    - 13 UIT is inclusive in subsistence because the seed says "entre 0 y 13 UIT", as with
      every "hasta" of Ley 30056. Note that the PP 0093 targeting range "desde 13" also
      includes 13 UIT, so a firm at exactly 13 UIT is subsistence *and* targeted (a
      measure-zero overlap kept as printed).
    - 150 and 300 UIT: 150 UIT exactly is micro by law, so the small strata start above 150;
      300 is inclusive ("de 150 a 300") like the legal bounds.
    - The seed's "subsistence" share (57.2 %) counts every firm from 0 to 13 UIT, so it equals
      ``micro_below_2uit`` + ``micro_subsistence`` here (the strata are mutually exclusive).

    Parameters
    ----------
    sales_soles, year, uit_offset
        As in :func:`size_class`.

    Returns
    -------
    Series
        Ordered categorical with categories :data:`SIZE_STRATA`, named ``size_stratum``.

    References
    ----------
    PRODUCE-OGEIEE, PP 0093 Reporte de seguimiento 2020, section "Tamaño empresarial";
    PERU_DOMAIN.md §2.2.
    """
    sales, u, index = _sales_and_uit(sales_soles, year, uit_offset)
    with np.errstate(invalid="ignore"):
        codes = (sales >= _STRATUM_BOUNDS[0] * u).astype(np.int8)
        for b in _STRATUM_BOUNDS[1:]:
            codes += (sales > b * u).astype(np.int8)
    codes[np.isnan(sales) | np.isnan(u)] = -1
    return _categorical(codes, SIZE_STRATA, index, "size_stratum")


def worker_band(workers: ArrayInput) -> pd.Series:
    """Band firms by number of workers: ``1-4``, ``5-10``, ``11-50``, ``51+``.

    Bands (numeric bounds, so fractional averages are banded too): ``1-4`` = fewer than 5
    (including 0, e.g. an owner-run firm with no payroll reported; the seed's band is "menos de
    5 trabajadores"); ``5-10`` = 5 to 10; ``11-50`` = over 10 to 50; ``51+`` = over 50.

    Why these cut-offs: the seed's chart prints "< 5 trabajadores" (76.6 %) and "más de 50
    trabajadores" (7.3 %), but not its full band list (PERU_DOMAIN §2.2, NOT FOUND). The
    interior cut at 10 is the micro worker limit of Ley 28015 art. 3 and DL 1086 (1–10
    trabajadores); 50 is the small-firm limit of Ley 28015 and the seed's "más de 50".

    Parameters
    ----------
    workers : scalar, array-like or Series
        Number of workers; NaN gives NaN; negative values raise.

    Returns
    -------
    Series
        Ordered categorical with categories :data:`WORKER_BANDS`, named ``worker_band``.

    Raises
    ------
    DataError
        If workers are negative, infinite or not numeric.
    """
    name = _input_name(workers, "workers")
    index = _common_index([(name, workers)])
    w = _as_float(workers, name, len(index))
    _check_nonnegative(w, name, index, "worker counts")
    with np.errstate(invalid="ignore"):
        codes = (
            (w >= 5).astype(np.int8)
            + (w > 10).astype(np.int8)
            + (w > 50).astype(np.int8)
        )
    codes[np.isnan(w)] = -1
    return _categorical(codes, WORKER_BANDS, index, "worker_band")


def size_label(classes: ArrayInput, lang: str = "es") -> pd.Series:
    """Display labels for size classes, sub-strata or worker bands.

    Parameters
    ----------
    classes : Series or array-like
        Codes from :func:`size_class`, :func:`size_stratum` or :func:`worker_band`
        (categorical or plain strings); NaN stays NaN.
    lang : {'es', 'en'}
        Spanish (default; Micro, Pequeña, Mediana, Grande) or English (Micro, Small, Medium,
        Large).

    Returns
    -------
    Series
        Categorical of labels with the index of ``classes``; ordered in the codes' order when
        ``classes`` is an ordered categorical, named like ``classes``.

    Raises
    ------
    DataError
        If a value is not a known code.
    SpecificationError
        If ``lang`` is not 'es' or 'en'.

    Examples
    --------
    >>> size_label(["micro", "small"], lang="es").tolist()
    ['Micro', 'Pequeña']
    """
    validate_literal(lang, LANGS, name="lang")
    name = _input_name(classes, "classes")
    if np.ndim(classes) == 0:
        classes = [classes]
    s = (
        classes
        if isinstance(classes, pd.Series)
        else pd.Series(list(classes), dtype=object)
    )
    labels = _labels("size", lang)  # display labels live in the catalogue
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in s.cat.categories]
        unknown = [c for c in cats if c not in labels]
        if unknown:
            raise DataError(
                f"has categories that are not size codes: {unknown[:5]}",
                column=name,
                fix=f"pass codes such as {SIZE_CLASSES}, {SIZE_STRATA} or {WORKER_BANDS}",
            )
        out_cat = pd.Categorical.from_codes(
            s.cat.codes.to_numpy(),
            dtype=pd.CategoricalDtype(
                [labels[c] for c in cats], ordered=bool(s.cat.ordered)
            ),
        )
        return pd.Series(out_cat, index=s.index, name=s.name)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    unknown = [u for u in uniques if u not in labels]
    if unknown:
        raise DataError(
            f"has values that are not size codes, e.g. {unknown[0]!r}",
            column=name,
            fix=f"pass codes such as {SIZE_CLASSES}, {SIZE_STRATA} or {WORKER_BANDS}",
        )
    known = [
        c for c in (*SIZE_CLASSES, *SIZE_STRATA, *WORKER_BANDS) if c in set(uniques)
    ]
    order = list(dict.fromkeys(known))
    remap = np.array([order.index(u) for u in uniques] + [-1], dtype=np.int64)
    out = pd.Categorical.from_codes(
        remap[codes], dtype=pd.CategoricalDtype([labels[c] for c in order])
    )
    return pd.Series(out, index=s.index, name=s.name)


_DIGITS_RE = re.compile(r"\s*(\d+)(?:\.0*)?\s*")


def _as_1d_objects(x: ArrayInput) -> np.ndarray:
    """A one-dimensional array of the input: NumPy arrays as they are, sequences as objects."""
    if isinstance(x, np.ndarray):
        return x.ravel()
    return np.array(list(x), dtype=object)


def _digit_codes(x: ArrayInput, name: str) -> tuple[pd.Index, np.ndarray, list[str]]:
    """Factorise a code column (int or str) into digit strings without padding.

    Returns ``(index, inverse, digits)``: ``inverse`` maps each row to a position in ``digits``
    (-1 for missing input), and ``digits`` holds, per distinct input value, its digit string
    with leading zeros as given (``""`` when the value is not a non-negative whole number;
    ``"311"``, ``311``, ``311.0`` and ``" 311 "`` all give ``"311"``). Work is done on distinct
    values only, so millions of rows with few codes are cheap.
    """
    index = _common_index([(name, x)])
    if np.ndim(x) == 0:
        s = pd.Series([x], dtype=object)
    else:
        s = x if isinstance(x, pd.Series) else pd.Series(_as_1d_objects(x))
    inverse, uniques = pd.factorize(s, use_na_sentinel=True)
    out: list[str] = []
    for u in uniques:
        text = ""
        if isinstance(u, bool | np.bool_):
            text = ""
        elif isinstance(u, int | np.integer):
            text = str(int(u)) if u >= 0 else ""
        elif isinstance(u, float | np.floating):
            ok = bool(np.isfinite(u)) and u >= 0 and float(u).is_integer()
            text = str(int(u)) if ok else ""
        elif isinstance(u, str):
            m = _DIGITS_RE.fullmatch(u)
            text = m.group(1) if m else ""
        out.append(text)
    return index, np.asarray(inverse, dtype=np.int64), out


def _raw_value(x: ArrayInput, pos: int) -> Any:
    """The caller's value at row ``pos`` (for error messages), as a plain Python object."""
    if isinstance(x, pd.Series):
        v = x.iloc[pos]
    elif np.ndim(x) == 0:
        v = x
    else:
        v = list(x)[pos]
    return v.item() if isinstance(v, np.generic) else v
