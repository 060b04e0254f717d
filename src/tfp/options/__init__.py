"""Typed, frozen, validated options of every estimator (one module per method family).

Defaults are documented in exactly one place: the class docstring of each method's options.
"""

from __future__ import annotations

from tfp.options._base import Bootstrap, MethodOptions, Optimizer, options_in_words
from tfp.options.cost_share import CostShareOptions
from tfp.options.ols import FEOptions, OLSOptions
from tfp.options.wooldridge import (
    RobinsonOptions,
    WooldridgeIVOptions,
    WooldridgeOptions,
)

__all__ = ["Bootstrap", "FEOptions", "MethodOptions", "OLSOptions", "Optimizer"]
__all__ += ["CostShareOptions", "RobinsonOptions", "WooldridgeIVOptions"]
__all__ += ["WooldridgeOptions", "options_in_words"]
from tfp.options.gnr import GNROptions  # noqa: E402

__all__ += ["GNROptions"]
from tfp.options.control_function import LPOptions, OPOptions  # noqa: E402

__all__ += ["LPOptions", "OPOptions"]
from tfp.options.acf import ACFOptions  # noqa: E402

__all__ += ["ACFOptions"]
