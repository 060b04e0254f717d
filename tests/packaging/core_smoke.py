"""What an install without extras must do, run from outside the checkout.

``python tests/packaging/core_smoke.py`` (CI runs it in a clean virtual environment where the
wheel was installed with no extra: ``make wheel-check``; ``test_packaging.py`` runs it in the
development environment with the extras' modules hidden):

1. ``import tfp`` and estimate every method on a small simulated panel;
2. ``tfp report --help`` prints the report's options;
3. ``tfp report`` without the ``report`` extra stops at once (exit code 2) and says to
   ``pip install "tfp[report]"``.

``--tfp-command`` names the ``tfp`` console script to call (default: ``python -m tfp.cli``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import warnings
from typing import Any

#: Roles of every method on the panel built by :func:`panel` (the ``cost-share`` options
#: name its cost columns).
ROLES: dict[str, Any] = {
    "output": "y",
    "free": "l",
    "state": "k",
    "id": "firm",
    "time": "year",
}


def method_roles() -> dict[str, dict[str, Any]]:
    """Method code -> the roles and options it needs beyond :data:`ROLES`."""
    import tfp

    return {
        "ols": {},
        "fe": {},
        "wrdg": {"proxy": "m"},
        "wrdg-iv": {"proxy": "m"},
        "rob": {"proxy": "m"},
        "cost-share": {
            "flexible": "m",
            "options": tfp.CostShareOptions(costs={"l": "wb", "k": "kc", "m": "mc"}),
        },
        "op": {"proxy": "i"},
        "lp": {"proxy": "m"},
        "acf": {"proxy": "m"},
        "gnr": {"flexible": "m", "share": "s"},
    }


def panel(n_firms: int = 60) -> Any:
    """ACF (2015) design 1 with a log share and cost columns (every method runs on it)."""
    import numpy as np

    import tfp

    df, _ = tfp.datasets.acf_dgp(design=1, n_firms=n_firms, seed=1)
    rng = np.random.default_rng(0)
    return df.assign(
        s=np.log(0.45) - 0.05 + rng.normal(0.0, 0.1, len(df)),
        wb=np.exp(df["l"]),
        kc=0.1 * np.exp(df["k"]),
        mc=np.exp(df["m"]),
    )


def estimate_every_method() -> dict[str, Any]:
    """Each method's results on :func:`panel` (no standard errors: fast)."""
    import tfp

    data = panel()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tfp.exceptions.TFPWarning)
        for method, extra in method_roles().items():
            out[method] = tfp.estimate(
                data, method=method, se="none", **{**ROLES, **extra}
            )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfp-command", default=None)
    parser.add_argument(
        "--installed",
        action="store_true",
        help="check that tfp is imported from an installed wheel, not a checkout",
    )
    args = parser.parse_args()
    cmd = [args.tfp_command] if args.tfp_command else [sys.executable, "-m", "tfp.cli"]
    import tfp

    print(f"tfp {tfp.__version__} from {tfp.__file__}")
    if args.installed:
        assert "site-packages" in tfp.__file__, tfp.__file__
    for method, res in estimate_every_method().items():
        print(f"  {method:<10} {res.nobs:>5} rows  {res.params.round(3).to_dict()}")
    with tempfile.TemporaryDirectory() as tmp:
        shown = subprocess.run(
            [*cmd, "report", "--help"], capture_output=True, text=True, cwd=tmp
        )
        assert shown.returncode == 0 and "--config" in shown.stdout, shown
        print("tfp report --help: ok")
        report = subprocess.run(
            [*cmd, "report", "--out", "out"], capture_output=True, text=True, cwd=tmp
        )
    said = " ".join((report.stdout + report.stderr).split())
    assert report.returncode == 2, (report.returncode, said)
    assert 'pip install "tfp[report]"' in said, said
    print(f"tfp report without the report extra: exit 2, {said!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
