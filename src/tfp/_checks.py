"""Validators of scalar and name-list arguments, shared by every layer.

They raise :class:`~tfp.exceptions.SpecificationError` naming the argument, the allowed range and
the fix. This module sits at the bottom of the package (it imports only ``tfp.exceptions``), so
that the data layer (``tfp.peru``) and the estimation layer (``tfp.options``) can both use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from tfp.exceptions import SpecificationError

__all__ = [
    "check_bool",
    "check_int",
    "check_level",
    "check_n_jobs",
    "check_names",
    "check_real",
]


def check_bool(value: Any, *, name: str) -> bool:
    """Validate a True/False option."""
    if not isinstance(value, bool):
        raise SpecificationError(
            f"{name} must be True or False, got {value!r}",
            fix=f"pass {name}=True or {name}=False",
        )
    return value


def check_int(
    value: Any, *, name: str, low: int | None = None, high: int | None = None
) -> int:
    """Validate an integer option within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise SpecificationError(
            f"{name} must be an integer, got {value!r}",
            fix=f"pass a whole number as {name}",
        )
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        rng = f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
        raise SpecificationError(
            f"{name}={v} is outside {rng}", fix=f"pass {name} within {rng}"
        )
    return v


def check_n_jobs(value: Any, *, name: str = "n_jobs") -> int:
    """Validate a number of parallel workers: a non-zero integer (-1: all cores)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value == 0:
        raise SpecificationError(
            f"{name}={value!r} must be a non-zero integer",
            fix=f"pass {name}=1 (serial), a number of workers or -1 (all cores)",
        )
    return int(value)


def check_real(
    value: Any,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> float:
    """Validate a real option within [low, high] (or (low, high] with ``low_open``)."""
    if isinstance(value, bool) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise SpecificationError(
            f"{name} must be a number, got {value!r}", fix=f"pass a number as {name}"
        )
    v = float(value)
    bad_low = low is not None and (v <= low if low_open else v < low)
    if not np.isfinite(v) or bad_low or (high is not None and v > high):
        raise SpecificationError(
            f"{name}={v} is out of range",
            fix=f"pass {name} {'>' if low_open else '>='} {low}",
        )
    return v


def check_level(level: object) -> float:
    """Validate a confidence level in (0, 1)."""
    if (
        isinstance(level, bool)
        or not isinstance(level, (int, float, np.integer, np.floating))
        or not 0 < level < 1
    ):
        raise SpecificationError(
            f"level={level!r} must be a number in (0, 1)", fix="pass e.g. level=0.95"
        )
    return float(level)


def check_names(value: Iterable[str] | str, *, name: str) -> tuple[str, ...]:
    """Normalise a list-of-names option (one name or a sequence of names)."""
    if isinstance(value, str):
        return (value,)
    try:
        out = tuple(value)
    except TypeError:
        raise SpecificationError(
            f"{name} must be a column name or a list of column names, got {value!r}",
            fix=f"pass {name}=['col1', 'col2'] or {name}=()",
        ) from None
    if not all(isinstance(v, str) for v in out):
        raise SpecificationError(
            f"{name} must hold column names (str), got {out!r}",
            fix=f"pass a list of str as {name}",
        )
    return out
