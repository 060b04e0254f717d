"""The same answer in any units (issue 14): every method, money in thousands or in soles.

Money in soles, thousands or millions adds a constant to each log. For every method, shifting
the money logs (output, capital, materials, investment; the costs scaled alike) by log(1e3)
and log(1e6) leaves the slopes (Cobb-Douglas), the per-observation elasticities and
productivity up to a constant (translog, GNR) unchanged, without an error, and leaves the
diagnostics unchanged too.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tfp
from tests.estimators.test_gnr import simulate as simulate_gross_output
from tfp.exceptions import TFPWarning

# The tolerance. Closed forms agree to ~1e-11 (centred, scaled bases); searches (OP,
# LP, ACF, GNR) start from the same centred point and stop within their tolerances (BFGS
# gradient 1e-10, Nelder-Mead xtol 1e-6 on criteria flat to rounding): measured <= 4e-7.
UNITS_ATOL = 1e-6
SHIFTS = (np.log(1e3), np.log(1e6))
MONEY = ("y", "k", "m", "i")
COSTS = ("wb", "kc")
ROLES = {"output": "y", "free": "l", "state": "k", "id": "firm", "time": "year"}
PROXY = {"wrdg": "m", "wrdg-iv": "m", "rob": "m", "op": "i", "lp": "m", "acf": "m"}
CASES = [
    (m, f)
    for m in ("ols", "fe", "wrdg", "wrdg-iv", "rob", "op", "lp", "acf")
    for f in ("cobb-douglas", "translog")
] + [("cost-share", "cobb-douglas"), ("gnr", "cobb-douglas")]


@pytest.fixture(scope="module")
def value_added() -> pd.DataFrame:
    df = tfp.datasets.acf_dgp(design=2, n_firms=200, seed=3).data
    return df.assign(wb=np.exp(df["l"] + 1.0), kc=0.1 * np.exp(df["k"]))


@pytest.fixture(scope="module")
def gross_output() -> pd.DataFrame:
    return simulate_gross_output(n_firms=300)


def _shift(df: pd.DataFrame, by: float) -> pd.DataFrame:
    out = df.assign(**{c: df[c] + by for c in MONEY if c in df})
    return out.assign(**{c: df[c] * np.exp(by) for c in COSTS if c in df})


def _fit(df: pd.DataFrame, method: str, form: str) -> tfp.ProductionResults:
    kwargs: dict[str, Any] = dict(ROLES, form=form, se="none")
    if method in PROXY:
        kwargs["proxy"] = PROXY[method]
    if method == "cost-share":
        kwargs["options"] = tfp.CostShareOptions(costs={"l": "wb", "k": "kc"})
    if method == "gnr":
        kwargs.update(flexible="m", share="s")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)  # compared below, not the subject
        return tfp.estimate(df, method=method, **kwargs)


@pytest.mark.parametrize(("method", "form"), CASES)
def test_money_units_change_nothing(
    value_added: pd.DataFrame, gross_output: pd.DataFrame, method: str, form: str
) -> None:
    data = gross_output if method == "gnr" else value_added
    base = _fit(data, method, form)
    el0 = base.elasticities().to_numpy()
    om0 = base.productivity().to_numpy()
    for by in SHIFTS:
        res = _fit(_shift(data, by), method, form)
        if form == "cobb-douglas":
            np.testing.assert_allclose(
                res.params[list(res.spec.inputs)],
                base.params[list(base.spec.inputs)],
                rtol=0,
                atol=UNITS_ATOL,
            )
        np.testing.assert_allclose(
            res.elasticities().to_numpy(), el0, rtol=0, atol=UNITS_ATOL
        )
        if method != "cost-share":  # productivity of calibrated shares: not estimated
            d = res.productivity().to_numpy() - om0
            ok = np.isfinite(d)
            np.testing.assert_allclose(d[ok] - d[ok].mean(), 0.0, atol=UNITS_ATOL)
        assert {c.name for c in res.diagnostics.failed} == {
            c.name for c in base.diagnostics.failed
        }
