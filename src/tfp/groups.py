"""Deprecated alias of :mod:`tfp.by_group` (``estimate_by``, ``group_seeds``); removed in the
next release."""

from __future__ import annotations

import warnings

from tfp.by_group import estimate_by, group_seeds

__all__ = ["estimate_by", "group_seeds"]

warnings.warn(
    "tfp.groups is deprecated and will be removed; import estimate_by and group_seeds "
    "from tfp.by_group (or call tfp.estimate_by)",
    FutureWarning,
    stacklevel=2,
)
