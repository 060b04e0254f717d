"""Immutable estimation results: :class:`ProductionResults`, :class:`BootstrapDraws`,
:class:`ReturnsToScale` and :class:`ResultsSet`.

Results hold labels (pandas) around the estimator's arrays. Every post-estimation operation
returns a new object (``with_bootstrap``) and never mutates.
"""

from __future__ import annotations

import dataclasses
import math
import platform
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tfp._frozen import FrozenDict
from tfp._version import __version__
from tfp.diagnostics import Diagnostics
from tfp.estimators.base import Convergence, Fit
from tfp.exceptions import SpecificationError
from tfp.panel import Panel
from tfp.spec import ProductionSpec, elasticity_matrix, term_matrix

__all__ = ["BootstrapDraws", "ProductionResults", "ResultsSet", "ReturnsToScale"]


def _readonly_series(s: pd.Series) -> pd.Series:
    """A copy of ``s`` whose values cannot be assigned to (results are immutable)."""
    values = np.array(s.to_numpy(), copy=True)
    values.setflags(write=False)
    return pd.Series(values, index=s.index, name=s.name, copy=False)


def _readonly_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a homogeneous numeric ``df`` whose values cannot be assigned to."""
    values = np.array(df.to_numpy(), copy=True)
    values.setflags(write=False)
    return pd.DataFrame(values, index=df.index, columns=df.columns, copy=False)


def _check_level(level: object) -> float:
    """Validate a confidence level in (0, 1)."""
    if (
        isinstance(level, bool)
        or not isinstance(level, (int, float, np.integer, np.floating))
        or not 0 < level < 1
    ):
        raise SpecificationError(
            f"level={level!r} must be a number in (0, 1)", fix="pass e.g. level=0.95"
        )
    return float(level)


@dataclass(frozen=True, eq=False)
class BootstrapDraws:
    """Firm-cluster bootstrap replicates.

    Attributes
    ----------
    params : DataFrame, shape (reps, p)
        One row per replicate (NaN rows for failed replicates, never removed).
    failed : int
        Replicates whose estimation raised.
    failures : tuple of (int, str)
        Replicate number and error message of each failure.
    not_converged : int
        Replicates whose optimizer did not report convergence (kept in ``params``).
    seed_entropy : int
        Entropy of the root :class:`numpy.random.SeedSequence` (re-run with ``seed=`` this).
    cluster : str
        Resampling unit (``"id"``: firms).
    reps : int
        Replicates requested.
    n_jobs : int
        Workers used (results do not depend on it).
    injected : bool
        True when the resample indices were supplied by the user.
    """

    params: pd.DataFrame
    failed: int
    failures: tuple[tuple[int, str], ...]
    not_converged: int
    seed_entropy: int
    cluster: str
    reps: int
    n_jobs: int
    injected: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _readonly_frame(self.params))

    @property
    def vcov(self) -> pd.DataFrame:
        """Covariance of the successful replicates (ddof = 1)."""
        return self.params.dropna(how="any").cov(ddof=1)

    def percentile_interval(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile intervals (``lower``, ``upper``) of each parameter."""
        a = (1 - _check_level(level)) / 2
        ok = self.params.dropna(how="any")
        return pd.DataFrame({"lower": ok.quantile(a), "upper": ok.quantile(1 - a)})


@dataclass(frozen=True)
class ReturnsToScale:
    """Returns to scale: sum of output elasticities, with a Wald test of constant returns.

    Attributes
    ----------
    value : float
        Mean over the sample of the per-observation sum of elasticities (for Cobb-Douglas,
        simply the sum of the input coefficients).
    std_error : float or None
        Its standard error (delta method on ``vcov``); None without a covariance.
    wald : float or None
        Wald statistic of H0: value = 1 (chi-squared, 1 df).
    p_value : float or None
        P-value of the Wald test.
    per_obs : Series
        Per-observation returns to scale, aligned to the caller's index (NaN outside sample).
    """

    value: float
    std_error: float | None
    wald: float | None
    p_value: float | None
    per_obs: pd.Series = field(repr=False)

    def __str__(self) -> str:
        if self.std_error is None:
            return f"returns to scale {self.value:.4f} (no covariance: no test)"
        return (
            f"returns to scale {self.value:.4f} (s.e. {self.std_error:.4f}); "
            f"Wald test of constant returns: chi2(1) = {self.wald:.3f}, p = {self.p_value:.4f}"
        )


@dataclass(frozen=True, eq=False)
class ProductionResults:
    """Production-function estimates with their inference, sample and diagnostics.

    Built by :func:`tfp.estimate`; immutable. Attributes are plain data; statistics that
    derive from them are properties.

    Attributes
    ----------
    method : str
        Method code (``"ols"``, ``"acf"`` …).
    spec : ProductionSpec
        Column roles and form (``tfp.estimate(df, method=..., **res.spec.roles())`` re-runs it).
    options : MethodOptions
        The options used, defaults resolved.
    se_type : str
        ``"analytic (cluster by id)"``, ``"bootstrap (199 reps, cluster by id, seed 93)"`` or
        ``"none"``.
    params : Series
        Estimates; production terms first (index = term names), then nuisance coefficients.
    vcov : DataFrame or None
        Covariance (analytic or bootstrap), term × term.
    nobs, n_firms, n_periods : int
        Size of the final estimation sample.
    dropped : Mapping[str, int]
        Rows of the input left out, by reason.
    sample : Series of bool
        Aligned to the input's index: rows used in the final stage.
    convergence : Convergence
        Optimisation record.
    objective : float or None
        Criterion at the estimate (None for closed forms without one).
    bootstrap : BootstrapDraws or None
        Bootstrap replicates when ``se`` asked for them.
    first_stage : Mapping
        First-stage summary (R², terms …) where the method has one.
    extra : Mapping
        Method-specific outputs (J test, Markov coefficients …).
    diagnostics : Diagnostics
        The checks of trust on this estimate (plausibility, identification strength, sample,
        inputs, search; :mod:`tfp.diagnostics`), each failed one also emitted as an
        :class:`~tfp.exceptions.UnreliableEstimateWarning`; iterating over it gives the
        estimator's notes about its search (also emitted as warnings).
    """

    method: str
    spec: ProductionSpec
    options: Any
    se_type: str
    params: pd.Series
    vcov: pd.DataFrame | None
    nobs: int
    n_firms: int
    n_periods: int
    dropped: Mapping[str, int]
    sample: pd.Series
    convergence: Convergence
    objective: float | None
    bootstrap: BootstrapDraws | None
    first_stage: Mapping[str, Any]
    extra: Mapping[str, Any]
    diagnostics: Diagnostics
    se_kind: str = "normal"
    df_resid: int | None = None
    _panel: Panel | None = field(default=None, repr=False)
    _fit: Fit | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.diagnostics, Diagnostics):  # a tuple of notes
            object.__setattr__(
                self, "diagnostics", Diagnostics((), tuple(self.diagnostics))
            )
        # frozen fields, read-only values: ``res.params["l"] = 1`` raises instead of
        # silently changing the estimate that summaries, productivity and bootstrap use
        object.__setattr__(self, "params", _readonly_series(self.params))
        object.__setattr__(self, "sample", _readonly_series(self.sample))
        if self.vcov is not None:
            object.__setattr__(self, "vcov", _readonly_frame(self.vcov))

    # ---- inference --------------------------------------------------------------------
    @property
    def std_errors(self) -> pd.Series:
        """Standard errors (NaN when no covariance was computed)."""
        if self.vcov is None:
            return pd.Series(np.nan, index=self.params.index, name="std_error")
        se = np.sqrt(
            np.clip(
                np.diag(
                    self.vcov.reindex(
                        index=self.params.index, columns=self.params.index
                    ).to_numpy()
                ),
                0,
                None,
            )
        )
        return pd.Series(se, index=self.params.index, name="std_error")

    @property
    def tstats(self) -> pd.Series:
        """Estimate divided by its standard error."""
        return (self.params / self.std_errors).rename("statistic")

    def _dist(self) -> Any:
        if self.se_kind == "t" and self.df_resid:
            return stats.t(self.df_resid)
        return stats.norm()

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values (t with ``df_resid`` for closed forms, else normal)."""
        t = self.tstats.to_numpy()
        return pd.Series(
            2 * self._dist().sf(np.abs(t)), index=self.params.index, name="p_value"
        )

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals, columns ``lower`` and ``upper``.

        With bootstrap draws these are percentile intervals; otherwise estimate ± critical
        value × standard error.
        """
        level = _check_level(level)
        if self.bootstrap is not None:
            ci = self.bootstrap.percentile_interval(level).reindex(self.params.index)
            return ci
        q = self._dist().ppf(0.5 + level / 2)
        se = self.std_errors
        return pd.DataFrame(
            {"lower": self.params - q * se, "upper": self.params + q * se}
        )

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per term: ``estimate, std_error, statistic, p_value, conf_low, conf_high``."""
        ci = self.conf_int(level)
        out = pd.DataFrame(
            {
                "estimate": self.params,
                "std_error": self.std_errors,
                "statistic": self.tstats,
                "p_value": self.pvalues,
                "conf_low": ci["lower"],
                "conf_high": ci["upper"],
            }
        )
        out.index.name = "term"
        return out

    # ---- criterion --------------------------------------------------------------------
    def objective_at(
        self, params: Mapping[str, float] | Sequence[float] | np.ndarray
    ) -> float:
        """The estimator's criterion at other parameter values.

        Use it to compare with another package's estimate on the same data and
        specification: the lower criterion is the better optimum.

        Parameters
        ----------
        params : mapping, Series or sequence of float
            A mapping/Series with a value for every production term of ``spec.terms``
            (extra keys are ignored), or a sequence in ``spec.terms`` order. Methods whose
            criterion is not a function of the production terms (GNR: the integration-constant
            coefficients) name their parameters in ``extra["objective_names"]``.

        Returns
        -------
        float
            The criterion, on the same scale as ``objective``; nuisance parameters are
            concentrated out as the method documents.

        Raises
        ------
        SpecificationError
            The method has no criterion, or ``params`` lacks a term.
        """
        fit = self._fit
        if fit is None or fit.objective_fn is None:
            raise SpecificationError(
                f"method {self.method!r} has no criterion to evaluate",
                fix="objective_at is available for criterion-based methods (op, lp, acf, wrdg, gnr, ols)",
            )
        names = tuple(fit.extra.get("objective_names", self.spec.terms))
        beta = self._term_vector(params, names)
        return float(fit.objective_fn(beta))

    def _term_vector(
        self, params: Any, names: tuple[str, ...] | None = None
    ) -> np.ndarray:
        terms = self.spec.terms if names is None else names
        if isinstance(params, Mapping | pd.Series):
            missing = [t for t in terms if t not in params]
            if missing:
                raise SpecificationError(
                    f"params lack the term(s) {missing}",
                    fix=f"pass values for all of {list(terms)}",
                )
            params = [params[t] for t in terms]
        try:
            arr = np.asarray(params, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise SpecificationError(
                f"params must be numbers, got {params!r}",
                fix=f"pass a mapping or a sequence of floats for {list(terms)}",
            ) from None
        if arr.shape[0] == len(self.params) and len(self.params) != len(terms):
            arr = arr[: len(terms)]
        if arr.shape[0] != len(terms):
            raise SpecificationError(
                f"params has {arr.shape[0]} values; expected {len(terms)} ({list(terms)})",
                fix="pass one value per production term, in spec.terms order",
            )
        return arr

    # ---- productivity and elasticities ------------------------------------------------
    def _require_panel(self) -> Panel:
        if self._panel is None:
            raise SpecificationError(
                "these results carry no data (restored from to_dict?)",
                fix="re-run tfp.estimate to get productivity or elasticities",
            )
        return self._panel

    def productivity(
        self,
        kind: str = "log",
        include_shock: bool = False,
        params: Mapping[str, float] | Sequence[float] | np.ndarray | None = None,
    ) -> pd.Series:
        """Productivity of every row, aligned to the input's index (NaN outside the panel).

        Log productivity is ``omega = phi - sum_j beta_j x_j`` for methods with a first stage
        (``phi``: first-stage fitted output, so the transitory shock is excluded) and
        ``y - sum_j beta_j x_j`` otherwise or when ``include_shock=True``. The constant,
        controls and period effects stay in ``omega`` (they are part of productivity).

        Parameters
        ----------
        kind : {'log', 'level'}
            ``log`` gives omega; ``level`` gives TFP = exp(omega).
        include_shock : bool
            Use log output instead of the first-stage fit (adds the transitory shock).
        params : mapping or sequence, optional
            Production-term coefficients to use instead of the estimate (e.g. a bootstrap
            replicate's), as in :meth:`objective_at`.
        """
        from tfp._literals import validate_literal

        validate_literal(kind, ("log", "level"), name="kind")
        panel = self._require_panel()
        fit = self._fit
        assert fit is not None
        if "omega" in fit.extra:
            # methods whose productivity is not y - X·beta at the reported params (GNR)
            if params is not None:
                raise SpecificationError(
                    f"productivity at other parameters is not defined for method {self.method!r}",
                    fix="use the estimate's productivity, or bootstrap replicates' estimates",
                )
            omega = np.asarray(fit.extra["omega"], dtype=np.float64)
            if include_shock:
                omega = omega + np.asarray(
                    fit.extra.get("epsilon", 0.0), dtype=np.float64
                )
        else:
            beta = (
                self._term_vector(params)
                if params is not None
                else self.params[list(self.spec.terms)].to_numpy()
            )
            x = term_matrix(
                panel.matrix(self.spec.inputs), self.spec.inputs, self.spec.form
            )
            base = (
                panel[self.spec.output]
                if (include_shock or fit.phi is None)
                else fit.phi
            )
            omega = base - x @ beta
        s = panel.to_series(omega, name="omega" if kind == "log" else "tfp")
        return s if kind == "log" else np.exp(s)

    def elasticities(self) -> pd.DataFrame:
        """Per-observation output elasticities (obs × input), aligned to the input's index.

        Constant columns for Cobb-Douglas; ``beta_j + 2 beta_jj x_j + sum_i beta_ij x_i`` for
        translog; the method's own per-observation elasticities for GNR.
        """
        panel = self._require_panel()
        fit = self._fit
        assert fit is not None
        if "elasticities" in fit.extra:
            e = np.asarray(fit.extra["elasticities"], dtype=np.float64)
        else:
            beta = self.params[list(self.spec.terms)].to_numpy()
            e = elasticity_matrix(
                panel.matrix(self.spec.inputs), beta, self.spec.inputs, self.spec.form
            )
        mask = self.sample.to_numpy()[panel.rows]
        cols = {}
        for j, name in enumerate(self.spec.inputs):
            v = e[:, j].copy()
            v[~mask] = np.nan
            cols[name] = panel.to_series(v, name=name)
        return pd.DataFrame(cols)

    def returns_to_scale(self) -> ReturnsToScale:
        """Returns to scale with a Wald test of constant returns (see :class:`ReturnsToScale`)."""
        el = self.elasticities()
        per_obs = el.sum(axis=1, min_count=1).rename("rts")
        value = float(per_obs.mean())
        terms = list(self.spec.terms)
        if self.vcov is None:
            return ReturnsToScale(value, None, None, None, per_obs)
        grad = self._rts_gradient()
        v = self.vcov.loc[terms, terms].to_numpy()
        var = float(grad @ v @ grad)
        se = math.sqrt(var) if var > 0 else float("nan")
        wald = (value - 1.0) ** 2 / var if var > 0 else float("nan")
        p = float(stats.chi2(1).sf(wald)) if np.isfinite(wald) else float("nan")
        return ReturnsToScale(value, se, wald, p, per_obs)

    def _rts_gradient(self) -> np.ndarray | None:
        """d mean(RTS) / d beta_terms (RTS is linear in beta for CD and translog)."""
        if self._fit is not None and "elasticities" in self._fit.extra:
            # elasticities are means of the GNR estimator's own objects; params are those means
            terms = list(self.spec.terms)
            return np.array([1.0 if t in self.spec.inputs else 0.0 for t in terms])
        panel = self._require_panel()
        mask = self.sample.to_numpy()[panel.rows]
        x = panel.matrix(self.spec.inputs)[mask]
        k = len(self.spec.terms)
        grad = np.zeros(k)
        for j in range(k):
            unit = np.zeros(k)
            unit[j] = 1.0
            grad[j] = (
                elasticity_matrix(x, unit, self.spec.inputs, self.spec.form)
                .sum(axis=1)
                .mean()
            )
        return grad

    # ---- new objects ------------------------------------------------------------------
    def with_bootstrap(self, bootstrap: Any) -> ProductionResults:
        """Return **new** results with a firm-cluster bootstrap (see :class:`tfp.Bootstrap`)."""
        from tfp.api import _attach_bootstrap

        return _attach_bootstrap(self, bootstrap)

    def replace(self, **changes: Any) -> ProductionResults:
        """Return a copy with some fields replaced (used internally; results stay immutable)."""
        return dataclasses.replace(self, **changes)

    # ---- output -----------------------------------------------------------------------
    def summary(self, level: float = 0.95) -> str:
        """A text summary: specification, sample, convergence, the coefficient table and the
        diagnostics (every check, the failed ones with their fix, and the search's notes)."""
        from tfp.report.summary import results_text

        base = results_text(
            self.replace(diagnostics=self.diagnostics.without_notes()), level=level
        )
        diag = self.diagnostics.to_text()
        return f"{base}\n{diag}" if diag else base

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from tfp.report.summary import results_html

        base = results_html(self.replace(diagnostics=self.diagnostics.without_notes()))
        return base + self.diagnostics.to_html()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: params, vcov, spec, options, convergence, sample sizes, versions."""
        conv = dataclasses.asdict(self.convergence)
        return _json_safe(
            {
                "method": self.method,
                "spec": self.spec.roles(),
                "options": self.options.to_dict()
                if hasattr(self.options, "to_dict")
                else repr(self.options),
                "se_type": self.se_type,
                "params": self.params.to_dict(),
                "std_errors": self.std_errors.to_dict(),
                "vcov": None
                if self.vcov is None
                else self.vcov.to_dict(orient="index"),
                "nobs": self.nobs,
                "n_firms": self.n_firms,
                "n_periods": self.n_periods,
                "dropped": dict(self.dropped),
                "objective": self.objective,
                "convergence": conv,
                "diagnostics": self.diagnostics.to_dict(),
                "bootstrap": None
                if self.bootstrap is None
                else {
                    "reps": self.bootstrap.reps,
                    "failed": self.bootstrap.failed,
                    "not_converged": self.bootstrap.not_converged,
                    "seed_entropy": str(self.bootstrap.seed_entropy),
                    "injected": self.bootstrap.injected,
                    "cluster": self.bootstrap.cluster,
                },
                "versions": {
                    "tfp": __version__,
                    "numpy": np.__version__,
                    "pandas": pd.__version__,
                    "python": platform.python_version(),
                },
            }
        )


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_json_safe(v) for v in obj.tolist()]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, bool | int | str) or obj is None:
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _json_safe(dataclasses.asdict(obj))
    return repr(obj)


class ResultsSet(Mapping[str, ProductionResults]):
    """Several results side by side (ordered mapping label → results).

    ``params`` is a terms × models DataFrame; :meth:`table` builds the comparison table
    economists paste into papers.
    """

    def __init__(self, results: Mapping[str, ProductionResults]) -> None:
        self._results = FrozenDict(dict(results))

    def __getitem__(self, key: str) -> ProductionResults:
        return self._results[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._results)

    def __len__(self) -> int:
        return len(self._results)

    @property
    def params(self) -> pd.DataFrame:
        """Estimates, one column per model (terms in first-seen order)."""
        return pd.DataFrame({k: r.params for k, r in self._results.items()})

    def table(
        self,
        stat: str = "std_error",
        *,
        stars: bool = False,
        digits: int = 3,
        fmt: str = "frame",
        terms: Sequence[str] | None = None,
    ) -> Any:
        """The comparison table.

        Parameters
        ----------
        stat : {'std_error', 'tstat', 'ci'}
            What goes under each estimate (in parentheses/brackets).
        stars : bool
            Append significance stars (* 10%, ** 5%, *** 1%).
        digits : int
            Decimals.
        fmt : {'frame', 'text', 'html', 'latex', 'markdown'}
            Return a DataFrame or a formatted string.
        terms : sequence of str, optional
            Rows to show (default: the production terms of every model).
        """
        from tfp.report.summary import comparison_table

        return comparison_table(
            self, stat=stat, stars=stars, digits=digits, fmt=fmt, terms=terms
        )

    def __str__(self) -> str:
        return str(self.table(fmt="text"))

    def _repr_html_(self) -> str:
        return str(self.table(fmt="html"))
