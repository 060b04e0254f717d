"""Analytic (stacked two-step) standard errors against the 999-replicate firm bootstrap.

The bootstrap is run once by ``generate_bootstrap_se.py`` and stored, with its provenance
(command, seed, tfp commit, data sha256), in ``outputs/bootstrap_se.json``; these tests
recompute only the analytic side (``se="analytic"``) on the same data and specification
(``bootstrap_cases.py``: OP, OP with the exit correction, LP and ACF with ``.prodest()`` on
``prodest_chilean.csv``; GNR with the defaults and with ``.gnrprod()`` on
``gnrprod_colombian.csv``). The ``slow`` test re-runs the bootstrap and checks that it
reproduces the stored numbers.

What the analytic standard error is compared with. The bootstrap's spread is measured two
ways: its standard deviation and its normalised interquartile range ``(q75 − q25)/1.349``
(the standard deviation of a normal with the same quartiles). The analytic standard error
is the scale of the estimator's first-order (normal) approximation, which is what the IQR
measures when the centre of the bootstrap distribution is normal; the standard deviation
also counts the replicates in the tails, which on this data are far from normal: ACF's
criterion is bimodal on ``chilean`` (prodest's own two answers, 0.154/0.158/0.138 and
0.646/0.644/0.251), so replicates that fall into the other minimum inflate the bootstrap
standard deviation of the labour coefficients 2–3-fold, and LP's capital replicates are
right-skewed (their 97.5 % quantile is 0.14 above the median, the 2.5 % one 0.06 below).
Each pair is checked against the IQR scale within ``RTOL_IQR``; the pairs that also agree
with the standard deviation are checked against it, and the others are strict xfails with
the reason.
"""

from __future__ import annotations

import functools
import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tfp
from tests.conftest import SHARED_DATA, load_shared_csv
from tests.reference.bootstrap_cases import CASES, REPS, SEED, estimate

pytestmark = pytest.mark.reference

STORED = json.loads(
    (Path(__file__).parent / "outputs" / "bootstrap_se.json").read_text()
)

# The bound: 15 %. The Monte Carlo error of a 999-replicate bootstrap scale is
# ~2.3 % (sd) and ~3.7 % (IQR) relative, and the analytic and bootstrap standard errors
# differ at O(1/sqrt(n)) beyond that (both are first-order approximations).
RTOL_IQR = 0.15
RTOL_SD = 0.15
# The stored bootstrap was generated at one commit (its provenance); optimizer changes since
# (issue 18's compiled Nelder-Mead and polish) move the end point within the optimizer's
# tolerance (1.5e-9 relative on chilean OP), far below any standard error; another
# specification or data would move the estimate by orders of magnitude more than this.
SAME_ESTIMATE_RTOL = 1e-6

_BIMODAL = (
    "ACF's criterion on chilean has a second minimum near prodest's 0.154/0.158/0.138: "
    "replicates that fall into it (the 2.5 % quantiles are 0.18 and 0.48 for the labour "
    "coefficients) inflate the bootstrap standard deviation; the IQR scale agrees"
)
#: (case, parameter) whose bootstrap standard deviation is dominated by non-normal tails
SD_DIVERGES: dict[tuple[str, str], str] = {
    ("lp", "sX"): (
        "LP's capital replicates are right-skewed (97.5 % quantile 0.258, median 0.113, "
        "2.5 % quantile 0.055): sd 0.049 against an IQR scale of 0.038 (analytic 0.036)"
    ),
    ("acf", "fX1"): _BIMODAL,
    ("acf", "fX2"): _BIMODAL,
    ("acf", "sX"): _BIMODAL,
}

PAIRS = [(case, name) for case, c in STORED["cases"].items() for name in c["params"]]


@functools.cache
def _analytic(case: str) -> tfp.ProductionResults:
    file, _ = CASES[case]
    data = load_shared_csv(file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimate(case, data, "analytic")


def _se(case: str, name: str) -> float:
    return float(_analytic(case).std_errors[name])


def test_stored_bootstrap_matches_the_cases_and_data() -> None:
    assert STORED["reps"] == REPS
    assert STORED["seed"] == SEED
    assert set(STORED["cases"]) == set(CASES)
    for case, stored in STORED["cases"].items():
        path = SHARED_DATA / CASES[case][0]
        if not path.is_file():
            pytest.skip(f"{path} is not present")
        assert stored["data_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert stored["failed"] == 0


@pytest.mark.parametrize(("case", "name"), PAIRS, ids=[f"{c}-{n}" for c, n in PAIRS])
def test_analytic_within_15_percent_of_bootstrap_iqr(case: str, name: str) -> None:
    stored = STORED["cases"][case]["params"][name]
    res = _analytic(case)
    # the point estimate is the stored one: the same specification
    assert float(res.params[name]) == pytest.approx(
        stored["estimate"], rel=SAME_ESTIMATE_RTOL
    )
    assert _se(case, name) == pytest.approx(stored["iqr_se"], rel=RTOL_IQR)


def _sd_param(case: str, name: str) -> Any:
    reason = SD_DIVERGES.get((case, name))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, name, marks=marks, id=f"{case}-{name}")


@pytest.mark.parametrize(("case", "name"), [_sd_param(c, n) for c, n in PAIRS])
def test_analytic_within_15_percent_of_bootstrap_sd(case: str, name: str) -> None:
    stored = STORED["cases"][case]["params"][name]
    assert _se(case, name) == pytest.approx(stored["sd"], rel=RTOL_SD)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_stored_bootstrap_reproduces(case: str) -> None:
    # same seed, same replicates: the stored numbers come back to rounding
    file, _ = CASES[case]
    data = load_shared_csv(file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = estimate(case, data, tfp.Bootstrap(reps=REPS, seed=SEED))
    draws = res.bootstrap.params.dropna(how="any")
    for name, stored in STORED["cases"][case]["params"].items():
        assert float(draws[name].std(ddof=1)) == pytest.approx(stored["sd"], rel=1e-9)
        q = np.quantile(draws[name], [0.25, 0.75])
        assert float((q[1] - q[0]) / 1.349) == pytest.approx(stored["iqr_se"], rel=1e-9)
