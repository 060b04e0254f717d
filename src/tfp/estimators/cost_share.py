"""Cost-share (index-number) calibration of output elasticities.

The elasticity of input ``j`` at firm-year ``it`` is ``rts · cost_jit / Σ_i cost_iit``; the
reported elasticity is the mean (or median) over the sample. This is what PRODUCE-style
calibrations do when no estimator is run: under cost minimisation and constant returns the
output elasticity of an input equals its share in total cost.

References
----------
Solow, R. M. (1957). Technical change and the aggregate production function. *Review of
Economics and Statistics*, 39(3), 312-320. https://doi.org/10.2307/1926047

Hall, R. E. (1988). The relation between price and marginal cost in U.S. industry. *Journal
of Political Economy*, 96(5), 921-947. https://doi.org/10.1086/261570
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfp.estimators.fit import Details, Fit
from tfp.exceptions import DataError, IdentificationError, SpecificationError
from tfp.numerics.inference import Inference, cluster_meat
from tfp.numerics.optimize import Convergence
from tfp.options.cost_share import CostShareOptions
from tfp.panel import Panel
from tfp.spec import ProductionSpec

__all__ = ["CostShares", "fit"]


@dataclass(frozen=True, eq=False)
class CostShares(Details):
    """Cost-share outputs: ``shares`` (panel rows × inputs, times ``returns_to_scale``, NaN
    outside the sample) named ``share_names``, ``total_cost`` per row and ``average``."""

    shares: np.ndarray
    share_names: tuple[str, ...]
    total_cost: np.ndarray
    returns_to_scale: float
    average: str


def _cost_columns(spec: ProductionSpec, options: CostShareOptions) -> tuple[str, ...]:
    if spec.form != "cobb-douglas":
        raise SpecificationError(
            f"method 'cost-share' gives Cobb-Douglas elasticities; form={spec.form!r} is not "
            "supported",
            fix="pass form='cobb-douglas'",
        )
    inputs = spec.inputs
    missing = [i for i in inputs if i not in options.costs]
    if missing:
        raise SpecificationError(
            f"CostShareOptions.costs has no cost column for input(s) {missing}",
            column=missing[0],
            fix=f"name a cost column (in levels) for every input: {list(inputs)}",
        )
    extra = [k for k in options.costs if k not in inputs]
    if extra:
        raise SpecificationError(
            f"CostShareOptions.costs names {extra}, which are not inputs of the "
            f"specification {list(inputs)}",
            column=extra[0],
            fix="key costs by the names given as free/state/flexible inputs",
        )
    return tuple(options.costs[i] for i in inputs)


def fit(panel: Panel, spec: ProductionSpec, options: CostShareOptions) -> Fit:
    """Calibrate Cobb-Douglas elasticities from input cost shares.

    Parameters
    ----------
    panel : Panel
        Validated panel holding ``spec.columns()`` and ``options.columns()`` (the costs).
    spec : ProductionSpec
        Roles; Cobb-Douglas only. Every input needs a cost column in ``options.costs``.
    options : CostShareOptions
        Cost columns, returns to scale and the averaging rule.

    Returns
    -------
    Fit
        ``params``: one elasticity per input (``spec.terms`` order). ``vcov``: for
        ``average="mean"``, the covariance of the mean share clustered by firm (times
        ``rts²``); None for the median. ``details``: :class:`CostShares`.

    Raises
    ------
    SpecificationError
        Translog form, or a cost column missing for an input (or naming a non-input).
    DataError
        A negative cost.
    IdentificationError
        No row with a positive total cost.

    References
    ----------
    Solow, R. M. (1957). *Review of Economics and Statistics*, 39(3), 312-320.

    Hall, R. E. (1988). *Journal of Political Economy*, 96(5), 921-947.
    """
    cols = _cost_columns(spec, options)
    c = panel.matrix(cols)
    for j, col in enumerate(cols):
        neg = c[:, j] < 0
        if neg.any():
            raise DataError(
                f"{int(neg.sum())} cost value(s) are negative (e.g. {c[neg, j][0]!r}); a "
                "cost in levels cannot be negative",
                column=col,
                fix="check the column is a cost in levels (not logs) and correct or drop "
                "those rows",
            )
    total = c.sum(axis=1)
    sample = total > 0
    n = int(sample.sum())
    if n == 0:
        raise IdentificationError(
            "no row has a positive total cost",
            column=", ".join(cols),
            fix="pass cost columns in levels with positive values",
        )
    rts = options.returns_to_scale
    shares = np.full(c.shape, np.nan)
    shares[sample] = rts * c[sample] / total[sample, None]
    s = shares[sample]
    vcov: np.ndarray | None
    if options.average == "mean":
        params = s.mean(axis=0)
        dev = s - params
        vcov = cluster_meat(dev, panel.firm[sample]) / float(n) ** 2
    else:
        params = np.median(s, axis=0)
        vcov = None
    total_out = np.where(sample, total, np.nan)
    return Fit(
        params=np.ascontiguousarray(params),
        names=spec.terms,
        vcov=vcov,
        sample=sample,
        convergence=Convergence.closed_form(),
        dropped={"nonpositive": int((~sample).sum())},
        inference=None if vcov is None else Inference.analytic("cluster", spec.id),
        details=CostShares(shares, spec.inputs, total_out, rts, options.average),
    )
