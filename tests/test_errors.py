"""Every bad input reaches the user as a TFPError naming the column, the problem and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tfp
from tfp.exceptions import (
    DataError,
    IdentificationError,
    PanelStructureError,
    SpecificationError,
    TFPError,
)


def _df() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 40
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(10), 4),
            "t": np.tile(np.arange(4), 10),
            "y": rng.normal(size=n),
            "l": rng.normal(size=n),
            "k": rng.normal(size=n),
        }
    )


ROLES = {"output": "y", "free": "l", "state": "k", "id": "id", "time": "t"}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"method": "acf2"},
            SpecificationError,
            r"method='acf2' is not one of \{'ols', 'fe'",
        ),
        (
            {"method": "ols", "free": "nope"},
            DataError,
            r"column 'nope': is not in the data.*Fix: name one",
        ),
        (
            {"method": "ols", "state": "l"},
            SpecificationError,
            r"column 'l': is named in two roles, 'free' and 'state'",
        ),
        (
            {"method": "ols", "free": (), "state": ()},
            SpecificationError,
            "no inputs given",
        ),
        (
            {"method": "ols", "form": "ces"},
            SpecificationError,
            r"form='ces' is not one of",
        ),
        (
            {"method": "ols", "se": "bootstrap"},
            SpecificationError,
            r"se='bootstrap' is not one of",
        ),
        (
            {"method": "ols", "options": tfp.FEOptions()},
            SpecificationError,
            r"FEOptions are for method\(s\) \{'fe'\}, not 'ols'",
        ),
        (
            {"method": "ols", "options": {"vcov": "robust"}},
            SpecificationError,
            "options must be an options object",
        ),
        (
            {"method": "ols", "free": ["l", "l"]},
            SpecificationError,
            "names a column twice",
        ),
        (
            {"method": "ols", "free": 3},
            SpecificationError,
            "free must be a column name",
        ),
    ],
)
def test_specification_errors(kwargs: dict, error: type, match: str) -> None:
    args = {**ROLES, **kwargs}
    with pytest.raises(error, match=match):
        tfp.estimate(_df(), **args)


def test_text_in_numeric_column() -> None:
    df = _df().astype({"l": object})
    df.loc[3, "l"] = "12,5"
    with pytest.raises(
        DataError, match=r"column 'l': is not numeric.*'12,5'.*Fix: convert it first"
    ):
        tfp.estimate(df, method="ols", **ROLES)


def test_duplicate_keys() -> None:
    df = _df()
    df.loc[1, "t"] = 0
    with pytest.raises(PanelStructureError, match=r"\(0, 0\)"):
        tfp.estimate(df, method="ols", **ROLES)


def test_collinear_inputs() -> None:
    df = _df().assign(k=lambda d: 2 * d["l"])
    with pytest.raises(IdentificationError, match="'k': is collinear with the other"):
        tfp.estimate(df, method="ols", **ROLES)


def test_analytic_se_unavailable_is_explained() -> None:
    # wrdg-iv with prodest's uninstrumented constant has no analytic covariance: asking for
    # one names the remedy
    data, _ = tfp.datasets.acf_dgp(design=2, n_firms=100, seed=1)
    with pytest.raises(
        SpecificationError, match="no analytic covariance.*tfp.Bootstrap"
    ):
        tfp.estimate(
            data,
            method="wrdg-iv",
            output="y",
            free="l",
            state="k",
            proxy="m",
            id="firm",
            time="year",
            options=tfp.options.WooldridgeIVOptions(instrument_constant=False),
            se="analytic",
        )
    # every error is a TFPError and a ValueError, so generic handlers still work
    assert issubclass(SpecificationError, TFPError)
    assert issubclass(SpecificationError, ValueError)


def test_bootstrap_options_validated() -> None:
    with pytest.raises(SpecificationError, match="Bootstrap.reps=1 is outside"):
        tfp.Bootstrap(reps=1)
    with pytest.raises(
        SpecificationError, match="Bootstrap.indices must be an integer array"
    ):
        tfp.Bootstrap(reps=3, indices=np.zeros((2, 5), dtype=int))
    with pytest.raises(
        SpecificationError, match="Optimizer.method='newton' is not one of"
    ):
        tfp.Optimizer(method="newton")


# the data are noise on 10 firms: the diagnostics rightly fail, and are not the subject here
@pytest.mark.filterwarnings("ignore::tfp.exceptions.UnreliableEstimateWarning")
def test_injected_indices_must_fit_the_panel() -> None:
    res = tfp.estimate(_df(), method="ols", **ROLES)
    with pytest.raises(SpecificationError, match="must have 10 columns"):
        res.with_bootstrap(tfp.Bootstrap(reps=2, indices=np.zeros((2, 4), dtype=int)))


# the data are noise on 10 firms: the diagnostics rightly fail, and are not the subject here
@pytest.mark.filterwarnings("ignore::tfp.exceptions.UnreliableEstimateWarning")
def test_objective_at_needs_every_term() -> None:
    res = tfp.estimate(_df(), method="ols", **ROLES)
    with pytest.raises(SpecificationError, match=r"lack the term\(s\) \['k'\]"):
        res.objective_at({"l": 0.5})


def test_numbers_stored_as_text_are_named_as_such() -> None:
    df = _df().assign(l=lambda d: d["l"].astype(str).astype("string"))
    with pytest.raises(
        DataError, match=r"column 'l': holds numbers stored as text.*pd.to_numeric"
    ):
        tfp.estimate(df, method="ols", **ROLES)


def test_option_lists_and_flags_validated() -> None:
    with pytest.raises(
        SpecificationError, match="extra_instruments must be a column name or a list"
    ):
        tfp.ACFOptions(extra_instruments=1)  # type: ignore[arg-type]
    with pytest.raises(
        SpecificationError, match="Optimizer.strict must be True or False"
    ):
        tfp.Optimizer("nelder-mead", strict="zz")  # type: ignore[arg-type]


def test_bootstrap_reps_taken_from_injected_indices() -> None:
    boot = tfp.Bootstrap(indices=np.zeros((3, 10), dtype=int))
    assert boot.reps == 3
    with pytest.raises(SpecificationError, match=r"shape \(reps=5, n_firms\)"):
        tfp.Bootstrap(reps=5, indices=np.zeros((3, 10), dtype=int))
