"""Data frames of other libraries (polars, pyarrow, modin, cuDF …) as pandas, read-only.

tfp computes on pandas. :func:`as_pandas` is the one door for other data-frame libraries:

1. a pandas DataFrame passes through untouched (never copied, never modified);
2. with `narwhals <https://narwhals-dev.github.io/narwhals/>`_ installed (the ``dataframes``
   extra: ``pip install "tfp[dataframes]"``), any eager frame narwhals knows (polars,
   pyarrow, modin, cuDF, …) is read column by column into a new pandas frame, without
   pyarrow;
3. otherwise a frame with a ``to_pandas()`` method (polars and pyarrow with pyarrow
   installed, cuDF …) is converted by it.

Frames without an index (polars, pyarrow) get the row positions ``0 … n-1`` as index, so
``results.sample``, ``productivity()``, ``fittedvalues`` and ``resid`` line up with the
rows of the frame passed in. Lazy frames (polars ``LazyFrame``, Dask) are refused with the
fix: collect them first.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tfp.exceptions import DataError

__all__ = ["as_pandas"]

_EXTRA_FIX = (
    'install narwhals (pip install "tfp[dataframes]") or pass a pandas DataFrame'
)


def as_pandas(data: object) -> pd.DataFrame:
    """``data`` as a pandas DataFrame: itself when it is one, else a converted copy.

    Raises
    ------
    DataError
        ``data`` is not a data frame tfp can read, or a lazy frame.
    """
    if isinstance(data, pd.DataFrame):
        return data
    kind = f"{type(data).__module__.split('.')[0]}.{type(data).__name__}"
    if _is_lazy(data):
        raise DataError(
            f"data is a lazy frame ({kind}); tfp needs the rows in memory",
            fix="collect it first, e.g. data.collect() (polars) or data.compute() (Dask)",
        )
    converted = _via_narwhals(data)
    if converted is None:
        converted = _via_to_pandas(data, kind)
    if converted is None:
        raise DataError(
            f"data must be a pandas DataFrame (or a polars, pyarrow … frame), got {kind}",
            fix="pass a pandas DataFrame (or a polars/pyarrow/modin frame with "
            'narwhals installed: pip install "tfp[dataframes]") with one row per firm '
            "and period",
        )
    return converted


def _is_lazy(data: object) -> bool:
    name = type(data).__name__
    return name == "LazyFrame" or (
        type(data).__module__.startswith("dask") and hasattr(data, "compute")
    )


def _via_narwhals(data: object) -> pd.DataFrame | None:
    try:
        import narwhals as nw
    except ImportError:
        return None
    frame: Any = nw.from_native(data, eager_only=True, pass_through=True)
    if frame is data:  # not a frame narwhals knows
        return None
    columns = list(frame.columns)
    return pd.DataFrame(
        {c: frame.get_column(c).to_numpy() for c in columns},
        columns=columns,
        index=pd.RangeIndex(len(frame)),
    )


def _via_to_pandas(data: object, kind: str) -> pd.DataFrame | None:
    method = getattr(data, "to_pandas", None)
    if not callable(method):
        return None
    try:
        out = method()
    except ImportError as exc:  # e.g. polars without pyarrow
        raise DataError(
            f"cannot convert {kind} to pandas ({exc})", fix=_EXTRA_FIX
        ) from None
    return out if isinstance(out, pd.DataFrame) else None
