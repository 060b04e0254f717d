"""Options of the control-function estimators of Olley–Pakes (``"op"``) and Levinsohn–Petrin (``"lp"``).

Both methods share one record layout (:class:`_ControlFunctionOptions`); the two public classes
differ only in the method code they serve and in their documented ``prodest()`` constructors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Self

from tfp._checks import check_int, check_real
from tfp._literals import validate_literal
from tfp.options._base import MethodOptions, Optimizer

__all__ = ["EXIT_RULES", "SURVIVAL_MODELS", "LPOptions", "OPOptions"]

#: Binary models for the survival (exit) probability of the Olley–Pakes attrition correction.
SURVIVAL_MODELS: tuple[str, ...] = ("probit", "logit")

#: Where the exit indicator comes from: the spec's ``exit`` column, or the panel itself.
EXIT_RULES: tuple[str, ...] = ("column", "last-period")


@dataclass(frozen=True)
class _ControlFunctionOptions(MethodOptions):
    """Fields and validation shared by :class:`OPOptions` and :class:`LPOptions`."""

    poly_degree: int = 3
    markov_degree: int = 3
    time_dummies: bool = False
    net_controls: bool = True
    log_proxy: bool = False
    exit_correction: bool = False
    exit_rule: str = "column"
    survival_model: str = "probit"
    optimizer: Optimizer = field(
        default_factory=lambda: Optimizer(xtol=1e-6, n_starts=4)
    )
    start: tuple[float, ...] | None = None
    start_spread: float = 0.2
    unit_invariant: bool = True
    screen_nobs: int | None = 100_000

    def __post_init__(self) -> None:
        self._check_fields()
        check_int(self.poly_degree, name="poly_degree", low=1, high=6)
        check_int(self.markov_degree, name="markov_degree", low=1, high=6)
        validate_literal(self.exit_rule, EXIT_RULES, name="exit_rule")
        validate_literal(self.survival_model, SURVIVAL_MODELS, name="survival_model")
        check_real(self.start_spread, name="start_spread", low=0.0)
        if self.screen_nobs is not None:
            check_int(self.screen_nobs, name="screen_nobs", low=1000)

    @classmethod
    def _prodest(cls, exit_correction: bool) -> Self:
        """prodest's OP/LP specification (see :meth:`OPOptions.prodest`)."""
        return cls(
            poly_degree=2,
            net_controls=False,
            exit_correction=exit_correction,
            exit_rule="last-period",
            optimizer=Optimizer("nelder-mead", xtol=1e-6, n_starts=1),
            start_spread=0.0,
            unit_invariant=False,
        )


@dataclass(frozen=True)
class OPOptions(_ControlFunctionOptions):
    """Options of the Olley–Pakes (1996) estimator, ``method="op"``.

    The proxy is investment. The first stage regresses output on the terms that involve a free
    input (linearly), the controls (linearly) and a full polynomial in (state, flexible,
    proxy); the second stage finds the state (and, in gross output, flexible) coefficients
    from the law of motion of productivity, with its coefficients concentrated out.

    Parameters
    ----------
    poly_degree : int, default 3
        Total degree of the first-stage polynomial in (state, flexible, proxy), all
        monomials and interactions, with a constant. The same polynomial, lagged, is the
        regressor set of the survival model.
    markov_degree : int, default 3
        Degree of the law of motion ``g``: ω_t = g(ω_{t−1}) + ξ_t is a full polynomial
        in ω_{t−1} (and, with the exit correction, in the fitted exit probability too). For
        given β it is an OLS fit solved in closed form inside the criterion.
    time_dummies : bool, default False
        Add one dummy per period (the first period is the base) to the controls.
    net_controls : bool, default True
        Controls (and time dummies) are production-function shifters: their first-stage
        coefficients are subtracted from output and from ``phi`` before the second stage, so
        ω excludes them. ``False`` keeps them inside ``phi`` (ω absorbs them), as prodest does.
    log_proxy : bool, default False
        ``False``: the proxy columns are already in logs (as in the reference data) and are used
        as they are; no row is dropped for its sign. ``True``: the proxy columns are levels;
        rows with a proxy <= 0 are left out (reason ``nonpositive_proxy``, the classic
        zero-investment rows of OP) and the logs of the others are used.
    exit_correction : bool, default False
        Olley–Pakes attrition correction: fit a binary model of exit in t on the lagged
        first-stage polynomial and add the fitted probability to the law of motion.
    exit_rule : {'column', 'last-period'}, default 'column'
        Where the exit indicator comes from. ``'column'``: the spec's ``exit`` column (0/1;
        1 in the period the firm exits); it is required. ``'last-period'``: built from the
        panel as prodest does (1 in a firm's last observed period when that period is not the
        panel's last period) — note that a firm that merely stops reporting counts as an exit.
    survival_model : {'probit', 'logit'}, default 'probit'
        Binary model of the exit indicator (maximum likelihood by Newton's method).
    optimizer : Optimizer, default ``Optimizer(xtol=1e-6, n_starts=4)``
        Second-stage minimiser (Nelder–Mead, ``xtol=1e-6``, ``ftol=1e-12``: the criterion is
        flat to rounding noise within ~1e-7 of its minimum, so tighter ``xtol`` only makes
        the simplex wander). Starts:
        ``start`` (or the first-stage polynomial coefficients of the second-stage terms), then
        Sobol points in ``start ± start_spread``; the lowest criterion is kept.
    start : tuple of float or None, default None
        First start for the second-stage coefficients (in ``spec.terms`` order, terms that
        involve no free input). None: the first-stage coefficients of those terms' monomials.
    start_spread : float, default 0.2
        Half-width of the box of the additional Sobol starts.
    unit_invariant : bool, default True
        Make the estimator independent of the units of the logs (soles, thousands or
        millions add a constant to each log): the first-stage polynomial is built from the
        standardised (state, flexible, proxy), the second stage searches over the terms of
        inputs centred at their sample means (coefficients are reported on the raw terms),
        and the first start reads the first-stage coefficients at the sample means.
        ``False`` is prodest's convention (raw polynomial, coefficients at zero), kept by
        :meth:`prodest` to reproduce it: its start depends on the units.
    screen_nobs : int or None, default 100_000
        Large samples: with more second-stage rows than this, every start is first run on a
        deterministic subsample of about this many rows (every k-th firm) and only the
        distinct minima within sampling noise of the best (at most three) are polished on the
        full sample; the estimate is always a minimum of the full-sample criterion. Recorded in
        ``results.details.screening``. ``None`` never screens.

    Notes
    -----
    The criterion is prodest's ``gOPLP`` divided by the number N of second-stage rows: for
    value added, the mean of the squared residuals ξ_t + ε_t of
    ``y − β_F·x_F − β_S·x_S − g(ω_{t−1})``, with ``g`` the OLS of ω_t on poly(ω_{t−1})
    (prodest reports the sum, N times this value). In gross output the flexible inputs are chosen after ξ_t is known, so the
    criterion is the GMM quadratic form of those residuals with instruments (state terms,
    lagged flexible terms) and weight (Z'Z/N)⁻¹, as in Levinsohn & Petrin (2003). Lags need
    the firm observed in t−1 (gaps break the lag).

    References
    ----------
    Olley, G. S., & Pakes, A. (1996). The dynamics of productivity in the telecommunications
    equipment industry. *Econometrica*, 64(6), 1263–1297. https://doi.org/10.2307/2171831
    """

    methods: ClassVar[tuple[str, ...]] = ("op",)

    @classmethod
    def prodest(cls, *, exit_correction: bool = False) -> OPOptions:
        """Reproduce R ``prodest::prodestOP`` (prodest 1.0.1, ``R/prodestOPLP.R``).

        Specification read from the source (``prodestOP``, ``finalOPLP``, ``gOPLP``;
        ``lagPanel`` in ``R/auxFun.R``):

        * first stage: ``lm(Y ~ fX + cX + model.matrix(~.^2 - 1, (sX, pX)) + sX^2 + pX^2)``,
          i.e. the free inputs and controls linearly plus the full second-order polynomial
          in (state, proxy), with an intercept (``poly_degree=2``);
        * ``phi`` = fitted values − free·β_free; controls stay inside ``phi``
          (``net_controls=False``);
        * law of motion: cubic in ω_{t−1} (``markov_degree=3``); with ``exit=TRUE`` the full
          cubic in (ω_{t−1}, P̂) with P̂ the probit exit probability on the lagged
          polynomial, the exit indicator being 1 in a firm's last year when that is not the
          sample's last year (``exit_rule='last-period'``);
        * criterion: sum of squared ``res − sX·θ − g(ω_{t−1})`` with ``g`` by OLS of
          ω_t = phi − sX·θ (not of ``res``) on the Markov polynomial;
        * lags via ``lagPanel``: the row with time t−1 of the same firm, so gaps break lags;
        * no row is dropped for a zero or negative (log) proxy;
        * optimiser: ``optim(method="BFGS")`` from the first-stage coefficients of the state
          plus N(0, 0.01) noise. The noise is random, so here the single start is the
          noise-free first-stage coefficient and Nelder–Mead (``xtol=1e-6``) is used; the
          criterion is smooth and has the same minimum. The criterion here is prodest's
          divided by N.

        Parameters
        ----------
        exit_correction : bool, default False
            prodest's ``exit=TRUE``.

        Returns
        -------
        OPOptions
        """
        return cls._prodest(exit_correction)


@dataclass(frozen=True)
class LPOptions(_ControlFunctionOptions):
    """Options of the Levinsohn–Petrin (2003) estimator, ``method="lp"``.

    The proxy is an intermediate input (materials, electricity). Everything else is as in
    :class:`OPOptions`: the first stage regresses output on the free-input terms and controls
    linearly and a full polynomial in (state, flexible, proxy); the second stage concentrates
    out the law of motion.

    Parameters
    ----------
    poly_degree, markov_degree, time_dummies, net_controls, log_proxy, exit_correction, exit_rule, survival_model, optimizer, start, start_spread, unit_invariant, screen_nobs
        The same fields, meanings and defaults as :class:`OPOptions`.

    Notes
    -----
    Value added: prodest's least-squares criterion. Gross output (``spec.flexible``): GMM with
    instruments (state terms, lagged flexible terms), weight (Z'Z/N)⁻¹, as in Levinsohn &
    Petrin (2003, section 4) and Stata's ``levpet``.

    References
    ----------
    Levinsohn, J., & Petrin, A. (2003). Estimating production functions using inputs to
    control for unobservables. *Review of Economic Studies*, 70(2), 317–341.
    https://doi.org/10.1111/1467-937X.00246
    """

    methods: ClassVar[tuple[str, ...]] = ("lp",)

    @classmethod
    def prodest(cls, *, exit_correction: bool = False) -> LPOptions:
        """Reproduce R ``prodest::prodestLP`` (prodest 1.0.1, ``R/prodestOPLP.R``).

        ``prodestLP`` shares ``finalOPLP`` and ``gOPLP`` with ``prodestOP``; the specification
        is the one spelled out in :meth:`OPOptions.prodest`: first stage = free inputs and
        controls plus the full second-order polynomial in (state, proxy) with an intercept
        (``poly_degree=2``); controls left inside ``phi`` (``net_controls=False``); law of
        motion cubic in ω_{t−1} (``markov_degree=3``), with the probit exit probability when
        ``exit=TRUE`` (``exit_rule='last-period'``); criterion = sum of squared residuals
        with the Markov coefficients from the OLS of ω_t on the polynomial; gaps break lags;
        zero or negative log proxies are kept. prodest's BFGS start carries N(0, 0.01) noise;
        here one noise-free start and Nelder–Mead (``xtol=1e-6``).

        Parameters
        ----------
        exit_correction : bool, default False
            prodest's ``exit=TRUE``.

        Returns
        -------
        LPOptions
        """
        return cls._prodest(exit_correction)
