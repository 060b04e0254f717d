"""Trivial changes leave estimates identical: row order, firm relabelling, bootstrap workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tfp

# Same arithmetic on re-ordered rows: sums in another order differ by rounding only.
RTOL_REORDER = 1e-10
# Bootstrap SE from injected indices vs our own resample (GUIDE §9): identical draws.
RTOL_BOOTSTRAP_INJECTED = 1e-6


def _df(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_firms, n_t = 60, 5
    df = pd.DataFrame(
        {
            "firm": np.repeat(np.arange(n_firms), n_t),
            "year": np.tile(np.arange(2000, 2000 + n_t), n_firms),
        }
    )
    df["l"] = rng.normal(size=len(df))
    df["k"] = rng.normal(size=len(df))
    df["y"] = 0.6 * df["l"] + 0.3 * df["k"] + rng.normal(size=len(df))
    return df


ROLES = {"output": "y", "free": "l", "state": "k", "id": "firm", "time": "year"}


@pytest.mark.parametrize("method", ["ols", "fe"])
def test_row_permutation_and_relabelling(method: str) -> None:
    df = _df()
    base = tfp.estimate(df, method=method, **ROLES)
    shuffled = df.sample(frac=1.0, random_state=7)
    res_s = tfp.estimate(shuffled, method=method, **ROLES)
    np.testing.assert_allclose(res_s.params, base.params, rtol=RTOL_REORDER)
    np.testing.assert_allclose(res_s.std_errors, base.std_errors, rtol=RTOL_REORDER)
    # productivity follows the caller's rows
    pd.testing.assert_series_equal(
        res_s.productivity().sort_index(), base.productivity(), rtol=RTOL_REORDER
    )
    relabelled = df.assign(firm=df["firm"].map(lambda f: f"firm-{(f * 37) % 61:02d}"))
    res_r = tfp.estimate(relabelled, method=method, **ROLES)
    np.testing.assert_allclose(res_r.params, base.params, rtol=RTOL_REORDER)


def test_constant_in_output_shifts_only_omega() -> None:
    df = _df(1)
    base = tfp.estimate(df, method="ols", **ROLES)
    shifted = tfp.estimate(df.assign(y=df["y"] + 2.5), method="ols", **ROLES)
    np.testing.assert_allclose(
        shifted.params[["l", "k"]], base.params[["l", "k"]], rtol=RTOL_REORDER
    )
    np.testing.assert_allclose(
        shifted.productivity() - base.productivity(), 2.5, rtol=RTOL_REORDER
    )


def test_nan_in_unused_column_changes_nothing() -> None:
    df = _df(2)
    base = tfp.estimate(df, method="ols", **ROLES)
    other = tfp.estimate(df.assign(unused=np.nan), method="ols", **ROLES)
    pd.testing.assert_series_equal(other.params, base.params)


def test_bootstrap_identical_for_any_n_jobs_and_seeded() -> None:
    res = tfp.estimate(_df(3), method="ols", **ROLES)
    b1 = res.with_bootstrap(tfp.Bootstrap(reps=20, seed=11, n_jobs=1))
    b2 = res.with_bootstrap(tfp.Bootstrap(reps=20, seed=11, n_jobs=2))
    pd.testing.assert_frame_equal(b1.bootstrap.params, b2.bootstrap.params)
    assert b1.bootstrap.failed == 0 and b1.se_type.startswith("bootstrap (20 reps")
    b3 = res.with_bootstrap(tfp.Bootstrap(reps=20, seed=12))
    assert not b3.bootstrap.params.equals(b1.bootstrap.params)
    assert res.bootstrap is None  # the original is untouched


def test_injected_indices_reproduce_draws() -> None:
    from tfp.bootstrap import firm_draws

    res = tfp.estimate(_df(4), method="ols", **ROLES)
    boot = tfp.Bootstrap(reps=15, seed=5)
    draws, _ = firm_draws(boot, res.n_firms)
    own = res.with_bootstrap(boot)
    injected = res.with_bootstrap(tfp.Bootstrap(reps=15, indices=draws))
    np.testing.assert_allclose(
        injected.std_errors, own.std_errors, rtol=RTOL_BOOTSTRAP_INJECTED
    )
    assert injected.bootstrap.injected


def test_bootstrap_by_hand() -> None:
    """One replicate equals OLS on the hand-built resample (drawn firms renamed)."""
    df = _df(5)
    res = tfp.estimate(df, method="ols", **ROLES)
    draw = np.array([[3, 3, 0, *range(3, 60)]], dtype=np.int64)
    draw = np.vstack([draw, draw])
    b = res.with_bootstrap(tfp.Bootstrap(reps=2, indices=draw))
    firms = np.sort(df["firm"].unique())
    parts = [df[df["firm"] == firms[g]].assign(firm=p) for p, g in enumerate(draw[0])]
    by_hand = tfp.estimate(pd.concat(parts, ignore_index=True), method="ols", **ROLES)
    np.testing.assert_allclose(
        b.bootstrap.params.iloc[0], by_hand.params, rtol=RTOL_REORDER
    )
