"""End-to-end tests of ``tfp report`` / ``tfp.app.run``: outputs, consistency, errors.

Two full runs on the embedded data are shared by the module (Spanish via CliRunner, English
via a subprocess); the config-file tests use a small panel, LP and no bootstrap.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import os
import shutil
import stat
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import tfp
from tfp._labels import label
from tfp.app import PipelineConfig, ProgramReport, run
from tfp.cli import app
from tfp.datasets import synthetic_ene
from tfp.datasets.pp0093 import data_dir
from tfp.exceptions import ConfigError

# CSV cells are written with Python's shortest round-trip repr, so values read back are the
# same doubles; allow only binary-noise differences.
CSV_RTOL = 1e-12
# Recovery of the simulated factor shares: the estimate is within this many bootstrap
# standard errors of the truth (about 3 SE: a 0.3 % two-sided normal tail per coefficient).
RECOVERY_SE = 3.0
# The check estimator (ACF) minimises its criterion numerically and stops at a gradient of
# about 1e-7, so a permutation of the rows moves the last digits of its estimates.
SEARCH_RTOL = 1e-6

HTML = "reporte_pp0093.html"
PDF = "reporte_pp0093.pdf"
XLSX = "reporte_pp0093.xlsx"
JSON = "indicadores.json"
EN = {"html": "report_pp0093.html", "pdf": "report_pp0093.pdf"}
EN |= {"xlsx": "report_pp0093.xlsx", "json": "indicators.json"}
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "source", "wbr"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

runner = CliRunner()


# --------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a small panel CSV, a copy of the 2020 records and a config."""
    d = tmp_path_factory.mktemp("inputs")
    sim = synthetic_ene(n_firms=300, seed=7)
    sim.data.to_csv(d / "panel.csv", index=False)
    shutil.copytree(data_dir(), d / "records")
    (d / "pipeline.toml").write_text(
        '[report]\nlang = "en"\nformats = ["csv", "json"]\n\n'
        '[records]\npath = "records"\n\n'
        '[panel]\npath = "panel.csv"\n\n'
        '[estimation]\nmethod = "lp"\nreps = 0\n',
        encoding="utf-8",
    )
    return d


# --------------------------------------------------------------------------------------
# HTML validity: html.parser + structural checks
# --------------------------------------------------------------------------------------


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.imgs: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.tables: list[list[list[str]]] = []  # per table: rows of cell tags
        self.lang: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "id" in a and a["id"] is not None:
            self.ids.append(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "img":
            self.imgs.append(a)
        for key in ("src", "href"):
            v = a.get(key)
            if v and (v.startswith("http") or v.startswith("//")):
                self.external.append(v)
        if tag == "table":
            self.tables.append([])
        if tag == "tr" and self.tables:
            self.tables[-1].append([])
        if tag in ("td", "th") and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.errors.append(f"self-closing non-void <{tag}/>")
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check_html(path: Path) -> _Checker:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    c = _Checker()
    c.feed(text)
    c.close()
    assert c.errors == []
    assert c.stack == [], f"unclosed tags {c.stack}"
    dup = {i for i in c.ids if c.ids.count(i) > 1}
    assert dup == set(), f"duplicate ids {dup}"
    assert c.external == [], "the report must be self-contained"
    assert len(c.imgs) >= 6
    for img in c.imgs:
        src = img.get("src") or ""
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)
        assert (img.get("alt") or "").strip()
    for rows in c.tables:
        assert rows, "empty table"
        width = len(rows[0])
        assert rows[0] == ["th"] * width
        assert all(len(r) == width and set(r) == {"td"} for r in rows[1:])
    return c


# --------------------------------------------------------------------------------------
# default run (embedded data)
# --------------------------------------------------------------------------------------


def test_cli_default_writes_every_output(es_run: tuple[Path, str]) -> None:
    out, output = es_run
    for name in (HTML, PDF, XLSX, JSON):
        assert (out / name).is_file(), name
    assert str(out.resolve() / HTML) in output
    csvs = {p.stem for p in (out / "csv").glob("*.csv")}
    assert {
        "factor_shares",
        "tfp_by_size",
        "mipyme_tfp",
        "mype_labour",
        "annex",
        "budget_execution",
        "physical_progress",
        "indicator_progress",
        "coverage_department",
        "targeting",
        "findings",
    } <= csvs
    # no temporary directory left beside the output
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_html_is_valid_and_self_contained(es_run: tuple[Path, str]) -> None:
    c = _check_html(es_run[0] / HTML)
    assert c.lang == "es"
    # the seed's sections, in its order
    order = ["productividad", "poblacion", "productos", "hallazgos", "anexo", "metodos"]
    assert [i for i in c.ids if i in order] == order
    text = " ".join(c.text)
    for heading in (
        "Productividad de las MIPYME",
        "Población atendida",
        "Publicado PRODUCE",
    ):
        assert heading in text
    assert "SIMULADO" in text  # the outcome figures are labelled as simulated


def test_json_indicators_equal_the_tables(es_run: tuple[Path, str]) -> None:
    out = es_run[0]
    doc = json.loads((out / JSON).read_text(encoding="utf-8"))
    assert doc["programme"] == "0093" and doc["year"] == 2020
    assert doc["simulated_panel"] is True
    ids = [i["id"] for i in doc["indicators"]]
    assert len(ids) == len(set(ids))
    for needed in ("tfp_index.micro", "mipyme_tfp_growth.2019", "execution_pct"):
        assert needed in ids
    tables: dict[str, pd.DataFrame] = {}
    for ind in doc["indicators"]:
        t = tables.setdefault(
            ind["table"], pd.read_csv(out / "csv" / f"{ind['table']}.csv", dtype=object)
        )
        mask = np.ones(len(t), dtype=bool)
        for k, v in ind["row"].items():
            mask &= (t[k].astype(str) == str(v)).to_numpy()
        assert mask.sum() == 1, ind["id"]
        cell = t.loc[mask, ind["column"]].iloc[0]
        if ind["value"] is None:
            assert pd.isna(cell), ind["id"]
        else:
            assert math.isclose(float(cell), ind["value"], rel_tol=CSV_RTOL), ind["id"]


def test_programme_figures_match_the_seed(es_run: tuple[Path, str]) -> None:
    """Reference numbers printed by PRODUCE-OGEIEE (seed report, annex and text)."""
    doc = json.loads((es_run[0] / JSON).read_text(encoding="utf-8"))
    val = {i["id"]: i["value"] for i in doc["indicators"]}
    assert round(val["execution_pct"], 1) == 97.3  # annex TOTAL, seed line 1209
    assert val["devengado"] == 34_443_915  # annex TOTAL, seed line 1209
    assert val["firms_served"] == 28_510  # "Población atendida"
    assert round(val["targeted_pct"], 1) == 7.7  # "Población atendida"
    assert round(val["product.1.physical_progress_pct"], 1) == 67.7  # seed line 1053
    findings = {f["where"] for f in doc["findings"]}
    assert "indicator P1-1" in findings  # 31.4 / 74 is 42.4 %, the seed prints 42.50 %


def test_outcome_tables_show_published_beside_ours(es_run: tuple[Path, str]) -> None:
    out = es_run[0]
    size = pd.read_csv(out / "csv" / "tfp_by_size.csv").set_index("group")
    # PRODUCE's chart "PTF según tamaño de empresa 2015-2018" (seed lines 126-148)
    assert size["published"].to_dict() == {
        "micro": 14.0,
        "small": 52.8,
        "medium": 79.6,
        "large": 100.0,
    }
    assert size.loc["large", "index"] == pytest.approx(100.0, rel=CSV_RTOL)
    assert (size["conf_low"] <= size["index"] + 1e-9).all()
    assert (size["index"] <= size["conf_high"] + 1e-9).all()
    # ordering of the size classes, as in the seed: micro < small < medium < large
    assert size.loc["micro", "index"] < size.loc["small", "index"] < 100.0
    mip = pd.read_csv(out / "csv" / "mipyme_tfp.csv").set_index("year")
    assert mip.loc[2019, "published"] == 1.13  # seed lines 118-121
    assert mip.loc[2019, "published_growth_pct"] == -11.5
    growth = (mip["value"] / mip["value"].shift(1) - 1.0) * 100.0
    np.testing.assert_allclose(
        mip["growth_pct"].iloc[1:], growth.iloc[1:], rtol=CSV_RTOL
    )
    lab = pd.read_csv(out / "csv" / "mype_labour.csv").set_index("year")
    assert lab.loc[2018, "published"] == 44.8 and lab.loc[2019, "published"] == 46.3


def test_factor_shares_recover_the_simulation(es_run: tuple[Path, str]) -> None:
    shares = pd.read_csv(es_run[0] / "csv" / "factor_shares.csv").set_index("term")
    inputs = shares.drop(index="rts")
    assert inputs["truth"].to_dict() == {"ls": 0.588, "lu": 0.166, "k": 0.262}
    assert inputs["input"].to_dict() == {
        "ls": "skilled_labour",
        "lu": "unskilled_labour",
        "k": "capital",
    }
    gap = (inputs["estimate"] - inputs["truth"]).abs()
    assert (gap <= RECOVERY_SE * inputs["std_error"]).all(), inputs
    # the check estimator (ACF) has intervals of its own
    assert (inputs["check_conf_low"] <= inputs["check_estimate"]).all()
    assert (inputs["check_estimate"] <= inputs["check_conf_high"]).all()


def test_counts_say_what_they_count(es_run: tuple[Path, str]) -> None:
    out = es_run[0]
    size = pd.read_csv(out / "csv" / "tfp_by_size.csv").set_index("group")
    # pooled 2015-2019: firm-years exceed distinct firms; 1,000 firms a year, 5 years
    assert (size["n_firms"] < size["n_obs"]).all()
    assert size["n_obs"].sum() <= 5 * 1000
    lab = pd.read_csv(out / "csv" / "mype_labour.csv").set_index("year")
    assert (lab["n_firms"] <= 1000).all()  # firms in the sample, one row each a year
    assert (lab["firms_represented"] > 100 * lab["n_firms"]).all()  # expanded
    assert "outcome_notes" not in {p.stem for p in (out / "csv").glob("*.csv")}


def test_output_follows_the_umask(es_run: tuple[Path, str]) -> None:
    mask = os.umask(0o022)
    os.umask(mask)
    out = es_run[0]
    for path in (out, out / "csv", out / HTML):
        wanted = (0o777 if path.is_dir() else 0o666) & ~mask
        assert stat.S_IMODE(path.stat().st_mode) == wanted, path


def test_excel_has_every_table_in_spanish(es_run: tuple[Path, str]) -> None:
    out = es_run[0]
    wb = openpyxl.load_workbook(out / XLSX)
    names = wb.sheetnames
    assert names[:2] == ["Contenido", "Indicadores"]
    csvs = sorted(p.stem for p in (out / "csv").glob("*.csv"))
    for stem in csvs:
        n_csv = len(pd.read_csv(out / "csv" / f"{stem}.csv"))
        sheet = label(stem, "es", domain="sheet")
        if n_csv == 0:  # no empty sheet
            assert sheet not in names, stem
            continue
        ws = wb[sheet]
        assert ws.max_row == n_csv + 1, stem  # header + rows
        assert ws.freeze_panes == "A2", stem
    for ws in wb.worksheets:
        assert ws.max_row > 1, ws.title
    annex = wb[label("annex", "es", domain="sheet")]
    header = [c.value for c in annex[1]]
    assert "Devengado" in header and "pim" not in header
    col = header.index("Devengado") + 1
    assert annex.cell(row=2, column=col).number_format == "#,##0"
    size = wb[label("tfp_by_size", "es", domain="sheet")]
    header = [c.value for c in size[1]]
    col = header.index(label("index", "es")) + 1
    assert size.cell(row=2, column=col).number_format == "#,##0.0"
    assert size.column_dimensions["A"].width > 8
    wb.close()


def test_english_report_via_subprocess(en_run: tuple[Path, str]) -> None:
    out, stdout = en_run
    assert "Report written to" in stdout
    assert sorted(p.name for p in out.iterdir()) == sorted([*EN.values(), "csv"])
    c = _check_html(out / EN["html"])
    assert c.lang == "en"
    text = " ".join(c.text)
    assert "Population served" in text and "Productivity of MIPYME" in text
    assert "Población atendida" not in text
    header = pd.read_csv(out / "csv" / "annex.csv").columns
    assert "devengado" in header  # CSV columns stay machine names in any language
    doc = json.loads((out / EN["json"]).read_text(encoding="utf-8"))
    assert doc["lang"] == "en"


def test_english_and_spanish_numbers_agree(
    es_run: tuple[Path, str], en_run: tuple[Path, str]
) -> None:
    a = json.loads((es_run[0] / JSON).read_text(encoding="utf-8"))["indicators"]
    b = json.loads((en_run[0] / EN["json"]).read_text(encoding="utf-8"))["indicators"]
    assert [(i["id"], i["value"]) for i in a] == [(i["id"], i["value"]) for i in b]


# --------------------------------------------------------------------------------------
# config files, Python API, invariance
# --------------------------------------------------------------------------------------


def test_run_from_config_file(small_inputs: Path, tmp_path: Path) -> None:
    rep = run(small_inputs / "pipeline.toml", out=tmp_path / "r")
    assert isinstance(rep, ProgramReport)
    assert rep.method == "lp" and rep.config.lang == "en"
    assert rep.paths["json"].name == "indicators.json"
    assert sorted(rep.paths) == ["csv", "json"]
    assert not (tmp_path / "r" / HTML).exists()
    assert rep.tables["factor_shares"]["truth"].isna().all()  # real files: no truth
    doc = json.loads(rep.paths["json"].read_text(encoding="utf-8"))
    assert doc["simulated_panel"] is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        rep.method = "acf"  # type: ignore[misc]
    with pytest.raises(TypeError):
        rep.tables["x"] = pd.DataFrame()  # type: ignore[index]


def test_panel_row_order_and_firm_labels_do_not_matter(
    small_inputs: Path, tmp_path: Path
) -> None:
    panel = pd.read_csv(small_inputs / "panel.csv", dtype={"firm_id": str})
    rng = np.random.default_rng(0)
    shuffled = panel.sample(frac=1.0, random_state=rng).copy()
    ids = {
        f: f"X{i:05d}" for i, f in enumerate(rng.permutation(panel["firm_id"].unique()))
    }
    shuffled["firm_id"] = shuffled["firm_id"].map(ids)
    shuffled.to_csv(tmp_path / "panel.csv", index=False)
    cfg = PipelineConfig.from_toml(small_inputs / "pipeline.toml")
    a = run(cfg, out=tmp_path / "a")
    b = run(dataclasses.replace(cfg, panel=tmp_path / "panel.csv"), out=tmp_path / "b")
    for name in ("factor_shares", "tfp_by_size", "mipyme_tfp", "mype_labour"):
        check = [c for c in a.tables[name].columns if c.startswith("check_")]
        pd.testing.assert_frame_equal(
            a.tables[name].drop(columns=check),
            b.tables[name].drop(columns=check),
            rtol=1e-10,
        )
        pd.testing.assert_frame_equal(
            a.tables[name][check], b.tables[name][check], rtol=SEARCH_RTOL
        )


def test_panel_without_size_column_gets_ley_30056_sizes(
    small_inputs: Path, tmp_path: Path
) -> None:
    panel = pd.read_csv(small_inputs / "panel.csv", dtype={"firm_id": str})
    panel.drop(columns="size_class").to_csv(tmp_path / "panel.csv", index=False)
    sized = panel.assign(
        size_class=tfp.peru.size_class(panel["sales_soles"], panel["year"])
    )
    sized.to_csv(tmp_path / "sized.csv", index=False)
    cfg = PipelineConfig.from_toml(small_inputs / "pipeline.toml")
    a = run(dataclasses.replace(cfg, panel=tmp_path / "panel.csv"), out=tmp_path / "a")
    b = run(dataclasses.replace(cfg, panel=tmp_path / "sized.csv"), out=tmp_path / "b")
    assert a.tables["tfp_by_size"]["group"].tolist() == [
        "micro",
        "small",
        "medium",
        "large",
    ]
    for name in ("tfp_by_size", "mipyme_tfp", "mype_labour"):
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


# --------------------------------------------------------------------------------------
# errors: exit code 2, message naming file/row/column, --out untouched
# --------------------------------------------------------------------------------------


def _bad_run(config: Path, out: Path) -> str:
    out.mkdir()
    (out / "keep.txt").write_text("old report", encoding="utf-8")
    before = sorted(os.listdir(out.parent))
    result = runner.invoke(app, ["report", "--config", str(config), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert sorted(os.listdir(out)) == ["keep.txt"]
    assert (out / "keep.txt").read_text(encoding="utf-8") == "old report"
    assert sorted(os.listdir(out.parent)) == before  # no temporary directory left
    return " ".join(result.output.split())


def test_bad_records_cell_names_file_row_and_column(
    small_inputs: Path, tmp_path: Path
) -> None:
    d = tmp_path / "in"
    shutil.copytree(small_inputs, d)
    act = (d / "records" / "activities.csv").read_text(encoding="utf-8").splitlines()
    cells = act[2].rsplit(",", 2)
    act[2] = f"{cells[0]},abc,{cells[2]}"  # row 3 of the file, column pim
    (d / "records" / "activities.csv").write_text(
        "\n".join(act) + "\n", encoding="utf-8"
    )
    msg = _bad_run(d / "pipeline.toml", tmp_path / "out")
    assert "activities.csv" in msg and "row 3" in msg and "'pim'" in msg


def test_bad_panel_value_names_file_row_and_column(
    small_inputs: Path, tmp_path: Path
) -> None:
    d = tmp_path / "in"
    shutil.copytree(small_inputs, d)
    panel = pd.read_csv(d / "panel.csv", dtype=object)
    panel.loc[4, "k"] = "n/a?"
    panel.to_csv(d / "panel.csv", index=False)
    msg = _bad_run(d / "pipeline.toml", tmp_path / "out")
    assert "panel.csv" in msg and "row 6" in msg and "'k'" in msg


def test_missing_panel_column_is_named(small_inputs: Path, tmp_path: Path) -> None:
    d = tmp_path / "in"
    shutil.copytree(small_inputs, d)
    pd.read_csv(d / "panel.csv").drop(columns="m").to_csv(d / "panel.csv", index=False)
    msg = _bad_run(d / "pipeline.toml", tmp_path / "out")
    assert "panel.csv" in msg and "'m'" in msg and "no column" in msg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[report]\nlang = "es"\n[panel]\nouput = "y"\n',
            ["line 4", "panel.ouput", "unknown key", "Fix: use one of"],
        ),
        ('[report]\nlang = "fr"\n', ["line 2", "'fr'", "report.lang", 'lang = "es"']),
        ("[estimation]\nreps = 'many'\n", ["line 2", "estimation.reps", "integer"]),
        ('[records]\npath = "nowhere"\n', ["line 2", "records.path", "does not exist"]),
        ("[report\nlang = 1\n", ["not valid TOML", "line 1"]),
        ("[estimacion]\nreps = 3\n", ["line 1", "unknown table"]),
        ("[synthetic]\nyears = [2015]\n", ["line 2", "consecutive", "[2015, 2019]"]),
        ('[report]\nformats = ["docx"]\n', ["line 2", "report.formats", "subset"]),
        ("[estimation]\nreps = 1\n", ["line 2", "no standard errors"]),
        (
            '[estimation]\nmethod = "lp"\n[estimation.options]\npoly_degre = 2\n',
            ["line 3", "estimation.options", "poly_degre", "LPOptions"],
        ),
    ],
)
def test_bad_config_exits_2_naming_file_line_and_key(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    cfg = tmp_path / "pipeline.toml"
    cfg.write_text(text, encoding="utf-8")
    msg = _bad_run(cfg, tmp_path / "out")
    assert "pipeline.toml" in msg
    for e in expected:
        assert e in msg, msg


def test_bad_lang_option_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "--lang", "fr", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "fr" in result.output and not (tmp_path / "o").exists()


def test_config_errors_in_python_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="method='xyz' is not one of"):
        PipelineConfig(method="xyz")
    with pytest.raises(ConfigError, match="consecutive years"):
        PipelineConfig(years=(2015, 2017, 2018))
    with pytest.raises(ConfigError, match="config file not found"):
        PipelineConfig.from_toml(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="lang='fr'"):
        run(lang="fr", out=tmp_path / "x")
    assert not (tmp_path / "x").exists()
    assert not issubclass(ConfigError, tfp.exceptions.RecordsError)


def test_options_default_to_the_reports_acf_options_or_the_methods_own() -> None:
    default = PipelineConfig()
    assert default.method == "lp" and default.check == "acf"
    assert dict(default.options) == {} and default.method_options() is None
    acf = {"markov_degree": 1, "extra_instruments": ("k",)}
    assert default.check_options() == tfp.ACFOptions(**acf)
    assert dict(PipelineConfig(method="acf").options) == acf
    assert PipelineConfig(method="acf").check == "lp"
    assert PipelineConfig(check="none").check_method() is None
    assert "pdf" in default.formats


def test_example_config_parses_to_the_defaults() -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "pipeline.toml"
    if not path.is_file():
        pytest.skip("examples/pipeline.toml is not present")
    cfg = PipelineConfig.from_toml(path)
    default = PipelineConfig()
    same = ("records", "panel", "columns", "n_firms", "years", "method", "check")
    same += ("reps", "lang", "formats")
    for name in same:
        assert getattr(cfg, name) == getattr(default, name), name
    assert dict(cfg.options) == {}
    assert cfg.source == str(path)
