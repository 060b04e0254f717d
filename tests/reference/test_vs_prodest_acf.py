"""ACF against R prodest 1.0.1 (``prodestACF``) on its reference data.

Provenance (../shared/data/REFERENCE.md and README.md):

- ``prodest_chilean.csv``: prodest 1.0.1 ``chilean`` data (``prodest/data/chilean.rda``,
  github.com/cran/prodest commit 88fc402). Call
  ``prodestACF(Y, fX = cbind(fX1, fX2), sX, pX, idvar, timevar)``: 0.154 / 0.158 / 0.138 from its
  default start (first stage + N(0, 0.01) noise) and 0.646 / 0.644 / 0.251 with
  ``theta0 = c(0.5, 0.5, 0.5)`` (skilled, unskilled, capital). REFERENCE.md: the second has the
  lower criterion.
- ``prodest_markupest_dgp3_sim.csv``: ACF (2015) DGP3, truth labour 0.6, capital 0.4,
  github.com/GabrieleRovigatti/prodest ``markupest/data/f_DGP3_replica.dta``; prodest ACF
  (start 0.5) with proxy ``lnm1``: 0.592 / 0.403.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import load_shared_csv
from tfp.estimators.acf import fit
from tfp.options.acf import ACFOptions
from tfp.panel import make_panel
from tfp.spec import ProductionSpec

pytestmark = pytest.mark.reference

#: prodest 1.0.1 ACF on chilean, default start (REFERENCE.md table, row "ACF", first).
PRODEST_DEFAULT_START = (0.154, 0.158, 0.138)
#: prodest 1.0.1 ACF on chilean, theta0 = (0.5, 0.5, 0.5) (REFERENCE.md, second ACF row).
PRODEST_START_HALF = (0.646, 0.644, 0.251)
# prodest prints 3 decimals: its answer is within 0.0005 of the exact minimiser, plus BFGS's
# own stopping error (R optim reltol 1e-8) on a criterion this flat.
PRODEST_ROUNDING_ATOL = 0.005
# prodest's default-start BFGS (R optim, reltol 1e-8) stops short on this flat criterion: its
# answer is within 0.01 of the local minimum it was heading to.
PRODEST_EARLY_STOP_ATOL = 0.01
# DGP3 with 5,000 firms: sampling sd of the ACF estimates about 0.007 (brief: within 0.02).
TRUTH_ATOL = 0.02


def _chilean_fit():  # type: ignore[no-untyped-def]
    df = load_shared_csv("prodest_chilean.csv")
    spec = ProductionSpec(
        output="Y",
        free=("fX1", "fX2"),
        state=("sX",),
        proxy=("pX",),
        id="idvar",
        time="timevar",
    )
    panel = make_panel(df, id="idvar", time="timevar", columns=spec.columns())
    return fit(panel, spec, ACFOptions.prodest())


def test_chilean_global_minimum_is_no_higher_than_either_prodest_answer() -> None:
    f = _chilean_fit()
    assert f.objective_fn is not None
    crit_default = f.objective_fn(np.array(PRODEST_DEFAULT_START))
    crit_half = f.objective_fn(np.array(PRODEST_START_HALF))
    # Measured with this criterion (prodest's gACF, same sample of 1,944 rows with a lag):
    # 6.49e-05 at the default-start answer, 3.55e-09 at the start-0.5 answer (3-decimal
    # rounding keeps it off zero) and 1.3e-21 at ours (0.6457, 0.6440, 0.2508).
    assert f.objective <= crit_half <= crit_default
    # the start-0.5 answer is the global minimum (to prodest's printed precision)
    np.testing.assert_allclose(f.params, PRODEST_START_HALF, atol=PRODEST_ROUNDING_ATOL)
    # the default-start answer is a distinct, higher local minimum that our search also found
    others = [m for m in f.convergence.local_minima[1:]]
    assert any(
        np.allclose(m.params, PRODEST_DEFAULT_START, atol=PRODEST_EARLY_STOP_ATOL)
        for m in others
    )
    assert f.convergence.n_starts_at_min >= 2
    assert f.sample.sum() == 1944
    assert f.dropped == {"first_period_lag": 497, "gap": 103}


def test_markupest_dgp3_lnm1_recovers_truth() -> None:
    df = load_shared_csv("prodest_markupest_dgp3_sim.csv")
    spec = ProductionSpec(
        output="lny",
        free=("lnl",),
        state=("lnk",),
        proxy=("lnm1",),
        id="firm",
        time="period",
    )
    panel = make_panel(df, id="firm", time="period", columns=spec.columns())
    f = fit(panel, spec, ACFOptions())
    np.testing.assert_allclose(f.params, [0.6, 0.4], atol=TRUTH_ATOL)
    # prodest's printed answer is the same root
    np.testing.assert_allclose(f.params, [0.592, 0.403], atol=PRODEST_ROUNDING_ATOL)
    # prodest's criterion also has an exact spurious root (labour ~ 1, capital ~ 0, no
    # persistence in omega); .prodest() reports the lowest criterion, the defaults set it aside
    g = fit(panel, spec, ACFOptions.prodest())
    assert g.objective_fn is not None
    assert g.objective is not None and g.objective <= g.objective_fn(
        np.array([0.592, 0.403])
    )
    assert any(abs(p[1]) < 0.05 for _, p in f.details.spurious_minima)


def test_chilean_end_to_end_through_tfp_estimate() -> None:
    import tfp

    df = load_shared_csv("prodest_chilean.csv")
    with pytest.warns(Warning):  # several local minima and dropped first-period rows
        res = tfp.estimate(
            df,
            method="acf",
            output="Y",
            free=["fX1", "fX2"],
            state="sX",
            proxy="pX",
            id="idvar",
            time="timevar",
            options=ACFOptions.prodest(),
            se="none",
        )
    np.testing.assert_allclose(
        res.params.to_numpy(), PRODEST_START_HALF, atol=PRODEST_ROUNDING_ATOL
    )
    assert res.nobs == 1944
