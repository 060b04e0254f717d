"""The Monte Carlo that chose the report's headline estimator (``-m montecarlo``).

Measured: 4 passed in 1,920 s on two shared cores (``nice -n 10``).

The same runner, seeds and draws as ``benchmarks/headline.py`` and
``docs/explanation/headline-estimator.md`` (seed 16, 200 panels of the report's own design,
every candidate with a 49-replicate firm bootstrap). Run with
``nice -n 10 .venv/bin/python -m pytest tests/montecarlo/test_headline.py -m montecarlo``.

What is asserted: the rule (:data:`tfp.app.headline.HEADLINE_RULE`) picks the config's default
method; the numbers the methods note quotes (:data:`tfp.app.headline.EVIDENCE`) are those of
this run; and the documented failures on this design (Wooldridge and OP give a negative
capital elasticity; issue 14) show as implausible estimates.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tfp.app.config import DEFAULT_METHOD
from tfp.app.headline import (
    EVIDENCE,
    choose_headline,
    evidence,
    implausible_share,
    run_headline_montecarlo,
    summarise_headline,
)

pytestmark = pytest.mark.montecarlo

N_DRAWS = 200  # as the documented run
# EVIDENCE is rounded to one decimal (points of the index, percent of draws)
ROUNDING = 0.051


@pytest.fixture(scope="module")
def draws() -> pd.DataFrame:
    return run_headline_montecarlo(N_DRAWS)


def test_the_rule_picks_the_default(draws: pd.DataFrame) -> None:
    assert choose_headline(draws) == DEFAULT_METHOD


def test_the_methods_note_quotes_this_run(draws: pd.DataFrame) -> None:
    found = evidence(draws)
    assert found.keys() == EVIDENCE.keys()
    for key, value in EVIDENCE.items():
        assert found[key] == pytest.approx(value, abs=ROUNDING), key


def test_documented_failures_are_implausible(draws: pd.DataFrame) -> None:
    bad = implausible_share(draws)
    assert bad["wrdg"] >= 0.95 and bad["op"] >= 0.95
    assert bad["lp"] < bad["acf"]


def test_lp_labour_shares_are_the_most_precise(draws: pd.DataFrame) -> None:
    rmse = summarise_headline(draws)["rmse"]
    for term in ("ls", "lu"):
        assert rmse["lp", term] < rmse["acf", term] / 5
