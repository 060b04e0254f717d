"""tfp.peru CIIU Rev.4 sections, PRODUCE sectors and ubigeo geography (PERU_DOMAIN §6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tfp.peru as peru
from tfp.exceptions import DomainError, SpecificationError
from tfp.peru import (
    DEPARTMENTS,
    ciiu_section,
    department,
    department_name,
    is_lima_metropolitana,
    natural_region,
    produce_sector,
)

# Section → division range, typed from PERU_DOMAIN §6.2 (UN ISIC Rev.4 structure).
SECTION_RANGES = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
    "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68),
    "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93),
    "S": (94, 96), "T": (97, 98), "U": (99, 99),
}  # fmt: skip


@pytest.mark.parametrize(
    ("code", "section", "sector", "sector_en"),
    [
        ("1010", "C", "Manufactura", "Manufacturing"),
        ("0311", "A", "Pesca", "Fishing"),
        (311, "A", "Pesca", "Fishing"),  # integer that lost its leading zero
        ("0322", "A", "Pesca", "Fishing"),  # aquaculture (division 03)
        ("4711", "G", "Comercio", "Trade"),
        ("0111", "A", "Agropecuario", "Agriculture"),
        ("0210", "A", "Agropecuario", "Agriculture"),  # forestry
        ("0710", "B", "Minería", "Mining"),
        ("3510", "D", "Servicios", "Services"),  # utilities: documented choice
        ("3600", "E", "Servicios", "Services"),
        ("4100", "F", "Construcción", "Construction"),
        ("5610", "I", "Servicios", "Services"),
        ("9609", "S", "Servicios", "Services"),
        ("10", "C", "Manufactura", "Manufacturing"),  # two-digit division
        (3, "A", "Pesca", "Fishing"),
        (1520.0, "C", "Manufactura", "Manufacturing"),  # float from a CSV with NaNs
        (" 4711 ", "G", "Comercio", "Trade"),
    ],
)
def test_ciiu_spot_checks(
    code: object, section: str, sector: str, sector_en: str
) -> None:
    assert ciiu_section([code]).iloc[0] == section
    assert produce_sector([code]).iloc[0] == sector
    assert produce_sector([code], lang="en").iloc[0] == sector_en


def test_every_division_maps_to_its_section() -> None:
    valid = {d: s for s, (lo, hi) in SECTION_RANGES.items() for d in range(lo, hi + 1)}
    divisions = list(range(100))
    out = ciiu_section([f"{d:02d}" for d in divisions])
    for d, got in zip(divisions, out, strict=True):
        if d in valid:
            assert got == valid[d], d
        else:
            assert pd.isna(got), d
    assert out.attrs["n_invalid"] == 100 - len(valid)
    assert tuple(out.cat.categories) == peru.SECTIONS == tuple(SECTION_RANGES)
    # a four-digit class takes its division's section
    classes = ciiu_section([f"{d:02d}99" for d in valid])
    assert classes.tolist() == list(valid.values())


def test_sector_categories_and_missing() -> None:
    out = produce_sector(pd.Series(["1010", None, "0400", "abc"], index=list("wxyz")))
    assert out.index.tolist() == list("wxyz")
    assert tuple(out.cat.categories) == peru.SECTORS
    assert peru.SECTORS == (
        "Agropecuario", "Pesca", "Minería", "Manufactura", "Construcción", "Comercio", "Servicios"
    )  # fmt: skip
    assert out.isna().tolist() == [False, True, True, True]
    assert out.attrs == {"n_invalid": 2, "n_missing": 1}
    labelled = produce_sector(["1010", None, "0400"], missing_label=True)
    assert labelled.tolist() == ["Manufactura", "Sin información", "Sin información"]
    assert (
        produce_sector([None], lang="en", missing_label=True).iloc[0]
        == "No information"
    )


@pytest.mark.parametrize("bad", ["0400", "34", "12345", "x", "-101", "00"])
def test_ciiu_invalid_raise(bad: str) -> None:
    assert ciiu_section([bad]).isna().all()
    with pytest.raises(DomainError, match=f"column 'ciiu'.*e.g. '{bad}' at index 0"):
        ciiu_section([bad], errors="raise")
    with pytest.raises(DomainError, match="not CIIU Rev.4 divisions"):
        produce_sector(pd.Series([bad], name="ciiu4"), errors="raise")


def test_ciiu_option_errors() -> None:
    with pytest.raises(SpecificationError, match=r"errors='ignore' is not one of"):
        ciiu_section(["1010"], errors="ignore")
    with pytest.raises(SpecificationError, match=r"lang='pt' is not one of"):
        produce_sector(["1010"], lang="pt")


def test_ciiu_division_and_row_order_invariance() -> None:
    assert peru.ciiu_division(["1010", 311, "x"]).tolist() == [10, 3, pd.NA]
    rng = np.random.default_rng(3)
    codes = pd.Series(
        rng.choice(
            np.array(["1010", "0311", "4711", "9609", "bad", None], dtype=object), 300
        )
    )
    out = produce_sector(codes)
    perm = rng.permutation(300)
    pd.testing.assert_series_equal(produce_sector(codes.iloc[perm]), out.iloc[perm])


# ---------------------------------------------------------------------------------------------
# geography


def test_departments_table() -> None:
    assert len(DEPARTMENTS) == 25
    assert list(DEPARTMENTS) == [f"{i:02d}" for i in range(1, 26)]
    assert DEPARTMENTS["02"] == "Áncash"
    assert DEPARTMENTS["03"] == "Apurímac"
    assert DEPARTMENTS["07"] == "Callao"
    assert DEPARTMENTS["10"] == "Huánuco"
    assert DEPARTMENTS["12"] == "Junín"
    assert DEPARTMENTS["15"] == "Lima"
    assert DEPARTMENTS["22"] == "San Martín"
    with pytest.raises(TypeError):
        DEPARTMENTS["01"] = "x"  # type: ignore[index]
    table = peru.department_table()
    table.loc["01", "name"] = "changed"
    assert peru.department_table().loc["01", "name"] == "Amazonas"


@pytest.mark.parametrize(
    ("ubigeo", "dept", "name", "lima_metro"),
    [
        ("150101", "15", "Lima", True),
        (150101, "15", "Lima", True),
        ("150201", "15", "Lima", False),  # Lima Provincias (Barranca)
        ("1501", "15", "Lima", True),
        ("070101", "07", "Callao", False),
        (70101, "07", "Callao", False),  # int lost its leading zero
        ("0701", "07", "Callao", False),
        (7, "07", "Callao", False),
        ("040101", "04", "Arequipa", False),
        ("250101", "25", "Ucayali", False),
    ],
)
def test_ubigeo_lookups(ubigeo: object, dept: str, name: str, lima_metro: bool) -> None:
    assert department([ubigeo]).iloc[0] == dept
    assert department_name([ubigeo]).iloc[0] == name
    assert bool(is_lima_metropolitana([ubigeo]).iloc[0]) is lima_metro


def test_lima_metropolitana_unknown_and_callao_option() -> None:
    out = is_lima_metropolitana(pd.Series(["15", "07", None, "99"], index=[5, 6, 7, 8]))
    assert out.dtype == "boolean"
    assert out.index.tolist() == [5, 6, 7, 8]
    assert out.isna().tolist() == [True, False, True, True]
    assert is_lima_metropolitana(["070101"], include_callao=True).iloc[0]
    with pytest.raises(
        SpecificationError, match="include_callao must be True or False"
    ):
        is_lima_metropolitana(["150101"], include_callao="yes")  # type: ignore[arg-type]


def test_natural_region_mappings() -> None:
    codes = list(DEPARTMENTS)
    a = natural_region(codes)
    b = natural_region(codes, mapping="B")
    assert (
        tuple(a.cat.categories) == peru.NATURAL_REGIONS == ("Costa", "Sierra", "Selva")
    )
    selva_a = {c for c, r in zip(codes, a, strict=True) if r == "Selva"}
    assert selva_a == {"01", "16", "17", "22", "25"}  # PERU_DOMAIN §6.1, mapping A
    differ = {c for c, ra, rb in zip(codes, a, b, strict=True) if ra != rb}
    assert differ == {"01", "22"}  # Amazonas and San Martín are Sierra in mapping B
    assert natural_region(["150101"]).iloc[0] == "Costa"
    assert natural_region(["080101"]).iloc[0] == "Sierra"
    with pytest.raises(
        SpecificationError, match=r"mapping='C' is not one of \{'A', 'B'\}"
    ):
        natural_region(codes, mapping="C")


def test_macro_region() -> None:
    out = peru.macro_region(["07", "11", "17"])
    assert out.tolist() == ["Lima", "Centro", "Sur"]
    out = peru.macro_region(["07", "11", "17"], mapping="jincio")
    assert out.tolist() == ["Lima y Callao", "Sur", "Oriente"]


def test_ubigeo_invalid() -> None:
    out = department(pd.Series(["260101", "000101", "1234567", "abc", None, "150101"]))
    assert out.isna().tolist() == [True, True, True, True, True, False]
    assert out.attrs == {"n_invalid": 4, "n_missing": 1}
    with pytest.raises(DomainError, match="column 'ubigeo'.*e.g. '260101' at index 0"):
        department(["260101"], errors="raise")
    with pytest.raises(DomainError, match="department 01–25"):
        department_name(pd.Series([99], name="dept"), errors="raise")


def test_geo_vectorised_over_many_rows() -> None:
    rng = np.random.default_rng(4)
    ubigeo = pd.Series(rng.choice(["150101", "070101", "130101", "220101"], 200_000))
    dept = department(ubigeo)
    expected = ubigeo.str[:2]
    assert (dept.astype(str) == expected).all()
    assert is_lima_metropolitana(ubigeo).sum() == (ubigeo == "150101").sum()


def test_lookups_do_not_mutate_inputs_and_accept_categoricals() -> None:
    data = pd.DataFrame(
        {
            "ciiu": pd.Series(["1010", "0311", None], dtype="category"),
            "ubigeo": ["150101", None, "070101"],
            "sales": [1e5, np.nan, 1e8],
            "year": [2020, 2020, 2021],
            "formal": [True, False, True],
            "years_registered": [3.0, 1.0, np.nan],
        }
    )
    before = data.copy()
    assert ciiu_section(data["ciiu"]).tolist() == ["C", "A", np.nan]
    produce_sector(data["ciiu"], missing_label=True)
    department(data["ubigeo"])
    natural_region(data["ubigeo"])
    is_lima_metropolitana(data["ubigeo"])
    peru.size_class(data["sales"], data["year"])
    peru.targeting(
        data["formal"], data["years_registered"], data["sales"], data["year"]
    )
    peru.deflate(data["sales"], data["year"])
    pd.testing.assert_frame_equal(data, before)
