"""One estimation per group (sector × year, region …), in parallel on one machine or on Dask.

:func:`estimate_by` splits the data by the values of ``by`` and runs :func:`tfp.estimate` on
each group. Groups run serially, in joblib workers (``n_jobs``, honouring an active
``joblib.parallel_config`` backend) or on a Dask cluster (``client=`` or an active
``joblib.parallel_config(backend="dask")``). Each group's rows travel to the worker once.

Results do not depend on where or in how many workers the groups run:

* each group's bootstrap seed is drawn from its own stream,
  ``SeedSequence(root).spawn(n_groups)[g]`` with ``g`` the group's position in sorted group
  order, and recorded on the group's results (``results.bootstrap.seed_entropy``);
* every group runs with single-threaded BLAS, so no floating-point sum depends on the thread
  count;
* warnings raised inside a group are collected and re-emitted in the caller in group order,
  prefixed by the group label.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tfp._checks import check_n_jobs
from tfp._literals import method_code, validate_literal
from tfp._progress import as_finished, check_progress, tracker
from tfp.api import ROLE_KEYWORDS, _resolve_se, estimate
from tfp.bootstrap import dask_client
from tfp.exceptions import DataError, SpecificationError, TFPError, TFPWarning
from tfp.options._base import Bootstrap
from tfp.panel import check_columns, check_frame
from tfp.results import ProductionResults, ResultsSet

__all__ = ["estimate_by", "group_seeds"]

#: Role keywords whose values name data columns.
_ROLE_KEYS = tuple(k for k in ROLE_KEYWORDS if k not in ("form", "levels"))

GroupOutcome = tuple[
    str, ProductionResults | None, str, list[tuple[type[Warning], str]]
]


def group_seeds(seed: int | None, n_groups: int) -> tuple[int, list[int]]:
    """Root entropy and one bootstrap seed per group, from ``SeedSequence(seed).spawn``.

    Parameters
    ----------
    seed : int or None
        Root seed; ``None`` draws fresh entropy (returned, so the run can be repeated).
    n_groups : int
        Number of groups.

    Returns
    -------
    root : int
        Entropy of the root :class:`numpy.random.SeedSequence`.
    seeds : list of int
        Seed of group ``g`` (64-bit, non-negative): the same for any number of workers.
    """
    ss = np.random.SeedSequence(seed)
    seeds = [
        int(child.generate_state(1, dtype=np.uint64)[0]) for child in ss.spawn(n_groups)
    ]
    return int(ss.entropy), seeds  # type: ignore[arg-type]


def _label(by: Sequence[str], key: tuple[Any, ...]) -> str:
    return ", ".join(f"{col}={_plain(v)}" for col, v in zip(by, key, strict=True))


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _needed_columns(
    data: pd.DataFrame, by: Sequence[str], roles: Mapping[str, Any], options: Any
) -> list[str]:
    names: list[str] = []
    for key in _ROLE_KEYS:
        v = roles.get(key)
        if v is None:
            continue
        names.extend([v] if isinstance(v, str) else list(v))
    if options is not None and hasattr(options, "columns"):
        names.extend(options.columns())
    index_levels = {n for n in data.index.names if n is not None}
    keys = {roles.get("id"), roles.get("time")}
    # id and time may be index levels (linearmodels' convention): they travel in the index
    names = [
        n
        for n in dict.fromkeys(names)
        if n not in by
        and not (n in keys and n not in data.columns and n in index_levels)
    ]
    check_columns(data, [*by, *names])
    return names


def _run_group(
    label: str, piece: pd.DataFrame, kwargs: dict[str, Any], errors: str
) -> GroupOutcome:
    """Estimate one group with single-threaded BLAS; collect its warnings."""
    from threadpoolctl import threadpool_limits

    with (
        threadpool_limits(limits=1, user_api="blas"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        try:
            res: ProductionResults | None = estimate(piece, **kwargs)
            msg = ""
        except TFPError as exc:
            if errors == "raise":
                raise
            res, msg = None, f"{type(exc).__name__}: {exc}"
    return label, res, msg, [(w.category, str(w.message)) for w in caught]


def _outcomes(
    dclient: Any,
    n_jobs: int,
    labels: list[str],
    piece: Callable[[int], pd.DataFrame],
    kwargs: Callable[[int], dict[str, Any]],
    errors: str,
) -> Iterator[GroupOutcome]:
    """Each group's outcome as it finishes: serially, in joblib workers or on Dask."""
    groups = range(len(labels))
    if dclient is not None:
        from distributed import as_completed

        futures = [
            dclient.submit(
                _run_group,
                labels[g],
                dclient.scatter(piece(g), hash=False),
                kwargs(g),
                errors,
                pure=False,
            )
            for g in groups
        ]
        for future in as_completed(futures):
            yield future.result()
    elif n_jobs == 1:
        for g in groups:
            yield _run_group(labels[g], piece(g), kwargs(g), errors)
    else:
        from joblib import delayed

        yield from as_finished(
            n_jobs,
            (
                delayed(_run_group)(labels[g], piece(g), kwargs(g), errors)
                for g in groups
            ),
        )


def estimate_by(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str],
    method: str,
    n_jobs: int = 1,
    client: Any = None,
    se: str | Bootstrap = "auto",
    options: Any = None,
    errors: str = "raise",
    progress: bool | None = None,
    **roles: Any,
) -> ResultsSet:
    """Estimate one production function per group of rows, in parallel.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per firm and period; never modified.
    by : str or sequence of str
        Grouping columns (e.g. ``["sector", "year"]``); no missing values.
    method : str
        Method code, as in :func:`tfp.estimate`.
    n_jobs : int
        joblib workers over groups (``-1``: all cores). Results are identical for any value.
    client : dask.distributed.Client, optional
        Run the groups on this Dask cluster (``n_jobs`` is then unused). An active
        ``joblib.parallel_config(backend="dask")`` has the same effect.
    se : {'auto', 'analytic', 'none'} or Bootstrap
        As in :func:`tfp.estimate`. A bootstrap runs inside each group, serially; group
        ``g`` gets seed ``group_seeds(se.seed, n_groups)[1][g]`` (``se="auto"`` uses the fixed
        root ``tfp.api.AUTO_BOOTSTRAP_SEED``; a fresh root is drawn and recorded when
        ``se.seed`` is None).
    options : MethodOptions, optional
        The method's options, shared by every group.
    errors : {'raise', 'skip'}
        What a group whose estimation raises a :class:`~tfp.exceptions.TFPError` does:
        stop everything, or leave the group out with a :class:`~tfp.exceptions.TFPWarning`
        naming it and the error.
    progress : bool or None
        A bar over the groups, counted as they finish (serially, in joblib workers or on
        Dask). ``None`` (default): shown when the work has run for a second in a terminal
        or notebook, never in a pipeline; ``True``: always; ``False``: never. The results
        are the same either way.
    **roles
        ``output``, ``free``, ``state``, ``proxy``, ``id``, ``time`` … as in
        :func:`tfp.estimate`.

    Returns
    -------
    ResultsSet
        Label ``"sector=C10, year=2019"`` → results, in sorted group order. Each group's
        ``sample`` and ``productivity()`` are indexed by that group's rows of ``data``.

    Raises
    ------
    DataError
        A grouping or role column is missing, or a grouping column has missing values.
    SpecificationError
        Bad ``by``, ``n_jobs`` or ``errors``.

    Examples
    --------
    >>> import tfp
    >>> sim = tfp.datasets.acf_dgp(design=1, n_firms=400, seed=1)  # doctest: +SKIP
    >>> data = sim.data.assign(sector=sim.data["firm"] % 2)  # doctest: +SKIP
    >>> res = tfp.estimate_by(data, by="sector", method="acf", output="y", free="l",
    ...                       state="k", proxy="m", id="firm", time="year",
    ...                       se="none", n_jobs=2)  # doctest: +SKIP
    >>> res.params  # doctest: +SKIP
    """
    data = check_frame(data)
    method = method_code(method)
    check_progress(progress)
    by_cols = [by] if isinstance(by, str) else list(by)
    if not by_cols or not all(isinstance(b, str) for b in by_cols):
        raise SpecificationError(
            f"by must name one or more columns, got {by!r}",
            fix='pass by="sector" or by=["sector", "year"]',
        )
    validate_literal(errors, ("raise", "skip"), name="errors")
    check_n_jobs(n_jobs)
    if client is not None:
        Bootstrap(reps=2, client=client)  # validates the client
    needed = _needed_columns(data, by_cols, roles, options)
    for b in by_cols:
        n_missing = int(data[b].isna().sum())
        if n_missing:
            raise DataError(
                f"has {n_missing} missing value(s); those rows belong to no group",
                column=b,
                fix=f"drop or label them first, e.g. data.dropna(subset=[{b!r}])",
            )

    se_choice = _resolve_se(method, se)
    groups = data.groupby(by_cols, sort=True, observed=True).indices
    keys = [k if isinstance(k, tuple) else (k,) for k in groups]
    positions = list(groups.values())
    labels = [_label(by_cols, k) for k in keys]
    per_group_se: list[Any]
    if isinstance(se_choice, Bootstrap):
        _, seeds = group_seeds(se_choice.seed, len(keys))
        base = dataclasses.replace(se_choice, n_jobs=1, client=None)
        per_group_se = [dataclasses.replace(base, seed=s) for s in seeds]
    else:
        per_group_se = [se] * len(keys)

    cols = [*by_cols, *needed]

    def piece(g: int) -> pd.DataFrame:
        return data.iloc[positions[g]][cols]

    def kwargs(g: int) -> dict[str, Any]:
        return {
            "method": method,
            "options": options,
            "se": per_group_se[g],
            "progress": False,  # the groups' bar is the one shown
            **roles,
        }

    dclient = dask_client(client)
    done: dict[str, GroupOutcome] = {}
    with tracker(f"estimate_by ({method})", len(keys), progress=progress) as bar:
        for outcome in _outcomes(dclient, n_jobs, labels, piece, kwargs, errors):
            done[outcome[0]] = outcome
            bar.advance()
    outcomes = [done[label] for label in labels]  # group order, however they finished

    out: dict[str, ProductionResults] = {}
    skipped: list[str] = []
    for label, res, msg, caught in outcomes:
        for category, text in caught:
            warnings.warn(f"[{label}] {text}", category, stacklevel=2)
        if res is None:
            skipped.append(f"{label} ({msg})")
        else:
            out[label] = res
    if skipped:
        warnings.warn(
            f"{len(skipped)} of {len(keys)} groups could not be estimated and are left "
            f"out: {'; '.join(skipped)}",
            TFPWarning,
            stacklevel=2,
        )
    return ResultsSet(out)
