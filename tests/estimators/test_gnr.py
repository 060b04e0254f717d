"""GNR (method="gnr"): recovery on simulated gross-output data, invariances, errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.estimators.gnr import fit, share_regression
from tfp.exceptions import (
    ConvergenceWarning,
    DroppedObservationsWarning,
    IdentificationError,
    SpecificationError,
)
from tfp.options.gnr import GNROptions
from tfp.panel import make_panel
from tfp.spec import ProductionSpec

# Recovery on 600 firms x 8 periods (4,200 second-stage rows): sampling error of the mean
# elasticities is ~0.01; 0.03 is the guide's accuracy bar for recovery tests.
RECOVERY_ATOL = 0.03
# Row order and relabelling only permute sums: differences are floating-point noise.
INVARIANCE_ATOL = 1e-7
# The share regression has a closed-form optimum when D is constant (Cobb-Douglas): exp of
# the mean log share; Gauss-Newton reaches it to machine precision.
CLOSED_FORM_RTOL = 1e-8

TRUTH = {"l": 0.3, "k": 0.2, "m": 0.45}
SIGMA_EPS = 0.1


def simulate(n_firms: int = 600, n_periods: int = 8, seed: int = 3) -> pd.DataFrame:
    """Cobb-Douglas gross output with a flexible input chosen by its first-order condition.

    ``y = .3 l + .2 k + .45 m + ω + ε``; ω AR(1); l and k chosen at t-1 (from ω_{t-1});
    m maximises expected profit given (l, k, ω_t), so its log revenue share is
    ``ln(β_m E[e^ε]) - ε`` (GNR eq. 11).
    """
    rng = np.random.default_rng(seed)
    bl, bk, bm = TRUTH["l"], TRUTH["k"], TRUTH["m"]
    log_e = SIGMA_EPS**2 / 2
    rows = []
    for i in range(n_firms):
        omega = rng.normal(1.0, 0.3)
        k = rng.normal(3.0, 0.7)
        for t in range(n_periods):
            omega_prev = omega
            omega = 0.2 + 0.8 * omega_prev + rng.normal(0, 0.15)
            k = 0.8 * k + 0.6 + 0.3 * omega_prev + rng.normal(0, 0.3)
            l_ = 1.0 + 0.5 * omega_prev + 0.3 * k + rng.normal(0, 0.3)
            m = (np.log(bm) + log_e + bl * l_ + bk * k + omega) / (1 - bm)
            eps = rng.normal(0, SIGMA_EPS)
            y = bl * l_ + bk * k + bm * m + omega + eps
            rows.append(
                (i + 100, 2000 + t, y, l_, k, m, np.log(bm) + log_e - eps, omega)
            )
    return pd.DataFrame(
        rows, columns=["firm", "year", "y", "l", "k", "m", "s", "omega"]
    )


ROLES = {
    "method": "gnr",
    "output": "y",
    "free": "l",
    "state": "k",
    "flexible": "m",
    "share": "s",
    "id": "firm",
    "time": "year",
}


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate()


def _estimate(df: pd.DataFrame, **kw: object) -> tfp.ProductionResults:
    roles = {**ROLES, **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedObservationsWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        return tfp.estimate(df, se="none", **roles)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def res(sim: pd.DataFrame) -> tfp.ProductionResults:
    return _estimate(sim)


def test_recovers_true_elasticities(res: tfp.ProductionResults) -> None:
    assert list(res.params.index) == ["l", "k", "m"]
    for name, value in TRUTH.items():
        assert res.params[name] == pytest.approx(value, abs=RECOVERY_ATOL)
    assert res.objective < 1e-10
    assert res.returns_to_scale().value == pytest.approx(
        sum(TRUTH.values()), abs=RECOVERY_ATOL
    )


def test_flexible_elasticity_and_shock_from_share_regression(sim: pd.DataFrame) -> None:
    # degree 0 (D constant): the NLS optimum is D^E = exp(mean s), and E = mean(e^ε)
    x = sim[["l", "k", "m"]].to_numpy()
    st = share_regression(x, sim["s"].to_numpy(), 0)
    d_const = np.exp(sim["s"].mean())
    np.testing.assert_allclose(st.d_e, d_const, rtol=CLOSED_FORM_RTOL)
    assert st.big_e == pytest.approx(np.mean(np.exp(np.log(d_const) - sim["s"])))
    assert st.converged


def test_productivity_tracks_true_omega(
    res: tfp.ProductionResults, sim: pd.DataFrame
) -> None:
    omega = res.productivity()
    ok = omega.notna()
    assert np.corrcoef(omega[ok], sim.loc[ok, "omega"])[0, 1] > 0.99


def test_fit_outputs_are_documented_and_read_only(sim: pd.DataFrame) -> None:
    spec = ProductionSpec(
        output="y",
        free=("l",),
        state=("k",),
        flexible=("m",),
        share="s",
        id="firm",
        time="year",
    )
    panel = make_panel(sim, id="firm", time="year", columns=spec.columns())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        f = fit(panel, spec, GNROptions(average="all"))
    el = f.elasticities
    assert el.shape == (panel.nobs, 3)
    np.testing.assert_allclose(f.params, el.mean(axis=0))
    np.testing.assert_allclose(f.details.rts, el.sum(axis=1))
    assert dict(f.dropped) == {"first_period_lag": 600}
    assert int(f.sample.sum()) == panel.nobs - 600
    with pytest.raises(ValueError, match="read-only"):
        el[0, 0] = 1.0
    # the criterion function is picklable and gives the same value
    g = pickle.loads(pickle.dumps(f.objective_fn))
    assert g(np.asarray(f.details.integral_coef)) == pytest.approx(f.objective)
    with pytest.raises(SpecificationError, match="integration-constant coefficients"):
        f.objective_fn(np.zeros(2))


def test_row_order_keeps_per_observation_outputs_aligned(
    res: tfp.ProductionResults, sim: pd.DataFrame
) -> None:
    shuffled = sim.sample(frac=1.0, random_state=7)
    res2 = _estimate(shuffled)
    np.testing.assert_allclose(res2.params, res.params, atol=INVARIANCE_ATOL)
    e1 = res.elasticities()
    e2 = res2.elasticities().loc[e1.index]
    np.testing.assert_allclose(e2.to_numpy(), e1.to_numpy(), atol=INVARIANCE_ATOL)
    p2 = res2.productivity().loc[sim.index]
    np.testing.assert_allclose(p2, res.productivity(), atol=INVARIANCE_ATOL)


def test_firm_relabelling_changes_nothing(
    res: tfp.ProductionResults, sim: pd.DataFrame
) -> None:
    relabelled = sim.assign(firm=("f" + (1000 - sim["firm"]).astype(str)))
    res2 = _estimate(relabelled)
    np.testing.assert_allclose(res2.params, res.params, atol=INVARIANCE_ATOL)


def test_share_from_nominal_columns(
    res: tfp.ProductionResults, sim: pd.DataFrame
) -> None:
    df = sim.assign(rev=np.exp(sim["y"] + 1.0), spend=np.exp(sim["y"] + 1.0 + sim["s"]))
    df = df.drop(columns="s")
    df.loc[df.index[:3], "spend"] = 0.0  # rows without a share are counted, not hidden
    opts = GNROptions(nominal=("spend", "rev"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(DroppedObservationsWarning, match="nonpositive: 3"):
            r = tfp.estimate(df, options=opts, se="none", **{**ROLES, "share": None})  # type: ignore[arg-type]
    assert r.dropped["nonpositive"] == 3
    np.testing.assert_allclose(r.params, res.params, atol=0.01)
    assert r.elasticities().iloc[:3].isna().all().all()


def test_bootstrap_through_estimate(sim: pd.DataFrame) -> None:
    small = sim[sim["firm"] < 250]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedObservationsWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        r = tfp.estimate(small, se=tfp.Bootstrap(reps=4, seed=1), **ROLES)  # type: ignore[arg-type]
    assert r.bootstrap is not None
    assert r.bootstrap.failed == 0
    assert np.all(np.isfinite(r.std_errors)) and np.all(r.std_errors > 0)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"flexible": None}, "exactly one flexible input"),
        ({"free": (), "state": ()}, "at least one fixed input"),
        ({"share": None}, "revenue share"),
        ({"form": "translog"}, "does not apply to GNR"),
        ({"control": ("omega",)}, "no controls"),
    ],
)
def test_specification_errors(sim: pd.DataFrame, change: dict, match: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(SpecificationError, match=match):
        _estimate(sim, **change)


def test_share_twice_is_an_error(sim: pd.DataFrame) -> None:
    with pytest.raises(SpecificationError, match="only one of them"):
        _estimate(sim.assign(r=1.0, e=0.5), options=GNROptions(nominal=("e", "r")))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"share_degree": 0}, "share_degree"),
        ({"markov_degree": 1.5}, "markov_degree"),
        ({"nominal": ("a", "a")}, "two different column names"),
        ({"lag_across_gaps": "yes"}, "lag_across_gaps"),
        ({"average": "mean"}, "average"),
        ({"optimizer": "bfgs"}, "Optimizer"),
    ],
)
def test_option_errors(kwargs: dict, match: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(SpecificationError, match=match):
        GNROptions(**kwargs)


def test_gnrprod_preset_and_columns() -> None:
    o = GNROptions.gnrprod()
    assert (o.share_degree, o.integral_degree, o.markov_degree) == (3, 3, 3)
    assert o.lag_across_gaps and o.average == "all"
    assert GNROptions().integral_degree == 3
    assert GNROptions(nominal=("e", "r")).columns() == ("e", "r")
    with pytest.raises(SpecificationError, match="options of type"):
        tfp.OLSOptions().check_method("gnr")


def test_too_few_rows_is_an_identification_error(sim: pd.DataFrame) -> None:
    tiny = sim[sim["firm"] < 102]  # 16 rows, 20 share-regression terms
    with pytest.raises(IdentificationError, match="rows"):
        _estimate(tiny)


def test_constant_input_is_an_identification_error(sim: pd.DataFrame) -> None:
    with pytest.raises(IdentificationError, match="does not vary"):
        _estimate(sim.assign(k=1.0))


def test_data_not_mutated(sim: pd.DataFrame) -> None:
    before = sim.copy()
    _estimate(sim)
    pd.testing.assert_frame_equal(sim, before)
