"""Cost-share calibration (``method="cost-share"``): truth under Cobb-Douglas cost
minimisation, averaging rules, returns to scale, dropped rows, invariance and errors."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from tfp.estimators.cost_share import fit
from tfp.exceptions import DataError, IdentificationError, SpecificationError
from tfp.options.cost_share import CostShareOptions
from tfp.panel import make_panel
from tfp.spec import ProductionSpec

# Closed form against the same closed form computed here with pandas (GUIDE §9).
CLOSED_FORM_RTOL = 1e-12

ALPHA = {"l": 0.5, "k": 0.3, "m": 0.2}


def simulate(n_firms: int = 200, n_periods: int = 5, seed: int = 0) -> pd.DataFrame:
    """Cost-minimising Cobb-Douglas firms: each input's cost is its elasticity times total
    cost, with firm-year noise in the shares (mean preserved)."""
    rng = np.random.default_rng(seed)
    rows = []
    for f in range(n_firms):
        for t in range(n_periods):
            total = np.exp(rng.normal(5.0, 1.0))
            noise = rng.dirichlet(np.array(list(ALPHA.values())) * 200.0)
            rows.append(
                {
                    "id": f,
                    "year": 2015 + t,
                    "y": rng.normal(),
                    "l": rng.normal(),
                    "k": rng.normal(),
                    "m": rng.normal(),
                    "wage_bill": total * noise[0],
                    "capital_cost": total * noise[1],
                    "materials": total * noise[2],
                }
            )
    return pd.DataFrame(rows)


SPEC = ProductionSpec(
    output="y", free=("l",), state=("k",), flexible=("m",), id="id", time="year"
)
COSTS = {"l": "wage_bill", "k": "capital_cost", "m": "materials"}


def _panel(df: pd.DataFrame, options: CostShareOptions, spec: ProductionSpec = SPEC):
    return make_panel(
        df, id="id", time="year", columns=(*spec.columns(), *options.columns())
    )


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate()


def test_mean_shares_recover_the_elasticities(sim):
    opts = CostShareOptions(costs=COSTS)
    res = fit(_panel(sim, opts), SPEC, opts)
    assert res.names == ("l", "k", "m")
    np.testing.assert_allclose(res.params, list(ALPHA.values()), atol=0.01)
    total = sim[list(COSTS.values())].sum(axis=1)
    expected = [(sim[c] / total).mean() for c in COSTS.values()]
    np.testing.assert_allclose(res.params, expected, rtol=CLOSED_FORM_RTOL)
    assert res.params.sum() == pytest.approx(1.0, rel=1e-12)


def test_per_observation_shares_and_median(sim):
    opts = CostShareOptions(costs=COSTS, average="median", returns_to_scale=1.1)
    panel = _panel(sim, opts)
    res = fit(panel, SPEC, opts)
    shares = res.details.shares
    assert shares.shape == (panel.nobs, 3)
    np.testing.assert_allclose(shares.sum(axis=1), 1.1, rtol=1e-12)
    np.testing.assert_allclose(
        res.params, np.median(shares, axis=0), rtol=CLOSED_FORM_RTOL
    )
    assert res.vcov is None
    assert res.details.returns_to_scale == 1.1 and res.details.share_names == (
        "l",
        "k",
        "m",
    )


def test_mean_covariance_is_firm_clustered(sim):
    opts = CostShareOptions(costs=COSTS, returns_to_scale=0.9)
    res = fit(_panel(sim, opts), SPEC, opts)
    total = sim[list(COSTS.values())].sum(axis=1)
    s = pd.DataFrame({c: 0.9 * sim[col] / total for c, col in COSTS.items()})
    dev = (s - s.mean()).groupby(sim["id"]).sum().to_numpy()
    np.testing.assert_allclose(
        res.vcov, dev.T @ dev / len(sim) ** 2, rtol=CLOSED_FORM_RTOL
    )


def test_zero_total_cost_rows_are_dropped_and_counted(sim):
    df = sim.copy()
    df.loc[:4, list(COSTS.values())] = 0.0
    opts = CostShareOptions(costs=COSTS)
    panel = _panel(df, opts)
    res = fit(panel, SPEC, opts)
    assert res.dropped == {"nonpositive": 5}
    assert int(res.sample.sum()) == panel.nobs - 5
    assert np.isnan(res.details.shares[~res.sample]).all()


def test_row_order_and_labels_change_nothing(sim):
    opts = CostShareOptions(costs=COSTS)
    base = fit(_panel(sim, opts), SPEC, opts)
    other_df = sim.sample(frac=1.0, random_state=3).assign(
        id=lambda d: "x" + d.id.astype(str)
    )
    other = fit(_panel(other_df, opts), SPEC, opts)
    np.testing.assert_allclose(other.params, base.params, rtol=1e-12)
    np.testing.assert_allclose(other.vcov, base.vcov, rtol=1e-10)


def test_data_is_not_mutated_and_options_pickle(sim):
    before = sim.copy()
    opts = CostShareOptions(costs=COSTS)
    fit(_panel(sim, opts), SPEC, opts)
    pd.testing.assert_frame_equal(sim, before)
    assert pickle.loads(pickle.dumps(opts)) == opts
    assert opts.columns() == ("wage_bill", "capital_cost", "materials")
    assert opts.to_dict()["costs"] == COSTS
    with pytest.raises(TypeError, match="read-only"):
        opts.costs["l"] = "other"  # type: ignore[index]


def test_negative_cost_is_a_data_error(sim):
    df = sim.copy()
    df.loc[3, "capital_cost"] = -1.0
    opts = CostShareOptions(costs=COSTS)
    with pytest.raises(DataError, match="column 'capital_cost': 1 cost value"):
        fit(_panel(df, opts), SPEC, opts)


def test_no_positive_total_is_an_identification_error(sim):
    df = sim.assign(wage_bill=0.0, capital_cost=0.0, materials=0.0)
    opts = CostShareOptions(costs=COSTS)
    with pytest.raises(IdentificationError, match="no row has a positive total cost"):
        fit(_panel(df, opts), SPEC, opts)


def test_every_input_needs_a_cost(sim):
    opts = CostShareOptions(costs={"l": "wage_bill", "k": "capital_cost"})
    with pytest.raises(SpecificationError, match="column 'm'.*no cost column"):
        fit(_panel(sim, opts), SPEC, opts)
    opts = CostShareOptions(costs={**COSTS, "e": "y"})
    with pytest.raises(SpecificationError, match="not inputs of the specification"):
        fit(_panel(sim, opts), SPEC, opts)


def test_translog_is_refused(sim):
    spec = ProductionSpec(
        output="y",
        free=("l",),
        state=("k",),
        flexible=("m",),
        id="id",
        time="year",
        form="translog",
    )
    opts = CostShareOptions(costs=COSTS)
    with pytest.raises(SpecificationError, match="form='translog' is not supported"):
        fit(_panel(sim, opts, spec), spec, opts)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "non-empty mapping"),
        ({"costs": {"l": 3}}, "map input names"),
        ({"costs": {"l": "c", "k": "c"}}, "cost column twice"),
        (
            {"costs": COSTS, "returns_to_scale": 0.0},
            "returns_to_scale=0.0 is out of range",
        ),
        ({"costs": COSTS, "average": "mode"}, "average='mode' is not one of"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(SpecificationError, match=match):
        CostShareOptions(**kwargs)


def test_options_belong_to_cost_share():
    CostShareOptions(costs=COSTS).check_method("cost-share")
    with pytest.raises(SpecificationError, match="not 'wrdg'"):
        CostShareOptions(costs=COSTS).check_method("wrdg")


def test_end_to_end_through_estimate(sim):
    import tfp

    opts = tfp.CostShareOptions(costs=COSTS)
    res = tfp.estimate(
        sim,
        method="cost-share",
        output="y",
        free="l",
        state="k",
        flexible="m",
        id="id",
        time="year",
        options=opts,
        se="none",
    )
    direct = fit(_panel(sim, opts), SPEC, opts)
    np.testing.assert_allclose(
        res.params.to_numpy(), direct.params, rtol=CLOSED_FORM_RTOL
    )
    assert list(res.params.index) == ["l", "k", "m"]
    assert res.nobs == len(sim)
