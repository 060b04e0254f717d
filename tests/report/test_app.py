"""The application's pieces: returns to scale, the check estimator, diagnostics, notes."""

from __future__ import annotations

import dataclasses
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp._labels import label
from tfp.app import PipelineConfig, run
from tfp.app.config import PanelColumns
from tfp.app.estimation import (
    Check,
    Estimation,
    Note,
    diagnostic_checks,
    disagreement,
)
from tfp.app.outcomes import outcome_tables
from tfp.app.run import diagnostic_lines
from tfp.datasets import synthetic_ene

app_run = sys.modules["tfp.app.run"]  # tfp.app.run is also the name of the function

#: A number in scientific notation, with an ASCII or a typeset minus.
SCIENTIFIC = re.compile(r"\de[−+-]?\d")

ROLES = {"output": "y", "free": ["ls", "lu"], "state": "k", "id": "firm_id"}
ROLES |= {"time": "year"}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return synthetic_ene(n_firms=300, seed=5).data


def _estimate(data: pd.DataFrame, **kw: object) -> tfp.ProductionResults:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tfp.estimate(data, **ROLES, **kw)  # type: ignore[arg-type]


def test_returns_to_scale_is_the_results_own(panel: pd.DataFrame) -> None:
    res = _estimate(panel, method="lp", proxy="m", form="translog", se="none")
    est = Estimation(res, None, (), False)
    shares = outcome_tables(panel, est, columns=PanelColumns())["factor_shares"]
    rts = shares.set_index("term").loc["rts", "estimate"]
    assert rts == res.returns_to_scale().value
    # not the sum of the parameters (squares and interactions are in them)
    assert abs(rts - res.params.sum()) > 1e-3


def test_check_estimator_intervals_decide_disagreement(panel: pd.DataFrame) -> None:
    boot = tfp.Bootstrap(reps=19, seed=1)
    lp = _estimate(panel, method="lp", proxy="m", se=boot)
    op = _estimate(panel, method="op", proxy="inv", exit="exit", se=boot)
    assert disagreement(lp, lp) == ()
    # OP's capital coefficient is far below LP's on this design (no overlap)
    assert "k" in disagreement(lp, op)
    assert disagreement(lp, None) == ()
    assert disagreement(lp, _estimate(panel, method="lp", proxy="m", se="none")) == ()


def test_diagnostics_are_typed_checks_rendered_in_both_languages(
    panel: pd.DataFrame,
) -> None:
    res = _estimate(panel, method="lp", proxy="m", se=tfp.Bootstrap(reps=9, seed=1))
    checks = diagnostic_checks(res)
    names = [c.name for c in checks]
    assert names[:2] == ["convergence", "elasticity"]
    # the typed record of tfp.diagnostics, judged checks only, in its order
    judged = [c for c in res.diagnostics.checks if c.passed is not None]
    assert names[1 : 1 + len(judged)] == [c.name for c in judged]
    assert {"returns_to_scale", "obs_per_parameter", "firms", "bootstrap"} <= set(names)
    assert {"functional_dependence", "precision", "levels"} <= set(names)
    assert all(c.status in ("ok", "warn", "fail") for c in checks)
    unknown = Check("a_future_check", "warn", 3.2, "≥ 10")
    for lang in ("es", "en"):
        lines = diagnostic_lines((*checks, unknown), lang, {"k": "capital"})
        assert len(lines) == len(checks) + 1
        assert all(text and shown for text, _, shown in lines)
        assert "a_future_check" in lines[-1][0] and "3.2" in lines[-1][0]
        # numbers for readers: no scientific notation (the search's start-distance floor
        # of about 1e-10 used to print as "distancia ≥ 1.53489e−10")
        assert not any(SCIENTIFIC.search(text) for text, _, _ in lines), lines
        capital = label("capital", lang, domain="input")
        assert any(capital in text for text, _, _ in lines[1:])
    es = dict(
        zip(names, (t for t, _, _ in diagnostic_lines(checks, "es")), strict=True)
    )
    assert es["returns_to_scale"].startswith("Rendimientos a escala")


def test_notes_are_written_in_the_reports_language() -> None:
    note = Note(
        "dropped",
        {"what": "tfp_index", "n": 3, "total": 10, "reasons": {"missing_group": 3}},
    )
    assert note.text("es") == (
        "Se dejaron fuera 3 de 10 filas del panel en el índice de PTF (sin tamaño: 3)."
    )
    assert note.text("en").startswith("3 of 10 rows of the panel were left out of")


def test_the_report_says_when_the_estimators_disagree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = app_run.estimate_shares

    def forced(data: pd.DataFrame, cfg: PipelineConfig) -> Estimation:
        return dataclasses.replace(real(data, cfg), disagreement=("k", "ls"))

    monkeypatch.setattr(app_run, "estimate_shares", forced)
    cfg = PipelineConfig(n_firms=200, reps=0, formats=("html",))
    rep = run(cfg, out=tmp_path / "r")
    html = rep.paths["html"].read_text(encoding="utf-8")
    assert (
        "discrepan más allá de sus intervalos de 95 % en: Capital físico, Trabajo calificado"
        in html
    )
    assert 'role="alert"' in html


def test_a_panel_file_gets_the_check_estimator(tmp_path: Path) -> None:
    data = synthetic_ene(n_firms=150, seed=2).data
    data.to_csv(tmp_path / "panel.csv", index=False)
    cfg = PipelineConfig(panel=tmp_path / "panel.csv", reps=0, formats=("json",))
    rep = run(cfg, out=tmp_path / "r")
    assert rep.method == "lp"
    assert not np.isnan(rep.tables["factor_shares"]["check_estimate"].iloc[0])


def test_headline_montecarlo_runner_on_two_small_draws() -> None:
    from tfp.app.headline import (
        choose_headline,
        evidence,
        false_alarms,
        run_headline_montecarlo,
        summarise_headline,
    )

    draws = run_headline_montecarlo(2, methods=("lp", "acf"), n_firms=200, reps=5)
    assert len(draws) == 2 * 2 * 7  # draws x methods x quantities
    assert (draws["error"] == "").all()
    again = run_headline_montecarlo(
        1, methods=("lp",), first_draw=1, n_firms=200, reps=5
    )
    # a draw re-run on its own gives the same estimates (its own seeds)
    mine = draws[(draws["draw"] == 1) & (draws["method"] == "lp")]
    np.testing.assert_array_equal(
        mine["estimate"].to_numpy(), again["estimate"].to_numpy()
    )
    summary = summarise_headline(draws)
    assert set(summary.index.get_level_values("method")) == {"lp", "acf"}
    assert choose_headline(draws) in ("lp", "acf")
    assert 0.0 <= false_alarms(draws, "lp", "acf") <= 1.0
    assert evidence(draws)["draws"] == 2
