"""The fixed cases whose estimates and criteria speed work must not move.

Every case is one ``tfp.estimate`` call (public API only, so the same code runs on any tfp
version) on the reference data (``../shared/data``) or on a simulated design. The recording
``speed_baseline.json`` holds what tfp without the speed work of issue 18 returned (main at
f1c0b1b; first recorded at c80b551); ``benchmarks/speed_baseline.py`` re-records or
compares it.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import tfp

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

CHILE_ROLES = {
    "output": "Y",
    "free": ["fX1", "fX2"],
    "state": "sX",
    "id": "idvar",
    "time": "timevar",
}
SIM_ROLES = {"output": "y", "free": "l", "state": "k", "id": "firm", "time": "year"}
COLOMBIA_ROLES = {
    "output": "RGO",
    "free": "L",
    "state": "K",
    "flexible": "RI",
    "share": "share",
    "id": "id",
    "time": "year",
}
GNRSIM_ROLES = {
    "output": "yg",
    "state": "k",
    "flexible": "i",
    "share": "si",
    "id": "id",
    "time": "time",
}


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


def _sim(design: int, n_firms: int, seed: int, me: float = 0.0) -> pd.DataFrame:
    return tfp.datasets.acf_dgp(
        design=design, n_firms=n_firms, seed=seed, measurement_error=me
    )[0]


def _ene(n_firms: int, seed: int) -> pd.DataFrame:
    return tfp.datasets.synthetic_ene(n_firms=n_firms, seed=seed)[0]


#: name -> (data loader, estimate keyword arguments, bootstrap replicates or 0).
#: Data loaders return a fresh frame; options are built lazily (they are tfp objects).
CASES: dict[
    str, tuple[Callable[[], pd.DataFrame], Callable[[], dict[str, Any]], int]
] = {
    "chilean-op-prodest": (
        lambda: _csv("prodest_chilean.csv"),
        lambda: {
            "method": "op",
            "proxy": "inv",
            "options": tfp.OPOptions.prodest(),
            **CHILE_ROLES,
        },
        20,
    ),
    "chilean-lp-prodest": (
        lambda: _csv("prodest_chilean.csv"),
        lambda: {
            "method": "lp",
            "proxy": "pX",
            "options": tfp.LPOptions.prodest(),
            **CHILE_ROLES,
        },
        0,
    ),
    "chilean-acf-prodest": (
        lambda: _csv("prodest_chilean.csv"),
        lambda: {
            "method": "acf",
            "proxy": "pX",
            "options": tfp.ACFOptions.prodest(),
            **CHILE_ROLES,
        },
        100,
    ),
    "chilean-acf": (
        lambda: _csv("prodest_chilean.csv"),
        lambda: {"method": "acf", "proxy": "pX", **CHILE_ROLES},
        20,
    ),
    "chilean-op": (
        lambda: _csv("prodest_chilean.csv"),
        lambda: {"method": "op", "proxy": "inv", **CHILE_ROLES},
        0,
    ),
    "chilean-lp": (
        lambda: _csv("prodest_chilean.csv"),
        lambda: {"method": "lp", "proxy": "pX", **CHILE_ROLES},
        0,
    ),
    "chilean-ols": (
        lambda: _csv("prodest_chilean.csv"),
        lambda: {"method": "ols", **CHILE_ROLES},
        0,
    ),
    "colombian-gnr-gnrprod": (
        lambda: _csv("gnrprod_colombian.csv"),
        lambda: {
            "method": "gnr",
            "options": tfp.GNROptions.gnrprod(),
            **COLOMBIA_ROLES,
        },
        5,
    ),
    "colombian-gnr": (
        lambda: _csv("gnrprod_colombian.csv"),
        lambda: {"method": "gnr", **COLOMBIA_ROLES},
        0,
    ),
    "gnr-sim-500": (
        lambda: _csv("gnr_sim_500.csv"),
        lambda: {"method": "gnr", **GNRSIM_ROLES},
        0,
    ),
    "markupest-dgp3-acf": (
        lambda: _csv("prodest_markupest_dgp3_sim.csv"),
        lambda: {
            "method": "acf",
            "output": "lny",
            "free": "lnl",
            "state": "lnk",
            "proxy": "lnm1",
            "id": "firm",
            "time": "period",
        },
        0,
    ),
    "dgp1-acf": (
        lambda: _sim(1, 300, 3),
        lambda: {"method": "acf", "proxy": "m", **SIM_ROLES},
        10,
    ),
    "dgp2-acf": (
        lambda: _sim(2, 300, 3),
        lambda: {"method": "acf", "proxy": "m", **SIM_ROLES},
        0,
    ),
    "dgp3-acf-me05": (
        lambda: _sim(3, 300, 3, 0.5),
        lambda: {"method": "acf", "proxy": "m", **SIM_ROLES},
        0,
    ),
    "dgp1-acf-two-step": (
        lambda: _sim(1, 300, 4),
        lambda: {
            "method": "acf",
            "proxy": "m",
            "options": tfp.ACFOptions(weight="two-step", extra_instruments=("k",)),
            **SIM_ROLES,
        },
        0,
    ),
    "dgp1-acf-translog": (
        lambda: _sim(1, 300, 5),
        lambda: {"method": "acf", "proxy": "m", "form": "translog", **SIM_ROLES},
        0,
    ),
    "dgp1-acf-screened": (
        lambda: _sim(1, 1500, 21),
        lambda: {
            "method": "acf",
            "proxy": "m",
            "options": tfp.ACFOptions(screen_nobs=2000),
            **SIM_ROLES,
        },
        0,
    ),
    "dgp1-lp": (
        lambda: _sim(1, 300, 3),
        lambda: {"method": "lp", "proxy": "m", **SIM_ROLES},
        10,
    ),
    "dgp2-lp": (
        lambda: _sim(2, 300, 3),
        lambda: {"method": "lp", "proxy": "m", **SIM_ROLES},
        0,
    ),
    "dgp1-op": (
        lambda: _sim(1, 300, 3),
        lambda: {"method": "op", "proxy": "i", **SIM_ROLES},
        10,
    ),
    "dgp1-lp-screened": (
        lambda: _sim(1, 1500, 21),
        lambda: {
            "method": "lp",
            "proxy": "m",
            "options": tfp.LPOptions(screen_nobs=2000),
            **SIM_ROLES,
        },
        0,
    ),
    "dgp1-op-screened": (
        lambda: _sim(1, 1500, 21),
        lambda: {
            "method": "op",
            "proxy": "i",
            "options": tfp.OPOptions(screen_nobs=2000),
            **SIM_ROLES,
        },
        0,
    ),
    "dgp1-ols": (
        lambda: _sim(1, 300, 3),
        lambda: {"method": "ols", **SIM_ROLES},
        0,
    ),
    "dgp1-fe": (
        lambda: _sim(1, 300, 3),
        lambda: {"method": "fe", **SIM_ROLES},
        0,
    ),
    "ene-acf-3-inputs": (
        lambda: _ene(1500, 7),
        lambda: {
            "method": "acf",
            "output": "y",
            "free": ["ls", "lu"],
            "state": "k",
            "proxy": "m",
            "id": "firm_id",
            "time": "year",
        },
        0,
    ),
}


def estimate_case(name: str, bootstrap: bool = True) -> tuple[Any, float]:
    """``tfp.estimate`` of one case (with its bootstrap, if any) and its wall time."""
    load, kwargs_fn, reps = CASES[name]
    data = load()
    kwargs = kwargs_fn()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        res = tfp.estimate(data, se="none", **kwargs)
        seconds = time.perf_counter() - t0
        if reps and bootstrap:
            res = res.with_bootstrap(tfp.Bootstrap(reps=reps, seed=1))
    return res, seconds


def run_case(name: str) -> dict[str, Any]:
    """Run one case; return its estimate, criterion and (if any) bootstrap replicates."""
    res, seconds = estimate_case(name)
    out: dict[str, Any] = {
        "params": {k: float(v) for k, v in res.params.items()},
        "objective": float(res.objective),
        "seconds": seconds,
    }
    if res.bootstrap is not None:
        out["bootstrap"] = res.bootstrap.params.to_numpy().tolist()
    return out
