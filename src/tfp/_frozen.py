"""Read-only containers for results and panels: a picklable mapping (``MappingProxyType`` cannot
be pickled) and read-only copies of pandas objects."""

from __future__ import annotations

from typing import Any, NoReturn

import numpy as np
import pandas as pd


class FrozenDict(dict[Any, Any]):
    """A ``dict`` whose contents cannot be changed after construction."""

    def _readonly(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("this mapping is read-only; results and panels are immutable")

    __setitem__ = _readonly
    __delitem__ = _readonly
    clear = _readonly
    pop = _readonly
    popitem = _readonly
    setdefault = _readonly
    update = _readonly
    __ior__ = _readonly

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: str(kv[0]))))


def readonly_series(s: pd.Series) -> pd.Series:
    """A copy of ``s`` whose values cannot be assigned to (results are immutable)."""
    values = np.array(s.to_numpy(), copy=True)
    values.setflags(write=False)
    return pd.Series(values, index=s.index, name=s.name, copy=False)


def readonly_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a homogeneous numeric ``df`` whose values cannot be assigned to."""
    values = np.array(df.to_numpy(), copy=True)
    values.setflags(write=False)
    return pd.DataFrame(values, index=df.index, columns=df.columns, copy=False)
