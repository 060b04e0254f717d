"""Baselines that benchmarks time tfp against, in the same run.

``scipy_acf``: the ACF criterion written the plain way — NumPy, the Markov coefficients
re-estimated by ``lstsq`` at every evaluation, no analytic gradient, one start (Nelder–Mead,
or BFGS with SciPy's finite-difference gradient) — as a user would write it from the paper
with SciPy alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize


def scipy_acf(
    problem: Any, start: np.ndarray, method: str = "Nelder-Mead"
) -> tuple[np.ndarray, float, int]:
    """Minimise the one-step ACF criterion of ``problem`` (a ``MarkovGMM``) from ``start``
    with ``method`` (``"Nelder-Mead"`` or ``"BFGS"``, SciPy's defaults otherwise).

    Returns the estimate, the criterion there and the number of criterion evaluations.
    """
    z, x, xl, phi, phil, d = (
        problem.z,
        problem.x,
        problem.xl,
        problem.phi,
        problem.phil,
        problem.degree,
    )
    w = np.linalg.inv(z.T @ z / z.shape[0])

    def crit(b: np.ndarray) -> float:
        om = phi - x @ b
        oml = phil - xl @ b
        h = oml[:, None] ** np.arange(d + 1)[None, :]
        rho = np.linalg.lstsq(h, om, rcond=None)[0]
        g = z.T @ (om - h @ rho) / z.shape[0]
        return float(g @ w @ g)

    if method == "BFGS":
        r = minimize(crit, start, method="BFGS")
    else:
        r = minimize(
            crit,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-8, "fatol": 1e-16, "maxiter": 4000},
        )
    return r.x, float(r.fun), int(r.nfev)
