"""The public members of ProductionResults and ResultsSet all evaluate and are immutable."""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.exceptions import DroppedObservationsWarning

# Closed-form quantities recomputed another way: rounding only.
RTOL_CLOSED_FORM = 1e-8


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n_firms, n_t = 50, 5
    df = pd.DataFrame(
        {
            "id": np.repeat([f"F{i:03d}" for i in range(n_firms)], n_t),
            "year": np.tile(np.arange(2015, 2015 + n_t), n_firms),
            "l": rng.normal(size=n_firms * n_t),
            "k": rng.normal(size=n_firms * n_t),
        },
        index=pd.Index(np.arange(n_firms * n_t) * 3 + 7, name="row"),
    )
    df["y"] = 0.6 * df["l"] + 0.3 * df["k"] + rng.normal(scale=0.1, size=len(df))
    df.loc[df.index[5], "y"] = np.nan
    return df


@pytest.fixture(scope="module")
def res() -> tfp.ProductionResults:
    with pytest.warns(DroppedObservationsWarning, match="missing: 1"):
        return tfp.estimate(
            _data(), method="ols", output="y", free="l", state="k", id="id", time="year"
        )


def test_access_attributes(res: tfp.ProductionResults) -> None:
    for name in [
        "params",
        "vcov",
        "std_errors",
        "tstats",
        "pvalues",
        "nobs",
        "n_firms",
        "n_periods",
        "dropped",
        "sample",
        "spec",
        "options",
        "se_type",
        "convergence",
        "objective",
    ]:
        getattr(res, name)
    assert res.nobs == 249 and res.n_firms == 50 and res.n_periods == 5
    assert res.dropped == {"missing": 1}
    assert res.sample.sum() == 249 and not res.sample.iloc[5]
    assert list(res.sample.index) == list(range(7, 7 + 3 * 250, 3))
    tidy = res.tidy()
    assert list(tidy.columns) == [
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
    ]
    assert tidy.index.name == "term"
    ci = res.conf_int(0.9)
    assert (ci["lower"] < res.params).all() and (res.params < ci["upper"]).all()
    text = str(res.summary())
    assert "OLS" in text and "<table>" in res._repr_html_()
    assert str(res) == text == res.summary().as_text()


def test_productivity_aligned_and_consistent(res: tfp.ProductionResults) -> None:
    omega = res.productivity()
    assert omega.index.equals(res.sample.index)
    assert np.isnan(omega.iloc[5]) and omega.notna().sum() == 249
    np.testing.assert_allclose(
        np.exp(omega.dropna()),
        res.productivity(kind="level").dropna(),
        rtol=RTOL_CLOSED_FORM,
    )
    # at other parameters: omega(beta') - omega(beta) = -(beta' - beta)'x
    shifted = res.productivity(
        params={"l": res.params["l"] + 0.1, "k": res.params["k"]}
    )
    df = _data()
    diff = (shifted - omega).dropna()
    assert diff.size == 249
    np.testing.assert_allclose(
        diff, -0.1 * df.loc[diff.index, "l"], rtol=RTOL_CLOSED_FORM
    )
    el = res.elasticities()
    np.testing.assert_allclose(
        el.dropna(), np.broadcast_to(res.params[["l", "k"]], (249, 2))
    )


def test_objective_at_estimate_is_minimum(res: tfp.ProductionResults) -> None:
    assert res.objective is not None
    at_est = res.objective_at(res.params)
    np.testing.assert_allclose(at_est, res.objective, rtol=RTOL_CLOSED_FORM)
    assert res.objective_at({"l": 0.5, "k": 0.5}) > at_est


def test_immutable(res: tfp.ProductionResults) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.params = res.params  # type: ignore[misc]
    with pytest.raises(TypeError, match="read-only"):
        res.dropped["x"] = 1  # type: ignore[index]


def test_to_dict_and_pickle_round_trip(res: tfp.ProductionResults) -> None:
    d = res.to_dict()
    text = json.dumps(d)
    assert json.loads(text)["params"]["l"] == pytest.approx(res.params["l"])
    back = pickle.loads(pickle.dumps(res))
    pd.testing.assert_series_equal(back.params, res.params)
    pd.testing.assert_series_equal(back.productivity(), res.productivity())


def test_spec_roles_rerun(res: tfp.ProductionResults) -> None:
    assert res.spec.roles()["free"] == ["l"]
    assert "terms    : l, k" in str(res.spec)


def test_results_set_table() -> None:
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(30), 4),
            "t": np.tile(np.arange(4), 30),
            "l": rng.normal(size=120),
            "k": rng.normal(size=120),
        }
    )
    df["y"] = 0.5 * df["l"] + 0.4 * df["k"] + rng.normal(size=120)
    rs = tfp.estimate_many(
        df, methods=["ols", "fe"], output="y", free="l", state="k", id="id", time="t"
    )
    assert list(rs) == ["ols", "fe"] and len(rs) == 2
    assert rs.params.loc["l", "ols"] == pytest.approx(rs["ols"].params["l"])
    frame = rs.table(stars=True)
    assert list(frame.index[:5]) == ["Output", "l", "", "k", ""]
    assert frame.loc["N", "OLS"] == "120" and frame.loc["Output", "OLS"] == "y"
    assert "\\begin{tabular}" in rs.table(fmt="latex")
    md = rs.table(fmt="markdown", stars=True).splitlines()  # no tabulate needed
    assert md[0] == "|  | OLS | Fixed effects |" and md[1] == "| --- | --- | --- |"
    assert md[3].startswith("| l | ") and len(md) == 2 + len(frame) + 3
    assert md[-2:] == [
        "Standard errors in parentheses.",
        "* p < 0.1, ** p < 0.05, *** p < 0.01.",
    ]
    assert "<table" in rs.table(fmt="html") and "OLS" in str(rs)
    assert "[" in rs.table(stat="ci").iloc[2, 0]


def test_inference_record_states_how_the_covariance_was_computed(
    res: tfp.ProductionResults,
) -> None:
    inf = res.inference
    assert (inf.kind, inf.vcov, inf.cluster, inf.distribution) == (
        "analytic",
        "cluster",
        "id",
        "t",
    )
    assert inf.df == 249 - 3 and res.se_type == "analytic (cluster by id)"
    boot = res.with_bootstrap(tfp.Bootstrap(reps=5, seed=3))
    b = boot.inference
    assert (b.kind, b.cluster, b.reps, b.distribution) == (
        "bootstrap",
        "id",
        5,
        "normal",
    )
    assert b.seed_entropy == boot.bootstrap.seed_entropy == 3
    assert boot.se_type == "bootstrap (5 reps, cluster by id, seed 3)"
    assert res.inference.kind == "analytic"  # the original is unchanged
    with pytest.warns(FutureWarning, match="inference.distribution"):
        assert res.se_kind == "t"
    with pytest.warns(FutureWarning, match="inference.df"):
        assert res.df_resid == inf.df
    assert res.to_dict()["inference"]["distribution"] == "t"


def test_summary_states_roles_options_sample_and_inference(
    res: tfp.ProductionResults,
) -> None:
    summary = res.summary(level=0.9)
    assert isinstance(summary, tfp.results.Summary)
    sections = dict(summary.sections)
    assert dict(sections["Model"])["free"] == "l"
    assert dict(sections["Model"])["panel"] == "id=id, time=year"
    assert dict(sections["Options"]) == {"time effects": "no", "vcov": "cluster"}
    assert dict(sections["Sample"])["Left out, by reason"] == "missing 1"
    inference = dict(sections["Inference"])
    assert inference["Covariance"] == "clustered by id"
    assert inference["Statistics"] == "t (246 df)"
    assert list(summary.coefficients.columns[-2:]) == ["[0.050", "0.950]"]
    # the checks of tfp.diagnostics, under their own heading
    assert summary.diagnostics == res.diagnostics.lines()
    assert summary.diagnostics[0].endswith("checks passed")
    assert "Diagnostics:\n  - " + summary.diagnostics[0] in str(summary)
    flagged = res.replace(diagnostics=("check this",)).summary()
    assert "Diagnostics:\n  - check this" in str(flagged)
    assert (
        "<li>check this</li>" in flagged.as_html()
        and "check this" in flagged.to_latex()
    )
    latex = summary.to_latex()
    assert "first period" not in latex and "missing 1" in latex
    assert "\\begin{tabular}" in latex and "<table>" in summary.as_html()
    boot = res.with_bootstrap(tfp.Bootstrap(reps=3, seed=5)).summary()
    rows = dict(dict(boot.sections)["Inference"])
    assert rows["Replicates"] == "3 (0 failed, 0 not converged)"
    assert rows["Seed entropy"] == "5" and rows["Statistics"] == "normal"


def test_details_are_typed_and_extra_is_a_deprecated_view(
    res: tfp.ProductionResults,
) -> None:
    assert res.details.ssr == res.objective and 0 < res.details.r2 < 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.details.ssr = 0.0  # type: ignore[misc]
    with pytest.warns(FutureWarning, match="use results.details"):
        extra = res.extra
    assert extra["ssr"] == res.details.ssr and "r2_within" not in extra
