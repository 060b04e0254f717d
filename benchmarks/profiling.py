"""Where the time goes: cProfile of one workload, after a warm-up, in CPU time.

Run: ``.venv/bin/python benchmarks/profiling.py WORKLOAD [--top 25] [--sort tottime]``
with WORKLOAD one of ``acf-1m``, ``lp-1m``, ``op-1m``, ``ols-1m``, ``gnr-1m`` (GNR on 1.05
million rows), ``chilean-acf``, ``chilean-op`` (the ``.prodest()`` estimate with 100
firm-bootstrap replicates), ``colombian-gnr`` (with 20 replicates).

The profiler's clock is ``time.process_time``: CPU time of the process, so that a machine
shared with other jobs changes the figures little (threaded BLAS counts each thread's time).
The workload first runs once untimed (imports, numba kernels loaded from their cache), then
once under the profiler. To profile another version of tfp, put its ``src`` first on
``PYTHONPATH``; the figures in ``docs/explanation/performance.md`` were taken that way for
the code before and after the speed work.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from speed import (
    CHILE_ROLES,
    COLOMBIA_ROLES,
    DATA,
    GNRSIM_ROLES,
    SIM_ROLES,
    _gnr_copies,
    _load_sim,
    _sim_csv,
)

WORKLOADS = (
    "acf-1m",
    "lp-1m",
    "op-1m",
    "ols-1m",
    "gnr-1m",
    "chilean-acf",
    "chilean-op",
    "colombian-gnr",
)


def _runner(name: str, cache: Path) -> tuple[Any, Any]:
    """(call to profile, warm-up call)."""
    import pandas as pd

    import tfp

    if name.endswith("-1m") and name != "gnr-1m":
        method = name.split("-")[0]
        df = _load_sim(_sim_csv(1_000_000, cache))
        roles = dict(SIM_ROLES)
        if method != "ols":
            roles["proxy"] = "i" if method == "op" else "m"
        se = "analytic" if method == "ols" else "none"
        return (
            lambda: tfp.estimate(df, method=method, se=se, **roles),
            lambda: tfp.estimate(df.iloc[:5000], method=method, se=se, **roles),
        )
    if name == "gnr-1m":
        df = _gnr_copies(1_050_000)
        small = pd.read_csv(DATA / "gnr_sim_500.csv")
        opts = tfp.GNROptions.gnrprod()
        return (
            lambda: tfp.estimate(
                df, method="gnr", options=opts, se="none", **GNRSIM_ROLES
            ),
            lambda: tfp.estimate(
                small, method="gnr", options=opts, se="none", **GNRSIM_ROLES
            ),
        )
    if name.startswith("chilean-"):
        method = name.split("-")[1]
        df = pd.read_csv(DATA / "prodest_chilean.csv")
        opts = {"acf": tfp.ACFOptions.prodest(), "op": tfp.OPOptions.prodest()}[method]
        proxy = "inv" if method == "op" else "pX"

        def chile(reps: int) -> Any:
            return tfp.estimate(
                df,
                method=method,
                proxy=proxy,
                options=opts,
                se=tfp.Bootstrap(reps=reps, seed=1),
                **CHILE_ROLES,
            )

        return (lambda: chile(100), lambda: chile(2))
    df = pd.read_csv(DATA / "gnrprod_colombian.csv")

    def colombia(reps: int) -> Any:
        return tfp.estimate(
            df,
            method="gnr",
            options=tfp.GNROptions.gnrprod(),
            se=tfp.Bootstrap(reps=reps, seed=1),
            **COLOMBIA_ROLES,
        )

    return (lambda: colombia(20), lambda: colombia(2))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workload", choices=WORKLOADS)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    ap.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "tfp-bench"
    )
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    args.cache.mkdir(parents=True, exist_ok=True)
    run, warm = _runner(args.workload, args.cache)
    warm()
    prof = cProfile.Profile(time.process_time)
    t0 = time.process_time()
    w0 = time.perf_counter()
    prof.enable()
    res = run()
    prof.disable()
    cpu = time.process_time() - t0
    wall = time.perf_counter() - w0
    import tfp

    print(
        f"# {args.workload}: tfp {tfp.__version__} from {Path(tfp.__file__).parent}, "
        f"CPU {cpu:.2f} s, wall {wall:.2f} s (under the profiler)"
    )
    conv = res.convergence
    print(
        f"# estimate {res.params.round(6).to_dict()}, criterion {res.objective:.6g}, "
        f"criterion evaluations (full sample) {getattr(conv, 'n_evals_total', '')}"
    )
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    text = out.getvalue()
    root = str(Path(tfp.__file__).resolve().parents[1])
    print(text.replace(root + "/", "").replace(sys.prefix + "/lib/", ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
