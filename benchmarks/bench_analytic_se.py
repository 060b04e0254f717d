"""Analytic standard errors of OP, LP, ACF and GNR: their cost against the point estimate and
against the firm bootstrap, in the same run (issue 19).

Run from the repository root (the machine is shared: read every time as an upper bound)::

    nice -n 10 .venv/bin/python benchmarks/bench_analytic_se.py --rows 1e6 --reps 199 \\
        --reps-timed 20 --reps-timed-gnr 3

For each method, on one simulated panel of ``--rows`` firm-years (ACF (2015) DGP2 with a
valid investment proxy, ``acf_dgp(design=2, investment_cost_sd=0, capital_shock_sd=0.3)``,
for OP, LP and ACF; ``gnr_dgp`` for GNR; 10 years per firm), it times

* ``point``: ``tfp.estimate(..., se="none")`` (validation, panel, fit);
* ``analytic``: the stacked covariance alone (the method's registered ``covariance``,
  e.g. :func:`tfp.estimators.acf_se.analytic_covariance`, on the fitted panel), and ``ratio`` = analytic / point, the share of the point
  estimate's time that ``se="analytic"`` adds;
* ``bootstrap``: ``results.with_bootstrap(tfp.Bootstrap(reps=--reps, seed=1))``, serial;
  ``--reps-timed N`` (``--reps-timed-gnr`` for GNR, whose point estimate takes minutes at
  10^6 rows) runs N replicates and scales their time to ``--reps`` (replicates are
  independent and cost alike), and the output says so.

Numba kernels are compiled (or loaded from cache) on a small panel before timing. Nothing is
asserted: the numbers are ratios measured in one run.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import tfp
from tfp.datasets import acf_dgp, gnr_dgp
from tfp.estimators.registry import REGISTRY

ROLES: dict[str, Any] = {
    "output": "y",
    "free": "l",
    "state": "k",
    "id": "firm",
    "time": "year",
}
EXTRA: dict[str, dict[str, Any]] = {
    "op": {"proxy": "i"},
    "lp": {"proxy": "m"},
    "acf": {"proxy": "m"},
    "gnr": {"flexible": "m", "share": "s"},
}


def _data(method: str, rows: int) -> Any:
    firms = max(rows // 10, 20)
    if method == "gnr":
        return gnr_dgp(n_firms=firms, seed=1).data
    return acf_dgp(
        design=2,
        n_firms=firms,
        seed=1,
        investment_cost_sd=0.0,
        capital_shock_sd=0.3,
    ).data


def _run(method: str, rows: int, reps: int) -> dict[str, Any]:
    data = _data(method, rows)
    kw = {**ROLES, **EXTRA[method], "method": method}
    t0 = time.perf_counter()
    res = tfp.estimate(data, se="none", **kw)
    point = time.perf_counter() - t0
    t0 = time.perf_counter()
    covariance = REGISTRY[method].covariance
    assert covariance is not None
    cov = covariance(res._panel, res.spec, res.options, res._fit)
    analytic = time.perf_counter() - t0
    out: dict[str, Any] = {
        "method": method,
        "rows": len(data),
        "point_s": point,
        "analytic_s": analytic,
        "ratio": analytic / point,
        "se": dict(
            zip(
                res.params.index,
                np.sqrt(np.diag(cov.vcov)).round(5).tolist(),
                strict=True,
            )
        ),
    }
    if reps:
        t0 = time.perf_counter()
        boot = res.with_bootstrap(tfp.Bootstrap(reps=reps, seed=1))
        out["bootstrap_s"] = time.perf_counter() - t0
        out["reps"] = reps
        out["bootstrap_over_analytic"] = out["bootstrap_s"] / analytic
        out["bootstrap_se"] = boot.std_errors.round(5).to_dict()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, default=1e6)
    parser.add_argument("--reps", type=int, default=199)
    parser.add_argument(
        "--reps-timed",
        type=int,
        default=None,
        help="replicates actually run (default --reps); their time is scaled to --reps",
    )
    parser.add_argument(
        "--reps-timed-gnr",
        type=int,
        default=None,
        help="the same for GNR (default --reps-timed)",
    )
    parser.add_argument("--methods", default="op,lp,acf,gnr")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    methods = args.methods.split(",")
    for m in methods:  # compile or load the numba kernels outside the timed region
        _run(m, 2000, 0)
    results = []
    for m in methods:
        reps = args.reps if args.reps_timed is None else args.reps_timed
        if m == "gnr" and args.reps_timed_gnr is not None:
            reps = args.reps_timed_gnr
        r = _run(m, int(args.rows), reps)
        if reps and reps != args.reps:  # per-replicate time, scaled to --reps
            r["bootstrap_s_timed"] = r["bootstrap_s"]
            r["bootstrap_s"] *= args.reps / reps
            r["bootstrap_over_analytic"] = r["bootstrap_s"] / r["analytic_s"]
            r["reps_timed"] = reps
            r["reps"] = args.reps
        results.append(r)
        line = (
            f"{m:4s} rows {r['rows']:>9,}  point {r['point_s']:8.2f} s  "
            f"analytic {r['analytic_s']:7.2f} s  analytic/point {r['ratio']:.3f}"
        )
        if args.reps:
            scaled = (
                f" (scaled from {r['reps_timed']} timed)" if "reps_timed" in r else ""
            )
            line += (
                f"  bootstrap({r['reps']}){scaled} {r['bootstrap_s']:9.1f} s  "
                f"bootstrap/analytic {r['bootstrap_over_analytic']:.0f}"
            )
        print(line, flush=True)
        if args.json is not None:
            args.json.write_text(json.dumps(results, indent=1))
    print(f"tfp {tfp.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
