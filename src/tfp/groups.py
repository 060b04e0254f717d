"""Deprecated alias of :mod:`tfp.by_group` (``estimate_by``, ``group_seeds``); removed in the
next release. Each name warns when it is taken from here."""

from __future__ import annotations

import warnings
from typing import Any

from tfp import by_group


def __getattr__(name: str) -> Any:
    if name in ("estimate_by", "group_seeds"):
        warnings.warn(
            f"tfp.groups is deprecated and will be removed; import {name} from "
            "tfp.by_group (or call tfp.estimate_by)",
            FutureWarning,
            stacklevel=2,
        )
        return getattr(by_group, name)
    raise AttributeError(f"module 'tfp.groups' has no attribute {name!r}")
