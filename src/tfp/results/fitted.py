"""Fitted log output and residuals of an estimate (statsmodels' ``fittedvalues``, ``resid``,
``predict``).

What "fitted" means depends on the estimator's estimating equation:

==================================  ===========================================  =====================
methods                             fitted log output ``ŷ``                      residual ``y − ŷ``
==================================  ===========================================  =====================
``ols``                             ``const + Σ β x + controls`` (+ period       the OLS residual
                                    effects)
``fe``                              the same with each firm's effect ``α̂_i``     the within residual
                                    instead of ``const``
``op``, ``lp``, ``acf``, ``wrdg``,  the first stage ``φ̂ = Σ β x + ω̂``: output    ``ε̂``, the transitory
``wrdg-iv``, ``gnr``                without the transitory shock (``y − ε̂``)     shock
``rob``                             the IV equation ``a + Σ β x + controls +     ``ξ + ε``, the IV
                                    h(lagged state, proxy)``                     residual
``cost-share``                      not defined (no equation for output)         not defined
==================================  ===========================================  =====================

Both are aligned to the index of the data passed to :func:`tfp.estimate`, NaN outside the
final estimation sample (``results.sample``). For the first-stage methods the first stage
also covers each firm's first period, where ``productivity()`` is defined but which the
second stage leaves out; ``fittedvalues`` follows ``sample``.

:func:`predict` on new data is available where the fitted value is a function of the row's
own columns: ``ols`` (inputs, controls, period if period effects) and ``fe`` (the same plus
the firm, whose effect is known only for firms of the estimation sample: NaN for others).
The other methods' fitted output needs the first-stage polynomial or lags of the estimation
panel; for them ``predict()`` without data gives the fitted values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tfp._frames import as_pandas
from tfp.exceptions import SpecificationError
from tfp.panel import key_column, numeric_matrix
from tfp.spec import term_matrix

if TYPE_CHECKING:
    from tfp.results.production import ProductionResults

__all__ = ["fitted_values", "predict", "residuals"]

#: Methods whose fitted output can be computed on new rows.
PREDICT_NEW = ("ols", "fe")


def _fitted_panel(res: ProductionResults) -> np.ndarray:
    """Fitted log output in panel row order, NaN outside the final sample."""
    res._require_panel()
    fit = res._fit
    assert fit is not None
    values = fit.fitted if fit.fitted is not None else fit.phi
    if values is None:
        raise SpecificationError(
            f"method {res.method!r} has no estimating equation for output, so fitted "
            "values and residuals are not defined",
            fix="use results.productivity() (log output minus the inputs' contribution)",
        )
    out = np.array(values, dtype=np.float64)
    out[~np.asarray(fit.sample, dtype=bool)] = np.nan
    return out


def fitted_values(res: ProductionResults) -> pd.Series:
    """Fitted log output aligned to the input's index (see the module docstring)."""
    values = _fitted_panel(res)
    return res._require_panel().to_series(values, name="fitted")


def residuals(res: ProductionResults) -> pd.Series:
    """Log output minus fitted log output, aligned to the input's index."""
    values = _fitted_panel(res)
    panel = res._require_panel()
    return panel.to_series(panel[res.spec.output] - values, name="resid")


def _linear(
    res: ProductionResults,
    inputs: np.ndarray,
    controls: np.ndarray,
    time: np.ndarray | None,
) -> np.ndarray:
    """``Σ β x + controls + period effects + const`` at the estimate (OLS and FE)."""
    spec, params = res.spec, res.params
    out = (
        term_matrix(inputs, spec.inputs, spec.form)
        @ params[list(spec.terms)].to_numpy()
    )
    if spec.control:
        out = out + controls @ params[list(spec.control)].to_numpy()
    if getattr(res.options, "time_effects", False):
        assert res._panel is not None and time is not None
        periods = np.unique(res._panel.time)
        effect = pd.Series(
            [0.0, *(float(params[f"{spec.time}={p}"]) for p in periods[1:])],
            index=periods.astype(np.float64),
        )
        # a period the estimate has no effect for: NaN
        out = out + effect.reindex(np.asarray(time, dtype=np.float64)).to_numpy()
    return out + float(params.get("const", 0.0))


def _firm_effects(res: ProductionResults) -> pd.Series:
    """FE: each estimation-sample firm's effect ``α̂_i`` (fitted minus the linear part)."""
    panel = res._panel
    assert panel is not None
    spec = res.spec
    linear = _linear(
        res, panel.matrix(spec.inputs), panel.matrix(spec.control), panel.time
    )
    alpha = _fitted_panel(res) - linear
    labels = panel.firm_labels[panel.firm]
    ok = np.isfinite(alpha)
    return pd.Series(alpha[ok]).groupby(labels[ok]).mean()


def predict(res: ProductionResults, data: object = None) -> pd.Series:
    """Fitted log output: of the estimation sample (``data=None``) or of new rows."""
    if data is None:
        return fitted_values(res)
    if res.method not in PREDICT_NEW:
        raise SpecificationError(
            f"predict on new data is not available for method {res.method!r}: its fitted "
            "output needs the first-stage polynomial or the lags of the estimation panel",
            fix="call predict() without data (or use fittedvalues) for the estimation "
            "sample, or re-estimate on the new data",
        )
    res._require_panel()
    frame = as_pandas(data)
    spec = res.spec
    time_effects = bool(getattr(res.options, "time_effects", False))
    # id and time: columns or index levels, as in estimate (linearmodels' MultiIndex)
    firms = key_column(frame, spec.id, "id") if res.method == "fe" else None
    time = None
    if time_effects:
        periods = key_column(frame, spec.time, "time")
        time = pd.to_numeric(periods, errors="coerce").to_numpy(dtype=np.float64)
    out = _linear(
        res,
        numeric_matrix(frame, list(spec.inputs)),
        numeric_matrix(frame, list(spec.control)),
        time,
    )
    if firms is not None:
        out = out + _firm_effects(res).reindex(firms.to_numpy()).to_numpy()
    return pd.Series(out, index=frame.index, name="fitted")
