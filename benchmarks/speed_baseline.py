"""Record (or compare) the estimates and criteria of a fixed set of cases: the anchor that
speed work must not move.

Every case is one ``tfp.estimate`` call on the reference data (``../shared/data``) or on a
simulated design, through the public API only, so the same script runs on any tfp version:

    # with the tfp to record (e.g. a checkout of the commit before the speed-ups):
    PYTHONPATH=/path/to/old/src .venv/bin/python benchmarks/speed_baseline.py --write out.json
    # compare the current tfp with a recording:
    .venv/bin/python benchmarks/speed_baseline.py --compare tests/regression/speed_baseline.json

The cases live in ``tests/regression/cases.py``; ``tests/regression/test_speed_baseline.py``
checks the current tfp against the committed recording ``tests/regression/speed_baseline.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "regression"))

from cases import CASES, DATA, run_case

import tfp


def _git_commit() -> str:
    try:
        here = Path(tfp.__file__).resolve().parent
        return subprocess.check_output(
            ["git", "-C", str(here), "rev-parse", "HEAD"], text=True
        ).strip()
    except (OSError, subprocess.CalledProcessError):  # pragma: no cover
        return "unknown"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", type=Path, help="write a recording (JSON)")
    ap.add_argument("--compare", type=Path, help="compare with a recording (JSON)")
    ap.add_argument("--cases", default="", help="comma-separated subset of CASES")
    args = ap.parse_args()
    names = [c for c in args.cases.split(",") if c] or list(CASES)
    results = {}
    for name in names:
        results[name] = run_case(name)
        print(
            f"{name:24s} {results[name]['seconds']:7.3f} s  "
            f"objective {results[name]['objective']:.6g}  "
            + " ".join(f"{k}={v:.6f}" for k, v in results[name]["params"].items()),
            flush=True,
        )
    if args.write:
        record = {
            "generated_by": "benchmarks/speed_baseline.py --write",
            "tfp_version": tfp.__version__,
            "tfp_commit": _git_commit(),
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "data_sha256": {
                f: _sha256(DATA / f)
                for f in (
                    "prodest_chilean.csv",
                    "gnrprod_colombian.csv",
                    "gnr_sim_500.csv",
                    "prodest_markupest_dgp3_sim.csv",
                )
            },
            "cases": results,
        }
        args.write.write_text(json.dumps(record, indent=1) + "\n")
    if args.compare:
        ref = json.loads(args.compare.read_text())["cases"]
        for name in names:
            new, old = results[name], ref[name]
            dp = max(abs(new["params"][k] - old["params"][k]) for k in old["params"])
            rel = (new["objective"] - old["objective"]) / max(
                abs(old["objective"]), 1e-300
            )
            print(
                f"{name:24s} max|Δparams| {dp:.2e}  Δobjective/objective {rel:+.2e}  "
                f"time {old['seconds']:.3f} -> {new['seconds']:.3f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
