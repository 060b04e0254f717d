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


def readonly(obj: Any) -> Any:
    """A copy of a Series or a homogeneous numeric DataFrame whose values cannot be assigned
    to (results are immutable)."""
    values = np.array(obj.to_numpy(), copy=True)
    values.setflags(write=False)
    if isinstance(obj, pd.Series):
        return pd.Series(values, index=obj.index, name=obj.name, copy=False)
    return pd.DataFrame(values, index=obj.index, columns=obj.columns, copy=False)
