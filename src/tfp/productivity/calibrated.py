"""Calibrated Cobb-Douglas TFP from given input shares, as PRODUCE computes it.

PRODUCE (OGEIEE) reports the PP 0093 TFP index from a Cobb-Douglas with *given* parameters
("parámetros de la participación", ENE 2015–2018: capital 0.262, skilled labour 0.588,
unskilled labour 0.166; seed report, section "Productividad de las MIPYME"):

.. math:: \\ln TFP_i = \\ln Y_i - a \\ln K_i - b \\ln L^s_i - c \\ln L^u_i .

:func:`calibrated` returns this log TFP as a Series aligned to the data, the same shape as
``results.productivity()``, so both feed :func:`tfp.productivity.tfp_index`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from tfp.exceptions import SpecificationError
from tfp.productivity._common import (
    check_frame,
    count_drop,
    numeric_column,
    warn_dropped,
)

__all__ = ["PRODUCE_SHARES_ENE_2015_2018", "calibrated"]

#: Output elasticities published by PRODUCE for ENE 2015–2018 (seed report, "Productividad de
#: las MIPYME"; PERU_DOMAIN.md §4.1). They sum to 1.016: kept as published, not renormalised.
PRODUCE_SHARES_ENE_2015_2018: Mapping[str, float] = MappingProxyType(
    {"capital": 0.262, "skilled_labour": 0.588, "unskilled_labour": 0.166}
)


def calibrated(
    data: pd.DataFrame,
    *,
    output: str,
    inputs: Mapping[str, float],
    log: bool = True,
    name: str = "omega",
) -> pd.Series:
    """Compute log TFP of a Cobb-Douglas with given shares, aligned to ``data``.

    ``omega_i = y_i - sum_j a_j x_ij`` where ``y`` and ``x_j`` are the logs of output and of
    the inputs. No constant is removed: ``omega`` contains the production function's
    constant (and, for the true shares, the transitory shock), which cancels in every index
    relative to a base group or base year.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per firm and period; never modified.
    output : str
        Output column (value added).
    inputs : mapping of str to float
        Input column -> output elasticity ("share"), e.g.
        ``{"k": 0.262, "ls": 0.588, "lu": 0.166}``. The shares are used as given (they need
        not sum to one).
    log : bool, default True
        ``True``: ``output`` and ``inputs`` are already in logs. ``False``: they are levels
        (soles, workers) and are logged here; rows with a level <= 0 get NaN and are counted.
    name : str, default "omega"
        Name of the returned Series.

    Returns
    -------
    pandas.Series
        Log TFP on ``data.index``; NaN where an input or output is missing (or, with
        ``log=False``, not positive). ``Series.attrs['dropped']`` holds the counts by reason,
        and a :class:`~tfp.exceptions.DroppedObservationsWarning` reports them.

    Raises
    ------
    SpecificationError
        ``inputs`` is empty, names the output, or a share is not a finite number.
    DataError
        A column is missing or not numeric.

    References
    ----------
    PRODUCE-OGEIEE, *Reporte de seguimiento PP 0093, 2020*, "Productividad de las MIPYME".
    Solow, R. M. (1957). Technical change and the aggregate production function. *Review of
    Economics and Statistics*, 39(3), 312–320.

    Examples
    --------
    >>> import pandas as pd
    >>> from tfp.productivity import calibrated
    >>> df = pd.DataFrame({"y": [2.0, 3.0], "k": [1.0, 2.0], "l": [0.0, 1.0]})
    >>> calibrated(df, output="y", inputs={"k": 0.3, "l": 0.7}).tolist()
    [1.7, 1.7]
    """
    data = check_frame(data)
    if not isinstance(inputs, Mapping) or len(inputs) == 0:
        raise SpecificationError(
            "inputs must be a non-empty mapping of input column to share",
            fix="pass e.g. inputs={'k': 0.262, 'ls': 0.588, 'lu': 0.166}",
        )
    shares: dict[str, float] = {}
    for col, share in inputs.items():
        if col == output:
            raise SpecificationError(
                "is named both as output and as an input",
                column=str(col),
                fix="list only the inputs in inputs=",
            )
        if isinstance(share, bool) or not isinstance(share, (int, float, np.floating)):
            raise SpecificationError(
                f"the share of input {col!r} must be a number, got {type(share).__name__}",
                column=str(col),
                fix="give each input's output elasticity as a float",
            )
        if not math.isfinite(float(share)):
            raise SpecificationError(
                f"the share of input {col!r} is {share}",
                column=str(col),
                fix="give a finite output elasticity",
            )
        shares[col] = float(share)

    y = numeric_column(data, output, role="output")
    xs = {c: numeric_column(data, c, role="input") for c in shares}
    keep = np.ones(len(data), dtype=bool)
    dropped: dict[str, int] = {}
    cols = [output, *shares]
    arrays = [y, *xs.values()]
    missing = np.zeros(len(data), dtype=bool)
    for a in arrays:
        missing |= ~np.isfinite(a)
    count_drop(keep, missing, "missing", dropped)
    if not log:
        nonpos = np.zeros(len(data), dtype=bool)
        for a in arrays:
            with np.errstate(invalid="ignore"):
                nonpos |= ~(a > 0)
        count_drop(keep, nonpos, "nonpositive", dropped)
        y = np.log(np.where(keep, y, 1.0))
        xs = {c: np.log(np.where(keep, a, 1.0)) for c, a in xs.items()}
    omega = y.copy()
    for c, a in xs.items():
        omega = omega - shares[c] * a
    omega = np.where(keep, omega, np.nan)
    warn_dropped(dropped, len(data), what=f"calibrated TFP ({', '.join(cols)})")
    out = pd.Series(omega, index=data.index, name=name)
    out.attrs["dropped"] = dict(dropped)
    out.attrs["shares"] = dict(shares)
    return out
