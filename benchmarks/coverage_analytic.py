"""Coverage of 95 % intervals: analytic (stacked two-step) against firm bootstrap (issue 19).

Run (one process, serial, niced; the machine is shared)::

    nohup nice -n 10 .venv/bin/python benchmarks/coverage_analytic.py --draws 200 \\
        --reps 99 > /tmp/coverage.log 2>&1 &

Cells (``tfp.montecarlo.run_montecarlo``, root seed 2015, default options of each
method, no measurement error):

* ACF on ACF (2015) DGP 1, 2 and 3 (1,000 firms × 10 years);
* LP on DGP2 (where LP is consistent);
* OP on DGP2 with a valid investment proxy (``investment_cost_sd=0``: investment is a
  function of ω alone; ``capital_shock_sd=0.3``: capital varies beyond ω's history);
* GNR on the gross-output design of ``tfp.datasets.gnr_dgp`` (500 firms × 10 years).

Each cell runs ``--draws`` panels with ``se="analytic"`` (Wald intervals, estimate ± 1.96 s.e.)
and, unless ``--skip-bootstrap``, the same panels (same seeds) with a firm bootstrap of
``--reps`` replicates (percentile and normal intervals). ACF DGP1's bootstrap coverage (99
replicates, 200 draws, the same seeds) is already in ``montecarlo_coverage.csv`` and is not
re-run unless ``--bootstrap-acf1``.

Writes ``docs/explanation/montecarlo_coverage_analytic.csv`` (rewritten after every cell) and
prints the table with the run time of each cell.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import tfp
from tfp.montecarlo import COVERAGE_CELLS, run_montecarlo, summarise

SEED = 2015

CELLS = COVERAGE_CELLS

OUT = Path(__file__).resolve().parents[1] / "docs" / "explanation"
Z = 1.959963984540054  # 97.5 % normal quantile


def run_cell(
    cell: str, draws: int, *, analytic: bool, reps: int | None
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Summary of one cell (analytic or bootstrap), its draws and its wall time.

    The summary gains ``coverage_centred``: the share of draws with
    ``|estimate − mean of the estimates| ≤ z · se``, the coverage the Wald interval would
    have without the estimator's finite-sample bias (it checks the standard error alone).
    """
    design, method, firms, dgp_options, truth = CELLS[cell]
    t0 = time.perf_counter()
    frame = run_montecarlo(
        design,
        methods=method,
        n_draws=draws,
        n_firms=firms,
        seed=SEED,
        analytic=analytic,
        bootstrap=None if reps is None else tfp.Bootstrap(reps=reps),
        dgp_options=dgp_options or None,
    )
    seconds = time.perf_counter() - t0
    summary = summarise(frame, truth)
    ok = frame[frame["error"].fillna("") == ""]
    centred = {}
    for term, g in ok.groupby("term"):
        est = g["estimate"].to_numpy(dtype=float)
        se = g["std_error"].to_numpy(dtype=float)
        centred[term] = float(np.mean(np.abs(est - est.mean()) <= Z * se))
    summary["coverage_centred"] = [
        centred.get(t, np.nan) for t in summary.index.get_level_values("term")
    ]
    return summary, frame, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--reps", type=int, default=99)
    parser.add_argument("--cells", default=",".join(CELLS))
    parser.add_argument("--skip-bootstrap", action="store_true")
    parser.add_argument("--skip-analytic", action="store_true")
    parser.add_argument("--bootstrap-acf1", action="store_true")
    parser.add_argument(
        "--out", type=Path, default=OUT / "montecarlo_coverage_analytic.csv"
    )
    parser.add_argument("--draws-dir", type=Path, default=None)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    cells = args.cells.split(",")
    # every analytic cell first (minutes), then the bootstrap cells (hours)
    plan: list[tuple[str, str, int | None]] = (
        [] if args.skip_analytic else [(c, "analytic", None) for c in cells]
    )
    if not args.skip_bootstrap:
        plan += [
            (c, "bootstrap", args.reps)
            for c in cells
            if c != "acf-dgp1" or args.bootstrap_acf1
        ]
    for cell, kind, reps in plan:
        summary, frame, seconds = run_cell(
            cell, args.draws, analytic=kind == "analytic", reps=reps
        )
        if args.draws_dir is not None:
            args.draws_dir.mkdir(parents=True, exist_ok=True)
            frame.to_csv(args.draws_dir / f"{cell}-{kind}.csv", index=False)
        for key, r in summary.iterrows():
            rows.append(
                {
                    "cell": cell,
                    "method": key[2],
                    "term": key[3],
                    "inference": kind if reps is None else f"bootstrap-{reps}",
                    "truth": r["truth"],
                    "draws": int(r["n_draws"]),
                    "failed": int(r["n_failed"]),
                    "mean": r["mean"],
                    "mc_sd": r["sd"],
                    "mean_std_error": r["mean_std_error"],
                    "coverage_wald": r["coverage_normal"],
                    "coverage_centred": r["coverage_centred"],
                    "coverage_percentile": r["coverage"]
                    if reps is not None
                    else np.nan,
                    "seconds": round(seconds, 1),
                }
            )
        table = pd.DataFrame(rows)
        table.to_csv(args.out, index=False, float_format="%.4f")
        print(
            f"{cell} {kind}: {seconds:.0f} s\n"
            + table[table.cell == cell].to_string(index=False),
            flush=True,
        )
    print(
        f"tfp {tfp.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
