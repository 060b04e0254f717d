"""The public entry points :func:`estimate` and :func:`estimate_many`.

``estimate`` validates the request, builds the frozen :class:`~tfp.spec.ProductionSpec` and the
validated :class:`~tfp.panel.Panel`, dispatches to the method's ``fit`` function, runs the
requested inference and attaches labels to build :class:`~tfp.results.ProductionResults`.
"""

from __future__ import annotations

import dataclasses
import importlib
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from tfp._frozen import FrozenDict
from tfp._literals import METHODS, validate_literal
from tfp.estimators.base import Fit
from tfp.exceptions import (
    ConvergenceWarning,
    DataError,
    IdentificationError,
    SpecificationError,
    TFPWarning,
)
from tfp.options._base import Bootstrap
from tfp.panel import Panel, make_panel, warn_dropped
from tfp.results import ProductionResults, ResultsSet
from tfp.spec import ProductionSpec, as_names

__all__ = ["METHOD_TABLE", "estimate", "estimate_many"]

#: method -> (estimator function "module:function", options class "module:Class")
METHOD_TABLE: Mapping[str, tuple[str, str]] = FrozenDict(
    {
        "ols": ("tfp.estimators.ols:fit_ols", "tfp.options.ols:OLSOptions"),
        "fe": ("tfp.estimators.ols:fit_fe", "tfp.options.ols:FEOptions"),
        "wrdg": (
            "tfp.estimators.wooldridge:fit_gmm",
            "tfp.options.wooldridge:WooldridgeOptions",
        ),
        "wrdg-iv": (
            "tfp.estimators.wooldridge:fit_iv",
            "tfp.options.wooldridge:WooldridgeIVOptions",
        ),
        "rob": (
            "tfp.estimators.wooldridge:fit_rob",
            "tfp.options.wooldridge:RobinsonOptions",
        ),
        "cost-share": (
            "tfp.estimators.cost_share:fit",
            "tfp.options.cost_share:CostShareOptions",
        ),
        "op": (
            "tfp.estimators.control_function:fit_op",
            "tfp.options.control_function:OPOptions",
        ),
        "lp": (
            "tfp.estimators.control_function:fit_lp",
            "tfp.options.control_function:LPOptions",
        ),
        "acf": ("tfp.estimators.acf:fit", "tfp.options.acf:ACFOptions"),
        "gnr": ("tfp.estimators.gnr:fit", "tfp.options.gnr:GNROptions"),
    }
)

#: drop reasons inherent in a method (each firm's first period has no lag): counted in
#: ``results.dropped`` but no warning on their own
EXPECTED_DROPS = frozenset({"first_period_lag"})

#: methods whose ``se="auto"`` is the analytic covariance (the others bootstrap)
ANALYTIC_METHODS = frozenset({"ols", "fe", "wrdg", "wrdg-iv", "rob"})


def _load(path: str, method: str) -> Any:
    module, name = path.split(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise SpecificationError(
            f"method {method!r} is not available in this version of tfp",
            fix=f"choose one of {sorted(_available_methods())}",
        ) from None


def _available_methods() -> list[str]:
    out = []
    for m, (fn, _) in METHOD_TABLE.items():
        module, name = fn.split(":")
        try:
            if hasattr(importlib.import_module(module), name):
                out.append(m)
        except ImportError:
            continue
    return out


def _resolve_options(method: str, options: Any) -> Any:
    cls = _load(METHOD_TABLE[method][1], method)
    if options is None:
        return cls()
    if not hasattr(options, "check_method"):
        raise SpecificationError(
            f"options must be an options object such as {cls.__name__}(...), got {type(options).__name__}",
            fix=f"pass options=tfp.{cls.__name__}(...) or leave options=None",
        )
    options.check_method(method)
    return options


def _resolve_se(method: str, se: Any) -> Bootstrap | str:
    if isinstance(se, Bootstrap):
        return se
    validate_literal(se, ("auto", "analytic", "none"), name="se")
    if se == "auto":
        return "analytic" if method in ANALYTIC_METHODS else Bootstrap()
    return str(se)


def _fit_function(method: str) -> Any:
    return _load(METHOD_TABLE[method][0], method)


def _replicate_options(
    method: str, options: Any, params: np.ndarray, spec: ProductionSpec
) -> Any:
    """Options for bootstrap replicates: the estimator module's ``bootstrap_options`` hook
    (e.g. one start at the point estimate) when it has one, else the options unchanged."""
    module = importlib.import_module(METHOD_TABLE[method][0].split(":")[0])
    hook = getattr(module, "bootstrap_options", None)
    return options if hook is None else hook(options, params, spec)


def estimate(
    data: pd.DataFrame,
    *,
    method: str,
    output: str,
    free: str | Sequence[str] = (),
    state: str | Sequence[str] = (),
    proxy: str | Sequence[str] | None = None,
    flexible: str | Sequence[str] | None = None,
    control: str | Sequence[str] = (),
    exit: str | None = None,
    share: str | None = None,
    id: str,
    time: str,
    form: str = "cobb-douglas",
    options: Any = None,
    se: str | Bootstrap = "auto",
) -> ProductionResults:
    """Estimate a production function.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per firm and period; never modified. Inputs and output in logs.
    method : {'ols', 'fe', 'wrdg', 'wrdg-iv', 'rob', 'cost-share', 'op', 'lp', 'acf', 'gnr'}
        Estimator.
    output : str
        Log output column (value added, or gross output when ``flexible`` is given).
    free, state : str or sequence of str
        Free (labour) and state (capital) inputs.
    proxy : str or sequence of str, optional
        Proxy for productivity (OP: investment; LP/ACF: intermediate inputs).
    flexible : str or sequence of str, optional
        Gross output: flexible inputs that enter the production function.
    control : str or sequence of str
        Extra regressors (e.g. dummies).
    exit : str, optional
        OP attrition indicator.
    share : str, optional
        GNR log revenue share of the flexible input.
    id, time : str
        Firm and period columns.
    form : {'cobb-douglas', 'translog'}
        Functional form.
    options : MethodOptions, optional
        The method's options (e.g. ``tfp.ACFOptions(...)``); must match ``method``.
    se : {'auto', 'analytic', 'none'} or Bootstrap
        Inference. ``auto`` is the analytic clustered covariance for ols, fe, wrdg, wrdg-iv
        and rob, and ``Bootstrap()`` (199 firm-cluster replicates) for the others.

    Returns
    -------
    ProductionResults

    Examples
    --------
    OLS on the ACF (2015) design shows the classic upward bias of the labour coefficient
    (the truth is 0.6 and 0.4):

    >>> import tfp
    >>> data, truth = tfp.datasets.acf_dgp(design=1, n_firms=200, seed=1)
    >>> res = tfp.estimate(data, method="ols", output="y", free="l", state="k",
    ...                    id="firm", time="year")
    >>> res.params[["l", "k"]].round(2).to_dict()
    {'l': 0.93, 'k': 0.09}
    >>> res.nobs, res.se_type
    (2000, 'analytic (cluster by firm)')
    """
    validate_literal(method, METHODS, name="method")
    spec = ProductionSpec(
        output=output,
        free=as_names(free, role="free"),
        state=as_names(state, role="state"),
        flexible=as_names(flexible, role="flexible"),
        proxy=as_names(proxy, role="proxy"),
        control=as_names(control, role="control"),
        exit=exit,
        share=share,
        id=id,
        time=time,
        form=form,
    )
    opts = _resolve_options(method, options)
    se_choice = _resolve_se(method, se)
    extra_cols = tuple(c for c in opts.columns() if c not in spec.columns())
    panel = make_panel(
        data, id=id, time=time, columns=(*spec.columns(), *extra_cols), warn=False
    )
    _check_rows_left(panel)
    _check_exit_indicator(panel, spec.exit)
    fit_fn = _fit_function(method)
    # single-threaded BLAS, as in the bootstrap: the products here are tall and thin, where a
    # second thread saves little and, on a shared machine, spins (a 48,000 x 35 Gram matrix
    # costs 10-60x the CPU time with two threads under load); and no sum then depends on a
    # thread count
    with threadpool_limits(limits=1, user_api="blas"):
        fit: Fit = fit_fn(panel, spec, opts)
    if se == "auto" and se_choice == "analytic" and fit.vcov is None:
        se_choice = Bootstrap()  # this specification has no analytic covariance
    results = _build_results(method, spec, opts, panel, fit, se_choice)
    dropped = dict(results.dropped)
    if any(v for k, v in dropped.items() if k not in EXPECTED_DROPS):
        warn_dropped(dropped, panel.n_input, stacklevel=3)
    # diagnostics of a numerical search are convergence warnings; others are plain notices
    category = (
        TFPWarning if fit.convergence.method == "closed form" else ConvergenceWarning
    )
    for msg in results.diagnostics:
        warnings.warn(msg, category, stacklevel=2)
    if isinstance(se_choice, Bootstrap):
        results = _attach_bootstrap(results, se_choice)
    return results


def _check_rows_left(panel: Panel) -> None:
    """Raise when no row survives validation, before an estimator sees an empty sample."""
    if panel.nobs:
        return
    if panel.n_input == 0:
        raise IdentificationError(
            "the data have no rows",
            fix="pass a DataFrame with one row per firm and period",
        )
    reasons = {k: int(v) for k, v in panel.dropped.items() if v}
    raise IdentificationError(
        f"none of the {panel.n_input} rows is usable (left out by reason: {reasons})",
        column=", ".join(sorted(panel.values)) or None,
        fix="check the named columns for missing, infinite or non-positive values",
    )


def _check_exit_indicator(panel: Panel, exit: str | None) -> None:
    """Raise unless the exit column holds only 0 and 1 (rows with NaN are already dropped)."""
    if exit is None:
        return
    values = panel[exit]
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        raise DataError(
            f"the exit indicator must be 0 or 1; {int(bad.sum())} row(s) hold other values, "
            f"e.g. {float(values[bad][0]):g}",
            column=exit,
            fix="code it 1 in the period the firm exits (or its last period) and 0 otherwise",
        )


def _build_results(
    method: str,
    spec: ProductionSpec,
    opts: Any,
    panel: Panel,
    fit: Fit,
    se_choice: Bootstrap | str,
) -> ProductionResults:
    names = list(fit.names)
    params = pd.Series(
        np.asarray(fit.params, dtype=np.float64), index=names, name="estimate"
    )
    if se_choice == "analytic" and fit.vcov is None:
        raise SpecificationError(
            f"method {method!r} has no analytic covariance",
            fix="pass se=tfp.Bootstrap(reps=..., seed=...) or se='none'",
        )
    vcov = None
    se_type = "none"
    if se_choice == "analytic" and fit.vcov is not None:
        vcov = pd.DataFrame(np.asarray(fit.vcov), index=names, columns=names)
        vcov_kind = getattr(opts, "vcov", "cluster")
        se_type = f"analytic ({'cluster by ' + spec.id if vcov_kind == 'cluster' else vcov_kind})"
    sample_mask = np.asarray(fit.sample, dtype=bool)
    dropped = dict(panel.dropped)
    for k, v in fit.dropped.items():
        if v:
            dropped[k] = dropped.get(k, 0) + int(v)
    sample = pd.Series(
        np.zeros(panel.n_input, dtype=bool), index=panel.input_index, name="sample"
    )
    sample.iloc[panel.rows[sample_mask]] = True
    firms = panel.firm[sample_mask]  # sorted codes: distinct values are the changes
    times = panel.time[sample_mask]
    span = int(times.max() - times.min()) + 1 if times.size else 0
    n_periods = (  # a count per period when periods are dense integers (years): O(n)
        int(np.count_nonzero(np.bincount(times - times.min())))
        if 0 < span <= max(times.size, 1024)
        else int(np.unique(times).shape[0])
    )
    return ProductionResults(
        method=method,
        spec=spec,
        options=opts,
        se_type=se_type,
        params=params,
        vcov=vcov,
        nobs=int(sample_mask.sum()),
        n_firms=int(firms.size and 1 + np.count_nonzero(np.diff(firms))),
        n_periods=n_periods,
        dropped=FrozenDict(dropped),
        sample=sample,
        convergence=fit.convergence,
        objective=fit.objective,
        bootstrap=None,
        first_stage=FrozenDict(dict(fit.first_stage)),
        extra=FrozenDict(dict(fit.extra)),
        diagnostics=tuple(fit.diagnostics),
        se_kind=fit.se_kind if vcov is not None else "normal",
        df_resid=fit.df_resid,
        _panel=panel,
        _fit=fit,
    )


def _attach_bootstrap(results: ProductionResults, boot: Any) -> ProductionResults:
    """New results with bootstrap draws and the bootstrap covariance."""
    from tfp.bootstrap import run_bootstrap

    if not isinstance(boot, Bootstrap):
        raise SpecificationError(
            f"expected a tfp.Bootstrap, got {type(boot).__name__}",
            fix="pass tfp.Bootstrap(reps=..., seed=...)",
        )
    panel = results._panel
    if panel is None:
        raise SpecificationError(
            "these results carry no data", fix="re-run tfp.estimate"
        )
    names = tuple(results.params.index)
    rep_options = _replicate_options(
        results.method, results.options, results.params.to_numpy(), results.spec
    )
    draws = run_bootstrap(
        panel, results.spec, rep_options, _fit_function(results.method), names, boot
    )
    vcov = draws.vcov.reindex(index=list(names), columns=list(names))
    return results.replace(
        bootstrap=draws,
        vcov=vcov,
        se_type=f"bootstrap ({draws.reps} reps, cluster by {results.spec.id})",
        se_kind="normal",
    )


def estimate_many(
    data: pd.DataFrame,
    *,
    methods: Sequence[str],
    options: Mapping[str, Any] | None = None,
    roles_by_method: Mapping[str, Mapping[str, Any]] | None = None,
    se: str | Bootstrap | Mapping[str, str | Bootstrap] = "auto",
    **roles: Any,
) -> ResultsSet:
    """Estimate several methods on the same data and roles; returns a :class:`ResultsSet`.

    Parameters
    ----------
    data : pandas.DataFrame
        As in :func:`estimate`.
    methods : sequence of str
        Method codes, in the order of the table's columns.
    options : mapping, optional
        Method code → options object.
    roles_by_method : mapping, optional
        Method code → role overrides, e.g. ``{"op": {"proxy": "inv"}}``.
    se : str, Bootstrap or mapping
        As in :func:`estimate`, or one per method.
    **roles
        The roles shared by every method (``output``, ``free``, ``state``, ``id``, ``time`` …).
    """
    methods = _check_methods(methods)
    options = _check_mapping(options, "options")
    roles_by_method = _check_mapping(roles_by_method, "roles_by_method")
    se_by_method = _check_mapping(se, "se") if isinstance(se, Mapping) else {}
    for key in [*options, *roles_by_method, *se_by_method]:
        if key not in methods:
            raise SpecificationError(
                f"options, roles or se given for {key!r}, which is not in methods={list(methods)}",
                fix="add the method to methods or remove its entry",
            )
    _check_roles(roles, "estimate_many")
    for m, overrides in roles_by_method.items():
        _check_roles(
            _check_mapping(overrides, f"roles_by_method[{m!r}]"), "roles_by_method"
        )
    out: dict[str, ProductionResults] = {}
    for m in methods:
        se_m = se.get(m, "auto") if isinstance(se, Mapping) else se
        kwargs = {**roles, **roles_by_method.get(m, {})}
        out[m] = estimate(data, method=m, options=options.get(m), se=se_m, **kwargs)
    return ResultsSet(out)


#: keyword arguments of :func:`estimate` that ``estimate_many`` passes through as roles
#: (the fields of :class:`~tfp.spec.ProductionSpec`, so the two cannot drift apart)
ROLE_KEYWORDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(ProductionSpec) if f.init
)


def _check_methods(methods: object) -> list[str]:
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
    for m in out:
        validate_literal(m, METHODS, name="method")
    repeated = sorted({m for m in out if out.count(m) > 1})
    if repeated:
        raise SpecificationError(
            f"methods names {repeated} more than once; results are keyed by method",
            fix="list each method once (call estimate() for variants of one method)",
        )
    return out


def _check_mapping(value: object, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SpecificationError(
            f"{name} must be a mapping keyed by method code, got {type(value).__name__}",
            fix=f"pass e.g. {name}={{'acf': ...}}",
        )
    return dict(value)


def _check_roles(roles: Mapping[str, Any], where: str) -> None:
    unknown = [k for k in roles if k not in ROLE_KEYWORDS]
    if unknown:
        hint = (
            " (estimate_many takes methods=[...], not method=)"
            if "method" in unknown
            else ""
        )
        raise SpecificationError(
            f"{where} got unknown role keyword(s) {unknown}{hint}",
            fix=f"use only {list(ROLE_KEYWORDS)}",
        )
