"""tfp.peru size classes (Ley 30056), seed sub-strata, worker bands, labels and PP 0093 targeting.

UIT values and soles thresholds are those of PERU_DOMAIN.md §1 and §1.1 (e.g. 2020: UIT 4,300;
150 UIT = 645,000; 1,700 UIT = 7,310,000; 2,300 UIT = 9,890,000). Published spot checks there:
150 UIT 2014 = S/ 570,000, 1,700 UIT 2014 = S/ 6,460,000, 150 UIT 2021 = S/ 660,000,
1,700 UIT 2022 = S/ 7,820,000, 1,700 UIT 2024 = S/ 8,755,000.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tfp.peru as peru
from tfp.exceptions import DataError, DomainError, SpecificationError
from tfp.peru import (
    SIZE_CLASSES,
    SizeThresholds,
    size_class,
    size_label,
    size_stratum,
    targeting,
    worker_band,
)

# Threshold multiples of Ley 30056 with the year's UIT, from PERU_DOMAIN §1.1 (2020 row).
UIT_2020 = 4300
UIT_2021 = 4400


# ---------------------------------------------------------------------------------------------
# SizeThresholds


def test_public_constants() -> None:
    assert peru.SIZE_CLASSES == ("micro", "small", "medium", "large")
    th = SizeThresholds.from_table(name="ley30056")
    assert th.bounds == (150.0, 1700.0, 2300.0)
    assert "Ley 30056" in th.citation
    assert "DS 013-2013-PRODUCE" in th.citation
    assert "art. 5" in th.citation


def test_thresholds_frozen_and_validated() -> None:
    th = SizeThresholds()
    with pytest.raises(AttributeError):
        th.micro = 10.0  # type: ignore[misc]
    with pytest.raises(SpecificationError, match="must increase"):
        SizeThresholds(micro=200, small=100, medium=300)
    with pytest.raises(SpecificationError, match="positive"):
        SizeThresholds(micro=-1)
    with pytest.raises(SpecificationError, match="number of UIT"):
        SizeThresholds(micro="150")  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="'ley30056'"):
        SizeThresholds.from_table("ley28015")


# ---------------------------------------------------------------------------------------------
# size_class


@pytest.mark.parametrize(
    ("sales", "expected"),
    [
        (0, "micro"),
        (645_000, "micro"),  # exactly 150 UIT 2020
        (645_001, "small"),  # one sol above
        (7_310_000, "small"),  # exactly 1,700 UIT
        (7_310_001, "medium"),
        (9_890_000, "medium"),  # exactly 2,300 UIT
        (9_890_001, "large"),
    ],
)
def test_size_class_boundaries_2020(sales: int, expected: str) -> None:
    assert size_class(sales, 2020).iloc[0] == expected


@pytest.mark.parametrize(
    ("sales", "year", "expected"),
    [
        (570_000, 2014, "micro"),  # published: 150 UIT 2014 = S/ 570,000
        (570_001, 2014, "small"),
        (6_460_000, 2014, "small"),  # published: 1,700 UIT 2014 = S/ 6,460,000
        (6_460_001, 2014, "medium"),
        (660_000, 2021, "micro"),  # published: 150 UIT 2021 = S/ 660,000
        (7_820_001, 2022, "medium"),  # published: 1,700 UIT 2022 = S/ 7,820,000
        (8_755_000, 2024, "small"),  # published: 1,700 UIT 2024 = S/ 8,755,000
    ],
)
def test_size_class_published_soles_thresholds(
    sales: int, year: int, expected: str
) -> None:
    assert size_class(sales, year).iloc[0] == expected


def test_size_class_dtype_order_and_nan() -> None:
    out = size_class([100.0, np.nan, 1e9, 2e6], [2020, 2020, 2020, 2020])
    assert isinstance(out.dtype, pd.CategoricalDtype)
    assert out.cat.ordered
    assert tuple(out.cat.categories) == SIZE_CLASSES
    assert out.name == "size_class"
    assert out.isna().tolist() == [False, True, False, False]
    assert out.cat.codes.tolist() == [0, -1, 3, 1]
    assert ((out > "micro") == [False, False, True, True]).all()  # ordered comparisons


def test_size_class_uit_offset() -> None:
    # S/ 650,000 of 2019: 650,000 / 4,200 = 154.8 UIT (small) with the UIT of 2019, but
    # 650,000 / 4,300 = 151.2 UIT (small) with 2020's; S/ 640,000: 152.4 vs 148.8 UIT.
    assert size_class(640_000, 2019).iloc[0] == "small"
    assert size_class(640_000, 2019, uit_offset=1).iloc[0] == "micro"
    # the 2020 boundary with the UIT of 2021: 150 × 4,400 = 660,000
    assert size_class(660_000, 2020, uit_offset=1).iloc[0] == "micro"
    assert size_class(660_001, 2020, uit_offset=1).iloc[0] == "small"
    with pytest.raises(SpecificationError, match="uit_offset=2 is outside"):
        size_class(1.0, 2020, uit_offset=2)


def test_size_class_index_preserved_and_broadcast() -> None:
    sales = pd.Series([1e5, 9e6, 2e7], index=["x", "y", "z"], name="ventas")
    out = size_class(sales, 2020)
    assert out.index.tolist() == ["x", "y", "z"]
    assert out.tolist() == ["micro", "medium", "large"]
    years = pd.Series([2010, 2026, 2015], index=["x", "y", "z"])
    assert size_class(sales, years).index.equals(sales.index)
    # arrays give a RangeIndex; the year can be an array
    assert size_class(np.array([1e5, 1e9]), np.array([2010, 2026])).tolist() == [
        "micro",
        "large",
    ]


def test_size_class_invariant_to_row_order() -> None:
    rng = np.random.default_rng(0)
    sales = pd.Series(rng.lognormal(13, 2.5, 500))
    years = pd.Series(rng.integers(2010, 2027, 500))
    out = size_class(sales, years)
    perm = rng.permutation(500)
    out_perm = size_class(sales.iloc[perm], years.iloc[perm])
    pd.testing.assert_series_equal(out_perm, out.iloc[perm])
    # and equal to a scalar loop with the published UIT table
    loop = [
        SIZE_CLASSES[
            int(s > 150 * peru.uit(y))
            + int(s > 1700 * peru.uit(y))
            + int(s > 2300 * peru.uit(y))
        ]
        for s, y in zip(sales, years, strict=True)
    ]
    assert out.tolist() == loop


def test_size_class_does_not_mutate() -> None:
    sales = pd.Series([1e5, -0.0, np.nan])
    before = sales.copy()
    size_class(sales, 2020)
    pd.testing.assert_series_equal(sales, before)


def test_size_class_custom_thresholds() -> None:
    th = SizeThresholds(micro=100, small=200, medium=300, name="test", citation="test")
    assert size_class(101 * 4300, 2020, thresholds=th).iloc[0] == "small"
    with pytest.raises(SpecificationError, match="must be a SizeThresholds"):
        size_class(1.0, 2020, thresholds=(150, 1700, 2300))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sales", "year", "error", "match"),
    [
        ([-1.0], [2020], DataError, r"column 'sales_soles': 1 value\(s\) are negative"),
        ([np.inf], [2020], DataError, "negative or infinite"),
        (["abc"], [2020], DataError, "column 'sales_soles': is not numeric"),
        ([1.0], [2009], DomainError, "column 'year'.*2010–2026"),
        ([1.0], [2027], DomainError, "covers 2010–2026"),
        ([1.0], [2020.5], DomainError, "whole numbers"),
        ([1.0, 2.0], [2020], DataError, "has 1 values but 'sales_soles' has 2"),
    ],
)
def test_size_class_errors(
    sales: list[object], year: list[object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        size_class(sales, year)


def test_size_class_error_messages_name_column_and_offset() -> None:
    with pytest.raises(DataError, match="column 'ventas'.*e.g. -5.0 at index 'b'"):
        size_class(pd.Series([1.0, -5.0], index=["a", "b"], name="ventas"), 2020)
    with pytest.raises(DomainError, match="UIT year 2027 with uit_offset=1"):
        size_class(1.0, 2026, uit_offset=1)
    with pytest.raises(DataError, match="index differs"):
        size_class(pd.Series([1.0], index=[1]), pd.Series([2020], index=[2]))
    with pytest.raises(DataError, match="DataFrame"):
        size_class(pd.DataFrame({"a": [1.0]}), 2020)


def test_nan_year_gives_nan_class() -> None:
    out = size_class([1e5, 1e5], [2020, np.nan])
    assert out.isna().tolist() == [False, True]


def test_sales_in_uit() -> None:
    out = peru.sales_in_uit([4300.0, 8600.0], 2020)
    np.testing.assert_array_equal(out.to_numpy(), [1.0, 2.0])
    assert peru.sales_in_uit(4400.0, 2020, uit_offset=1).iloc[0] == 1.0


# ---------------------------------------------------------------------------------------------
# sub-strata and worker bands


@pytest.mark.parametrize(
    ("uit_multiple", "extra", "expected"),
    [
        (0, 0, "micro_below_2uit"),
        (2, -1, "micro_below_2uit"),  # "menores a 2 UIT"
        (2, 0, "micro_subsistence"),
        (13, 0, "micro_subsistence"),  # "entre 0 y 13 UIT": inclusive
        (13, 1, "micro_accumulation"),
        (150, 0, "micro_accumulation"),  # legal micro bound, inclusive
        (150, 1, "small_lower"),
        (300, 0, "small_lower"),  # "de 150 a 300 UIT"
        (300, 1, "small_upper"),
        (1700, 0, "small_upper"),
        (1700, 1, "medium"),
        (2300, 0, "medium"),
        (2300, 1, "large"),
    ],
)
def test_size_stratum_boundaries(uit_multiple: int, extra: int, expected: str) -> None:
    assert size_stratum(uit_multiple * UIT_2020 + extra, 2020).iloc[0] == expected


def test_size_stratum_nests_in_size_class() -> None:
    rng = np.random.default_rng(1)
    sales = rng.lognormal(12, 3, 2000)
    years = rng.integers(2010, 2027, 2000)
    cls = size_class(sales, years).astype(str)
    strat = size_stratum(sales, years)
    assert strat.cat.ordered
    assert tuple(strat.cat.categories) == peru.SIZE_STRATA
    parent = strat.astype(str).str.split("_").str[0]
    assert (parent == cls).all()


def test_size_stratum_uit_offset() -> None:
    # 13 UIT of 2020 (55,900) is above 13 UIT of 2019 (54,600) but at 13 UIT with offset 1
    assert size_stratum(55_900, 2019).iloc[0] == "micro_accumulation"
    assert size_stratum(55_900, 2019, uit_offset=1).iloc[0] == "micro_subsistence"


@pytest.mark.parametrize(
    ("workers", "expected"),
    [(0, "1-4"), (1, "1-4"), (4, "1-4"), (4.5, "1-4"), (5, "5-10"), (10, "5-10"),
     (11, "11-50"), (50, "11-50"), (51, "51+"), (50.5, "51+"), (10_000, "51+")],
)  # fmt: skip
def test_worker_band(workers: float, expected: str) -> None:
    assert worker_band(workers).iloc[0] == expected


def test_worker_band_series_and_errors() -> None:
    w = pd.Series([3, None, 60], index=[7, 8, 9], name="trabajadores", dtype="Int64")
    out = worker_band(w)
    assert out.index.tolist() == [7, 8, 9]
    assert out.cat.ordered
    assert tuple(out.cat.categories) == ("1-4", "5-10", "11-50", "51+")
    assert out.isna().tolist() == [False, True, False]
    with pytest.raises(DataError, match="column 'trabajadores'.*negative"):
        worker_band(pd.Series([-1], name="trabajadores"))


def test_size_label() -> None:
    cls = size_class(pd.Series([1e5, 1e6, 9e6, 1e9, np.nan], index=list("abcde")), 2020)
    es = size_label(cls)
    assert es.tolist()[:4] == ["Micro", "Pequeña", "Mediana", "Grande"]
    assert pd.isna(es.iloc[4])
    assert es.index.equals(cls.index)
    assert es.cat.ordered
    assert list(es.cat.categories) == ["Micro", "Pequeña", "Mediana", "Grande"]
    en = size_label(cls, lang="en")
    assert list(en.cat.categories) == ["Micro", "Small", "Medium", "Large"]
    # codes are untouched
    assert cls.tolist()[:4] == ["micro", "small", "medium", "large"]
    # plain strings, strata and bands
    assert size_label(["large", "micro"], lang="en").tolist() == ["Large", "Micro"]
    assert size_label(size_stratum(0, 2020)).iloc[0] == "Micro, ventas menores a 2 UIT"
    assert size_label(worker_band([60]), lang="en").iloc[0] == "More than 50 workers"


def test_size_label_errors() -> None:
    with pytest.raises(
        SpecificationError, match=r"lang='fr' is not one of \{'es', 'en'\}"
    ):
        size_label(["micro"], lang="fr")
    with pytest.raises(DataError, match="not size codes, e.g. 'Micro'"):
        size_label(["Micro"])
    with pytest.raises(DataError, match="categories that are not size codes"):
        size_label(pd.Series(["tiny"], dtype="category"))


# ---------------------------------------------------------------------------------------------
# targeting


def test_targeting_columns_and_reasons_es() -> None:
    out = targeting(
        formal=[True, False, True, True, True, False, True],
        years_registered=[2, 5, 1.9, 3, 3, 0, 10],
        sales_soles=[
            13 * UIT_2020,  # exactly 13 UIT: inside ("desde 13")
            1e6,
            1e6,
            13 * UIT_2020 - 1,
            2300 * UIT_2020 + 1,
            10.0,
            2300 * UIT_2020,  # exactly 2,300 UIT: inside ("hasta 2,300")
        ],
        year=2020,
    )
    assert list(out.columns) == [
        "formal",
        "registered_2y",
        "sales_13_2300",
        "target",
        "reason",
    ]
    for c in ("formal", "registered_2y", "sales_13_2300", "target"):
        assert out[c].dtype == bool
    assert out["target"].tolist() == [True, False, False, False, False, False, True]
    assert out["reason"].tolist() == [
        "",
        "no formal",
        "menos de 2 años en SUNAT",
        "ventas menores a 13 UIT",
        "ventas mayores a 2 300 UIT",
        "no formal; menos de 2 años en SUNAT; ventas menores a 13 UIT",
        "",
    ]
    assert (
        out["target"] == (out["formal"] & out["registered_2y"] & out["sales_13_2300"])
    ).all()


def test_targeting_missing_and_english() -> None:
    idx = pd.Index([10, 20, 30, 40, 50])
    out = targeting(
        pd.Series([True, None, True, False, True], index=idx, dtype="boolean"),
        pd.Series([3, 3, np.nan, 3, 3], index=idx),
        pd.Series([1e6, 1e6, 1e6, np.nan, 1e6], index=idx),
        pd.Series([2020, 2020, 2020, 2020, np.nan], index=idx),
        lang="en",
    )
    assert out.index.equals(idx)
    assert out["target"].tolist() == [True, False, False, False, False]
    assert out["reason"].tolist() == [
        "",
        "missing data",
        "missing data",
        "not formal; missing data",
        "missing data",
    ]
    es = targeting([None], [3], [1e6], [2020])
    assert es["reason"].iloc[0] == "sin información"
    assert not es["formal"].iloc[0]


def test_targeting_uit_offset() -> None:
    # 13 UIT of 2021 = 57,200; 56,000 soles of 2020 are 13.02 UIT of 2020 but 12.7 of 2021
    assert targeting(True, 3, 56_000, 2020)["target"].iloc[0]
    out = targeting(True, 3, 56_000, 2020, uit_offset=1)
    assert out["reason"].iloc[0] == "ventas menores a 13 UIT"


def test_targeting_accepts_zero_one_flags() -> None:
    out = targeting(np.array([1, 0]), [2, 2], [1e6, 1e6], [2015, 2015])
    assert out["formal"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"formal": ["S"]}, DataError, "column 'formal': is not numeric"),
        ({"formal": [2]}, DataError, "column 'formal': must be True/False or 1/0"),
        ({"years_registered": [-1]}, DataError, "column 'years_registered'.*negative"),
        ({"sales_soles": [-1]}, DataError, "column 'sales_soles'.*negative"),
        ({"year": [2030]}, DomainError, "2010–2026"),
        ({"lang": "qu"}, SpecificationError, "lang='qu' is not one of"),
        ({"uit_offset": -1}, SpecificationError, "uit_offset=-1 is outside"),
    ],
)
def test_targeting_errors(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    args: dict[str, object] = {
        "formal": [True],
        "years_registered": [3],
        "sales_soles": [1e6],
        "year": [2020],
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        targeting(**args)  # type: ignore[arg-type]


def test_vectorised_speed_smoke() -> None:
    """A million rows go through size_class and targeting, matching a direct computation."""
    n = 1_000_000
    rng = np.random.default_rng(2)
    sales = rng.lognormal(12, 3, n)
    years = rng.integers(2010, 2027, n)
    out = size_class(sales, years)
    assert len(out) == n
    t = targeting(np.ones(n, dtype=bool), np.full(n, 3.0), sales, years)
    assert t["target"].mean() == pytest.approx(
        (
            (sales >= 13 * peru.uit_series(years))
            & (sales <= 2300 * peru.uit_series(years))
        ).mean()
    )
