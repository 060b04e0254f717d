"""The reference cases of the analytic-vs-bootstrap comparison (issue 19).

Shared by ``generate_bootstrap_se.py`` (which runs the 999-replicate firm bootstrap once and
stores it in ``outputs/bootstrap_se.json``) and ``test_analytic_vs_bootstrap.py`` (which
recomputes only the analytic side).
"""

from __future__ import annotations

from typing import Any

import tfp
from tfp.options import ACFOptions, GNROptions, LPOptions, OPOptions

#: Replicates and seed of the stored bootstrap.
REPS = 999
SEED = 19

_CHILEAN = {"output": "Y", "free": ["fX1", "fX2"], "state": "sX", "id": "idvar"}
_COLOMBIAN = {
    "output": "RGO",
    "free": ["L"],
    "state": ["K"],
    "flexible": "RI",
    "share": "share",
    "id": "id",
    "time": "year",
}

#: case -> (data file in ../shared/data, estimate() keywords without se)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "op": (
        "prodest_chilean.csv",
        {**_CHILEAN, "time": "timevar", "method": "op", "proxy": "inv"},
    ),
    "op-exit": (
        "prodest_chilean.csv",
        {**_CHILEAN, "time": "timevar", "method": "op", "proxy": "inv"},
    ),
    "lp": (
        "prodest_chilean.csv",
        {**_CHILEAN, "time": "timevar", "method": "lp", "proxy": "pX"},
    ),
    "acf": (
        "prodest_chilean.csv",
        {**_CHILEAN, "time": "timevar", "method": "acf", "proxy": "pX"},
    ),
    "gnr": ("gnrprod_colombian.csv", {**_COLOMBIAN, "method": "gnr"}),
    "gnr-gnrprod": ("gnrprod_colombian.csv", {**_COLOMBIAN, "method": "gnr"}),
}


def options(case: str) -> Any:
    """The options of ``case`` (built fresh: options objects are cheap and immutable)."""
    return {
        "op": OPOptions.prodest(),
        "op-exit": OPOptions.prodest(exit_correction=True),
        "lp": LPOptions.prodest(),
        "acf": ACFOptions.prodest(),
        "gnr": GNROptions(),
        "gnr-gnrprod": GNROptions.gnrprod(),
    }[case]


def estimate(case: str, data: Any, se: Any) -> Any:
    """``tfp.estimate`` of ``case`` on ``data`` with inference ``se``."""
    _, kwargs = CASES[case]
    return tfp.estimate(data, options=options(case), se=se, **kwargs)
