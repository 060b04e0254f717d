"""Firm-cluster bootstrap timings against the reference packages (issue 4 targets).

Run: ``.venv/bin/python benchmarks/bench_bootstrap.py [--quick]``

One run each, on this machine, printed beside the reference packages' published timings on a
machine of the same kind (``../shared/data/REFERENCE.md``) and the ratio:

- ``prodest_chilean.csv``: OP, LP and ACF (``.prodest()`` options) with 100 replicates;
  prodest 1.0.1 takes 3.6 s, 4.7 s and 21 s.
- ACF on a 10,000-row ``acf_dgp`` panel with 1,000 replicates; prodest's vignette reports
  6.19 min serial.
Also the serial/parallel ratio in the same run (``n_jobs=1`` vs ``2``), which must give the same
draws. Timings on a shared machine are upper bounds.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import tfp

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

#: Published reference timings (seconds), REFERENCE.md, "Timings of the reference packages".
PRODEST_CHILEAN_100 = {"op": 3.6, "lp": 4.7, "acf": 21.0}
PRODEST_VIGNETTE_ACF_10K_1000 = 6.19 * 60


def _time(fn: object) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()  # type: ignore[operator]
    return time.perf_counter() - t, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--quick", action="store_true", help="fewer replicates (smoke run)"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    reps_chilean = 20 if args.quick else 100
    reps_sim = 100 if args.quick else 1000
    rows = []
    if (DATA / "prodest_chilean.csv").is_file():
        df = pd.read_csv(DATA / "prodest_chilean.csv")
        roles = {
            "output": "Y",
            "free": ["fX1", "fX2"],
            "state": "sX",
            "id": "idvar",
            "time": "timevar",
        }
        setups = {
            "op": ("inv", tfp.OPOptions.prodest()),
            "lp": ("pX", tfp.LPOptions.prodest()),
            "acf": ("pX", tfp.ACFOptions.prodest()),
        }
        for method, (proxy, opts) in setups.items():
            res = tfp.estimate(
                df, method=method, proxy=proxy, options=opts, se="none", **roles
            )
            res.with_bootstrap(
                tfp.Bootstrap(reps=2, seed=0)
            )  # compile kernels outside the timing
            for n_jobs in (1, 2):
                secs, b = _time(
                    lambda res=res, n_jobs=n_jobs: res.with_bootstrap(
                        tfp.Bootstrap(reps=reps_chilean, seed=1, n_jobs=n_jobs)
                    )
                )
                ref = PRODEST_CHILEAN_100[method] * reps_chilean / 100
                rows.append(
                    {
                        "case": f"chilean {method} x{reps_chilean}",
                        "n_jobs": n_jobs,
                        "seconds": secs,
                        "reference_s": ref,
                        "speed-up": ref / secs,
                        "failed": b.bootstrap.failed,  # type: ignore[attr-defined]
                    }
                )
    data, _ = tfp.datasets.acf_dgp(design=1, n_firms=1000, seed=1)
    res = tfp.estimate(
        data,
        method="acf",
        output="y",
        free="l",
        state="k",
        proxy="m",
        id="firm",
        time="year",
        se="none",
    )
    draws = {}
    for n_jobs in (1, 2):
        secs, b = _time(
            lambda n_jobs=n_jobs: res.with_bootstrap(
                tfp.Bootstrap(reps=reps_sim, seed=1, n_jobs=n_jobs)
            )
        )
        draws[n_jobs] = b.bootstrap.params  # type: ignore[attr-defined]
        ref = PRODEST_VIGNETTE_ACF_10K_1000 * reps_sim / 1000
        rows.append(
            {
                "case": f"acf_dgp 10k rows acf x{reps_sim}",
                "n_jobs": n_jobs,
                "seconds": secs,
                "reference_s": ref,
                "speed-up": ref / secs,
                "failed": b.bootstrap.failed,  # type: ignore[attr-defined]
            }
        )
    table = pd.DataFrame(rows)
    with pd.option_context(
        "display.width", 120, "display.float_format", "{:.2f}".format
    ):
        print(table.to_string(index=False))
    same = np.array_equal(draws[1].to_numpy(), draws[2].to_numpy(), equal_nan=True)
    print(f"\nn_jobs=1 and n_jobs=2 give identical draws: {same}")


if __name__ == "__main__":
    main()
