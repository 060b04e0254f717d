"""Shared fixtures of the productivity tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """120 firms × 3 years, size classes with TFP gaps, y = 1 + 0.3 k + 0.6 l + ..."""
    rng = np.random.default_rng(7)
    n, years = 120, [2017, 2018, 2019]
    df = pd.DataFrame({"id": np.repeat(np.arange(n), 3), "year": np.tile(years, n)})
    df["size_class"] = np.where(
        df["id"] % 3 == 0, "large", np.where(df["id"] % 3 == 1, "small", "micro")
    )
    df["k"] = rng.normal(size=len(df))
    df["l"] = rng.normal(size=len(df))
    level = df["size_class"].map({"micro": -1.5, "small": -0.6, "large": 0.0})
    df["y"] = (
        1.0
        + 0.3 * df["k"]
        + 0.6 * df["l"]
        + level
        + 0.05 * (df["year"] - 2017)
        + rng.normal(scale=0.2, size=len(df))
    )
    return df
