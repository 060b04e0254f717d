"""Decompositions of share-weighted aggregate productivity: Olley–Pakes and Melitz–Polanec.

Notation: firm ``i`` in period ``t`` has productivity ``phi_it`` (log TFP ``omega`` with
``kind='log'``, the default as in Melitz & Polanec 2015; the level ``exp(omega)`` with
``kind='level'``), a size measure ``s_it`` (output or employment: the ``shares`` column)
and an expansion factor ``f_it`` (1 without ``weights``). Its share is
``theta_it = f_it s_it / sum_j f_jt s_jt`` (within the group and period) and the aggregate
is ``Phi_t = sum_i theta_it phi_it``.

Olley–Pakes (static): ``Phi_t = mean_t + cov_t`` with ``mean_t = sum f phi / sum f`` and
``cov_t = sum_i (theta_it - f_it / sum f) (phi_it - mean_t)``.

Melitz–Polanec (dynamic), between ``t1`` and ``t2``, with survivors ``S`` (observed in both
periods), entrants ``E`` (only in ``t2``) and exiters ``X`` (only in ``t1``); ``s_Gt`` is the
group's total share and ``Phi_Gt`` its share-weighted mean:

``Phi_2 - Phi_1 = (mean_S2 - mean_S1) + (cov_S2 - cov_S1) + s_E2 (Phi_E2 - Phi_S2)
+ s_X1 (Phi_S1 - Phi_X1)``

Entry and exit are presence in the data (in a survey, rotation into or out of the sample
counts too); with ``by=`` a firm that changes group is an exiter of its old group and an
entrant of its new one. Every component is computed from its own definition and the table
also gives the directly computed change, so the identity can be checked.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tfp._literals import validate_literal
from tfp.exceptions import PanelStructureError, SpecificationError
from tfp.productivity._common import (
    ResultsLike,
    check_frame,
    column,
    count_drop,
    group_labels,
    make_grouping,
    numeric_column,
    productivity_from,
    removed_size_keywords,
    warn_dropped,
)

__all__ = ["melitz_polanec", "olley_pakes"]

KINDS = ("log", "level")


def _inputs(
    data: pd.DataFrame,
    productivity: object,
    *,
    shares: str,
    time: str | None,
    by: str | None,
    weights: str | None,
    kind: str,
    log: bool,
    legacy: Mapping[str, Any],
    what: str,
    id_col: str | None = None,
) -> tuple[pd.DataFrame, tuple[object, ...], str | None, dict[str, int]]:
    data = removed_size_keywords(check_frame(data), by=by, time=time, legacy=legacy)
    validate_literal(kind, KINDS, name="kind")
    omega, _results, _source = productivity_from(data, productivity, log=log)
    grouping = make_grouping(data, by=by, time=time)
    s = numeric_column(data, shares, role="shares")
    f = (
        np.ones(len(data))
        if weights is None
        else numeric_column(data, weights, role="weights")
    )
    keep = np.ones(len(data), dtype=bool)
    dropped: dict[str, int] = {}
    if id_col is not None:
        count_drop(
            keep,
            column(data, id_col, role="id").isna().to_numpy(),
            "missing_id",
            dropped,
        )
    count_drop(keep, ~np.isfinite(omega), "missing_productivity", dropped)
    count_drop(keep, grouping.codes < 0, "missing_group", dropped)
    count_drop(keep, grouping.time_missing, "missing_time", dropped)
    count_drop(keep, ~np.isfinite(s), "missing_share", dropped)
    with np.errstate(invalid="ignore"):
        count_drop(keep, s < 0, "negative_share", dropped)
    count_drop(keep, ~np.isfinite(f), "missing_weight", dropped)
    with np.errstate(invalid="ignore"):
        count_drop(keep, f <= 0, "nonpositive_weight", dropped)
    warn_dropped(dropped, len(data), what=what)
    phi = omega if kind == "log" else np.exp(omega)
    frame = pd.DataFrame(
        {
            "row": np.flatnonzero(keep),
            "g": grouping.codes[keep],
            "t": grouping.times[keep],
            "f": f[keep],
            "s": s[keep],
            "phi": phi[keep],
        }
    )
    return frame, grouping.groups, grouping.by, dropped


def _op(phi: np.ndarray, f: np.ndarray, s: np.ndarray) -> tuple[float, float, float]:
    """Return (aggregate, mean, cov_term) for one cell, each from its own definition."""
    fs = f * s
    total = fs.sum()
    theta = fs / total if total > 0 else np.full_like(fs, np.nan)
    w = f / f.sum()
    mean = float(np.sum(w * phi))
    aggregate = float(np.sum(theta * phi))
    cov = float(np.sum((theta - w) * (phi - mean)))
    return aggregate, mean, cov


def olley_pakes(
    data: pd.DataFrame,
    *,
    productivity: str | pd.Series | ResultsLike,
    shares: str,
    time: str | None = None,
    by: str | None = None,
    weights: str | None = None,
    kind: str = "log",
    log: bool = True,
    **legacy: Any,
) -> pd.DataFrame:
    """Decompose share-weighted productivity into the unweighted mean and a covariance term.

    Parameters
    ----------
    data : pandas.DataFrame
        Firm-year rows; never modified.
    productivity : str, pandas.Series or results
        Log TFP (a column, a Series aligned to ``data``, or estimation results).
    shares : str
        Size measure whose shares weight the firms (output, e.g. ``'va_soles'``, or
        employment).
    time : str or None
        Period column (one decomposition per period); ``None`` pools all rows.
    by : str or None
        Grouping column.
    weights : str or None
        Survey expansion factors (population shares and means); ``None`` counts each firm
        once.
    kind : {'log', 'level'}, default 'log'
        Decompose log TFP (as Melitz & Polanec 2015) or TFP levels.
    log : bool, default True
        Whether a column/Series ``productivity`` holds log TFP.
    **legacy
        ``sales=``, ``uit_offset=``: deprecated (FutureWarning), removed in the next release.

    Returns
    -------
    pandas.DataFrame
        Columns ``group, time, n_firms, aggregate, mean, cov_term, label_es, label_en``, with
        ``aggregate = mean + cov_term`` (module docstring for the formulas).

    References
    ----------
    Olley, G. S., & Pakes, A. (1996). The dynamics of productivity in the
    telecommunications equipment industry. *Econometrica*, 64(6), 1263–1297.

    Examples
    --------
    >>> import pandas as pd
    >>> from tfp.productivity import olley_pakes
    >>> df = pd.DataFrame({"omega": [1.0, 2.0], "va": [1.0, 3.0]})
    >>> olley_pakes(df, productivity="omega", shares="va")[["aggregate", "mean", "cov_term"]]
       aggregate  mean  cov_term
    0       1.75   1.5      0.25
    """
    frame, groups, by_name, dropped = _inputs(
        data,
        productivity,
        shares=shares,
        time=time,
        by=by,
        weights=weights,
        kind=kind,
        log=log,
        legacy=legacy,
        what="Olley-Pakes decomposition",
    )
    es, en = group_labels(groups, by_name)
    rows = []
    for key, cell in frame.groupby(["g", "t"], sort=True):
        gt: tuple[int, int] = key  # type: ignore[assignment]
        g, t = int(gt[0]), int(gt[1])
        agg, mean, cov = _op(
            cell["phi"].to_numpy(), cell["f"].to_numpy(), cell["s"].to_numpy()
        )
        rows.append(
            {
                "group": groups[g],
                "time": t if time is not None else pd.NA,
                "n_firms": len(cell),
                "aggregate": agg,
                "mean": mean,
                "cov_term": cov,
                "label_es": es[g],
                "label_en": en[g],
            }
        )
    out = pd.DataFrame(rows)
    out["time"] = out["time"].astype("Int64")
    out.attrs.update(
        {"kind": kind, "shares": shares, "weights": weights, "dropped": dropped}
    )
    return out


def melitz_polanec(
    data: pd.DataFrame,
    *,
    productivity: str | pd.Series | ResultsLike,
    id: str,
    time: str,
    shares: str,
    by: str | None = None,
    weights: str | None = None,
    kind: str = "log",
    pairs: Sequence[tuple[int, int]] | None = None,
    log: bool = True,
    **legacy: Any,
) -> pd.DataFrame:
    """Decompose the change in aggregate productivity into survivors, entrants and exiters.

    Parameters
    ----------
    data : pandas.DataFrame
        Firm-year rows with unique (``id``, ``time``) pairs; never modified.
    productivity, shares, by, weights, kind, log, **legacy
        As in :func:`olley_pakes`.
    id : str
        Firm identifier column (survivors are firms observed in both periods).
    time : str
        Period column.
    pairs : sequence of (int, int), optional
        Period pairs ``(t1, t2)``; default every pair of consecutive years present.

    Returns
    -------
    pandas.DataFrame
        One row per group and pair: ``group, time_from, time_to, n_survivors, n_entrants,
        n_exiters, aggregate_from, aggregate_to, change, survivors_mean, survivors_cov,
        entrants, exiters, share_entrants, share_exiters, label_es, label_en``; ``change``
        (computed directly as ``Phi_2 - Phi_1``) equals the sum of the four components.
        Components are NaN when a pair has no survivors.

    Raises
    ------
    PanelStructureError
        Duplicate (id, time) pairs.
    SpecificationError
        A requested pair has a period that is not present.

    References
    ----------
    Melitz, M. J., & Polanec, S. (2015). Dynamic Olley-Pakes productivity decomposition
    with entry and exit. *RAND Journal of Economics*, 46(2), 362–375.
    """
    frame, groups, by_name, dropped = _inputs(
        data,
        productivity,
        shares=shares,
        time=time,
        by=by,
        weights=weights,
        kind=kind,
        log=log,
        legacy=legacy,
        what="Melitz-Polanec decomposition",
        id_col=id,
    )
    ids_all = column(data, id, role="id")
    valid = ids_all.notna() & data[time].notna()
    dup = pd.DataFrame({"i": ids_all[valid], "t": data.loc[valid, time]}).duplicated()
    if dup.any():
        raise PanelStructureError(
            f"{int(dup.sum())} rows repeat an (id, time) pair",
            column=f"{id}, {time}",
            fix="keep one row per firm and period",
        )
    frame["i"] = pd.factorize(ids_all.to_numpy()[frame["row"].to_numpy()])[0]
    present = sorted(set(frame["t"].tolist()))
    if pairs is None:
        pair_list = [(a, b) for a, b in itertools.pairwise(present) if b - a == 1]
    else:
        pair_list = _period_pairs(pairs)
        for a, b in pair_list:
            for t in (a, b):
                if t not in present:
                    raise SpecificationError(
                        f"period {t} of pair ({a}, {b}) is not among the periods present: "
                        f"{present}",
                        column=time,
                        fix="pass pairs of periods present in the data",
                    )
    es, en = group_labels(groups, by_name)
    rows = []
    for g in sorted(set(frame["g"].tolist())):
        fg = frame[frame["g"] == g]
        for t1, t2 in pair_list:
            a = fg[fg["t"] == t1]
            b = fg[fg["t"] == t2]
            if a.empty or b.empty:
                continue
            rows.append(
                {
                    "group": groups[int(g)],
                    "time_from": t1,
                    "time_to": t2,
                    **_mp_pair(a, b),
                    "label_es": es[int(g)],
                    "label_en": en[int(g)],
                }
            )
    out = pd.DataFrame(rows)
    out.attrs.update(
        {"kind": kind, "shares": shares, "weights": weights, "dropped": dropped}
    )
    return out


def _mp_pair(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, float | int]:
    ia, ib = a["i"].to_numpy(), b["i"].to_numpy()
    surv_a, surv_b = np.isin(ia, ib), np.isin(ib, ia)
    theta_a = (a["f"] * a["s"]).to_numpy()
    theta_a = theta_a / theta_a.sum()
    theta_b = (b["f"] * b["s"]).to_numpy()
    theta_b = theta_b / theta_b.sum()
    phi_a, phi_b = a["phi"].to_numpy(), b["phi"].to_numpy()
    f_a, f_b = a["f"].to_numpy(), b["f"].to_numpy()
    agg_a = float(np.sum(theta_a * phi_a))
    agg_b = float(np.sum(theta_b * phi_b))

    def share_mean(
        theta: np.ndarray, phi: np.ndarray, m: np.ndarray
    ) -> tuple[float, float]:
        tot = float(theta[m].sum())
        return tot, (float(np.sum(theta[m] * phi[m]) / tot) if tot > 0 else np.nan)

    _, big_s1 = share_mean(theta_a, phi_a, surv_a)
    _, big_s2 = share_mean(theta_b, phi_b, surv_b)
    s_x1, big_x1 = share_mean(theta_a, phi_a, ~surv_a)
    s_e2, big_e2 = share_mean(theta_b, phi_b, ~surv_b)
    n_s = int(surv_a.sum())
    if n_s == 0:
        mean_change = cov_change = entr = exit_ = np.nan
    else:
        mean_s1 = float(np.sum(f_a[surv_a] * phi_a[surv_a]) / f_a[surv_a].sum())
        mean_s2 = float(np.sum(f_b[surv_b] * phi_b[surv_b]) / f_b[surv_b].sum())
        mean_change = mean_s2 - mean_s1
        cov_change = (big_s2 - mean_s2) - (big_s1 - mean_s1)
        entr = s_e2 * (big_e2 - big_s2) if (~surv_b).any() else 0.0
        exit_ = s_x1 * (big_s1 - big_x1) if (~surv_a).any() else 0.0
    return {
        "n_survivors": n_s,
        "n_entrants": int((~surv_b).sum()),
        "n_exiters": int((~surv_a).sum()),
        "aggregate_from": agg_a,
        "aggregate_to": agg_b,
        "change": agg_b - agg_a,
        "survivors_mean": mean_change,
        "survivors_cov": cov_change,
        "entrants": entr,
        "exiters": exit_,
        "share_entrants": s_e2,
        "share_exiters": s_x1,
    }


def _period_pairs(pairs: object) -> list[tuple[int, int]]:
    """Validate ``pairs`` as a sequence of (t1, t2) whole-number periods."""
    fix = "pass pairs as a list of (t1, t2) periods, e.g. pairs=[(2015, 2016)]"
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence):
        raise SpecificationError(
            f"pairs must be a list of (t1, t2) periods, got {pairs!r}", fix=fix
        )
    out = []
    for pair in pairs:
        if (
            isinstance(pair, (str, bytes))
            or not isinstance(pair, Sequence)
            or len(pair) != 2
            or not all(
                isinstance(t, (int, np.integer))
                or (isinstance(t, (float, np.floating)) and float(t).is_integer())
                for t in pair
            )
            or any(isinstance(t, bool) for t in pair)
        ):
            raise SpecificationError(
                f"pairs must hold (t1, t2) pairs of whole-number periods; got {pair!r}",
                fix=fix,
            )
        out.append((int(pair[0]), int(pair[1])))
    return out
