"""CIIU Rev.4 (ISIC Rev.4) sections and the sectors of PRODUCE's PP 0093 reports.

Sources
-------
``shared/domain/PERU_DOMAIN.md`` §6.2. Division ranges of the 21 sections (A–U): United
Nations, *International Standard Industrial Classification of All Economic Activities, Rev.4*,
ST/ESA/STAT/SER.M/4/Rev.4 (2008), and INEI's *CIIU Rev.4* "Estructura general" (CONFIRMED in
PERU_DOMAIN). Spanish section titles are those of the UN Spanish edition.

Sectors of the seed (PRODUCE-OGEIEE, PP 0093 Reporte de seguimiento 2020, chart "Empresas
atendidas por sector económico"): Agropecuario, Pesca, Minería, Manufactura, Construcción,
Comercio, Servicio(s) and "Sin información". No official CIIU → sector crosswalk was found
(PERU_DOMAIN §6.2, §8 item 6), so the mapping below is a documented choice:

- A, divisions 01–02 (crops, livestock, forestry) → Agropecuario; division 03 (fishing and
  aquaculture) → Pesca;
- B → Minería; C → Manufactura; F → Construcción; G → Comercio;
- D (electricity, gas) and E (water, sewerage, waste) → Servicios. These are utilities; the
  seed has no utilities sector, and PRODUCE's "MIPYME en cifras" groups everything outside
  the goods sectors as Servicios. (An ENE analyst's scheme keeps a separate "Electricidad,
  gas y agua" group; use :func:`ciiu_section` and remap D/E yourself if you need that.)
- H–U → Servicios (the seed's 58.6 % "Servicios" includes personal services, section S).

Only the division (first two digits of the class) is validated; the list of four-digit
classes is not embedded, so "1019" passes as division 10.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from tfp._labels import CATALOGUE, label
from tfp._literals import validate_literal
from tfp.exceptions import DomainError
from tfp.peru.size import LANGS, ArrayInput, _digit_codes, _input_name, _raw_value

__all__ = [
    "CIIU_SECTIONS",
    "SECTIONS",
    "SECTORS",
    "SECTORS_EN",
    "ciiu_division",
    "ciiu_section",
    "produce_sector",
]

#: (first division, last division, Spanish title) of each CIIU Rev.4 section.
CIIU_SECTIONS = MappingProxyType(
    {
        "A": (1, 3, "Agricultura, ganadería, silvicultura y pesca"),
        "B": (5, 9, "Explotación de minas y canteras"),
        "C": (10, 33, "Industrias manufactureras"),
        "D": (35, 35, "Suministro de electricidad, gas, vapor y aire acondicionado"),
        "E": (
            36,
            39,
            "Suministro de agua; evacuación de aguas residuales, gestión de desechos y "
            "descontaminación",
        ),
        "F": (41, 43, "Construcción"),
        "G": (
            45,
            47,
            "Comercio al por mayor y al por menor; reparación de vehículos automotores y "
            "motocicletas",
        ),
        "H": (49, 53, "Transporte y almacenamiento"),
        "I": (55, 56, "Actividades de alojamiento y de servicio de comidas"),
        "J": (58, 63, "Información y comunicaciones"),
        "K": (64, 66, "Actividades financieras y de seguros"),
        "L": (68, 68, "Actividades inmobiliarias"),
        "M": (69, 75, "Actividades profesionales, científicas y técnicas"),
        "N": (77, 82, "Actividades de servicios administrativos y de apoyo"),
        "O": (
            84,
            84,
            "Administración pública y defensa; planes de seguridad social de afiliación "
            "obligatoria",
        ),
        "P": (85, 85, "Enseñanza"),
        "Q": (
            86,
            88,
            "Actividades de atención de la salud humana y de asistencia social",
        ),
        "R": (90, 93, "Actividades artísticas, de entretenimiento y recreativas"),
        "S": (94, 96, "Otras actividades de servicios"),
        "T": (
            97,
            98,
            "Actividades de los hogares como empleadores; actividades no diferenciadas de los "
            "hogares como productores de bienes y servicios para uso propio",
        ),
        "U": (99, 99, "Actividades de organizaciones y órganos extraterritoriales"),
    }
)

#: Section letters A–U.
SECTIONS: tuple[str, ...] = tuple(CIIU_SECTIONS)

_SECTOR_LABELS = [pair for key, pair in CATALOGUE["sector"].items() if key != "missing"]
#: The seed's sectors, Spanish labels (default display language; from the label catalogue).
SECTORS: tuple[str, ...] = tuple(es for es, _ in _SECTOR_LABELS)
#: English labels of :data:`SECTORS`, same order.
SECTORS_EN: tuple[str, ...] = tuple(en for _, en in _SECTOR_LABELS)

# division (0..99) -> section position (or -1) and sector position (or -1)
_DIV_SECTION = np.full(100, -1, dtype=np.int64)
for _pos, (_lo, _hi, _title) in enumerate(CIIU_SECTIONS.values()):
    _DIV_SECTION[_lo : _hi + 1] = _pos
_SECTION_SECTOR = {
    "A": "Agropecuario",
    "B": "Minería",
    "C": "Manufactura",
    "D": "Servicios",
    "E": "Servicios",
    "F": "Construcción",
    "G": "Comercio",
}
_DIV_SECTOR = np.array(
    [
        -1 if s < 0 else SECTORS.index(_SECTION_SECTOR.get(SECTIONS[s], "Servicios"))
        for s in _DIV_SECTION
    ],
    dtype=np.int64,
)
_DIV_SECTOR[3] = SECTORS.index("Pesca")


def _divisions(
    code: ArrayInput, errors: str
) -> tuple[pd.Index, np.ndarray, int, int, str]:
    """Division (0–99) of each row, -1 where missing or invalid; with counts."""
    validate_literal(errors, ("coerce", "raise"), name="errors")
    name = _input_name(code, "ciiu")
    index, inverse, digits = _digit_codes(code, name)
    div_u = np.full(len(digits) + 1, -1, dtype=np.int64)  # last slot: missing input
    for i, d in enumerate(digits):
        if len(d) in (1, 2):
            div = int(d)
        elif len(d) in (3, 4):
            div = int(d.zfill(4)[:2])
        else:
            continue
        if _DIV_SECTION[div] >= 0:
            div_u[i] = div
    div = div_u[inverse]
    missing = inverse < 0
    invalid = (div < 0) & ~missing
    n_invalid = int(invalid.sum())
    if n_invalid and errors == "raise":
        pos = int(np.flatnonzero(invalid)[0])
        raw = _raw_value(code, pos)
        raise DomainError(
            f"{n_invalid} value(s) are not CIIU Rev.4 divisions (2 digits) or classes (4 "
            f"digits) of a valid division, e.g. {raw!r} at index {index[pos]!r}; valid "
            "divisions are 01–03, 05–33, 35–39, 41–43, 45–47, 49–53, 55–56, 58–66, 68, 69–75, "
            "77–82, 84–88, 90–99",
            column=name,
            fix="correct those codes, or pass errors='coerce' to get NaN for them",
        )
    return index, div, n_invalid, int(missing.sum()), name


def _finish(
    codes: np.ndarray,
    categories: list[str],
    index: pd.Index,
    name: str,
    n_invalid: int,
    n_missing: int,
) -> pd.Series:
    cat = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))
    out = pd.Series(cat, index=index, name=name)
    out.attrs["n_invalid"] = n_invalid
    out.attrs["n_missing"] = n_missing
    return out


def ciiu_division(code: ArrayInput, *, errors: str = "coerce") -> pd.Series:
    """Two-digit CIIU Rev.4 division of each code, as a nullable integer Series.

    Parameters and conventions as in :func:`ciiu_section`.
    """
    index, div, n_invalid, n_missing, _ = _divisions(code, errors)
    values = pd.arrays.IntegerArray(np.where(div < 0, 0, div), div < 0)
    out = pd.Series(values, index=index, name="ciiu_division")
    out.attrs["n_invalid"] = n_invalid
    out.attrs["n_missing"] = n_missing
    return out


def ciiu_section(code: ArrayInput, *, errors: str = "coerce") -> pd.Series:
    """Map CIIU Rev.4 codes to their section letter A–U.

    Parameters
    ----------
    code : int, str, array-like or Series
        Four-digit class (``"1010"``, ``1010``, ``"0311"``; an integer or string of three
        digits such as ``311`` is read as a class that lost its leading zero) or two-digit
        division (``"10"``, ``3``). Surrounding spaces and a trailing ``.0`` are ignored.
    errors : {'coerce', 'raise'}
        ``'coerce'`` (default): codes that are not a valid division or class give NaN, and
        their number is recorded in ``result.attrs["n_invalid"]`` (missing inputs in
        ``attrs["n_missing"]``). ``'raise'``: raise :class:`~tfp.exceptions.DomainError`
        naming an example; missing inputs still give NaN.

    Returns
    -------
    Series
        Categorical with categories :data:`SECTIONS` (``A`` … ``U``), named ``ciiu_section``,
        with the index of ``code`` when it is a Series.

    References
    ----------
    United Nations (2008), ISIC Rev.4, ST/ESA/STAT/SER.M/4/Rev.4; INEI, CIIU Rev.4 "Estructura
    general"; PERU_DOMAIN.md §6.2.

    Examples
    --------
    >>> ciiu_section(["1010", "0311", 4711]).tolist()
    ['C', 'A', 'G']
    """
    index, div, n_invalid, n_missing, _ = _divisions(code, errors)
    codes = np.where(div < 0, -1, _DIV_SECTION[np.maximum(div, 0)])
    return _finish(codes, list(SECTIONS), index, "ciiu_section", n_invalid, n_missing)


def produce_sector(
    code: ArrayInput,
    lang: str = "es",
    *,
    errors: str = "coerce",
    missing_label: bool = False,
) -> pd.Series:
    """Map CIIU Rev.4 codes to the sectors of PRODUCE's PP 0093 reports.

    The mapping (a documented choice, see the module docstring): A 01–02 Agropecuario,
    A 03 Pesca, B Minería, C Manufactura, F Construcción, G Comercio, D, E and H–U Servicios.

    Parameters
    ----------
    code : int, str, array-like or Series
        CIIU Rev.4 class or division, read as in :func:`ciiu_section`.
    lang : {'es', 'en'}
        Label language: :data:`SECTORS` (es, default) or :data:`SECTORS_EN` (en).
    errors : {'coerce', 'raise'}
        As in :func:`ciiu_section`.
    missing_label : bool
        If True, missing and invalid codes get the seed's "Sin información" ("No information")
        category instead of NaN.

    Returns
    -------
    Series
        Categorical with the seven sectors (plus the missing label if asked), named
        ``sector``; ``attrs["n_invalid"]`` and ``attrs["n_missing"]`` count unmapped rows.

    References
    ----------
    PRODUCE-OGEIEE (2021), PP 0093 Reporte de seguimiento 2020, "Sector económico";
    PERU_DOMAIN.md §6.2.

    Examples
    --------
    >>> produce_sector(["1010", "0311", "4711"]).tolist()
    ['Manufactura', 'Pesca', 'Comercio']
    """
    validate_literal(lang, LANGS, name="lang")
    index, div, n_invalid, n_missing, _ = _divisions(code, errors)
    codes = np.where(div < 0, -1, _DIV_SECTOR[np.maximum(div, 0)])
    categories = list(SECTORS if lang == "es" else SECTORS_EN)
    if missing_label:
        codes = np.where(codes < 0, len(categories), codes)
        categories.append(label("missing", lang, domain="sector"))
    return _finish(codes, categories, index, "sector", n_invalid, n_missing)
