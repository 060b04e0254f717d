"""``results.mean_elasticities()``: mean output elasticities with delta-method standard errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tfp
from tfp.spec import elasticity_matrix

# Linear in β: the delta method is exact, up to rounding.
RTOL = 1e-10


def _data():
    return tfp.datasets.acf_dgp(design=2, n_firms=200, seed=3).data


ROLES = dict(output="y", free="l", state="k", id="firm", time="year")


def test_cobb_douglas_mean_elasticities_are_the_coefficients() -> None:
    res = tfp.estimate(_data(), method="ols", se="analytic", **ROLES)
    me = res.mean_elasticities()
    np.testing.assert_allclose(me["estimate"], res.params[["l", "k"]], rtol=RTOL)
    np.testing.assert_allclose(me["std_error"], res.std_errors[["l", "k"]], rtol=RTOL)
    assert list(me.columns) == ["estimate", "std_error", "conf_low", "conf_high"]


def test_translog_mean_elasticities_by_hand() -> None:
    data = _data()
    res = tfp.estimate(data, method="ols", form="translog", se="analytic", **ROLES)
    me = res.mean_elasticities(level=0.9)
    x = data[["l", "k"]].to_numpy()
    beta = res.params[list(res.spec.terms)].to_numpy()
    el = elasticity_matrix(x, beta, ("l", "k"), "translog")
    np.testing.assert_allclose(me["estimate"], el.mean(axis=0), rtol=RTOL)
    # the gradient of the mean elasticity of l: (1, 0, 2 mean l, mean k, 0)
    g = np.array([1.0, 0.0, 2 * x[:, 0].mean(), x[:, 1].mean(), 0.0])
    v = res.vcov.loc[list(res.spec.terms), list(res.spec.terms)].to_numpy()
    assert me.loc["l", "std_error"] == pytest.approx(np.sqrt(g @ v @ g), rel=RTOL)
    half = (me["conf_high"] - me["conf_low"]) / 2
    np.testing.assert_allclose(half, 1.6448536269514722 * me["std_error"], rtol=RTOL)
    # returns to scale is their sum, with the same delta method
    rts = res.returns_to_scale()
    assert rts.value == pytest.approx(me["estimate"].sum(), rel=RTOL)


def test_gnr_mean_elasticities_are_its_parameters() -> None:
    data = tfp.datasets.gnr_dgp(n_firms=100, seed=2).data
    with warnings.catch_warnings():  # local minima of a small sample: not the subject
        warnings.simplefilter("ignore", tfp.exceptions.ConvergenceWarning)
        warnings.simplefilter("ignore", tfp.exceptions.UnreliableEstimateWarning)
        res = tfp.estimate(
            data, method="gnr", output="y", free="l", state="k", flexible="m",
            share="s", id="firm", time="year", se="none",
        )  # fmt: skip
    me = res.mean_elasticities()
    np.testing.assert_array_equal(me["estimate"].to_numpy(), res.params.to_numpy())
    assert me["std_error"].isna().all()  # no covariance, no standard error
