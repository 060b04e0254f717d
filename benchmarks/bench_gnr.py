"""Benchmark: GNR on gnrprod's Colombian data, point estimate and 200 firm-bootstrap replicates.

Reference timing (../shared/data/REFERENCE.md): gnrprod 1.1.2 on the same data and a
2-core machine takes 1.1 s for the point estimate and 33 s for 20 bootstrap replicates.

Run: ``.venv/bin/python benchmarks/bench_gnr.py [reps] [n_jobs]``.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import pandas as pd

import tfp

DATA = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "gnrprod_colombian.csv"
)
GNRPROD_POINT_S = 1.1
GNRPROD_20_REPS_S = 33.0


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    n_jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    if not DATA.is_file():
        print(f"{DATA} not present; nothing to benchmark")
        return
    df = pd.read_csv(DATA)
    roles = {
        "method": "gnr",
        "output": "RGO",
        "free": "L",
        "state": "K",
        "flexible": "RI",
        "share": "share",
        "id": "id",
        "time": "year",
    }
    opts = tfp.GNROptions.gnrprod()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tfp.estimate(
            df, options=opts, se="none", **roles
        )  # warm-up (numba cache, imports)
        t0 = time.perf_counter()
        point = tfp.estimate(df, options=opts, se="none", **roles)
        t_point = time.perf_counter() - t0
        t0 = time.perf_counter()
        boot = tfp.estimate(
            df,
            options=opts,
            se=tfp.Bootstrap(reps=reps, seed=1, n_jobs=n_jobs),
            **roles,
        )
        t_boot = time.perf_counter() - t0
    assert boot.bootstrap is not None
    gnrprod_equiv = GNRPROD_20_REPS_S * reps / 20
    print(f"point estimate: {t_point:.2f} s (gnrprod {GNRPROD_POINT_S} s)")
    print(point.params.round(4).to_string())
    print(f"criterion {point.objective:.3g} (gnrprod 0.002222)")
    print(
        f"bootstrap {reps} reps, n_jobs={n_jobs}: {t_boot:.1f} s, failed {boot.bootstrap.failed}"
    )
    print(boot.std_errors.round(4).to_string())
    print(
        f"gnrprod at 33 s / 20 reps would take {gnrprod_equiv:.0f} s for {reps}: "
        f"ratio gnrprod / tfp = {gnrprod_equiv / t_boot:.1f}x"
    )


if __name__ == "__main__":
    main()
