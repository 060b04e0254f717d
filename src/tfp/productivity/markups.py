"""Price-cost markups from production-function estimates (De Loecker and Warzynski 2012).

The markup of firm *i* in period *t* is the output elasticity of a flexible input divided by
that input's share of revenue,

    μ_it = θ_it / α_it,

where θ comes from the estimated production function (``results.elasticities()``) and α is
the expenditure on the input over revenue. Observed output includes the transitory shock ε
of the first stage (``y = f(x) + ω + ε``), so DLW correct the share by removing it from
revenue: ``α̃ = α · exp(ε)``, i.e. ``ln μ = ln θ - ln α - ε``.

:func:`markups` works with any results that have per-observation elasticities and a first
stage: GNR (whose share regression gives ε), and gross-output ACF/LP (Cobb-Douglas or
translog), where ε = y - φ. :func:`markup_summary` tabulates markups by group (size class,
sector, year).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tfp._literals import validate_literal
from tfp.exceptions import DataError, SpecificationError
from tfp.productivity._common import numeric_column

__all__ = ["dlw_markup", "markup_summary", "markups"]


def dlw_markup(
    theta: Any, share: Any, eps: Any = None, *, share_kind: str = "log"
) -> np.ndarray:
    """DLW markup ``θ / (α · exp(ε))`` element by element.

    Parameters
    ----------
    theta : array_like
        Output elasticity of the flexible input.
    share : array_like
        Its revenue share: ``ln α`` when ``share_kind="log"``, ``α`` when ``"level"``.
    eps : array_like, optional
        First-stage output shock ε; ``None`` applies no correction.
    share_kind : {'log', 'level'}
        How ``share`` is expressed.

    Returns
    -------
    ndarray
        Markups (NaN where an input is NaN).

    References
    ----------
    De Loecker, J. and Warzynski, F. (2012). Markups and firm-level export status.
    *American Economic Review* 102(6), 2437-2471, eq. (10) and footnote 27.
    https://doi.org/10.1257/aer.102.6.2437
    """
    validate_literal(share_kind, ("log", "level"), name="share_kind")
    th = np.asarray(theta, dtype=np.float64)
    sh = np.asarray(share, dtype=np.float64)
    if share_kind == "level":
        with np.errstate(invalid="ignore"):
            bad = np.isfinite(sh) & ~(sh > 0)
        if np.any(bad):
            raise DataError(
                f"{int(bad.sum())} revenue share(s) in levels are not positive",
                column="share",
                fix="pass shares in levels > 0, or share_kind='log' for log shares",
            )
        log_share = np.log(sh)
    else:
        log_share = sh
    e = np.zeros_like(th) if eps is None else np.asarray(eps, dtype=np.float64)
    return np.asarray(th / np.exp(log_share + e), dtype=np.float64)


def _results_shock(results: Any) -> pd.Series:
    """The first-stage output shock ε of each row, on the input's index."""
    eps = getattr(getattr(results, "_fit", None), "epsilon", None)
    panel = getattr(results, "_panel", None)
    if eps is not None and panel is not None:  # GNR: ε from the share regression
        return panel.to_series(np.asarray(eps, dtype=np.float64), name="epsilon")
    if not getattr(results, "first_stage", None):
        raise SpecificationError(
            f"results of method {getattr(results, 'method', '?')!r} have no first stage, so the "
            "transitory shock cannot be removed from the revenue share",
            fix="use gnr, acf or lp results, or pass correct_for_first_stage=False",
        )
    # y - φ = (y - xβ) - (φ - xβ): the public productivity with and without the shock
    with_shock = results.productivity(include_shock=True)
    without = results.productivity()
    return (with_shock - without).rename("epsilon")


def _floats(values: object, role: str, name: str) -> np.ndarray:
    """``values`` as float64 (NaN for missing); text raises DataError naming the role."""
    if isinstance(values, pd.Series) and (
        pd.api.types.is_bool_dtype(values.dtype)
        or not pd.api.types.is_numeric_dtype(values.dtype)
    ):
        raise DataError(
            f"the {role} Series must be numeric, got dtype {values.dtype}",
            column=name,
            fix="convert it first, e.g. pd.to_numeric(share, errors='coerce')",
        )
    try:
        if isinstance(values, pd.Series):
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(
            f"the {role} values are not numbers",
            column=name,
            fix="pass numbers (convert text with pd.to_numeric first)",
        ) from None


def _column(
    values: str | pd.Series | np.ndarray | Sequence[float],
    *,
    role: str,
    data: pd.DataFrame | None,
    results: Any,
    index: pd.Index,
) -> pd.Series:
    if isinstance(values, str):
        if data is not None:
            if values not in data.columns:
                raise DataError(
                    "is not in the data", column=values, fix=f"name the {role} column"
                )
            col = data[values]
            if not col.index.equals(index):
                raise DataError(
                    "data's index differs from the index the results were estimated on",
                    column=values,
                    fix="pass the same DataFrame that was given to tfp.estimate",
                )
            return pd.Series(numeric_column(data, values, role=role), index=index)
        panel = getattr(results, "_panel", None)
        if panel is not None and values in panel.values:
            return panel.to_series(np.asarray(panel[values]), name=values)
        raise SpecificationError(
            f"the {role} column {values!r} is not among the estimation columns",
            column=values,
            fix="pass data=<the DataFrame given to tfp.estimate> or a Series",
        )
    if isinstance(values, pd.Series):
        if not values.index.equals(index):
            if values.index.has_duplicates or not index.isin(values.index).all():
                raise DataError(
                    f"the {role} Series is not indexed like the estimation data",
                    column=str(values.name),
                    fix="pass a Series with the index of the DataFrame given to tfp.estimate",
                )
            values = values.reindex(index)
        return pd.Series(_floats(values, role, str(values.name)), index=index)
    arr = _floats(values, role, role)
    if arr.shape != (len(index),):
        raise DataError(
            f"the {role} array has shape {arr.shape}; expected ({len(index)},), one value per "
            "row of the estimation data",
            column=role,
            fix="pass a Series indexed like the data",
        )
    return pd.Series(arr, index=index)


def markups(
    results: Any,
    *,
    flexible: str | None = None,
    share: str | pd.Series | np.ndarray | None = None,
    data: pd.DataFrame | None = None,
    share_kind: str = "log",
    correct_for_first_stage: bool = True,
) -> pd.Series:
    """Per-observation markups ``θ_m / α_m`` (De Loecker and Warzynski 2012).

    Parameters
    ----------
    results : ProductionResults
        Gross-output estimates with the flexible input among the inputs (``gnr``, or
        ``acf``/``lp`` with ``flexible=``), Cobb-Douglas or translog.
    flexible : str, optional
        The flexible input; defaults to the spec's only flexible input.
    share : str, Series or array, optional
        The input's revenue share: a column name (of ``data``, or an estimation column such
        as GNR's ``share``), a Series indexed like the data, or an array in the data's row
        order. Defaults to the spec's ``share`` column.
    data : DataFrame, optional
        The DataFrame given to :func:`tfp.estimate`, to look up ``share`` by name.
    share_kind : {'log', 'level'}
        ``log``: ``share`` is ``ln α`` (as GNR's share); ``level``: ``share`` is ``α``.
    correct_for_first_stage : bool
        Remove the first-stage shock ε from revenue (DLW): ``μ = θ / (α · exp(ε))``.

    Returns
    -------
    Series
        ``markup``, aligned to the data's index; NaN where θ, α or ε is missing (rows
        outside the estimation sample).

    Raises
    ------
    SpecificationError
        No flexible input, or a correction asked of results without a first stage.
    DataError
        Shares that are not positive (levels) or not aligned with the data.

    Notes
    -----
    With GNR results and the correction, the markup is ``1 / E`` for every row by
    construction (GNR identify θ from the share equation under price-taking: ``ln α =
    ln(θ·E) - ε``). Markups then carry information only with another estimator of θ, or
    without the correction.

    References
    ----------
    De Loecker, J. and Warzynski, F. (2012). Markups and firm-level export status.
    *American Economic Review* 102(6), 2437-2471. https://doi.org/10.1257/aer.102.6.2437
    """
    spec = results.spec
    if flexible is None:
        if len(spec.flexible) != 1:
            raise SpecificationError(
                f"the results have {len(spec.flexible)} flexible inputs",
                fix="name the input: markups(results, flexible='m', ...)",
            )
        flexible = spec.flexible[0]
    el = results.elasticities()
    if flexible not in el.columns:
        raise SpecificationError(
            f"{flexible!r} is not an input of these results ({list(el.columns)})",
            column=flexible,
            fix="pass the flexible input's column name (a markup needs a variable input)",
        )
    if share is None:
        if spec.share is None:
            raise SpecificationError(
                "no revenue share given",
                fix="pass share='column' (with data=) or a Series",
            )
        share = spec.share
    validate_literal(share_kind, ("log", "level"), name="share_kind")
    if not isinstance(correct_for_first_stage, bool):
        raise SpecificationError(
            "correct_for_first_stage must be True or False",
            fix="pass correct_for_first_stage=True (DLW) or False",
        )
    index = el.index
    theta = el[flexible]
    s = _column(share, role="share", data=data, results=results, index=index)
    eps = _results_shock(results).reindex(index) if correct_for_first_stage else None
    mu = dlw_markup(
        theta.to_numpy(),
        s.to_numpy(),
        None if eps is None else eps.to_numpy(),
        share_kind=share_kind,
    )
    return pd.Series(mu, index=index, name="markup")


def markup_summary(
    mu: pd.Series,
    by: pd.Series | pd.DataFrame | Sequence[pd.Series] | None = None,
    *,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Summarise markups by group (size class, sector, year …).

    Parameters
    ----------
    mu : Series
        Markups from :func:`markups` (NaN rows are left out and not counted).
    by : Series, DataFrame or list of Series, optional
        Group keys indexed like ``mu``; ``None`` gives one overall row.
    weights : Series, optional
        Non-negative weights (e.g. revenue or expansion factors) for ``weighted_mean``.

    Returns
    -------
    DataFrame
        One row per group: ``n``, ``mean``, ``median``, ``sd``, ``p10``, ``p90`` and, with
        ``weights``, ``weighted_mean`` (weights of the rows with a markup).
    """
    if not isinstance(mu, pd.Series):
        raise SpecificationError(
            "mu must be a pandas Series", fix="pass the output of tfp.markups"
        )
    frame = pd.DataFrame({"mu": mu.astype(np.float64)})
    keys: list[str] = []
    if by is not None:
        parts = [by] if isinstance(by, pd.Series | pd.DataFrame) else list(by)
        for i, part in enumerate(parts):
            cols = (
                part
                if isinstance(part, pd.DataFrame)
                else part.to_frame(part.name or f"group{i}")
            )
            if not cols.index.equals(mu.index):
                raise DataError(
                    "group keys are not indexed like the markups",
                    column=str(list(cols.columns)),
                    fix="pass keys from the DataFrame given to tfp.estimate",
                )
            for c in cols.columns:
                frame[str(c)] = cols[c]
                keys.append(str(c))
    if weights is not None:
        if not weights.index.equals(mu.index):
            raise DataError(
                "weights are not indexed like the markups",
                column=str(weights.name),
                fix="pass weights from the DataFrame given to tfp.estimate",
            )
        w = weights.astype(np.float64)
        if (w < 0).any():
            raise DataError(
                "weights must be non-negative",
                column=str(weights.name),
                fix="pass non-negative weights",
            )
        frame["_w"] = w
    frame = frame[np.isfinite(frame["mu"])]

    def stats(g: pd.DataFrame) -> pd.Series:
        x = g["mu"]
        out = {
            "n": int(x.shape[0]),
            "mean": float(x.mean()),
            "median": float(x.median()),
            "sd": float(x.std(ddof=1)) if x.shape[0] > 1 else float("nan"),
            "p10": float(x.quantile(0.1)),
            "p90": float(x.quantile(0.9)),
        }
        if "_w" in g:
            ws = float(g["_w"].sum())
            out["weighted_mean"] = (
                float((g["_w"] * x).sum() / ws) if ws > 0 else float("nan")
            )
        return pd.Series(out)

    if not keys:
        table = stats(frame).to_frame().T
        table.index = pd.Index(["all"], name="group")
    else:
        rows = {k: stats(g) for k, g in frame.groupby(keys, observed=True, sort=True)}
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index = (
            pd.MultiIndex.from_tuples(list(rows), names=keys)
            if len(keys) > 1
            else pd.Index(
                [k[0] if isinstance(k, tuple) else k for k in rows], name=keys[0]
            )
        )
    table["n"] = table["n"].astype(np.int64)
    return table
