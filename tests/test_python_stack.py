"""At home in the Python econometrics stack (issue 17): one test per row of the issue's table.

* statsmodels' names (``bse``, ``tvalues``, ``pvalues``, ``cov_params()``);
* ``fittedvalues``, ``resid`` and ``predict`` for every method family, against statsmodels
  and a brute-force LSDV where a library has the same quantity;
* ``to_latex()`` on one result and ``ResultsSet.table`` in every format, with jinja2 and
  tabulate hidden;
* summaries that state roles, options, sample, drops and inference (OP and LP on the same
  proxy column differ);
* method names in any case everywhere a method code is taken;
* polars frames (when polars is installed), with and without narwhals, never modified.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tfp
from tests.packaging.core_smoke import ROLES, method_roles, panel
from tfp.exceptions import DataError, SpecificationError, TFPWarning

# Closed form against another implementation of the same closed form (GUIDE §9).
CLOSED_FORM_RTOL = 1e-8
# Identities between our own outputs (fitted + resid = y …): rounding only.
IDENTITY_ATOL = 1e-12

FIRST_STAGE = ["wrdg", "wrdg-iv", "op", "lp", "acf", "gnr"]


def _estimate(data: Any, method: str, **kw: Any) -> tfp.ProductionResults:
    args = {**ROLES, **method_roles()[method], "se": "none", **kw}
    return _quiet(tfp.estimate, data, method=method, **args)


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(...)`` with tfp's notices (the missing output row) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """Every method's columns on a non-default index, one output missing."""
    df = panel()
    df.index = pd.Index(np.arange(len(df)) * 2 + 5, name="row")
    df.loc[df.index[3], "y"] = np.nan
    return df


@pytest.fixture(scope="module")
def fits(data: pd.DataFrame) -> dict[str, tfp.ProductionResults]:
    return {m: _estimate(data, m) for m in method_roles()}


# ---- statsmodels' names ---------------------------------------------------------------------
def test_statsmodels_names_are_aliases(data: pd.DataFrame) -> None:
    res = _estimate(data, "ols", se="analytic")
    pd.testing.assert_series_equal(res.bse, res.std_errors)
    pd.testing.assert_series_equal(res.tvalues, res.tstats)
    pd.testing.assert_frame_equal(res.cov_params(), res.vcov)
    assert res.pvalues.between(0, 1).all()
    none = _estimate(data, "ols")
    cov = none.cov_params()
    assert cov.shape == (3, 3) and cov.isna().all().all() and none.bse.isna().all()


def test_ols_fitted_and_resid_equal_statsmodels(data: pd.DataFrame) -> None:
    sm = pytest.importorskip("statsmodels.api")
    res = _estimate(data, "ols")
    used = data.dropna(subset=["y"])
    ref = sm.OLS(used["y"], sm.add_constant(used[["l", "k"]])).fit()
    fitted, resid = res.fittedvalues, res.resid
    assert fitted.index.equals(data.index) and fitted.name == "fitted"
    assert np.isnan(fitted.iloc[3]) and np.isnan(resid.iloc[3])
    np.testing.assert_allclose(
        fitted[used.index], ref.fittedvalues, rtol=CLOSED_FORM_RTOL
    )
    np.testing.assert_allclose(
        resid[used.index], ref.resid, rtol=CLOSED_FORM_RTOL, atol=1e-10
    )
    pd.testing.assert_series_equal(res.predict(), fitted)
    new = res.predict(data)  # needs only the inputs: also the row without output
    pd.testing.assert_series_equal(new[used.index], fitted[used.index])
    assert np.isfinite(new.iloc[3])


def test_fe_fitted_includes_the_firm_effects_like_lsdv(data: pd.DataFrame) -> None:
    res = _estimate(data, "fe")
    used = data.dropna(subset=["y"])
    dummies = pd.get_dummies(used["firm"], dtype=float).to_numpy()
    x = np.column_stack([used[["l", "k"]].to_numpy(), dummies])
    coef, *_ = np.linalg.lstsq(x, used["y"].to_numpy(), rcond=None)
    np.testing.assert_allclose(coef[:2], res.params, rtol=CLOSED_FORM_RTOL)
    np.testing.assert_allclose(
        res.fittedvalues[used.index], x @ coef, rtol=CLOSED_FORM_RTOL
    )
    # the within residual sums to zero in every firm
    sums = res.resid.groupby(data["firm"]).sum()
    np.testing.assert_allclose(sums, 0.0, atol=1e-10)


@pytest.mark.parametrize("method", FIRST_STAGE)
def test_first_stage_methods_fit_output_without_the_shock(
    fits: dict[str, tfp.ProductionResults], data: pd.DataFrame, method: str
) -> None:
    """fitted = y − ε̂ with ε̂ = productivity(include_shock=True) − productivity(), on the
    sample; for the Cobb-Douglas methods with a first stage also Σ β x + ω̂."""
    res = fits[method]
    fitted, resid = res.fittedvalues, res.resid
    inside = res.sample
    assert fitted.index.equals(data.index)
    assert fitted[~inside].isna().all() and fitted[inside].notna().all()
    np.testing.assert_allclose(
        (fitted + resid)[inside], data.loc[inside, "y"], atol=IDENTITY_ATOL
    )
    shock = res.productivity(include_shock=True) - res.productivity()
    np.testing.assert_allclose(resid[inside], shock[inside], atol=IDENTITY_ATOL)
    if method != "gnr":  # GNR's params are mean elasticities, not the fit's
        xb = data.loc[inside, ["l", "k"]].to_numpy() @ res.params[["l", "k"]]
        np.testing.assert_allclose(
            fitted[inside], xb + res.productivity()[inside], atol=1e-10
        )


def test_rob_fitted_is_its_iv_equation(fits: dict[str, tfp.ProductionResults]) -> None:
    res = fits["rob"]
    inside = res.sample
    assert res.fittedvalues[~inside].isna().all()
    assert abs(res.resid[inside].mean()) < 0.05  # an IV residual with a constant
    pd.testing.assert_series_equal(res.predict(), res.fittedvalues)


def test_cost_shares_have_no_fitted_output(
    fits: dict[str, tfp.ProductionResults],
) -> None:
    with pytest.raises(SpecificationError, match="no estimating equation"):
        fits["cost-share"].fittedvalues
    with pytest.raises(SpecificationError, match="productivity"):
        fits["cost-share"].resid


def test_predict_on_new_rows(data: pd.DataFrame) -> None:
    ols = _estimate(data, "ols")
    new = pd.DataFrame({"l": [0.0, 1.0, np.nan], "k": [1.0, 2.0, 1.0]}, index=[9, 8, 7])
    b = ols.params
    expect = [b["const"] + b["k"], b["const"] + b["l"] + 2 * b["k"], np.nan]
    pd.testing.assert_series_equal(
        ols.predict(new), pd.Series(expect, index=[9, 8, 7], name="fitted")
    )
    fe = _estimate(data, "fe")
    firm = data["firm"].iloc[20]
    rows = pd.DataFrame({"firm": [firm, -1], "l": [1.0, 1.0], "k": [1.0, 1.0]})
    out = fe.predict(rows)
    effect = (fe.fittedvalues - data[["l", "k"]] @ fe.params[["l", "k"]])[
        data["firm"] == firm
    ].dropna()
    assert out.iloc[0] == pytest.approx(effect.iloc[0] + fe.params.sum())
    assert np.isnan(out.iloc[1])  # a firm the estimate has no effect for
    with pytest.raises(SpecificationError, match="not available for method 'lp'"):
        _estimate(data, "lp").predict(data)
    with pytest.raises(DataError, match="'l'"):
        ols.predict(new.drop(columns="l"))


def test_predict_with_period_effects_leaves_new_periods_out(data: pd.DataFrame) -> None:
    res = _estimate(data, "ols", options=tfp.OLSOptions(time_effects=True))
    fitted = res.fittedvalues.dropna()
    np.testing.assert_allclose(
        res.predict(data)[fitted.index], fitted, rtol=CLOSED_FORM_RTOL
    )
    late = data.iloc[:2].assign(year=data["year"].max() + 1)
    assert res.predict(late).isna().all()


# ---- LaTeX and tables in every format, without optional third-party renderers --------------
@pytest.fixture
def no_renderers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide jinja2 and tabulate, as on a core install (pandas' to_latex needs jinja2)."""
    for name in ("jinja2", "tabulate"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.usefixtures("no_renderers")
def test_one_result_to_latex(data: pd.DataFrame) -> None:
    res = _estimate(data, "ols", se="analytic")
    full = res.to_latex()
    assert full == res.summary().to_latex()
    # header, sections, coefficients and the diagnostics' checks
    assert full.count("\\begin{tabular}") == 4 and "\\toprule" in full
    assert "(must be <= 40)" in full
    assert "y (log value added)" in full and "clustered by firm" in full
    coef = res.to_latex(table="coefficients")
    assert coef.startswith("\\begin{tabular}{lrrrrrr}") and "const &" in coef
    assert "P>|t|" in coef
    with pytest.raises(SpecificationError, match="table="):
        res.to_latex(table="everything")


@pytest.mark.usefixtures("no_renderers")
@pytest.mark.parametrize("fmt", tfp.results.summary.TABLE_FORMATS)
def test_results_set_table_in_every_format(data: pd.DataFrame, fmt: str) -> None:
    rs = _quiet(
        tfp.estimate_many,
        data,
        methods=["ols", "fe"],
        se="analytic",
        progress=False,
        **ROLES,
    )
    out = rs.table(fmt=fmt, stars=True)
    if fmt == "frame":
        assert isinstance(out, pd.DataFrame) and out.loc["Output", "OLS"] == "y"
        return
    assert isinstance(out, str) and "Fixed effects" in out
    assert "Standard errors in parentheses" in out and "0.01" in out
    assert "analytic (cluster by firm)" in out


def test_latex_escapes_special_characters() -> None:
    from tfp.results.summary import latex_escape

    assert latex_escape("a_b & 50% #1 {x} ~^\\") == (
        "a\\_b \\& 50\\% \\#1 \\{x\\} \\textasciitilde{}\\textasciicircum{}"
        "\\textbackslash{}"
    )


# ---- the summary states what was run --------------------------------------------------------
def test_op_and_lp_summaries_on_the_same_proxy_differ(data: pd.DataFrame) -> None:
    roles = {**ROLES, "proxy": "m", "se": tfp.Bootstrap(reps=3, seed=11)}
    op = _quiet(tfp.estimate, data, method="op", progress=False, **roles).summary()
    lp = _quiet(tfp.estimate, data, method="lp", progress=False, **roles).summary()
    assert str(op) != str(lp)
    assert dict(op.header)["Estimator"] == "Olley-Pakes"
    assert dict(lp.header)["Estimator"] == "Levinsohn-Petrin"
    assert dict(op.header)["Method"] == "'op'" and dict(lp.header)["Method"] == "'lp'"
    assert dict(dict(op.sections)["Model"])["proxy"].startswith("m (investment")
    assert dict(dict(lp.sections)["Model"])["proxy"].startswith("m (intermediate input")
    for s in (op, lp):
        sections = dict(s.sections)
        assert dict(sections["Options"])["exit correction"] == "no"
        assert dict(sections["Options"])["in words"].startswith(
            "polynomial of degree 3 in the first stage; law of motion"
        )
        assert dict(sections["Sample"])["Left out, by reason"] == (
            "missing 1, first period lag 60, gap 1"
        )
        inference = dict(sections["Inference"])
        assert inference["Replicates"] == "3 (0 failed, 0 not converged)"
        assert inference["Seed entropy"] == "11"
        assert dict(s.header)["Std. errors"] == "bootstrap (3 reps)"
        assert "Parameter estimates" in str(s) and "<details>" in s._repr_html_()


def test_options_in_words_say_only_what_applies() -> None:
    assert tfp.options.options_in_words(None) == "tfp's default options"
    assert tfp.options.options_in_words(tfp.OLSOptions()) == ""  # no row in the summary
    assert tfp.options.options_in_words(tfp.OLSOptions(time_effects=True)) == (
        "year effects"
    )
    words = tfp.options.options_in_words(tfp.OPOptions(exit_correction=True), "es")
    assert "corrección por salida de empresas" in words


def test_summary_text_fits_a_terminal(fits: dict[str, tfp.ProductionResults]) -> None:
    for method, res in fits.items():
        widths = [len(x) for x in str(res.summary()).splitlines()]
        assert max(widths) <= 90, (method, max(widths))


# ---- method names in any case ---------------------------------------------------------------
def test_method_names_are_case_insensitive(data: pd.DataFrame) -> None:
    args = {**ROLES, "proxy": "m", "se": "none"}
    a = _quiet(tfp.estimate, data, method="LP", **args)
    b = _quiet(tfp.estimate, data, method=" lp ", **args)
    assert a.method == b.method == "lp"
    pd.testing.assert_series_equal(a.params, b.params)
    rs = _quiet(
        tfp.estimate_many,
        data,
        methods=["OLS", "Lp"],
        roles_by_method={"LP": {"proxy": "m"}},
        options={"ols": tfp.OLSOptions()},
        se={"OLS": "none", "lp": "none"},
        progress=False,
        **ROLES,
    )
    assert list(rs) == ["ols", "lp"]
    pd.testing.assert_series_equal(rs["lp"].params, a.params)
    by = _quiet(
        tfp.estimate_by,
        data.assign(g=data["firm"] % 2),
        by="g",
        method="OLS",
        se="none",
        progress=False,
        **ROLES,
    )
    assert {r.method for r in by.values()} == {"ols"}
    with pytest.raises(SpecificationError, match="method='LPX' is not one of"):
        tfp.estimate(data, method="LPX", **args)
    with pytest.raises(SpecificationError, match="more than once"):
        tfp.estimate_many(data, methods=["ols", "OLS"], **ROLES)


def test_montecarlo_and_config_take_any_case(tmp_path: Path) -> None:
    from tfp.app import PipelineConfig
    from tfp.montecarlo import run_montecarlo

    draws = run_montecarlo(
        design=1,
        methods="OLS",
        options={"Ols": tfp.OLSOptions(vcov="robust")},
        n_draws=1,
        n_firms=60,
        seed=1,
    )
    assert set(draws["method"]) == {"ols"}
    assert PipelineConfig(method="LP").method == "lp"
    path = tmp_path / "cfg.toml"
    path.write_text('[estimation]\nmethod = "ACF"\n', encoding="utf-8")
    assert PipelineConfig.from_toml(path).method == "acf"


# ---- other data-frame libraries --------------------------------------------------------------
def _polars_frame(df: pd.DataFrame) -> Any:
    pl = pytest.importorskip("polars")
    return pl.DataFrame({c: df[c].to_numpy() for c in df.columns})


def test_polars_frame_gives_the_pandas_results(data: pd.DataFrame) -> None:
    pytest.importorskip("narwhals")
    plain = data.reset_index(drop=True)
    frame = _polars_frame(plain)
    before = frame.clone()
    res = _estimate(frame, "acf")
    ref = _estimate(plain, "acf")
    pd.testing.assert_series_equal(res.params, ref.params)
    assert res.sample.index.equals(pd.RangeIndex(len(plain)))  # row positions
    pd.testing.assert_series_equal(res.productivity(), ref.productivity())
    rs = _quiet(
        tfp.estimate_many, frame, methods=["ols"], progress=False, se="none", **ROLES
    )
    pd.testing.assert_series_equal(rs["ols"].params, _estimate(plain, "ols").params)
    by = _quiet(
        tfp.estimate_by,
        frame,
        by="year",
        method="ols",
        se="none",
        progress=False,
        **ROLES,
    )
    assert len(by) == plain["year"].nunique()
    assert rs["ols"].predict(frame).index.equals(pd.RangeIndex(len(plain)))
    assert frame.equals(before)  # never modified


def test_polars_without_narwhals_needs_pyarrow_or_says_which_extra(
    data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _polars_frame(data.reset_index(drop=True))
    monkeypatch.setitem(sys.modules, "narwhals", None)
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(DataError, match=r'pip install "tfp\[dataframes\]"'):
            _estimate(frame, "ols")
    else:  # polars' own to_pandas()
        assert _estimate(frame, "ols").nobs == len(data) - 1


def test_lazy_frames_and_non_frames_are_refused(data: pd.DataFrame) -> None:
    frame = _polars_frame(data.reset_index(drop=True))
    with pytest.raises(DataError, match=r"lazy frame .*collect"):
        _estimate(frame.lazy(), "ols")
    with pytest.raises(DataError, match="must be a pandas DataFrame"):
        _estimate({"y": [1.0]}, "ols")


def test_user_data_is_never_modified(data: pd.DataFrame) -> None:
    copy = data.copy(deep=True)
    res = _estimate(data, "lp")
    res.fittedvalues, res.resid, res.predict(), res.summary(), res.to_latex()
    _estimate(data, "ols").predict(data)
    pd.testing.assert_frame_equal(data, copy)


# ---- (id, time) MultiIndex panels, linearmodels' convention ---------------------------------
def test_multiindex_panel_gives_the_flat_results_on_its_own_index(
    data: pd.DataFrame,
) -> None:
    indexed = data.set_index(["firm", "year"])
    for method in ("fe", "lp"):
        flat, multi = _estimate(data, method), _estimate(indexed, method)
        pd.testing.assert_series_equal(multi.params, flat.params, check_exact=True)
        for name in ("fittedvalues", "resid"):
            got = getattr(multi, name)
            assert got.index.equals(indexed.index)
            np.testing.assert_array_equal(
                got.to_numpy(), getattr(flat, name).to_numpy()
            )
    fe = _estimate(indexed, "fe")
    on_sample = fe.predict(indexed)[fe.sample]
    np.testing.assert_allclose(
        on_sample, fe.fittedvalues[fe.sample], rtol=CLOSED_FORM_RTOL
    )
    ols = _estimate(indexed, "ols", options=tfp.OLSOptions(time_effects=True))
    np.testing.assert_allclose(
        ols.predict(indexed)[ols.sample],
        ols.fittedvalues[ols.sample],
        rtol=CLOSED_FORM_RTOL,
    )
    rs = _quiet(tfp.estimate_many, indexed, methods=["OLS", "FE"], se="none", **ROLES)
    assert rs["fe"].fittedvalues.index.equals(indexed.index)
