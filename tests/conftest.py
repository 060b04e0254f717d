"""Shared fixtures. Reference data lives in ``../shared/data`` beside the checkout; tests that
need it skip cleanly when it is absent (a user's clone has no ``../shared``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

# Two xdist workers on two cores: threaded BLAS in each would only oversubscribe the machine.
threadpool_limits(limits=1, user_api="blas")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


def load_shared_csv(name: str) -> pd.DataFrame:
    """Read one reference CSV from ``../shared/data`` or skip the calling test."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return pd.read_csv(path)


@pytest.fixture(scope="session")
def chilean() -> pd.DataFrame:
    """prodest 1.0.1 ``chilean`` data (see ../shared/data/README.md)."""
    return load_shared_csv("prodest_chilean.csv")
