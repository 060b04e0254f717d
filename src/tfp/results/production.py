"""One estimate: :class:`ProductionResults` and :class:`ReturnsToScale`.

Results hold labels (pandas) around the estimator's arrays. Every post-estimation operation
returns a new object (``with_bootstrap``) and never mutates.
"""

from __future__ import annotations

import dataclasses
import math
import platform
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tfp._checks import check_level
from tfp._frozen import FrozenDict, readonly
from tfp._json import json_safe
from tfp._literals import validate_literal
from tfp._progress import check_progress
from tfp._version import __version__
from tfp.bootstrap import BootstrapDraws, run_bootstrap
from tfp.diagnostics import Diagnostics, diagnose
from tfp.estimators.fit import Details, Fit
from tfp.estimators.registry import REGISTRY
from tfp.exceptions import SpecificationError
from tfp.numerics.inference import Inference
from tfp.numerics.optimize import Convergence
from tfp.options._base import Bootstrap
from tfp.panel import Panel
from tfp.results.fitted import fitted_values, predict, residuals
from tfp.results.summary import Summary, summarise
from tfp.spec import ProductionSpec, elasticity_matrix, term_matrix

__all__ = ["ProductionResults", "ReturnsToScale"]

_DEPRECATED = "results.{} is deprecated and will be removed; use results.inference.{}"


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
    inference : Inference
        How the covariance was computed: ``kind`` (analytic, bootstrap or none), the
        covariance estimator, the cluster column, t or normal statistics (with their degrees
        of freedom), bootstrap replicates and seed entropy. ``se_type`` is its label.
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
    details : Details or None
        Method-specific outputs, a typed record documented by each estimator (J test,
        law-of-motion coefficients, screening …; e.g. :class:`tfp.estimators.acf.ACF`).
    diagnostics : Diagnostics
        The checks of trust on this estimate (plausibility, identification strength, sample,
        inputs, search; :mod:`tfp.diagnostics`), each failed one also emitted as an
        :class:`~tfp.exceptions.UnreliableEstimateWarning`; iterating over it gives the
        estimator's notes about its search (also emitted as warnings).
    """

    method: str
    spec: ProductionSpec
    options: Any
    inference: Inference
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
    details: Details | None
    diagnostics: Diagnostics
    _panel: Panel | None = field(default=None, repr=False)
    _fit: Fit | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.diagnostics, Diagnostics):  # a tuple of notes
            object.__setattr__(
                self, "diagnostics", Diagnostics((), tuple(self.diagnostics))
            )
        # frozen fields, read-only values: ``res.params["l"] = 1`` raises instead of
        # silently changing the estimate that summaries, productivity and bootstrap use
        object.__setattr__(self, "params", readonly(self.params))
        object.__setattr__(self, "sample", readonly(self.sample))
        if self.vcov is not None:
            object.__setattr__(self, "vcov", readonly(self.vcov))

    # ---- inference --------------------------------------------------------------------
    @property
    def std_errors(self) -> pd.Series:
        """Standard errors (NaN when no covariance was computed)."""
        index = self.params.index
        if self.vcov is None:
            return pd.Series(np.nan, index=index, name="std_error")
        v = np.diag(self.vcov.reindex(index=index, columns=index).to_numpy())
        return pd.Series(np.sqrt(np.clip(v, 0, None)), index=index, name="std_error")

    @property
    def tstats(self) -> pd.Series:
        """Estimate divided by its standard error."""
        return (self.params / self.std_errors).rename("statistic")

    @property
    def extra(self) -> Mapping[str, Any]:
        """Deprecated: the method's outputs by name; use the typed :attr:`details`."""
        warnings.warn(
            "results.extra is deprecated and will be removed; use results.details",
            FutureWarning,
            stacklevel=2,
        )
        typed = ("objective_names", "omega", "epsilon", "elasticities")
        d = self.details
        out = {f.name: getattr(d, f.name) for f in dataclasses.fields(d)} if d else {}
        out.update({k: getattr(self._fit, k, None) for k in typed})
        return FrozenDict({k: v for k, v in out.items() if v is not None})

    @property
    def se_type(self) -> str:
        """``"analytic (cluster by id)"``, ``"bootstrap (199 reps, cluster by id, seed 93)"`` or
        ``"none"`` (the label of :attr:`inference`)."""
        return self.inference.label

    @property
    def se_kind(self) -> str:
        """Deprecated: use ``inference.distribution``."""
        warnings.warn(_DEPRECATED.format("se_kind", "distribution"), FutureWarning, 2)
        return self.inference.distribution

    @property
    def df_resid(self) -> int | None:
        """Deprecated: use ``inference.df``."""
        warnings.warn(_DEPRECATED.format("df_resid", "df"), FutureWarning, 2)
        return self.inference.df

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values (t with ``inference.df`` for closed forms, else normal)."""
        p = self.inference.p_values(self.tstats.to_numpy())
        return pd.Series(p, index=self.params.index, name="p_value")

    # ---- statsmodels' names ------------------------------------------------------------
    @property
    def bse(self) -> pd.Series:
        """Standard errors (statsmodels' name for :attr:`std_errors`)."""
        return self.std_errors

    @property
    def tvalues(self) -> pd.Series:
        """Estimate over standard error (statsmodels' name for :attr:`tstats`)."""
        return self.tstats

    def cov_params(self) -> pd.DataFrame:
        """The covariance of the estimates, term × term (statsmodels' name for
        :attr:`vcov`); NaN when no standard errors were computed (``se="none"``)."""
        index = self.params.index
        if self.vcov is None:
            return pd.DataFrame(np.nan, index=index, columns=index)
        return self.vcov.reindex(index=index, columns=index).copy()

    @property
    def fittedvalues(self) -> pd.Series:
        """Fitted log output, aligned to the input's index (NaN outside :attr:`sample`).

        OLS: the regression's fitted values; FE: with each firm's effect; OP, LP, ACF,
        Wooldridge and GNR: the first stage ``φ̂`` (output without the transitory shock,
        ``Σ β x + ω̂``); Robinson-Wooldridge: the IV equation's. Not defined for cost
        shares. The table is in :mod:`tfp.results.fitted`.
        """
        return fitted_values(self)

    @property
    def resid(self) -> pd.Series:
        """Log output minus :attr:`fittedvalues` (for OP, LP, ACF, Wooldridge and GNR: the
        transitory shock ``ε̂``), aligned to the input's index."""
        return residuals(self)

    def predict(self, data: Any = None) -> pd.Series:
        """Fitted log output: :attr:`fittedvalues` (``data=None``), or on new rows.

        Parameters
        ----------
        data : DataFrame, optional
            New rows with the input (and control) columns, for ``ols`` and ``fe`` (FE also
            needs the firm column: firms outside the estimation sample get NaN; with
            period effects, the time column: new periods get NaN). A polars or other
            frame is read as :func:`tfp.estimate` reads it.

        Returns
        -------
        Series
            Named ``fitted``, aligned to ``data``'s index (or the estimation data's).

        Raises
        ------
        SpecificationError
            New data for a method whose fitted output needs the estimation panel (first
            stage or lags), or cost shares (no fitted output).
        """
        return predict(self, data)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals, columns ``lower`` and ``upper``.

        With bootstrap draws these are percentile intervals; otherwise estimate ± critical
        value × standard error.
        """
        level = check_level(level)
        if self.bootstrap is not None:
            return self.bootstrap.percentile_interval(level).reindex(self.params.index)
        q = self.inference.critical_value(level)
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
            coefficients) name their parameters in ``_fit.objective_names``.

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
        names = fit.objective_names or self.spec.terms
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
                fix="re-run tfp.estimate",
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
        validate_literal(kind, ("log", "level"), name="kind")
        panel = self._require_panel()
        fit = self._fit
        assert fit is not None
        if fit.omega is not None:
            # methods whose productivity is not y - X·beta at the reported params (GNR)
            if params is not None:
                raise SpecificationError(
                    f"productivity at other parameters is not defined for method {self.method!r}",
                    fix="use the estimate's productivity, or bootstrap replicates' estimates",
                )
            omega = np.asarray(fit.omega, dtype=np.float64)
            if include_shock:
                eps = 0.0 if fit.epsilon is None else fit.epsilon
                omega = omega + np.asarray(eps, dtype=np.float64)
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
        if fit.elasticities is not None:
            e = np.asarray(fit.elasticities, dtype=np.float64)
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
        return self._elasticity_gradient().sum(axis=0)

    def _elasticity_gradient(self) -> np.ndarray:
        """d mean(elasticity of each input) / d beta_terms, (inputs × terms)."""
        terms = list(self.spec.terms)
        if self._fit is not None and self._fit.elasticities is not None:
            # elasticities are means of the GNR estimator's own objects; params are those means
            return np.array(
                [
                    [1.0 if t == name else 0.0 for t in terms]
                    for name in self.spec.inputs
                ]
            )
        panel = self._require_panel()
        mask = self.sample.to_numpy()[panel.rows]
        x = panel.matrix(self.spec.inputs)[mask]
        k = len(terms)
        grad = np.zeros((len(self.spec.inputs), k))
        for j in range(k):
            unit = np.zeros(k)
            unit[j] = 1.0
            grad[:, j] = elasticity_matrix(
                x, unit, self.spec.inputs, self.spec.form
            ).mean(axis=0)
        return grad

    def mean_elasticities(self, level: float = 0.95) -> pd.DataFrame:
        """Mean output elasticity of each input with delta-method standard errors.

        Cobb-Douglas: the input coefficients. Translog: the sample mean of the
        per-observation elasticities (:meth:`elasticities`), linear in the coefficients, so
        its variance is ``∇'V∇`` with ``∇`` the mean derivative, holding the sample's inputs
        fixed (as Stata's ``margins`` does by default). GNR: the estimator's parameters,
        whose covariance (analytic or bootstrap) includes the sampling of the inputs.

        Parameters
        ----------
        level : float, default 0.95
            Level of the Wald intervals.

        Returns
        -------
        DataFrame
            Index = inputs; columns ``estimate, std_error, conf_low, conf_high`` (NaN
            without a covariance).
        """
        q = stats.norm.ppf(0.5 + check_level(level) / 2)
        grad = self._elasticity_gradient()
        if self._fit is not None and self._fit.elasticities is not None:
            est = self.params[list(self.spec.inputs)].to_numpy(dtype=np.float64)
        else:
            est = self.elasticities().mean(axis=0).to_numpy(dtype=np.float64)
        se = np.full(est.shape[0], np.nan)
        if self.vcov is not None:
            terms = list(self.spec.terms)
            v = self.vcov.loc[terms, terms].to_numpy()
            se = np.sqrt(np.clip(np.einsum("ik,kl,il->i", grad, v, grad), 0, None))
        out = pd.DataFrame(
            {
                "estimate": est,
                "std_error": se,
                "conf_low": est - q * se,
                "conf_high": est + q * se,
            },
            index=pd.Index(list(self.spec.inputs), name="input"),
        )
        return out

    # ---- new objects ------------------------------------------------------------------
    def with_bootstrap(
        self, bootstrap: Bootstrap, *, progress: bool | None = None
    ) -> ProductionResults:
        """Return **new** results with a firm-cluster bootstrap (see :class:`tfp.Bootstrap`).

        Each replicate re-runs the method on resampled firms, with the options of the
        estimate or, where the method has one, its replicate hook (e.g. one start at the
        estimate); see :class:`~tfp.estimators.registry.MethodRecord`. The diagnostics are
        run again (plausibility allows for the bootstrap standard errors); the new results'
        ``diagnostics.failed`` lists what fails (:func:`tfp.estimate` also warns).

        ``progress``: ``None`` draws a bar when the bootstrap runs long in a terminal or
        notebook, ``True`` always, ``False`` never; the draws are the same either way.
        """
        return self._bootstrapped(bootstrap, progress=progress)

    def _bootstrapped(
        self, bootstrap: Bootstrap, *, progress: bool | None, note: str = ""
    ) -> ProductionResults:
        if not isinstance(bootstrap, Bootstrap):
            raise SpecificationError(
                f"expected a tfp.Bootstrap, got {type(bootstrap).__name__}",
                fix="pass tfp.Bootstrap(reps=..., seed=...)",
            )
        panel = self._require_panel()
        record = REGISTRY[self.method]
        names = tuple(self.params.index)
        options = self.options
        if record.replicate_options is not None:
            options = record.replicate_options(
                options, self.params.to_numpy(), self.spec
            )
        draws = run_bootstrap(
            panel,
            self.spec,
            options,
            record.fit,
            names,
            bootstrap,
            progress=check_progress(progress),
            label=f"{record.label}: bootstrap",
            note=note,
        )
        out = self.replace(
            bootstrap=draws,
            vcov=draws.vcov.reindex(index=list(names), columns=list(names)),
            inference=Inference(
                "bootstrap",
                cluster=self.spec.id,
                reps=draws.reps,
                seed_entropy=None if draws.injected else draws.seed_entropy,
            ),
        )
        return out.replace(diagnostics=diagnose(out))

    def replace(self, **changes: Any) -> ProductionResults:
        """Return a copy with some fields replaced (used internally; results stay immutable)."""
        return dataclasses.replace(self, **changes)

    # ---- output -----------------------------------------------------------------------
    def summary(self, level: float = 0.95) -> Summary:
        """The summary: roles, options, sample, inference, search, coefficients, diagnostics.

        ``print(res.summary())`` shows the text; ``res.summary().to_latex()``,
        ``.as_html()`` and ``.as_text()`` give the other formats (see :class:`Summary`).
        """
        return summarise(self, level)

    def to_latex(self, level: float = 0.95, *, table: str = "summary") -> str:
        """LaTeX of the summary (``table="summary"``) or of the coefficient table alone
        (``table="coefficients"``); booktabs rules, no package beyond ``booktabs``."""
        validate_literal(table, ("summary", "coefficients"), name="table")
        summary = self.summary(level)
        return (
            summary.to_latex() if table == "summary" else summary.coefficients_latex()
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: params, vcov, spec, options, convergence, sample sizes, versions."""
        return json_safe(
            {
                "method": self.method,
                "spec": self.spec.roles(),
                "options": self.options.to_dict(),
                "se_type": self.se_type,
                "inference": self.inference,
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
                "convergence": self.convergence,
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
