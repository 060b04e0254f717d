"""Options of ``method="gnr"``: the Gandhi, Navarro and Rivers (2020) gross-output estimator."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tfp._checks import check_int, check_real
from tfp._literals import validate_literal
from tfp.exceptions import SpecificationError
from tfp.options._base import MethodOptions, Optimizer

__all__ = ["GNROptions"]


def _default_optimizer() -> Optimizer:
    return Optimizer("bfgs", xtol=1e-10, ftol=1e-20, maxiter=2000, n_starts=4)


@dataclass(frozen=True)
class GNROptions(MethodOptions):
    """Options of ``method="gnr"`` (Gandhi, Navarro and Rivers 2020).

    Parameters
    ----------
    share_degree : int, default 3
        Total degree of the polynomial ``D(x)`` in all inputs (fixed and flexible) of the
        share regression ``s = ln D(x) - ε``, with a constant (GNR eq. 21).
    integral_degree : int or None, default None
        Total degree of the polynomial in the fixed inputs for the constant of integration
        ``C(x_fixed)`` (no constant term: it is absorbed by productivity). ``None`` uses
        ``share_degree``, as gnrprod's ``degree_tau = -1``.
    markov_degree : int, default 3
        Degree of the polynomial law of motion ``ω_t = h(ω_{t-1}) + ξ_t`` (with a constant).
    nominal : tuple of (str, str) or None, default None
        ``(flexible_expenditure, revenue)``: nominal columns in levels from which the log
        share ``ln(expenditure / revenue)`` is computed when the spec has no ``share``
        column. Rows where either is not positive are left out (reason ``"nonpositive"``).
    lag_across_gaps : bool, default False
        ``False``: ``ω_{t-1}`` exists only when the firm is observed in ``t - 1`` (rows after
        a gap in the years are left out, reason ``"gap"``). ``True``: the previous observed
        row of the firm is used whatever the gap, as gnrprod does (``data.table::shift``).
    stage1_maxiter : int, default 200
        Gauss-Newton iterations allowed in the share regression.
    stage1_tol : float, default 1e-10
        Stop the share regression when the relative change of the sum of squared
        residuals is below this.
    optimizer : Optimizer, default ``Optimizer("bfgs", xtol=1e-10, ftol=1e-20, maxiter=2000, n_starts=4)``
        Second stage: minimiser of the identity-weighted GMM criterion and number of
        starts. The first start is the OLS regression of the stage-2 dependent variable on
        the terms of ``C`` (gnrprod's start); the others are Sobol points around it. The
        lowest criterion is kept. BFGS uses the analytic gradient.
    start_spread : float, default 0.5
        Half-width of the Sobol box of the extra starts, relative to the size of the first
        start (in an orthonormalised parametrisation of ``C``).
    average : {'sample', 'all'}, default 'sample'
        Rows over which the reported mean elasticities are taken: the second-stage sample
        (rows with a lag; the rows of ``results.elasticities()``, as GNRProdEst.jl) or every
        row with a share (gnrprod). Per-observation elasticities are computed on all rows.

    Notes
    -----
    The second-stage criterion is the one of gnrprod's ``constant_moments``:
    ``Q(c) = m(c)' m(c)`` with ``m(c) = Z' ξ(c) / N``, ``Z`` the raw (uncentred) monomials of
    the fixed inputs that make up ``C`` and ``ξ`` the residual of the least-squares
    regression of ``ω_t`` on ``(1, ω_{t-1}, …, ω_{t-1}^d)``. The model is just identified,
    so ``Q`` is zero at an exact solution.
    """

    methods: ClassVar[tuple[str, ...]] = ("gnr",)
    share_degree: int = 3
    integral_degree: int | None = None
    markov_degree: int = 3
    nominal: tuple[str, str] | None = None
    lag_across_gaps: bool = False
    stage1_maxiter: int = 200
    stage1_tol: float = 1e-10
    optimizer: Optimizer = field(default_factory=_default_optimizer)
    start_spread: float = 0.5
    average: str = "sample"

    def __post_init__(self) -> None:
        self._check_fields()
        check_int(self.share_degree, name="GNROptions.share_degree", low=1, high=6)
        if self.integral_degree is None:
            object.__setattr__(self, "integral_degree", int(self.share_degree))
        else:
            check_int(
                self.integral_degree, name="GNROptions.integral_degree", low=1, high=6
            )
        check_int(self.markov_degree, name="GNROptions.markov_degree", low=1, high=5)
        if self.nominal is not None:
            nom: Any = self.nominal
            if (
                isinstance(nom, str)
                or not isinstance(nom, Sequence)
                or len(tuple(nom)) != 2
                or not all(isinstance(c, str) for c in nom)
                or nom[0] == nom[1]
            ):
                raise SpecificationError(
                    f"GNROptions.nominal must be two different column names, got {nom!r}",
                    fix="pass nominal=('materials_expenditure', 'revenue') in levels",
                )
            object.__setattr__(self, "nominal", (str(nom[0]), str(nom[1])))
        check_int(self.stage1_maxiter, name="GNROptions.stage1_maxiter", low=1)
        check_real(
            self.stage1_tol, name="GNROptions.stage1_tol", low=0.0, low_open=True
        )
        check_real(self.start_spread, name="GNROptions.start_spread", low=0.0)
        validate_literal(self.average, ("sample", "all"), name="GNROptions.average")

    def columns(self) -> tuple[str, ...]:
        """The nominal expenditure and revenue columns, when ``nominal`` is given."""
        return tuple(self.nominal) if self.nominal is not None else ()

    @classmethod
    def gnrprod(cls, **overrides: Any) -> GNROptions:
        """The specification of R ``gnrprod`` 1.1.2 (D. J. Jin; CRAN, github.com/cran/gnrprod).

        Read from the package source (``R/gnrflex.R`` ``gnrflex``/``gauss_newton_reg``,
        ``R/gnrflex.control.R``, ``R/gnriv.R`` ``gnriv``/``constant_moments``,
        ``R/gnriv.control.R``):

        - share regression: ``share ~ ln(γ0 + poly(cbind(fixed, flex), degree = 3,
          raw = TRUE) γ)`` by nonlinear least squares (all monomials of total degree 1–3
          plus a constant); ``E = mean(exp(ε))`` with ``ε = ln D̂ - share``; flexible
          elasticity ``D̂ / E``; integral ``flex · Σ_j (γ_j / E) x^{e_j} / (a_j + 1)``
          where ``a_j`` is the flexible input's exponent;
        - constant of integration: all monomials of the fixed inputs of total degree 1–3
          without a constant (``degree_tau = -1`` → the share degree);
        - law of motion: ``lm(w ~ w_1 + w_1^2 + w_1^3)`` (``degree_w = 3``);
        - moments ``colSums(Z * ξ) / N`` over the same monomials ``Z``, criterion
          ``m'm`` (identity weight), start from ``lm(big_Y ~ Z)``;
        - lags: ``data.table::shift`` within firm after sorting by (id, time), i.e. the
          previous *row*, across gaps in the years (``lag_across_gaps=True``);
        - reported elasticities: means over every row (``average="all"``).

        Deliberate differences: the share regression is iterated to full convergence
        (gnrprod stops Gauss-Newton at a relative step of 1e-5), and the second stage is
        minimised by a multi-start search instead of one BFGS run with ``maxit = 100``
        (which stops early on both reference data sets); the criterion is the same.
        Keyword ``overrides`` replace any field.
        """
        base: dict[str, Any] = {
            "share_degree": 3,
            "integral_degree": 3,
            "markov_degree": 3,
            "lag_across_gaps": True,
            "average": "all",
        }
        base.update(overrides)
        return cls(**base)
