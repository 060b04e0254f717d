"""Timings of the ACF point estimate (one run each; 2 shared cores, so upper bounds).

Run: ``.venv/bin/python benchmarks/bench_acf.py [--max-rows 1000000]``

Prints, for the chilean data and for simulated ACF DGP1 panels of 10^4, 10^5 and 10^6
firm-years: wall time and the process's peak resident memory (ru_maxrss) after ``tfp.estimators.acf.fit`` (8 starts, BFGS with
the analytic gradient, numba kernels), and the same for a plain SciPy baseline (NumPy
criterion, Markov coefficients re-estimated by ``lstsq`` at every evaluation, no gradient,
Nelder–Mead from the OLS start: one start only) with the ratio of times.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from baselines import scipy_acf

from tfp.estimators.acf import acf_problem, fit
from tfp.options.acf import ACFOptions
from tfp.panel import make_panel
from tfp.spec import ProductionSpec


def _simulate(n_rows: int) -> pd.DataFrame:
    try:
        from tfp.datasets.simulate import acf_dgp

        data, _ = acf_dgp(
            design=1, n_firms=n_rows // 10, n_periods=10, seed=1, burn_in=20
        )
        return data
    except ImportError:  # pragma: no cover - minimal inline DGP
        rng = np.random.default_rng(1)
        n = n_rows // 10
        om = rng.normal(0, 0.3, n)
        k = rng.normal(3, 0.5, n)
        rows = []
        for t in range(10):
            om = 0.7 * om + rng.normal(0, 0.2, n)
            lab = k + (np.log(0.6) + om + rng.normal(0, 0.1, n)) / 0.4
            m = 0.6 * lab + 0.4 * k + om
            y = 0.6 * lab + 0.4 * k + om + rng.normal(0, 0.1, n)
            rows.append(
                pd.DataFrame(
                    {"firm": np.arange(n), "year": t, "y": y, "l": lab, "k": k, "m": m}
                )
            )
            k = 0.8 * k + 0.3 * om + 0.5 + rng.normal(0, 0.1, n)
        return pd.concat(rows).sort_values(["firm", "year"], ignore_index=True)


def _measure(fn: Any) -> tuple[Any, float, float]:
    """Run ``fn`` once; wall time and the process's peak resident memory so far (MB)."""
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out, dt, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-rows", type=int, default=1_000_000)
    args = ap.parse_args()
    spec = ProductionSpec(
        output="y", free=("l",), state=("k",), proxy=("m",), id="firm", time="year"
    )
    opts_chile = ACFOptions.prodest()
    opts = ACFOptions()
    cases: list[tuple[str, pd.DataFrame, ProductionSpec, ACFOptions]] = []
    chile = (
        Path(__file__).resolve().parents[2] / "shared" / "data" / "prodest_chilean.csv"
    )
    if chile.is_file():
        cs = ProductionSpec(
            output="Y",
            free=("fX1", "fX2"),
            state=("sX",),
            proxy=("pX",),
            id="idvar",
            time="timevar",
        )
        cases.append(("chilean (2,544 rows)", pd.read_csv(chile), cs, opts_chile))
    for n in (10_000, 100_000, 1_000_000):
        if n <= args.max_rows:
            cases.append((f"ACF DGP1 {n:,} rows", _simulate(n), spec, opts))
    # warm the numba cache so compilation is not timed
    if cases:
        name, df, sp, op = cases[0]
        fit(make_panel(df, id=sp.id, time=sp.time, columns=sp.columns()), sp, op)
    print(
        f"{'case':28s} {'tfp s':>8s} {'maxRSS MB':>9s} {'scipy s':>8s} {'maxRSS MB':>9s} {'ratio':>6s}  estimate"
    )
    for name, df, sp, op in cases:
        panel = make_panel(df, id=sp.id, time=sp.time, columns=sp.columns())
        res, dt, peak = _measure(lambda p=panel, s=sp, o=op: fit(p, s, o))
        problem, info = acf_problem(panel, sp, op)
        (bx, _), dt0, peak0 = _measure(
            lambda pr=problem, st=info.ols: scipy_acf(pr, st)[:2]
        )
        print(
            f"{name:28s} {dt:8.2f} {peak:9.0f} {dt0:8.2f} {peak0:9.0f} {dt0 / dt:6.1f}  "
            f"{np.round(res.params, 3).tolist()} (baseline {np.round(bx, 3).tolist()}, "
            f"{res.convergence.n_starts} starts vs 1)"
        )


if __name__ == "__main__":
    main()
