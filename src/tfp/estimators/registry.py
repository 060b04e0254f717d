"""The method registry: one typed record per estimation method.

The method codes are the values of :data:`tfp._literals.Method`; this module maps each one to
its fit function, options class, display label and inference defaults. :mod:`tfp.api`, the
bootstrap of :mod:`tfp.results` and the summaries look methods up here, and every list of
methods in the package derives from it or from the literal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tfp import options as o
from tfp._frozen import FrozenDict
from tfp._literals import Method, method_code
from tfp.estimators import (
    acf,
    acf_se,
    control_function,
    control_function_se,
    cost_share,
    gnr,
    gnr_se,
    ols,
    wooldridge,
)
from tfp.estimators.fit import Fit
from tfp.exceptions import SpecificationError
from tfp.numerics.stacked import ReportedCovariance
from tfp.options._base import MethodOptions
from tfp.panel import Panel
from tfp.spec import ProductionSpec

__all__ = ["REGISTRY", "MethodRecord", "check_methods", "method_keys", "method_record"]

#: ``fit(panel, spec, options) -> Fit``
FitFunction = Callable[[Panel, ProductionSpec, Any], Fit]
#: ``replicate_options(options, params, spec) -> options`` of a bootstrap replicate
ReplicateOptions = Callable[[Any, np.ndarray, ProductionSpec], Any]
#: ``covariance(panel, spec, options, fit) -> ReportedCovariance``: the analytic covariance
#: of a two-step estimate, computed after the fit
Covariance = Callable[[Panel, ProductionSpec, Any, Fit], ReportedCovariance]


@dataclass(frozen=True)
class MethodRecord:
    """What tfp knows about one estimation method.

    Attributes
    ----------
    code : str
        Method code passed as ``tfp.estimate(method=...)``.
    label : str
        Name shown in summaries and comparison tables.
    fit : callable
        ``fit(panel, spec, options) -> Fit``.
    options : type
        Its options class (:class:`~tfp.options.MethodOptions` subclass).
    analytic : bool
        ``se="auto"`` uses the method's analytic covariance where it is valid (else a firm
        bootstrap).
    replicate_options : callable or None
        Options of a bootstrap replicate from the point estimate (e.g. one start at it);
        None runs replicates with the options of the estimate.
    covariance : callable or None
        Two-step methods: the firm-clustered sandwich of the stacked estimating equations
        (``Fit.vcov`` is None), ``covariance(panel, spec, options, fit)``; None when the fit
        carries its own covariance or has none.
    """

    code: Method
    label: str
    fit: FitFunction
    options: type[MethodOptions]
    analytic: bool
    replicate_options: ReplicateOptions | None = None
    covariance: Covariance | None = None


_R = MethodRecord
_CF = control_function
_CF_REPLICATE = control_function.bootstrap_options
_CF_SE = control_function_se.analytic_covariance

#: Method code -> record, in the order of :data:`tfp._literals.METHODS` (checked by a test).
REGISTRY: Mapping[str, MethodRecord] = FrozenDict(
    (r.code, r)
    for r in (
        _R("ols", "OLS", ols.fit_ols, o.OLSOptions, True),
        _R("fe", "Fixed effects", ols.fit_fe, o.FEOptions, True),
        _R("wrdg", "Wooldridge (GMM)", wooldridge.fit_gmm, o.WooldridgeOptions, True),
        _R(
            "wrdg-iv", "Wooldridge (IV)", wooldridge.fit_iv, o.WooldridgeIVOptions, True
        ),
        _R("rob", "Robinson-Wooldridge", wooldridge.fit_rob, o.RobinsonOptions, True),
        _R("cost-share", "Cost shares", cost_share.fit, o.CostShareOptions, False),
        _R("op", "Olley-Pakes", _CF.fit_op, o.OPOptions, True, _CF_REPLICATE, _CF_SE),
        _R(
            "lp",
            "Levinsohn-Petrin",
            _CF.fit_lp,
            o.LPOptions,
            True,
            _CF_REPLICATE,
            _CF_SE,
        ),
        _R(
            "acf",
            "Ackerberg-Caves-Frazer",
            acf.fit,
            o.ACFOptions,
            True,
            acf.bootstrap_options,
            acf_se.analytic_covariance,
        ),
        _R(
            "gnr",
            "Gandhi-Navarro-Rivers",
            gnr.fit,
            o.GNROptions,
            True,
            None,
            gnr_se.analytic_covariance,
        ),
    )
)


def method_record(method: object) -> MethodRecord:
    """The record of ``method`` (any case: ``"LP"`` is ``"lp"``); a SpecificationError
    lists the codes when it is unknown."""
    return REGISTRY[method_code(method)]


def check_methods(methods: object) -> list[str]:
    """A list of distinct method codes (any case in, canonical codes out), each checked
    against the registry."""
    if isinstance(methods, str) or not isinstance(methods, Sequence):
        raise SpecificationError(
            f"methods must be a list of method codes, got {methods!r}",
            fix=f"pass e.g. methods=[{methods!r}]"
            if isinstance(methods, str)
            else "pass e.g. methods=['ols', 'fe', 'acf']",
        )
    out = list(methods)
    if not out:
        raise SpecificationError(
            "methods is empty", fix="pass at least one method, e.g. methods=['ols']"
        )
    out = [method_record(m).code for m in out]
    repeated = sorted({m for m in out if out.count(m) > 1})
    if repeated:
        raise SpecificationError(
            f"methods names {repeated} more than once; results are keyed by method",
            fix="list each method once (call estimate() for variants of one method)",
        )
    return out


def method_keys(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """``mapping`` with method-code keys in their canonical case (``"LP"`` → ``"lp"``);
    other keys are kept as given (the caller reports them)."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        try:
            out[method_record(key).code] = value
        except SpecificationError:
            out[key] = value
    return out
