"""The public entry points :func:`estimate` and :func:`estimate_many`.

``estimate`` validates the request, builds the frozen :class:`~tfp.spec.ProductionSpec` and the
validated :class:`~tfp.panel.Panel`, dispatches to the method's ``fit`` function, runs the
requested inference and attaches labels to build :class:`~tfp.results.ProductionResults`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from tfp._frozen import FrozenDict
from tfp._literals import validate_literal
from tfp._progress import check_progress, tracker
from tfp.diagnostics import Diagnostics, diagnose, emit
from tfp.estimators.fit import Fit
from tfp.estimators.registry import (
    REGISTRY,
    check_methods,
    method_keys,
    method_record,
)
from tfp.exceptions import (
    ConvergenceWarning,
    IdentificationError,
    SpecificationError,
    TFPWarning,
)
from tfp.numerics.inference import Inference
from tfp.options._base import Bootstrap
from tfp.panel import Panel, check_binary, check_frame, make_panel, warn_dropped
from tfp.results import ProductionResults, ResultsSet
from tfp.spec import ProductionSpec, as_names

__all__ = ["estimate", "estimate_many"]

#: drop reasons inherent in a method (each firm's first period has no lag): counted in
#: ``results.dropped`` but no warning on their own
EXPECTED_DROPS = frozenset({"first_period_lag"})

#: The stacked covariance describes the estimator only at a solution of its estimating
#: equations: when the Newton step of the whole system from the estimate exceeds this many
#: standard errors, the optimizer stopped short (or at a kink) and ``se="auto"`` bootstraps.
STATIONARY_STEP = 0.05


#: Seed of the bootstrap that ``se="auto"`` runs, so that two identical calls give identical
#: results (the number of PP 0093; any fixed value would do). It is recorded on the results
#: (``results.bootstrap.seed_entropy``, the summary's Inference section, ``to_dict()``);
#: pass ``se=tfp.Bootstrap(seed=...)`` for another, or ``seed=None`` for fresh entropy.
AUTO_BOOTSTRAP_SEED = 93


def _auto_bootstrap() -> Bootstrap:
    return Bootstrap(seed=AUTO_BOOTSTRAP_SEED)


def __getattr__(name: str) -> Any:
    if (
        name == "METHOD_TABLE"
    ):  # deprecated: string paths; the typed registry replaces it
        warnings.warn(
            "tfp.api.METHOD_TABLE is deprecated; use tfp.estimators.registry.REGISTRY",
            FutureWarning,
            stacklevel=2,
        )
        return FrozenDict(
            (m, tuple(f"{o.__module__}:{o.__name__}" for o in (r.fit, r.options)))
            for m, r in REGISTRY.items()
        )
    raise AttributeError(f"module 'tfp.api' has no attribute {name!r}")


def _resolve_options(method: str, options: Any) -> Any:
    cls = REGISTRY[method].options
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
        return "analytic" if method_record(method).analytic else _auto_bootstrap()
    return str(se)


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
    levels: bool | str | Sequence[str] = False,
    options: Any = None,
    se: str | Bootstrap = "auto",
    progress: bool | None = None,
) -> ProductionResults:
    """Estimate a production function.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per firm and period; never modified. Inputs and output in logs.
    method : {'ols', 'fe', 'wrdg', 'wrdg-iv', 'rob', 'cost-share', 'op', 'lp', 'acf', 'gnr'}
        Estimator; case is ignored (``"LP"`` is ``"lp"``).
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
    levels : bool, str or sequence of str, default False
        Columns given in levels (soles, workers) rather than logs: tfp takes the logs. ``True``
        means the output, every input and the proxies; or name the columns. Rows where one of
        them is zero or negative are left out and counted (reason ``nonpositive``, with a
        :class:`~tfp.exceptions.DroppedObservationsWarning`). Recorded in ``results.spec``.
    options : MethodOptions, optional
        The method's options (e.g. ``tfp.ACFOptions(...)``); must match ``method``.
    se : {'auto', 'analytic', 'none'} or Bootstrap
        Inference. ``analytic`` is the firm-clustered covariance: closed form for ols, fe,
        wrdg, wrdg-iv and rob; for op, lp, acf and gnr the sandwich of the stacked two-step
        estimating equations (first stage, exit model, second stage; Ackerberg, Chen & Hahn
        2012), ``results.se_type`` then reads ``analytic (stacked two-step, ...)``.
        ``auto`` is the analytic covariance where it is valid and
        ``Bootstrap(seed=AUTO_BOOTSTRAP_SEED)`` (199 firm-cluster replicates, a fixed seed:
        two identical calls give identical results) where it is not: cost-share, wrdg-iv
        without an instrumented constant, a singular stacked system, or an estimate that is
        not a solution of its estimating equations (the reason is appended to ``se_type``
        and shown by ``summary()``, with the seed).
    progress : bool or None
        A progress bar for the bootstrap. ``None`` (default): shown when the bootstrap has
        run for a second in a terminal or notebook, with a line saying what runs (e.g.
        that ``se="auto"`` chose 199 replicates); never in a pipeline (standard error not a
        terminal). ``True``: always; ``False``: never. The results are the same either way.

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
    record = method_record(method)
    method = record.code
    check_progress(progress)
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
        levels=_levels(levels, output, free, state, flexible, proxy),
    )
    opts = _resolve_options(method, options)
    se_choice = _resolve_se(method, se)
    extra_cols = tuple(c for c in opts.columns() if c not in spec.columns())
    panel = make_panel(
        data,
        id=id,
        time=time,
        columns=(*spec.columns(), *extra_cols),
        positive=spec.levels,
        warn=False,
    ).logged(spec.levels)
    _check_rows_left(panel)
    _check_exit_indicator(panel, spec.exit)
    # single-threaded BLAS, as in the bootstrap: the products here are tall and thin, where a
    # second thread saves little and, on a shared machine, spins (a 48,000 x 35 Gram matrix
    # costs 10-60x the CPU time with two threads under load); and no sum then depends on a
    # thread count
    with threadpool_limits(limits=1, user_api="blas"):
        fit = record.fit(panel, spec, opts)
        fallback = None
        if se_choice == "analytic" and fit.vcov is None and record.covariance:
            fit, fallback = _stacked_vcov(record.covariance, panel, spec, opts, fit, se)
    if se == "auto" and se_choice == "analytic" and fit.vcov is None:
        se_choice = _auto_bootstrap()  # no (valid) analytic covariance here
    results = _build_results(method, spec, opts, panel, fit, se_choice)
    dropped = dict(results.dropped)
    if any(v for k, v in dropped.items() if k not in EXPECTED_DROPS):
        warn_dropped(dropped, panel.n_input, stacklevel=3)
    # notes of a numerical search are convergence warnings; others are plain notices
    category = (
        TFPWarning if fit.convergence.method == "closed form" else ConvergenceWarning
    )
    for msg in results.diagnostics.notes:
        warnings.warn(msg, category, stacklevel=2)
    # the checks (after the bootstrap, which runs them: plausibility allows for the standard
    # errors); each failed one is one UnreliableEstimateWarning naming the input, the problem
    # and the fix
    if isinstance(se_choice, Bootstrap):
        note = ""
        if isinstance(se, str):  # the bootstrap was not asked for by name: say so
            note = (
                f"se={se!r} for method {method!r} runs a firm-cluster bootstrap: "
                f"{se_choice.reps} replicates (seed {se_choice.seed}) on "
                f"{results.nobs:,} rows of {results.n_firms:,} firms (se='none' skips it; "
                "se=tfp.Bootstrap(reps=..., seed=...) chooses)"
                + (f"; {fallback}" if fallback else "")
            )
        results = results._bootstrapped(se_choice, progress=progress, note=note)
        if fallback:
            inference = dataclasses.replace(results.inference, note=fallback)
            results = results.replace(inference=inference)
    else:
        results = results.replace(diagnostics=diagnose(results))
    emit(results.diagnostics, stacklevel=2)
    return results


def _stacked_vcov(
    covariance: Any, panel: Panel, spec: ProductionSpec, opts: Any, fit: Fit, se: Any
) -> tuple[Fit, str | None]:
    """The fit with the stacked two-step covariance, or (``se="auto"``) unchanged with the
    reason the analytic covariance is not used; an explicit ``se="analytic"`` raises
    instead, or keeps the covariance with a diagnostic when the estimate is not a solution
    of its estimating equations."""
    auto = se == "auto"
    try:
        rc = covariance(panel, spec, opts, fit)
    except IdentificationError as err:
        if not auto:
            raise
        return fit, f"analytic not used: {err.args[0]}"
    if not rc.step_ratio <= STATIONARY_STEP:
        msg = (
            f"the estimate is not a solution of the estimating equations (a Newton step "
            f"of {rc.step_ratio:.2g} standard errors remains), so the analytic covariance "
            "does not describe it"
        )
        if auto:
            return fit, f"analytic not used: {msg}"
        diagnostics = (*fit.diagnostics, f"{msg}; tighten the optimizer or bootstrap")
        fit = dataclasses.replace(fit, diagnostics=diagnostics)
    inference = Inference.analytic("stacked", spec.id)
    return dataclasses.replace(fit, vcov=rc.vcov, inference=inference), None


def _levels(
    levels: object,
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    flexible: str | Sequence[str] | None,
    proxy: str | Sequence[str] | None,
) -> tuple[str, ...]:
    """The columns named by ``levels=`` (``True``: output, inputs and proxies)."""
    if levels is False or levels is None:
        return ()
    if levels is True:
        cols = [
            output,
            *as_names(free, role="free"),
            *as_names(state, role="state"),
            *as_names(flexible, role="flexible"),
            *as_names(proxy, role="proxy"),
        ]
        return tuple(dict.fromkeys(cols))
    if isinstance(levels, bool | int | float):
        raise SpecificationError(
            f"levels must be True, False or column names, got {levels!r}",
            fix="pass levels=True or levels=['k', 'y']",
        )
    return as_names(levels, role="levels")  # type: ignore[arg-type]


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
    if exit is not None:
        check_binary(panel[exit], exit)


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
    inference = Inference()
    if se_choice == "analytic" and fit.vcov is not None:
        vcov = pd.DataFrame(np.asarray(fit.vcov), index=names, columns=names)
        inference = fit.inference or Inference.analytic("cluster", spec.id)
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
        inference=inference,
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
        details=fit.details,
        diagnostics=Diagnostics((), tuple(fit.diagnostics)),
        _panel=panel,
        _fit=fit,
    )


def estimate_many(
    data: pd.DataFrame,
    *,
    methods: Sequence[str],
    options: Mapping[str, Any] | None = None,
    roles_by_method: Mapping[str, Mapping[str, Any]] | None = None,
    se: str | Bootstrap | Mapping[str, str | Bootstrap] = "auto",
    progress: bool | None = None,
    **roles: Any,
) -> ResultsSet:
    """Estimate several methods on the same data and roles; returns a :class:`ResultsSet`.

    Parameters
    ----------
    data : pandas.DataFrame
        As in :func:`estimate`.
    methods : sequence of str
        Method codes (any case), in the order of the table's columns.
    options : mapping, optional
        Method code → options object.
    roles_by_method : mapping, optional
        Method code → role overrides, e.g. ``{"op": {"proxy": "inv"}}``.
    se : str, Bootstrap or mapping
        As in :func:`estimate`, or one per method.
    progress : bool or None
        A bar over the methods, with each bootstrap's bar under it; as in
        :func:`estimate` (``None``: when the work runs long in a terminal or notebook).
    **roles
        The roles shared by every method (``output``, ``free``, ``state``, ``id``, ``time`` …).
    """
    methods = check_methods(methods)
    options = method_keys(_check_mapping(options, "options"))
    roles_by_method = method_keys(_check_mapping(roles_by_method, "roles_by_method"))
    se_by_method = (
        method_keys(_check_mapping(se, "se")) if isinstance(se, Mapping) else {}
    )
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
    check_progress(progress)
    data = check_frame(data)  # a polars … frame is read once, not once per method
    out: dict[str, ProductionResults] = {}
    with tracker("estimate_many", len(methods), progress=progress) as bar:
        for m in methods:
            bar.update(description=REGISTRY[m].label)
            se_m = se_by_method.get(m, "auto") if isinstance(se, Mapping) else se
            kwargs = {**roles, **roles_by_method.get(m, {})}
            out[m] = estimate(
                data,
                method=m,
                options=options.get(m),
                se=se_m,
                progress=progress,
                **kwargs,
            )
            bar.advance()
    return ResultsSet(out)


#: keyword arguments of :func:`estimate` that ``estimate_many`` passes through as roles
#: (the fields of :class:`~tfp.spec.ProductionSpec`, so the two cannot drift apart)
ROLE_KEYWORDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(ProductionSpec) if f.init
)


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
