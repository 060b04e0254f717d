"""Every result carries the typed diagnostics record: all methods, every group of
``estimate_by``, ``summary()`` and ``to_dict()``."""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.diagnostics import GROUPS, Diagnostics
from tfp.exceptions import TFPWarning, UnreliableEstimateWarning


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """ACF (2015) DGP2 (LP and ACF consistent), 300 firms, with a log share and costs."""
    df, _ = tfp.datasets.acf_dgp(design=2, n_firms=300, seed=4)
    rng = np.random.default_rng(0)
    return df.assign(
        s=np.log(0.45) - 0.05 + rng.normal(0.0, 0.1, len(df)),
        wb=np.exp(df["l"]),
        kc=0.1 * np.exp(df["k"]),
    )


ROLES: dict[str, Any] = {
    "output": "y",
    "free": "l",
    "state": "k",
    "id": "firm",
    "time": "year",
}
EXTRA: dict[str, dict[str, Any]] = {
    "wrdg": {"proxy": "m"},
    "wrdg-iv": {"proxy": "m"},
    "rob": {"proxy": "m"},
    "op": {"proxy": "i"},
    "lp": {"proxy": "m"},
    "acf": {"proxy": "m"},
    "gnr": {"flexible": "m", "share": "s", "state": ["k"]},
    "cost-share": {"options": tfp.CostShareOptions(costs={"l": "wb", "k": "kc"})},
}
#: the checks each method must carry (besides plausibility, sample and inputs)
IDENTIFICATION: dict[str, set[str]] = {
    "ols": set(),
    "fe": set(),
    "cost-share": set(),
    "wrdg": {"weak_instruments", "precision", "functional_dependence", "hansen_j"},
    "wrdg-iv": {"weak_instruments", "precision"},  # just identified: no J
    "rob": {"weak_instruments", "precision"},
    "op": {"precision", "competing_minima", "functional_dependence"},
    "lp": {"precision", "competing_minima", "functional_dependence"},
    "acf": {"precision", "competing_minima"},
    "gnr": {"precision", "competing_minima"},
}


def _estimate(data: pd.DataFrame, method: str) -> tfp.ProductionResults:
    kwargs = {**ROLES, **EXTRA.get(method, {})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)  # the subject is the record
        return tfp.estimate(data, method=method, se="none", **kwargs)


@pytest.mark.parametrize("method", sorted(IDENTIFICATION))
def test_every_method_carries_the_record(data: pd.DataFrame, method: str) -> None:
    res = _estimate(data, method)
    d = res.diagnostics
    assert isinstance(d, Diagnostics)
    names = {c.name for c in d.checks}
    assert {"elasticity", "returns_to_scale", "obs_per_parameter", "firms"} <= names
    assert "levels" in names
    assert IDENTIFICATION[method] <= names
    assert {c.group for c in d.checks} <= set(GROUPS)
    elastic = {c.subject for c in d.checks if c.name == "elasticity"}
    assert elastic == set(res.spec.inputs)
    out = json.loads(json.dumps(res.to_dict()))
    assert len(out["diagnostics"]["checks"]) == len(d.checks)
    text = str(res.summary())
    assert "\nDiagnostics:\n" in text and "checks passed" in text
    assert "<p>Diagnostics</p>" in res._repr_html_()


def test_summary_keeps_the_search_notes_under_the_diagnostics(
    data: pd.DataFrame,
) -> None:
    res = _estimate(data, "acf")
    text = str(res.summary())
    for note in res.diagnostics.notes:
        assert text.count(note) == 1
    assert text.index("Diagnostics") > text.index("coef")


def test_failed_checks_are_warned_once_each_and_stay_on_the_results() -> None:
    df, _ = tfp.datasets.acf_dgp(design=1, n_firms=300, seed=4)
    with pytest.warns(UnreliableEstimateWarning) as record:
        res = tfp.estimate(df, method="lp", proxy="m", se="none", **ROLES)
    ours = [str(w.message) for w in record if w.category is UnreliableEstimateWarning]
    assert sorted(ours) == sorted(c.message for c in res.diagnostics.failed)
    assert not res.diagnostics.ok


def test_every_group_of_estimate_by_has_its_record_and_labelled_warnings() -> None:
    df, _ = tfp.datasets.acf_dgp(design=2, n_firms=300, seed=4)
    few = df[df["firm"] < 3].assign(sector="tiny")  # a group of 3 firms
    data = pd.concat([df.assign(sector="big"), few.assign(firm=few["firm"] + 10_000)])
    with pytest.warns(UnreliableEstimateWarning) as record:
        out = tfp.estimate_by(data, by="sector", method="ols", se="none", **ROLES)
    for res in out.values():
        assert isinstance(res.diagnostics, Diagnostics) and res.diagnostics.checks
    assert not out["sector=tiny"].diagnostics.ok
    texts = [str(w.message) for w in record if w.category is UnreliableEstimateWarning]
    assert texts and all(t.startswith("[sector=tiny]") for t in texts)
    assert any("'firms'" in t for t in texts)


def test_with_bootstrap_runs_the_checks_again() -> None:
    """Plausibility allows for the standard errors: a later bootstrap's own enter the
    checks of the new results (the original keeps its own)."""
    df, _ = tfp.datasets.acf_dgp(design=2, n_firms=120, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableEstimateWarning)
        res = tfp.estimate(df, method="lp", proxy="m", se="none", **ROLES)
    boot = res.with_bootstrap(tfp.Bootstrap(reps=9, seed=1))
    before = {
        c.subject: c.tolerance for c in res.diagnostics.checks if c.name == "elasticity"
    }
    after = {
        c.subject: c.tolerance
        for c in boot.diagnostics.checks
        if c.name == "elasticity"
    }
    se = boot.std_errors
    for name in ("l", "k"):
        assert after[name] == pytest.approx(1.96 * se[name], rel=1e-12)
        assert after[name] != before[name]
    assert boot.diagnostics.notes == res.diagnostics.notes


@pytest.mark.parametrize("method", ["op", "lp", "acf", "gnr", "wrdg"])
def test_bootstrap_replicates_skip_the_identification_statistics(
    data: pd.DataFrame, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replicates keep only their parameters: no identification statistics are computed for
    them, the replicates are the same as with the statistics, and the point estimate keeps
    its record."""
    from tfp.estimators import fit as fit_module

    kw = {**ROLES, **EXTRA.get(method, {}), "method": method}
    boot = tfp.Bootstrap(reps=3, seed=11)
    asked: list[bool] = []
    real = fit_module.identification_wanted

    def spy() -> bool:
        asked.append(real())
        return asked[-1]

    for module in ("control_function", "acf", "gnr", "wooldridge"):
        monkeypatch.setattr(f"tfp.estimators.{module}.identification_wanted", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        res = tfp.estimate(data, se=boot, **kw)
        assert asked == [True, False, False, False]  # the estimate, then 3 replicates
        assert res._fit is not None and res._fit.identification is not None
        # the same replicates when the replicates compute the statistics
        monkeypatch.setattr("tfp.bootstrap.without_identification", _always_on)
        again = tfp.estimate(data, se=boot, **kw)
    assert res.bootstrap is not None and again.bootstrap is not None
    pd.testing.assert_frame_equal(res.bootstrap.params, again.bootstrap.params)


@contextlib.contextmanager
def _always_on() -> Iterator[None]:
    yield
