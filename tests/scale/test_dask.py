"""The same calls on a Dask cluster (LocalCluster of processes) equal the serial run bit for bit."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

import tfp
from tfp.by_group import estimate_by
from tfp.datasets.simulate import acf_dgp

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

# These tests are about where groups and replicates run, on ACF's DGP1 with LP and OLS: the
# documented failure cases (LP's functional dependence, OLS's bias), so the diagnostics rightly
# warn; their warnings are tested in tests/test_trust.py.
pytestmark = pytest.mark.filterwarnings(
    "ignore::tfp.exceptions.UnreliableEstimateWarning"
)

ROLES = {
    "output": "y",
    "free": "l",
    "state": "k",
    "proxy": "m",
    "id": "firm",
    "time": "year",
}


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """Two single-threaded worker processes on this machine (loopback only, no dashboard)."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: two xdist workers may each start one
            scheduler_port=0,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    sim = acf_dgp(design=1, n_firms=300, n_periods=8, seed=3, burn_in=20)
    return sim.data.assign(sector=sim.data["firm"] % 3)


def test_bootstrap_on_client_equals_serial(client: object, data: pd.DataFrame) -> None:
    res = tfp.estimate(data, method="lp", se="none", **ROLES)
    serial = res.with_bootstrap(tfp.Bootstrap(reps=16, seed=4))
    on_dask = res.with_bootstrap(tfp.Bootstrap(reps=16, seed=4, client=client))
    pd.testing.assert_frame_equal(
        on_dask.bootstrap.params, serial.bootstrap.params, check_exact=True
    )
    pd.testing.assert_frame_equal(on_dask.vcov, serial.vcov, check_exact=True)
    assert on_dask.bootstrap.n_jobs == 2  # the cluster's worker threads


def test_joblib_dask_backend_equals_serial(client: object, data: pd.DataFrame) -> None:
    """No API change: the estimation call is the same inside the backend context."""
    boot = tfp.Bootstrap(reps=8, seed=6)
    serial = tfp.estimate(data, method="lp", se=boot, **ROLES)
    with joblib.parallel_config(backend="dask"):
        on_dask = tfp.estimate(data, method="lp", se=boot, **ROLES)
    pd.testing.assert_frame_equal(
        on_dask.bootstrap.params, serial.bootstrap.params, check_exact=True
    )


def test_estimate_by_on_client_equals_serial(
    client: object, data: pd.DataFrame
) -> None:
    boot = tfp.Bootstrap(reps=4, seed=1)
    serial = estimate_by(data, by="sector", method="lp", se=boot, **ROLES)
    on_dask = estimate_by(
        data, by="sector", method="lp", se=boot, client=client, **ROLES
    )
    with joblib.parallel_config(backend="dask"):
        in_context = estimate_by(data, by="sector", method="lp", se=boot, **ROLES)
    assert list(on_dask) == list(serial) == list(in_context)
    for k in serial:
        for other in (on_dask, in_context):
            pd.testing.assert_series_equal(
                other[k].params, serial[k].params, check_exact=True
            )
            pd.testing.assert_frame_equal(
                other[k].bootstrap.params, serial[k].bootstrap.params, check_exact=True
            )


class _Recorder:
    """A client proxy that records scatter and submit calls and forwards everything."""

    def __init__(self, client: object) -> None:
        self._client = client
        self.scattered: list[object] = []
        self.submitted: list[tuple[object, ...]] = []

    def scatter(self, data: object, **kwargs: object) -> object:
        self.scattered.append(data)
        return self._client.scatter(data, **kwargs)

    def submit(self, fn: object, *args: object, **kwargs: object) -> object:
        self.submitted.append(args)
        return self._client.submit(fn, *args, **kwargs)

    def __getattr__(self, name: str) -> object:
        return getattr(self._client, name)


def test_panel_scattered_once(client: object, data: pd.DataFrame) -> None:
    """One scatter of the panel; every replicate task refers to that one future."""
    res = tfp.estimate(data, method="lp", se="none", **ROLES)
    rec = _Recorder(client)
    out = res.with_bootstrap(tfp.Bootstrap(reps=12, seed=2, client=rec))
    assert out.bootstrap.failed == 0
    assert len(rec.scattered) == 1
    assert len(rec.submitted) > 1
    futures = {id(args[2]) for args in rec.submitted}
    assert len(futures) == 1
    # each task carries only its replicates' seed streams, not the panel or a draw matrix
    assert sum(len(args[1]) for args in rec.submitted) == 12
    assert not client.who_has()  # the scattered panel was released afterwards


def test_progress_on_dask_changes_nothing(
    client: object, data: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bars count Dask tasks as they finish; the draws stay those of the serial run."""
    res = tfp.estimate(data, method="lp", se="none", **ROLES)
    serial = res.with_bootstrap(tfp.Bootstrap(reps=8, seed=4), progress=False)
    shown = res.with_bootstrap(
        tfp.Bootstrap(reps=8, seed=4, client=client), progress=True
    )
    boot = tfp.Bootstrap(reps=3, seed=1)
    by_serial = estimate_by(data, by="sector", method="lp", se=boot, **ROLES)
    by_dask = estimate_by(
        data,
        by="sector",
        method="lp",
        se=boot,
        client=client,
        progress=True,
        **ROLES,
    )
    err = capsys.readouterr().err
    assert "8/8" in err and "3/3" in err
    pd.testing.assert_frame_equal(
        shown.bootstrap.params, serial.bootstrap.params, check_exact=True
    )
    assert list(by_dask) == list(by_serial)
    pd.testing.assert_frame_equal(by_dask.params, by_serial.params, check_exact=True)
