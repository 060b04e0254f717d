"""Cross-method consistency: special cases where two routes must give the same numbers.

* translog with zero second-order terms is Cobb-Douglas (productivity, elasticities, OLS
  criterion);
* ``cost-share`` equals the cost shares computed by hand (mean, median, returns to scale);
* ``tfp_index(stat="geometric")`` equals exp of the weighted mean of ``results.productivity()``
  by cell, relative to the base group, computed by hand;
* a bootstrap whose injected ``indices`` are the identity resample reproduces the point
  estimate, for every method.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tfp
from tests.packaging.core_smoke import ROLES, method_roles
from tfp.exceptions import TFPWarning
from tfp.productivity import tfp_index
from tfp.spec import elasticity_matrix

# Closed-form identities evaluated two ways (same arithmetic up to summation order).
CLOSED_FORM_RTOL = 1e-10
# An identity resample is the same data; replicates start at the estimate, so they stop
# there (observed difference 0.0); 1e-8 leaves room only for optimizer round-off.
IDENTITY_BOOT_ATOL = 1e-8

COSTS = {"l": "wb", "k": "kc", "m": "mc"}
METHOD_ROLES: dict[str, dict[str, Any]] = method_roles()


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    df, _ = tfp.datasets.acf_dgp(design=1, n_firms=60, seed=2)
    rng = np.random.default_rng(1)
    return df.assign(
        s=np.log(0.45) - 0.05 + rng.normal(0.0, 0.1, len(df)),
        wb=np.exp(df["l"]) * rng.uniform(0.5, 1.5, len(df)),
        kc=0.1 * np.exp(df["k"]),
        mc=np.exp(df["m"]),
        grp=np.where(df["firm"] % 3 == 0, "a", np.where(df["firm"] % 3 == 1, "b", "c")),
        w=rng.uniform(1.0, 5.0, len(df)),
    )


def _estimate(df: pd.DataFrame, method: str, **kw: Any) -> tfp.ProductionResults:
    args = {**ROLES, **METHOD_ROLES[method], "se": "none", **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        return tfp.estimate(df, method=method, **args)


# ---- translog with zero second-order terms = Cobb-Douglas ----------------------------------
def test_translog_with_zero_second_order_terms_is_cobb_douglas(
    data: pd.DataFrame,
) -> None:
    cd = _estimate(data, "ols")
    tl = _estimate(data, "ols", form="translog")
    first = cd.params[list(cd.spec.terms)]
    zeroed = {t: float(first.get(t, 0.0)) for t in tl.spec.terms}
    assert set(tl.spec.terms) - set(cd.spec.terms) == {"l^2", "k^2", "l:k"}
    # productivity y - X b at the same first-order coefficients
    np.testing.assert_allclose(
        tl.productivity(params=zeroed).to_numpy(),
        cd.productivity().to_numpy(),
        rtol=CLOSED_FORM_RTOL,
    )
    # the concentrated OLS criterion
    assert tl.objective_at(zeroed) == pytest.approx(
        cd.objective_at(first), rel=CLOSED_FORM_RTOL
    )
    # per-observation elasticities are the constant Cobb-Douglas coefficients
    x = data[["l", "k"]].to_numpy()
    beta_tl = np.array([zeroed[t] for t in tl.spec.terms])
    e_tl = elasticity_matrix(x, beta_tl, ("l", "k"), "translog")
    e_cd = elasticity_matrix(x, first.to_numpy(), ("l", "k"), "cobb-douglas")
    np.testing.assert_allclose(e_tl, e_cd, rtol=CLOSED_FORM_RTOL)
    np.testing.assert_allclose(e_tl, np.broadcast_to(first.to_numpy(), e_tl.shape))


# ---- cost shares by hand ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("average", "rts"), [("mean", 1.0), ("median", 1.0), ("mean", 1.15)]
)
def test_cost_share_equals_hand_computation(
    data: pd.DataFrame, average: str, rts: float
) -> None:
    opts = tfp.CostShareOptions(costs=COSTS, average=average, returns_to_scale=rts)
    res = _estimate(data, "cost-share", options=opts)
    costs = data[list(COSTS.values())].to_numpy()
    shares = costs / costs.sum(axis=1, keepdims=True)
    summary = np.mean if average == "mean" else np.median
    hand = rts * summary(shares, axis=0)
    np.testing.assert_allclose(
        res.params[list(COSTS)].to_numpy(), hand, rtol=CLOSED_FORM_RTOL
    )
    # productivity is log output net of the calibrated inputs
    x = data[list(COSTS)].to_numpy()
    omega = res.productivity().to_numpy()
    np.testing.assert_allclose(
        omega - (data["y"].to_numpy() - x @ hand), 0.0, atol=1e-10
    )


# ---- tfp_index(stat="geometric") by hand -------------------------------------------------
def test_geometric_index_equals_hand_computation(data: pd.DataFrame) -> None:
    res = _estimate(data, "acf")
    table = tfp_index(
        data,
        productivity=res,
        by="grp",
        base="c",
        time="year",
        weights="w",
        stat="geometric",
    )
    omega = res.productivity()
    frame = data.assign(omega=omega).dropna(subset=["omega"])
    gm = frame.groupby(["grp", "year"]).apply(
        lambda c: np.exp(np.average(c["omega"], weights=c["w"])), include_groups=False
    )
    for row in table.itertuples():
        expected = 100.0 * gm[(row.group, row.time)] / gm[("c", row.time)]
        assert row.index == pytest.approx(expected, rel=CLOSED_FORM_RTOL)
        assert row.geometric_mean == pytest.approx(
            gm[(row.group, row.time)], rel=CLOSED_FORM_RTOL
        )
    assert len(table) == frame.groupby(["grp", "year"]).ngroups


# ---- identity bootstrap = point estimate, every method ----------------------------------
@pytest.mark.parametrize("method", list(METHOD_ROLES))
def test_identity_resample_reproduces_the_estimate(
    data: pd.DataFrame, method: str
) -> None:
    point = _estimate(data, method)
    n_firms = data["firm"].nunique()
    boot = tfp.Bootstrap(reps=2, indices=np.tile(np.arange(n_firms), (2, 1)))
    res = _estimate(data, method, se=boot)
    assert res.bootstrap is not None
    assert res.bootstrap.failed == 0
    draws = res.bootstrap.params[list(point.params.index)].to_numpy()
    np.testing.assert_allclose(
        draws, np.tile(point.params.to_numpy(), (2, 1)), atol=IDENTITY_BOOT_ATOL
    )
    pd.testing.assert_series_equal(res.params, point.params)


# ---- one vocabulary, one message: lang ------------------------------------------------------
LANG_MESSAGE = (
    "lang='fr' is not one of {'es', 'en'}. Fix: pass one of {'es', 'en'} as lang."
)


def _lang_calls() -> dict[str, Any]:
    from tfp import peru, productivity, program
    from tfp.datasets.pp0093 import data_dir

    rec = program.read_records(data_dir())
    table = pd.DataFrame({"group": ["a"], "time": [1], "index": [100.0]})
    return {
        "peru.size_label": lambda: peru.size_label(["micro"], lang="fr"),
        "peru.produce_sector": lambda: peru.produce_sector(["1010"], lang="fr"),
        "peru.targeting": lambda: peru.targeting([1], [3], [1e5], [2020], lang="fr"),
        "productivity.plot_over_time": lambda: productivity.plot_over_time(
            table, lang="fr"
        ),
        "program.label": lambda: program.label("devengado", "fr"),
        "program.annex_table": lambda: program.annex_table(rec, lang="fr"),
        "program.display": lambda: program.display(program.annex_table(rec), lang="fr"),
        "program.coverage": lambda: program.coverage(rec, lang="fr"),
        "program.firm_profile": lambda: program.firm_profile(rec, lang="fr"),
        "program.targeting_summary": lambda: program.targeting_summary(rec, lang="fr"),
    }


def test_every_lang_argument_is_checked_with_the_same_message() -> None:
    for name, call in _lang_calls().items():
        with pytest.raises(tfp.exceptions.SpecificationError) as err:
            call()
        assert str(err.value) == LANG_MESSAGE, name
