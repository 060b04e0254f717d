"""Layouts as data: built-in ENE 2015, user layouts from dict/YAML/TOML/JSON, overrides, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from tfp.datasets.ene_raw import write_ene_2015
from tfp.ene import ENE_2015, build_panel, load_layout
from tfp.ene.layouts import Formula
from tfp.exceptions import SpecificationError


def _toml(value: object, key: str = "") -> str:
    """Minimal TOML writer for the layout schema (nested tables, lists, scalars)."""
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    for k, v in value.items():  # type: ignore[attr-defined]
        if isinstance(v, dict):
            tables.append((f"{key}.{k}" if key else str(k), v))
        else:
            lines.append(f"{json.dumps(str(k))} = {json.dumps(v)}")
    out = "\n".join(lines) + "\n"
    for name, sub in tables:
        parts = ".".join(json.dumps(p) for p in name.split("."))
        out += f"\n[{parts}]\n" + _toml(sub, name)
    return out


def test_builtin_layout_follows_peru_domain():
    lay = load_layout("ene2015")
    assert lay.id == "IRUC"
    assert lay.modules["identification"].file == "01_EMPRESA_IDENTIFICA"
    assert lay.modules["assets"].long_key == "M9P6_ID"
    assert lay.modules["assets"].long_rows == (1, 2, 3)
    assert lay.identification["result"] == "C1RESULTFINAL"
    assert lay.usable_results == (1, 2)
    assert lay.reference_year_offset == -1
    assert lay.variables["sales"].formula.names == ("M9P4_1", "M9P4_4", "M9P4_5")
    assert lay.variables["workers"].formula.names == ("M3P1_6A", "M3P1_12A")
    # every recipe carries its source status; the items not documented are INFERRED
    statuses = {v.name: v.status for v in lay.variables.values()}
    assert statuses["skilled_occupation"] == "INFERRED"
    assert statuses["wage_bill"] == "INFERRED"
    assert statuses["sales"] == "SINGLE"


@pytest.mark.parametrize("fmt", ["yaml", "toml", "json"])
def test_layout_files_round_trip(tmp_path, fmt):
    spec = load_layout("ene2015").to_dict()
    path = tmp_path / f"layout.{fmt}"
    if fmt == "yaml":
        path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(spec), encoding="utf-8")
    else:
        spec = {
            **spec,
            "sales_ranges": {str(k): v for k, v in spec["sales_ranges"].items()},
        }
        path.write_text(_toml(spec), encoding="utf-8")
    assert load_layout(path) == load_layout("ene2015")
    assert load_layout(str(path)) == load_layout(ENE_2015)


def test_override_changes_only_what_is_given():
    lay = load_layout(
        {"base": "ene2015", "variables": {"sales": {"formula": "M9P4_7"}}}
    )
    base = load_layout("ene2015")
    assert lay.variables["sales"].formula.text == "M9P4_7"
    assert lay.variables["sales"].status == "USER"
    assert lay.variables["gross_output"] == base.variables["gross_output"]
    assert lay.modules == base.modules


def test_user_layout_for_another_edition(sim_panel, tmp_path):
    """A later edition with renamed files and a renamed id column, by layout only."""
    raw = write_ene_2015(sim_panel, tmp_path, fmt="csv")
    for folder in raw.sources.values():
        for path in folder.glob("*.csv"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
            df = df.rename(columns={"IRUC": "ID_EMPRESA"})
            path.unlink()
            df.to_csv(folder / f"mod_{path.stem[:2]}.csv", index=False)
    layout_file = tmp_path / "ene_later.yaml"
    layout_file.write_text(
        yaml.safe_dump(
            {
                "base": "ene2015",
                "name": "ene-later",
                "id": "ID_EMPRESA",
                "modules": {
                    "identification": {"file": "mod_01"},
                    "labour": {"file": "mod_02"},
                    "economic": {"file": "mod_05"},
                    "assets": {"file": "mod_09"},
                },
                "variables": {"capital": {"formula": "M9P6_5"}},
            }
        ),
        encoding="utf-8",
    )
    data, report = build_panel(raw.sources, layout=layout_file, base_year=2015)
    np.testing.assert_array_equal(data["sales_nominal"], raw.expected["sales"])
    np.testing.assert_array_equal(data["capital_nominal"], raw.expected["capital_end"])
    assert set(report.layouts.values()) == {"ene-later"}
    row = report.variables.set_index("variable").loc["capital"]
    assert row["status"] == "USER"
    assert row["formula"].startswith("M9P6_5")


def test_layout_per_edition(sim_panel, tmp_path):
    raw = write_ene_2015(sim_panel, tmp_path, fmt="csv")
    other = {"base": "ene2015", "variables": {"sales": {"formula": "M9P4_1"}}}
    layouts = {2016: "ene2015", 2017: other, 2018: "ene2015"}
    data, report = build_panel(raw.sources, layout=layouts, base_year=2015)
    formula = report.variables.set_index("variable").loc["sales", "formula"]
    assert "M9P4_1 + M9P4_4 + M9P4_5" in formula
    assert "|" in formula
    y16 = (data["year"] == 2016).to_numpy()
    assert (data.loc[y16, "sales_nominal"] < raw.expected.loc[y16, "sales"]).all()
    np.testing.assert_array_equal(
        data.loc[~y16, "sales_nominal"], raw.expected.loc[~y16, "sales"]
    )


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("a + b - 2*c", ((1.0, ("a",)), (1.0, ("b",)), (-2.0, ("c",)))),
        ("-a", ((-1.0, ("a",)),)),
        ("12 * x * y", ((12.0, ("x", "y")),)),
    ],
)
def test_formula_grammar(text, terms):
    assert Formula.parse(text, variable="v").terms == terms


@pytest.mark.parametrize("text", ["a ++ b", "a b", "+a", "a -", "3", "a * -b", "", 5])
def test_formula_errors(text):
    with pytest.raises(SpecificationError, match="formula"):
        Formula.parse(text, variable="v")


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"base": "ene1999"}, r"base='ene1999' is not one of"),
        ({"base": "ene2015", "variables": {"x": {"module": "labour"}}}, r"variable 'x' lacks the key 'formula'"),
        ({"base": "ene2015", "variables": {"x": {"module": "vi", "formula": "a"}}}, r"names module 'vi'"),
        ({"base": "ene2015", "variables": {"x": {"module": "derived", "formula": "profit"}}}, r"uses \['profit'\]"),
        ({"base": "ene2015", "modules": {"tic": {"file": "04"}}}, r"unknown modules \['tic'\]"),
        ({"base": "ene2015", "usable_results": []}, r"usable_results must be a non-empty list"),
        ({"base": "ene2015", "variables": {"sales": {"status": "GUESS"}}}, r"status 'GUESS'"),
        ({k: v for k, v in ENE_2015.items() if k != "variables"}, r"lacks the key 'variables'"),
    ],
)  # fmt: skip
def test_layout_errors(spec, match):
    with pytest.raises(SpecificationError, match=match):
        load_layout(spec)


def test_layout_file_errors(tmp_path):
    with pytest.raises(SpecificationError, match="does not exist"):
        load_layout(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("modules: [1, 2", encoding="utf-8")
    with pytest.raises(SpecificationError, match="cannot parse layout file"):
        load_layout(bad)
    other = tmp_path / "layout.ini"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(SpecificationError, match="unknown extension"):
        load_layout(other)
    with pytest.raises(SpecificationError, match="a name, a path or a mapping"):
        load_layout(3)  # type: ignore[arg-type]
