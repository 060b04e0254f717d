"""Firm-cluster bootstrap for every estimator.

Each replicate draws firms with replacement (a drawn firm keeps all its years and gets a new
id, so a firm drawn twice is two firms), re-runs the estimator's ``fit`` on the resampled panel
and keeps its parameters. Replicate ``r`` draws from its own ``SeedSequence(seed).spawn(reps)[r]``
stream, so results are identical for any ``n_jobs``. Failed replicates are counted and listed,
never dropped silently.

Replicates run serially, in joblib workers (``Bootstrap(n_jobs=...)``, honouring an active
``joblib.parallel_config`` backend) or on a Dask cluster: ``Bootstrap(client=client)`` or an
active ``joblib.parallel_config(backend="dask")``. On Dask the panel is scattered to the
workers once and every task refers to it; a task receives only the seed streams of its
replicates, so each draw is made where it is used and the (reps × firms) matrix of draws
is never built. The same replicate gets the same stream on every backend, so the draws are
identical bit for bit.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tfp._checks import check_level
from tfp._frozen import FrozenDict, readonly
from tfp._kernels.resample_nb import resample_rows_nb
from tfp._progress import Tracker, as_finished, tracker
from tfp.estimators.fit import without_identification
from tfp.exceptions import BootstrapFailureWarning, SpecificationError, TFPError
from tfp.options._base import Bootstrap
from tfp.panel import Panel
from tfp.spec import ProductionSpec

__all__ = [
    "BootstrapDraws",
    "dask_client",
    "firm_draws",
    "resample_panel",
    "run_bootstrap",
]

FitFn = Callable[..., Any]

#: Dask tasks per worker thread: a few per thread balance uneven replicate times without
#: paying the per-task overhead for every replicate.
DASK_TASKS_PER_THREAD = 4


@dataclass(frozen=True, eq=False)
class BootstrapDraws:
    """Firm-cluster bootstrap replicates.

    Attributes
    ----------
    params : DataFrame, shape (reps, p)
        One row per replicate (NaN rows for failed replicates, never removed).
    failed : int
        Replicates whose estimation raised.
    failures : tuple of (int, str)
        Replicate number and error message of each failure.
    not_converged : int
        Replicates whose optimizer did not report convergence (kept in ``params``).
    seed_entropy : int
        Entropy of the root :class:`numpy.random.SeedSequence` (re-run with ``seed=`` this).
    cluster : str
        Resampling unit (``"id"``: firms).
    reps : int
        Replicates requested.
    n_jobs : int
        Workers used (results do not depend on it).
    injected : bool
        True when the resample indices were supplied by the user.
    """

    params: pd.DataFrame
    failed: int
    failures: tuple[tuple[int, str], ...]
    not_converged: int
    seed_entropy: int
    cluster: str
    reps: int
    n_jobs: int
    injected: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", readonly(self.params))

    @property
    def vcov(self) -> pd.DataFrame:
        """Covariance of the successful replicates (ddof = 1)."""
        return self.params.dropna(how="any").cov(ddof=1)

    def percentile_interval(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile intervals (``lower``, ``upper``) of each parameter."""
        a = (1 - check_level(level)) / 2
        ok = self.params.dropna(how="any")
        return pd.DataFrame({"lower": ok.quantile(a), "upper": ok.quantile(1 - a)})


def _firm_ranges(panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(panel.firm).astype(np.int64)
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    return starts, counts


def resample_panel(panel: Panel, draw: np.ndarray) -> Panel:
    """The panel of the drawn firms (codes ``0..len(draw)-1`` in draw order)."""
    starts, counts = _firm_ranges(panel)
    rows, codes = resample_rows_nb(
        starts, counts, np.ascontiguousarray(draw, dtype=np.int64)
    )
    vals = {k: np.ascontiguousarray(v[rows]) for k, v in panel.values.items()}
    for v in vals.values():
        v.setflags(write=False)
    return Panel(
        id=panel.id,
        time_name=panel.time_name,
        index=panel.index[rows],
        rows=panel.rows[rows],
        firm=codes,
        time=np.ascontiguousarray(panel.time[rows]),
        values=FrozenDict(vals),
        firm_labels=panel.firm_labels[np.asarray(draw, dtype=np.int64)],
        n_input=panel.n_input,
        input_index=panel.input_index,
        dropped=FrozenDict(),
    )


def _checked_indices(boot: Bootstrap, n_firms: int) -> np.ndarray:
    """The injected index matrix, checked against this panel's number of firms."""
    idx = np.asarray(boot.indices, dtype=np.int64)
    if idx.shape[1] != n_firms or idx.min() < 0 or idx.max() >= n_firms:
        raise SpecificationError(
            f"Bootstrap.indices must have {n_firms} columns with values in 0..{n_firms - 1} "
            "(firm positions in sorted-id order of the estimation panel)",
            fix="build the indices for this panel's firms",
        )
    return idx


def _draw_sources(
    boot: Bootstrap, n_firms: int
) -> tuple[list[np.random.SeedSequence | np.ndarray], int]:
    """Per-replicate draw sources and the root entropy, without building the draws.

    Seeded: the ``SeedSequence(seed).spawn(reps)`` children (``_draw`` turns child ``r``
    into row ``r`` of :func:`firm_draws`). Injected: the rows of the validated index matrix
    (entropy -1).
    """
    if boot.indices is not None:
        return list(_checked_indices(boot, n_firms)), -1
    ss = np.random.SeedSequence(boot.seed)
    return list(ss.spawn(boot.reps)), int(ss.entropy)  # type: ignore[arg-type]


def firm_draws(boot: Bootstrap, n_firms: int) -> tuple[np.ndarray, int]:
    """The (reps, n_firms) matrix of drawn firm codes and the root seed entropy.

    Replicate ``r`` uses the generator of ``SeedSequence(seed).spawn(reps)[r]``; the
    bootstrap itself draws each row where its replicate runs (:func:`run_bootstrap`).
    """
    sources, entropy = _draw_sources(boot, n_firms)
    return np.vstack([_draw(s, n_firms) for s in sources]), entropy


def _draw(source: np.random.SeedSequence | np.ndarray, n_firms: int) -> np.ndarray:
    """The firm codes drawn by one replicate (a row of injected indices, or its stream)."""
    if isinstance(source, np.random.SeedSequence):
        return np.random.default_rng(source).integers(0, n_firms, n_firms)
    return np.asarray(source, dtype=np.int64)


def dask_client(client: Any = None) -> Any:
    """The Dask client to run on: ``client`` when given, else the client of an active
    ``joblib.parallel_config(backend="dask")``, else ``None`` (joblib or serial)."""
    if client is not None:
        return client
    try:
        from joblib.parallel import get_active_backend
    except ImportError:  # pragma: no cover - joblib is a dependency
        return None
    backend = get_active_backend()[0]
    if type(backend).__name__ == "DaskDistributedBackend":
        return getattr(backend, "client", None)
    return None


@dataclass(frozen=True, eq=False)
class _Job:
    """What every replicate needs: the panel, the roles, the options and the fit function,
    and the parameter names to keep."""

    panel: Panel
    spec: ProductionSpec
    options: Any
    fit_fn: FitFn
    names: tuple[str, ...]

    def replicate(
        self, r: int, source: np.random.SeedSequence | np.ndarray
    ) -> tuple[int, np.ndarray | None, str, bool]:
        """Replicate ``r``: (r, params in ``names`` order or None, error, converged)."""
        try:
            with warnings.catch_warnings(), without_identification():
                warnings.simplefilter("ignore")
                sub = resample_panel(self.panel, _draw(source, self.panel.n_firms))
                fit = self.fit_fn(sub, self.spec, self.options)
        except (TFPError, np.linalg.LinAlgError, FloatingPointError, ValueError) as exc:
            return (r, None, f"{type(exc).__name__}: {exc}", False)
        params = np.asarray(fit.params, dtype=np.float64)
        lookup = dict(zip(fit.names, params, strict=True))
        vec = np.array([lookup.get(n, np.nan) for n in self.names])
        return (r, vec, "", bool(fit.convergence.converged))


def _run_chunk(
    reps: Sequence[int],
    sources: Sequence[np.random.SeedSequence | np.ndarray],
    job: _Job,
    tick: Callable[[int], None] | None = None,
) -> list[tuple[int, np.ndarray | None, str, bool]]:
    """Replicates ``reps``, BLAS single-threaded: parallelism is across replicates, and
    threaded BLAS on these tall, thin matrices only adds contention. ``tick(1)`` after each
    replicate (serial runs: the progress bar)."""
    from threadpoolctl import threadpool_limits

    out = []
    with threadpool_limits(limits=1, user_api="blas"):
        for r, src in zip(reps, sources, strict=True):
            out.append(job.replicate(r, src))
            if tick is not None:
                tick(1)
    return out


def _n_workers(n_jobs: int, client: Any) -> int:
    """Workers recorded on the draws: the Dask cluster's threads, else ``n_jobs``."""
    if client is not None:
        return int(sum(client.nthreads().values())) or 1
    return n_jobs


def _run_replicates(
    job: _Job,
    reps: list[int],
    sources: Sequence[np.random.SeedSequence | np.ndarray],
    n_jobs: int,
    client: Any,
    bar: Tracker,
) -> list[list[tuple[int, np.ndarray | None, str, bool]]]:
    """Every replicate, in chunks: serially, in joblib workers or as Dask tasks.

    Chunks are collected as they finish (``bar`` counts them); the caller sorts the
    replicates, so the order of completion never matters. With a bar on screen joblib gets
    a few chunks per worker (as Dask always does) so that the bar moves.
    """
    workers = 1
    if client is not None:
        workers = min(len(reps), _n_workers(n_jobs, client) * DASK_TASKS_PER_THREAD)
    elif n_jobs != 1:
        from joblib import effective_n_jobs

        workers = effective_n_jobs(n_jobs)
    if workers == 1 and client is None:
        return [_run_chunk(reps, sources, job, bar.advance)]
    n_chunks = workers
    if client is None and bar.mode != "off":
        n_chunks = min(len(reps), workers * DASK_TASKS_PER_THREAD)
    chunks = [reps[i::n_chunks] for i in range(n_chunks) if reps[i::n_chunks]]
    parts = []
    if client is not None:
        from distributed import as_completed

        [job_f] = client.scatter([job], broadcast=True, hash=False)
        try:
            futures = [
                client.submit(_run_chunk, c, [sources[r] for r in c], job_f, pure=False)
                for c in chunks
            ]
            for future in as_completed(futures):
                part = future.result()
                parts.append(part)
                bar.advance(len(part))
        finally:
            client.cancel([job_f])
        return parts
    from joblib import delayed

    for part in as_finished(
        workers, (delayed(_run_chunk)(c, [sources[r] for r in c], job) for c in chunks)
    ):
        parts.append(part)
        bar.advance(len(part))
    return parts


def run_bootstrap(
    panel: Panel,
    spec: ProductionSpec,
    options: Any,
    fit_fn: FitFn,
    names: tuple[str, ...],
    boot: Bootstrap,
    *,
    progress: bool | None = False,
    label: str = "bootstrap",
    note: str = "",
) -> BootstrapDraws:
    """Run the firm-cluster bootstrap of ``fit_fn`` on ``panel``.

    ``fit_fn(panel, spec, options)`` must return a :class:`~tfp.estimators.fit.Fit`. On Dask
    the job (with the panel) is scattered to every worker once and shared by the tasks.
    ``progress`` (see :mod:`tfp._progress`) draws a bar labelled ``label``, with ``note``
    above it; it changes nothing else: every replicate keeps its own seed stream.
    """
    sources, entropy = _draw_sources(boot, panel.n_firms)
    reps = list(range(len(sources)))
    job = _Job(panel, spec, options, fit_fn, names)
    client = dask_client(boot.client)
    with tracker(label, len(reps), progress=progress, note=note) as bar:
        parts = _run_replicates(job, reps, sources, boot.n_jobs, client, bar)
    n_jobs = _n_workers(boot.n_jobs, client)
    results = sorted((x for p in parts for x in p), key=lambda x: x[0])
    mat = np.full((len(reps), len(names)), np.nan)
    failures: list[tuple[int, str]] = []
    not_converged = 0
    for r, vec, msg, conv in results:
        if vec is None:
            failures.append((r, msg))
        else:
            mat[r] = vec
            not_converged += int(not conv)
    if failures:
        warnings.warn(
            f"{len(failures)} of {len(reps)} bootstrap replicates failed (first: {failures[0][1]}); "
            "they are counted in results.bootstrap.failed and left out of the covariance",
            BootstrapFailureWarning,
            stacklevel=3,
        )
    return BootstrapDraws(
        params=pd.DataFrame(
            mat, columns=list(names), index=pd.RangeIndex(len(reps), name="replicate")
        ),
        failed=len(failures),
        failures=tuple(failures),
        not_converged=not_converged,
        seed_entropy=entropy,
        cluster=boot.cluster,
        reps=len(reps),
        n_jobs=n_jobs,
        injected=boot.indices is not None,
    )
