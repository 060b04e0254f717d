"""Shared fixtures: a small synthetic ENE panel (tfp.datasets.synthetic_ene)."""

from __future__ import annotations

import pandas as pd
import pytest

from tfp.datasets import synthetic_ene


@pytest.fixture(scope="session")
def sim_panel() -> pd.DataFrame:
    """150 firms x 3 years (editions 2016-2018); small enough for every format."""
    return synthetic_ene(n_firms=150, years=range(2015, 2018), seed=11).data
