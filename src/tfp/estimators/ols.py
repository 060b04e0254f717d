"""Pooled OLS and within-firm fixed effects (closed form, analytic clustered covariance)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from tfp.estimators.fit import Details, Fit
from tfp.exceptions import IdentificationError
from tfp.numerics.inference import Inference, ols_vcov, solve_ols
from tfp.numerics.optimize import Convergence
from tfp.options.ols import FEOptions, OLSOptions
from tfp.panel import Panel
from tfp.spec import ProductionSpec, term_matrix

__all__ = ["LeastSquares", "fit_fe", "fit_ols"]


@dataclass(frozen=True, eq=False)
class LeastSquares(Details):
    """OLS and FE outputs: the sum of squared residuals, R² (OLS) or within R² (FE), and the
    OLS residuals."""

    ssr: float
    r2: float | None = None
    r2_within: float | None = None
    resid: np.ndarray | None = None


def _regressors(
    panel: Panel, spec: ProductionSpec, time_effects: bool
) -> tuple[np.ndarray, tuple[str, ...]]:
    x = term_matrix(panel.matrix(spec.inputs), spec.inputs, spec.form)
    names = list(spec.terms)
    blocks = [x]
    if spec.control:
        blocks.append(panel.matrix(spec.control))
        names += list(spec.control)
    if time_effects:
        d, dn = panel.period_dummies()
        blocks.append(d)
        names += list(dn)
    return np.ascontiguousarray(np.column_stack(blocks)), tuple(names)


def concentrated_ssr(
    beta: np.ndarray, y: np.ndarray, x_terms: np.ndarray, x_nuisance: np.ndarray
) -> float:
    """Sum of squared residuals at production-term coefficients ``beta``, the nuisance
    coefficients (controls, dummies, constant) set to their least-squares values given beta."""
    r = y - x_terms @ np.asarray(beta, dtype=np.float64)
    if x_nuisance.shape[1]:
        g, *_ = np.linalg.lstsq(x_nuisance, r, rcond=None)
        r = r - x_nuisance @ g
    return float(r @ r)


def _least_squares(
    y: np.ndarray,
    x: np.ndarray,
    names: tuple[str, ...],
    firm: np.ndarray,
    spec: ProductionSpec,
    options: OLSOptions | FEOptions,
    n_absorbed: int = 0,
) -> tuple[np.ndarray, np.ndarray, float, dict[str, Any]]:
    """OLS of ``y`` on ``x`` with ``n_absorbed`` more parameters already absorbed (firm
    means): coefficients, residuals, SSR and the common fields of its :class:`Fit`."""
    b, xtx_inv = solve_ols(x, y, names)
    resid = y - x @ b
    n, k = x.shape
    df_resid = n - n_absorbed - k
    if df_resid <= 0:
        raise IdentificationError(
            f"{n} observations of {n_absorbed} firms leave no degrees of freedom for {k} "
            "coefficients",
            fix="use a longer panel or fewer terms",
        )
    ssr = float(resid @ resid)
    nt = len(spec.terms)
    fields = {
        "params": b,
        "names": names,
        "vcov": ols_vcov(x, resid, xtx_inv, firm, kind=options.vcov, df_resid=df_resid),
        "convergence": Convergence.closed_form(ssr),
        "objective": ssr,
        "objective_fn": partial(
            concentrated_ssr,
            y=y,
            x_terms=np.ascontiguousarray(x[:, :nt]),
            x_nuisance=np.ascontiguousarray(x[:, nt:]),
        ),
        "inference": Inference.analytic(options.vcov, spec.id, "t", df_resid),
    }
    return b, resid, ssr, fields


def fit_ols(panel: Panel, spec: ProductionSpec, options: OLSOptions) -> Fit:
    """Pooled OLS of log output on the production terms, controls and a constant.

    Solves the sample moments ``E[x_it (y_it − x_it'β − c_it'γ − α)] = 0`` (and the same
    for the controls ``c`` and the constant) by least squares. ``params`` are the terms, then
    controls and period dummies, then ``const``; ``vcov`` as ``options.vcov``; ``objective``
    the sum of squared residuals and ``objective_fn`` the same with the nuisance
    coefficients concentrated out; ``details``: :class:`LeastSquares`.
    """
    x, names = _regressors(panel, spec, options.time_effects)
    x = np.column_stack([x, np.ones(panel.nobs)])
    y = panel[spec.output]
    _, resid, ssr, fields = _least_squares(
        y, x, (*names, "const"), panel.firm, spec, options
    )
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - ssr / tss if tss > 0 else np.nan
    return Fit(
        sample=np.ones(x.shape[0], dtype=bool),
        fitted=y - resid,
        details=LeastSquares(ssr, r2=r2, resid=resid),
        **fields,
    )


def _demean(a: np.ndarray, firm: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Subtract each firm's mean (columns one by one with bincount: O(n), no copies of X)."""
    if a.ndim == 1:
        return (
            a - (np.bincount(firm, weights=a, minlength=counts.shape[0]) / counts)[firm]
        )
    out = np.empty_like(a)
    for j in range(a.shape[1]):
        out[:, j] = (
            a[:, j]
            - (np.bincount(firm, weights=a[:, j], minlength=counts.shape[0]) / counts)[
                firm
            ]
        )
    return out


def fit_fe(panel: Panel, spec: ProductionSpec, options: FEOptions) -> Fit:
    """Within-firm (fixed effects) least squares; singletons are left out and counted.

    Solves ``E[ẍ_it (ÿ_it − ẍ_it'β)] = 0`` where ``ẍ_it = x_it − x̄_i`` removes each firm's
    mean, so a time-invariant firm effect in productivity is differenced out. ``params`` are
    the terms, then controls and period dummies (no constant); firms observed once are left
    out (``dropped["singleton"]``).
    """
    counts_all = np.bincount(panel.firm)
    singleton = counts_all[panel.firm] == 1
    n_single = int(singleton.sum())
    work = panel.subset(~singleton, {"singleton": n_single}) if n_single else panel
    if work.nobs == 0:
        raise IdentificationError(
            "every firm is observed once; the within estimator has nothing to use",
            fix="use method='ols' or a panel with repeated observations",
        )
    x, names = _regressors(work, spec, options.time_effects)
    counts = np.bincount(work.firm).astype(np.float64)
    xd = _demean(x, work.firm, counts)
    yd = _demean(work[spec.output], work.firm, counts)
    _, resid, ssr, fields = _least_squares(
        yd, xd, names, work.firm, spec, options, n_absorbed=counts.shape[0]
    )
    tss = float(yd @ yd)
    fitted = np.full(
        panel.nobs, np.nan
    )  # with the firm effects: y minus within residual
    fitted[~singleton] = work[spec.output] - resid
    return Fit(
        sample=~singleton,
        fitted=fitted,
        dropped={"singleton": n_single} if n_single else {},
        details=LeastSquares(ssr, r2_within=1.0 - ssr / tss if tss > 0 else np.nan),
        **fields,
    )
