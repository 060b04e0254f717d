"""Scaling study: time and peak memory against rows, one machine and a LocalCluster.

Run: ``.venv/bin/python benchmarks/scaling.py`` (about 20 min on 2 shared cores; use
``--sizes 1e4,1e5,1e6`` for a 3-minute run).

Part 1, point estimates. For each size (default 10^4 … 10^7 firm-years of the ACF (2015)
DGP1, 10 years per firm) and each method (ACF, LP, OP, and the plain SciPy ACF baseline of
``bench_acf.py``: NumPy criterion, ``lstsq`` Markov step at every evaluation, Nelder-Mead
from the OLS start, one start), one fresh subprocess loads the data, builds the panel and
fits. It reports the fit's wall time and the subprocess's peak resident memory
(``ru_maxrss``: data, panel and estimation together; the data alone is shown too).

Part 2, parallel bootstrap. For the bootstrap sizes (default 10^4, 10^5 and 10^6 rows), an LP
firm-cluster bootstrap (``--reps`` replicates) runs serially, with joblib on 2 workers, and
on a ``LocalCluster`` of 2 single-threaded worker processes (``Bootstrap(client=...)``).
Memory is the peak of the summed resident memory of the whole process tree (parent and
workers), sampled every 50 ms. The replicates of the three runs are checked to be equal
bit for bit.

It prints one table per part, the log-log slopes of time and memory on rows fitted over the
sizes >= 10^5 (a slope of 1 is linear cost), the ratio of the SciPy baseline's time to
tfp's ACF, and writes the plot (default ``docs/_static/scaling.png``) and the raw numbers
as JSON (``--json``). The machine is shared: timings are upper bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from baselines import scipy_acf

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("firm", "year", "y", "l", "k", "m", "i")
METHODS = ("acf", "lp", "op", "scipy-acf")
#: Sizes whose time and memory enter the fitted slopes (below this, fixed costs dominate).
SLOPE_FROM = 100_000
#: Same for the memory tfp adds: below 10^6 rows it is mostly libraries loaded on first use.
MEM_SLOPE_FROM = 1_000_000


# ------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------
def _data_file(n_rows: int, cache: Path) -> Path:
    """ACF DGP1 panel of ``n_rows`` firm-years (n_rows / 10 firms × 10 years), cached."""
    path = cache / f"acf_dgp1_{n_rows}.npz"
    if not path.is_file():
        from tfp.datasets.simulate import acf_dgp

        data = acf_dgp(
            design=1, n_firms=n_rows // 10, n_periods=10, seed=1, burn_in=20
        ).data
        np.savez(path, **{c: data[c].to_numpy() for c in COLUMNS})
        del data
    return path


def _load(path: Path) -> Any:
    import pandas as pd

    with np.load(path) as z:
        return pd.DataFrame({c: z[c] for c in COLUMNS})


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------------
# part 1: one point estimate in this (fresh) process
# ------------------------------------------------------------------------------------------
def _fit_small(method: str, panel: Any, spec: Any) -> None:
    if method == "acf":
        from tfp.estimators.acf import fit
        from tfp.options.acf import ACFOptions

        fit(panel, spec, ACFOptions())
    else:
        from tfp.estimators import control_function as cf
        from tfp.options.control_function import LPOptions, OPOptions

        fn = cf.fit_lp if method == "lp" else cf.fit_op
        fn(panel, spec, LPOptions() if method == "lp" else OPOptions())


def run_case(method: str, path: Path) -> dict[str, Any]:
    """Fit ``method`` on the data in ``path``; time and peak memory of this process."""
    from tfp.panel import make_panel
    from tfp.spec import ProductionSpec

    data = _load(path)
    rss_data = _rss_mb()
    proxy = ("i",) if method == "op" else ("m",)
    spec = ProductionSpec(
        output="y", free=("l",), state=("k",), proxy=proxy, id="firm", time="year"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method != "scipy-acf":  # load the numba kernels from cache: not timed
            _fit_small(
                method,
                make_panel(
                    data.head(5_000),
                    id="firm",
                    time="year",
                    columns=spec.columns(),
                    warn=False,
                ),
                spec,
            )
    t0 = time.perf_counter()
    panel = make_panel(data, id="firm", time="year", columns=spec.columns(), warn=False)
    t_panel = time.perf_counter() - t0
    del data  # the caller's frame is not needed by estimation
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        if method == "acf":
            from tfp.estimators.acf import fit
            from tfp.options.acf import ACFOptions

            f = fit(panel, spec, ACFOptions())
            params, n_evals = np.asarray(f.params), f.convergence.n_evals_total
        elif method in ("lp", "op"):
            from tfp.estimators import control_function as cf
            from tfp.options.control_function import LPOptions, OPOptions

            fn = cf.fit_lp if method == "lp" else cf.fit_op
            f = fn(panel, spec, LPOptions() if method == "lp" else OPOptions())
            params, n_evals = np.asarray(f.params), f.convergence.n_evals_total
        else:
            from tfp.estimators.acf import acf_problem
            from tfp.options.acf import ACFOptions

            problem, info = acf_problem(panel, spec, ACFOptions())
            t0 = time.perf_counter()  # the baseline's own work: the minimisation
            params, _, n_evals = scipy_acf(problem, np.asarray(info.ols))
        t_fit = time.perf_counter() - t0
    return {
        "method": method,
        "rows": int(panel.nobs),
        "panel_s": t_panel,
        "fit_s": t_fit,
        "rss_data_mb": rss_data,
        "peak_mb": _rss_mb(),
        "params": [float(v) for v in params],
        "n_evals": int(n_evals),
    }


# ------------------------------------------------------------------------------------------
# part 2: parallel bootstrap (memory of the whole process tree)
# ------------------------------------------------------------------------------------------
class TreeMemory:
    """Peak of the summed RSS of this process and all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> float:
        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except Exception:  # a worker that just ended
                continue
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._sample())
            time.sleep(self._interval)

    def __enter__(self) -> TreeMemory:
        self.peak_mb = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_boot_case(mode: str, path: Path, reps: int) -> dict[str, Any]:
    """LP bootstrap of ``reps`` replicates: ``serial``, ``joblib-2`` or ``dask-2``."""
    import tfp

    data = _load(path)
    roles = {
        "output": "y",
        "free": "l",
        "state": "k",
        "proxy": "m",
        "id": "firm",
        "time": "year",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = tfp.estimate(data, method="lp", se="none", **roles)
        cluster = client = None
        if mode == "dask-2":
            from distributed import Client, LocalCluster

            cluster = LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            )
            client = Client(cluster)
            client.run(lambda: __import__("tfp.estimators.control_function"))
        boot = tfp.Bootstrap(
            reps=reps, seed=1, n_jobs=2 if mode == "joblib-2" else 1, client=client
        )
        with TreeMemory() as mem:
            t0 = time.perf_counter()
            out = res.with_bootstrap(boot)
            dt = time.perf_counter() - t0
            # the same call again: workers already started, kernels loaded, pools warm
            t0 = time.perf_counter()
            again = res.with_bootstrap(boot)
            dt_warm = time.perf_counter() - t0
        if not again.bootstrap.params.equals(out.bootstrap.params):
            raise RuntimeError("a repeated bootstrap gave different replicates")
        if client is not None:
            client.close()
            cluster.close()  # type: ignore[union-attr]
    draws = out.bootstrap.params.to_numpy()
    return {
        "mode": mode,
        "rows": int(res.nobs),
        "reps": reps,
        "boot_s": dt,
        "boot_warm_s": dt_warm,
        "tree_peak_mb": mem.peak_mb,
        "failed": int(out.bootstrap.failed),
        "draws_hash": _hash(draws),
    }


def _hash(a: np.ndarray) -> str:
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------
def _subprocess(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _slope(rows: list[float], vals: list[float], start: int = 0) -> float:
    start = start or SLOPE_FROM
    pairs = [(r, v) for r, v in zip(rows, vals, strict=True) if r >= start]
    if len(pairs) < 2:
        return float("nan")
    x, y = np.log10([p[0] for p in pairs]), np.log10([p[1] for p in pairs])
    return float(np.polyfit(x, y, 1)[0])


def _plot(point: list[dict[str, Any]], boot: list[dict[str, Any]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    for method in METHODS:
        rs = [r for r in point if r.get("method") == method]
        if not rs:
            continue
        n = [r["rows"] for r in rs]
        t = [r["fit_s"] for r in rs]
        added = [max(r["peak_mb"] - r["rss_data_mb"], 1.0) for r in rs]
        ts = _slope(n, t)
        axes[0].loglog(
            n,
            t,
            "o-",
            label=f"{method} (slope {ts:.2f})" if np.isfinite(ts) else method,
        )
        slope = _slope(n, added, MEM_SLOPE_FROM)
        line = axes[1].loglog(
            n,
            [a / 1024 for a in added],
            "o-",
            label=f"{method} added (slope {slope:.2f})"
            if np.isfinite(slope)
            else f"{method} added",
        )[0]
        axes[1].loglog(
            n,
            [r["peak_mb"] / 1024 for r in rs],
            "x--",
            color=line.get_color(),
            alpha=0.5,
            label=f"{method} peak of the process",
        )
    acf = sorted((r["rows"], r["fit_s"]) for r in point if r.get("method") == "acf")
    if acf:
        n_ref = np.array([acf[0][0], acf[-1][0]], dtype=float)
        axes[0].loglog(
            n_ref,
            acf[-1][1] * n_ref / n_ref[-1],
            ":",
            color="grey",
            label="linear through ACF's largest (slope 1)",
        )
    axes[0].set(
        xlabel="firm-years", ylabel="fit wall time (s)", title="Point estimate: time"
    )
    axes[1].set(
        xlabel="firm-years",
        ylabel="GiB",
        title="Point estimate: peak RSS, and added by tfp (peak - data)",
    )
    for mode in ("serial", "joblib-2", "dask-2"):
        rs = [r for r in boot if r.get("mode") == mode]
        if rs:
            line = axes[2].loglog(
                [r["rows"] for r in rs],
                [r["boot_warm_s"] for r in rs],
                "o-",
                label=f"{mode} (warm)",
            )[0]
            axes[2].loglog(
                [r["rows"] for r in rs],
                [r["boot_s"] for r in rs],
                "x--",
                color=line.get_color(),
                alpha=0.5,
                label=f"{mode} (cold: incl. worker start)",
            )
    reps = boot[0]["reps"] if boot else 0
    axes[2].set(
        xlabel="firm-years",
        ylabel="bootstrap wall time (s)",
        title=f"LP bootstrap, {reps} replicates",
    )
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(
        "tfp scaling on 2 shared cores, 24 GB (ACF DGP1, 10 years per firm; times are upper bounds)",
        fontsize=10,
    )
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6,1e7")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument(
        "--baseline-max", type=float, default=1e6, help="largest size for scipy-acf"
    )
    ap.add_argument("--boot-sizes", default="1e4,1e5,1e6")
    ap.add_argument("--reps", type=int, default=8)
    ap.add_argument("--plot", default=str(ROOT / "docs" / "_static" / "scaling.png"))
    ap.add_argument("--json", default=None, help="write the raw results here")
    ap.add_argument("--cache", default=None, help="folder for the generated data")
    ap.add_argument(
        "--replot", default=None, help="only redraw the plot from a --json file"
    )
    ap.add_argument(
        "--case", nargs=2, metavar=("METHOD", "NPZ"), help=argparse.SUPPRESS
    )
    ap.add_argument(
        "--boot-case", nargs=2, metavar=("MODE", "NPZ"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case[0], Path(args.case[1]))))
        return
    if args.replot:
        raw = json.loads(Path(args.replot).read_text())
        _plot(
            [r for r in raw["point"] if "fit_s" in r],
            [r for r in raw["boot"] if "boot_s" in r],
            Path(args.plot),
        )
        print(f"plot: {args.plot}")
        return
    if args.boot_case:
        print(
            json.dumps(
                run_boot_case(args.boot_case[0], Path(args.boot_case[1]), args.reps)
            )
        )
        return

    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    boot_sizes = [int(float(s)) for s in args.boot_sizes.split(",") if s]
    methods = [m for m in args.methods.split(",") if m]
    cache = Path(args.cache or tempfile.mkdtemp(prefix="tfp_scaling_"))
    cache.mkdir(parents=True, exist_ok=True)
    # warm the numba cache once so compilation is not timed
    _subprocess(["--case", "acf", str(_data_file(10_000, cache))])
    _subprocess(["--case", "lp", str(_data_file(10_000, cache))])

    point: list[dict[str, Any]] = []
    print("Part 1: point estimates (one fresh process each)", flush=True)
    head = f"{'method':10s} {'rows':>11s} {'panel s':>8s} {'fit s':>9s} {'data MB':>8s} {'peak MB':>8s}  estimate (l, k)"
    print(head, flush=True)
    for n in sizes:
        path = _data_file(n, cache)
        for method in methods:
            if method == "scipy-acf" and n > args.baseline_max:
                continue
            r = _subprocess(["--case", method, str(path)])
            r.setdefault("method", method)
            r.setdefault("target_rows", n)
            point.append(r)
            if "error" in r:
                print(f"{method:10s} {n:11,d} failed: {r['error']}", flush=True)
                continue
            print(
                f"{method:10s} {r['rows']:11,d} {r['panel_s']:8.2f} {r['fit_s']:9.2f} "
                f"{r['rss_data_mb']:8.0f} {r['peak_mb']:8.0f}  "
                f"{np.round(r['params'][:2], 3).tolist()}",
                flush=True,
            )
        if n > max(boot_sizes, default=0) and n != sizes[-1]:
            path.unlink(missing_ok=True)
    ok = [r for r in point if "fit_s" in r]
    print(
        "\nlog-log slopes on rows (1 = linear): time over sizes >= 1e5, memory added "
        "(peak - data) over sizes >= 1e6; MB added per million rows at the largest size"
    )
    for method in methods:
        rs = [r for r in ok if r["method"] == method]
        if not rs:
            continue
        n = [r["rows"] for r in rs]
        added = [r["peak_mb"] - r["rss_data_mb"] for r in rs]
        print(
            f"  {method:10s} time {_slope(n, [r['fit_s'] for r in rs]):5.2f}   "
            f"memory added {_slope(n, added, MEM_SLOPE_FROM):5.2f}   "
            f"{added[-1] / n[-1] * 1e6:6.0f} MB per 1e6 rows (at {n[-1]:,} rows)"
        )
    print("\nSciPy ACF baseline time / tfp ACF time (same process design, same data):")
    for n in sizes:
        a = [r for r in ok if r["method"] == "acf" and r["target_rows"] == n]
        b = [r for r in ok if r["method"] == "scipy-acf" and r["target_rows"] == n]
        if a and b:
            per_a = a[0]["fit_s"] / a[0]["n_evals"]
            per_b = b[0]["fit_s"] / b[0]["n_evals"]
            print(
                f"  {n:11,d} rows: whole fit {b[0]['fit_s'] / a[0]['fit_s']:6.2f}, "
                f"per criterion evaluation {per_b / per_a:6.2f}  "
                f"(tfp: {a[0]['n_evals']} evaluations over 8 starts, estimate "
                f"{np.round(a[0]['params'][:2], 3).tolist()}; baseline: {b[0]['n_evals']} "
                f"from 1 start, estimate {np.round(b[0]['params'][:2], 3).tolist()})"
            )

    boot: list[dict[str, Any]] = []
    print(f"\nPart 2: LP bootstrap, {args.reps} replicates (process-tree peak memory)")
    print(
        f"{'mode':10s} {'rows':>11s} {'cold s':>8s} {'warm s':>8s} {'serial/warm':>11s} "
        f"{'tree MB':>8s}  draws"
    )
    for n in boot_sizes:
        path = _data_file(n, cache)
        base = None
        for mode in ("serial", "joblib-2", "dask-2"):
            r = _subprocess(["--boot-case", mode, str(path), "--reps", str(args.reps)])
            r.setdefault("mode", mode)
            boot.append(r)
            if "error" in r:
                print(f"{mode:10s} {n:11,d} failed: {r['error']}", flush=True)
                continue
            base = base or r
            same = "identical" if r["draws_hash"] == base["draws_hash"] else "DIFFERENT"
            print(
                f"{mode:10s} {r['rows']:11,d} {r['boot_s']:8.2f} {r['boot_warm_s']:8.2f} "
                f"{base['boot_warm_s'] / r['boot_warm_s']:11.2f} "
                f"{r['tree_peak_mb']:8.0f}  {same}",
                flush=True,
            )
    _plot(ok, [r for r in boot if "boot_s" in r], Path(args.plot))
    print(f"\nplot: {args.plot}")
    if args.json:
        Path(args.json).write_text(json.dumps({"point": point, "boot": boot}, indent=1))
        print(f"raw: {args.json}")


if __name__ == "__main__":
    main()
