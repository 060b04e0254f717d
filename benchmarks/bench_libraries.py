"""tfp's hand-written linear GMM/IV and exit model against linearmodels and statsmodels.

Run: ``.venv/bin/python benchmarks/bench_libraries.py [--firms 1000,10000] [--repeat 5]``
(needs the ``test`` extra, which brings linearmodels and statsmodels).

The question (issue 17): should ``src/tfp`` call linearmodels for the linear IV/GMM family
(``wrdg``, ``wrdg-iv``, ``rob``) and statsmodels for OP/LP's exit probit/logit, or keep its
own code? Each method is re-run in every bootstrap replicate, so what matters is the time of
one fit. For each case the same fit is timed twice **in the same run**:

* **tfp**: the estimator as shipped;
* **library**: the same estimator with its numerical core swapped for the library's call
  (``linearmodels.iv.IVGMM``/``IV2SLS`` on the same stacked arrays, clustered by firm, and a
  second fit for Hansen's J; ``statsmodels`` ``Probit``/``Logit`` by Newton's method), and
  the estimates compared (``max |diff|``: the swap changes nothing but the time).

Also the numerical cores alone (GMM solve; probit MLE) and the import time of the libraries
in a fresh interpreter (what ``import tfp`` would pay for using them in summaries).
Each time is the median of ``--repeat`` runs. Timings on a shared machine are upper bounds;
the ratios are what to read.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
from linearmodels.iv import IVGMM
from scipy import special
from statsmodels.discrete.discrete_model import Logit, Probit

import tfp
from tfp.estimators import control_function, wooldridge
from tfp.numerics.poly import poly_basis
from tfp.options import (
    LPOptions,
    OPOptions,
    RobinsonOptions,
    WooldridgeIVOptions,
    WooldridgeOptions,
)
from tfp.panel import make_panel
from tfp.spec import ProductionSpec

SPEC = ProductionSpec(
    output="y", free=("l",), state=("k",), proxy=("m",), id="firm", time="year"
)
SPEC_OP = ProductionSpec(
    output="y", free=("l",), state=("k",), proxy=("i",), id="firm", time="year"
)


def _median_time(fn: Callable[..., Any], *args: Any, repeat: int) -> tuple[float, Any]:
    """Median wall time of ``fn(*args)`` over ``repeat`` runs, and its last result."""
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


# ---- linearmodels in place of tfp's linear GMM -----------------------------------------
def _estimate_linearmodels(
    y: np.ndarray,
    x: np.ndarray,
    z: np.ndarray,
    scores: Any,
    firm: np.ndarray,
    *,
    what: str,
    vcov: str,
    dof: int,
    steps: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, int, float]]:
    """``wooldridge._estimate`` by linearmodels: the same outputs from ``IVGMM`` fits.

    The stacked systems repeat each firm-year once per equation, so the clusters are the
    firm codes tiled over the equations (both equations of a firm in one cluster).
    """
    clusters = np.tile(firm, y.shape[0] // firm.shape[0])
    cols = [f"x{j}" for j in range(x.shape[1])]
    model = IVGMM(
        pd.Series(y, name="y"),
        None,
        pd.DataFrame(x, columns=cols),
        pd.DataFrame(z, columns=[f"z{j}" for j in range(z.shape[1])]),
        weight_type="clustered",
        clusters=clusters,
    )
    cov = (
        {"cov_type": "clustered", "clusters": clusters}
        if vcov == "cluster"
        else {"cov_type": "unadjusted"}
    )
    res = model.fit(iter_limit=steps, **cov)
    two_step = res if steps == 2 else model.fit(iter_limit=2, **cov)
    j = two_step.j_stat
    w = np.asarray(res.weight_matrix)
    return res.params.to_numpy(), res.cov.to_numpy(), w, (j.stat, j.df, j.pval)


# ---- statsmodels in place of tfp's exit model --------------------------------------------
def _binary_statsmodels(y: np.ndarray, x: np.ndarray, model: str) -> tuple[Any, bool]:
    cls = Probit if model == "probit" else Logit
    res = cls(y, x).fit(method="newton", disp=0, maxiter=200, tol=1e-10)
    return np.asarray(res.params), bool(res.mle_retvals["converged"])


def _panel(n_firms: int) -> tuple[Any, Any]:
    """ACF (2015) design 1 with attrition: a third of the firms leave in years 4-9 (their
    last observed year is the exit of OP/LP's ``exit_rule="last-period"``)."""
    data, _ = tfp.datasets.acf_dgp(design=1, n_firms=n_firms, seed=1)
    rng = np.random.default_rng(3)
    firms = data["firm"].unique()
    last = np.where(
        rng.uniform(size=firms.size) < 1 / 3, rng.integers(4, 10, firms.size), 99
    )
    data = data[data["year"] <= pd.Series(last, index=firms)[data["firm"]].to_numpy()]
    cols = ["y", "l", "k", "m", "i"]
    panel = make_panel(data, id="firm", time="year", columns=cols, warn=False)
    return data, panel


def _row(case: str, n: int, t_tfp: float, t_lib: float, diff: float) -> dict[str, Any]:
    return {
        "case": case,
        "rows": n,
        "tfp s": round(t_tfp, 4),
        "library s": round(t_lib, 4),
        "library / tfp": round(t_lib / t_tfp, 1),
        "max |diff|": f"{diff:.1e}",
    }


def _fits(firms: list[int], repeat: int) -> list[dict[str, Any]]:
    rows = []
    linear = [
        ("wrdg (IVGMM)", wooldridge.fit_gmm, WooldridgeOptions()),
        ("wrdg classical", wooldridge.fit_gmm, WooldridgeOptions(vcov="classical")),
        ("wrdg-iv (IVGMM)", wooldridge.fit_iv, WooldridgeIVOptions()),
        ("rob (IVGMM)", wooldridge.fit_rob, RobinsonOptions()),
    ]
    for n_firms in firms:
        data, panel = _panel(n_firms)
        for name, fit_fn, opts in linear:
            t_tfp, ours = _median_time(fit_fn, panel, SPEC, opts, repeat=repeat)
            with mock.patch.object(wooldridge, "_estimate", _estimate_linearmodels):
                t_lib, theirs = _median_time(fit_fn, panel, SPEC, opts, repeat=repeat)
            diff = max(
                np.max(np.abs(ours.params - theirs.params)),
                np.max(np.abs(ours.vcov - theirs.vcov)),
            )
            rows.append(_row(f"fit {name}", len(data), t_tfp, t_lib, diff))
        for name, fit_fn, spec, opts in [
            ("op exit probit", control_function.fit_op, SPEC_OP,
             OPOptions(exit_correction=True, exit_rule="last-period")),
            ("lp exit logit", control_function.fit_lp, SPEC,
             LPOptions(exit_correction=True, exit_rule="last-period",
                       survival_model="logit")),
        ]:  # fmt: skip
            t_tfp, ours = _median_time(fit_fn, panel, spec, opts, repeat=repeat)
            with mock.patch.object(
                control_function, "_binary_mle", _binary_statsmodels
            ):
                t_lib, theirs = _median_time(fit_fn, panel, spec, opts, repeat=repeat)
            diff = np.max(np.abs(ours.params - theirs.params))
            rows.append(_row(f"fit {name}", len(data), t_tfp, t_lib, diff))
    return rows


def _cores(firms: list[int], repeat: int) -> list[dict[str, Any]]:
    """The numerical cores alone: a probit MLE on a degree-3 basis."""
    rows = []
    for n_firms in firms:
        n = n_firms * 9
        rng = np.random.default_rng(2)
        x = poly_basis(rng.normal(size=(n, 2)), 3, include_constant=True)
        beta = rng.normal(scale=0.3, size=x.shape[1])
        beta[0] = -1.5
        y = (rng.uniform(size=n) < special.ndtr(x @ beta)).astype(np.float64)
        for model in ("probit", "logit"):
            t_tfp, (b1, _) = _median_time(
                control_function._binary_mle, y, x, model, repeat=repeat
            )
            t_lib, (b2, _) = _median_time(
                _binary_statsmodels, y, x, model, repeat=repeat
            )
            rows.append(
                _row(f"core {model} MLE", n, t_tfp, t_lib, np.max(np.abs(b1 - b2)))
            )
    return rows


def _import_seconds(module: str) -> float:
    code = (
        "import time; t = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", default="1000,10000", help="panel sizes (firms)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing")
    args = parser.parse_args()
    firms = [int(float(f)) for f in args.firms.split(",")]
    warnings.simplefilter("ignore")
    _fits([100], 1)  # warm-up: numba caches, library imports
    rows = _fits(firms, args.repeat) + _cores(firms, args.repeat)
    pd.set_option("display.width", 200)
    print(pd.DataFrame(rows).to_string(index=False))
    print("\nimport time in a fresh interpreter (median of 3):")
    for module in (
        "tfp.results",
        "statsmodels.iolib.summary",
        "statsmodels.discrete.discrete_model",
        "linearmodels.iv",
    ):
        t = statistics.median(_import_seconds(module) for _ in range(3))
        print(f"  {module:<40} {t:6.3f} s")


if __name__ == "__main__":
    main()
