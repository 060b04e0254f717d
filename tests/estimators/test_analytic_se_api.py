"""``se="analytic"`` and ``se="auto"`` for OP, LP, ACF and GNR through :func:`tfp.estimate`.

No point estimate changes; ``auto`` picks the stacked two-step covariance where it is valid
and the bootstrap where it is not, and ``results.se_type`` says which; warnings in both
directions.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tfp
from tests.estimators.test_analytic_se import CASES, SIM, SOLVED
from tfp.api import AUTO_BOOTSTRAP_SEED
from tfp.datasets import acf_dgp, gnr_dgp
from tfp.estimators import control_function_se
from tfp.exceptions import ConvergenceWarning, IdentificationError, TFPWarning
from tfp.options import LPOptions, Optimizer


# ---- the public interface ---------------------------------------------------------------
@pytest.mark.parametrize(
    "make", [c[1] for c in SOLVED[::3]], ids=[c[0] for c in SOLVED[::3]]
)
def test_analytic_changes_no_point_estimate(make: Any) -> None:
    data, kwargs = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        none = tfp.estimate(data, se="none", **kwargs)
        analytic = tfp.estimate(data, se="analytic", **kwargs)
    np.testing.assert_array_equal(analytic.params.to_numpy(), none.params.to_numpy())
    assert analytic.se_type.startswith("analytic (stacked two-step, cluster by")
    assert analytic.bootstrap is None
    assert np.all(np.isfinite(analytic.std_errors)) and np.all(analytic.std_errors > 0)


def test_auto_is_analytic_for_two_step_methods() -> None:
    data = acf_dgp(design=2, n_firms=200, seed=3).data
    for method in ("op", "lp", "acf"):
        proxy = "i" if method == "op" else "m"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TFPWarning)
            res = tfp.estimate(data, method=method, proxy=proxy, **SIM)
        assert res.se_type == "analytic (stacked two-step, cluster by firm)"
        assert res.vcov is not None and res.bootstrap is None
    res = tfp.estimate(
        gnr_dgp(n_firms=200, seed=2).data,
        method="gnr",
        flexible="m",
        share="s",
        **{**SIM},
    )
    assert res.se_type.startswith("analytic (stacked two-step")
    text = str(res.summary())
    assert "sandwich of the stacked two-step estimating equations" in text
    assert "Why" not in text


def _stopped_early() -> dict[str, Any]:
    # three Nelder-Mead iterations: the estimate is not a solution of the equations
    return {
        **SIM,
        "method": "lp",
        "proxy": "m",
        "options": LPOptions(
            optimizer=Optimizer("nelder-mead", maxiter=3, n_starts=1), start=(0.2,)
        ),
    }


def test_auto_bootstraps_where_the_estimate_is_not_stationary() -> None:
    data = acf_dgp(design=2, n_firms=100, seed=3).data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = tfp.estimate(data, **{**_stopped_early(), "se": "auto"})
    assert res.bootstrap is not None
    # the seeded bootstrap of se="auto", with the reason the analytic covariance was not used
    assert res.se_type.startswith(
        f"bootstrap (199 reps, cluster by firm, seed {AUTO_BOOTSTRAP_SEED}; "
        "analytic not used"
    )
    assert "not a solution of the estimating equations" in res.se_type
    text = str(res.summary())  # the summary says which, and why
    assert "bootstrap" in text and "analytic not used" in text


def test_explicit_analytic_warns_where_the_estimate_is_not_stationary() -> None:
    data = acf_dgp(design=2, n_firms=100, seed=3).data
    with pytest.warns(ConvergenceWarning) as record:
        res = tfp.estimate(data, **{**_stopped_early(), "se": "analytic"})
    assert any(
        "not a solution of the estimating equations" in str(w.message) for w in record
    )
    assert res.se_type.startswith("analytic (stacked two-step")


def test_explicit_analytic_is_quiet_at_a_solution() -> None:
    data = acf_dgp(design=2, n_firms=200, seed=3).data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = tfp.estimate(data, method="lp", proxy="m", se="analytic", **SIM)
    assert res.diagnostics == ()


def test_no_root_has_no_analytic_covariance() -> None:
    # chilean LP in gross output: the exactly identified moments have no root (criterion
    # 7.8e-5 at the minimum), so the first-order condition Γ'W m = 0 holds only because Γ is
    # singular there; asking for the analytic covariance says so
    data, kwargs = dict(CASES)["lp-gross-output"]()
    with pytest.raises(IdentificationError, match="second stage are singular"):
        tfp.estimate(data, se="analytic", **kwargs)


def test_singular_system_raises_when_asked_and_bootstraps_under_auto(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = acf_dgp(design=2, n_firms=100, seed=3).data

    def singular(*args: Any, **kwargs: Any) -> Any:
        raise IdentificationError(
            "the estimating equations of the second stage are singular"
        )

    monkeypatch.setattr(control_function_se, "build_system", singular)
    with pytest.raises(IdentificationError, match="singular"):
        tfp.estimate(data, method="lp", proxy="m", se="analytic", **SIM)
    res = tfp.estimate(data, method="lp", proxy="m", **SIM)
    assert res.bootstrap is not None
    assert "analytic not used" in res.se_type and "singular" in res.se_type


# Money in other units adds a constant to each log: the per-observation elasticities, hence
# their means, do not change (issue 14), and neither may their analytic standard errors. In a
# translog the raw coefficients do change, so this checks the map from the estimators'
# centred parametrisation back to raw coefficients (and its covariance). The estimates agree
# to ~1e-9 across units; standard errors are smooth functions of them.
UNITS_RTOL = 1e-6


@pytest.mark.parametrize(
    ("method", "proxy"),
    [("op", "i"), ("lp", "m"), ("acf", "m")],
    ids=["op", "lp", "acf"],
)
def test_analytic_mean_elasticity_se_do_not_depend_on_units(
    method: str, proxy: str
) -> None:
    data = acf_dgp(design=2, n_firms=300, seed=4).data
    shifted = data.assign(y=data["y"] + np.log(1e3), k=data["k"] + np.log(1e3))
    kw = {**SIM, "method": method, "proxy": proxy, "form": "translog", "se": "analytic"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        a = tfp.estimate(data, **kw).mean_elasticities()
        b = tfp.estimate(shifted, **kw).mean_elasticities()
    assert np.all(np.isfinite(a["std_error"])) and np.all(a["std_error"] > 0)
    np.testing.assert_allclose(b["std_error"], a["std_error"], rtol=UNITS_RTOL)
