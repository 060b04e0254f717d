"""Consistency checks: the seed's two inconsistencies are flagged, and nothing else is."""

from __future__ import annotations

import dataclasses
import pickle

import pandas as pd
import pytest

import tfp.program as prog
from tfp.program import CHECKS, Finding, check_records, finding_sentence, findings_frame


def _codes(findings: list[prog.Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.where) for f in findings]


def test_seed_inconsistencies_flagged_and_nothing_else(
    records: prog.ProgramRecords,
) -> None:
    findings = prog.check_records(records)
    assert _codes(findings) == [
        ("published_mismatch", "activity 4.1 (5005087)"),
        ("published_mismatch", "indicator P1-1"),
    ]
    act41, ind1 = findings
    assert act41.values["published"] == 27_758
    assert act41.values["computed"] == 24_758
    assert "line 851" in act41.message
    assert ind1.values["published"] == 42.5
    assert ind1.values["computed"] == pytest.approx(100 * 31.4 / 74)
    assert all(f.severity == "error" for f in findings)


def test_register_agrees_with_records(
    records_with_register: prog.ProgramRecords,
) -> None:
    # the synthetic register reproduces every activity and product count: no new findings
    assert _codes(prog.check_records(records_with_register)) == _codes(
        prog.check_records(records_with_register.replace(register=None))
    )


def test_clean_records_without_published_figures(
    records: prog.ProgramRecords,
) -> None:
    assert prog.check_records(records.replace(published=None)) == []


def test_activity_count_above_product(records: prog.ProgramRecords) -> None:
    # the seed's text figure used as the record: Act. 4.1 = 27,758 > Product 4 = 24,758
    act = records.activities
    act.loc[act["number"] == "4.1", "achieved"] = 27_758
    findings = prog.check_records(records.replace(activities=act, published=None))
    assert ("activity_above_product", "activity 4.1 (5005087)") in _codes(findings)


def test_devengado_above_pim(records: prog.ProgramRecords) -> None:
    act = records.activities
    act.loc[act["number"] == "2.2", "devengado"] = 900_000.0
    findings = prog.check_records(records.replace(activities=act, published=None))
    assert _codes(findings) == [("devengado_above_pim", "activity 2.2 (5005083)")]
    assert findings[0].values == {"pim": 812_719.0, "devengado": 900_000.0}


def test_budget_sums_that_do_not_add_up(records: prog.ProgramRecords) -> None:
    pub = records.published
    assert pub is not None
    pub.loc[
        (pub["level"] == "product")
        & (pub["code"] == "3000535")
        & (pub["measure"] == "pim"),
        "value",
    ] = 1_231_832
    pub.loc[(pub["level"] == "total") & (pub["measure"] == "pia"), "value"] = 44_853_000
    findings = prog.check_records(records.replace(published=pub))
    budget = [f for f in findings if f.code == "budget_sum_mismatch"]
    assert [f.where for f in budget] == ["product 2 (3000535)", "total"]
    assert budget[0].values["computed"] == 1_221_832
    assert "10,000" in budget[0].message


def test_published_percentage_beyond_rounding(records: prog.ProgramRecords) -> None:
    pub = records.published
    assert pub is not None
    sel = (pub["code"] == "5005079") & (pub["measure"] == "physical_progress_pct")
    pub.loc[sel, "value"] = 99.2  # 281 / 283 = 99.29 %, printed 99.3
    findings = prog.check_records(records.replace(published=pub))
    assert ("published_mismatch", "activity 1.2 (5005079)") in _codes(findings)
    # within rounding: 99.29 printed with no decimals as 99 is consistent
    pub.loc[sel, ["value", "decimals"]] = [99.0, 0]
    findings = prog.check_records(records.replace(published=pub))
    assert ("published_mismatch", "activity 1.2 (5005079)") not in _codes(findings)


def test_typed_rounded_indicator_value_would_be_flagged(
    records: prog.ProgramRecords,
) -> None:
    # Typing P4-1's rounded 49.8 % instead of 24,758 / 49,741 gives 766.2 %, not the printed
    # 765.8 %: the numerator/denominator transcription is what reproduces the seed.
    ind = records.indicators
    sel = ind["id"] == "P4-1"
    ind.loc[sel, ["value", "numerator", "denominator"]] = [
        49.8,
        float("nan"),
        float("nan"),
    ]
    findings = prog.check_records(records.replace(indicators=ind))
    assert ("published_mismatch", "indicator P4-1") in _codes(findings)


def test_product_counts_and_targets(records: prog.ProgramRecords) -> None:
    prod = records.products
    prod.loc[prod["number"] == 1, ["achieved", "target"]] = [1_400.0, 2_000.0]
    findings = prog.check_records(records.replace(products=prod, published=None))
    assert _codes(findings) == [
        ("product_above_activities", "product 1 (3000534)"),
        ("product_target_mismatch", "product 1 (3000534)"),
    ]
    assert findings[1].severity == "warning"


def test_register_count_mismatch(records_with_register: prog.ProgramRecords) -> None:
    reg = records_with_register.register
    assert reg is not None
    first = reg.index[reg["activity"] == "5005082"][0]  # a firm of Act. 2.1
    reg = reg.drop(index=first)
    findings = prog.check_records(
        records_with_register.replace(register=reg, published=None)
    )
    codes = _codes(findings)
    assert ("register_count_mismatch", "activity 2.1 (5005082)") in codes


def test_finding_is_frozen_and_picklable(records: prog.ProgramRecords) -> None:
    finding = prog.check_records(records)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.code = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        finding.values["published"] = 0  # type: ignore[index]
    assert str(finding).startswith("[error] published_mismatch at activity 4.1")
    table = prog.findings_frame(prog.check_records(records))
    assert list(table.columns) == ["code", "severity", "where", "message"]
    assert len(table) == 2
    assert isinstance(table, pd.DataFrame)
    assert pickle.loads(pickle.dumps(finding)) == finding


def test_checks_do_not_change_records(records: prog.ProgramRecords) -> None:
    before = records.activities.copy()
    prog.check_records(records)
    pd.testing.assert_frame_equal(records.activities, before)


def test_printed_percentage_for_a_zero_target(records: prog.ProgramRecords) -> None:
    pub = records.published
    assert pub is not None
    extra = pd.DataFrame(
        [["activity", "5005867", "physical_progress_pct", 0.0, 1, "test"]],
        columns=pub.columns,
    )
    findings = prog.check_records(records.replace(published=pd.concat([pub, extra])))
    hit = [f for f in findings if f.where == "activity 2.3 (5005867)"]
    assert len(hit) == 1
    assert "not computable (zero target)" in hit[0].message


# --------------------------------------------------------------------------------------
# findings as sentences for the report's readers
# --------------------------------------------------------------------------------------

_VALUES = {
    "budget_sum_mismatch": {"measure": "pim", "published": 10.0, "computed": 12.0},
    "devengado_above_pim": {"pim": 100.0, "devengado": 120.0},
    "activity_above_product": {"activity_achieved": 30.0, "product_achieved": 20.0},
    "product_above_activities": {"achieved": 30.0, "activities_achieved": 20.0},
    "product_target_mismatch": {"target": 30.0, "activities_target": 20.0},
    "published_mismatch": {
        "measure": "achieved",
        "published": 27758.0,
        "decimals": 0,
        "computed": 24758.0,
        "source": "text line 851 (Actividad 4.1 paragraph)",
    },
    "register_count_mismatch": {"register_firms": 30.0, "achieved": 20.0},
}


@pytest.mark.parametrize("code", sorted(CHECKS))
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_finding_reads_as_a_sentence(code: str, lang: str) -> None:
    f = Finding(
        code, "error", "English message", "activity 4.1 (5005087)", _VALUES[code]
    )
    text = finding_sentence(f, lang)
    assert text.startswith("Actividad 4.1" if lang == "es" else "Activity 4.1")
    assert text.endswith(".") and code not in text and "_" not in text
    assert "English message" not in text
    numbers = [v for v in _VALUES[code].values() if isinstance(v, float)]
    assert all(f"{v:,.0f}" in text for v in numbers)


def test_findings_frame_in_a_language(records) -> None:  # type: ignore[no-untyped-def]
    findings = check_records(records)
    es = findings_frame(findings, lang="es")
    assert es["where"].tolist() == ["Actividad 4.1 (5005087)", "Indicador P1-1"]
    assert "reporte publicado (texto)" in es["message"].iloc[0]
    assert findings_frame(findings)["message"].tolist() == [f.message for f in findings]
