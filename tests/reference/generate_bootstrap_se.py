"""Run the 999-replicate firm bootstrap of each case in ``bootstrap_cases.py`` once and store
its standard errors with provenance in ``outputs/bootstrap_se.json``.

Usage (from the repository root; about ten minutes on two shared cores)::

    nice -n 10 .venv/bin/python tests/reference/generate_bootstrap_se.py

Stored per case and parameter: the estimate, the bootstrap standard deviation (``sd``), the
normalised interquartile range ``(q75 − q25) / 1.349`` (``iqr_se``, the scale of a normal
with the same quartiles), the 2.5/25/50/75/97.5 percentiles, failed and non-converged
replicates, and the analytic standard error at generation time (for the docs' table; the
test recomputes it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import tfp  # noqa: E402
from tests.reference.bootstrap_cases import CASES, REPS, SEED, estimate  # noqa: E402

DATA = HERE.parents[2] / "shared" / "data"
OUT = HERE / "outputs" / "bootstrap_se.json"


def _analytic_se(res: tfp.ProductionResults) -> pd.Series:
    """Analytic standard errors of ``res`` from the stacked-system modules directly."""
    from tfp.estimators import acf_se, control_function_se, gnr_se

    module = {"op": control_function_se, "lp": control_function_se}.get(
        res.method, {"acf": acf_se, "gnr": gnr_se}.get(res.method)
    )
    assert module is not None
    rc = module.analytic_covariance(res._panel, res.spec, res.options, res._fit)
    return pd.Series(np.sqrt(np.diag(rc.vcov)), index=res.params.index)


def main() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        cwd=HERE,
        check=True,
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=HERE,
            check=True,
        ).stdout.strip()
    )
    out: dict[str, object] = {
        "command": "nice -n 10 .venv/bin/python tests/reference/generate_bootstrap_se.py",
        "tfp_commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "tfp_version": tfp.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "python": platform.python_version(),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "reps": REPS,
        "seed": SEED,
        "cases": {},
    }
    for case, (file, kwargs) in CASES.items():
        path = DATA / file
        data = pd.read_csv(path)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            boot = estimate(case, data, tfp.Bootstrap(reps=REPS, seed=SEED))
        analytic = _analytic_se(boot)
        draws = boot.bootstrap.params.dropna(how="any")
        q = draws.quantile([0.025, 0.25, 0.5, 0.75, 0.975])
        out["cases"][case] = {  # type: ignore[index]
            "data_file": file,
            "data_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "call": {k: v for k, v in kwargs.items()},
            "options": repr(boot.options),
            "failed": boot.bootstrap.failed,
            "not_converged": boot.bootstrap.not_converged,
            "seconds": round(time.perf_counter() - t0, 1),
            "params": {
                name: {
                    "estimate": float(boot.params[name]),
                    "sd": float(draws[name].std(ddof=1)),
                    "iqr_se": float((q.loc[0.75, name] - q.loc[0.25, name]) / 1.349),
                    "quantiles": [float(v) for v in q[name]],
                    "analytic_at_generation": float(analytic[name]),
                }
                for name in boot.params.index
            },
        }
        print(case, json.dumps(out["cases"][case]["params"]), flush=True)  # type: ignore[index]
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
