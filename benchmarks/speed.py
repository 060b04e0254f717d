"""tfp against the reference packages, side by side in one run: the table of issue 18.

Run: ``make bench`` (all workloads) or
``.venv/bin/python benchmarks/speed.py [--workloads chilean-op,ols-1m] [--quick] [--runs 3]``.

Every workload runs tfp and its reference **in the same run**, on the same data file:

* **tfp**: one fresh Python process per workload (so that its peak resident memory is its
  own). It loads the data (not timed), warms up (a call on a small slice or with 2 bootstrap
  replicates: imports, numba kernels loaded from their cache), then times ``--runs`` calls of
  ``tfp.estimate`` (with its bootstrap where the workload has one) and keeps the minimum.
* **reference**: ``Rscript`` with prodest 1.0.1 / gnrprod 1.1.2 / estprod 1.2 from the
  anchors library (``--r-lib``, default ``/root/.cache/tfp-r-anchors``), one R process per
  workload; the data are read first, and only the package's call is timed
  (``proc.time`` around it), ``--runs`` times, minimum kept. Where ``Rscript`` or the
  packages are missing the R rows say so and the rest runs. The ACF 48,000-row reference is
  a Python baseline (one plain SciPy BFGS start on NumPy moments, ``baselines.py``), timed in
  the tfp process around the minimisation only.

``ratio`` is reference time / tfp time (> 1: tfp faster). ``goal`` is the issue's target for
a 2-core machine; ``met`` compares with it. Peak memory is the tfp process's ``ru_maxrss``
(data, panel and estimation together). The machine's read bandwidth (a NumPy sum over
800 MB) and the load average before and after are printed with the table, since a shared
machine slows both sides.

Workloads (``--workloads``, comma-separated; default all but ``prodest-1m``):

* ``chilean-op``, ``chilean-lp``, ``chilean-acf``: ``prodest_chilean.csv``, ``.prodest()``
  options, 100 firm-bootstrap replicates, vs ``prodestOP/LP/ACF(R = 100)``;
* ``colombian-gnr``: ``gnrprod_colombian.csv``, ``GNROptions.gnrprod()``, 20 replicates, vs
  ``gnrprod(B = 20)``;
* ``gnr-1m``: ``gnr_sim_500.csv`` copied 70 times under new firm ids (1.05 million rows),
  point estimate vs ``gnrprod``;
* ``ols-1m``: OLS on 10^6 firm-years (ACF DGP1) vs R ``lm``;
* ``acf-48k``: ACF with three inputs (skilled and unskilled labour, capital) on a
  ``synthetic_ene`` panel of 48,000 firm-years, default options (8 starts, the spurious-root
  guards) vs the SciPy baseline;
* ``acf-1m``, ``lp-1m``, ``op-1m``: 10^6 rows of ACF DGP1, default options; LP/OP vs
  estprod's ``levinsohn_petrin`` / ``olley_pakes`` (no bootstrap); prodest takes more than
  300 s at this size (``../shared/data/REFERENCE.md``) and runs only in ``prodest-1m``;
* ``all-10m``: every method on 10^7 rows (ACF DGP1; GNR on ``gnr_sim_500`` copied to 10^7
  rows), one run each (``--runs`` is not applied), with peak memory;
* ``prodest-1m``: prodest OP/LP/ACF at 10^6 rows with a timeout (``--r-timeout``, 300 s).

``--quick`` is a smoke run: 10 replicates instead of 100/20, 10^5 rows instead of 10^6,
10^6 instead of 10^7, one run. Its ratios are not the issue's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# the roles of the reference data sets, shared with the regression cases
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "regression"))
from cases import (
    CHILE_ROLES,
    COLOMBIA_ROLES,
    DATA,
    GNRSIM_ROLES,
    SIM_ROLES,
)

HERE = Path(__file__).resolve().parent
R_LIB = "/root/.cache/tfp-r-anchors"

SIM_COLUMNS = ("firm", "year", "y", "l", "k", "m", "i")
METHODS_10M = ("ols", "fe", "wrdg", "op", "lp", "acf", "gnr")


@dataclass(frozen=True)
class Workload:
    """One row (or block of rows) of the table."""

    label: str
    reference: str
    goal: str  # e.g. "ratio>=10", "seconds<2", "seconds<30,gb<8"


WORKLOADS: dict[str, Workload] = {
    "chilean-op": Workload(
        "chilean OP + {reps} firm-bootstrap replicates", "prodest", "ratio>=10"
    ),
    "chilean-lp": Workload("chilean LP + {reps} replicates", "prodest", ""),
    "chilean-acf": Workload(
        "chilean ACF + {reps} replicates (.prodest())", "prodest", "ratio>=20"
    ),
    "colombian-gnr": Workload(
        "colombian GNR + {greps} replicates", "gnrprod", "ratio>=10"
    ),
    "gnr-1m": Workload(
        "GNR, {gnr_rows:,} rows (gnr_sim_500 copied under new ids)",
        "gnrprod",
        "ratio>=5",
    ),
    "ols-1m": Workload("OLS, {rows:,} firm-years", "R lm", "ratio>=2"),
    "acf-48k": Workload(
        "ACF (3 inputs, multi-start, the right root), 48,000 rows",
        "SciPy BFGS, one start",
        "ratio>=2",
    ),
    "acf-1m": Workload("ACF {rows:,} rows, default options", "", "seconds<2"),
    "lp-1m": Workload("LP {rows:,} rows", "estprod", "seconds<1.5"),
    "op-1m": Workload("OP {rows:,} rows", "estprod", "seconds<1.5"),
    "all-10m": Workload(
        "{method} {big:,} rows", "", "seconds<30,gb<8"
    ),  # one row per method
    "prodest-1m": Workload("prodest {method} {rows:,} rows", "prodest", ""),
}
DEFAULT = [w for w in WORKLOADS if w != "prodest-1m"]


# ------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------
def _sim_csv(n_rows: int, cache: Path) -> Path:
    """ACF DGP1 panel of ``n_rows`` firm-years (``n_rows/10`` firms x 10 years), cached as
    CSV (read by both tfp and R) and ``.npz`` (fast reload for the tfp workers)."""
    path = cache / f"acf_dgp1_{n_rows}.csv"
    if not path.is_file():
        from tfp.datasets.simulate import acf_dgp

        data = acf_dgp(
            design=1, n_firms=n_rows // 10, n_periods=10, seed=1, burn_in=20
        ).data[list(SIM_COLUMNS)]
        np.savez(
            path.with_suffix(".npz"), **{c: data[c].to_numpy() for c in SIM_COLUMNS}
        )
        if n_rows <= 2_000_000:  # R reads only the 10^6-row files
            data.to_csv(path, index=False, float_format="%.17g")
        else:
            path.write_text("")  # marker: the .npz is the data
    return path


def _load_sim(path: Path) -> Any:
    import pandas as pd

    with np.load(path.with_suffix(".npz")) as z:
        return pd.DataFrame({c: z[c] for c in SIM_COLUMNS})


def _gnr_copies(n_rows: int) -> Any:
    """``gnr_sim_500.csv`` copied under new firm ids until it has >= n_rows rows."""
    import pandas as pd

    base = pd.read_csv(DATA / "gnr_sim_500.csv")[["id", "time", "yg", "k", "i", "si"]]
    k = int(np.ceil(n_rows / len(base)))
    step = int(base["id"].max()) + 1
    parts = [base.assign(id=base["id"] + c * step) for c in range(k)]
    return pd.concat(parts, ignore_index=True)


def _gnr_csv(n_rows: int, cache: Path) -> Path:
    path = cache / f"gnr_sim_500_x{n_rows}.csv"
    if not path.is_file():
        _gnr_copies(n_rows).to_csv(path, index=False, float_format="%.17g")
    return path


def _ene_48k() -> Any:
    from tfp.datasets.simulate import synthetic_ene

    return synthetic_ene(n_firms=9600, seed=1)[0]


# ------------------------------------------------------------------------------------------
# tfp side (runs in a worker process)
# ------------------------------------------------------------------------------------------
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times, out = [], None
    for _ in range(runs):
        out = None  # the previous run's results (panel, arrays) go before the next run
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def _summary(res: Any) -> dict[str, Any]:
    out = {
        "estimate": {k: round(float(v), 6) for k, v in res.params.items()},
        "objective": float(res.objective) if res.objective is not None else None,
    }
    if res.bootstrap is not None:
        out["std_errors"] = {k: round(float(v), 6) for k, v in res.std_errors.items()}
    return out


def tfp_worker(name: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """Time tfp on workload ``name`` in this process; return times, peak memory, estimate."""
    import pandas as pd

    import tfp

    warnings.simplefilter("ignore")
    runs = cfg["runs"]
    out: dict[str, Any] = {}
    if name.startswith("chilean-"):
        method = name.split("-")[1]
        df = pd.read_csv(DATA / "prodest_chilean.csv")
        opts = {
            "op": tfp.OPOptions.prodest(),
            "lp": tfp.LPOptions.prodest(),
            "acf": tfp.ACFOptions.prodest(),
        }[method]
        proxy = "inv" if method == "op" else "pX"

        def run(reps: int) -> Any:
            return tfp.estimate(
                df,
                method=method,
                proxy=proxy,
                options=opts,
                se=tfp.Bootstrap(reps=reps, seed=1, n_jobs=cfg["n_jobs"]),
                **CHILE_ROLES,
            )

        run(2)
        out["data_mb"] = _peak_mb()
        times, res = _timed(lambda: run(cfg["reps"]), runs)
    elif name == "colombian-gnr":
        df = pd.read_csv(DATA / "gnrprod_colombian.csv")

        def run(reps: int) -> Any:
            return tfp.estimate(
                df,
                method="gnr",
                options=tfp.GNROptions.gnrprod(),
                se=tfp.Bootstrap(reps=reps, seed=1, n_jobs=cfg["n_jobs"]),
                **COLOMBIA_ROLES,
            )

        run(2)
        out["data_mb"] = _peak_mb()
        times, res = _timed(lambda: run(cfg["greps"]), runs)
    elif name == "gnr-1m" or (name == "all-10m" and cfg["method"] == "gnr"):
        n = cfg["gnr_rows"] if name == "gnr-1m" else cfg["big"]
        df = (
            pd.read_csv(Path(cfg["data"]))
            if name == "gnr-1m"
            else _gnr_copies(n)  # 10^7: built in memory (R does not run)
        )

        def run_gnr(d: Any) -> Any:
            return tfp.estimate(
                d,
                method="gnr",
                options=tfp.GNROptions.gnrprod(),
                se="none",
                **GNRSIM_ROLES,
            )

        run_gnr(pd.read_csv(DATA / "gnr_sim_500.csv"))
        out["data_mb"] = _peak_mb()
        times, res = _timed(lambda: run_gnr(df), 1 if name == "all-10m" else runs)
    elif name == "acf-48k":
        from baselines import scipy_acf

        from tfp.estimators.acf import acf_problem
        from tfp.panel import make_panel
        from tfp.spec import ProductionSpec

        df = _ene_48k()
        roles = {
            "output": "y",
            "free": ["ls", "lu"],
            "state": "k",
            "proxy": "m",
            "id": "firm_id",
            "time": "year",
        }

        def run_acf(d: Any) -> Any:
            return tfp.estimate(d, method="acf", se="none", **roles)

        run_acf(df.iloc[:5000])
        out["data_mb"] = _peak_mb()
        times, res = _timed(lambda: run_acf(df), runs)
        spec = ProductionSpec(
            output="y",
            free=("ls", "lu"),
            state=("k",),
            proxy=("m",),
            id="firm_id",
            time="year",
        )
        panel = make_panel(df, id="firm_id", time="year", columns=spec.columns())
        problem, acf_data = acf_problem(panel, spec, tfp.ACFOptions())
        base_times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            bx, bf, bn = scipy_acf(problem, acf_data.ols, method="BFGS")
            base_times.append(time.perf_counter() - t0)
        out["reference"] = {
            "times": base_times,
            "estimate": dict(
                zip(("ls", "lu", "k"), (round(float(v), 6) for v in bx), strict=True)
            ),
            "objective": bf,
            "n_evals": bn,
            "returns_to_scale": float(np.sum(bx)),
        }
    else:  # simulated value-added panels: ols-1m, acf/lp/op-1m, all-10m
        method = cfg.get("method") or name.split("-")[0]
        n = cfg["big"] if name == "all-10m" else cfg["rows"]
        df = _load_sim(_sim_csv(n, Path(cfg["cache"])))
        roles = dict(SIM_ROLES)
        if method in ("op",):
            roles["proxy"] = "i"
        elif method in ("lp", "acf", "wrdg"):
            roles["proxy"] = "m"
        se = "analytic" if method in ("ols", "fe", "wrdg") else "none"

        def run_sim(d: Any) -> Any:
            return tfp.estimate(d, method=method, se=se, **roles)

        run_sim(df.iloc[:5000])
        out["data_mb"] = _peak_mb()
        times, res = _timed(lambda: run_sim(df), 1 if name == "all-10m" else runs)
    out.update(times=times, peak_mb=_peak_mb(), **_summary(res))
    if hasattr(res.convergence, "n_evals_total"):
        out["n_evals"] = int(res.convergence.n_evals_total)
    return out


# ------------------------------------------------------------------------------------------
# R side
# ------------------------------------------------------------------------------------------
R_PRELUDE = r"""
args <- commandArgs(trailingOnly = TRUE)
.libPaths(c(args[1], .libPaths()))
suppressPackageStartupMessages({
  library(data.table); library(prodest); library(gnrprod); library(estprod)
})
runs <- as.integer(args[3])
timeit <- function(expr_fn) {
  best <- Inf
  for (r in seq_len(runs)) {
    t0 <- proc.time()[["elapsed"]]
    fit <- expr_fn()
    best <- min(best, proc.time()[["elapsed"]] - t0)
    cat(sprintf("TIME %.6f\n", proc.time()[["elapsed"]] - t0))
  }
  fit
}
d <- as.data.frame(fread(args[2]))
"""

R_CALLS = {
    "chilean-op": """set.seed(1)
fit <- timeit(function() prodestOP(d$Y, fX = cbind(d$fX1, d$fX2), sX = d$sX, pX = d$inv,
  idvar = d$idvar, timevar = d$timevar, R = as.integer(args[4])))
cat("EST", fit@Estimates$pars, "\\n")""",
    "chilean-lp": """set.seed(1)
fit <- timeit(function() prodestLP(d$Y, fX = cbind(d$fX1, d$fX2), sX = d$sX, pX = d$pX,
  idvar = d$idvar, timevar = d$timevar, R = as.integer(args[4])))
cat("EST", fit@Estimates$pars, "\\n")""",
    "chilean-acf": """set.seed(1)
fit <- timeit(function() prodestACF(d$Y, fX = cbind(d$fX1, d$fX2), sX = d$sX, pX = d$pX,
  idvar = d$idvar, timevar = d$timevar, R = as.integer(args[4])))
cat("EST", fit@Estimates$pars, "\\n")""",
    "colombian-gnr": """set.seed(1)
fit <- timeit(function() gnrprod(output = "RGO", fixed = c("L", "K"), flex = "RI",
  share = "share", id = "id", time = "year", data = d, B = as.integer(args[4])))
cat("EST", fit$estimates$elas, "\\n")""",
    "gnr-1m": """fit <- timeit(function() gnrprod(output = "yg", fixed = "k", flex = "i",
  share = "si", id = "id", time = "time", data = d))
cat("EST", fit$estimates$elas, "\\n")""",
    "ols-1m": """fit <- timeit(function() lm(y ~ l + k, data = d))
cat("EST", coef(fit), "\\n")""",
    "lp-1m": """fit <- timeit(function() levinsohn_petrin(d, y ~ l | k | m, id = "firm",
  time = "year", bootstrap = FALSE))
cat("EST", unlist(fit$t0), "\\n")""",
    "op-1m": """fit <- timeit(function() olley_pakes(d, y ~ l | k | i, id = "firm",
  time = "year", bootstrap = FALSE))
cat("EST", unlist(fit$t0), "\\n")""",
    "prodest-op": """fit <- timeit(function() prodestOP(d$y, fX = d$l, sX = d$k, pX = d$i,
  idvar = d$firm, timevar = d$year, R = 2))
cat("EST", fit@Estimates$pars, "\\n")""",
    "prodest-lp": """fit <- timeit(function() prodestLP(d$y, fX = d$l, sX = d$k, pX = d$m,
  idvar = d$firm, timevar = d$year, R = 2))
cat("EST", fit@Estimates$pars, "\\n")""",
    "prodest-acf": """fit <- timeit(function() prodestACF(d$y, fX = d$l, sX = d$k, pX = d$m,
  idvar = d$firm, timevar = d$year, R = 2))
cat("EST", fit@Estimates$pars, "\\n")""",
}


def r_available(r_lib: str) -> str | None:
    """None when Rscript and the three anchors load; else why not."""
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    code = (
        f'.libPaths(c("{r_lib}", .libPaths())); '
        "for (p in c('data.table','prodest','gnrprod','estprod')) "
        "if (!requireNamespace(p, quietly = TRUE)) {cat('MISSING', p); quit(status = 1)}"
    )
    r = subprocess.run(
        ["Rscript", "-e", code], capture_output=True, text=True, check=False
    )
    if r.returncode != 0:
        return f"R packages missing ({r.stdout.strip() or r.stderr.strip()[:80]}); "
    return None


def r_run(
    call: str, data: Path, extra: list[str], cfg: dict[str, Any], timeout: float | None
) -> dict[str, Any]:
    """Run one reference call in a fresh Rscript; times of each run and the estimate."""
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(R_PRELUDE + R_CALLS[call] + "\n")
        script = fh.name
    try:
        r = subprocess.run(
            ["Rscript", script, cfg["r_lib"], str(data), str(cfg["runs"]), *extra],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s (stopped)"}
    finally:
        os.unlink(script)
    times = [float(x.split()[1]) for x in r.stdout.splitlines() if x.startswith("TIME")]
    est = [x.split()[1:] for x in r.stdout.splitlines() if x.startswith("EST")]
    if not times:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return {"times": times, "estimate": [float(v) for v in est[0]] if est else None}


# ------------------------------------------------------------------------------------------
# orchestration
# ------------------------------------------------------------------------------------------
def _worker_subprocess(name: str, cfg: dict[str, Any]) -> dict[str, Any]:
    r = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            name,
            "--config",
            json.dumps(cfg),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=str(HERE),
    )
    lines = [x for x in r.stdout.splitlines() if x.startswith("RESULT ")]
    if r.returncode != 0 or not lines:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    return dict(json.loads(lines[-1][len("RESULT ") :]))


def read_bandwidth_gbs() -> float:
    """Single-thread read bandwidth: best of 5 NumPy sums over 800 MB, in a subprocess (a
    process's peak memory is inherited by the workers it starts)."""
    code = (
        "import numpy as np, time\n"
        "a = np.ones(100_000_000)\n"
        "best = float('inf')\n"
        "for _ in range(5):\n"
        "    t0 = time.perf_counter(); a.sum()\n"
        "    best = min(best, time.perf_counter() - t0)\n"
        "print(a.nbytes / best / 1e9)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(r.stdout.strip())


def _goal_met(goal: str, ratio: float | None, secs: float, gb: float) -> str:
    if not goal or ("ratio" in goal and ratio is None):
        return ""  # no reference in this run: no verdict
    ok = True
    for part in goal.split(","):
        if part.startswith("ratio>="):
            ok &= ratio is not None and ratio >= float(part[7:])
        elif part.startswith("seconds<"):
            ok &= secs < float(part[8:])
        elif part.startswith("gb<"):
            ok &= gb < float(part[3:])
    return "yes" if ok else "**no**"


def _goal_text(goal: str) -> str:
    parts = []
    for part in goal.split(","):
        if part.startswith("ratio>="):
            parts.append(f"≥ {part[7:]}×")
        elif part.startswith("seconds<"):
            parts.append(f"< {part[8:]} s")
        elif part.startswith("gb<"):
            parts.append(f"< {part[3:]} GB")
    return ", ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description="tfp vs the reference packages, one run")
    ap.add_argument("--workloads", default=",".join(DEFAULT))
    ap.add_argument("--quick", action="store_true", help="smoke run (small sizes)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs, minimum kept")
    ap.add_argument("--n-jobs", type=int, default=1, help="bootstrap workers for tfp")
    ap.add_argument("--r-lib", default=R_LIB)
    ap.add_argument("--no-r", action="store_true", help="skip the R references")
    ap.add_argument("--r-timeout", type=float, default=300.0)
    ap.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "tfp-bench"
    )
    ap.add_argument("--json", type=Path, help="write the raw results here")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--config", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        out = tfp_worker(args.worker, json.loads(args.config))
        print("RESULT " + json.dumps(out), flush=True)
        return 0

    t_start = time.perf_counter()
    args.cache.mkdir(parents=True, exist_ok=True)
    cfg: dict[str, Any] = {
        "runs": 1 if args.quick else args.runs,
        "reps": 10 if args.quick else 100,
        "greps": 10 if args.quick else 20,
        "rows": 100_000 if args.quick else 1_000_000,
        "big": 1_000_000 if args.quick else 10_000_000,
        "gnr_rows": 105_000 if args.quick else 1_050_000,
        "n_jobs": args.n_jobs,
        "r_lib": args.r_lib,
        "cache": str(args.cache),
    }
    names = [w for w in args.workloads.split(",") if w]
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workloads {unknown}; choose from {list(WORKLOADS)}")
    why_no_r = "skipped (--no-r)" if args.no_r else r_available(args.r_lib)
    load0 = os.getloadavg()
    bandwidth = read_bandwidth_gbs()
    print(
        f"# tfp speed, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
        f"{os.cpu_count()} cores, read bandwidth {bandwidth:.1f} GB/s, "
        f"load average {load0[0]:.2f}; R: {why_no_r or 'prodest/gnrprod/estprod'}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []

    def add(
        name: str,
        label: str,
        tfp_out: dict[str, Any],
        ref: dict[str, Any] | None,
        ref_name: str,
        goal: str,
    ) -> None:
        secs = min(tfp_out["times"]) if "times" in tfp_out else float("nan")
        ref_secs = min(ref["times"]) if ref and "times" in ref else None
        ratio = ref_secs / secs if ref_secs and secs == secs else None
        gb = tfp_out.get("peak_mb", float("nan")) / 1024
        row = {
            "workload": name,
            "label": label,
            "tfp_s": secs,
            "tfp_times": tfp_out.get("times"),
            "peak_mb": tfp_out.get("peak_mb"),
            "data_mb": tfp_out.get("data_mb"),
            "reference": ref_name,
            "reference_s": ref_secs,
            "reference_times": (ref or {}).get("times"),
            "reference_note": (ref or {}).get("error", ""),
            "ratio": ratio,
            "goal": goal,
            "met": _goal_met(goal, ratio, secs, gb),
            "tfp": {
                k: v for k, v in tfp_out.items() if k not in ("times", "reference")
            },
            "reference_out": ref,
        }
        rows.append(row)
        ref_txt = (
            f"{ref_name} {ref_secs:.2f} s"
            if ref_secs is not None
            else f"{ref_name} {row['reference_note'] or why_no_r or ''}".strip()
        )
        print(
            f"| {label} | {secs:.2f} s | {ref_txt} | "
            f"{f'{ratio:.1f}×' if ratio else ''} | {_goal_text(goal)} | {row['met']} |"
            f" peak {tfp_out.get('peak_mb', float('nan')):,.0f} MB",
            flush=True,
        )

    print(
        "| workload | tfp | reference | ratio | goal | met |\n|---|---|---|---|---|---|"
    )
    fmt = {
        "reps": cfg["reps"],
        "greps": cfg["greps"],
        "rows": cfg["rows"],
        "gnr_rows": cfg["gnr_rows"],
        "big": cfg["big"],
    }
    for name in names:
        wl = WORKLOADS[name]
        if name == "all-10m":
            for method in METHODS_10M:
                c = {**cfg, "method": method}
                out = _worker_subprocess(name, c)
                add(
                    f"{method}-10m",
                    wl.label.format(method=method.upper(), **fmt),
                    out,
                    None,
                    "",
                    wl.goal,
                )
            continue
        if name == "prodest-1m":
            data = _sim_csv(cfg["rows"], args.cache)
            for method in ("op", "lp", "acf"):
                ref = (
                    None
                    if why_no_r
                    else r_run(
                        f"prodest-{method}",
                        data,
                        [],
                        {**cfg, "runs": 1},
                        args.r_timeout,
                    )
                )
                add(
                    f"prodest-{method}-1m",
                    wl.label.format(method=method.upper(), **fmt),
                    {"times": [float("nan")]},
                    ref,
                    "prodest",
                    "",
                )
            continue
        data_path: Path | None = None
        extra: list[str] = []
        c = dict(cfg)
        if name.startswith("chilean-"):
            data_path = DATA / "prodest_chilean.csv"
            extra = [str(cfg["reps"])]
        elif name == "colombian-gnr":
            data_path = DATA / "gnrprod_colombian.csv"
            extra = [str(cfg["greps"])]
        elif name == "gnr-1m":
            data_path = _gnr_csv(cfg["gnr_rows"], args.cache)
            c["data"] = str(data_path)
        elif name in ("ols-1m", "acf-1m", "lp-1m", "op-1m"):
            data_path = _sim_csv(cfg["rows"], args.cache)
        tfp_out = _worker_subprocess(name, c)
        ref: dict[str, Any] | None = None
        if name == "acf-48k":
            ref = tfp_out.get("reference")
        elif name in R_CALLS and not why_no_r and data_path is not None:
            ref = r_run(name, data_path, extra, cfg, args.r_timeout)
        add(name, wl.label.format(**fmt), tfp_out, ref, wl.reference, wl.goal)
    load1 = os.getloadavg()
    total = time.perf_counter() - t_start
    print(
        f"\nload average {load0[0]:.2f} before, {load1[0]:.2f} after; run time {total:.0f} s"
        f"; command: {' '.join([Path(sys.executable).name, *sys.argv])}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "bandwidth_gbs": bandwidth,
                    "load": [load0, load1],
                    "run_seconds": total,
                    "config": cfg,
                    "argv": sys.argv,
                },
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
