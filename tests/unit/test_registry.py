"""The method registry is the one list of methods: it matches the ``Method`` literal, and each
record's options class serves its method."""

from __future__ import annotations

import pytest

from tfp._literals import METHODS
from tfp.estimators.registry import REGISTRY, method_record
from tfp.exceptions import SpecificationError


def test_registry_matches_the_method_literal_in_order() -> None:
    assert tuple(REGISTRY) == METHODS
    for code, record in REGISTRY.items():
        assert record.code == code
        assert record.options.methods == (code,)
        assert callable(record.fit) and record.label


def test_unknown_method_lists_the_codes() -> None:
    with pytest.raises(SpecificationError, match="'acf2' is not one of .*'gnr'"):
        method_record("acf2")


def test_method_table_is_a_deprecated_view_of_the_registry() -> None:
    import tfp.api

    with pytest.warns(FutureWarning, match="REGISTRY"):
        table = tfp.api.METHOD_TABLE
    assert table["acf"] == ("tfp.estimators.acf:fit", "tfp.options.acf:ACFOptions")
    assert list(table) == list(METHODS)
