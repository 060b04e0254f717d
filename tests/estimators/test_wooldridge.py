"""Wooldridge GMM (``wrdg``), stacked 2SLS (``wrdg-iv``) and Robinson-Wooldridge IV (``rob``).

Checks: recovery of the truth on simulated panels, equality with ``linearmodels.IVGMM`` on
the stacked system built here from the data (coefficients, firm-clustered covariance, Hansen
J), gap-aware lags, invariance to row order and firm labels, the profiled criterion, and the
errors raised.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from linearmodels.iv import IV2SLS, IVGMM

from tfp.estimators.wooldridge import fit_gmm, fit_iv, fit_rob
from tfp.exceptions import IdentificationError, SpecificationError
from tfp.options.wooldridge import (
    RobinsonOptions,
    WooldridgeIVOptions,
    WooldridgeOptions,
)
from tfp.panel import make_panel
from tfp.spec import ProductionSpec

# Recovery of the truth on one simulated panel of 600 firms x 8 years (GUIDE §9 quick suite).
RECOVERY_ATOL = 0.03
# Closed form against another implementation of the same closed form (GUIDE §9).
CLOSED_FORM_RTOL = 1e-8
# Same estimator after permuting rows / relabelling firms: only summation order changes.
INVARIANCE_RTOL = 1e-9
# Firm-bootstrap SE against the analytic clustered SE (GUIDE §9).
BOOT_VS_ANALYTIC_RTOL = 0.25

BETA_L, BETA_K = 0.6, 0.3


def simulate(
    n_firms: int = 600, n_periods: int = 8, rho: float = 0.7, seed: int = 0
) -> pd.DataFrame:
    """A panel where Wooldridge (2009) is consistent.

    ``omega`` is AR(1) with coefficient ``rho``; the proxy ``m = 0.5 k + omega`` inverts
    exactly; labour responds to current ``omega`` and a persistent wage, so lagged labour is
    a relevant instrument; capital is chosen one period ahead.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for f in range(n_firms):
        k = rng.normal(2.0, 0.5)
        omega = rng.normal(0.0, 0.3)
        w = rng.normal(0.0, 0.3)
        for t in range(n_periods):
            omega = rho * omega + rng.normal(0.0, 0.2)
            w = 0.8 * w + rng.normal(0.0, 0.3)
            ell = 1.0 + 0.6 * omega - 0.6 * w + 0.3 * k + rng.normal(0.0, 0.05)
            m = 0.5 * k + omega
            y = BETA_L * ell + BETA_K * k + omega + rng.normal(0.0, 0.1)
            rows.append({"firm": f, "year": 2000 + t, "y": y, "l": ell, "k": k, "m": m})
            k = 0.8 * k + 0.2 * (2.0 + 0.5 * omega) + rng.normal(0.0, 0.3)
    return pd.DataFrame(rows)


SPEC = ProductionSpec(
    output="y", free=("l",), state=("k",), proxy=("m",), id="firm", time="year"
)


def _panel(df: pd.DataFrame, spec: ProductionSpec = SPEC):
    return make_panel(df, id=spec.id, time=spec.time, columns=spec.columns())


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate()


@pytest.fixture(scope="module")
def sim_rw() -> pd.DataFrame:
    return simulate(rho=1.0, seed=1)


# ---- recovery ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fitter", "options"),
    [
        (fit_gmm, WooldridgeOptions()),
        (fit_gmm, WooldridgeOptions(steps=2)),
        (fit_rob, RobinsonOptions()),
    ],
)
def test_recovers_truth(sim, fitter, options):
    fit = fitter(_panel(sim), SPEC, options)
    np.testing.assert_allclose(fit.params[:2], [BETA_L, BETA_K], atol=RECOVERY_ATOL)
    assert fit.names == ("l", "k", "const")


def test_stacked_iv_recovers_truth_under_its_random_walk_assumption(sim_rw):
    fit = fit_iv(_panel(sim_rw), SPEC, WooldridgeIVOptions())
    np.testing.assert_allclose(fit.params[:2], [BETA_L, BETA_K], atol=RECOVERY_ATOL)
    assert fit.details.markov_drift == pytest.approx(0.0, abs=RECOVERY_ATOL)


def test_translog_runs_and_reports_terms(sim):
    spec = ProductionSpec(
        output="y",
        free=("l",),
        state=("k",),
        proxy=("m",),
        id="firm",
        time="year",
        form="translog",
    )
    fit = fit_gmm(_panel(sim, spec), spec, WooldridgeOptions())
    assert fit.names[: len(spec.terms)] == spec.terms == ("l", "k", "l^2", "l:k", "k^2")
    # the true technology is Cobb-Douglas: second-order terms near zero
    np.testing.assert_allclose(fit.params[2:5], 0.0, atol=0.1)


# ---- the stacked system, built independently, against linearmodels -------------------------
def _lag(df: pd.DataFrame, col: str | pd.Series) -> pd.Series:
    s = df[col] if isinstance(col, str) else col
    prev = s.groupby(df["firm"]).shift(1)
    prev_t = df["year"].groupby(df["firm"]).shift(1)
    return prev.where(prev_t == df["year"] - 1)


def _lagged(df: pd.DataFrame):
    """Rows with every lag, and the degree-2 polynomial in (k, m), its lag and lagged l."""
    df = df.sort_values(["firm", "year"]).reset_index(drop=True)
    h = pd.DataFrame(
        {"k": df.k, "m": df.m, "k2": df.k**2, "km": df.k * df.m, "m2": df.m**2}
    )
    h_lag = pd.DataFrame({c: _lag(df, h[c]) for c in h})
    l_lag = _lag(df, "l")
    ok = (h_lag.notna().all(axis=1) & l_lag.notna()).to_numpy()
    return df[ok], h[ok], h_lag[ok], l_lag[ok]


def _system(df: pd.DataFrame, *, shared: bool = False):
    """The wrdg system at poly_degree=2 from pandas: (y, X, Z, clusters).

    Equation 1 keeps the whole polynomial h and capital's coefficient is identified by
    equation 2 alone; ``shared=True`` is prodest's convention (capital's column shared by
    both equations, h without its linear capital term)."""
    d, h, h_lag, l_lag = _lagged(df)
    n = len(d)
    one, zero = np.ones(n), np.zeros(n)
    hl = h_lag.to_numpy()
    z0 = np.zeros((n, hl.shape[1]))
    if shared:
        h1 = h[["m", "k2", "km", "m2"]].to_numpy()  # 'k' is the production term
        x1 = np.column_stack([d.l, d.k, one, h1, zero, z0])
        z1 = np.column_stack([one, d.l, d.k, h1])
    else:
        h1 = h.to_numpy()
        x1 = np.column_stack([d.l, zero, one, h1, zero, z0])
        z1 = np.column_stack([one, d.l, h1])
    x2 = np.column_stack([d.l, d.k, one, np.zeros_like(h1), one, hl])
    z2 = np.column_stack([one, l_lag, d.k, hl])
    x = np.vstack([x1, x2])
    z = np.zeros((2 * n, z1.shape[1] + z2.shape[1]))
    z[:n, : z1.shape[1]] = z1
    z[n:, z1.shape[1] :] = z2
    y = np.concatenate([d.y, d.y])
    clusters = np.concatenate([d.firm, d.firm])
    return y, x, z, clusters, n


@pytest.mark.parametrize("shared", [False, True])
def test_wrdg_equals_linearmodels_ivgmm(sim, shared):
    options = WooldridgeOptions(poly_degree=2, shared_state_terms=shared)
    fit = fit_gmm(_panel(sim), SPEC, options)
    y, x, z, cl, n = _system(sim, shared=shared)
    assert fit.sample.sum() == n
    cols = [f"x{j}" for j in range(x.shape[1])]
    res = IVGMM(
        pd.Series(y, name="y"),
        None,
        pd.DataFrame(x, columns=cols),
        pd.DataFrame(z, columns=[f"z{j}" for j in range(z.shape[1])]),
        weight_type="clustered",
        clusters=cl,
    ).fit(iter_limit=1, cov_type="clustered", clusters=cl)
    np.testing.assert_allclose(
        fit.params[:3], res.params.to_numpy()[:3], rtol=CLOSED_FORM_RTOL
    )
    np.testing.assert_allclose(
        fit.vcov, res.cov.to_numpy()[:3, :3], rtol=CLOSED_FORM_RTOL
    )
    if shared:  # raw arrays: every nuisance coefficient is comparable too
        np.testing.assert_allclose(
            fit.details.coef_all, res.params.to_numpy(), rtol=CLOSED_FORM_RTOL
        )
    # Hansen J at the efficient two-step estimate
    res2 = IVGMM(
        pd.Series(y, name="y"),
        None,
        pd.DataFrame(x, columns=cols),
        pd.DataFrame(z, columns=[f"z{j}" for j in range(z.shape[1])]),
        weight_type="clustered",
        clusters=cl,
    ).fit(iter_limit=2, cov_type="clustered", clusters=cl)
    assert fit.details.j_df == z.shape[1] - x.shape[1] == res2.j_stat.df
    fit2 = fit_gmm(
        _panel(sim),
        SPEC,
        WooldridgeOptions(poly_degree=2, steps=2, shared_state_terms=shared),
    )
    np.testing.assert_allclose(
        fit2.params, res2.params.to_numpy()[:3], rtol=CLOSED_FORM_RTOL
    )
    np.testing.assert_allclose(
        fit.details.j_stat, res2.j_stat.stat, rtol=CLOSED_FORM_RTOL
    )
    np.testing.assert_allclose(
        fit.details.j_pvalue, res2.j_stat.pval, rtol=CLOSED_FORM_RTOL
    )


def test_rob_equals_linearmodels_iv2sls(sim):
    fit = fit_rob(_panel(sim), SPEC, RobinsonOptions(poly_degree=2))
    df = sim.sort_values(["firm", "year"]).reset_index(drop=True)
    hl = pd.DataFrame(
        {
            "k": _lag(df, "k"),
            "m": _lag(df, "m"),
            "k2": _lag(df, df.k**2),
            "km": _lag(df, df.k * df.m),
            "m2": _lag(df, df.m**2),
        }
    )
    ok = hl.notna().all(axis=1) & _lag(df, "l").notna()
    d = df[ok].copy()
    exog = pd.concat(
        [d[["k"]], pd.Series(1.0, index=d.index, name="const"), hl[ok]], axis=1
    )
    exog.columns = ["k", "const", "hk", "hm", "hk2", "hkm", "hm2"]
    instr = _lag(df, "l")[ok].rename("l_lag")
    res = IV2SLS(d.y, exog, d[["l"]], instr).fit(cov_type="clustered", clusters=d.firm)
    # fitted output (results.fittedvalues) is the IV equation's: y minus its residual
    np.testing.assert_allclose(
        fit.fitted[fit.sample], (d.y - res.resids).to_numpy(), rtol=CLOSED_FORM_RTOL
    )
    assert np.isnan(fit.fitted[~fit.sample]).all()
    ours = dict(zip(fit.names, fit.params, strict=True))
    for name in ("l", "k", "const"):
        assert ours[name] == pytest.approx(res.params[name], rel=CLOSED_FORM_RTOL)
    se = np.sqrt(np.diag(fit.vcov))
    # linearmodels' clustered IV2SLS covariance is the GMM sandwich with W=(Z'Z)^-1
    assert se[0] == pytest.approx(res.std_errors["l"], rel=CLOSED_FORM_RTOL)
    assert se[1] == pytest.approx(res.std_errors["k"], rel=CLOSED_FORM_RTOL)
    unadj = fit_rob(_panel(sim), SPEC, RobinsonOptions(poly_degree=2, vcov="classical"))
    res_u = IV2SLS(d.y, exog, d[["l"]], instr).fit(cov_type="unadjusted", debiased=True)
    assert np.sqrt(unadj.vcov[0, 0]) == pytest.approx(
        res_u.std_errors["l"], rel=CLOSED_FORM_RTOL
    )
    assert fit.details.j_df == 0 and fit.details.j_stat == 0.0


def test_clustered_se_close_to_firm_bootstrap(sim):
    df = sim.sort_values(["firm", "year"]).reset_index(drop=True)
    fit = fit_gmm(_panel(df), SPEC, WooldridgeOptions(poly_degree=2))
    rng = np.random.default_rng(12345)
    starts = np.flatnonzero(
        np.r_[True, df.firm.to_numpy()[1:] != df.firm.to_numpy()[:-1]]
    )
    sizes = np.diff(np.r_[starts, len(df)])
    cols = {c: df[c].to_numpy() for c in ("year", "y", "l", "k", "m")}
    draws = []
    for _ in range(99):
        pick = rng.integers(0, starts.size, size=starts.size)
        rows = np.concatenate(
            [np.arange(starts[f], starts[f] + sizes[f]) for f in pick]
        )
        boot = pd.DataFrame({c: v[rows] for c, v in cols.items()})
        boot["firm"] = np.repeat(np.arange(pick.size), sizes[pick])
        draws.append(
            fit_gmm(_panel(boot), SPEC, WooldridgeOptions(poly_degree=2)).params[:2]
        )
    boot_se = np.std(np.array(draws), axis=0, ddof=1)
    np.testing.assert_allclose(
        np.sqrt(np.diag(fit.vcov))[:2], boot_se, rtol=BOOT_VS_ANALYTIC_RTOL
    )


# ---- lags, sample and dropped rows ---------------------------------------------------------
def test_gaps_break_lags_and_are_counted(sim):
    df = sim[~((sim.firm % 5 == 0) & (sim.year == 2003))]  # a hole in 120 firms
    fit = fit_rob(_panel(df), SPEC, RobinsonOptions())
    assert fit.dropped == {"first_period_lag": 600, "gap": 120}
    panel = _panel(df)
    assert fit.sample.shape == (panel.nobs,)
    assert int(fit.sample.sum()) == panel.nobs - 720
    after_gap = (panel.time == 2004) & (panel.firm_labels[panel.firm] % 5 == 0)
    assert not fit.sample[after_gap].any()


def test_phi_is_equation_one_fit_on_sample(sim):
    panel = _panel(sim)
    fit = fit_gmm(panel, SPEC, WooldridgeOptions())
    assert fit.phi is not None
    assert np.isnan(fit.phi[~fit.sample]).all()
    resid = panel["y"][fit.sample] - fit.phi[fit.sample]
    assert abs(resid.mean()) < 1e-8  # eq. 1 is just identified and contains a constant
    assert resid.std() == pytest.approx(0.1, rel=0.1)  # the simulated noise sd


# ---- invariance ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fitter", "options"),
    [
        (fit_gmm, WooldridgeOptions()),
        (fit_iv, WooldridgeIVOptions()),
        (fit_iv, WooldridgeIVOptions.prodest()),
        (fit_rob, RobinsonOptions()),
    ],
)
def test_row_order_and_firm_labels_change_nothing(sim, fitter, options):
    base = fitter(_panel(sim), SPEC, options)
    shuffled = sim.sample(frac=1.0, random_state=7).copy()
    shuffled["firm"] = "f" + (10_000 - shuffled["firm"]).astype(str)
    other = fitter(_panel(shuffled), SPEC, options)
    np.testing.assert_allclose(other.params, base.params, rtol=INVARIANCE_RTOL)
    if base.vcov is not None:
        np.testing.assert_allclose(other.vcov, base.vcov, rtol=1e-7)
    if base.details.j_df:  # None or 0: no over-identifying restriction to test
        assert other.details.j_stat == pytest.approx(base.details.j_stat, rel=1e-7)


def test_constant_shift_in_output_moves_only_the_constant(sim):
    base = fit_gmm(_panel(sim), SPEC, WooldridgeOptions())
    shifted = fit_gmm(_panel(sim.assign(y=sim.y + 2.5)), SPEC, WooldridgeOptions())
    np.testing.assert_allclose(shifted.params[:2], base.params[:2], rtol=1e-8)
    assert shifted.params[2] == pytest.approx(base.params[2] + 2.5, rel=1e-10)


# ---- criterion -------------------------------------------------------------------------------
def test_objective_fn_is_minimised_at_the_estimate_and_picklable(sim):
    fit = fit_gmm(_panel(sim), SPEC, WooldridgeOptions())
    assert fit.objective_fn is not None and fit.objective is not None
    beta = fit.params[:2]
    assert fit.objective_fn(beta) == pytest.approx(fit.objective, rel=1e-12)
    for d in ([0.01, 0.0], [0.0, -0.01], [0.02, 0.02]):
        assert fit.objective_fn(beta + np.array(d)) > fit.objective
    clone = pickle.loads(pickle.dumps(fit.objective_fn))
    assert clone(beta) == pytest.approx(fit.objective, rel=1e-12)
    with pytest.raises(
        SpecificationError, match="takes 2 production-term coefficients"
    ):
        fit.objective_fn(np.ones(3))


def test_prodest_stacked_variant_has_no_covariance_and_says_so(sim):
    fit = fit_iv(_panel(sim), SPEC, WooldridgeIVOptions.prodest())
    assert fit.vcov is None and fit.objective_fn is None
    assert "bootstrap" in fit.diagnostics[0]


# ---- errors ----------------------------------------------------------------------------------
def test_missing_proxy_names_the_role(sim):
    spec = ProductionSpec(output="y", free=("l",), state=("k",), id="firm", time="year")
    for fitter, opts in (
        (fit_gmm, WooldridgeOptions()),
        (fit_iv, WooldridgeIVOptions()),
        (fit_rob, RobinsonOptions()),
    ):
        with pytest.raises(SpecificationError, match="needs a proxy role"):
            fitter(_panel(sim, spec), spec, opts)


def test_missing_state_names_the_role(sim):
    spec = ProductionSpec(
        output="y", free=("l",), state=(), proxy=("m",), id="firm", time="year"
    )
    with pytest.raises(SpecificationError, match="state role"):
        fit_gmm(_panel(sim, spec), spec, WooldridgeOptions())


def test_flexible_input_is_refused(sim):
    spec = ProductionSpec(
        output="y",
        free=("l",),
        state=("k",),
        flexible=("m",),
        proxy=("m",),
        id="firm",
        time="year",
    )
    with pytest.raises(SpecificationError, match="flexible"):
        fit_rob(_panel(sim, spec), spec, RobinsonOptions())


def test_proxy_without_variation_is_an_identification_error(sim):
    df = sim.assign(m=1.0)
    with pytest.raises(
        IdentificationError, match="column 'm': the proxy does not vary"
    ):
        fit_gmm(_panel(df), SPEC, WooldridgeOptions())


def test_input_without_variation_is_named(sim):
    df = sim.assign(l=3.0)
    with pytest.raises(IdentificationError, match="column 'l'"):
        fit_rob(_panel(df), SPEC, RobinsonOptions())


def test_no_consecutive_years_is_an_identification_error(sim):
    df = sim[sim.year % 2 == 0]
    with pytest.raises(IdentificationError, match="no row has a one-period lag"):
        fit_iv(_panel(df), SPEC, WooldridgeIVOptions())


def test_too_few_rows_for_the_polynomial(sim):
    df = sim[sim.firm < 3]
    with pytest.raises(IdentificationError, match="usable rows|collinear"):
        fit_gmm(_panel(df), SPEC, WooldridgeOptions(poly_degree=6))


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: WooldridgeOptions(poly_degree=0), "poly_degree=0 is outside"),
        (lambda: WooldridgeOptions(steps=3), "steps=3 is outside"),
        (lambda: WooldridgeOptions(vcov="hc3"), "vcov='hc3' is not one of"),
        (
            lambda: WooldridgeIVOptions(eq2_intercept="yes"),
            "eq2_intercept must be True or False",
        ),
        (lambda: RobinsonOptions(poly_degree=2.0), "poly_degree must be an integer"),
    ],
)
def test_bad_options(factory, match):
    with pytest.raises(SpecificationError, match=match):
        factory()


def test_options_belong_to_their_method():
    WooldridgeOptions().check_method("wrdg")
    WooldridgeIVOptions().check_method("wrdg-iv")
    RobinsonOptions().check_method("rob")
    with pytest.raises(SpecificationError, match="not 'rob'"):
        WooldridgeOptions().check_method("rob")
    assert WooldridgeOptions.prodest() == WooldridgeOptions(
        poly_degree=2, vcov="classical", shared_state_terms=True
    )
    assert WooldridgeOptions().columns() == ()


# ---- the other estimators and covariances against linearmodels ----------------------------
def _iv_system(df: pd.DataFrame):
    """The wrdg-iv stacked system at poly_degree=2 from pandas: (y, X, Z, clusters)."""
    d, h, h_lag, l_lag = _lagged(df)
    n = len(d)
    one, zero = np.ones(n), np.zeros(n)
    x = np.vstack(
        [
            np.column_stack([zero, d.l, d.k, h, one]),
            np.column_stack([one, d.l, d.k, h_lag, one]),
        ]
    )
    z = np.vstack(
        [
            np.column_stack([zero, l_lag, d.k, h, one]),
            np.column_stack([one, l_lag, d.k, h_lag, one]),
        ]
    )
    y = np.concatenate([d.y, d.y])
    return y, x, z, np.concatenate([d.firm, d.firm]), n


def _ivgmm(y, x, z, **fit):
    return IVGMM(
        pd.Series(y, name="y"),
        None,
        pd.DataFrame(x, columns=[f"x{j}" for j in range(x.shape[1])]),
        pd.DataFrame(z, columns=[f"z{j}" for j in range(z.shape[1])]),
    ).fit(iter_limit=1, **fit)


def test_wrdg_iv_equals_linearmodels_2sls(sim):
    """The stacked 2SLS: coefficients and the firm-clustered and classical covariances."""
    fit = fit_iv(_panel(sim), SPEC, WooldridgeIVOptions(poly_degree=2))
    y, x, z, cl, n = _iv_system(sim)
    assert fit.sample.sum() == n
    res = _ivgmm(y, x, z, cov_type="clustered", clusters=cl)
    theirs = res.params.to_numpy()
    order = [1, 2, x.shape[1] - 1]  # l, k, const
    np.testing.assert_allclose(fit.params, theirs[order], rtol=CLOSED_FORM_RTOL)
    np.testing.assert_allclose(
        fit.vcov, res.cov.to_numpy()[np.ix_(order, order)], rtol=CLOSED_FORM_RTOL
    )
    assert fit.details.markov_drift == pytest.approx(theirs[0], rel=CLOSED_FORM_RTOL)
    classical = fit_iv(
        _panel(sim), SPEC, WooldridgeIVOptions(poly_degree=2, vcov="classical")
    )
    unadj = _ivgmm(y, x, z, cov_type="unadjusted")
    np.testing.assert_allclose(
        classical.vcov,
        unadj.cov.to_numpy()[np.ix_(order, order)],
        rtol=CLOSED_FORM_RTOL,
    )


def test_wrdg_classical_equals_linearmodels_unadjusted(sim):
    fit = fit_gmm(_panel(sim), SPEC, WooldridgeOptions(poly_degree=2, vcov="classical"))
    y, x, z, _, _ = _system(sim)
    res = _ivgmm(y, x, z, cov_type="unadjusted")
    np.testing.assert_allclose(
        fit.vcov, res.cov.to_numpy()[:3, :3], rtol=CLOSED_FORM_RTOL
    )
