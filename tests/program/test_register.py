"""The synthetic 2020 register reproduces the seed's margins; coverage and targeting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tfp.program as prog
from tfp.datasets.pp0093 import SECTOR_COUNTS_2020, UNIT_COUNTS_2020, synthetic_register
from tfp.exceptions import RecordsError, SpecificationError

# The seed prints shares with one decimal: a margin matches when it rounds to the printed
# figure, i.e. lies within half a unit of the last digit.
PRINTED_HALF_UNIT = 0.05

# Seed, "Localización" (lines 384-395): shares of firms served.
SEED_DEPARTMENTS = {
    "Lima": 35.2, "La Libertad": 6.8, "Arequipa": 6.6,
    "Amazonas": 0.8, "Apurímac": 0.8, "Huancavelica": 0.4,
}  # fmt: skip
SEED_REGIONS = {"Costa": 65.2, "Sierra": 21.8, "Selva": 13.0}
# Seed, "Tamaño empresarial" (lines 463-485): shares of the 13,448 classified firms.
SEED_SIZE = {"micro": 76.8, "small": 15.8, "medium": 1.0, "large": 6.4}
# Seed, annex (activity avance) and unit chart (lines 346-359).
SEED_ACTIVITY_FIRMS = {
    "1.1": 970, "1.2": 281, "1.3": 105, "2.1": 50, "2.2": 990,
    "3.1": 507, "3.2": 2_061, "4.1": 24_758,
}  # fmt: skip
SEED_PRODUCT_FIRMS = {"1": 1_347, "2": 1_038, "3": 507, "4": 24_758}


@pytest.fixture(scope="module")
def cov(records_with_register: prog.ProgramRecords):  # type: ignore[no-untyped-def]
    def get(by: str) -> pd.DataFrame:
        return prog.coverage(records_with_register, by=by)

    return get


def test_firm_count(records_with_register: prog.ProgramRecords) -> None:
    reg = records_with_register.register
    assert reg is not None
    assert reg["firm_id"].nunique() == 28_510


def test_department_shares(cov) -> None:  # type: ignore[no-untyped-def]
    dep = cov("department").set_index("label")
    for name, share in SEED_DEPARTMENTS.items():
        assert dep.loc[name, "share_pct"] == pytest.approx(share, abs=PRINTED_HALF_UNIT)
    assert (dep["n_firms"] > 0).all()  # the seed: firms in every department
    others = dep.drop(index=list(SEED_DEPARTMENTS))
    assert (
        others["share_pct"].max() < 6.6
    )  # Lima, La Libertad, Arequipa are the top three
    assert dep["n_firms"].sum() == 28_510


def test_natural_regions(cov) -> None:  # type: ignore[no-untyped-def]
    reg = cov("natural_region").set_index("group")
    for name, share in SEED_REGIONS.items():
        assert reg.loc[name, "share_pct"] == pytest.approx(share, abs=PRINTED_HALF_UNIT)


def test_sector_counts_exact(cov) -> None:  # type: ignore[no-untyped-def]
    sec = cov("sector").set_index("label")
    counts = {k: int(v) for k, v in sec["n_firms"].items()}
    assert counts == dict(SECTOR_COUNTS_2020)


def test_size_classes(cov) -> None:  # type: ignore[no-untyped-def]
    size = cov("size_class").set_index("group")
    assert size.loc[list(SEED_SIZE), "n_firms"].sum() == 13_448
    assert size.loc["missing", "n_firms"] == 28_510 - 13_448
    for name, share in SEED_SIZE.items():
        assert size.loc[name, "share_known_pct"] == pytest.approx(
            share, abs=PRINTED_HALF_UNIT
        )


def test_size_strata(cov) -> None:  # type: ignore[no-untyped-def]
    st = cov("size_stratum").set_index("group")
    below2 = st.loc["micro_below_2uit", "share_known_pct"]
    assert below2 == pytest.approx(24.3, abs=PRINTED_HALF_UNIT)
    subsistence = below2 + st.loc["micro_subsistence", "share_known_pct"]
    assert subsistence == pytest.approx(57.2, abs=PRINTED_HALF_UNIT)
    small = st.loc[["small_lower", "small_upper"], "n_firms"]
    assert small["small_lower"] / small.sum() * 100 == pytest.approx(
        38.6, abs=PRINTED_HALF_UNIT
    )


def test_worker_bands(cov, records_with_register: prog.ProgramRecords) -> None:  # type: ignore[no-untyped-def]
    wb = cov("worker_band").set_index("group")
    assert wb.loc["1-4", "share_known_pct"] == pytest.approx(
        76.6, abs=PRINTED_HALF_UNIT
    )
    assert wb.loc["51+", "share_known_pct"] == pytest.approx(7.3, abs=PRINTED_HALF_UNIT)
    prof = prog.firm_profile(records_with_register)
    big = prof[prof["worker_band"] == "51+"]
    assert (big["sales_soles"] > 850 * 4300).all()  # seed: > 50 workers and > 850 UIT


def test_targeting_share(records_with_register: prog.ProgramRecords) -> None:
    summary = prog.targeting_summary(records_with_register)
    target = summary[summary["group"] == "target"].iloc[0]
    assert target["n_firms"] == 2_195
    assert round(target["share_pct"], 1) == 7.7
    reasons = summary[summary["group"] == "reason"]
    assert reasons["n_firms"].sum() + target["n_firms"] == 28_510
    en = prog.targeting_summary(records_with_register, lang="en")
    assert "missing data" in set(en["reason"])


def test_targeted_firms_meet_every_criterion(
    records_with_register: prog.ProgramRecords,
) -> None:
    prof = prog.firm_profile(records_with_register)
    t = prof[prof["target"]]
    assert t["formal"].all()
    assert (t["years_registered"] >= 2).all()
    assert t["sales_soles"].between(13 * 4300, 2300 * 4300).all()
    assert (prof.loc[~prof["target"], "reason"] != "").all()


def test_unit_counts(cov) -> None:  # type: ignore[no-untyped-def]
    units = cov("unit").set_index("group")["n_firms"]
    assert {k: int(v) for k, v in units.items()} == dict(UNIT_COUNTS_2020)
    assert units.sum() == 29_482  # > 28,510: firms served by two units


def test_activity_and_product_counts(cov) -> None:  # type: ignore[no-untyped-def]
    act = cov("activity").set_index("label")["n_firms"]
    assert {
        k.removeprefix("Actividad "): int(v) for k, v in act.items()
    } == SEED_ACTIVITY_FIRMS
    prod = cov("product").set_index("label")["n_firms"]
    got = {
        k.removeprefix("Producto "): int(v)
        for k, v in prod.items()
        if k != "Sin producto"
    }
    assert got == SEED_PRODUCT_FIRMS


def test_register_product_counts_are_unique_firms(
    records_with_register: prog.ProgramRecords,
) -> None:
    totals = prog.product_totals(records_with_register).set_index("number")
    assert totals.loc[1, "register_firms"] == 1_347
    assert totals.loc[1, "activities_achieved"] == 1_356


def test_services(cov) -> None:  # type: ignore[no-untyped-def]
    svc = cov("service").set_index("group")["n_firms"]
    assert svc["información tecnológica especializada"] == 19_573
    assert svc["asistencia técnica"] == 2_074
    assert svc["difusión de normatividad"] == 2_061


def test_register_is_deterministic() -> None:
    a = synthetic_register(seed=0)
    b = synthetic_register(seed=0)
    pd.testing.assert_frame_equal(a, b)
    c = synthetic_register(seed=1)
    assert not a["firm_id"].equals(c["firm_id"]) or not a["ubigeo"].equals(c["ubigeo"])
    # the margins do not depend on the seed
    assert c["firm_id"].nunique() == 28_510
    assert c.groupby("unit")["firm_id"].nunique().to_dict() == dict(UNIT_COUNTS_2020)


def test_relabelling_firms_changes_nothing(
    records_with_register: prog.ProgramRecords,
) -> None:
    reg = records_with_register.register
    assert reg is not None
    ids = reg["firm_id"].unique()
    new = dict(
        zip(
            ids,
            [f"X{i}" for i in np.random.default_rng(5).permutation(len(ids))],
            strict=True,
        )
    )
    relabelled = records_with_register.replace(
        register=reg.assign(firm_id=reg["firm_id"].map(new)).iloc[::-1]
    )
    for by in ("natural_region", "size_class", "unit", "product"):
        pd.testing.assert_frame_equal(
            prog.coverage(records_with_register, by=by),
            prog.coverage(relabelled, by=by),
        )


def test_coverage_errors(
    records: prog.ProgramRecords, records_with_register: prog.ProgramRecords
) -> None:
    with pytest.raises(RecordsError, match="no register of firms served"):
        prog.coverage(records, by="department")
    with pytest.raises(SpecificationError, match="by='province' is not one of"):
        prog.coverage(records_with_register, by="province")
    with pytest.raises(SpecificationError, match="lang='pt'"):
        prog.coverage(records_with_register, by="unit", lang="pt")  # type: ignore[arg-type]
