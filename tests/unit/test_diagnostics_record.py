"""The typed diagnostics record (:mod:`tfp.diagnostics`): checks, warnings, rendering."""

from __future__ import annotations

import json
import math
import warnings

import pytest

from tfp.diagnostics import (
    GROUPS,
    STOCK_YOGO_SIZE_10,
    Check,
    Diagnostics,
    emit,
)
from tfp.exceptions import (
    BoundaryWarning,
    ConvergenceWarning,
    DroppedObservationsWarning,
    TFPWarning,
    UnreliableEstimateWarning,
)

FAILED = Check(
    "plausibility",
    "elasticity",
    "k",
    -4.77,
    (0.0, 1.2),
    False,
    "the mean output elasticity of 'k' is -4.77.",
    "use ACF",
    "ACF (2015)",
)
PASSED = Check("sample", "firms", "", 497.0, (30.0, math.inf), True)
REPORTED = Check(
    "identification", "kleibergen_paap", "", 3.1, (-math.inf, math.inf), None
)
AT_START = Check(
    "search", "at_start", "", 0.0, (1e-10, math.inf), False, "no move.", "restart"
)


def test_the_new_category_is_its_own_warning():
    assert issubclass(UnreliableEstimateWarning, TFPWarning)
    for other in (DroppedObservationsWarning, ConvergenceWarning):
        assert not issubclass(UnreliableEstimateWarning, other)
        assert not issubclass(other, UnreliableEstimateWarning)
    assert issubclass(BoundaryWarning, UnreliableEstimateWarning)


def test_record_counts_failures_and_groups():
    d = Diagnostics((FAILED, PASSED, REPORTED), ("a note",))
    assert d.failed == (FAILED,)
    assert not d.ok
    assert Diagnostics((PASSED, REPORTED)).ok
    assert d.group("sample") == (PASSED,)
    assert set(d.to_frame()["group"]) <= set(GROUPS)
    assert list(d.to_frame()["passed"]) == [False, True, None]


def test_record_iterates_over_the_notes_like_the_old_tuple():
    d = Diagnostics((FAILED,), ("one", "two"))
    assert list(d) == ["one", "two"] and len(d) == 2 and d[0] == "one"
    assert d == ("one", "two")
    assert not Diagnostics((FAILED,))  # no notes: falsy, as the empty tuple was
    assert d.without_notes().notes == () and d.without_notes().checks == (FAILED,)


def test_each_failed_check_emits_one_warning_of_its_category():
    d = Diagnostics((FAILED, PASSED, REPORTED, AT_START))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emit(d, prefix="[g] ")
    assert [w.category for w in caught] == [UnreliableEstimateWarning, BoundaryWarning]
    text = str(caught[0].message)
    assert text.startswith("[g] plausibility check 'elasticity' (k):")
    assert "-4.77" in text and "Fix: use ACF" in text


def test_to_dict_is_json_safe():
    d = Diagnostics((FAILED, PASSED, REPORTED), ("n",))
    out = json.loads(json.dumps(d.to_dict()))
    assert out["ok"] is False and out["notes"] == ["n"]
    assert out["checks"][1]["bounds"] == [30.0, None]
    assert out["checks"][2]["passed"] is None


def test_text_shows_every_check_the_failures_and_the_notes():
    d = Diagnostics((FAILED, PASSED, REPORTED), ("a note",))
    text = d.to_text()
    assert text.splitlines()[0] == "Diagnostics"
    assert "1 of 2 checks passed; 1 FAILED" in text
    assert "FAIL plausibility" in text and "Fix: use ACF" in text
    assert d.lines()[-1] == "a note" and len(d.lines()) == 1 + 3 + 1 + 1
    assert Diagnostics().to_text() == "" and Diagnostics().lines() == ()
    assert Diagnostics((), ("only a note",)).lines() == ("only a note",)


def test_stock_yogo_values_are_the_published_ones():
    # Stock & Yogo (2005) Table 5.2, 10% maximal size, as printed by ivreg2
    assert STOCK_YOGO_SIZE_10[(1, 1)] == 16.38
    assert STOCK_YOGO_SIZE_10[(2, 2)] == 7.03


@pytest.mark.parametrize("value", [float("nan")])
def test_nan_statistic_fails_its_bounded_check(value):
    from tfp.diagnostics import _bounded

    c = _bounded("sample", "firms", "", value, (30.0, math.inf), "p", "f", "s")
    assert c.passed is False
