"""Progress bars (``progress=`` of estimate, with_bootstrap, estimate_many and estimate_by).

A bar shows when asked for, or automatically when the work is long and someone watches a
terminal (simulated here: standard error is never a terminal under pytest); nothing shows in
a pipeline; a ``se="auto"`` bootstrap says what it runs; and results are the same with the
bar on or off, serially, with joblib workers (Dask: ``tests/scale/test_dask.py``).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import pandas as pd
import pytest

import tfp
import tfp._progress as progress_module
from tests.packaging.core_smoke import ROLES, method_roles, panel
from tfp._progress import check_progress, quiet, tracker
from tfp.exceptions import SpecificationError, TFPWarning

LP = {**ROLES, "proxy": "m"}

# LP on this design is its documented failure case (labour nearly a function of the proxy
# polynomial), and estimate_by's groups have ~27 firms: issue 14's checks warn on these fits.
# These tests are about the bars (the checks' own tests: tests/test_trust.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore::tfp.exceptions.UnreliableEstimateWarning"
)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return panel(n_firms=80)


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if standard error were a terminal, and every piece of work long."""
    monkeypatch.setattr(progress_module, "interactive", lambda: True)
    monkeypatch.setattr(progress_module, "AUTO_DELAY_S", 0.0)


# ---- the helper ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["yes", 1, 0.5])
def test_progress_must_be_none_true_or_false(value: Any) -> None:
    with pytest.raises(SpecificationError, match="must be None, True or False"):
        check_progress(value)
    with pytest.raises(SpecificationError, match="progress="):
        tfp.estimate(panel(), method="ols", progress=value, **ROLES)


def test_auto_is_off_in_a_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    with tracker("work", 3) as bar:
        for _ in range(3):
            bar.advance()
    assert bar.mode == "off" and not bar.shown
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("watched")
def test_auto_shows_long_work_with_its_note(capsys: pytest.CaptureFixture[str]) -> None:
    with tracker("work", 3, note="what runs") as bar:
        assert not bar.shown  # nothing before the first unit of work is done
        bar.advance()
        assert bar.shown
        bar.advance(2)
    err = capsys.readouterr().err
    assert "tfp: what runs" in err and "work" in err and "3/3" in err


@pytest.mark.usefixtures("watched")
def test_quiet_and_false_hide_even_long_work(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with quiet(), tracker("work", 2) as a:
        a.advance(2)
    with tracker("work", 2, progress=False) as b:
        b.advance(2)
    assert not a.shown and not b.shown and capsys.readouterr().err == ""


def test_nested_bars_share_one_display(capsys: pytest.CaptureFixture[str]) -> None:
    with tracker("outer", 2, progress=True) as outer:
        display = progress_module._DISPLAY.get()
        assert display is not None and display.progress is not None
        with tracker("inner", 4) as inner:  # auto inside a shown bar: shown at once
            assert inner.shown and len(display.progress.tasks) == 2
            inner.advance(4)
        assert len(display.progress.tasks) == 1  # the inner line is gone when done
        outer.advance(2)
    assert progress_module._DISPLAY.get() is None and display.progress is None
    assert "outer" in capsys.readouterr().err


# ---- the same results with the bar on or off -------------------------------------------------
def test_bootstrap_draws_do_not_depend_on_the_bar(
    data: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    boot = tfp.Bootstrap(reps=6, seed=1)
    off = tfp.estimate(data, method="lp", se=boot, progress=False, **LP)
    assert capsys.readouterr().err == ""
    on = tfp.estimate(data, method="lp", se=boot, progress=True, **LP)
    assert "Levinsohn-Petrin: bootstrap" in capsys.readouterr().err
    two = off.with_bootstrap(tfp.Bootstrap(reps=6, seed=1, n_jobs=2), progress=True)
    for res in (on, two):
        pd.testing.assert_frame_equal(
            res.bootstrap.params, off.bootstrap.params, check_exact=True
        )


def test_estimate_many_and_by_do_not_depend_on_the_bar(
    data: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    boot = tfp.Bootstrap(reps=3, seed=2)
    kw: dict[str, Any] = {"methods": ["ols", "lp"], "se": {"lp": boot}, **LP}
    kw["roles_by_method"] = {"ols": {"proxy": None}}
    off = tfp.estimate_many(data, progress=False, **kw)
    on = tfp.estimate_many(data, progress=True, **kw)
    err = capsys.readouterr().err
    assert "Levinsohn-Petrin" in err and "2/2" in err
    pd.testing.assert_frame_equal(on.params, off.params, check_exact=True)
    pd.testing.assert_frame_equal(
        on["lp"].bootstrap.params, off["lp"].bootstrap.params, check_exact=True
    )
    grouped = data.assign(g=data["firm"] % 3)
    by: dict[str, Any] = {"by": "g", "method": "lp", "se": boot, **LP}
    serial = tfp.estimate_by(grouped, progress=False, **by)
    parallel = tfp.estimate_by(grouped, progress=True, n_jobs=2, **by)
    assert "estimate_by (lp)" in capsys.readouterr().err
    assert list(parallel) == list(serial)  # group order, however they finished
    pd.testing.assert_frame_equal(parallel.params, serial.params, check_exact=True)
    for g in serial:
        pd.testing.assert_frame_equal(
            parallel[g].bootstrap.params,
            serial[g].bootstrap.params,
            check_exact=True,
        )


# ---- se="auto" says what it runs -----------------------------------------------------------
def test_auto_bootstrap_says_what_it_runs(
    data: pd.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    roles = {**ROLES, **method_roles()["cost-share"]}
    with caplog.at_level(logging.INFO, logger="tfp"), warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        auto = tfp.estimate(data, method="cost-share", progress=False, **roles)
        chosen = tfp.estimate(
            data,
            method="cost-share",
            se=tfp.Bootstrap(reps=2, seed=1),
            progress=False,
            **roles,
        )
    notes = [r.getMessage() for r in caplog.records if r.name == "tfp"]
    assert notes == [
        "se='auto' for method 'cost-share' runs a firm-cluster bootstrap: 199 "
        f"replicates (seed {tfp.api.AUTO_BOOTSTRAP_SEED}) on {auto.nobs:,} rows of 80 "
        "firms (se='none' skips it; "
        "se=tfp.Bootstrap(reps=..., seed=...) chooses)"
    ]
    assert chosen.bootstrap.reps == 2  # asked for by name: nothing to say


@pytest.mark.usefixtures("watched")
def test_auto_bootstrap_shows_its_bar_and_note(
    data: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    roles = {**ROLES, **method_roles()["cost-share"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TFPWarning)
        tfp.estimate(data, method="cost-share", **roles)
    err = " ".join(capsys.readouterr().err.split())
    assert "tfp: se='auto' for method 'cost-share' runs a firm-cluster" in err
    assert "Cost shares: bootstrap" in err and "199/199" in err


def test_backends_that_cannot_stream_results_still_run(data: pd.DataFrame) -> None:
    """joblib's multiprocessing backend returns results only at the end: same draws."""
    joblib = pytest.importorskip("joblib")
    res = tfp.estimate(data, method="lp", se="none", **LP)
    serial = res.with_bootstrap(tfp.Bootstrap(reps=4, seed=3), progress=False)
    with joblib.parallel_config(backend="multiprocessing"):
        pooled = res.with_bootstrap(
            tfp.Bootstrap(reps=4, seed=3, n_jobs=2), progress=True
        )
    pd.testing.assert_frame_equal(
        pooled.bootstrap.params, serial.bootstrap.params, check_exact=True
    )
