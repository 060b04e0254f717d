"""When an estimate cannot be trusted: the typed diagnostics record on every result.

:func:`diagnose` runs the checks on a :class:`~tfp.results.ProductionResults` and returns a
:class:`Diagnostics` record: one :class:`Check` per statistic, in five groups,

* **plausibility**: mean output elasticity of each input in ``[ELASTICITY_MIN,
  ELASTICITY_MAX]``, returns to scale in ``[RTS_MIN, RTS_MAX]``;
* **identification**: weak instruments (Sanderson-Windmeijer conditional F of each endogenous
  term, Kleibergen-Paap rk Wald F), Hansen's J where over-identified, the precision implied by
  the curvature of the criterion along its flattest direction, other minima within sampling
  noise of the estimate, and the functional dependence of a free input on the polynomial that
  stands in for productivity (OP/LP first stage, Wooldridge's level equation);
* **sample**: observations per coefficient, firms in the final stage, within-firm variation of
  the state inputs;
* **inputs**: columns whose values are far outside the range of logs (levels passed as logs);
* **search**: an estimate at its starting value.

Each failed check is one warning of :class:`~tfp.exceptions.UnreliableEstimateWarning` (the
estimate at its starting value: :class:`~tfp.exceptions.BoundaryWarning`, a subclass) that
names the input, the problem and the fix. The thresholds are the named constants below, each
with its source; ``docs/explanation/trust.md`` gives the formulas.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd
from scipy import stats

from tfp.exceptions import BoundaryWarning, UnreliableEstimateWarning
from tfp.numerics.identification import (
    IdentificationStats,
    Precision,
    covariance_precision,
    within_share,
)
from tfp.spec import elasticity_matrix

if TYPE_CHECKING:
    from tfp.results import ProductionResults

__all__ = [
    "ELASTICITY_MAX",
    "ELASTICITY_MIN",
    "FIRMS_MIN",
    "GROUPS",
    "J_PVALUE_MIN",
    "LOG_CEILING",
    "OBS_PER_PARAM_MIN",
    "PLAUSIBILITY_Z",
    "PRECISION_SD_MAX",
    "RTS_MAX",
    "RTS_MIN",
    "STATE_WITHIN_MIN",
    "STOCK_YOGO_SIZE_10",
    "Check",
    "Diagnostics",
    "diagnose",
    "emit",
]

# ---- thresholds ---------------------------------------------------------------------------
#: Bounds on a mean output elasticity. Below 0 an input lowers output; above 1.2 one input
#: alone has increasing returns. Estimates in the literature lie well inside: ACF (2015,
#: Table 3) report labour 0.26-1.00 and capital 0.15-0.53 across methods and industries in
#: value added; GNR (2020, Table 3) gross-output elasticities 0.04-0.75 per input; De Loecker &
#: Syverson (2021, Handbook of Industrial Organization vol. 5, ch. 3) survey the same ranges.
ELASTICITY_MIN = 0.0
ELASTICITY_MAX = 1.2
#: Bounds on mean returns to scale (sum of mean elasticities): GNR (2020, Table 3) report
#: 0.93-1.18 in gross output, ACF (2015) 0.83-1.25 in value added, De Loecker & Syverson (2021)
#: close to constant returns in most studies; [0.5, 1.5] flags only the absurd.
RTS_MIN = 0.5
RTS_MAX = 1.5
#: Stock & Yogo (2005, Table 5.2) critical values of the Cragg-Donald (here Kleibergen-Paap /
#: Sanderson-Windmeijer) F for 10% maximal size of a nominal 5% Wald test of 2SLS, by
#: (endogenous regressors, excluded instruments). The conditional F of Sanderson & Windmeijer
#: (2016) is compared with the value for one endogenous regressor and ``L - m + 1``
#: instruments; the Kleibergen-Paap F with the value for (m, L) when the table has it.
STOCK_YOGO_SIZE_10: dict[tuple[int, int], float] = {
    (1, 1): 16.38,
    (1, 2): 19.93,
    (1, 3): 22.30,
    (2, 2): 7.03,
    (2, 3): 13.43,
}
#: Hansen (1982) J test of the over-identifying restrictions: rejection at the 1% level (a
#: warning that a correctly specified model raises in 1% of samples, not 5%).
J_PVALUE_MIN = 0.01
#: An estimate is implausible when it is outside the plausible range by more than this many
#: standard errors (its 95% interval misses the range entirely): sampling error alone does not
#: make an estimate implausible. Standard errors: the results' covariance (analytic or
#: bootstrap), else the precision from the curvature of the criterion.
PLAUSIBILITY_Z = 1.96
#: Functional dependence (Ackerberg, Caves & Frazer 2015, section 3): R² of a free input on the
#: polynomial in (state, proxy) above which its coefficient rests on less than 5% of its
#: variance (a variance inflation factor of 20, between the usual rules of thumb 10 and 40,
#: O'Brien 2007). Calibrated on ACF's designs: 0.96 in DGP1 (where ACF show LP fails), 0.85-0.89
#: in DGP2-3 and 0.90 in tfp's synthetic ENE panel (where LP is consistent).
DEPENDENCE_R2_MAX = 0.95
#: Precision from the curvature of the criterion: the standard deviation of the mean
#: elasticities along their least determined direction above which the data do not pin the
#: estimate down inside the plausible range (a 95% interval of ±1.96 · 0.3 spans more than
#: the whole [0, 1.2]).
PRECISION_SD_MAX = 0.3
#: Observations per estimated coefficient (the largest stage): fewer than 10 is the classic
#: rule of thumb for overfitting (Harrell 2015, Regression Modeling Strategies, section 4.4).
OBS_PER_PARAM_MIN = 10.0
#: Firms in the final stage: firm-clustered covariances and the firm bootstrap are unreliable
#: with few clusters (Cameron & Miller 2015, J. Human Resources 50(2), section VI: "few" is
#: below 20-50).
FIRMS_MIN = 30
#: Share of a state input's variance that is within firms, below which its coefficient rests
#: on almost no change over time (a within-firm standard deviation about 3% of the total):
#: fixed effects and the Wooldridge family identify it from that change.
STATE_WITHIN_MIN = 1e-3
#: No log of an amount of money, a count of workers or a price exceeds this: e^40 = 2.4e17,
#: more than the world's GDP in any currency unit in use. A larger value is a level.
LOG_CEILING = 40.0

#: The groups of checks, in display order.
GROUPS: tuple[str, ...] = (
    "plausibility",
    "identification",
    "sample",
    "inputs",
    "search",
)

#: Methods whose estimate comes from a numerical search (criterion curvature, competing
#: minima, starting value).
_SEARCH_METHODS = frozenset({"op", "lp", "acf", "gnr"})
#: Linear IV/GMM methods (instrument strength from the estimator, precision from the
#: analytic covariance).
_IV_METHODS = frozenset({"wrdg", "wrdg-iv", "rob"})
#: Methods whose state coefficient is identified by its change over time within firms.
_WITHIN_METHODS = frozenset({"fe", "wrdg", "wrdg-iv", "rob"})


# ---- the record ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One diagnostic: a statistic, its threshold, and what to do when it fails.

    Attributes
    ----------
    group : str
        One of :data:`GROUPS`.
    name : str
        The statistic (``elasticity``, ``returns_to_scale``, ``weak_instruments``,
        ``kleibergen_paap``, ``hansen_j``, ``precision``, ``competing_minima``,
        ``functional_dependence``, ``obs_per_parameter``, ``firms``, ``state_within``,
        ``levels``, ``at_start``).
    subject : str
        The input, term, column or direction it concerns ('' for the whole estimate).
    value : float
        The statistic.
    bounds : tuple of float
        ``(low, high)``: the check passes when ``low - tolerance <= value <= high +
        tolerance`` (``±inf`` for one-sided checks).
    passed : bool or None
        None when the statistic is reported but not judged (no threshold applies).
    problem : str
        What is wrong, in one sentence (empty when it passed).
    fix : str
        What usually fixes it.
    source : str
        Where the threshold comes from.
    tolerance : float
        Sampling error allowed beyond the bounds (plausibility checks: ``PLAUSIBILITY_Z``
        standard errors of the estimate; 0 elsewhere).
    """

    group: str
    name: str
    subject: str
    value: float
    bounds: tuple[float, float]
    passed: bool | None
    problem: str = ""
    fix: str = ""
    source: str = ""
    tolerance: float = 0.0

    @property
    def message(self) -> str:
        """The warning text: subject, problem and fix."""
        where = f" ({self.subject})" if self.subject else ""
        return (
            f"{self.group} check {self.name!r}{where}: {self.problem} Fix: {self.fix}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (infinite bounds and values as None)."""
        out = asdict(self)
        out["value"] = _finite(self.value)
        out["bounds"] = [_finite(b) for b in self.bounds]
        out["tolerance"] = _finite(self.tolerance)
        return out


def _finite(v: float) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


@dataclass(frozen=True, eq=False)
class Diagnostics(Sequence[str]):
    """The diagnostics of one estimate: every :class:`Check`, and the search's notes.

    Iterating over it, or indexing it, gives the estimator's notes (the strings results held
    before the checks existed: local minima, set-aside roots, convergence), so code written
    for the tuple of notes keeps working; the checks are in :attr:`checks`.

    Attributes
    ----------
    checks : tuple of Check
        Every statistic computed for this method, in :data:`GROUPS` order.
    notes : tuple of str
        Non-fatal notes of the estimator (also emitted as warnings).
    """

    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = field(default=())

    # ---- the compatibility sequence of notes ----------------------------------------------
    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        return self.notes[i]

    def __len__(self) -> int:
        return len(self.notes)

    def __iter__(self) -> Iterator[str]:
        return iter(self.notes)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Diagnostics):
            return self.checks == other.checks and self.notes == other.notes
        if isinstance(other, tuple | list):
            return tuple(other) == self.notes
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # ---- the checks -----------------------------------------------------------------------
    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if c.passed is False)

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not self.failed

    def group(self, name: str) -> tuple[Check, ...]:
        """The checks of one group (see :data:`GROUPS`)."""
        return tuple(c for c in self.checks if c.group == name)

    def to_frame(self) -> pd.DataFrame:
        """One row per check: ``group, name, subject, value, low, high, passed, problem``."""
        return pd.DataFrame(
            [
                {
                    "group": c.group,
                    "name": c.name,
                    "subject": c.subject,
                    "value": c.value,
                    "low": c.bounds[0],
                    "high": c.bounds[1],
                    "passed": c.passed,
                    "problem": c.problem,
                }
                for c in self.checks
            ],
            columns=[
                "group",
                "name",
                "subject",
                "value",
                "low",
                "high",
                "passed",
                "problem",
            ],
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: the checks and the notes."""
        return {
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
            "notes": list(self.notes),
        }

    def without_notes(self) -> Diagnostics:
        """The same checks with no notes."""
        return Diagnostics(self.checks, ())

    # ---- rendering (the summary's section; formatting only) --------------------------------
    def lines(self) -> tuple[str, ...]:
        """The lines of the Diagnostics section of ``results.summary()``: how many checks
        passed, every check (``ok``/``FAIL``, or blank when only reported), each failure's
        problem and fix, then the estimator's notes."""
        if not self.checks:
            return tuple(self.notes)
        failed = len(self.failed)
        judged = sum(c.passed is not None for c in self.checks)
        out = [
            f"{judged - failed} of {judged} checks passed"
            + (f"; {failed} FAILED" if failed else "")
        ]
        for g in GROUPS:
            for c in self.group(g):
                mark = {True: "ok  ", False: "FAIL", None: "    "}[c.passed]
                out.append(f"{mark} {_describe(c)}")
        out += [f"! {c.message}" for c in self.failed]
        return (*out, *self.notes)

    def to_text(self) -> str:
        """The section as text under a ``Diagnostics`` heading ('' when empty)."""
        lines = self.lines()
        return "\n".join(["Diagnostics", *(f"  {x}" for x in lines)]) if lines else ""


def _bound_text(c: Check) -> str:
    lo, hi = c.bounds
    if math.isinf(lo) and math.isinf(hi):
        return ""
    if math.isinf(lo):
        return f"<= {hi:.4g}"
    if math.isinf(hi):
        return f">= {lo:.4g}"
    return f"in [{lo:.4g}, {hi:.4g}]"


def _describe(c: Check) -> str:
    subject = f" {c.subject}" if c.subject else ""
    bound = _bound_text(c)
    if bound and c.tolerance:
        bound += f" ± {c.tolerance:.3g}"
    return f"{c.group:<14} {c.name}{subject} = {c.value:.4g}" + (
        f" (must be {bound})" if bound and c.passed is not None else ""
    )


# ---- warnings ------------------------------------------------------------------------------
def emit(diagnostics: Diagnostics, *, prefix: str = "", stacklevel: int = 2) -> None:
    """Emit one warning per failed check (:class:`~tfp.exceptions.BoundaryWarning` for the
    estimate at its starting value, :class:`~tfp.exceptions.UnreliableEstimateWarning`
    otherwise)."""
    for c in diagnostics.failed:
        category = (
            BoundaryWarning if c.name == "at_start" else UnreliableEstimateWarning
        )
        warnings.warn(prefix + c.message, category, stacklevel=stacklevel + 1)


# ---- the checks ----------------------------------------------------------------------------
def _bounded(
    group: str,
    name: str,
    subject: str,
    value: float,
    bounds: tuple[float, float],
    problem: str,
    fix: str,
    source: str,
    tolerance: float = 0.0,
) -> Check:
    tol = tolerance if math.isfinite(tolerance) else math.inf
    ok = (
        bool(bounds[0] - tol <= value <= bounds[1] + tol)
        if not math.isnan(value)
        else False
    )
    return Check(
        group,
        name,
        subject,
        float(value),
        bounds,
        ok,
        "" if ok else problem,
        fix,
        source,
        float(tolerance),
    )


def _elasticity_jacobian(results: ProductionResults) -> np.ndarray:
    """d(mean elasticity of each input) / d(production-term coefficient), (inputs, terms)."""
    spec = results.spec
    panel = results._require_panel()
    mask = results.sample.to_numpy()[panel.rows]
    x = panel.matrix(spec.inputs)[mask]
    k = len(spec.terms)
    out = np.zeros((len(spec.inputs), k))
    for j in range(k):
        unit = np.zeros(k)
        unit[j] = 1.0
        out[:, j] = elasticity_matrix(x, unit, spec.inputs, spec.form).mean(axis=0)
    return out


def _standard_errors(
    results: ProductionResults, stats_: IdentificationStats
) -> tuple[np.ndarray, float]:
    """Standard errors of the mean elasticities and of returns to scale: from the results'
    covariance (analytic or bootstrap), else the estimator's analytic one, else the precision
    from the curvature of the criterion (the sd along the flattest direction bounds the sd of
    any unit-norm combination: ``sd`` for one elasticity, ``sqrt(k) sd`` for their sum)."""
    k_in = len(results.spec.inputs)
    n_terms = len(results.spec.terms)
    fit = results._fit
    cov: np.ndarray | None = None
    if results.vcov is not None:
        names = list(results.params.index[:n_terms])
        cov = results.vcov.loc[names, names].to_numpy()
    elif fit is not None and fit.vcov is not None:
        cov = np.asarray(fit.vcov)[:n_terms, :n_terms]
    if cov is not None and np.all(np.isfinite(cov)):
        gnr_like = fit is not None and fit.elasticities is not None
        jac = np.eye(k_in, n_terms) if gnr_like else _elasticity_jacobian(results)
        ce = jac @ cov @ jac.T
        sd = np.sqrt(np.clip(np.diag(ce), 0.0, None))
        return sd, float(np.sqrt(max(float(ce.sum()), 0.0)))
    if stats_.precision is not None:
        sd0 = stats_.precision.sd
        return np.full(k_in, sd0), sd0 * math.sqrt(k_in)
    return np.zeros(k_in), 0.0


def _plausibility(
    results: ProductionResults, stats_: IdentificationStats
) -> list[Check]:
    el = results.elasticities()
    means = el.mean(axis=0)
    sd, sd_rts = _standard_errors(results, stats_)
    z = PLAUSIBILITY_Z
    out = []
    for (name, v), s_e in zip(means.items(), sd, strict=True):
        out.append(
            _bounded(
                "plausibility",
                "elasticity",
                str(name),
                float(v),
                (ELASTICITY_MIN, ELASTICITY_MAX),
                f"the mean output elasticity of {name!r} is {float(v):.3g} (s.e. "
                f"{s_e:.2g}), outside the range [{ELASTICITY_MIN:g}, {ELASTICITY_MAX:g}] "
                "of the production-function literature by more than its sampling error.",
                f"check that {name!r} is in logs and in the right role; an implausible "
                "elasticity usually comes with a failed identification check (read "
                "results.diagnostics) and another method may identify it "
                "(tfp.estimate_many)",
                "ACF (2015) Table 3; GNR (2020) Table 3; De Loecker & Syverson (2021)",
                z * float(s_e),
            )
        )
    rts = float(el.sum(axis=1, min_count=1).mean())
    out.append(
        _bounded(
            "plausibility",
            "returns_to_scale",
            "",
            rts,
            (RTS_MIN, RTS_MAX),
            f"mean returns to scale are {rts:.3g} (s.e. {sd_rts:.2g}), outside "
            f"[{RTS_MIN:g}, {RTS_MAX:g}] by more than their sampling error.",
            "check the units and roles of the inputs and compare methods "
            "(tfp.estimate_many); absurd returns to scale mean the coefficients are not "
            "identified or an input is mis-measured",
            "ACF (2015); GNR (2020) Table 3; De Loecker & Syverson (2021)",
            z * sd_rts,
        )
    )
    return out


def _weak_instruments(stats_: IdentificationStats) -> list[Check]:
    iv = stats_.instruments
    if iv is None:
        return []
    m, n_instr = len(iv.endog), len(iv.instruments)
    crit = STOCK_YOGO_SIZE_10[(1, n_instr - m + 1)] if n_instr - m + 1 <= 3 else None
    out = []
    for term, f in zip(iv.endog, iv.sw_f, strict=True):
        if crit is None:
            out.append(Check("identification", "weak_instruments", term, f, _NO, None))
            continue
        out.append(
            _bounded(
                "identification",
                "weak_instruments",
                term,
                f,
                (crit, math.inf),
                f"the instruments of {term!r} (lagged free inputs) are weak: "
                f"Sanderson-Windmeijer F = {f:.3g} < {crit:g} (Stock-Yogo 10% maximal size).",
                "the free input is not persistent enough for its lag to identify it: use "
                "a longer panel, or a method that does not rest on this instrument "
                "(method='acf')",
                "Sanderson & Windmeijer (2016); Stock & Yogo (2005) Table 5.2",
            )
        )
    if m > 1:
        kp_crit = STOCK_YOGO_SIZE_10.get((m, n_instr))
        if kp_crit is None:
            out.append(
                Check("identification", "kleibergen_paap", "", iv.kp_f, _NO, None)
            )
        else:
            out.append(
                _bounded(
                    "identification",
                    "kleibergen_paap",
                    ", ".join(iv.endog),
                    iv.kp_f,
                    (kp_crit, math.inf),
                    f"the instruments are jointly weak: Kleibergen-Paap rk Wald F = "
                    f"{iv.kp_f:.3g} < {kp_crit:g} (Stock-Yogo 10% maximal size).",
                    "use a longer panel or method='acf'",
                    "Kleibergen & Paap (2006); Stock & Yogo (2005) Table 5.2",
                )
            )
    return out


_NO: tuple[float, float] = (-math.inf, math.inf)


def _hansen(results: ProductionResults) -> list[Check]:
    fit = results._fit
    if fit is None:
        return []
    j, df = getattr(fit.details, "j_stat", None), getattr(fit.details, "j_df", None)
    if j is None or not df or df <= 0:
        return []
    p = float(stats.chi2.sf(float(j), int(df)))
    return [
        _bounded(
            "identification",
            "hansen_j",
            "",
            p,
            (J_PVALUE_MIN, 1.0),
            f"Hansen's J test rejects the over-identifying restrictions (J = {float(j):.3g}, "
            f"{int(df)} df, p = {p:.3g}).",
            "the moment conditions do not hold together: the timing assumptions or the "
            "polynomial do not fit these data; try another poly_degree or method",
            "Hansen (1982)",
        )
    ]


def _precision(results: ProductionResults, stats_: IdentificationStats) -> list[Check]:
    prec: Precision | None = stats_.precision
    fit = results._fit
    if (
        prec is None
        and results.method in _IV_METHODS
        and fit is not None
        and fit.vcov is not None
    ):
        k = len(results.spec.terms)
        jac = _elasticity_jacobian(results)
        cov = jac @ np.asarray(fit.vcov)[:k, :k] @ jac.T
        prec = covariance_precision(cov, results.spec.inputs)
    if prec is None:
        return []
    where = prec.describe()
    return [
        _bounded(
            "identification",
            "precision",
            where,
            prec.sd,
            (-math.inf, PRECISION_SD_MAX),
            f"the criterion is flat: the data determine the mean elasticities only to "
            f"± {prec.sd:.3g} (one standard deviation, from its {prec.source}) along "
            f"{where}.",
            f"the data do not pin down {where}: use more firms or years, another proxy, "
            "or a method whose identification does not rest on the same variation",
            "curvature of the criterion: cov = 2 · noise · H^-1 (see the docs page)",
        )
    ]


def _competing(results: ProductionResults, stats_: IdentificationStats) -> list[Check]:
    if results.method not in _SEARCH_METHODS:
        return []
    n = len(stats_.competing)
    shown = "; ".join(str([round(v, 3) for v in c]) for c in stats_.competing[:3])
    return [
        _bounded(
            "identification",
            "competing_minima",
            "",
            float(n),
            (0.0, 0.0),
            f"{n} other admissible minimum(a) fit the data as well as the estimate "
            f"(within sampling noise of its criterion), with mean elasticities {shown}.",
            "the criterion does not single out one answer: add instruments "
            "(ACFOptions.extra_instruments), compare with another method, and report the "
            "set",
            "sampling noise of the criterion, as in the multi-start search",
        )
    ]


def _dependence(stats_: IdentificationStats) -> list[Check]:
    return [
        _bounded(
            "identification",
            "functional_dependence",
            name,
            r2,
            (-math.inf, DEPENDENCE_R2_MAX),
            f"{name!r} is nearly a function of the polynomial in (state, proxy) that "
            f"stands in for productivity (R² = {r2:.4f}), so the variation that "
            "identifies the free input's coefficient is a sliver of its variance.",
            "use method='acf' (Ackerberg, Caves & Frazer 2015), which identifies the free "
            "inputs in the second stage",
            "Ackerberg, Caves & Frazer (2015) section 3; VIF 20 (O'Brien 2007)",
        )
        for name, r2 in stats_.dependence
    ]


def _n_coefficients(results: ProductionResults) -> int:
    fit = results._fit
    n = len(results.params)
    if fit is not None:
        n = max(n, len(fit.first_stage.get("terms", ())))
        n = max(n, len(getattr(fit.details, "coef_names", ())))
    return n


def _sample(results: ProductionResults) -> list[Check]:
    p = _n_coefficients(results)
    ratio = results.nobs / p if p else math.inf
    out = [
        _bounded(
            "sample",
            "obs_per_parameter",
            "",
            ratio,
            (OBS_PER_PARAM_MIN, math.inf),
            f"{results.nobs} observations for {p} coefficients in the largest stage "
            f"({ratio:.3g} per coefficient).",
            "use more data (pool small groups) or fewer coefficients (lower poly_degree, "
            "Cobb-Douglas instead of translog)",
            "Harrell (2015) section 4.4",
        ),
        _bounded(
            "sample",
            "firms",
            "",
            float(results.n_firms),
            (float(FIRMS_MIN), math.inf),
            f"only {results.n_firms} firms in the final stage; firm-clustered standard "
            "errors and the firm bootstrap are unreliable with so few clusters.",
            "pool small groups (a coarser by= in estimate_by) or report the estimate as "
            "indicative only",
            "Cameron & Miller (2015) section VI",
        ),
    ]
    if results.method in ("ols", "cost-share"):
        return out
    panel = results._require_panel()
    mask = results.sample.to_numpy()[panel.rows]
    firm = panel.firm[mask]
    for name in results.spec.state:
        share = within_share(panel[name][mask], firm)
        if math.isnan(share):
            continue
        judged = results.method in _WITHIN_METHODS
        check = _bounded(
            "sample",
            "state_within",
            name,
            share,
            (STATE_WITHIN_MIN, 1.0),
            f"{name!r} hardly changes within firms ({share:.2%} of its variance), and "
            "this method identifies its coefficient from that change.",
            f"check {name!r} (a stock recorded once per firm?); use a longer panel or a "
            "method that uses variation across firms",
            "heuristic: a within-firm standard deviation below ~3% of the total",
        )
        out.append(check if judged else replace(check, passed=None, problem=""))
    return out


def _inputs(results: ProductionResults) -> list[Check]:
    spec = results.spec
    panel = results._require_panel()
    cols = [spec.output, *spec.inputs]
    log_proxy = bool(getattr(results.options, "log_proxy", False))
    if not log_proxy:
        cols += list(spec.proxy)
    out = []
    for name in dict.fromkeys(cols):
        top = float(np.max(np.abs(panel[name]))) if panel.nobs else 0.0
        out.append(
            _bounded(
                "inputs",
                "levels",
                name,
                top,
                (-math.inf, LOG_CEILING),
                f"{name!r} has values up to {top:.4g}, far above any log (e^{LOG_CEILING:g} "
                "is larger than world GDP): it looks like a level, not a log.",
                f"pass its log (np.log(data[{name!r}])) or name it in "
                f"levels=[{name!r}] so that tfp takes the log",
                "e^40 = 2.4e17",
            )
        )
    return out


def _at_start(results: ProductionResults) -> list[Check]:
    if results.method not in _SEARCH_METHODS:
        return []
    conv = results.convergence
    start = np.asarray(conv.start_params, dtype=np.float64)
    best = (
        np.asarray(conv.local_minima[0].params, dtype=np.float64)
        if conv.local_minima
        else None
    )
    if best is None or start.shape != best.shape or start.size == 0:
        return []
    moved = float(np.max(np.abs(best - start)))
    return [
        _bounded(
            "search",
            "at_start",
            "",
            moved,
            (1e-10 * (1.0 + float(np.max(np.abs(start)))), math.inf),
            "the search ended where it started: the criterion may be flat or undefined "
            "around the start.",
            "try other starts (options.start, a larger optimizer n_starts or start_spread)",
            "a search that does not move has not searched",
        )
    ]


def diagnose(results: ProductionResults) -> Diagnostics:
    """Run every check that applies to ``results``' method and return the record.

    The estimator's notes (``results.diagnostics.notes``) are kept. Results restored without
    their data get no checks.
    """
    notes = tuple(results.diagnostics)
    if results._panel is None or results._fit is None:
        return Diagnostics((), notes)
    stats_ = getattr(results._fit, "identification", None) or IdentificationStats()
    checks = [
        *_plausibility(results, stats_),
        *_weak_instruments(stats_),
        *_hansen(results),
        *_precision(results, stats_),
        *_competing(results, stats_),
        *_dependence(stats_),
        *_sample(results),
        *_inputs(results),
        *_at_start(results),
    ]
    return Diagnostics(tuple(checks), notes)
