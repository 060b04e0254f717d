"""Fixtures for the PP 0093 results layer tests."""

from __future__ import annotations

import pytest

from tfp.program import ProgrammeRecords, load_pp0093_2020


@pytest.fixture(scope="session")
def records() -> ProgrammeRecords:
    """The transcribed 2020 records without the register (fast)."""
    return load_pp0093_2020(register=False)


@pytest.fixture(scope="session")
def records_with_register() -> ProgrammeRecords:
    """The transcribed 2020 records with the synthetic register (seed 0)."""
    return load_pp0093_2020()
