"""Monte Carlo of ACF and LP on the ACF (2015) designs, like prodest's vignette Table 2.

Run (one process, serial; the machine is shared)::

    nohup .venv/bin/python benchmarks/montecarlo.py --draws 200 --coverage-draws 200 \\
        --reps 99 > /tmp/montecarlo.log 2>&1 &

Cells: DGP 1–3 × measurement error 0 / 0.1 / 0.2 / 0.5 × {ACF, LP}, ``--draws`` panels of
1,000 firms × 10 years each (``tfp.montecarlo.run_montecarlo``, tfp's default
``ACFOptions()`` and ``LPOptions()``, ``se="none"``), then the coverage study: ACF on DGP1
without measurement error, ``--coverage-draws`` panels, each with a firm bootstrap of
``--reps`` replicates (percentile and normal 95 % intervals). Coverage draws use the same
seeds as the table's DGP1 cell, so their point estimates are the table's.

Writes ``docs/explanation/montecarlo_table.csv`` (one row per cell and method, rewritten after
every cell so an interrupted run keeps what finished), ``montecarlo_coverage.csv`` and, with
``--draws-out``, every draw. Prints the table and the timings.
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
from tfp.montecarlo import run_montecarlo, summarise

TRUTH = {"l": 0.6, "k": 0.4}
DESIGNS = (1, 2, 3)
MEASUREMENT_ERRORS = (0.0, 0.1, 0.2, 0.5)
METHODS = ("acf", "lp")

#: prodest vignette (Rovigatti & Mollisi 2018, Table 2), mean over 1,000 draws:
#: (design, measurement error, method) -> (β_l, β_k). From ../shared/data/REFERENCE.md.
PUBLISHED: dict[tuple[int, float, str], tuple[float, float]] = {
    (1, 0.0, "acf"): (0.599, 0.401),
    (1, 0.0, "lp"): (-0.004, 1.099),
    (2, 0.0, "acf"): (0.606, 0.395),
    (2, 0.0, "lp"): (0.600, 0.401),
    (3, 0.0, "acf"): (0.593, 0.409),
    (3, 0.0, "lp"): (0.473, 0.576),
    (1, 0.5, "acf"): (0.668, 0.357),
    (1, 0.5, "lp"): (0.876, 0.195),
}


def wide(
    summary: pd.DataFrame, seconds: dict[tuple[int, float], float]
) -> pd.DataFrame:
    """One row per (design, measurement error, method) with l and k side by side."""
    rows = []
    for key, g in summary.groupby(
        level=["design", "measurement_error", "method"], sort=True
    ):
        parts: tuple[Any, ...] = tuple(key)
        design, me, method = int(parts[0]), float(parts[1]), str(parts[2])
        g = g.droplevel([0, 1, 2])
        pub = PUBLISHED.get((int(design), float(me), str(method)), (np.nan, np.nan))
        row: dict[str, object] = {
            "design": int(design),
            "measurement_error": float(me),
            "method": method,
            "n_draws": int(g["n_draws"].max()),
            "n_failed": int(g["n_failed"].max()),
            "n_not_converged": int(g["n_not_converged"].max()),
        }
        for term in ("l", "k"):
            for stat in ("mean", "bias", "sd", "rmse"):
                row[f"{stat}_{term}"] = round(float(g[stat][term]), 4)
        row["published_l"], row["published_k"] = pub
        row["cell_seconds"] = round(seconds.get((int(design), float(me)), np.nan), 1)
        rows.append(row)
    return pd.DataFrame(rows)


def coverage_study(args: argparse.Namespace, coverage_path: Path) -> None:
    """ACF on DGP1 without measurement error, with a firm bootstrap per draw."""
    if args.coverage_draws <= 0:
        return
    t0 = time.perf_counter()
    chunk = 10
    cov_parts: list[pd.DataFrame] = []
    summ = pd.DataFrame()
    for first in range(0, args.coverage_draws, chunk):
        n = min(chunk, args.coverage_draws - first)
        cov_parts.append(
            run_montecarlo(
                1,
                0.0,
                "acf",
                n_draws=n,
                n_firms=args.firms,
                seed=args.seed,
                bootstrap=tfp.Bootstrap(reps=args.reps),
                first_draw=first,
            )
        )
        cov = pd.concat(cov_parts, ignore_index=True)
        summ = summarise(cov, TRUTH).reset_index()
        summ["reps"] = args.reps
        summ["seconds"] = round(time.perf_counter() - t0, 1)
        summ.round(4).to_csv(coverage_path, index=False)
        print(
            f"coverage: {first + n}/{args.coverage_draws} draws, "
            f"{time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        if args.draws_out is not None:
            cov.to_csv(
                args.draws_out.with_name("coverage_" + args.draws_out.name),
                index=False,
            )
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(summ.round(4).to_string(index=False), flush=True)


def main() -> None:
    """Run the table and the coverage study; write the CSV files and print them."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--coverage-draws", type=int, default=200)
    ap.add_argument("--reps", type=int, default=99)
    ap.add_argument("--firms", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2015)
    ap.add_argument(
        "--out-dir",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "docs" / "explanation",
    )
    ap.add_argument("--draws-out", type=Path, default=None)
    args = ap.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    table_path = args.out_dir / "montecarlo_table.csv"
    coverage_path = args.out_dir / "montecarlo_coverage.csv"
    print(
        f"tfp {tfp.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}; seed {args.seed}, {args.draws} draws of "
        f"{args.firms} firms x 10 years per cell",
        flush=True,
    )

    # measurement error 0 first (the published comparison), then the coverage study, then
    # measurement error 0.5, 0.1, 0.2
    order = [(d, 0.0) for d in DESIGNS] + [
        (d, me) for me in (0.5, 0.1, 0.2) for d in DESIGNS
    ]
    parts: list[pd.DataFrame] = []
    seconds: dict[tuple[int, float], float] = {}
    t_all = time.perf_counter()
    for i, (design, me) in enumerate(order):
        t0 = time.perf_counter()
        draws = run_montecarlo(
            design, me, METHODS, n_draws=args.draws, n_firms=args.firms, seed=args.seed
        )
        seconds[(design, me)] = time.perf_counter() - t0
        parts.append(draws)
        all_draws = pd.concat(parts, ignore_index=True)
        table = wide(summarise(all_draws, TRUTH), seconds)
        table.to_csv(table_path, index=False)
        if args.draws_out is not None:
            all_draws.to_csv(args.draws_out, index=False)
        print(
            f"[{i + 1}/{len(order)}] DGP{design} me={me}: {seconds[(design, me)]:.0f} s",
            flush=True,
        )
        if i == len(DESIGNS) - 1:  # the coverage study right after the published cells
            coverage_study(args, coverage_path)
    t_table = time.perf_counter() - t_all
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.to_string(index=False), flush=True)
    print(f"table: {t_table:.0f} s", flush=True)

    print(f"total: {time.perf_counter() - t_all:.0f} s", flush=True)


if __name__ == "__main__":
    main()
