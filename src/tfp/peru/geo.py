"""Ubigeo (INEI geographic codes): departments, natural regions, macro-regions, Lima Metropolitana.

Sources
-------
``shared/domain/PERU_DOMAIN.md`` §6.1.

- Ubigeo = six digits DDPPdd (department, province, district). Department codes 01–25 (24
  departments and the Constitutional Province of Callao, 07) are CONFIRMED there (EduTole
  ``regiones.do``; public ubigeo tables, e.g. 150101 = Lima/Lima/Lima).
- Natural region by department: there is no official department-level Costa/Sierra/Selva
  assignment (INEI's región natural is district-level) and PRODUCE's mapping behind the seed's
  65.2 / 21.8 / 13.0 % split was not found. Two published mappings are embedded as a choice:
  mapping ``"A"`` (jincio/COVID_19_PERU ``EntityStoreDepartamentos.m``; recommended in
  PERU_DOMAIN because its five Selva departments fit the seed's 13 % in Selva better) and
  mapping ``"B"`` (fmorenovr/fmorenovr.github.io ``_pages/About-Peru.md``, which puts Amazonas
  and San Martín in the Sierra). Mapping B does not list Callao; it is filled with "Costa"
  here (Callao lies entirely on the coast).
- Macro-regions: ``"edutole"`` (EduTole ``Macro.do``) and ``"jincio"`` (same jincio source).
- Lima Metropolitana = province of Lima, ubigeo prefix 1501; Lima Provincias = rest of
  department 15; Callao is its own code 07 (INFERRED from the ubigeo structure). INEI price
  statistics sometimes include Callao in "Lima Metropolitana": see ``include_callao``.

Only the department part of a code is validated: province and district lists are not embedded.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from tfp._literals import validate_literal
from tfp.exceptions import DomainError, SpecificationError
from tfp.peru.size import ArrayInput, _digit_codes, _input_name, _raw_value

__all__ = [
    "DEPARTMENTS",
    "NATURAL_REGIONS",
    "department",
    "department_name",
    "department_table",
    "is_lima_metropolitana",
    "macro_region",
    "natural_region",
]

# code, name, region A, region B, macro-region (EduTole), macro-region (jincio)
_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("01", "Amazonas", "Selva", "Sierra", "Oriente", "Oriente"),
    ("02", "Áncash", "Costa", "Costa", "Norte", "Norte"),
    ("03", "Apurímac", "Sierra", "Sierra", "Centro", "Centro"),
    ("04", "Arequipa", "Costa", "Costa", "Sur", "Sur"),
    ("05", "Ayacucho", "Sierra", "Sierra", "Centro", "Centro"),
    ("06", "Cajamarca", "Sierra", "Sierra", "Norte", "Norte"),
    ("07", "Callao", "Costa", "Costa", "Lima", "Lima y Callao"),
    ("08", "Cusco", "Sierra", "Sierra", "Sur", "Sur"),
    ("09", "Huancavelica", "Sierra", "Sierra", "Centro", "Centro"),
    ("10", "Huánuco", "Sierra", "Sierra", "Centro", "Centro"),
    ("11", "Ica", "Costa", "Costa", "Centro", "Sur"),
    ("12", "Junín", "Sierra", "Sierra", "Centro", "Centro"),
    ("13", "La Libertad", "Costa", "Costa", "Norte", "Norte"),
    ("14", "Lambayeque", "Costa", "Costa", "Norte", "Norte"),
    ("15", "Lima", "Costa", "Costa", "Lima", "Lima y Callao"),
    ("16", "Loreto", "Selva", "Selva", "Oriente", "Oriente"),
    ("17", "Madre de Dios", "Selva", "Selva", "Sur", "Oriente"),
    ("18", "Moquegua", "Costa", "Costa", "Sur", "Sur"),
    ("19", "Pasco", "Sierra", "Sierra", "Centro", "Centro"),
    ("20", "Piura", "Costa", "Costa", "Norte", "Norte"),
    ("21", "Puno", "Sierra", "Sierra", "Sur", "Sur"),
    ("22", "San Martín", "Selva", "Sierra", "Oriente", "Oriente"),
    ("23", "Tacna", "Costa", "Costa", "Sur", "Sur"),
    ("24", "Tumbes", "Costa", "Costa", "Norte", "Norte"),
    ("25", "Ucayali", "Selva", "Selva", "Oriente", "Oriente"),
)

#: Department code ("01".."25") → name with accents (read-only).
DEPARTMENTS = MappingProxyType({r[0]: r[1] for r in _ROWS})
_CODES: tuple[str, ...] = tuple(DEPARTMENTS)

#: Natural regions, in the order of their categories.
NATURAL_REGIONS: tuple[str, ...] = ("Costa", "Sierra", "Selva")
_REGION_COL = {"A": 2, "B": 3}
_MACRO_COL = {"edutole": 4, "jincio": 5}
_MACRO_ORDER = {
    "edutole": ("Lima", "Norte", "Centro", "Sur", "Oriente"),
    "jincio": ("Lima y Callao", "Norte", "Centro", "Sur", "Oriente"),
}
_LIMA_PROVINCE = 1501
_CALLAO = 7
_INVALID, _MISSING = -1, -2  # department markers


def department_table() -> pd.DataFrame:
    """All 25 departments with both natural-region mappings and both macro-region schemes.

    Returns
    -------
    DataFrame
        A new DataFrame indexed by ``code`` with columns ``name``, ``region_a``,
        ``region_b``, ``macro_region_edutole``, ``macro_region_jincio`` (sources in the
        module docstring; PERU_DOMAIN.md §6.1).
    """
    cols = [
        "code",
        "name",
        "region_a",
        "region_b",
        "macro_region_edutole",
        "macro_region_jincio",
    ]
    return pd.DataFrame(list(_ROWS), columns=cols).set_index("code")


def _parse(
    ubigeo: ArrayInput, errors: str, *, name: str = "ubigeo"
) -> tuple[pd.Index, np.ndarray, np.ndarray, str]:
    """Department (1–25, or -1) and province (DDPP as int, or -1 if unknown) of each row."""
    validate_literal(errors, ("coerce", "raise"), name="errors")
    name = _input_name(ubigeo, name)
    index, inverse, digits = _digit_codes(ubigeo, name)
    dept_u = np.full(len(digits) + 1, _INVALID, dtype=np.int64)
    dept_u[-1] = _MISSING  # inverse == -1: missing input
    prov_u = np.full(len(digits) + 1, -1, dtype=np.int64)
    for i, d in enumerate(digits):
        width = {1: 2, 2: 2, 3: 4, 4: 4, 5: 6, 6: 6}.get(len(d))
        if width is None:
            continue
        full = d.zfill(width)
        dept = int(full[:2])
        if 1 <= dept <= len(_CODES):
            dept_u[i] = dept
            if width >= 4:
                prov_u[i] = int(full[:4])
    dept = dept_u[inverse]
    prov = prov_u[inverse]
    invalid = dept == _INVALID
    if invalid.any() and errors == "raise":
        pos = int(np.flatnonzero(invalid)[0])
        raise DomainError(
            f"{int(invalid.sum())} value(s) are not ubigeo codes of a department 01–25 "
            f"(2, 4 or 6 digits), e.g. {_raw_value(ubigeo, pos)!r} at index {index[pos]!r}",
            column=name,
            fix="correct those codes, or pass errors='coerce' to get NaN for them",
        )
    return index, dept, prov, name


def _from_departments(
    dept: np.ndarray, values: tuple[str, ...], categories: tuple[str, ...]
) -> np.ndarray:
    """Category codes for department numbers via a per-department value table."""
    lookup = np.array([-1] + [categories.index(v) for v in values], dtype=np.int64)
    return lookup[np.where(dept < 0, 0, dept)]


def _series(
    codes: np.ndarray,
    categories: tuple[str, ...],
    index: pd.Index,
    name: str,
    dept: np.ndarray,
) -> pd.Series:
    cat = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(categories)))
    out = pd.Series(cat, index=index, name=name)
    out.attrs["n_invalid"] = int((dept == _INVALID).sum())
    out.attrs["n_missing"] = int((dept == _MISSING).sum())
    return out


def department(ubigeo: ArrayInput, *, errors: str = "coerce") -> pd.Series:
    """Two-digit department code of each ubigeo.

    Parameters
    ----------
    ubigeo : int, str, array-like or Series
        Department (2 digits), province (4) or district (6) code, as int or str. Integers and
        strings that lost their leading zero (``70101``, ``"701"``, ``7``) are zero-padded to
        the next even width.
    errors : {'coerce', 'raise'}
        ``'coerce'`` (default): codes whose department is not 01–25 give NaN and are counted
        in ``result.attrs["n_invalid"]``; ``'raise'``: raise DomainError. Missing stays NaN.

    Returns
    -------
    Series
        Categorical with categories ``"01"`` … ``"25"``, named ``department``.

    References
    ----------
    INEI ubigeo codes; PERU_DOMAIN.md §6.1.

    Examples
    --------
    >>> department([150101, "070101", 1501]).tolist()
    ['15', '07', '15']
    """
    index, dept, _, _ = _parse(ubigeo, errors)
    return _series(np.maximum(dept, 0) - 1, _CODES, index, "department", dept)


def department_name(code: ArrayInput, *, errors: str = "coerce") -> pd.Series:
    """Department name (with accents) of each department code or ubigeo.

    ``code`` is read as in :func:`department` (``"15"``, ``15``, ``150101`` all give
    ``"Lima"``). Returns a categorical Series named ``department_name``.

    Examples
    --------
    >>> department_name(["15", 7, "220101"]).tolist()
    ['Lima', 'Callao', 'San Martín']
    """
    index, dept, _, _ = _parse(code, errors, name="department")
    names = tuple(DEPARTMENTS.values())
    return _series(np.maximum(dept, 0) - 1, names, index, "department_name", dept)


def natural_region(
    dept_code: ArrayInput, mapping: str = "A", *, errors: str = "coerce"
) -> pd.Series:
    """Costa, Sierra or Selva of each department code or ubigeo.

    Parameters
    ----------
    dept_code : int, str, array-like or Series
        Department code or ubigeo, read as in :func:`department`.
    mapping : {'A', 'B'}
        Department → region mapping (a documented choice; see the module docstring). ``'A'``
        (default, recommended in PERU_DOMAIN §6.1): Selva = Amazonas, Loreto, Madre de Dios,
        San Martín, Ucayali. ``'B'``: Amazonas and San Martín in the Sierra.
    errors : {'coerce', 'raise'}
        As in :func:`department`.

    Returns
    -------
    Series
        Categorical with categories :data:`NATURAL_REGIONS`, named ``natural_region``.

    Notes
    -----
    Department-level regions are an approximation: several departments (e.g. La Libertad,
    the only one spanning costa, sierra and selva) cross regions.
    """
    validate_literal(mapping, tuple(_REGION_COL), name="mapping")
    index, dept, _, _ = _parse(dept_code, errors, name="department")
    values = tuple(r[_REGION_COL[mapping]] for r in _ROWS)
    codes = _from_departments(dept, values, NATURAL_REGIONS)
    return _series(codes, NATURAL_REGIONS, index, "natural_region", dept)


def macro_region(
    dept_code: ArrayInput, mapping: str = "edutole", *, errors: str = "coerce"
) -> pd.Series:
    """Macro-region of each department code or ubigeo.

    Parameters
    ----------
    dept_code : int, str, array-like or Series
        Department code or ubigeo, read as in :func:`department`.
    mapping : {'edutole', 'jincio'}
        ``'edutole'`` (EduTole ``Macro.do``: Lima, Norte, Centro, Sur, Oriente; Callao in Lima)
        or ``'jincio'`` (jincio/COVID_19_PERU: Lima y Callao, …; Ica in Sur and Madre de Dios in
        Oriente). Neither is an official PRODUCE grouping (PERU_DOMAIN §6.1).
    errors : {'coerce', 'raise'}
        As in :func:`department`.

    Returns
    -------
    Series
        Categorical named ``macro_region``.
    """
    validate_literal(mapping, tuple(_MACRO_COL), name="mapping")
    index, dept, _, _ = _parse(dept_code, errors, name="department")
    values = tuple(r[_MACRO_COL[mapping]] for r in _ROWS)
    cats = _MACRO_ORDER[mapping]
    codes = _from_departments(dept, values, cats)
    return _series(codes, cats, index, "macro_region", dept)


def is_lima_metropolitana(
    ubigeo: ArrayInput, *, include_callao: bool = False, errors: str = "coerce"
) -> pd.Series:
    """Whether each ubigeo lies in Lima Metropolitana (province of Lima, prefix 1501).

    Parameters
    ----------
    ubigeo : int, str, array-like or Series
        Province (4 digits) or district (6 digits) code, read as in :func:`department`. A bare
        department code is enough to say False outside department 15 (and 07 unless
        ``include_callao``); for ``"15"`` alone the answer is unknown (NA).
    include_callao : bool
        Count Callao (07) as part of Lima Metropolitana, as some INEI statistics do. Default
        False: Lima Metropolitana is the province of Lima only (PERU_DOMAIN §6.1).
    errors : {'coerce', 'raise'}
        As in :func:`department`; invalid or missing codes give NA.

    Returns
    -------
    Series
        Nullable boolean (``boolean`` dtype), named ``lima_metropolitana``.

    Examples
    --------
    >>> is_lima_metropolitana(["150101", "070101", "150201"]).tolist()
    [True, False, False]
    """
    if not isinstance(include_callao, bool):
        raise SpecificationError(
            f"include_callao must be True or False, got {include_callao!r}",
            fix="pass include_callao=True or include_callao=False",
        )
    index, dept, prov, _ = _parse(ubigeo, errors)
    value = prov == _LIMA_PROVINCE
    if include_callao:
        value |= dept == _CALLAO
    unknown = (dept < 0) | ((dept == 15) & (prov < 0))
    arr = pd.arrays.BooleanArray(value & ~unknown, unknown)
    out = pd.Series(arr, index=index, name="lima_metropolitana")
    out.attrs["n_invalid"] = int((dept == _INVALID).sum())
    out.attrs["n_missing"] = int((dept == _MISSING).sum())
    return out
