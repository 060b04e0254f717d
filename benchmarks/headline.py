"""Monte Carlo that chooses the report's headline estimator (the report's own design).

Run (one process, serial; the machine is shared)::

    nice -n 10 .venv/bin/python benchmarks/headline.py --draws 200 --reps 49 \\
        > /tmp/headline.log 2>&1

Every draw simulates ``synthetic_ene(n_firms=1000, years=2015-2019)`` with its own seed
(``tfp.app.headline``), estimates it with every candidate (ACF with the report's options, ACF
with tfp's defaults, LP, Wooldridge, OP), each with a firm bootstrap of ``--reps`` replicates
as the report does, and compares the factor shares and the size-class TFP index with the
truth. Writes ``docs/explanation/headline_table.csv`` (summary by method and quantity,
rewritten every 10 draws so an interrupted run keeps what finished) and, with
``--draws-out``, every draw; prints the table, the chosen headline, the false-alarm rate of
the report's disagreement note and the timings.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

import tfp
from tfp.app.headline import (
    CANDIDATES,
    choose_headline,
    evidence,
    false_alarms,
    implausible_share,
    index_rmse,
    run_headline_montecarlo,
    summarise_headline,
)


def main() -> None:
    """Run the study; write the summary table and print it."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--reps", type=int, default=49)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--methods", default=",".join(CANDIDATES))
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent
        / "docs"
        / "explanation"
        / "headline_table.csv",
    )
    ap.add_argument("--draws-out", type=Path, default=None)
    args = ap.parse_args()
    methods = tuple(args.methods.split(","))
    print(
        f"tfp {tfp.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}; seed {args.seed}, {args.draws} draws, "
        f"{args.reps} bootstrap replicates, methods {methods}",
        flush=True,
    )
    t0 = time.perf_counter()
    parts: list[pd.DataFrame] = []
    chunk = 10
    for first in range(0, args.draws, chunk):
        n = min(chunk, args.draws - first)
        parts.append(
            run_headline_montecarlo(
                n, methods=methods, seed=args.seed, first_draw=first, reps=args.reps
            )
        )
        draws = pd.concat(parts, ignore_index=True)
        table = summarise_headline(draws)
        table.round(4).to_csv(args.out)
        if args.draws_out is not None:
            draws.to_csv(args.draws_out, index=False)
        print(
            f"{first + n}/{args.draws} draws, {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
    per_fit = draws.drop_duplicates(["draw", "method"])
    seconds = per_fit.groupby("method", sort=False)["seconds"].mean()
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.round(4).to_string(), flush=True)
        print("mean seconds per draw:", seconds.round(2).to_dict(), flush=True)
    print("implausible share:", implausible_share(draws).round(3).to_dict(), flush=True)
    print("index RMSE:", index_rmse(table).round(2).to_dict(), flush=True)
    winner = choose_headline(draws)
    print("evidence (tfp.app.headline.EVIDENCE):", evidence(draws), flush=True)
    print(f"headline: {winner}", flush=True)
    for other in ("acf", "lp"):
        if other != winner and other in methods:
            rate = false_alarms(draws, winner, other)
            print(
                f"disagreement note {winner} vs {other}: {rate:.3f} of draws",
                flush=True,
            )
    print(f"total: {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
