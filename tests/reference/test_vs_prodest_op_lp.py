"""OP and LP against R prodest's published estimates (../shared/data/REFERENCE.md).

Provenance of every number: R package prodest 1.0.1 (CRAN, github.com/cran/prodest commit
88fc402; R 4.2.2), vignette Table 1 and its in-text listing, on ``prodest_chilean.csv``
(prodest's ``chilean`` data exported with ``write.csv``), value added, calls

    prodestOP(Y, fX = cbind(fX1, fX2), sX, pX = inv, idvar, timevar)            # OP
    prodestOP(Y, fX = cbind(fX1, fX2), sX, pX = inv, idvar, timevar, exit = TRUE)
    prodestLP(Y, fX = cbind(fX1, fX2), sX, pX, idvar, timevar)                  # LP

and, on ``prodest_markupest_dgp3_sim.csv`` (github.com/GabrieleRovigatti/prodest
``markupest/data/f_DGP3_replica.dta``), ``prodestLP(lny, fX = lnl, sX = lnk, pX = lnm1,
firm, period)``: 0.472 / 0.566, biased against the truth 0.6 / 0.4 as ACF (2015) predict.
The published numbers carry three decimals.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import load_shared_csv
from tfp.estimators.control_function import fit_lp, fit_op
from tfp.options.control_function import LPOptions, OPOptions
from tfp.panel import make_panel
from tfp.spec import ProductionSpec

pytestmark = pytest.mark.reference

# The published estimates are rounded to 3 decimals (±0.0005) and prodest's BFGS start carries
# N(0, 0.01) noise, so the acceptance band of issue 4 is ±0.002.
PUBLISHED_ATOL = 0.002
# ACF (2015) truth of DGP3; LP is documented to miss it by more than this (0.13 / 0.17).
BIAS_MIN = 0.1

CHILEAN_CASES = [
    # (case, method, proxy, exit, published (fX1, fX2, sX))
    ("op", "op", "inv", False, (0.314, 0.256, 0.168)),
    ("op-exit", "op", "inv", True, (0.314, 0.256, 0.202)),
    ("lp", "lp", "pX", False, (0.199, 0.169, 0.117)),
]


@pytest.mark.parametrize(
    ("method", "proxy", "exit_correction", "published"),
    [c[1:] for c in CHILEAN_CASES],
    ids=[c[0] for c in CHILEAN_CASES],
)
def test_chilean_matches_prodest(
    method: str, proxy: str, exit_correction: bool, published: tuple[float, ...]
) -> None:
    df = load_shared_csv("prodest_chilean.csv")
    spec = ProductionSpec(
        output="Y",
        free=("fX1", "fX2"),
        state=("sX",),
        proxy=(proxy,),
        id="idvar",
        time="timevar",
    )
    panel = make_panel(df, id="idvar", time="timevar", columns=spec.columns())
    if method == "op":
        fit = fit_op(panel, spec, OPOptions.prodest(exit_correction=exit_correction))
    else:
        fit = fit_lp(panel, spec, LPOptions.prodest(exit_correction=exit_correction))
    np.testing.assert_allclose(fit.params, published, atol=PUBLISHED_ATOL)
    # prodest's second-stage sample: rows whose firm is observed in t-1 (gaps break lags)
    assert int(fit.sample.sum()) == 1944
    assert dict(fit.dropped) == {"first_period_lag": 497, "gap": 103}


def test_markupest_dgp3_lp_shows_published_bias() -> None:
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
    fit = fit_lp(panel, spec, LPOptions.prodest())
    np.testing.assert_allclose(fit.params, (0.472, 0.566), atol=PUBLISHED_ATOL)
    assert abs(fit.params[0] - 0.6) > BIAS_MIN and abs(fit.params[1] - 0.4) > BIAS_MIN
