"""tfp: production functions and total factor productivity from firm panels.

Public names are loaded lazily so that ``import tfp`` stays light; see ``__all__``.
"""

from __future__ import annotations

import importlib
from typing import Any

from tfp._version import __version__

# public name -> module that defines it
_LAZY: dict[str, str] = {
    # estimation (filled in as estimators land)
    "estimate": "tfp.api",
    "estimate_many": "tfp.api",
    "estimate_by": "tfp.by_group",
    "ProductionResults": "tfp.results",
    "ResultsSet": "tfp.results",
    "Bootstrap": "tfp.options",
    "Optimizer": "tfp.options",
    "OLSOptions": "tfp.options",
    "FEOptions": "tfp.options",
    "WooldridgeOptions": "tfp.options",
    "WooldridgeIVOptions": "tfp.options",
    "RobinsonOptions": "tfp.options",
    "CostShareOptions": "tfp.options",
    "OPOptions": "tfp.options",
    "LPOptions": "tfp.options",
    "ACFOptions": "tfp.options",
    "GNROptions": "tfp.options",
    "markups": "tfp.productivity.markups",
    "markup_summary": "tfp.productivity.markups",
    # data in
    "make_panel": "tfp.panel",
    "Panel": "tfp.panel",
}
_SUBMODULES = {
    "app",
    "panel",
    "peru",
    "datasets",
    "productivity",
    "program",
    "report",
    "ene",
    "exceptions",
    "options",
    "results",
    "api",
    "by_group",
    "montecarlo",
    "bootstrap",
    "spec",
    "diagnostics",
}

__all__ = ["__version__", *sorted(_LAZY), *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name == "groups":  # deprecated alias of tfp.by_group (its names warn)
        return importlib.import_module("tfp.groups")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"tfp.{name}")
    raise AttributeError(f"module 'tfp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
