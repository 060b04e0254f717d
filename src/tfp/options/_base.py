"""Shared option records: :class:`Bootstrap` and the base of method options (:class:`Optimizer`
lives with the optimizer, in :mod:`tfp.numerics.optimize`).

All option classes are frozen dataclasses validated in ``__post_init__``; a bad value raises
:class:`~tfp.exceptions.SpecificationError` naming the field, the allowed values and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

from tfp._checks import check_bool, check_int, check_n_jobs, check_real
from tfp._labels import label
from tfp._literals import validate_literal
from tfp.exceptions import SpecificationError
from tfp.numerics.optimize import Optimizer

__all__ = [
    "Bootstrap",
    "MethodOptions",
    "Optimizer",
    "check_options",
    "options_in_words",
]

#: Replicates of ``Bootstrap()`` when neither ``reps`` nor ``indices`` says otherwise.
DEFAULT_REPS = 199


@dataclass(frozen=True)
class Bootstrap:
    """Firm-cluster bootstrap.

    Parameters
    ----------
    reps : int, default 199
        Replicates. When ``indices`` are given and ``reps`` is left at its default, it is
        taken from their number of rows.
    seed : int or None
        Seed of the :class:`numpy.random.SeedSequence` spawned once per replicate, so results
        do not depend on ``n_jobs``. ``None`` draws fresh entropy, recorded on the results.
    n_jobs : int
        Parallel workers (joblib); results are identical for any value.
    indices : array of int, shape (reps, n_firms), optional
        Inject the resample: row r lists the firm positions (0-based, in sorted firm order)
        drawn in replicate r. Used for exact cross-package checks.
    cluster : str
        Resampling unit; only ``"id"`` (firms) is supported.
    client : dask.distributed.Client, optional
        Run the replicates on this Dask cluster (``n_jobs`` is then unused): the panel is
        scattered to the workers once, and results equal the serial run bit for bit. An
        active ``joblib.parallel_config(backend="dask")`` has the same effect without it.
        Not compared, hashed or serialised with the options.
    """

    reps: int = 199
    seed: int | None = None
    n_jobs: int = 1
    indices: Any = None
    cluster: str = "id"
    client: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if (
            self.indices is not None
            and self.reps == DEFAULT_REPS
            and np.ndim(self.indices) == 2
        ):
            object.__setattr__(self, "reps", int(np.shape(self.indices)[0]))
        check_int(self.reps, name="Bootstrap.reps", low=2)
        if self.seed is not None:
            check_int(self.seed, name="Bootstrap.seed", low=0)
        check_n_jobs(self.n_jobs, name="Bootstrap.n_jobs")
        validate_literal(self.cluster, ("id",), name="Bootstrap.cluster")
        if self.client is not None and not all(
            callable(getattr(self.client, m, None))
            for m in ("scatter", "submit", "gather", "nthreads")
        ):
            raise SpecificationError(
                f"Bootstrap.client must be a dask.distributed.Client, got "
                f"{type(self.client).__name__}",
                fix="pass client=dask.distributed.Client(...) or leave client=None",
            )
        if self.indices is not None:
            idx = np.asarray(self.indices)
            if (
                idx.ndim != 2
                or idx.shape[0] != self.reps
                or not np.issubdtype(idx.dtype, np.integer)
            ):
                raise SpecificationError(
                    f"Bootstrap.indices must be an integer array of shape (reps={self.reps}, n_firms)",
                    fix="pass one row of firm positions per replicate",
                )
            idx = np.ascontiguousarray(idx, dtype=np.int64)
            idx.setflags(write=False)
            object.__setattr__(self, "indices", idx)


@dataclass(frozen=True)
class MethodOptions:
    """Base of the per-method option records. ``methods`` lists the method codes it serves."""

    methods: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the options."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if hasattr(v, "__dataclass_fields__"):
                v = {g.name: getattr(v, g.name) for g in fields(v)}
            elif isinstance(v, tuple):
                v = list(v)
            out[f.name] = v
        return out

    def columns(self) -> tuple[str, ...]:
        """Extra data columns these options name (e.g. cost or Markov-control columns)."""
        return ()

    def _check_fields(self) -> None:
        """Check every field declared ``bool`` or ``Optimizer``, and a ``start`` (a non-empty
        sequence of numbers or None, stored as a tuple); subclasses check the rest."""
        cls = type(self).__name__
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "bool":
                check_bool(value, name=f"{cls}.{f.name}")
            elif f.type == "Optimizer" and not isinstance(value, Optimizer):
                raise SpecificationError(
                    f"{cls}.{f.name} must be an Optimizer, got {type(value).__name__}",
                    fix=f"pass {f.name}=tfp.Optimizer(...)",
                )
        start = getattr(self, "start", None)
        if start is None:
            return
        what = f"{cls}.start must be a non-empty sequence of numbers"
        if isinstance(start, str) or not hasattr(start, "__iter__") or not len(start):
            raise SpecificationError(
                f"{what}, got {start!r}", fix="pass values or None"
            )
        values = tuple(
            check_real(v, name=f"{cls}.start[{i}]") for i, v in enumerate(start)
        )
        object.__setattr__(self, "start", values)

    def check_method(self, method: str) -> None:
        """Raise unless these options belong to ``method``."""
        if method not in self.methods:
            raise SpecificationError(
                f"options of type {type(self).__name__} are for method(s) "
                f"{set(self.methods)}, not {method!r}",
                fix=f"pass the options class of {method!r} or leave options=None",
            )


def check_options(options: object, cls: type[MethodOptions], method: str) -> None:
    """Raise SpecificationError unless ``options`` is a ``cls`` (an estimator's own check)."""
    if not isinstance(options, cls):
        raise SpecificationError(
            f"options of type {type(options).__name__} are not for method {method!r}",
            fix=f"pass tfp.{cls.__name__}(...) or leave options=None",
        )


def options_in_words(options: object, lang: str = "en") -> str:
    """The choices of an estimator's options that shape the estimate, as one phrase
    (``""`` when none of them applies; ``None``: tfp's default options).

    Used by the summary of a result and by the report's methods note, so both say the same.

    Examples
    --------
    >>> from tfp.options import ACFOptions
    >>> options_in_words(ACFOptions(poly_degree=2, markov_degree=1))  # doctest: +ELLIPSIS
    'polynomial of degree 2 in the first stage; productivity follows an AR(1) law of motion...'
    """
    if options is None:
        return label("defaults", lang, domain="option")

    def say(key: str, **fields: Any) -> str:
        return label(key, lang, domain="option", **fields)

    parts = []
    if (d := getattr(options, "poly_degree", None)) is not None:
        parts.append(say("poly_degree", degree=d))
    if (d := getattr(options, "markov_degree", None)) is not None:
        parts.append(say("markov_1" if d == 1 else "markov", degree=d))
    if getattr(options, "time_dummies", False) or getattr(
        options, "time_effects", False
    ):
        parts.append(say("time_dummies"))
    if getattr(options, "extra_instruments", ()):
        parts.append(say("extra_instruments"))
    if getattr(options, "weight", None) == "two-step":
        parts.append(say("two_step"))
    if getattr(options, "nonnegative", False):
        parts.append(say("nonnegative"))
    if getattr(options, "exit_correction", False):
        parts.append(say("exit_correction"))
    opt = getattr(options, "optimizer", None)
    if opt is not None:
        name = {"nelder-mead": "Nelder-Mead", "bfgs": "BFGS"}.get(
            opt.method, opt.method
        )
        parts.append(say("optimizer", method=name, starts=opt.n_starts))
    return "; ".join(parts)
