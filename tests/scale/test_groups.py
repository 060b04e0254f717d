"""tfp.estimate_by: one estimation per group, identical for any number of workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.bootstrap import firm_draws
from tfp.by_group import estimate_by, group_seeds
from tfp.datasets.simulate import acf_dgp
from tfp.exceptions import DataError, SpecificationError, TFPWarning

# These tests are about where groups and replicates run, on ACF's DGP1 with LP and OLS: the
# documented failure cases (LP's functional dependence, OLS's bias), so the diagnostics rightly
# warn; their warnings are tested in tests/test_trust.py.
pytestmark = pytest.mark.filterwarnings(
    "ignore::tfp.exceptions.UnreliableEstimateWarning"
)

# ACF on 1,200 firms × 10 years per group (DGP1 of ACF 2015, no measurement error): the
# sampling sd of each elasticity is ~0.01 at this size, so 0.03 is three sds (GUIDE §9).
ATOL_RECOVERY = 0.03
# Same arithmetic on re-ordered rows: sums in another order differ by rounding only.
RTOL_REORDER = 1e-10

ROLES = {
    "output": "y",
    "free": "l",
    "state": "k",
    "proxy": "m",
    "id": "firm",
    "time": "year",
}


def _data(n_firms: int = 240, seed: int = 3, n_sectors: int = 3) -> pd.DataFrame:
    data = acf_dgp(design=1, n_firms=n_firms, n_periods=8, seed=seed, burn_in=20).data
    return data.assign(sector=(data["firm"] % n_sectors).map(lambda s: f"C{10 + s}"))


def test_each_group_equals_estimate_on_its_rows() -> None:
    data = _data()
    boot = tfp.Bootstrap(reps=6, seed=21)
    out = estimate_by(data, by="sector", method="lp", se=boot, **ROLES)
    assert list(out) == ["sector=C10", "sector=C11", "sector=C12"]
    _, seeds = group_seeds(21, 3)
    for g, (label, res) in enumerate(out.items()):
        rows = data[data["sector"] == label.split("=")[1]]
        alone = tfp.estimate(
            rows, method="lp", se=tfp.Bootstrap(reps=6, seed=seeds[g]), **ROLES
        )
        pd.testing.assert_series_equal(res.params, alone.params, check_exact=True)
        pd.testing.assert_frame_equal(
            res.bootstrap.params, alone.bootstrap.params, check_exact=True
        )
        assert res.bootstrap.seed_entropy == seeds[g]
        assert res.sample.index.equals(rows.index)
    # groups get different streams
    a, b = (out[k].bootstrap.params for k in ("sector=C10", "sector=C11"))
    assert not np.array_equal(a.to_numpy(), b.to_numpy())


def test_two_groupings_and_labels() -> None:
    data = _data(n_firms=120).query("year >= 3")
    data = data.assign(half=(data["year"] >= 6).astype(int))
    out = estimate_by(data, by=["sector", "half"], method="ols", **ROLES)
    assert list(out)[:2] == ["sector=C10, half=0", "sector=C10, half=1"]
    assert len(out) == 6
    assert out.params.loc[["l", "k"]].shape == (2, 6)
    assert all(r.n_periods == 3 for r in out.values())


def test_identical_for_any_n_jobs() -> None:
    data = _data()
    boot = tfp.Bootstrap(reps=4, seed=5)
    serial = estimate_by(data, by="sector", method="lp", se=boot, **ROLES)
    parallel = estimate_by(data, by="sector", method="lp", se=boot, n_jobs=2, **ROLES)
    assert list(serial) == list(parallel)
    for k in serial:
        pd.testing.assert_series_equal(
            serial[k].params, parallel[k].params, check_exact=True
        )
        pd.testing.assert_frame_equal(
            serial[k].bootstrap.params, parallel[k].bootstrap.params, check_exact=True
        )


def test_row_order_does_not_matter() -> None:
    data = _data()
    base = estimate_by(data, by="sector", method="ols", **ROLES)
    shuffled = estimate_by(
        data.sample(frac=1.0, random_state=2), by="sector", method="ols", **ROLES
    )
    for k in base:
        np.testing.assert_allclose(
            shuffled[k].params, base[k].params, rtol=RTOL_REORDER
        )


# ACF may report other local minima of its multi-start (a diagnostic of that estimator,
# not of the grouping); only that message is let through.
@pytest.mark.filterwarnings("ignore:.*local minima:tfp.exceptions.TFPWarning")
def test_recovers_truth_in_every_group() -> None:
    sim = acf_dgp(design=1, n_firms=2400, n_periods=10, seed=8, burn_in=20)
    data = sim.data.assign(region=sim.data["firm"] % 2)
    out = estimate_by(data, by="region", method="acf", se="none", **ROLES)
    assert list(out) == ["region=0", "region=1"]
    for res in out.values():
        for name, value in sim.truth.params.items():
            assert res.params[name] == pytest.approx(value, abs=ATOL_RECOVERY)


def test_data_untouched() -> None:
    data = _data(n_firms=90)
    before = data.copy()
    estimate_by(data, by="sector", method="ols", **ROLES)
    pd.testing.assert_frame_equal(data, before)


def test_group_seeds_are_fixed_streams() -> None:
    root, seeds = group_seeds(7, 4)
    assert root == 7
    assert seeds == group_seeds(7, 4)[1]
    assert len(set(seeds)) == 4 and all(s >= 0 for s in seeds)
    assert group_seeds(7, 5)[1][:4] == seeds  # adding groups keeps earlier streams
    fresh_root, _ = group_seeds(None, 2)
    assert fresh_root > 0


def test_failed_group_skipped_with_warning() -> None:
    data = _data(n_firms=90)
    tiny = data[data["sector"] == "C10"].head(3).assign(sector="Z99")
    data = pd.concat([data, tiny.assign(firm=tiny["firm"] + 10_000)])
    with pytest.warns(TFPWarning, match=r"1 of 4 groups .*sector=Z99"):
        out = estimate_by(
            data, by="sector", method="lp", se="none", errors="skip", **ROLES
        )
    assert "sector=Z99" not in out and len(out) == 3
    with pytest.raises(tfp.exceptions.TFPError):
        estimate_by(data, by="sector", method="lp", se="none", **ROLES)


def test_group_warnings_carry_the_label() -> None:
    data = _data(n_firms=90)
    data.loc[data.index[0], "k"] = np.nan
    with pytest.warns(tfp.exceptions.DroppedObservationsWarning, match=r"^\[sector="):
        estimate_by(data, by="sector", method="ols", **ROLES)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"by": "nope"}, DataError, "nope"),
        ({"by": []}, SpecificationError, "by must name"),
        ({"by": "sector", "n_jobs": 0}, SpecificationError, "n_jobs"),
        ({"by": "sector", "errors": "ignore"}, SpecificationError, "errors"),
        ({"by": "sector", "client": object()}, SpecificationError, "dask"),
        ({"by": "sector", "method": "acf2"}, SpecificationError, "acf2"),
    ],
)
def test_errors(kwargs: dict, error: type, match: str) -> None:
    data = _data(n_firms=30)
    call = {"method": "ols", **ROLES, **kwargs}
    with pytest.raises(error, match=match):
        estimate_by(data, **call)


def test_missing_group_value_is_an_error() -> None:
    data = _data(n_firms=30).astype({"sector": object})
    data.loc[data.index[:2], "sector"] = None
    with pytest.raises(DataError, match=r"sector.*2 missing"):
        estimate_by(data, by="sector", method="ols", **ROLES)
    with pytest.raises(DataError, match="not a DataFrame|DataFrame"):
        estimate_by(data.to_numpy(), by="sector", method="ols", **ROLES)  # type: ignore[arg-type]


def test_bootstrap_client_validated_and_not_compared() -> None:
    with pytest.raises(SpecificationError, match="Bootstrap.client"):
        tfp.Bootstrap(reps=2, client="localhost:8786")
    assert tfp.Bootstrap(reps=3, seed=1) == tfp.Bootstrap(reps=3, seed=1)


def test_lazy_draws_equal_the_draw_matrix() -> None:
    """Replicates draw from their own streams; the result equals injecting firm_draws."""
    data = _data(n_firms=60)
    res = tfp.estimate(data, method="lp", se="none", **ROLES)
    boot = tfp.Bootstrap(reps=5, seed=9)
    draws, entropy = firm_draws(boot, res.n_firms)
    own = res.with_bootstrap(boot)
    injected = res.with_bootstrap(tfp.Bootstrap(reps=5, indices=draws))
    assert entropy == 9
    pd.testing.assert_frame_equal(
        own.bootstrap.params, injected.bootstrap.params, check_exact=True
    )


def test_tfp_groups_is_a_deprecated_alias_of_by_group() -> None:
    import tfp.by_group
    import tfp.groups

    with pytest.warns(FutureWarning, match="tfp.by_group"):
        from tfp.groups import estimate_by as old
    assert old is tfp.by_group.estimate_by
    with pytest.warns(FutureWarning, match="group_seeds from tfp.by_group"):
        assert tfp.groups.group_seeds is tfp.by_group.group_seeds
