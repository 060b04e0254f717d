"""Packaging: the extras, the "missing extra" messages, and what a core install can do.

The messages are tested without uninstalling anything: the extra's modules are hidden
(``sys.modules[name] = None`` in this process; an import hook in a subprocess). CI also
installs the built wheel, without extras, into a clean virtual environment and runs
``core_smoke.py`` there from outside the checkout (``make wheel-check``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tfp
from tfp._optional import EXTRAS, missing_modules, require, require_extra
from tfp.exceptions import MissingExtraError, TFPError

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SMOKE = Path(__file__).with_name("core_smoke.py")

#: Modules a core install does not have: every extra's, and the test extra's libraries
#: that src/tfp must not need (see benchmarks/bench_libraries.py).
NOT_IN_CORE = sorted(
    {m for pairs in EXTRAS.values() for m, _ in pairs} | {"statsmodels", "linearmodels"}
)


def _hide(monkeypatch: pytest.MonkeyPatch, names: Iterable[str]) -> None:
    """Make ``import name`` (and of its submodules) fail, as if it were not installed."""
    for name in names:
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            monkeypatch.setitem(sys.modules, loaded, None)
        monkeypatch.setitem(sys.modules, name, None)


def _distribution(requirement: str) -> str:
    name = requirement.split(";")[0]
    for sep in "<>=!~[ ":
        name = name.split(sep)[0]
    return name.strip().lower()


# ---- pyproject ------------------------------------------------------------------------------
def test_extras_in_pyproject_bring_what_the_code_imports() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra, pairs in EXTRAS.items():
        declared = {_distribution(r) for r in extras[extra]}
        assert {dist for _, dist in pairs} <= declared, extra


def test_core_dependencies_leave_the_extras_out() -> None:
    core = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
    optional = {dist for pairs in EXTRAS.values() for _, dist in pairs}
    assert not core & (optional | {"statsmodels", "linearmodels", "polars"})
    assert {"numpy", "scipy", "pandas", "numba", "joblib", "rich", "typer"} <= core
    test = {
        _distribution(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]
    }
    assert {"polars", "narwhals", "statsmodels", "linearmodels"} <= test


def test_project_metadata() -> None:
    project = PYPROJECT["project"]
    assert project["requires-python"] == ">=3.11"
    assert any(
        c.startswith("Programming Language :: Python :: 3.1")
        for c in project["classifiers"]
    )
    assert {"Documentation", "Source", "Changelog"} <= set(project["urls"])


# ---- the messages ---------------------------------------------------------------------------
def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, ["jinja2"])
    with pytest.raises(
        MissingExtraError, match=r'Fix: pip install "tfp\[report\]"'
    ) as e:
        require("jinja2", "report", what="the HTML report")
    assert isinstance(e.value, ImportError) and isinstance(e.value, TFPError)
    assert e.value.extra == "report" and "the HTML report needs jinja2" in str(e.value)
    assert missing_modules("report") == ("jinja2",)
    with pytest.raises(
        MissingExtraError, match="tfp report needs jinja2, which is not"
    ):
        require_extra("report", what="tfp report")


def test_every_extra_is_complete_here() -> None:
    """The test environment has every extra, so nothing above is hidden by accident."""
    for extra in EXTRAS:
        assert missing_modules(extra) == (), extra


def test_report_without_its_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tfp.cli import app

    _hide(monkeypatch, ["jinja2", "openpyxl", "matplotlib"])
    with pytest.raises(MissingExtraError, match=r"tfp\[report\]"):
        tfp.app.run(out=tmp_path / "out")
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "cli")])
    said = " ".join(result.output.split())
    assert result.exit_code == 2
    assert (
        "tfp report needs jinja2, openpyxl, matplotlib, which are not installed" in said
    )
    assert 'Fix: pip install "tfp[report]"' in said
    assert not (tmp_path / "out").exists() and not (tmp_path / "cli").exists()
    assert CliRunner().invoke(app, ["report", "--help"]).exit_code == 0
    from tfp.report.plots import _figure

    with pytest.raises(MissingExtraError, match=r"report's charts needs matplotlib"):
        _figure((2.0, 2.0))


def test_plots_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    from tfp.productivity.plots import _figure

    _hide(monkeypatch, ["matplotlib"])
    with pytest.raises(MissingExtraError, match=r'pip install "tfp\[plot\]"'):
        _figure((2.0, 2.0))


@pytest.mark.parametrize(
    ("suffix", "module"), [(".sav", "pyreadstat"), (".dbf", "dbfread")]
)
def test_survey_files_without_the_ene_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, suffix: str, module: str
) -> None:
    from tfp.ene.readers import read_module

    path = tmp_path / f"module{suffix}"
    path.write_bytes(b"")
    _hide(monkeypatch, [module])
    with pytest.raises(MissingExtraError, match=rf"needs {module}.*tfp\[ene\]"):
        read_module(path)


# ---- a core install -------------------------------------------------------------------------
_BLOCKER = """
import importlib.abc, sys

HIDDEN = {hidden!r}

class _Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}} (hidden)", name=name)
        return None

sys.meta_path.insert(0, _Hide())
"""


def test_core_install_estimates_every_method_and_names_the_report_extra(
    tmp_path: Path,
) -> None:
    """``core_smoke.py`` with every optional module hidden (as CI's clean-venv check)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_BLOCKER.format(hidden=NOT_IN_CORE))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    proc = subprocess.run(
        [sys.executable, str(SMOKE)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for method in (
        "ols",
        "fe",
        "wrdg",
        "wrdg-iv",
        "rob",
        "cost-share",
        "op",
        "lp",
        "acf",
        "gnr",
    ):
        assert f"  {method} " in proc.stdout
    assert "tfp report --help: ok" in proc.stdout
    assert 'pip install "tfp[report]"' in proc.stdout
