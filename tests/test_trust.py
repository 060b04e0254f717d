"""When an estimate cannot be trusted: the catalogue of issue 14, in both directions.

Must warn: every case of the issue's table (each raises the new
:class:`~tfp.exceptions.UnreliableEstimateWarning`, through the check that explains it) and
cases of our own (weak instruments, competing minima, an estimate at its start, a state input
without within-firm change). Must stay quiet: OLS, LP and the Wooldridge family on
``prodest_chilean.csv``, ACF on ACF's three designs and on the DGP3 replica, GNR on
``gnrprod_colombian.csv``, LP on tfp's synthetic ENE panel, and levels passed with
``levels=``. ``se="none"`` keeps the catalogue fast; the checks then take standard errors
from the estimator (analytic covariance or the curvature of the criterion).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tfp
from tests.conftest import load_shared_csv
from tfp.exceptions import BoundaryWarning, UnreliableEstimateWarning

ENE = {"output": "y", "free": ["ls", "lu"], "id": "firm_id", "time": "year"}
ACF_ROLES = {"output": "y", "free": "l", "state": "k", "id": "firm", "time": "year"}
CHILEAN = {
    "output": "Y",
    "free": ["fX1", "fX2"],
    "state": "sX",
    "id": "idvar",
    "time": "timevar",
}


def _run(
    call: Callable[[], Any],
) -> tuple[Any, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = call()
    return out, list(record)


def _ours(record: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in record
        if issubclass(w.category, UnreliableEstimateWarning)
    ]


def _failed(res: tfp.ProductionResults) -> set[str]:
    return {c.name for c in res.diagnostics.failed}


@pytest.fixture(scope="module")
def ene() -> pd.DataFrame:
    return tfp.datasets.synthetic_ene(n_firms=1000, seed=7).data


@pytest.fixture(scope="module")
def dgp1() -> pd.DataFrame:
    return tfp.datasets.acf_dgp(design=1, seed=1).data


def _shifted(df: pd.DataFrame, by: float) -> pd.DataFrame:
    """Money logs in other units: output, capital, materials and investment shifted."""
    return df.assign(**{c: df[c] + by for c in ("y", "k", "m", "i")})


# ---- must warn: the table ------------------------------------------------------------
def test_op_with_investment_on_the_ene_panel(ene: pd.DataFrame) -> None:
    res, record = _run(
        lambda: tfp.estimate(
            ene, method="op", state="k", proxy="inv", exit="exit", se="none", **ENE
        )
    )
    assert res.params["k"] < -1  # the absurd estimate of the issue (-4.77)
    assert {"elasticity", "returns_to_scale"} <= _failed(res)
    texts = _ours(record)
    assert any("'k'" in t and "Fix:" in t for t in texts)
    assert len(texts) == len(res.diagnostics.failed)  # one warning per failed check


def test_wrdg_with_materials_on_the_ene_panel(ene: pd.DataFrame) -> None:
    res, record = _run(
        lambda: tfp.estimate(ene, method="wrdg", state="k", proxy="m", se="none", **ENE)
    )
    # capital is not identified by the Markov equation here: it is nearly a function of
    # last year's capital and materials
    assert "precision" in _failed(res)
    assert any("precision" in t and "along k" in t for t in _ours(record))


def test_lp_under_functional_dependence(dgp1: pd.DataFrame) -> None:
    res, record = _run(
        lambda: tfp.estimate(dgp1, method="lp", proxy="m", se="none", **ACF_ROLES)
    )
    assert abs(res.params["l"]) < 0.05  # ACF (2015): LP's labour collapses to 0
    assert "functional_dependence" in _failed(res)
    assert any("use method='acf'" in t for t in _ours(record))


def test_estimate_by_with_a_group_of_three_firms(dgp1: pd.DataFrame) -> None:
    data = dgp1.assign(sector=np.where(dgp1["firm"] < 3, "tiny", "big"))
    out, record = _run(
        lambda: tfp.estimate_by(data, by="sector", method="ols", se="none", **ACF_ROLES)
    )
    assert {"firms", "obs_per_parameter"} <= _failed(out["sector=tiny"])
    assert out["sector=big"].diagnostics.ok
    texts = _ours(record)
    assert texts and all(t.startswith("[sector=tiny]") for t in texts)


def test_capital_passed_in_soles(ene: pd.DataFrame) -> None:
    res, record = _run(
        lambda: tfp.estimate(ene, method="ols", state="capital_soles", se="none", **ENE)
    )
    assert "levels" in _failed(res)
    assert any("levels=['capital_soles']" in t for t in _ours(record))


def test_the_fix_for_capital_in_soles_is_quiet(ene: pd.DataFrame) -> None:
    res, _ = _run(
        lambda: tfp.estimate(
            ene,
            method="ols",
            state="capital_soles",
            levels=["capital_soles"],
            se="none",
            **{**ENE, "free": ["ls", "lu"]},
        )
    )
    assert "levels" not in _failed(res)


def test_thousands_instead_of_millions_change_nothing(dgp1: pd.DataFrame) -> None:
    base, _ = _run(
        lambda: tfp.estimate(dgp1, method="wrdg", proxy="m", se="none", **ACF_ROLES)
    )
    moved, record = _run(
        lambda: tfp.estimate(
            _shifted(dgp1, np.log(1000.0)),
            method="wrdg",
            proxy="m",
            se="none",
            **ACF_ROLES,
        )
    )
    # the 1.094 -> 3.259 was a unit artefact; the estimate is now the same, and it
    # is flagged in both units (DGP1 breaks the Wooldridge proxy inversion)
    np.testing.assert_allclose(
        moved.params[["l", "k"]], base.params[["l", "k"]], rtol=1e-9
    )
    assert _failed(moved) == _failed(base) and "elasticity" in _failed(moved)
    assert _ours(record)


@pytest.mark.parametrize("method", ["wrdg", "wrdg-iv", "rob"])
def test_the_panel_in_soles_gives_an_estimate_and_its_diagnostics(
    dgp1: pd.DataFrame, method: str
) -> None:
    soles = _shifted(dgp1, np.log(1e6))
    assert soles["k"].mean() > 13
    res, record = _run(
        lambda: tfp.estimate(soles, method=method, proxy="m", se="none", **ACF_ROLES)
    )
    assert _ours(record)  # no more "the regressors are collinear": the real problem
    assert "functional_dependence" in _failed(res)


# ---- must warn: our own cases ----------------------------------------------------------------
def test_weak_lagged_instruments() -> None:
    """Labour drawn afresh every year: its lag says nothing about it."""
    df = tfp.datasets.acf_dgp(design=2, n_firms=400, seed=3).data
    rng = np.random.default_rng(0)
    l_iid = rng.normal(1.0, 0.5, len(df))
    df = df.assign(y=df["y"] + 0.6 * (l_iid - df["l"]), l=l_iid)
    res, record = _run(
        lambda: tfp.estimate(df, method="rob", proxy="m", se="none", **ACF_ROLES)
    )
    assert "weak_instruments" in _failed(res)
    assert any("Sanderson-Windmeijer" in t for t in _ours(record))


def test_competing_minima() -> None:
    df = tfp.datasets.acf_dgp(design=1, n_firms=80, seed=1).data
    res, _ = _run(
        lambda: tfp.estimate(
            df,
            method="op",
            proxy="i",
            se="none",
            options=tfp.OPOptions(start_spread=0.5),
            **ACF_ROLES,
        )
    )
    assert "competing_minima" in _failed(res)


def test_estimate_at_its_starting_value_is_a_boundary_warning() -> None:
    df = tfp.datasets.acf_dgp(design=2, n_firms=300, seed=2).data
    first, _ = _run(
        lambda: tfp.estimate(df, method="acf", proxy="m", se="none", **ACF_ROLES)
    )
    opts = tfp.ACFOptions(
        start=tuple(first.params), optimizer=tfp.Optimizer("bfgs", n_starts=1)
    )
    res, record = _run(
        lambda: tfp.estimate(
            df, method="acf", proxy="m", se="none", options=opts, **ACF_ROLES
        )
    )
    assert "at_start" in _failed(res)
    assert any(w.category is BoundaryWarning for w in record)


def test_state_input_without_change_within_firms() -> None:
    df = tfp.datasets.acf_dgp(design=2, n_firms=300, seed=2).data
    rng = np.random.default_rng(1)
    k_once = df.groupby("firm")["k"].transform("first")
    df = df.assign(k=k_once + rng.normal(0.0, 0.002, len(df)))
    res, _ = _run(lambda: tfp.estimate(df, method="fe", se="none", **ACF_ROLES))
    assert "state_within" in _failed(res)


# ---- must stay quiet ---------------------------------------------------------------------
QUIET_CHILEAN = {
    "ols": {},
    "lp": {"proxy": "pX"},
    "wrdg": {"proxy": "pX"},
    "wrdg-iv": {"proxy": "pX"},
    "rob": {"proxy": "pX"},
}


@pytest.mark.reference
@pytest.mark.parametrize("method", sorted(QUIET_CHILEAN))
def test_chilean_is_quiet(method: str) -> None:
    df = load_shared_csv("prodest_chilean.csv")
    res, record = _run(
        lambda: tfp.estimate(
            df, method=method, se="none", **CHILEAN, **QUIET_CHILEAN[method]
        )
    )
    assert not _ours(record), _ours(record)
    assert res.diagnostics.ok


@pytest.mark.parametrize("design", [1, 2, 3])
def test_acf_on_the_acf_designs_is_quiet(design: int) -> None:
    df = tfp.datasets.acf_dgp(design=design, seed=1).data
    _, record = _run(
        lambda: tfp.estimate(df, method="acf", proxy="m", se="none", **ACF_ROLES)
    )
    assert not _ours(record), _ours(record)


QUIET_REFERENCE = {
    "acf-dgp3-replica": (
        "prodest_markupest_dgp3_sim.csv",
        {
            "method": "acf",
            "output": "lny",
            "free": "lnl",
            "state": "lnk",
            "proxy": "lnm1",
            "id": "firm",
            "time": "period",
        },
    ),
    "gnr-colombian": (
        "gnrprod_colombian.csv",
        {
            "method": "gnr",
            "output": "RGO",
            "free": "L",
            "state": "K",
            "flexible": "RI",
            "share": "share",
            "id": "id",
            "time": "year",
        },
    ),
}


@pytest.mark.reference
@pytest.mark.parametrize("case", sorted(QUIET_REFERENCE))
def test_acf_on_the_dgp3_replica_and_gnr_on_colombian_are_quiet(case: str) -> None:
    name, kwargs = QUIET_REFERENCE[case]
    df = load_shared_csv(name)
    _, record = _run(lambda: tfp.estimate(df, se="none", **kwargs))
    assert not _ours(record), _ours(record)


def test_lp_on_the_ene_panel_is_quiet(ene: pd.DataFrame) -> None:
    _, record = _run(
        lambda: tfp.estimate(ene, method="lp", state="k", proxy="m", se="none", **ENE)
    )
    assert not _ours(record), _ours(record)
