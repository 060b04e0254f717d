"""Fixtures for the PP 0093 results layer tests."""

from __future__ import annotations

import pytest

from tfp.program import ProgramRecords, load_pp0093_2020


@pytest.fixture(scope="session")
def records() -> ProgramRecords:
    """The transcribed 2020 records without the register (fast)."""
    return load_pp0093_2020(register=False)


@pytest.fixture(scope="session")
def records_with_register() -> ProgramRecords:
    """The transcribed 2020 records with the synthetic register (seed 0)."""
    return load_pp0093_2020()
